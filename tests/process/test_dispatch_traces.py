"""Exact-trace tests of grading, dispatch, support workers and failure demand.

Every exact test builds a small scenario with FIXED durations and deterministic call types
(each channel carries one call type whose risk table puts all its weight on one level), runs
one replication with GIVEN first-call arrival times and asserts the exact trace: grades, when
each incident was created, allocated, reached and cleared, appointments, diversions,
suppression, upgrades, repeat calls and support-worker stints. Two seeded statistical tests at
the end check directions of effects over several replications, with generous margins.

Clock: ``warmup_hours = 0`` and ``start_weekday = "monday"``, so simulation time 0 is Monday
00:00 and ``13 * H`` is 13:00. Unless a test says otherwise: 999 talk 100 s, 101 talk 200 s, no
wrap-up, five handlers taking both channels (so every call is answered the moment it is made),
travel 600 s, on scene 1200 s (emergency), 1800 s (priority), 2400 s (scheduled), one officer
on duty around the clock. Each test's docstring names the behaviour it pins.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pytest

from controlroom_sim.analysis.intervals import interval_table
from controlroom_sim.analysis.kpis import replication_kpis
from controlroom_sim.config.schema import Scenario
from controlroom_sim.model import simulate
from controlroom_sim.model.records import RunRecords
from tests.helpers.traces import H, assert_call, fixed, plain, rows, run

TALK_999 = 100.0
TALK_101 = 200.0
TRAVEL = 600.0
ON_SCENE = {"emergency": 1200.0, "priority": 1800.0, "scheduled": 2400.0}
CHECK_NAMES = ("repeat_check", "vulnerability_check", "risk_assessment", "advice")
_DEFAULT: Any = object()


# --- helpers ---------------------------------------------------------------------------------


def ctype(name: str, channel: str, risk: str, **extra: Any) -> dict[str, Any]:
    """A call type that is all of ``channel``'s calls, with true risk ``risk`` for certain."""
    return {"name": name, "share": {channel: 1.0}, "risk": {risk: 1.0}, **extra}


DEFAULT_TYPES = [ctype("e", "999", "high"), ctype("p", "101", "medium")]


def dispatch_spec(**extra: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "travel_s": fixed(TRAVEL),
        "on_scene_s": {grade: fixed(s) for grade, s in ON_SCENE.items()},
    }
    spec.update(extra)
    return spec


def build(
    *,
    types: Sequence[dict[str, Any]] = DEFAULT_TYPES,
    thrive: dict[str, Any] | None = None,
    dispatch: dict[str, Any] | None = _DEFAULT,
    officers: Sequence[dict[str, Any]] | None = None,
    support: Sequence[dict[str, Any]] = (),
    handlers: int = 5,
    patience: float | None = None,
    days: float = 1.0,
    seed: int = 1,
) -> Scenario:
    """A trace scenario (see the module docstring for the defaults)."""
    channels: dict[str, Any] = {
        "999": {"calls_per_day": 0.0, "talk_s": fixed(TALK_999)},
        "101": {"calls_per_day": 0.0, "talk_s": fixed(TALK_101)},
    }
    if patience is not None:
        for spec in channels.values():
            spec["patience_s"] = fixed(patience)
    data: dict[str, Any] = {
        "scenario": {
            "name": "dispatch-trace",
            "days": days,
            "warmup_hours": 0.0,
            "cooldown_hours": 0.0,
            "start_weekday": "monday",
            "replications": 1,
            "seed": seed,
        },
        "channels": channels,
        "handlers": [{"name": "h", "skills": ["999", "101"], "count": handlers}],
        "call_types": copy.deepcopy(list(types)),
    }
    if thrive is not None:
        data["thrive"] = thrive
    if dispatch is _DEFAULT:
        dispatch = dispatch_spec()
    if dispatch is not None:
        data["dispatch"] = dispatch
        data["officers"] = list(officers) if officers is not None else [{"name": "o", "count": 1}]
    if support:
        data["support_workers"] = list(support)
    return Scenario.model_validate(data)


def incident(records: RunRecords, call_id: int, keys: Iterable[str]) -> dict[str, Any]:
    """The named fields of the incident raised from call ``call_id``, NaN as None."""
    assert records.incidents is not None
    own = records.incidents[records.incidents["call_id"] == call_id]
    assert len(own) == 1, f"expected one incident from call {call_id}, found {len(own)}"
    row = own.iloc[0]
    return {k: plain(row[k]) for k in keys}


def assert_incident(records: RunRecords, call_id: int, **expected: Any) -> None:
    assert incident(records, call_id, expected) == expected, f"incident of call {call_id}"


def incident_call_ids(records: RunRecords) -> list[int]:
    assert records.incidents is not None
    return records.incidents["call_id"].tolist()


def trip(call_s: float, created: float, allocated: float, grade: str) -> dict[str, float]:
    """Expected times of an incident that is allocated at ``allocated``: travel, then on scene."""
    arrived = allocated + TRAVEL
    return dict(
        call_s=call_s,
        created_s=created,
        allocated_s=allocated,
        arrived_s=arrived,
        cleared_s=arrived + ON_SCENE[grade],
    )


def checks(skip: float, names: Sequence[str] = CHECK_NAMES, times: Sequence[float] = ()) -> dict:
    """THRIVE sub-tasks ``names`` with fixed times (10 s each unless given) and one skip
    probability."""
    times = list(times) or [10.0] * len(names)
    return {
        name: {"time_s": fixed(t), "skip_probability": skip}
        for name, t in zip(names, times, strict=True)
    }


# --- 1. Grading --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("risk", "grade"),
    [
        ("high", "emergency"),
        ("medium", "priority"),
        ("low", "scheduled"),
        ("none", "resolved"),
    ],
)
def test_type_true_risk_and_grade_of_a_call_without_thrive(risk: str, grade: str) -> None:
    """Without [thrive] a call's type comes from its channel's mix, its true risk from the
    type's table, and its grade follows the risk exactly (high: emergency, medium: priority,
    low: scheduled, none: resolved); no time is added to the talk, and only response grades
    raise an incident."""
    sc = build(types=[ctype("e", "999", "high"), ctype("x", "101", risk)])
    r = run(sc, t999=[10], t101=[20])
    assert_call(
        r,
        0,
        channel="999",
        call_type="e",
        true_risk="high",
        assessed_risk="high",
        grade="emergency",
        vulnerable=False,
        repeat_victim=False,
        talk_s=TALK_999,
        checks_s=0.0,
    )
    assert_call(
        r,
        1,
        channel="101",
        call_type="x",
        true_risk=risk,
        assessed_risk=risk,
        grade=grade,
        talk_s=TALK_101,
        end_s=20.0 + TALK_101,
        **{f"{name}_done": True for name in CHECK_NAMES},
    )
    expected = [0, 1] if grade != "resolved" else [0]
    assert incident_call_ids(r) == expected


