"""The market clearing: engines agree, accounting identities, homogeneity, tariffs, distance."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from gvc_abm.environment import kernels as K
from gvc_abm.environment.aggregate import aggregate
from gvc_abm.environment.builders import build_default_world
from gvc_abm.environment.clearing import ClearingWarning, clear, landed_price
from gvc_abm.environment.config import CountryConfig, TariffRule
from gvc_abm.environment.welfare import real_income

from .conftest import rng, small_config

FIELDS = ["price", "output", "wage", "theta", "pi", "log_pindex", "final_sales", "labour_income",
          "capital_income", "expenditure", "employment", "final_tariffs", "intermediate_tariffs"]


def assert_same(r1, r2, rtol=1e-9):
    for k in FIELDS:
        a, b = getattr(r1, k), getattr(r2, k)
        scale = max(np.max(np.abs(a)), 1e-300)
        assert np.max(np.abs(a - b)) <= rtol * scale, k


def test_numba_equals_reference_sticky_few_hundred_firms():
    cfg = small_config(firms=300, links=5, tariffs=[TariffRule(importer="A", exporter="C", rate=0.3)])
    w1 = build_default_world(cfg, rng(1))
    w2 = w1.copy()
    r1 = clear(w1)
    r2 = clear(w2, engine="reference")
    assert r1.converged and r2.converged
    assert r1.iterations == r2.iterations
    assert_same(r1, r2)


def test_numba_equals_reference_flexible():
    cfg = small_config(firms=40, links=3, tariffs=[TariffRule(importer="*", exporter="B", sector="goods", rate=0.2)])
    w1 = build_default_world(cfg, rng(2), equilibrate=False)
    w2 = w1.copy()
    r1 = clear(w1, flexible=True)
    r2 = clear(w2, flexible=True, engine="reference")
    assert r1.converged and r2.converged and r1.wage_iterations > 0
    assert_same(r1, r2)
    # labour markets clear and world GDP is the nominal anchor
    np.testing.assert_allclose(r1.employment, w1.country_state.labour_force, rtol=1e-9)
    np.testing.assert_allclose(r1.gdp.sum(), w1.numeraire, rtol=1e-12)


def test_aggregation_identities():
    countries = small_config().countries
    # deficits: A runs a deficit of 5 % of world GDP financed by C
    countries = [c.model_copy(update={"deficit": d}) for c, d in zip(countries, [0.05, 0.0, -0.05])]
    cfg = small_config(firms=150, tariffs=[TariffRule(importer="A", exporter="*", rate=0.15)]).model_copy(
        update={"countries": countries})
    w = build_default_world(cfg, rng(3))
    r = clear(w)
    t = aggregate(w, r)
    scale = t.x.sum()
    # rows: x = Z1 + Y1 (market clearing, to tolerance); columns: x = 1'Z + factor inputs (exact)
    np.testing.assert_allclose(t.Z.sum(axis=1) + t.Y.sum(axis=1), t.x, rtol=0, atol=1e-9 * scale)
    np.testing.assert_allclose(t.Z.sum(axis=0) + t.factors.sum(axis=0), t.x, rtol=0, atol=1e-12 * scale)
    # world value added + tariff revenue = world final expenditure (purchaser prices)
    va = t.factors[:2].sum()
    revenue = t.factors[2].sum() + t.final_tariffs.sum()
    np.testing.assert_allclose(va + revenue, t.Y.sum() + t.final_tariffs.sum(), rtol=1e-9)
    np.testing.assert_allclose(r.expenditure.sum(), va + revenue, rtol=1e-9)
    assert revenue > 0
    # trade deficits: imports - exports = d_c GDP_world, and they sum to zero
    m = t.to_mrio()
    G = m.G
    imp = np.array([m.Z[:, m.block(c)].sum() - m.Z[m.block(c), m.block(c)].sum() + m.Y[:, c].sum() - m.Y[m.block(c), c].sum() for c in range(G)])
    exp = np.array([m.Z[m.block(c), :].sum() - m.Z[m.block(c), m.block(c)].sum() + m.Y[m.block(c), :].sum() - m.Y[m.block(c), c].sum() for c in range(G)])
    deficit = imp - exp
    assert abs(deficit.sum()) <= 1e-9 * scale
    np.testing.assert_allclose(deficit, w.country_state.deficit * r.gdp.sum(), rtol=0, atol=1e-8 * scale)
    # the IOSystem carries the same numbers
    io = t.to_iosystem()
    np.testing.assert_allclose(io.Z.to_numpy(), t.Z)
    np.testing.assert_allclose(io.factor_inputs.F.to_numpy(), t.factors)


def test_supplier_shares_sum_to_one_and_state_view_is_read_only():
    w = build_default_world(small_config(), rng(0))
    rows = np.add.reduceat(w.network.share, w.network.indptr[:-1])
    np.testing.assert_allclose(rows, 1.0, rtol=1e-12)
    v = w.view()
    with pytest.raises(ValueError):
        v.firms.price[0] = 2.0
    assert np.shares_memory(v.firms.price, w.firms.price)


def test_homogeneity_scaling_factor_prices():
    """Scaling every wage, rental and the nominal anchor by k scales prices and nominal values by k;
    real ones stay (the anchor is a normalization only; the technology is homogeneous of degree one)."""
    w = build_default_world(small_config(firms=150), rng(4))
    w.policy.tariff[0, 2, 0] = 0.2  # off the benchmark, so the price and value iterations have work to do
    r0 = clear(w.copy())
    real0 = real_income(w, r0)
    q0 = r0.output / r0.price
    k = 3.7
    w2 = w.copy()
    w2.country_state.wage[:] *= k
    w2.country_state.rental[:] *= k
    w2.firms.price[:] *= k
    w2.firms.output[:] *= k
    r1 = clear(w2, anchor=k * w.numeraire)
    np.testing.assert_allclose(r1.price, k * r0.price, rtol=1e-9)
    np.testing.assert_allclose(r1.output, k * r0.output, rtol=1e-9)
    np.testing.assert_allclose(r1.expenditure, k * r0.expenditure, rtol=1e-9)
    np.testing.assert_allclose(r1.output / r1.price, q0, rtol=1e-9)
    np.testing.assert_allclose(real_income(w2, r1), real0, rtol=1e-9)
    np.testing.assert_allclose(r1.employment, r0.employment, rtol=1e-9)


def test_tariff_raises_landed_price_by_one_plus_tau_and_shifts_demand():
    cfg = small_config(firms=150)
    tau = 0.25
    w0 = build_default_world(cfg, rng(5))
    w1 = w0.copy()
    A, B, C, goods = 0, 1, 2, 0
    w1.policy.tariff[A, C, goods] = tau
    # at the same producer prices, the landed price in A of C's goods rises by exactly (1 + tau)
    ratio = landed_price(w1, A) / landed_price(w0, A)
    hit_firms = (w0.firms.country == C) & (w0.firms.sector == goods)
    np.testing.assert_allclose(ratio[hit_firms], 1 + tau, rtol=1e-15)
    np.testing.assert_array_equal(ratio[~hit_firms], 1.0)
    np.testing.assert_array_equal(landed_price(w1, B), landed_price(w0, B))
    # the dual: at the same producer prices, a firm of A whose goods suppliers are all in C pays
    # exactly (1 + tau) more for its goods bundle, log P_f up by alpha_goods log(1 + tau); with none
    # in C, nothing changes (CES index of landed over benchmark costs, agents/technology.py)
    from gvc_abm.agents import rules

    fs, net = w0.firms, w0.network
    exact = zero = 0
    for f in np.flatnonzero(fs.country == A):
        lp = [rules.firm_log_input_index(f, fs.country, fs.sector, net.firm_groups, net.group_ptr, net.group_alpha,
                                         net.supplier, net.weight, net.reference_cost, fs.price, w.policy.tariff,
                                         w.policy.trade_cost, w0.policy.sigma, np.empty(64)) for w in (w0, w1)]
        for q in range(net.firm_groups[f], net.firm_groups[f + 1]):
            sup = net.supplier[net.group_ptr[q]:net.group_ptr[q + 1]]
            if fs.sector[sup[0]] != goods:
                continue
            if np.all(fs.country[sup] == C):
                assert lp[1] - lp[0] == pytest.approx(net.group_alpha[q] * np.log1p(tau), abs=1e-13)
                exact += 1
            elif not np.any(fs.country[sup] == C):
                assert lp[1] == lp[0]
                zero += 1
    assert exact > 0 and zero > 0
    r0, r1 = clear(w0), clear(w1)
    # households: pi_{A,C}/pi_{A,B} moves by (1 + tau)^(1 - sigma) times the change in producer-price aggregates
    sigma = w0.policy.sigma

    def S(r, o):
        sel = (fs.country == o) & (fs.sector == goods)
        return np.sum(fs.weight[sel] * r.price[sel] ** (1 - sigma))

    ratio0 = r0.pi[A, C, goods] / r0.pi[A, B, goods]
    ratio1 = r1.pi[A, C, goods] / r1.pi[A, B, goods]
    expected = (1 + tau) ** (1 - sigma) * (S(r1, C) / S(r0, C)) / (S(r1, B) / S(r0, B))
    np.testing.assert_allclose(ratio1 / ratio0, expected, rtol=1e-10)
    # demand shifts away from C: A's final and intermediate purchases of C's goods fall
    t0, t1 = aggregate(w0, r0), aggregate(w1, r1)
    row = C * 2 + goods
    assert t1.Y[row, A] < t0.Y[row, A]
    assert t1.Z[row, 0:2].sum() <= t0.Z[row, 0:2].sum() * (1 + 1e-12)
    assert r1.pi[A, C, goods] < r0.pi[A, C, goods]
    # A's government collects the revenue
    assert r1.tariff_revenue[A] > 0 and r0.tariff_revenue[A] == 0


def test_trade_falls_with_distance():
    base = small_config(firms=240, links=6)
    same = [c.model_copy(update={"labour_force": 20.0, "technology": 1.0}) for c in base.countries]
    # A at 0, B at 2, C at 8 thousand km: otherwise identical countries
    w = build_default_world(base.model_copy(update={"countries": same}), rng(6))
    r = clear(w, flexible=True)
    m = aggregate(w, r).to_mrio()

    def flow(o, d):
        return m.Z[m.block(o), m.block(d)].sum() + m.Y[m.block(o), d].sum()

    assert flow(0, 1) > flow(0, 2) and flow(1, 0) > flow(2, 0)
    # final-demand shares are deterministic: A buys more from B (near) than from C (far)
    assert np.all(r.pi[0, 1, :] > r.pi[0, 2, :])
    # doubling all distances lowers world trade / GDP
    far = [c.model_copy(update={"location": (2 * c.location[0], 0.0)}) for c in same]
    w2 = build_default_world(base.model_copy(update={"countries": far}), rng(6))
    r2 = clear(w2, flexible=True)
    m2 = aggregate(w2, r2).to_mrio()

    def openness(mm, rr):
        tot = sum(mm.Z[mm.block(o), mm.block(d)].sum() + mm.Y[mm.block(o), d].sum() for o in range(3) for d in range(3) if o != d)
        return tot / rr.gdp.sum()

    assert openness(m2, r2) < openness(m, r)


def test_real_income_is_the_utility_reached():
    """E_c sum beta / P_c with the exact CES index equals U_c computed from the quantities bought."""
    w = build_default_world(small_config(firms=150, tariffs=[TariffRule(importer="B", exporter="*", rate=0.2)]), rng(7))
    r = clear(w)
    fs, pol = w.firms, w.policy
    sigma = pol.sigma
    G, S = w.G, w.S
    U = np.ones(G)
    for c in range(G):
        for s in range(S):
            sel = fs.sector == s
            o = fs.country[sel]
            landed = r.price[sel] * (1 + pol.tariff[c, o, s]) * pol.trade_cost[c, o, s]
            spend = r.expenditure[c] * pol.beta[c, s] * r.pi[c, o, s] * r.theta[sel]  # purchaser prices
            q = spend / landed
            W = pol.taste[c, o, s] * fs.weight[sel]
            W = W / W.sum()
            Cs = np.sum(W ** (1 / sigma) * q ** ((sigma - 1) / sigma)) ** (sigma / (sigma - 1))
            U[c] *= Cs ** pol.beta[c, s]
    np.testing.assert_allclose(real_income(w, r), U, rtol=1e-10)


def test_own_technology_raises_own_real_income():
    w0 = build_default_world(small_config(firms=150), rng(8))
    w1 = w0.copy()
    w1.country_state.technology[1] *= 1.2
    r0, r1 = clear(w0, flexible=True), clear(w1, flexible=True)
    assert real_income(w1, r1)[1] > real_income(w0, r0)[1] * 1.05
    assert r1.wage[1] / r1.wage[0] > r0.wage[1] / r0.wage[0]


def test_non_convergence_is_recorded_and_warned():
    w = build_default_world(small_config(), rng(0), equilibrate=False)
    w.policy.tariff[:, :, 0] = 0.3
    w.policy.tariff[np.arange(3), np.arange(3), 0] = 0.0
    with pytest.warns(ClearingWarning, match="did not converge"):
        r = clear(w.copy(), wage_mode="fixed", max_iter=2)
    assert not r.converged and r.residual > 1e-10
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r2 = clear(w)
    assert r2.converged


def test_same_seed_same_world_bit_identical():
    cfg = small_config()
    a, b = build_default_world(cfg, rng(11)), build_default_world(cfg, rng(11))
    c = build_default_world(cfg, rng(12))
    for name in ("productivity", "weight", "automation"):
        assert np.array_equal(getattr(a.firms, name), getattr(b.firms, name))
    assert np.array_equal(a.network.supplier, b.network.supplier) and np.array_equal(a.network.share, b.network.share)
    assert not np.array_equal(a.firms.productivity, c.firms.productivity)
    ra, rb = clear(a, flexible=True), clear(b, flexible=True)
    assert np.array_equal(ra.output, rb.output) and np.array_equal(ra.wage, rb.wage)


def test_out_of_range_network_is_refused_before_the_kernels():
    w = build_default_world(small_config(), rng(0), equilibrate=False)
    w.network.supplier[3] = w.F + 5
    with pytest.raises(ValueError, match="supplier index out of range"):
        clear(w)


def test_the_compiled_dense_solve_is_gaussian_elimination_with_partial_pivoting():
    """The compiled dense solves (no BLAS, so thread counts cannot change them): the LU factors are
    bit-identical to eliminating one pivot at a time (they eliminate in panels of four), and the solution
    equals LAPACK's to rounding."""
    from numba import njit

    from gvc_abm.environment import kernels as K

    @njit
    def one_row_at_a_time(A, piv):
        n = A.shape[0]
        for k in range(n):
            p = k
            for i in range(k + 1, n):
                if abs(A[i, k]) > abs(A[p, k]):
                    p = i
            piv[k] = p
            for j in range(n):
                A[k, j], A[p, j] = A[p, j], A[k, j]
            for i in range(k + 1, n):
                f = A[i, k] / A[k, k]
                for j in range(k + 1, n):
                    A[i, j] = A[i, j] - f * A[k, j]
                A[i, k] = f

    factor, solve = njit(K._lu_factor_loop), njit(K._dense_solve_loop)
    rng = np.random.default_rng(7)
    for n in (1, 2, 3, 4, 5, 7, 8, 9, 31, 126, 131):
        A = rng.normal(size=(n, n)) + np.diag(rng.uniform(-3, 3, n))  # pivoting needed: no dominant diagonal
        got, ref = A.copy(), A.copy()
        piv_got, piv_ref = np.empty(n, dtype=np.int32), np.empty(n, dtype=np.int32)
        factor(got, piv_got)
        one_row_at_a_time(ref, piv_ref)
        np.testing.assert_array_equal(got, ref)
        np.testing.assert_array_equal(piv_got, piv_ref)
        b = rng.normal(size=n)
        x = b.copy()
        solve(A.copy(), x)
        np.testing.assert_allclose(A @ x, b, rtol=0, atol=1e-9 * max(1.0, np.abs(b).max()) * np.linalg.cond(A))
        np.testing.assert_allclose(x, np.linalg.solve(A, b), rtol=1e-9, atol=1e-9 * np.linalg.cond(A))


