"""Decision rules: hand-computed cases, and the numba-compiled rule equal to the Python one."""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit

from gvc_abm.agents import rules
from gvc_abm.agents import technology as T


def test_a_candidate_replaces_the_slot_that_lowers_the_ces_index_most_past_the_switching_cost():
    # Three slots, weights 0.5 / 0.3 / 0.2, relative costs r = c / cref of 1.0 / 1.3 / 1.1.
    w = np.array([0.5, 0.3, 0.2])
    lr = np.log([1.0, 1.3, 1.1])
    sigma = 4.0
    current = T.ces_log_index(w, lr, sigma)
    # A candidate at r = 1.2 with a 10 % switching cost: replacing slot 1 (r = 1.3) gives the lowest
    # index; it is taken only if P_new (1.1) < P.
    best = min(T.ces_log_index(w, np.where(np.arange(3) == i, np.log(1.2), lr), sigma) for i in range(3))
    assert best + np.log(1.1) > current  # not worth 10 %
    sup, cref = np.array([1, 2, 3]), np.ones(3)
    assert rules.review_supplier_group(sup, w, cref, lr.copy(), 7, 2.0, np.log(1.2), sigma, 0.1) == -1
    np.testing.assert_array_equal(sup, [1, 2, 3])
    # Without a switching cost the candidate takes slot 1, with its own benchmark cost.
    lr2 = lr.copy()
    assert rules.review_supplier_group(sup, w, cref, lr2, 7, 2.0, np.log(1.2), sigma, 0.0) == 1
    np.testing.assert_array_equal(sup, [1, 7, 3])
    np.testing.assert_array_equal(cref, [1.0, 2.0, 1.0])
    assert lr2[1] == pytest.approx(np.log(1.2))
    # An existing supplier is never added twice.
    assert rules.review_supplier_group(sup, w, cref, lr2, 3, 1.0, np.log(0.5), sigma, 0.0) == -1


def test_at_the_benchmark_nothing_is_worth_switching():
    # Every supplier and the candidate at their benchmark cost (r = 1): the index cannot fall.
    sup = np.array([4, 5])
    assert rules.review_supplier_group(sup, np.array([0.6, 0.4]), np.ones(2), np.zeros(2), 9, 0.5, 0.0, 4.0, 0.0) == -1


def test_local_content_slot_by_hand():
    shares = np.array([0.1, 0.3, 0.2])  # domestic, foreign, foreign
    assert rules.local_content_slot(shares, np.array([True, False, False]), 0.5) == 1  # 1/6 < 0.5: largest foreign
    assert rules.local_content_slot(np.array([0.4, 0.2]), np.array([True, False]), 0.5) == -1  # already compliant
    assert rules.local_content_slot(np.array([0.4, 0.2]), np.array([True, True]), 1.0) == -1  # nothing foreign


def test_pick_index_is_an_inverse_cdf():
    cum = np.cumsum([1.0, 0.0, 3.0])
    assert [rules.pick_index(cum, u) for u in (0.0, 0.2, 0.25, 0.99)] == [0, 0, 2, 2]


def test_automation_moves_toward_the_task_model_optimum():
    # phi_R w / r = 0.5 -> a* = 0.25 (eta 2); robots 2.5x cheaper per efficiency unit -> 0.8^... capped at 1.
    assert T.automation_target(1.0, 2.0, 1.0, 2.0) == pytest.approx(0.25)
    assert T.automation_target(1.0, 2.0, 1.6, 2.0) == pytest.approx(0.64)
    assert T.automation_target(2.0, 1.0, 1.0, 3.0) == 1.0
    assert T.automation_target(1.0, 1.0, 0.0, 2.0) == 0.0  # no robot productivity: nothing automated
    assert rules.step_toward(0.25, 0.64, 0.5) == pytest.approx(0.445)


def test_risk_premium_learning():
    assert rules.update_risk_premium(0.0, 0.5, 0.2) == pytest.approx(0.1)
    assert rules.update_risk_premium(0.1, 0.0, 0.2) == pytest.approx(0.08)


