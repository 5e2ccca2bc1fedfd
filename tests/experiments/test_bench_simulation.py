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


def test_bench_simulation_refuses_bad_input(tmp_path, capsys):
    assert main(["bench", "--firms", "10", "--json", str(tmp_path / "x.json")]) == 2
    assert "--firms" in capsys.readouterr().err
    assert not (tmp_path / "x.json").exists()
    assert main(["bench", "--firms", "200", "--table", "3x2"]) == 2
