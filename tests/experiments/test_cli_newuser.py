"""What a new user hit: one line instead of a traceback, mistakes refused, output folders that
behave like any other, a CLI that starts fast and says what it is doing."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gvc_abm.environment import builders
from gvc_abm.environment.builders import check_memory, run_memory_bytes
from gvc_abm.environment.config import ConfigError, validate_config, SimulationConfig
from gvc_abm.experiments.cli import main
from gvc_abm.experiments.outputs import remove_stale

SMALL = ["--periods", "1", "--firms", "200", "-q"]


def one_line_error(capsys, needle: str) -> str:
    err = capsys.readouterr().err
    assert err.startswith("gvc: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    assert needle in err, err
    return err


def unwritable_folder(tmp_path: Path) -> Path:
    """A folder nothing can be created in: read-only for a normal user, /sys (EPERM) for root."""
    if os.geteuid() != 0:
        ro = tmp_path / "ro"
        ro.mkdir(mode=0o500)
        return ro
    if not Path("/sys").is_dir():
        pytest.skip("no read-only place to write to")
    try:
        (Path("/sys") / "gvc-probe").mkdir()
    except OSError:
        return Path("/sys")
    pytest.skip("/sys is writable here")


# --------------------------------------------------------------------------- one line, not a traceback

def test_an_unwritable_out_is_one_line(tmp_path, capsys):
    out = unwritable_folder(tmp_path) / "run"
    assert main(["run", "paper", *SMALL, "--out", str(out)]) == 2
    one_line_error(capsys, f"--out {out}: ")
    assert not out.exists()


def test_an_out_under_a_file_is_one_line_and_nothing_is_written(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    out = tmp_path / "file" / "deeper" / "run"
    assert main(["run", "paper", *SMALL, "--out", str(out)]) == 2
    one_line_error(capsys, f"{tmp_path / 'file'} is a file, not a folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


@pytest.mark.parametrize("command", [["indicators", "--example", "qu-yang", "-q", "--json"],
                                     ["indicators", "--example", "qu-yang", "-q", "--csv"],
                                     ["decompose", "--example", "qu-yang", "-q", "--out"]])
def test_an_unwritable_or_blocked_result_file_is_one_line(tmp_path, capsys, command):
    (tmp_path / "file").write_text("x")
    suffix = ".json" if "--json" in command else (".csv" if "--csv" in command else ".parquet")
    for target in (unwritable_folder(tmp_path) / f"r{suffix}", tmp_path / "file" / f"r{suffix}"):
        assert main([*command, str(target)]) == 2
        one_line_error(capsys, f"{command[-1]} {target}: ")
        assert not target.exists()


def test_bench_json_that_cannot_be_written_fails_before_measuring(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    assert main(["bench", "--table", "3x2", "--json", str(tmp_path / "file" / "b.json")]) == 2
    one_line_error(capsys, "is a file, not a folder")


def test_a_config_file_that_is_not_utf8_is_one_line(tmp_path, capsys):
    cfg = tmp_path / "latin1.yaml"
    cfg.write_bytes("world: {kind: paper}\n# Fran\xe7ais\n".encode("latin-1"))
    assert main(["run", str(cfg), *SMALL, "--out", str(tmp_path / "out")]) == 2
    one_line_error(capsys, f"{cfg}: not UTF-8 text (byte 0xe7")
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- mistakes are refused

@pytest.mark.parametrize("text", ["", "\n# only a comment\n", "{}\n"])
def test_an_empty_config_file_is_an_error_not_the_default_world(tmp_path, capsys, text):
    cfg = tmp_path / "empty.yaml"
    cfg.write_text(text)
    assert main(["run", str(cfg), *SMALL, "--out", str(tmp_path / "out")]) == 2
    one_line_error(capsys, f"{cfg}: the config file is empty")
    assert not (tmp_path / "out").exists()


def test_an_empty_toml_file_is_an_error_too(tmp_path):
    from gvc_abm.environment.config import read_config_data

    (tmp_path / "e.toml").write_text("")
    with pytest.raises(ConfigError, match="e.toml: the config file is empty"):
        read_config_data(tmp_path / "e.toml")


@pytest.mark.parametrize("drivers, path", [
    ({"tariff_shocks": [{"period": 5, "importer": "USA", "exporter": "CHN", "rate": 0.1}]}, "drivers.tariff_shocks.0.period"),
    ({"blocs": [{"period": 1, "bloc": "A", "members": ["USA", "CAN"]}, {"period": 9, "bloc": "A", "members": ["MEX"]}]},
     "drivers.blocs.1.period"),
    ({"disruptions": [{"start": 4, "end": 8, "country": "USA", "loss": 0.2}]}, "drivers.disruptions.0.start"),
    ({"easing": [{"start": 6, "end": 7, "country": "USA", "push": 0.01}]}, "drivers.easing.0.start"),
    ({"robot_price": {1: 0.8, 4: 0.5}}, "drivers.robot_price.4"),
    ({"trade_cost": {7: 0.5}}, "drivers.trade_cost.7"),
    ({"info_cost": {12: 2.0}}, "drivers.info_cost.12"),
    ({"deficits": {4: {"USA": 0.0081}}}, "drivers.deficits.4"),
])
def test_a_driver_after_the_last_period_is_a_config_error_naming_its_field(drivers, path):
    with pytest.raises(ConfigError) as exc:
        validate_config(SimulationConfig, {"periods": 4, "drivers": drivers})
    assert str(exc.value).startswith(f"{path}: period ") and "after the last period of the run, 3 (periods: 4)" in str(exc.value)
    validate_config(SimulationConfig, {"periods": 13, "drivers": drivers})  # long enough: fine


def test_a_run_shortened_below_a_scenario_driver_says_so(tmp_path, capsys):
    assert main(["run", "trade-war", "--periods", "2", "--firms", "200", "--out", str(tmp_path / "o")]) == 2
    one_line_error(capsys, "drivers.tariff_shocks.0.period: period 2 is after the last period of the run, 1 (periods: 2)")
    assert list(tmp_path.iterdir()) == []


def test_a_disruption_that_outlasts_the_run_is_fine():
    cfg = validate_config(SimulationConfig, {"periods": 4, "drivers": {"disruptions": [
        {"start": 2, "end": 40, "country": "USA", "loss": 0.2}]}})
    assert cfg.drivers.disruptions[0].end == 40


@pytest.mark.parametrize("where", ["drivers.tariff_shocks.0", "world.trade.tariffs.0"])
def test_a_tariff_of_a_country_on_itself_is_a_config_error(tmp_path, capsys, where):
    rule = "{period: 1, importer: USA, exporter: USA, rate: 0.2}" if where.startswith("drivers") else \
        "{importer: USA, exporter: USA, rate: 0.2}"
    key = where.rsplit(".", 1)[0]
    assert main(["run", "baseline", "--set", f"{key}=[{rule}]", *SMALL, "--out", str(tmp_path / "o")]) == 2
    one_line_error(capsys, f"{where}: importer and exporter are both 'USA'")
    # a wildcard on either side is still fine: the diagonal is never taxed
    validate_config(SimulationConfig, {"drivers": {"tariff_shocks": [{"period": 1, "importer": "USA", "exporter": "*", "rate": 0.2}]}})


def test_a_world_without_a_kind_is_the_default_world():
    cfg = validate_config(SimulationConfig, {"world": {"firms": {"count": 500}}})
    assert cfg.world.kind == "default" and cfg.world.firms.count == 500


# --------------------------------------------------------------------------- memory

def test_a_firm_count_far_beyond_memory_is_refused_before_building(tmp_path, capsys):
    cfg = tmp_path / "huge.yaml"
    cfg.write_text("world: {firms: {count: 1000000000}}\n")
    t0 = time.perf_counter()
    assert main(["run", str(cfg), "-q", "--out", str(tmp_path / "out")]) == 2
    err = one_line_error(capsys, "world.firms.count: 1,000,000,000 firms with 10,000,000,000 supplier links need about ")
    assert "TB of memory, more than the " in err and "available; use fewer firms" in err
    assert time.perf_counter() - t0 < 60  # refused, not built (a build of this size would take hours or be killed)
    assert list(tmp_path.iterdir()) == [cfg]


def test_the_memory_check_compares_the_estimate_with_what_is_available(tmp_path, capsys, monkeypatch):
    cfg = validate_config(SimulationConfig, {"world": {"firms": {"count": 400}}})
    need = check_memory(cfg.world)
    assert need == run_memory_bytes(400, 4000, len(cfg.world.sectors))
    monkeypatch.setattr(builders, "available_memory", lambda: need - 1)
    with pytest.raises(ConfigError, match=r"^world.firms.count: 400 firms with 4,000 supplier links need about 2\d\d MB"):
        check_memory(cfg.world)
    assert main(["run", "baseline", *SMALL, "--firms", "400", "--out", str(tmp_path / "o")]) == 2
    one_line_error(capsys, "more than the 2")
    paper = validate_config(SimulationConfig, {"world": {"kind": "paper", "firms_per_country": 10**9}})
    with pytest.raises(ConfigError, match=r"^world.firms_per_country: 5,000,000,000 firms"):
        check_memory(paper.world)


def test_the_memory_estimate_is_near_the_traced_peak_of_a_build():
    import tracemalloc

    import numpy as np

    from gvc_abm.environment.builders import BASE_BYTES, build_default_world

    cfg = validate_config(SimulationConfig, {"world": {"firms": {"count": 20_000, "links": 10}}}).world
    build_default_world(validate_config(SimulationConfig, {"world": {"firms": {"count": 200}}}).world,
                        np.random.default_rng(0))  # kernels compiled or loaded before tracing
    tracemalloc.start()
    try:
        world = build_default_world(cfg, np.random.default_rng(0))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    estimate = run_memory_bytes(world.F, world.network.nnz, world.S) - BASE_BYTES
    assert 0.67 < estimate / peak < 1.5, (estimate, peak)  # the refusal needs the order of magnitude


# --------------------------------------------------------------------------- output folders

def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_stale_temporaries_of_dead_processes_are_removed(tmp_path):
    host = "".join(ch if ch.isalnum() or ch == "-" else "-" for ch in socket.gethostname())[:32]
    dead, alive = _dead_pid(), os.getpid()
    names = {
        f".run.{dead}-{host}.abcd1234": True,         # a killed run on this host
        f".run.{dead}-{host}.abcd1234.tmp": True,     # a killed file write
        ".run.k2j3h4l5": True,                        # the older name, no process recorded
        f".run.{alive}-{host}.zzzz9999": False,       # a run still going
        f".run.{dead}-otherhost.abcd1234": False,     # another machine's, on a shared disk
        f".other.{dead}-{host}.abcd1234": False,      # another target's
        "run": False,
    }
    for name in names:
        (tmp_path / name).mkdir() if not name.endswith(".tmp") else (tmp_path / name).write_text("half")
        if not name.endswith(".tmp"):
            (tmp_path / name / "world.parquet").write_text("half")
    removed = remove_stale(tmp_path, "run")
    assert sorted(p.name for p in removed) == sorted(n for n, gone in names.items() if gone)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(n for n, gone in names.items() if not gone)


def test_a_killed_run_leaves_a_temporary_that_the_next_run_removes(tmp_path):
    out = tmp_path / "run"
    proc = subprocess.Popen([sys.executable, "-c", "from gvc_abm.experiments.cli import entry_point; entry_point()",
                             "run", "baseline", "--periods", "40",
                             "--firms", "400", "-q", "--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not any(p.name.startswith(".run.") for p in tmp_path.iterdir()):
            assert proc.poll() is None and time.monotonic() < deadline, "the run never made its temporary folder"
            time.sleep(0.05)
        time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    left = [p.name for p in tmp_path.iterdir()]
    assert len(left) == 1 and left[0].startswith(f".run.{proc.pid}-") and not out.exists()
    assert main(["run", "paper", *SMALL, "--out", str(out)]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_rerunning_into_a_folder_with_results_needs_force(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", "paper", *SMALL, "--out", str(out)]) == 0
    before = (out / "manifest.json").read_bytes()
    assert main(["run", "paper", *SMALL, "--seed", "9", "--out", str(out)]) == 2
    one_line_error(capsys, f"--out {out}: exists and is not empty; give --force to replace its results")
    assert (out / "manifest.json").read_bytes() == before
    (out / "notes.txt").write_text("mine")
    assert main(["run", "paper", *SMALL, "--seed", "9", "--force", "--out", str(out)]) == 0
    assert json.loads((out / "manifest.json").read_text())["seed"] == 9
    assert (out / "notes.txt").read_text() == "mine"
    (tmp_path / "empty").mkdir()
    assert main(["run", "paper", *SMALL, "--out", str(tmp_path / "empty")]) == 0  # an empty folder is fine


@pytest.mark.parametrize("umask, folder, file", [(0o022, 0o755, 0o644), (0o027, 0o750, 0o640), (0o002, 0o775, 0o664)])
def test_output_folders_and_files_follow_the_umask(tmp_path, umask, folder, file):
    old = os.umask(umask)
    try:
        assert main(["run", "paper", *SMALL, "--save-mrio", "--out", str(tmp_path / "new" / "run")]) == 0
    finally:
        os.umask(old)
    out = tmp_path / "new" / "run"
    for d in (tmp_path / "new", out, out / "mrio"):
        assert d.stat().st_mode & 0o777 == folder, d
    for f in ("manifest.json", "world.parquet"):
        assert (out / f).stat().st_mode & 0o777 == file, f


# --------------------------------------------------------------------------- starting the CLI

def _fresh(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)


def test_the_scenarios_module_imports_alone_in_a_fresh_interpreter():
    r = _fresh("import gvc_abm.experiments.scenarios as s; print(sorted(s.SCENARIOS)); print(s.make_config('trade-war').periods)")
    assert r.returncode == 0, r.stderr
    assert "'east-asia-bloc'" in r.stdout and "'transport-vs-ideas'" in r.stdout and r.stdout.split()[-1] == "20"


def test_importing_the_cli_loads_no_heavy_library():
    r = _fresh("import sys, gvc_abm.experiments.cli; print(' '.join(sorted(sys.modules)))")
    assert r.returncode == 0, r.stderr
    loaded = set(r.stdout.split())
    heavy = {"numpy", "pandas", "numba", "scipy", "pymrio", "mesa", "pyarrow", "networkx", "pydantic",
             "gvc_abm.environment", "gvc_abm.analysis", "gvc_abm.agents"}
    assert not heavy & loaded, heavy & loaded


def test_version(capsys):
    from importlib.metadata import version

    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"gvc-abm {version('gvc-abm')}\n"


def test_help_shows_the_defaults(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["run", "--help"]) == 0
    text = capsys.readouterr().out
    assert "[default: (the scenario's)]" in text and "[default: (the scenario's, else numba)]" in text and "--force" in text
    assert main(["bench", "--help"]) == 0
    assert "[default: 3]" in capsys.readouterr().out
    assert main(["config", "keys", "--help"]) == 0
    assert "[default: (all keys)]" in capsys.readouterr().out


def test_the_help_choices_are_the_library_constants():
    from gvc_abm.analysis.bilateral import LEVELS
    from gvc_abm.analysis.borin_mancini import BM_PERSPECTIVES
    from gvc_abm.analysis.mrio import TABLE_FORMATS
    from gvc_abm.experiments import benchmarks
    from gvc_abm.experiments.cli import choices

    assert choices.TABLE_FORMATS == tuple(TABLE_FORMATS) and choices.LEVELS == tuple(LEVELS)
    assert choices.BM_PERSPECTIVES == tuple(BM_PERSPECTIVES)
    assert choices.DECOMPOSE_METHODS == tuple(benchmarks.DECOMPOSE_METHODS)
    assert choices.ENGINES == SimulationConfig.model_fields["engine"].annotation.__args__


# --------------------------------------------------------------------------- progress

def test_run_simulation_reports_progress_after_the_build_and_each_period():
    from gvc_abm.environment.model import run_simulation
    from gvc_abm.experiments.scenarios import make_config

    calls = []
    res = run_simulation(make_config("paper", periods=3), progress=lambda done, total: calls.append((done, total)))
    assert calls == [(0, 3), (1, 3), (2, 3), (3, 3)] and len(res.convergence) == 3


def test_gvc_run_shows_progress_on_a_terminal_and_not_when_quiet(tmp_path, capfd, monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich treats stderr as a terminal
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    assert main(["run", "paper", "--periods", "3", "--out", str(tmp_path / "a")]) == 0
    err = capfd.readouterr().err
    assert "period 3 of 3" in err and "building the world" in err
    assert main(["run", "paper", "--periods", "3", "-q", "--out", str(tmp_path / "b")]) == 0
    assert "period" not in capfd.readouterr().err
