"""The calendar of a run: the dates it covers and each date's demand, as plain arrays.

A scenario's ``[calendar]`` (:class:`~controlroom_sim.config.schema.Calendar`) places the run on
dates: day 0 is its ``start_date`` (the first measured day), day -1 the last day of the warm-up,
and so on. Each day gets

* a **factor** on the calls an ordinary day of its weekday would have: the seasonal index of its
  month (or week), times the growth since the start date, ``(1 + g) ** (day / 365)``, times a
  bank holiday's or named day's own ``factor``;
* a **shape**: its weekday's own 96 weights (most days), or another weekday's, or a CSV of one
  day (a bank holiday or named day), spreading the day's calls over its 15-minute intervals.

The seasonal index is scaled so that its mean over the days of a year (365 days: 31 for
January...; 7 for each week, 8 for week 52) is 1, so ``calls_per_day`` stays the mean day of the
year before bank holidays, named days, events and growth. A named day that is also a bank
holiday is the named day. Bank holidays come from the ``holidays`` package (GB, subdivision ENG:
Wales has England's bank holidays), including the days it lists as "(observed)".

The model reads these arrays (:func:`day_table`) and never the package or a file.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import holidays
import numpy as np

from .schema.calendar import Calendar, parse_date
from .vocabulary import WEEKDAYS, clock_to_seconds

OWN_SHAPE = -1
"""Shape code of a day that keeps its weekday's own weights."""
_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=float)
_WEEK_DAYS = np.array([7.0] * 51 + [8.0])


@lru_cache(maxsize=64)
def bank_holidays(region: str, year: int) -> dict[datetime.date, str]:
    """The bank holidays of ``region`` (``"england-and-wales"``) in ``year``, by date."""
    if region != "england-and-wales":
        raise ValueError(f"no bank holidays known for {region!r}")
    days = holidays.country_holidays("GB", subdiv="ENG", years=[year])
    return dict(sorted(days.items()))


def seasonal_factors(index: Sequence[float]) -> np.ndarray:
    """The seasonal index scaled to a mean of 1 over the days of a (365-day) year."""
    values = np.asarray(index, dtype=float)
    days = _MONTH_DAYS if len(values) == 12 else _WEEK_DAYS
    return values * 365.0 / float(np.sum(values * days))


def season_slot(date: datetime.date, slots: int) -> int:
    """The month (0-11, ``slots`` 12) or week (0-51, ``slots`` 52) of the year ``date`` is in:
    week 1 is 1-7 January and the last week runs to 31 December."""
    if slots == 12:
        return date.month - 1
    return min((date.timetuple().tm_yday - 1) // 7, 51)


def date_of(calendar: Calendar, day: int) -> datetime.date:
    """The date of ``day`` (0: the start date)."""
    return calendar.first_date + datetime.timedelta(days=int(day))


def day_number(calendar: Calendar, date: str | datetime.date) -> int:
    """Days from the start date to ``date`` (``"YYYY-MM-DD"``)."""
    when = parse_date(date) if isinstance(date, str) else date
    return (when - calendar.first_date).days


@dataclass(frozen=True)
class DayTable:
    """Days ``first_day`` to ``first_day + len(factor) - 1``: each one's factor and shape.

    ``shape`` is :data:`OWN_SHAPE`, a weekday (0 is Monday: that weekday's weights), or
    ``7 + k``: ``profiles[k]``, 96 weights that sum to 1.
    """

    first_day: int
    factor: np.ndarray
    shape: np.ndarray
    profiles: tuple[np.ndarray, ...]


def _day_profiles(calendar: Calendar) -> tuple[list[np.ndarray], dict[str, int]]:
    """The CSV profiles of the calendar (96 weights summing to 1) and the shape code of each
    profile setting (a weekday name or a CSV path)."""
    profiles: list[np.ndarray] = []
    codes: dict[str, int] = {name: i for i, name in enumerate(WEEKDAYS)}
    pairs = [(calendar.bank_holiday_profile, calendar.bank_holiday_profile_weights)]
    pairs += [(d.profile, d.profile_weights) for d in calendar.named_days if d.profile]
    for setting, weights in pairs:
        if setting in codes:
            continue
        if weights is None:
            raise ValueError(f"calendar profile {setting!r} was not read (load the scenario)")
        day = np.asarray(weights[:96], dtype=float)
        codes[setting] = 7 + len(profiles)
        profiles.append(day / day.sum())
    return profiles, codes


def day_table(calendar: Calendar, first_day: int, last_day: int) -> DayTable:
    """The factor and shape of days ``first_day`` to ``last_day`` (both included)."""
    profiles, codes = _day_profiles(calendar)
    season = None if calendar.seasonal_index is None else seasonal_factors(calendar.seasonal_index)
    named = {d.date: d for d in calendar.named_days}
    n = last_day - first_day + 1
    factor = np.ones(n)
    shape = np.full(n, OWN_SHAPE, dtype=np.int64)
    growth = 1.0 + calendar.growth_per_year
    for i in range(n):
        day = first_day + i
        date = date_of(calendar, day)
        value = growth ** (day / 365.0) if calendar.growth_per_year else 1.0
        if season is not None:
            value *= season[season_slot(date, len(season))]
        special = named.get(date.strftime("%m-%d"))
        if special is not None:
            value *= special.factor
            if special.profile is not None:
                shape[i] = codes[special.profile]
        elif calendar.bank_holidays and date in bank_holidays(calendar.bank_holidays, date.year):
            value *= calendar.bank_holiday_factor
            shape[i] = codes[calendar.bank_holiday_profile]
        factor[i] = value
    return DayTable(first_day, factor, shape, tuple(profiles))


def event_windows(calendar: Calendar, warmup_s: float) -> list[tuple[int, float, float, float]]:
    """Each event as ``(index, start_s, end_s, multiplier)`` in simulation seconds."""
    out = []
    for i, event in enumerate(calendar.events):
        start = (
            warmup_s + day_number(calendar, event.date) * 86400.0 + clock_to_seconds(event.start)
        )
        out.append((i, start, start + event.hours * 3600.0, event.multiplier))
    return out
