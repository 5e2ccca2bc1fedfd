"""Built-in example tables with known indicators.

:func:`qu_yang_table` is the symmetric one-sector N-country economy of Qu & Yang (2023),
section 4: every country spends the share ``nu`` of output on value added and ``1 - nu``
on intermediates, of which ``mu`` at home and ``(1 - mu)/(N - 1)`` from each other
country; households spend ``omega`` of final demand at home and ``(1 - omega)/(N - 1)``
in each other country. Country sizes (final demand) may differ: the coefficients, and
hence eq. (11) and (13), do not depend on them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .leontief import LeontiefSolver
from .mrio import MRIO, mrio_from_arrays

__all__ = ["qu_yang_table", "qu_yang_R_T", "synthetic_table"]


def _home_and_equal_foreign(N: int, home: float) -> np.ndarray:
    """Column shares: ``home`` on the diagonal, ``(1 - home) / (N - 1)`` elsewhere."""
    return np.where(np.eye(N, dtype=bool), home, (1 - home) / (N - 1))


def qu_yang_R_T(N: int, mu: float, nu: float) -> tuple[float, float]:
    """Diagonal R and off-diagonal T of ``V (I - A)^-1`` (Qu & Yang 2023, eq. 11).

    ``R = (1 - mu + mu nu + (N - 2) nu) / (N - N mu + N mu nu - nu)`` and
    ``T = (1 - nu)(1 - mu) / (N - N mu + N mu nu - nu)``.
    """
    den = N - N * mu + N * mu * nu - nu
    return (1 - mu + mu * nu + (N - 2) * nu) / den, (1 - nu) * (1 - mu) / den


def qu_yang_table(
    N: int, mu: float, nu: float, omega: float, sizes: Sequence[float] | None = None
) -> MRIO:
    """The MRIO table of Qu & Yang's symmetric economy (section 4, eq. 9-10).

    Parameters
    ----------
    N : number of countries (>= 2).
    mu, nu, omega : home share of intermediates, value-added ratio, home share of final goods.
    sizes : final demand of each country (default all 1).
    """
    if N < 2:
        raise ValueError("qu_yang_table: N must be at least 2")
    for name, val in (("mu", mu), ("nu", nu), ("omega", omega)):
        if not 0 < val < 1:
            raise ValueError(f"qu_yang_table: {name} must lie in (0, 1), got {val}")
    sizes = np.ones(N) if sizes is None else np.asarray(sizes, dtype=float)
    if sizes.shape != (N,) or (sizes <= 0).any():
        raise ValueError("qu_yang_table: sizes must be N positive numbers")
    A = (1 - nu) * _home_and_equal_foreign(N, mu)
    Y = _home_and_equal_foreign(N, omega) * sizes[None, :]
    x = LeontiefSolver(A).solve(Y.sum(axis=1))
    Z = A * x[None, :]
    countries = [f"C{i + 1}" for i in range(N)]
    return mrio_from_arrays(Z, Y, countries, ["goods"], source="Qu & Yang example")


def synthetic_table(G: int, N: int, seed: int = 0) -> MRIO:
    """A random but well-behaved G x N table for benchmarks and smoke tests, seeded.

    Input coefficients are uniform draws with the home block weighted 5x, scaled so that
    intermediates are 55 % of every sector's output (value added 45 %, as in Qu & Yang's
    calibration range); final demand has the same 5x home bias and country sizes drawn
    uniform in [50, 150]. Gross output solves ``x = A x + Y 1``.
    """
    rng = np.random.default_rng(seed)
    n = G * N
    home = np.kron(np.eye(G), np.ones((N, N)))
    A = rng.uniform(0.0, 1.0, (n, n)) * (1.0 + 4.0 * home)
    A *= 0.55 / A.sum(axis=0, keepdims=True)
    Y = rng.uniform(0.0, 1.0, (n, G)) * (1.0 + 4.0 * np.kron(np.eye(G), np.ones((N, 1))))
    Y *= rng.uniform(50.0, 150.0, (1, G))
    x = LeontiefSolver(A).solve(Y.sum(axis=1))
    return mrio_from_arrays(A * x[None, :], Y, [f"C{g:02d}" for g in range(G)], [f"S{k:02d}" for k in range(N)])
