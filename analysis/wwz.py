"""Wang, Wei & Zhu (2013) 16-term decomposition of bilateral gross exports by sector.

Wang, Z., Wei, S.-J. & Zhu, K. (2013), "Quantifying international production sharing
at the bilateral and sector levels", NBER Working Paper 19677, eq. (37). For exports
``E_sr`` of exporter s to importer r (N x 1, by exporting sector), with ``#`` the
element-wise product, ``V_s B_ss`` and ``V_s L_ss`` row vectors, ``L_rr = (I - A_rr)^-1``::

    E_sr = (V_s B_ss)' # Y_sr                                          1  DVA_FIN
         + (V_s L_ss)' # (A_sr B_rr Y_rr)                              2  DVA_INT
         + (V_s L_ss)' # (A_sr sum_{t!=s,r} B_rt Y_tt)                 3  DVA_INTrexI1
         + (V_s L_ss)' # (A_sr B_rr sum_{t!=s,r} Y_rt)                 4  DVA_INTrexF
         + (V_s L_ss)' # (A_sr sum_{t!=s,r} B_rt sum_{u!=s,t} Y_tu)    5  DVA_INTrexI2
         + (V_s L_ss)' # (A_sr B_rs Y_ss)                              6  RDV_INT
         + (V_s L_ss)' # (A_sr B_rr Y_rs)                              7  RDV_FIN
         + (V_s L_ss)' # (A_sr sum_{t!=s,r} B_rt Y_ts)                 8  RDV_FIN2
         + (sum_{t!=s,r} V_t B_ts)' # Y_sr                             9  OVA_FIN
         + (V_r B_rs)' # Y_sr                                          10 MVA_FIN
         + (sum_{t!=s,r} V_t B_ts)' # (A_sr L_rr Y_rr)                 11 OVA_INT
         + (V_r B_rs)' # (A_sr L_rr Y_rr)                              12 MVA_INT
         + (V_s L_ss)' # (A_sr B_rs sum_{t!=s} Y_st)                   13 DDC_FIN
         + (V_s B_ss - V_s L_ss)' # (A_sr X_r)                         14 DDC_INT
         + (sum_{t!=s,r} V_t B_ts)' # (A_sr L_rr E_r*)                 15 ODC
         + (V_r B_rs)' # (A_sr L_rr E_r*)                              16 MDC

Term order and names follow the paper's Table E1 as implemented in decompr (Quast &
Kummritz 2015, function ``wwz``). Every term is computed from its own formula; that
the 16 add up to ``E_sr`` for every sector and pair, and that their sums over importers
give the KWW (2014, eq. 36) nine terms, are identities the tests check:
T1 = 1, T2 = 2+3, T3 = 4+5, T4 = 7+8, T5 = 6, T6 = 13+14, T7 = 9+10, T8 = 11+12,
T9 = 15+16 (WWZ 2013, their mapping to KWW 2014).

The importer-side vectors of terms 2-8 and 13 all are parts of ``A_sr x_r`` split by
where the final goods are made (t) and bought (u): for each row j of importer r,
``M_j[t, u] = sum_{k in t} B_jk Y_ku`` (an R x R array, built one importer at a
time), and each term picks its cells of ``M_j``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .gross_exports import ExportSystem, country_regions, decomposition_frame, export_system, through_importer
from .mrio import MRIO, as_mrio

__all__ = ["WWZ_TERMS", "WWZ_TO_KWW", "wwz_terms", "wwz_decomposition"]

#: The 16 terms of WWZ (2013) eq. (37), in decompr's order.
WWZ_TERMS = (
    "DVA_FIN", "DVA_INT", "DVA_INTrexI1", "DVA_INTrexF", "DVA_INTrexI2",
    "RDV_INT", "RDV_FIN", "RDV_FIN2",
    "OVA_FIN", "MVA_FIN", "OVA_INT", "MVA_INT",
    "DDC_FIN", "DDC_INT", "ODC", "MDC",
)  # fmt: skip

#: Which WWZ terms make up each KWW (2014, eq. 36) term (WWZ 2013).
WWZ_TO_KWW = {
    "T1": ("DVA_FIN",),
    "T2": ("DVA_INT", "DVA_INTrexI1"),
    "T3": ("DVA_INTrexF", "DVA_INTrexI2"),
    "T4": ("RDV_FIN", "RDV_FIN2"),
    "T5": ("RDV_INT",),
    "T6": ("DDC_FIN", "DDC_INT"),
    "T7": ("OVA_FIN", "MVA_FIN"),
    "T8": ("OVA_INT", "MVA_INT"),
    "T9": ("ODC", "MDC"),
}


def _importer_side(es: ExportSystem) -> np.ndarray:
    """Q[j, s, k] for the eight ``V_s L_ss`` terms (2-8 and 13), j in importer r.

    With ``M_j[t, u] = sum_{k in t} B_jk Y_ku`` and r the region of j:
    2: M[r,r]; 3: sum_{t!=s,r} M[t,t]; 4: sum_{u!=s,r} M[r,u];
    5: sum_{t!=s,r} sum_{u!=s,t} M[t,u]; 6: M[s,s]; 7: M[r,s];
    8: sum_{t!=s,r} M[t,s]; 13: sum_{u!=s} M[s,u].
    """
    n, R = es.n, es.R
    Q = np.zeros((n, R, 8))
    for r in range(R):
        b = es.rows(r)
        Br = es.B[b]
        # M[j, t, u], one importer's rows at a time: (|r|, R, R).
        M = np.stack([Br[:, es.rows(t)] @ es.Y[es.rows(t)] for t in range(R)], axis=1)
        diag = np.diagonal(M, axis1=1, axis2=2)  # (|r|, R): M[t, t]
        rowsum = M.sum(axis=2)  # (|r|, R): sum_u M[t, u]
        colsum = M.sum(axis=1)  # (|r|, R): sum_t M[t, u]
        trace = diag.sum(axis=1)  # (|r|,)
        total = rowsum.sum(axis=1)
        Mrr = M[:, r, r][:, None]
        Mrs = M[:, r, :]  # over s: M[r, s]
        Mss = diag  # over s: M[s, s]
        Mts = colsum  # over s: sum_t M[t, s]
        # 2  DVA_INT: B_rr Y_rr
        Q[b, :, 0] = Mrr
        # 3  DVA_INTrexI1: sum_{t != s, r} B_rt Y_tt
        Q[b, :, 1] = trace[:, None] - Mrr - Mss
        # 4  DVA_INTrexF: B_rr sum_{u != s, r} Y_ru
        Q[b, :, 2] = rowsum[:, r][:, None] - Mrr - Mrs
        # 5  DVA_INTrexI2: sum_{t != s, r} sum_{u != s, t} M[t, u]; the summand for t is
        #    rowsum_t - M[t, t] - M[t, s]; all t, minus t = r, minus t = s.
        all_t = (total - trace)[:, None] - Mts
        t_is_r = (rowsum[:, r][:, None] - Mrr) - Mrs
        t_is_s = rowsum - 2.0 * Mss
        Q[b, :, 3] = all_t - t_is_r - t_is_s
        # 6  RDV_INT: B_rs Y_ss
        Q[b, :, 4] = Mss
        # 7  RDV_FIN: B_rr Y_rs
        Q[b, :, 5] = Mrs
        # 8  RDV_FIN2: sum_{t != s, r} B_rt Y_ts
        Q[b, :, 6] = Mts - Mrs - Mss
        # 13 DDC_FIN: B_rs sum_{u != s} Y_su
        Q[b, :, 7] = rowsum - Mss
        Q[b, r, :] = 0.0
    return Q


def wwz_terms(es: ExportSystem) -> np.ndarray:
    """The 16 WWZ terms, shape (n, R, 16), rows in ``es``'s order (see module docstring)."""
    n, R = es.n, es.R
    rows = np.arange(n)
    s_of = es.region_of_row
    T = np.zeros((n, R, 16))
    own = np.zeros((n, R), dtype=bool)
    own[rows, s_of] = True

    # Foreign multipliers: MVA uses V_r B_rs (the importer's own), OVA all other t != s, r.
    mva = es.W.T.copy()  # (n, R): V_r B_rs for row i in s
    mva[own] = 0.0
    ova = es.foreign[:, None] - mva
    ova[own] = 0.0
    Yf = np.where(own, 0.0, es.Y)  # Y_sr, r != s

    # Final-goods exports: 1, 9, 10.
    T[:, :, 0] = es.dB[:, None] * Yf
    T[:, :, 8] = ova * Yf
    T[:, :, 9] = mva * Yf

    # Domestic VA in intermediate exports, by where it ends: 2-8 and 13.
    D = through_importer(es, _importer_side(es))
    dl = es.dL[:, None, None]
    for k, term in enumerate((1, 2, 3, 4, 5, 6, 7, 12)):
        T[:, :, term] = dl[:, :, 0] * D[:, :, k]

    # 14 DDC_INT: (V_s B_ss - V_s L_ss)' # (A_sr X_r).
    T[:, :, 13] = (es.dB - es.dL)[:, None] * es.AX

    # Foreign VA in intermediate exports: A_sr L_rr Y_rr and A_sr L_rr E_r*.
    Yrr = es.Y[rows, s_of]
    Er = es.E.sum(axis=1)
    LY_LE = es.local_solve(np.column_stack([Yrr, Er]))  # (n, 2), j in r: L_rr Y_rr, L_rr E_r*
    Q = np.broadcast_to(LY_LE[:, None, :], (n, R, 2))
    F = through_importer(es, np.ascontiguousarray(Q))
    T[:, :, 10] = ova * F[:, :, 0]
    T[:, :, 11] = mva * F[:, :, 0]
    T[:, :, 14] = ova * F[:, :, 1]
    T[:, :, 15] = mva * F[:, :, 1]
    return T


def wwz_decomposition(m: MRIO | object, groups: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """WWZ (2013, eq. 37) decomposition of every bilateral, sectoral export flow of ``m``.

    Returns a frame indexed by (exporter, sector, importer), exporter != importer, with
    the 16 terms of :data:`WWZ_TERMS` as columns and ``EXGR`` (the gross exports
    ``E_sr`` they add up to) last. With ``groups`` (group name -> member countries) each
    group is one region: trade among its members is domestic, as in the papers.
    ``m`` may also be a ``pymrio.IOSystem`` (converted once, x = Z1 + Y1).
    """
    m = as_mrio(m)
    es = export_system(m, country_regions(m, groups))
    T = wwz_terms(es)
    T = np.concatenate([T, es.E[:, :, None]], axis=2)
    return decomposition_frame(es, T, WWZ_TERMS + ("EXGR",))
