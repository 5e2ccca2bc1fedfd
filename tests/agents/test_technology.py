"""The firm's technology at the firm level: closed forms, Shephard's lemma, the envelope theorem."""

from __future__ import annotations

import numpy as np
import pytest

from gvc_abm.agents import technology as T
from gvc_abm.environment import kernels as K

SEEDS = range(5)


@pytest.mark.parametrize("sigma", [0.5, 1.0, 4.0])
def test_a_sectors_input_price_is_the_ces_index_of_landed_prices(sigma):
    rng = np.random.default_rng(0)
    for _ in range(20):
        k = int(rng.integers(1, 7))
        Lam = rng.dirichlet(np.ones(k))
        cref = rng.uniform(0.5, 2.0, k)
        landed = rng.uniform(0.5, 2.0, k)
        got = T.ces_log_index(Lam, np.log(landed / cref), sigma)
        if sigma == 1.0:
            want = np.sum(Lam * np.log(landed / cref))
        else:
            lam = Lam * cref ** (sigma - 1.0)  # the link's CES weight lambda_fg
            want = np.log(np.sum(lam * landed ** (1.0 - sigma))) / (1.0 - sigma)
        assert got == pytest.approx(want, abs=1e-13)
        # the kernel's sweep: firm 0 buys from firms 1..k (one group, alpha 1, b = 0, beta = 1), so its
        # new log price is log P, with c_j = Lambda_j (wedge/cref)^(1-sigma) and q_g = p_g^(1-sigma)
        p = rng.uniform(0.5, 2.0, k)
        wedge = landed / p
        logp = np.concatenate([[0.0], np.log(p)])
        groups, ptr, alpha = np.array([0] + [1] * (k + 1)), np.array([0, k]), np.array([1.0])
        supplier, b, beta = np.arange(1, k + 1), np.zeros(k + 1), np.concatenate([[1.0], np.zeros(k)])
        links = K._price_links(groups, ptr, alpha, supplier, Lam, np.log(wedge / cref), sigma)
        q = np.exp((1.0 - sigma) * logp)
        K._sweep(*links[:9], links[10], 1.0 - sigma, b, beta, logp, q, logp, q, np.zeros(K.BLOCKS))
        assert logp[0] == pytest.approx(want, abs=1e-12)
        # one supplier (k = 1) or sigma = 1: the sector's index is linear in log p, with no CES group left
        assert (len(links[5]) == 0) == (k == 1 or sigma == 1.0)


@pytest.mark.parametrize("seed", SEEDS)
def test_with_equal_landed_prices_any_reallocation_of_weights_leaves_the_cost_unchanged(seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 8))
    r = float(rng.uniform(0.5, 2.0))
    for sigma in (0.7, 1.0, 3.0, 6.0):
        a = T.ces_log_index(rng.dirichlet(np.ones(k)), np.full(k, np.log(r)), sigma)
        b = T.ces_log_index(rng.dirichlet(np.ones(k) * 0.3), np.full(k, np.log(r)), sigma)
        assert a == pytest.approx(np.log(r), abs=1e-14) and b == pytest.approx(np.log(r), abs=1e-14)


@pytest.mark.parametrize("seed", SEEDS)
def test_spending_shares_are_shephards_lemma(seed):
    """w_g = d log P / d log c_g for the CES index; the unit cost's elasticities to log P_fk are the
    purchase shares (1 - nu0)(1 - m) alpha_k."""
    rng = np.random.default_rng(seed)
    k, sigma = 5, float(rng.uniform(1.5, 6))
    Lam, lr = rng.dirichlet(np.ones(k)), np.log(rng.uniform(0.5, 2, k))
    w = np.empty(k)
    T.ces_shares(Lam, lr, sigma, w)
    h = 1e-6
    for j in range(k):
        up, dn = lr.copy(), lr.copy()
        up[j] += h
        dn[j] -= h
        assert (T.ces_log_index(Lam, up, sigma) - T.ces_log_index(Lam, dn, sigma)) / (2 * h) == pytest.approx(w[j], abs=1e-8)
    assert w.sum() == pytest.approx(1.0, abs=1e-14)
    nu0, m, eta = 0.4, 0.2, 2.0
    lcva, lphm = 0.1, 0.3

    def log_p(lpint):
        return T.log_unit_cost(0.0, nu0, lcva, T.log_bundle_cost(m, lcva, lpint, lphm, eta))

    assert (log_p(h) - log_p(-h)) / (2 * h) == pytest.approx(T.purchase_share(nu0, m), abs=1e-9)
    assert T.value_added_share(nu0, m) == pytest.approx(1.0 - T.purchase_share(nu0, m), abs=1e-15)