def test_done_checks_add_their_fixed_times_to_the_talk_time() -> None:
    """THRIVE sub-tasks with skip_probability 0 are all done: their fixed times (10 + 20 + 30
    + 40 s) are added to the talk time, so the call, the handler's stint and the incident's
    creation all move by checks_s; the grade is unchanged."""
    sc = build(thrive={**checks(0.0, times=(10, 20, 30, 40)), "miss_probability": 1.0})
    r = run(sc, t101=[50])
    assert_call(
        r,
        0,
        grade="priority",
        assessed_risk="medium",
        checks_s=100.0,
        talk_s=TALK_101 + 100.0,
        answered_s=50.0,
        end_s=50.0 + TALK_101 + 100.0,
        wrap_end_s=50.0 + TALK_101 + 100.0,
        **{f"{name}_done": True for name in CHECK_NAMES},
    )
    assert rows(r.work, ["call_id", "start_s", "end_s"]) == [(0, 50.0, 350.0)]
    assert_incident(r, 0, created_s=350.0, allocated_s=350.0)


@pytest.mark.parametrize(
    ("names", "vulnerable", "repeat", "miss", "assessed", "grade"),
    [
        # All four skipped, a vulnerable repeat victim: repeat, vulnerability and risk
        # assessment each miss one level (advice never does): high -> none.
        (CHECK_NAMES, 1.0, 1.0, 1.0, "none", "resolved"),
        # Without a risk assessment sub-task only the two factor checks miss: high -> low.
        (("repeat_check", "vulnerability_check", "advice"), 1.0, 1.0, 1.0, "low", "scheduled"),
        # Nobody vulnerable or repeat: only the skipped risk assessment misses: one level.
        (CHECK_NAMES, 0.0, 0.0, 1.0, "medium", "priority"),
        # Skipping the factor checks misses nothing when the factors are absent.
        (("repeat_check", "vulnerability_check"), 0.0, 0.0, 1.0, "high", "emergency"),
        # Skipping advice alone never lowers the risk.
        (("advice",), 1.0, 1.0, 1.0, "high", "emergency"),
        # miss_probability 0: skipped checks cost nothing in the grade.
        (CHECK_NAMES, 1.0, 1.0, 0.0, "high", "emergency"),
    ],
)
def test_skipped_checks_lower_the_assessed_risk_per_missed_factor(
    names: Sequence[str],
    vulnerable: float,
    repeat: float,
    miss: float,
    assessed: str,
    grade: str,
) -> None:
    """skip_probability 1 skips every modelled sub-task (no time is added, ``*_done`` False);
    with miss_probability 1 each skipped check whose risk factor is present lowers the
    assessed risk one level (repeat check: repeat victim; vulnerability check: vulnerable;
    risk assessment: anyone; advice: never), down to 'none'. A vulnerable repeat victim at high
    risk is assessed three levels lower with all checks skipped, two without the risk
    assessment sub-task."""
    victim = ctype(
        "v",
        "999",
        "high",
        vulnerable_probability=vulnerable,
        repeat_victim_probability=repeat,
    )
    sc = build(
        types=[victim, ctype("p", "101", "medium")],
        thrive={**checks(1.0, names), "miss_probability": miss},
    )
    r = run(sc, t999=[0])
    done = {f"{name}_done": name not in names for name in CHECK_NAMES}
    assert_call(
        r,
        0,
        call_type="v",
        true_risk="high",
        vulnerable=bool(vulnerable),
        repeat_victim=bool(repeat),
        assessed_risk=assessed,
        grade=grade,
        checks_s=0.0,
        talk_s=TALK_999,
        end_s=TALK_999,
        **done,
    )
    expected_incidents = [] if grade == "resolved" else [0]
    assert incident_call_ids(r) == expected_incidents
    if expected_incidents:
        assert_incident(r, 0, grade=grade, true_risk_at_call="high")


@pytest.mark.parametrize(
    ("risk", "refer", "thrive", "assessed", "grade"),
    [
        ("none", 1.0, False, "none", "referred"),
        ("none", 0.0, False, "none", "resolved"),
        # Referral is only for calls assessed as needing no police action.
        ("high", 1.0, False, "high", "emergency"),
        ("low", 1.0, False, "low", "scheduled"),
        # A call missed down to 'none' is referred too.
        ("medium", 1.0, True, "none", "referred"),
    ],
)
def test_referral_with_refer_probability_one_for_assessed_risk_none(
    risk: str, refer: float, thrive: bool, assessed: str, grade: str
) -> None:
    """A call assessed at risk 'none' is referred to a partner with the type's
    refer_probability (1: always, 0: resolved); a call assessed above 'none' is never
    referred; neither referred nor resolved calls raise an incident."""
    types = [ctype("e", "999", "high"), ctype("x", "101", risk, refer_probability=refer)]
    spec = None
    if thrive:  # vulnerable, repeat victim, everything skipped: three levels lower
        types[1].update(vulnerable_probability=1.0, repeat_victim_probability=1.0)
        spec = {**checks(1.0), "miss_probability": 1.0}
    r = run(build(types=types, thrive=spec), t101=[0])
    assert_call(r, 0, true_risk=risk, assessed_risk=assessed, grade=grade)
    assert incident_call_ids(r) == ([0] if grade in ON_SCENE else [])


