"""Borin & Mancini (2019, 2023) source- and sink-based decompositions of bilateral exports.

Borin, A. & Mancini, M. (2019), "Measuring what matters in global value chains and
value-added trade", World Bank Policy Research Working Paper 8804
(updated 2023); the exporting-country ("country") perspective, as in exvatools
(Miñana 2023, ``make_exvadec_bm_src`` / ``make_exvadec_bm_snk``).

For exporter s, importer r and exporting sector i, both approaches split ``E_sr`` into
six additive parts::

    E_sr = DAVAX + VAX_GVC + REF + DDC + FVA + FDC

- ``DAVAX``: domestic value added absorbed by the direct importer r (exports crossing
  one border only): final goods ``Y_sr`` and intermediates ``A_sr L_rr Y_rr``;
- ``VAX_GVC``: domestic value added absorbed abroad after a further border crossing
  (``A_sr L_rr sum_{u!=r,s} Y_ru`` and ``A_sr L_rr sum_{k!=r} A_rk x_k`` with ``x_k`` for
  final demand outside s);
- ``REF``: reflected domestic value added, finally absorbed at home in s;
- ``DDC``, ``FDC``: domestic and foreign double counting; ``FVA``: foreign value added.

**Source-based** (value added counted the first time it leaves s): the domestic
multiplier is ``V_s L_ss`` and the foreign one ``sum_{t!=s} V_t B^(s)_ts``, where
``B^(s) = (I - A^(s))^-1`` and ``A^(s)`` is A with s's intermediate exports removed
(the "extraction" inverse); ``DDC = V_s (B_ss - L_ss) E_sr`` and
``FDC = sum_{t!=s} V_t (B_ts - B^(s)_ts) E_sr``.

**Sink-based** (counted the last time it leaves s): the multipliers are ``V_s B_ss`` and
``sum_{t!=s} V_t B_ts``; the double-counted part of ``E_sr`` is the intermediate that
returns to s to make s's later exports, ``A_sr L_rr sum_{k!=r} A_rk B^(s)_ks E_s*``, and
the value added of the rest is ``DAVAX + VAX_GVC + REF`` (domestic) or ``FVA`` (foreign).
Downstream flows use ``B^(s) Y^(s)``, with s's own final exports taken out of Y.

At the level of each exporter the two approaches give the same DVA, FVA, DDC and FDC
(BM 2019; the tests check it); they differ in how these are attributed to partners and sectors.

**GVC-related trade** (BM 2019): exports that cross at least two borders,
``GVC = E - DAVAX``, with the backward part ``GVCB = FVA + FDC + DDC`` and the forward
part ``GVCF = VAX_GVC + REF``; defined on the source-based split, where DAVAX contains
only value added that has crossed no border before.

``B^(s)`` is never formed: since ``A^(s)`` is block-triangular,
``B^(s) z = B (z_-s + c)`` with ``c_s = B_ss^-1 (L_ss z_s - (B z_-s)_s)`` (a Schur
complement), and ``sum_{t!=s} V_t B^(s)_ts = (sum_{t!=s} V_t B_ts) B_ss^-1 L_ss``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .gross_exports import ExportSystem, country_regions, decomposition_frame, export_system, through_importer
from .mrio import MRIO, as_mrio

__all__ = ["BM_TERMS", "BM_APPROACHES", "BM_PERSPECTIVES", "bm_terms", "bm_decomposition", "gvc_shares"]

#: The six additive parts of exports, in order.
BM_TERMS = ("DAVAX", "VAX_GVC", "REF", "DDC", "FVA", "FDC")
BM_APPROACHES = ("source", "sink")
BM_PERSPECTIVES = ("exporter", "bilateral")


def _extraction_solve(es: ExportSystem, Z: np.ndarray) -> np.ndarray:
    """``B^(s) z^(s)`` for every region s: Z has shape (n, R, K), column (s, k) is z^(s)_k.

    ``A^(s)`` zeroes s's rows in the other regions' columns, so
    ``B^(s) z = B (z_-s + c_s)`` with ``c_s = B_ss^-1 (L_ss z_s - (B z_-s)_s)`` on s's rows.
    """
    n, R, K = Z.shape
    Zm = Z.copy()
    for s in range(R):
        Zm[es.rows(s), s, :] = 0.0
    P = (es.B @ Zm.reshape(n, R * K)).reshape(n, R, K)
    C = np.zeros_like(Z)
    for s in range(R):
        b = es.rows(s)
        rhs = es.local[s].solve(Z[b, s, :]) - P[b, s, :]
        C[b, s, :] = np.linalg.solve(es.B[b, b], rhs)
    return P + (es.B @ C.reshape(n, R * K)).reshape(n, R, K)


def _foreign_blocks_times(es: ExportSystem, M: np.ndarray) -> np.ndarray:
    """``A^m M``: A with its diagonal (domestic) blocks removed, times M (n, k)."""
    out = es.A @ M
    for r in range(es.R):
        b = es.rows(r)
        out[b] -= es.A[b, b] @ M[b]
    return out


def _bilateral_multipliers(es: ExportSystem) -> tuple[np.ndarray, np.ndarray]:
    """``V_s B^(sr)_ss`` and ``sum_{t!=s} V_t B^(sr)_ts`` for every pair, each (n, R).

    ``A^(sr)`` is A without the block ``A_sr``; by Woodbury's identity
    ``B^(sr)_.s = B_.s (I - K)`` with ``K = (I + A_sr B_rs)^-1 A_sr B_rs``, so the value-added
    rows are ``W_.s (I - K)`` and only a |s| x |s| system is solved per pair.
    """
    n, R = es.n, es.R
    dom = np.zeros((n, R))
    foreign = np.zeros((n, R))
    for s in range(R):
        bs = es.rows(s)
        Ws = es.W[:, bs]  # (R, |s|): V_t B_ts
        for r in range(R):
            if r == s:
                continue
            br = es.rows(r)
            AB = es.A[bs, br] @ es.B[br, bs]
            K = np.linalg.solve(np.eye(AB.shape[0]) + AB, AB)
            M = Ws - Ws @ K
            dom[bs, r] = M[s]
            foreign[bs, r] = M.sum(axis=0) - M[s]
    return dom, foreign


def bm_terms(es: ExportSystem, approach: str = "source", perspective: str = "exporter") -> np.ndarray:
    """The six parts of :data:`BM_TERMS`, shape (n, R, 6), rows in ``es``'s order.

    ``perspective`` (source-based only): ``"exporter"`` counts value added the first time
    it leaves s in any of s's exports (``V_s L_ss``, additive over partners);
    ``"bilateral"`` the first time it enters the flow s -> r itself (``V_s B^(sr)_ss``, with
    ``A^(sr)`` = A without ``A_sr``; BM 2019, bilateral perspective), so that only value added that
    has already crossed from s to r is double counted.
    """
    if approach not in BM_APPROACHES:
        raise ValueError(f"approach: expected one of {', '.join(BM_APPROACHES)}, got {approach!r}")
    if perspective not in BM_PERSPECTIVES:
        raise ValueError(f"perspective: expected one of {', '.join(BM_PERSPECTIVES)}, got {perspective!r}")
    if perspective == "bilateral" and approach != "source":
        raise ValueError("perspective: the bilateral perspective is defined for the source-based approach only")
    n, R = es.n, es.R
    rows = np.arange(n)
    s_of = es.region_of_row
    own = np.zeros((n, R), dtype=bool)
    own[rows, s_of] = True
    Yf = np.where(own, 0.0, es.Y)  # Y_sr

    # Importer side (j in r), independent of the approach: L_rr Y_rr, L_rr Y_ru.
    LY = es.local_solve(es.Y)  # (n, R): L_rr Y_ru for j in r
    LYrr = LY[rows, s_of]
    LYforeign = LY.sum(axis=1) - LYrr  # L_rr sum_{u != r} Y_ru
    Q = np.empty((n, R, 3))
    Q[:, :, 0] = LYrr[:, None]  # DAVAX (intermediates)
    Q[:, :, 1] = LYforeign[:, None] - LY  # VAX3: L_rr sum_{u != r, s} Y_ru
    Q[:, :, 2] = LY  # REF1: L_rr Y_rs

    if approach == "source":
        # Downstream of r: x = B Y split by destination u, x_k = sum_u P[k, u].
        P = es.B @ es.Y
        LH = es.local_solve(_foreign_blocks_times(es, P))  # (n, R): L_rr sum_{k!=r} A_rk P[k, u]
        down = np.stack([LH.sum(axis=1, keepdims=True) - LH, LH], axis=2)  # VAX4 (u != s), REF2 (u = s)
        D = through_importer(es, np.concatenate([Q, down], axis=2))
        if perspective == "exporter":
            dom = np.broadcast_to(es.dL[:, None], (n, R))
            # Foreign multiplier with the extraction inverse: (sum_{t!=s} V_t B_ts) B_ss^-1 L_ss.
            fsrc = np.empty(n)
            for s in range(R):
                b = es.rows(s)
                y = np.linalg.solve(es.B[b, b].T, es.foreign[b])
                fsrc[b] = es.local[s].solve_left(y)
            fsrc = np.broadcast_to(fsrc[:, None], (n, R))
        else:
            dom, fsrc = _bilateral_multipliers(es)
        T = np.empty((n, R, 6))
        T[:, :, 0] = dom * (Yf + D[:, :, 0])
        T[:, :, 1] = dom * (D[:, :, 1] + D[:, :, 3])
        T[:, :, 2] = dom * (D[:, :, 2] + D[:, :, 4])
        T[:, :, 3] = (es.dB[:, None] - dom) * es.E
        T[:, :, 4] = fsrc * es.E
        T[:, :, 5] = (es.foreign[:, None] - fsrc) * es.E
        return T

    # Sink-based: downstream flows through the extraction inverse of each exporter s.
    Ytot = es.Y.sum(axis=1)
    Es_total = es.E.sum(axis=1)  # E_s* on s's rows
    Zs = np.zeros((n, R, 3))
    Zs[:, :, 0] = (Ytot[:, None] - es.Y)  # sum_{u != s} Y_u, s's rows zeroed below (Y^(s))
    Zs[:, :, 1] = es.Y  # Y_s (destination s)
    for s in range(R):
        b = es.rows(s)
        Zs[b, s, 0] = 0.0
        Zs[b, s, 2] = Es_total[b]  # s's exports, for the double-counted part
    X = _extraction_solve(es, Zs)  # (n, R, 3): B^(s) z^(s)
    LH = es.local_solve(_foreign_blocks_times(es, X.reshape(n, R * 3))).reshape(n, R, 3)
    D = through_importer(es, np.concatenate([Q, LH], axis=2))
    # D: 0 DAVAX-int, 1 VAX3, 2 REF1, 3 VAX4, 4 REF2, 5 DDC base
    absorbed = Yf + D[:, :, :5].sum(axis=2)  # the part of E_sr not counted twice
    T = np.empty((n, R, 6))
    T[:, :, 0] = es.dB[:, None] * (Yf + D[:, :, 0])
    T[:, :, 1] = es.dB[:, None] * (D[:, :, 1] + D[:, :, 3])
    T[:, :, 2] = es.dB[:, None] * (D[:, :, 2] + D[:, :, 4])
    T[:, :, 3] = es.dB[:, None] * D[:, :, 5]
    T[:, :, 4] = es.foreign[:, None] * absorbed
    T[:, :, 5] = es.foreign[:, None] * D[:, :, 5]
    return T


def bm_decomposition(
    m: MRIO | object,
    approach: str = "source",
    groups: Mapping[str, Sequence[str]] | None = None,
    perspective: str = "exporter",
) -> pd.DataFrame:
    """Borin & Mancini (2019) decomposition of every bilateral, sectoral export flow of ``m``.

    Returns a frame indexed by (exporter, sector, importer), exporter != importer, with
    the six parts of :data:`BM_TERMS`, then ``DVA = DAVAX + VAX_GVC + REF`` and
    ``EXGR`` (gross exports ``E_sr``, which the six add up to); the source-based frame
    also has ``GVC = VAX_GVC + REF + DDC + FVA + FDC`` (= EXGR - DAVAX), ``GVCB`` and
    ``GVCF`` (see the module docstring). ``groups`` as in :func:`.wwz.wwz_decomposition`;
    ``perspective`` as in :func:`bm_terms` (the bilateral one does not add up over
    partners to the exporter's totals, by design).
    """
    if perspective not in BM_PERSPECTIVES:
        raise ValueError(f"perspective: expected one of {', '.join(BM_PERSPECTIVES)}, got {perspective!r}")
    if approach not in BM_APPROACHES:
        raise ValueError(f"approach: expected one of {', '.join(BM_APPROACHES)}, got {approach!r}")
    m = as_mrio(m)
    es = export_system(m, country_regions(m, groups))
    T = bm_terms(es, approach, perspective)
    df = decomposition_frame(es, np.concatenate([T, es.E[:, :, None]], axis=2), BM_TERMS + ("EXGR",))
    df.insert(6, "DVA", df["DAVAX"] + df["VAX_GVC"] + df["REF"])
    if approach == "source":
        df["GVCB"] = df["DDC"] + df["FVA"] + df["FDC"]
        df["GVCF"] = df["VAX_GVC"] + df["REF"]
        df["GVC"] = df["GVCB"] + df["GVCF"]
    return df


def gvc_shares(df: pd.DataFrame) -> pd.DataFrame:
    """GVC-related trade as a share of gross exports: ``GVC/EXGR``, ``GVCB/EXGR``, ``GVCF/EXGR``.

    ``df`` is a source-based :func:`bm_decomposition` frame, summed to any level first
    (the shares of a sum are not the sums of shares). 0 where exports are 0.
    """
    missing = [c for c in ("GVC", "GVCB", "GVCF", "EXGR") if c not in df.columns]
    if missing:
        raise ValueError(f"gvc_shares needs a source-based Borin-Mancini frame; missing {', '.join(missing)}")
    ex = df["EXGR"].to_numpy(dtype=float)
    out = {}
    for c in ("GVC", "GVCB", "GVCF"):
        num = df[c].to_numpy(dtype=float)
        share = np.zeros_like(num)
        np.divide(num, ex, out=share, where=ex != 0)
        out[f"{c}_share"] = share
    return pd.DataFrame(out, index=df.index)
