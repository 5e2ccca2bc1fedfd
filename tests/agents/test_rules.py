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


def _policy(group, pressure, *, in_bloc=False, bloc_available=True, has_tariffs=False, u=0.0,
            targeted_by=(0.0, 0.0, 0.0), penetration=(0.1, 0.5, 0.2), va_balance=(0.0, -3.0, 1.0)):
    out = np.zeros((2, 4))
    n = rules.choose_policy(group, pressure, 1.0, 0.2, 0.6, np.array(penetration), np.array(va_balance),
                            np.array(targeted_by), in_bloc, bloc_available, has_tariffs, u, out)
    return n, [(rules.INSTRUMENTS[int(a)], int(t), int(s)) for a, t, s, _ in out[:n]]


def test_developing_economies_use_economic_tools_in_the_most_penetrated_sector():
    for group in (1, 2):
        assert _policy(group, 1.5, u=0.1) == (1, [("sector_tariff", -1, 1)])
        assert _policy(group, 1.5, u=0.5) == (1, [("local_content", -1, 1)])
        assert _policy(group, 1.5, u=0.9) == (1, [("import_substitution", -1, 1)])


def test_advanced_economies_use_political_tools():
    # The partner with the largest value-added deficit is country 1 (balance -3).
    assert _policy(0, 1.5, u=0.1) == (1, [("targeted_tariff", 1, -1)])
    assert _policy(0, 1.5, u=0.9) == (1, [("buy_local", -1, -1)])
    assert _policy(0, 1.5, u=0.9, in_bloc=True) == (1, [("leave_bloc", -1, -1)])
    assert _policy(0, 1.5, u=0.5, in_bloc=True) == (1, [("buy_local", -1, -1)])
    # No partner in value-added deficit: no one to target, a campaign instead.
    assert _policy(0, 1.5, u=0.1, va_balance=(np.inf, 2.0, 1.0)) == (1, [("buy_local", -1, -1)])
    for u in np.linspace(0, 0.999, 7):
        n, moves = _policy(0, 1.5, u=u)
        assert moves[0][0] in ("targeted_tariff", "buy_local", "leave_bloc")


def test_low_pressure_liberalizes_then_joins_the_bloc():
    assert _policy(0, 0.1, has_tariffs=True) == (1, [("liberalize", -1, -1)])
    assert _policy(2, 0.1) == (1, [("join_bloc", -1, -1)])
    assert _policy(2, 0.1, in_bloc=True) == (0, [])
    assert _policy(2, 0.5) == (0, [])  # between the thresholds: nothing changes


def test_retaliation_against_the_partner_that_targeted_us():
    assert _policy(1, 0.7, targeted_by=(0.0, 0.0, 0.25)) == (1, [("retaliation", 2, -1)])
    n, moves = _policy(0, 1.5, u=0.1, targeted_by=(0.1, 0.0, 0.25))
    assert moves == [("targeted_tariff", 1, -1), ("retaliation", 2, -1)]
    assert _policy(1, 0.5, targeted_by=(0.0, 0.0, 0.25)) == (0, [])  # too little pressure to retaliate


def test_choose_policy_compiles_to_the_same_moves():
    fast = njit(rules.choose_policy)
    for group in (0, 1):
        for pressure in (0.1, 0.7, 1.5):
            for u in (0.1, 0.5, 0.9):
                args = (group, pressure, 1.0, 0.2, 0.6, np.array([0.1, 0.5, 0.2]), np.array([0.0, -3.0, 1.0]),
                        np.array([0.0, 0.0, 0.3]), True, True, False, u)
                a, b = np.zeros((2, 4)), np.zeros((2, 4))
                assert rules.choose_policy(*args, a) == fast(*args, b)
                np.testing.assert_array_equal(a, b)



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
