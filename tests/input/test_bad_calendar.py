"""Bad ``[calendar]`` values: one line naming the file and the key, exit status 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from controlroom_sim.cli import main as cli
from tests.helpers.cli import assert_one_line_error
from tests.input.test_bad_input import (
    DAILY_CSV,
    WEEKLY_CSV,
    Case,
    _params,
    assert_names,
    run_args,
    scenario_text,
    write,
)

EVENT = 'date = "2026-01-02", start = "18:00", hours = 2, multiplier = 2, channels = ["999"]'


def _calendar(body: str, scenario: str = "") -> str:
    return scenario_text(scenario=scenario, tail=f"[calendar]\n{body}\n")


CASES = [
    Case(
        "start-weekday-conflict",
        _calendar('start_date = "2026-01-01"', scenario='start_weekday = "monday"'),
        ("calendar.start_date", "scenario.start_weekday"),
        ("2026-01-01 is a thursday", "expected scenario.start_weekday = 'thursday'", "'monday'"),
    ),
    Case(
        "start-date-not-a-date",
        _calendar('start_date = "2026-13-01"'),
        "calendar.start_date",
        ("expected a date as YYYY-MM-DD", "found '2026-13-01'"),
    ),
    Case(
        "seasonal-index-length",
        _calendar('start_date = "2026-01-01"\nseasonal_index = [1, 1, 1]'),
        "calendar.seasonal_index",
        ("expected 12 monthly or 52 weekly factors", "found 3"),
    ),
    Case(
        "seasonal-index-negative",
        _calendar(
            'start_date = "2026-01-01"\nseasonal_index = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1]'
        ),
        "calendar.seasonal_index.11",
        ("expected a number >= 0", "found -1"),
    ),
    Case(
        "seasonal-index-all-zero",
        _calendar('start_date = "2026-01-01"\nseasonal_index = ' + str([0] * 12)),
        "calendar.seasonal_index",
        ("expected some factor above 0",),
    ),
    Case(
        "unknown-region",
        _calendar('start_date = "2026-01-01"\nbank_holidays = "scotland"'),
        "calendar.bank_holidays",
        ("england-and-wales", "found 'scotland'"),
    ),
    Case(
        "named-day-bad-date",
        _calendar('start_date = "2026-01-01"\nnamed_days = [{ date = "13-01", name = "x" }]'),
        "calendar.named_days.0.date",
        ("expected a month and day as MM-DD", "found '13-01'"),
    ),
    Case(
        "named-day-twice",
        _calendar(
            'start_date = "2026-01-01"\nnamed_days = [{ date = "12-31", name = "a" }, '
            '{ date = "12-31", name = "b" }]'
        ),
        "calendar.named_days.1.date",
        ("expected each month-day once", "found '12-31' again"),
    ),
    Case(
        "growth-below-minus-one",
        _calendar('start_date = "2026-01-01"\ngrowth_per_year = -1'),
        "calendar.growth_per_year",
        ("expected a number > -1", "found -1"),
    ),
    Case(
        "event-bad-start",
        _calendar(f'start_date = "2026-01-01"\nevents = [{{ {EVENT.replace("18:00", "25:00")} }}]'),
        "calendar.events.0.start",
        ("expected a time of day", "found '25:00'"),
    ),
    Case(
        "event-unknown-force",
        _calendar(f'start_date = "2026-01-01"\nevents = [{{ {EVENT}, forces = ["Kent"] }}]'),
        "calendar.events.0.forces.0",
        ("expected the name of a force", "found 'Kent'"),
    ),
    Case(
        "missing-day-profile",
        _calendar('start_date = "2026-01-01"\nbank_holiday_profile = "nope.csv"'),
        "calendar.bank_holiday_profile",
        ("no such profile file", "nope.csv"),
    ),
]


@pytest.mark.parametrize("case", _params(CASES))
def test_bad_calendar_is_one_line_naming_file_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: Case
) -> None:
    file = write(tmp_path / "scenario.toml", case.text)
    out = tmp_path / "out"
    line = assert_one_line_error(capsys, cli.main(run_args(file, out)))
    assert_names(line, str(file), case.key, *case.fragments)
    assert not out.exists()


def test_a_week_profile_is_not_a_day_profile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = write(tmp_path / "week.csv", WEEKLY_CSV)
    text = _calendar('start_date = "2026-01-01"\nbank_holiday_profile = "week.csv"')
    file = write(tmp_path / "scenario.toml", text)
    line = assert_one_line_error(capsys, cli.main(run_args(file, tmp_path / "out")))
    assert_names(line, str(profile.resolve()), "header", "expected 'start,weight'")


def test_a_good_calendar_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Guards the cases above: a calendar with every key runs (a day profile, a weekday name,
    a TOML date)."""
    write(tmp_path / "day.csv", DAILY_CSV)
    text = _calendar(
        "start_date = 2026-01-01\nseasonal_index = [1.1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0.9]\n"
        'bank_holidays = "england-and-wales"\nbank_holiday_profile = "day.csv"\n'
        'named_days = [{ date = "01-01", name = "New Year", profile = "Saturday" }]\n'
        f"events = [{{ {EVENT} }}]\ngrowth_per_year = 0.03",
        scenario='start_weekday = "thursday"',
    )
    file = write(tmp_path / "scenario.toml", text)
    assert cli.main(run_args(file, tmp_path / "out")) == 0