def test_the_compiled_dense_solve_with_many_right_hand_sides_equals_lapack():
    from numba import njit

    from gvc_abm.environment import kernels as K

    solve, one = njit(K._dense_solve_many_loop), njit(K._dense_solve_loop)
    rng = np.random.default_rng(3)
    for n in (1, 3, 4, 6, 9, 28, 126):
        A = rng.normal(size=(n, n)) + np.diag(rng.uniform(-3, 3, n))
        A[rng.random((n, n)) < 0.3] = 0.0  # zeros below pivots: rows with nothing to eliminate
        A += np.diag(np.where(np.abs(np.diag(A)) < 0.5, 2.0, 0.0))
        B = rng.normal(size=(n, 5))
        got = B.copy()
        solve(A.copy(), got)
        np.testing.assert_allclose(got, np.linalg.solve(A, B), rtol=1e-9, atol=1e-9 * np.linalg.cond(A))
        for c in range(B.shape[1]):  # all columns at once: each the same operations as solving it alone
            col = B[:, c].copy()
            one(A.copy(), col)
            np.testing.assert_array_equal(got[:, c], col)


def test_the_compiled_lu_factors_are_lapacks():
    """The kept LU factors of the value solve (no BLAS): the same factors and pivots as LAPACK's getrf
    (scipy) to rounding, and the substitutions from the transposed factors solve the system."""
    import scipy.linalg as sla
    from numba import njit

    from gvc_abm.environment import kernels as K

    factor, solve = njit(K._lu_factor_loop), njit(K._lu_solve_loop)
    rng = np.random.default_rng(11)
    for n in (1, 2, 3, 4, 5, 8, 9, 31, 126):
        A = rng.normal(size=(n, n)) + np.diag(rng.uniform(-3, 3, n))  # pivoting needed
        lu, piv = A.copy(), np.empty(n, dtype=np.int32)
        factor(lu, piv)
        ref_lu, ref_piv = sla.lu_factor(A)
        np.testing.assert_array_equal(piv, ref_piv)
        np.testing.assert_allclose(lu, ref_lu, rtol=0, atol=1e-10 * np.abs(ref_lu).max())
        b = rng.normal(size=n)
        x = b.copy()
        solve(np.ascontiguousarray(lu.T), piv, x)
        np.testing.assert_allclose(A @ x, b, rtol=0, atol=1e-9 * max(1.0, np.abs(b).max()) * np.linalg.cond(A))


