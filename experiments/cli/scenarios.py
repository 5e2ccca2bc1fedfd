"""``gvc scenarios``: the bundled scenario library (list them, print one's YAML)."""

from __future__ import annotations

from typing import Annotated

import typer

from . import app

scenarios_app = typer.Typer(help="The bundled scenarios: list them, or print one's YAML file.", invoke_without_command=True)
app.add_typer(scenarios_app, name="scenarios")


@scenarios_app.callback()
def list_scenarios(ctx: typer.Context) -> None:
    """List the bundled scenarios, each with a one-line summary (gvc scenarios show NAME for the whole file)."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from ..scenarios import library

    table = Table(title="bundled scenarios (gvc run NAME; gvc scenarios show NAME)", title_justify="left")
    table.add_column("scenario", no_wrap=True)
    table.add_column("summary")
    for s in library().values():
        name = s.name + (f" (alias {', '.join(s.aliases)})" if s.aliases else "")
        table.add_row(Text(name), Text(s.summary))
    Console().print(table)


@scenarios_app.command("show")
def show(name: Annotated[str, typer.Argument(help="A bundled scenario (or one of its aliases).")]) -> None:
    """Print the scenario's YAML file: its description, then the config it runs (a valid config file for gvc run)."""
    from ..scenarios import scenario

    text = scenario(name).text
    print(text, end="" if text.endswith("\n") else "\n")
