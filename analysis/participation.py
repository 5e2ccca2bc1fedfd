"""GVC participation: Koopman et al. (KWW) and Qu & Yang's value-added flow version.

- KWW / UNCTAD (2013): ``GVCP_r = (DVX_r + FVA_r) / Ex_r``, forward part ``DVX/Ex``,
  backward part ``FVA/Ex`` (Koopman, Powers, Wang & Wei 2010; KWW 2014; Qu & Yang 2023,
  section 5.2). The variant that counts foreign double counting T9 in the backward part
  (Hummels, Ishii & Yi's vertical specialization ``VS = T7 + T8 + T9``) is
  ``(DVX + FVA + T9) / Ex``.
- Qu & Yang (2023), eq. (12)-(13): the value-added flow matrix ``F = V B Ex`` with
  ``F_ij`` country i's value added in country j's gross exports, and
  ``GVCP_i = (sum_{j!=i} F_ij + sum_{j!=i} F_ji) / Ex_i``, forward part
  ``sum_{j!=i} F_ij / Ex_i`` and backward part ``sum_{j!=i} F_ji / Ex_i``. In a symmetric
  one-sector economy ``F`` has ``R Ex_j`` on the diagonal and ``T Ex_j`` off it, so
  ``GVCP_i = T sum_{j!=i} Ex_j / Ex_i + (N - 1) T`` (eq. 13).
- A group of countries (region, bloc, world): the export-weighted mean of its members'
  KWW participation, ``(sum_{r in g} DVX_r + sum FVA_r) / sum Ex_r``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .kww import KWWDecomposition
from .leontief import safe_divide

__all__ = ["Participation", "kww_participation", "group_kww_participation", "kww_vs_participation", "value_added_flow_matrix", "qy_participation"]


@dataclass(frozen=True)
class Participation:
    """GVC participation per country and its forward and backward parts (fractions of Ex)."""

    forward: np.ndarray
    backward: np.ndarray

    @property
    def total(self) -> np.ndarray:
        return self.forward + self.backward


def kww_participation(k: KWWDecomposition) -> Participation:
    """``(DVX + FVA) / Ex`` split into ``DVX / Ex`` (forward) and ``FVA / Ex`` (backward)."""
    return Participation(forward=safe_divide(k.DVX, k.exports), backward=safe_divide(k.FVA, k.exports))


def group_kww_participation(dvx: np.ndarray, fva: np.ndarray, exports: np.ndarray, members: np.ndarray) -> Participation:
    """KWW participation of a group of countries: ``sum DVX / sum Ex`` (forward) and
    ``sum FVA / sum Ex`` (backward) over the members (a boolean mask (G,), or (K, G) for K
    groups at once); 0 without exports.

    The members' own participations weighted by their gross exports (KWW 2014; UNCTAD 2013
    for regional aggregates); with every country a member it is the world's ``gvcp_kww_world``.
    Arrays (G,) as :class:`~gvc_abm.analysis.kww.KWWDecomposition` gives them; returns scalars
    (arrays (K,) for K groups).
    """
    m = np.asarray(members, dtype=bool).astype(float)
    ex = m @ np.asarray(exports, dtype=float)
    return Participation(forward=safe_divide(m @ np.asarray(dvx, dtype=float), ex),
                         backward=safe_divide(m @ np.asarray(fva, dtype=float), ex))


def kww_vs_participation(k: KWWDecomposition) -> Participation:
    """``(DVX + FVA + T9) / Ex``: the backward part is vertical specialization ``VS = T7+T8+T9``."""
    return Participation(
        forward=safe_divide(k.DVX, k.exports), backward=safe_divide(k.FVA + k.term(9), k.exports)
    )


def value_added_flow_matrix(W: np.ndarray, sector_exports: np.ndarray) -> np.ndarray:
    """``F = V B Ex`` at country level, shape (G, G) (Qu & Yang 2023, eq. 12).

    ``F[i, j] = sum_{k in i} v_k sum_{l in j} B_kl E_l`` with ``E_l`` the gross exports of
    country-sector l, from the multipliers ``W = S diag(v) B`` of shape (G, n).
    """
    G = W.shape[0]
    N = W.shape[1] // G
    return np.einsum("ijk,jk->ij", W.reshape(G, G, N), sector_exports.reshape(G, N))


def qy_participation(F: np.ndarray, exports: np.ndarray) -> Participation:
    """Qu & Yang (2023, eq. 13) participation from the flow matrix ``F`` and gross exports."""
    off = np.asarray(F, dtype=float).copy()
    np.fill_diagonal(off, 0.0)
    return Participation(forward=safe_divide(off.sum(axis=1), exports), backward=safe_divide(off.sum(axis=0), exports))