def test_numba_compiles_the_same_rules_to_the_same_numbers():
    rng = np.random.default_rng(0)
    review = njit(rules.review_supplier_group)
    for _ in range(20):
        k = int(rng.integers(1, 6))
        sup = rng.permutation(50)[:k]
        w = rng.dirichlet(np.ones(k))
        lr = np.log(rng.uniform(0.8, 1.5, k))
        cref = rng.uniform(0.5, 2.0, k)
        cand, clr = int(rng.integers(0, 50)), float(np.log(rng.uniform(0.7, 1.5)))
        py = [sup.copy(), w.copy(), cref.copy(), lr.copy()]
        nb = [sup.copy(), w.copy(), cref.copy(), lr.copy()]
        assert rules.review_supplier_group(*py, cand, 1.5, clr, 4.0, 0.05) == review(*nb, cand, 1.5, clr, 4.0, 0.05)
        for a, b in zip(py, nb):
            np.testing.assert_array_equal(a, b)
    assert njit(T.automation_target)(1.0, 1.6, 0.9, 2.5) == T.automation_target(1.0, 1.6, 0.9, 2.5)
    assert njit(rules.protection_pressure)(-0.2, -0.1, 0.05, -0.02, 0.3, 1.0, 2.0, 0.5, 1.0, 0.2) == pytest.approx(
        rules.protection_pressure(-0.2, -0.1, 0.05, -0.02, 0.3, 1.0, 2.0, 0.5, 1.0, 0.2), rel=1e-15)
    cum = np.cumsum(rng.uniform(0, 1, 9))
    for u in rng.uniform(0, 1, 20):
        assert njit(rules.pick_index)(cum, u) == rules.pick_index(cum, u)


def test_falling_tbi_raises_pressure():
    weights = (1.0, 2.0, 0.5, 1.0, 0.2)
    steady = rules.protection_pressure(-0.1, -0.1, 0.05, 0.0, 0.3, *weights)
    falling = rules.protection_pressure(-0.2, -0.1, 0.05, 0.0, 0.3, *weights)
    assert steady == pytest.approx(0.1 + 0.025 + 0.06)
    assert falling == pytest.approx(0.2 + 0.2 + 0.025 + 0.06)
    # No deficit, over-full employment, more jobs and falling import shares: no pressure.
    assert rules.protection_pressure(0.3, 0.2, -0.02, 0.1, -0.1, *weights) == 0.0


def test_risk_premium_learning():
    assert rules.update_risk_premium(0.0, 0.5, 0.2) == pytest.approx(0.1)
    assert rules.update_risk_premium(0.1, 0.0, 0.2) == pytest.approx(0.08)


#: A hand-computed country (c = 0 of three, two sectors, sigma = 4) for the instrument values.
OBS = dict(
    imports=np.array([0.1, 0.2]), penetration=np.array([0.25, 0.5]),
    input_imports=np.array([0.05, 0.1]), input_penetration=np.array([0.2, 0.4]),
    labour_share=np.array([0.5, 0.3]), floor=np.zeros(2), tariff_room=np.full(2, 0.1), subsidy_room=np.full(2, 0.05),
    imports_from=np.array([0.0, 0.2, 0.1]), exports_to=np.array([0.0, 0.1, 0.3]), power=np.array([0.0, 0.5, 0.25]),
    va_balance=np.array([np.inf, -0.02, 0.01]), partner_room=np.array([0.0, 0.1, 0.1]),
    same_bloc=np.array([False, False, True]), bloc_tariff=0.05, final_imports=0.1, final_import_share=0.2,
    import_share=0.3, campaign_room=0.15,
)
K = len(rules.INSTRUMENTS)
MEAN_LABOUR = 0.11 / 0.3  # import-weighted labour share: (0.1 * 0.5 + 0.2 * 0.3) / 0.3


