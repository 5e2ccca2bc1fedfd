"""Figures of runs and batches, drawn with matplotlib from result tables only.

Each ``draw_*`` function draws one view onto a given Axes from :class:`~.results.RunTables`
(or a tidy batch frame) and the series of :mod:`~gvc_abm.analysis.results`; the ``*_figure``
functions lay views out on a :class:`matplotlib.figure.Figure` (no pyplot, so they are safe in
a web server's threads). ``gvc plot`` saves them and the dashboard shows them, so both show the
same numbers. Colours are the Okabe & Ito (2008) colour-blind-safe palette; regions keep one
order (alphabetical) and one colour in every figure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator
from scipy.optimize import linear_sum_assignment

from .regionalization import value_added_network
from .results import (
    WORLD,
    RunTables,
    bloc_membership,
    countries_by_region,
    export_hhi_series,
    participation_by_group,
    region_order,
    regional_va_shares,
    va_communities,
)

__all__ = [
    "OKABE_ITO", "FORMATS", "region_colours", "community_colours", "EVENT_KINDS", "EDGE_SHARE",
    "draw_network", "draw_participation", "draw_hhi", "draw_regional_shares", "draw_tbi", "draw_heatmap",
    "draw_timeline", "network_figure", "indicators_figure", "heatmap_figure", "timeline_figure",
    "overview_figure", "run_figures", "BATCH_SERIES", "batch_series", "batch_summary", "batch_differences", "batch_figures", "save_figures",
]

#: Okabe & Ito (2008): blue, orange, bluish green, vermillion, reddish purple, sky blue, yellow, black.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
#: File formats ``gvc plot`` writes.
FORMATS = ("png", "svg", "pdf")
#: Edges below this share of the largest pair's value-added trade are not drawn.
EDGE_SHARE = 0.02
#: Policy-event kinds of the timeline: instruments, marker, colour.
EVENT_KINDS = {
    "tariffs": (("sector_tariff", "targeted_tariff", "tariff_shock"), "v", OKABE_ITO[3]),
    "retaliation": (("retaliation",), "X", OKABE_ITO[4]),
    "local content, subsidies": (("local_content", "import_substitution"), "s", OKABE_ITO[1]),
    "buy local": (("buy_local",), "D", OKABE_ITO[6]),
    "blocs": (("join_bloc", "leave_bloc", "bloc_join", "bloc_leave"), "o", OKABE_ITO[0]),
    "liberalization": (("liberalize",), "^", OKABE_ITO[2]),
    "other": ((), "*", OKABE_ITO[7]),
}
_BLOC_EDGES = ("#000000", "#666666", OKABE_ITO[4], OKABE_ITO[5])
_STYLES = ("-", "--", ":", "-.")
_PERIOD = "period"
_VA_UNIT = "value added (model currency units)"


#: Region colours in region order: blue, orange, bluish green, reddish purple, sky blue,
#: vermillion, yellow (black is kept for the world).
_REGION_PALETTE = (OKABE_ITO[0], OKABE_ITO[1], OKABE_ITO[2], OKABE_ITO[4], OKABE_ITO[5], OKABE_ITO[3], OKABE_ITO[6])


def region_colours(regions: Sequence[str]) -> dict[str, str]:
    """One Okabe-Ito colour per region, in the given order (black is kept for the world)."""
    return {r: _REGION_PALETTE[k % len(_REGION_PALETTE)] for k, r in enumerate(regions)}


def community_colours(communities: Sequence[Sequence[str]], regions: Mapping[str, str],
                      colours: Mapping[str, str]) -> list[str]:
    """A colour per community: that of the region it shares most members with (one region per
    community, matched by :func:`scipy.optimize.linear_sum_assignment`), so clusters keep their
    colours from period to period; communities left over get the palette's unused colours."""
    names = list(colours)
    overlap = np.array([[sum(regions[c] == r for c in comm) for r in names] for comm in communities], dtype=float)
    rows, cols = linear_sum_assignment(-overlap)
    out = [""] * len(communities)
    for i, j in zip(rows, cols):
        if overlap[i, j] > 0:
            out[i] = colours[names[j]]
    spare = [c for c in _REGION_PALETTE if c not in colours.values()] + ["#999999"] * len(communities)
    for i in range(len(out)):
        if not out[i]:
            out[i] = spare.pop(0)
    return out


