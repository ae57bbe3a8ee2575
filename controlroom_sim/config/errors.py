"""The one base class of every error a user can put right.

Each layer raises its own subclass (a scenario that does not load, a results folder that cannot be
resumed, a requirement file with a bad row, ...), with a message of one line that names the file,
the key or row, what was expected and what was found. The command line catches
``ControlroomError`` in one place and maps it to exit status 2; library callers can catch it the
same way. Errors that are not the user's to fix (a bug) are not ControlroomErrors.

Messages name a function's parameters (``replications``, ``out``), never the command line's
flags: the command line spells the same message with its flags (``--replications``, ``--out``)
when it reports the error. A message is a sequence of text and :class:`Param` parts;
:func:`named` makes an exception whose text names the parameters and which keeps the parts
(``exc.parts``) for the command line, and :func:`message` spells them either way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar


class ControlroomError(Exception):
    """Bad input, named in one line: the command line's exit status 2."""

    exit_status = 2


class ScenarioError(ControlroomError, ValueError):
    """A scenario (or one of its files) is wrong; the message is one line for the user."""


E = TypeVar("E", bound=BaseException)

_ALONE = object()


@dataclass(frozen=True)
class Param:
    """A parameter named in a message, alone or with the value it was given: the library
    writes ``name`` or ``name='value'``, the command line ``--flag`` or ``--flag value`` (a
    value of True is the flag alone; with ``quote`` the command line quotes the value too,
    ``--flag 'value'``)."""

    name: str
    value: object = _ALONE
    quote: bool = False

    def spell(self, flag: Callable[[str], str] | None = None) -> str:
        if flag is None:
            return self.name if self.value is _ALONE else f"{self.name}={self.value!r}"
        if self.value is _ALONE or self.value is True:
            return flag(self.name)
        return (
            f"{flag(self.name)} {self.value!r}" if self.quote else f"{flag(self.name)} {self.value}"
        )


Part = str | Param


def spell(parts: Sequence[Part], flag: Callable[[str], str] | None = None) -> str:
    """The message of ``parts``: parameters by name, or by ``flag(name)`` when given."""
    return "".join(p if isinstance(p, str) else p.spell(flag) for p in parts)


def named(cls: type[E], *parts: Part) -> E:
    """An exception of ``cls`` whose message names parameters, keeping ``parts``."""
    exc = cls(spell(parts))
    exc.parts = tuple(parts)  # type: ignore[attr-defined]
    return exc


def message(exc: BaseException, flag: Callable[[str], str] | None = None) -> str:
    """``exc``'s message, its parameters spelled by ``flag`` if it names any."""
    parts = getattr(exc, "parts", None)
    return spell(parts, flag) if parts else str(exc)
