"""``gvc world describe``: build a world and print what it is made of."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from gvc_abm.environment.state import World

from . import app
from .errors import UserInputError

world_app = typer.Typer(help="Build and inspect worlds.", no_args_is_help=True)
app.add_typer(world_app, name="world")

KINDS = {"default": "baseline", "paper": "paper", "calibrated": "calibrated"}


def world_summary(world: "World") -> dict:
    """Per-country and per-sector figures of the world's current state (plain data)."""
    import numpy as np

    fs, cs, pol, net = world.firms, world.country_state, world.policy, world.network
    G, S = world.G, world.S
    va = fs.nu * fs.output
    gdp = np.bincount(fs.country, weights=va, minlength=G)
    home_final = np.array([pol.taste[c, c, :].mean() for c in range(G)])
    mean_tariff = np.array([pol.tariff[c][~np.eye(G, dtype=bool)[c]].mean() if G > 1 else 0.0 for c in range(G)])
    countries = [
        {
            "country": world.countries[c], "region": world.regions[c], "firms": int(np.sum(fs.country == c)),
            "labour_force": float(cs.labour_force[c]), "wage": float(cs.wage[c]), "gdp_share": float(gdp[c] / gdp.sum()),
            "deficit": float(cs.deficit[c]), "home_taste": float(home_final[c]), "mean_tariff": float(mean_tariff[c]),
        }
        for c in range(G)
    ]
    sectors = [
        {
            "sector": world.sectors[s], "firms": int(np.sum(fs.sector == s)),
            "nu": float(fs.nu[fs.sector == s].mean()) if np.any(fs.sector == s) else float("nan"),
            "kappa": float(world.kappa[s]), "beta": float(pol.beta[:, s].mean()),
        }
        for s in range(S)
    ]
    return {
        "kind": world.kind, "countries": countries, "sectors": sectors, "firms": world.F, "links": int(net.nnz),
        "sigma": float(pol.sigma), "numeraire": float(world.numeraire),
    }


@world_app.command("describe")
def describe(
    kind: Annotated[str, typer.Argument(help="default, calibrated or paper.")] = "default",
    table: Annotated[str | None, typer.Argument(help="The MRIO table of a calibrated world (a pymrio save_all folder).")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override a config value: dotted.key=value (repeatable; keys: gvc config keys).", show_default="none")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of the world.", show_default="the scenario's, else 0")] = None,
    firms: Annotated[int | None, typer.Option(help="Total number of firms.", show_default="the world's")] = None,
) -> None:
    """Print the countries, sectors, firms and links of a world."""
    if kind not in KINDS:
        raise UserInputError(f"KIND: unknown world {kind!r}; expected one of {', '.join(KINDS)}")
    overrides = list(set_ or [])
    if table is not None:
        if kind != "calibrated":
            raise UserInputError(f"TABLE: only a calibrated world takes a table, not {kind!r}")
        overrides.insert(0, f"world.table={table}")
    from rich.console import Console
    from rich.table import Table

    from gvc_abm.environment.model import build_world_for  # the simulation stack loads only when asked for

    from ..scenarios import make_config

    cfg = make_config(KINDS[kind], overrides, seed=seed, firms=firms)

    world = build_world_for(cfg)
    info = world_summary(world)
    console = Console()
    console.print(
        f"[bold]{info['kind']} world[/bold]: {len(info['countries'])} countries, {len(info['sectors'])} sectors, "
        f"{info['firms']:,} firms, {info['links']:,} supplier links, sigma {info['sigma']:g}, "
        f"numeraire (world nominal GDP) {info['numeraire']:,.6g}, seed {cfg.seed}"
    )
    t = Table(title="countries", title_justify="left")
    for col in ("country", "region", "firms", "labour force", "wage", "GDP share", "deficit", "home taste", "mean tariff"):
        t.add_column(col, justify="left" if col in ("country", "region") else "right")
    for c in info["countries"]:
        t.add_row(c["country"], c["region"], f"{c['firms']:,}", f"{c['labour_force']:,.4g}", f"{c['wage']:.4g}",
                  f"{c['gdp_share']:.3f}", f"{c['deficit']:+.3f}", f"{c['home_taste']:.3g}", f"{c['mean_tariff']:.3f}")
    console.print(t)
    t = Table(title="sectors", title_justify="left")
    for col in ("sector", "firms", "nu", "kappa", "beta"):
        t.add_column(col, justify="left" if col == "sector" else "right")
    for s in info["sectors"]:
        t.add_row(s["sector"], f"{s['firms']:,}", f"{s['nu']:.3f}", f"{s['kappa']:.2f}", f"{s['beta']:.3f}")
    console.print(t)
