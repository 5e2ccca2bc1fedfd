"""``gvc dashboard``: serve the interactive dashboard (:mod:`gvc_abm.experiments.dashboard`).

It checks the scenario and the address, then runs Solara's server in this process, as::

    SOLARA_TELEMETRY_MIXPANEL_ENABLE=False GVC_DASHBOARD_SCENARIO=SCENARIO \\
        solara run gvc_abm.experiments.dashboard:Page --host 127.0.0.1 --port 8765 --no-open

Solara and Mesa's visualization are imported only here, so ``gvc --help`` stays fast.
"""

from __future__ import annotations

import os
import socket
from typing import Annotated

import typer

from . import app
from .errors import UserInputError

#: The Solara app: module and page component.
APP = "gvc_abm.experiments.dashboard:Page"


def _check_address(host: str, port: int) -> None:
    """Raise a :class:`UserInputError` unless ``host:port`` can be listened on now."""
    if not 0 <= port <= 65535:
        raise UserInputError(f"--port: expected 0-65535, got {port}")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UserInputError(f"--host {host}: not an address of this machine ({exc.strerror})") from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(address)
        except OSError as exc:
            raise UserInputError(f"--host {host} --port {port}: cannot listen there ({exc.strerror or exc})") from None


@app.command()
def dashboard(
    scenario: Annotated[str, typer.Argument(help="A bundled scenario or a YAML/TOML config file to start from.")] = "baseline",
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8765,
    host: Annotated[str, typer.Option(help="Address to serve on (127.0.0.1: this machine only).")] = "127.0.0.1",
    seed: Annotated[int, typer.Option(help="Seed the page starts with.")] = 0,
    firms: Annotated[int | None, typer.Option(help="Total number of firms (default: the scenario's).")] = None,
    periods: Annotated[int, typer.Option(help="Periods the page runs to, at most.")] = 30,
    open_browser: Annotated[bool, typer.Option("--open/--no-open", help="Open a browser on the page.")] = False,
) -> None:
    """Serve the dashboard of SCENARIO in the browser: Mesa's SolaraViz page with levers, network, indicators and events."""
    if seed < 0:
        raise UserInputError(f"--seed: must be non-negative, got {seed}")
    if periods < 2:
        raise UserInputError(f"--periods: at least 2, got {periods}")
    from ..threads import pin_blas

    pin_blas()  # as in gvc run: BLAS's idle threads would spin on numba's cores
    from ..scenarios import make_config

    make_config(scenario, periods=periods, seed=seed, firms=firms)  # a bad scenario fails here, in one line
    _check_address(host, port)
    os.environ.update({
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        "GVC_DASHBOARD_SCENARIO": scenario,
        "GVC_DASHBOARD_SEED": str(seed),
        "GVC_DASHBOARD_FIRMS": "" if firms is None else str(firms),
        "GVC_DASHBOARD_PERIODS": str(periods),
    })
    from solara.__main__ import cli as solara_cli  # after the environment: Solara reads its settings on import

    args = ["run", APP, "--host", host, "--port", str(port), "--no-check-version", "--production",
            "--open" if open_browser else "--no-open"]
    solara_cli.main(args=args, prog_name="solara", standalone_mode=False)
