"""Sweep files: expansion into runs, stable run ids and seeds, SALib designs, one-line errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from gvc_abm.environment.config import ConfigError
from gvc_abm.experiments.sweeps import (
    design_outputs,
    load_sweep,
    parse_sweep,
    replication_seeds,
    run_id,
    sensitivity_indices,
)

TINY = {"world.firms.count": 150, "periods": 3}


def sweep(tmp_path, name="sweep.yaml", **data):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load_sweep(path)


def test_grid_expands_scenarios_points_and_seeds(tmp_path):
    s = sweep(tmp_path, scenario=["baseline", "trade-war"], set=TINY,
              vary={"agents.firms.review_rate": [0.1, 0.25, 0.5], "drivers.robot_price.2": [0.4, 1.0]}, seeds=2)
    assert len(s.runs) == 2 * 3 * 2 * 2 and len(s.points) == len(s.runs)
    first = s.runs[0]
    assert first.scenario == "baseline" and first.params == {"agents.firms.review_rate": 0.1, "drivers.robot_price.2": 0.4}
    # the dotted path reached a driver's dict key, and set reached the world
    assert first.config["drivers"]["robot_price"] == {"2": 0.4}
    assert first.config["world"]["firms"]["count"] == 150 and first.config["periods"] == 3
    assert first.config["seed"] == first.seed
    war = [r for r in s.runs if r.scenario == "trade-war"]
    assert {shock["rate"] for r in war for shock in r.config["drivers"]["tariff_shocks"]} == {0.25}
    # grid order: scenarios outermost, then the paths in file order, then replicates
    assert [r.params["agents.firms.review_rate"] for r in s.runs[:12:2]] == [0.1, 0.1, 0.25, 0.25, 0.5, 0.5]
    # replicates share their config hash, points do not
    assert s.runs[0].config_hash == s.runs[1].config_hash != s.runs[2].config_hash


def test_run_ids_are_hashes_of_config_and_seed_and_adding_seeds_keeps_them(tmp_path):
    base = dict(scenario="trade-war", set=TINY, vary={"agents.firms.review_rate": [0.1, 0.25]})
    four = sweep(tmp_path, "a.yaml", **base, seeds=4)
    again = sweep(tmp_path, "b.yaml", **base, seeds=4)
    eight = sweep(tmp_path, "c.yaml", **base, seeds=8)
    more = sweep(tmp_path, "d.yaml", **(base | {"vary": {"agents.firms.review_rate": [0.1, 0.25, 0.4]}}), seeds=4)
    assert [r.run_id for r in four.runs] == [r.run_id for r in again.runs]
    for r in four.runs:
        assert r.run_id == run_id(r.scenario, ["agents.firms.review_rate"], r.config, r.seed)
    assert len({r.run_id for r in four.runs}) == 8
    # raising seeds from 4 to 8 keeps the first four seeds and every existing run
    assert eight.seeds[:4] == four.seeds
    assert {(r.run_id, r.seed) for r in four.runs} <= {(r.run_id, r.seed) for r in eight.runs}
    # adding a grid value keeps the existing runs too
    assert {r.run_id for r in four.runs} <= {r.run_id for r in more.runs}
    # seeds come from SeedSequence(master).spawn: 63 bits of each child's state
    children = np.random.SeedSequence(0).spawn(4)
    assert list(four.seeds) == [int(c.generate_state(1, np.uint64)[0]) >> 1 for c in children]
    assert replication_seeds(7, 2) != replication_seeds(0, 2)
    # a different master seed changes every seed and id; an explicit list is used as given
    other = sweep(tmp_path, "e.yaml", **base, seeds=4, seed=1)
    assert not {r.run_id for r in other.runs} & {r.run_id for r in four.runs}
    listed = sweep(tmp_path, "f.yaml", **base, seeds=[5, 6])
    assert [r.seed for r in listed.runs] == [5, 6, 5, 6]


def test_numeric_designs_come_from_salib(tmp_path):
    vary = {"agents.firms.review_rate": {"low": 0.1, "high": 0.4}, "world.firms.links": {"low": 2, "high": 8}}
    lhs = sweep(tmp_path, "l.yaml", scenario="baseline", set=TINY, vary=vary, design="lhs", samples=5)
    rates = [r.params["agents.firms.review_rate"] for r in lhs.runs]
    links = [r.params["world.firms.links"] for r in lhs.runs]
    assert len(lhs.points) == 5 and all(0.1 <= x <= 0.4 for x in rates)
    assert all(isinstance(k, int) and 2 <= k <= 8 for k in links)  # an integer field is rounded
    # Latin hypercube: one sample in each of the 5 strata of each range
    assert sorted(int((x - 0.1) / 0.3 * 5) for x in rates) == [0, 1, 2, 3, 4]
    sob = sweep(tmp_path, "s.yaml", scenario="baseline", set=TINY, vary=vary, design="sobol", samples=4)
    assert len(sob.points) == 4 * (2 + 2)  # Saltelli: N (D + 2) without second order
    # rounded samples can coincide: such points share one run
    assert len(sob.runs) == len({r.run_id for r in sob.runs}) <= len(sob.points)
    mor = sweep(tmp_path, "m.yaml", scenario="baseline", set=TINY, vary=vary, design="morris", samples=3, levels=4)
    assert len(mor.points) == 3 * (2 + 1)  # Morris: N (D + 1)
    again = sweep(tmp_path, "m2.yaml", scenario="baseline", set=TINY, vary=vary, design="morris", samples=3, levels=4)
    assert [p["run_id"] for p in mor.points] == [p["run_id"] for p in again.points]


def test_scenario_file_is_read_beside_the_sweep(tmp_path):
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "war.yaml").write_text(
        "world: {kind: default}\nperiods: 4\ndrivers:\n  tariff_shocks: [{period: 1, importer: USA, exporter: CHN, rate: 0.5}]\n")
    s = sweep(tmp_path, scenario="configs/war.yaml", set={"world.firms.count": 150})
    (run,) = s.runs
    assert run.scenario == "configs/war.yaml" and run.config["periods"] == 4
    assert run.config["drivers"]["tariff_shocks"][0]["rate"] == 0.5


def _design_case(tmp_path, design, samples, **extra):
    vary = {"agents.firms.review_rate": {"low": 0.1, "high": 0.4}, "agents.firms.switching_cost": {"low": 0.0, "high": 0.2}}
    s = sweep(tmp_path, f"{design}.yaml", scenario="baseline", set=TINY, vary=vary, design=design, samples=samples, **extra)
    design_df = pd.DataFrame(s.points)
    # an output that depends on the first parameter only: y = 3 x1
    values = design_df.drop_duplicates("run_id").set_index("run_id")["agents.firms.review_rate"] * 3.0
    (X, Y, missing), = design_outputs(design_df, values, s.params).values()
    return s, X, Y, missing


def test_morris_indices_of_a_linear_output(tmp_path):
    s, X, Y, missing = _design_case(tmp_path, "morris", 4)
    assert missing == 0 and X.shape == (12, 2)
    np.testing.assert_allclose(Y, 3 * X[:, 0])
    res = sensitivity_indices(s.spec(), X, Y, "morris").set_index("parameter")
    # elementary effect of y = 3 x1 in SALib's unscaled units: dy / (dx / range) = 3 * (0.4 - 0.1)
    assert res.loc["agents.firms.review_rate", "mu_star"] == pytest.approx(0.9, rel=1e-9)
    assert res.loc["agents.firms.review_rate", "sigma"] == pytest.approx(0.0, abs=1e-9)
    assert res.loc["agents.firms.switching_cost", "mu_star"] == 0.0


def test_sobol_indices_of_an_output_that_ignores_a_parameter(tmp_path):
    s, X, Y, missing = _design_case(tmp_path, "sobol", 16)
    assert missing == 0 and len(Y) == 16 * 4
    res = sensitivity_indices(s.spec(), X, Y, "sobol").set_index("parameter")
    # f(A_B^2) = f(A) exactly when y ignores x2: its first-order and total indices vanish
    assert res.loc["agents.firms.switching_cost", "S1"] == pytest.approx(0.0, abs=1e-12)
    assert res.loc["agents.firms.switching_cost", "ST"] == pytest.approx(0.0, abs=1e-12)
    assert res.loc["agents.firms.review_rate", "ST"] > 0.8
    assert (res["ST_conf"] >= 0).all()


def test_design_outputs_counts_points_without_runs(tmp_path):
    s, X, Y, _ = _design_case(tmp_path, "morris", 2)
    design_df = pd.DataFrame(s.points)
    partial = pd.Series({design_df.run_id[0]: 1.0})
    (_, Y2, missing), = design_outputs(design_df, partial, s.params).values()
    assert missing == len(Y2) - 1 and Y2[0] == 1.0


BAD = [
    ({"scenario": "baseline", "vary": {"agents.firms.nope": [1, 2]}}, "vary.agents.firms.nope", "no such config key"),
    ({"scenario": "baseline", "set": {"world.firms.cnt": 100}}, "set.world.firms.cnt", "no such config key"),
    ({"scenario": "baseline", "vary": {"agents.firms.review_rate": []}}, "vary.agents.firms.review_rate", "empty list"),
    ({"scenario": "baseline", "design": "factorial"}, "design", "unknown design 'factorial'"),
    ({"scenario": "baseline", "design": "lhs", "samples": 4, "vary": {"engine": {"low": 0, "high": 1}}}, "vary.engine",
     "samples numbers"),
    ({"scenario": "baseline", "design": "sobol", "samples": 4, "vary": {"agents.firms.active": {"low": 0, "high": 1}}},
     "vary.agents.firms.active", "this field is bool"),
    ({"scenario": "baseline", "set": TINY, "vary": {"agents.firms.review_rate": [0.5, 1.5]}}, "agents.firms.review_rate",
     "less than or equal to 1"),
    ({"scenario": "baseline", "design": "sobol", "samples": 6, "vary": {"periods": {"low": 2, "high": 5}}}, "samples",
     "power of 2"),
    ({"scenario": "baseline", "design": "lhs", "vary": {"periods": {"low": 2, "high": 5}}}, "samples", "needs samples"),
    ({"scenario": "baseline", "design": "lhs", "samples": 3, "vary": {"periods": [2, 5]}}, "vary.periods", "range"),
    ({"scenario": "baseline", "vary": {"periods": {"low": 2, "high": 5}}}, "vary.periods", "a grid needs a list"),
    ({"scenario": "nowhere"}, "scenario", "unknown scenario 'nowhere'"),
    ({"scenario": "baseline", "sets": {}}, "sets", "unknown key"),
    ({"scenario": "baseline", "set": {"seed": 3}}, "set.seed", "the sweep's seeds"),
    ({"scenario": "baseline", "seeds": 0}, "seeds", "count >= 1"),
    ({"scenario": "baseline", "vary": {"world.countries.40.labour_force": [1.0]}}, "vary.world.countries.40.labour_force",
     "no list item 40"),
]


@pytest.mark.parametrize(("data", "field", "problem"), BAD, ids=[b[1] + ":" + b[2] for b in BAD])
def test_bad_sweeps_raise_one_line_naming_file_field_and_problem(tmp_path, data, field, problem):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_sweep(path)
    msg = str(err.value)
    assert "\n" not in msg and str(path) in msg and field in msg and problem in msg, msg


@pytest.mark.parametrize(("content", "problem"), [
    (b"scenario: [baseline\n", "not valid YAML"),
    ("scenario: baseline\nset: {periods: 3}\n# caf\u00e9\n".encode("latin-1"), "not UTF-8"),
    (b"", "empty file"),
    (b"- baseline\n", "must be a mapping"),
    (b"scenario: !!python/object/apply:os.system [echo hi]\n", "not valid YAML"),
])
def test_unreadable_sweep_files(tmp_path, content, problem):
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    with pytest.raises(ConfigError) as err:
        load_sweep(path)
    assert "\n" not in str(err.value) and str(path) in str(err.value) and problem in str(err.value)


def test_parse_needs_no_file():
    s = parse_sweep({"scenario": "paper", "set": {"periods": 2}, "seeds": [3]}, "inline")
    assert len(s.runs) == 1 and s.runs[0].seed == 3 and s.runs[0].config["world"]["kind"] == "paper"


def test_a_sweep_reaches_into_per_country_and_linear_schedules(tmp_path):
    s = sweep(tmp_path, scenario=["baseline"], set=TINY,
              vary={"drivers.home_bias.USA.2": [0.5, 1.0], "drivers.robot_price.linear": [True, False]}, seeds=1)
    assert len(s.runs) == 4
    first = s.runs[0]
    assert first.config["drivers"]["home_bias"] == {"USA": {"2": 0.5}}
    assert first.config["drivers"]["robot_price"] == {"linear": True}