def _layout(run: RunTables):
    regions = region_order(run.countries, run.regions)
    return regions, region_colours(regions)


def _colour_ticks(labels, run: RunTables, colours: Mapping[str, str]) -> None:
    for lab in labels:
        if lab.get_text() in run.regions:
            lab.set_color(colours[run.regions[lab.get_text()]])


def _period_axis(ax) -> None:
    ax.set_xlabel(_PERIOD)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _period_of(run: RunTables, period: int | None) -> int:
    if not run.va:
        raise ValueError("no value-added matrices: the run saved no MRIO (gvc run --save-mrio)")
    return max(run.va) if period is None else int(period)


# ---------------------------------------------------------------------------- views
def draw_network(ax, run: RunTables, period: int | None = None, *, seed: int = 0) -> dict:
    """The value-added trade network of ``period``: countries at their locations, edge width by
    ``VA_rs + VA_sr``, node colour by Louvain community, node size by GDP, outline by bloc.

    Returns the community partition, its modularity and the node colours (for a legend or test).
    """
    period = _period_of(run, period)
    regions, colours = _layout(run)
    countries = list(run.countries)
    VA = run.va[period]
    graph = value_added_network(VA, countries)
    communities, q = va_communities(VA, countries, seed=seed)
    ccol = community_colours(communities, run.regions, colours)
    node_colour = {c: ccol[k] for k, comm in enumerate(communities) for c in comm}
    if run.locations is not None and all(c in run.locations for c in countries):
        pos = {c: run.locations[c] for c in countries}
        ax.set_xlabel("east-west position (thousand km)")
        ax.set_ylabel("north-south position (thousand km)")
    else:
        pos = nx.spring_layout(graph, weight="weight", seed=seed)
        ax.set_xticks([])
        ax.set_yticks([])
    weights = np.array([d["weight"] for _, _, d in graph.edges(data=True)])
    if len(weights):
        keep = [(u, v) for (u, v, d) in graph.edges(data=True) if d["weight"] >= EDGE_SHARE * weights.max()]
        widths = [0.4 + 7.0 * graph[u][v]["weight"] / weights.max() for u, v in keep]
        nx.draw_networkx_edges(graph, pos, edgelist=keep, width=widths, edge_color="#7f7f7f", alpha=0.55, ax=ax)
        if run.locations is not None:  # networkx hides the ticks; the map positions are data
            ax.tick_params(left=True, bottom=True, labelleft=True, labelbottom=True)
    ind = run.indicators[run.indicators["period"] == period].set_index("country")
    gdp = ind["gdp"].reindex(countries).to_numpy(dtype=float) if "gdp" in ind else np.ones(len(countries))
    sizes = 60.0 + 900.0 * gdp / gdp.max() if gdp.max() > 0 else np.full(len(countries), 200.0)
    blocs = bloc_membership(run.events, run.initial_blocs, period)
    bloc_names = sorted(set(blocs.values()))
    edge = [_BLOC_EDGES[bloc_names.index(blocs[c]) % len(_BLOC_EDGES)] if c in blocs else "white" for c in countries]
    lw = [2.8 if c in blocs else 0.8 for c in countries]
    xy = np.array([pos[c] for c in countries], dtype=float)
    ax.scatter(xy[:, 0], xy[:, 1], s=sizes, c=[node_colour[c] for c in countries], edgecolors=edge,
               linewidths=lw, zorder=3)
    for c, (x, y) in zip(countries, xy):
        ax.annotate(c, (x, y), xytext=(0, 9), textcoords="offset points", ha="center", fontsize=8, zorder=4)
    handles = []
    for k, comm in enumerate(communities):
        main = max(regions, key=lambda r: sum(run.regions[c] == r for c in comm))
        handles.append(Patch(color=ccol[k], label=f"community {k + 1} ({len(comm)}, mostly {main})"))
    for b in bloc_names:
        handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor="none", markersize=9,
                              markeredgewidth=2.5, markeredgecolor=_BLOC_EDGES[bloc_names.index(b) % len(_BLOC_EDGES)],
                              label=f"bloc {b}"))
    ax.legend(handles=handles, fontsize=7, loc="lower left", framealpha=0.85)
    ax.set_title(f"Value-added trade network, period {period} (modularity {q:.2f})", fontsize=10)
    ax.margins(0.12)
    return {"communities": communities, "modularity": q, "colours": node_colour, "period": period}


