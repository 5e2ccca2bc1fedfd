"""The Leontief system of an MRIO table: A, B = (I - A)^-1, v, local inverses L_rr.

Notation follows Koopman, Wang & Wei (2014) and pymrio: ``A = Z x^-1`` (input
coefficients, column j = purchases per unit of j's output), ``B = (I - A)^-1``
(global Leontief inverse; pymrio calls it ``L``), ``v = va / x`` (value-added
coefficients) and ``L_rr = (I - A_rr)^-1`` (country r's local inverse).

Sectors with zero output get zero coefficient columns (and ``v = 0``), never NaN.
Inverses are taken through one LU factorization (:class:`LeontiefSolver`); an
explicit ``B`` is formed only when a caller needs all of it.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg as sla

from .mrio import MRIO

__all__ = [
    "safe_divide",
    "input_coefficients",
    "value_added_coefficients",
    "LeontiefSolver",
    "leontief_inverse",
    "LocalInverses",
    "local_inverses",
    "country_aggregator",
    "leontief_system",
    "value_added_multipliers",
]


def safe_divide(num, den):
    """``num / den`` elementwise, 0 where ``den == 0`` (no NaN, no warning)."""
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    out = np.zeros(np.broadcast(num, den).shape)
    np.divide(num, den, out=out, where=den != 0)
    return out


def input_coefficients(Z: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Technical coefficients ``A = Z diag(x)^-1``; zero columns where ``x = 0``.

    From ``x = A x + y`` (Miller & Blair 2009, eq. 2.4); pymrio ``calc_A``.
    """
    return safe_divide(Z, np.asarray(x, dtype=float)[None, :])


def value_added_coefficients(va: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Value-added coefficients ``v = va / x``; 0 where ``x = 0``.

    With ``va = x - 1'Z`` this gives ``v = 1' - 1'A`` and hence ``v B = 1'`` on every
    sector with positive output (KWW 2014, eq. 5).
    """
    return safe_divide(va, x)


class LeontiefSolver:
    """One LU factorization of ``I - A``, reused for every solve.

    ``solve(R)`` returns ``B R`` and ``solve_left(R)`` returns ``R B`` (R with n
    columns), without ever forming ``B``; ``inverse()`` forms ``B`` when all of it
    is needed.
    """

    def __init__(self, A: np.ndarray):
        A = np.asarray(A, dtype=float)
        n = A.shape[0]
        self.n = n
        self._lu = sla.lu_factor(np.eye(n) - A, check_finite=False)

    def solve(self, rhs: np.ndarray) -> np.ndarray:
        """``B @ rhs``, i.e. the solution of ``(I - A) X = rhs``."""
        return sla.lu_solve(self._lu, rhs, check_finite=False)

    def solve_left(self, rhs: np.ndarray) -> np.ndarray:
        """``rhs @ B`` for a row vector or matrix ``rhs`` with n columns."""
        rhs = np.asarray(rhs, dtype=float)
        return sla.lu_solve(self._lu, rhs.T, trans=1, check_finite=False).T

    def inverse(self) -> np.ndarray:
        """The full Leontief inverse ``B = (I - A)^-1``."""
        return self.solve(np.eye(self.n))


def leontief_inverse(A: np.ndarray) -> np.ndarray:
    """``B = (I - A)^-1`` (Leontief 1936; Miller & Blair 2009, eq. 2.10; pymrio ``calc_L``)."""
    return LeontiefSolver(A).inverse()


class LocalInverses:
    """The local inverses ``L_rr = (I - A_rr)^-1`` of G countries, ``A_rr`` country r's domestic block
    of ``A`` (KWW 2014, eq. 17; WWZ 2013, eq. 7).

    ``local[r]`` is country r's :class:`LeontiefSolver` (made when first asked for); ``solve(z)``
    applies the block-diagonal ``diag(L_11, ..., L_GG)`` to a stacked vector or matrix z (n rows)
    in one batched LAPACK call, for callers that need every country's block at once.
    """

    def __init__(self, A: np.ndarray, G: int):
        A = np.asarray(A, dtype=float)
        self.G = G
        self.N = A.shape[0] // G
        N = self.N
        self.blocks = np.stack([np.eye(N) - A[r * N:(r + 1) * N, r * N:(r + 1) * N] for r in range(G)])
        self._solvers: dict[int, LeontiefSolver] = {}

    def __len__(self) -> int:
        return self.G

    def __getitem__(self, r: int) -> LeontiefSolver:
        if not -self.G <= r < self.G:
            raise IndexError(r)
        r %= self.G
        if r not in self._solvers:
            self._solvers[r] = LeontiefSolver(np.eye(self.N) - self.blocks[r])
        return self._solvers[r]

    def __iter__(self):
        return (self[r] for r in range(self.G))

    def solve(self, z: np.ndarray) -> np.ndarray:
        """``diag(L_rr) z``: each country's rows of z solved with its own block."""
        z = np.asarray(z, dtype=float)
        shaped = z.reshape(self.G, self.N, -1)
        return np.linalg.solve(self.blocks, shaped).reshape(z.shape)


def local_inverses(A: np.ndarray, G: int) -> LocalInverses:
    """The local inverses ``L_rr = (I - A_rr)^-1`` of each of G countries (:class:`LocalInverses`)."""
    return LocalInverses(A, G)


def country_aggregator(G: int, N: int) -> np.ndarray:
    """The (G, G*N) 0/1 matrix that sums a country's N sector rows: ``S[r, i] = 1`` iff i is in r."""
    return np.repeat(np.eye(G), N, axis=1)


def leontief_system(m: MRIO) -> tuple[np.ndarray, np.ndarray, LeontiefSolver]:
    """``(A, v, solver)`` of a table, the three things every indicator starts from."""
    A = input_coefficients(m.Z, m.x)
    v = value_added_coefficients(m.va, m.x)
    return A, v, LeontiefSolver(A)


def value_added_multipliers(v: np.ndarray, solver: LeontiefSolver, G: int) -> np.ndarray:
    """Value added of each source country per unit of final output: ``W = S diag(v) B``.

    ``W[t, j] = sum_{i in t} v_i B_ij`` is the value added of country t generated by one
    unit of final output of country-sector j, shape (G, n); ``sum_t W[t, j] = (vB)_j = 1``
    for every j with positive output (KWW 2014, eq. 5). Computed with one solve,
    ``W = (S diag v) B``, never by forming ``B``.
    """
    n = v.shape[0]
    M = country_aggregator(G, n // G) * v[None, :]
    return solver.solve_left(M)
