"""Reading a force's telephony export: one or more CSV or XLSX files, one row per call, read
with a :class:`~.mapping.Mapping` into one clean table of calls.

The clean table (:attr:`Export.calls`), one row per usable call, sorted by offered time:
``call_id``, ``channel`` (the model's name, ``999`` or ``101``), ``made_at``, ``offered_at``,
``answered_at``, ``ended_at``, ``wrap_end_at`` (timezone-aware UTC to the nanosecond, one
dtype for all; NaT where the export has no such time), ``outcome`` (``answered`` when the call
has an answered time, else ``abandoned``), ``wait_s`` (offered to answered, or offered to ended
for an abandoned call), ``talk_s`` (answered to ended), ``wrap_s`` (ended to wrap end),
``caller`` and ``handler`` (text, or None), and ``file`` and ``row`` (where the call was read:
the row as a spreadsheet shows it, the header being row 1). Local times are read as
:mod:`.wall_clock` says.

Messy rows are never dropped silently: each row that cannot be used is counted under the first
of these reasons that applies (:data:`REASONS`), with the first three examples naming the file
and row: ``missing_call_id``; ``duplicate_call_id`` (the first row with an id is kept);
``unknown_channel`` (also counted per value); ``unparseable_time`` (a time that cannot be read,
or no offered time); ``spring_gap`` (a time in the spring clock change's missing hour);
``out_of_order`` (a call's times not in the order made <= offered <= answered <= ended <= wrap
end); ``unfinished`` (never answered and no end time, when the export has end times).

Fatal problems are a one-line :class:`ExportError` naming the file: one that cannot be read,
an empty one, one without a mapped column (the message lists the columns it has).
"""

from __future__ import annotations

import math
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd

from ..config.encoding import decode_text
from ..config.errors import ScenarioError
from .mapping import TIME_COLUMNS, Mapping
from .wall_clock import (
    blank_cells,
    in_gap,
    parse_wall_clock,
    repeated,
    resolve_after,
    second_by_order,
    to_utc,
)

REASONS: tuple[str, ...] = (
    "missing_call_id",
    "duplicate_call_id",
    "unknown_channel",
    "unparseable_time",
    "spring_gap",
    "out_of_order",
    "unfinished",
)
"""Why a row was not used, in the order they are checked (a row counts under the first)."""
EXAMPLES = 3
"""Examples kept per reason."""
_ORDER = (  # (earlier, later): a call's times must not go backwards
    ("made_at", "offered_at"),
    ("offered_at", "answered_at"),
    ("answered_at", "ended_at"),
    ("offered_at", "ended_at"),
    ("ended_at", "wrap_end_at"),
)


class ExportError(ScenarioError):
    """An export file that cannot be used at all; the message is one line naming it."""


@dataclass
class Rejections:
    """The rows not used: how many per reason (every reason, zero included), the first
    examples of each (``file: row N: what``), and the unknown channel values with their
    counts."""

    rows_read: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REASONS, 0))
    examples: dict[str, list[str]] = field(default_factory=lambda: {r: [] for r in REASONS})
    unknown_channels: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Period:
    """The observed period: the first and last offered time (UTC), the local calendar days
    from the first's to the last's (both counted) and the whole weeks in them."""

    first: pd.Timestamp
    last: pd.Timestamp
    days: int
    weeks: int


@dataclass
class Export:
    """A read export: the clean calls, the rows not used, and the period."""

    calls: pd.DataFrame
    rejections: Rejections
    period: Period | None
    timezone: str


def read_export(files: Sequence[str | Path], mapping: Mapping) -> Export:
    """Read ``files`` (CSV or XLSX) with ``mapping`` into one clean table of calls."""
    if not files:
        raise ExportError("expected at least one export file, found none")
    frames = [_read_rows(Path(f), mapping) for f in files]
    rows = pd.concat(frames, ignore_index=True)
    rejections = Rejections(rows_read=len(rows))
    reason = pd.Series(None, index=rows.index, dtype=object)
    for name, mask, detail in _checks(rows, mapping):
        new = mask & reason.isna()
        reason[new] = name
        _count(rejections, name, rows[new], detail[new] if detail is not None else None)
    unknown = rows.loc[reason == "unknown_channel", "channel_value"]
    rejections.unknown_channels = {str(k): int(v) for k, v in unknown.value_counts().items()}
    calls = _clean(rows[reason.isna()], mapping)
    return Export(calls, rejections, _period(calls, mapping.times.timezone), mapping.times.timezone)


