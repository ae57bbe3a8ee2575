"""Rota files: a scenario's shift lines as planners hold them, one row per line in a CSV file or
an Excel workbook (.xlsx).

Columns (the header is row 1; names in any case, in any order):

``role`` (optional)
    ``handlers``, ``dispatchers``, ``officers`` or ``support_workers``; needed only when two
    sections have a group of the same name.
``group``
    The name of a group of the scenario; its rows become that group's ``shifts``.
``line``
    The shift line's name (blank: a line without a name).
``start``, ``hours``
    ``HH:MM`` (or a time cell) and the length in hours.
``Mon`` ... ``Sun``, or ``days``
    Seven columns, one a weekday (``Mon`` or ``Monday``), ticked ``1``/``Y``/``yes``/``x``/
    ``true`` or left blank (``0``/``N``/``no``/``false``); or one ``days`` column with the
    scenario's words: ``daily``, ``weekdays``, ``weekends`` or weekday names.
``count``
    People on the line.
``break_after_hours``, ``break_minutes``, ``break_spread_hours``
    The line's break (all blank: none; a blank spread is 0, the schema's default). A second
    break goes in ``break2_after_hours``, ``break2_minutes``, ``break2_spread_hours``, and so on.

Reading gives, per group, the shift lines as the scenario's TOML would have them, each row
checked alone: an error is one line naming the file, the row as a spreadsheet shows it, the
column and its cell, what was expected and what was found.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .errors import ScenarioError
from .rota_sheets import Cell, Sheet, column_letter, read_sheet
from .schema.rotas import ROTA_SECTIONS, Shift
from .vocabulary import DAY_SETS, WEEKDAYS

DAY_COLUMNS = tuple(d[:3].title() for d in WEEKDAYS)
"""The weekday columns as a rota file is written: Mon ... Sun."""
BREAK_KEYS = ("after_hours", "minutes", "spread_hours")
_BREAK = re.compile(r"^break([2-9]|[1-9]\d+)?_(after_hours|minutes|spread_hours)$")
_TICKED = {"1", "y", "yes", "x", "true"}
_UNTICKED = {"0", "n", "no", "false"}
MAX_WHOLE = 2**63 - 1
"""The largest count read: TOML's largest integer, as for a count in a scenario file."""
_DAY_NAMES = {**{d: d for d in WEEKDAYS}, **{d[:3]: d for d in WEEKDAYS}}


class RotaFileError(ScenarioError):
    """A rota file that cannot be read; the message is one line."""


@dataclass(frozen=True)
class RotaRow:
    """One shift line read from a rota file: its row number, the ``role`` (section) if the file
    says it, the group's name and the line as a scenario's TOML would have it."""

    number: int
    role: str | None
    group: str
    line: dict[str, Any]


class _Columns:
    """Where each column of a header is, checked: known names, each once, the required ones."""

    def __init__(self, file: Path, header: list[Cell]) -> None:
        self.file = file
        self.index: dict[str, int] = {}
        self.days: dict[str, int] = {}
        self.breaks: dict[int, dict[str, int]] = {}
        self.named: set[int] = set()
        for i, cell in enumerate(header):
            name = "" if cell is None else str(cell).strip()
            if not name:
                continue
            self.named.add(i)
            key = name.lower()
            where = f"{file}: row 1: column {column_letter(i)}"
            if key in self.index or _DAY_NAMES.get(key) in self.days:
                raise RotaFileError(f"{where}: expected each column once, found {name!r} again")
            if key in _DAY_NAMES:
                self.days[_DAY_NAMES[key]] = i
            elif match := _BREAK.match(key):
                number = int(match.group(1) or 1)
                self.breaks.setdefault(number, {})[match.group(2)] = i
            elif key not in ("role", "group", "line", "start", "hours", "days", "count"):
                raise RotaFileError(
                    f"{where}: expected one of role, group, line, start, hours, Mon..Sun or "
                    f"days, count, break_after_hours, break_minutes, break_spread_hours, "
                    f"found {name!r}"
                )
            if key not in _DAY_NAMES:
                self.index[key] = i
        self._check_required()

    def _check_required(self) -> None:
        where = f"{self.file}: row 1"
        for key in ("group", "start", "hours", "count"):
            if key not in self.index:
                raise RotaFileError(f"{where}: expected a column {key!r}, found none")
        if "days" in self.index and self.days:
            raise RotaFileError(
                f"{where}: expected either a days column or the weekday columns Mon..Sun, "
                "found both"
            )
        if "days" not in self.index and len(self.days) < 7:
            missing = [d[:3].title() for d in WEEKDAYS if d not in self.days]
            raise RotaFileError(
                f"{where}: expected the weekday columns Mon..Sun (or a days column), found "
                f"none for {', '.join(missing)}"
            )
        for number, keys in sorted(self.breaks.items()):
            prefix = break_prefix(number)
            for key in ("after_hours", "minutes"):
                if key not in keys:
                    raise RotaFileError(
                        f"{where}: expected a column '{prefix}_{key}' beside the other "
                        f"{prefix}_ columns, found none"
                    )


