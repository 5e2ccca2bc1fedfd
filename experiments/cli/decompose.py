"""``gvc decompose``: gross-exports decompositions (WWZ, KWW, Borin-Mancini) of an MRIO table."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..outputs import atomic_path, check_output_file
from . import app
from .choices import BM_PERSPECTIVES, LEVELS, TABLE_FORMATS
from .errors import UserInputError, read_json
from .indicators import EXAMPLES, example_table

if TYPE_CHECKING:
    import pandas as pd

    from gvc_abm.analysis.mrio import MRIO

#: ``--method`` names and what each computes.
METHODS = {
    "wwz": "Wang, Wei & Zhu (2013) 16 terms",
    "kww": "Koopman, Wang & Wei (2014) nine terms (sums of WWZ terms)",
    "bm-source": "Borin & Mancini (2019) source-based, with GVC-related trade",
    "bm-sink": "Borin & Mancini (2019) sink-based",
}
OUT_SUFFIXES = (".parquet", ".csv")


def read_groups(path: Path) -> dict[str, list[str]]:
    """Read a country-group map from JSON.

    Either ``{"GROUP": ["COUNTRY", ...], ...}`` or the region-map form
    ``{"COUNTRY": "GROUP", ...}`` (countries left out stay on their own).
    """
    data = read_json(path, "--groups")
    if not isinstance(data, dict) or not data:
        raise UserInputError(f'--groups {path}: expected a JSON object {{"GROUP": ["COUNTRY", ...]}}')
    if all(isinstance(v, str) for v in data.values()):
        groups: dict[str, list[str]] = {}
        for country, group in data.items():
            groups.setdefault(group, []).append(country)
        return groups
    if all(isinstance(v, list) and all(isinstance(c, str) for c in v) for v in data.values()):
        return {str(k): list(v) for k, v in data.items()}
    raise UserInputError(
        f'--groups {path}: expected {{"GROUP": ["COUNTRY", ...]}} or {{"COUNTRY": "GROUP"}} with string labels'
    )


def decompose_table(
    m: "MRIO", method: str, level: str, groups: dict | None = None, perspective: str = "exporter"
) -> "pd.DataFrame":
    """The decomposition of ``m`` by ``method``, summed to ``level`` (wide: one column per term)."""
    import pandas as pd

    from gvc_abm.analysis.bilateral import aggregate, kww_from_wwz
    from gvc_abm.analysis.borin_mancini import bm_decomposition, gvc_shares
    from gvc_abm.analysis.wwz import wwz_decomposition

    if method in ("wwz", "kww"):
        df = aggregate(wwz_decomposition(m, groups), level)
        return kww_from_wwz(df) if method == "kww" else df
    df = aggregate(bm_decomposition(m, method.split("-")[1], groups, perspective), level)
    if method == "bm-source":
        df = pd.concat([df, gvc_shares(df)], axis=1)
    return df


def _summary_columns(method: str) -> list[str]:
    if method in ("wwz", "kww"):
        return ["EXGR", "VAX", "DVA", "RDV", "FVA", "PDC"]
    cols = ["EXGR", "DAVAX", "VAX_GVC", "REF", "DDC", "FVA", "FDC"]
    return cols + (["GVC_share", "GVCB_share", "GVCF_share"] if method == "bm-source" else [])


def print_summary(df_country: "pd.DataFrame", method: str, console) -> None:
    """Rich table: one row per exporter, the method's headline parts, and the world total."""
    from rich.table import Table

    from gvc_abm.analysis.bilateral import kww_from_wwz

    if method == "wwz":
        df_country = kww_from_wwz(df_country)
    cols = _summary_columns(method)
    caption = "country totals grouped as KWW (2014): VAX = T1..T3, DVA = T1..T5, RDV = T4+T5, FVA = T7+T8, PDC = T6+T9"
    table = Table(
        title=f"Gross exports decomposed: {METHODS[method]}",
        title_justify="left",
        caption=caption if method in ("wwz", "kww") else None,
        caption_justify="left",
    )
    table.add_column("exporter")
    for c in cols:
        table.add_column(c, justify="right")

    def fmt(col: str, val: float) -> str:
        return f"{val:.3f}" if col.endswith("_share") else f"{val:,.1f}"

    for name, row in df_country.iterrows():
        table.add_row(str(name), *(fmt(c, row[c]) for c in cols))
    world = df_country[[c for c in df_country.columns if not c.endswith("_share")]].sum()
    cells = []
    for c in cols:
        if c.endswith("_share"):
            part = world[c.removesuffix("_share")]
            cells.append(fmt(c, part / world["EXGR"] if world["EXGR"] else 0.0))
        else:
            cells.append(fmt(c, world[c]))
    table.add_row("world", *cells, style="bold")
    console.print(table)


