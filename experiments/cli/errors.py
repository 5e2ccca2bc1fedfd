"""Errors the CLI reports as one line and exit code 2 (the user's input, not a bug)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..outputs import OutputError


class UserInputError(ValueError):
    """Bad input from the user: the message names the field or file and the problem."""


#: Library ``ValueError`` subclasses whose message already names the field or file (module, class).
#: They are looked up only once their module is loaded, so the CLI need not import the
#: library to start: an error of a module never imported cannot have been raised.
LIBRARY_ERRORS = (
    ("gvc_abm.analysis.mrio", "TableError"),
    ("gvc_abm.environment.config", "ConfigError"),
    ("gvc_abm.experiments.batch", "BatchError"),
    ("gvc_abm.analysis.results", "ResultsError"),
)


def user_error_types() -> tuple[type[BaseException], ...]:
    """Exception types :func:`gvc_abm.experiments.cli.main` turns into one line and exit 2."""
    found: list[type[BaseException]] = [UserInputError, OutputError]
    for module, name in LIBRARY_ERRORS:
        cls = getattr(sys.modules.get(module), name, None)
        if isinstance(cls, type):
            found.append(cls)
    return tuple(found)


def __getattr__(name: str):
    if name == "user_errors":  # the former constant: the full tuple, importing the library
        from gvc_abm.analysis.mrio import TableError
        from gvc_abm.environment.config import ConfigError

        return (UserInputError, OutputError, TableError, ConfigError)
    raise AttributeError(name)


def read_json(path: Path, what: str):
    """The JSON document in ``path``; a missing or malformed file is a :class:`UserInputError`
    whose line starts with ``what`` (the option or file role) and the path."""
    if not path.is_file():
        raise UserInputError(f"{what} {path}: no such file")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UserInputError(f"{what} {path}: not valid JSON ({exc})") from None
    except OSError as exc:
        raise UserInputError(f"{what} {path}: cannot read it ({exc.strerror or exc})") from None
