"""Default-world parameters from real data: world technology shares of an MRIO, country facts of PWT.

Pure functions on a table or a data frame; the default world's numbers in
``environment/config.py`` are these functions' results on WIOD 2011 (Timmer et al. 2015) and
Penn World Table 9.1 (Feenstra, Inklaar & Timmer 2015), rounded by :func:`rounded_shares`, and
the tests recompute them from the data when it is present.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .leontief import safe_divide
from .mrio import MRIO, TableError
from .trade import trade_flows

__all__ = ["SectorShares", "world_sector_shares", "rounded_shares", "CountryFacts", "pwt_country_facts"]


@dataclass(frozen=True)
class SectorShares:
    """World technology and demand of a table aggregated to groups of its sectors (all world totals).

    Attributes
    ----------
    names : tuple of str
        The groups, in the order of the arrays.
    nu : (S,) array
        Value-added share ``nu_s = sum va / sum x`` over the group's cells (Qu & Yang 2023, eq. 1).
    alpha : (S, S) array
        ``alpha[s', s]``: group s's intermediate purchases from group s' over all its
        intermediate purchases (Cobb-Douglas input shares, columns sum to 1).
    beta : (S,) array
        Share of world final demand spent on the group (all categories, inventories included).
    export_output : (S,) array
        Gross exports over gross output of the group, ``sum E_r* / sum x`` (KWW 2014, eq. 6).
    intermediate_export_share : (S,) array
        Intermediate exports over gross exports of the group.
    final_home_bias : (S,) array
        How much more households than firms buy the group's goods at home: the odds ratio
        ``h_s = [pi^Y_s / (1 - pi^Y_s)] / [pi^Z_s / (1 - pi^Z_s)]`` of the world's home shares in
        final use ``pi^Y_s = sum_r Y_(r,s),r / sum Y_s`` and in intermediate use ``pi^Z_s`` (the
        same with Z; inf where households buy only at home). In an Armington CES facing both uses with the same prices and trade costs,
        the home weight of final demand is ``h_s`` times that of intermediates.
    """

    names: tuple[str, ...]
    nu: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray
    export_output: np.ndarray
    intermediate_export_share: np.ndarray
    final_home_bias: np.ndarray


def world_sector_shares(m: MRIO, groups: Mapping[str, Sequence[str]]) -> SectorShares:
    """Aggregate table ``m`` over countries and into ``groups`` of its sectors (group -> sector labels).

    With the aggregation matrix ``P`` (N x S, ``P[i, s] = 1`` when sector i is in group s) and
    world totals over countries: ``Z_w = P' (sum_{r,c} Z_rc) P``, ``alpha = Z_w / 1'Z_w``,
    ``nu = P'va / P'x``, ``beta = P'Y1 / 1'Y1``. Every sector of the table must be in exactly
    one group (else :class:`TableError`).
    """
    names = tuple(groups)
    P = np.zeros((m.N, len(names)))
    for s, name in enumerate(names):
        for label in groups[name]:
            if label not in m.sectors:
                raise TableError(f"sector group {name!r}: the table has no sector {label!r}")
            P[m.sectors.index(label), s] = 1.0
    per = P.sum(axis=1)
    if np.any(per != 1):
        i = int(np.flatnonzero(per != 1)[0])
        raise TableError(f"sector {m.sectors[i]!r} is in {int(per[i])} groups, must be in exactly one")
    G, N = m.G, m.N
    Zw = P.T @ m.Z.reshape(G, N, G, N).sum(axis=(0, 2)) @ P
    x = m.x.reshape(G, N).sum(axis=0) @ P
    va = m.va.reshape(G, N).sum(axis=0) @ P
    y = m.Y.sum(axis=1).reshape(G, N).sum(axis=0) @ P
    use_z = m.Z.reshape(G, N, G, N).sum(axis=3)  # [origin, sector, user]
    use_y = m.Y.reshape(G, N, G)
    home_z = np.einsum("csc->s", use_z) @ P
    home_y = np.einsum("csc->s", use_y) @ P
    pi_z = safe_divide(home_z, use_z.sum(axis=(0, 2)) @ P)
    pi_y = safe_divide(home_y, use_y.sum(axis=(0, 2)) @ P)
    flows = trade_flows(m)
    ex_int = flows.sector_exports_intermediate.reshape(G, N).sum(axis=0) @ P
    ex = flows.sector_exports.reshape(G, N).sum(axis=0) @ P
    return SectorShares(
        names=names, nu=safe_divide(va, x), alpha=Zw / Zw.sum(axis=0), beta=y / y.sum(),
        export_output=safe_divide(ex, x), intermediate_export_share=safe_divide(ex_int, ex),
        final_home_bias=_odds(pi_y) / _odds(pi_z),
    )


def _odds(p: np.ndarray) -> np.ndarray:
    """``p / (1 - p)``, inf where p = 1."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(p < 1.0, p / np.where(p < 1.0, 1.0 - p, 1.0), np.inf)


def rounded_shares(values, digits: int, total: float | None = None) -> np.ndarray:
    """``values`` rounded to ``digits`` decimals, the rounding residual put on the largest entry
    (in absolute value), so that the rounded numbers still add up to ``total`` (default: the
    rounded sum of ``values``); the way the default world's shares keep summing to 1 and its
    deficits to 0."""
    v = np.asarray(values, dtype=float)
    out = np.round(v, digits)
    target = round(float(v.sum()) if total is None else float(total), digits)
    big = int(np.argmax(np.abs(v)))
    out[big] = round(out[big] + target - out.sum(), digits)
    return out


@dataclass(frozen=True)
class CountryFacts:
    """Per-country facts of one PWT year, in the order asked for.

    Attributes
    ----------
    codes : tuple of str
    labour_force : (G,) array
        Persons engaged ``emp``, millions.
    technology : (G,) array
        TFP level at current PPPs ``ctfp`` (USA = 1).
    gdp_share : (G,) array
        Share of the group's expenditure-side real GDP ``rgdpe``.
    deficit : (G,) array
        Merchandise trade deficit as a share of the group's GDP, recentred to sum to 0 (below).
    """

    codes: tuple[str, ...]
    labour_force: np.ndarray
    technology: np.ndarray
    gdp_share: np.ndarray
    deficit: np.ndarray


def pwt_country_facts(pwt: pd.DataFrame, codes: Sequence[str], year: int = 2017) -> CountryFacts:
    """Labour force, technology and trade deficit of ``codes`` in ``year`` of a Penn World Table frame.

    ``pwt`` has PWT 9.1's columns ``isocode, year, rgdpe, emp, ctfp, csh_x, csh_m`` (``csh_m``
    negative by PWT's convention). The deficit of c as a share of the group's GDP is
    ``d_c = -(csh_x + csh_m)_c rgdpe_c / sum_k rgdpe_k`` (merchandise balance), and the group's
    net ``sum d`` is taken back in proportion to GDP, ``d_c - gdp_share_c sum_k d_k``, so that the
    deficits sum to 0 as a closed world's must (DESIGN.md). Raises :class:`ValueError` naming
    the country and column when a value is missing.
    """
    rows = pwt[pwt["year"] == year].set_index("isocode")
    cols = ["rgdpe", "emp", "ctfp", "csh_x", "csh_m"]
    for code in codes:
        if code not in rows.index:
            raise ValueError(f"PWT has no row for {code!r} in {year}")
        missing = [c for c in cols if pd.isna(rows.at[code, c])]
        if missing:
            raise ValueError(f"PWT {year}: {code} has no {', '.join(missing)}")
    r = rows.loc[list(codes), cols].astype(float)
    gdp = r["rgdpe"].to_numpy()
    share = gdp / gdp.sum()
    balance = -(r["csh_x"].to_numpy() + r["csh_m"].to_numpy()) * share
    return CountryFacts(
        codes=tuple(codes), labour_force=r["emp"].to_numpy(), technology=r["ctfp"].to_numpy(),
        gdp_share=share, deficit=balance - share * balance.sum(),
    )
