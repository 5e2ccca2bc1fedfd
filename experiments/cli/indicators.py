"""``gvc indicators``: every GVC indicator of an MRIO table read through pymrio."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..outputs import atomic_path, check_output_file, write_json
from . import app, package_version
from .choices import TABLE_FORMATS
from .errors import UserInputError, read_json

if TYPE_CHECKING:
    from gvc_abm.analysis.mrio import MRIO

__all__ = ["EXAMPLES", "example_table", "package_version", "read_region_map", "print_summary", "indicators"]

#: Built-in example tables for ``--example`` (no file needed).
EXAMPLES = {
    "qu-yang": "Qu & Yang (2023) symmetric economy: 5 countries of unequal size, mu=0.6, nu=0.45, omega=0.7",
}


def example_table(name: str) -> "MRIO":
    """The built-in example table ``name`` (see :data:`EXAMPLES`)."""
    if name == "qu-yang":
        from gvc_abm.analysis.examples import qu_yang_table

        return qu_yang_table(5, mu=0.6, nu=0.45, omega=0.7, sizes=[1.0, 1.5, 2.0, 3.0, 5.0])
    raise UserInputError(f"--example: unknown example {name!r}; expected one of {', '.join(EXAMPLES)}")


def read_region_map(path: Path, countries: tuple[str, ...]) -> dict[str, str]:
    """Read ``{"COUNTRY": "REGION", ...}`` from a JSON file; every country must be mapped."""
    data = read_json(path, "--regions")
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise UserInputError(f'{path}: expected a JSON object {{"COUNTRY": "REGION", ...}} of strings')
    unknown = sorted(set(data) - set(countries))
    if unknown:
        raise UserInputError(f"{path}: countries not in the table: {', '.join(unknown[:5])}")
    missing = [c for c in countries if c not in data]
    if missing:
        raise UserInputError(f"{path}: no region for {', '.join(missing[:5])}")
    return data


def print_summary(result: dict, console: Console) -> None:
    """A rich table of the headline indicators per country, and the world line."""
    from rich.table import Table

    table = Table(title="GVC indicators", title_justify="left")
    cols = [
        ("country", None), ("GDP", "gdp"), ("exports", "exports"), ("openness", "openness"),
        ("GVCP KWW", "gvcp_kww"), ("fwd", "gvcp_kww_forward"), ("bwd", "gvcp_kww_backward"),
        ("GVCP QY", "gvcp_qy"), ("omega", "omega"), ("mu", "mu"), ("nu", "nu"), ("TBI", "tbi"),
        ("PLv", "production_length_plv"), ("PLy", "production_length_ply"),
    ]
    for label, _ in cols:
        table.add_column(label, justify="left" if label == "country" else "right")
    for name, c in result["countries"].items():
        cells = [name]
        for _, key in cols[1:]:
            val = c[key]
            cells.append(f"{val:,.0f}" if abs(val) >= 1000 else f"{val:.3f}")
        table.add_row(*cells)
    console.print(table)
    w = result["world"]
    console.print(
        f"world: GDP {w['world_gdp']:,.0f}, exports {w['world_exports']:,.0f}, "
        f"trade/GDP {w['world_openness']:.3f}, intermediate share of trade {w['intermediate_share_world_trade']:.3f}, "
        f"HHI exports intermediate {w['hhi_exports_intermediate']:.4f} / final {w['hhi_exports_final']:.4f}, "
        f"GVCP KWW {w['gvcp_kww_world']:.3f}"
    )
    if "regions" in result:
        reg = result["regions"]
        console.print(
            f"regions: intra-regional share of gross trade {reg['intra_regional_share_gross']:.3f}, "
            f"of value-added trade {reg['intra_regional_share_va']:.3f}; "
            f"Louvain communities (Q = {reg['communities_modularity']:.3f}): "
            + "; ".join("{" + ", ".join(c) + "}" for c in reg["communities"])
        )


@app.command()
def indicators(
    path: Annotated[Path | None, typer.Argument(help="A folder written by pymrio's save_all (txt or parquet), or a raw download with --format.", show_default="none")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help=f"Parse a raw download with pymrio: {', '.join(TABLE_FORMATS)}.", show_default="pymrio save_all")] = None,
    year: Annotated[int | None, typer.Option(help="Year to read, for --format wiod2013, oecd and eora26.", show_default="pymrio's default")] = None,
    example: Annotated[str | None, typer.Option(help=f"Use a built-in example table instead of PATH: {', '.join(EXAMPLES)}.", show_default="none")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write all indicators as JSON to this file.", show_default="none")] = None,
    csv_out: Annotated[Path | None, typer.Option("--csv", help="Write the per-country table as CSV to this file.", show_default="none")] = None,
    regions: Annotated[Path | None, typer.Option(help='JSON map {"COUNTRY": "REGION"}: adds the regionalization block.', show_default="none")] = None,
    use_table_x: Annotated[bool, typer.Option("--use-table-x", help="Use the table's own gross output x instead of Z1 + Y1.", show_default="off")] = False,
    seed: Annotated[int, typer.Option(help="Seed of the Louvain community detection.")] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Do not print the summary table.", show_default="off")] = False,
) -> None:
    """Compute GVC participation (KWW, Qu & Yang), localization, HHI, TBI, lengths and regionalization of an MRIO table."""
    if (path is None) == (example is None):
        raise UserInputError("indicators: give exactly one of PATH or --example")
    if fmt is not None and fmt not in TABLE_FORMATS:
        raise UserInputError(f"--format: unknown format {fmt!r}; expected one of {', '.join(TABLE_FORMATS)}")
    for opt, target in (("--json", json_out), ("--csv", csv_out)):
        if target is not None:
            check_output_file(target, opt)
    from gvc_abm.analysis.indicators import compute_indicators, table_from_indicators  # the library loads only now
    from gvc_abm.analysis.mrio import read_table

    if example is not None:
        m = example_table(example)
        source = f"example:{example}"
    else:
        m = read_table(path, fmt, year, use_table_x=use_table_x)
        source = str(path)
    region_map = read_region_map(regions, m.countries) if regions is not None else None
    meta = {
        "source": source,
        "format": fmt or ("example" if example else "pymrio"),
        "gross_output": "table x" if use_table_x else "Z1 + Y1",
        "gvc_abm_version": package_version(),
    }
    result = compute_indicators(m, region_map, seed=seed, meta=meta)
    if json_out is not None:
        write_json(json_out, result, what="--json")
    if csv_out is not None:
        with atomic_path(csv_out, "--csv") as tmp:
            table_from_indicators(result).to_csv(tmp)
    if not quiet:
        from rich.console import Console

        console = Console()
        console.width = max(console.width, 150)  # the table is wide; don't squeeze it when piped
        print_summary(result, console)
