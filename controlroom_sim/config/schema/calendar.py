"""``[calendar]`` in the scenario schema: the run placed on dates, with demand that varies over
the year (a seasonal index, bank holidays, named days, planned events, growth).

The dates themselves (which day is a bank holiday, which month a day falls in) are worked out by
:mod:`controlroom_sim.config.calendar`; this module only says what a scenario may write.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, field_validator, model_validator

from ..vocabulary import WEEKDAYS, ChannelName, clock_to_seconds
from .base import ForceName, KeyedError, NonNegativeFloat, PositiveFloat, _Strict

BANK_HOLIDAY_REGIONS = ("england-and-wales",)
"""Regions whose bank holidays the calendar knows (from the ``holidays`` package)."""


def _iso_date(value: object) -> object:
    """A TOML date (``2026-01-01``) as the text ``"2026-01-01"``; other values as they are."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


def parse_date(text: str) -> datetime.date:
    """``"YYYY-MM-DD"`` as a date; ValueError with the expected form otherwise."""
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"expected a date as YYYY-MM-DD, found {text!r}") from None


def _checked_date(text: str) -> str:
    parse_date(text)
    return text


IsoDate = Annotated[str, BeforeValidator(_iso_date), AfterValidator(_checked_date)]
"""A date as ``"YYYY-MM-DD"`` text (a TOML date is taken as such), checked."""


def _day_profile(value: str) -> str:
    """A day's profile: a weekday name (lower-cased) or a CSV path."""
    if value.strip().lower() in WEEKDAYS:
        return value.strip().lower()
    if not value.strip():
        raise ValueError("expected a weekday name or a profile CSV of one day, found ''")
    return value


class NamedDay(_Strict):
    """``calendar.named_days``: a day of the year with its own volume and profile, every year."""

    date: str
    """Month and day, ``"MM-DD"`` (``"12-31"``: New Year's Eve)."""
    name: Annotated[str, Field(min_length=1)]
    factor: NonNegativeFloat = 1.0
    """The day's calls relative to an ordinary day of its weekday."""
    profile: str | None = None
    """A weekday name (that weekday's shape) or a CSV of one day (96 rows); absent: the day
    keeps its weekday's shape."""

    # The CSV's 96 weights, filled in by the loader when ``profile`` names a file.
    profile_weights: tuple[float, ...] | None = Field(default=None, exclude=True, repr=False)

    @field_validator("date")
    @classmethod
    def _month_day(cls, value: str) -> str:
        try:
            datetime.date.fromisoformat(f"2024-{value}")  # a leap year: 02-29 is a day
        except ValueError:
            raise ValueError(f"expected a month and day as MM-DD, found {value!r}") from None
        return value

    @field_validator("profile")
    @classmethod
    def _profile(cls, value: str | None) -> str | None:
        return None if value is None else _day_profile(value)


class CalendarEvent(_Strict):
    """``[[calendar.events]]``: a planned event that multiplies channels' rates on a date."""

    name: str = ""
    date: IsoDate
    """The date the event starts, ``"YYYY-MM-DD"``."""
    start: str
    hours: PositiveFloat
    multiplier: NonNegativeFloat
    channels: Annotated[list[ChannelName], Field(min_length=1)]
    forces: Annotated[list[ForceName], Field(min_length=1)] | None = None
    """With ``[[forces]]``: the forces whose calls the event raises; absent: every force's."""

    @field_validator("start")
    @classmethod
    def _clock(cls, value: str) -> str:
        clock_to_seconds(value)
        return value


