"""KPIs by calendar month, for a scenario placed on dates (``[calendar]``).

A year's run asks which months miss a standard, so a few headline KPIs also come for each month
of the measured window, named with the month after the channel: ``answered_within_10s_999_2026_01``
(a call counts in the month it was made), and ``handler_occupancy_2026_01`` (the month's part of
the window). A month the window covers only in part gives that part's figures. The list is kept
short (four KPIs a month with two channels: 84 a year) so a year's KPI table stays readable.
"""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd

from ..config.calendar import date_of, day_number
from ..config.schema import Scenario
from ..model.records import RunRecords
from .call_kpis import channel_kpis
from .dispatch_kpis import _utilisation

MONTH_KPIS = ("offered", "answered_within_10s", "abandon_rate")
"""The channel KPIs given by month (with ``handler_occupancy``)."""


def month_suffix(date: datetime.date) -> str:
    """The suffix of a month's KPIs: ``"2026_01"``."""
    return f"{date.year}_{date.month:02d}"


def months_of(scenario: Scenario, seconds: np.ndarray) -> np.ndarray:
    """Month of each simulation time, as a ``datetime64[M]`` array."""
    assert scenario.calendar is not None
    days = np.floor((seconds - scenario.warmup_s) / 86400.0).astype("timedelta64[D]")
    return (np.datetime64(scenario.calendar.first_date, "D") + days).astype("datetime64[M]")


def month_windows(scenario: Scenario) -> list[tuple[str, float, float]]:
    """``(suffix, start_s, end_s)`` of each month's part of the measured window, in order."""
    calendar = scenario.calendar
    assert calendar is not None
    lo, hi = scenario.warmup_s, scenario.horizon_s
    out = []
    date = calendar.first_date.replace(day=1)
    while True:
        start = lo + day_number(calendar, date) * 86400.0
        if start >= hi:
            return out
        following = (date + datetime.timedelta(days=32)).replace(day=1)
        end = lo + day_number(calendar, following) * 86400.0
        if end > lo:
            out.append((month_suffix(date), max(start, lo), min(end, hi)))
        date = following


def month_kpis(records: RunRecords, scenario: Scenario) -> dict[str, float]:
    """The month KPIs of one replication; none without ``[calendar]``."""
    if scenario.calendar is None:
        return {}
    calls: pd.DataFrame = records.measured_calls
    months = months_of(scenario, calls["arrival_s"].to_numpy())
    out: dict[str, float] = {}
    for suffix, start, end in month_windows(scenario):
        first = date_of(scenario.calendar, round((start - scenario.warmup_s) / 86400.0))
        rows = months == np.datetime64(first, "M")
        for channel in scenario.channels:
            kpis = channel_kpis(calls, scenario, channel, rows)
            for name in MONTH_KPIS:
                out[f"{name}_{channel}_{suffix}"] = kpis[f"{name}_{channel}"]
        out[f"handler_occupancy_{suffix}"] = _utilisation(records.work, records.duty, start, end)
    return out
