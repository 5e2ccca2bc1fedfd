"""Decision rules: hand-computed cases, and the numba-compiled rule equal to the Python one."""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit

from gvc_abm.agents import rules


def test_tariff_moves_share_away_by_the_stated_amount():
    # Two equal-weight suppliers at landed cost 1 and shares 0.3 / 0.3 (the sector's total is 0.6).
    # A 25 % tariff on the second: its cost becomes 1.25, its CES spending share with
    # sigma = 4 is 0.6 * 1.25^-3 / (1 + 1.25^-3), and inertia 0.5 moves half the way.
    suppliers = np.array([10, 20])
    shares = np.array([0.3, 0.3])
    costs = np.array([rules.effective_cost(1.0, 0.0, 1.0, 0.0, 0.0), rules.effective_cost(1.0, 0.25, 1.0, 0.0, 0.0)])
    assert costs[1] == pytest.approx(1.25)
    weights = shares * np.ones(2) ** 3  # calibrated at the pre-tariff costs (1, 1): lambda = w c^(sigma - 1)
    switched = rules.review_supplier_group(suppliers, shares, costs, costs.copy(), weights, -1, 0.0, 0.0, 4.0, 0.5, 0.0,
                                           np.empty(2))
    target2 = 0.6 * 1.25**-3 / (1 + 1.25**-3)
    assert switched == 0
    assert shares[1] == pytest.approx(0.3 + 0.5 * (target2 - 0.3), abs=1e-15)
    assert shares.sum() == pytest.approx(0.6, abs=1e-15)


def test_cheaper_candidate_replaces_the_costliest_supplier_only_past_the_switching_cost():
    suppliers = np.array([1, 2, 3])
    shares = np.array([0.2, 0.2, 0.2])
    costs = np.array([1.0, 1.3, 1.1])
    # 1.2 * (1 + 0.1) = 1.32 > 1.3: no switch.
    lam = shares * costs**3
    # Relative costs (to each origin's reference) decide the switch; here they equal the costs.
    assert rules.review_supplier_group(suppliers.copy(), shares.copy(), costs.copy(), costs.copy(), lam.copy(), 7, 1.2, 1.2,
                                       4.0, 0.0, 0.1, np.empty(3)) == 0
    # 1.1 * 1.1 = 1.21 < 1.3: supplier 2 (the costliest) is replaced by 7, keeping its share when inertia = 0.
    s, w, c, lw = suppliers.copy(), shares.copy(), costs.copy(), lam.copy()
    assert rules.review_supplier_group(s, w, c, c.copy(), lw, 7, 1.1, 1.1, 4.0, 0.0, 0.1, np.empty(3)) == 1
    np.testing.assert_array_equal(s, [1, 7, 3])
    np.testing.assert_array_equal(w, [0.2, 0.2, 0.2])
    assert lw[1] == pytest.approx(0.2 * 1.1**3)  # the new link is calibrated to its share at its cost
    # An existing supplier is never added twice.
    assert rules.review_supplier_group(s, w, c, c.copy(), lw, 3, 0.5, 0.5, 4.0, 0.0, 0.0, np.empty(3)) == 0
    # A cheaper candidate does not displace a supplier whose cost has not risen (relative costs
    # equal): firms react to changes, not to the benchmark they chose.
    s2 = suppliers.copy()
    assert rules.review_supplier_group(s2, shares.copy(), costs.copy(), np.ones(3), lam.copy(), 9, 0.5, 1.0,
                                       4.0, 0.0, 0.0, np.empty(3)) == 0


def test_ces_targets_by_hand():
    out = np.empty(3)
    # sigma = 2: spending shares proportional to lambda / c.
    rules.ces_target_shares(np.array([1.0, 2.0, 2.0]), np.array([1.0, 1.0, 2.0]), 1.0, 2.0, out)
    np.testing.assert_allclose(out, [0.4, 0.2, 0.4])  # [1/1, 1/2, 2/2] normalized
    # sigma = 1 (Cobb-Douglas): shares are the weights, whatever the costs.
    rules.ces_target_shares(np.array([1.0, 5.0, 2.0]), np.array([1.0, 1.0, 2.0]), 2.0, 1.0, out)
    np.testing.assert_allclose(out, [0.5, 0.5, 1.0])


