"""KPIs, interval tables and confidence intervals computed from hand-made records."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from controlroom_sim.analysis.confidence import confidence_interval, summarise
from controlroom_sim.analysis.intervals import interval_table
from controlroom_sim.analysis.kpis import replication_kpis
from controlroom_sim.config.schema import Scenario
from controlroom_sim.model.records import RunRecords

NAN = math.nan


def _scenario(clock: str = "call") -> Scenario:
    return Scenario.model_validate(
        {
            "scenario": {"name": "m", "days": 1, "warmup_hours": 1, "cooldown_hours": 0},
            "channels": {
                "999": {
                    "calls_per_day": 10,
                    "talk_s": {"dist": "fixed", "value": 60},
                    "answer_clock": clock,
                }
            },
            "handlers": [{"name": "h", "skills": ["999"], "count": 2}],
        }
    )


def _records(rows: list[dict[str, object]]) -> RunRecords:
    defaults = {
        "force_s": NAN,
        "answered_s": NAN,
        "abandoned_s": NAN,
        "outcome": "answered",
        "channel": "999",
        "callback_accepted": False,
        "callback_offered_s": NAN,
    }
    calls = pd.DataFrame([{**defaults, **r} for r in rows])
    work = pd.DataFrame(
        {
            "handler_id": [0, 1],
            "call_id": [0, 1],
            "start_s": [3000.0, 3700.0],
            "end_s": [3700.0, 4500.0],
        }
    )
    duty = pd.DataFrame({"handler_id": [0, 1], "start_s": [0.0, 0.0], "end_s": [90000.0, 90000.0]})
    handlers = pd.DataFrame(
        {"handler_id": [0, 1], "scheduled_end_s": [7200.0, 9e9], "overtime_s": [1800.0, 0.0]}
    )
    return RunRecords(
        replication=0,
        warmup_s=3600.0,
        horizon_s=3600.0 + 86400.0,
        end_s=90000.0,
        calls=calls,
        work=work,
        duty=duty,
        handlers=handlers,
    )


CALLS = [
    # before the warm-up ends: not counted
    {"arrival_s": 3000.0, "force_s": 3000.0, "answered_s": 3000.0},
    # answered in 4 s (3 s of it in a BT stage), 30 s, 60 s, 125 s
    {"arrival_s": 4000.0, "force_s": 4003.0, "answered_s": 4004.0},
    {"arrival_s": 5000.0, "force_s": 5000.0, "answered_s": 5030.0},
    {"arrival_s": 6000.0, "force_s": 6000.0, "answered_s": 6060.0},
    {"arrival_s": 7000.0, "force_s": 7000.0, "answered_s": 7125.0},
    # abandoned after 5 s, and one still open at the end
    {"arrival_s": 8000.0, "force_s": 8000.0, "abandoned_s": 8005.0, "outcome": "abandoned"},
    {"arrival_s": 80000.0, "force_s": 80000.0, "outcome": "open"},
]


def test_home_office_bands_and_shares() -> None:
    """Bands are shares of answered calls; the 'of offered' share counts abandons as misses."""
    kpis = replication_kpis(_records(CALLS), _scenario())
    assert kpis["offered_999"] == 6
    assert kpis["answered_999"] == 4
    assert kpis["abandoned_999"] == 1
    assert kpis["open_999"] == 1
    assert kpis["abandon_rate_999"] == pytest.approx(1 / 6)
    assert kpis["answered_within_10s_999"] == pytest.approx(1 / 4)
    assert kpis["answered_10_to_59s_999"] == pytest.approx(1 / 4)
    assert kpis["answered_60s_plus_999"] == pytest.approx(2 / 4)  # 60 s counts as 60 or more
    assert kpis["answered_within_60s_999"] == pytest.approx(3 / 4)  # within 60 s includes 60
    assert kpis["answered_within_10s_of_offered_999"] == pytest.approx(1 / 6)
    assert kpis["mean_answer_s_999"] == pytest.approx((4 + 30 + 60 + 125) / 4)
    assert kpis["p90_answer_s_999"] == pytest.approx(np.quantile([4, 30, 60, 125], 0.9))


def test_answer_clock_from_the_force() -> None:
    """With answer_clock = "force" the BT stage is left out of the answer time."""
    kpis = replication_kpis(_records(CALLS), _scenario("force"))
    assert kpis["mean_answer_s_999"] == pytest.approx((1 + 30 + 60 + 125) / 4)


def test_occupancy_clips_to_the_window_and_overtime_counts_by_shift_end() -> None:
    """Busy and duty time count only inside the measured window; overtime by shift end."""
    kpis = replication_kpis(_records(CALLS), _scenario())
    busy = (3700.0 - 3600.0) + (4500.0 - 3700.0)
    duty = 2 * 86400.0
    assert kpis["handler_occupancy"] == pytest.approx(busy / duty)
    assert kpis["overtime_hours"] == pytest.approx(0.5)


def test_interval_table_counts_and_time_averages() -> None:
    """Calls fall in the 15-minute interval they were made in; levels are time averages."""
    table = interval_table(_records(CALLS), _scenario())
    assert len(table) == 96
    first = table.iloc[0]  # 01:00-01:15 is the first measured interval (warm-up 1 h)
    assert first["start_s"] == 3600.0 and first["time"] == "01:00"
    assert first["handlers_on_duty"] == pytest.approx(2.0)
    # Busy: handler 0 until 3700 (100 s), handler 1 from 3700 (800 s) within 3600-4500.
    assert first["handlers_busy"] == pytest.approx(900.0 / 900.0)
    assert (first["offered"], first["answered"], first["answered_within_10s"]) == (1, 1, 1)
    row = table.set_index("start_s").loc[3600.0 + 3 * 900.0]  # 01:45, holds the 7000 s call
    assert (row["offered"], row["answered"], row["answered_within_10s"]) == (1, 1, 0)
    assert row["mean_answer_s"] == pytest.approx(125.0)
    assert table["offered"].sum() == 6
    assert table["abandoned"].sum() == 1


def test_confidence_interval_is_student_t() -> None:
    """The 95% interval is mean ± t(0.975, n-1)·sd/√n; one value gives no interval."""
    values = np.array([1.0, 2.0, 3.0, 4.0])
    ci = confidence_interval(values)
    half = stats.t.ppf(0.975, 3) * values.std(ddof=1) / 2
    assert ci["ci_low"] == pytest.approx(2.5 - half)
    assert ci["ci_high"] == pytest.approx(2.5 + half)
    assert math.isnan(confidence_interval(np.array([5.0]))["ci_low"])


def test_summarise_skips_undefined_values() -> None:
    """A KPI undefined in a replication (NaN) is left out and n says so."""
    kpis = pd.DataFrame(
        {"scenario": "s", "replication": [0, 1, 2], "kpi": "k", "value": [1.0, NAN, 3.0]}
    )
    row = summarise(kpis).iloc[0]
    assert row["n"] == 2 and row["mean"] == pytest.approx(2.0)


def test_a_booked_incident_joins_the_queue_when_its_slot_comes() -> None:
    import pandas as pd

    from controlroom_sim.analysis.dispatch_kpis import queued_from

    incidents = pd.DataFrame(
        {
            # raised, booked for later, allocated after the slot: queued from the slot
            # raised, not booked: from when it was raised
            # booked, but upgraded and allocated before the slot: from when it was raised
            # booked for a slot already past when raised (cannot happen, kept safe): raised
            "created_s": [100.0, 200.0, 300.0, 400.0],
            "appointment_s": [7200.0, float("nan"), 9000.0, 350.0],
            "allocated_s": [7300.0, 260.0, 1000.0, float("nan")],
        }
    )
    assert list(queued_from(incidents)) == [7200.0, 200.0, 300.0, 400.0]


def _with_101(clock: str = "call") -> Scenario:
    data = _scenario().model_dump()
    data["channels"]["101"] = {
        "calls_per_day": 10,
        "talk_s": {"dist": "fixed", "value": 60},
        "answer_clock": clock,
    }
    data["handlers"][0]["skills"] = ["999", "101"]
    return Scenario.model_validate(data)


CALLS_101 = [
    # answered live after 20 s and 100 s (2 s of BT stage each), reached by a callback 700 s
    # after the call, a callback that failed, an abandon
    {"channel": "101", "arrival_s": 4000.0, "force_s": 4002.0, "answered_s": 4020.0},
    {"channel": "101", "arrival_s": 5000.0, "force_s": 5002.0, "answered_s": 5100.0},
    {
        "channel": "101",
        "arrival_s": 6000.0,
        "force_s": 6002.0,
        "answered_s": 6700.0,
        "outcome": "callback_answered",
        "callback_accepted": True,
        "callback_offered_s": 6242.0,
    },
    {
        "channel": "101",
        "arrival_s": 7000.0,
        "force_s": 7002.0,
        "outcome": "callback_failed",
        "callback_accepted": True,
        "callback_offered_s": 7242.0,
    },
    {
        "channel": "101",
        "arrival_s": 8000.0,
        "force_s": 8002.0,
        "abandoned_s": 8050.0,
        "outcome": "abandoned",
    },
]


@pytest.mark.parametrize(("clock", "bt"), [("call", 0.0), ("force", 2.0)])
def test_time_to_reach_counts_callers_reached_by_a_callback_as_answer_time_does_not(
    clock: str, bt: float
) -> None:
    kpis = replication_kpis(_records(CALLS_101), _with_101(clock))
    assert kpis["mean_answer_s_101"] == pytest.approx((20 + 100) / 2 - bt)  # live calls only
    reach = np.array([20.0, 100.0, 700.0]) - bt
    assert kpis["mean_reach_s_101"] == pytest.approx(reach.mean())
    assert kpis["p90_reach_s_101"] == pytest.approx(np.quantile(reach, 0.9))
    assert "mean_reach_s_999" not in kpis  # 999 calls are never rung back


def test_time_to_reach_is_the_answer_time_without_callbacks() -> None:
    live = CALLS_101[:2]
    kpis = replication_kpis(_records(live), _with_101())
    assert kpis["mean_reach_s_101"] == kpis["mean_answer_s_101"]
    assert kpis["p90_reach_s_101"] == kpis["p90_answer_s_101"]
