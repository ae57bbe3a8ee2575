"""Property-based tests of grading, dispatch and support workers (Hypothesis).

The strategy (``dispatch_scenario_data``) draws small valid scenarios with call types: the
call side of test_properties.py (one or both channels, BT stage, callbacks, redials,
profiles; volumes at most a few thousand calls over 0.05-0.5 days), 2-4 call types whose shares
of each channel sum to 1 exactly (some shares 0), risk tables of one to four levels, flag and
referral probabilities including 0 and 1; an optional [thrive] with any subset of the four
sub-tasks, skip and miss probabilities including 0 and 1; a [dispatch] with any distributions
for travel (urban and rural) and on scene, a rural share, targets, diversion on or off,
escalation, appointments, suppression, reassessment and (with channel 101) failure demand;
officers around the clock or on shifts with breaks; optionally dispatchers with
``allocation_s``; optionally support workers for some of the call types. ``simple=True`` leaves
out diversion, appointments and reassessment (the queue-discipline sub-space).

Each test runs one replication and checks (``TOL`` = 1 µs absorbs float rounding of moments
that are sums of durations; simultaneous events, whose order is SimPy's, are left out where a
rule depends on it):

1. Grading (check_grading): a call has a grade and an assessed risk exactly when it was
   answered or reached by a callback; every call has a type and a true risk. The assessed
   risk is at most the true risk and at least the true risk less the skipped checks whose risk
   factor was present (exactly that with ``miss_probability = 1``; exactly the true risk
   without [thrive] or with ``miss_probability = 0``). Done sub-tasks add their time to the
   talk time. A handler's call is graded as its assessed risk calls for (referred only at
   risk none, only with ``refer_probability > 0``, always with 1), unless it raised an
   incident: then its grade is the incident's grade when raised. A support worker's call keeps
   that grade until the worker ends, then is resolved or raises an incident graded with the
   call's response grade, else priority. An incident's ``original_grade`` is the grade asked
   for; a suppressed one was queued one step lower. Follow-up calls keep the type, risk and
   flags of the caller's previous call.
2. Incidents (check_incidents): exactly one per call at most, from a graded call that is not a
   repeat call, raised (``created_s``) when the handler's talk ends or the support worker's
   call ends; every graded call asking for attendance whose part ended before the run stopped
   raised one. ``created_s <= appointment_s <= (officer held) <= allocated_s <= arrived_s <=
   cleared_s < end`` where present (a booked incident that was upgraded may go before its
   slot), ``arrived - allocated = travel_s``, ``cleared - arrived = on_scene_s``; whatever was due
   before the end happened; an incident allocated has an officer, one never set off has NaN
   arrival. Plus appointments (first slot with room on the week's clock), targets,
   escalation, suppression against the backlog, reassessment and failure demand, each
   stated in its check's docstring.
3. Staff (check_officers, check_dispatchers, check_support): the records show only an officer's
   last trip to an incident (a trip cut short by a diversion leaves no record), held from the
   start of the dispatcher's allocation (with dispatchers) or from setting off, to clearing
   (or the end of the run). These trips never overlap for one officer, lie inside one duty
   stretch of the officer (overtime extends it), start within the scheduled shift and never
   while one of the officer's breaks is due, and at no moment are more officers on trips than
   on duty. A dispatcher's tasks (allocations and
   reviews) never overlap and lie inside duty. Support workers: one call at a time inside
   duty, only answered calls of their groups' types, and a handler keeps a listed call only
   when no worker taking it is on duty and free.
4. Queue discipline (check_queue_discipline, ``simple`` scenarios): by grade then age, and
   work-conserving.
5. Reproducibility: the same seed gives identical tables; other officers leave the first calls
   and their drawn attributes unchanged (common random numbers).
6. KPIs (check_kpis): shares in [0, 1] or NaN, counts non-negative integers agreeing with
   the records, officer utilisation in [0, 1], none infinite.

The default run draws about 300 scenarios in all; ``-m slow`` runs every property on many more.
Faults the properties found (and since fixed) are pinned by regression tests at the end. The
strategy is in tests/helpers/strategies.py, the checks in tests/helpers/dispatch_invariants.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings

from controlroom_sim.config.schema import Scenario
from controlroom_sim.config.vocabulary import (
    RESPONSE_GRADES,
)
from controlroom_sim.model import simulate
from controlroom_sim.model.records import RunRecords
from tests.helpers.dispatch_invariants import (
    Run,
    check_all,
    check_common_random_numbers,
    check_dispatchers,
    check_grading,
    check_incidents,
    check_kpis,
    check_officers,
    check_queue_discipline,
    check_same_seed,
    check_support,
)
from tests.helpers.invariants import check_callbacks, check_counts, check_handlers, check_outcomes
from tests.helpers.strategies import (
    dispatch_scenario_data,
    dispatch_scenarios,
    replications,
    simple_scenarios,
    staffed_groups,
)
from tests.helpers.traces import fixed

COMMON: dict[str, Any] = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much],
}


def _settings(n: int) -> settings:
    return settings(max_examples=n, **COMMON)


def run(scenario: Scenario, replication: int) -> RunRecords:
    records = simulate(scenario, replication)
    assert records.incidents is not None
    note(
        f"{len(records.calls)} calls, {len(records.incidents)} incidents, "
        f"{len(records.officers) if records.officers is not None else 0} officers"
    )
    return records


# --- the tests -----------------------------------------------------------------------------------


@_settings(80)
@given(scenario=dispatch_scenarios, replication=replications)
def test_grading_and_incidents(scenario: Scenario, replication: int) -> None:
    """Properties 1 and 2: grades as the rules say; incidents from graded calls, raised when
    the caller's part ends, with ordered and consistent moments (check_grading,
    check_incidents and the checks they call)."""
    x = Run(scenario, run(scenario, replication))
    check_grading(x)
    check_incidents(x)


@_settings(70)
@given(scenario=dispatch_scenarios, replication=replications)
def test_officers_dispatchers_and_support_workers(scenario: Scenario, replication: int) -> None:
    """Property 3: one incident (allocation, call) at a time, inside duty, never more busy
    than on duty; support workers take the calls they should. The call side's invariants of
    test_properties.py still hold with grading, dispatch, repeat calls and handovers."""
    r = run(scenario, replication)
    x = Run(scenario, r)
    check_officers(x)
    check_dispatchers(x)
    check_support(x)
    check_outcomes(scenario, r)
    check_counts(scenario, r)
    check_callbacks(scenario, r)
    check_handlers(scenario, r)


@_settings(70)
@given(scenario=simple_scenarios, replication=replications)
def test_queue_discipline_without_diversion_appointments_or_reassessment(
    scenario: Scenario, replication: int
) -> None:
    """Property 4 (check_queue_discipline), with every other property on the same runs."""
    x = check_all(scenario, run(scenario, replication))
    check_queue_discipline(x)


@_settings(25)
@given(
    data=dispatch_scenario_data(),
    officers=staffed_groups("others", 6),
    replication=replications,
)
def test_same_seed_and_common_random_numbers(
    data: dict[str, Any], officers: list[dict[str, Any]], replication: int
) -> None:
    """Property 5: the same seed gives the same tables; other officers leave the first calls
    and their drawn attributes unchanged (check_same_seed, check_common_random_numbers)."""
    scenario = Scenario.model_validate(data)
    r = run(scenario, replication)
    check_same_seed(scenario, replication, r)
    other = Scenario.model_validate({**data, "officers": officers})
    check_common_random_numbers(r, run(other, replication))


@_settings(50)
@given(scenario=dispatch_scenarios, replication=replications)
def test_kpis_well_formed(scenario: Scenario, replication: int) -> None:
    """Property 6 (check_kpis)."""
    check_kpis(Run(scenario, run(scenario, replication)))


@pytest.mark.slow
@_settings(600)
@given(scenario=dispatch_scenarios, replication=replications)
def test_all_dispatch_properties_many_scenarios(scenario: Scenario, replication: int) -> None:
    """Every property above on many more scenarios (run with ``-m slow``)."""
    r = run(scenario, replication)
    check_all(scenario, r)
    check_outcomes(scenario, r)
    check_counts(scenario, r)
    check_callbacks(scenario, r)
    check_handlers(scenario, r)
    check_same_seed(scenario, replication, r)


@pytest.mark.slow
@_settings(300)
@given(scenario=simple_scenarios, replication=replications)
def test_queue_discipline_many_scenarios(scenario: Scenario, replication: int) -> None:
    """Property 4 on many more scenarios (run with ``-m slow``)."""
    check_queue_discipline(check_all(scenario, run(scenario, replication)))


# --- regressions: faults the properties found (fixed) ---------------------------------------


def _trace_scenario(**dispatch: Any) -> dict[str, Any]:
    """A small scenario: 999 calls of high risk (talk 100 s), 101 calls of low risk (talk
    200 s), five handlers, travel 600 s, on scene 1200 s, one officer around the clock."""
    return {
        "scenario": {"name": "regression", "days": 1.0, "warmup_hours": 0.0},
        "channels": {
            "999": {"calls_per_day": 0.0, "talk_s": fixed(100.0)},
            "101": {"calls_per_day": 0.0, "talk_s": fixed(200.0)},
        },
        "handlers": [{"name": "h", "skills": ["999", "101"], "count": 5}],
        "call_types": [
            {"name": "e", "share": {"999": 1.0}, "risk": {"high": 1.0}},
            {"name": "s", "share": {"101": 1.0}, "risk": {"low": 1.0}},
        ],
        "dispatch": {
            "travel_s": fixed(600.0),
            "on_scene_s": {g: fixed(1200.0) for g in RESPONSE_GRADES},
            **dispatch,
        },
        "officers": [{"name": "o", "count": 1}],
    }


def test_call_types_with_no_calls_do_not_crash() -> None:
    """A valid scenario never makes the model raise: with [[call_types]] and no call made in
    the run (no demand, or a short run that draws no arrival) the records are built, empty
    (once an empty reshape in the grading columns raised)."""
    data = _trace_scenario()
    del data["dispatch"], data["officers"]
    r = simulate(Scenario.model_validate(data), 0)
    assert len(r.calls) == 0


def test_diversion_takes_no_officer_past_the_shift_end() -> None:
    """Officers keep the handlers' rota rules (docs/model.md): one whose shift ends
    mid-incident finishes it and takes no new work, so it cannot be diverted. With
    ``divert = true``, one officer on 00:00-01:00: a scheduled incident (101 call at 3000 s,
    raised at 3200 s) is allocated at 3200 s; the shift ends at 3600 s during the travel; the
    emergency raised at 3650 s (999 call at 3550 s) is not given that officer: it waits for
    the next day's shift at 24:00, and the scheduled incident is attended as planned."""
    data = _trace_scenario(divert=True)
    data["officers"] = [{"name": "o", "shifts": [{"start": "00:00", "hours": 1.0, "count": 1}]}]
    r = simulate(Scenario.model_validate(data), 0, arrival_times={"101": [3000.0], "999": [3550.0]})
    assert r.incidents is not None and r.officers is not None
    scheduled, emergency = r.incidents.iloc[0], r.incidents.iloc[1]
    assert emergency["grade"] == "emergency"
    assert scheduled["allocated_s"] == 3200.0 and scheduled["diversions"] == 0
    assert scheduled["arrived_s"] == 3800.0
    assert emergency["allocated_s"] == 86400.0
    first = r.officers.iloc[0]
    late = (r.incidents["officer_id"] == first["officer_id"]) & (
        r.incidents["allocated_s"] > first["scheduled_end_s"]
    )
    assert not late.any()