def draw_participation(ax, run: RunTables) -> pd.DataFrame:
    """GVC participation (KWW) forward (solid) and backward (dashed) of each region and the world."""
    regions, colours = _layout(run)
    series = participation_by_group(run.indicators, run.regions)
    for group in (WORLD, *regions):
        s = series[series["group"] == group]
        colour = "#000000" if group == WORLD else colours[group]
        ax.plot(s["period"], s["forward"], color=colour, linestyle="-", label=f"{group} forward", gid=f"{group}|forward")
        ax.plot(s["period"], s["backward"], color=colour, linestyle="--", label=f"{group} backward", gid=f"{group}|backward")
    handles = [Line2D([], [], color="#000000" if g == WORLD else colours[g], label=g) for g in (WORLD, *regions)]
    handles += [Line2D([], [], color="#555555", linestyle="-", label="forward DVX/Ex"),
                Line2D([], [], color="#555555", linestyle="--", label="backward FVA/Ex")]
    lo, hi = ax.get_ylim()
    ax.set_ylim(lo, hi + 0.3 * (hi - lo))  # headroom for the legend above the lines
    ax.legend(handles=handles, fontsize=7, ncol=4, loc="upper center", columnspacing=1.0, handlelength=1.8)
    _period_axis(ax)
    ax.set_ylabel("GVC participation (share of gross exports)")
    ax.set_title("GVC participation, KWW", fontsize=10)
    return series


def draw_hhi(ax, run: RunTables) -> pd.DataFrame:
    """Herfindahl index of world export-market shares, intermediate and final goods."""
    series = export_hhi_series(run.indicators)
    ax.plot(series["period"], series["hhi_intermediate"], color="#000000", linestyle="-", label="intermediate goods",
            gid="hhi_intermediate")
    ax.plot(series["period"], series["hhi_final"], color="#000000", linestyle="--", label="final goods", gid="hhi_final")
    ax.legend(fontsize=7)
    _period_axis(ax)
    ax.set_ylabel("export HHI (sum of squared shares, 0-1)")
    ax.set_title("Concentration of world exports", fontsize=10)
    return series


def draw_regional_shares(ax, run: RunTables) -> pd.DataFrame:
    """Each region's share of its value-added exports absorbed inside the region."""
    regions, colours = _layout(run)
    series = regional_va_shares(run.va, run.countries, run.regions)
    for reg in regions:
        s = series[series["region"] == reg]
        ax.plot(s["period"], s["share"], color=colours[reg], label=reg, gid=reg, marker="." if len(s) < 3 else None)
    if series.empty:
        ax.text(0.5, 0.5, "no MRIO saved (gvc run --save-mrio)", ha="center", va="center", transform=ax.transAxes)
    else:
        ax.legend(fontsize=7)
    _period_axis(ax)
    ax.set_ylabel("intra-regional share of VA exports (fraction)")
    ax.set_title("Regionalization of value-added trade", fontsize=10)
    return series


def draw_tbi(ax, run: RunTables) -> None:
    """Trade Benefit Index of every country (Gao, Li & Zhu 2021), coloured by region."""
    regions, colours = _layout(run)
    ind = run.indicators
    seen: dict[str, int] = {}
    for c in countries_by_region(run.countries, run.regions):
        reg = run.regions[c]
        k = seen.get(reg, 0)
        seen[reg] = k + 1
        s = ind[ind["country"] == c].sort_values("period")
        ax.plot(s["period"], s["tbi"], color=colours[reg], linestyle=_STYLES[k % len(_STYLES)], gid=c, label=c)
        ax.annotate(c, (s["period"].iloc[-1], s["tbi"].iloc[-1]), xytext=(3, 0), textcoords="offset points",
                    fontsize=6, color=colours[reg], va="center")
    ax.axhline(0.0, color="#bbbbbb", linewidth=0.8, zorder=0)
    ax.legend(handles=[Line2D([], [], color=colours[r], label=r) for r in regions], fontsize=7)
    _period_axis(ax)
    ax.set_ylabel("TBI (VA trade balance / VA trade, -1 to 1)")
    ax.set_title("Trade Benefit Index by country", fontsize=10)


