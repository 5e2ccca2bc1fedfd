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


def write_oecd_icio_csv(path, m):
    """Write table ``m`` in the OECD ICIO 2023 csv layout (``CTRY_SECTOR`` rows, ``CTRY_HFCE`` final demand)."""
    labels = [f"{c}_{s}" for c in m.countries for s in m.sectors]
    fd = [f"{c}_HFCE" for c in m.countries]
    body = np.hstack([m.Z, m.Y, m.x[:, None]])
    frame = pd.DataFrame(body, index=labels, columns=labels + fd + ["OUT"])
    frame.loc["VA"] = list(m.va) + [0.0] * len(fd) + [0.0]
    frame.loc["OUT"] = list(m.x) + [0.0] * len(fd) + [0.0]
    frame.index.name = "V1"
    frame.to_csv(path)


def test_raw_oecd_icio_file_goes_through_pymrio_parser(tmp_path, capsys):
    from gvc_abm.analysis.examples import synthetic_table
    from gvc_abm.analysis.indicators import compute_indicators

    m = synthetic_table(3, 2, seed=4)
    m = type(m)(**{**m.__dict__, "countries": ("AUS", "CHN", "USA"), "sectors": ("D01T02", "D05T06")})
    raw = tmp_path / "ICIO2023_2020.csv"
    write_oecd_icio_csv(raw, m)
    code, out, err = run(capsys, "indicators", raw, "--format", "oecd", "--json", tmp_path / "o.json", "-q")
    assert code == 0, err
    got = json.loads((tmp_path / "o.json").read_text())
    want = compute_indicators(m)
    assert got["meta"]["countries"] == ["AUS", "CHN", "USA"]
    for c in m.countries:
        assert got["countries"][c]["gvcp_kww"] == pytest.approx(want["countries"][c]["gvcp_kww"], rel=1e-9)
        assert got["countries"][c]["kww"]["T9"] == pytest.approx(want["countries"][c]["kww"]["T9"], rel=1e-9)
    # A folder without a year is refused by pymrio's parser: one line, exit 2.
    code, _, err = run(capsys, "indicators", tmp_path, "--format", "oecd")
    assert code == 2 and str(tmp_path) in err and err.count("\n") == 1