def test_appointment_on_a_slot_boundary_does_not_crash() -> None:
    """A valid scenario never makes the model raise: with ``earliest_hours = 0`` a scheduled
    incident raised on a slot boundary books that slot, whose start ``slot × slot_s − origin``
    can round to one ulp before ``now`` (once a negative timer delay); the appointment is then
    ``now``. Here a fractional warm-up (0.123456789 h) and a 101 call at 244.44444039999513 s
    (talk 200 s)."""
    data = _trace_scenario(appointments={"per_slot": 1, "earliest_hours": 0.0})
    data["scenario"]["warmup_hours"] = 0.123456789
    r = simulate(Scenario.model_validate(data), 0, arrival_times={"101": [244.44444039999513]})
    assert r.incidents is not None
    assert r.incidents["appointment_s"].iloc[0] >= r.incidents["created_s"].iloc[0]


def test_diversion_takes_no_officer_due_a_break() -> None:
    """Officers keep the handlers' rota rules (docs/model.md): a break due while busy starts
    when the work in hand ends, and no new work is taken meanwhile (as at a shift end, which
    now rules out a diversion). With ``divert = true``, one officer on 00:00-08:00 with a
    30-minute break after 1 hour: a scheduled incident (101 call at 3000 s, raised at 3200 s)
    is allocated at 3200 s; the break falls due at 3600 s during the travel; the emergency
    raised at 3650 s (999 call at 3550 s) is not given this officer (once it was, and the
    break came only after the emergency): the officer reaches the scheduled incident at 3800 s
    and takes the break after it."""
    data = _trace_scenario(divert=True)
    data["officers"] = [
        {
            "name": "o",
            "shifts": [
                {
                    "start": "00:00",
                    "hours": 8.0,
                    "count": 1,
                    "breaks": [{"after_hours": 1.0, "minutes": 30.0}],
                }
            ],
        }
    ]
    r = simulate(Scenario.model_validate(data), 0, arrival_times={"101": [3000.0], "999": [3550.0]})
    assert r.incidents is not None and r.officer_duty is not None
    emergency = r.incidents.iloc[1]
    assert emergency["grade"] == "emergency"
    due = 3600.0
    stretch = r.officer_duty[(r.officer_duty["start_s"] <= due) & (r.officer_duty["end_s"] > due)]
    assert len(stretch) == 1
    taken = r.incidents["allocated_s"]
    assert not ((taken > due) & (taken < stretch["end_s"].iloc[0])).any()