@app.command()
def decompose(
    path: Annotated[Path | None, typer.Argument(help="A folder written by pymrio's save_all (txt or parquet), or a raw download with --format.", show_default="none")] = None,
    method: Annotated[str, typer.Option(help=f"Decomposition: {', '.join(METHODS)}.")] = "wwz",
    level: Annotated[str, typer.Option(help=f"Detail of the output: {', '.join(LEVELS)}.")] = "country",
    groups: Annotated[Path | None, typer.Option(help='JSON country groups {"EU": ["DEU", "FRA"], ...}: trade within a group is domestic.', show_default="none")] = None,
    perspective: Annotated[str, typer.Option(help="For bm-source: count value added the first time it leaves the exporter (exporter) or enters this flow (bilateral).")] = "exporter",
    out: Annotated[Path | None, typer.Option(help="Write the tidy long table (labels, term, value) to FILE.parquet or FILE.csv.", show_default="none")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help=f"Parse a raw download with pymrio: {', '.join(TABLE_FORMATS)}.", show_default="pymrio save_all")] = None,
    year: Annotated[int | None, typer.Option(help="Year to read, for --format wiod2013, oecd and eora26.", show_default="pymrio's default")] = None,
    example: Annotated[str | None, typer.Option(help=f"Use a built-in example table instead of PATH: {', '.join(EXAMPLES)}.", show_default="none")] = None,
    use_table_x: Annotated[bool, typer.Option("--use-table-x", help="Use the table's own gross output x instead of Z1 + Y1 (the terms then add up to exports only as closely as x = Z1 + Y1 holds).", show_default="off")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Do not print the summary table.", show_default="off")] = False,
) -> None:
    """Decompose bilateral gross exports by value-added origin and destination (WWZ, KWW, Borin-Mancini)."""
    if (path is None) == (example is None):
        raise UserInputError("decompose: give exactly one of PATH or --example")
    if method not in METHODS:
        raise UserInputError(f"--method: unknown method {method!r}; expected one of {', '.join(METHODS)}")
    if level not in LEVELS:
        raise UserInputError(f"--level: unknown level {level!r}; expected one of {', '.join(LEVELS)}")
    if perspective not in BM_PERSPECTIVES:
        raise UserInputError(f"--perspective: unknown perspective {perspective!r}; expected one of {', '.join(BM_PERSPECTIVES)}")
    if perspective != "exporter" and method != "bm-source":
        raise UserInputError(f"--perspective {perspective}: only defined for --method bm-source")
    if fmt is not None and fmt not in TABLE_FORMATS:
        raise UserInputError(f"--format: unknown format {fmt!r}; expected one of {', '.join(TABLE_FORMATS)}")
    if out is not None:
        check_output_file(out, "--out")
        if out.suffix.lower() not in OUT_SUFFIXES:
            raise UserInputError(f"--out {out}: unknown file type {out.suffix!r}; expected .parquet or .csv")
    import pandas as pd  # the library loads only now

    from gvc_abm.analysis.bilateral import aggregate, to_long
    from gvc_abm.analysis.borin_mancini import gvc_shares
    from gvc_abm.analysis.gross_exports import country_regions
    from gvc_abm.analysis.mrio import read_table

    group_map = read_groups(groups) if groups is not None else None
    m = example_table(example) if example is not None else read_table(path, fmt, year, use_table_x=use_table_x)
    if group_map is not None:
        try:
            regions = country_regions(m, group_map)
        except ValueError as exc:
            raise UserInputError(f"--groups {groups}: {exc}") from exc
        if regions.R < 2:
            raise UserInputError(f"--groups {groups}: every country is in one group, so nothing is exported")
    if m.G < 2:
        raise UserInputError(f"{path}: the table has one country, so nothing is exported")

    df = decompose_table(m, method, level, group_map, perspective)
    if out is not None:
        long = to_long(df)
        with atomic_path(out, "--out") as tmp:
            if out.suffix.lower() == ".parquet":
                long.to_parquet(tmp, index=False)
            else:
                long.to_csv(tmp, index=False)
    if not quiet:
        country = aggregate(df, "country") if level != "country" else df
        if method == "bm-source" and level != "country":
            base = country.drop(columns=[c for c in country.columns if c.endswith("_share")])
            country = pd.concat([base, gvc_shares(base)], axis=1)
        from rich.console import Console

        console = Console()
        console.width = max(console.width, 150)
        print_summary(country, method, console)