def _values(pressure=1.0, costs=None, **changes):
    obs = OBS | changes
    values, sectors, targets, levels = np.empty(K), np.empty(K, dtype=np.int64), np.empty(K, dtype=np.int64), np.empty(K)
    rules.instrument_values(pressure, *obs.values(), np.zeros(K) if costs is None else np.asarray(costs, float), 4.0,
                            0.1, 0.1, values, sectors, targets, levels)
    return values, sectors, targets, levels


def _only(code, cost=1.0):
    """Costs that close every weighed instrument but ``code``."""
    costs = np.full(K, cost)
    costs[code] = 0.0
    return costs


def test_armington_displacement_and_its_tariff_equivalent():
    a = 1.1 ** -3  # a 10 % tariff, sigma 4
    assert rules.displaced_share(a, 0.5) == pytest.approx(1 - a / (0.5 * a + 0.5))
    assert rules.displaced_share(a, 1e-9) == pytest.approx(1 - a)  # a small source loses 1 - (1 + t)^(1 - sigma)
    assert rules.displaced_share(1.0, 0.3) == 0.0
    for theta in (0.1, 0.5, 0.9):
        d = rules.displaced_share(a, theta)
        assert rules.tariff_equivalent(d, theta, 4.0) == pytest.approx(0.1, rel=1e-12)
    assert rules.tariff_equivalent(1.0, 0.5, 4.0) == np.inf
    # P (1 + l)(dM_home - dX) - t dM / 2 - kappa
    assert rules.measure_value(2.0, 0.5, 0.04, 0.01, 0.1, 0.05, 0.003) == pytest.approx(2 * 1.5 * 0.03 - 0.0025 - 0.003)


def test_instrument_values_by_hand():
    v, sec, tgt, lvl = _values()
    # sector tariff 10 % in sector 1 (m = 0.5): d = 1 - a/(a/2 + 1/2) = 0.141999, dM = 0.2 d,
    # V = 1.3 dM - 0.05 dM; in sector 0 (m = 0.25, l = 0.5) d = 0.198878, V = 0.028837 < 0.035500
    assert sec[1] == 1 and v[1] == pytest.approx(0.0354998, abs=1e-7)
    # local content in sector 0 (m^I = 0.2): floor 0.8 -> 0.9 displaces half the input imports 0.05,
    # tariff equivalent (4/9)^(-1/3) - 1 = 0.310371, V = 1.5 * 0.025 - 0.310371 * 0.025 / 2
    assert sec[2] == 0 and lvl[2] == pytest.approx(0.9) and v[2] == pytest.approx(0.0336204, abs=1e-7)
    assert sec[10] == 0 and lvl[10] == pytest.approx(0.1) and v[10] == v[2]  # a cap of 10 % foreign: the same rule
    # subsidy 5 % in sector 1: a = 0.95^3, d = 0.076788, t = 0.05/0.95
    assert sec[3] == 1 and v[3] == pytest.approx(0.0195609, abs=1e-7)
    # targeted tariff on partner 1 (VA balance -0.02): theta = 0.3 * 0.2/0.3 = 0.2, d = 0.209361, dM = 0.2 d,
    # home part 0.7/0.8 of it; retaliation risk 0.5 (1 - 1.1^-3) 0.1
    assert tgt[4] == 1 and v[4] == pytest.approx((1 + MEAN_LABOUR) * (0.0366382 - 0.0124343) - 0.05 * 0.0418722, abs=1e-7)
    # leaving the bloc of partner 2: imports 0.1 come home only in part, exports 0.3 lose preference for sure
    assert v[5] < 0
    # a campaign of 0.15 log points on final imports 0.1 (f = 0.2): d = 0.114627, wedge e^0.05 - 1
    assert v[6] == pytest.approx((1 + MEAN_LABOUR) * 0.0114627 - 0.5 * (np.exp(0.05) - 1) * 0.0114627, abs=1e-7)
    assert v[[0, 7, 8, 9]].max() == -np.inf  # not weighed


