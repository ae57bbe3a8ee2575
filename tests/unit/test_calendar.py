"""The calendar (``[calendar]``): each day's factor and shape in the arrival rate, exactly, and
the counts a run draws against their expectation."""

from __future__ import annotations

import datetime
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from controlroom_sim.config.calendar import (
    bank_holidays,
    day_table,
    season_slot,
    seasonal_factors,
)
from controlroom_sim.config.loading import load_scenario, scenario_files
from controlroom_sim.config.schema import Scenario
from controlroom_sim.model.arrivals import arrival_blocks, expected_count
from controlroom_sim.model.rng import RandomStreams
from tests.helpers.paths import ROOT

DAY = 86400.0
MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
# A week profile: each weekday its own volume and shape (Monday 1.0 ... Sunday 0.7 a slot,
# and the early hours of Sunday busier than its evening).
WEEK = np.concatenate(
    [np.full(96, v) for v in (1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 0.0)]
) + np.concatenate([np.zeros(6 * 96), np.linspace(2.0, 0.5, 96)])


def _scenario(calendar: dict | None, days: float = 7, warmup_hours: float = 0) -> Scenario:
    data = {
        "scenario": {
            "name": "t",
            "days": days,
            "warmup_hours": warmup_hours,
            "cooldown_hours": 0,
        },
        "channels": {
            "999": {"calls_per_day": 700.0, "talk_s": {"dist": "fixed", "value": 1}},
            "101": {"calls_per_day": 100.0, "talk_s": {"dist": "fixed", "value": 1}},
        },
        "handlers": [{"name": "h", "skills": ["999", "101"], "count": 1}],
    }
    if calendar is not None:
        data["calendar"] = calendar
    scenario = Scenario.model_validate(data)
    channel = scenario.channels["999"].model_copy(update={"profile_weights": tuple(WEEK)})
    return scenario.model_copy(update={"channels": {**scenario.channels, "999": channel}})


def _day_count(scenario: Scenario, day: int, channel: str = "999") -> float:
    """Expected calls on measured day ``day`` (0: the start date)."""
    start = scenario.warmup_s + day * DAY
    return expected_count(scenario, channel, start, start + DAY)


def _weekday_volume(weekday: int) -> float:
    """An ordinary day's expected 999 calls on ``weekday`` (0: Monday), from the profile."""
    return 700.0 * 7 * WEEK[weekday * 96 : (weekday + 1) * 96].sum() / WEEK.sum()


def _slots(scenario: Scenario, day: int, channel: str = "999") -> np.ndarray:
    start = scenario.warmup_s + day * DAY
    return np.array(
        [
            expected_count(scenario, channel, start + i * 900.0, start + (i + 1) * 900.0)
            for i in range(96)
        ]
    )


# -- without a calendar, and with a neutral one --------------------------------------------------


def test_a_calendar_that_changes_nothing_draws_the_same_calls() -> None:
    """A start date on the scenario's own weekday, nothing else: the same arrival times, to the
    bit, as without ``[calendar]``."""
    plain = _scenario(None, days=3, warmup_hours=6)
    dated = _scenario({"start_date": "2026-01-05"}, days=3, warmup_hours=6)  # a Monday
    for channel in ("999", "101"):
        a = np.concatenate(list(arrival_blocks(plain, channel, RandomStreams(3, 0).generator("a"))))
        b = np.concatenate(list(arrival_blocks(dated, channel, RandomStreams(3, 0).generator("a"))))
        assert np.array_equal(a, b)


def test_the_start_date_sets_the_weekday() -> None:
    """2026-01-01 is a Thursday: day 0 has Thursday's volume, without start_weekday."""
    scenario = _scenario({"start_date": "2026-01-01"})
    assert scenario.calendar is not None and scenario.calendar.weekday == "thursday"
    assert scenario.scenario.start_weekday == "thursday"
    assert _day_count(scenario, 0) == pytest.approx(_weekday_volume(3), rel=1e-12)
    assert _day_count(scenario, 3) == pytest.approx(_weekday_volume(6), rel=1e-12)


# -- the seasonal index ----------------------------------------------------------------------------


def test_monthly_index_multiplies_each_day_exactly() -> None:
    """A date's expected calls are the (scaled) index of its month times an ordinary day of
    its weekday; the index is scaled to a mean of 1 over the days of the year."""
    index = [1.0] * 6 + [1.2, 1.3] + [1.0] * 3 + [0.8]
    scale = 365.0 / sum(f * d for f, d in zip(index, MONTH_DAYS, strict=True))
    scenario = _scenario(
        {"start_date": "2026-07-27", "seasonal_index": index}, days=10
    )  # a Monday in July, on into August
    for day in range(10):
        month = (datetime.date(2026, 7, 27) + datetime.timedelta(days=day)).month
        expected = index[month - 1] * scale * _weekday_volume(day % 7)
        assert _day_count(scenario, day) == pytest.approx(expected, rel=1e-12)