def test_abandoned_call_has_type_and_risk_but_no_grade_columns() -> None:
    """A call that is never answered is typed (call_type, true_risk, flags are drawn at
    arrival) but not graded: assessed_risk, grade, the ``*_done`` columns and checks_s are
    missing (NaN / NA), it raises no incident, and grading KPIs count only graded calls."""
    sc = build(
        handlers=1,
        patience=50.0,
        thrive={**checks(0.0), "miss_probability": 0.0},
    )
    r = run(sc, t999=[0, 10])
    assert_call(r, 0, outcome="answered", grade="emergency", checks_s=40.0)
    assert_call(
        r,
        1,
        outcome="abandoned",
        abandoned_s=60.0,
        call_type="e",
        true_risk="high",
        vulnerable=False,
        assessed_risk=None,
        grade=None,
        checks_s=None,
        **{f"{name}_done": None for name in CHECK_NAMES},
    )
    assert incident_call_ids(r) == [0]
    kpis = replication_kpis(r, sc)
    assert kpis["graded_emergency"] == 1.0
    assert kpis["true_emergencies_graded_lower"] == 0.0


# --- 2. Dispatch order and attendance ---------------------------------------------------------


def test_incident_is_created_at_talk_end_then_travel_then_on_scene() -> None:
    """An incident is created when the call's talk ends (created_s = answered_s + talk_s, not
    arrival + talk: here the second caller waits for the only handler), an idle officer is
    allocated at once, arrives after travel_s and clears after on_scene_s of its grade; the
    attendance target and due time run from the call being made."""
    sc = build(handlers=1, officers=[{"name": "o", "count": 2}])
    r = run(sc, t101=[0, 50])
    assert_call(r, 1, answered_s=200.0, end_s=400.0)
    assert_incident(
        r,
        0,
        grade="priority",
        officer_id=0,
        travel_s=TRAVEL,
        on_scene_s=ON_SCENE["priority"],
        target_s=3600.0,
        due_s=3600.0,
        **trip(0.0, 200.0, 200.0, "priority"),
    )
    assert_incident(
        r,
        1,
        officer_id=1,
        target_s=3600.0,
        due_s=3650.0,
        **trip(50.0, 400.0, 400.0, "priority"),
    )


def _order_run() -> tuple[Scenario, RunRecords]:
    # 101 calls at 0, 100, 150 (priority, created at 200, 300, 350); 999 calls at 1000 and
    # 1200 (emergency, created at 1100 and 1300). One officer, busy with the first until 2600.
    sc = build()
    return sc, run(sc, t101=[0, 100, 150], t999=[1000, 1200])


def test_emergencies_before_older_priority_and_oldest_first_within_a_grade() -> None:
    """With the only officer busy, the dispatch queue is served by grade, then age: the two
    later emergencies go before the two earlier priority incidents, and within each grade the
    oldest (earliest created) goes first. Each allocation happens the moment the officer
    clears the previous incident; arrival = allocation + travel, clear = arrival + on scene."""
    _, r = _order_run()
    assert_incident(r, 0, officer_id=0, **trip(0.0, 200.0, 200.0, "priority"))
    assert_incident(r, 3, **trip(1000.0, 1100.0, 2600.0, "emergency"))
    assert_incident(r, 4, **trip(1200.0, 1300.0, 4400.0, "emergency"))
    assert_incident(r, 1, **trip(100.0, 300.0, 6200.0, "priority"))
    assert_incident(r, 2, **trip(150.0, 350.0, 8600.0, "priority"))


def test_attendance_from_receipt_and_from_allocation() -> None:
    """Attendance is timed from call receipt (arrived_s - call arrival) and from allocation
    (arrived_s - allocated_s); the within-target shares compare the former with due_s = call
    + target (15 min emergency, 60 min priority) and the latter with the target."""
    sc, r = _order_run()
    kpis = replication_kpis(r, sc)
    assert kpis["incidents_emergency"] == 2.0
    assert kpis["incidents_priority"] == 3.0
    assert kpis["mean_attendance_min_emergency"] == pytest.approx((2200 + 3800) / 2 / 60)
    assert kpis["mean_attendance_min_priority"] == pytest.approx((800 + 6700 + 9050) / 3 / 60)
    assert kpis["mean_attendance_min_from_allocation_emergency"] == pytest.approx(10.0)
    assert kpis["mean_attendance_min_from_allocation_priority"] == pytest.approx(10.0)
    assert kpis["attendance_within_target_emergency"] == 0.0
    assert kpis["attendance_within_target_priority"] == pytest.approx(1 / 3)
    assert kpis["attendance_within_target_from_allocation_emergency"] == 1.0
    assert kpis["mean_attendance_min_true_high"] == pytest.approx((2200 + 3800) / 2 / 60)
    assert kpis["unattended_emergency"] == 0.0


def test_officer_whose_shift_ends_mid_incident_finishes_it_with_overtime() -> None:
    """An officer whose shift (00:00-01:00) ends while on scene finishes the incident (cleared
    at 4600, 1000 s past the end: overtime in the officers table, duty up to 4600) and takes
    no more work; the next waiting incident goes to the officer of the 05:00 shift."""
    officers = [
        {
            "name": "o",
            "shifts": [
                {"start": "00:00", "hours": 1.0, "count": 1},
                {"start": "05:00", "hours": 1.0, "count": 1},
            ],
        }
    ]
    r = run(build(officers=officers), t101=[2000, 2100])
    assert_incident(r, 0, officer_id=0, **trip(2000.0, 2200.0, 2200.0, "priority"))
    assert_incident(r, 1, officer_id=1, **trip(2100.0, 2300.0, 5 * H, "priority"))
    assert r.officers is not None and r.officer_duty is not None
    table = r.officers.set_index("officer_id")
    assert plain(table.loc[0, "scheduled_end_s"]) == H
    assert plain(table.loc[0, "actual_end_s"]) == 4600.0
    assert plain(table.loc[0, "overtime_s"]) == 1000.0
    assert plain(table.loc[1, "overtime_s"]) == 0.0
    duty = r.officer_duty.sort_values(["officer_id", "start_s"])
    assert rows(duty, ["officer_id", "start_s", "end_s"]) == [(0, 0.0, 4600.0), (1, 5 * H, 6 * H)]


# --- 3. Diversion ------------------------------------------------------------------------------


