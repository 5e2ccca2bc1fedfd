"""``gvc config keys``: every config key, generated from the pydantic models."""

from __future__ import annotations

from typing import Annotated

import typer

from . import app
from .errors import UserInputError

config_app = typer.Typer(help="The configuration: every key --set and config files accept.", no_args_is_help=True)
app.add_typer(config_app, name="config")


@config_app.command("keys")
def keys(
    prefix: Annotated[str, typer.Argument(help="Show only keys at or under this dotted path, e.g. drivers or world.firms.",
                                          show_default="all keys")] = "",
    plain: Annotated[bool, typer.Option("--plain", help="Tab-separated lines (key, type, default, unit, description) instead of a table.",
                                        show_default="off")] = False,
) -> None:
    """List every config key (dotted path for --set and config files) with its type, default, unit and description."""
    from gvc_abm.environment.config import config_keys

    rows = config_keys(prefix)
    if not rows:
        raise UserInputError(f"PREFIX {prefix}: no config key at or under it (gvc config keys lists them all)")
    if plain:
        for r in rows:
            print("\t".join((r.path, r.type, r.default, r.unit, r.description)))
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title="config keys (list items as <i>: world.countries.0.name)", title_justify="left")
    for col, kw in (("key", {"no_wrap": True}), ("type", {}), ("default", {}), ("unit", {}), ("description", {"ratio": 1})):
        table.add_column(col, **kw)
    for r in rows:
        table.add_row(*(Text(cell) for cell in (r.path, r.type, r.default, r.unit, r.description)))  # not rich markup
    console = Console()
    console.width = max(console.width, 160)
    console.print(table)
