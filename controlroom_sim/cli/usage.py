"""How the command line names what is wrong: :class:`UsageError`, a bad command-line value."""

from __future__ import annotations

from ..config.errors import ControlroomError


class UsageError(ControlroomError, ValueError):
    """A command-line value is wrong; the message is one line."""