@pytest.mark.parametrize("seed", SEEDS)
def test_envelope_theorem_for_automation(seed):
    """At a* = (phi w / r)^eta, a small change of automation changes unit cost only to second order."""
    rng = np.random.default_rng(seed)
    w, r, kappa, eta = rng.uniform(0.5, 2), rng.uniform(0.5, 2), rng.uniform(0.2, 0.9), rng.uniform(1, 4)
    phi = rng.uniform(0.2, 0.8) * r / w  # interior optimum
    a = T.automation_target(w, r, phi, eta)
    assert 0 < a < 1

    def cost(x):
        return T.log_va_cost(np.log(w), np.log(r), kappa, x, np.log(phi), eta)

    d1 = [cost(a + h) - cost(a) for h in (1e-3, 5e-4)]
    assert abs(d1[0]) < 1e-4 and d1[0] > 0 and d1[1] > 0  # a minimum
    assert d1[0] / d1[1] == pytest.approx(4.0, rel=0.05)  # second order: halving h quarters the change
    # off the optimum the change is first order, with the sign of (robot cost - wage) at the margin
    off = a * 0.5
    assert (cost(off + 1e-6) - cost(off)) / 1e-6 < -1e-4 * kappa
    # a task is automated exactly where the robot's cost per unit r / phi(x) is below the wage
    x = np.linspace(1e-3, 1, 200)
    robot_cost = r / (phi * x ** (-1 / eta))
    np.testing.assert_array_equal(robot_cost < w, x < a)


@pytest.mark.parametrize("seed", SEEDS)
def test_envelope_theorem_and_make_or_buy_for_insourcing(seed):
    rng = np.random.default_rng(seed)
    lcva, lpint, eta = rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5), rng.uniform(1, 4)
    phi = np.exp(lcva - lpint) / rng.uniform(0.3, 0.9)  # cVA < phi P: some tasks are worth making
    m = T.insourcing_target(lcva, lpint, phi, eta)
    assert 0 < m < 1

    def cost(x):
        return T.log_bundle_cost(x, lcva, lpint, np.log(phi), eta)

    d = [cost(m + h) - cost(m) for h in (1e-3, 5e-4)]
    assert d[0] > 0 and d[1] > 0 and d[0] / d[1] == pytest.approx(4.0, rel=0.05)
    assert cost(m) < cost(0.0)  # making the cheap tasks pays
    # task i is made in house exactly where its in-house cost cVA / phi(i) is below the price of buying
    i = np.linspace(0, 0.999, 300)
    in_house = np.exp(lcva) / (phi * (1 - i) ** (1 / eta))
    np.testing.assert_array_equal(in_house < np.exp(lpint), i < m)


def test_nothing_is_insourced_where_buying_is_cheaper():
    # cVA >= phi_M P: even the best in-house task costs more than buying
    assert T.insourcing_target(np.log(2.0), np.log(1.0), 1.5, 2.0) == 0.0
    assert T.insourcing_target(np.log(1.0), np.log(1.0), 1.0, 2.0) == 0.0
    assert T.insourcing_target(0.0, 0.0, 0.0, 2.0) == 0.0  # making switched off
    # and then the bundle costs exactly the price of buying it
    assert T.log_bundle_cost(0.0, 0.3, 0.1, 0.0, 2.0) == 0.1


def test_benchmark_calibration_makes_the_drawn_choices_optimal():
    """robot_productivity_for / make_productivity_for invert the targets."""
    for a in (0.1, 0.4, 0.9):
        phi = T.robot_productivity_for(a, 1.3, 0.7, 2.5)
        assert T.automation_target(1.3, 0.7, phi, 2.5) == pytest.approx(a, rel=1e-13)
    for m in (0.05, 0.3):
        phi = T.make_productivity_for(m, 0.2, -0.1, 3.0)
        assert T.insourcing_target(0.2, -0.1, phi, 3.0) == pytest.approx(m, rel=1e-12)