def draw_heatmap(ax, run: RunTables, period: int | None = None):
    """Bilateral value-added trade ``VA_rs`` (source row, absorbing column) ordered by region,
    domestic absorption left blank, on a log colour scale. Returns the image."""
    period = _period_of(run, period)
    _, colours = _layout(run)
    order = countries_by_region(run.countries, run.regions)
    idx = [run.countries.index(c) for c in order]
    M = run.va[period][np.ix_(idx, idx)].astype(float)
    mask = np.eye(len(order), dtype=bool) | ~(M > 0)
    data = np.ma.masked_array(M, mask=mask)
    vmin = data.min() if data.count() else 1e-12
    vmax = data.max() if data.count() else 1.0
    im = ax.imshow(data, cmap="viridis", norm=LogNorm(vmin=vmin, vmax=max(vmax, vmin * (1 + 1e-9))))
    ax.set_xticks(range(len(order)), order, rotation=90, fontsize=7)
    ax.set_yticks(range(len(order)), order, fontsize=7)
    _colour_ticks(ax.get_xticklabels(), run, colours)
    _colour_ticks(ax.get_yticklabels(), run, colours)
    regs = [run.regions[c] for c in order]
    for k in range(1, len(order)):
        if regs[k] != regs[k - 1]:
            ax.axhline(k - 0.5, color="white", linewidth=1.5)
            ax.axvline(k - 0.5, color="white", linewidth=1.5)
    ax.set_xlabel("absorbing country (final demand)")
    ax.set_ylabel("source country (value added)")
    ax.set_title(f"Value-added trade, period {period}", fontsize=10)
    ax.figure.colorbar(im, ax=ax, label=_VA_UNIT, shrink=0.85)
    return im


def _kind(instrument: str) -> str:
    for kind, (instruments, _, _) in EVENT_KINDS.items():
        if instrument in instruments:
            return kind
    return "other"