def test_the_compiled_cell_matrix_loops_equal_their_numpy_forms():
    """Households' spending in the value solve's cell matrix: the compiled rank-2 loop equals the numpy form
    and the definition ``A_ab += sum_c fd_{c,a} h_cb``, ``A_ab /= S_b`` summed country by country (dead
    cells, rows that sell no final goods, deficits of both signs); the compiled row norm equals numpy's."""
    from numba import njit

    from gvc_abm.environment import kernels as K

    add_loop, norm_loop = njit(K._add_final_demand_loop), njit(K._row_norm_loop)
    rng = np.random.default_rng(5)
    for G, S in ((2, 1), (3, 2), (14, 9)):
        n = G * S
        A = rng.random((n, n))
        Sb = rng.uniform(0.5, 2.0, n)
        Sb[rng.random(n) < 0.2] = 0.0
        gdpb, tib = rng.random(n), 0.1 * rng.random(n)
        deficit, tfin = rng.uniform(-0.02, 0.02, G), rng.uniform(0.0, 0.1, G)
        fd = rng.random((G, G, S))
        thsum = (rng.random(n) > 0.2).astype(float)
        own = np.arange(n) // S
        h = (deficit[:, None] * gdpb[None, :] + (np.arange(G)[:, None] == own[None, :]) * (gdpb + tib)[None, :])
        h /= (1.0 - tfin)[:, None]
        want = A.copy()
        for c in range(G):
            want += (fd[c].reshape(n) * (thsum > 0))[:, None] * h[c][None, :]
        live = Sb > 0
        want[:, live] /= Sb[live]
        want[:, ~live] = A[:, ~live]
        got_loop, got_numpy = A.copy(), A.copy()
        last = add_loop(got_loop, Sb, gdpb, tib, deficit, tfin, fd, thsum)
        assert last == K._add_final_demand(got_numpy, Sb, gdpb, tib, deficit, tfin, fd, thsum)
        assert last == (np.flatnonzero(live)[-1] if live.any() else -1)
        np.testing.assert_allclose(got_loop, want, rtol=1e-14, atol=0)
        np.testing.assert_allclose(got_numpy, want, rtol=1e-14, atol=0)
        for M in (A, -A, A[:, : max(1, n - 1)]):
            assert norm_loop(np.ascontiguousarray(M)) == pytest.approx(np.abs(M).sum(axis=1).max(), rel=1e-14)