@pytest.mark.parametrize("divert", [True, False])
def test_emergency_takes_the_officer_travelling_to_a_priority_incident(divert: bool) -> None:
    """``divert = true``: an emergency raised (at 400) while the only officer is travelling to
    a priority incident (allocated at 200) takes that officer at once; the priority incident
    goes back to the queue with diversions = 1 and keeps its age, so it goes before a younger
    priority incident when the officer clears the emergency. ``divert = false``: the
    emergency waits for the officer to clear the priority incident."""
    sc = build(dispatch=dispatch_spec(divert=divert))
    r = run(sc, t101=[0, 100], t999=[300])
    if divert:
        assert_incident(r, 2, diversions=0, officer_id=0, **trip(300.0, 400.0, 400.0, "emergency"))
        assert_incident(r, 0, diversions=1, officer_id=0, **trip(0.0, 200.0, 2200.0, "priority"))
        assert_incident(r, 1, diversions=0, **trip(100.0, 300.0, 4600.0, "priority"))
        assert replication_kpis(r, sc)["diversions"] == 1.0
    else:
        assert_incident(r, 0, diversions=0, **trip(0.0, 200.0, 200.0, "priority"))
        assert_incident(r, 2, diversions=0, **trip(300.0, 400.0, 2600.0, "emergency"))
        assert_incident(r, 1, diversions=0, **trip(100.0, 300.0, 4400.0, "priority"))
        assert replication_kpis(r, sc)["diversions"] == 0.0


def test_emergency_is_not_diverted_from_another_emergency() -> None:
    """An emergency raised while the only officer travels to another emergency waits: no
    officer is taken off an emergency."""
    r = run(build(dispatch=dispatch_spec(divert=True)), t999=[0, 200])
    assert_incident(r, 0, diversions=0, **trip(0.0, 100.0, 100.0, "emergency"))
    assert_incident(r, 1, diversions=0, **trip(200.0, 300.0, 1900.0, "emergency"))


def test_emergency_is_not_diverted_from_an_officer_on_scene() -> None:
    """Diversion takes officers who are travelling, not those already on scene: an emergency
    raised (at 1100) after the officer reached a priority incident (at 800) waits."""
    r = run(build(dispatch=dispatch_spec(divert=True)), t101=[0], t999=[1000])
    assert_incident(r, 0, diversions=0, **trip(0.0, 200.0, 200.0, "priority"))
    assert_incident(r, 1, diversions=0, **trip(1000.0, 1100.0, 2600.0, "emergency"))


def test_diverted_incident_reallocated_to_the_same_officer_arrives_after_its_own_travel() -> None:
    """A priority incident with a long (rural, 5000 s) journey is dropped for an urban
    emergency; the officer clears the emergency (at 2200) and sets off to it again. It must
    arrive a full journey after that allocation (7200), not when the first, abandoned journey
    would have ended (5200). Rural or urban is drawn per call, so the test picks the first seed
    whose draws make the priority incident rural and the emergency urban, then asserts the
    exact trace."""
    for seed in range(1, 200):
        sc = build(
            dispatch=dispatch_spec(divert=True, rural_share=0.5, rural_travel_s=fixed(5000.0)),
            seed=seed,
        )
        r = run(sc, t101=[0], t999=[300])
        if incident(r, 0, ["rural"]) == {"rural": True} and incident(r, 1, ["rural"]) == {
            "rural": False
        }:
            break
    else:  # pragma: no cover - the draws make this practically impossible
        pytest.fail("no seed gave a rural priority incident and an urban emergency")
    assert_incident(r, 1, allocated_s=400.0, arrived_s=1000.0, cleared_s=2200.0)
    assert_incident(
        r, 0, diversions=1, allocated_s=2200.0, arrived_s=7200.0, cleared_s=7200.0 + 1800.0
    )


# --- 4. Appointments --------------------------------------------------------------------------


def _appointment_scenario(per_slot: int) -> Scenario:
    return build(
        types=[ctype("e", "999", "high"), ctype("s", "101", "low")],
        dispatch=dispatch_spec(
            appointments={
                "earliest_hours": 2.0,
                "slot_hours": 1.0,
                "per_slot": per_slot,
                "target_hours": 1.0,
            }
        ),
    )


def test_scheduled_incident_books_the_first_slot_with_capacity_and_joins_at_its_start() -> None:
    """A scheduled incident created at 200 books the first slot starting at least 2 h later
    (03:00 = 10800); with per_slot = 1 the next one (created at 300) is pushed to 04:00. Each
    waits, with the officer idle, until its slot starts, then joins the queue (and is
    allocated at once); due_s = appointment + target (1 h), and target_s is the target."""
    sc = _appointment_scenario(per_slot=1)
    r = run(sc, t101=[0, 100])
    assert_incident(
        r,
        0,
        grade="scheduled",
        appointment_s=3 * H,
        target_s=H,
        due_s=4 * H,
        **trip(0.0, 200.0, 3 * H, "scheduled"),
    )
    assert_incident(
        r,
        1,
        grade="scheduled",
        appointment_s=4 * H,
        target_s=H,
        due_s=5 * H,
        **trip(100.0, 300.0, 4 * H, "scheduled"),
    )
    kpis = replication_kpis(r, sc)
    assert kpis["mean_appointment_wait_hours"] == pytest.approx((3 * H - 200 + 4 * H - 300) / 2 / H)
    assert kpis["attendance_within_target_scheduled"] == 1.0


def test_appointment_slot_capacity_boundary_and_queueing_at_the_slot() -> None:
    """With per_slot = 2 two incidents share the 03:00 slot, and one created exactly at 01:00
    (earliest = exactly 03:00, 'at least' includes it) finds it full and books 04:00. At 03:00
    both join the queue: the older goes first, the other waits for the officer (allocated at
    13800, arriving 14400 = its due time: on time)."""
    sc = _appointment_scenario(per_slot=2)
    r = run(sc, t101=[0, 100, H - TALK_101])
    assert_incident(r, 0, appointment_s=3 * H, due_s=4 * H, **trip(0.0, 200.0, 3 * H, "scheduled"))
    assert_incident(
        r, 1, appointment_s=3 * H, due_s=4 * H, **trip(100.0, 300.0, 13800.0, "scheduled")
    )
    assert_incident(
        r, 2, appointment_s=4 * H, due_s=5 * H, **trip(H - TALK_101, H, 16800.0, "scheduled")
    )
    assert replication_kpis(r, sc)["attendance_within_target_scheduled"] == 1.0


# --- 5. Demand suppression --------------------------------------------------------------------


def _suppression_scenario(threshold: int | None) -> Scenario:
    extra = {}
    if threshold is not None:
        extra["suppression"] = {"backlog_threshold": threshold, "share": 1.0}
    return build(dispatch=dispatch_spec(**extra))


