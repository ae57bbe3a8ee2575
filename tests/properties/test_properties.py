"""Property-based tests of the control-room model (Hypothesis).

A strategy draws small but complete scenarios from the whole vocabulary of the scenario
schema: one or both channels, an optional BT stage, both answer clocks, every distribution for
talk, wrap-up, patience, BT and the follow-up delays, redials and 101 callers ringing 999, an
optional callback with both offer rules, one to three handler groups on fixed counts or shifts
with breaks, optional surges and profiles, and the seed. Each test runs one replication and
checks invariants that must hold whatever the draws:

1. outcomes: every call has exactly one outcome and its times agree with it;
2. times: the moments of a call are ordered, abandonment happens exactly when patience runs
   out, answered callers waited no longer than their patience, drawn attributes lie in the
   support of their distributions;
3. counts: offered calls conserve into outcomes, follow-up calls chain back to an abandoned
   call of the same caller within the limits the scenario sets, callbacks only when enabled;
4. handlers: one call at a time, work inside duty (with overtime only past the shift end),
   never more busy than on duty, skills respected, nobody idle while a call they could take
   waits;
5. the same seed gives the same tables;
6. KPIs are well formed.

The default run draws a few hundred scenarios in all; ``-m slow`` runs every property on
many more (``test_all_properties_many_scenarios``). The strategy (``scenarios``) is in
tests/helpers/strategies.py, the checks in tests/helpers/invariants.py.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, note, settings

from controlroom_sim.config.schema import Scenario
from controlroom_sim.model import simulate
from controlroom_sim.model.records import RunRecords
from tests.helpers.invariants import (
    check_callbacks,
    check_counts,
    check_follow_ups,
    check_handlers,
    check_kpis,
    check_outcomes,
    check_reproducible,
    check_times,
)
from tests.helpers.strategies import replications, scenarios

COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}


def _settings(n: int) -> settings:
    return settings(max_examples=n, **COMMON)


# --- helpers -------------------------------------------------------------------------------------


def run(scenario: Scenario, replication: int) -> RunRecords:
    records = simulate(scenario, replication)
    note(f"{len(records.calls)} calls, {len(records.handlers)} handlers")
    return records


# --- the tests -----------------------------------------------------------------------------------


@_settings(150)
@given(scenario=scenarios(), replication=replications)
def test_outcomes_and_times(scenario: Scenario, replication: int) -> None:
    """Properties 1 and 2: one consistent outcome per call, ordered times, abandonment exactly
    when patience runs out, answered callers waited at most their patience."""
    r = run(scenario, replication)
    check_outcomes(scenario, r)
    check_times(scenario, r)


@_settings(120)
@given(scenario=scenarios(), replication=replications)
def test_counts_follow_ups_and_callbacks(scenario: Scenario, replication: int) -> None:
    """Property 3: counts conserve, follow-up calls chain back to an abandoned call of the same
    caller within the limits, callbacks only when enabled and as configured."""
    r = run(scenario, replication)
    check_counts(scenario, r)
    check_follow_ups(scenario, r)
    check_callbacks(scenario, r)


@_settings(120)
@given(scenario=scenarios(), replication=replications)
def test_handlers(scenario: Scenario, replication: int) -> None:
    """Property 4: one call at a time, work inside duty (overtime only past the shift end),
    never more busy than on duty, skills respected, no idling while a call waits."""
    r = run(scenario, replication)
    check_handlers(scenario, r)


@_settings(60)
@given(scenario=scenarios(), replication=replications)
def test_same_seed_same_result(scenario: Scenario, replication: int) -> None:
    """Property 5: a replication is a pure function of scenario, seed and replication."""
    r = run(scenario, replication)
    check_reproducible(scenario, replication, r)


@_settings(90)
@given(scenario=scenarios(), replication=replications)
def test_kpis_well_formed(scenario: Scenario, replication: int) -> None:
    """Property 6: shares in [0, 1] or NaN, Home Office bands sum to 1, occupancy in [0, 1]."""
    r = run(scenario, replication)
    check_kpis(scenario, r)


@pytest.mark.slow
@_settings(1000)
@given(scenario=scenarios(), replication=replications)
def test_all_properties_many_scenarios(scenario: Scenario, replication: int) -> None:
    """Every property above on many more scenarios (run with ``-m slow``)."""
    r = run(scenario, replication)
    check_outcomes(scenario, r)
    check_times(scenario, r)
    check_counts(scenario, r)
    check_follow_ups(scenario, r)
    check_callbacks(scenario, r)
    check_handlers(scenario, r)
    check_kpis(scenario, r)
    check_reproducible(scenario, replication, r)


# --- regressions: model bugs the properties found -------------------------


def _one_channel(channel: dict[str, Any], **extra: Any) -> Scenario:
    return Scenario.model_validate(
        {
            "scenario": {"name": "regression", "days": 0.05, "warmup_hours": 0.0},
            "channels": {"101": {"calls_per_day": 0.0, **channel}},
            "handlers": [{"name": "g", "skills": ["101"], "count": 1}],
            **extra,
        }
    )


def test_tiny_callback_success_probability_does_not_crash() -> None:
    """A valid scenario never makes the model raise: a callback that (practically) never
    reaches the caller fails after max_attempts."""
    scenario = _one_channel(
        {"talk_s": {"dist": "fixed", "value": 60.0}},
        callback={"accept_probability": 1.0, "attempt_success_probability": 1e-320},
    )
    r = simulate(scenario, 0, arrival_times={"101": [10.0]})
    assert r.calls["outcome"].astype(str).tolist() == ["answered"]


@pytest.mark.parametrize("calls_per_day", [20.0, 0.0])
def test_record_dtypes_do_not_depend_on_the_data(calls_per_day: float) -> None:
    """The tables have the same dtypes whatever happened in the run (ids int64, times
    float64), so replications can be concatenated and written without surprises."""
    if calls_per_day:
        # One handler on around the clock: the only duty stretch starts at 0.
        scenario = _one_channel(
            {"calls_per_day": calls_per_day, "talk_s": {"dist": "fixed", "value": 5.0}}
        )
    else:
        # Nobody on in the run, no calls: every table is empty.
        scenario = Scenario.model_validate(
            {
                "scenario": {"name": "regression", "days": 0.05, "start_weekday": "monday"},
                "channels": {
                    "101": {"calls_per_day": 0.0, "talk_s": {"dist": "fixed", "value": 5.0}}
                },
                "handlers": [
                    {
                        "name": "g",
                        "skills": ["101"],
                        "shifts": [
                            {"start": "12:00", "hours": 1.0, "count": 1, "days": "weekends"}
                        ],
                    }
                ],
            }
        )
    r = simulate(scenario, 0)
    times = {
        "calls": ["arrival_s", "force_s", "answered_s", "abandoned_s", "end_s", "wrap_end_s"],
        "work": ["start_s", "end_s"],
        "duty": ["start_s", "end_s"],
        "handlers": ["scheduled_start_s", "scheduled_end_s", "actual_end_s", "overtime_s"],
    }
    for table, columns in times.items():
        frame = getattr(r, table)
        for col in columns:
            assert frame[col].dtype == np.float64, (table, col, frame[col].dtype)
        for col in ("handler_id", "call_id", "caller_id", "attempt", "callback_attempts"):
            if col in frame.columns:
                assert frame[col].dtype == np.int64, (table, col, frame[col].dtype)


def test_zero_length_call_between_two_breaks_lies_inside_duty() -> None:
    """Every work stint, even one of zero length, lies inside a duty stretch of its handler.

    One handler on 00:00-04:00 with breaks at 01:00 and 01:15 (15 minutes each); a 101 call
    with zero talk time (a valid ``fixed`` value of 0) rings at 01:06 during the first break.
    At 01:15 the handler comes back, answers it at once, and the second break falls due at the
    same moment: work [4500, 4500] is recorded, but duty only [0, 3600] and [5400, 14400].
    """
    scenario = Scenario.model_validate(
        {
            "scenario": {"name": "regression", "days": 0.2, "warmup_hours": 0.0},
            "channels": {"101": {"calls_per_day": 0.0, "talk_s": {"dist": "fixed", "value": 0.0}}},
            "handlers": [
                {
                    "name": "g",
                    "skills": ["101"],
                    "shifts": [
                        {
                            "start": "00:00",
                            "hours": 4.0,
                            "count": 1,
                            "breaks": [
                                {"after_hours": 1.0, "minutes": 15.0},
                                {"after_hours": 1.25, "minutes": 15.0},
                            ],
                        }
                    ],
                }
            ],
        }
    )
    r = simulate(scenario, 0, arrival_times={"101": [3960.0]})
    assert r.work[["start_s", "end_s"]].to_numpy().tolist() == [[4500.0, 4500.0]]
    duty = r.duty.astype({"start_s": float, "end_s": float})
    inside = (duty["start_s"] <= 4500.0) & (duty["end_s"] >= 4500.0)
    assert inside.any(), duty.to_numpy().tolist()
