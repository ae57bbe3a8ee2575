"""Shift patterns: which shifts a roster may use, and the handlers each shift puts on duty.

A patterns file (TOML) names one or more ``[[patterns]]``. Each pattern says which shift lengths
and start times are allowed, how a person's working days fall in the week, and the breaks in a
shift:

* ``days_on = 5`` with ``days_off = "consecutive"`` (or ``"any"``): weekly tours. A person works
  the same shift on ``days_on`` days of every week; the roster chooses how many people work
  each start time, length and set of days.
* ``rotation = { on = 4, off = 4 }``: a rotating cycle such as 4-on-4-off 12-hour shifts. The
  teams take turns, so the same number is on duty on every day of the week, and a shift
  staffed by ``n`` on each day needs ``n × (on + off) / on`` people.
* neither: every day's shifts are chosen freely (flexible working, or a pool of part-timers);
  the pattern fixes paid hours but not a headcount.

A *tour* is one column of the roster problem: one person's week (or, for a rotation, one head
on duty every day). :func:`tours` lists them and :func:`coverage` gives the handlers each puts
on duty in every 15-minute interval of the week, net of breaks. Breaks taken in turn over
``spread_hours`` are counted as the share of the shift's people on a break in each interval,
which is what the model does when a shift line has many people.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Literal

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from ..config.schema import Break, HandlerGroup, KeyedError, Scenario, Shift
from ..config.vocabulary import DAY_SETS, INTERVAL_S, INTERVALS_PER_WEEK, WEEKDAYS, clock_to_seconds

INTERVALS_PER_DAY = 96
MINUTES_PER_WEEK = 7 * 24 * 60


def weekday_of(position: int) -> str:
    """The weekday of a 15-minute interval of the week (0 = Monday 00:00)."""
    return WEEKDAYS[int(position) // INTERVALS_PER_DAY]


def clock_of(position: int) -> str:
    """The start time (HH:MM) of a 15-minute interval of the week."""
    position = int(position)
    return f"{(position % INTERVALS_PER_DAY) // 4:02d}:{(position % 4) * 15:02d}"


def _quarter_hour(text: str) -> str:
    seconds = clock_to_seconds(text)
    if seconds % INTERVAL_S:
        raise ValueError(f"expected a start on the quarter hour (e.g. 07:15), found {text!r}")
    return text


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class StartRange(_Strict):
    """Start times from ``first`` to ``last`` every ``every_minutes`` (flexible starts)."""

    first: str = "00:00"
    last: str = "23:45"
    every_minutes: Annotated[int, Field(ge=15, le=1440)] = 15

    @field_validator("first", "last")
    @classmethod
    def _clock(cls, value: str) -> str:
        return _quarter_hour(value)

    @field_validator("every_minutes")
    @classmethod
    def _quarter(cls, value: int) -> int:
        if value % 15:
            raise ValueError(f"expected a multiple of 15 minutes, found {value}")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> StartRange:
        if clock_to_seconds(self.last) < clock_to_seconds(self.first):
            raise ValueError(f"expected first <= last, found {self.first} after {self.last}")
        return self

    def times(self) -> list[str]:
        first, last = clock_to_seconds(self.first), clock_to_seconds(self.last)
        step = self.every_minutes * 60
        return [_clock_text(s) for s in np.arange(first, last + 1, step)]


class Rotation(_Strict):
    """A rotating cycle: ``on`` working days then ``off`` rest days, teams taking turns."""

    on: Annotated[int, Field(ge=1, le=28)]
    off: Annotated[int, Field(ge=0, le=28)]

    @property
    def people_per_head(self) -> float:
        """People employed for each head on duty every day."""
        return (self.on + self.off) / self.on


class Pattern(_Strict):
    """``[[patterns]]``: the shifts one shift pattern allows."""

    name: Annotated[str, Field(min_length=1)]
    description: str = ""
    hours: Annotated[list[float], Field(min_length=1)]
    """Allowed shift lengths in hours (multiples of a quarter hour, at most 24)."""
    starts: list[str] | StartRange
    """Allowed start times (quarter hours), or a range such as ``{ every_minutes = 15 }``."""
    days_on: Annotated[int, Field(ge=1, le=7)] | None = None
    """Working days a week for each person (weekly tours); absent: see ``rotation``."""
    days_off: Literal["consecutive", "any"] = "consecutive"
    """With ``days_on``: rest days next to each other, or any of the week's days."""
    rotation: Rotation | None = None
    """A rotating cycle (e.g. 4-on-4-off) that staffs every day alike."""
    days: str | list[str] = "daily"
    """Days on which shifts may start when each day is chosen freely (neither of the above)."""
    breaks: list[Break] = []

    @field_validator("hours")
    @classmethod
    def _lengths(cls, value: list[float]) -> list[float]:
        for h in value:
            if not (0 < h <= 24) or (h * 4) % 1:
                raise ValueError(f"expected shift lengths of quarter hours up to 24, found {h:g}")
        if len(set(value)) != len(value):
            raise ValueError("expected each shift length once")
        return value

    @field_validator("starts", mode="before")
    @classmethod
    def _start_range(cls, value: object) -> object:
        # A table is a StartRange: report its own problem and key, not the list branch's.
        if not isinstance(value, dict):
            return value
        try:
            return StartRange.model_validate(value)
        except ValidationError as exc:
            error = exc.errors(include_url=False)[0]
            key = ".".join(str(p) for p in error["loc"])
            reason = (error.get("ctx") or {}).get("error", error["msg"])
            message = str(reason)
            if error["type"] == "extra_forbidden":
                message = "unknown key (expected first, last, every_minutes)"
            elif error["type"] in ("string_type", "int_type"):
                message = f"{error['msg'].lower()}, found {error.get('input')!r}"
            if key:
                raise KeyedError(key, message) from None
            raise ValueError(message) from None

    @field_validator("starts")
    @classmethod
    def _starts(cls, value: list[str] | StartRange) -> list[str] | StartRange:
        if isinstance(value, list):
            if not value:
                raise ValueError("expected at least one start time")
            for text in value:
                _quarter_hour(text)
            if len(set(value)) != len(value):
                raise ValueError("expected each start time once")
        return value

    @field_validator("days")
    @classmethod
    def _days(cls, value: str | list[str]) -> str | list[str]:
        for name in [value] if isinstance(value, str) else value:
            if name not in DAY_SETS and name not in WEEKDAYS:
                raise ValueError(
                    f"expected 'daily', 'weekdays', 'weekends' or weekday names, found {name!r}"
                )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Pattern:
        if self.days_on is not None and self.rotation is not None:
            raise ValueError("expected 'days_on' (weekly tours) or 'rotation', not both")
        if self.days != "daily" and (self.days_on is not None or self.rotation is not None):
            raise ValueError("'days' applies only when neither 'days_on' nor 'rotation' is set")
        for h in self.hours:
            # The scenario's own check that breaks fit inside the shift.
            Shift(start="00:00", hours=float(h), count=0, breaks=self.breaks)
        return self

    @property
    def kind(self) -> Literal["tours", "rotation", "free"]:
        if self.days_on is not None:
            return "tours"
        if self.rotation is not None:
            return "rotation"
        return "free"

    def start_times(self) -> list[str]:
        return self.starts.times() if isinstance(self.starts, StartRange) else list(self.starts)

    def day_sets(self) -> list[tuple[int, ...]]:
        """The sets of weekdays (Monday = 0) one tour of this pattern works."""
        if self.kind == "rotation":
            return [tuple(range(7))]
        if self.kind == "free":
            names = [self.days] if isinstance(self.days, str) else self.days
            days = sorted({WEEKDAYS.index(d) for n in names for d in DAY_SETS.get(n, (n,))})
            return [(d,) for d in days]
        assert self.days_on is not None
        if self.days_on == 7:
            return [tuple(range(7))]
        if self.days_off == "consecutive":
            return [tuple(sorted((d + k) % 7 for k in range(self.days_on))) for d in range(7)]
        return list(itertools.combinations(range(7), self.days_on))


