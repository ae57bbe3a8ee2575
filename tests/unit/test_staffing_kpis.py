"""Hours, posts and cost by role (``[staffing]``), checked against arithmetic done by hand.

The rota's hours are exact: the baseline's call handlers work 35 ten-hour shifts a day (2,450
hours a week); a group on duty around the clock gives its count × 168 hours a week whatever the
window; a window that cuts shifts counts only the hours inside it. Paid hours are rostered hours
over (1 − shrinkage), posts are paid hours over contract hours, cost is (paid + overtime ×
rate) × hourly cost × (1 + on-costs), a year 365.25 / 7 weeks of it. A comparison's paired
difference of two more people on one ten-hour daily line is 140 rostered hours a week, grossed up.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from controlroom_sim.analysis.staffing_kpis import rostered_seconds, staffing_kpis
from controlroom_sim.config.loading import load_scenario
from controlroom_sim.config.schema import RotaGroup, Shift
from controlroom_sim.model.records import RunRecords
from controlroom_sim.model.simulate import simulate

HOUR = 3600.0
WEEK = 7 * 24 * HOUR


def _records(handlers: pd.DataFrame, lo: float, hi: float) -> RunRecords:
    empty = pd.DataFrame()
    return RunRecords(0, lo, hi, hi, empty, empty, empty, handlers)


def test_the_baseline_handlers_rota_is_2450_hours_a_week() -> None:
    scenario = load_scenario(None)
    seconds = rostered_seconds(scenario.handlers, scenario.origin_weekday_s, 0.0, WEEK)
    assert seconds / HOUR == 35 * 10 * 7


@pytest.mark.parametrize(("lo", "hi"), [(0.0, WEEK), (5 * HOUR, 2 * 86400.0 + 5 * HOUR)])
def test_around_the_clock_and_cut_shifts(lo: float, hi: float) -> None:
    clock = RotaGroup(name="clock", count=3)
    assert rostered_seconds([clock], 0.0, lo, hi) == 3 * (hi - lo)
    # 08:00-18:00 daily, two people: a window from 05:00 on day 0 to 05:00 on day 2 holds two
    # whole shifts of each
    day = RotaGroup(name="day", shifts=[Shift(start="08:00", hours=10, days="daily", count=2)])
    expected = 2 * 10 * HOUR * (7 if hi == WEEK else 2)
    assert rostered_seconds([day], 0.0, lo, hi) == expected
    # a window cutting a shift: 12:00-14:00 holds two hours of each of the two people
    assert rostered_seconds([day], 0.0, 12 * HOUR, 14 * HOUR) == 2 * 2 * HOUR


def test_paid_hours_posts_and_cost_by_hand() -> None:
    scenario = load_scenario(None)
    staffing = scenario.staffing
    assert staffing is not None
    handlers = pd.DataFrame(
        {"scheduled_end_s": [HOUR, 2 * WEEK], "overtime_s": [1800.0, 7200.0]}
    )  # half an hour past a shift ending in the window; one ending after it
    kpis = staffing_kpis(_records(handlers, 0.0, WEEK), scenario)
    shrinkage = 0.127 + 0.039 + 0.03 + 0.03
    assert staffing.shrinkage.total == pytest.approx(shrinkage, abs=1e-12)
    rostered = 2450.0
    paid = rostered / (1 - shrinkage)
    assert kpis["rostered_hours_week_handlers"] == pytest.approx(rostered, rel=1e-12)
    assert kpis["paid_hours_week_handlers"] == pytest.approx(paid, rel=1e-12)
    assert kpis["posts_handlers"] == pytest.approx(paid / 37, rel=1e-12)
    assert kpis["overtime_hours_week_handlers"] == 0.5
    week = (paid + 0.5 * 1.5) * 17.43 * 1.25
    assert kpis["cost_week_handlers"] == pytest.approx(week, rel=1e-12)
    assert kpis["cost_year_handlers"] == pytest.approx(week * 365.25 / 7, rel=1e-12)
    roles = ["handlers", "dispatchers", "officers", "support_workers"]
    assert kpis["cost_year_total"] == pytest.approx(
        sum(kpis[f"cost_year_{r}"] for r in roles), rel=1e-12
    )
    assert kpis["posts_total"] == pytest.approx(sum(kpis[f"posts_{r}"] for r in roles))
    assert kpis["posts_officers"] == pytest.approx(
        kpis["rostered_hours_week_officers"] / (1 - shrinkage) / 40, rel=1e-12
    )


def test_no_staffing_section_no_cost_kpis() -> None:
    scenario = load_scenario(None, overrides=["scenario.days=1"])
    plain = scenario.model_copy(update={"staffing": None})
    records = simulate(plain, 0)
    assert staffing_kpis(records, plain) == {}


def test_a_role_without_a_cost_has_hours_and_posts_only() -> None:
    scenario = load_scenario(None, overrides=["scenario.days=1"])
    staffing = scenario.staffing.model_copy(
        update={"hourly_cost": scenario.staffing.hourly_cost.model_copy(update={"officers": None})}
    )
    kpis = staffing_kpis(simulate(scenario, 0), scenario.model_copy(update={"staffing": staffing}))
    assert "posts_officers" in kpis and "cost_week_officers" not in kpis
    assert math.isclose(
        kpis["cost_year_total"],
        sum(kpis[f"cost_year_{r}"] for r in ("handlers", "dispatchers", "support_workers")),
    )
