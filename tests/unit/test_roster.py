"""Rosters at the fewest paid hours (planning.roster and planner.roster): optimal answers
to problems whose optimum is known by hand (and by brute force), the roster as scenario shift
lines, reading a requirement CSV, the roster files that run as scenarios, and the CLI command.

Only small problems: a handful of tours, a one-day 999-only room and two replications, so the
file runs in a few seconds.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import math
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from controlroom_sim.cli.main import main
from controlroom_sim.cli.usage import error_text
from controlroom_sim.config.files import ScenarioError
from controlroom_sim.config.loading import load_model, load_scenario
from controlroom_sim.config.schema import Shift
from controlroom_sim.config.vocabulary import INTERVALS_PER_WEEK, WEEKDAYS
from controlroom_sim.experiments import api
from controlroom_sim.planning import planner
from controlroom_sim.planning.patterns import Pattern, PatternFile, rota_coverage, tours
from controlroom_sim.planning.planner_inputs import PlannerError, read_requirement
from controlroom_sim.planning.roster import (
    Roster,
    RosterError,
    roster_toml,
    rostered_scenario,
    solve,
)
from tests.helpers.paths import SHIFT_PATTERNS as SHIPPED


def interval(day: int, clock: str) -> int:
    hh, mm = clock.split(":")
    return day * 96 + int(hh) * 4 + int(mm) // 15


def daily(*blocks: tuple[int, int, float]) -> np.ndarray:
    """A requirement of ``value`` from hour ``a`` to hour ``b`` on every day of the week."""
    required = np.zeros(INTERVALS_PER_WEEK)
    for day in range(7):
        for a, b, value in blocks:
            required[day * 96 + a * 4 : day * 96 + b * 4] = value
    return required


def brute_force(pattern: Pattern, required: np.ndarray, most: int) -> float:
    """The fewest paid hours over every vector of units in {0..most}^tours that covers
    ``required`` (the same coverage as the roster problem, no solver)."""
    columns = tours(pattern)
    matrix = np.column_stack([t.coverage() for t in columns])
    cost = np.array([t.paid_hours for t in columns])
    grid = np.array(list(itertools.product(range(most + 1), repeat=len(columns))), dtype=float)
    feasible = ((matrix @ grid.T) >= required[:, None] - 1e-9).all(axis=0)
    assert feasible.any(), "the box holds no roster"
    return float((grid[feasible] @ cost).min())


def assert_covers(roster: Roster) -> None:
    assert (roster.coverage >= roster.requirement - 1e-9).all()


# -- known optima ---------------------------------------------------------------------------------


def test_free_days_two_starts_known_optimum() -> None:
    """(a) 8-hour shifts at 08:00 or 16:00 on any day, no breaks; 2 handlers 08-16 and 1
    16-24 every day. Without breaks a paid hour covers at most one required handler-hour, so
    the (2 + 1) x 8 x 7 = 168 required handler-hours are a lower bound, met by 2 people at
    08:00 and 1 at 16:00 each day: 168 paid hours."""
    pattern = Pattern(name="free", hours=[8], starts=["08:00", "16:00"])
    roster = solve(pattern, daily((8, 16, 2), (16, 24, 1)))
    assert roster.status == "optimal"
    assert roster.gap == 0.0
    assert roster.paid_hours == 168.0
    assert_covers(roster)
    assert math.isnan(roster.headcount)  # free days fix no headcount
    assert roster.shifts() == [
        Shift(start="08:00", hours=8, days="daily", count=2),
        Shift(start="16:00", hours=8, days="daily", count=1),
    ]


def test_weekly_tours_known_optimum_by_brute_force() -> None:
    """(b) One 8-hour shift at 09:00, five days in a row: 1 handler 09-17 every day. One person
    covers 5 days, so at least 2 are needed; Monday-Friday plus Wednesday-Sunday covers the
    week: 2 people, 80 paid hours (the LP relaxation is 7/5 people, 56 hours)."""
    pattern = Pattern(name="5on", hours=[8], starts=["09:00"], days_on=5)
    # Every vector of 7 tours in {0,1,2}^7; anything outside costs at least 3 x 40 > 80.
    assert brute_force(pattern, daily((9, 17, 1)), most=2) == 80.0


def test_weekly_tours_known_optimum() -> None:
    pattern = Pattern(name="5on", hours=[8], starts=["09:00"], days_on=5)
    roster = solve(pattern, daily((9, 17, 1)))
    assert_covers(roster)
    assert roster.status == "optimal"
    assert roster.paid_hours == 80.0
    assert roster.headcount == 2.0


def test_rotation_single_interval_known_optimum() -> None:
    """(c) 12-hour days (07:00) and nights (19:00), 4 on 4 off; 3 handlers at Saturday 20:00
    and none elsewhere. Only the night shift is on then: 3 heads on it every day, each head
    84 paid hours a week (12 h x 7 days; two people per head working half the days):
    252 paid hours, 6 people."""
    pattern = Pattern(
        name="4on4off", hours=[12], starts=["07:00", "19:00"], rotation={"on": 4, "off": 4}
    )
    required = np.zeros(INTERVALS_PER_WEEK)
    required[interval(5, "20:00")] = 3
    roster = solve(pattern, required)
    assert roster.status == "optimal"
    assert roster.paid_hours == 252.0
    assert roster.headcount == 6.0
    assert roster.units.tolist() == [0, 3]
    assert roster.shifts() == [Shift(start="19:00", hours=12, days="daily", count=3)]
    assert brute_force(pattern, required, most=4) == 252.0
    # Half the time lost to shrinkage doubles the heads needed.
    shrunk = solve(pattern, required, shrinkage=0.5)
    assert shrunk.paid_hours == 504.0
    assert_covers(shrunk)


TRIANGLE = Pattern(
    name="triangle",
    hours=[16],
    starts=["00:00", "08:00", "16:00"],
    rotation={"on": 1, "off": 0},
)
"""Three every-day 16-hour shifts; each of the day's 8-hour blocks is covered by two of them
(00-08: the 00:00 and the previous day's 16:00; 08-16: 00:00 and 08:00; 16-24: 08:00 and
16:00), a triangle, so the LP relaxation is fractional (1.5 heads per 2 needed)."""


def test_fractional_lp_known_optimum_by_brute_force() -> None:
    """(d) 3 handlers at all times: x_00 + x_16 >= 3, x_00 + x_08 >= 3, x_08 + x_16 >= 3. The LP
    takes 1.5 each (4.5 heads, 504 hours); integers need a sum >= ceil(4.5) = 5, e.g. (2, 2, 1):
    5 heads x 16 h x 7 days = 560 paid hours."""
    required = np.full(INTERVALS_PER_WEEK, 3.0)
    # {0..4}^3: anything outside has a 5 and costs at least 560 anyway.
    assert brute_force(TRIANGLE, required, most=4) == 560.0


def test_fractional_lp_known_optimum() -> None:
    roster = solve(TRIANGLE, np.full(INTERVALS_PER_WEEK, 3.0))
    assert_covers(roster)
    assert roster.status == "optimal"
    assert roster.paid_hours == 560.0
    assert sorted(roster.units.tolist()) == [1, 2, 2]


def test_fractional_lp_small_gap_is_solved() -> None:
    """The same triangle at 1 handler: the LP takes 1/2 each (168 hours), integers need 2
    heads: 224 paid hours, which is what HiGHS returns when the allowed gap cannot admit a
    worse roster (step 112 vs incumbent 224)."""
    required = np.full(INTERVALS_PER_WEEK, 1.0)
    assert brute_force(TRIANGLE, required, most=2) == 224.0
    roster = solve(TRIANGLE, required)
    assert_covers(roster)
    assert roster.status == "optimal"
    assert roster.paid_hours == 224.0


def test_shipped_5x8_pattern_sparse_requirement_is_optimal() -> None:
    pattern = load_model(SHIPPED, PatternFile, "patterns").select(["5x8"])[0]
    required = np.zeros(INTERVALS_PER_WEEK)
    required[[interval(1, "10:15"), interval(2, "14:45"), interval(6, "12:30")]] = 1
    columns = tours(pattern)
    matrix = np.column_stack([t.coverage() for t in columns])[required > 0]
    # Brute force: no single tour covers all three (breaks), and some pair does.
    assert not (matrix >= 1 - 1e-9).all(axis=0).any()
    pair = next(
        (i, j)
        for i, j in itertools.combinations(range(len(columns)), 2)
        if (matrix[:, i] + matrix[:, j] >= 1 - 1e-9).all()
    )
    assert columns[pair[0]].paid_hours + columns[pair[1]].paid_hours == 80.0
    roster = solve(pattern, required)
    assert_covers(roster)
    assert roster.paid_hours == 80.0


def test_a_roster_stopped_at_the_node_limit_is_the_same_on_every_run() -> None:
    """The shipped 5x8 pattern on an uneven week is not proven optimal within two
    branch-and-bound nodes: HiGHS stops there, says so with the gap to its bound, and a
    second solve gives the same roster (a stop at the time limit would depend on the
    machine's speed)."""
    pattern = load_model(SHIPPED, PatternFile, "patterns").select(["5x8"])[0]
    rng = np.random.default_rng(4)
    wave = 8 + 6 * np.sin(np.arange(INTERVALS_PER_WEEK) / 96 * 2 * np.pi)
    required = np.round(wave + rng.integers(0, 4, INTERVALS_PER_WEEK)).clip(0)
    first = solve(pattern, required, node_limit=2)
    again = solve(pattern, required, node_limit=2)
    assert first.status == again.status == "node limit"
    assert first.gap > 0
    assert_covers(first)
    assert np.array_equal(first.units, again.units)
    assert first.paid_hours == again.paid_hours


def test_solve_rejects_a_bad_requirement_or_shrinkage() -> None:
    pattern = Pattern(name="p", hours=[8], starts=["08:00"])
    with pytest.raises(RosterError, match="672 intervals, found 10"):
        solve(pattern, np.zeros(10))
    for shrinkage in (-0.1, 1.0):
        with pytest.raises(RosterError, match="shrinkage"):
            solve(pattern, np.zeros(INTERVALS_PER_WEEK), shrinkage=shrinkage)


def test_nothing_required_is_an_empty_roster() -> None:
    roster = solve(Pattern(name="p", hours=[8], starts=["08:00"], days_on=5), np.zeros(672))
    assert roster.paid_hours == 0.0
    assert roster.headcount == 0.0
    assert roster.shifts() == []


# -- infeasible ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "where", "expected"),
    [
        (
            Pattern(name="day only", hours=[8], starts=["09:00"], days_on=5),
            [(5, "03:00")],
            "pattern 'day only' cannot cover Saturday 03:00",
        ),
        (
            Pattern(name="weekdays", hours=[8], starts=["08:00"], days="weekdays"),
            [(6, "12:00"), (6, "12:15")],
            "pattern 'weekdays' cannot cover Sunday 12:00",
        ),
        (
            # An unspread hour's break 4 h into the only shift leaves 13:00-14:00 empty.
            Pattern(
                name="lunch",
                hours=[8],
                starts=["09:00"],
                breaks=[{"after_hours": 4, "minutes": 60}],
            ),
            [(2, "12:45"), (2, "13:00"), (2, "13:45")],
            "pattern 'lunch' cannot cover Wednesday 13:00",
        ),
    ],
)
def test_an_uncoverable_interval_names_pattern_weekday_and_time(
    pattern: Pattern, where: list[tuple[int, str]], expected: str
) -> None:
    required = np.zeros(INTERVALS_PER_WEEK)
    for day, clock in where:
        required[interval(day, clock)] = 1
    with pytest.raises(RosterError) as info:
        solve(pattern, required)
    message = str(info.value)
    assert message.startswith(expected), message
    assert "\n" not in message


