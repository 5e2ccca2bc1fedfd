"""All GVC indicators of one MRIO table, as a nested dict (JSON) or a flat table.

This module has no formulas of its own: it factorizes ``I - A`` once, computes the
shared parts (value-added multipliers ``W = S diag(v) B``, trade flows, local inverses)
and hands them to the indicator functions of the other modules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .concentration import export_hhi
from .kww import KWW_TERMS, KWWDecomposition, kww_from_parts
from .leontief import LeontiefSolver, input_coefficients, local_inverses, safe_divide, value_added_coefficients, value_added_multipliers
from .length import downstreamness, gvc_production_length, production_lengths, upstreamness, world_production_length
from .localization import home_share_final, home_share_intermediate, value_added_ratio
from .mrio import MRIO, TableError, as_mrio
from .participation import kww_participation, kww_vs_participation, qy_participation, value_added_flow_matrix
from .regionalization import intra_regional_share, partition_modularity, region_intra_shares, trade_communities, value_added_network
from .trade import TradeFlows, intermediate_share_of_trade, openness, trade_flows
from .value_added_trade import trade_benefit_index, value_added_absorption

__all__ = ["COUNTRY_FIELDS", "KWW_FIELDS", "WORLD_FIELDS", "IndicatorSet", "compute_indicators", "indicator_set",
           "indicator_arrays", "indicators_table", "table_from_indicators"]

#: Per-country scalar fields, in output order (the KWW block is nested under "kww").
COUNTRY_FIELDS = (
    "gdp", "gross_output", "exports", "imports", "exports_intermediate", "exports_final",
    "imports_intermediate", "imports_final", "openness",
    "gvcp_kww", "gvcp_kww_forward", "gvcp_kww_backward", "gvcp_kww_vs", "gvcp_kww_vs_backward",
    "gvcp_qy", "gvcp_qy_forward", "gvcp_qy_backward",
    "omega", "mu", "nu", "tbi", "va_exports", "va_imports",
    "upstreamness", "downstreamness", "production_length_plv", "production_length_ply", "production_length_gvc",
)
KWW_FIELDS = KWW_TERMS + ("VAX", "DVA", "RDV", "FVA", "PDC", "DVX")
WORLD_FIELDS = (
    "world_gdp", "world_gross_output", "world_exports", "world_exports_intermediate", "world_exports_final",
    "world_openness", "hhi_exports_intermediate", "hhi_exports_final", "intermediate_share_world_trade",
    "gvcp_kww_world", "gvcp_qy_world", "production_length_world", "production_length_gvc_world",
)


def _weighted_by_country(values: np.ndarray, weights: np.ndarray, G: int) -> np.ndarray:
    return safe_divide((values * weights).reshape(G, -1).sum(axis=1), weights.reshape(G, -1).sum(axis=1))


def _compute(m: MRIO) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, float], dict[str, np.ndarray], TradeFlows]:
    """Country arrays, the KWW block, world scalars, bilateral matrices and trade flows of table ``m``."""
    G = m.G
    A = input_coefficients(m.Z, m.x)
    v = value_added_coefficients(m.va, m.x)
    solver = LeontiefSolver(A)
    W = value_added_multipliers(v, solver, G)
    flows = trade_flows(m)
    local = local_inverses(A, G)
    kww = KWWDecomposition(terms=kww_from_parts(A, m.Y, W, flows.sector_exports, local), exports=flows.exports)
    part = kww_participation(kww)
    part_vs = kww_vs_participation(kww)
    F = value_added_flow_matrix(W, flows.sector_exports)
    qy = qy_participation(F, flows.exports)
    VA = value_added_absorption(W, m.Y)
    va_off = VA - np.diag(np.diag(VA))
    y = m.Y.sum(axis=1)
    plv, ply = production_lengths(solver, v, m.va, m.x, y, G)
    pl_gvc, pl_gvc_world = gvc_production_length(A, solver, v, y, G, local)
    gdp = m.va.reshape(G, -1).sum(axis=1)
    gross_output = m.x.reshape(G, -1).sum(axis=1)
    country = {
        "gdp": gdp,
        "gross_output": gross_output,
        "exports": flows.exports,
        "imports": flows.imports,
        "exports_intermediate": flows.exports_intermediate,
        "exports_final": flows.exports_final,
        "imports_intermediate": flows.imports_intermediate,
        "imports_final": flows.imports_final,
        "openness": openness(flows.exports, flows.imports, gdp),
        "gvcp_kww": part.total,
        "gvcp_kww_forward": part.forward,
        "gvcp_kww_backward": part.backward,
        "gvcp_kww_vs": part_vs.total,
        "gvcp_kww_vs_backward": part_vs.backward,
        "gvcp_qy": qy.total,
        "gvcp_qy_forward": qy.forward,
        "gvcp_qy_backward": qy.backward,
        "omega": home_share_final(m),
        "mu": home_share_intermediate(m),
        "nu": value_added_ratio(m),
        "tbi": trade_benefit_index(VA),
        "va_exports": va_off.sum(axis=1),
        "va_imports": va_off.sum(axis=0),
        "upstreamness": _weighted_by_country(upstreamness(solver, m.x), m.x, G),
        "downstreamness": _weighted_by_country(downstreamness(solver), m.x, G),
        "production_length_plv": plv,
        "production_length_ply": ply,
        "production_length_gvc": pl_gvc,
    }
    kww_block = {name: kww.term(k + 1) for k, name in enumerate(KWW_TERMS)}
    kww_block.update(VAX=kww.VAX, DVA=kww.DVA, RDV=kww.RDV, FVA=kww.FVA, PDC=kww.PDC, DVX=kww.DVX)
    hhi_int, hhi_fin = export_hhi(flows)
    world_ex = float(flows.exports.sum())
    world = {
        "world_gdp": float(gdp.sum()),
        "world_gross_output": float(gross_output.sum()),
        "world_exports": world_ex,
        "world_exports_intermediate": float(flows.exports_intermediate.sum()),
        "world_exports_final": float(flows.exports_final.sum()),
        "world_openness": float(safe_divide(2 * world_ex, gdp.sum())),
        "hhi_exports_intermediate": hhi_int,
        "hhi_exports_final": hhi_fin,
        "intermediate_share_world_trade": intermediate_share_of_trade(flows),
        "gvcp_kww_world": float(safe_divide((kww.DVX + kww.FVA).sum(), world_ex)),
        "gvcp_qy_world": float(safe_divide((F.sum() - np.trace(F)) * 2, world_ex)),
        "production_length_world": world_production_length(plv, gdp),
        "production_length_gvc_world": pl_gvc_world,
    }
    matrices = {"bilateral_trade": flows.bilateral, "intermediate_trade": flows.intermediate,
                "final_trade": flows.final, "va_absorption": VA}
    return country, kww_block, world, matrices, flows


def _regions_block(m: MRIO, regions: Mapping[str, str], matrices: dict[str, np.ndarray], seed: int) -> dict:
    missing = [c for c in m.countries if c not in regions]
    if missing:
        raise TableError(f"region map: no region for {', '.join(missing[:5])}")
    labels = [str(regions[c]) for c in m.countries]
    graph = value_added_network(matrices["va_absorption"], list(m.countries))
    communities, q = trade_communities(graph, seed=seed)
    return {
        "map": {c: regions[c] for c in m.countries},
        "intra_regional_share_gross": intra_regional_share(matrices["bilateral_trade"], labels),
        "intra_regional_share_intermediate": intra_regional_share(matrices["intermediate_trade"], labels),
        "intra_regional_share_va": intra_regional_share(matrices["va_absorption"], labels),
        "by_region_gross": region_intra_shares(matrices["bilateral_trade"], labels),
        "by_region_va": region_intra_shares(matrices["va_absorption"], labels),
        "modularity_of_regions": partition_modularity(graph, list(m.countries), labels),
        "communities": communities,
        "communities_modularity": q,
        "communities_seed": seed,
    }


def compute_indicators(
    m: MRIO | object, regions: Mapping[str, str] | None = None, *, seed: int = 0, meta: Mapping | None = None
) -> dict:
    """Every indicator of table ``m`` (an MRIO or a pymrio.IOSystem) as ``{"meta", "world", "countries"[, "regions"]}``.

    ``countries[NAME]`` holds :data:`COUNTRY_FIELDS` and a ``kww`` block with
    :data:`KWW_FIELDS`; ``world`` holds :data:`WORLD_FIELDS`. With a ``regions`` map
    (country -> region) a ``regions`` block adds intra-regional shares and the Louvain
    communities of the value-added network (seeded by ``seed``).
    """
    m = as_mrio(m)
    country, kww_block, world, matrices, _ = _compute(m)
    countries = {}
    for r, name in enumerate(m.countries):
        entry = {f: float(country[f][r]) for f in COUNTRY_FIELDS}
        entry["kww"] = {k: float(kww_block[k][r]) for k in KWW_FIELDS}
        countries[name] = entry
    out = {
        "meta": {
            "countries": list(m.countries),
            "sectors": list(m.sectors),
            "n_countries": m.G,
            "n_sectors": m.N,
            **dict(meta or {}),
        },
        "world": world,
        "countries": countries,
    }
    if regions is not None:
        out["regions"] = _regions_block(m, regions, matrices, seed)
    return out


def table_from_indicators(result: Mapping) -> pd.DataFrame:
    """The ``countries`` block of :func:`compute_indicators` as one row per country.

    Index ``country``; flat columns :data:`COUNTRY_FIELDS` then ``kww_T1`` ... ``kww_DVX``.
    """
    rows = {
        name: {**{f: c[f] for f in COUNTRY_FIELDS}, **{f"kww_{k}": c["kww"][k] for k in KWW_FIELDS}}
        for name, c in result["countries"].items()
    }
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "country"
    return frame


@dataclass(frozen=True)
class IndicatorSet:
    """Every indicator of one table as arrays, for callers that collect many tables (a
    simulation's periods) without a DataFrame or a dict per country.

    Attributes
    ----------
    columns : dict of (G,) arrays
        :data:`COUNTRY_FIELDS` then ``kww_T1`` ... ``kww_DVX``.
    world : dict of floats
        :data:`WORLD_FIELDS`.
    matrices : dict of (G, G) arrays
        ``bilateral_trade``, ``intermediate_trade``, ``final_trade`` (exporter x importer, zero
        diagonal) and ``va_absorption`` (``VA = V B Y``, source x absorber).
    flows : TradeFlows
        The table's gross trade, with exports by country-sector.
    """

    columns: dict[str, np.ndarray]
    world: dict[str, float]
    matrices: dict[str, np.ndarray]
    flows: TradeFlows


def indicator_set(m: MRIO | object) -> IndicatorSet:
    """Every indicator of table ``m`` (an MRIO or a pymrio.IOSystem) as an :class:`IndicatorSet`."""
    m = as_mrio(m)
    country, kww_block, world, matrices, flows = _compute(m)
    columns = {f: country[f] for f in COUNTRY_FIELDS} | {f"kww_{k}": kww_block[k] for k in KWW_FIELDS}
    return IndicatorSet(columns=columns, world=world, matrices=matrices, flows=flows)


def indicator_arrays(m: MRIO | object) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The per-country indicator columns of table ``m`` as arrays (G,), and its bilateral matrices:
    ``(columns, matrices)`` of :func:`indicator_set`."""
    s = indicator_set(m)
    return s.columns, s.matrices


def indicators_table(m: MRIO | object) -> pd.DataFrame:
    """One row per country of table ``m``, an MRIO or a pymrio.IOSystem (the columns of
    :func:`table_from_indicators`, built straight from the arrays)."""
    m = as_mrio(m)
    columns, _ = indicator_arrays(m)
    return pd.DataFrame(columns, index=pd.Index(list(m.countries), name="country"))
