"""A results folder as an Excel workbook, for planners who work in spreadsheets.

``results.xlsx`` (written beside the tables by ``run``, ``compare`` and ``sweep``, and by
:func:`write_workbook` for any results folder) has:

* **Summary**: every KPI's mean and 95% CI over replications for each scenario, with what it
  means and its unit; shares as percentages, times in seconds or minutes, money in pounds.
* **Staffing and cost** (with ``[staffing]``): rostered and paid hours a week, posts (FTE),
  overtime and cost a week and a year, by role and scenario.
* **Differences** (a comparison): each variant's paired difference from the baseline, with its
  paired 95% CI, beside both means.
* **One sheet per measure** of each scenario of a run or comparison (a sweep's grid points
  would be too many; its Summary holds them all): the 15-minute intervals of the week, a row
  per time of day and a column per weekday, averaged over replications (and over weeks of a
  longer horizon): calls offered, answered and abandoned by channel, the share of answered 999
  calls answered within 10 seconds (pooled: answered within 10 s over answered, over every
  replication), and handlers on duty and busy (time averages).

The workbook is made from the folder's tables, after their sizes and SHA-256 are checked (the
same reading as the HTML report), and numbers are rounded for reading by their cell format,
not in value.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..analysis.kpi_kinds import is_share
from ..analysis.kpis import KPI_DESCRIPTIONS
from ..config.vocabulary import WEEKDAYS
from ..experiments.run_folder import write_atomic
from .cost_display import COST_COLUMNS
from .report_data import Results, RunData, load_results

WORKBOOK = "results.xlsx"
_BOLD = Font(bold=True)
_MAX_SHEET = 31  # Excel's limit on a sheet's name


def _unit_and_format(kpi: str) -> tuple[str, str]:
    if is_share(kpi):
        return "%", "0.0%"
    if kpi.startswith("cost_"):
        return "£", "#,##0"
    if kpi.endswith(("_s", "_s_999", "_s_101")) or "_s_" in kpi:
        return "seconds", "0.0"
    if "_min_" in kpi or kpi.endswith("_min"):
        return "minutes", "0.0"
    if "hours" in kpi:
        return "hours", "#,##0.0"
    if kpi.startswith("posts"):
        return "FTE", "0.0"
    return "", "#,##0.0"


def _base_kpi(kpi: str) -> str:
    kpi = re.sub(r"_\d{4}_\d{2}$", "", kpi)  # a month KPI's month (with [calendar])
    for suffix in ("_999", "_101"):
        if kpi.endswith(suffix):
            return kpi[: -len(suffix)]
    return kpi


def _row(sheet: Worksheet, cells: Sequence[object]) -> None:
    """Append a row: NaN as an empty cell, and text without the control characters a
    workbook cannot hold (a scenario named with one would otherwise stop the workbook)."""
    sheet.append(
        [
            None
            if isinstance(v, float) and v != v
            else ILLEGAL_CHARACTERS_RE.sub("", v)
            if isinstance(v, str)
            else v
            for v in cells
        ]
    )


def _header(sheet: Worksheet, cells: Sequence[str]) -> None:
    _row(sheet, cells)
    for cell in sheet[sheet.max_row]:
        cell.font = _BOLD
    sheet.freeze_panes = f"B{sheet.max_row + 1}"


def _widths(sheet: Worksheet, first: int = 34, rest: int = 14) -> None:
    sheet.column_dimensions["A"].width = first
    for i in range(2, sheet.max_column + 1):
        sheet.column_dimensions[get_column_letter(i)].width = rest


def _summary(book: Workbook, results: Results) -> None:
    sheet = book.active
    sheet.title = "Summary"
    names = [run.name for run in results.runs]
    cells = ["KPI", "unit"]
    for name in names:
        cells += [f"{name}: mean", f"{name}: 95% CI low", f"{name}: 95% CI high"]
    cells.append("meaning")
    _header(sheet, cells)
    table = results.summary
    kpis = list(dict.fromkeys(table["kpi"]))
    by = {(r.scenario, r.kpi): r for r in table.itertuples()}
    for kpi in kpis:
        unit, form = _unit_and_format(kpi)
        row: list[object] = [kpi, unit]
        for name in names:
            r = by.get((name, kpi))
            row += [None, None, None] if r is None else [r.mean, r.ci_low, r.ci_high]
        row.append(KPI_DESCRIPTIONS.get(kpi, KPI_DESCRIPTIONS.get(_base_kpi(kpi), "")))
        _row(sheet, row)
        for cell in sheet[sheet.max_row][2 : 2 + 3 * len(names)]:
            cell.number_format = form
    _widths(sheet)
    sheet.column_dimensions[get_column_letter(sheet.max_column)].width = 80


def _staffing(book: Workbook, results: Results) -> None:
    table = results.summary
    if not table["kpi"].str.startswith("posts_").any():
        return
    sheet = book.create_sheet("Staffing and cost")
    _header(
        sheet,
        [
            "scenario",
            "staff",
            *(label.replace("h/week", "hours a week") for _, label, _ in COST_COLUMNS),
        ],
    )
    mean = {(r.scenario, r.kpi): r.mean for r in table.itertuples()}
    roles = ("handlers", "dispatchers", "officers", "support_workers", "total")
    for run in results.runs:
        for role in roles:
            values = [mean.get((run.name, f"{name}_{role}")) for name, _, _ in COST_COLUMNS]
            if all(v is None for v in values):
                continue
            _row(sheet, [run.name, role.replace("_", " "), *values])
            for cell, (_, _, form) in zip(sheet[sheet.max_row][2:], COST_COLUMNS, strict=True):
                cell.number_format = "£#,##0" if form == "money" else "#,##0.0"
    _widths(sheet, 24, 16)


def _differences(book: Workbook, results: Results) -> None:
    table = results.differences
    if table is None or table.empty:
        return
    sheet = book.create_sheet("Differences")
    _header(
        sheet,
        [
            "KPI",
            "variant",
            "unit",
            "baseline mean",
            "variant mean",
            "paired difference",
            "paired 95% CI low",
            "paired 95% CI high",
        ],
    )
    for r in table.itertuples():
        unit, form = _unit_and_format(r.kpi)
        row = [r.kpi, r.scenario, unit, r.baseline_mean, r.mean, r.diff, r.ci_low, r.ci_high]
        _row(sheet, row)
        for cell in sheet[sheet.max_row][3:]:
            cell.number_format = form
    _widths(sheet)


_MEASURES = (
    ("offered", "calls offered", "#,##0.0"),
    ("answered", "calls answered", "#,##0.0"),
    ("abandoned", "calls abandoned", "#,##0.0"),
)


def _week_grid(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Mean of ``column`` per time of day (rows) and weekday (columns)."""
    grid = frame.pivot_table(index="time", columns="weekday", values=column, aggfunc="mean")
    return grid.reindex(columns=[w for w in WEEKDAYS if w in grid.columns])


