"""Intraday KPIs (controlroom_sim.analysis.intraday_kpis) from hand-made records: firings in
the measured window only, call-in hours of call-ins ending in it, their cost at the overtime
rate with on-costs; and the run table showing each rule's firings."""

from __future__ import annotations

import pandas as pd
import pytest

from controlroom_sim.analysis.intraday_kpis import intraday_kpis
from controlroom_sim.config.schema import Scenario
from controlroom_sim.model.records import RunRecords
from controlroom_sim.reporting.display import kpi_table

H = 3600.0


def _scenario(staffing: dict[str, object] | None) -> Scenario:
    data: dict[str, object] = {
        "scenario": {"name": "k", "days": 7, "warmup_hours": 24},
        "channels": {"999": {"calls_per_day": 10, "talk_s": {"dist": "fixed", "value": 60}}},
        "handlers": [{"name": "desk", "skills": ["999"], "count": 2}],
        "intraday_rules": [
            {"name": "a", "below": 0.8, "action": "cancel_breaks"},
            {
                "name": "b",
                "below": 0.7,
                "action": "call_in",
                "group": "desk",
                "count": 1,
                "delay_min": 60,
                "hours": 4,
            },
        ],
    }
    if staffing is not None:
        data["staffing"] = staffing
    return Scenario.model_validate(data)


def _records() -> RunRecords:
    log = pd.DataFrame(
        {
            "time_s": [2 * H, 26 * H, 26 * H, 50 * H, 200 * H],  # 2 h: warm-up; 200 h: after
            "rule": pd.Categorical.from_codes([0, 0, 1, 0, 1], categories=["a", "b"]),
            "action": ["cancel_breaks", "cancel_breaks", "call_in", "cancel_breaks", "call_in"],
            "measured": [0.5] * 5,
            "called_in": [0, 0, 1, 0, 1],
            "breaks_cancelled": [9, 3, 0, 4, 0],
        }
    )
    handlers = pd.DataFrame(
        {
            "scheduled_start_s": [0.0, 27 * H, 201 * H],
            "scheduled_end_s": [float("inf"), 31 * H, 205 * H],
            "overtime_s": [0.0, 4.5 * H, 3 * H],
            "call_in": [False, True, True],
        }
    )
    empty = pd.DataFrame()
    return RunRecords(0, 24 * H, 192 * H, 194 * H, empty, empty, empty, handlers, rule_log=log)


def test_firings_and_call_in_hours_in_the_window_and_their_cost() -> None:
    staffing = {"hourly_cost": {"handlers": 20.0}, "overtime_rate": 1.5, "on_costs": 0.25}
    kpis = intraday_kpis(_records(), _scenario(staffing))
    assert kpis == {
        "rule_firings_a": 2.0,
        "rule_firings_b": 1.0,
        "breaks_cancelled": 7.0,
        "handlers_called_in": 1.0,
        "call_in_hours": 4.5,
        "call_in_hours_week": 4.5,
        "call_in_cost_week": pytest.approx(4.5 * 20.0 * 1.5 * 1.25),
    }
    assert "call_in_cost_week" not in intraday_kpis(_records(), _scenario(None))


def test_the_run_table_shows_each_rules_firings_before_what_they_did() -> None:
    summary = pd.DataFrame(
        {
            "kpi": ["overtime_hours", "breaks_cancelled", "rule_firings_b", "rule_firings_a"],
            "mean": [1.0, 2.0, 3.0, 4.0],
            "ci_low": [0.5, 1.0, 2.0, 3.0],
            "ci_high": [1.5, 3.0, 4.0, 5.0],
            "n": [10, 10, 10, 10],
        }
    )
    lines = [line.split()[0] for line in kpi_table(summary).splitlines()[2:]]
    assert lines == ["overtime_hours", "rule_firings_a", "rule_firings_b", "breaks_cancelled"]
