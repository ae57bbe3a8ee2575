"""Profile CSVs: a channel's 15-minute weights over a week (or a day), read and checked."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from pathlib import Path

from .errors import Part, named
from .files import ScenarioError, decode_text
from .vocabulary import INTERVALS_PER_WEEK, WEEKDAYS, clock_to_seconds


def read_profile(
    file: Path, key: str | Sequence[Part], day_only: bool = False
) -> tuple[float, ...]:
    """Read a profile CSV into 672 weights (Monday 00:00 first), one per 15 minutes of a week.

    ``key`` says where the profile was named (``"scenario.toml: channels.999.profile"``, or
    the parts of such a message when an override named it) for errors about the file as a
    whole; errors inside it name the CSV, row and column.

    Two layouts are accepted: ``weekday,start,weight`` with 672 rows (a week) or
    ``start,weight`` with 96 rows (a day, repeated on every weekday). Weights are relative:
    only their shape matters, since ``calls_per_day`` sets the volume. ``day_only`` (a calendar
    day's profile) accepts the day's layout only.
    """
    where = f"{file}"
    rows = _csv_rows(file, key, where)
    if not rows:
        raise ScenarioError(f"{where}: expected a header and rows of weights, found an empty file")
    header = [cell.strip().lower() for cell in rows[0]]
    if header == ["weekday", "start", "weight"] and day_only:
        raise ScenarioError(
            f"{where}: header: expected 'start,weight' (a profile of one day), "
            f"found {','.join(rows[0])!r}"
        )
    if header == ["weekday", "start", "weight"]:
        expected, weekly = INTERVALS_PER_WEEK, True
    elif header == ["start", "weight"]:
        expected, weekly = 96, False
    else:
        raise ScenarioError(
            f"{where}: header: expected 'weekday,start,weight' or 'start,weight', "
            f"found {','.join(rows[0])!r}"
        )
    weights: dict[int, float] = {}
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise ScenarioError(
                f"{where}: row {number}: expected {len(header)} columns, found {len(row)}"
            )
        index, weight = _row_weight([c.strip() for c in row], weekly, where, number)
        if index in weights:
            raise ScenarioError(
                f"{where}: row {number}: expected each interval once, found a repeat"
            )
        weights[index] = weight
    if len(weights) != expected:
        raise ScenarioError(
            f"{where}: expected {expected} rows (every 15 minutes of a "
            f"{'week' if weekly else 'day'}), found {len(weights)}"
        )
    values = [weights[i] for i in range(expected)]
    if not weekly:
        values = values * 7
    if sum(values) <= 0:
        raise ScenarioError(f"{where}: weight: expected some weight above 0, found all zero")
    if not math.isfinite(sum(values)):  # only their shape matters, but they must add up
        raise ScenarioError(
            f"{where}: weight: expected weights that add up to a finite number, found a sum "
            "too large for a float (scale them down)"
        )
    return tuple(values)


def _csv_rows(file: Path, key: str | Sequence[Part], where: str) -> list[list[str]]:
    """The profile's rows that are not blank, read as UTF-8 CSV."""
    named_by = (key,) if isinstance(key, str) else tuple(key)
    if file.is_dir():
        raise named(
            ScenarioError, *named_by, f": expected a CSV file, found a folder {str(file)!r}"
        )
    try:
        raw = file.read_bytes()
    except (FileNotFoundError, ValueError):  # ValueError: a NUL in the name
        raise named(ScenarioError, *named_by, f": no such profile file {str(file)!r}") from None
    except OSError as exc:
        raise ScenarioError(f"{where}: cannot be read ({exc.strerror or exc})") from None
    text = decode_text(raw, where)
    reader = csv.reader(io.StringIO(text))
    try:
        rows = list(reader)
    except csv.Error as exc:  # e.g. a field longer than the csv module's limit
        raise ScenarioError(f"{where}: line {reader.line_num}: not valid CSV ({exc})") from None
    return [r for r in rows if any(cell.strip() for cell in r)]


def _row_weight(cells: list[str], weekly: bool, where: str, number: int) -> tuple[int, float]:
    """The interval of the week (Monday 00:00 = 0; of Monday for a daily profile) and the
    weight of one row's stripped cells."""
    day = 0
    if weekly:
        if cells[0].lower() not in WEEKDAYS:
            raise ScenarioError(
                f"{where}: row {number}: weekday: expected monday..sunday, found {cells[0]!r}"
            )
        day = WEEKDAYS.index(cells[0].lower())
    try:
        seconds = clock_to_seconds(cells[-2])
    except ValueError as exc:
        raise ScenarioError(f"{where}: row {number}: start: {exc}") from None
    if seconds % 900:
        raise ScenarioError(
            f"{where}: row {number}: start: expected a quarter hour (:00, :15, :30, :45), "
            f"found {cells[-2]!r}"
        )
    try:
        weight = float(cells[-1])
    except ValueError:
        raise ScenarioError(
            f"{where}: row {number}: weight: expected a number, found {cells[-1]!r}"
        ) from None
    if not math.isfinite(weight) or weight < 0:
        raise ScenarioError(
            f"{where}: row {number}: weight: expected a finite number >= 0, found {cells[-1]!r}"
        )
    return day * 96 + int(seconds // 900), weight
