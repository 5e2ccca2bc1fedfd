"""GVC length and position: upstreamness, downstreamness and production lengths.

- Upstreamness (Antras, Chor, Fally & Hillberry 2012, eq. 5; Miller & Temurshoev 2017):
  ``U = x^-1 B x``, the average number of stages between a sector's output and final use;
  ``U_i = 1 + sum_j (Z_ij / x_i) U_j``. A sector with zero output gets ``U = 1``.
- Downstreamness (Miller & Temurshoev 2017, "output downstreamness"):
  ``D = 1' B``, the average number of stages embodied in a unit of final output.
- Production lengths of Wang, Wei, Yu & Zhu (2017, NBER WP 23222, eq. 9 and 14) at
  country level:
  ``PLv_r = sum_{k in r} va_k U_k / sum_{k in r} va_k`` (forward, from value added) and
  ``PLy_r = sum_{l in r} (vBB)_l y_l / sum_{l in r} (vB)_l y_l`` (backward, to final
  goods), with ``y = Y 1``; the world's ``PLv = sum_k va_k U_k / sum_k va_k`` over every
  country-sector, the value-added weighted mean of the countries' ``PLv_r``.
- GVC production length (Wang, Wei, Yu & Zhu 2017, the GVC part of the forward decomposition
  ``V B Y = V L Y^D + V L Y^F + V L A^F B Y``, with ``L`` the block-diagonal local inverses and
  ``A^F`` the foreign blocks of ``A``): value added in GVC activities ``V_GVC = v o (L A^F B y)``
  and the output it induces ``Xv_GVC = v o (L L A^F B y + L A^F B B y)`` (the stages at home
  before it crosses a border, then every stage after), ``PLv_GVC = Xv_GVC / V_GVC`` summed by
  country or over the world. The three parts' induced outputs add up to the total,
  ``V L L Y^D + V L L Y^F + Xv_GVC = V B B Y``, since ``B = L + L A^F B``.
"""

from __future__ import annotations

import numpy as np

from .leontief import LeontiefSolver, LocalInverses, local_inverses, safe_divide

__all__ = ["upstreamness", "downstreamness", "production_lengths", "world_production_length", "gvc_production_length"]


def _by_country(a: np.ndarray, G: int) -> np.ndarray:
    return a.reshape(G, -1).sum(axis=1)


def upstreamness(solver: LeontiefSolver, x: np.ndarray) -> np.ndarray:
    """``U = x^-1 B x`` by sector (Antras et al. 2012); 1 where ``x = 0``."""
    Bx = solver.solve(x)
    return np.where(x != 0, safe_divide(Bx, x), 1.0)


def downstreamness(solver: LeontiefSolver) -> np.ndarray:
    """``D = 1' B`` by sector (Miller & Temurshoev 2017)."""
    return solver.solve_left(np.ones(solver.n))


def production_lengths(
    solver: LeontiefSolver, v: np.ndarray, va: np.ndarray, x: np.ndarray, y: np.ndarray, G: int
) -> tuple[np.ndarray, np.ndarray]:
    """Country production lengths ``(PLv, PLy)`` of Wang, Wei, Yu & Zhu (2017), shape (G,) each.

    Parameters
    ----------
    solver : factorization of ``I - A``.
    v, va, x, y : value-added coefficients, value added, gross output and final demand
        ``y = Y 1`` by country-sector.
    """
    U = upstreamness(solver, x)
    vB = solver.solve_left(v)
    vBB = solver.solve_left(vB)
    plv = safe_divide(_by_country(va * U, G), _by_country(va, G))
    ply = safe_divide(_by_country(vBB * y, G), _by_country(vB * y, G))
    return plv, ply


def world_production_length(plv: np.ndarray, gdp: np.ndarray) -> float:
    """World production length ``PLv_W = sum_r GDP_r PLv_r / sum_r GDP_r = sum_k va_k U_k / sum_k va_k``.

    The mean number of production stages the world's value added passes through until it is
    absorbed in final goods (Wang, Wei, Yu & Zhu 2017, eq. 9, over all country-sectors; it
    counts purely domestic stages too, not only the cross-border "GVC" part). 0 when GDP is 0.
    """
    return float(safe_divide(np.dot(gdp, plv), np.sum(gdp)))


def gvc_production_length(A: np.ndarray, solver: LeontiefSolver, v: np.ndarray, y: np.ndarray,
                          G: int, local: LocalInverses | None = None) -> tuple[np.ndarray, float]:
    """GVC production length, forward (module docstring): ``(PLv_GVC_r by country (G,), world PLv_GVC)``.

    ``PLv_GVC_r = sum_{k in r} Xv_GVC_k / sum_{k in r} V_GVC_k``, the mean number of production
    stages a country's value added passes through from its use abroad as an input to its final
    absorption, counting the stages at home before export (Wang, Wei, Yu & Zhu 2017, the GVC
    term of the production-length decomposition); the world's is the ratio of the world sums.
    0 where a country has no GVC value added. ``local``: the local inverses of A if already at hand.
    """
    n = A.shape[0]
    N = n // G
    L = (local_inverses(A, G) if local is None else local).solve  # the block-diagonal diag(L_rr)

    foreign = A.copy()
    for r in range(G):
        foreign[r * N:(r + 1) * N, r * N:(r + 1) * N] = 0.0
    By = solver.solve(y)
    first = L(foreign @ By)  # L A^F B y
    v_gvc = v * first
    x_gvc = v * (L(first) + L(foreign @ solver.solve(By)))
    by_country = safe_divide(_by_country(x_gvc, G), _by_country(v_gvc, G))
    return by_country, float(safe_divide(x_gvc.sum(), v_gvc.sum()))
