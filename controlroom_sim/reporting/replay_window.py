"""The window a replay shows: ``busiest`` (the four hours with most calls offered) or
``DAY HH:MM-HH:MM``, parsed (:func:`parse_window`) and resolved against a scenario's measured
horizon."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..config.errors import Param, named
from ..config.schema import Scenario
from ..config.vocabulary import INTERVAL_S, WEEKDAYS, clock_to_seconds
from .replay_source import ReplayError

BUSIEST_HOURS = 4.0
"""Length of the ``busiest`` window, hours."""

_WEEK_S = 7 * 86400.0
_DAY_S = 86400.0
_WINDOW = re.compile(
    r"^\s*(?P<day>\S+)\s+(?P<start>\d{1,2}:\d{2})\s*[-–]\s*(?P<end>\d{1,2}:\d{2})\s*$"
)
_WINDOW_HELP = (
    "expected 'busiest' or 'DAY HH:MM-HH:MM' with DAY a measured day number or a weekday, "
    "e.g. '3 22:00-02:00' or 'friday 18:00-22:00'"
)


@dataclass(frozen=True)
class Window:
    """A window as given to ``--window``.

    ``day`` is ``None`` for the busiest window, a measured day number (1 = the first measured
    day) or a weekday name (its first occurrence in the measured horizon). ``start_s`` is the
    start as seconds after midnight of that day and ``length_s`` the length (the end may pass
    midnight).
    """

    day: int | str | None
    start_s: float = 0.0
    length_s: float = BUSIEST_HOURS * 3600.0
    text: str = "busiest"

    @property
    def busiest(self) -> bool:
        return self.day is None


def _weekday(text: str) -> str | None:
    word = text.lower()
    for name in WEEKDAYS:
        if word in (name, name[:3]):
            return name
    return None


def _clock(text: str, *, end: bool = False) -> float:
    if end and text == "24:00":
        return _DAY_S
    try:
        return clock_to_seconds(text)
    except ValueError as exc:
        raise named(ReplayError, Param("window"), f": {exc}") from None


def parse_window(text: str) -> Window:
    """Read ``busiest`` or ``DAY HH:MM-HH:MM``; ReplayError (one line) otherwise.

    DAY is a measured day number (1 = the first measured day) or a weekday name or its first
    three letters (the first such day in the measured horizon). The end may pass midnight
    (``3 22:00-02:00`` is four hours from 22:00 on day 3) and may be ``24:00``.
    """
    if not isinstance(text, str):
        raise named(ReplayError, Param("window"), f": {_WINDOW_HELP}, found {text!r}")
    if text.strip().lower() == "busiest":
        return Window(day=None)
    match = _WINDOW.match(text)
    if match is None:
        raise named(ReplayError, Param("window"), f": {_WINDOW_HELP}, found {text!r}")
    day_text = match.group("day")
    day: int | str
    if day_text.isdigit():
        day = int(day_text)
        if day < 1:
            raise named(
                ReplayError,
                Param("window"),
                f": expected a measured day number from 1, found {day}",
            )
    else:
        weekday = _weekday(day_text)
        if weekday is None:
            raise named(
                ReplayError,
                Param("window"),
                ": expected a measured day number (1 = the first measured day) or a "
                f"weekday name, found {day_text!r}",
            )
        day = weekday
    start = _clock(match.group("start"))
    end = _clock(match.group("end"), end=True)
    if end == start:
        raise named(
            ReplayError,
            Param("window"),
            f": expected an end different from the start, found {text.strip()!r}",
        )
    length = end - start if end > start else end + _DAY_S - start
    return Window(day=day, start_s=start, length_s=length, text=" ".join(text.split()))


def busiest_window(
    calls: pd.DataFrame,
    hours: float = BUSIEST_HOURS,
    *,
    start_s: float | None = None,
    end_s: float | None = None,
) -> tuple[float, float]:
    """The window of ``hours`` with the most offered calls: ``(start, end)`` in simulation s.

    ``calls`` are the calls of one replication (a ``calls`` table, ``arrival_s`` is read);
    ``start_s`` and ``end_s`` bound the measured horizon (default: the 15-minute boundaries
    around the calls). Windows start on 15-minute boundaries from ``start_s`` and lie inside
    the horizon; ties go to the earliest. A horizon shorter than ``hours`` is returned whole.
    """
    length = float(hours) * 3600.0
    steps = length / INTERVAL_S
    if not (math.isfinite(length) and length > 0 and abs(steps - round(steps)) < 1e-9):
        raise ReplayError(
            f"busiest window: expected a length in quarter hours (e.g. 4 or 2.5), found {hours!r}"
        )
    arrivals = calls["arrival_s"].to_numpy(dtype=float)
    arrivals = arrivals[np.isfinite(arrivals)]
    if start_s is None:
        start_s = math.floor(arrivals.min() / INTERVAL_S) * INTERVAL_S if len(arrivals) else 0.0
    if end_s is None:
        end_s = (
            (math.floor(arrivals.max() / INTERVAL_S) + 1) * INTERVAL_S
            if len(arrivals)
            else start_s + length
        )
    k = round(steps)
    bins = math.floor((end_s - start_s) / INTERVAL_S + 1e-9)
    if bins < k:
        return float(start_s), float(end_s)
    inside = arrivals[(arrivals >= start_s) & (arrivals < start_s + bins * INTERVAL_S)]
    index = np.minimum(((inside - start_s) // INTERVAL_S).astype(np.int64), bins - 1)
    counts = np.concatenate([[0], np.cumsum(np.bincount(index, minlength=bins))])
    totals = counts[k:] - counts[:-k]
    best = int(np.argmax(totals))  # the first maximum: the earliest window
    start = float(start_s + best * INTERVAL_S)
    return start, start + length


def _week_label(scenario: Scenario, sim_s: float) -> tuple[str, str]:
    """Weekday name and ``HH:MM`` of a simulation time."""
    week = (scenario.origin_weekday_s + sim_s) % _WEEK_S
    of_day = week % _DAY_S
    hours, minutes = int(of_day // 3600), int(of_day % 3600 // 60)
    return WEEKDAYS[int(week // _DAY_S)].capitalize(), f"{hours:02d}:{minutes:02d}"


def _measured_days(scenario: Scenario) -> int:
    return max(1, math.ceil(scenario.scenario.days - 1e-9))


def _resolve(spec: Window, scenario: Scenario, measured: pd.DataFrame) -> tuple[float, float]:
    warmup, horizon = scenario.warmup_s, scenario.horizon_s
    if spec.busiest:
        return busiest_window(measured, spec.length_s / 3600.0, start_s=warmup, end_s=horizon)
    days = _measured_days(scenario)
    if isinstance(spec.day, int):
        day = spec.day
        if day > days:
            raise named(
                ReplayError,
                Param("window"),
                f" {spec.text!r}: day {day} is outside the measured horizon (days 1 to {days})",
            )
    else:
        found = [
            k
            for k in range(1, days + 1)
            if _week_label(scenario, warmup + (k - 1) * _DAY_S)[0] == str(spec.day).capitalize()
        ]
        if not found:
            first = _week_label(scenario, warmup)[0]
            last = _week_label(scenario, horizon - 1.0)[0]
            raise named(
                ReplayError,
                Param("window"),
                f" {spec.text!r}: no {str(spec.day).capitalize()} in the measured "
                f"horizon ({first} to {last})",
            )
        day = found[0]
    start = warmup + (day - 1) * _DAY_S + spec.start_s
    end = start + spec.length_s
    if start >= horizon or end > horizon + 1e-6:
        weekday, clock = _week_label(scenario, horizon)
        where = "starts" if start >= horizon else "ends"
        raise named(
            ReplayError,
            Param("window"),
            f" {spec.text!r}: {where} after the measured horizon "
            f"({scenario.scenario.days:g} days; day {days} ends {weekday} {clock})",
        )
    return start, end
