"""`gvc indicators` as a user runs it: outputs, and one line + exit 2 on bad input."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from gvc_abm.experiments.cli import main

from ..analysis.test_mrio import small_io


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_example_prints_a_summary(capsys):
    code, out, err = run(capsys, "indicators", "--example", "qu-yang")
    assert code == 0 and err == ""
    assert "GVCP KWW" in out and "C5" in out


def test_json_and_csv_outputs(tmp_path, capsys, wiod_path):
    regions = tmp_path / "regions.json"
    regions.write_text(json.dumps({"Euro-zone": "Europe", "Other EU": "Europe", "NAFTA": "Americas", "China": "Asia",
                                   "East Asia": "Asia", "BRIIAT": "Other", "RoW": "Other"}))
    code, out, err = run(capsys, "indicators", wiod_path, "--json", tmp_path / "out.json", "--csv",
                         tmp_path / "out.csv", "--regions", regions, "-q")
    assert code == 0 and out == "" and err == ""
    result = json.loads((tmp_path / "out.json").read_text())
    assert set(result) == {"meta", "world", "countries", "regions"}
    assert result["meta"]["gross_output"] == "Z1 + Y1"
    table = pd.read_csv(tmp_path / "out.csv", index_col="country")
    assert table.loc["China", "gvcp_kww"] == pytest.approx(result["countries"]["China"]["gvcp_kww"], rel=1e-12)
    assert 0 < result["regions"]["intra_regional_share_gross"] < 1


def test_parquet_save_all_folder(tmp_path, capsys):
    small_io().save_all(tmp_path / "t", table_format="parquet")
    code, out, err = run(capsys, "indicators", tmp_path / "t", "--json", tmp_path / "o.json", "-q")
    assert code == 0, err
    assert json.loads((tmp_path / "o.json").read_text())["meta"]["n_countries"] == 2


@pytest.mark.parametrize(
    "args,message",
    [
        (["/no/such/table"], "/no/such/table: no such file or directory"),
        (["--format", "wiod2099", "."], "--format: unknown format 'wiod2099'"),
        (["--bogus"], "No such option: --bogus"),
        ([], "give exactly one of PATH or --example"),
        (["--example", "nope"], "--example: unknown example 'nope'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, args, message):
    code, out, err = run(capsys, "indicators", *args)
    assert code == 2
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_bad_table_writes_nothing(tmp_path, capsys):
    io = small_io()
    io.Z.iloc[0, 0] = np.nan
    io.save_all(tmp_path / "t")
    code, out, err = run(capsys, "indicators", tmp_path / "t", "--json", tmp_path / "o.json")
    assert code == 2 and "Z has 1 missing" in err and str(tmp_path / "t") in err
    assert not (tmp_path / "o.json").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["t"]


def test_bad_region_map(tmp_path, capsys):
    small_io().save_all(tmp_path / "t")
    regions = tmp_path / "r.json"
    regions.write_text(json.dumps({"R0": "a"}))
    code, _, err = run(capsys, "indicators", tmp_path / "t", "--regions", regions)
    assert code == 2 and "no region for R1" in err
    regions.write_text("{not json")
    code, _, err = run(capsys, "indicators", tmp_path / "t", "--regions", regions)
    assert code == 2 and "not valid JSON" in err