def test_local_content_rule_by_hand():
    shares = np.array([0.1, 0.3, 0.2])  # domestic, foreign, foreign; total 0.6
    rules.enforce_local_content(shares, np.array([True, False, False]), 0.5)
    np.testing.assert_allclose(shares, [0.3, 0.18, 0.12])  # domestic 0.3 = 50 % of 0.6, foreign keep 3:2
    same = np.array([0.4, 0.2])
    rules.enforce_local_content(same, np.array([True, False]), 0.5)  # already compliant
    np.testing.assert_array_equal(same, [0.4, 0.2])


def test_pick_index_is_an_inverse_cdf():
    cum = np.cumsum([1.0, 0.0, 3.0])
    assert [rules.pick_index(cum, u) for u in (0.0, 0.2, 0.25, 0.99)] == [0, 0, 2, 2]


def test_robot_price_fall_raises_automation_and_value_added_share():
    before = rules.automation_target(wage=1.0, robot_price=2.0, elasticity=2.0)
    after = rules.automation_target(wage=1.0, robot_price=1.25, elasticity=2.0)
    assert before == pytest.approx(0.25) and after == pytest.approx(0.64)
    a = rules.step_automation(0.25, after, 0.5)
    assert a == pytest.approx(0.445)
    nu0 = rules.firm_value_added_share(0.4, 0.5, 0.25, 0.5)
    nu1 = rules.firm_value_added_share(0.4, 0.5, a, 0.5)
    assert nu0 == pytest.approx(0.4 + 0.6 * 0.5 * 0.5 * 0.25)
    assert nu1 > nu0
    assert rules.automation_target(2.0, 1.0, 3.0) == 1.0


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


