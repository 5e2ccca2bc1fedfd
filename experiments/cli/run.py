"""``gvc run``: run a scenario for some periods and write tidy results.

Output folder ``--out DIR``: ``indicators.parquet`` (period, country, the indicator library's
columns), ``world.parquet`` (period, country, wages, employment, accounts, real income,
governments' protection pressure, supplier switches, technology diffusion, the state of technology, automation and
policy), ``global.parquet`` (period: world aggregates, regionalization, communities, policy
measures by type), ``regions.parquet`` (period, region or bloc), ``flows.parquet`` (period,
exporter, importer), ``sectors.parquet`` (period, country, sector), ``events.parquet`` (the
policy-event log: period, country, instrument, target, sector, restrictive, source), ``manifest.json``
(config, seed, versions, convergence per period) and, with ``--save-mrio``,
``mrio/period_0000/...`` (pymrio ``save_all`` folders, parquet). Everything is written to a
temporary folder beside DIR and moved into place at the end, so a failed run leaves nothing
half written (:func:`~gvc_abm.experiments.outputs.atomic_folder`). The config, the memory it
needs and the output folder are checked before anything is written; a folder holding results
is replaced only with ``--force``.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from ..outputs import atomic_folder, check_output_folder
from . import app
from .choices import ENGINES
from .errors import UserInputError

#: The tables of a run and the attribute of :class:`~gvc_abm.environment.model.RunResult` holding each.
TABLE_FILES = {"indicators.parquet": "indicators", "world.parquet": "world", "global.parquet": "global_",
               "regions.parquet": "regions", "flows.parquet": "flows", "sectors.parquet": "sectors",
               "events.parquet": "events"}
OUTPUTS = (*TABLE_FILES, "manifest.json", "mrio")


def versions() -> dict[str, str]:
    """Versions of the packages that decide the numbers."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for pkg in ("gvc-abm", "numpy", "numba", "pandas", "pyarrow", "pymrio", "pydantic", "scipy"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:  # pragma: no cover
            out[pkg] = "unknown"
    return out


def print_run_summary(result, console) -> None:
    """First and last period's headline indicators per country, and the policy events by kind."""
    from rich.table import Table

    ind = result.indicators
    first, last = ind[ind.period == ind.period.min()].set_index("country"), ind[ind.period == ind.period.max()].set_index("country")
    table = Table(title=f"GVC indicators, period {int(ind.period.min())} -> {int(ind.period.max())}", title_justify="left")
    cols = [("GVCP KWW", "gvcp_kww"), ("omega", "omega"), ("mu", "mu"), ("nu", "nu"), ("TBI", "tbi"), ("openness", "openness")]
    table.add_column("country")
    for label, _ in cols:
        table.add_column(label, justify="right")
    for c in last.index:
        table.add_row(c, *[f"{first.loc[c, k]:.3f} -> {last.loc[c, k]:.3f}" for _, k in cols])
    console.print(table)
    ev = result.events
    if len(ev):
        counts = ", ".join(f"{k} {v}" for k, v in ev["instrument"].value_counts().items())
        console.print(f"policy events: {len(ev)} ({int(ev['restrictive'].sum())} restrictive): {counts}")
    else:
        console.print("policy events: none")


@contextmanager
def run_progress(periods: int, show: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress display on stderr, yielding the ``progress(done, total)`` callback of
    :func:`~gvc_abm.environment.model.run_simulation`; nothing (None) unless ``show`` and stderr is a terminal.

    Until the world is built it shows what is happening: loading the simulation, drawing the
    world and, on the first run on a machine, compiling the numba kernels (cached afterwards).
    """
    from rich.console import Console

    console = Console(stderr=True)
    if not show or not console.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("building the world (a first run compiles the kernels)", total=None)

        def report(done: int, total: int) -> None:
            label = f"period {min(done + 1, total)} of {total}" if done < total else "writing results"
            bar.update(task, description=label, completed=done, total=total, refresh=True)

        yield report


@app.command()
def run(
    scenario: Annotated[str, typer.Argument(help="A bundled scenario (list them: gvc scenarios) or a YAML/TOML config file.")],
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override a config value: dotted.key=value (repeatable; keys: gvc config keys).", show_default="none")] = None,
    periods: Annotated[int | None, typer.Option(help="Number of periods.", show_default="the scenario's")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of the run.", show_default="the scenario's, else 0")] = None,
    firms: Annotated[int | None, typer.Option(help="Total number of firms.", show_default="the scenario's")] = None,
    engine: Annotated[str | None, typer.Option(help="Engine: numba (compiled) or mesa (Mesa agents; alias reference).", show_default="the scenario's, else numba")] = None,
    save_mrio: Annotated[bool, typer.Option("--save-mrio", help="Save each period's MRIO under DIR/mrio/.", show_default="off")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="Output folder (must be new or empty, unless --force).", show_default="required")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the results of an earlier run in --out (other files there stay).", show_default="off")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the closing line: no progress, no summary table.", show_default="off")] = False,
) -> None:
    """Run SCENARIO (firms, governments and households deciding under its drivers) and write tidy results to --out DIR."""
    if out is None:
        raise UserInputError("--out: give the output folder")
    if engine is not None and engine not in ENGINES:
        raise UserInputError(f"--engine: expected numba, mesa or reference, got {engine!r}")
    check_output_folder(out, "--out", force=force)
    from ..threads import pin_blas

    pin_blas()  # before numpy loads: BLAS's idle threads would spin on numba's cores
    from gvc_abm.environment.builders import check_memory

    from ..scenarios import make_config

    cfg = make_config(scenario, set_, periods=periods, seed=seed, firms=firms, engine=engine,
                      save_mrio=True if save_mrio else None)
    check_memory(cfg.world)
    with run_progress(cfg.periods, not quiet) as progress:
        import warnings

        from gvc_abm.environment.clearing import ClearingWarning  # the simulation stack loads only for a run
        from gvc_abm.environment.model import run_simulation

        with atomic_folder(out, OUTPUTS, "--out", force=force) as tmp:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ClearingWarning)
                result = run_simulation(cfg, mrio_dir=(tmp / "mrio") if cfg.save_mrio else None, progress=progress)
            for name, attr in TABLE_FILES.items():
                getattr(result, attr).to_parquet(tmp / name, index=False)
            manifest = {
                "scenario": scenario,
                "seed": cfg.seed,
                "periods": cfg.periods,
                "engine": cfg.engine,
                "config": cfg.to_dict(),
                "versions": versions(),
                "converged": all(c["converged"] for c in result.convergence),
                "convergence": result.convergence,
                "warnings": [str(w.message) for w in caught],
                "files": sorted(p.name for p in tmp.iterdir()) + ["manifest.json"],
            }
            (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    from rich.console import Console

    console = Console(stderr=True)
    for w in caught:
        console.print(f"[yellow]warning:[/yellow] {w.message}")
    bad = [c["period"] for c in result.convergence if not c["converged"]]
    if not quiet:
        print_run_summary(result, Console(width=max(Console().width, 120)))
    Console().print(
        f"{scenario}: {cfg.periods} period(s), seed {cfg.seed}, engine {cfg.engine}: "
        + ("all periods converged" if not bad else f"[red]not converged in period(s) {bad}[/red]")
        + f" -> {out}"
    )