def test_the_instrument_with_the_highest_net_value_wins():
    out = np.zeros((2, 4))

    def decide(costs, pressure=1.0, u=0.0, **changes):
        v, sec, tgt, lvl = _values(pressure, costs, **changes)
        n = rules.choose_policy(pressure, 0.5, 0.1, 0.3, v, sec, tgt, lvl, np.zeros(3), False, True, False, u, out)
        return [(rules.INSTRUMENTS[int(a)], int(t), int(s), round(float(lv), 6)) for a, t, s, lv in out[:n]]

    assert decide(np.zeros(K)) == [("sector_tariff", -1, 1, 0.0)]  # 0.0355 beats local content 0.0336
    costs = np.zeros(K)
    costs[1] = 0.005  # a WTO binding on tariffs: local content and the investment limit tie at 0.0336 > 0.0305
    assert decide(costs, u=0.2) == [("local_content", -1, 0, 0.9)]
    assert decide(costs, u=0.7) == [("investment_limit", -1, 0, 0.1)]  # the tie broken by the draw
    costs[[2, 10]] = 0.005  # ... and on sourcing rules (0.0286): the targeted tariff (0.0310) wins, a political tool
    assert decide(costs) == [("targeted_tariff", 1, -1, 0.0)]
    # a partner with all the market power and all our exports: retaliation risk closes the targeted tariff
    assert decide(_only(4), power=np.array([0.0, 1.0, 0.25]), exports_to=np.array([0.0, 0.6, 0.3])) == []
    assert decide(_only(6)) == [("buy_local", -1, -1, 0.0)]
    assert decide(_only(6), campaign_room=0.0) == []  # households at their cap: a campaign can do nothing
    assert decide(np.full(K, 0.04)) == []  # every value below zero: no measure
    assert decide(np.zeros(K), pressure=0.4) == []  # below the protect threshold nothing is weighed


def _policy(pressure, *, in_bloc=False, bloc_available=True, has_measures=False, u=0.0,
            targeted_by=(0.0, 0.0, 0.0), best=1):
    values = np.full(K, -np.inf)
    values[best] = 0.01
    sectors, targets, levels = np.full(K, 1), np.full(K, -1), np.zeros(K)
    out = np.zeros((2, 4))
    n = rules.choose_policy(pressure, 1.0, 0.2, 0.6, values, sectors, targets, levels, np.array(targeted_by), in_bloc,
                            bloc_available, has_measures, u, out)
    return n, [(rules.INSTRUMENTS[int(a)], int(t), int(s)) for a, t, s, _ in out[:n]]


def test_best_instrument_breaks_ties_with_the_draw():
    v = np.array([-np.inf, 0.2, 0.1, 0.2, -1.0, 0.2])
    assert [rules.best_instrument(v, u) for u in (0.0, 0.34, 0.67, 0.999)] == [1, 3, 5, 5]
    assert rules.best_instrument(np.array([-np.inf, -0.1, 0.0]), 0.5) == 0  # nothing above zero


def test_low_pressure_unwinds_measures_then_joins_the_bloc():
    assert _policy(0.1, has_measures=True) == (1, [("liberalize", -1, -1)])
    assert _policy(0.1) == (1, [("join_bloc", -1, -1)])
    assert _policy(0.1, in_bloc=True) == (0, [])
    assert _policy(0.5) == (0, [])  # between the thresholds: nothing changes
    assert _policy(1.5, best=5, in_bloc=True) == (1, [("leave_bloc", -1, 1)])  # leaving is a weighed choice


def test_retaliation_against_the_partner_that_targeted_us():
    assert _policy(0.7, targeted_by=(0.0, 0.0, 0.25)) == (1, [("retaliation", 2, -1)])
    n, moves = _policy(1.5, best=4, targeted_by=(0.1, 0.0, 0.25))
    assert moves == [("targeted_tariff", -1, 1), ("retaliation", 2, -1)]
    assert _policy(0.5, targeted_by=(0.0, 0.0, 0.25)) == (0, [])  # too little pressure to retaliate