class _Row:
    """One row's cells, read by column name, with errors naming the row and the cell."""

    def __init__(self, columns: _Columns, number: int, cells: list[Cell]) -> None:
        self.columns = columns
        self.number = number
        self.cells = cells

    def cell(self, index: int) -> Cell:
        value = self.cells[index] if index < len(self.cells) else None
        if isinstance(value, str):
            value = value.strip() or None
        return value

    def error(self, column: str, index: int, expected: str, found: Cell) -> RotaFileError:
        ref = f"{column_letter(index)}{self.number}"
        shown = "a blank cell" if found is None else repr(found)
        return RotaFileError(
            f"{self.columns.file}: row {self.number}: {column} ({ref}): expected {expected}, "
            f"found {shown}"
        )

    def text(self, column: str, required: bool = True) -> str | None:
        index = self.columns.index.get(column)
        value = None if index is None else self.cell(index)
        if value is None:
            if required and index is not None:
                raise self.error(column, index, "a name", None)
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value)

    def number_of(self, column: str, index: int, whole: bool = False) -> float | int | None:
        value = self.cell(index)
        if value is None:
            return None
        expected = "a whole number >= 0" if whole else "a finite number"
        number: float | int | None = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str):
            try:
                number = int(value) if whole else float(value)
            except ValueError:
                number = None
        if whole and isinstance(number, float) and number.is_integer():
            number = int(number)
        if whole and isinstance(number, int) and number > MAX_WHOLE:
            raise self.error(column, index, "a whole number up to 2**63-1", value)
        if whole and (not isinstance(number, int) or number < 0):
            raise self.error(column, index, expected, value)
        if number is None or (not whole and not _finite(number)):
            raise self.error(column, index, expected, value)
        return number if whole else float(number)

    def required_number(self, column: str, whole: bool = False) -> float | int:
        index = self.columns.index[column]
        value = self.number_of(column, index, whole)
        if value is None:
            raise self.error(
                column, index, "a whole number >= 0" if whole else "a finite number", None
            )
        return value

    def start(self) -> str:
        index = self.columns.index["start"]
        value = self.cell(index)
        if isinstance(value, datetime.datetime):
            value = value.time()
        if isinstance(value, datetime.time) and not value.second and not value.microsecond:
            return value.strftime("%H:%M")
        if not isinstance(value, str):
            raise self.error("start", index, "a time of day as HH:MM", value)
        return value

    def days(self) -> str | list[str]:
        if "days" in self.columns.index:
            return self._days_words()
        ticked = []
        for day, index in self.columns.days.items():
            value = self.cell(index)
            text = "" if value is None else str(value).strip().lower()
            if isinstance(value, bool):
                text = str(value).lower()
            elif isinstance(value, int | float) and float(value).is_integer():
                text = str(int(value))
            if text in _TICKED:
                ticked.append(day)
            elif text and text not in _UNTICKED:
                raise self.error(
                    day[:3].title(), index, "1, Y, yes, x or true (or 0, N, no or blank)", value
                )
        if not ticked:
            index = min(self.columns.days.values())
            raise self.error("Mon..Sun", index, "at least one day ticked", None)
        return days_word(ticked)

    def _days_words(self) -> str | list[str]:
        index = self.columns.index["days"]
        value = self.cell(index)
        words = str(value or "").replace(",", " ").lower().split()
        out = []
        for word in words:
            if word not in DAY_SETS and word not in _DAY_NAMES:
                raise self.error("days", index, "daily, weekdays, weekends or weekday names", value)
            out.append(word if word in DAY_SETS else _DAY_NAMES[word])
        if not out:
            raise self.error("days", index, "daily, weekdays, weekends or weekday names", None)
        return out[0] if len(out) == 1 else out

    def breaks(self) -> list[dict[str, float]]:
        out = []
        for number, keys in sorted(self.columns.breaks.items()):
            prefix = break_prefix(number)
            values = {key: self.number_of(f"{prefix}_{key}", index) for key, index in keys.items()}
            if all(v is None for v in values.values()):
                continue
            for key in ("after_hours", "minutes"):
                if values[key] is None:
                    other = "minutes" if key == "after_hours" else "after_hours"
                    raise self.error(
                        f"{prefix}_{key}",
                        keys[key],
                        f"a number, since {prefix}_{other} is given",
                        None,
                    )
            out.append({k: v for k, v in values.items() if v is not None})
        return out