def test_emergency_raised_over_a_backlog_is_lowered_to_priority() -> None:
    """backlog_threshold = 0, share = 1: an emergency raised (at 500) while another incident
    waits is lowered one step to priority: ``suppressed`` True, grade and the call's grade
    priority, the priority on-scene time, and it queues behind the
    older priority incident. The first two incidents, raised with nothing waiting, keep their
    grades. True-risk KPIs show the harm: the true emergency waited 5200 s from the call."""
    sc = _suppression_scenario(0)
    r = run(sc, t101=[0, 100], t999=[400])
    assert_incident(r, 0, suppressed=False, **trip(0.0, 200.0, 200.0, "priority"))
    assert_incident(r, 1, suppressed=False, **trip(100.0, 300.0, 2600.0, "priority"))
    assert_incident(
        r,
        2,
        suppressed=True,
        grade="priority",
        true_risk_at_call="high",
        on_scene_s=ON_SCENE["priority"],
        target_s=3600.0,
        due_s=4000.0,
        **trip(400.0, 500.0, 5000.0, "priority"),
    )
    assert_call(r, 2, grade="priority", true_risk="high")
    kpis = replication_kpis(r, sc)
    assert kpis["incidents_emergency"] == 0.0
    assert kpis["suppressed_share"] == pytest.approx(1 / 3)
    assert kpis["true_emergencies_graded_lower"] == 1.0
    assert kpis["mean_attendance_min_true_high"] == pytest.approx(5200 / 60)


@pytest.mark.parametrize("threshold", [None, 1])
def test_no_suppression_without_the_section_or_at_the_threshold(threshold: int | None) -> None:
    """Without [dispatch.suppression], or when the backlog (1 waiting) does not exceed the
    threshold (1), the emergency keeps its grade and goes before the older priority incident:
    true-high attendance 2800 s from the call."""
    sc = _suppression_scenario(threshold)
    r = run(sc, t101=[0, 100], t999=[400])
    assert_incident(
        r, 2, suppressed=False, grade="emergency", **trip(400.0, 500.0, 2600.0, "emergency")
    )
    assert_incident(r, 1, **trip(100.0, 300.0, 4400.0, "priority"))
    kpis = replication_kpis(r, sc)
    assert kpis["true_emergencies_graded_lower"] == 0.0
    assert kpis["mean_attendance_min_true_high"] == pytest.approx(2800 / 60)


# --- 6. Escalation and reassessment -----------------------------------------------------------

# The officer comes on at 04:30, so incidents wait through the reviews at 01:00 ... 04:00.
LATE_OFFICER = [{"name": "o", "shifts": [{"start": "04:30", "hours": 8.0, "count": 1}]}]
# review_s is uniform 60-180 s: review_hours counts its mean (120 s) per review.
REVIEW = {"every_hours": 1.0, "review_s": {"dist": "uniform", "low": 60.0, "high": 180.0}}
# Which grade's on-scene time an upgraded incident uses is not pinned: all grades take 1800 s.
EQUAL_ON_SCENE = {grade: fixed(1800.0) for grade in ON_SCENE}


def test_reassessment_upgrades_a_misgraded_incident_which_keeps_its_age() -> None:
    """A vulnerable repeat victim at high risk whose checks were skipped is graded scheduled;
    the review at 01:00 finds its true risk (high) above its grade and upgrades it to
    emergency (upgraded True, original_grade kept, target and due time of an emergency), with
    its created_s unchanged; when the officer comes on at 04:30 it is served before an older
    scheduled incident of true risk low, which no review upgrades. review_hours counts every
    review of a waiting incident (2 at each of 01:00-04:00, 1 at 05:00) × the mean review_s
    (uniform 60-180 s: 120 s).
    On scene 1800 s for every grade here."""
    victim = ctype("x", "999", "high", vulnerable_probability=1.0, repeat_victim_probability=1.0)
    thrive = {**checks(1.0, ("repeat_check", "vulnerability_check")), "miss_probability": 1.0}
    sc = build(
        types=[victim, ctype("s", "101", "low")],
        thrive=thrive,
        dispatch=dispatch_spec(on_scene_s=EQUAL_ON_SCENE, reassessment=REVIEW),
        officers=LATE_OFFICER,
    )
    r = run(sc, t101=[0], t999=[1000])
    assert_call(r, 1, grade="scheduled", assessed_risk="low", true_risk="high")
    assert_incident(
        r,
        1,
        grade="emergency",
        original_grade="scheduled",
        upgraded=True,
        target_s=900.0,
        due_s=1900.0,
        call_s=1000.0,
        created_s=1100.0,
        allocated_s=16200.0,
        arrived_s=16800.0,
        cleared_s=18600.0,
    )
    assert_incident(
        r,
        0,
        grade="scheduled",
        upgraded=False,
        created_s=200.0,
        allocated_s=18600.0,
        arrived_s=19200.0,
        cleared_s=21000.0,
    )
    kpis = replication_kpis(r, sc)
    assert kpis["review_hours"] == pytest.approx(9 * 120.0 / H)
    assert kpis["upgraded_share"] == 0.5


def test_escalated_risk_is_upgraded_at_the_next_review() -> None:
    """With escalation_per_hour = 1e9 the escalation delay (exponential, mean 3.6 µs) is
    practically zero: a waiting incident of true risk low becomes medium at once (escalated_s
    within 1 ms of created_s: the only non-exact assertion); the review at 01:00 upgrades it
    from scheduled to priority (due = call + 60 min), keeping created_s. An incident already
    at high risk never escalates. The officer (on at 04:30) takes the emergency first, then
    the upgraded one (on scene 1800 s for every grade here)."""
    sc = build(
        types=[ctype("e", "999", "high"), ctype("s", "101", "low")],
        dispatch=dispatch_spec(
            escalation_per_hour=1e9, reassessment=REVIEW, on_scene_s=EQUAL_ON_SCENE
        ),
        officers=LATE_OFFICER,
    )
    r = run(sc, t101=[0], t999=[1000])
    low = incident(r, 0, ["created_s", "escalated_s"])
    assert 0.0 <= low["escalated_s"] - low["created_s"] < 1e-3
    assert_incident(
        r,
        0,
        true_risk_at_call="low",
        true_risk="medium",
        original_grade="scheduled",
        grade="priority",
        upgraded=True,
        target_s=3600.0,
        due_s=3600.0,
        call_s=0.0,
        created_s=200.0,
        allocated_s=18600.0,
        arrived_s=19200.0,
        cleared_s=21000.0,
    )
    assert_incident(
        r,
        1,
        true_risk="high",
        escalated_s=None,
        upgraded=False,
        created_s=1100.0,
        allocated_s=16200.0,
        arrived_s=16800.0,
        cleared_s=18600.0,
    )
    kpis = replication_kpis(r, sc)
    assert kpis["escalated_share"] == 0.5
    assert kpis["upgraded_share"] == 0.5