def arrival_times(calls: pd.DataFrame) -> pd.Series:
    """When each of the clean ``calls`` arrived: made (``made_at``), or offered when the export
    has no made time for it. The model's arrivals are calls being made, before any BT stage."""
    return calls["made_at"].fillna(calls["offered_at"])


def subset(export: Export, keep: pd.Series | np.ndarray) -> Export:
    """The calls of ``export`` that ``keep`` selects (a mask over its calls), with their own
    period and the same rows-not-used count: a held-out stretch, or the stretch before it."""
    calls = export.calls[np.asarray(keep, dtype=bool)].reset_index(drop=True)
    return Export(calls, export.rejections, _period(calls, export.timezone), export.timezone)


def _count(rejections: Rejections, reason: str, rows: pd.DataFrame, detail: pd.Series | None):
    rejections.counts[reason] += len(rows)
    for i in rows.index[: EXAMPLES - len(rejections.examples[reason])]:
        what = "" if detail is None else f": {detail[i]}"
        place = f"{rows.loc[i, 'file']}: row {rows.loc[i, 'row']}"
        rejections.examples[reason].append(place + what)


def _checks(rows: pd.DataFrame, mapping: Mapping) -> Iterable[tuple[str, pd.Series, pd.Series]]:
    """Each reason's mask over ``rows`` and the words for each row, in :data:`REASONS`' order."""
    ids = rows["call_id"]
    yield "missing_call_id", ids.isna(), None
    dup = ids.notna() & ids.duplicated(keep="first")
    yield "duplicate_call_id", dup, "call id " + ids.fillna("").map(repr).astype(str) + " again"
    channel = rows["channel_value"].map(mapping.channel_of()).fillna("")
    rows["channel"] = channel
    yield "unknown_channel", channel == "", "channel " + rows["channel_value"].map(repr).astype(str)
    bad = pd.Series(False, index=rows.index)
    words = pd.Series("", index=rows.index)
    for name in TIME_COLUMNS:
        broken = rows[f"{name}_bad"] & ~bad
        words[broken] = f"{name} " + rows.loc[broken, f"{name}_raw"].map(repr).astype(str)
        bad |= broken
    no_offer = rows["offered_at"].isna() & ~rows["offered_at_gap"] & ~bad
    words[no_offer] = "offered_at blank"
    yield "unparseable_time", bad | no_offer, words
    gap = pd.Series(False, index=rows.index)
    for name in TIME_COLUMNS:
        hit = rows[f"{name}_gap"] & ~gap
        words[hit] = (
            f"{name} " + rows.loc[hit, f"{name}_raw"].map(repr).astype(str) + " never on the clock"
        )
        gap |= hit
    yield "spring_gap", gap, words
    wrong = pd.Series(False, index=rows.index)
    for earlier, later in _ORDER:
        hit = (rows[later] < rows[earlier]) & ~wrong
        words[hit] = f"{later} before {earlier}"
        wrong |= hit
    yield "out_of_order", wrong, words
    if mapping.columns.ended_at is not None:
        open_ = rows["answered_at"].isna() & rows["ended_at"].isna()
        yield "unfinished", open_, pd.Series("never answered and no ended_at", index=rows.index)


def _read_rows(file: Path, mapping: Mapping) -> pd.DataFrame:
    """One file's rows: the mapped cells, the times read (UTC), and where each row is."""
    raw = _read_table(file)
    columns = mapping.columns.model_dump(exclude_none=True)
    missing = [f"{c!r} ({f})" for f, c in columns.items() if c not in raw.columns]
    if missing:
        found = ", ".join(repr(c) for c in raw.columns)
        raise ExportError(
            f"{file}: expected the mapped column{'s' if len(missing) > 1 else ''} "
            f"{' and '.join(missing)}, found only the columns {found}"
        )
    out = pd.DataFrame({"file": str(file), "row": raw.index.to_numpy()})
    raw = raw.reset_index(drop=True)
    out["call_id"] = _text(raw[columns["call_id"]])
    out["channel_value"] = _text(raw[columns["channel"]]).fillna("")
    for name in ("caller", "handler"):
        out[name] = _text(raw[columns[name]]) if name in columns else None
    times = mapping.times
    zone = times.zone
    naive, exact = {}, {}
    for name in TIME_COLUMNS:
        cells = raw[columns[name]] if name in columns else pd.Series(None, index=raw.index)
        naive[name], exact[name] = parse_wall_clock(cells, times.format)
        out[f"{name}_raw"] = cells.to_numpy()
        unread = naive[name].isna() & exact[name].isna()
        out[f"{name}_bad"] = (~blank_cells(cells) & unread).to_numpy()
        out[f"{name}_gap"] = in_gap(naive[name], zone).to_numpy()
    offered = naive["offered_at"]
    second = second_by_order(offered, repeated(offered, zone))
    anchor = to_utc(offered, zone, second).fillna(exact["offered_at"])
    out["offered_at"] = anchor.to_numpy()
    for name in TIME_COLUMNS:
        if name != "offered_at":
            utc = resolve_after(naive[name], zone, anchor, before=name == "made_at")
            out[name] = utc.fillna(exact[name]).to_numpy()
    for name in TIME_COLUMNS:  # one dtype in every file, even for a column of blanks
        out[name] = pd.to_datetime(out[name], utc=True)
    return out