def test_solving_near_kept_factors_refines_to_the_direct_solution():
    """``_solve_near``: with the factors of a nearby matrix, iterative refinement reaches the direct
    solution to the backward error asked, without a new factorization; with factors of a far matrix
    (refinement does not halve the residual) it factors afresh, and the next nearby system refines again."""
    from numba import njit

    from gvc_abm.environment import kernels as K

    near = njit(K._solve_near)
    rng = np.random.default_rng(5)
    n = 126
    A = rng.random((n, n))
    M0 = A / A.sum(axis=0) * 0.9 - np.eye(n)  # like the cell-level system: columns of A - I sum to -0.1
    M0[-1] = rng.random(n)  # the anchor row
    lut, piv, state = np.empty((n, n)), np.empty(n, dtype=np.int32), np.zeros(1, dtype=np.int64)
    x, r = np.empty(n), np.empty(n)
    b = np.zeros(n)
    b[-1] = 1.0
    got = b.copy()
    assert near(M0, got, lut, piv, state, x, r, 1e-13) == -1 and state[0] == 1  # no factors yet
    np.testing.assert_allclose(got, np.linalg.solve(M0, b), rtol=1e-12)
    for rel in (1e-6, 1e-4, 1e-3):
        M = M0 * (1.0 + rel * rng.normal(size=(n, n)))
        got = b.copy()
        steps = near(M, got, lut, piv, state, x, r, 1e-13)
        assert 0 <= steps <= K.REFINE_MAX
        want = np.linalg.solve(M, b)
        assert np.abs(M @ got - b).max() <= 1e-15 * np.abs(M).sum(axis=1).max() * np.abs(got).max()
        np.testing.assert_allclose(got, want, rtol=1e-11)
    # a loose tolerance asks for fewer steps
    M = M0 * (1.0 + 1e-4 * rng.normal(size=(n, n)))
    tight, loose = b.copy(), b.copy()
    assert near(M, loose, lut, piv, state, x, r, 1e-6) < near(M, tight, lut, piv, state, x, r, 1e-13)
    far = rng.normal(size=(n, n)) + np.diag(rng.uniform(-3, 3, n))
    got = b.copy()
    assert near(far, got, lut, piv, state, x, r, 1e-13) == -1
    np.testing.assert_allclose(far @ got, b, atol=1e-10 * np.linalg.cond(far))
    # the plain-Python engine (numpy and LAPACK for the same steps) takes the same steps to the same point
    M = M0 * (1.0 + 1e-4 * rng.normal(size=(n, n)))
    fresh = [(np.empty((n, n)), np.empty(n, dtype=np.int32), np.zeros(1, dtype=np.int64)) for _ in range(2)]
    results = []
    for solve, (lut_, piv_, state_) in zip((near, K._solve_near), fresh):
        first, second = b.copy(), b.copy()
        assert solve(M0, first, lut_, piv_, state_, x, r, 1e-13) == -1
        steps = solve(M, second, lut_, piv_, state_, x, r, 1e-13)
        results.append((steps, second))
    assert results[0][0] == results[1][0] >= 1
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_parallel_blocks_reach_the_same_equilibrium_as_gauss_seidel(seed):
    """Large worlds clear in parallel blocks (Jacobi price sweeps, blocks of cells for the values, the
    per-firm passes over prange); small ones serially with Gauss-Seidel sweeps. Both are the same fixed
    point: forcing either path on one world gives the same equilibrium to the tolerance, in the sticky and
    the flexible modes, and the parallel path of the compiled engine is the plain-Python one."""
    cfg = small_config(firms=300, links=5, tariffs=[TariffRule(importer="A", exporter="C", rate=0.3)])
    world = build_default_world(cfg, rng(seed), equilibrate=False)
    assert world.F < K.PARALLEL_FIRMS  # so the default is the serial path
    for mode in ("sticky", "flexible"):
        serial, par, ref = world.copy(), world.copy(), world.copy()
        r_serial = clear(serial, wage_mode=mode)
        r_par = clear(par, wage_mode=mode, parallel=True)
        assert r_serial.converged and r_par.converged
        assert r_par.price_iterations != r_serial.price_iterations  # Jacobi and Gauss-Seidel sweeps differ
        assert_same(r_serial, r_par, rtol=1e-9)
        if mode == "sticky":
            r_ref = clear(ref, wage_mode=mode, parallel=True, engine="reference")
            assert r_ref.iterations == r_par.iterations
            assert_same(r_par, r_ref, rtol=1e-12)