def test_incident_allocated_at_once_never_escalates() -> None:
    """Escalation applies only while an incident waits: one allocated the moment it is raised
    keeps its true risk, however high the escalation rate."""
    sc = build(
        types=[ctype("e", "999", "high"), ctype("s", "101", "low")],
        dispatch=dispatch_spec(escalation_per_hour=1e9),
    )
    r = run(sc, t101=[0])
    assert_incident(r, 0, true_risk="low", escalated_s=None, allocated_s=200.0)


# --- 7. Failure demand ------------------------------------------------------------------------


@pytest.mark.parametrize("officer_late", [True, False])
def test_incident_still_waiting_brings_a_repeat_101_call(officer_late: bool) -> None:
    """waiting_probability = 1, after_wait_hours = 1: a caller whose incident (created at 200)
    is still waiting at created_s + 1 h rings 101 again at exactly 3800: origin 'repeat', same
    caller_id, attempt + 1, the same type and true risk; it takes handler time but raises no
    incident. When the incident was allocated at once there is no repeat call."""
    sc = build(
        dispatch=dispatch_spec(
            failure_demand={"after_wait_hours": 1.0, "waiting_probability": 1.0}
        ),
        officers=LATE_OFFICER if officer_late else None,
    )
    r = run(sc, t101=[0])
    if not officer_late:
        assert len(r.calls) == 1
        return
    assert len(r.calls) == 2
    assert_call(
        r,
        1,
        origin="repeat",
        channel="101",
        caller_id=0,
        attempt=1,
        arrival_s=3800.0,
        answered_s=3800.0,
        end_s=3800.0 + TALK_101,
        outcome="answered",
        call_type="p",
        true_risk="medium",
    )
    assert incident_call_ids(r) == [0]
    assert_incident(r, 0, allocated_s=16200.0)
    assert replication_kpis(r, sc)["repeat_call_share_101"] == 0.5


@pytest.mark.parametrize(("refer", "repeats"), [(0.0, True), (1.0, False)])
def test_resolved_call_brings_a_repeat_call_after_the_delay(refer: float, repeats: bool) -> None:
    """resolved_probability = 1: a call graded resolved brings one repeat 101 call
    resolved_delay_s (1000 s) after its talk ends (at 200 + 1000); the repeat call, though
    graded resolved too, brings no further call. A call referred to a partner is not
    'resolved' and brings none."""
    sc = build(
        types=[ctype("e", "999", "high"), ctype("r", "101", "none", refer_probability=refer)],
        dispatch=dispatch_spec(
            failure_demand={"resolved_probability": 1.0, "resolved_delay_s": fixed(1000.0)}
        ),
    )
    r = run(sc, t101=[0])
    assert incident_call_ids(r) == []
    if not repeats:
        assert len(r.calls) == 1
        assert_call(r, 0, grade="referred")
        return
    assert len(r.calls) == 2
    assert_call(r, 1, origin="repeat", caller_id=0, attempt=1, arrival_s=1200.0, grade="resolved")


# --- 8. Support worker ------------------------------------------------------------------------

WORKER_TALK = 1800.0
HANDOVER = 60.0


def _support_scenario(risk: str = "medium", attendance: float = 0.0) -> Scenario:
    worker = {
        "name": "mind",
        "shifts": [{"start": "13:00", "hours": 10.0, "count": 1}],
        "call_types": ["mh"],
        "handover_s": fixed(HANDOVER),
        "talk_s": fixed(WORKER_TALK),
        "attendance_probability": attendance,
    }
    return build(
        types=[ctype("e", "999", "high"), ctype("mh", "101", risk)],
        support=[worker],
        handlers=1,
        officers=[{"name": "o", "count": 2}],
    )


def test_handler_passes_a_listed_call_to_a_free_worker_and_takes_the_next_call() -> None:
    """A call of a listed type answered (13:01:40) while the worker is free: the handler's
    part lasts handover_s (end_s = wrap_end_s = answered + 60, one work row of that length),
    the worker's row spans answered .. answered + handover + talk, and the handler takes the
    next queued call at answered + handover; the worker, now busy, cannot take that one, so
    the handler keeps it. With attendance_probability 0 the passed call is graded resolved."""
    sc = _support_scenario()
    t0 = 13 * H + 100
    r = run(sc, t101=[t0, t0 + 10])
    assert_call(
        r,
        0,
        answered_s=t0,
        end_s=t0 + HANDOVER,
        wrap_end_s=t0 + HANDOVER,
        support_worker_id=0,
        support_start_s=t0 + HANDOVER,
        support_end_s=t0 + HANDOVER + WORKER_TALK,
        grade="resolved",
    )
    assert_call(
        r,
        1,
        answered_s=t0 + HANDOVER,
        end_s=t0 + HANDOVER + TALK_101,
        support_worker_id=-1,
        support_start_s=None,
        grade="priority",
    )
    assert rows(r.work, ["handler_id", "call_id", "start_s", "end_s"]) == [
        (0, 0, t0, t0 + HANDOVER),
        (0, 1, t0 + HANDOVER, t0 + HANDOVER + TALK_101),
    ]
    assert r.support_work is not None
    assert rows(r.support_work, ["worker_id", "call_id", "start_s", "end_s"]) == [
        (0, 0, t0, t0 + HANDOVER + WORKER_TALK)
    ]
    assert incident_call_ids(r) == [1]
    assert replication_kpis(r, sc)["calls_to_support_worker"] == 1.0


