"""``gvc bench``: speed and memory of the indicator library (and, with the world, the simulation)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ..benchmarks import DECOMPOSE_METHODS, bench_decomposition, bench_indicators
from ..outputs import write_json
from . import app
from .errors import UserInputError


def parse_table_size(text: str) -> tuple[int, int]:
    """``"40x20"`` -> ``(40, 20)`` countries x sectors."""
    match = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", text)
    if not match or int(match.group(1)) < 2 or int(match.group(2)) < 1:
        raise UserInputError(f"--table: expected COUNTRIESxSECTORS such as 40x20 (at least 2 countries), got {text!r}")
    return int(match.group(1)), int(match.group(2))


@app.command()
def bench(
    table: Annotated[str | None, typer.Option(help="Time every indicator on a synthetic COUNTRIESxSECTORS table, e.g. 40x20 or 77x45.")] = None,
    decompose: Annotated[str | None, typer.Option(help=f"With --table, time a gross-exports decomposition instead: {', '.join(DECOMPOSE_METHODS)}.")] = None,
    repeat: Annotated[int, typer.Option(min=1, help="Timed repetitions (min and median are reported).")] = 3,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic table.")] = 0,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the measurements as JSON to this file.")] = None,
) -> None:
    """Measure speed and peak memory; figures go to the console and, with --json, to a file."""
    if table is None:
        raise UserInputError("bench: give --table COUNTRIESxSECTORS")
    G, N = parse_table_size(table)
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
        write_json(json_out, result)
