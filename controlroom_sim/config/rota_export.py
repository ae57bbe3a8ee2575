"""Writing rota files: a scenario's rota sections as a rota file (the format is described in
:mod:`.rota_files`), and a grid of the people starting at each time on each weekday."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable
from pathlib import Path

from .rota_files import BREAK_KEYS, DAY_COLUMNS, break_prefix
from .rota_sheets import ROTA_SHEET, Cell, read_sheet, write_sheets
from .schema.rotas import ROTA_SECTIONS, RotaGroup, Shift
from .schema.scenario import Scenario
from .vocabulary import clock_to_seconds


def _plain(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def rota_rows(groups: Iterable[tuple[str, RotaGroup]]) -> list[list[Cell]]:
    """A rota file's rows (header first) for ``(role, group)`` pairs: one row per shift line
    of each group on shifts, with as many sets of break columns as the most breaks a line has."""
    lines = [(role, g, s) for role, g in groups for s in g.shifts or []]
    most = max((len(s.breaks) for _, _, s in lines), default=0)
    breaks = [f"{break_prefix(k + 1)}_{key}" for k in range(most) for key in BREAK_KEYS]
    rows: list[list[Cell]] = [
        ["role", "group", "line", "start", "hours", *DAY_COLUMNS, "count", *breaks]
    ]
    for role, group, shift in lines:
        on = set(shift.weekdays())
        cells: list[Cell] = [role, group.name, shift.name, shift.start, _plain(shift.hours)]
        cells += [1 if d in on else 0 for d in range(7)]
        cells.append(shift.count)
        for k in range(most):
            if k < len(shift.breaks):
                brk = shift.breaks[k]
                cells += [_plain(brk.after_hours), _plain(brk.minutes), _plain(brk.spread_hours)]
            else:
                cells += [None, None, None]
        rows.append(cells)
    return rows


def starts_grid(shifts: Iterable[Shift]) -> list[list[Cell]]:
    """The people starting at each start time (rows, earliest first) on each weekday (columns
    Mon..Sun), header first."""
    grid: dict[str, list[int]] = {}
    for shift in shifts:
        counts = grid.setdefault(shift.start, [0] * 7)
        for day in shift.weekdays():
            counts[day] += shift.count
    rows: list[list[Cell]] = [["start", *DAY_COLUMNS]]
    for start in sorted(grid, key=clock_to_seconds):
        rows.append([start, *grid[start]])
    return rows


def scenario_groups(scenario: Scenario) -> list[tuple[str, RotaGroup]]:
    """Every group of the scenario's rota sections, with its section, in the file's order."""
    return [(role, g) for role in ROTA_SECTIONS for g in getattr(scenario, role)]


def write_rota(
    file: Path,
    groups: Iterable[tuple[str, RotaGroup]],
    starts: bool = False,
    suffix: str | None = None,
) -> None:
    """Write ``groups``' shift lines as a rota file (``suffix`` .csv or .xlsx; default:
    ``file``'s ending); with ``starts``, a workbook also gets a sheet ``starts``: the people
    starting at each time on each weekday."""
    chosen = list(groups)
    sheets: list[tuple[str, list[list[Cell]]]] = [(ROTA_SHEET, rota_rows(chosen))]
    if starts:
        sheets.append(("starts", starts_grid(s for _, g in chosen for s in g.shifts or [])))
    write_sheets(file, sheets, suffix)


def sheet_text(file: Path) -> str:
    """A workbook's rota sheet as CSV text (header first, blank rows left out): what a run's
    manifest records of an .xlsx rota file, so that it can be read and compared as text."""
    sheet = read_sheet(file)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for cells in [sheet.header, *(cells for _, cells in sheet.rows)]:
        writer.writerow(["" if c is None else _cell_text(c) for c in cells])
    return buffer.getvalue()


def _cell_text(cell: Cell) -> str:
    if isinstance(cell, datetime.datetime | datetime.time):
        return cell.isoformat()
    return str(cell)
