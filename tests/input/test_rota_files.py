"""Rota files: a scenario's shift lines from a CSV or XLSX file (``[rota] file = ...``), one row
per line, and every bad cell a one-line error naming the file, the row as a spreadsheet shows
it, the column and its cell, what was expected and what was found."""

from __future__ import annotations

import datetime
import textwrap
from pathlib import Path

import openpyxl
import pytest

from controlroom_sim.cli.main import main
from controlroom_sim.config.files import ScenarioError
from controlroom_sim.config.loading import load_scenario, scenario_files
from controlroom_sim.config.rota_export import starts_grid
from controlroom_sim.config.schema import Scenario, Shift
from tests.helpers.paths import BASELINE

HEADER = (
    "role,group,line,start,hours,Mon,Tue,Wed,Thu,Fri,Sat,Sun,count,"
    "break_after_hours,break_minutes,break_spread_hours"
)
CONTACT = """\
handlers,contact,Early contact,07:00,10,1,1,1,1,1,1,1,9,3.5,45,3
handlers,contact,Weekday day,11:00,8,Y,Y,Y,Y,Y,,,4,3,30,
handlers,contact,,12:00,6,0,0,0,0,0,1,1,2,,,
handlers,contact,Odd days,19:00,10,x,,yes,,true,,,3,3.5,45,3
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def variant(tmp_path: Path, rota: str = "rota.csv", body: str = "") -> Path:
    return write(
        tmp_path / "variant.toml",
        f'extends = "{BASELINE}"\n[rota]\nfile = "{rota}"\n' + textwrap.dedent(body),
    )


def error_of(path: Path) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return str(info.value)


@pytest.fixture(scope="module")
def baseline() -> Scenario:
    return load_scenario(BASELINE)


def test_a_csv_rota_replaces_the_shifts_of_the_group_it_names(
    tmp_path: Path, baseline: Scenario
) -> None:
    write(tmp_path / "rota.csv", HEADER + "\n" + CONTACT)
    loaded = load_scenario(variant(tmp_path))
    assert [s.model_dump() for s in loaded.handlers[1].shifts or []] == [
        {
            "name": "Early contact",
            "start": "07:00",
            "hours": 10.0,
            "days": "daily",
            "count": 9,
            "breaks": [{"after_hours": 3.5, "minutes": 45.0, "spread_hours": 3.0}],
        },
        {
            "name": "Weekday day",
            "start": "11:00",
            "hours": 8.0,
            "days": "weekdays",
            "count": 4,
            "breaks": [{"after_hours": 3.0, "minutes": 30.0, "spread_hours": 0.0}],
        },
        {
            "name": None,
            "start": "12:00",
            "hours": 6.0,
            "days": "weekends",
            "count": 2,
            "breaks": [],
        },
        {
            "name": "Odd days",
            "start": "19:00",
            "hours": 10.0,
            "days": ["monday", "wednesday", "friday"],
            "count": 3,
            "breaks": [{"after_hours": 3.5, "minutes": 45.0, "spread_hours": 3.0}],
        },
    ]
    # the group keeps its skills; the other groups and sections are the baseline's
    assert loaded.handlers[1].skills == ["999", "101"]
    assert loaded.handlers[0] == baseline.handlers[0]
    assert loaded.officers == baseline.officers
    # the baseline's word on the replaced lines goes with them; the rest stays
    assert "handlers.1.shifts" in baseline.provenance
    assert "handlers.1.shifts" not in loaded.provenance
    assert loaded.provenance["handlers.0.shifts"] == baseline.provenance["handlers.0.shifts"]
    assert tmp_path / "rota.csv" in scenario_files(tmp_path / "variant.toml")


def test_a_days_column_takes_the_scenarios_words(tmp_path: Path) -> None:
    write(
        tmp_path / "rota.csv",
        """\
        group,line,start,hours,days,count,break_after_hours,break_minutes,break2_after_hours,break2_minutes
        Mind support worker,Mind weekdays,13:00,10,weekdays,1,4,30,7,15
        Mind support worker,Mind weekends,13:00,10,"Sat, sun",2,,,,
        Mind support worker,Mind mondays,09:00,4,monday,1,,,,
        """,
    )
    (group,) = load_scenario(variant(tmp_path)).support_workers
    assert [(s.name, s.days, s.count) for s in group.shifts or []] == [
        ("Mind weekdays", "weekdays", 1),
        ("Mind weekends", ["saturday", "sunday"], 2),
        ("Mind mondays", "monday", 1),
    ]
    assert [b.model_dump() for b in (group.shifts or [])[0].breaks] == [
        {"after_hours": 4.0, "minutes": 30.0, "spread_hours": 0.0},
        {"after_hours": 7.0, "minutes": 15.0, "spread_hours": 0.0},
    ]


def test_a_group_around_the_clock_goes_on_shifts(tmp_path: Path) -> None:
    write(tmp_path / "rota.csv", "group,start,hours,days,count\ncontact,08:00,12,daily,6\n")
    file = write(
        tmp_path / "variant.toml",
        f"""\
        extends = "{BASELINE}"
        [[handlers]]
        name = "contact"
        skills = ["999", "101"]
        count = 20
        [rota]
        file = "rota.csv"
        """,
    )
    (group,) = load_scenario(file).handlers
    assert group.count is None
    assert [(s.start, s.hours, s.count) for s in group.shifts or []] == [("08:00", 12.0, 6)]


def test_the_files_shift_lines_apply_on_top_and_a_later_file_on_top_of_that(
    tmp_path: Path,
) -> None:
    write(tmp_path / "rota.csv", HEADER + "\n" + CONTACT)
    variant(tmp_path, body='[shift_lines."Odd days"]\ncount = 6\n')
    later = write(
        tmp_path / "later.toml",
        'extends = "variant.toml"\n[shift_lines."Weekday day"]\nhours = 9\n',
    )
    lines = {s.name: s for s in load_scenario(later).handlers[1].shifts or []}
    assert (lines["Odd days"].count, lines["Weekday day"].hours) == (6, 9.0)
    assert load_scenario(later, ["shift_lines.Odd days.count=7"]).handlers[1].shifts[3].count == 7


def test_an_xlsx_rota_with_time_cells_numbers_and_true_false(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "notes"
    sheet.append(["this sheet is not read"])
    rota = book.create_sheet("rota")
    rota.append(["group", "line", "start", "hours", "mon", "tue", "wed", "thu", "fri", "sat"])
    rota["K1"] = "Sunday"
    rota["L1"] = "count"
    rota.append(["999 desk", "Long 999", datetime.time(6, 30), 12.0, *[True] * 5, False, None, 4.0])
    rota.append([None] * 12)  # a blank row is skipped, and still counted
    rota.append(["999 desk", 999, "18:30", 12, *[1] * 7, 3])
    book.save(tmp_path / "rota.xlsx")
    (desk, _) = load_scenario(variant(tmp_path, "rota.xlsx")).handlers
    assert [(s.name, s.start, s.hours, s.days, s.count) for s in desk.shifts or []] == [
        ("Long 999", "06:30", 12.0, "weekdays", 4),
        ("999", "18:30", 12.0, "daily", 3),
    ]
    rota["L4"] = 2.5
    book.save(tmp_path / "rota.xlsx")
    assert error_of(tmp_path / "variant.toml") == (
        f"{tmp_path / 'rota.xlsx'}: row 4: count (L4): expected a whole number >= 0, found 2.5"
    )


ROW = "handlers,contact,Early contact,07:00,10,1,1,1,1,1,1,1,9,3.5,45,3"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            ROW.replace(",9,", ",five,"),
            "row 3: count (M3): expected a whole number >= 0, found 'five'",
        ),
        (ROW.replace(",9,", ",-1,"), "row 3: count (M3): expected a whole number >= 0, found '-1'"),
        (
            ROW.replace(",9,", ",,"),
            "row 3: count (M3): expected a whole number >= 0, found a blank cell",
        ),
        (
            ROW.replace("07:00", "25:00"),
            "row 3: start (D3): expected a time of day from 00:00 to 23:59, found '25:00'",
        ),
        (
            ROW.replace("07:00", "7am"),
            "row 3: start (D3): expected a time of day as HH:MM, found '7am'",
        ),
        (ROW.replace(",10,", ",30,"), "row 3: hours (E3): expected a number <= 24, found 30.0"),
        (ROW.replace(",10,", ",ten,"), "row 3: hours (E3): expected a finite number, found 'ten'"),
        (
            ROW.replace(",10,", ",1e400,"),
            "row 3: hours (E3): expected a finite number, found '1e400'",
        ),
        (
            ROW.replace(",9,", ",99999999999999999999,"),
            "row 3: count (M3): expected a whole number up to 2**63-1, "
            "found '99999999999999999999'",
        ),
        (
            ROW.replace("Early contact", "L" * 61),
            "row 3: line (C3): expected a name of at most 60 characters, found 61",
        ),
        (
            ROW + ",,extra",
            "row 3: column R (R3): expected a column name in row 1 above it, found 'extra'",
        ),
        (
            ROW.replace(",10,1,1,", ",10,1,maybe,"),
            "row 3: Tue (G3): expected 1, Y, yes, x or true (or 0, N, no or blank), found 'maybe'",
        ),
        (
            ROW.replace("1,1,1,1,1,1,1", "0,0,0,0,0,,"),
            "row 3: Mon..Sun (F3): expected at least one day ticked, found a blank cell",
        ),
        (
            ROW.replace(",3.5,45,3", ",3.5,,3"),
            (
                "row 3: break_minutes (O3): expected a number, since break_after_hours is given, "
                "found a blank cell"
            ),
        ),
        (
            ROW.replace(",3.5,45,3", ",8,45,3"),
            (
                "row 3: break_after_hours (N3): expected breaks that end inside the shift, found "
                "a break 11 h into the shift lasting 45 min ends after the 10-hour shift"
            ),
        ),
        (ROW.replace(",45,", ",0,"), "row 3: break_minutes (O3): expected a number > 0, found 0.0"),
        (
            ROW.replace("Early contact", "Late.contact"),
            (
                "row 3: line (C3): expected a name without '.', '=', '\"' or spaces at either "
                "end (it is written in --set shift_lines.NAME.count=...), found 'Late.contact'"
            ),
        ),
        (
            ROW.replace("handlers,", "staff,"),
            (
                "row 3: role (A3): expected handlers, dispatchers, officers, support_workers, "
                "found 'staff'"
            ),
        ),
        (
            ROW.replace("contact,Early", ",Early"),
            "row 3: group (B3): expected a name, found a blank cell",
        ),
        (
            ROW.replace("contact,Early", "contacts,Early"),
            (
                "row 3: group: expected the name of a group of the handlers in the scenario (999 "
                "desk, contact), found 'contacts'; did you mean 'contact'?"
            ),
        ),
        (
            ROW.replace("handlers,contact", ",dispatchers"),
            (
                "row 3: group: expected the name of a group in the scenario (999 desk, contact, "
                "dispatch, response, Mind support worker), found 'dispatchers'; did you mean "
                "'dispatch'?"
            ),
        ),
        (
            ROW.replace("Early contact", "Late contact"),
            "row 3: line: expected each line's name once, found 'Late contact' again (row 2)",
        ),
        (
            ROW.replace("Early contact", "Early 999"),
            (
                "row 3: line: expected a name no other shift line has, found 'Early 999', a line "
                "of group '999 desk' (handlers)"
            ),
        ),
    ],
)
def test_a_bad_cell_is_one_line_naming_row_column_and_cell(
    tmp_path: Path, row: str, expected: str
) -> None:
    rota = write(
        tmp_path / "rota.csv",
        f"{HEADER}\nhandlers,contact,Late contact,15:00,10,1,1,1,1,1,1,1,7,3.5,45,3\n{row}\n",
    )
    assert error_of(variant(tmp_path)) == f"{rota}: {expected}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "",
            (
                "row 1: expected a header of column names (group, line, start, ...), found an "
                "empty file"
            ),
        ),
        (
            "\ngroup,start,hours,days,count\n",
            "row 1: expected a header of column names (group, line, start, ...), found a blank row",
        ),
        (
            "group,start,hours,days,count\n",
            "expected rows of shift lines under the header, found none",
        ),
        (
            "group,start,hours,days\ncontact,07:00,10,daily\n",
            "row 1: expected a column 'count', found none",
        ),
        (
            "group,start,hours,days,count,shift\n",
            (
                "row 1: column F: expected one of role, group, line, start, hours, Mon..Sun or "
                "days, count, break_after_hours, break_minutes, break_spread_hours, found 'shift'"
            ),
        ),
        (
            "group,start,hours,count,count\n",
            "row 1: column E: expected each column once, found 'count' again",
        ),
        (
            "group,start,hours,Mon,Tue,count\n",
            (
                "row 1: expected the weekday columns Mon..Sun (or a days column), found none for "
                "Wed, Thu, Fri, Sat, Sun"
            ),
        ),
        (
            "group,start,hours,days,Monday,count\n",
            "row 1: expected either a days column or the weekday columns Mon..Sun, found both",
        ),
        (
            "group,start,hours,days,count,break_spread_hours\n",
            (
                "row 1: expected a column 'break_after_hours' beside the other break_ columns, "
                "found none"
            ),
        ),
        (
            "group,start,hours,days,count\ncontact,07:00,10,fortnightly,3\n",
            (
                "row 2: days (D2): expected daily, weekdays, weekends or weekday names, found "
                "'fortnightly'"
            ),
        ),
    ],
)
def test_a_bad_header_or_sheet_is_one_line(tmp_path: Path, text: str, expected: str) -> None:
    rota = write(tmp_path / "rota.csv", text)
    assert error_of(variant(tmp_path)) == f"{rota}: {expected}"


def test_bad_rota_keys_name_the_scenario_file(tmp_path: Path) -> None:
    file = variant(tmp_path, "missing.csv")
    assert error_of(file) == (
        f"{file}: rota.file: expected an existing file, found none at "
        f"{str(tmp_path / 'missing.csv')!r}"
    )
    file = variant(tmp_path, "rota.ods")
    assert (
        error_of(file)
        == f"{file}: rota.file: expected a file ending .csv or .xlsx, found 'rota.ods'"
    )
    file = variant(tmp_path, body="sheet = 2\n")
    assert error_of(file) == f"{file}: rota.sheet: unknown key (expected only file)"
    file = write(tmp_path / "v2.toml", f'extends = "{BASELINE}"\nrota = "rota.csv"\n')
    assert error_of(file) == (
        f"{file}: rota: expected a table with file = \"rota.xlsx\" (or .csv), found 'rota.csv'"
    )
    write(tmp_path / "rota.xlsx", "not a workbook")
    file = variant(tmp_path, "rota.xlsx")
    assert error_of(file) == (
        f"{tmp_path / 'rota.xlsx'}: expected an Excel workbook (.xlsx), found a file openpyxl "
        "cannot read (BadZipFile)"
    )


def test_the_command_line_says_it_in_one_line_with_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rota = write(tmp_path / "rota.csv", f"{HEADER}\n{ROW.replace(',9,', ',nine,')}\n")
    status = main(["run", str(variant(tmp_path)), "--replications", "1", "--quiet"])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.err == (
        f"error: {rota}: row 2: count (M2): expected a whole number >= 0, found 'nine'\n"
    )


def test_a_rota_file_by_override_or_sweep_is_read_from_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--set rota.file=...`` (and ``--vary``) read a rota file in their turn among the
    overrides, relative to the working folder; errors name the override."""
    write(tmp_path / "rota.csv", HEADER + "\n" + CONTACT)
    monkeypatch.chdir(tmp_path)
    loaded = load_scenario(BASELINE, ["rota.file=rota.csv", "shift_lines.Odd days.count=8"])
    assert [(s.name, s.count) for s in loaded.handlers[1].shifts or []] == [
        ("Early contact", 9),
        ("Weekday day", 4),
        (None, 2),
        ("Odd days", 8),
    ]
    swept = load_scenario(BASELINE, vary=["rota.file=rota.csv"])
    assert [(s.name, s.count) for s in swept.handlers[1].shifts or []][3] == ("Odd days", 3)
    with pytest.raises(ScenarioError) as info:
        load_scenario(BASELINE, vary=["rota.file=none.csv"])
    assert str(info.value) == (
        "vary='rota.file=none.csv': rota.file: expected an existing file, found none at 'none.csv'"
    )
    assert main(["run", "--set", "rota.file=none.xlsx", "--quiet"]) == 2
    assert capsys.readouterr().err == (
        "error: --set rota.file=none.xlsx: rota.file: expected an existing file, found none at "
        "'none.xlsx'\n"
    )


def test_the_starts_grid_adds_up_lines_by_start_and_weekday() -> None:
    shifts = [
        Shift(start="10:00", hours=8, days="weekdays", count=4),
        Shift(start="9:30", hours=10, days=["sunday"], count=1),
        Shift(start="10:00", hours=12, days="weekends", count=2),
        Shift(start="10:00", hours=6, days=["monday", "saturday"], count=3),
    ]
    assert starts_grid(shifts) == [
        ["start", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        ["9:30", 0, 0, 0, 0, 0, 0, 1],
        ["10:00", 7, 4, 4, 4, 4, 5, 2],
    ]
