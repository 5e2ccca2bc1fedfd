"""The default world's data-derived numbers: the functions on hand-made inputs, then on WIOD and PWT."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gvc_abm.analysis.calibration import (
    WORLD_VALUE_ADDED_SHARE,
    historical_numbers,
    nominal_spending,
    pwt_country_facts,
    pwt_filled,
    pwt_paths,
    rounded_shares,
    technology_growth,
    world_sector_shares,
)
from gvc_abm.analysis.mrio import TableError, mrio_from_arrays, read_table
from gvc_abm.analysis.trade import intermediate_share_of_trade, trade_flows
from gvc_abm.environment.config import WIOD_SECTORS, DefaultWorldConfig
from gvc_abm.experiments.scenarios import scenario

from ..conftest import SHARED_DATA

WIOD_AGGREGATES = Path(__file__).resolve().parents[1] / "data" / "wiod_2011.json"
PWT = SHARED_DATA / "pwt91" / "pwt91.csv"


def two_country_table():
    """Countries H, F; sectors a, b, c (groups g1 = {a, b}, g2 = {c}); numbers chosen by hand."""
    Z = np.zeros((6, 6))  # rows and columns: H a, H b, H c, F a, F b, F c
    Z[0, 0], Z[1, 0], Z[2, 1], Z[3, 1], Z[5, 2] = 2.0, 1.0, 3.0, 4.0, 1.0
    Y = np.array([[5.0, 1.0], [7.0, 0.0], [6.0, 0.0], [0.0, 3.0], [1.0, 7.0], [0.0, 4.0]])
    return mrio_from_arrays(Z, Y, ["H", "F"], ["a", "b", "c"])


def test_world_sector_shares_by_hand():
    m = two_country_table()
    s = world_sector_shares(m, {"g1": ["a", "b"], "g2": ["c"]})
    # x = Z1 + Y1: H (8, 8, 9), F (7, 8, 5); column sums of Z: H (3, 7, 1), F 0; va = x - 1'Z
    np.testing.assert_allclose(s.nu, [(5 + 1 + 7 + 8) / 31, (8 + 5) / 14])
    # g1 buys 2 + 1 + 4 = 7 from g1 and 3 from g2; g2 buys 1 from g2
    np.testing.assert_allclose(s.alpha, [[0.7, 0.0], [0.3, 1.0]])
    np.testing.assert_allclose(s.beta, [24 / 34, 10 / 34])
    # exports of g1: F a -> H b 4 intermediate, H a -> F 1 and F b -> H 1 final; of g2: F c -> H c 1
    np.testing.assert_allclose(s.export_output, [6 / 31, 1 / 14])
    np.testing.assert_allclose(s.intermediate_export_share, [4 / 6, 1.0])
    # home shares of g1: intermediate 3 of 7, final 22 of 24; g2's households buy only at home
    pi_z, pi_y = 3 / 7, 22 / 24
    np.testing.assert_allclose(s.final_home_bias[0], (pi_y / (1 - pi_y)) / (pi_z / (1 - pi_z)))
    assert s.final_home_bias[1] == np.inf


def test_world_sector_shares_wants_a_partition():
    m = two_country_table()
    with pytest.raises(TableError, match="'c' is in 0 groups"):
        world_sector_shares(m, {"g1": ["a", "b"]})
    with pytest.raises(TableError, match="no sector 'd'"):
        world_sector_shares(m, {"g1": ["a", "b", "c", "d"]})


def test_rounded_shares_keep_their_total():
    np.testing.assert_allclose(rounded_shares([1 / 3, 1 / 3, 1 / 3], 2, 1.0), [0.34, 0.33, 0.33])
    d = rounded_shares([0.012345, -0.004444, -0.007901], 3, 0.0)
    assert d.sum() == pytest.approx(0.0, abs=1e-15) and d.tolist() == [0.012, -0.004, -0.008]


def test_pwt_country_facts_by_hand():
    frame = pd.DataFrame({
        "isocode": ["AAA", "BBB", "AAA"], "year": [2017, 2017, 2016], "rgdpe": [300.0, 100.0, 1.0],
        "emp": [10.0, 5.0, 1.0], "ctfp": [1.0, 0.5, 1.0], "csh_x": [0.1, 0.3, 0.0], "csh_m": [-0.2, -0.2, 0.0],
    })
    f = pwt_country_facts(frame, ["BBB", "AAA"])
    np.testing.assert_allclose(f.labour_force, [5.0, 10.0])
    np.testing.assert_allclose(f.gdp_share, [0.25, 0.75])
    raw = np.array([-0.1 * 0.25, 0.1 * 0.75])  # -(x + m) * share: BBB surplus, AAA deficit
    np.testing.assert_allclose(f.deficit, raw - np.array([0.25, 0.75]) * raw.sum())
    assert f.deficit.sum() == pytest.approx(0.0, abs=1e-15)
    frame.loc[1, "ctfp"] = np.nan
    with pytest.raises(ValueError, match="BBB has no ctfp"):
        pwt_country_facts(frame, ["AAA", "BBB"])


def pwt_frame() -> pd.DataFrame:
    """Two countries, 2000-2002, every column set by hand; BBB's 2001 row is missing and its ctfp of 2000 too."""
    return pd.DataFrame({
        "isocode": ["AAA", "AAA", "AAA", "BBB", "BBB", "CCC"], "year": [2000, 2001, 2002, 2000, 2002, 2001],
        "rgdpe": [100.0, 110.0, 121.0, 50.0, 60.0, 1.0], "rgdpo": [100.0, 105.0, 105.0, 40.0, 48.0, 1.0],
        "emp": [10.0, 10.0, 10.5, 20.0, 24.0, 1.0], "ctfp": [1.0, 1.0, 1.0, np.nan, 0.6, 1.0],
        "csh_x": [0.2, 0.2, 0.2, 0.3, 0.3, 0.0], "csh_m": [-0.3, -0.3, -0.3, -0.2, -0.2, 0.0],
    })