def test_the_parallel_clearing_is_bit_identical_with_one_thread_or_two(tmp_path):
    """The parallel passes write only their own block's entries and add partial sums in block order: the
    same world cleared with NUMBA_NUM_THREADS=1 and =2 gives the same bytes."""
    import os
    import subprocess
    import sys

    code = (
        "import sys, numpy as np\n"
        "from gvc_abm.environment.builders import build_default_world\n"
        "from gvc_abm.environment.clearing import clear\n"
        "from gvc_abm.environment.config import DefaultWorldConfig, FirmsConfig\n"
        "w = build_default_world(DefaultWorldConfig(firms=FirmsConfig(count=3000, links=6)),"
        " np.random.default_rng(5), equilibrate=False)\n"
        "r = clear(w, parallel=True, flexible=True)\n"
        "assert r.converged\n"
        "np.save(sys.argv[1], np.concatenate([r.price, r.output, r.wage, r.rental, r.theta, r.pi.ravel(),"
        " w.network.share]))\n"
    )
    for threads in ("1", "2"):
        env = dict(os.environ, NUMBA_NUM_THREADS=threads)
        done = subprocess.run([sys.executable, "-c", code, str(tmp_path / f"{threads}.npy")], env=env,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "1.npy").read_bytes() == (tmp_path / "2.npy").read_bytes()


