"""An export's times: text (a strftime format, or ISO 8601) or Excel serial numbers, read as the
force's local wall-clock time and turned into UTC with :mod:`zoneinfo`.

Clock changes (Europe/London and any other zone):

* A time in the **spring gap** (01:00-01:59 on the last Sunday of March) never happened on the
  clock: it is *invalid*, and the row is counted under its own reason, not guessed.
* A time in the **autumn repeated hour** (01:00-01:59 on the last Sunday of October) happened
  twice. An offered time there is the *first* occurrence (summer time), unless the row order
  proves otherwise: within a file, once the offered wall-clock times in the repeated hour go
  backwards (a row's is earlier than an earlier row's on the same night), that row and the
  rows after it in that hour are the second occurrence (winter time). An export sorted by
  offered time is thus read exactly. A call's other times in the repeated hour take the
  occurrence that keeps them in order with its offered time (the first one not before it for
  the answered, ended and wrap-end times, the last one not after it for the made time).

ISO times with an offset (``2025-10-26T01:30:00+01:00``) are exact and need no rule. Excel
serial numbers (days since 1899-12-30) are rounded to the millisecond, Excel's own precision;
cells that an XLSX file already stores as dates are taken as they are.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo

import numpy as np
import pandas as pd

EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_OFFSET = re.compile(r"(?:Z|[+-]\d\d:?\d\d)$")


def parse_wall_clock(values: pd.Series, fmt: str) -> tuple[pd.Series, pd.Series]:
    """``values`` as times: a naive wall-clock series and, beside it, the UTC instants of
    values that carry their own offset (ISO only; NaT elsewhere). Blank cells are NaT;
    a non-blank cell that cannot be read is NaT in both (the caller counts it)."""
    index = values.index
    naive = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    exact = pd.Series(pd.NaT, index=index, dtype="datetime64[ns, UTC]")
    blank = blank_cells(values)
    is_date = values.map(lambda v: isinstance(v, datetime.datetime))
    if is_date.any():
        naive[is_date] = pd.to_datetime(values[is_date].map(_no_zone))
    rest = ~blank & ~is_date
    if not rest.any():
        return naive, exact
    cells = values[rest]
    if fmt == "excel":
        days = pd.to_numeric(cells, errors="coerce")
        ok = days.notna() & np.isfinite(days) & (days.abs() < 2_958_466)
        naive[ok[ok].index] = (EXCEL_EPOCH + pd.to_timedelta(days[ok], unit="D")).dt.round("ms")
    elif fmt == "iso":
        text = cells.astype(str).str.strip()
        offset = text.str.contains(_OFFSET)
        exact[offset[offset].index] = pd.to_datetime(
            text[offset], format="ISO8601", utc=True, errors="coerce"
        )
        plain = text[~offset]
        naive[plain.index] = pd.to_datetime(plain, format="ISO8601", errors="coerce")
    else:
        text = cells.astype(str).str.strip()
        naive[text.index] = pd.to_datetime(text, format=fmt, errors="coerce")
    return naive, exact


def _no_zone(value: datetime.datetime) -> datetime.datetime:
    return value.replace(tzinfo=None)


def blank_cells(values: pd.Series) -> pd.Series:
    """Cells with nothing in them (missing, or text of spaces only)."""
    return values.isna() | values.map(lambda v: isinstance(v, str) and not v.strip())


def to_utc(naive: pd.Series, zone: zoneinfo.ZoneInfo, second: pd.Series) -> pd.Series:
    """``naive`` wall-clock times in ``zone`` as UTC, the repeated hour's second occurrence
    where ``second`` says so; times in the spring gap are NaT."""
    local = naive.dt.tz_localize(zone, ambiguous=~second.to_numpy(), nonexistent="NaT")
    return local.dt.tz_convert("UTC")


def repeated(naive: pd.Series, zone: zoneinfo.ZoneInfo) -> pd.Series:
    """Which times fall in an autumn repeated hour (they happened twice)."""
    once = naive.dt.tz_localize(zone, ambiguous="NaT", nonexistent="shift_forward")
    return once.isna() & naive.notna()


def in_gap(naive: pd.Series, zone: zoneinfo.ZoneInfo) -> pd.Series:
    """Which times fall in a spring gap (they never happened on the clock)."""
    ones = np.ones(len(naive), dtype=bool)
    local = naive.dt.tz_localize(zone, ambiguous=ones, nonexistent="NaT")
    return local.isna() & naive.notna()


def second_by_order(naive: pd.Series, ambiguous: pd.Series) -> pd.Series:
    """For offered times in file order: which of the repeated-hour times are the second
    occurrence (the wall clock went backwards before them within the repeated hour of that
    night)."""
    out = np.zeros(len(naive), dtype=bool)
    latest: dict[datetime.date, pd.Timestamp] = {}
    switched: set[datetime.date] = set()
    for i in np.flatnonzero(ambiguous.to_numpy()):
        time = naive.iloc[i]
        night = time.date()
        if night not in switched and night in latest and time < latest[night]:
            switched.add(night)
        out[i] = night in switched
        latest[night] = max(time, latest.get(night, time))
    return pd.Series(out, index=naive.index)


def resolve_after(
    naive: pd.Series, zone: zoneinfo.ZoneInfo, anchor: pd.Series, before: bool = False
) -> pd.Series:
    """A call's later (or, with ``before``, earlier) time as UTC: a repeated-hour time takes
    the occurrence nearest to the call's offered time ``anchor`` (UTC) on the right side."""
    ones = np.ones(len(naive), dtype=bool)
    first = naive.dt.tz_localize(zone, ambiguous=ones, nonexistent="NaT").dt.tz_convert("UTC")
    second = naive.dt.tz_localize(zone, ambiguous=~ones, nonexistent="NaT").dt.tz_convert("UTC")
    # before: the latest occurrence not after the offered time; else the earliest not before it
    use_second = (second <= anchor) if before else (first < anchor) & (second >= anchor)
    return second.where(use_second, first)
