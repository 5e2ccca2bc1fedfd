"""``gvc run``: run a scenario for some periods and write tidy results.

Output folder ``--out DIR``: ``indicators.parquet`` (period, country, the indicator library's
columns), ``world.parquet`` (period, country, wages, employment, accounts, real income,
governments' protection pressure, supplier switches), ``events.parquet`` (the policy-event
log: period, country, instrument, target, sector, restrictive, source), ``manifest.json``
(config, seed, versions, convergence per period) and, with ``--save-mrio``,
``mrio/period_0000/...`` (pymrio ``save_all`` folders, parquet). Everything is written to a
temporary folder beside DIR and moved into place at the end, so a failed run leaves nothing
half written. The config is validated before anything is written.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import tempfile
import warnings
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ..scenarios import SCENARIOS, make_config
from . import app
from .errors import UserInputError

OUTPUTS = ("indicators.parquet", "world.parquet", "events.parquet", "manifest.json", "mrio")


def versions() -> dict[str, str]:
    """Versions of the packages that decide the numbers."""
    out = {"python": platform.python_version()}
    for pkg in ("gvc-abm", "numpy", "numba", "pandas", "pyarrow", "pymrio", "pydantic", "scipy"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:  # pragma: no cover
            out[pkg] = "unknown"
    return out


def _finalize(tmp: Path, out: Path) -> None:
    """Move the finished outputs from ``tmp`` into ``out`` (replacing a previous run's files)."""
    if not out.exists():
        os.replace(tmp, out)
        return
    for name in OUTPUTS:
        old = out / name
        if old.is_dir():
            shutil.rmtree(old)
        elif old.exists():
            old.unlink()
    for item in tmp.iterdir():
        os.replace(item, out / item.name)
    tmp.rmdir()


def print_run_summary(result, console: Console) -> None:
    """First and last period's headline indicators per country, and the policy events by kind."""
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


@app.command()
def run(
    scenario: Annotated[str, typer.Argument(help=f"Scenario: {', '.join(SCENARIOS)}, or a YAML/TOML config file.")],
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override a config value: dotted.key=value (repeatable).")] = None,
    periods: Annotated[int | None, typer.Option(help="Number of periods.")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of the run.")] = None,
    firms: Annotated[int | None, typer.Option(help="Total number of firms.")] = None,
    engine: Annotated[str | None, typer.Option(help="Engine: numba (compiled) or mesa (Mesa agents; alias reference).")] = None,
    save_mrio: Annotated[bool, typer.Option("--save-mrio", help="Save each period's MRIO under DIR/mrio/.")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="Output folder.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the closing line, not the summary table.")] = False,
) -> None:
    """Run SCENARIO (firms, governments and households deciding under its drivers) and write tidy results to --out DIR."""
    if out is None:
        raise UserInputError("--out: give the output folder")
    if out.exists() and not out.is_dir():
        raise UserInputError(f"--out {out}: exists and is not a folder")
    if engine is not None and engine not in ("numba", "mesa", "reference"):
        raise UserInputError(f"--engine: expected numba, mesa or reference, got {engine!r}")
    from gvc_abm.environment.clearing import ClearingWarning  # the simulation stack loads only for a run
    from gvc_abm.environment.model import run_simulation

    cfg = make_config(scenario, set_, periods=periods, seed=seed, firms=firms, engine=engine,
                      save_mrio=True if save_mrio else None)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ClearingWarning)
            result = run_simulation(cfg, mrio_dir=(tmp / "mrio") if cfg.save_mrio else None)
        result.indicators.to_parquet(tmp / "indicators.parquet", index=False)
        result.world.to_parquet(tmp / "world.parquet", index=False)
        result.events.to_parquet(tmp / "events.parquet", index=False)
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
        _finalize(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
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
