"""Errors the CLI reports as one line and exit code 2 (the user's input, not a bug)."""

from __future__ import annotations

import json
from pathlib import Path

from gvc_abm.analysis.mrio import TableError
from gvc_abm.environment.config import ConfigError


class UserInputError(ValueError):
    """Bad input from the user: the message names the field or file and the problem."""


#: Exception types :func:`gvc_abm.experiments.cli.main` turns into one line and exit 2.
#: A library that raises its own ``ValueError`` subclass whose message already names the
#: field or file (a config error with its field path, say) is listed here.
user_errors: tuple[type[BaseException], ...] = (UserInputError, TableError, ConfigError)


def read_json(path: Path, what: str):
    """The JSON document in ``path``; a missing or malformed file is a :class:`UserInputError`
    whose line starts with ``what`` (the option or file role) and the path."""
    if not path.is_file():
        raise UserInputError(f"{what} {path}: no such file")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UserInputError(f"{what} {path}: not valid JSON ({exc})") from exc