def test_government_rules_compile_to_the_same_values_and_moves():
    values_fast, choose_fast = njit(rules.instrument_values), njit(rules.choose_policy)
    rng = np.random.default_rng(5)
    for _ in range(20):
        obs = OBS | dict(imports=rng.uniform(0, 0.3, 2), input_penetration=rng.uniform(0.05, 0.9, 2),
                         va_balance=np.array([np.inf, *rng.normal(0, 0.02, 2)]), power=np.array([0, *rng.uniform(0, 1, 2)]))
        costs, pressure, u = rng.uniform(0, 0.03, K), rng.uniform(0, 2), rng.random()
        res = []
        for vf, cf in ((rules.instrument_values, rules.choose_policy), (values_fast, choose_fast)):
            v, sec, tgt, lvl = np.empty(K), np.empty(K, dtype=np.int64), np.empty(K, dtype=np.int64), np.empty(K)
            out = np.zeros((2, 4))
            vf(pressure, *obs.values(), costs, 4.0, 0.1, 0.1, v, sec, tgt, lvl)
            n = cf(pressure, 0.5, 0.1, 0.3, v, sec, tgt, lvl, np.array([0.0, 0.1, 0.0]), True, True, True, u, out)
            res.append((n, v, sec, tgt, lvl, out))
        assert res[0][0] == res[1][0]
        for a, b in zip(res[0][1:], res[1][1:]):
            np.testing.assert_allclose(a, b, rtol=1e-12)


def test_an_investment_limit_is_a_floor_on_the_domestic_share():
    floor = rules.minimum_domestic_share(np.array([[0.0, 0.5, 0.2]]), np.array([[1.0, 0.7, 0.3]]))
    np.testing.assert_allclose(floor, [[0.0, 0.5, 0.7]])  # the binding one of the two rules


def tiny_world():
    """2 countries x 2 sectors; firms 0, 1 in cell (0, 0), 2 in (0, 1), 3 in (1, 0), 4 in (1, 1).
    Firm 2 buys sector 0 from firms 0 (home) and 3 (abroad), half each, and sector 1 from firm 4."""
    return dict(
        firm_country=np.array([0, 0, 0, 1, 1]),
        firm_sector=np.array([0, 0, 1, 0, 1]),
        firm_groups=np.array([0, 0, 0, 2, 2, 2]),
        group_ptr=np.array([0, 2, 3]),
        supplier=np.array([0, 3, 4]),
        link_weight=np.array([0.5, 0.5, 1.0]),
        reference_cost=np.ones(3),
        share=np.array([0.3, 0.3, 0.4]),
        price=np.ones(5),
        reference_price=np.ones(5),
        reference_wedge=np.ones((2, 2, 2)),
        tariff=np.zeros((2, 2, 2)),
        trade_cost=np.ones((2, 2, 2)),
        risk=np.zeros(2),
        subsidy=np.zeros((2, 2)),
        local_content=np.zeros((2, 2)),
        cell_start=np.array([0, 2, 3, 4, 5]),
        reach_cdf=np.cumsum(np.ones((2, 2, 2)), axis=2),
    )


def review(w, f=2, u_origin=0.1, u_firm=0.0, **params):
    p = dict(review_rate=1.0, sigma=4.0, switching_cost=0.0) | params
    return rules.firm_review(f, *w.values(), np.zeros(2), np.full(2, u_origin), np.full(2, u_firm),
                             p["review_rate"], p["sigma"], p["switching_cost"], np.empty(8), np.empty(8, dtype=np.bool_))


def test_firm_review_replaces_a_tariffed_supplier_by_a_home_candidate():
    w = tiny_world()
    w["tariff"][0, 1, 0] = 0.25  # country 0 taxes sector-0 goods from country 1
    assert review(w) == 0  # the candidate drawn (firm 0, u_firm 0) is already a supplier
    assert review(w, u_firm=0.6) == 1  # firm 1 (home, at its benchmark cost) takes the tariffed slot
    np.testing.assert_array_equal(w["supplier"], [0, 1, 4])
    w = tiny_world()
    w["tariff"][0, 1, 0] = 0.25
    assert review(w, u_firm=0.6, switching_cost=0.2) == 0  # the saving (P falls by 1 - 1/1.098, about 9 %) is below 20 %


