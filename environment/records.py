"""The period's records: the tidy tables a run writes, built from each period's MRIO.

One home for what a run records (STYLE.md: the Model sequences, bookkeeping lives here).
Every period :meth:`Records.add` appends one block of rows to each table:

- ``indicators`` (period, country): the indicator library's columns
  (:func:`~gvc_abm.analysis.indicators.indicator_set` on the period's MRIO);
- ``world`` (period, country): accounts of the clearing (:func:`world_rows`) and the state
  of the world's agents (:func:`state_rows`);
- ``global`` (period): the library's world scalars, world real income, regionalization and
  the Louvain communities of the value-added network, the period's policy measures by type
  (:func:`global_row`);
- ``regions`` (period, region or bloc): intra-group shares of gross, intermediate and
  value-added trade and KWW participation (:func:`region_rows`);
- ``flows`` (period, exporter, importer): bilateral trade, value added absorbed and the
  applied tariff (:func:`flow_rows`);
- ``sectors`` (period, country, sector): output, value added, employment, exports and
  imports (:func:`sector_rows`).

Every figure taken from the MRIO is computed by :mod:`gvc_abm.analysis` (no second formula
here); values are in the run's model currency (the numeraire), shares and rates are
fractions. Rows are kept as column arrays and turned into frames once, at the end of a run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gvc_abm.agents.rules import INSTRUMENTS
from gvc_abm.analysis.indicators import IndicatorSet, indicator_set
from gvc_abm.analysis.leontief import safe_divide
from gvc_abm.analysis.mrio import MRIO
from gvc_abm.analysis.participation import group_kww_participation
from gvc_abm.analysis.regionalization import (
    groups_intra_shares,
    intra_regional_share,
    modularity,
    trade_communities,
    value_added_network,
    value_added_weights,
)
from gvc_abm.analysis.trade import applied_tariffs, sector_imports

from .aggregate import PeriodTable
from .clearing import ClearingResult
from .productivity import technology_index
from .state import World
from .welfare import price_index, real_income

__all__ = ["Records", "Recorded", "TABLES", "DRIVER_INSTRUMENTS", "MEASURE_TYPES", "COMMUNITY_SEED",
           "world_rows", "state_rows", "global_row", "region_rows", "flow_rows", "sector_rows"]

#: The tables of a run, in the order ``gvc run`` writes them (``global`` is ``global.parquet``).
TABLES = ("indicators", "world", "global", "regions", "flows", "sectors")
#: Event names the drivers log (environment/model.py ``_apply_drivers``), beside the governments' instruments.
DRIVER_INSTRUMENTS = ("tariff_shock", "bloc_join", "bloc_leave")
#: Every type of measure ``global.parquet`` counts, one column ``measures_<type>`` each.
MEASURE_TYPES = tuple(n for n in INSTRUMENTS if n != "none") + DRIVER_INSTRUMENTS
#: Seed of the Louvain community search: fixed, so the communities of a table never depend on the run's seed.
COMMUNITY_SEED = 0


def world_rows(world: World, result: ClearingResult, period: int) -> dict[str, np.ndarray]:
    """Per-country state of one cleared period (macro accounts and welfare), as columns."""
    cs = world.country_state
    gdp = result.gdp
    return {
        "period": np.full(world.G, period, dtype=np.int64),
        "country": np.array(world.countries, dtype=object),
        "region": np.array(world.regions, dtype=object),
        "group": np.array(world.meta.get("groups") or ["advanced"] * world.G, dtype=object),
        "wage": result.wage.copy(),
        "rental": result.rental.copy(),
        "labour_force": cs.labour_force.copy(),
        "employment": result.employment,
        "unemployment": result.unemployment_rate(cs.labour_force),
        "gdp": gdp,
        "labour_income": result.labour_income,
        "capital_income": result.capital_income,
        "tariff_revenue": result.tariff_revenue,
        "expenditure": result.expenditure,
        "trade_deficit": cs.deficit * gdp.sum(),
        "price_index": price_index(world, result),
        "real_income": real_income(world, result),
        "converged": np.full(world.G, result.converged),
    }


def _by_country(world: World, values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted mean of a firm array in each country: ``sum_{f in c} w_f v_f / sum_{f in c} w_f``."""
    c = world.firms.country
    return safe_divide(np.bincount(c, weights=weights * values, minlength=world.G),
                       np.bincount(c, weights=weights, minlength=world.G))