def test_seasonal_factors_have_a_mean_of_one_over_the_year() -> None:
    monthly = seasonal_factors([0.9, 1.0, 1.1] * 4)
    assert float(np.dot(monthly, MONTH_DAYS)) == pytest.approx(365.0)
    weekly = seasonal_factors(list(np.linspace(0.5, 1.5, 52)))
    assert float(np.dot(weekly, [7] * 51 + [8])) == pytest.approx(365.0)
    mean_one = [1.0] * 12
    assert np.array_equal(seasonal_factors(mean_one), np.ones(12))


def test_weeks_of_the_year() -> None:
    assert season_slot(datetime.date(2026, 1, 1), 52) == 0
    assert season_slot(datetime.date(2026, 1, 7), 52) == 0
    assert season_slot(datetime.date(2026, 1, 8), 52) == 1
    assert season_slot(datetime.date(2026, 12, 23), 52) == 50
    assert season_slot(datetime.date(2026, 12, 24), 52) == 51  # week 52: 24-31 December
    assert season_slot(datetime.date(2026, 12, 31), 52) == 51
    assert season_slot(datetime.date(2028, 12, 31), 52) == 51  # a leap year: 9 days
    assert season_slot(datetime.date(2026, 12, 31), 12) == 11


# -- bank holidays and named days -----------------------------------------------------------------


def test_bank_holidays_of_england_and_wales() -> None:
    days = bank_holidays("england-and-wales", 2026)
    assert datetime.date(2026, 4, 6) in days  # Easter Monday
    assert datetime.date(2026, 8, 31) in days  # late summer bank holiday
    assert datetime.date(2026, 3, 17) not in days  # St Patrick's Day: Northern Ireland only


def test_bank_holiday_has_the_sunday_shape_and_its_own_volume() -> None:
    """Easter Monday 2026 (6 April): a Monday's calls times the factor, spread as on a Sunday;
    the Tuesday after is an ordinary Tuesday."""
    scenario = _scenario(
        {
            "start_date": "2026-04-06",
            "bank_holidays": "england-and-wales",
            "bank_holiday_factor": 0.9,
        },
        days=2,
    )
    sunday = WEEK[6 * 96 :] / WEEK[6 * 96 :].sum()
    expected = 0.9 * _weekday_volume(0) * sunday
    assert np.allclose(_slots(scenario, 0), expected, rtol=1e-12, atol=0)
    assert _day_count(scenario, 1) == pytest.approx(_weekday_volume(1), rel=1e-12)
    # 101 has a flat profile: its Sunday shape is flat too, at the factor times a day.
    assert _day_count(scenario, 0, "101") == pytest.approx(90.0, rel=1e-12)


def test_named_day_with_a_profile_of_its_own(tmp_path: Path) -> None:
    """New Year's Eve 2026 (a Thursday) at 1.3 times a Thursday, with a CSV profile of one day
    (all the calls after 18:00); a named day on a bank holiday (Christmas) is the named day."""
    csv = tmp_path / "nye.csv"
    rows = [f"{h:02d}:{m:02d},{1 if h >= 18 else 0}" for h in range(24) for m in (0, 15, 30, 45)]
    csv.write_text("start,weight\n" + "\n".join(rows) + "\n", encoding="utf-8")
    toml = tmp_path / "s.toml"
    toml.write_text(
        'extends = "baseline"\n[scenario]\nname = "t"\nstart_weekday = "monday"\n'
        '[calendar]\nstart_date = 2026-12-21\nbank_holidays = "england-and-wales"\n'
        'named_days = [{ date = "12-31", name = "New Year\'s Eve", factor = 1.3, '
        'profile = "nye.csv" }, { date = "12-25", name = "Christmas", factor = 0.5 }]\n',
        encoding="utf-8",
    )
    scenario = load_scenario(toml)
    plain = load_scenario("baseline")
    w = scenario.warmup_s
    thursday = expected_count(plain, "999", w + 3 * DAY, w + 4 * DAY)
    slots = _slots(scenario, 10)
    assert slots[:72].sum() == 0
    assert np.allclose(slots[72:], 1.3 * thursday / 24, rtol=1e-12, atol=0)
    friday = expected_count(plain, "999", w + 4 * DAY, w + 5 * DAY)
    assert _day_count(scenario, 4) == pytest.approx(0.5 * friday, rel=1e-12)
    # Christmas keeps its own (Friday) shape: the named day has no profile.
    assert np.allclose(_slots(scenario, 4), 0.5 * _slots(plain, 4), rtol=1e-12, atol=0)


