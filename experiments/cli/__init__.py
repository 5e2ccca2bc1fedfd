"""The ``gvc`` command line: one module per command group, registered on one app.

Bad input is reported as one line ``gvc: error: <what>: <problem>`` on stderr with exit
code 2 and no traceback (:func:`main`). Commands raise :class:`UserInputError` (or a
subclass of ``ValueError`` from the library that already names its source, such as
``TableError``) and never print tracebacks for the user's mistakes.

Importing the app must stay fast (``gvc --help``): a command module imports only typer and
the standard library at the top, and numpy, pandas, numba, pymrio, rich and the simulation
inside its command functions (a test checks ``sys.modules`` after importing the app).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from .errors import UserInputError, user_error_types

app = typer.Typer(
    name="gvc",
    help="gvc-abm: agent-based simulation of global value chains, and GVC indicators of any MRIO table.",
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
)


def package_version() -> str:
    """The installed gvc-abm version (``0+unknown`` when run from a source tree)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gvc-abm")
    except PackageNotFoundError:  # pragma: no cover - only outside an install
        return "0+unknown"


def _print_version(value: bool) -> None:
    if value:
        print(f"gvc-abm {package_version()}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """gvc-abm: agent-based simulation of global value chains, and GVC indicators of any MRIO table."""


# Each command module registers its commands on ``app`` when imported.
from . import bench, indicators  # noqa: E402,F401
from . import decompose  # noqa: E402,F401
from . import run, world  # noqa: E402,F401
from . import batch  # noqa: E402,F401
from . import dashboard, plot  # noqa: E402,F401
from . import config, scenarios  # noqa: E402,F401
from . import report  # noqa: E402,F401

__all__ = ["app", "main", "UserInputError", "package_version"]


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``gvc`` script; returns the exit code."""
    try:
        rv = app(args=argv, prog_name="gvc", standalone_mode=False)
    except typer.TyperException as exc:  # bad CLI arguments (typer's usage errors)
        ctx = getattr(exc, "ctx", None)
        where = f"{ctx.command_path}: " if ctx is not None else ""
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        if not message:  # `gvc` alone: typer has printed the help
            return 0
        print(f"gvc: error: {where}{message}", file=sys.stderr)
        return 2
    except typer.Abort:
        print("gvc: aborted", file=sys.stderr)
        return 130
    except typer.Exit as exc:
        return exc.exit_code
    except ValueError as exc:
        if not isinstance(exc, user_error_types()):
            raise
        print(f"gvc: error: {exc}", file=sys.stderr)
        return 2
    return rv if isinstance(rv, int) else 0


def entry_point() -> None:
    """Console-script wrapper: exit with :func:`main`'s code."""
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    entry_point()
