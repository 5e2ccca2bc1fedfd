"""``gvc plot``: figures of a run folder (``gvc run``) or a batch folder (``gvc batch``).

A run gives ``indicators``, ``events`` and, when it saved its MRIO (``--save-mrio``),
``network``, ``heatmap`` and ``overview``; a batch gives ``batch_indicators``,
``batch_comparison`` and ``batch_tbi`` (:mod:`gvc_abm.analysis.plots`). The figures are drawn
first and written to a temporary folder that is moved into place, so bad input writes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from . import app
from .errors import UserInputError

FORMATS = ("png", "svg", "pdf")


def _load_batch(path: Path):
    """The batch's tidy frame (:func:`gvc_abm.analysis.batch.load_batch`)."""
    from gvc_abm.analysis.batch import load_batch

    return load_batch(path)


def is_batch_dir(path: Path) -> bool:
    """Whether ``path`` is a ``gvc batch`` output folder (``manifest.parquet`` and ``runs/``)."""
    return (path / "manifest.parquet").is_file() and (path / "runs").is_dir()


@app.command()
def plot(
    source: Annotated[Path, typer.Argument(help="A run folder (gvc run --out) or a batch folder (gvc batch --out).")],
    out: Annotated[Path | None, typer.Option("--out", help="Folder for the figures.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="File format: png, svg or pdf.")] = "png",
    force: Annotated[bool, typer.Option("--force", help="Replace the figures of a --out folder that is not empty.")] = False,
    dpi: Annotated[int, typer.Option(help="Resolution of png figures, dots per inch (figures are 11 x 8 in or smaller).")] = 110,
) -> None:
    """Draw the figures of a run (network, indicators, VA heatmap, events) or a batch (means with 95 % bands) into --out DIR."""
    if out is None:
        raise UserInputError("--out: give the folder for the figures")
    if fmt not in FORMATS:
        raise UserInputError(f"--format: expected one of {', '.join(FORMATS)}, got {fmt!r}")
    if not 30 <= dpi <= 1200:
        raise UserInputError(f"--dpi: expected 30 to 1200, got {dpi}")
    from ..outputs import OutputError, atomic_folder, check_output_folder

    try:
        check_output_folder(out, "--out", force=force)
    except OutputError as exc:
        raise UserInputError(str(exc)) from None
    from gvc_abm.analysis import plots
    from gvc_abm.analysis.results import ResultsError, is_run_dir, load_run

    skipped: list[str] = []
    try:
        if is_run_dir(source):
            figs, skipped = plots.run_figures(load_run(source))
        elif is_batch_dir(source):
            frame = _load_batch(source)
            if frame.empty:
                raise UserInputError(f"{source}: the batch has no finished run yet")
            figs = plots.batch_figures(frame)
        elif not source.is_dir():
            raise UserInputError(f"{source}: no such folder")
        else:
            raise UserInputError(f"{source}: neither a run folder (indicators.parquet, world.parquet, events.parquet, "
                                 "manifest.json) nor a batch folder (manifest.parquet, runs/)")
    except ResultsError as exc:
        raise UserInputError(str(exc)) from None
    names = [f"{stem}.{fmt}" for stem in figs]
    try:
        with atomic_folder(out, names, "--out", force=force) as tmp:
            plots.save_figures(figs, tmp, fmt, dpi=dpi)
    except OutputError as exc:
        raise UserInputError(str(exc)) from None
    print(f"{len(names)} figure(s) -> {out}: {', '.join(names)}")
    if skipped:
        print(f"not drawn ({source} has no mrio/; run with --save-mrio): {', '.join(skipped)}")