class PatternFile(_Strict):
    """A patterns file: one or more named patterns."""

    patterns: Annotated[list[Pattern], Field(min_length=1)]

    @field_validator("patterns")
    @classmethod
    def _unique(cls, value: list[Pattern]) -> list[Pattern]:
        names = [p.name for p in value]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"expected unique pattern names, found {repeated[0]!r} twice")
        return value

    def select(self, names: Sequence[str]) -> list[Pattern]:
        """The patterns named (all when ``names`` is empty); KeyError names an unknown one."""
        if not names:
            return list(self.patterns)
        by_name = {p.name: p for p in self.patterns}
        for name in names:
            if name not in by_name:
                raise KeyError(name)
        return [by_name[n] for n in names]


@dataclass(frozen=True)
class Tour:
    """One column of the roster problem."""

    pattern: str
    start: str
    hours: float
    days: tuple[int, ...]
    """Weekdays (Monday = 0) on which the shift starts."""
    breaks: tuple[Break, ...]
    people_per_unit: float
    """People employed per unit of the decision (1 for a weekly tour, the rotation's team
    count for a rotation, NaN when the pattern fixes no headcount)."""

    @property
    def paid_hours(self) -> float:
        """Paid hours a week per unit."""
        return self.hours * len(self.days)

    def coverage(self) -> np.ndarray:
        """Handlers on duty and not on a break, per 15-minute interval of the week."""
        return shift_coverage(
            clock_to_seconds(self.start), self.hours, self.days, self.breaks, count=1.0
        )


