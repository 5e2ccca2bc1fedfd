"""A run's result tables, read as data, and the per-period series its figures show.

A run folder (``gvc run ... --out DIR``) holds ``indicators.parquet``, ``world.parquet``,
``events.parquet`` and ``manifest.json`` (read here; runs of this version also write
``global``, ``regions``, ``flows`` and ``sectors`` tables, read with pandas), and with ``--save-mrio`` each period's MRIO under
``mrio/period_0000`` ... . :func:`load_run` reads them into :class:`RunTables`; the dashboard
builds the same object from a live model (:meth:`RunTables.from_frames`), so files and page
show the same numbers. Every series here is an indicator of the library applied to those
tables; nothing imports the simulation.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .concentration import herfindahl
from .leontief import safe_divide
from .mrio import TableError, read_table
from .regionalization import region_intra_shares, trade_communities, value_added_network
from .value_added_trade import value_added_trade_matrix

__all__ = [
    "RUN_FILES", "ResultsError", "RunTables", "is_run_dir", "load_run", "region_order", "countries_by_region",
    "bloc_membership", "participation_by_group", "export_hhi_series", "regional_va_shares", "va_communities",
    "WORLD",
]

#: The files every ``gvc run`` folder has.
RUN_FILES = ("indicators.parquet", "world.parquet", "events.parquet", "manifest.json")
#: Label of the all-countries group in grouped series.
WORLD = "World"


class ResultsError(ValueError):
    """Result files that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class RunTables:
    """One run's tables (tidy frames, one row per period and country) and its world layout.

    ``va`` maps a period to the (G, G) value-added absorption matrix ``VA = V B Y`` of its
    MRIO (source x absorber, countries in ``countries`` order); it is empty when the run
    saved no MRIO. ``locations`` are the countries' map positions (thousands of km) where
    the world has them, ``initial_blocs`` the bloc of each country in period 0.
    """

    indicators: pd.DataFrame
    world: pd.DataFrame
    events: pd.DataFrame
    countries: tuple[str, ...]
    regions: dict[str, str]
    locations: dict[str, tuple[float, float]] | None = None
    initial_blocs: dict[str, str] = field(default_factory=dict)
    va: dict[int, np.ndarray] = field(default_factory=dict)
    name: str = ""

    @classmethod
    def from_frames(cls, indicators: pd.DataFrame, world: pd.DataFrame, events: pd.DataFrame, config: Mapping,
                    va: Mapping[int, np.ndarray] | None = None, name: str = "") -> "RunTables":
        """Tables from the frames of a run and its config as data (``SimulationConfig.to_dict()``)."""
        first = world[world["period"] == world["period"].min()]
        countries = tuple(str(c) for c in first["country"])
        regions = {str(c): str(r) for c, r in zip(first["country"], first["region"])}
        wc = config.get("world", {}) if isinstance(config, Mapping) else {}
        locations, blocs = None, {}
        if wc.get("kind") == "default":
            locations = {c["name"]: (float(c["location"][0]), float(c["location"][1])) for c in wc.get("countries", [])}
            for bloc in wc.get("trade", {}).get("blocs", []):
                for member in bloc["members"]:
                    blocs.setdefault(member, bloc["name"])  # the first bloc a country is listed in (as the model)
        return cls(indicators=indicators, world=world, events=events, countries=countries, regions=regions,
                   locations=locations, initial_blocs=blocs, va=dict(va or {}), name=name)

    @property
    def periods(self) -> np.ndarray:
        """The periods the run recorded, ascending."""
        return np.sort(self.indicators["period"].unique())


def is_run_dir(path: str | Path) -> bool:
    """Whether ``path`` is a ``gvc run`` output folder (it has every file of :data:`RUN_FILES`)."""
    path = Path(path)
    return path.is_dir() and all((path / f).is_file() for f in RUN_FILES)


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a broken file
        raise ResultsError(f"{path}: not a readable Parquet file ({type(exc).__name__})") from exc


def load_run(path: str | Path, *, with_va: bool = True) -> RunTables:
    """Read a run folder; the VA matrices come from ``mrio/period_*`` when the run saved them.

    Raises :class:`ResultsError` naming the file when a table is missing or unreadable.
    """
    path = Path(path)
    if not path.is_dir():
        raise ResultsError(f"{path}: no such folder")
    missing = [f for f in RUN_FILES if not (path / f).is_file()]
    if missing:
        raise ResultsError(f"{path}: not a run folder (no {', '.join(missing)})")
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ResultsError(f"{path / 'manifest.json'}: not valid JSON ({exc})") from exc
    frames = {name: _read_parquet(path / f"{name}.parquet") for name in ("indicators", "world", "events")}
    for name, cols in (("indicators", ("period", "country")), ("world", ("period", "country", "region"))):
        lacking = [c for c in cols if c not in frames[name].columns]
        if lacking or frames[name].empty:
            raise ResultsError(f"{path / (name + '.parquet')}: no rows or no column {', '.join(lacking) or 'period'}")
    va = {}
    if with_va and (path / "mrio").is_dir():
        for folder in sorted((path / "mrio").glob("period_*")):
            try:
                va[int(folder.name.split("_")[1])] = value_added_trade_matrix(read_table(folder))
            except (TableError, ValueError, IndexError) as exc:
                raise ResultsError(f"{folder}: {exc}") from exc
    return RunTables.from_frames(frames["indicators"], frames["world"], frames["events"], manifest.get("config", {}),
                                 va=va, name=str(manifest.get("scenario", path.name)))


