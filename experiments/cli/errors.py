"""Errors the CLI reports as one line and exit code 2 (the user's input, not a bug)."""

from __future__ import annotations

from gvc_abm.analysis.mrio import TableError


class UserInputError(ValueError):
    """Bad input from the user: the message names the field or file and the problem."""


#: Exception types :func:`gvc_abm.experiments.cli.main` turns into one line and exit 2.
#: A library that raises its own ``ValueError`` subclass whose message already names the
#: field or file (a config error with its field path, say) is listed here.
user_errors: tuple[type[BaseException], ...] = (UserInputError, TableError)