# -- the roster as shift lines --------------------------------------------------------------------

WEEKLY = Pattern(
    name="weekly",
    hours=[8, 10],
    starts=["07:00", "15:00"],
    days_on=5,
    breaks=[{"after_hours": 3, "minutes": 30, "spread_hours": 2}],
)


def roster_of(pattern: Pattern, choose: dict[tuple[str, float, tuple[int, ...]], int]) -> Roster:
    """A Roster with the given units on the named tours (and none on the others)."""
    columns = tours(pattern)
    units = np.array([choose.get((t.start, t.hours, t.days), 0) for t in columns])
    assert units.sum() == sum(choose.values()), "a chosen tour is not in the pattern"
    return Roster(pattern, columns, units, np.zeros(672), 0.0, "optimal", 0.0, 0.0)


def test_shift_lines_add_up_tours_day_by_day() -> None:
    mon_fri, wed_sun = (0, 1, 2, 3, 4), (2, 3, 4, 5, 6)
    roster = roster_of(WEEKLY, {("07:00", 8.0, mon_fri): 2, ("07:00", 8.0, wed_sun): 1})
    breaks = list(WEEKLY.breaks)
    assert roster.shifts() == [
        Shift(
            start="07:00", hours=8, days=["wednesday", "thursday", "friday"], count=3, breaks=breaks
        ),
        Shift(start="07:00", hours=8, days=["monday", "tuesday"], count=2, breaks=breaks),
        Shift(start="07:00", hours=8, days=["saturday", "sunday"], count=1, breaks=breaks),
    ]
    assert roster.headcount == 3.0
    assert roster.paid_hours == 3 * 40.0
    np.testing.assert_allclose(rota_coverage(roster.shifts(), None), roster.coverage, atol=1e-9)


