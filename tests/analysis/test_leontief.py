"""The Leontief system against pymrio's calc_all and the textbook identities."""

from __future__ import annotations

import numpy as np

from gvc_abm.analysis.leontief import (
    LeontiefSolver,
    input_coefficients,
    leontief_inverse,
    leontief_system,
    local_inverses,
    value_added_coefficients,
    value_added_multipliers,
)
from gvc_abm.analysis.mrio import mrio_from_arrays, mrio_from_iosystem

from ..conftest import random_table


def test_miller_blair_two_sector_example():
    # Miller & Blair (2009), Table 2.3 / section 2.3: Z = [[150, 500], [200, 100]], x = [1000, 2000].
    Z = np.array([[150.0, 500.0], [200.0, 100.0]])
    x = np.array([1000.0, 2000.0])
    A = input_coefficients(Z, x)
    np.testing.assert_allclose(A, [[0.15, 0.25], [0.2, 0.05]])
    # Their eq. (2.13): L = [[1.2541, 0.3300], [0.2640, 1.1221]] (to 4 decimals).
    np.testing.assert_allclose(leontief_inverse(A), [[1.2541, 0.3300], [0.2640, 1.1221]], atol=5e-5)


def _assert_same_system(m, io):
    A, v, solver = leontief_system(m)
    np.testing.assert_allclose(m.x, io.x.to_numpy().ravel(), rtol=1e-14)
    np.testing.assert_allclose(A, io.A.to_numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(solver.inverse(), io.L.to_numpy(), rtol=1e-9, atol=1e-12)


def test_A_L_x_equal_pymrio_calc_all_with_x_from_Z_and_Y(wiod_io):
    io = wiod_io.copy()
    io.reset_full()  # pymrio then recomputes x = Z1 + Y1, our default
    io.calc_all()
    _assert_same_system(mrio_from_iosystem(wiod_io), io)


def test_A_L_x_equal_pymrio_calc_all_with_the_published_x(wiod_io):
    io = wiod_io.copy()
    io.calc_all()  # x is given, so pymrio keeps it
    m = mrio_from_iosystem(wiod_io, use_table_x=True)
    gap = np.abs(m.x - (m.Z.sum(1) + m.Y.sum(1)))
    assert gap.max() > 10  # the published x really differs from Z1 + Y1 (data README: up to 0.19 %)
    _assert_same_system(m, io)


def test_default_x_is_row_sums_and_va_balances(wiod_io):
    m = mrio_from_iosystem(wiod_io)
    np.testing.assert_allclose(m.x, m.Z.sum(1) + m.Y.sum(1), rtol=1e-14)
    np.testing.assert_allclose(m.x, m.Z.sum(0) + m.va, rtol=1e-12)


def test_vB_is_one_on_producing_sectors_and_zero_columns_are_zero(wiod_io):
    m = mrio_from_iosystem(wiod_io)
    assert (m.x == 0).sum() == 2  # the table's two empty industries
    A, v, solver = leontief_system(m)
    assert np.isfinite(A).all() and np.isfinite(v).all()
    assert (A[:, m.x == 0] == 0).all() and (v[m.x == 0] == 0).all()
    vB = solver.solve_left(v)
    np.testing.assert_allclose(vB[m.x > 0], 1.0, atol=1e-12)
    # B(I - A) = I
    B = solver.inverse()
    np.testing.assert_allclose(B @ (np.eye(m.n) - A), np.eye(m.n), atol=1e-10)


def test_solver_solves_match_explicit_inverse():
    m = random_table(3, 4, seed=3)
    A, v, solver = leontief_system(m)
    B = np.linalg.inv(np.eye(m.n) - A)
    rhs = np.arange(m.n, dtype=float)
    np.testing.assert_allclose(solver.solve(rhs), B @ rhs, rtol=1e-12)
    np.testing.assert_allclose(solver.solve_left(rhs), rhs @ B, rtol=1e-12)
    W = value_added_multipliers(v, solver, m.G)
    expected = np.vstack([(v[:, None] * B)[m.block(r)].sum(0) for r in range(m.G)])
    np.testing.assert_allclose(W, expected, rtol=1e-12)
    for r, local in enumerate(local_inverses(A, m.G)):
        b = m.block(r)
        np.testing.assert_allclose(local.inverse(), np.linalg.inv(np.eye(m.N) - A[b, b]), rtol=1e-12)


def test_value_added_coefficients_with_zero_output():
    v = value_added_coefficients(np.array([1.0, 0.0, 2.0]), np.array([2.0, 0.0, 4.0]))
    np.testing.assert_array_equal(v, [0.5, 0.0, 0.5])


def test_solver_is_reusable_for_many_right_hand_sides():
    A = np.array([[0.1, 0.2], [0.3, 0.1]])
    s = LeontiefSolver(A)
    R = np.eye(2)
    np.testing.assert_allclose(s.solve(R), np.linalg.inv(np.eye(2) - A))
    np.testing.assert_allclose(s.solve_left(R), np.linalg.inv(np.eye(2) - A))
    m = mrio_from_arrays(np.zeros((2, 2)), np.ones((2, 2)), ["a", "b"], ["s"])
    np.testing.assert_array_equal(m.va, m.x)