def _grid_sheet(book: Workbook, title: str, heading: str, grid: pd.DataFrame, form: str) -> None:
    sheet = book.create_sheet(title[:_MAX_SHEET])
    _row(sheet, [heading])
    sheet["A1"].font = _BOLD
    _header(sheet, ["time", *(w.capitalize() for w in grid.columns)])
    for time, values in grid.iterrows():
        _row(sheet, [time, *(float(v) for v in values)])
        for cell in sheet[sheet.max_row][1:]:
            cell.number_format = form
    _widths(sheet, 10, 12)


def _interval_sheets(book: Workbook, run: RunData, prefix: str) -> None:
    intervals = run.intervals
    if intervals is None or intervals.empty:
        return
    for channel in sorted(intervals["channel"].astype(str).unique()):
        own = intervals[intervals["channel"].astype(str) == channel]
        for column, words, form in _MEASURES:
            grid = _week_grid(own, column)
            heading = f"{run.name}: {words}, channel {channel}, mean per 15-minute interval"
            _grid_sheet(book, f"{prefix}{channel} {column}", heading, grid, form)
        if channel == "999":
            within = own.pivot_table(
                index="time", columns="weekday", values="answered_within_10s", aggfunc="sum"
            )
            share = within / own.pivot_table(
                index="time", columns="weekday", values="answered", aggfunc="sum"
            )
            share = share.reindex(columns=[w for w in WEEKDAYS if w in share.columns])
            heading = (
                f"{run.name}: share of answered 999 calls answered within 10 s, pooled over "
                "replications"
            )
            _grid_sheet(book, f"{prefix}999 within 10s", heading, share, "0.0%")
    first = intervals[intervals["channel"] == intervals["channel"].iloc[0]]
    for column, words in (("handlers_on_duty", "on duty"), ("handlers_busy", "busy")):
        heading = f"{run.name}: handlers {words}, time average per 15-minute interval"
        _grid_sheet(book, f"{prefix}handlers {words}", heading, _week_grid(first, column), "0.0")


def build_workbook(results: Results) -> Workbook:
    book = Workbook()
    _summary(book, results)
    _staffing(book, results)
    _differences(book, results)
    if results.kind != "sweep":
        several = len(results.runs) > 1
        for index, run in enumerate(results.runs):
            _interval_sheets(book, run, f"{index + 1}. " if several else "")
    return book


def write_workbook(folder: str | Path, out: str | Path | None = None) -> Path:
    """Write the workbook of a results folder (default ``<folder>/results.xlsx``)."""
    results = load_results(folder)
    target = Path(out) if out is not None else results.folder / WORKBOOK
    book = build_workbook(results)
    write_atomic(target, lambda tmp: book.save(tmp))
    return target