def test_every_clearing_of_the_benchmark_search_converges_in_few_value_iterations(monkeypatch):
    """The aggregation-disaggregation step keeps the value iteration at a few dozen iterations even at tol
    1e-13: every fixed-wage clearing of a 2,000-firm default world's benchmark wage search converges within
    60 (about 16 each, 28 at most). A cell-level solve warm-started from the last cell totals and accepted on
    its backward error alone once stalled one of them at the 10,000-iteration cap."""
    import gvc_abm.environment.clearing as C

    seen = []
    original = C.clear

    def recorded(*args, **kwargs):
        res = original(*args, **kwargs)
        seen.append((res.value_iterations, res.converged))
        return res

    from gvc_abm.environment.config import DefaultWorldConfig, FirmsConfig

    monkeypatch.setattr(C, "clear", recorded)
    build_default_world(DefaultWorldConfig(firms=FirmsConfig(count=2000, links=10)), rng(0))
    assert len(seen) > 10
    assert all(converged for _, converged in seen)
    assert max(v for v, _ in seen) <= 60


def test_the_seller_major_copy_is_the_same_in_any_number_of_seller_ranges():
    """The clearing's seller-major copy of the network: each seller's buyers in increasing order with their
    cells, and t_pos mapping each link to its place; made in 1, 2 or 3 ranges of sellers (in parallel) it
    is the same copy, and equals a stable sort of the links by seller."""
    from numba import njit

    from gvc_abm.environment import kernels as K

    rng = np.random.default_rng(2)
    F, S = 500, 3
    country, sector = rng.integers(0, 4, F), rng.integers(0, S, F)
    counts = rng.integers(0, 12, F)
    indptr = np.concatenate([[0], np.cumsum(counts)])
    supplier = rng.integers(0, F, indptr[-1])
    supplier[supplier % 7 == 0] = 3  # a seller with many buyers, and sellers with none
    buyer = np.repeat(np.arange(F), counts)
    order = np.argsort(supplier, kind="stable")
    copies = []
    for blocks in (1, 2, 3):
        out = (np.empty(F + 1, dtype=np.int64), np.empty(len(supplier), dtype=np.int32),
               np.empty(len(supplier), dtype=np.int32), np.empty(len(supplier), dtype=np.int32))
        njit(K._transpose)(country, sector, indptr, supplier, S, *out, blocks)
        copies.append(out)
        t_indptr, t_buyer, t_cell, t_pos = out
        np.testing.assert_array_equal(t_indptr, np.concatenate([[0], np.cumsum(np.bincount(supplier, minlength=F))]))
        np.testing.assert_array_equal(t_buyer, buyer[order])
        np.testing.assert_array_equal(t_cell, (country * S + sector)[buyer[order]])
        np.testing.assert_array_equal(t_pos[order], np.arange(len(supplier)))
    for out in copies[1:]:
        for a, b in zip(out, copies[0]):
            np.testing.assert_array_equal(a, b)