def test_every_day_alike_is_one_daily_line() -> None:
    # Seven tours, one starting its 5 days on each weekday: 5 people on every day.
    roster = roster_of(WEEKLY, {("15:00", 10.0, t.days): 1 for t in tours(WEEKLY)})
    (line,) = roster.shifts()
    assert line.days == "daily"
    assert (line.start, line.hours, line.count) == ("15:00", 10.0, 5)
    assert roster.headcount == 7.0
    assert roster.paid_hours == 7 * 50.0


def test_shift_lines_reproduce_the_roster_coverage() -> None:
    rng = np.random.default_rng(20240607)
    columns = tours(WEEKLY)
    for _ in range(5):
        units = rng.integers(0, 4, size=len(columns)) * (rng.random(len(columns)) < 0.3)
        roster = Roster(WEEKLY, columns, units, np.zeros(672), 0.0, "optimal", 0.0, 0.0)
        shifts = roster.shifts()
        np.testing.assert_allclose(rota_coverage(shifts, None), roster.coverage, atol=1e-9)
        assert sum(s.count * s.hours * len(s.weekdays()) for s in shifts) == pytest.approx(
            roster.paid_hours
        )
        assert roster.headcount == units.sum()
        # Each start, length and weekday is on one line at most.
        keys = [(s.start, s.hours, d) for s in shifts for d in s.weekdays()]
        assert len(set(keys)) == len(keys)
        # Shrinkage scales the coverage, not the shift lines.
        shrunk = Roster(WEEKLY, columns, units, np.zeros(672), 0.25, "optimal", 0.0, 0.0)
        assert shrunk.shifts() == shifts
        np.testing.assert_allclose(shrunk.coverage, 0.75 * roster.coverage, atol=1e-9)


