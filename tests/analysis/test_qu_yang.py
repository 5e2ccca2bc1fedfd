"""Qu & Yang (2023) closed forms: eq. (11) V(I-A)^-1 = [R on the diagonal, T off it], eq. (13)."""

from __future__ import annotations

import numpy as np
import pytest

from gvc_abm.analysis.examples import qu_yang_R_T, qu_yang_table
from gvc_abm.analysis.indicators import compute_indicators
from gvc_abm.analysis.leontief import leontief_system, value_added_multipliers
from gvc_abm.analysis.localization import home_share_final, home_share_intermediate, value_added_ratio
from gvc_abm.analysis.participation import qy_participation, value_added_flow_matrix
from gvc_abm.analysis.trade import trade_flows

CASES = [
    # N, mu, nu, omega, sizes (final demand): unequal country sizes throughout
    (2, 0.7, 0.4, 0.8, [1.0, 3.0]),
    (3, 0.6, 0.45, 0.7, [1.0, 2.0, 4.0]),
    (5, 0.6, 0.45, 0.7, [1.0, 1.5, 2.0, 3.0, 5.0]),
    (7, 0.876, 0.3, 0.797, np.linspace(1, 7, 7)),
    (20, 0.5, 0.6, 0.35, np.geomspace(1, 50, 20)),
    (50, 0.9, 0.2, 0.95, np.geomspace(1, 200, 50)),
]


def test_R_T_formula_by_hand():
    # N = 2, mu = 0.5, nu = 0.5: den = 2 - 1 + 0.5 - 0.5 = 1, R = 1 - 0.5 + 0.25 = 0.75, T = 0.25.
    assert qu_yang_R_T(2, 0.5, 0.5) == pytest.approx((0.75, 0.25), abs=1e-15)


@pytest.mark.parametrize("N,mu,nu,omega,sizes", CASES)
def test_eq11_value_added_multiplier(N, mu, nu, omega, sizes):
    m = qu_yang_table(N, mu, nu, omega, sizes)
    A, v, solver = leontief_system(m)
    VB = v[:, None] * solver.inverse()
    R, T = qu_yang_R_T(N, mu, nu)
    expected = np.where(np.eye(N, dtype=bool), R, T)
    np.testing.assert_allclose(VB, expected, rtol=1e-10, atol=1e-12)
    # R + (N - 1) T = 1: every unit of final output is fully value added somewhere.
    assert R + (N - 1) * T == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("N,mu,nu,omega,sizes", CASES)
def test_eq12_flow_matrix_and_eq13_participation(N, mu, nu, omega, sizes):
    m = qu_yang_table(N, mu, nu, omega, sizes)
    A, v, solver = leontief_system(m)
    flows = trade_flows(m)
    Ex = flows.exports
    F = value_added_flow_matrix(value_added_multipliers(v, solver, N), flows.sector_exports)
    R, T = qu_yang_R_T(N, mu, nu)
    np.testing.assert_allclose(F, np.where(np.eye(N, dtype=bool), R, T) * Ex[None, :], rtol=1e-10)
    gvcp = qy_participation(F, Ex).total
    eq13 = T * (Ex.sum() - Ex) / Ex + (N - 1) * T
    np.testing.assert_allclose(gvcp, eq13, rtol=1e-10)
    # The full indicator set reports the same numbers.
    result = compute_indicators(m)
    np.testing.assert_allclose([c["gvcp_qy"] for c in result["countries"].values()], eq13, rtol=1e-10)


@pytest.mark.parametrize("N,mu,nu,omega,sizes", CASES)
def test_localization_recovers_the_shares(N, mu, nu, omega, sizes):
    m = qu_yang_table(N, mu, nu, omega, sizes)
    np.testing.assert_allclose(home_share_final(m), omega, rtol=1e-12)
    np.testing.assert_allclose(home_share_intermediate(m), mu, rtol=1e-12)
    np.testing.assert_allclose(value_added_ratio(m), nu, rtol=1e-12)


def test_fewer_trading_countries_lower_participation():
    """Qu & Yang Fig. 3 (QY-conc): with equal sizes GVCP = (2N - 2) T rises with N at fixed mu, nu."""
    values = []
    for N in (7, 20, 50):
        m = qu_yang_table(N, 0.6, 0.45, 0.7)
        values.append(compute_indicators(m)["countries"]["C1"]["gvcp_qy"])
        R, T = qu_yang_R_T(N, 0.6, 0.45)
        assert values[-1] == pytest.approx(2 * (N - 1) * T, rel=1e-10)
    assert values[0] < values[1] < values[2]


def test_bad_parameters_are_refused():
    with pytest.raises(ValueError, match="mu"):
        qu_yang_table(3, 1.2, 0.5, 0.5)
    with pytest.raises(ValueError, match="N"):
        qu_yang_table(1, 0.5, 0.5, 0.5)