def test_numba_compiles_the_same_rules_to_the_same_numbers():
    rng = np.random.default_rng(0)
    review = njit(rules.review_supplier_group)
    for _ in range(20):
        k = rng.integers(1, 6)
        sup = rng.permutation(50)[:k]
        w = rng.uniform(0.05, 0.3, k)
        c = rng.uniform(0.8, 1.5, k)
        cand, ccost = int(rng.integers(0, 50)), float(rng.uniform(0.7, 1.5))
        py = [sup.copy(), w.copy(), c.copy()]
        nb = [sup.copy(), w.copy(), c.copy()]
        r1 = rules.review_supplier_group(*py, c.copy(), np.ones(k), cand, ccost, ccost, 4.0, 0.3, 0.05, np.empty(k))
        r2 = review(*nb, c.copy(), np.ones(k), cand, ccost, ccost, 4.0, 0.3, 0.05, np.empty(k))
        assert r1 == r2
        for a, b in zip(py, nb):
            np.testing.assert_allclose(a, b, rtol=1e-14, atol=0)
    assert njit(rules.automation_target)(1.0, 1.6, 2.5) == rules.automation_target(1.0, 1.6, 2.5)
    assert njit(rules.protection_pressure)(-0.2, -0.1, 0.05, -0.02, 0.3, 1.0, 2.0, 0.5, 1.0, 0.2) == pytest.approx(
        rules.protection_pressure(-0.2, -0.1, 0.05, -0.02, 0.3, 1.0, 2.0, 0.5, 1.0, 0.2), rel=1e-15)
    cum = np.cumsum(rng.uniform(0, 1, 9))
    for u in rng.uniform(0, 1, 20):
        assert njit(rules.pick_index)(cum, u) == rules.pick_index(cum, u)


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
    Firm 2 buys sector 0 from firms 0 (home) and 3 (abroad), 0.3 each, and sector 1 from firm 4."""
    return dict(
        firm_country=np.array([0, 0, 0, 1, 1]),
        firm_sector=np.array([0, 0, 1, 0, 1]),
        indptr=np.array([0, 0, 0, 3, 3, 3]),
        supplier=np.array([0, 3, 4]),
        share=np.array([0.3, 0.3, 0.4]),
        price=np.ones(5),
        link_weight=np.array([0.3, 0.3, 0.4]),  # calibrated at costs 1: lambda = w
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
    work = [np.empty(8, dtype=np.int64), np.empty(8, dtype=np.int64), np.empty(8), np.empty(8), np.empty(8), np.empty(8),
            np.empty(8, dtype=np.bool_), np.empty(8)]
    p = dict(review_rate=1.0, sigma=4.0, inertia=0.5, switching_cost=0.0) | params
    return rules.firm_review(f, *w.values(), np.zeros(2), np.full(2, u_origin), np.full(2, u_firm),
                             p["review_rate"], p["sigma"], p["inertia"], p["switching_cost"], *work)


def test_firm_review_moves_shares_away_from_a_tariffed_origin():
    w = tiny_world()
    w["tariff"][0, 1, 0] = 0.25  # country 0 taxes sector-0 goods from country 1
    assert review(w) == 0  # the candidate drawn (firm 0) is already a supplier
    target = 0.6 * 1.25**-3 / (1 + 1.25**-3)
    np.testing.assert_allclose(w["share"], [0.6 - (0.3 + 0.5 * (target - 0.3)), 0.3 + 0.5 * (target - 0.3), 0.4])
    np.testing.assert_array_equal(w["supplier"], [0, 3, 4])


def test_firm_review_switches_to_a_cheaper_candidate_and_obeys_local_content():
    w = tiny_world()
    w["price"][3] = 2.0  # the foreign supplier got expensive
    w["price"][1] = 0.9  # a cheap home firm 1 is drawn: origin 0 (u = 0.1), second firm of the cell (u = 0.6)
    assert review(w, u_firm=0.6, inertia=0.0) == 1
    np.testing.assert_array_equal(w["supplier"], [0, 1, 4])
    w = tiny_world()
    w["local_content"][0, 0] = 0.8
    review(w, inertia=0.0)
    np.testing.assert_allclose(w["share"], [0.48, 0.12, 0.4])


def test_firm_review_compiled_equals_python_on_random_worlds():
    @njit
    def review_all(F, w, ur, uo, uf, work):
        total = 0
        for f in range(F):
            total += rules.firm_review(f, *w, ur[f], uo[f], uf[f], 0.5, 4.0, 0.3, 0.05, *work)
        return total

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
    base = (fc, fs, np.arange(0, F * K + 1, K), supplier, share, rng.uniform(0.5, 1.5, F), rng.uniform(0.5, 2.0, F * K),
            rng.uniform(0.5, 1.5, F), rng.uniform(0.8, 1.2, (G, G, S)), rng.uniform(0, 0.3, (G, G, S)), rng.uniform(1, 1.5, (G, G, S)), rng.uniform(0, 0.1, G),
            rng.uniform(0, 0.1, (G, S)), rng.uniform(0, 0.5, (G, S)), cell_start,
            np.cumsum(rng.uniform(0.1, 1, (G, S, G)), axis=2))
    draws = [rng.random((F, S)) for _ in range(3)]
    work = (np.empty(K, dtype=np.int64), np.empty(K, dtype=np.int64), np.empty(K), np.empty(K), np.empty(K), np.empty(K),
            np.empty(K, dtype=np.bool_), np.empty(K))
    py_w = [a.copy() for a in base]
    nb_w = tuple(a.copy() for a in base)
    n_py = sum(rules.firm_review(f, *py_w, draws[0][f], draws[1][f], draws[2][f], 0.5, 4.0, 0.3, 0.05, *work)
               for f in range(F))
    n_nb = review_all(F, nb_w, *draws, work)
    assert n_py == n_nb and n_py > 0
    np.testing.assert_array_equal(py_w[3], nb_w[3])
    np.testing.assert_allclose(py_w[4], nb_w[4], rtol=1e-14)
    rows = np.add.reduceat(nb_w[4], np.arange(0, F * K, K))
    np.testing.assert_allclose(rows, 1.0, rtol=1e-12)  # spending shares still sum to one
