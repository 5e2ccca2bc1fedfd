"""``gvc world describe``."""

from __future__ import annotations

from pathlib import Path

import pytest

from gvc_abm.experiments.cli import main

WIOD = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "wiod_7x35" / "pymrio"


def test_describe_default(capsys):
    assert main(["world", "describe", "default", "--firms", "300"]) == 0
    out = capsys.readouterr().out
    assert "default world: 14 countries, 9 sectors" in out and "USA" in out and "services" in out


def test_describe_paper_with_sets(capsys):
    assert main(["world", "describe", "paper", "--set", "world.countries=4", "--set", "world.mu=0.5"]) == 0
    out = capsys.readouterr().out
    assert "paper world: 4 countries, 1 sectors" in out and "C4" in out


@pytest.mark.skipif(not WIOD.exists(), reason=f"shared WIOD 7x35 table not found at {WIOD}")
def test_describe_calibrated(capsys):
    assert main(["world", "describe", "calibrated", str(WIOD)]) == 0
    assert "calibrated world: 7 countries, 35 sectors" in capsys.readouterr().out


def test_describe_errors(capsys):
    assert main(["world", "describe", "moon"]) == 2
    assert "KIND: unknown world 'moon'" in capsys.readouterr().err
    assert main(["world", "describe", "calibrated", "/no/such/table"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gvc: error: /no/such/table") and err.count("\n") == 1
