"""Bilateral and sectoral views: KWW terms per partner, value added in bilateral exports, TBI.

- :func:`kww_bilateral`: the KWW (2014, eq. 36) nine terms of each bilateral (and sector)
  flow, as sums of WWZ (2013, eq. 37) terms: T1 = DVA_FIN, T2 = DVA_INT + DVA_INTrexI1,
  T3 = DVA_INTrexF + DVA_INTrexI2, T4 = RDV_FIN + RDV_FIN2, T5 = RDV_INT,
  T6 = DDC_FIN + DDC_INT, T7 = OVA_FIN + MVA_FIN, T8 = OVA_INT + MVA_INT, T9 = ODC + MDC
  (WWZ 2013, mapping to KWW), with the value added in the flow: VAX = T1+T2+T3 (absorbed
  abroad), DVA = T1..T5, RDV = T4+T5, FVA = T7+T8, PDC = T6+T9. Summed over partners
  and sectors they are the country-level KWW terms.
- :func:`bilateral_tbi`: value-added trade between two regions and the Trade Benefit
  Index of the pair, ``TBI_sr = (VA_sr - VA_rs) / (VA_sr + VA_rs)`` with
  ``VA_sr = sum_{i in s} v_i (B Y)_{i, r}`` (Gao, Li & Zhu 2021, eq. 1, for one partner).
- :func:`aggregate` and :func:`to_long`: any decomposition frame summed to the country,
  bilateral or sector level, and written as a tidy long table.

With a group map (group name -> member countries) a group is one region; its internal
trade is domestic (see :mod:`.gross_exports`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from .gross_exports import country_regions
from .leontief import leontief_system, safe_divide, value_added_multipliers
from .mrio import MRIO, as_mrio
from .value_added_trade import value_added_absorption
from .wwz import WWZ_TO_KWW, wwz_decomposition

__all__ = ["LEVELS", "KWW_AGGREGATES", "kww_from_wwz", "kww_bilateral", "bilateral_tbi", "aggregate", "to_long"]

#: Levels a decomposition can be reported at, and the index levels kept at each.
LEVELS = {
    "country": ("exporter",),
    "bilateral": ("exporter", "importer"),
    "sector": ("exporter", "sector", "importer"),
}

#: KWW (2014) aggregates of the nine terms (eq. 36 and its discussion).
KWW_AGGREGATES = {
    "VAX": ("T1", "T2", "T3"),
    "DVA": ("T1", "T2", "T3", "T4", "T5"),
    "RDV": ("T4", "T5"),
    "FVA": ("T7", "T8"),
    "PDC": ("T6", "T9"),
}


def kww_from_wwz(wwz: pd.DataFrame) -> pd.DataFrame:
    """KWW nine terms, their aggregates and EXGR from a WWZ frame (any level, same index)."""
    out = pd.DataFrame(index=wwz.index)
    for name, parts in WWZ_TO_KWW.items():
        out[name] = wwz[list(parts)].sum(axis=1)
    for name, parts in KWW_AGGREGATES.items():
        out[name] = out[list(parts)].sum(axis=1)
    out["EXGR"] = wwz["EXGR"]
    return out


def kww_bilateral(m: MRIO | object, groups: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """KWW terms of every bilateral sector flow, indexed (exporter, sector, importer)."""
    return kww_from_wwz(wwz_decomposition(m, groups))


def bilateral_tbi(m: MRIO | object, groups: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """Value-added trade and the Trade Benefit Index of every ordered pair of regions.

    Returns a frame indexed (exporter, importer), exporter != importer, with
    ``VA_exported`` = VA of the exporter absorbed in the importer's final demand,
    ``VA_imported`` = the reverse, and ``TBI`` = their difference over their sum
    (0 for a pair with no value-added trade). Within a group, absorption is domestic.
    """
    m = as_mrio(m)
    regions = country_regions(m, groups)
    _, v, solver = leontief_system(m)
    W = value_added_multipliers(v, solver, m.G)  # (G, n)
    C = regions.matrix()  # (G, R)
    VA = C.T @ value_added_absorption(W, m.Y) @ C  # (R, R): region s's VA absorbed in region r
    exported, imported = VA, VA.T
    tbi = safe_divide(exported - imported, exported + imported)
    labels = list(regions.labels)
    index = pd.MultiIndex.from_product([labels, labels], names=["exporter", "importer"])
    df = pd.DataFrame(
        {"VA_exported": exported.reshape(-1), "VA_imported": imported.reshape(-1), "TBI": tbi.reshape(-1)},
        index=index,
    )
    return df[index.get_level_values(0) != index.get_level_values(1)]


def aggregate(df: pd.DataFrame, level: str) -> pd.DataFrame:
    """Sum a (exporter, sector, importer) decomposition frame to ``level`` (see :data:`LEVELS`).

    Orders of exporters, sectors and importers are kept as in the table.
    """
    if level not in LEVELS:
        raise ValueError(f"level: expected one of {', '.join(LEVELS)}, got {level!r}")
    keep = LEVELS[level]
    if keep == tuple(df.index.names):
        return df
    return df.groupby(level=list(keep), sort=False).sum()


def to_long(df: pd.DataFrame) -> pd.DataFrame:
    """Tidy long table: the index levels as columns, then ``term`` and ``value``."""
    long = df.rename_axis(columns="term").stack().rename("value").reset_index()
    return long
