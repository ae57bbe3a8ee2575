"""Generated bad rota files (Hypothesis): the baseline's rota with one cell, one header name or
the whole file replaced by anything a spreadsheet may hold. Loading a variant that points at it
either gives a scenario or one :class:`ScenarioError` line naming the rota file (or, for a
problem of the groups together, the file or key that made it); never another exception."""

from __future__ import annotations

import csv
import datetime
import io
import math
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from controlroom_sim.config.files import ScenarioError
from controlroom_sim.config.loading import load_scenario
from controlroom_sim.config.rota_export import rota_rows, scenario_groups
from tests.helpers.paths import BASELINE

COMMON: dict[str, Any] = {
    "deadline": None,
    "database": None,
    "max_examples": 150,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}
ROWS = rota_rows(scenario_groups(load_scenario(BASELINE)))
"""The baseline's rota as the rota command writes it (header first): 16 rows, 16 columns."""

TEXT = st.one_of(
    st.sampled_from(
        [
            *("", " ", "0", "1", "-1", "1.5", "24", "25", "1e400", "nan", "inf", "Y", "N", "x"),
            *("07:00", "24:00", "7:5", "daily", "weekdays", "Mon", "sat sun", "contact"),
            *("999 desk", "Early 999", "a.b", "count", "days", "break2_minutes", "role", "start"),
            *("handlers", "99999999999999999999", "L" * 61),
        ]
    ),
    st.text(max_size=12),
)
CELL = st.one_of(
    TEXT,
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.times(),
    st.datetimes(min_value=datetime.datetime(1900, 3, 1), max_value=datetime.datetime(2100, 1, 1)),
)


def _variant(folder: Path, name: str) -> Path:
    file = folder / "variant.toml"
    file.write_text(f'extends = "{BASELINE}"\n[rota]\nfile = "{name}"\n', encoding="utf-8")
    return file


def _check(file: Path, rota: Path) -> None:
    try:
        loaded = load_scenario(file)
    except ScenarioError as exc:
        text = str(exc)
        note(text)
        event("one-line error")
        assert "\n" not in text and "Traceback" not in text
        assert text.startswith((f"{rota}: ", f"{file}: ")), text
        return
    event("loaded")
    assert loaded.handlers  # it loaded: a scenario with its handler groups


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("rota_fuzz")


@settings(**COMMON)
@given(
    row=st.integers(min_value=0, max_value=len(ROWS)),
    column=st.integers(min_value=0, max_value=17),
    text=TEXT,
)
def test_a_csv_rota_with_any_cell_changed(folder: Path, row: int, column: int, text: str) -> None:
    rows = [["" if c is None else str(c) for c in r] for r in ROWS]
    rows.append([""] * 16)
    while len(rows[row]) <= column:
        rows[row].append("")
    rows[row][column] = text
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    rota = folder / "rota.csv"
    rota.write_text(buffer.getvalue(), encoding="utf-8")
    _check(_variant(folder, "rota.csv"), rota)


@settings(**COMMON)
@given(
    row=st.integers(min_value=1, max_value=len(ROWS) + 1),
    column=st.integers(min_value=1, max_value=18),
    value=CELL,
)
def test_an_xlsx_rota_with_any_cell_changed(
    folder: Path, row: int, column: int, value: Any
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "rota"
    for cells in ROWS:
        sheet.append(list(cells))
    if isinstance(value, str):  # a workbook cannot hold control characters
        value = "".join(c for c in value if c.isprintable())
    if isinstance(value, float) and not math.isfinite(value):
        value = None
    sheet.cell(row=row, column=column, value=value)
    rota = folder / "rota.xlsx"
    book.save(rota)
    _check(_variant(folder, "rota.xlsx"), rota)


@settings(**COMMON)
@given(data=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_any_bytes_as_a_rota_file(folder: Path, data: bytes) -> None:
    for name in ("rota.csv", "rota.xlsx"):
        rota = folder / name
        rota.write_bytes(data)
        _check(_variant(folder, name), rota)
