"""Arrivals fitted from an export: each channel's calls a day and its weekly profile of 15-minute
weights, in the force's local time.

The method, per channel:

* The observed period runs from the start of the quarter hour of the first call to the end of
  the quarter hour of the last (an export of whole local days is observed over those days; one
  that stops part-way through a day, only as far as it goes). It is cut into 15-minute
  intervals of real (UTC) time; each is labelled with the local weekday and time it starts at.
  A 15-minute interval is the same on both clocks in every zone whose offsets are whole
  quarter hours.
* **Clock changes** are handled by counting how often each weekday-time was observed (its
  *exposure*): on the autumn night the repeated hour's four intervals are observed twice, in
  spring the missing hour's not at all. A weight is the calls counted at a weekday-time over
  its exposure: the mean calls in that quarter hour, averaged over the weeks it was observed.
  The weeks behind each weight are that exposure, and are reported.
* **Bank holidays** of England and Wales (the ``holidays`` package) are left out of the weekly
  profile, calls and exposure alike, and reported on their own: each holiday's calls beside
  what an ordinary day of its weekday brings.
* A call's arrival is when it was made (``made_at``) when the export has it, else when it was
  offered: the model's arrivals are calls being made, before any BT stage.
* ``calls_per_day`` is the profile's week total over 7. Its standard error is the Poisson one,
  widened by the over-dispersion when that can be measured.
* **Over-dispersion**: the daily totals against the profile's expectation for each day (a
  Pearson statistic over degrees of freedom: the days less one per weekday observed). A
  Poisson process gives about 1; real demand, driven by weather and events, more.
* **A period shorter than a week** (or one that starts or ends part-way through a day) leaves
  weekday-times never observed. Their weights are the mean, at the same time of day, of the
  weekdays where that time was observed (a marked assumption); the fit says which weekdays
  were never observed at all, and ``weeks`` is 0 for each weight filled in.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ..config import calendar
from ..config.vocabulary import INTERVAL_S, WEEKDAYS
from .export import Export, arrival_times

SLOTS_PER_DAY = 96
HOLIDAY_REGION = "England and Wales"
"""The bank holidays left out of the profile: ``holidays`` GB, subdivision ENG (Wales has the
same bank holidays as England)."""
FILLED_ASSUMPTION = (
    "weekday-times never observed take the mean, at the same time of day, of the weekdays "
    "that were (assumption)"
)


def bank_holidays(first: datetime.date, last: datetime.date) -> dict[datetime.date, str]:
    """England and Wales bank holidays from ``first`` to ``last`` (both included), as the
    scenario calendar knows them (:func:`controlroom_sim.config.calendar.bank_holidays`)."""
    days: dict[datetime.date, str] = {}
    for year in range(first.year, last.year + 1):
        days.update(calendar.bank_holidays("england-and-wales", year))
    return {d: name for d, name in sorted(days.items()) if first <= d <= last}


@dataclass(frozen=True)
class Grid:
    """The observed period's 15-minute intervals: their UTC starts, local dates, weekday (0 is
    Monday) and slot of the day, and which are bank holidays."""

    starts: pd.DatetimeIndex
    dates: np.ndarray
    weekday: np.ndarray
    slot: np.ndarray
    holiday: np.ndarray
    holidays: dict[datetime.date, str]
    first_day: datetime.date
    last_day: datetime.date

    @property
    def index(self) -> np.ndarray:
        """Each interval's place in the week (0 to 671, Monday 00:00 first)."""
        return self.weekday * SLOTS_PER_DAY + self.slot