def test_a_solved_roster_becomes_the_same_shift_lines() -> None:
    pattern = load_model(SHIPPED, PatternFile, "patterns").select(["4x10"])[0]
    required = daily((7, 19, 2))  # small enough for HiGHS to finish at once
    roster = solve(pattern, required)
    assert_covers(roster)
    np.testing.assert_allclose(rota_coverage(roster.shifts(), None), roster.coverage, atol=1e-9)
    assert roster.headcount == roster.units.sum()
    table = roster.tour_table()
    assert table["units"].sum() == roster.units.sum()
    assert table["paid_hours"].sum() == pytest.approx(roster.paid_hours)
    cover = roster.coverage_table()
    assert len(cover) == INTERVALS_PER_WEEK
    assert cover["weekday"].iloc[0] == "monday" and cover["time"].iloc[-1] == "23:45"
    np.testing.assert_allclose(cover["surplus"], roster.coverage - required)


def test_rotation_headcount_rounds_up_teams_per_line() -> None:
    pattern = Pattern(name="r", hours=[12], starts=["07:00", "19:00"], rotation={"on": 4, "off": 3})
    roster = roster_of(
        pattern, {("07:00", 12.0, tuple(range(7))): 3, ("19:00", 12.0, tuple(range(7))): 1}
    )
    # 3 x 7/4 = 5.25 -> 6 people and 1 x 7/4 -> 2 people.
    assert roster.headcount == 8.0
    assert roster.paid_hours == 4 * 84.0


# -- requirement files ----------------------------------------------------------------------------