def _text(values: pd.Series) -> pd.Series:
    """Cells as stripped text (whole numbers without '.0'), blank cells as None."""

    def one(v: object) -> str | None:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return None
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        text = str(v).strip()
        return text or None

    text = values.map(one).astype(object)
    return text.where(text.notna(), None)


def _read_table(file: Path) -> pd.DataFrame:
    """A file's cells: CSV as text, XLSX as the workbook stores them (first sheet), indexed
    by row number."""
    if not file.is_file():
        raise ExportError(f"{file}: no such export file")
    suffix = file.suffix.lower()
    try:
        if suffix == ".csv":
            text = decode_text(file.read_bytes(), file)
            if not text.strip():
                raise ExportError(f"{file}: expected a header row and calls, found an empty file")
            table = pd.read_csv(
                StringIO(text),
                dtype=str,
                keep_default_na=False,
                na_values=[""],
                skip_blank_lines=False,
            )
        elif suffix == ".xlsx":
            table = pd.read_excel(file, dtype=object, engine="openpyxl")
        else:
            raise ExportError(f"{file}: expected an export ending .csv or .xlsx, found {suffix!r}")
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, pd.errors.ParserError) as exc:
        if isinstance(exc, ExportError):
            raise
        if isinstance(exc, ScenarioError):  # not UTF-8 text
            raise ExportError(str(exc)) from None
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ExportError(f"{file}: cannot be read ({first})") from None
    table.columns = [str(c).strip() for c in table.columns]
    # Rows numbered as a spreadsheet shows them (the header is row 1); blank rows are left
    # out but keep their numbers.
    table.index = pd.RangeIndex(2, len(table) + 2)
    table = table[~table.apply(blank_cells).all(axis=1)]
    if table.empty:
        raise ExportError(f"{file}: expected calls under the header row, found none")
    return table


def _clean(rows: pd.DataFrame, mapping: Mapping) -> pd.DataFrame:
    calls = pd.DataFrame(
        {
            "call_id": rows["call_id"].astype(str),
            "channel": rows["channel"].astype(str),
            **{name: rows[name] for name in TIME_COLUMNS},
        }
    )
    answered = calls["answered_at"].notna()
    calls["outcome"] = np.where(answered, "answered", "abandoned")
    waited_to = calls["answered_at"].where(answered, calls["ended_at"])
    calls["wait_s"] = (waited_to - calls["offered_at"]).dt.total_seconds()
    calls["talk_s"] = (calls["ended_at"] - calls["answered_at"]).dt.total_seconds()
    calls["wrap_s"] = (calls["wrap_end_at"] - calls["ended_at"]).dt.total_seconds()
    for name in ("caller", "handler"):
        calls[name] = rows[name].astype(object).where(rows[name].notna(), None)
    calls["file"] = rows["file"]
    calls["row"] = rows["row"]
    calls = calls.sort_values("offered_at", kind="stable").reset_index(drop=True)
    for name in TIME_COLUMNS:
        calls[name] = pd.to_datetime(calls[name], utc=True).dt.as_unit("ns")
    return calls


def _period(calls: pd.DataFrame, zone: str) -> Period | None:
    if calls.empty:
        return None
    first, last = calls["offered_at"].iloc[0], calls["offered_at"].iloc[-1]
    days = (last.tz_convert(zone).date() - first.tz_convert(zone).date()).days + 1
    return Period(first=first, last=last, days=days, weeks=days // 7)
