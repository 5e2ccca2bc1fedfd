"""Koopman, Wang & Wei (2014) decomposition of each country's gross exports.

Koopman, R., Wang, Z. & Wei, S.-J. (2014), "Tracing value-added and double counting in
gross exports", American Economic Review 104(2), 459-494, eq. (36). For exporter r,
with ``B`` the global Leontief inverse, ``L_rr = (I - A_rr)^-1`` the local one, ``V_r``
the value-added coefficients of r and ``E_r*`` r's gross exports by sector::

    uE_r* =  V_r B_rr sum_{s!=r} Y_rs                                  T1 DVA in final exports
           + V_r sum_{s!=r} B_rs Y_ss                                  T2 DVA in intermediates absorbed by the direct importer
           + V_r sum_{s!=r} sum_{t!=r,s} B_rs Y_st                      T3 DVA in intermediates re-exported to third countries
           + V_r sum_{s!=r} B_rs Y_sr                                  T4 DVA returning home in final imports
           + V_r sum_{s!=r} B_rs A_sr L_rr Y_rr                        T5 DVA returning home in intermediate imports
           + V_r sum_{s!=r} B_rs A_sr L_rr E_r*                        T6 double-counted domestic VA
           + sum_{t!=r} V_t B_tr sum_{s!=r} Y_rs                       T7 FVA in final exports
           + sum_{t!=r} V_t B_tr sum_{s!=r} A_rs L_ss Y_ss             T8 FVA in intermediate exports
           + sum_{t!=r} V_t B_tr sum_{s!=r} A_rs L_ss E_s*             T9 double-counted foreign VA

Each term is computed directly from its own formula; ``T1 + ... + T9 = uE_r*`` is an
identity the tests check, not how any term is obtained. Aggregates (KWW 2014, Table 1
and section IV): VAX = T1+T2+T3, DVA = T1..T5, RDV = T4+T5, FVA = T7+T8,
PDC = T6+T9, and DVX = T3+T4+T5, the domestic value added that enters other
countries' exports (Koopman, Powers, Wang & Wei 2010, "IV").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .leontief import LeontiefSolver, LocalInverses, input_coefficients, local_inverses, value_added_coefficients, value_added_multipliers
from .mrio import MRIO, as_mrio
from .trade import trade_flows

__all__ = ["KWW_TERMS", "KWWDecomposition", "kww_decomposition", "kww_from_parts"]

KWW_TERMS = ("T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9")


@dataclass(frozen=True)
class KWWDecomposition:
    """The nine KWW terms per exporting country, ``terms`` of shape (G, 9), and exports (G,)."""

    terms: np.ndarray
    exports: np.ndarray

    def term(self, k: int) -> np.ndarray:
        """Term ``T<k>`` (1-based) for every country."""
        return self.terms[:, k - 1]

    @property
    def VAX(self) -> np.ndarray:
        """Value-added exports, T1+T2+T3 (Johnson & Noguera 2012; KWW 2014 eq. 36)."""
        return self.terms[:, 0:3].sum(axis=1)

    @property
    def DVA(self) -> np.ndarray:
        """Domestic value added in exports, T1..T5."""
        return self.terms[:, 0:5].sum(axis=1)

    @property
    def RDV(self) -> np.ndarray:
        """Returned domestic value added, T4+T5."""
        return self.terms[:, 3:5].sum(axis=1)

    @property
    def FVA(self) -> np.ndarray:
        """Foreign value added in exports, T7+T8."""
        return self.terms[:, 6:8].sum(axis=1)

    @property
    def PDC(self) -> np.ndarray:
        """Pure double counting, T6+T9."""
        return self.terms[:, 5] + self.terms[:, 8]

    @property
    def DVX(self) -> np.ndarray:
        """Indirect value-added exports, T3+T4+T5 (KPWW 2010; used by UNCTAD 2013)."""
        return self.terms[:, 2:5].sum(axis=1)


def kww_from_parts(
    A: np.ndarray,
    Y: np.ndarray,
    W: np.ndarray,
    sector_exports: np.ndarray,
    local: LocalInverses,
) -> np.ndarray:
    """The (G, 9) KWW terms from precomputed parts (see :func:`kww_decomposition`).

    Parameters
    ----------
    A : (n, n) input coefficients.
    Y : (n, G) final demand by destination.
    W : (G, n) value-added multipliers ``S diag(v) B`` (``value_added_multipliers``).
    sector_exports : (n,) gross exports ``E_r*`` of every country-sector.
    local : the local inverses ``L_ss = (I - A_ss)^-1`` (:func:`~gvc_abm.analysis.leontief.local_inverses`).
    """
    G = Y.shape[1]
    n = Y.shape[0]
    N = n // G
    out = np.zeros((G, 9))
    # VBY3[r, s, t] = V_r B_rs Y_st: value added of r, in final goods made in s, bought by t.
    VBY3 = np.einsum("rsk,skt->rst", W.reshape(G, G, N), Y.reshape(G, N, G))
    own = np.eye(G, dtype=bool)
    # Local-inverse solutions L_ss Y_ss and L_ss E_s*, stacked over s.
    own_final = Y.reshape(G, N, G)[np.arange(G), :, np.arange(G)].reshape(n)  # Y_ss stacked over s
    sol = local.solve(np.column_stack([own_final, sector_exports]))
    LY, LE = sol[:, 0], sol[:, 1]
    A_LY = A @ LY
    A_LE = A @ LE
    WA = W @ A  # (G, n): WA[r, j] = V_r sum_s B_rs A_s,j
    # every country at once: r's own blocks, and the masks of s != r, t != r and s != t
    g = np.arange(G)
    foreign = ~own
    third = foreign[:, :, None] & foreign[:, None, :] & foreign[None, :, :]  # [r, s, t]
    W3 = W.reshape(G, G, N)  # [r, s, k]
    A_own = A.reshape(G, N, G, N)[g, :, g, :]  # [r, k, j] = A_rr
    W_own = W3[g, g, :]  # [r, k] = V_r B_rr
    out[:, 0] = (VBY3[g, g, :] * foreign).sum(axis=1)  # V_r B_rr Y_rt, t != r
    out[:, 1] = (VBY3[:, g, g] * foreign).sum(axis=1)  # V_r B_rs Y_ss, s != r
    out[:, 2] = (VBY3 * third).sum(axis=(1, 2))  # V_r B_rs Y_st, s != t, both != r
    out[:, 3] = (VBY3[g, :, g] * foreign).sum(axis=1)  # V_r B_rs Y_sr, s != r
    # V_r sum_{s != r} B_rs A_sr: all s minus the s = r block.
    WA_r = WA.reshape(G, G, N)[g, g, :] - np.einsum("rk,rkj->rj", W_own, A_own)
    out[:, 4] = np.einsum("rj,rj->r", WA_r, LY.reshape(G, N))
    out[:, 5] = np.einsum("rj,rj->r", WA_r, LE.reshape(G, N))
    # sum_{t != r} V_t B_tr: foreign value added per unit of r's output.
    F_r = W3.sum(axis=0) - W_own
    Y3 = Y.reshape(G, N, G)
    out[:, 6] = np.einsum("rk,rk->r", F_r, Y3.sum(axis=2) - Y3[g, :, g])
    out[:, 7] = np.einsum("rk,rk->r", F_r, A_LY.reshape(G, N) - np.einsum("rkj,rj->rk", A_own, LY.reshape(G, N)))
    out[:, 8] = np.einsum("rk,rk->r", F_r, A_LE.reshape(G, N) - np.einsum("rkj,rj->rk", A_own, LE.reshape(G, N)))
    return out


def kww_decomposition(m: MRIO) -> KWWDecomposition:
    """KWW (2014, eq. 36) nine-term decomposition of every country's gross exports (MRIO or IOSystem)."""
    m = as_mrio(m)
    A = input_coefficients(m.Z, m.x)
    v = value_added_coefficients(m.va, m.x)
    W = value_added_multipliers(v, LeontiefSolver(A), m.G)
    flows = trade_flows(m)
    terms = kww_from_parts(A, m.Y, W, flows.sector_exports, local_inverses(A, m.G))
    return KWWDecomposition(terms=terms, exports=flows.exports)
