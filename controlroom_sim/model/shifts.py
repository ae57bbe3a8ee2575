"""The shifts of a run: every shift a rota group works between time 0 and the end of the run,
with its people's member ids (:class:`ShiftWorked`), made once when the run starts; the staff
of :mod:`.staffing` come on and off duty by them, and the staffing KPIs count their hours.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import NamedTuple, Protocol

from ..config.schema import Break, Shift
from ..config.vocabulary import WEEKDAYS

INF = math.inf


class RotaGroup(Protocol):
    """What a staff group of a scenario provides (handler, officer, dispatcher, worker)."""

    name: str
    count: int | None
    shifts: list[Shift] | None


def shifts_worked(
    group: RotaGroup, origin_weekday_s: float, end_s: float
) -> list[tuple[str, float, float, int, Sequence[Break], int, int]]:
    """``(label, start_s, end_s, count, breaks, line, day)`` for every shift of ``group`` in
    the run: ``line`` is the shift line's index in the group, ``day`` the shift's day counted
    from the Monday of the run's first week (-1 for the Sunday before).

    ``origin_weekday_s`` is the time from Monday 00:00 to simulation time 0; shifts that
    started the day before time 0 and are still on at time 0 are included.
    """
    if group.count is not None:
        return [("around the clock", 0.0, INF, group.count, [], 0, 0)]
    out = []
    for s, shift in enumerate(group.shifts or []):
        days = set(shift.weekdays())
        duration = shift.hours * 3600.0
        first_day = math.floor((origin_weekday_s - 86400.0) / 86400.0)
        last_day = math.ceil((origin_weekday_s + end_s) / 86400.0)
        for day in range(first_day, last_day + 1):
            if day % 7 not in days:
                continue
            start = day * 86400.0 + shift.start_s - origin_weekday_s
            if start >= end_s or start + duration <= 0:
                continue
            label = f"{shift.start}+{shift.hours:g}h {WEEKDAYS[day % 7][:3]}#{s}"
            out.append((label, start, start + duration, shift.count, shift.breaks, s, day))
    return out


class ShiftWorked(NamedTuple):
    """One shift of a group in the run (see :func:`shifts_worked`); its people are the members
    ``first_id .. first_id + count - 1``."""

    group: int
    label: str
    start_s: float
    end_s: float
    count: int
    breaks: Sequence[Break]
    first_id: int
    line: int = 0
    """The shift line's index in its group."""
    day: int = 0
    """The shift's day, from the Monday of the run's first week."""
    call_in: bool = False
    """People called in while the run goes (:meth:`.staffing.Staff.call_in`): all overtime."""


Absent = Callable[[ShiftWorked, int], bool]
"""Whether the ``k``-th person of a shift is absent on the day (see :class:`Staff`)."""