def test_firm_review_obeys_local_content_whatever_it_costs():
    w = tiny_world()
    w["local_content"][0, 0] = 0.8  # domestic share 0.3 / 0.6 < 0.8: the foreign slot must go
    w["price"][1] = 5.0  # even to an expensive home firm
    assert review(w, u_firm=0.6) == 1
    np.testing.assert_array_equal(w["supplier"], [0, 1, 4])
    assert w["reference_cost"][1] == 1.0  # the new link's benchmark cost is firm 1's benchmark landed cost


def test_firm_review_compiled_equals_python_on_random_worlds():
    @njit
    def review_all(F, w, ur, uo, uf, a, b):
        # the rule is inlined into jitted callers, which numba allows only with explicit arguments
        fc, fs, fg, gp, sup, lw, rc, sh, p, rp, rw, tau, tc, rho, sub, lc, cs, cdf = w
        total = 0
        for f in range(F):
            total += rules.firm_review(f, fc, fs, fg, gp, sup, lw, rc, sh, p, rp, rw, tau, tc, rho, sub, lc, cs, cdf,
                                       ur[f], uo[f], uf[f], 0.5, 4.0, 0.05, a, b)
        return total

    from gvc_abm.environment.state import SupplierNetwork

    rng = np.random.default_rng(3)
    G, S, F, K = 3, 3, 40, 4
    cell = np.sort(rng.integers(0, G * S, F))
    cell[: G * S] = np.arange(G * S)
    cell = np.sort(cell)
    fc, fs = cell // S, cell % S
    cell_start = np.searchsorted(cell, np.arange(G * S + 1))
    supplier = np.concatenate([rng.choice(F, K, replace=False) for _ in range(F)])
    share = rng.uniform(0.1, 1.0, F * K)
    share /= np.repeat(np.add.reduceat(share, np.arange(0, F * K, K)), K)
    net = SupplierNetwork.from_shares(np.arange(0, F * K + 1, K), supplier, share, fs)
    base = (fc, fs, net.firm_groups, net.group_ptr, net.supplier, net.weight, rng.uniform(0.5, 2.0, F * K), net.share,
            rng.uniform(0.5, 1.5, F), rng.uniform(0.5, 1.5, F), rng.uniform(0.8, 1.2, (G, G, S)),
            rng.uniform(0, 0.3, (G, G, S)), rng.uniform(1, 1.5, (G, G, S)), rng.uniform(0, 0.1, G),
            rng.uniform(0, 0.1, (G, S)), rng.uniform(0, 0.5, (G, S)), cell_start,
            np.cumsum(rng.uniform(0.1, 1, (G, S, G)), axis=2))
    draws = [rng.random((F, S)) for _ in range(3)]
    py_w = [a.copy() for a in base]
    nb_w = tuple(a.copy() for a in base)
    n_py = sum(rules.firm_review(f, *py_w, draws[0][f], draws[1][f], draws[2][f], 0.5, 4.0, 0.05, np.empty(K),
                                 np.empty(K, dtype=np.bool_)) for f in range(F))
    n_nb = review_all(F, nb_w, *draws, np.empty(K), np.empty(K, dtype=np.bool_))
    assert n_py == n_nb and n_py > 0
    np.testing.assert_array_equal(py_w[4], nb_w[4])  # suppliers
    np.testing.assert_array_equal(py_w[6], nb_w[6])  # benchmark costs
    np.testing.assert_array_equal(py_w[5], base[5])  # slot weights never change


# --------------------------------------------------------------------------- technology diffusion


def _reach(iota_m: float, distance: np.ndarray) -> np.ndarray:
    """exp(-iota m (1 + d)) abroad, 1 at home (the inverse of the model's coordination barrier)."""
    with np.errstate(invalid="ignore"):
        out = np.exp(-iota_m * (1.0 + distance))
    np.fill_diagonal(out, 1.0)
    return out


