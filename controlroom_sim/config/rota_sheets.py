"""Sheets of cells, as a rota file holds them: a CSV file, or a worksheet of an XLSX workbook
(read and written with openpyxl).

A sheet is read into its header (row 1) and its rows, each with its number as a spreadsheet
shows it (the header is row 1), so that an error can name the row and the cell. Blank rows are
skipped but still counted. A CSV cell is text (``None`` when blank); an XLSX cell is what the
workbook stores: text, a number, true/false, a time of day, or ``None``.
"""

from __future__ import annotations

import csv
import datetime
import io
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .encoding import decode_text
from .errors import ScenarioError

Cell = str | int | float | bool | datetime.time | datetime.datetime | None
SUFFIXES = (".csv", ".xlsx")
"""The file types a rota file may be, by its name's ending."""
ROTA_SHEET = "rota"
"""The worksheet read from a workbook when it has one of this name (else its first sheet)."""


@dataclass(frozen=True)
class Sheet:
    """A header and the rows under it: ``(number, cells)``, numbered as a spreadsheet shows
    them (header = row 1), blank rows left out."""

    header: list[Cell]
    rows: list[tuple[int, list[Cell]]]


def column_letter(index: int) -> str:
    """The spreadsheet's name of the column at ``index`` (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def read_sheet(file: Path) -> Sheet:
    """The rota sheet of ``file`` (.csv, or .xlsx: the sheet called 'rota', else the first)."""
    suffix = file.suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(file)
    elif suffix == ".xlsx":
        rows = _xlsx_rows(file)
    else:
        raise ScenarioError(
            f"{file}: expected a rota file ending .csv or .xlsx, found {file.suffix or 'none'!r}"
        )
    numbered = [(n, cells) for n, cells in enumerate(rows, start=1) if any(_text(c) for c in cells)]
    if not numbered or numbered[0][0] != 1:
        raise ScenarioError(
            f"{file}: row 1: expected a header of column names (group, line, start, ...), "
            f"found {'an empty file' if not numbered else 'a blank row'}"
        )
    return Sheet(numbered[0][1], numbered[1:])


def _text(cell: Cell) -> str:
    return "" if cell is None else str(cell).strip()


def _csv_rows(file: Path) -> list[list[Cell]]:
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise ScenarioError(f"{file}: cannot be read ({exc.strerror or exc})") from None
    reader = csv.reader(io.StringIO(decode_text(raw, file)))
    try:
        rows = list(reader)
    except csv.Error as exc:  # e.g. a field longer than the csv module's limit
        raise ScenarioError(f"{file}: line {reader.line_num}: not valid CSV ({exc})") from None
    return [[cell if cell.strip() else None for cell in row] for row in rows]


def _xlsx_rows(file: Path) -> list[list[Cell]]:
    import openpyxl  # imported here: only a rota file needs it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with warnings.catch_warnings():  # e.g. "no default style": not the user's problem
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except OSError as exc:
        raise ScenarioError(f"{file}: cannot be read ({exc.strerror or exc})") from None
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError) as exc:
        raise ScenarioError(
            f"{file}: expected an Excel workbook (.xlsx), found a file openpyxl cannot read "
            f"({type(exc).__name__})"
        ) from None
    try:
        sheet = book[ROTA_SHEET] if ROTA_SHEET in book.sheetnames else book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def write_sheets(
    file: Path, sheets: Sequence[tuple[str, Sequence[Sequence[Cell]]]], suffix: str | None = None
) -> None:
    """Write rows of cells as ``suffix`` (.csv or .xlsx; default: ``file``'s ending): a CSV
    file holds the first sheet only; a workbook every sheet, by name, the first first."""
    suffix = (suffix or file.suffix).lower()
    if suffix == ".csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerows([["" if c is None else c for c in row] for row in sheets[0][1]])
        file.write_text(buffer.getvalue(), encoding="utf-8")
        return
    if suffix != ".xlsx":
        raise ScenarioError(f"{file}: expected a file ending .csv or .xlsx, found {suffix!r}")
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
        sheet.freeze_panes = "A2"
    book.save(file)