def test_pwt_gaps_are_filled_from_the_countrys_own_years():
    f = pwt_filled(pwt_frame(), ["BBB", "AAA"], 2000, 2002)
    assert f["isocode"].tolist() == ["BBB"] * 3 + ["AAA"] * 3 and f["year"].tolist() == [2000, 2001, 2002] * 2
    bbb = f[f.isocode == "BBB"].set_index("year")
    np.testing.assert_allclose(bbb["emp"], [20.0, 22.0, 24.0])  # the missing 2001 row, interpolated
    np.testing.assert_allclose(bbb["rgdpe"], [50.0, 55.0, 60.0])
    np.testing.assert_allclose(bbb["ctfp"], [0.6, 0.6, 0.6])  # before the first reported year: that year's value
    frame = pwt_frame()
    frame.loc[frame.isocode == "BBB", "ctfp"] = np.nan
    with pytest.raises(ValueError, match="PWT 2000-2002: BBB has no ctfp"):
        pwt_filled(frame, ["AAA", "BBB"], 2000, 2002)


def test_technology_grows_so_that_real_value_added_per_worker_follows_output_per_worker():
    # closed economy, p = A^(-1/nu) w: real value added per worker w / p = A^(1/nu) grows as y
    y = np.array([[1.0, 2.0], [1.1, 2.0], [1.21, 1.8]])
    g = technology_growth(y, 0.5)
    np.testing.assert_allclose(g, [[1.1**0.5 - 1, 0.0], [1.1**0.5 - 1, 0.9**0.5 - 1]])
    np.testing.assert_allclose(np.prod(1 + g, axis=0) ** (1 / 0.5), y[-1] / y[0])


def test_nominal_spending_grows_with_output_over_the_labour_anchor():
    Y = np.array([[1.0, 4.0], [1.2, 4.0], [1.5, 5.0]])
    L = np.array([[1.0, 2.0], [1.0, 2.2], [1.1, 2.2]])
    s = np.array([0.25, 0.75])
    want = [1.0, (0.25 * 1.2 + 0.75) / (0.25 + 0.75 * 1.1), (0.25 * 1.5 + 0.75 * 1.25) / (0.25 * 1.1 + 0.75 * 1.1)]
    np.testing.assert_allclose(nominal_spending(Y, L, s), want)
    # output growing with labour alone needs no more spending than the labour anchor gives
    np.testing.assert_allclose(nominal_spending(L * 3.0, L, s), 1.0)


def test_pwt_paths_and_the_rounded_numbers_by_hand():
    p = pwt_paths(pwt_frame(), ["AAA", "BBB"], 2000, 2002, value_added_share=0.5)
    assert p.years == (2000, 2001, 2002)
    np.testing.assert_allclose(p.facts.labour_force, [10.0, 20.0])
    np.testing.assert_allclose(p.facts.technology, [1.0, 0.6])
    np.testing.assert_allclose(p.labour_growth, [[0.0, 0.1], [0.05, 24 / 22 - 1]])
    # output per worker: AAA 10, 10.5, 10; BBB 2, 2 (44 / 22), 2
    np.testing.assert_allclose(p.technology_growth, [[1.05**0.5 - 1, 0.0], [(10 / 10.5) ** 0.5 - 1, 0.0]])
    share = np.array([100.0, 50.0]) / 150
    raw = np.array([0.1, -0.1]) * share
    np.testing.assert_allclose(p.deficit[0], raw - share * raw.sum())
    np.testing.assert_allclose(p.deficit.sum(axis=1), 0.0, atol=1e-15)
    # spending: rgdpe shares 2/3, 1/3; output AAA 1, 1.05, 1.05; BBB 1, 1.1, 1.2; labour AAA 1, 1, 1.05; BBB 1, 1.1, 1.2
    w = np.array([2 / 3, 1 / 3])
    np.testing.assert_allclose(p.spending, [1.0, (w @ [1.05, 1.1]) / (w @ [1.0, 1.1]), (w @ [1.05, 1.2]) / (w @ [1.05, 1.2])])
    n = historical_numbers(p, shortfall={2: 0.9})
    assert n["demand"] == {1: round(float(p.spending[1]), 4), 2: round(float(p.spending[2]) * 0.9, 4)}
    assert n["countries"]["BBB"] == {"labour_force": 20.0, "technology": 0.6,
                                     "deficit": round(float(p.deficit[0, 1]), 4)}
    assert n["labour_growth"]["BBB"] == {1: 0.1, 2: round(24 / 22 - 1, 4)}
    assert n["technology_growth"]["AAA"] == {1: round(1.05**0.5 - 1, 4), 2: round((10 / 10.5) ** 0.5 - 1, 4)}
    assert list(n["deficits"]) == [1, 2] and all(sum(row.values()) == pytest.approx(0, abs=1e-12)
                                                 for row in n["deficits"].values())


