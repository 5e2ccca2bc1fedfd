"""Experiment batches: identical files on any number of workers, resume after SIGKILL,
corrupt files rerun, dead workers retried or recorded, flat worker memory, one-line errors."""

from __future__ import annotations

import gc
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import pyarrow.parquet as pq
import pytest
import yaml
from scipy import stats

from gvc_abm.analysis import load_batch
from gvc_abm.experiments import batch as batch_mod
from gvc_abm.experiments.batch import check_run_file, run_batch
from gvc_abm.experiments.cli import main
from gvc_abm.experiments.sweeps import load_sweep

#: A small default-kind world (three countries, two sectors, 200 firms, 30 periods; a run takes
#: about 0.15 s), and the same world with a tariff war from period 2.
PERIODS = 30
SMALL = {
    "world": {
        "kind": "default", "firms": {"count": 200, "links": 4},
        "countries": [
            {"name": "A", "region": "R1", "group": "advanced", "location": [0.0, 0.0], "labour_force": 10.0},
            {"name": "B", "region": "R1", "group": "emerging", "location": [2.0, 0.0], "labour_force": 20.0,
             "technology": 0.7},
            {"name": "C", "region": "R2", "group": "developing", "location": [8.0, 0.0], "labour_force": 30.0,
             "technology": 0.5},
        ],
        "sectors": [
            {"name": "goods", "value_added_share": 0.35, "input_shares": {"goods": 0.6, "services": 0.4},
             "automatability": 0.6, "final_demand_share": 0.4},
            {"name": "services", "value_added_share": 0.6, "input_shares": {"goods": 0.3, "services": 0.7},
             "automatability": 0.2, "final_demand_share": 0.6},
        ],
    },
    "periods": PERIODS,
}
WAR = SMALL | {"drivers": {"tariff_shocks": [{"period": 2, "importer": "B", "exporter": "C", "rate": 0.25},
                                              {"period": 2, "importer": "C", "exporter": "B", "rate": 0.25}]}}
#: Two scenarios x two switching costs x seeds.
WORLD = {"scenario": ["small.yaml", "war.yaml"], "vary": {"agents.firms.switching_cost": [0.02, 0.1]}}
TIMEOUT = 300  # seconds a test waits for a batch it started in the background (the machine may be busy)


def write(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def run_files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out / "runs").glob("*.parquet"))}


def manifest(out: Path) -> pd.DataFrame:
    return pd.read_parquet(out / "manifest.parquet")


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory):
    """The 16-run sweep (4 seeds) and the 8-run one (its first 2 seeds: the same run ids)."""
    d = tmp_path_factory.mktemp("sweeps")
    write(d / "small.yaml", SMALL)
    write(d / "war.yaml", WAR)
    return {"small": write(d / "sweep-8.yaml", WORLD | {"seeds": 2}), "large": write(d / "sweep-16.yaml", WORLD | {"seeds": 4})}


@pytest.fixture(scope="module")
def reference(sweeps, tmp_path_factory):
    """The uninterrupted serial batch of the 16-run sweep: every other batch must give its files."""
    out = tmp_path_factory.mktemp("reference") / "batch"
    counts = run_batch(load_sweep(sweeps["large"]), out, serial=True, progress=False)
    assert counts["done"] == counts["runs"] == 16 and counts["failed"] == 0
    return out


@pytest.fixture(scope="module")
def cluster2():
    """A LocalCluster of 2 worker processes the tests share (its scheduler retries runs of dead workers)."""
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address="127.0.0.1:0")
    client = Client(cluster, set_as_default=False)
    yield client
    client.close()
    cluster.close()


def assert_same_as_reference(out: Path, reference: Path) -> None:
    files, ref = run_files(out), run_files(reference)
    assert files and set(files) <= set(ref)
    for name, data in files.items():
        assert data == ref[name], name
    m = manifest(out)
    assert (m.status == "done").all() and len(m) == len(files)


