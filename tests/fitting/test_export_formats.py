"""Other ways an export writes its times: Excel serial numbers in an XLSX workbook, date cells,
and ISO 8601 text with and without an offset."""

from __future__ import annotations

import datetime
from pathlib import Path

import openpyxl
import pandas as pd

from controlroom_sim.fitting.export import read_export
from controlroom_sim.fitting.mapping import load_mapping

MAPPING = """\
[columns]
call_id = "Call No"
channel = "Queue"
offered_at = "Queued"
answered_at = "Connected"
ended_at = "Released"

[channels]
"999" = ["EMG"]
"101" = ["NEM"]

[times]
format = "{format}"
timezone = "Europe/London"
"""
HEADER = ["Call No", "Queue", "Queued", "Connected", "Released"]


def _serial(text: str) -> float:
    """Excel's serial number of a local wall-clock time (days since 1899-12-30)."""
    moment = datetime.datetime.fromisoformat(text)
    return (moment - datetime.datetime(1899, 12, 30)) / datetime.timedelta(days=1)


def _workbook(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _mapping(folder: Path, fmt: str) -> Path:
    file = folder / "mapping.toml"
    file.write_text(MAPPING.format(format=fmt))
    return file


def test_excel_serial_numbers_in_a_workbook(tmp_path: Path) -> None:
    rows = [
        # 101, summer time: 09:00:00 BST is 08:00:00 UTC; answered 12 s later, 3 min talk.
        [1001, "NEM", _serial("2025-10-20T09:00:00"), _serial("2025-10-20T09:00:12"),
         _serial("2025-10-20T09:03:12")],
        # 999 in the repeated hour after a step back on the clock: GMT.
        [1002, "EMG", _serial("2025-10-26T01:45:00"), None, _serial("2025-10-26T01:46:30")],
        [1003, "EMG", _serial("2025-10-26T01:20:00"), _serial("2025-10-26T01:20:07"),
         _serial("2025-10-26T01:25:00")],
        [None, None, None, None, None],  # a blank row: left out, keeps its number
        [1004, "EMG", "not a time", None, None],
        [1005, "EMG", _serial("2026-03-29T01:15:00"), None, _serial("2026-03-29T02:01:00")],
    ]  # fmt: skip
    export = _workbook(tmp_path / "calls.xlsx", rows)
    result = read_export([export], load_mapping(_mapping(tmp_path, "excel")))
    calls = result.calls
    assert calls["call_id"].tolist() == ["1001", "1002", "1003"]
    assert calls["offered_at"].tolist() == [
        pd.Timestamp("2025-10-20 08:00:00", tz="UTC"),
        pd.Timestamp("2025-10-26 00:45:00", tz="UTC"),  # the first 01:45 (BST)
        pd.Timestamp("2025-10-26 01:20:00", tz="UTC"),  # 01:20 after 01:45: the second (GMT)
    ]
    assert calls["wait_s"].tolist() == [12.0, 90.0, 7.0]
    assert calls["talk_s"].tolist()[0] == 180.0
    assert calls["outcome"].tolist() == ["answered", "abandoned", "answered"]
    assert calls["row"].tolist() == [2, 3, 4]
    assert result.rejections.counts["unparseable_time"] == 1
    assert result.rejections.examples["unparseable_time"] == [
        f"{export}: row 6: offered_at 'not a time'"
    ]
    assert result.rejections.counts["spring_gap"] == 1
    assert result.rejections.total == 2


def test_date_cells_in_a_workbook_are_taken_as_they_are(tmp_path: Path) -> None:
    rows = [
        ["X1", "NEM", datetime.datetime(2025, 12, 1, 10, 0, 0),
         datetime.datetime(2025, 12, 1, 10, 0, 9), datetime.datetime(2025, 12, 1, 10, 2, 0)],
    ]  # fmt: skip
    export = _workbook(tmp_path / "calls.xlsx", rows)
    result = read_export([export], load_mapping(_mapping(tmp_path, "%d/%m/%Y %H:%M")))
    calls = result.calls
    assert calls["offered_at"].tolist() == [pd.Timestamp("2025-12-01 10:00:00", tz="UTC")]
    assert calls["wait_s"].tolist() == [9.0]
    assert calls["talk_s"].tolist() == [111.0]


def test_iso_times_with_and_without_an_offset(tmp_path: Path) -> None:
    export = tmp_path / "calls.csv"
    export.write_text(
        ",".join(HEADER)
        + "\n"
        # An offset says which 01:30 it was: +00:00 is the second (GMT) one.
        + "I1,EMG,2025-10-26T01:30:00+00:00,2025-10-26T01:30:05+00:00,2025-10-26T01:32:00+00:00\n"
        + "I2,NEM,2025-07-01T12:00:00,2025-07-01T12:00:30.5,2025-07-01T12:05:00\n"
        + "I3,NEM,2025-07-01 13:00:00Z,,2025-07-01 13:00:40Z\n"
        + "I4,NEM,yesterday,,\n"
    )
    result = read_export([export], load_mapping(_mapping(tmp_path, "iso")))
    calls = result.calls.set_index("call_id")
    assert calls.loc["I1", "offered_at"] == pd.Timestamp("2025-10-26 01:30:00", tz="UTC")
    assert calls.loc["I2", "offered_at"] == pd.Timestamp("2025-07-01 11:00:00", tz="UTC")
    assert calls.loc["I2", "wait_s"] == 30.5
    assert calls.loc["I3", "offered_at"] == pd.Timestamp("2025-07-01 13:00:00", tz="UTC")
    assert calls.loc["I3", "wait_s"] == 40.0
    assert result.rejections.counts["unparseable_time"] == 1
