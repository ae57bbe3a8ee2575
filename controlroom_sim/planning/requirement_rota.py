"""The staffing requirement as a rota, and the rotas it is measured against.

A curve of handlers per interval of the week becomes shift lines (one handler group whose
on-duty count follows it); the other handler groups' coverage and the break share of the
scenario's own rota are read from the scenario.
"""

from __future__ import annotations

import numpy as np

from ..config.errors import Param, named
from ..config.schema import Scenario, Shift
from ..config.vocabulary import INTERVALS_PER_WEEK, WEEKDAYS
from .demand import HOURS_PER_INTERVAL
from .patterns import INTERVALS_PER_DAY, rota_coverage, rota_paid_hours, with_rota
from .targets import RequirementError


def requirement_shifts(levels: np.ndarray) -> list[Shift]:
    """Shift lines whose on-duty count follows ``levels`` (per interval of the week).

    The curve is cut into layers: the j-th handler is on duty wherever the level is at least
    j, one shift per unbroken stretch (wrapping round the week), cut into pieces of at most
    24 hours. Shifts with the same start, length and weekday are merged.
    """
    levels = np.asarray(levels, dtype=np.int64)
    if levels.shape != (INTERVALS_PER_WEEK,) or (levels < 0).any():
        raise ValueError("expected 672 non-negative handler counts")
    counts: dict[tuple[int, int], int] = {}  # (start interval, length) -> people
    for j in range(1, int(levels.max(initial=0)) + 1):
        on = levels >= j
        if on.all():
            for day in range(7):
                key = (day * INTERVALS_PER_DAY, INTERVALS_PER_DAY)
                counts[key] = counts.get(key, 0) + 1
            continue
        # Start at an interval that is off, so stretches do not wrap inside the scan.
        first_off = int(np.argmin(on))
        order = (first_off + np.arange(INTERVALS_PER_WEEK)) % INTERVALS_PER_WEEK
        k = 0
        while k < INTERVALS_PER_WEEK:
            if not on[order[k]]:
                k += 1
                continue
            start = k
            while k < INTERVALS_PER_WEEK and on[order[k]]:
                k += 1
            length = k - start
            at = int(order[start])
            while length > 0:
                piece = min(length, INTERVALS_PER_DAY)
                counts[(at, piece)] = counts.get((at, piece), 0) + 1
                at = (at + piece) % INTERVALS_PER_WEEK
                length -= piece
    shifts = []
    for (at, length), count in sorted(counts.items()):
        day, slot = divmod(at, INTERVALS_PER_DAY)
        minutes = slot * 15
        shifts.append(
            Shift(
                start=f"{minutes // 60:02d}:{minutes % 60:02d}",
                hours=length * HOURS_PER_INTERVAL,
                days=[WEEKDAYS[day]],
                count=count,
            )
        )
    return shifts


def with_requirement(scenario: Scenario, levels: np.ndarray, group: str | None = None) -> Scenario:
    """``scenario`` with a handler group on duty as ``levels`` says.

    With ``group`` that group's rota is replaced and the others are kept; without, every
    handler group is replaced by one pooled group taking every channel with calls.
    """
    shifts = requirement_shifts(levels)
    if not shifts:  # nobody needed: keep one zero-count line so the group is valid
        shifts = [Shift(start="00:00", hours=24.0, count=0)]
    return with_rota(scenario, shifts, group, pooled_name="required")


def other_groups_coverage(scenario: Scenario, group: str) -> np.ndarray:
    """Handlers of the groups other than ``group`` available per interval of the week."""
    names = [g.name for g in scenario.handlers]
    if group not in names:
        raise named(
            RequirementError,
            Param("group", group, quote=True),
            ": expected one of the scenario's handler groups "
            f"({', '.join(repr(n) for n in names)})",
        )
    total = np.zeros(INTERVALS_PER_WEEK)
    for g in scenario.handlers:
        if g.name != group:
            total += rota_coverage(g.shifts, g.count)
    return total


def break_shrinkage(scenario: Scenario) -> float:
    """Share of the handlers' paid time spent on breaks in the scenario's own rota."""
    paid = sum(rota_paid_hours(g.shifts, g.count) for g in scenario.handlers)
    available = sum(rota_coverage(g.shifts, g.count).sum() for g in scenario.handlers)
    if paid <= 0:
        return 0.0
    return max(0.0, 1.0 - available * HOURS_PER_INTERVAL / paid)