def test_same_sweep_gives_identical_files_serial_one_and_two_workers(sweeps, reference, cluster2, tmp_path):
    small = load_sweep(sweeps["small"])
    one = run_batch(small, tmp_path / "one", workers=1, progress=False)
    two = run_batch(small, tmp_path / "two", client=cluster2, progress=False)
    assert one["done"] == two["done"] == 8
    assert_same_as_reference(tmp_path / "one", reference)
    assert_same_as_reference(tmp_path / "two", reference)
    m = manifest(tmp_path / "two")
    assert m.worker.nunique() == 2  # both workers ran runs
    assert (m.wall_time > 0).all() and m.sha256.str.len().eq(64).all() and (m.version != "").all()
    # the 8-run sweep's runs are the 16-run sweep's first two seeds: same ids, same files
    assert set(manifest(tmp_path / "one").run_id) < set(manifest(reference).run_id)


def test_driver_killed_with_sigkill_then_rerun_completes_identically(sweeps, reference, tmp_path, capsys):
    out = tmp_path / "batch"
    cmd = [sys.executable, "-c", "from gvc_abm.experiments.cli import entry_point; entry_point()",
           "batch", str(sweeps["large"]), "--out", str(out), "--workers", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + TIMEOUT
        while len(list((out / "runs").glob("*.parquet"))) < 2:
            assert proc.poll() is None and time.monotonic() < deadline, "the batch ended before it could be killed"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        time.sleep(0.5)
        try:  # the workers it left behind exit with it; make sure
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    before = run_files(out)
    assert 2 <= len(before) < 16
    assert main(["batch", str(sweeps["large"]), "--out", str(out), "--serial"]) == 0
    line = capsys.readouterr().out
    assert "16 runs: 16 done, 0 failed, 0 pending" in line
    assert f"({16 - len(before)} run now)" in line  # only what was not done
    assert_same_as_reference(out, reference)
    assert not list(out.glob(".*.tmp")) and not list((out / "runs").glob(".*"))


def test_corrupt_or_truncated_run_files_are_detected_and_rerun(sweeps, reference, tmp_path):
    small = load_sweep(sweeps["small"])
    out = tmp_path / "batch"
    shutil.copytree(reference, out)
    files = sorted((out / "runs").glob("*.parquet"))
    # 1. a byte flipped in the data of a file the manifest has the checksum of
    data = bytearray(files[0].read_bytes())
    data[len(data) // 3] ^= 0xFF
    files[0].write_bytes(bytes(data))
    # 2. a truncated file
    files[1].write_bytes(files[1].read_bytes()[:5000])
    # 3. a left-over temporary of a killed write
    (out / "runs" / f".{files[2].name}.123-host.abcdefgh.tmp").write_bytes(b"partial")
    counts = run_batch(load_sweep(sweeps["large"]), out, serial=True, progress=False)
    assert counts["corrupt"] == 2 and counts["ran"] == 2 and counts["done"] == 16
    assert_same_as_reference(out, reference)
    # without a manifest (killed before it recorded them) files are checked by their page
    # checksums and content digest: a byte flipped inside the gdp column's last data page
    (out / "manifest.parquet").unlink()
    target = out / "runs" / f"{small.runs[3].run_id}.parquet"
    meta = pq.ParquetFile(target).metadata.row_group(0)
    column = meta.column([meta.column(i).path_in_schema for i in range(meta.num_columns)].index("gdp"))
    data = bytearray(target.read_bytes())
    data[column.data_page_offset + column.total_compressed_size - 3] ^= 0x01
    target.write_bytes(bytes(data))
    assert check_run_file(target, target.stem) is None
    assert check_run_file(out / "runs" / f"{small.runs[4].run_id}.parquet", small.runs[4].run_id) is not None
    counts = run_batch(small, out, serial=True, progress=False)
    assert counts["done"] == 8 and counts["ran"] == 1 and counts["corrupt"] == 1
    assert target.read_bytes() == (reference / "runs" / target.name).read_bytes()


def _kill_a_worker_when_runs_start(out: Path, pids, killed: list) -> threading.Thread:
    def watch():
        deadline = time.monotonic() + TIMEOUT
        while not list((out / "runs").glob("*.parquet")) and time.monotonic() < deadline:
            time.sleep(0.02)
        for pid in pids():
            os.kill(pid, signal.SIGKILL)
            killed.append((pid, len(list((out / "runs").glob("*.parquet")))))
            return

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_worker_killed_mid_batch_is_retried(sweeps, reference, cluster2, tmp_path):
    cluster2.wait_for_workers(2)
    pids = list(cluster2.run(os.getpid).values())
    out, killed = tmp_path / "batch", []
    watcher = _kill_a_worker_when_runs_start(out, lambda: pids[:1], killed)
    counts = run_batch(load_sweep(sweeps["large"]), out, client=cluster2, progress=False)
    watcher.join(5)
    assert killed and killed[0][1] < 16  # a worker died while runs were left
    assert counts["done"] == 16 and counts["failed"] == 0
    assert_same_as_reference(out, reference)


def test_worker_killed_without_retries_is_recorded_failed_then_resumed(sweeps, reference, tmp_path):
    me = psutil.Process()

    def workers():
        found = []
        for p in me.children(recursive=True):
            try:
                if p.pid not in before and "spawn_main" in " ".join(p.cmdline()):
                    found.append(p.pid)
            except psutil.Error:  # gone meanwhile
                pass
        return found

    before = {p.pid for p in me.children(recursive=True)}
    out, killed = tmp_path / "batch", []
    watcher = _kill_a_worker_when_runs_start(out, workers, killed)
    large = load_sweep(sweeps["large"])
    counts = run_batch(large, out, workers=2, retries=0, progress=False)
    watcher.join(5)
    assert killed and killed[0][1] < 16
    m = manifest(out)
    failed = m[m.status == "failed"]
    assert counts["failed"] == len(failed) >= 1 and counts["done"] + counts["failed"] == 16
    assert failed.error.str.contains("worker died").all()
    counts = run_batch(large, out, serial=True, progress=False)
    assert counts["ran"] == len(failed) and counts["done"] == 16
    assert_same_as_reference(out, reference)


def test_a_run_that_raises_is_recorded_and_the_batch_goes_on(cluster2, tmp_path):
    (tmp_path / "empty").mkdir()
    write(tmp_path / "bad.yaml", {"world": {"kind": "calibrated", "table": str(tmp_path / "empty")}, "periods": 2})
    sweep = load_sweep(write(tmp_path / "sweep.yaml", {"scenario": ["paper", "bad.yaml"], "set": {"periods": 2},
                                                       "seeds": 2}))
    counts = run_batch(sweep, tmp_path / "out", client=cluster2, progress=False)
    assert counts["done"] == 2 and counts["failed"] == 2
    m = manifest(tmp_path / "out")
    assert set(m[m.status == "done"].scenario) == {"paper"}
    assert m[m.status == "failed"].error.str.startswith("TableError: ").all()
    assert main(["results", str(tmp_path / "out")]) == 0


def test_agent_registry_and_models_do_not_grow_over_runs():
    import mesa

    from gvc_abm.environment.model import GVCModel

    def live_models() -> set[int]:  # type(): a dead weakproxy raises on isinstance
        return {id(o) for o in gc.get_objects() if issubclass(type(o), GVCModel)}

    sweep = load_sweep_inline({"scenario": "paper", "set": {"periods": 2}, "seeds": 6})
    registry = getattr(mesa.Agent, "_ids", None)
    gc.collect()
    before = live_models()  # models other tests of the session still hold
    sizes, alive = [], []
    for run in sweep.runs:
        batch_mod.run_one(run.config, run.seed, batch_mod._tags(run))
        gc.collect()
        sizes.append(len(registry) if isinstance(registry, dict) else 0)
        alive.append(len(live_models() - before))  # the runs' own models: none survives its run
    assert sizes == [sizes[0]] * 6 and alive == [0] * 6


def load_sweep_inline(data: dict):
    from gvc_abm.experiments.sweeps import parse_sweep

    return parse_sweep(data, "inline.yaml")


def test_load_batch_results_and_compaction(sweeps, reference, tmp_path, capsys):
    out = tmp_path / "batch"
    shutil.copytree(reference, out)
    df = load_batch(out)
    m = manifest(out)
    assert len(df) == 16 * PERIODS * 3 and df.attrs["params"] == ["agents.firms.switching_cost"]
    assert list(df.columns[:6]) == ["run_id", "scenario", "seed", "agents.firms.switching_cost", "period", "country"]
    assert {"gdp", "gdp_accounts", "gvcp_kww", "real_income", "policy_events"} <= set(df.columns)
    assert df.groupby("run_id").seed.first().to_dict() == m.set_index("run_id").seed.to_dict()
    # the period's policy events, counted by country: the decreed tariffs of period 2
    shocked = df[(df.scenario == "war.yaml") & (df.period == 2) & df.country.isin(["B", "C"])]
    assert len(shocked) == 8 * 2 and (shocked.restrictive_events >= 1).all()
    # the run's table is run_simulation's: one run redone directly
    from gvc_abm.environment.config import SimulationConfig
    from gvc_abm.environment.model import run_simulation

    run = load_sweep(sweeps["large"]).runs[5]
    direct = run_simulation(SimulationConfig.model_validate(run.config), run.seed)
    mine = df[df.run_id == run.run_id].reset_index(drop=True)
    pd.testing.assert_series_equal(mine["gvcp_kww"], direct.indicators["gvcp_kww"], check_names=False)
    pd.testing.assert_series_equal(mine["gdp_accounts"], direct.world["gdp"], check_names=False)
    # gvc results: the mean and Student's 95 % interval across the four seeds, by scenario and parameter
    csv = tmp_path / "summary.csv"
    assert main(["results", str(out), "--csv", str(csv)]) == 0
    text = capsys.readouterr().out
    assert "16 runs: 16 done, 0 failed, 0 pending" in text and "war.yaml" in text
    summary = pd.read_csv(csv)
    row = summary[(summary.scenario == "war.yaml") & (summary["agents.firms.switching_cost"] == 0.1)
                  & (summary.country == "B") & (summary.variable == "tbi")].iloc[0]
    x = df[(df.scenario == "war.yaml") & (df["agents.firms.switching_cost"] == 0.1) & (df.country == "B")
           & (df.period == PERIODS - 1)].tbi.to_numpy()
    half = stats.t.ppf(0.975, 3) * x.std(ddof=1) / np.sqrt(4)
    assert row.n == 4 and row["mean"] == pytest.approx(x.mean(), rel=1e-12)
    assert row.ci_high - row["mean"] == pytest.approx(half, rel=1e-9)
    # --compact: one partitioned dataset, the run files gone, the same frame, nothing to rerun
    assert main(["results", str(out), "--compact"]) == 0
    assert not list((out / "runs").glob("*.parquet"))
    assert sorted(p.name for p in (out / "dataset").iterdir()) == ["scenario=small.yaml", "scenario=war.yaml"]
    pd.testing.assert_frame_equal(load_batch(out), df, check_dtype=False)
    counts = run_batch(load_sweep(sweeps["large"]), out, serial=True, progress=False)
    assert counts["ran"] == 0 and counts["done"] == 16


def test_batch_keeps_every_table_of_each_run(sweeps, reference, tmp_path):
    out = tmp_path / "batch"
    shutil.copytree(reference, out)
    m = manifest(out)
    run = load_sweep(sweeps["large"]).runs[5]
    from gvc_abm.environment.config import SimulationConfig
    from gvc_abm.environment.model import run_simulation

    direct = run_simulation(SimulationConfig.model_validate(run.config), run.seed)
    keys = {"global": ["period"], "regions": ["period", "kind", "region"], "flows": ["period", "exporter", "importer"],
            "sectors": ["period", "country", "sector"]}
    for name, attr in batch_mod.RUN_TABLES.items():
        df = load_batch(out, table=name)
        own = getattr(direct, attr)
        assert len(df) == 16 * len(own) and df.attrs["params"] == ["agents.firms.switching_cost"]
        assert list(df.columns[:4 + len(keys[name])]) == ["run_id", "scenario", "seed", "agents.firms.switching_cost",
                                                         *keys[name]]
        assert df.run_id.unique().tolist() == m.run_id.tolist()  # manifest order
        mine = df[df.run_id == run.run_id].drop(columns=["run_id", "scenario", "seed", "agents.firms.switching_cost"])
        pd.testing.assert_frame_equal(mine.reset_index(drop=True), own, check_dtype=False)
    sub = load_batch(out, ["world_openness"], table="global")
    assert list(sub.columns) == ["run_id", "scenario", "seed", "agents.firms.switching_cost", "period", "world_openness"]
    with pytest.raises(ValueError, match="table: expected one of"):
        load_batch(out, table="nations")
    # a run whose table is lost or damaged is rerun, to the same bytes; the others are left alone
    lost = out / "runs" / "flows" / f"{run.run_id}.parquet"
    lost.unlink()
    damaged = out / "runs" / "global" / f"{m.run_id[0]}.parquet"
    damaged.write_bytes(damaged.read_bytes()[:100])
    counts = run_batch(load_sweep(sweeps["large"]), out, serial=True, progress=False)
    assert counts["ran"] == 2 and counts["corrupt"] == 2 and counts["done"] == 16
    for path in (lost, damaged):
        assert path.read_bytes() == (reference / path.relative_to(out)).read_bytes()
    assert_same_as_reference(out, reference)
    # compaction merges the run tables; the other tables stay readable
    assert main(["results", str(out), "--compact"]) == 0
    assert len(load_batch(out, table="sectors")) == 16 * len(direct.sectors)


def test_sensitivity_of_a_sobol_batch(tmp_path, capsys):
    sweep = write(tmp_path / "sobol.yaml", {
        "scenario": "paper", "set": {"periods": 2, "world.firms_per_country": 4},
        "vary": {"world.mu": {"low": 0.4, "high": 0.8}, "world.omega": {"low": 0.5, "high": 0.9}},
        "design": "sobol", "samples": 16})
    out = tmp_path / "batch"
    assert main(["batch", str(sweep), "--out", str(out), "--serial"]) == 0
    csv = tmp_path / "indices.csv"
    assert main(["sensitivity", str(out), "--method", "sobol", "--indicator", "mu", "--csv", str(csv)]) == 0
    idx = pd.read_csv(csv).set_index("parameter")
    # the measured home share of intermediates is the configured mu: omega has no effect at all
    assert idx.loc["world.omega", "S1"] == pytest.approx(0.0, abs=1e-6)
    assert idx.loc["world.omega", "ST"] == pytest.approx(0.0, abs=1e-6)
    assert idx.loc["world.mu", "ST"] > 0.5  # 1 in theory; Saltelli's estimator with N = 16
    assert {"S1_conf", "ST_conf"} <= set(idx.columns)
    capsys.readouterr()
    assert main(["sensitivity", str(out), "--method", "morris", "--indicator", "mu"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "design sobol" in err and "design: morris" in err


BAD = [
    ({"scenario": "baseline", "vary": {"agents.firms.nope": [1, 2]}}, "agents.firms.nope"),
    ({"scenario": "baseline", "vary": {"agents.firms.review_rate": []}}, "empty list"),
    ({"scenario": "baseline", "design": "factorial"}, "unknown design"),
    ({"scenario": "baseline", "design": "lhs", "samples": 4, "vary": {"labour.wage_mode": {"low": 0, "high": 1}}},
     "labour.wage_mode"),
]


@pytest.mark.parametrize(("data", "says"), BAD, ids=[b[1] for b in BAD])
def test_bad_sweeps_are_one_line_exit_2_nothing_written(tmp_path, capsys, data, says):
    sweep = write(tmp_path / "sweep.yaml", data)
    out = tmp_path / "out"
    assert main(["batch", str(sweep), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gvc: error: ") and err.count("\n") == 1 and "Traceback" not in err
    assert str(sweep) in err and says in err
    assert not out.exists()


@pytest.mark.parametrize("case", ["scheduler", "out-is-file", "yaml", "utf8", "both-modes", "not-a-batch"])
def test_bad_batch_commands_are_one_line_exit_2_nothing_written(tmp_path, capsys, monkeypatch, case):
    sweep = write(tmp_path / "sweep.yaml", {"scenario": "paper", "set": {"periods": 2}})
    out = tmp_path / "out"
    args = ["batch", str(sweep), "--out", str(out)]
    says = str(sweep)
    if case == "scheduler":
        monkeypatch.setattr(batch_mod, "CONNECT_TIMEOUT", "1s")
        args += ["--scheduler", "tcp://127.0.0.1:9"]
        says = "--scheduler tcp://127.0.0.1:9: cannot connect"
    elif case == "out-is-file":
        out.write_text("x")
        says = "exists and is not a folder"
    elif case == "yaml":
        sweep.write_text("scenario: [paper\n")
        says = "not valid YAML"
    elif case == "utf8":
        sweep.write_bytes("scenario: paper # \u00e9\n".encode("latin-1"))
        says = "not UTF-8"
    elif case == "both-modes":
        args += ["--serial", "--workers", "2"]
        says = "give at most one"
    else:
        out.mkdir()
        (out / "notes.txt").write_text("mine")
        says = "not a batch"
    before = sorted(p.name for p in tmp_path.rglob("*"))
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("gvc: error: ") and err.count("\n") == 1 and "Traceback" not in err and says in err, err
    assert sorted(p.name for p in tmp_path.rglob("*")) == before
