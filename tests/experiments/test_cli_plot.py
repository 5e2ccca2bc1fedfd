"""``gvc plot``: every figure of a run and of a batch written as a real image; bad input writes nothing."""

from __future__ import annotations

import pytest

from gvc_abm.experiments.cli import main

RUN_FIGURES = ("indicators", "events", "network", "heatmap", "overview")
MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-", "svg": b"<?xml"}


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli_plot") / "war"
    assert main(["run", "trade-war", "--periods", "3", "--firms", "150", "--save-mrio", "-q", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def plain_run(tmp_path_factory):
    """A run that saved no MRIO: only the figures of its tables can be drawn."""
    out = tmp_path_factory.mktemp("cli_plot") / "plain"
    assert main(["run", "baseline", "--periods", "2", "--firms", "150", "-q", "--out", str(out)]) == 0
    return out


def _image_size(path):
    from matplotlib.image import imread

    return imread(path).shape


def test_run_figures_are_written(run_dir, tmp_path, capsys):
    out = tmp_path / "fig"
    assert main(["plot", str(run_dir), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{s}.png" for s in RUN_FIGURES)
    for stem in RUN_FIGURES:
        data = (out / f"{stem}.png").read_bytes()
        assert data.startswith(MAGIC["png"]) and len(data) > 5_000, stem
        h, w, _ = _image_size(out / f"{stem}.png")
        assert h > 300 and w > 500
    assert f"5 figure(s) -> {out}" in capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["svg", "pdf"])
def test_run_without_mrio_draws_what_it_can(plain_run, tmp_path, fmt, capsys):
    out = tmp_path / "fig"
    assert main(["plot", str(plain_run), "--out", str(out), "--format", fmt]) == 0
    assert sorted(p.name for p in out.iterdir()) == [f"events.{fmt}", f"indicators.{fmt}"]
    for p in out.iterdir():
        data = p.read_bytes()
        assert data.startswith(MAGIC[fmt]) and len(data) > 5_000, p.name
    assert "not drawn" in capsys.readouterr().out


def _fails(args, capsys, *, contains):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("gvc: error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    assert contains in err, err


def test_bad_input_is_one_line_and_writes_nothing(run_dir, tmp_path, capsys):
    out = tmp_path / "fig"
    _fails(["plot", str(tmp_path), "--out", str(out)], capsys, contains="neither a run folder")
    _fails(["plot", str(tmp_path / "missing"), "--out", str(out)], capsys, contains="no such folder")
    _fails(["plot", str(run_dir), "--out", str(out), "--format", "gif"], capsys, contains="--format")
    _fails(["plot", str(run_dir)], capsys, contains="--out")
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    _fails(["plot", str(run_dir), "--out", str(blocker / "fig")], capsys, contains="is a file")
    _fails(["plot", str(run_dir), "--out", str(blocker)], capsys, contains="not a folder")
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("indicators.parquet", "world.parquet", "events.parquet", "manifest.json"):
        (broken / name).write_bytes((run_dir / name).read_bytes())
    (broken / "world.parquet").write_bytes(b"not parquet")
    _fails(["plot", str(broken), "--out", str(out)], capsys, contains="world.parquet")
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "broken"]  # no temporaries left


def test_existing_out_needs_force(plain_run, tmp_path, capsys):
    out = tmp_path / "fig"
    out.mkdir()
    (out / "notes.txt").write_text("keep")
    _fails(["plot", str(plain_run), "--out", str(out)], capsys, contains="--force")
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert main(["plot", str(plain_run), "--out", str(out), "--force", "--dpi", "60"]) == 0
    assert (out / "notes.txt").read_text() == "keep" and _image_size(out / "indicators.png")[:2] == (480, 660)


def test_batch_figures_are_written(tmp_path, capsys):
    pytest.importorskip("gvc_abm.experiments.cli.batch", reason="gvc batch is not installed")
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text("scenario: [baseline, trade-war]\nset: {world.firms.count: 150, periods: 3}\n"
                     "design: grid\nseeds: 1\nseed: 0\n")
    batch = tmp_path / "batch"
    assert main(["batch", str(sweep), "--out", str(batch), "--serial"]) == 0
    capsys.readouterr()
    out = tmp_path / "fig"
    assert main(["plot", str(batch), "--out", str(out)]) == 0
    names = ("batch_indicators", "batch_difference", "batch_comparison", "batch_tbi")
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}.png" for n in names)
    for n in names:
        assert (out / f"{n}.png").read_bytes().startswith(MAGIC["png"]) and _image_size(out / f"{n}.png")[0] > 300
