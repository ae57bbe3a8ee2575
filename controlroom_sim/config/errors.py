"""The one base class of every error a user can put right.

Each layer raises its own subclass (a scenario that does not load, a results folder that cannot be
resumed, a requirement file with a bad row, ...), with a message of one line that names the file,
the key or row, what was expected and what was found. The command line catches
``ControlroomError`` in one place and maps it to exit status 2; library callers can catch it the
same way. Errors that are not the user's to fix (a bug) are not ControlroomErrors.
"""

from __future__ import annotations


class ControlroomError(Exception):
    """Bad input, named in one line: the command line's exit status 2."""

    exit_status = 2