# -- events and growth ----------------------------------------------------------------------------


def test_planned_event_multiplies_its_window_only() -> None:
    """Bonfire night 2026 (Thursday 5 November): 999 calls at twice the rate 18:00-23:00."""
    scenario = _scenario(
        {
            "start_date": "2026-11-02",
            "events": [
                {
                    "name": "bonfire night",
                    "date": "2026-11-05",
                    "start": "18:00",
                    "hours": 5,
                    "multiplier": 2.0,
                    "channels": ["999"],
                }
            ],
        }
    )
    plain = _scenario({"start_date": "2026-11-02"})
    ratio = _slots(scenario, 3) / _slots(plain, 3)
    assert np.array_equal(ratio, np.where((np.arange(96) >= 72) & (np.arange(96) < 92), 2.0, 1.0))
    assert _day_count(scenario, 3, "101") == _day_count(plain, 3, "101")


def test_growth_compounds_by_day() -> None:
    """5% a year: day d has 1.05 ** (d / 365) times the calls; day 365 exactly 5% more."""
    scenario = _scenario({"start_date": "2026-01-05", "growth_per_year": 0.05}, days=366)
    for day in (0, 1, 100, 365):
        expected = 1.05 ** (day / 365) * _weekday_volume(day % 7)
        assert _day_count(scenario, day) == pytest.approx(expected, rel=1e-12)
    table = day_table(scenario.calendar, -1, 365)  # type: ignore[arg-type]
    assert table.factor[0] == pytest.approx(1.05 ** (-1 / 365))
    assert table.factor[-1] == pytest.approx(1.05)


# -- the counts drawn ------------------------------------------------------------------------------


def _daily_counts(scenario: Scenario, replications: int) -> np.ndarray:
    days = int(scenario.scenario.days)
    out = np.zeros((replications, days))
    for r in range(replications):
        rng = RandomStreams(11, r).generator("arrivals.999")
        times = np.concatenate(list(arrival_blocks(scenario, "999", rng)))
        out[r] = np.bincount((times // DAY).astype(int), minlength=days)[:days]
    return out


def _check_counts(scenario: Scenario, replications: int) -> None:
    """Pooled counts per day fit the expected counts (chi-square, 1% level), and their total
    lies within 4 standard errors."""
    counts = _daily_counts(scenario, replications)
    days = counts.shape[1]
    expected = np.array([_day_count(scenario, d) for d in range(days)]) * replications
    observed = counts.sum(axis=0)
    assert abs(observed.sum() - expected.sum()) < 4 * np.sqrt(expected.sum())
    assert stats.chisquare(observed, expected * observed.sum() / expected.sum()).pvalue > 0.01


def test_daily_counts_follow_the_calendar() -> None:
    """Three weeks around Easter 2026 with a monthly index, bank holidays at 0.8 and a named
    day: counts per day over 20 replications against their expectation."""
    scenario = _scenario(
        {
            "start_date": "2026-03-23",
            "seasonal_index": [0.8, 0.8, 0.9, 1.3, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.2],
            "bank_holidays": "england-and-wales",
            "bank_holiday_factor": 0.8,
            "named_days": [{"date": "04-01", "name": "April Fools", "factor": 1.5}],
        },
        days=21,
    )
    _check_counts(scenario, 20)


def test_a_year_of_daily_counts_follows_the_calendar() -> None:
    """A calendar year with every mechanism, 30 replications."""
    scenario = _scenario(
        {
            "start_date": "2026-01-01",
            "seasonal_index": [0.9, 0.9, 0.95, 1.0, 1.05, 1.1, 1.1, 1.1, 1.0, 1.0, 0.95, 0.95],
            "bank_holidays": "england-and-wales",
            "bank_holiday_factor": 0.85,
            "named_days": [{"date": "12-31", "name": "New Year's Eve", "factor": 1.3}],
            "growth_per_year": 0.04,
        },
        days=365,
    )
    _check_counts(scenario, 30)


# -- the library scenario's files ------------------------------------------------------------------


def test_calendar_profiles_are_among_the_scenario_files_and_weekdays_stay_names() -> None:
    """The New Year's Eve CSV is one of year_2026's files (a run records and checks it); a
    weekday name set on the command line stays a name, not a path."""
    path = ROOT / "scenarios" / "year_2026.toml"
    assert any(p.name == "new_years_eve.csv" for p in scenario_files(path))
    scenario = load_scenario(path, ["calendar.named_days.0.profile=Sunday"])
    assert scenario.calendar is not None
    assert scenario.calendar.named_days[0].profile == "sunday"