#: Firm 0 (country 0) buys 60 % from firm 1 at home and 40 % from firm 2 in country 1, 4 thousand km
#: away; firm 1 is 20 % and firm 2 50 % more productive; firms 1 and 2 buy from each other.
DIFFUSION_WORLD = dict(
    indptr=np.array([0, 2, 3, 4]), supplier=np.array([1, 2, 2, 1]), share=np.array([0.6, 0.4, 1.0, 1.0]),
    firm_country=np.array([0, 0, 1]), log_productivity=np.log([1.0, 1.2, 1.5]),
)
DISTANCE = np.array([[0.0, 4.0], [4.0, 0.0]])


def diffusion_gain(f, iota_m=0.02, rate=0.1, **change):
    world = DIFFUSION_WORLD | change
    return rules.firm_diffusion(f, world["indptr"], world["supplier"], world["share"], world["firm_country"],
                                world["log_productivity"], _reach(iota_m, DISTANCE), rate)


def test_diffusion_gain_of_a_firm_with_two_suppliers_by_hand():
    # 0.1 * (0.6 * log 1.2 * 1 + 0.4 * log 1.5 * exp(-0.02 * (1 + 4))) = 0.1 * (0.1093929 + 0.1467520)
    assert diffusion_gain(0) == pytest.approx(0.1 * (0.6 * 0.1823216 + 0.4 * 0.4054651 * 0.9048374), rel=1e-6)
    assert diffusion_gain(0) == pytest.approx(0.02561449, rel=1e-6)
    # without an information cost it is lambda times the spending-weighted gap
    assert diffusion_gain(0, iota_m=0.0) == pytest.approx(0.1 * (0.6 * np.log(1.2) + 0.4 * np.log(1.5)), rel=1e-12)


def test_no_gain_at_or_above_the_suppliers_frontier():
    assert diffusion_gain(2) == 0.0  # firm 2 buys from the less productive firm 1: nothing to learn
    assert diffusion_gain(0, log_productivity=np.log([1.5, 1.2, 1.5])) == 0.0  # at the frontier
    # a supplier behind the buyer neither teaches nor subtracts: only firm 2's gap counts
    behind = diffusion_gain(0, log_productivity=np.log([1.3, 1.2, 1.5]))
    assert behind == pytest.approx(0.1 * 0.4 * np.log(1.5 / 1.3) * np.exp(-0.1), rel=1e-12)
    # firm 1 learns from firm 2 abroad, its only supplier
    assert diffusion_gain(1) == pytest.approx(0.1 * np.log(1.5 / 1.2) * np.exp(-0.1), rel=1e-12)


def test_diffusion_is_slower_across_costlier_information_barriers_and_zero_abroad_when_they_are_infinite():
    gains = [diffusion_gain(0, iota_m=x) for x in (0.0, 0.02, 0.1, 1.0, np.inf)]
    assert all(a > b for a, b in zip(gains, gains[1:]))
    assert gains[-1] == pytest.approx(0.1 * 0.6 * np.log(1.2), rel=1e-12)  # only the home supplier is heard
    assert diffusion_gain(1, iota_m=np.inf) == 0.0  # a firm with foreign suppliers only learns nothing
    assert diffusion_gain(0, rate=0.0) == 0.0
    # with lambda <= 1 no firm passes its best supplier
    assert np.log(1.0) + diffusion_gain(0, iota_m=0.0, rate=1.0) <= np.log(1.5)


def test_diffusion_rule_compiles_to_the_same_numbers():
    rng = np.random.default_rng(4)
    G, F, K = 3, 30, 3
    supplier = np.concatenate([rng.choice(F, K, replace=False) for _ in range(F)])
    share = rng.dirichlet(np.ones(K), size=F).ravel()
    country = rng.integers(0, G, F)
    lz = rng.normal(0.0, 0.3, F)
    reach = _reach(0.05, rng.uniform(0, 10, (G, G)))
    indptr = np.arange(0, F * K + 1, K)
    compiled = njit(rules.firm_diffusion)
    for f in range(F):
        assert compiled(f, indptr, supplier, share, country, lz, reach, 0.2) == pytest.approx(
            rules.firm_diffusion(f, indptr, supplier, share, country, lz, reach, 0.2), rel=1e-14, abs=1e-300)
