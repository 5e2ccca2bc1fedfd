"""``gvc bench``: speed and memory of the indicator library (and, with the world, the simulation)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from ..outputs import check_output_file, write_json
from . import app
from .choices import DECOMPOSE_METHODS, ENGINES
from .errors import UserInputError


def parse_table_size(text: str) -> tuple[int, int]:
    """``"40x20"`` -> ``(40, 20)`` countries x sectors."""
    match = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", text)
    if not match or int(match.group(1)) < 2 or int(match.group(2)) < 1:
        raise UserInputError(f"--table: expected COUNTRIESxSECTORS such as 40x20 (at least 2 countries), got {text!r}")
    return int(match.group(1)), int(match.group(2))


@app.command()
def bench(
    table: Annotated[str | None, typer.Option(help="Time every indicator on a synthetic COUNTRIESxSECTORS table, e.g. 40x20 or 77x45.", show_default="none")] = None,
    decompose: Annotated[str | None, typer.Option(help=f"With --table, time a gross-exports decomposition instead: {', '.join(DECOMPOSE_METHODS)}.", show_default="none")] = None,
    repeat: Annotated[int, typer.Option(min=1, help="Timed repetitions (min and median are reported).")] = 3,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic table.")] = 0,
    firms: Annotated[int | None, typer.Option(help="Time the simulation on a default world with this many firms.", show_default="none")] = None,
    links: Annotated[int, typer.Option(min=1, help="With --firms: supplier links per firm.")] = 10,
    periods: Annotated[int, typer.Option(min=1, help="With --firms: periods to time (each clears from a cold start).")] = 3,
    engine: Annotated[str, typer.Option(help="With --firms: engine, numba or mesa (alias reference).")] = "numba",
    compare_reference: Annotated[bool, typer.Option("--compare-reference", help="With --firms: also time one period of the Mesa / reference engine and report the speedups.", show_default="off")] = False,
    thread_speedup: Annotated[bool, typer.Option("--thread-speedup", help="With --firms: also time the cold clearing on one thread and report the speed-up of numba's threads, measured in the same run.", show_default="off")] = False,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the measurements as JSON to this file.", show_default="none")] = None,
) -> None:
    """Measure speed and peak memory; figures go to the console and, with --json, to a file."""
    from rich.console import Console

    if json_out is not None:
        check_output_file(json_out, "--json")
    if firms is not None:
        if table is not None:
            raise UserInputError("bench: give either --table or --firms, not both")
        from ..threads import pin_blas

        pin_blas()  # as in gvc run: BLAS's idle threads would spin on numba's cores
        from ...environment.config import DefaultWorldConfig

        world = DefaultWorldConfig()
        G, S = len(world.countries), len(world.sectors)
        if firms < G * S:
            raise UserInputError(f"--firms: the default world needs at least {G * S} firms ({G} countries x {S} sectors), got {firms}")
        if engine not in ENGINES:
            raise UserInputError(f"--engine: expected numba, mesa or reference, got {engine!r}")
        from ..bench_simulation import bench_simulation  # the simulation stack loads only when asked for

        result = bench_simulation(firms, links, periods, engine=engine, compare_reference=compare_reference,
                                  thread_speedup=thread_speedup, seed=seed)
        Console().print(simulation_table(result, engine))
        if json_out is not None:
            write_json(json_out, result, what="--json")
        return
    if table is None:
        raise UserInputError("bench: give --table COUNTRIESxSECTORS or --firms N")
    G, N = parse_table_size(table)
    from ..benchmarks import bench_decomposition, bench_indicators  # numpy and the indicator library load only now

    if decompose is not None:
        if decompose not in DECOMPOSE_METHODS:
            raise UserInputError(f"--decompose: unknown method {decompose!r}; expected one of {', '.join(DECOMPOSE_METHODS)}")
        result = bench_decomposition(G, N, decompose, seed=seed)
        Console().print(
            f"{decompose} on {G} x {N} = {G * N} rows: {result['seconds']:.3f} s, peak traced "
            f"{result['peak_traced_mb']:.0f} MB, peak RSS {result['peak_rss_mb']:.0f} MB, "
            f"adding-up error {result['max_abs_adding_up_error']:.1e}"
        )
    else:
        result = bench_indicators(G, N, repeat=repeat, seed=seed)
        Console().print(
            f"indicators on {G} x {N} = {G * N} rows: {result['seconds_min']:.3f} s (min of {repeat}), "
            f"median {result['seconds_median']:.3f} s, peak RSS {result['peak_rss_mb']:.0f} MB"
        )
    if json_out is not None:
        write_json(json_out, result, what="--json")


def simulation_table(result: dict, engine: str):
    """``gvc bench --firms``'s figures as a table: build, decisions, clearing (iterations, seconds per
    iteration and its ratio to the CSR mat-vec of the same network, timed in the same run), MRIO and
    indicators, memory and threads."""
    from rich.table import Table

    r = result
    table = Table(title=f"simulation, {r['firms']:,} firms x {r['links']} links, {r['nnz']:,} links in all "
                        f"({engine}, {r['threads']} thread{'s' if r['threads'] != 1 else ''})", title_justify="left")
    table.add_column("what")
    table.add_column("figure", justify="right")
    table.add_column("note")
    rows = [
        ("world built", f"{r['build_seconds']:.2f} s", "default world, without its flexible-wage equilibration"),
        ("model built (world and agents)", f"{r['model_build_seconds']:.2f} s", "GVCModel, equilibrated"),
        ("whole agent-model period", f"{r['period_seconds']:.3f} s", f"mean of {r['periods']} periods, warm start"
         + (f"; median of {r['model_runs']} runs" if r.get("model_runs", 1) > 1 else "")),
        ("  decisions", f"{r['decision_seconds_per_period']:.3f} s", f"{r['switches_per_period']:.0f} supplier switches"),
        ("  clearing", f"{r['model_clearing_seconds_per_period']:.3f} s", ""),
        ("  MRIO and indicators", f"{r['mrio_indicator_seconds_per_period']:.3f} s", ""),
        ("cold clearing", f"{r['clearing_seconds_per_period']:.3f} s",
         f"{r['clearing_iterations_per_period']:.0f} iterations: {r['price_iterations_per_period']:.0f} price sweeps, "
         f"{r['value_iterations_per_period']:.0f} value iterations"),
        ("  per iteration", f"{r['seconds_per_clearing_iteration'] * 1e3:.2f} ms",
         f"{r['iteration_over_matvec']:.1f}x a scipy CSR mat-vec ({r['scipy_csr_matvec_seconds'] * 1e3:.2f} ms)"),
        ("state per firm", f"{r['state_bytes_per_firm']:.0f} B", "firm arrays and row pointers"),
        ("state per link", f"{r['state_bytes_per_link']:.0f} B", "link arrays and their sector groups"),
        ("peak memory", f"{r['peak_rss_mb']:.0f} MB", "resident, whole process, to the first model run"),
    ]
    if "thread_speedup" in r:
        rows.append(("  on one thread", f"{r['one_thread_clearing_seconds']:.3f} s",
                     f"speed-up {r['thread_speedup']:.2f}x on {r['threads']} threads (same run)"))
    if "reference_seconds_per_period" in r:
        rows += [("reference clearing", f"{r['reference_seconds_per_period']:.2f} s", f"plain Python, {r['speedup']:.0f}x slower"),
                 ("Mesa engine period", f"{r['mesa_period_seconds']:.2f} s", f"{r['period_speedup']:.0f}x the numba period"
                  + (f"; median of {r['mesa_model_runs']} runs" if r.get("mesa_model_runs", 1) > 1 else ""))]
    for row in rows:
        table.add_row(*row)
    if not r["converged"] or not r.get("model_converged", True):
        table.caption = "[not converged]"
    return table