def tours(pattern: Pattern) -> list[Tour]:
    """Every tour the pattern allows."""
    if pattern.kind == "tours":
        per_unit = 1.0
    elif pattern.kind == "rotation":
        assert pattern.rotation is not None
        per_unit = pattern.rotation.people_per_head
    else:
        per_unit = math.nan
    out = []
    for start in pattern.start_times():
        for hours in pattern.hours:
            for days in pattern.day_sets():
                out.append(
                    Tour(pattern.name, start, float(hours), days, tuple(pattern.breaks), per_unit)
                )
    return out


def _clock_text(seconds: float) -> str:
    seconds = round(seconds) % 86400
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def on_break_share(hours: float, breaks: Sequence[Break]) -> np.ndarray:
    """Share of a shift line's people on a break in each minute of the shift.

    A break ``after_hours`` into the shift lasting ``minutes``, taken in turn over
    ``spread_hours``, has its starts spread evenly over that window (the k-th of n people starts
    ``k × spread / n`` later; for many people that is a uniform spread).
    """
    minutes = round(hours * 60)
    t = np.arange(minutes) + 0.5  # the middle of each minute
    share = np.zeros(minutes)
    for brk in breaks:
        first = brk.after_hours * 60.0
        spread = brk.spread_hours * 60.0
        if spread <= 0:
            share += (t >= first) & (t < first + brk.minutes)
        else:
            # Starts uniform on [first, first + spread]: on a break at t if start in (t - m, t].
            lo = np.maximum(t - brk.minutes, first)
            hi = np.minimum(t, first + spread)
            share += np.clip(hi - lo, 0.0, None) / spread
    return np.minimum(share, 1.0)


def shift_coverage(
    start_s: float,
    hours: float,
    days: Sequence[int],
    breaks: Sequence[Break],
    count: float = 1.0,
) -> np.ndarray:
    """Heads available (on duty, not on a break) per 15-minute interval of the week for
    ``count`` people on a shift starting at ``start_s`` after midnight on each of ``days``.

    Shifts crossing Sunday midnight wrap round to Monday (the week repeats).
    """
    available = 1.0 - on_break_share(hours, breaks)
    week = np.zeros(MINUTES_PER_WEEK)
    first_minute = round(start_s / 60.0)
    for day in days:
        idx = (day * 1440 + first_minute + np.arange(available.size)) % MINUTES_PER_WEEK
        np.add.at(week, idx, available * count)
    return week.reshape(INTERVALS_PER_WEEK, 15).mean(axis=1)


def rota_coverage(shifts: Sequence[Shift] | None, count: int | None) -> np.ndarray:
    """Heads available per 15-minute interval of the week for a scenario's staff group."""
    if count is not None:
        return np.full(INTERVALS_PER_WEEK, float(count))
    total = np.zeros(INTERVALS_PER_WEEK)
    for shift in shifts or []:
        total += shift_coverage(
            shift.start_s, shift.hours, shift.weekdays(), shift.breaks, float(shift.count)
        )
    return total


def with_rota(
    scenario: Scenario, shifts: list[Shift], group: str | None, pooled_name: str
) -> Scenario:
    """``scenario`` with ``shifts`` as a handler rota: the shifts of the group named ``group``
    replaced (the other groups kept), or without ``group`` every handler group replaced by one
    pooled group, ``pooled_name``, taking every channel with calls."""
    if group is None:
        skills = [n for n, ch in scenario.channels.items() if ch.calls_per_day > 0]
        handlers = [HandlerGroup(name=pooled_name, skills=skills, shifts=shifts)]
    else:
        handlers = [
            HandlerGroup(name=g.name, skills=list(g.skills), forces=g.forces, shifts=shifts)
            if g.name == group
            else g
            for g in scenario.handlers
        ]
    return scenario.model_copy(update={"handlers": handlers})


def rota_paid_hours(shifts: Sequence[Shift] | None, count: int | None) -> float:
    """Paid (scheduled) hours a week of a scenario's staff group."""
    if count is not None:
        return count * 168.0
    return sum(s.count * s.hours * len(s.weekdays()) for s in shifts or [])