@pytest.mark.parametrize("at", [10 * H, 23 * H + 100])
def test_handler_keeps_the_call_when_no_worker_is_on_duty(at: float) -> None:
    """Outside the worker's shift (13:00-23:00) the handler deals with a listed call as
    usual: talk from the channel, no support fields, graded by the handler."""
    r = run(_support_scenario(), t101=[at])
    assert_call(
        r,
        0,
        answered_s=at,
        end_s=at + TALK_101,
        support_worker_id=-1,
        support_start_s=None,
        support_end_s=None,
        grade="priority",
    )
    assert r.support_work is not None and len(r.support_work) == 0
    assert incident_call_ids(r) == [0]


@pytest.mark.parametrize(
    ("risk", "grade"), [("medium", "priority"), ("high", "emergency"), ("none", "priority")]
)
def test_worker_asking_for_attendance_raises_an_incident_at_the_worker_end(
    risk: str, grade: str
) -> None:
    """attendance_probability 1: when the worker ends the call an incident is raised then
    (created_s = answered + handover + worker talk), keeping the call's response grade, or
    priority when the call was graded resolved."""
    sc = _support_scenario(risk, attendance=1.0)
    t0 = 14 * H
    r = run(sc, t101=[t0])
    end = t0 + HANDOVER + WORKER_TALK
    assert_call(r, 0, support_end_s=end, grade=grade)
    assert_incident(r, 0, grade=grade, officer_id=0, **trip(t0, end, end, grade))


def test_worker_finishes_a_call_past_the_shift_end_with_overtime() -> None:
    """A worker who takes a call at 22:50 finishes it after 23:00 (overtime in the
    support_workers table); a listed call after 23:00 stays with the handler."""
    sc = _support_scenario()
    t0 = 22 * H + 50 * 60
    r = run(sc, t101=[t0, 23 * H + 300])
    assert_call(r, 0, support_worker_id=0, support_end_s=t0 + HANDOVER + WORKER_TALK)
    assert_call(r, 1, support_worker_id=-1)
    assert r.support_workers is not None
    table = r.support_workers.set_index("worker_id")
    assert plain(table.loc[0, "scheduled_end_s"]) == 23 * H
    assert plain(table.loc[0, "overtime_s"]) == t0 + HANDOVER + WORKER_TALK - 23 * H


# --- 9. Statistical behaviour (seeded, directions with margins) ------------------------------


def _poisson_dispatch(suppression: bool, seed: int = 5) -> Scenario:
    dispatch = dispatch_spec(
        travel_s={"dist": "lognormal", "mean": 900.0, "sd": 300.0},
        on_scene_s={
            "emergency": {"dist": "exponential", "mean": 2400.0},
            "priority": {"dist": "exponential", "mean": 2400.0},
            "scheduled": {"dist": "exponential", "mean": 2400.0},
        },
    )
    if suppression:
        dispatch["suppression"] = {"backlog_threshold": 3, "share": 0.7}
    return Scenario.model_validate(
        {
            "scenario": {
                "name": "backlog",
                "days": 2.0,
                "warmup_hours": 0.0,
                "cooldown_hours": 6.0,
                "seed": seed,
            },
            "channels": {
                "999": {"calls_per_day": 40.0, "talk_s": fixed(200.0)},
                "101": {"calls_per_day": 80.0, "talk_s": fixed(300.0)},
            },
            "handlers": [{"name": "h", "skills": ["999", "101"], "count": 4}],
            "call_types": [
                ctype("e", "999", "high"),
                ctype("p", "101", "medium"),
            ],
            "dispatch": dispatch,
            "officers": [{"name": "o", "count": 4}],
        }
    )


def test_demand_suppression_flatters_emergency_attendance_and_hides_true_risk() -> None:
    """Statistical (seed 5, 5 replications, common random numbers; directions with margins,
    no pinned numbers): on a scenario with a real backlog (999 calls all of true high risk,
    101 calls of medium risk, about 120 incidents a day for 4 officers at about 55 min each,
    officer utilisation about 0.97), lowering 70% of emergency and priority grades when more
    than 3 incidents wait makes emergency attendance look better (mean minutes from the call
    for incidents graded emergency falls), while incidents of true high risk are reached
    later on average (suppressed ones queue behind medium-risk priority incidents) and the
    share of true emergencies graded lower rises from 0 in every replication. (Across seeds
    1-15 the 5-replication means ranged -8.5 to -1.9 and +2.9 to +13.8 minutes.)"""
    base, suppressed = _poisson_dispatch(False), _poisson_dispatch(True)
    apparent, true_high, lower = [], [], []
    for rep in range(5):
        k0 = replication_kpis(simulate(base, rep), base)
        k1 = replication_kpis(simulate(suppressed, rep), suppressed)
        assert k0["true_emergencies_graded_lower"] == 0.0
        assert k1["suppressed_share"] > 0.1  # suppression really happened
        apparent.append(k1["mean_attendance_min_emergency"] - k0["mean_attendance_min_emergency"])
        true_high.append(k1["mean_attendance_min_true_high"] - k0["mean_attendance_min_true_high"])
        lower.append(k1["true_emergencies_graded_lower"])
    assert np.mean(apparent) < -1.0  # minutes: emergencies look quicker
    assert np.mean(true_high) > 1.0  # minutes: true emergencies are reached later
    assert min(lower) > 0.1


def _poisson_support(worker: bool, seed: int = 3) -> Scenario:
    data: dict[str, Any] = {
        "scenario": {"name": "support", "days": 2.0, "warmup_hours": 0.0, "seed": seed},
        "channels": {
            "999": {"calls_per_day": 150.0, "talk_s": {"dist": "exponential", "mean": 300.0}},
            "101": {"calls_per_day": 250.0, "talk_s": {"dist": "exponential", "mean": 480.0}},
        },
        "handlers": [{"name": "h", "skills": ["999", "101"], "count": 4}],
        "call_types": [
            {"name": "crime", "share": {"999": 0.7, "101": 0.7}, "risk": {"medium": 1.0}},
            {"name": "mh", "share": {"999": 0.3, "101": 0.3}, "risk": {"low": 1.0}},
        ],
    }
    if worker:
        data["support_workers"] = [
            {
                "name": "mind",
                "shifts": [{"start": "13:00", "hours": 10.0, "count": 1}],
                "call_types": ["mh"],
                "handover_s": fixed(60.0),
                "talk_s": {"dist": "exponential", "mean": 900.0},
            }
        ]
    return Scenario.model_validate(data)


