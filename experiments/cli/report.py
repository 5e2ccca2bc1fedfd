"""``gvc report``: the stylized-facts report (:mod:`gvc_abm.experiments.report`).

Runs, for every fact of the fact list, the experiment that tests it through the batch runner
(into ``DIR/batches``, so a rerun resumes), then writes ``DIR/report.md``, ``DIR/report.html``
(figures inline), ``DIR/figures/<fact>.png`` and, with ``--json``, the verdicts as JSON.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from . import app
from .batch import SCHEDULER
from .errors import UserInputError


@app.command()
def report(
    out: Annotated[Path | None, typer.Option("--out", help="Report folder (created, or resumed: finished runs are kept).")] = None,
    seeds: Annotated[int | None, typer.Option(help="Seeds per design point (10; 2 with --quick).")] = None,
    quick: Annotated[bool, typer.Option("--quick", help="Fewer seeds, fewer firms, shorter runs (for CI); the report says so.")] = False,
    json: Annotated[Path | None, typer.Option("--json", help="Also write the verdicts as JSON to this file.")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes of the embedded Dask cluster [default: CPU count].")] = None,
    scheduler: Annotated[str | None, typer.Option(help="Address of an existing Dask scheduler, tcp://HOST:PORT.")] = None,
    serial: Annotated[bool, typer.Option("--serial", help="Run in this process, one run after another.")] = False,
    table: Annotated[Path | None, typer.Option("--table", help="A real MRIO table (pymrio folder): the report adds the world calibrated from it, its indicators beside the simulated ones.")] = None,
) -> int:
    """Run every stylized fact's experiment over N seeds and write the report: estimate, 95 % interval, pass or fail."""
    if out is None:
        raise UserInputError("--out: give the report folder")
    if seeds is not None and seeds < 2:
        raise UserInputError(f"--seeds: must be at least 2 (a 95 % interval across seeds needs two), got {seeds}")
    if sum(x is not None and x is not False for x in (workers, scheduler, serial or None)) > 1:
        raise UserInputError("--workers, --scheduler and --serial: give at most one")
    if workers is not None and workers < 1:
        raise UserInputError(f"--workers: must be at least 1, got {workers}")
    if scheduler is not None and not SCHEDULER.match(scheduler):
        raise UserInputError(f"--scheduler {scheduler}: expected an address like tcp://HOST:PORT")
    if out.exists() and not out.is_dir():
        raise UserInputError(f"--out {out}: exists and is not a folder")
    from gvc_abm.experiments.outputs import check_output_file

    if json is not None:
        check_output_file(json, "--json")
    if table is not None:
        if not table.exists():
            raise UserInputError(f"--table {table}: no such file or folder")
        from gvc_abm.analysis.mrio import read_table

        read_table(table)  # a table that cannot be read is reported now, before any run
    from rich.console import Console

    from gvc_abm.analysis.report import summary_line
    from gvc_abm.experiments.batch import BatchError
    from gvc_abm.experiments.report import run_report

    console = Console()
    try:
        results = run_report(out, quick=quick, seeds=seeds, json_path=json, workers=workers, scheduler=scheduler,
                             serial=serial, table=table, log=lambda s: console.print(s, soft_wrap=True, highlight=False))
    except BatchError as exc:
        raise UserInputError(str(exc)) from None
    for r in results:
        console.print(f"{r.id:<11} {'pass' if r.passed else 'FAIL'}  {r.detail}", soft_wrap=True, highlight=False,
                      markup=False)
    console.print(f"{summary_line(results)} -> {out / 'report.html'}", soft_wrap=True, highlight=False)
    return 0
