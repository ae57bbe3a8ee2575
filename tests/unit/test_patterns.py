"""Shift patterns (planning.patterns): the patterns file and its one-line errors, the tours
each pattern allows, and the handlers a tour or a rota puts on duty in each 15-minute interval.

Everything here is arithmetic on small arrays; the whole file takes well under a second.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from controlroom_sim.config.files import ScenarioError
from controlroom_sim.config.loading import load_model
from controlroom_sim.config.schema import Break, Shift
from controlroom_sim.config.vocabulary import INTERVALS_PER_WEEK
from controlroom_sim.planning.patterns import (
    INTERVALS_PER_DAY,
    Pattern,
    PatternFile,
    Rotation,
    StartRange,
    Tour,
    on_break_share,
    rota_coverage,
    rota_paid_hours,
    shift_coverage,
    tours,
)
from tests.helpers.paths import SHIFT_PATTERNS as SHIPPED

GOOD = """\
[[patterns]]
name = "p"
hours = [8]
starts = ["07:00"]
"""


def write(tmp_path: Path, text: str, name: str = "patterns.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def pattern_error(path: Path) -> str:
    """The one-line message of the ScenarioError that loading ``path`` raises."""
    with pytest.raises(ScenarioError) as info:
        load_model(path, PatternFile, "patterns")
    message = str(info.value)
    assert "\n" not in message, f"not one line: {message!r}"
    return message


def interval(day: int, clock: str) -> int:
    hh, mm = clock.split(":")
    return day * INTERVALS_PER_DAY + int(hh) * 4 + int(mm) // 15


# -- the patterns file ----------------------------------------------------------------------------


def test_shipped_patterns_file_loads_with_its_five_patterns() -> None:
    loaded = load_model(SHIPPED, PatternFile, "patterns")
    names = ["5x8", "4x10", "12h 4-on-4-off", "flexible", "current starts"]
    assert [p.name for p in loaded.patterns] == names
    kinds = {p.name: p.kind for p in loaded.patterns}
    assert kinds == {
        "5x8": "tours",
        "4x10": "tours",
        "12h 4-on-4-off": "rotation",
        "flexible": "free",
        "current starts": "free",
    }
    for pattern in loaded.patterns:
        assert tours(pattern), pattern.name


def test_a_minimal_pattern_loads_with_its_defaults(tmp_path: Path) -> None:
    loaded = load_model(write(tmp_path, GOOD), PatternFile, "patterns")
    (pattern,) = loaded.patterns
    assert pattern.hours == [8.0]
    assert pattern.kind == "free"
    assert pattern.days == "daily"
    assert pattern.breaks == []


PATTERN_HEAD = '[[patterns]]\nname = "p"\n'

BAD_PATTERNS = [
    # (id, body after the name, key path, a fragment of the explanation)
    ("start-off-quarter", 'hours = [8]\nstarts = ["07:10"]', "patterns.0.starts", "quarter hour"),
    ("hours-zero", 'hours = [0]\nstarts = ["07:00"]', "patterns.0.hours", "found 0"),
    ("hours-25", 'hours = [25]\nstarts = ["07:00"]', "patterns.0.hours", "found 25"),
    ("hours-7.3", 'hours = [7.3]\nstarts = ["07:00"]', "patterns.0.hours", "found 7.3"),
    ("hours-repeated", 'hours = [8, 8]\nstarts = ["07:00"]', "patterns.0.hours", "once"),
    ("hours-empty", 'hours = []\nstarts = ["07:00"]', "patterns.0.hours", "at least 1"),
    ("starts-empty", "hours = [8]\nstarts = []", "patterns.0.starts", "at least one start"),
    (
        "days-on-and-rotation",
        'hours = [8]\nstarts = ["07:00"]\ndays_on = 5\nrotation = { on = 4, off = 4 }',
        "patterns.0",
        "not both",
    ),
    (
        "break-outside-a-length",
        'hours = [10, 6]\nstarts = ["07:00"]\nbreaks = [{ after_hours = 5, minutes = 45, '
        "spread_hours = 0.5 }]",
        "patterns.0",
        "6-hour shift",
    ),
    ("unknown-key", 'hours = [8]\nstarts = ["07:00"]\nshift = 1', "patterns.0.shift", "unknown"),
    (
        "days-with-days-on",
        'hours = [8]\nstarts = ["07:00"]\ndays_on = 5\ndays = "weekdays"',
        "patterns.0",
        "'days' applies only",
    ),
    (
        "days-with-rotation",
        'hours = [8]\nstarts = ["07:00"]\nrotation = { on = 2, off = 2 }\ndays = "weekends"',
        "patterns.0",
        "'days' applies only",
    ),
    ("days-on-8", 'hours = [8]\nstarts = ["07:00"]\ndays_on = 8', "patterns.0.days_on", "<= 7"),
    (
        "days-off-unknown",
        'hours = [8]\nstarts = ["07:00"]\ndays_on = 5\ndays_off = "random"',
        "patterns.0.days_off",
        "'random'",
    ),
    (
        "rotation-on-0",
        'hours = [8]\nstarts = ["07:00"]\nrotation = { on = 0, off = 4 }',
        "patterns.0.rotation.on",
        ">= 1",
    ),
    ("hours-in-quotes", 'hours = ["8"]\nstarts = ["07:00"]', "patterns.0.hours.0", "number"),
]


@pytest.mark.parametrize(
    ("body", "key", "fragment"),
    [pytest.param(b, k, f, id=i) for i, b, k, f in BAD_PATTERNS],
)
def test_a_bad_pattern_is_one_line_naming_the_file_and_key(
    tmp_path: Path, body: str, key: str, fragment: str
) -> None:
    path = write(tmp_path, PATTERN_HEAD + body + "\n")
    message = pattern_error(path)
    assert message.startswith(f"{path}: {key}: "), message
    assert fragment in message, message


BAD_RANGES = [
    # (id, starts, key path, a fragment of the explanation)
    ("every-20", "{ every_minutes = 20 }", "patterns.0.starts.every_minutes", "multiple of 15"),
    ("order", '{ first = "10:00", last = "09:00" }', "patterns.0.starts", "first <= last"),
    ("first-off-quarter", '{ first = "06:10" }', "patterns.0.starts.first", "quarter hour"),
]


@pytest.mark.parametrize("starts", [pytest.param(s, id=i) for i, s, _, _ in BAD_RANGES])
def test_a_bad_start_range_is_one_line_under_the_starts_key(tmp_path: Path, starts: str) -> None:
    """What holds today: one line, the file, and a key path under ``patterns.0.starts``."""
    path = write(tmp_path, PATTERN_HEAD + f"hours = [8]\nstarts = {starts}\n")
    message = pattern_error(path)
    assert message.startswith(f"{path}: patterns.0.starts"), message


@pytest.mark.parametrize(
    ("starts", "key", "fragment"), [pytest.param(s, k, f, id=i) for i, s, k, f in BAD_RANGES]
)
def test_a_bad_start_range_names_its_key_and_problem(
    tmp_path: Path, starts: str, key: str, fragment: str
) -> None:
    path = write(tmp_path, PATTERN_HEAD + f"hours = [8]\nstarts = {starts}\n")
    message = pattern_error(path)
    assert "list[str]" not in message, message
    assert message.startswith(f"{path}: {key}: "), message
    assert fragment in message, message


def test_an_unknown_day_name_names_the_days_key_once(tmp_path: Path) -> None:
    path = write(tmp_path, PATTERN_HEAD + 'hours = [8]\nstarts = ["07:00"]\ndays = "funday"\n')
    message = pattern_error(path)
    assert message.startswith(f"{path}: patterns.0.days: "), message
    assert "'funday'" in message


def test_an_unknown_day_name_is_an_error_naming_the_day(tmp_path: Path) -> None:
    path = write(tmp_path, PATTERN_HEAD + 'hours = [8]\nstarts = ["07:00"]\ndays = "funday"\n')
    message = pattern_error(path)
    assert message.startswith(f"{path}: patterns.0.days"), message
    assert "'funday'" in message


def test_duplicate_pattern_names_are_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "\n" + GOOD.replace('"p"', '"q"') + "\n" + GOOD)
    message = pattern_error(path)
    assert message.startswith(f"{path}: patterns: "), message
    assert "'p' twice" in message


def test_the_error_names_the_index_of_the_bad_pattern(tmp_path: Path) -> None:
    second = GOOD.replace('"p"', '"q"').replace("[8]", "[30]")
    path = write(tmp_path, GOOD + "\n" + second)
    assert pattern_error(path).startswith(f"{path}: patterns.1.hours: ")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty-file"),
        pytest.param("# only a comment\n", id="comment-only"),
        pytest.param("patterns = []\n", id="empty-list"),
    ],
)
def test_a_file_without_patterns_is_an_error(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text)
    assert pattern_error(path).startswith(f"{path}: patterns: ")


def test_a_missing_or_broken_patterns_file_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    assert pattern_error(missing) == f"{missing}: no such patterns file"
    broken = write(tmp_path, "[[patterns]\nname = 'x'\n", "broken.toml")
    assert pattern_error(broken).startswith(f"{broken}: not valid TOML")
    assert "found a folder" in pattern_error(tmp_path)


def test_select_keeps_the_order_asked_for_and_rejects_unknown_names() -> None:
    loaded = load_model(SHIPPED, PatternFile, "patterns")
    assert [p.name for p in loaded.select([])] == [p.name for p in loaded.patterns]
    assert [p.name for p in loaded.select(["flexible", "5x8"])] == ["flexible", "5x8"]
    with pytest.raises(KeyError, match="nope"):
        loaded.select(["5x8", "nope"])


# -- start times and tours ------------------------------------------------------------------------


def test_start_ranges_list_their_times() -> None:
    hourly = StartRange(every_minutes=60).times()
    assert len(hourly) == 24
    assert hourly[0] == "00:00" and hourly[-1] == "23:00"
    assert len(StartRange().times()) == 96
    assert StartRange(first="06:00", last="10:00", every_minutes=30).times() == [
        "06:00",
        "06:30",
        "07:00",
        "07:30",
        "08:00",
        "08:30",
        "09:00",
        "09:30",
        "10:00",
    ]
    assert StartRange(first="22:15", last="22:15").times() == ["22:15"]
    assert StartRange(every_minutes=1440).times() == ["00:00"]


def test_weekly_tours_with_consecutive_days_off() -> None:
    pattern = Pattern(name="w", hours=[8, 10], starts=["07:00", "15:00"], days_on=5)
    found = tours(pattern)
    assert len(found) == 2 * 2 * 7
    for start in ("07:00", "15:00"):
        for hours in (8.0, 10.0):
            own = [t for t in found if t.start == start and t.hours == hours]
            day_sets = {t.days for t in own}
            assert len(own) == 7 and len(day_sets) == 7
            for days in day_sets:
                # Five days in a row (round the week): the two days off are next to each other.
                first = next(d for d in days if (d - 1) % 7 not in days)
                assert set(days) == {(first + k) % 7 for k in range(5)}
    for t in found:
        assert t.people_per_unit == 1.0
        assert t.paid_hours == t.hours * 5
        assert t.pattern == "w"


def test_weekly_tours_with_any_days_off() -> None:
    found = tours(Pattern(name="a", hours=[8], starts=["09:00"], days_on=4, days_off="any"))
    assert len(found) == 35  # 7 choose 4
    assert len({t.days for t in found}) == 35
    assert all(len(t.days) == 4 and t.paid_hours == 32.0 for t in found)


def test_seven_days_on_is_one_tour_per_start_and_length() -> None:
    for days_off in ("consecutive", "any"):
        found = tours(Pattern(name="s", hours=[6], starts=["06:00"], days_on=7, days_off=days_off))
        assert [t.days for t in found] == [tuple(range(7))]


@pytest.mark.parametrize(("on", "off"), [(4, 4), (4, 3), (2, 0), (3, 6)])
def test_a_rotation_is_one_every_day_tour_per_start_and_length(on: int, off: int) -> None:
    pattern = Pattern(
        name="r", hours=[12, 10], starts=["07:00", "19:00"], rotation={"on": on, "off": off}
    )
    found = tours(pattern)
    assert len(found) == 2 * 2
    for t in found:
        assert t.days == tuple(range(7))
        assert t.people_per_unit == pytest.approx((on + off) / on)
        assert t.paid_hours == t.hours * 7
    assert Rotation(on=on, off=off).people_per_head == pytest.approx((on + off) / on)


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        ("daily", list(range(7))),
        ("weekdays", [0, 1, 2, 3, 4]),
        ("weekends", [5, 6]),
        (["sunday", "monday"], [0, 6]),
        (["weekends", "friday", "saturday"], [4, 5, 6]),
    ],
)
def test_free_days_are_one_tour_per_day(days: str | list[str], expected: list[int]) -> None:
    pattern = Pattern(name="f", hours=[4, 7.5], starts=["08:00", "16:00", "20:15"], days=days)
    assert pattern.kind == "free"
    found = tours(pattern)
    assert len(found) == 3 * 2 * len(expected)
    assert sorted({t.days for t in found}) == [(d,) for d in expected]
    for t in found:
        assert math.isnan(t.people_per_unit)
        assert t.paid_hours == t.hours


def test_a_start_range_gives_a_tour_per_start() -> None:
    found = tours(Pattern(name="h", hours=[8], starts={"every_minutes": 60}, days_on=5))
    assert len(found) == 24 * 7
    assert sorted({t.start for t in found}) == [f"{h:02d}:00" for h in range(24)]


def test_tours_carry_the_pattern_breaks() -> None:
    brk = {"after_hours": 3, "minutes": 30, "spread_hours": 2}
    found = tours(Pattern(name="b", hours=[8], starts=["07:00"], days_on=5, breaks=[brk]))
    assert all(t.breaks == (Break(**brk),) for t in found)


# -- coverage -------------------------------------------------------------------------------------


def test_a_shift_without_breaks_covers_its_hours() -> None:
    cover = Tour("p", "09:15", 7.5, (0, 2, 4), (), 1.0).coverage()
    assert cover.shape == (INTERVALS_PER_WEEK,)
    expected = np.zeros(INTERVALS_PER_WEEK)
    for day in (0, 2, 4):
        first = interval(day, "09:15")
        expected[first : first + 30] = 1.0
    np.testing.assert_array_equal(cover, expected)


def test_a_shift_crossing_midnight_runs_into_the_next_day() -> None:
    cover = Tour("p", "20:00", 8.0, (2,), (), 1.0).coverage()
    on = np.flatnonzero(cover)
    assert on.tolist() == list(range(interval(2, "20:00"), interval(3, "04:00")))
    assert set(cover[on]) == {1.0}
    assert cover.sum() == 32


def test_a_shift_crossing_sunday_midnight_wraps_to_monday() -> None:
    cover = Tour("p", "22:00", 8.0, (6,), (), 1.0).coverage()
    on = np.flatnonzero(cover).tolist()
    assert on == list(range(0, interval(0, "06:00"))) + list(
        range(interval(6, "22:00"), INTERVALS_PER_WEEK)
    )
    assert cover.sum() == 32
    # A whole day's shift from Sunday 12:00 also ends on Monday.
    day = Tour("p", "12:00", 24.0, (6,), (), 1.0).coverage()
    assert np.flatnonzero(day).tolist() == list(range(0, interval(0, "12:00"))) + list(
        range(interval(6, "12:00"), INTERVALS_PER_WEEK)
    )


def test_shifts_on_consecutive_days_each_run_into_the_next() -> None:
    # 16:00-08:00 on Monday and Tuesday: Tuesday early morning is Monday's shift.
    cover = Tour("p", "16:00", 16.0, (0, 1), (), 1.0).coverage()
    assert cover[interval(1, "03:00")] == 1.0
    assert cover[interval(1, "07:45")] == 1.0
    assert cover[interval(1, "12:00")] == 0.0
    assert cover[interval(1, "16:00")] == 1.0
    assert cover[interval(2, "07:45")] == 1.0
    assert cover[interval(2, "08:00")] == 0.0
    assert cover.sum() == 2 * 16 * 4


def test_count_scales_coverage() -> None:
    one = shift_coverage(7 * 3600, 10.0, (0, 3), [Break(after_hours=4, minutes=30)], count=1.0)
    three = shift_coverage(7 * 3600, 10.0, (0, 3), [Break(after_hours=4, minutes=30)], count=3.0)
    np.testing.assert_allclose(three, 3 * one)


BREAK_SETS = {
    "unspread": [Break(after_hours=3, minutes=30)],
    "unspread-off-quarter": [Break(after_hours=2.1, minutes=20)],
    "spread": [Break(after_hours=3.5, minutes=45, spread_hours=3)],
    "spread-odd": [Break(after_hours=3.3, minutes=25, spread_hours=1.1)],
    "two-breaks": [
        Break(after_hours=2, minutes=15),
        Break(after_hours=5, minutes=30, spread_hours=1.5),
    ],
    "break-longer-than-spread": [Break(after_hours=1, minutes=60, spread_hours=0.25)],
}


@pytest.mark.parametrize("name", list(BREAK_SETS))
@pytest.mark.parametrize(
    ("start", "days"),
    [("07:00", (0, 1, 2, 3, 4)), ("22:00", (5, 6)), ("13:45", (3,))],
)
def test_breaks_take_off_exactly_their_minutes(name: str, start: str, days: tuple) -> None:
    breaks = tuple(BREAK_SETS[name])
    hours = 10.0
    cover = Tour("p", start, hours, days, breaks, 1.0).coverage()
    plain = Tour("p", start, hours, days, (), 1.0).coverage()
    lost = plain - cover
    assert (lost >= -1e-12).all()
    assert (cover >= -1e-12).all() and (cover <= 1 + 1e-12).all()
    break_minutes = sum(b.minutes for b in breaks)
    assert plain.sum() == hours * 4 * len(days)
    assert lost.sum() == pytest.approx(len(days) * break_minutes / 15, abs=1e-9)
    # Coverage is only lost while the shift is on.
    assert (lost[plain == 0] == 0).all()


def test_an_unspread_break_empties_whole_intervals() -> None:
    cover = Tour("p", "07:00", 8.0, (1,), (Break(after_hours=3, minutes=30),), 1.0).coverage()
    assert cover[interval(1, "10:00")] == 0.0
    assert cover[interval(1, "10:15")] == 0.0
    assert cover[interval(1, "09:45")] == 1.0
    assert cover[interval(1, "10:30")] == 1.0


def test_a_spread_break_takes_a_share_of_the_line() -> None:
    # 30 minutes taken in turn over 2 hours: at most a quarter of the line is away at once.
    share = on_break_share(8.0, [Break(after_hours=3, minutes=30, spread_hours=2)])
    assert share.size == 8 * 60
    assert share.max() == pytest.approx(0.25)
    assert share[: 3 * 60].sum() == 0
    assert share[int(5.5 * 60) :].sum() == 0
    assert share.sum() == pytest.approx(30.0)


@pytest.mark.parametrize(
    "breaks",
    [
        [Break(after_hours=2, minutes=60), Break(after_hours=2.5, minutes=60)],
        [Break(after_hours=1, minutes=90, spread_hours=0.5), Break(after_hours=1.5, minutes=30)],
        [Break(after_hours=0, minutes=240), Break(after_hours=0, minutes=240)],
    ],
)
def test_the_share_on_a_break_never_exceeds_one(breaks: list[Break]) -> None:
    share = on_break_share(8.0, breaks)
    assert share.max() <= 1.0
    assert share.min() >= 0.0
    cover = Tour("p", "00:00", 8.0, (0,), tuple(breaks), 1.0).coverage()
    assert cover.min() >= 0.0


def test_rota_coverage_of_a_counted_group_is_flat() -> None:
    np.testing.assert_array_equal(rota_coverage(None, 5), np.full(INTERVALS_PER_WEEK, 5.0))
    np.testing.assert_array_equal(rota_coverage(None, 0), np.zeros(INTERVALS_PER_WEEK))
    assert rota_paid_hours(None, 5) == 5 * 168.0


def test_rota_coverage_and_paid_hours_of_shift_lines() -> None:
    shifts = [
        Shift(start="07:00", hours=10, days="weekdays", count=3),
        Shift(start="22:00", hours=10, days="daily", count=2),
    ]
    cover = rota_coverage(shifts, None)
    assert cover[interval(0, "07:00")] == 3 + 2  # Sunday's night shift is still on
    assert cover[interval(0, "08:00")] == 3
    assert cover[interval(0, "00:00")] == 2  # the week wraps
    assert cover[interval(5, "07:45")] == 2  # no day shift at weekends
    assert cover[interval(5, "08:00")] == 0
    assert cover.sum() == 4 * (3 * 10 * 5 + 2 * 10 * 7)
    assert rota_paid_hours(shifts, None) == 3 * 10 * 5 + 2 * 10 * 7
    assert rota_paid_hours([], None) == 0
    np.testing.assert_array_equal(rota_coverage([], None), np.zeros(INTERVALS_PER_WEEK))


def test_rota_coverage_counts_breaks_as_tours_do() -> None:
    brk = Break(after_hours=3.5, minutes=45, spread_hours=3)
    shifts = [Shift(start="15:00", hours=10, days=["friday", "saturday"], count=4, breaks=[brk])]
    tour = Tour("p", "15:00", 10.0, (4, 5), (brk,), 1.0)
    np.testing.assert_allclose(rota_coverage(shifts, None), 4 * tour.coverage(), atol=1e-12)
    assert rota_paid_hours(shifts, None) == 4 * tour.paid_hours == 80.0