def _occupancy_13_to_23(records: RunRecords, scenario: Scenario) -> float:
    table = interval_table(records, scenario)
    table = table[table["channel"] == "999"]  # duty and busy repeat on every channel's rows
    hour = table["time"].str.slice(0, 2).astype(int)
    window = table[(hour >= 13) & (hour < 23)]
    return float(window["handlers_busy"].sum() / window["handlers_on_duty"].sum())


def test_support_worker_lowers_handler_occupancy_while_on_duty() -> None:
    """Statistical (seeded, 3 replications, common random numbers: the same callers with and
    without the worker): a support worker on 13:00-23:00 who takes mental-health calls
    (handover 60 s instead of the handler's talk) lowers handler occupancy between 13:00 and
    23:00 (interval_table: handlers_busy / handlers_on_duty over those intervals) in every
    replication, by a clear margin on average (seeds 3 and 4 gave drops of 0.03-0.06)."""
    without, with_worker = _poisson_support(False), _poisson_support(True)
    drops = []
    for rep in range(3):
        r0, r1 = simulate(without, rep), simulate(with_worker, rep)
        assert r1.calls["arrival_s"].equals(r0.calls["arrival_s"])  # the same callers
        assert (r1.calls["support_worker_id"] >= 0).sum() > 10
        drops.append(_occupancy_13_to_23(r0, without) - _occupancy_13_to_23(r1, with_worker))
    assert min(drops) > 0.0
    assert np.mean(drops) > 0.02


# --- rules settled after the first traces ----------------------------------------------------


def test_suppressed_incident_records_the_grade_it_was_raised_with() -> None:
    """original_grade is the grade before suppression (emergency); grade is the lowered one."""
    r = run(_suppression_scenario(0), t101=[0, 100], t999=[400])
    assert_incident(r, 2, original_grade="emergency", grade="priority", suppressed=True)


def test_upgraded_incident_takes_the_on_scene_time_of_its_new_grade() -> None:
    """The review upgrades a scheduled incident to emergency: it stays on scene for the
    emergency time (1200 s), drawn at the call like the others, not the scheduled time."""
    victim = ctype("x", "999", "high", vulnerable_probability=1.0, repeat_victim_probability=1.0)
    thrive = {**checks(1.0, ("repeat_check", "vulnerability_check")), "miss_probability": 1.0}
    sc = build(
        types=[victim, ctype("s", "101", "low")],
        thrive=thrive,
        dispatch=dispatch_spec(reassessment=REVIEW),
        officers=LATE_OFFICER,
    )
    r = run(sc, t999=[1000])
    assert_incident(
        r,
        0,
        grade="emergency",
        original_grade="scheduled",
        upgraded=True,
        allocated_s=16200.0,
        arrived_s=16800.0,
        on_scene_s=ON_SCENE["emergency"],
        cleared_s=16800.0 + ON_SCENE["emergency"],
    )


def test_call_resolved_by_a_support_worker_can_bring_a_repeat_call() -> None:
    """A call the worker resolves counts as resolved on the phone: with resolved_probability 1
    it brings a repeat 101 call resolved_delay_s after the worker's end. The handler's part
    is the handover (end_s - answered_s); talk_s keeps the drawn value, so the callers stay
    the same whatever the staffing (common random numbers)."""
    sc = _support_scenario(risk="none")
    data = sc.model_dump(by_alias=True)
    data["dispatch"]["failure_demand"] = {
        "resolved_probability": 1.0,
        "resolved_delay_s": fixed(1000.0),
    }
    sc = Scenario.model_validate(data)
    t0 = 13 * H + 100
    r = run(sc, t101=[t0])
    assert_call(
        r,
        0,
        support_worker_id=0,
        grade="resolved",
        answered_s=t0,
        end_s=t0 + HANDOVER,
        talk_s=TALK_101,
    )
    assert_call(r, 1, origin="repeat", caller_id=0, arrival_s=t0 + HANDOVER + WORKER_TALK + 1000.0)


def test_appointment_slots_follow_the_clock_not_the_run_start() -> None:
    """With a 30-minute warm-up (time 0 is 23:30 on Sunday), a scheduled incident raised at
    time 200 (23:33:20) books the slot at 02:00 (the first whole hour 2 h later), that is at
    simulation time 2.5 h, not at 2.0 h or 3.0 h."""
    sc = _appointment_scenario(per_slot=1)
    data = sc.model_dump(by_alias=True)
    data["scenario"]["warmup_hours"] = 0.5
    sc = Scenario.model_validate(data)
    r = run(sc, t101=[0])
    assert_incident(r, 0, grade="scheduled", appointment_s=2.5 * H)


def test_dispatchers_do_the_reviews_and_the_upgrade_comes_when_a_review_ends() -> None:
    """With a dispatcher, each review is dispatcher work (task 'review', review_s long): the
    misgraded incident waiting at 01:00 is upgraded when its review ends at 01:02, not at
    01:00, and review_hours counts the time spent."""
    victim = ctype("x", "999", "high", vulnerable_probability=1.0, repeat_victim_probability=1.0)
    thrive = {**checks(1.0, ("repeat_check", "vulnerability_check")), "miss_probability": 1.0}
    sc = build(
        types=[victim, ctype("s", "101", "low")],
        thrive=thrive,
        dispatch=dispatch_spec(reassessment={"every_hours": 1.0, "review_s": fixed(120.0)}),
        officers=LATE_OFFICER,
    )
    data = sc.model_dump(by_alias=True)
    data["dispatch"]["allocation_s"] = fixed(30.0)
    data["dispatchers"] = [{"name": "d", "count": 1}]
    sc = Scenario.model_validate(data)
    r = run(sc, t999=[1000])
    assert r.dispatcher_work is not None
    reviews = r.dispatcher_work[r.dispatcher_work["task"] == "review"]
    assert rows(reviews, ["dispatcher_id", "incident_id", "start_s", "end_s"])[0] == (
        0,
        0,
        H,
        H + 120.0,
    )
    # The officer comes on at 04:30: allocation takes the dispatcher 30 s first.
    allocations = r.dispatcher_work[r.dispatcher_work["task"] == "allocation"]
    assert rows(allocations, ["incident_id", "start_s", "end_s"]) == [(0, 16200.0, 16230.0)]
    assert_incident(r, 0, grade="emergency", upgraded=True, allocated_s=16230.0)
    assert replication_kpis(r, sc)["review_hours"] == pytest.approx(4 * 120.0 / H)
