"""``gvc run``: tidy outputs, manifest, bit-identical reruns, one-line errors and nothing written."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pymrio
import pytest

from gvc_abm.environment.config import DefaultWorldConfig
from gvc_abm.experiments.cli import main

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
WIOD = DATA / "wiod_7x35" / "pymrio"
README = Path(__file__).resolve().parents[2] / "README.md"
TABLES = ("indicators", "world", "global", "regions", "flows", "sectors", "events")


def documented_columns(readme: str) -> dict[str, list[str]]:
    """The columns the README's "Output tables" section documents, by file: the backticked
    names in the first cell of each row of the table under ``#### `NAME.parquet` ``."""
    section = readme.split("### Output tables", 1)[1].split("\n## ", 1)[0]
    out = {}
    for block in re.split(r"^#### ", section, flags=re.M)[1:]:
        name = re.match(r"`([^`]+)\.parquet`", block).group(1)
        rows = [line for line in block.splitlines() if line.startswith("| `")]
        out[name] = [n for row in rows for n in re.findall(r"`([^`]+)`", row.split("|")[1])]
    return out


def undocumented(columns, names: list[str]) -> list[str]:
    patterns = [re.compile(re.escape(n).replace(re.escape("<type>"), "[a-z_]+") + "$") for n in names]
    return [c for c in columns if not any(p.match(c) for p in patterns)]


def test_baseline_run_writes_tidy_outputs(tmp_path):
    out = tmp_path / "run"
    assert main(["run", "baseline", "--periods", "2", "--firms", "400", "--seed", "3", "--save-mrio", "--out", str(out)]) == 0
    ind = pd.read_parquet(out / "indicators.parquet")
    world = pd.read_parquet(out / "world.parquet")
    manifest = json.loads((out / "manifest.json").read_text())
    assert list(ind.columns[:2]) == ["period", "country"] and len(ind) == 2 * len(DefaultWorldConfig().countries)
    assert {"gdp", "exports", "gvcp_kww", "omega", "mu", "nu", "tbi"} <= set(ind.columns)
    assert {"wage", "employment", "unemployment", "real_income", "price_index"} <= set(world.columns)
    assert manifest["seed"] == 3 and manifest["converged"] and len(manifest["convergence"]) == 2
    assert manifest["config"]["world"]["firms"]["count"] == 400
    assert {"numpy", "numba", "pymrio"} <= set(manifest["versions"])
    events = pd.read_parquet(out / "events.parquet")
    assert list(events.columns) == ["period", "country", "instrument", "target", "sector", "restrictive", "source", "kind"]
    io = pymrio.load_all(out / "mrio" / "period_0001")
    x = io.x.to_numpy().ravel()
    np.testing.assert_allclose(io.Z.sum(axis=0).to_numpy() + io.factor_inputs.F.sum(axis=0).to_numpy(), x, rtol=1e-12)
    np.testing.assert_allclose(io.Z.sum(axis=1).to_numpy() + io.Y.sum(axis=1).to_numpy(), x, rtol=1e-9)
    # GDP in the indicator table is the MRIO's value added; the world table's is factor income
    assert np.all(ind["gdp"].to_numpy() >= world["gdp"].to_numpy() * (1 - 1e-12))
    # every table, one row per key; every column of every table documented in the README
    tables = {name: pd.read_parquet(out / f"{name}.parquet") for name in TABLES}
    G, S = world.country.nunique(), len(DefaultWorldConfig().sectors)
    assert len(tables["global"]) == 2 and len(tables["flows"]) == 2 * G * (G - 1) and len(tables["sectors"]) == 2 * G * S
    assert set(tables["regions"].query("kind == 'region'").region) == set(world.region)
    docs = documented_columns(README.read_text(encoding="utf-8"))
    assert set(docs) == set(TABLES)
    for name, frame in tables.items():
        assert not undocumented(frame.columns, docs[name]), (name, undocumented(frame.columns, docs[name]))
    # the global table is the indicator library's on the saved MRIO (its own x), communities included
    from gvc_abm.analysis.indicators import compute_indicators
    from gvc_abm.analysis.mrio import read_table

    m = read_table(out / "mrio" / "period_0001", use_table_x=True)
    regions = dict(zip(world.country, world.region))
    lib = compute_indicators(m, regions=regions, seed=0)
    g = tables["global"].iloc[1]
    for key, value in lib["world"].items():
        assert g[key] == pytest.approx(value, rel=1e-12), key
    assert g["modularity"] == pytest.approx(lib["regions"]["communities_modularity"], rel=1e-12) and g["modularity"] > 0
    assert g["communities"] == len(lib["regions"]["communities"]) >= 2
    assert g["intra_regional_share_va"] == pytest.approx(lib["regions"]["intra_regional_share_va"], rel=1e-12)


