"""How the command line names what is wrong: :class:`UsageError` (a bad command-line value),
and :func:`flag`, the flag of a library parameter, so that an error naming parameters
(``min_replications``) is reported with the flags typed (``--min-replications``)."""

from __future__ import annotations

from ..config.errors import ControlroomError, message


class UsageError(ControlroomError, ValueError):
    """A command-line value is wrong; the message is one line."""


FLAGS = {
    "mean_patience": "--patience-s",
    "names": "--pattern",
    "overrides": "--set",
    "target_half_width": "--target-half-width",
    "targets": "--target",
}
"""Parameters whose flag is not ``--`` and the name with hyphens."""


def flag(name: str) -> str:
    """The command-line flag of the library parameter ``name``."""
    return FLAGS.get(name, "--" + name.replace("_", "-"))


def error_text(exc: BaseException) -> str:
    """``exc``'s message as the command line says it: parameters named by their flags."""
    return message(exc, flag)
