"""Parameters from real data: world technology shares of an MRIO, country facts and paths of PWT.

Pure functions on a table or a data frame; the default world's numbers in
``environment/config.py`` are these functions' results on WIOD 2011 (Timmer et al. 2015) and
Penn World Table 9.1 (Feenstra, Inklaar & Timmer 2015), rounded by :func:`rounded_shares`, and
the bundled ``historical`` scenario's countries and paths for 2000-2017 are
:func:`historical_numbers` of :func:`pwt_paths`; the tests recompute both from the data when it
is present.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .leontief import safe_divide
from .mrio import MRIO, TableError
from .trade import trade_flows

__all__ = ["SectorShares", "world_sector_shares", "rounded_shares", "CountryFacts", "pwt_country_facts", "PWT_COLUMNS",
           "WORLD_VALUE_ADDED_SHARE", "pwt_filled", "technology_growth", "nominal_spending", "CountryPaths", "pwt_paths",
           "historical_numbers"]


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


#: The PWT 9.1 columns the calibration reads.
PWT_COLUMNS = ("rgdpe", "rgdpo", "emp", "ctfp", "csh_x", "csh_m")

#: World value added over world gross output of WIOD 2011, ``sum va / sum x`` (0.489; the default
#: world's sectors are calibrated to that table and its period-0 MRIO gives 0.488), two decimals.
WORLD_VALUE_ADDED_SHARE = 0.49


def pwt_filled(pwt: pd.DataFrame, codes: Sequence[str], first: int, last: int,
               columns: Sequence[str] = PWT_COLUMNS) -> pd.DataFrame:
    """The rows of ``codes`` for the years ``first..last`` of a PWT frame, every gap in ``columns`` filled.

    A missing year (no row) or value is interpolated linearly in the year between the country's
    nearest reported years, and before its first (after its last) reported year in the span takes
    that year's value; only the country's own series is used, never other countries'. Raises
    :class:`ValueError` naming the country and column when the span has no value at all. Returns
    columns ``isocode, year`` and ``columns``, ordered by ``codes`` then year.
    """
    years = list(range(first, last + 1))
    out = []
    for code in codes:
        rows = pwt[(pwt["isocode"] == code) & pwt["year"].between(first, last)].set_index("year")
        frame = pd.DataFrame(index=pd.Index(years, name="year"))
        for col in columns:
            series = rows[col].astype(float).reindex(years) if col in rows else pd.Series(np.nan, index=years)
            if series.isna().all():
                raise ValueError(f"PWT {first}-{last}: {code} has no {col}")
            frame[col] = series.interpolate(method="index", limit_direction="both")
        out.append(frame.reset_index().assign(isocode=code))
    return pd.concat(out, ignore_index=True)[["isocode", "year", *columns]]


def technology_growth(output_per_worker: np.ndarray, value_added_share: float) -> np.ndarray:
    """Growth of technology A_c that makes real value added per worker grow as ``output_per_worker``.

    Labour is the model's only primary factor (robot capital is a fixed endowment), so A_c
    carries all of measured labour productivity, capital deepening and human capital included,
    not only PWT's TFP. A_c multiplies gross output, and a rise of gross-output productivity
    raises real value added by its Domar weight, gross output over value added (Hulten 1978;
    ``1 / nu`` in a closed economy, ``p = A^(-1/nu) w``). So ``1 + g_A = (y_t / y_(t-1))^nu`` with
    ``y`` = rgdpo / emp along axis 0 (years) and ``nu`` the world's value-added share. Returns one
    row fewer than ``output_per_worker``.
    """
    y = np.asarray(output_per_worker, dtype=float)
    return (y[1:] / y[:-1]) ** value_added_share - 1.0


def nominal_spending(output: np.ndarray, labour: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """World nominal spending that keeps the price level stable, as a multiple of a labour-force anchor.

    The model's nominal anchor, world GDP, grows with the labour force valued at the first year's
    wages, ``sum_c w_c0 L_ct``; at a fixed anchor technology growth is deflation, and sticky wages
    turn the nominal wage cuts it asks of the slower-growing countries into unemployment. World
    spending that grows with real output instead is the anchor times
    ``D_t = sum_c s_c Y_ct / Y_c0  /  sum_c s_c L_ct / L_c0``, with ``Y`` real output, ``L`` the
    labour force (rows = years) and ``s`` the first year's GDP shares standing in for the wage bill's.
    Returns (T,), ``D_0 = 1``.
    """
    Y, L, s = (np.asarray(a, dtype=float) for a in (output, labour, weights))
    return ((Y / Y[0]) @ s) / ((L / L[0]) @ s)


@dataclass(frozen=True)
class CountryPaths:
    """Per-country paths of a span of PWT years, rows = years, columns = ``codes``.

    Attributes
    ----------
    codes : tuple of str
    years : tuple of int
    facts : CountryFacts
        The first year's facts (:func:`pwt_country_facts`): labour force, technology, deficit.
    labour_growth : (T - 1, G) array
        ``emp_t / emp_(t-1) - 1``, row t - 1 the growth into year t.
    technology_growth : (T - 1, G) array
        :func:`technology_growth` of rgdpo / emp.
    deficit : (T, G) array
        Each year's deficits by :func:`pwt_country_facts` (summing to 0 every year).
    spending : (T,) array
        :func:`nominal_spending` of rgdpo and emp with the first year's rgdpe shares.
    """

    codes: tuple[str, ...]
    years: tuple[int, ...]
    facts: CountryFacts
    labour_growth: np.ndarray
    technology_growth: np.ndarray
    deficit: np.ndarray
    spending: np.ndarray


def pwt_paths(pwt: pd.DataFrame, codes: Sequence[str], first: int, last: int,
              value_added_share: float = WORLD_VALUE_ADDED_SHARE) -> CountryPaths:
    """Labour-force, technology and trade-balance paths of ``codes`` from ``first`` to ``last`` in PWT.

    Gaps are filled by :func:`pwt_filled`; the labour force is ``emp`` (persons engaged), the
    technology level of the first year PWT's ``ctfp`` (USA = 1) and its growth
    :func:`technology_growth`, the deficits :func:`pwt_country_facts`' formula, year by year.
    """
    filled = pwt_filled(pwt, codes, first, last)
    years = tuple(range(first, last + 1))

    def table(col: str) -> np.ndarray:
        return filled.pivot(index="year", columns="isocode", values=col).loc[list(years), list(codes)].to_numpy()

    emp, output = table("emp"), table("rgdpo")
    facts = pwt_country_facts(filled, codes, first)
    return CountryPaths(
        codes=tuple(codes), years=years, facts=facts,
        labour_growth=emp[1:] / emp[:-1] - 1.0,
        technology_growth=technology_growth(output / emp, value_added_share),
        deficit=np.array([pwt_country_facts(filled, codes, year).deficit for year in years]),
        spending=nominal_spending(output, emp, facts.gdp_share),
    )


def historical_numbers(paths: CountryPaths, shortfall: Mapping[int, float] | None = None, digits: int = 4) -> dict:
    """The numbers of a historical scenario from ``paths``, rounded as the default world's are.

    Period t is year ``years[0] + t``. Returns ``{"countries": {code: {labour_force, technology,
    deficit}}`` (the first year: one decimal, two decimals, :func:`rounded_shares` to four decimals
    summing to 0), ``"labour_growth"`` and ``"technology_growth"`` as ``{code: {t: growth}}`` for
    t = 1..T-1 (``digits`` decimals), ``"deficits"`` as ``{t: {code: deficit}}`` for t = 1..T-1
    (each period rounded to sum to 0) and ``"demand"`` as ``{t: D_t}`` for t = 1..T-1, the spending
    path times ``shortfall[t]`` where given (a demand shock, ``{period: multiple}``).
    ``+ 0.0`` keeps negative zeros out of the file.
    """
    f, codes = paths.facts, paths.codes
    d0 = rounded_shares(f.deficit, 4, 0.0)
    countries = {c: {"labour_force": round(float(f.labour_force[i]), 1), "technology": round(float(f.technology[i]), 2),
                     "deficit": float(d0[i]) + 0.0} for i, c in enumerate(codes)}
    T = len(paths.years)

    def growth(values: np.ndarray) -> dict:
        return {c: {t: round(float(values[t - 1, i]), digits) + 0.0 for t in range(1, T)} for i, c in enumerate(codes)}

    deficits = {}
    for t in range(1, T):
        d = rounded_shares(paths.deficit[t], 4, 0.0)
        deficits[t] = {c: float(d[i]) + 0.0 for i, c in enumerate(codes)}
    shortfall = dict(shortfall or {})
    demand = {t: round(float(paths.spending[t]) * shortfall.get(t, 1.0), digits) for t in range(1, T)}
    return {"countries": countries, "labour_growth": growth(paths.labour_growth),
            "technology_growth": growth(paths.technology_growth), "deficits": deficits, "demand": demand}