def test_same_seed_is_bit_identical(tmp_path):
    args = ["run", "baseline", "--periods", "2", "--firms", "200", "--seed", "5"]
    assert main(args + ["--out", str(tmp_path / "a")]) == 0
    assert main(args + ["--out", str(tmp_path / "b")]) == 0
    for name in [f"{t}.parquet" for t in TABLES] + ["manifest.json"]:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert main(["run", "baseline", "--periods", "2", "--firms", "200", "--seed", "6", "--out", str(tmp_path / "c")]) == 0
    assert (tmp_path / "a" / "world.parquet").read_bytes() != (tmp_path / "c" / "world.parquet").read_bytes()


def test_named_scenario_logs_policy_events(tmp_path):
    out = tmp_path / "war"
    assert main(["run", "trade-war", "--periods", "5", "--firms", "400", "--engine", "mesa", "--out", str(out)]) == 0
    events = pd.read_parquet(out / "events.parquet")
    shocks = events[events.instrument == "tariff_shock"]
    assert set(shocks.country) == {"USA", "CHN"} and (shocks.period == 2).all() and shocks.restrictive.all()


def test_paper_run_gives_eq13_in_every_period(tmp_path):
    """The paper has no policy: the paper world's governments are passive by default, so Qu & Yang's
    equilibrium (eq. 11-13) holds in every period of ``gvc run paper``, not only in period 0."""
    out = tmp_path / "paper"
    N, mu, nu, omega = 5, 0.6, 0.45, 0.7
    assert main(["run", "paper", "--set", f"world.countries={N}", "--set", f"world.mu={mu}", "--set", f"world.nu={nu}",
                 "--set", f"world.omega={omega}", "--set", "world.sizes=[1, 1.5, 2, 3, 5]", "--periods", "8",
                 "--out", str(out)]) == 0
    ind = pd.read_parquet(out / "indicators.parquet")
    assert sorted(ind.period.unique()) == list(range(8))
    T = (1 - nu) * (1 - mu) / (N - N * mu + N * mu * nu - nu)
    for _, p in ind.groupby("period"):
        ex = p["exports"].to_numpy()
        eq13 = T * (ex.sum() - ex) / ex + (N - 1) * T
        np.testing.assert_allclose(p["gvcp_qy"].to_numpy(), eq13, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(p["mu"].to_numpy(), mu, rtol=1e-9)
        np.testing.assert_allclose(p["omega"].to_numpy(), omega, rtol=1e-9)
        np.testing.assert_allclose(p["nu"].to_numpy(), nu, rtol=1e-9)
    events = pd.read_parquet(out / "events.parquet")
    assert events.empty


@pytest.mark.skipif(not WIOD.exists(), reason=f"shared WIOD 7x35 table not found at {WIOD}")
def test_calibrated_run(tmp_path):
    out = tmp_path / "cal"
    assert main(["run", "calibrated", "--set", f"world.table={WIOD}", "--periods", "1", "--out", str(out)]) == 0
    ind = pd.read_parquet(out / "indicators.parquet")
    assert len(ind) == 7


@pytest.mark.parametrize(
    "args,needle",
    [
        (["run", "paper", "--set", "world.muu=0.5"], "world.muu: Extra inputs are not permitted"),
        (["run", "paper", "--set", "world.mu=abc"], "world.mu: Input should be a valid number"),
        (["run", "baseline", "--set", "world.countries.0.labour_force=-3"], "world.countries.0.labour_force: Input should be greater than 0"),
        (["run", "baseline", "--set", "world.sectors.0.input_shares.agri=0.9"], "world.sectors.0: Value error, input_shares must sum to 1".replace("Value error, ", "")),
        (["run", "calibrated"], "world.table: Field required"),
        (["run", "nowhere"], "SCENARIO: unknown scenario 'nowhere'"),
        (["run", "baseline", "--engine", "fast"], "--engine: expected numba, mesa or reference"),
        (["run", "baseline", "--set", "drivers.home_bias.USA.30=1.0"],
         "drivers.home_bias.USA.30: period 30 is after the last period of the run, 9"),
        (["run", "baseline", "--firms", "200", "--set", "drivers.home_bias.region:Mars=1.0"],
         "drivers.home_bias.region:Mars: unknown region 'Mars'"),
        (["run", "baseline", "--firms", "200", "--set",
          "drivers.tariffs=[{importer: USA, exporter: group:rich, rate: 0.1}]"],
         "drivers.tariffs.0.exporter: unknown group 'rich'"),
        (["run", "baseline", "--firms", "200", "--set",
          "drivers.disruptions=[{start: 5, end: 6, country: ATL, loss: 0.2}]"],
         "drivers.disruptions.0.country: unknown country 'ATL'"),
    ],
)
def test_bad_input_is_one_line_exit_2_nothing_written(tmp_path, capsys, args, needle):
    out = tmp_path / "out"
    assert main(args + ["--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("gvc: error: ")
    assert needle in err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_rerun_with_force_replaces_previous_outputs(tmp_path):
    out = tmp_path / "run"
    assert main(["run", "paper", "--periods", "2", "--save-mrio", "--out", str(out)]) == 0
    assert (out / "mrio" / "period_0001").exists()
    assert main(["run", "paper", "--periods", "1", "--out", str(out)]) == 2  # results there: refused
    assert (out / "mrio" / "period_0001").exists()
    assert main(["run", "paper", "--periods", "1", "--force", "--out", str(out)]) == 0
    assert not (out / "mrio").exists()
    assert len(pd.read_parquet(out / "world.parquet")) == 5
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_reference_engine_run_matches_numba(tmp_path):
    for engine in ("numba", "reference"):
        assert main(["run", "paper", "--set", "world.countries=3", "--set", "world.firms_per_country=4",
                     "--periods", "2", "--engine", engine, "--out", str(tmp_path / engine)]) == 0
    a = pd.read_parquet(tmp_path / "numba" / "world.parquet")
    b = pd.read_parquet(tmp_path / "reference" / "world.parquet")
    num = a.select_dtypes("number").columns
    np.testing.assert_allclose(b[num].to_numpy(float), a[num].to_numpy(float), rtol=1e-9, atol=1e-12)


def test_scenario_from_a_config_file(tmp_path):
    cfg = tmp_path / "run.yaml"
    cfg.write_text("world:\n  kind: paper\n  countries: 3\n  mu: 0.5\nperiods: 2\nseed: 7\n")
    out = tmp_path / "out"
    assert main(["run", str(cfg), "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 7 and manifest["config"]["world"]["mu"] == 0.5 and manifest["periods"] == 2
    bad = tmp_path / "bad.toml"
    bad.write_text("periods = 2\n[world]\nkind = 'paper'\nnu = 2.0\n")
    assert main(["run", str(bad), "--out", str(tmp_path / "x")]) == 2
    assert not (tmp_path / "x").exists()


def test_the_readme_scenario_file_runs(tmp_path):
    import re

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(world:.*?)```", readme, re.S).group(1)
    (tmp_path / "s.yaml").write_text(block)
    # 16 periods: the example's last driver is the deficit schedule of period 15
    args = ["run", str(tmp_path / "s.yaml"), "--periods", "16", "--firms", "400", "--out", str(tmp_path / "o"), "-q"]
    assert main(args) == 0
    events = pd.read_parquet(tmp_path / "o" / "events.parquet")
    assert {"tariff_shock", "bloc_join"} <= set(events.instrument)


def test_one_thread_or_two_give_the_same_files(tmp_path):
    """The decisions and, from ``kernels.PARALLEL_FIRMS`` firms, the clearing run on numba's threads
    (``prange`` over fixed blocks): the same config and seed write byte-identical files with one thread or two."""
    import os
    import subprocess
    import sys

    from gvc_abm.environment import kernels

    firms = 1200
    assert firms >= kernels.PARALLEL_FIRMS  # the parallel clearing, inside a whole run
    args = ["run", "trade-war", "--periods", "4", "--firms", str(firms), "--seed", "3",
            "--set", "agents.firms.diffusion=0.1", "--set", "agents.firms.review_rate=0.5"]
    for threads in ("1", "2"):
        env = dict(os.environ, NUMBA_NUM_THREADS=threads)
        code = ("import sys; from gvc_abm.experiments.cli import main; "
                f"sys.exit(main({args + ['--quiet', '--out', str(tmp_path / threads)]!r}))")
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
    world = pd.read_parquet(tmp_path / "1" / "world.parquet")
    assert world["switches"].sum() > 0  # the decisions had something to do
    for name in [f"{t}.parquet" for t in TABLES] + ["manifest.json"]:
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes(), name