def draw_timeline(ax, run: RunTables) -> None:
    """Policy events by period and country (rows by region): marker and colour by kind, filled
    for trade-restrictive measures, hollow otherwise."""
    _, colours = _layout(run)
    order = countries_by_region(run.countries, run.regions)
    row = {c: k for k, c in enumerate(order)}
    ev = run.events
    kinds = list(EVENT_KINDS)
    if ev is not None and not ev.empty:
        ev = ev.assign(kind=[_kind(i) for i in ev["instrument"]])
        for k, kind in enumerate(kinds):
            _, marker, colour = EVENT_KINDS[kind]
            offset = (k - (len(kinds) - 1) / 2) * 0.06
            for restrictive in (True, False):
                sel = ev[(ev["kind"] == kind) & (ev["restrictive"].astype(bool) == restrictive) & ev["country"].isin(row)]
                if sel.empty:
                    continue
                ax.scatter(sel["period"].to_numpy(dtype=float) + offset, [row[c] for c in sel["country"]], marker=marker,
                           s=36, facecolors=colour if restrictive else "none", edgecolors=colour if marker != "D" else "#333333",
                           linewidths=1.2, gid=f"{kind}|{'restrictive' if restrictive else 'other'}", zorder=3)
                if kind in ("tariffs", "retaliation", "blocs"):
                    for x, c, target in zip(sel["period"], sel["country"], sel["target"]):
                        if target and target != "*":
                            ax.annotate(str(target), (x + offset, row[c]), xytext=(5, -2), textcoords="offset points",
                                        fontsize=6, color="#333333")
        present = [k for k in kinds if (ev["kind"] == k).any()]
        ax.legend(handles=[Line2D([], [], marker=EVENT_KINDS[k][1], linestyle="", color=EVENT_KINDS[k][2], label=k)
                           for k in present], fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    else:
        ax.text(0.5, 0.5, "no policy events", ha="center", va="center", transform=ax.transAxes)
    periods = run.periods
    ax.set_xlim(periods.min() - 0.6, periods.max() + 0.6)
    ax.set_yticks(range(len(order)), order, fontsize=7)
    _colour_ticks(ax.get_yticklabels(), run, colours)
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.grid(axis="y", color="#eeeeee")
    _period_axis(ax)
    ax.set_title("Policy events (filled: trade-restrictive)", fontsize=10)


# ---------------------------------------------------------------------------- figures
def network_figure(run: RunTables, periods: Sequence[int] | None = None, *, width: float = 6.0) -> Figure:
    """One network panel per period (default: the first and last with a saved MRIO)."""
    if periods is None:
        periods = sorted({min(run.va), max(run.va)}) if run.va else []
    periods = list(periods) or [None]
    fig = Figure(figsize=(width * len(periods), width * 0.8), layout="constrained")
    for ax, t in zip(np.atleast_1d(fig.subplots(1, len(periods))), periods):
        draw_network(ax, run, t)
    return fig


def indicators_figure(run: RunTables, *, size=(11.0, 8.0)) -> Figure:
    """Participation, export HHI, regional VA shares and TBI over the periods, 2 x 2."""
    fig = Figure(figsize=size, layout="constrained")
    (a, b), (c, d) = fig.subplots(2, 2)
    draw_participation(a, run)
    draw_hhi(b, run)
    draw_regional_shares(c, run)
    draw_tbi(d, run)
    return fig


def heatmap_figure(run: RunTables, period: int | None = None, *, size=(6.5, 5.5)) -> Figure:
    """The bilateral value-added trade matrix of one period (default: the last)."""
    fig = Figure(figsize=size, layout="constrained")
    draw_heatmap(fig.subplots(), run, period)
    return fig


def timeline_figure(run: RunTables, *, size=(9.0, 4.5)) -> Figure:
    """The policy-event timeline."""
    fig = Figure(figsize=size, layout="constrained")
    draw_timeline(fig.subplots(), run)
    return fig


def overview_figure(run: RunTables, *, size=(11.0, 8.0)) -> Figure:
    """Network in the last period, participation, regional VA shares and TBI, 2 x 2 (the README's figure)."""
    fig = Figure(figsize=size, layout="constrained")
    (a, b), (c, d) = fig.subplots(2, 2)
    draw_network(a, run)
    draw_participation(b, run)
    draw_regional_shares(c, run)
    draw_tbi(d, run)
    if run.name:
        fig.suptitle(f"{run.name}: periods {run.periods.min()}-{run.periods.max()}", fontsize=11)
    return fig


def run_figures(run: RunTables) -> tuple[dict[str, Figure], list[str]]:
    """Every figure of one run, by file stem, and the stems skipped for want of a saved MRIO."""
    figs = {"indicators": indicators_figure(run), "events": timeline_figure(run)}
    skipped = []
    if run.va:
        figs |= {"network": network_figure(run), "heatmap": heatmap_figure(run), "overview": overview_figure(run)}
    else:
        skipped = ["network", "heatmap", "overview"]
    return figs, skipped


# ---------------------------------------------------------------------------- batches
#: Per-run series of a batch figure: column, title, unit.
BATCH_SERIES = (
    ("forward", "GVC participation, forward (DVX / Ex)", "share of gross exports"),
    ("backward", "GVC participation, backward (FVA / Ex)", "share of gross exports"),
    ("hhi_intermediate", "Export HHI, intermediate goods", "sum of squared shares, 0-1"),
    ("hhi_final", "Export HHI, final goods", "sum of squared shares, 0-1"),
)


def batch_series(frame: pd.DataFrame, params: Sequence[str] = ()) -> pd.DataFrame:
    """Per run and period: the world's KWW participation and the export HHIs.

    ``frame`` is a tidy batch frame, one row per (run, period, country) with the tags
    ``run_id, scenario, seed``, the parameter columns ``params`` and the indicator columns
    (:func:`gvc_abm.analysis.batch.load_batch`). Returns those tags, period, ``country`` =
    :data:`~.results.WORLD` and the columns of :data:`BATCH_SERIES`.
    """
    keys = ["run_id", "scenario", *params, "seed"]
    rows = []
    for tags, run in frame.groupby(keys, sort=False, dropna=False):
        part = participation_by_group(run, {c: WORLD for c in run["country"].unique()})
        part = part[part["group"] == WORLD].drop(columns="group")
        rows.append(part.merge(export_hhi_series(run), on="period").assign(**dict(zip(keys, tags)), country=WORLD))
    out = pd.concat(rows, ignore_index=True)
    return out[[*keys, "period", "country", *(c for c, _, _ in BATCH_SERIES)]]


def _group_label(row, params: Sequence[str]) -> str:
    return ", ".join([str(row["scenario"]), *(f"{p}={row[p]}" for p in params)])


def _scenario_colours(groups: Sequence[str]) -> dict[str, str]:
    palette = (OKABE_ITO[7], OKABE_ITO[3], OKABE_ITO[0], OKABE_ITO[2], OKABE_ITO[4], OKABE_ITO[1], OKABE_ITO[5])
    return {g: palette[k % len(palette)] for k, g in enumerate(groups)}


def batch_summary(frame: pd.DataFrame, params: Sequence[str] | None = None) -> pd.DataFrame:
    """Mean and 95 % interval across seeds of :data:`BATCH_SERIES` by group and period.

    Groups are scenario x parameter values; the interval is
    :func:`gvc_abm.analysis.batch.seed_summary`'s. Columns group, period, variable, n, mean,
    ci_low, ci_high.
    """
    from .batch import seed_summary

    params = list(frame.attrs.get("params", []) if params is None else params)
    series = batch_series(frame, params)
    variables = [c for c, _, _ in BATCH_SERIES]
    parts = [seed_summary(series, variables, params=params, period=t).assign(period=int(t))
             for t in sorted(series["period"].unique())]
    out = pd.concat(parts, ignore_index=True)
    out["group"] = [_group_label(r, params) for _, r in out.iterrows()]
    return out[["group", "period", "variable", "n", "mean", "ci_low", "ci_high"]]


def batch_differences(frame: pd.DataFrame, params: Sequence[str] | None = None) -> pd.DataFrame:
    """Each group's series minus the first group's at the same seed and period (common random
    numbers: a sweep's points share their seeds), with the mean and 95 % interval across seeds
    (:func:`gvc_abm.analysis.batch.seed_summary`). Columns as :func:`batch_summary`; empty
    for a batch of one group."""
    from .batch import seed_summary

    params = list(frame.attrs.get("params", []) if params is None else params)
    series = batch_series(frame, params)
    series["group"] = [_group_label(r, params) for _, r in series.iterrows()]
    groups = list(dict.fromkeys(series["group"]))
    variables = [c for c, _, _ in BATCH_SERIES]
    columns = ["group", "period", "variable", "n", "mean", "ci_low", "ci_high"]
    if len(groups) < 2:
        return pd.DataFrame(columns=columns)
    ref = series[series["group"] == groups[0]][["seed", "period", *variables]]
    rest = series[series["group"] != groups[0]]
    paired = rest.merge(ref, on=["seed", "period"], suffixes=("", "_ref"))  # seeds the reference lacks drop out
    for v in variables:
        paired[v] = paired[v] - paired[f"{v}_ref"]
    parts = [seed_summary(paired, variables, params=params, period=t).assign(period=int(t))
             for t in sorted(paired["period"].unique())]
    out = pd.concat(parts, ignore_index=True)
    out["group"] = [_group_label(r, params) for _, r in out.iterrows()]
    return out[columns]


def _band(ax, s: pd.DataFrame, colour: str, label: str, gid: str) -> None:
    low = s["ci_low"].fillna(s["mean"])
    high = s["ci_high"].fillna(s["mean"])
    ax.fill_between(s["period"], low, high, color=colour, alpha=0.2, linewidth=0, gid=f"{gid}|band")
    ax.plot(s["period"], s["mean"], color=colour, label=label, gid=f"{gid}|mean")


def batch_figures(frame: pd.DataFrame, params: Sequence[str] | None = None) -> dict[str, Figure]:
    """Figures of a batch: the mean across seeds with its 95 % band per group (scenario x
    parameter values) over the periods (``batch_indicators``), each group's difference from the
    first at the same seed (``batch_difference``, with two groups or more), the groups' means in
    the last period with their intervals (``batch_comparison``) and TBI by country in the last
    period (``batch_tbi``). A band is left out where a group has one seed."""
    from .batch import seed_summary

    params = list(frame.attrs.get("params", []) if params is None else params)
    summary = batch_summary(frame, params)
    groups = list(dict.fromkeys(summary["group"]))
    colours = _scenario_colours(groups)
    fig = Figure(figsize=(11.0, 8.0), layout="constrained")
    for ax, (col, title, unit) in zip(fig.subplots(2, 2).ravel(), BATCH_SERIES):
        for g in groups:
            s = summary[(summary["group"] == g) & (summary["variable"] == col)].sort_values("period")
            _band(ax, s, colours[g], f"{g} (n={int(s['n'].max())})", g)
        _period_axis(ax)
        ax.set_ylabel(unit)
        ax.set_title(title, fontsize=10)
        ax.legend(fontsize=7)
    fig.suptitle("Mean across seeds with 95 % confidence band", fontsize=11)
    figs = {"batch_indicators": fig}

    last = int(summary["period"].max())
    final = summary[summary["period"] == last]
    comp = Figure(figsize=(11.0, 4.0), layout="constrained")
    for ax, (col, title, unit) in zip(comp.subplots(1, len(BATCH_SERIES)), BATCH_SERIES):
        s = final[final["variable"] == col].set_index("group")
        for k, g in enumerate(groups):
            m, lo, hi = (float(s.loc[g, c]) for c in ("mean", "ci_low", "ci_high"))
            err = [[m - lo], [hi - m]] if np.isfinite(lo) else None
            ax.bar(k, m, width=0.8, color=colours[g], label=g, gid=f"{g}|bar", yerr=err, capsize=3, ecolor="#333333")
        ax.set_xticks([])
        ax.set_ylabel(unit)
        ax.set_title(title, fontsize=9)
    comp.axes[0].legend(fontsize=7)
    comp.suptitle(f"Period {last}: mean across seeds with 95 % confidence interval", fontsize=11)
    figs["batch_comparison"] = comp

    diff = batch_differences(frame, params)
    if not diff.empty:
        dfig = Figure(figsize=(11.0, 8.0), layout="constrained")
        others = list(dict.fromkeys(diff["group"]))
        for ax, (col, title, unit) in zip(dfig.subplots(2, 2).ravel(), BATCH_SERIES):
            for g in others:
                s = diff[(diff["group"] == g) & (diff["variable"] == col)].sort_values("period")
                _band(ax, s, colours[g], f"{g} (n={int(s['n'].max())})", g)
            ax.axhline(0.0, color="#bbbbbb", linewidth=0.8, zorder=0)
            _period_axis(ax)
            ax.set_ylabel(f"difference, {unit}")
            ax.set_title(title, fontsize=10)
            ax.legend(fontsize=7)
        dfig.suptitle(f"Difference from {groups[0]} at the same seed: mean with 95 % confidence band", fontsize=11)
        figs["batch_difference"] = dfig

    at_last = frame[frame["period"] == last]
    countries = list(dict.fromkeys(at_last["country"]))
    regions = dict(zip(at_last["country"], at_last["region"])) if "region" in at_last else {c: "" for c in countries}
    order = countries_by_region(countries, regions)
    rcol = region_colours(region_order(countries, regions))
    tbi = pd.concat([seed_summary(frame, ["tbi"], params=params, period=last, country=c).assign(country=c)
                     for c in order], ignore_index=True)
    tbi["group"] = [_group_label(r, params) for _, r in tbi.iterrows()]
    tbi = tbi.set_index(["group", "country"])
    width = 0.8 / max(len(groups), 1)
    tfig = Figure(figsize=(11.0, 4.0), layout="constrained")
    ax = tfig.subplots()
    for k, g in enumerate(groups):
        x = np.arange(len(order)) + (k - (len(groups) - 1) / 2) * width
        m, lo, hi = (tbi.loc[[(g, c) for c in order], col].to_numpy(dtype=float) for col in ("mean", "ci_low", "ci_high"))
        err = np.vstack([m - lo, hi - m]) if np.isfinite(lo).all() else None
        ax.bar(x, m, width=width * 0.9, color=colours[g], label=g, yerr=err, capsize=2, ecolor="#333333", gid=f"{g}|tbi")
    ax.set_xticks(range(len(order)), order, fontsize=8)
    for lab in ax.get_xticklabels():
        if regions.get(lab.get_text()):
            lab.set_color(rcol[regions[lab.get_text()]])
    ax.axhline(0.0, color="#bbbbbb", linewidth=0.8)
    ax.set_ylabel("TBI (VA trade balance / VA trade, -1 to 1)")
    ax.set_title(f"Trade Benefit Index in period {last}: mean across seeds with 95 % interval", fontsize=10)
    ax.legend(fontsize=7)
    figs["batch_tbi"] = tfig
    return figs


def save_figures(figs: Mapping[str, Figure], out: str | Path, fmt: str = "png", *, dpi: int = 110) -> list[Path]:
    """Save each figure as ``out/STEM.fmt``; returns the paths written."""
    if fmt not in FORMATS:
        raise ValueError(f"format: expected one of {', '.join(FORMATS)}, got {fmt!r}")
    out = Path(out)
    paths = []
    for stem, fig in figs.items():
        path = out / f"{stem}.{fmt}"
        fig.savefig(path, format=fmt, dpi=dpi)
        paths.append(path)
    return paths