def period_grid(export: Export) -> Grid:
    """The export's observed period as 15-minute intervals."""
    if export.period is None:
        raise ValueError("an export with no usable calls has no period")
    zone = export.timezone
    times = arrival_times(export.calls)
    local = times.dt.tz_convert(zone)
    first_day, last_day = local.min().date(), local.max().date()
    utc = times.dt.tz_convert("UTC")
    start, end = utc.min().floor("15min"), (utc.max() + pd.Timedelta(microseconds=1)).ceil("15min")
    starts = pd.date_range(start, end, freq="15min", inclusive="left")
    local_starts = starts.tz_convert(zone)
    days = bank_holidays(first_day, last_day)
    dates = np.asarray(local_starts.date)
    return Grid(
        starts=starts,
        dates=dates,
        weekday=np.asarray(local_starts.day_of_week),
        slot=np.asarray(local_starts.hour * 4 + local_starts.minute // 15),
        holiday=np.isin(dates, list(days)),
        holidays=days,
        first_day=first_day,
        last_day=last_day,
    )


@dataclass
class ArrivalFit:
    """One channel's fitted arrivals."""

    channel: str
    calls: int
    """Calls of the channel in the profile (bank holidays left out)."""
    weights: np.ndarray
    """Mean calls in each of the week's 672 quarter hours (Monday 00:00 first)."""
    weeks: np.ndarray
    """How many times each quarter hour was observed (0 where filled in)."""
    calls_per_day: float
    calls_per_day_se: float
    dispersion: float | None
    """Pearson statistic of the daily totals over its degrees of freedom (None: too few days)."""
    dispersion_df: int
    dispersion_p: float | None
    """The chance of a dispersion at least this large were arrivals Poisson."""
    daily: pd.DataFrame
    """Each day's calls and the profile's expectation (columns date, weekday, calls, expected,
    holiday)."""
    holidays: list[dict[str, object]]
    per_interval: np.ndarray
    """Calls counted in each of the period's quarter hours (the grid's, holidays included)."""
    unobserved_weekdays: list[str] = field(default_factory=list)

    def profile_rows(self) -> list[tuple[str, str, float]]:
        """The weekly profile CSV's rows: weekday, start (HH:MM), weight."""
        return [
            (WEEKDAYS[i // SLOTS_PER_DAY], _clock(i % SLOTS_PER_DAY), float(w))
            for i, w in enumerate(self.weights)
        ]

    def method(self, days: int) -> str:
        """The provenance words for ``calls_per_day`` and the profile."""
        text = (
            f"{self.calls:,} calls over {days} days, counted per local 15-minute interval and "
            "averaged over the weeks each weekday-time was observed "
            f"({_weeks_words(self.weeks)}), bank holidays ({HOLIDAY_REGION}) left out, clock "
            "changes counted by exposure"
        )
        if (self.weeks == 0).any():
            text += "; " + FILLED_ASSUMPTION
        return text

    def to_json(self) -> dict[str, object]:
        observed = self.weeks[self.weeks > 0]
        return {
            "channel": self.channel,
            "calls": self.calls,
            "calls_per_day": self.calls_per_day,
            "calls_per_day_se": self.calls_per_day_se,
            "weeks_behind_weights": {
                "min": int(observed.min()) if observed.size else 0,
                "max": int(observed.max()) if observed.size else 0,
                "never_observed": int((self.weeks == 0).sum()),
            },
            "unobserved_weekdays": self.unobserved_weekdays,
            "over_dispersion": {
                "pearson_over_df": self.dispersion,
                "df": self.dispersion_df,
                "p_value_if_poisson": self.dispersion_p,
                "method": "daily totals against the profile's expectation for each day; "
                "Pearson chi-square over (days - weekdays observed)",
            },
            "bank_holidays": self.holidays,
            "weights": [round(float(w), 6) for w in self.weights],
            "weeks": [int(w) for w in self.weeks],
        }


def fit_arrivals(export: Export, channel: str, grid: Grid | None = None) -> ArrivalFit:
    """``channel``'s calls a day and weekly profile from ``export`` (see the module's words)."""
    grid = grid if grid is not None else period_grid(export)
    calls = export.calls[export.calls["channel"] == channel]
    times = arrival_times(calls)
    at = np.searchsorted(_ns(grid.starts), _ns(times), side="right") - 1
    per_interval = np.bincount(at, minlength=len(grid.starts)).astype(float)
    ordinary = ~grid.holiday
    week = grid.index
    counts = np.bincount(week[ordinary], weights=per_interval[ordinary], minlength=7 * 96)
    exposure = np.bincount(week[ordinary], minlength=7 * 96).astype(float)
    weights = np.divide(counts, exposure, out=np.zeros_like(counts), where=exposure > 0)
    unobserved = [WEEKDAYS[d] for d in range(7) if not exposure[d * 96 : (d + 1) * 96].any()]
    _fill_unobserved(weights, exposure)
    seen_days = 7 - len(unobserved)
    daily = _daily(grid, per_interval, weights)
    dispersion, df, p = _dispersion(daily[~daily["holiday"]], seen_days)
    # Poisson variance of each weight's mean: count / exposure^2.
    variance = np.divide(counts, exposure**2, out=np.zeros_like(counts), where=exposure > 0)
    se = float(np.sqrt(variance.sum() * max(dispersion or 1.0, 1.0)) / 7)
    return ArrivalFit(
        channel=channel,
        calls=int(counts.sum()),
        weights=weights,
        weeks=exposure.astype(int),
        calls_per_day=float(weights.sum() / 7),
        calls_per_day_se=se,
        dispersion=dispersion,
        dispersion_df=df,
        dispersion_p=p,
        daily=daily,
        holidays=_holiday_rows(grid, daily),
        per_interval=per_interval,
        unobserved_weekdays=unobserved,
    )


def _fill_unobserved(weights: np.ndarray, exposure: np.ndarray) -> None:
    """Weekday-times never observed take the mean, at the same time of day, of the weekdays
    where that time was observed (in place); times never observed on any day stay 0."""
    by_day = weights.reshape(7, SLOTS_PER_DAY)
    seen = exposure.reshape(7, SLOTS_PER_DAY) > 0
    observed_days = seen.sum(axis=0)
    mean = np.divide(
        (by_day * seen).sum(axis=0),
        observed_days,
        out=np.zeros(SLOTS_PER_DAY),
        where=observed_days > 0,
    )
    by_day[~seen] = np.broadcast_to(mean, by_day.shape)[~seen]


def _ns(times: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """UTC times as nanoseconds since the epoch."""
    naive = times.dt.tz_convert(None) if isinstance(times, pd.Series) else times.tz_convert(None)
    return np.asarray(naive, dtype="datetime64[ns]").astype(np.int64)


def _daily(grid: Grid, per_interval: np.ndarray, weights: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "date": grid.dates,
            "calls": per_interval,
            "expected": weights[grid.index],
            "holiday": grid.holiday,
        }
    )
    daily = frame.groupby("date", sort=True).agg(
        calls=("calls", "sum"), expected=("expected", "sum"), holiday=("holiday", "first")
    )
    daily = daily.reset_index()
    daily["weekday"] = [WEEKDAYS[d.weekday()] for d in daily["date"]]
    daily["calls"] = daily["calls"].astype(int)
    return daily


def _dispersion(daily: pd.DataFrame, weekdays: int) -> tuple[float | None, int, float | None]:
    df = len(daily) - weekdays
    expected = daily["expected"].to_numpy()
    if df < 1 or not (expected > 0).all():
        return None, max(df, 0), None
    statistic = float((((daily["calls"] - expected) ** 2) / expected).sum())
    return statistic / df, df, float(stats.chi2.sf(statistic, df))


def _holiday_rows(grid: Grid, daily: pd.DataFrame) -> list[dict[str, object]]:
    rows = []
    for _, day in daily[daily["holiday"]].iterrows():
        expected = float(day["expected"])
        rows.append(
            {
                "date": day["date"].isoformat(),
                "name": grid.holidays[day["date"]],
                "weekday": day["weekday"],
                "calls": int(day["calls"]),
                "ordinary_day_expected": expected,
                "ratio": float(day["calls"] / expected) if expected > 0 else None,
            }
        )
    return rows


def _clock(slot: int) -> str:
    minutes = slot * int(INTERVAL_S) // 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _weeks_words(weeks: np.ndarray) -> str:
    observed = weeks[weeks > 0]
    if observed.size == 0:
        return "none observed"
    low, high = int(observed.min()), int(observed.max())
    return f"{low} week{'s' if low != 1 else ''}" if low == high else f"{low} to {high} weeks"
