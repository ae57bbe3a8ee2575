"""Risk in the queue (analysis/risk_kpis.py): exact counts on a hand-built calls table, and a
property of the model: risk is drawn independently of patience and nothing queues by risk, so
high-risk callers abandon as often as everyone."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from controlroom_sim.analysis.kpi_kinds import kpi_kind
from controlroom_sim.analysis.kpis import KPI_DESCRIPTIONS, replication_kpis
from controlroom_sim.analysis.risk_kpis import gave_up_kpis, queue_kpis
from controlroom_sim.config.schema import Scenario
from controlroom_sim.config.vocabulary import RISK_LEVELS
from controlroom_sim.model import simulate
from controlroom_sim.model.records import OUTCOMES

NAN = math.nan


def _scenario() -> Scenario:
    talk = {"dist": "fixed", "value": 60}
    return Scenario.model_validate(
        {
            "scenario": {"name": "t", "days": 1.0, "warmup_hours": 0.0},
            "channels": {
                "999": {"calls_per_day": 0, "talk_s": talk},
                "101": {"calls_per_day": 0, "talk_s": talk},
            },
            "handlers": [{"name": "h", "skills": ["999", "101"], "count": 1}],
        }
    )


# call_id, caller_id, channel, arrival_s, answered_s, outcome, true_risk, vulnerable
_ROWS: list[tuple[Any, ...]] = [
    (0, 0, "101", 10.0, NAN, "abandoned", "high", False),  # A gives up, then
    (1, 0, "101", 50.0, 80.0, "answered", "high", False),  # A's redial gets through
    (2, 2, "101", 20.0, NAN, "abandoned", "low", True),  # B: vulnerable, gives up
    (3, 2, "101", 90.0, NAN, "abandoned", "low", True),  # B's redial gives up too
    (4, 4, "101", 30.0, NAN, "abandoned", "none", False),  # C: not at risk, gives up
    (5, 5, "101", 40.0, NAN, "abandoned", "high", False),  # D gives up on 101, then
    (6, 5, "999", 70.0, 75.0, "answered", "high", False),  # rings 999 and is answered
    (7, 7, "101", 60.0, NAN, "open", "high", False),  # E still waiting at the end
    (8, 8, "101", 65.0, NAN, "callback_failed", "medium", True),  # F: callback never reached
    (9, 9, "999", 66.0, 66.0, "answered", "high", True),  # G answered at once
    (10, 10, "999", 67.0, 87.0, "answered", "medium", False),
    (11, 11, "101", 100.0, 400.0, "callback_answered", "high", False),  # H: rung back at 400 s
]


def _calls(rows: list[tuple[Any, ...]] = _ROWS) -> pd.DataFrame:
    frame = pd.DataFrame(
        rows,
        columns=[
            "call_id",
            "caller_id",
            "channel",
            "arrival_s",
            "answered_s",
            "outcome",
            "true_risk",
            "vulnerable",
        ],
    )
    frame["force_s"] = frame["arrival_s"]
    frame["outcome"] = pd.Categorical(frame["outcome"], categories=OUTCOMES)
    frame["true_risk"] = pd.Categorical(frame["true_risk"], categories=RISK_LEVELS)
    return frame


def test_queue_kpis_count_each_group_exactly() -> None:
    """101 high risk: calls 0, 1, 5, 7, 11 (two abandoned, one answered after 30 s, one reached
    by a callback after 300 s); 101 vulnerable: 2, 3, 8 (two abandoned, none answered or
    reached); 999 high risk: 6 and 9 (5 s, 0 s)."""
    sc = _scenario()
    got = queue_kpis(_calls(), sc, "101") | queue_kpis(_calls(), sc, "999")
    assert got["offered_high_risk_101"] == 5.0
    assert got["abandon_rate_high_risk_101"] == 2 / 5
    assert got["mean_answer_s_high_risk_101"] == 30.0
    assert got["answered_within_10s_high_risk_101"] == 0.0
    assert got["offered_vulnerable_101"] == 3.0
    assert got["abandon_rate_vulnerable_101"] == 2 / 3
    assert math.isnan(got["mean_answer_s_vulnerable_101"])
    assert math.isnan(got["answered_within_10s_vulnerable_101"])
    assert got["offered_high_risk_999"] == 2.0
    assert got["abandon_rate_high_risk_999"] == 0.0
    assert got["mean_answer_s_high_risk_999"] == 2.5
    assert got["answered_within_10s_high_risk_999"] == 1.0
    assert got["mean_reach_s_high_risk_101"] == (30.0 + 300.0) / 2
    assert math.isnan(got["mean_reach_s_vulnerable_101"])
    assert "mean_reach_s_high_risk_999" not in got
    assert got["offered_vulnerable_999"] == 1.0
    assert got["mean_answer_s_vulnerable_999"] == 0.0


def test_gave_up_counts_callers_never_reached() -> None:
    """Gave up: B (vulnerable; two calls, counted once), C (not at risk) and F (vulnerable;
    a callback that never reached them), all on 101. Not: A and D (a later call got through,
    D's on 999), E (still open), H (reached by a callback), G and the other 999 caller
    (answered). Over two days."""
    calls = _calls()
    got = gave_up_kpis(calls, calls, ["999", "101"], days=2.0)
    assert got == {
        "gave_up_per_day_999": 0.0,
        "gave_up_at_risk_per_day_999": 0.0,
        "gave_up_per_day_101": 3 / 2,
        "gave_up_at_risk_per_day_101": 2 / 2,
    }


def test_gave_up_counts_callers_whose_first_call_is_measured() -> None:
    """A caller whose first call came before the window is not counted, though a redial is in
    it; a later call after the window (in the cool-down) that got through still counts as
    reaching a handler."""
    calls = _calls()
    measured = calls[calls["call_id"] != 2]  # B's first call before the window
    late = calls.copy()
    late.loc[late["call_id"] == 3, ["outcome", "answered_s"]] = ("answered", 95.0)
    got = gave_up_kpis(calls, measured, ["101"], days=1.0)
    assert got["gave_up_per_day_101"] == 2.0  # C and F
    got = gave_up_kpis(late, calls[calls["call_id"] != 3], ["101"], days=1.0)
    assert got["gave_up_at_risk_per_day_101"] == 1.0  # F only: B's redial got through


def _queue_scenario() -> Scenario:
    """101 only, one queue, heavily loaded (about a fifth abandon), two call types of unequal
    risk; nothing orders the queue by risk."""
    return Scenario.model_validate(
        {
            "scenario": {"name": "q", "days": 1.0, "warmup_hours": 2.0, "seed": 7},
            "channels": {
                "101": {
                    "calls_per_day": 2400,
                    "talk_s": {"dist": "exponential", "mean": 250},
                    "patience_s": {"dist": "exponential", "mean": 180},
                    "redial_probability": 0.3,
                    "redial_delay_s": {"dist": "exponential", "mean": 300},
                }
            },
            "handlers": [{"name": "h", "skills": ["101"], "count": 6}],
            "call_types": [
                {"name": "a", "share": {"101": 0.4}, "risk": {"high": 0.6, "low": 0.4}},
                {"name": "b", "share": {"101": 0.6}, "risk": {"none": 0.8, "high": 0.2}},
            ],
        }
    )


def test_without_priority_by_risk_high_risk_callers_abandon_as_often_as_everyone() -> None:
    """Over 30 replications, the paired difference between the high-risk and the overall
    abandonment of 101 has a 99% interval that holds 0, and is narrow enough to have shown a
    difference of 3 pp."""
    sc = _queue_scenario()
    diffs = []
    for rep in range(30):
        kpis = replication_kpis(simulate(sc, rep), sc)
        assert 0.1 < kpis["abandon_rate_101"] < 0.4
        diffs.append(kpis["abandon_rate_high_risk_101"] - kpis["abandon_rate_101"])
    d = np.array(diffs)
    half = 2.756 * d.std(ddof=1) / math.sqrt(len(d))  # t, 29 degrees of freedom, 99%
    assert abs(d.mean()) <= half, (d.mean(), half)
    assert half < 0.03


def test_every_risk_kpi_has_a_kind_and_a_meaning() -> None:
    sc = _queue_scenario()
    kpis = replication_kpis(simulate(sc, 0), sc)
    names = [k for k in kpis if "high_risk" in k or "vulnerable" in k or "gave_up" in k]
    assert len(names) == 12
    for name in names:
        assert kpi_kind(name) is not None, name
        assert name.rsplit("_", 1)[0] in KPI_DESCRIPTIONS, name


@pytest.mark.parametrize("kpi", ["abandon_rate_high_risk_101", "answered_within_10s_vulnerable"])
def test_risk_shares_are_shares(kpi: str) -> None:
    assert kpi_kind(kpi) == "share"
