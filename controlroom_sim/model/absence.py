"""Absence on the day: a rostered person who does not come in.

With ``[staffing] absence_on_the_day``, each person of each shift is absent with the role's
probability. The draw is made for the person's place on the rota (role, group, shift line, day
of the run and position on the line) from the named stream ``absence.<role>``: two scenarios
run with the same seed have the same people absent wherever their rotas agree, and a variant
that adds two people to one line leaves every other person's draw as it was (common random
numbers), which a draw in rota order would not.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..config.schema import Scenario
from .rng import RandomStreams
from .shifts import Absent, RotaGroup, ShiftWorked


def absence(
    streams: RandomStreams, scenario: Scenario, role: str, groups: Sequence[RotaGroup]
) -> Absent | None:
    """Whether the ``k``-th person of a shift of ``role`` is absent; None when nobody is."""
    staffing = scenario.staffing
    probability = staffing.absence_on_the_day.of(role) if staffing is not None else 0.0
    if probability <= 0.0:
        return None
    names = [group.name for group in groups]
    stream = f"absence.{role}"

    def absent(shift: ShiftWorked, k: int) -> bool:
        u = streams.uniform_at(stream, names[shift.group], shift.line, shift.day, k)
        return u < probability

    return absent
