"""Figures of a run and of a batch: every plotted number, read back from the artists, is the result's."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from gvc_abm.analysis import plots
from gvc_abm.analysis.indicators import compute_indicators
from gvc_abm.analysis.mrio import read_table
from gvc_abm.analysis.results import (
    bloc_membership,
    countries_by_region,
    load_run,
    participation_by_group,
    region_order,
)
from gvc_abm.analysis.value_added_trade import value_added_trade_matrix
from gvc_abm.experiments.cli import main

PERIODS = 4


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """A tiny trade war (tariffs by decree in period 2) with its MRIO saved."""
    out = tmp_path_factory.mktemp("plots") / "war"
    assert main(["run", "trade-war", "--periods", str(PERIODS), "--firms", "150", "--save-mrio", "-q",
                 "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def run(run_dir):
    return load_run(run_dir)


def _line(ax, gid):
    (line,) = [ln for ln in ax.lines if ln.get_gid() == gid]
    return line


def test_analysis_plots_import_nothing_from_the_simulation():
    code = ("import sys, gvc_abm.analysis.plots, gvc_abm.analysis.results; "
            "print([m for m in sys.modules if m.startswith(('gvc_abm.environment', 'gvc_abm.agents', 'gvc_abm.experiments'))])")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "[]"


def test_load_run_reads_tables_and_value_added_matrices(run, run_dir):
    ind = pd.read_parquet(run_dir / "indicators.parquet")
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert sorted(run.va) == list(range(PERIODS))
    assert run.countries == tuple(ind[ind.period == 0]["country"])
    for c in manifest["config"]["world"]["countries"]:
        assert run.locations[c["name"]] == tuple(c["location"]) and run.regions[c["name"]] == c["region"]
    VA = value_added_trade_matrix(read_table(run_dir / "mrio" / "period_0002"))
    np.testing.assert_array_equal(run.va[2], VA)
    # the row sums of VA are the countries' GDP (value added), as in the indicator table
    np.testing.assert_allclose(VA.sum(axis=1), ind[ind.period == 2]["gdp"].to_numpy(), rtol=1e-9)


def test_region_order_is_one_order_whatever_the_country_order():
    regions = {"USA": "Americas", "CHN": "East Asia", "DEU": "Europe", "BRA": "Americas"}
    for countries in (["USA", "CHN", "DEU", "BRA"], ["DEU", "BRA", "CHN", "USA"]):
        assert region_order(countries, regions) == ["Americas", "East Asia", "Europe"]
        assert countries_by_region(countries, regions) == ["BRA", "USA", "CHN", "DEU"]
    assert plots.region_colours(["Americas", "East Asia"]) == {"Americas": plots.OKABE_ITO[0], "East Asia": plots.OKABE_ITO[1]}


def test_time_series_plot_the_indicator_table(run, run_dir):
    ind = pd.read_parquet(run_dir / "indicators.parquet")
    fig = plots.indicators_figure(run)
    part_ax, hhi_ax, reg_ax, tbi_ax = fig.axes
    periods = np.arange(PERIODS)
    for c in run.countries:  # TBI by country: the table's column
        line = _line(tbi_ax, c)
        np.testing.assert_array_equal(line.get_xdata(), periods)
        np.testing.assert_array_equal(line.get_ydata(), ind[ind.country == c].sort_values("period")["tbi"])
    for t in periods:
        rows = ind[ind.period == t]
        mrio = read_table(run_dir / "mrio" / f"period_{t:04d}")
        full = compute_indicators(mrio, run.regions)
        # world KWW participation: sum DVX / sum Ex and sum FVA / sum Ex; their sum is the library's world value
        fwd = _line(part_ax, "World|forward").get_ydata()[t]
        bwd = _line(part_ax, "World|backward").get_ydata()[t]
        assert fwd == pytest.approx(rows["kww_DVX"].sum() / rows["exports"].sum(), rel=1e-12)
        assert bwd == pytest.approx(rows["kww_FVA"].sum() / rows["exports"].sum(), rel=1e-12)
        assert fwd + bwd == pytest.approx(full["world"]["gvcp_kww_world"], rel=1e-9)
        # a region's forward participation: its members' DVX over their exports
        east = rows[rows.country.map(run.regions) == "East Asia"]
        assert _line(part_ax, "East Asia|forward").get_ydata()[t] == pytest.approx(
            east["kww_DVX"].sum() / east["exports"].sum(), rel=1e-12)
        # export HHI: sum of squared world export shares (Qu & Yang Table 4), the library's world value
        s = rows["exports_intermediate"] / rows["exports_intermediate"].sum()
        assert _line(hhi_ax, "hhi_intermediate").get_ydata()[t] == pytest.approx((s**2).sum(), rel=1e-12)
        assert _line(hhi_ax, "hhi_final").get_ydata()[t] == pytest.approx(full["world"]["hhi_exports_final"], rel=1e-9)
        # intra-regional share of VA exports by region: the regions block of compute_indicators
        for reg, share in full["regions"]["by_region_va"].items():
            assert _line(reg_ax, reg).get_ydata()[t] == pytest.approx(share, rel=1e-9)


def test_heatmap_is_the_value_added_matrix_by_region(run, run_dir):
    fig = plots.heatmap_figure(run)
    data = fig.axes[0].images[0].get_array()
    order = countries_by_region(run.countries, run.regions)
    idx = [run.countries.index(c) for c in order]
    VA = value_added_trade_matrix(read_table(run_dir / "mrio" / f"period_{PERIODS - 1:04d}"))[np.ix_(idx, idx)]
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == order
    assert data.mask[np.diag_indices(len(order))].all()  # domestic absorption left out
    off = ~np.eye(len(order), dtype=bool)
    np.testing.assert_array_equal(data.data[off], VA[off])
    assert [run.regions[c] for c in order] == sorted(run.regions[c] for c in order)


def test_network_nodes_at_locations_coloured_by_communities(run, run_dir):
    fig = plots.network_figure(run, periods=[PERIODS - 1])
    ax = fig.axes[0]
    nodes = [c for c in ax.collections if c.get_offsets().shape == (len(run.countries), 2)][-1]
    np.testing.assert_array_equal(nodes.get_offsets(), [run.locations[c] for c in run.countries])
    colours = [tuple(rgba) for rgba in nodes.get_facecolors()]
    mrio = read_table(run_dir / "mrio" / f"period_{PERIODS - 1:04d}")
    communities = compute_indicators(mrio, run.regions)["regions"]["communities"]  # Louvain, seed 0
    for comm in communities:  # one colour per community, different colours for different ones
        assert len({colours[run.countries.index(c)] for c in comm}) == 1
    assert len(set(colours)) == len(communities)
    edges = [c for c in ax.collections if c is not nodes][0]
    VA = run.va[PERIODS - 1]
    sym = VA + VA.T
    np.fill_diagonal(sym, 0.0)
    assert len(edges.get_segments()) == int((np.triu(sym) >= plots.EDGE_SHARE * sym.max()).sum())


def test_timeline_marks_every_policy_event(run, run_dir):
    events = pd.read_parquet(run_dir / "events.parquet")
    assert (events.instrument == "tariff_shock").sum() == 2  # the decree: USA on CHN and back
    fig = plots.timeline_figure(run)
    ax = fig.axes[0]
    order = [t.get_text() for t in ax.get_yticklabels()]
    kinds = list(plots.EVENT_KINDS)
    plotted = []
    for coll in ax.collections:
        kind, restrictive = coll.get_gid().split("|")
        offset = (kinds.index(kind) - (len(kinds) - 1) / 2) * 0.06
        for x, y in coll.get_offsets():
            plotted.append((round(x - offset), order[int(y)], restrictive == "restrictive"))
    expected = [(int(p), c, bool(r)) for p, c, r in events[["period", "country", "restrictive"]].itertuples(index=False)]
    assert sorted(plotted) == sorted(expected)


def test_bloc_membership_replays_the_event_log():
    events = pd.DataFrame({
        "period": [1, 2, 3, 4], "country": ["CHN", "JPN", "CHN", "KOR"],
        "instrument": ["bloc_join", "join_bloc", "leave_bloc", "bloc_leave"], "target": ["RCEP", "RCEP", "", "ASEAN"],
        "sector": "", "restrictive": [False, False, True, True], "source": "driver",
    })
    start = {"KOR": "RCEP"}
    assert bloc_membership(events, start, 0) == {"KOR": "RCEP"}
    assert bloc_membership(events, start, 2) == {"KOR": "RCEP", "CHN": "RCEP", "JPN": "RCEP"}
    assert bloc_membership(events, start, 4) == {"KOR": "RCEP", "JPN": "RCEP"}  # KOR left ASEAN, not RCEP


# ---------------------------------------------------------------------------- batches
@pytest.fixture(scope="module")
def batch_frame():
    """A batch frame as load_batch returns it: two scenarios x two seeds of a tiny world."""
    pytest.importorskip("gvc_abm.analysis.batch", reason="the batch reader (analysis/batch.py) is not installed")
    from gvc_abm.environment.model import run_simulation
    from gvc_abm.experiments.scenarios import make_config

    rows = []
    for scenario in ("baseline", "trade-war"):
        for seed in (1, 2):
            result = run_simulation(make_config(scenario, periods=PERIODS, seed=seed, firms=150))
            ind = result.indicators.merge(result.world[["period", "country", "region"]], on=["period", "country"])
            rows.append(ind.assign(run_id=f"{scenario}-{seed}", scenario=scenario, seed=seed))
    frame = pd.concat(rows, ignore_index=True)
    frame.attrs["params"] = []
    return frame


@pytest.fixture(scope="module")
def batch_figs(batch_frame):
    return plots.batch_figures(batch_frame)


def _world_forward(frame):
    g = frame.groupby(["scenario", "seed", "period"])
    return (g["kww_DVX"].sum() / g["exports"].sum()).rename("forward").reset_index()


def test_batch_means_and_bands_across_seeds(batch_frame, batch_figs):
    figs = batch_figs
    assert set(figs) == {"batch_indicators", "batch_difference", "batch_comparison", "batch_tbi"}
    ax = figs["batch_indicators"].axes[0]  # forward participation
    fwd = _world_forward(batch_frame)
    t975 = stats.t.ppf(0.975, 1)
    for scenario in ("baseline", "trade-war"):
        by_seed = fwd[fwd.scenario == scenario].pivot(index="period", columns="seed", values="forward")
        mean = by_seed.mean(axis=1).to_numpy()
        half = t975 * by_seed.std(axis=1, ddof=1).to_numpy() / np.sqrt(2)
        np.testing.assert_allclose(_line(ax, f"{scenario}|mean").get_ydata(), mean, rtol=1e-12)
        (band,) = [c for c in ax.collections if c.get_gid() == f"{scenario}|band"]
        verts = band.get_paths()[0].vertices
        top = {round(x): y for x, y in verts[len(verts) // 2:] if np.isfinite(y)}
        bottom = {round(x): y for x, y in verts[1:len(verts) // 2] if np.isfinite(y)}
        np.testing.assert_allclose([bottom[t] for t in range(PERIODS)], mean - half, rtol=1e-9)
        np.testing.assert_allclose([top[t] for t in range(PERIODS)], mean + half, rtol=1e-9)


def test_batch_difference_pairs_runs_by_seed(batch_frame, batch_figs):
    diff = batch_figs["batch_difference"]
    fwd = _world_forward(batch_frame).pivot(index=["seed", "period"], columns="scenario", values="forward")
    paired = (fwd["trade-war"] - fwd["baseline"]).unstack("seed")
    line = _line(diff.axes[0], "trade-war|mean")
    np.testing.assert_allclose(line.get_ydata(), paired.mean(axis=1).to_numpy(), rtol=1e-9, atol=1e-15)
    assert np.allclose(line.get_ydata()[:2], 0.0)  # the same world and draws until the decree of period 2
    assert abs(line.get_ydata()[2]) > 0


def test_batch_tbi_bars_by_region(batch_frame, batch_figs):
    ax = batch_figs["batch_tbi"].axes[0]
    last = batch_frame[batch_frame.period == PERIODS - 1]
    regions = dict(zip(last.country, last.region))
    order = countries_by_region(list(regions), regions)
    assert [t.get_text() for t in ax.get_xticklabels()] == order
    bars = [p for p in ax.patches if p.get_gid() == "trade-war|tbi"]
    expected = last[last.scenario == "trade-war"].groupby("country")["tbi"].mean()[order]
    np.testing.assert_allclose([b.get_height() for b in bars], expected.to_numpy(), rtol=1e-12)


def test_participation_by_group_is_export_weighted():
    ind = pd.DataFrame({"period": [0, 0, 0], "country": ["A", "B", "C"], "kww_DVX": [1.0, 3.0, 2.0],
                        "kww_FVA": [2.0, 0.0, 1.0], "exports": [10.0, 10.0, 20.0]})
    out = participation_by_group(ind, {"A": "x", "B": "x", "C": "y"}).set_index("group")
    assert out.loc["x", "forward"] == pytest.approx(4 / 20) and out.loc["x", "backward"] == pytest.approx(2 / 20)
    assert out.loc["World", "forward"] == pytest.approx(6 / 40) and out.loc["y", "backward"] == pytest.approx(1 / 20)