def state_rows(world: World, result: ClearingResult, table: PeriodTable, mrio: MRIO, manufacturing: np.ndarray,
               initial_taste: np.ndarray, diffusion: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Per-country state of the world's agents after the clearing, as columns (G,).

    - ``technology``: ``A_c exp(sum_f X_f log z_f / sum_f X_f)`` over c's firms, the country's
      technology level times the output-weighted geometric mean of its firms' productivity
      (capacity cuts of a disruption included);
    - ``automation``, ``nu``: output-weighted means of the firms' automation a_f and
      value-added share nu_f (factor income over gross output; the indicators' ``nu`` is the
      MRIO's, whose value added also counts tariffs paid on intermediates);
    - ``manufacturing_output``, ``manufacturing_employment``: gross output x and labour
      income over the wage of the manufacturing sectors (``agents.governments.manufacturing_sectors``);
    - ``applied_tariff``: the import-weighted applied tariff
      (:func:`~gvc_abm.analysis.trade.applied_tariffs`);
    - ``home_bias``: the households' log shift of the home-goods weight,
      ``log(b_cc / b_cc(0))`` (mean over sectors; :func:`~gvc_abm.agents.rules.home_taste`);
    - ``diffusion``: the period's mean productivity gain from technology spillovers (0
      without diffusion).
    """
    fs, G, S = world.firms, world.G, world.S
    X = result.output
    labour = table.factors[0].reshape(G, S)
    taste, taste0 = np.einsum("ccs->cs", world.policy.taste), np.einsum("ccs->cs", initial_taste)
    held = taste0 > 0
    shift = np.log(np.divide(taste, taste0, out=np.ones_like(taste), where=held))
    return {
        "technology": technology_index(world),
        "automation": _by_country(world, fs.automation, X),
        "nu": _by_country(world, fs.nu, X),
        "manufacturing_output": table.x.reshape(G, S)[:, manufacturing].sum(axis=1),
        "manufacturing_employment": labour[:, manufacturing].sum(axis=1) / result.wage,
        "applied_tariff": applied_tariffs(mrio, world.policy.tariff, world.policy.final_tariff).importer,
        "home_bias": safe_divide(shift.sum(axis=1), held.sum(axis=1)),
        "diffusion": np.zeros(G) if diffusion is None else np.asarray(diffusion, dtype=float).copy(),
    }


def _groups(world: World, bloc_of: np.ndarray, bloc_names: Sequence[str]) -> list[tuple[str, str, np.ndarray]]:
    """(kind, name, members) of every region, then of every bloc (members as of this period)."""
    regions = np.asarray(world.regions, dtype=object)
    out = [("region", str(r), regions == r) for r in dict.fromkeys(world.regions)]
    out += [("bloc", str(b), np.asarray(bloc_of) == k) for k, b in enumerate(bloc_names)]
    return out


def global_row(s: IndicatorSet, world: World, real_inc: np.ndarray, period: int, events: Sequence[dict],
               converged: bool) -> dict[str, np.ndarray]:
    """The period's world row (arrays of length 1): the library's world scalars and the rest.

    ``world_real_income`` is the sum of the countries' real incomes (welfare; a change against
    a reference run is :func:`~gvc_abm.analysis.welfare.world_welfare_change`);
    ``intra_regional_share_*`` the share of world trade that stays in its region
    (:func:`~gvc_abm.analysis.regionalization.intra_regional_share`); ``communities`` and
    ``modularity`` the Louvain partition of the value-added network (seed
    :data:`COMMUNITY_SEED`) and its modularity Q, ``region_modularity`` Q of the region map on
    that network; ``policy_events`` every event of the period, ``restrictive_measures`` the
    restrictive ones and ``measures_<type>`` the restrictive ones by instrument.
    """
    labels = list(world.regions)
    m = s.matrices
    graph = value_added_network(m["va_absorption"], list(range(world.G)))  # countries by number: no relabelling
    weights = value_added_weights(m["va_absorption"])  # the graph's weight matrix, in country order
    communities, q = trade_communities(graph, seed=COMMUNITY_SEED, weights=weights)
    restrictive = [e["instrument"] for e in events if e["restrictive"]]
    row: dict[str, object] = {"period": period}
    row |= {"world_gdp": s.world["world_gdp"], "world_real_income": float(np.sum(real_inc))} | dict(s.world)
    row |= {
        "intra_regional_share_gross": intra_regional_share(m["bilateral_trade"], labels),
        "intra_regional_share_intermediate": intra_regional_share(m["intermediate_trade"], labels),
        "intra_regional_share_va": intra_regional_share(m["va_absorption"], labels),
        "communities": len(communities),
        "modularity": q,
        "region_modularity": modularity(weights, np.array([str(r) for r in labels], dtype=object)),
        "policy_events": len(events),
        "restrictive_measures": len(restrictive),
    }
    row |= {f"measures_{name}": restrictive.count(name) for name in MEASURE_TYPES}
    row |= {f"measures_{name}": restrictive.count(name) for name in dict.fromkeys(restrictive) if name not in MEASURE_TYPES}
    row["converged"] = bool(converged)
    return {k: np.array([v]) for k, v in row.items()}


def region_rows(s: IndicatorSet, world: World, period: int, bloc_of: np.ndarray,
                bloc_names: Sequence[str]) -> dict[str, np.ndarray]:
    """One row per region and per bloc: members, exports, the share of the members' gross,
    intermediate and value-added exports that stays inside the group
    (:func:`~gvc_abm.analysis.regionalization.groups_intra_shares`) and its KWW participation
    (:func:`~gvc_abm.analysis.participation.group_kww_participation`)."""
    m, c = s.matrices, s.columns
    groups = _groups(world, bloc_of, bloc_names)
    members = np.array([g[2] for g in groups], dtype=bool).reshape(len(groups), world.G)
    part = group_kww_participation(c["kww_DVX"], c["kww_FVA"], c["exports"], members)
    return {
        "period": np.full(len(groups), period, dtype=np.int64),
        "kind": np.array([g[0] for g in groups], dtype=object),
        "region": np.array([g[1] for g in groups], dtype=object),
        "members": members.sum(axis=1),
        "exports": members.astype(float) @ c["exports"],
        "intra_share_gross": groups_intra_shares(m["bilateral_trade"], members),
        "intra_share_intermediate": groups_intra_shares(m["intermediate_trade"], members),
        "intra_share_va": groups_intra_shares(m["va_absorption"], members),
        "gvcp_kww": part.total,
        "gvcp_kww_forward": part.forward,
        "gvcp_kww_backward": part.backward,
    }


def flow_rows(s: IndicatorSet, world: World, mrio: MRIO, period: int) -> dict[str, np.ndarray]:
    """One row per ordered pair of countries (exporter != importer): intermediate and final
    exports (:class:`~gvc_abm.analysis.trade.TradeFlows`), value added of the exporter absorbed
    in the importer's final demand (``VA = V B Y``, Gao, Li & Zhu 2021 eq. 1) and the applied
    trade-weighted tariff (:func:`~gvc_abm.analysis.trade.applied_tariffs`)."""
    G = world.G
    exporter, importer = np.nonzero(~np.eye(G, dtype=bool))
    names = np.array(world.countries, dtype=object)
    m = s.matrices
    tau = applied_tariffs(mrio, world.policy.tariff, world.policy.final_tariff).bilateral
    return {
        "period": np.full(exporter.size, period, dtype=np.int64),
        "exporter": names[exporter],
        "importer": names[importer],
        "exports_intermediate": m["intermediate_trade"][exporter, importer],
        "exports_final": m["final_trade"][exporter, importer],
        "exports": m["bilateral_trade"][exporter, importer],
        "va_absorbed": m["va_absorption"][exporter, importer],
        "applied_tariff": tau[exporter, importer],
    }


def sector_rows(s: IndicatorSet, world: World, mrio: MRIO, table: PeriodTable, result: ClearingResult,
                period: int) -> dict[str, np.ndarray]:
    """One row per (country, sector): gross output x, value added ``x - 1'Z`` (the MRIO's: factor
    income plus tariffs paid on intermediates), employment (labour income over the wage),
    gross exports ``E_r*`` (KWW 2014 eq. 6) and imports (:func:`~gvc_abm.analysis.trade.sector_imports`)."""
    G, S = world.G, world.S
    return {
        "period": np.full(G * S, period, dtype=np.int64),
        "country": np.repeat(np.array(world.countries, dtype=object), S),
        "sector": np.tile(np.array(world.sectors, dtype=object), G),
        "gross_output": mrio.x.copy(),
        "value_added": mrio.va.copy(),
        "employment": (table.factors[0].reshape(G, S) / result.wage[:, None]).ravel(),
        "exports": s.flows.sector_exports.copy(),
        "imports": sector_imports(mrio).ravel(),
    }


@dataclass(frozen=True)
class Recorded:
    """What one period's records computed, for the Model to reuse (governments' observations)."""

    mrio: MRIO
    indicators: IndicatorSet
    world: dict[str, np.ndarray]


class Records:
    """The tables of a run, one block of rows per period (module docstring).

    Parameters
    ----------
    manufacturing : (S,) bool array
        The sectors counted as manufacturing.
    initial_taste : (G, G, S) array
        The households' period-0 taste weights (the reference of ``home_bias``).
    """

    def __init__(self, manufacturing: np.ndarray, initial_taste: np.ndarray):
        self.manufacturing = np.asarray(manufacturing, dtype=bool)
        self.initial_taste = initial_taste
        self.rows: dict[str, list[dict[str, np.ndarray]]] = {name: [] for name in TABLES}
        self._events_seen = 0

    def add(self, world: World, result: ClearingResult, table: PeriodTable, period: int, *, events: Sequence[dict],
            pressure: np.ndarray, switches: int, bloc_of: np.ndarray, bloc_names: Sequence[str],
            diffusion: np.ndarray | None = None) -> Recorded:
        """Record one cleared period. ``events`` is the run's event log so far (the new entries
        are this period's), ``pressure`` and ``switches`` the governments' protection pressure
        and the firms' supplier switches, ``bloc_of`` / ``bloc_names`` the blocs after this
        period's moves, ``diffusion`` (G,) the spillover gain where technology diffuses."""
        mrio = table.to_mrio()
        s = indicator_set(mrio)
        G = world.G
        new = list(events[self._events_seen:])
        self._events_seen = len(events)
        wf = world_rows(world, result, period)
        wf["pressure"] = np.asarray(pressure, dtype=float).copy()
        wf["switches"] = np.full(G, switches, dtype=np.int64)
        wf |= state_rows(world, result, table, mrio, self.manufacturing, self.initial_taste, diffusion)
        self.rows["indicators"].append({"period": np.full(G, period, dtype=np.int64),
                                        "country": np.array(world.countries, dtype=object)} | s.columns)
        self.rows["world"].append(wf)
        self.rows["global"].append(global_row(s, world, wf["real_income"], period, new, result.converged))
        self.rows["regions"].append(region_rows(s, world, period, bloc_of, bloc_names))
        self.rows["flows"].append(flow_rows(s, world, mrio, period))
        self.rows["sectors"].append(sector_rows(s, world, mrio, table, result, period))
        return Recorded(mrio=mrio, indicators=s, world=wf)

    def frame(self, name: str) -> pd.DataFrame:
        """Table ``name`` (one of :data:`TABLES`) so far, as one tidy frame."""
        return _frame(self.rows[name])

    def frames(self) -> dict[str, pd.DataFrame]:
        """Every table so far, by name."""
        return {name: self.frame(name) for name in TABLES}


def _frame(rows: list[dict[str, np.ndarray]]) -> pd.DataFrame:
    """One tidy frame from per-period column dicts (built once, at the end of a run). A column a
    later period adds (a measure type first seen then) is 0 in the periods before."""
    if not rows:
        return pd.DataFrame()
    keys = list(dict.fromkeys(k for r in rows for k in r))
    if all(len(r) == len(keys) for r in rows):
        return pd.DataFrame({k: np.concatenate([r[k] for r in rows]) for k in rows[0]})
    n = [len(next(iter(r.values()))) for r in rows]
    return pd.DataFrame({k: np.concatenate([r[k] if k in r else np.zeros(n_i, dtype=np.int64) for r, n_i in zip(rows, n)])
                         for k in keys})