class Calendar(_Strict):
    """``[calendar]``: the run on dates, and demand that varies over the year.

    Absent, the run is a week on the weekly profile alone (nothing below applies).
    """

    start_date: IsoDate
    """Date of the first measured day (day 1, at the end of the warm-up), ``"YYYY-MM-DD"``."""
    seasonal_index: list[NonNegativeFloat] | None = None
    """12 monthly or 52 weekly factors (week 1 is 1-7 January; week 52 runs to 31 December),
    scaled (:func:`controlroom_sim.config.calendar.seasonal_factors`) to a mean of 1 over the days
    of a year."""
    bank_holidays: Literal["england-and-wales"] | None = None
    """Bank holidays of this region have their own profile and volume; absent: none."""
    bank_holiday_profile: str = "sunday"
    """A weekday name (that weekday's shape) or a CSV of one day (96 rows)."""
    bank_holiday_factor: NonNegativeFloat = 1.0
    """A bank holiday's calls relative to an ordinary day of its weekday."""
    named_days: list[NamedDay] = []
    events: list[CalendarEvent] = []
    growth_per_year: Annotated[float, Field(gt=-1, le=10, allow_inf_nan=False)] = 0.0
    """Compound growth a year: day d after the start date has ``(1 + g) ** (d / 365)``."""

    bank_holiday_profile_weights: tuple[float, ...] | None = Field(
        default=None, exclude=True, repr=False
    )

    @field_validator("bank_holiday_profile")
    @classmethod
    def _profile(cls, value: str) -> str:
        return _day_profile(value)

    @field_validator("seasonal_index")
    @classmethod
    def _index(cls, value: list[float] | None) -> list[float] | None:
        if value is None:
            return None
        if len(value) not in (12, 52):
            raise ValueError(
                f"expected 12 monthly or 52 weekly factors, found {len(value)} factors"
            )
        if sum(value) <= 0:
            raise ValueError("expected some factor above 0, found all zero")
        return value

    @model_validator(mode="after")
    def _unique_named_days(self) -> Calendar:
        seen: dict[str, int] = {}
        for i, day in enumerate(self.named_days):
            if day.date in seen:
                raise KeyedError(
                    f"named_days.{i}.date",
                    f"expected each month-day once, found {day.date!r} again "
                    f"(named_days.{seen[day.date]})",
                )
            seen[day.date] = i
        return self

    @property
    def first_date(self) -> datetime.date:
        """The date of the first measured day."""
        return parse_date(self.start_date)

    @property
    def weekday(self) -> str:
        """The weekday of the first measured day (``"monday"``...)."""
        return WEEKDAYS[self.first_date.weekday()]


def weekday_from_date(data: object) -> object:
    """A scenario's raw data with ``scenario.start_weekday`` set to the calendar's start date's
    weekday when the data has ``[calendar]`` and no ``start_weekday`` (every reader of it then
    agrees with the date)."""
    if not isinstance(data, dict):
        return data
    calendar, run = data.get("calendar"), data.get("scenario")
    if not (isinstance(calendar, dict) and isinstance(run, dict)) or "start_weekday" in run:
        return data
    try:
        date = parse_date(str(_iso_date(calendar.get("start_date"))))
    except ValueError:
        return data  # the calendar's own check says what is wrong
    return {**data, "scenario": {**run, "start_weekday": WEEKDAYS[date.weekday()]}}


def check_calendar(
    calendar: Calendar, start_weekday: str | None, force_names: tuple[str, ...]
) -> None:
    """The calendar against the rest of the scenario: the start date's weekday is the run's
    ``start_weekday`` (when the scenario gives one), and events name forces the room has."""
    weekday = calendar.weekday
    if start_weekday is not None and start_weekday != weekday:
        raise KeyedError(
            "calendar.start_date",
            f"{calendar.start_date} is a {weekday}, so expected scenario.start_weekday "
            f"= {weekday!r} or none, found {start_weekday!r}",
            also=("scenario.start_weekday",),
        )
    for i, event in enumerate(calendar.events):
        for j, name in enumerate(event.forces or []):
            if name not in force_names:
                raise KeyedError(
                    f"calendar.events.{i}.forces.{j}",
                    f"expected the name of a force ({', '.join(force_names) or 'none'}), "
                    f"found {name!r}",
                )