def _finite(number: float) -> bool:
    try:
        return math.isfinite(float(number))
    except OverflowError:  # an int too large for a float
        return False


def days_word(days: Iterable[str]) -> str | list[str]:
    """Weekday names as the scenario writes them: ``daily``, ``weekdays``, ``weekends``, or
    the names in weekday order."""
    chosen = tuple(d for d in WEEKDAYS if d in set(days))
    for word, members in DAY_SETS.items():
        if chosen == members:
            return word
    return list(chosen)


_SHIFT_COLUMNS = {"name": "line", "start": "start", "hours": "hours", "count": "count"}


def _line(row: _Row) -> dict[str, Any]:
    """The row as a shift line of the scenario's TOML, checked by the schema."""
    line: dict[str, Any] = {}
    name = row.text("line", required=False)
    if name is not None:
        line["name"] = name
    line["start"] = row.start()
    line["hours"] = row.required_number("hours")
    line["days"] = row.days()
    line["count"] = row.required_number("count", whole=True)
    breaks = row.breaks()
    if breaks:
        line["breaks"] = breaks
    try:
        Shift.model_validate(line)
    except ValidationError as exc:
        raise _shift_error(row, exc) from None
    return line


_BOUNDS = {"greater_than": ">", "greater_than_equal": ">=", "less_than_equal": "<="}


def _shift_error(row: _Row, exc: ValidationError) -> RotaFileError:
    """A shift line's schema error as the row's: the column it is about, and what is wrong."""
    first = exc.errors(include_url=False)[0]
    loc = [str(p) for p in first["loc"]]
    ctx = first.get("ctx") or {}
    if loc and loc[0] == "breaks" and len(loc) >= 3:
        column = f"{break_prefix(int(loc[1]) + 1)}_{loc[2]}"
    elif loc and loc[0] in _SHIFT_COLUMNS:
        column = _SHIFT_COLUMNS[loc[0]]
    else:  # a check of the whole line: a break ending after the shift
        column = "break_after_hours"
    where = f"{row.columns.file}: row {row.number}: {column}"
    index = row.columns.index.get(column)
    if index is not None:
        where += f" ({column_letter(index)}{row.number})"
    if first["type"] in _BOUNDS:
        bound = next(iter(ctx.values()))
        message = f"expected a number {_BOUNDS[first['type']]} {bound:g}, found {first['input']!r}"
    elif first["type"] == "string_too_long":
        limit = ctx.get("max_length")
        message = f"expected a name of at most {limit} characters, found {len(first['input'])}"
    elif "error" in ctx and str(ctx["error"]).startswith("expected "):
        message = str(ctx["error"])
    elif "error" in ctx:
        message = f"expected breaks that end inside the shift, found {ctx['error']}"
    else:
        message = f"expected {first['msg']}, found {first.get('input')!r}"
    return RotaFileError(f"{where}: {message}")


def break_prefix(number: int) -> str:
    return "break" if number == 1 else f"break{number}"


def read_rota(file: Path) -> list[RotaRow]:
    """Every shift line of a rota file, in the file's order, each row checked."""
    sheet: Sheet = read_sheet(file)
    columns = _Columns(file, sheet.header)
    out = []
    for number, cells in sheet.rows:
        row = _Row(columns, number, cells)
        stray = [
            i for i, c in enumerate(cells) if i not in columns.named and row.cell(i) is not None
        ]
        if stray:
            raise row.error(
                f"column {column_letter(stray[0])}",
                stray[0],
                "a column name in row 1 above it",
                cells[stray[0]],
            )
        role = row.text("role", required=False)
        if role is not None and role not in ROTA_SECTIONS:
            index = columns.index["role"]
            raise row.error("role", index, ", ".join(ROTA_SECTIONS), role)
        group = row.text("group")
        assert group is not None
        out.append(RotaRow(number, role, group, _line(row)))
    if not out:
        raise RotaFileError(f"{file}: expected rows of shift lines under the header, found none")
    return out
