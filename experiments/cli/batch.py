"""``gvc batch``, ``gvc results``, ``gvc sensitivity``: experiment batches from sweep files.

``gvc batch SWEEP --out DIR`` expands the sweep (:mod:`gvc_abm.experiments.sweeps`) and runs
what is not yet done in DIR (:mod:`gvc_abm.experiments.batch`, which documents the folder);
``gvc results DIR`` summarizes it across seeds; ``gvc sensitivity DIR`` computes SALib's
indices from a batch made with the sobol or morris design. Heavy modules load inside the
command functions, so ``gvc --help`` stays fast.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from . import app
from .errors import UserInputError

#: Indicators ``gvc results`` shows when none is asked for.
DEFAULT_INDICATORS = ("gvcp_kww", "tbi", "openness", "unemployment", "real_income")
SCHEDULER = re.compile(r"^[a-z][a-z0-9+]*://[^\s/:]+(:\d+)?/?$")


def _batch_dir(path: Path) -> Path:
    if not (path / "manifest.parquet").is_file():
        raise UserInputError(f"DIR {path}: not a batch folder (no manifest.parquet; gvc batch SWEEP --out DIR makes one)")
    return path


def _check_csv(path: Path | None) -> None:
    if path is None:
        return
    if path.is_dir():
        raise UserInputError(f"--csv {path}: is a folder, expected a file name")
    blocker = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise UserInputError(f"--csv {path}: {blocker} is a file, not a folder")


@app.command()
def batch(
    sweep: Annotated[Path, typer.Argument(help="Sweep file (YAML): scenario, set, vary, design, samples, seeds, seed.")],
    out: Annotated[Path | None, typer.Option("--out", help="Batch folder (created, or resumed if it holds this batch).")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes of the embedded Dask cluster [default: CPU count].")] = None,
    scheduler: Annotated[str | None, typer.Option(help="Address of an existing Dask scheduler, tcp://HOST:PORT.")] = None,
    serial: Annotated[bool, typer.Option("--serial", help="Run in this process, one run after another.")] = False,
    retries: Annotated[int, typer.Option(help="Times a run whose worker dies is retried before it is recorded failed.")] = 1,
) -> int:
    """Run every run of SWEEP not yet done in --out DIR: one Parquet file per run and a manifest; rerun to resume."""
    if out is None:
        raise UserInputError("--out: give the batch folder")
    if sum(x is not None and x is not False for x in (workers, scheduler, serial or None)) > 1:
        raise UserInputError("--workers, --scheduler and --serial: give at most one")
    if workers is not None and workers < 1:
        raise UserInputError(f"--workers: must be at least 1, got {workers}")
    if retries < 0:
        raise UserInputError(f"--retries: must be 0 or more, got {retries}")
    if scheduler is not None and not SCHEDULER.match(scheduler):
        raise UserInputError(f"--scheduler {scheduler}: expected an address like tcp://HOST:PORT")
    from rich.console import Console

    from gvc_abm.experiments.batch import BatchError, check_out, run_batch
    from gvc_abm.experiments.sweeps import load_sweep

    spec = load_sweep(sweep)
    try:
        check_out(out)
        counts = run_batch(spec, out, workers=workers, scheduler=scheduler, serial=serial, retries=retries)
    except BatchError as exc:
        raise UserInputError(str(exc)) from None
    console = Console()
    extra = f", {counts['corrupt']} corrupt run file(s) rerun" if counts["corrupt"] else ""
    console.print(f"batch {out}: {counts['runs']} runs: {counts['done']} done, {counts['failed']} failed, "
                  f"{counts['pending']} pending ({counts['ran']} run now{extra}) in {counts['seconds']:.1f} s",
                  soft_wrap=True, highlight=False)
    if counts["failed"]:
        from gvc_abm.analysis.batch import read_batch_manifest

        m = read_batch_manifest(out)
        first = m[m.status == "failed"].iloc[0]
        Console(stderr=True).print(f"failed run {first.run_id}: {first.error}", markup=False, highlight=False,
                                   soft_wrap=True)
        return 1
    return 0


@app.command()
def results(
    dir: Annotated[Path, typer.Argument(help="Batch folder (gvc batch --out DIR).")],
    indicator: Annotated[list[str] | None, typer.Option("--indicator", help="Column to show (repeatable) [default: gvcp_kww, tbi, openness, unemployment, real_income].")] = None,
    period: Annotated[int | None, typer.Option(help="Period [default: the last].")] = None,
    country: Annotated[str | None, typer.Option(help="Country [default: the mean over countries].")] = None,
    csv: Annotated[Path | None, typer.Option("--csv", help="Write every column's summary (all countries and their mean) to this CSV file.")] = None,
    compact: Annotated[bool, typer.Option("--compact", help="First merge the run files into one partitioned Parquet dataset, DIR/dataset/.")] = False,
) -> None:
    """Runs done, failed and pending; indicators by scenario and parameter values: mean and 95 % interval across seeds."""
    _batch_dir(dir)
    _check_csv(csv)
    import pandas as pd
    from rich.console import Console
    from rich.table import Table

    from gvc_abm.analysis.batch import load_batch, read_batch_manifest, seed_summary
    from gvc_abm.experiments.batch import BatchError, compact_batch
    from gvc_abm.experiments.outputs import atomic_path

    manifest = read_batch_manifest(dir)
    console = Console(width=max(Console().width, 120))
    counts = manifest["status"].value_counts()
    console.print(f"batch {dir}: {len(manifest)} runs: {int(counts.get('done', 0))} done, "
                  f"{int(counts.get('failed', 0))} failed, {int(counts.get('pending', 0))} pending",
                  soft_wrap=True, highlight=False)
    for row in manifest[manifest.status == "failed"].head(3).itertuples():
        console.print(f"  failed {row.run_id} ({row.scenario}, seed {row.seed}): {row.error}", soft_wrap=True,
                      highlight=False, markup=False)
    df = load_batch(dir)
    if df.empty:
        console.print("no run done yet")
        return
    params = list(df.attrs.get("params", []))
    numeric = [c for c in df.columns if c not in ("run_id", "scenario", "seed", "period", "country", "region", *params)
               and pd.api.types.is_numeric_dtype(df[c])]
    shown = list(indicator or [c for c in DEFAULT_INDICATORS if c in df.columns])
    for name in shown:
        if name not in numeric:
            raise UserInputError(f"--indicator {name}: not a numeric column of the batch (e.g. {', '.join(numeric[:8])}, ...)")
    periods = sorted(int(p) for p in df["period"].unique())
    if period is not None and period not in periods:
        raise UserInputError(f"--period {period}: not in the batch (periods {periods[0]}..{periods[-1]})")
    if country is not None and country not in set(df["country"]):
        raise UserInputError(f"--country {country}: not in the batch ({', '.join(sorted(set(df['country'])))})")
    if compact:  # after every option is checked: a mistake writes nothing
        try:
            merged = compact_batch(dir)
        except BatchError as exc:
            raise UserInputError(str(exc)) from None
        console.print(f"compacted {merged} run(s) into {dir / 'dataset'}")
    summary = seed_summary(df, shown, params=params, period=period, country=country)
    t = periods[-1] if period is None else period
    table = Table(title=f"period {t}, {country or 'mean over countries'}: mean ± half-width of its 95 % interval across seeds",
                  title_justify="left")
    for key in ("scenario", *params):
        table.add_column(key)
    table.add_column("runs", justify="right")
    for name in shown:
        table.add_column(name, justify="right")
    wide = summary.pivot_table(index=["scenario", *params], columns="variable", values=["mean", "ci_low", "ci_high", "n"],
                               sort=False, dropna=False)
    for key, row in wide.iterrows():
        key = key if isinstance(key, tuple) else (key,)
        n = int(max(row["n"][v] for v in shown))
        cells = []
        for v in shown:
            m, lo, hi = row["mean"][v], row["ci_low"][v], row["ci_high"][v]
            cells.append(f"{m:.4g}" + ("" if pd.isna(lo) else f" ± {(hi - lo) / 2:.2g}"))
        table.add_row(*[str(k) for k in key], str(n), *cells)
    console.print(table)
    if csv is not None:
        parts = [seed_summary(df, numeric, params=params, period=period).assign(country="mean")]
        parts += [seed_summary(df, numeric, params=params, period=period, country=c).assign(country=c)
                  for c in sorted(set(df["country"]))]
        full = pd.concat(parts, ignore_index=True).assign(period=t)
        full = full[["scenario", *params, "period", "country", "variable", "n", "mean", "ci_low", "ci_high"]]
        with atomic_path(csv) as tmp:
            full.to_csv(tmp, index=False)
        console.print(f"summary of {len(numeric)} columns -> {csv}")


@app.command()
def sensitivity(
    dir: Annotated[Path, typer.Argument(help="Batch folder made with design sobol or morris.")],
    method: Annotated[str | None, typer.Option(help="sobol or morris (the batch's design).")] = None,
    indicator: Annotated[str | None, typer.Option(help="Output column, e.g. gvcp_kww.")] = None,
    period: Annotated[int | None, typer.Option(help="Period [default: the last].")] = None,
    country: Annotated[str | None, typer.Option(help="Country [default: the mean over countries].")] = None,
    csv: Annotated[Path | None, typer.Option("--csv", help="Write the indices to this CSV file.")] = None,
) -> None:
    """SALib's sensitivity indices of an output, with 95 % confidence intervals, from a sobol or morris batch."""
    if method not in ("sobol", "morris"):
        raise UserInputError(f"--method: expected sobol or morris, got {method!r}")
    if indicator is None:
        raise UserInputError("--indicator: give the output column, e.g. gvcp_kww")
    _batch_dir(dir)
    _check_csv(csv)
    import json

    import numpy as np
    import pandas as pd
    from rich.console import Console
    from rich.table import Table

    from gvc_abm.analysis.batch import load_batch, run_values
    from gvc_abm.experiments.outputs import atomic_path
    from gvc_abm.experiments.sweeps import design_outputs, sensitivity_indices

    spec = json.loads((dir / "sweep.json").read_text(encoding="utf-8"))
    if spec["design"] != method:
        raise UserInputError(f"--method {method}: {dir} was made with design {spec['design']}; "
                             f"sensitivity by {method} needs a batch made with design: {method}")
    df = load_batch(dir)
    if df.empty:
        raise UserInputError(f"DIR {dir}: no run done yet")
    if indicator not in df.columns or not pd.api.types.is_numeric_dtype(df[indicator]):
        raise UserInputError(f"--indicator {indicator}: not a numeric column of the batch")
    try:
        values = run_values(df, indicator, period=period, country=country)
    except ValueError as exc:
        raise UserInputError(f"--period/--country: {exc}") from None
    design = pd.read_parquet(dir / "design.parquet")
    console = Console(width=max(Console().width, 100))
    frames = []
    for scenario, (X, Y, missing) in design_outputs(design, values, spec["params"]).items():
        if missing:
            raise UserInputError(f"DIR {dir}: {missing} of {len(Y)} design points of scenario {scenario} have no done run "
                                 "(rerun gvc batch to finish them)")
        if not np.all(np.isfinite(Y)) or np.ptp(Y) == 0:
            raise UserInputError(f"--indicator {indicator}: {'not finite' if not np.all(np.isfinite(Y)) else 'constant'} "
                                 f"across the design of scenario {scenario}; no sensitivity to measure")
        res = sensitivity_indices(spec, X, Y, method).assign(scenario=scenario)
        frames.append(res)
        t = int(df["period"].max()) if period is None else period
        table = Table(title=f"{method} indices of {indicator} (period {t}, {country or 'mean over countries'}), "
                      f"scenario {scenario}, {len(Y)} points", title_justify="left")
        for col in res.columns[:-1]:
            table.add_column(col, justify="left" if col == "parameter" else "right")
        for row in res.itertuples(index=False):
            table.add_row(row[0], *[f"{v:.4f}" for v in row[1:-1]])
        console.print(table)
    if csv is not None:
        with atomic_path(csv) as tmp:
            pd.concat(frames, ignore_index=True).to_csv(tmp, index=False)
