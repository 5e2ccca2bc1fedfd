"""`gvc decompose` as a user runs it: tidy outputs with the table's labels, one line + exit 2 on bad input."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from gvc_abm.analysis.borin_mancini import BM_TERMS
from gvc_abm.analysis.kww import KWW_TERMS, kww_decomposition
from gvc_abm.analysis.wwz import WWZ_TERMS
from gvc_abm.experiments.cli import main

from ..analysis.test_mrio import small_io


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_example_prints_a_summary(capsys):
    code, out, err = run(capsys, "decompose", "--example", "qu-yang", "--method", "bm-source")
    assert code == 0 and err == ""
    assert "GVC_share" in out and "world" in out and "C5" in out


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_sector_level_long_table_adds_up(tmp_path, capsys, suffix):
    small_io(G=3, N=2).save_all(tmp_path / "t")
    out = tmp_path / f"wwz{suffix}"
    code, _, err = run(capsys, "decompose", tmp_path / "t", "--method", "wwz", "--level", "sector", "--out", out, "-q")
    assert code == 0, err
    long = pd.read_parquet(out) if suffix == ".parquet" else pd.read_csv(out)
    assert list(long.columns) == ["exporter", "sector", "importer", "term", "value"]
    assert set(long["exporter"]) == {"R0", "R1", "R2"} and set(long["sector"]) == {"s0", "s1"}
    wide = long.pivot_table(index=["exporter", "sector", "importer"], columns="term", values="value")
    assert len(wide) == 3 * 2 * 2
    np.testing.assert_allclose(wide[list(WWZ_TERMS)].sum(axis=1), wide["EXGR"], rtol=1e-10)


def test_country_kww_matches_the_library(tmp_path, capsys, wiod_path):
    out = tmp_path / "kww.csv"
    code, _, err = run(capsys, "decompose", wiod_path, "--method", "kww", "--out", out, "-q")
    assert code == 0, err
    wide = pd.read_csv(out).pivot_table(index="exporter", columns="term", values="value", sort=False)
    from gvc_abm.analysis.mrio import read_table

    kww = kww_decomposition(read_table(wiod_path))
    np.testing.assert_allclose(wide[list(KWW_TERMS)].to_numpy(), kww.terms, rtol=1e-8)


def test_groups_make_bloc_trade_domestic(tmp_path, capsys):
    groups = tmp_path / "g.json"
    for content in ({"BLOC": ["C1", "C2"]}, {"C1": "BLOC", "C2": "BLOC"}):
        groups.write_text(json.dumps(content))
        out = tmp_path / "bm.csv"
        code, _, err = run(capsys, "decompose", "--example", "qu-yang", "--method", "bm-sink", "--level", "bilateral",
                           "--groups", groups, "--out", out, "-q")
        assert code == 0, err
        long = pd.read_csv(out)
        assert "BLOC" in set(long["exporter"]) and "C1" not in set(long["exporter"])
        assert not ((long["exporter"] == "BLOC") & (long["importer"] == "BLOC")).any()
        wide = long.pivot_table(index=["exporter", "importer"], columns="term", values="value")
        np.testing.assert_allclose(wide[list(BM_TERMS)].sum(axis=1), wide["EXGR"], rtol=1e-10)


@pytest.mark.parametrize(
    "args,message",
    [
        (["/no/such/table"], "/no/such/table: no such file or directory"),
        (["--example", "qu-yang", "--method", "xyz"], "--method: unknown method 'xyz'"),
        (["--example", "qu-yang", "--level", "planet"], "--level: unknown level 'planet'"),
        (["--example", "qu-yang", "--out", "r.xlsx"], "--out r.xlsx: unknown file type '.xlsx'"),
        (["--format", "wiod2099", "."], "--format: unknown format 'wiod2099'"),
        (["--example", "qu-yang", "--groups", "/no/g.json"], "--groups /no/g.json: no such file"),
        ([], "give exactly one of PATH or --example"),
        (["--example", "qu-yang", "--bogus"], "No such option: --bogus"),
        (["--example", "qu-yang", "--perspective", "world"], "--perspective: unknown perspective 'world'"),
        (["--example", "qu-yang", "--method", "wwz", "--perspective", "bilateral"], "only defined for --method bm-source"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, args, message):
    code, out, err = run(capsys, "decompose", *args)
    assert code == 2
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


@pytest.mark.parametrize(
    "content,message",
    [
        ("{not json", "not valid JSON"),
        (json.dumps({"BLOC": ["C1", "NOPE"]}), "'NOPE' is not a country of the table"),
        (json.dumps({"A": ["C1"], "B": ["C1", "C2"]}), "in two groups"),
        (json.dumps({"ALL": ["C1", "C2", "C3", "C4", "C5"]}), "every country is in one group"),
        (json.dumps([1, 2]), "expected a JSON object"),
    ],
)
def test_bad_group_map_is_one_line_naming_the_file(tmp_path, capsys, content, message):
    groups = tmp_path / "g.json"
    groups.write_text(content)
    out = tmp_path / "o.csv"
    code, _, err = run(capsys, "decompose", "--example", "qu-yang", "--groups", groups, "--out", out)
    assert code == 2 and err.count("\n") == 1 and message in err and str(groups) in err
    assert not out.exists()


def test_bad_table_writes_nothing(tmp_path, capsys):
    io = small_io()
    io.Z.iloc[0, 0] = np.nan
    io.save_all(tmp_path / "t")
    code, _, err = run(capsys, "decompose", tmp_path / "t", "--out", tmp_path / "o.parquet")
    assert code == 2 and "Z has 1 missing" in err
    assert [p.name for p in tmp_path.iterdir()] == ["t"]


def test_bilateral_perspective_changes_dva_but_not_exports(tmp_path, capsys):
    tables = {}
    for perspective in ("exporter", "bilateral"):
        out = tmp_path / f"{perspective}.csv"
        code, _, err = run(capsys, "decompose", "--example", "qu-yang", "--method", "bm-source", "--level", "bilateral",
                           "--perspective", perspective, "--out", out, "-q")
        assert code == 0, err
        tables[perspective] = pd.read_csv(out).pivot_table(index=["exporter", "importer"], columns="term", values="value")
    a, b = tables["exporter"], tables["bilateral"]
    np.testing.assert_allclose(a["EXGR"], b["EXGR"], rtol=1e-12)
    assert (b["DVA"] > a["DVA"]).all() and (b["DDC"] < a["DDC"]).all()
