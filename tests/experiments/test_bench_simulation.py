"""Smoke test of ``gvc bench --firms``: the fields are there; no timing is asserted."""

from __future__ import annotations

import json

from gvc_abm.experiments.cli import main

FIELDS = {"firms", "links", "periods", "seconds_per_period", "clearing_seconds_per_period",
          "clearing_iterations_per_period", "seconds_per_clearing_iteration", "peak_rss_mb"}


def test_bench_simulation_fields(tmp_path):
    out = tmp_path / "b.json"
    assert main(["bench", "--firms", "150", "--links", "4", "--periods", "1", "--compare-reference", "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert FIELDS | {"reference_seconds_per_period", "speedup"} <= set(data)
    assert data["firms"] == 150 and data["links"] == 4 and data["periods"] == 1 and data["converged"]
    assert data["threads"] >= 1 and data["model_build_seconds"] > 0


def test_bench_prints_one_table_with_every_figure(capsys):
    assert main(["bench", "--firms", "150", "--links", "4", "--periods", "1"]) == 0
    out = capsys.readouterr().out
    for row in ("world built", "model built", "decisions", "cold clearing", "per iteration", "mat-vec",
                "MRIO and indicators", "state per firm", "state per link", "peak memory", "thread"):
        assert row in out, row


def test_thread_speedup_is_measured_in_the_same_run(tmp_path):
    """``--thread-speedup`` times the same cold clearing once more on one thread (numba's thread count
    restored after); with one thread there is nothing to compare and the fields are left out."""
    import numba

    out = tmp_path / "t.json"
    assert main(["bench", "--firms", "150", "--links", "4", "--periods", "1", "--thread-speedup", "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert numba.get_num_threads() == data["threads"]
    if data["threads"] > 1:
        assert data["one_thread_clearing_seconds"] > 0
        assert data["thread_speedup"] == data["one_thread_clearing_seconds"] / data["clearing_seconds_per_period"]
    else:
        assert "thread_speedup" not in data


def test_state_bytes_by_hand():
    import numpy as np

    from gvc_abm.environment.builders import build_default_world
    from gvc_abm.environment.config import DefaultWorldConfig, FirmsConfig
    from gvc_abm.experiments.bench_simulation import state_bytes

    w = build_default_world(DefaultWorldConfig(firms=FirmsConfig(count=300, links=4)), np.random.default_rng(0),
                            equilibrate=False)
    per_firm, per_link = state_bytes(w)
    n_groups = len(w.network.group_alpha)
    # four 8-byte numbers a link, and a group's pointer and exponent (8 + 8 bytes) spread over its links
    assert per_link == (4 * 8 * w.network.nnz + 16 * n_groups + 8) / w.network.nnz
    firm_arrays = sum(v.nbytes for v in vars(w.firms).values() if isinstance(v, np.ndarray))
    assert per_firm == (firm_arrays + 2 * 8 * (w.F + 1)) / w.F


def test_bench_simulation_refuses_bad_input(tmp_path, capsys):
    assert main(["bench", "--firms", "10", "--json", str(tmp_path / "x.json")]) == 2
    assert "--firms" in capsys.readouterr().err
    assert not (tmp_path / "x.json").exists()
    assert main(["bench", "--firms", "200", "--table", "3x2"]) == 2


def test_short_model_runs_are_repeated_and_the_median_run_reported(monkeypatch):
    """A model run of a few milliseconds a period swings with the host's load: runs shorter than the first
    bound are made five times, below the second three times, and the run with the median seconds per period is
    reported whole (its parts, not medians of each part), with the number of runs."""
    import gvc_abm.experiments.bench_simulation as B

    def fake(times):
        it = iter(times)

        def run(firms, links, periods, engine, seed):
            p = next(it)
            return {"model_build_seconds": 0.1, "period_seconds": p, "decision_seconds_per_period": p / 10}
        return run

    monkeypatch.setattr(B, "_model_run", fake([0.03, 0.05, 0.01, 0.04, 0.02]))
    r = B.bench_model(100, 3, 3)
    assert r["model_runs"] == 5 and r["period_seconds"] == 0.03 and r["decision_seconds_per_period"] == 0.003
    monkeypatch.setattr(B, "_model_run", fake([1.0, 3.0, 2.0]))  # 0.1 + 3 x 1.0 s: three runs
    r = B.bench_model(100, 3, 3)
    assert r["model_runs"] == 3 and r["period_seconds"] == 2.0
    monkeypatch.setattr(B, "_model_run", fake([4.0]))  # over ten seconds: one run
    assert B.bench_model(100, 3, 3)["model_runs"] == 1