# ---------------------------------------------------------------- the defaults against the data


def test_default_sectors_are_wiod_2011(wiod_path):
    m = read_table(wiod_path)
    s = world_sector_shares(m, WIOD_SECTORS)
    sectors = DefaultWorldConfig().sectors
    assert [x.name for x in sectors] == list(s.names)
    np.testing.assert_allclose([x.value_added_share for x in sectors], np.round(s.nu, 3), atol=1e-12)
    np.testing.assert_allclose([x.final_demand_share for x in sectors], rounded_shares(s.beta, 3, 1.0), atol=1e-12)
    for j, sec in enumerate(sectors):
        want = rounded_shares(s.alpha[:, j], 3, 1.0)
        got = np.array([sec.input_shares.get(name, 0.0) for name in s.names])
        np.testing.assert_allclose(got, want, atol=1e-12, err_msg=sec.name)
    # mining's households home weight is WIOD's odds ratio itself (see _default_sectors)
    assert sectors[1].final_home_bias == pytest.approx(round(float(s.final_home_bias[1]), 2))


def test_stored_wiod_aggregates_are_the_tables(wiod_path):
    m = read_table(wiod_path)
    stored = json.loads(WIOD_AGGREGATES.read_text())
    s = world_sector_shares(m, WIOD_SECTORS)
    assert stored["sectors"] == list(s.names)
    assert stored["intermediate_share_of_trade"] == pytest.approx(intermediate_share_of_trade(trade_flows(m)), abs=5e-5)
    np.testing.assert_allclose(stored["export_output"], s.export_output, atol=5e-5)
    np.testing.assert_allclose(stored["intermediate_export_share"], s.intermediate_export_share, atol=5e-5)


def test_default_countries_are_pwt_2017():
    if not PWT.exists():
        pytest.skip(f"Penn World Table 9.1 not found at ../shared/data/pwt91/pwt91.csv (looked in {PWT})")
    countries = DefaultWorldConfig().countries
    f = pwt_country_facts(pd.read_csv(PWT), [c.name for c in countries], 2017)
    np.testing.assert_allclose([c.labour_force for c in countries], np.round(f.labour_force, 1), atol=1e-12)
    np.testing.assert_allclose([c.technology for c in countries], np.round(f.technology, 2), atol=1e-12)
    np.testing.assert_allclose([c.deficit for c in countries], rounded_shares(f.deficit, 4, 0.0), atol=1e-12)


def test_world_value_added_share_is_wiods(wiod_path):
    m = read_table(wiod_path)
    assert WORLD_VALUE_ADDED_SHARE == round(float(m.va.sum() / m.x.sum()), 2)


def test_historical_scenario_is_pwt_2000_2017():
    """The bundled historical scenario's countries, growth paths and deficits are historical_numbers of PWT."""
    if not PWT.exists():
        pytest.skip(f"Penn World Table 9.1 not found at ../shared/data/pwt91/pwt91.csv (looked in {PWT})")
    data = scenario("historical").data
    default = DefaultWorldConfig().countries
    codes = [c.name for c in default]
    n = historical_numbers(pwt_paths(pd.read_csv(PWT), codes, 2000, 2017), shortfall={9: 0.95})  # the 2009 crisis
    countries = data["world"]["countries"]
    assert [c["name"] for c in countries] == codes and data["periods"] == 18
    for c, d in zip(countries, default):
        assert (c["region"], c["group"], tuple(c["location"])) == (d.region, d.group, d.location)
        assert {k: c[k] for k in ("labour_force", "technology", "deficit")} == n["countries"][d.name], d.name
    drivers = data["drivers"]
    assert drivers["labour_growth"] == n["labour_growth"]
    assert drivers["technology_growth"] == n["technology_growth"]
    assert drivers["deficits"] == n["deficits"]
    assert drivers["demand"] == n["demand"]
