"""Bundled sweeps: found by name, valid, and what the README's main job says they are."""

from __future__ import annotations

import pytest

from gvc_abm.experiments.cli import main
from gvc_abm.experiments.sweeps import SweepError, bundled_sweeps, load_sweep


@pytest.mark.parametrize("name", bundled_sweeps())
def test_every_bundled_sweep_loads_by_name_and_validates(name):
    sweep = load_sweep(name)
    assert sweep.path.name == f"{name}.yaml"
    assert len(sweep.runs) > 0


def test_the_quickstart_batch_is_baseline_against_trade_war_over_three_seeds():
    sweep = load_sweep("quickstart")
    assert sweep.scenarios == ("baseline", "trade-war")
    assert len(sweep.seeds) == 3 and len(sweep.runs) == 6
    assert {r.scenario for r in sweep.runs} == {"baseline", "trade-war"}
    assert all(r.config["periods"] == 20 for r in sweep.runs)
    # the same seeds for both scenarios (common random numbers), so differences are the war's
    by = {}
    for r in sweep.runs:
        by.setdefault(r.scenario, []).append(r.seed)
    assert sorted(by["baseline"]) == sorted(by["trade-war"])


def test_an_unknown_sweep_names_the_bundled_ones(tmp_path, capsys):
    with pytest.raises(SweepError, match="bundled sweeps: .*quickstart"):
        load_sweep("no-such-sweep")
    assert main(["batch", "no-such-sweep", "--out", str(tmp_path / "b"), "--serial"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "quickstart" in err[0]
    assert not (tmp_path / "b").exists()
