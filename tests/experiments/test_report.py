"""``gvc report``: every fact's experiment runs (seeded smoke test, --quick), the JSON has every fact id,
a rerun resumes to the same bytes, and bad options are one line with exit code 2."""

from __future__ import annotations

import json
import re

import pytest

from gvc_abm.analysis.facts import FACT_IDS
from gvc_abm.experiments.cli import main
from gvc_abm.experiments.report import SIZES, experiments

from ..conftest import WIOD_DIR

JSON_KEYS = {"id", "source", "target", "estimate", "ci_low", "ci_high", "passed", "emergent", "measure", "detail"}


@pytest.fixture(scope="module")
def quick_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    table = ["--table", str(WIOD_DIR)] if WIOD_DIR.exists() else []
    assert main(["report", "--quick", "--serial", "--out", str(out / "r"), "--json", str(out / "facts.json"), *table]) == 0
    return out


def test_every_facts_experiment_runs_and_the_json_has_every_id(quick_report):
    doc = json.loads((quick_report / "facts.json").read_text())
    assert [f["id"] for f in doc["facts"]] == list(FACT_IDS)
    for f in doc["facts"]:
        assert set(f) == JSON_KEYS
        assert isinstance(f["passed"], bool) and isinstance(f["emergent"], bool)
        assert "did not run" not in f["detail"] and "could not be evaluated" not in f["detail"], f
        assert f["estimate"] is not None, f  # every experiment produced a number
    out = quick_report / "r"
    for name in experiments(SIZES["quick"]):
        if name == "calibrated":
            continue
        assert (out / "batches" / name / "manifest.parquet").is_file()
    md = (out / "report.md").read_text()
    html = (out / "report.html").read_text()
    assert "--quick" in md and re.search(r"\d+ of 19 facts pass; \d+ of those are emergent", md)
    # the historical run against the seeds' own numbers, all 17 of them, each with a direction
    section = md.split("## The historical scenario against the seeds' numbers")[1].split("\n## ")[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| quantity")]
    assert len(rows) == 17 and all(re.search(r"\| (same|opposite|unclear|n/a \(a level\)) \|", r) for r in rows)
    assert html.count("data:image/png;base64,") == len(FACT_IDS)
    assert all((out / "figures" / f"{i}.png").stat().st_size > 1000 for i in FACT_IDS)


def test_the_closed_forms_pass_exactly(quick_report):
    doc = {f["id"]: f for f in json.loads((quick_report / "facts.json").read_text())["facts"]}
    for fid in ("QY-closed", "QY-conc"):
        assert doc[fid]["estimate"] <= 1e-9, doc[fid]
        assert not doc[fid]["emergent"]
    assert doc["QY-closed"]["passed"]
    # QY-conc's verdict also needs its full-model half, whose intervals two seeds leave wide
    assert "rising in N: True" in doc["QY-conc"]["detail"]
    assert re.search(r"full model: .*11 trading: -?\d.*8 trading: ", doc["QY-conc"]["detail"])


def test_real_table_beside_the_calibrated_world(quick_report):
    if not WIOD_DIR.exists():
        pytest.skip(f"WIOD 7 x 35 not found at ../shared/data/wiod_7x35/pymrio (looked in {WIOD_DIR})")
    md = (quick_report / "r" / "report.md").read_text()
    worst = float(re.search(r"Largest period-0 difference: ([^.\s]+(?:\.\d+)?(?:e-?\d+)?)", md).group(1))
    assert worst < 1e-9
    assert "| China | tbi |" in md


def test_a_rerun_resumes_and_writes_the_same_verdicts(quick_report, tmp_path):
    before = (quick_report / "facts.json").read_bytes()
    table = ["--table", str(WIOD_DIR)] if WIOD_DIR.exists() else []
    assert main(["report", "--quick", "--serial", "--out", str(quick_report / "r"), "--json", str(tmp_path / "f.json"), *table]) == 0
    assert (tmp_path / "f.json").read_bytes() == before


@pytest.mark.parametrize("args, message", [
    (["--quick"], "--out: give the report folder"),
    (["--seeds", "1", "--out", "OUT"], "--seeds: must be at least 2"),
    (["--serial", "--workers", "2", "--out", "OUT"], "--workers, --scheduler and --serial: give at most one"),
    (["--scheduler", "nonsense", "--out", "OUT"], "--scheduler nonsense: expected an address"),
    (["--out", "FILE"], "exists and is not a folder"),
    (["--json", "DIR", "--out", "OUT"], "is a directory, expected a file name"),
    (["--table", "MISSING", "--out", "OUT"], "no such file or folder"),
])
def test_bad_options_are_one_line_and_exit_2(tmp_path, capsys, args, message):
    (tmp_path / "file").write_text("x")
    subs = {"OUT": str(tmp_path / "out"), "FILE": str(tmp_path / "file"), "DIR": str(tmp_path), "MISSING": str(tmp_path / "no")}
    assert main(["report", *[subs.get(a, a) for a in args]]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("gvc: error: ") and message in err, err
    assert not (tmp_path / "out").exists()  # nothing written
