"""Paper mode: the period-0 MRIO of the paper world is Qu & Yang (2023) section 4 exactly."""

from __future__ import annotations

import numpy as np
import pytest

from gvc_abm.analysis.leontief import leontief_system
from gvc_abm.environment.aggregate import aggregate
from gvc_abm.environment.builders import build_paper_world
from gvc_abm.environment.clearing import clear
from gvc_abm.environment.config import PaperWorldConfig


def closed_form_RT(N, mu, nu):
    """R and T of eq. (11): the diagonal and off-diagonal of V (I - A)^-1."""
    den = N - N * mu + N * mu * nu - nu
    return (1 - mu + mu * nu + (N - 2) * nu) / den, (1 - nu) * (1 - mu) / den


def exports(m):
    """Gross exports Ex_i: intermediate and final sales to every other country."""
    G = m.G
    out = np.zeros(G)
    for i in range(G):
        b = m.block(i)
        out[i] = m.Z[b, :].sum() - m.Z[b, b].sum() + m.Y[b, :].sum() - m.Y[b, i].sum()
    return out


CASES = [
    (2, 0.5, 0.3, 0.8, None),
    (3, 0.6, 0.45, 0.7, [1.0, 5.0, 2.0]),
    (5, 0.6, 0.45, 0.7, None),
    (6, 0.9, 0.2, 0.5, [3.0, 1.0, 1.0, 8.0, 2.0, 0.5]),
    (10, 0.3, 0.6, 0.95, None),
]


@pytest.mark.parametrize("N,mu,nu,omega,sizes", CASES)
def test_eq11_and_eq13(N, mu, nu, omega, sizes):
    cfg = PaperWorldConfig(countries=N, mu=mu, nu=nu, omega=omega, sizes=sizes, firms_per_country=7)
    world = build_paper_world(cfg, np.random.default_rng(N))
    assert np.array_equal(np.bincount(world.firms.country), np.full(N, 7))
    res = clear(world)
    assert res.converged
    m = aggregate(world, res).to_mrio()
    A, v, solver = leontief_system(m)
    VB = v[:, None] * solver.inverse()
    R, T = closed_form_RT(N, mu, nu)
    off = ~np.eye(N, dtype=bool)
    # eq. (11): V (I - A)^-1 has R on the diagonal and T elsewhere
    np.testing.assert_allclose(np.diag(VB), R, rtol=1e-10, atol=0)
    np.testing.assert_allclose(VB[off], T, rtol=1e-10, atol=0)
    # eq. (12)-(13): F = V B Ex; GVCP_i = (sum_{j!=i} F_ij + sum_{j!=i} F_ji) / Ex_i
    Ex = exports(m)
    Fm = VB * Ex[None, :]
    gvcp = ((Fm * off).sum(axis=1) + (Fm * off).sum(axis=0)) / Ex
    eq13 = T * (Ex.sum() - Ex) / Ex + (N - 1) * T
    np.testing.assert_allclose(gvcp, eq13, rtol=1e-10, atol=0)
    # unequal sizes really give unequal exports
    if sizes is not None:
        assert np.ptp(Ex) > 0.1 * Ex.mean()


def test_home_shares_are_mu_and_omega():
    cfg = PaperWorldConfig(countries=4, mu=0.7, nu=0.4, omega=0.8, firms_per_country=5)
    world = build_paper_world(cfg, np.random.default_rng(0))
    m = aggregate(world, clear(world)).to_mrio()
    inter = m.Z.sum(axis=0)
    np.testing.assert_allclose(np.diag(m.Z) / inter, 0.7, rtol=1e-12)
    np.testing.assert_allclose(np.diag(m.Y) / m.Y.sum(axis=0), 0.8, rtol=1e-12)
    np.testing.assert_allclose(m.va / m.x, 0.4, rtol=1e-12)


def test_paper_shares_do_not_move_with_wages():
    """Cobb-Douglas everywhere (sigma = 1): relative wages change prices, not value shares."""
    cfg = PaperWorldConfig(countries=3, firms_per_country=4)
    world = build_paper_world(cfg, np.random.default_rng(0))
    m0 = aggregate(world, clear(world)).to_mrio()
    world.country_state.wage[:] = [1.0, 3.0, 0.5]
    r = clear(world, wage_mode="fixed")
    m1 = aggregate(world, r).to_mrio()
    A0, _, _ = leontief_system(m0)
    A1, _, _ = leontief_system(m1)
    np.testing.assert_allclose(A1, A0, rtol=1e-10)
    assert not np.allclose(r.price[:4], r.price[-4:])