def requirement_csv(path: Path, values: np.ndarray, **replace: object) -> Path:
    table = pd.DataFrame(
        {
            "interval": np.arange(INTERVALS_PER_WEEK),
            "weekday": [WEEKDAYS[p // 96] for p in range(INTERVALS_PER_WEEK)],
            "time": [f"{(p % 96) // 4:02d}:{(p % 4) * 15:02d}" for p in range(INTERVALS_PER_WEEK)],
            "required": values,
        }
    )
    for key, value in replace.items():
        column, _, row = key.partition("__")
        table[column] = table[column].astype(object)
        table.loc[int(row), column] = value
    table.to_csv(path, index=False)
    return path


def test_read_requirement_round_trips(tmp_path: Path) -> None:
    values = np.random.default_rng(3).integers(0, 9, INTERVALS_PER_WEEK).astype(float)
    values[5] = 2.5
    path = requirement_csv(tmp_path / "requirement.csv", values)
    np.testing.assert_array_equal(read_requirement(path), values)
    # Another column, and rows in any order or missing (zero).
    table = pd.read_csv(path).rename(columns={"required": "rostered"}).iloc[::-2]
    table.to_csv(tmp_path / "other.csv", index=False)
    expected = np.zeros(INTERVALS_PER_WEEK)
    expected[table["interval"].to_numpy()] = table["rostered"].to_numpy()
    np.testing.assert_array_equal(read_requirement(tmp_path / "other.csv", "rostered"), expected)


def test_read_requirement_accepts_capitalised_days_and_short_hours(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("weekday,time,required\nMonday,7:15,3\n Sunday , 23:45 ,1\n")
    found = read_requirement(path)
    assert found[interval(0, "07:15")] == 3 and found[interval(6, "23:45")] == 1
    assert found.sum() == 4


@pytest.mark.parametrize(
    ("replace", "expected"),
    [
        ({"required__3": -1}, "row 5, column 'required': expected a number >= 0, found"),
        ({"required__0": "many"}, "row 2, column 'required': expected a number >= 0, found"),
        ({"required__10": ""}, "row 12, column 'required': expected a number >= 0"),
        ({"weekday__7": "funday"}, "row 9: expected a weekday name and a quarter-hour time"),
        ({"time__7": "07:10"}, "row 9: expected a weekday name and a quarter-hour time"),
        ({"time__7": "24:00"}, "row 9: expected a weekday name and a quarter-hour time"),
        ({"time__7": "noon"}, "row 9: expected a weekday name and a quarter-hour time"),
        ({"time__1": "00:00"}, "row 3: monday 00:00 appears twice"),
    ],
)
def test_a_bad_requirement_row_is_named(
    tmp_path: Path, replace: dict[str, object], expected: str
) -> None:
    path = requirement_csv(tmp_path / "r.csv", np.ones(INTERVALS_PER_WEEK), **replace)
    with pytest.raises(PlannerError) as info:
        read_requirement(path)
    message = str(info.value)
    assert message.startswith(f"{path}: {expected}"), message
    assert "\n" not in message


def test_a_missing_or_malformed_requirement_file(tmp_path: Path) -> None:
    with pytest.raises(PlannerError, match=r"no such requirement file"):
        read_requirement(tmp_path / "nope.csv")
    path = requirement_csv(tmp_path / "r.csv", np.ones(INTERVALS_PER_WEEK))
    with pytest.raises(PlannerError, match=r"expected a column 'handlers'"):
        read_requirement(path, "handlers")
    pd.read_csv(path).drop(columns="time").to_csv(path, index=False)
    with pytest.raises(PlannerError, match=r"expected a column 'time'"):
        read_requirement(path)
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(PlannerError, match=r"not a readable CSV"):
        read_requirement(tmp_path / "empty.csv")


# -- planner.roster: rosters written as scenarios -------------------------------------------------

SCENARIO = """\
[scenario]
name = "small room"
description = "999 only, one day"
days = 1
warmup_hours = 1
cooldown_hours = 0.5
replications = 2
seed = 7

[channels.999]
calls_per_day = 200
talk_s = { dist = "exponential", mean = 120 }
patience_s = { dist = "exponential", mean = 180 }

[[handlers]]
name = "handlers"
skills = ["999"]
count = 2

[provenance]
"channels.999.calls_per_day" = "made up"
"""

PATTERNS = """\
[[patterns]]
name = "Day Night"
hours = [12]
starts = ["07:00", "19:00"]
rotation = { on = 4, off = 4 }
breaks = [{ after_hours = 4, minutes = 30, spread_hours = 2 }]

[[patterns]]
name = "free8"
hours = [8]
starts = ["00:00", "08:00", "16:00"]
"""
# With 2 handlers required at all times: free8 needs 2 on each 8-hour shift (336 h); the
# rotation loses up to a quarter of a line to the spread break (30 of 120 minutes), so 2 heads
# give 1.5 then and 3 are needed on both shifts: 6 heads x 84 h = 504 h, 12 people.
EXPECTED_HOURS = {"Day Night": 504.0, "free8": 336.0}


@pytest.fixture
def room(tmp_path: Path) -> tuple[Path, Path, Path]:
    """The scenario, patterns and requirement files in tmp_path/inputs."""
    folder = tmp_path / "inputs"
    folder.mkdir()
    scenario = folder / "scenario.toml"
    scenario.write_text(SCENARIO)
    patterns = folder / "patterns.toml"
    patterns.write_text(PATTERNS)
    requirement = requirement_csv(folder / "requirement.csv", np.full(INTERVALS_PER_WEEK, 2.0))
    return scenario, patterns, requirement


def test_roster_writes_scenarios_that_run(room: tuple[Path, Path, Path], tmp_path: Path) -> None:
    scenario, patterns, _ = room
    out = tmp_path / "results" / "roster"
    result = planner.roster(
        scenario,
        patterns=patterns,
        requirement=np.full(INTERVALS_PER_WEEK, 2.0),
        out=out,
        replications=2,
    )
    assert [r.pattern.name for r in result.rosters] == ["Day Night", "free8"]
    assert {r.pattern.name: r.paid_hours for r in result.rosters} == EXPECTED_HOURS
    assert result.current_hours == 2 * 168.0
    for name in ("patterns.csv", "coverage.csv", "tours.csv", "coverage.png"):
        assert (out / name).is_file(), name
    for roster, slug in zip(result.rosters, ["day-night", "free8"], strict=True):
        file = out / f"roster-{slug}.toml"
        assert file.is_file()
        text = file.read_text()
        assert 'extends = "../../inputs/scenario.toml"' in text
        loaded = load_scenario(file)
        assert loaded.scenario.name == f"small room-{slug}"
        assert loaded.scenario.days == 1  # from the scenario it extends
        assert loaded.channels["999"].calls_per_day == 200
        (group,) = loaded.handlers  # replaced: one pooled group on shifts
        assert group.count is None
        assert group.shifts == roster.shifts()
        assert group.skills == ["999"]
        assert "handlers" in loaded.provenance
        assert loaded.provenance["channels.999.calls_per_day"] == "made up"
        np.testing.assert_allclose(rota_coverage(group.shifts, None), roster.coverage, atol=1e-9)
        run = api.run(loaded, replications=1, calls_format="none", keep_records=False)
        offered = run.summary.set_index("kpi").loc["offered_999", "mean"]
        assert offered > 0

    table = result.table()
    assert table["rota"].tolist() == ["current", "Day Night", "free8"]
    assert table["paid_hours"].tolist() == [336.0, 504.0, 336.0]
    assert math.isnan(table["headcount"].iloc[0]) and table["headcount"].iloc[1] == 12.0
    assert table["status"].tolist() == ["", "optimal", "optimal"]
    assert table["intervals_short"].tolist() == [0, 0, 0]
    for kpi in ("answered_within_10s_999", "handler_occupancy"):
        for column in (kpi, f"{kpi}_ci_low", f"{kpi}_ci_high"):
            assert table[column].notna().all(), column
        assert (table[f"{kpi}_ci_low"] <= table[kpi]).all()
        assert (table[kpi] <= table[f"{kpi}_ci_high"]).all()
    written = pd.read_csv(out / "patterns.csv")
    assert written["rota"].tolist() == table["rota"].tolist()
    coverage = pd.read_csv(out / "coverage.csv")
    assert len(coverage) == 2 * INTERVALS_PER_WEEK
    tours_csv = pd.read_csv(out / "tours.csv")
    assert tours_csv.groupby("pattern")["paid_hours"].sum().to_dict() == EXPECTED_HOURS


def test_roster_reads_a_requirement_csv_without_simulating(
    room: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    scenario, patterns, requirement = room
    result = planner.roster(
        scenario,
        patterns=patterns,
        names=["free8"],
        requirement=requirement,
        simulate=False,
        out=tmp_path / "out",
    )
    assert result.comparison is None
    assert [r.pattern.name for r in result.rosters] == ["free8"]
    assert result.rosters[0].paid_hours == 336.0
    assert sorted(p.name for p in (tmp_path / "out").glob("roster-*.toml")) == ["roster-free8.toml"]
    assert "requirement.csv" in (tmp_path / "out" / "roster-free8.toml").read_text()
    table = result.table()
    assert table.columns.tolist() == [
        "rota",
        "paid_hours",
        "headcount",
        "status",
        "intervals_short",
    ]
    with pytest.raises(PlannerError, match=r"names='nope': expected one of 'Day Night'") as info:
        planner.roster(scenario, patterns=patterns, names=["nope"], requirement=requirement)
    # the command line names the flag (its own check says the same before roster is called)
    assert error_text(info.value).startswith("--pattern 'nope': expected one of 'Day Night'")


DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def test_roster_writes_each_roster_as_a_rota_file_with_a_starts_grid(
    room: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    """Beside roster-<pattern>.toml, roster-<pattern>.xlsx holds the rostered group's lines (a
    rota file a scenario can read) and a sheet of the people starting at each time on each
    weekday; starts.csv has every pattern's grid."""
    scenario, patterns, requirement = room
    out = tmp_path / "out"
    planner.roster(scenario, patterns=patterns, requirement=requirement, simulate=False, out=out)
    assert sorted(p.name for p in out.glob("roster-*")) == [
        "roster-day-night.toml",
        "roster-day-night.xlsx",
        "roster-free8.toml",
        "roster-free8.xlsx",
    ]
    book = openpyxl.load_workbook(out / "roster-free8.xlsx")
    assert book.sheetnames == ["rota", "starts"]
    header = ["role", "group", "line", "start", "hours", *DAYS, "count"]
    assert [list(r) for r in book["rota"].iter_rows(values_only=True)] == [
        header,
        ["handlers", "rostered", None, "00:00", 8, *[1] * 7, 2],
        ["handlers", "rostered", None, "08:00", 8, *[1] * 7, 2],
        ["handlers", "rostered", None, "16:00", 8, *[1] * 7, 2],
    ]
    assert [list(r) for r in book["starts"].iter_rows(values_only=True)] == [
        ["start", *DAYS],
        ["00:00", *[2] * 7],
        ["08:00", *[2] * 7],
        ["16:00", *[2] * 7],
    ]
    day_night = openpyxl.load_workbook(out / "roster-day-night.xlsx")
    assert [list(r) for r in day_night["rota"].iter_rows(values_only=True)] == [
        [*header, "break_after_hours", "break_minutes", "break_spread_hours"],
        ["handlers", "rostered", None, "07:00", 12, *[1] * 7, 3, 4, 30, 2],
        ["handlers", "rostered", None, "19:00", 12, *[1] * 7, 3, 4, 30, 2],
    ]
    starts = pd.read_csv(out / "starts.csv")
    assert starts.columns.tolist() == ["pattern", "start", *DAYS]
    assert starts[["pattern", "start", "Mon", "Sun"]].to_numpy().tolist() == [
        ["Day Night", "07:00", 3, 3],
        ["Day Night", "19:00", 3, 3],
        ["free8", "00:00", 2, 2],
        ["free8", "08:00", 2, 2],
        ["free8", "16:00", 2, 2],
    ]
    # the roster's scenario file, pointed at the rota file instead, is the same scenario
    variant = out / "from-rota.toml"
    variant.write_text('extends = "roster-free8.toml"\n[rota]\nfile = "roster-free8.xlsx"\n')
    assert load_scenario(variant).handlers == load_scenario(out / "roster-free8.toml").handlers


TWO_GROUPS = """\
[scenario]
name = "two desks"
days = 0.5
warmup_hours = 1
replications = 2

[channels.999]
calls_per_day = 150
talk_s = { dist = "exponential", mean = 100 }

[channels.101]
calls_per_day = 150
talk_s = { dist = "exponential", mean = 150 }

[[handlers]]
name = "999 desk"
skills = ["999"]
count = 1

[[handlers]]
name = "contact"
skills = ["999", "101"]
shifts = [{ start = "08:00", hours = 12, days = "daily", count = 2 }]

[provenance]
"handlers.1.skills" = "contact handlers take both channels (assumption)"
"handlers.0.count" = "one on the 999 desk (assumption)"
"channels.101.calls_per_day" = "made up"
"""


def test_a_roster_of_a_two_group_scenario_drops_the_replaced_provenance(
    tmp_path: Path,
) -> None:
    scenario = tmp_path / "two.toml"
    scenario.write_text(TWO_GROUPS)
    assert "handlers.1.skills" in load_scenario(scenario).provenance
    patterns = tmp_path / "p.toml"
    patterns.write_text(PATTERNS)
    result = planner.roster(
        scenario,
        patterns=patterns,
        names=["free8"],
        requirement=np.full(INTERVALS_PER_WEEK, 3.0),
        simulate=False,
        out=tmp_path / "out",
    )
    loaded = load_scenario(tmp_path / "out" / "roster-free8.toml")
    assert [g.name for g in loaded.handlers] == ["rostered"]
    assert loaded.handlers[0].skills == ["999", "101"]
    assert loaded.handlers[0].shifts == result.rosters[0].shifts()
    assert "handlers.1.skills" not in loaded.provenance
    assert "handlers.0.count" not in loaded.provenance
    assert loaded.provenance["channels.101.calls_per_day"] == "made up"
    assert loaded.provenance["handlers"].startswith("roster for pattern 'free8'")


def test_a_group_roster_keeps_the_other_groups(tmp_path: Path) -> None:
    scenario = tmp_path / "two.toml"
    scenario.write_text(TWO_GROUPS)
    loaded = load_scenario(scenario)
    pattern = Pattern(name="free8", hours=[8], starts=["00:00", "08:00", "16:00"])
    roster = solve(pattern, np.full(INTERVALS_PER_WEEK, 2.0))
    rostered = rostered_scenario(loaded, roster, group="contact")
    assert [g.name for g in rostered.handlers] == ["999 desk", "contact"]
    assert rostered.handlers[0] == loaded.handlers[0]
    assert rostered.handlers[1].shifts == roster.shifts()
    assert rostered.handlers[1].skills == ["999", "101"]
    target = tmp_path / "variants" / "roster.toml"
    target.parent.mkdir()
    target.write_text(roster_toml(rostered, scenario, target, roster, "a roster"))
    again = load_scenario(target)
    assert again.handlers == rostered.handlers
    assert "handlers.0.count" not in again.provenance
    assert again.provenance["handlers"] == "a roster"


def test_an_extends_child_replacing_an_array_drops_the_base_provenance_under_it(
    tmp_path: Path,
) -> None:
    (tmp_path / "base.toml").write_text(TWO_GROUPS)
    child = tmp_path / "child.toml"
    child.write_text(
        'extends = "base.toml"\n\n[[handlers]]\nname = "all"\nskills = ["999", "101"]\ncount = 4\n'
    )
    loaded = load_scenario(child)
    assert [g.name for g in loaded.handlers] == ["all"]
    assert set(loaded.provenance) == {"channels.101.calls_per_day"}
    # The child's own entry under the array it restates is kept (and checked).
    child.write_text(
        child.read_text() + '\n[provenance]\n"handlers.1.skills" = "the child says so"\n'
    )
    with pytest.raises(ScenarioError, match=r"provenance\.handlers\.1\.skills"):
        load_scenario(child)


# -- the command line -----------------------------------------------------------------------------


def run_main(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    return status, out.getvalue(), err.getvalue()


CLI_PATTERNS = PATTERNS.replace('"Day Night"', '"daynight"')


@pytest.fixture
def cli_room(room: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch) -> list[str]:
    scenario, patterns, requirement = room
    patterns.write_text(CLI_PATTERNS)
    monkeypatch.chdir(scenario.parent.parent)
    return [
        "roster",
        str(scenario),
        "--patterns",
        str(patterns),
        "--requirement",
        str(requirement),
        "--no-simulation",
        "--quiet",
    ]


def report_rows(stdout: str) -> dict[str, list[str]]:
    rows = {}
    for line in stdout.splitlines():
        cells = line.split()
        if cells and cells[0] in ("current", "daynight", "free8"):
            rows[cells[0]] = cells
    return rows


def test_cli_roster_prints_each_pattern_paid_hours(cli_room: list[str], tmp_path: Path) -> None:
    out = tmp_path / "cli-out"
    status, stdout, stderr = run_main([*cli_room, "--out", str(out)])
    assert status == 0, stderr
    assert "Traceback" not in stderr
    rows = report_rows(stdout)
    assert rows["current"][1] == "336"
    assert rows["daynight"][1:4] == ["504", "12", "optimal"]
    assert rows["free8"][1:4] == ["336", "-", "optimal"]
    assert f"results: {out}" in stdout
    assert (out / "roster-daynight.toml").is_file() and (out / "roster-free8.toml").is_file()
    assert not (out / "simulation").exists()


def test_cli_roster_one_pattern(cli_room: list[str], tmp_path: Path) -> None:
    out = tmp_path / "one"
    status, stdout, stderr = run_main([*cli_room, "--pattern", "free8", "--out", str(out)])
    assert status == 0, stderr
    assert set(report_rows(stdout)) == {"current", "free8"}
    assert sorted(p.name for p in out.glob("roster-*.toml")) == ["roster-free8.toml"]


def assert_one_line_error(status: int, stdout: str, stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    assert "internal error" not in stderr, stderr
    assert status == 2, f"exit status {status}, stderr {stderr!r}"
    assert stderr.startswith("error: "), repr(stderr)
    assert stderr.endswith("\n") and stderr.count("\n") == 1, f"not one line: {stderr!r}"
    assert stdout == "", stdout
    return stderr.rstrip("\n")


def replace_option(argv: list[str], option: str, value: str) -> list[str]:
    out = list(argv)
    out[out.index(option) + 1] = value
    return out


def test_cli_roster_unknown_pattern(cli_room: list[str], tmp_path: Path) -> None:
    out = tmp_path / "bad"
    line = assert_one_line_error(*run_main([*cli_room, "--pattern", "nope", "--out", str(out)]))
    assert line == "error: --pattern 'nope': expected one of 'daynight', 'free8'"
    assert not out.exists()


def test_cli_roster_missing_patterns_file(cli_room: list[str], tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    argv = replace_option(cli_room, "--patterns", str(missing))
    line = assert_one_line_error(*run_main([*argv, "--out", str(tmp_path / "bad")]))
    assert line == f"error: {missing}: no such patterns file"
    assert not (tmp_path / "bad").exists()


def test_cli_roster_invalid_pattern_key(cli_room: list[str], tmp_path: Path) -> None:
    patterns = tmp_path / "inputs" / "patterns.toml"
    patterns.write_text(CLI_PATTERNS.replace("hours = [8]", "hours = [8]\nshifts = 2"))
    line = assert_one_line_error(*run_main([*cli_room, "--out", str(tmp_path / "bad")]))
    assert line.startswith(f"error: {patterns}: patterns.1.shifts: unknown key")
    assert not (tmp_path / "bad").exists()


@pytest.mark.parametrize(
    ("replace", "expected"),
    [
        ({"required__4": "-2"}, "row 6, column 'required': expected a number >= 0"),
        ({"weekday__0": "mon"}, "row 2: expected a weekday name"),
    ],
)
def test_cli_roster_bad_requirement_csv(
    cli_room: list[str], tmp_path: Path, replace: dict[str, object], expected: str
) -> None:
    bad = requirement_csv(tmp_path / "bad.csv", np.ones(INTERVALS_PER_WEEK), **replace)
    argv = replace_option(cli_room, "--requirement", str(bad))
    line = assert_one_line_error(*run_main([*argv, "--out", str(tmp_path / "bad")]))
    assert line.startswith(f"error: {bad}: {expected}"), line
    assert not (tmp_path / "bad").exists()


def test_cli_roster_missing_requirement_csv(cli_room: list[str], tmp_path: Path) -> None:
    missing = tmp_path / "none.csv"
    argv = replace_option(cli_room, "--requirement", str(missing))
    line = assert_one_line_error(*run_main(argv))
    assert line == f"error: {missing}: no such requirement file"


def test_cli_roster_infeasible_pattern_is_an_error(cli_room: list[str], tmp_path: Path) -> None:
    patterns = tmp_path / "inputs" / "patterns.toml"
    patterns.write_text('[[patterns]]\nname = "days"\nhours = [8]\nstarts = ["09:00"]\n')
    status, _, stderr = run_main([*cli_room, "--out", str(tmp_path / "x")])
    assert status == 2
    assert stderr.startswith("error: pattern 'days' cannot cover Monday 00:00"), stderr
    assert stderr.count("\n") == 1


def test_a_roster_of_the_builtin_baseline_extends_it_by_name(tmp_path: Path) -> None:
    """Written for the packaged baseline, the roster names it 'baseline', not a path into the
    installed package, so it runs wherever the package is installed."""
    out = tmp_path / "out"
    result = planner.roster(
        None,
        patterns=SHIPPED,
        names=["12h 4-on-4-off"],
        requirement=np.full(672, 5.0),
        simulate=False,
        out=out,
    )
    (written,) = sorted(out.glob("roster-*.toml"))
    assert 'extends = "baseline"' in written.read_text()
    loaded = load_scenario(written)
    assert [g.name for g in loaded.handlers] == ["rostered"]
    assert loaded.handlers[0].shifts == result.rosters[0].shifts()


def test_the_current_rota_is_measured_against_the_group_it_rosters(tmp_path: Path) -> None:
    """With a group, the current rota's 'short' intervals count that group's handlers alone:
    the contact group has 2 on 08:00-20:00 and none at night, the 999 desk 1 all day."""
    scenario = tmp_path / "two.toml"
    scenario.write_text(TWO_GROUPS)
    patterns = tmp_path / "p.toml"
    patterns.write_text(PATTERNS)
    common = {
        "patterns": patterns,
        "names": ["free8"],
        "requirement": np.full(INTERVALS_PER_WEEK, 3.0),
        "simulate": False,
    }
    pooled = planner.roster(scenario, **common).table()
    one = planner.roster(scenario, group="contact", **common).table()
    # Pooled: 3 on 08:00-20:00 (covered), 1 at night (short): 12 hours a day short.
    assert pooled.loc[0, "intervals_short"] == 7 * 48
    # The contact group alone: 2 by day and 0 at night, short all week.
    assert one.loc[0, "intervals_short"] == 7 * 96
    # Paid hours of the current rota: every group (7 × 24 + 2 × 12 × 7), or the group's.
    assert pooled.loc[0, "paid_hours"] == 168 + 168
    assert one.loc[0, "paid_hours"] == 168


@pytest.mark.parametrize("value", ["-1", "1.5", "many"])
def test_cli_roster_bad_node_limit_is_one_line(
    cli_room: list[str], tmp_path: Path, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main([*cli_room, "--node-limit", value, "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1 and "--node-limit" in err, err