# ---------------------------------------------------------------------------- layout
def region_order(countries: Sequence[str], regions: Mapping[str, str]) -> list[str]:
    """The regions of ``countries``, alphabetically: the one region order of every figure,
    whatever order a table lists its countries in."""
    return sorted({regions[c] for c in countries})


def countries_by_region(countries: Sequence[str], regions: Mapping[str, str]) -> list[str]:
    """Countries grouped by region (in :func:`region_order`), alphabetically inside a region."""
    order = {r: k for k, r in enumerate(region_order(countries, regions))}
    return sorted(countries, key=lambda c: (order[regions[c]], c))


def bloc_membership(events: pd.DataFrame, initial: Mapping[str, str], period: int) -> dict[str, str]:
    """Each country's bloc after the events of periods <= ``period`` (countries in no bloc left out).

    Replays the policy-event log: ``bloc_join`` (a driver) and ``join_bloc`` (a government)
    put the country in the bloc named by ``target``; ``bloc_leave`` takes it out of that bloc,
    ``leave_bloc`` out of any.
    """
    out = dict(initial)
    if events is None or events.empty:
        return out
    for ev in events[events["period"] <= period].itertuples(index=False):
        if ev.instrument in ("bloc_join", "join_bloc"):
            out[ev.country] = ev.target
        elif ev.instrument == "leave_bloc" or (ev.instrument == "bloc_leave" and out.get(ev.country) == ev.target):
            out.pop(ev.country, None)
    return out


# ---------------------------------------------------------------------------- series
def participation_by_group(indicators: pd.DataFrame, groups: Mapping[str, str]) -> pd.DataFrame:
    """KWW GVC participation of country groups and the world, by period (Koopman, Wang & Wei 2014).

    ``forward_g = sum_{r in g} DVX_r / sum_{r in g} Ex_r`` and ``backward_g = sum FVA / sum Ex``:
    the export-weighted mean of the members' ``gvcp_kww_forward`` and ``_backward``, the world
    value being ``gvcp_kww_world`` of :func:`~gvc_abm.analysis.indicators.compute_indicators`.
    Returns columns period, group, forward, backward (group :data:`WORLD` for all countries).
    """
    frame = indicators[["period", "country", "kww_DVX", "kww_FVA", "exports"]].copy()
    frame["group"] = frame["country"].map(groups)
    parts = [frame.assign(group=WORLD), frame]
    sums = pd.concat(parts).groupby(["period", "group"], sort=False)[["kww_DVX", "kww_FVA", "exports"]].sum()
    out = pd.DataFrame({
        "forward": safe_divide(sums["kww_DVX"].to_numpy(), sums["exports"].to_numpy()),
        "backward": safe_divide(sums["kww_FVA"].to_numpy(), sums["exports"].to_numpy()),
    }, index=sums.index).reset_index()
    return out.sort_values(["period"], kind="stable").reset_index(drop=True)


def export_hhi_series(indicators: pd.DataFrame) -> pd.DataFrame:
    """Export HHI of intermediate and final goods by period (Qu & Yang 2023, Table 4).

    :func:`~gvc_abm.analysis.concentration.herfindahl` of the countries' exports each period;
    columns period, hhi_intermediate, hhi_final (fractions).
    """
    rows = [
        {"period": int(t), "hhi_intermediate": herfindahl(g["exports_intermediate"].to_numpy()),
         "hhi_final": herfindahl(g["exports_final"].to_numpy())}
        for t, g in indicators.groupby("period", sort=True)
    ]
    return pd.DataFrame(rows, columns=["period", "hhi_intermediate", "hhi_final"])


def regional_va_shares(va: Mapping[int, np.ndarray], countries: Sequence[str], regions: Mapping[str, str]) -> pd.DataFrame:
    """Each region's intra-regional share of its value-added exports, by period.

    :func:`~gvc_abm.analysis.regionalization.region_intra_shares` of each period's ``VA``;
    columns period, region, share (fraction of the region's VA exports absorbed in the region).
    """
    labels = [regions[c] for c in countries]
    rows = [{"period": int(t), "region": reg, "share": share}
            for t in sorted(va) for reg, share in region_intra_shares(va[t], labels).items()]
    return pd.DataFrame(rows, columns=["period", "region", "share"])


def va_communities(VA: np.ndarray, countries: Sequence[str], seed: int = 0) -> tuple[list[list[str]], float]:
    """Louvain communities of the value-added trade network and their modularity Q (seeded)."""
    return trade_communities(value_added_network(VA, list(countries)), seed=seed)
