"""The tables a run records (environment/records.py), checked against the indicator library on
the same MRIO, against the accounts, and against numbers derived by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gvc_abm.analysis.concentration import herfindahl
from gvc_abm.analysis.indicators import compute_indicators
from gvc_abm.analysis.mrio import read_table
from gvc_abm.analysis.regionalization import region_intra_shares
from gvc_abm.analysis.trade import trade_flows
from gvc_abm.environment.config import AgentsConfig, DriversConfig, GovernmentBehaviour, SimulationConfig
from gvc_abm.environment.model import GVCModel, run_simulation
from gvc_abm.environment.records import MEASURE_TYPES, TABLES

from .conftest import small_config

PERIODS = 4
#: C taxes everything from everyone at 20 % from period 1; A and B form a bloc in period 2
#: (zero tariffs inside); A's households prefer home goods by 0.3 log points from period 0.
DRIVERS = DriversConfig(
    tariff_shocks=[{"period": 1, "importer": "C", "exporter": "*", "rate": 0.2}],
    blocs=[{"period": 2, "bloc": "AB", "members": ["A", "B"]}],
    home_bias={"A": 0.3},
)


def config(seed: int = 0, *, governments: bool = True) -> SimulationConfig:
    agents = AgentsConfig(governments=GovernmentBehaviour(active=governments))
    return SimulationConfig(world=small_config(firms=150), periods=PERIODS, seed=seed, drivers=DRIVERS, agents=agents)


@pytest.fixture(scope="module", params=[0, 3])
def run(request):
    """A run with its MRIO kept, for two seeds."""
    return run_simulation(config(request.param), keep_tables=True)


def by_period(frame: pd.DataFrame, t: int) -> pd.DataFrame:
    return frame[frame["period"] == t].reset_index(drop=True)


def test_every_table_has_its_keys_and_one_row_per_key(run):
    G, S = 3, 2
    assert len(run.global_) == PERIODS and run.global_["period"].tolist() == list(range(PERIODS))
    assert len(run.flows) == PERIODS * G * (G - 1) and not (run.flows["exporter"] == run.flows["importer"]).any()
    assert len(run.sectors) == PERIODS * G * S
    assert not run.flows.duplicated(["period", "exporter", "importer"]).any()
    assert not run.sectors.duplicated(["period", "country", "sector"]).any()
    assert not run.regions.duplicated(["period", "kind", "region"]).any()
    # the world's regions every period, and the bloc its drivers form
    assert set(run.regions["region"]) == {"R1", "R2", "AB"}
    assert {"technology", "automation", "nu", "manufacturing_output", "manufacturing_employment", "applied_tariff",
            "home_bias", "diffusion"} <= set(run.world.columns)


def test_flows_sum_to_each_countrys_exports_and_imports(run):
    for t, table in enumerate(run.tables):
        flows, ind = by_period(run.flows, t), by_period(run.indicators, t).set_index("country")
        tf = trade_flows(table.to_mrio())  # the MRIO's own trade
        out, into = flows.groupby("exporter", sort=False).sum(numeric_only=True), flows.groupby("importer", sort=False).sum(numeric_only=True)
        countries = list(table.countries)
        np.testing.assert_allclose(out.loc[countries, "exports"], tf.exports, rtol=1e-12)
        np.testing.assert_allclose(into.loc[countries, "exports"], tf.imports, rtol=1e-12)
        np.testing.assert_allclose(out.loc[countries, "exports_intermediate"], tf.exports_intermediate, rtol=1e-12)
        np.testing.assert_allclose(into.loc[countries, "exports_final"], tf.imports_final, rtol=1e-12)
        np.testing.assert_allclose(out.loc[countries, "exports"], ind.loc[countries, "exports"], rtol=1e-12)
        np.testing.assert_allclose(flows["exports_intermediate"] + flows["exports_final"], flows["exports"], rtol=1e-12)
        # value added absorbed abroad, summed by source, is the indicators' VA exports (TBI's numerator)
        np.testing.assert_allclose(out.loc[countries, "va_absorbed"], ind.loc[countries, "va_exports"], rtol=1e-12)


def test_global_table_equals_the_indicator_library_on_the_same_mrio(run):
    regions = {"A": "R1", "B": "R1", "C": "R2"}
    for t, table in enumerate(run.tables):
        g = by_period(run.global_, t).iloc[0]
        lib = compute_indicators(table.to_mrio(), regions=regions, seed=0)
        for key, value in lib["world"].items():
            assert g[key] == pytest.approx(value, rel=1e-12, abs=1e-15), key
        # and by hand from the per-country indicators: HHI = sum of squared shares, openness = 2 sum Ex / GDP
        ind = by_period(run.indicators, t)
        s = ind["exports_intermediate"] / ind["exports_intermediate"].sum()
        assert g["hhi_exports_intermediate"] == pytest.approx(float((s**2).sum()), rel=1e-12)
        assert g["hhi_exports_final"] == pytest.approx(herfindahl(ind["exports_final"].to_numpy()), rel=1e-12)
        assert g["world_openness"] == pytest.approx(2 * ind["exports"].sum() / ind["gdp"].sum(), rel=1e-12)
        assert g["world_gdp"] == pytest.approx(ind["gdp"].sum(), rel=1e-12)
        assert g["world_real_income"] == pytest.approx(by_period(run.world, t)["real_income"].sum(), rel=1e-12)
        r = lib["regions"]
        assert g["intra_regional_share_gross"] == pytest.approx(r["intra_regional_share_gross"], rel=1e-12)
        assert g["intra_regional_share_intermediate"] == pytest.approx(r["intra_regional_share_intermediate"], rel=1e-12)
        assert g["intra_regional_share_va"] == pytest.approx(r["intra_regional_share_va"], rel=1e-12)
        assert g["communities"] == len(r["communities"])
        assert g["modularity"] == pytest.approx(r["communities_modularity"], rel=1e-12)
        assert g["region_modularity"] == pytest.approx(r["modularity_of_regions"], rel=1e-12)
        # world production length: value-added weighted mean of the countries' PLv
        assert g["production_length_world"] == pytest.approx(
            (ind["production_length_plv"] * ind["gdp"]).sum() / ind["gdp"].sum(), rel=1e-12)


def test_saved_mrio_gives_the_global_table_again(tmp_path):
    res = run_simulation(config(1), mrio_dir=tmp_path)
    for t in (0, PERIODS - 1):
        w = compute_indicators(read_table(tmp_path / f"period_{t:04d}"))["world"]  # x = Z1 + Y1 on reading
        g = by_period(res.global_, t).iloc[0]
        for key in ("hhi_exports_intermediate", "hhi_exports_final", "world_openness", "intermediate_share_world_trade",
                    "gvcp_kww_world"):
            assert g[key] == pytest.approx(w[key], rel=1e-8), key


def test_regional_shares_equal_the_regionalization_functions(run):
    for t, table in enumerate(run.tables):
        lib = compute_indicators(table.to_mrio(), regions={"A": "R1", "B": "R1", "C": "R2"})["regions"]
        reg = by_period(run.regions, t).set_index("region")
        for name in ("R1", "R2"):
            assert reg.loc[name, "kind"] == "region"
            assert reg.loc[name, "intra_share_gross"] == pytest.approx(lib["by_region_gross"][name], rel=1e-12)
            assert reg.loc[name, "intra_share_va"] == pytest.approx(lib["by_region_va"][name], rel=1e-12)
        T = trade_flows(table.to_mrio()).intermediate
        assert reg.loc["R1", "intra_share_intermediate"] == pytest.approx(
            region_intra_shares(T, ["R1", "R1", "R2"])["R1"], rel=1e-12)
        # by hand: R1's intermediate exports to its own members over all its intermediate exports
        assert reg.loc["R1", "intra_share_intermediate"] == pytest.approx(
            (T[0, 1] + T[1, 0]) / T[:2].sum(), rel=1e-12)
        # a region of one country trades with nobody inside it
        assert reg.loc["R2", "intra_share_gross"] == 0.0 and reg.loc["R2", "members"] == 1
        # KWW participation of a group: members' (DVX + FVA) over their exports
        ind = by_period(run.indicators, t).set_index("country").loc[["A", "B"]]
        assert reg.loc["R1", "gvcp_kww"] == pytest.approx(
            (ind["kww_DVX"] + ind["kww_FVA"]).sum() / ind["exports"].sum(), rel=1e-12)
        # the bloc: no members before it is signed in period 2, A and B after (then it is R1)
        assert reg.loc["AB", "kind"] == "bloc"
        if t < 2:
            assert reg.loc["AB", "members"] == 0 and reg.loc["AB", "exports"] == 0.0
        else:
            assert reg.loc["AB", "members"] == 2
            assert reg.loc["AB", "intra_share_gross"] == pytest.approx(reg.loc["R1", "intra_share_gross"], rel=1e-12)


def test_sectors_sum_to_the_country_totals(run):
    model_mask = GVCModel(config()).manufacturing
    for t, table in enumerate(run.tables):
        sec, ind = by_period(run.sectors, t), by_period(run.indicators, t).set_index("country")
        wf = by_period(run.world, t).set_index("country")
        tot = sec.groupby("country", sort=False).sum(numeric_only=True)
        c = list(table.countries)
        for col, ref in (("gross_output", ind["gross_output"]), ("value_added", ind["gdp"]), ("exports", ind["exports"]),
                         ("imports", ind["imports"])):
            np.testing.assert_allclose(tot.loc[c, col], ref.loc[c], rtol=1e-12, err_msg=col)
        # the MRIO's value added is factor income (world GDP) plus the tariffs firms paid on intermediates
        paid = table.factors[2].reshape(3, 2).sum(axis=1)
        np.testing.assert_allclose(tot.loc[c, "value_added"], wf.loc[c, "gdp"] + paid, rtol=1e-12)
        # employment is labour income over the wage; within the labour force (sticky wages)
        np.testing.assert_allclose(tot.loc[c, "employment"], wf.loc[c, "employment"], rtol=1e-8)
        np.testing.assert_allclose(tot.loc[c, "employment"], wf.loc[c, "labour_income"] / wf.loc[c, "wage"], rtol=1e-12)
        manu = sec[np.tile(model_mask, 3)].groupby("country", sort=False).sum(numeric_only=True)
        np.testing.assert_allclose(manu.loc[c, "gross_output"], wf.loc[c, "manufacturing_output"], rtol=1e-12)
        np.testing.assert_allclose(manu.loc[c, "employment"], wf.loc[c, "manufacturing_employment"], rtol=1e-12)


def test_applied_tariffs_and_home_bias_follow_the_drivers():
    res = run_simulation(config(2, governments=False))
    wf = res.world.set_index(["period", "country"])
    # C's 20 % on everything from period 1: its import-weighted tariff is 0.2 exactly, nobody else's moves
    assert wf.loc[(0, "C"), "applied_tariff"] == 0.0
    for t in range(1, PERIODS):
        assert wf.loc[(t, "C"), "applied_tariff"] == pytest.approx(0.2, rel=1e-12)
        assert wf.loc[(t, "A"), "applied_tariff"] == wf.loc[(t, "B"), "applied_tariff"] == 0.0
    fl = res.flows
    into_c = fl[(fl.importer == "C") & (fl.period >= 1)]
    np.testing.assert_allclose(into_c["applied_tariff"], 0.2, rtol=1e-12)
    assert (fl[fl.importer != "C"]["applied_tariff"] == 0).all()
    # the importer's rate is its bilateral rates weighted by its imports
    fl = fl.assign(paid=fl["applied_tariff"] * fl["exports"])
    agg = fl.groupby(["period", "importer"])[["paid", "exports"]].sum()
    np.testing.assert_allclose((agg["paid"] / agg["exports"]).to_numpy(),
                               wf.loc[agg.index, "applied_tariff"].to_numpy(), rtol=1e-12)
    # A's households apply the 0.3 log-point home bias from period 0 (below the cap), the others none
    np.testing.assert_allclose(res.world[res.world.country == "A"]["home_bias"], 0.3, rtol=1e-12)
    assert (res.world[res.world.country != "A"]["home_bias"] == 0).all()
    assert (res.world["diffusion"] == 0).all()
    # only the drivers acted: the shock (one event, restrictive) and the bloc (two joins, not restrictive)
    g = res.global_.set_index("period")
    assert g["measures_tariff_shock"].tolist() == [0, 1, 0, 0]
    assert g["policy_events"].tolist() == [0, 1, 2, 0] and g["restrictive_measures"].tolist() == [0, 1, 0, 0]


def test_measures_are_the_periods_restrictive_events_by_type(run):
    ev = run.events
    assert len(ev) > 0
    g = run.global_.set_index("period")
    for t in range(PERIODS):
        e = ev[ev.period == t]
        assert g.loc[t, "policy_events"] == len(e)
        assert g.loc[t, "restrictive_measures"] == int(e["restrictive"].sum())
        counts = e[e["restrictive"]]["instrument"].value_counts()
        for name in MEASURE_TYPES:
            assert g.loc[t, f"measures_{name}"] == counts.get(name, 0), name
    assert g[[f"measures_{n}" for n in MEASURE_TYPES]].sum(axis=1).tolist() == g["restrictive_measures"].tolist()


def test_technology_index_from_the_world_state():
    model = GVCModel(config(4, governments=False))
    for _ in range(2):
        model.step()
    w, X = model.world, model.last_result.output
    row = model.world_frame().iloc[-3:].set_index("country")
    for c, name in enumerate(w.countries):
        f = w.firms.country == c
        expected = w.country_state.technology[c] * np.exp(np.sum(X[f] * np.log(w.firms.productivity[f])) / X[f].sum())
        assert row.loc[name, "technology"] == pytest.approx(expected, rel=1e-12)
        assert row.loc[name, "automation"] == pytest.approx(np.average(w.firms.automation[f], weights=X[f]), rel=1e-12)
        assert row.loc[name, "nu"] == pytest.approx(np.average(w.firms.nu[f], weights=X[f]), rel=1e-12)


def test_tables_are_deterministic_across_runs():
    a, b = run_simulation(config(5)), run_simulation(config(5))
    for name in ("global_", "regions", "flows", "sectors", "world"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)
    assert a.global_["modularity"].notna().all() and (a.global_["communities"] >= 1).all()
    assert set(TABLES) == {"indicators", "world", "global", "regions", "flows", "sectors"}
