"""The invariants of grading, incidents, officers, dispatchers, support workers, queue
discipline, reproducibility and KPIs with dispatch, checked on one replication's records by
the property tests in tests/properties (see test_dispatch_properties.py for what each checks).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from controlroom_sim.analysis.intervals import interval_table
from controlroom_sim.analysis.kpi_kinds import kpi_bounds, kpi_kind
from controlroom_sim.analysis.kpis import replication_kpis
from controlroom_sim.config.schema import Scenario
from controlroom_sim.config.vocabulary import (
    CHECKS,
    GRADE_FOR_RISK,
    GRADES,
    RESPONSE_GRADES,
)
from controlroom_sim.model import simulate
from controlroom_sim.model.records import RunRecords
from tests.helpers.invariants import in_support

# --- helpers -------------------------------------------------------------------------------------

TOL = 1e-6
"""Tolerance for differences of simulation times (seconds; runs last under a day)."""
assert GRADES[: len(RESPONSE_GRADES)] == RESPONSE_GRADES  # grade codes 0-2 send an officer
N_RESPONSE = len(RESPONSE_GRADES)
RESOLVED, REFERRED, PRIORITY = (GRADES.index(g) for g in ("resolved", "referred", "priority"))
NEED = np.array([GRADES.index(g) for g in GRADE_FOR_RISK])
"""The grade code a risk code calls for (high: emergency ... none: resolved)."""
LOWER = {0: 1, 1: 2}
"""Suppression lowers emergency to priority and priority to scheduled (grade codes)."""


def _codes(column: pd.Series) -> np.ndarray:
    return column.cat.codes.to_numpy().astype(np.int64)


def _f(column: pd.Series) -> np.ndarray:
    return column.to_numpy(dtype=float, na_value=np.nan)


class Run:
    """One replication's records with the derived columns the checks share."""

    def __init__(self, scenario: Scenario, r: RunRecords) -> None:
        assert r.incidents is not None and r.officer_duty is not None and r.officers is not None
        self.sc = scenario
        self.r = r
        self.end = r.end_s
        self.spec = scenario.dispatch
        assert self.spec is not None
        c = r.calls
        self.calls = c
        assert c["call_id"].tolist() == list(range(len(c)))
        self.out = c["outcome"].astype(str).to_numpy()
        self.origin = c["origin"].astype(str).to_numpy()
        self.graded = np.isin(self.out, ["answered", "callback_answered"])
        self.grade = _codes(c["grade"])
        self.assessed = _codes(c["assessed_risk"])
        self.true = _codes(c["true_risk"])
        self.ctype = _codes(c["call_type"])
        if "support_worker_id" in c.columns:
            self.worker = c["support_worker_id"].to_numpy()
            self.support_end = _f(c["support_end_s"])
        else:
            self.worker = np.full(len(c), -1)
            self.support_end = np.full(len(c), np.nan)
        self.via_worker = self.worker >= 0

        inc = r.incidents
        self.inc = inc
        self.n = len(inc)
        self.inc_call = inc["call_id"].to_numpy()
        self.inc_grade = _codes(inc["grade"])
        self.inc_original = _codes(inc["original_grade"])
        self.created = _f(inc["created_s"])
        self.appointment = _f(inc["appointment_s"])
        self.allocated = _f(inc["allocated_s"])
        self.arrived = _f(inc["arrived_s"])
        self.cleared = _f(inc["cleared_s"])
        self.escalated = _f(inc["escalated_s"])
        self.officer = inc["officer_id"].to_numpy()
        self.upgraded = inc["upgraded"].to_numpy(dtype=bool)
        self.suppressed = inc["suppressed"].to_numpy(dtype=bool)
        # The grade the incident was queued (or booked) with: original_grade is the grade the
        # call asked for, one step lower if suppressed.
        self.raised = np.where(self.suppressed, self.inc_original + 1, self.inc_original)
        self.diversions = inc["diversions"].to_numpy()
        self.booked = ~np.isnan(self.appointment)
        # Which incident each call raised (-1: none).
        self.incident_of = np.full(len(c), -1)
        self.incident_of[self.inc_call] = inc["incident_id"].to_numpy()

        # When the officer of the incident's final allocation was reserved: with dispatchers,
        # the start of the dispatcher's allocation (the officer is held meanwhile), else when
        # the officer set off. NaN: no officer holds it (never allocated, or diverted).
        self.dw = r.dispatcher_work
        if scenario.dispatchers:
            assert self.dw is not None and r.dispatcher_duty is not None
            task = self.dw["task"].astype(str)
            assert task.isin(["allocation", "review"]).all()
            self.allocations = self.dw[task == "allocation"]
            self.reviews = self.dw[task == "review"]
            last = self.allocations.groupby("incident_id").last()
            holding = self.officer >= 0
            self.reserved = np.full(self.n, np.nan)
            ids = inc["incident_id"].to_numpy()[holding]
            assert set(ids) <= set(last.index)
            self.reserved[holding] = last["start_s"].reindex(ids).to_numpy()
            self.last_dw_end = last["end_s"].reindex(inc["incident_id"]).to_numpy()
        else:
            assert self.dw is None and r.dispatcher_duty is None
            self.reserved = self.allocated.copy()
            self.last_dw_end = np.full(self.n, np.nan)
        # Busy until cleared, or to the end of the run.
        self.busy_end = np.where(np.isnan(self.cleared), self.end, self.cleared)


def _inside_duty(
    ids: np.ndarray, starts: np.ndarray, stops: np.ndarray, duty: pd.DataFrame, id_col: str, end
) -> None:
    """Every interval [start, stop] of a person lies inside one of their duty stretches; a
    stop of NaN (still busy when the run stopped) needs a stretch closed by the end of the
    run, and so may a stop past the end."""
    work = pd.DataFrame({id_col: ids, "w_start": starts, "w_stop": stops}).sort_values("w_start")
    stretches = duty.rename(columns={"start_s": "d_start", "end_s": "d_end"}).sort_values(
        ["d_start", "d_end"], kind="stable"
    )
    m = pd.merge_asof(
        work, stretches, left_on="w_start", right_on="d_start", by=id_col, direction="backward"
    )
    assert m["d_start"].notna().all(), f"work before any duty: {m[m['d_start'].isna()].head()}"
    stop = m["w_stop"].to_numpy(dtype=float)
    d_end = m["d_end"].to_numpy(dtype=float)
    inside = (stop <= d_end) | ((d_end == end) & (np.isnan(stop) | (stop >= end)))
    assert inside.all(), m[~inside].head().to_string()


def _disjoint(ids: np.ndarray, starts: np.ndarray, stops: np.ndarray, what: str) -> None:
    """Intervals of the same person do not overlap (a NaN stop: open to the end)."""
    stops = np.where(np.isnan(stops), np.inf, stops)
    order = np.lexsort((stops, starts, ids))
    ids, starts, stops = ids[order], starts[order], stops[order]
    same = ids[1:] == ids[:-1]
    bad = same & (starts[1:] < stops[:-1])
    assert not bad.any(), f"{what} overlap: {ids[1:][bad][:3]} at {starts[1:][bad][:3]}"


def _level(starts: np.ndarray, ends: np.ndarray, at: np.ndarray) -> np.ndarray:
    """How many intervals ``[start, end)`` contain each time in ``at``."""
    return np.searchsorted(np.sort(starts), at, "right") - np.searchsorted(
        np.sort(ends), at, "right"
    )


# --- 1. grading ----------------------------------------------------------------------------------


def _worker_groups(x: Run) -> np.ndarray:
    """The index of the support-worker group of each call's worker (-1: none)."""
    out = np.full(len(x.calls), -1)
    if x.r.support_workers is None or not x.via_worker.any():
        return out
    names = [g.name for g in x.sc.support_workers]
    group_of = x.r.support_workers.set_index("worker_id")["group"].map(names.index)
    out[x.via_worker] = group_of.reindex(x.worker[x.via_worker]).to_numpy()
    return out


def check_grading(x: Run) -> None:
    """Property 1 (module docstring). Exactly: ``grade`` and ``assessed_risk`` are set iff
    the outcome is answered or callback_answered, as are ``checks_s`` and the ``*_done``
    columns (an absent sub-task or skip probability 0: always done; 1: never); ``true -
    (skipped risk assessment + skipped repeat check of a repeat victim + skipped vulnerability
    check of a vulnerable caller) <= assessed <= true``; ``talk_s - checks_s`` lies in the
    channel's talk distribution. A first call's type has a positive share of its channel and
    its true risk a positive probability. Grade: see the comments below."""
    sc, c, g = x.sc, x.calls, x.graded
    types = sc.call_types
    # Every call has a type and a true risk; only graded calls have an assessment.
    assert (x.ctype >= 0).all() and (x.true >= 0).all()
    assert ((x.grade >= 0) == g).all(), "a grade exactly on the graded calls"
    assert ((x.assessed >= 0) == g).all()
    assert (c["checks_s"].notna().to_numpy() == g).all()
    done = {}
    for name in CHECKS:
        column = c[f"{name}_done"]
        assert (column.notna().to_numpy() == g).all(), name
        done[name] = column.to_numpy(dtype=bool, na_value=True)
        check = getattr(sc.thrive, name) if sc.thrive is not None else None
        if check is None or check.skip_probability == 0:
            assert done[name].all(), f"{name} skipped"
        elif check.skip_probability == 1:
            assert not done[name][g].any(), f"{name} done"
    # The assessed risk is the true risk less one level per missed factor, down to none.
    assert (x.assessed[g] <= x.true[g]).all(), "assessed risk above the true risk"
    if sc.thrive is None or sc.thrive.miss_probability == 0:
        can_miss = np.zeros(len(c), dtype=int)
    else:
        can_miss = (
            (~done["risk_assessment"]).astype(int)
            + (~done["repeat_check"] & c["repeat_victim"].to_numpy(dtype=bool))
            + (~done["vulnerability_check"] & c["vulnerable"].to_numpy(dtype=bool))
        )
    floor = np.maximum(x.true - can_miss, 0)
    assert (x.assessed[g] >= floor[g]).all(), "more misses than skipped checks"
    if sc.thrive is not None and sc.thrive.miss_probability == 1:
        assert (x.assessed[g] == floor[g]).all()
    # Done sub-tasks add their time to the talk time.
    checks_s = _f(c["checks_s"])
    talk_s = _f(c["talk_s"])
    channel = c["channel"].astype(str).to_numpy()
    assert (checks_s[g] >= 0).all()
    for name, spec in sc.channels.items():
        mine = g & (channel == name)
        assert in_support(spec.talk_s, talk_s[mine] - checks_s[mine]).all()
    modelled = [
        (name, check)
        for name in CHECKS
        if (check := getattr(sc.thrive, name, None) if sc.thrive is not None else None)
    ]
    if all(check.time_s.dist == "fixed" for _, check in modelled):
        expected = sum((done[name] * check.time_s.value for name, check in modelled), 0.0)
        assert np.allclose(checks_s[g], np.broadcast_to(expected, len(c))[g], rtol=0, atol=TOL)
    if not modelled:
        assert (checks_s[g] == 0).all()

    # Type and true risk come from the channel's mix and the type's table, the flags from the
    # type's probabilities; a follow-up call (redial, 101 caller ringing 999, repeat call)
    # keeps those of the caller's previous call.
    first = x.origin == "first"
    share = np.array([[t.share.get(ch, 0.0) for t in types] for ch in channel])
    assert (share[np.arange(len(c)), x.ctype][first] > 0).all(), "a type of share 0"
    risk = np.array([t.risk_probabilities() for t in types])
    assert (risk[x.ctype, x.true][first] > 0).all(), "a true risk of probability 0"
    for flag, attr in (
        ("vulnerable", "vulnerable_probability"),
        ("repeat_victim", "repeat_victim_probability"),
    ):
        p = np.array([getattr(t, attr) for t in types])[x.ctype]
        value = c[flag].to_numpy(dtype=bool)
        assert not (first & (p == 0) & value).any(), flag
        assert not (first & (p == 1) & ~value).any(), flag
    keys = ["call_type", "true_risk", "vulnerable", "repeat_victim"]
    prev = c[["caller_id", "attempt", *keys]].copy()
    prev["attempt"] += 1
    follow = c.loc[~first, ["caller_id", "attempt", *keys]].merge(
        prev, on=["caller_id", "attempt"], how="left", suffixes=("", "_prev"), validate="1:1"
    )
    for key in keys:
        assert (follow[key].astype(str) == follow[f"{key}_prev"].astype(str)).all(), key

    # The grade follows the assessed risk (referral only at risk none) ...
    refer = np.array([t.refer_probability for t in types])[x.ctype]
    called_for = np.where(g, NEED[np.maximum(x.assessed, 0)], -1)
    referred = x.grade == REFERRED
    assert (x.assessed[referred] == 0).all(), "referred with a risk"
    assert (refer[referred] > 0).all(), "referred with refer_probability 0"
    as_assessed = g & ((x.grade == called_for) | referred)
    has_incident = x.incident_of >= 0
    # ... for a call the handler keeps: as assessed, or the grade of the incident it raised
    # when the talk ended (a repeat call raises none; a call still in talk at the end none yet).
    own = g & ~x.via_worker
    assert as_assessed[own & ~has_incident].all(), "grade not as assessed"
    missing = own & (called_for < N_RESPONSE) & ~has_incident
    assert ((x.origin[missing] == "repeat") | (_f(c["end_s"])[missing] >= x.end - TOL)).all(), (
        "a call graded for attendance raised no incident"
    )
    assert referred[own & (x.assessed == 0) & (refer == 1)].all()
    # ... for a call passed to a support worker: as assessed while the worker is on it; then
    # resolved, or the incident's grade (the call's response grade, else priority).
    asked = called_for.copy()
    worker = g & x.via_worker
    if worker.any():
        assert sc.support_workers
        asked[worker] = np.where(called_for[worker] < N_RESPONSE, called_for[worker], PRIORITY)
        on_it = worker & (x.support_end >= x.end)
        finished = worker & (x.support_end < x.end - TOL)
        assert as_assessed[on_it].all()
        assert not has_incident[on_it].any()
        quiet = finished & ~has_incident
        assert (
            (x.grade[quiet] == RESOLVED)
            | ((x.origin[quiet] == "repeat") & (x.grade[quiet] == asked[quiet]))
        ).all(), "a worker's call neither resolved nor sent"
        missing = finished & (x.grade < N_RESPONSE) & ~has_incident
        assert (x.origin[missing] == "repeat").all()
        p_attend = np.array([grp.attendance_probability for grp in sc.support_workers] + [-1.0])[
            _worker_groups(x)
        ]
        assert not (finished & (p_attend == 0) & (x.grade != RESOLVED)).any()
        assert not (finished & (p_attend == 1) & (x.grade == RESOLVED)).any()
    # ... and the incident keeps the grade asked for as original_grade; suppression lowers
    # the grade it is queued with, which is the call's grade in the records, by one step.
    if x.n:
        call = x.inc_call
        assert (x.inc_original == asked[call]).all(), "original_grade is not the grade asked for"
        assert (x.inc_original[x.suppressed] < 2).all(), "suppressed a scheduled grade"
        assert (x.grade[call] == x.raised).all(), "call grade != the grade the incident got"


# --- 2. incidents --------------------------------------------------------------------------------


def check_incidents(x: Run) -> None:
    """Property 2 (module docstring), plus: rural iff drawn so (never at share 0, always at
    1), travel from the urban or rural distribution, on-scene time from the current grade's
    distribution (an upgrade takes the new grade's); the grade changes only by an upgrade, to
    a more urgent grade that the true risk (at the call or escalated) calls for; escalation
    raises the true risk exactly one level, between raising and the officer being held, and
    never at rate 0; ``suppressed`` only with suppression enabled and ``share > 0``; without
    reassessment no emergency was diverted from; targets: booked and not upgraded,
    ``target_hours`` from the slot, else the grade's (rural) target from the call."""
    sc, spec, inc, c, end = x.sc, x.spec, x.inc, x.calls, x.end
    assert spec is not None
    n = x.n
    assert inc["incident_id"].tolist() == list(range(n))
    # One incident per call at most, from a graded call that is not a repeat call.
    assert len(set(x.inc_call)) == n, "two incidents from one call"
    assert x.graded[x.inc_call].all(), "an incident from an ungraded call"
    assert not (x.origin[x.inc_call] == "repeat").any(), "an incident from a repeat call"
    call = c.iloc[x.inc_call]
    assert (_f(inc["call_s"]) == _f(call["arrival_s"])).all()
    assert (inc["true_risk_at_call"].astype(str).to_numpy() == call["true_risk"].astype(str)).all()
    assert (inc["vulnerable"].to_numpy() == call["vulnerable"].to_numpy()).all()
    # Raised when the caller's part ends: the handler's talk end, or the support worker's end.
    via = x.via_worker[x.inc_call]
    raised_at = np.where(via, x.support_end[x.inc_call], _f(call["end_s"]))
    assert (x.created == raised_at).all(), "created_s is not the end of the call"
    assert (np.diff(x.created) >= 0).all(), "incidents not numbered in the order raised"
    assert (x.created < end).all()

    # Moments: created <= (appointment) <= reserved <= allocated <= arrived <= cleared < end.
    def le(a: np.ndarray, b: np.ndarray, what: str, tol: float = 0.0) -> None:
        both = ~np.isnan(a) & ~np.isnan(b)
        assert (a[both] <= b[both] + tol).all(), what

    le(x.created, x.appointment, "created <= appointment")
    keeps = x.booked & ~x.upgraded
    # (The slot's timer fires at now + (appointment_s - now): equal up to rounding.)
    le(np.where(keeps, x.appointment, np.nan), x.reserved, "appointment <= allocation", TOL)
    le(x.created, x.reserved, "created <= reserved")
    le(x.reserved, x.allocated, "reserved <= allocated")
    le(x.allocated, x.arrived, "allocated <= arrived")
    le(x.arrived, x.cleared, "arrived <= cleared")
    for moment in (x.reserved, x.allocated, x.arrived, x.cleared, x.escalated):
        assert (moment[~np.isnan(moment)] < end).all(), "a moment at or after the end"
    has = {k: ~np.isnan(v) for k, v in (("al", x.allocated), ("ar", x.arrived), ("cl", x.cleared))}
    assert not (has["ar"] & ~has["al"]).any() and not (has["cl"] & ~has["ar"]).any()
    travel, on_scene = _f(inc["travel_s"]), _f(inc["on_scene_s"])
    assert np.allclose(x.arrived[has["ar"]] - x.allocated[has["ar"]], travel[has["ar"]], atol=TOL)
    assert np.allclose(x.cleared[has["cl"]] - x.arrived[has["cl"]], on_scene[has["cl"]], atol=TOL)
    # Whatever was due before the end happened: arrival after travel, clearing after on scene.
    assert has["ar"][has["al"] & (x.allocated + travel < end - TOL)].all(), "never arrived"
    assert has["cl"][has["ar"] & (x.arrived + on_scene < end - TOL)].all(), "never cleared"
    # An officer is named exactly while one holds the incident.
    holds = x.officer >= 0
    assert holds[has["al"]].all(), "allocated without an officer"
    assert set(x.officer[holds]) <= set(x.r.officers["officer_id"])  # type: ignore[index]
    allocating = holds & ~has["al"]
    if sc.dispatchers:
        assert (x.last_dw_end[allocating] >= end - TOL).all(), "officer held, never set off"
    else:
        assert not allocating.any()
    assert (x.diversions >= 0).all()
    if not spec.divert:
        assert (x.diversions == 0).all()
    if spec.reassessment is None:
        assert not x.upgraded.any()
        assert (x.inc_grade[x.diversions > 0] != 0).all(), "an emergency was diverted from"

    # Drawn attributes: rural share, travel and on-scene times of the grade as raised.
    rural = inc["rural"].to_numpy(dtype=bool)
    if spec.rural_share == 0:
        assert not rural.any()
    if spec.rural_share == 1:
        assert rural.all()
    assert in_support(spec.travel_s, travel[~rural]).all()
    if rural.any():
        assert spec.rural_travel_s is not None
        assert in_support(spec.rural_travel_s, travel[rural]).all()
    for code, grade in enumerate(RESPONSE_GRADES):
        mine = x.inc_grade == code  # an upgraded incident takes its new grade's time
        assert in_support(spec.on_scene_s[grade], on_scene[mine]).all(), grade

    # Grades: upgrades only by reassessment, to the grade the true risk then called for.
    same = x.inc_grade == x.raised
    assert same[~x.upgraded].all(), "grade changed without an upgrade"
    assert (x.inc_grade[x.upgraded] < x.raised[x.upgraded]).all(), "not an upgrade"
    risk_now, risk_then = _codes(inc["true_risk"]), _codes(inc["true_risk_at_call"])
    up = x.upgraded
    assert (
        (x.inc_grade[up] == NEED[risk_now[up]]) | (x.inc_grade[up] == NEED[risk_then[up]])
    ).all()
    # Escalation: at most one level, only while waiting, never without a rate.
    escalated = ~np.isnan(x.escalated)
    assert (risk_now[~escalated] == risk_then[~escalated]).all()
    assert (risk_now[escalated] == risk_then[escalated] + 1).all()
    if spec.escalation_per_hour == 0:
        assert not escalated.any()
    le(x.created, x.escalated, "created <= escalated")
    le(x.escalated, x.reserved, "escalated <= allocation")
    # Suppression: only with the section on, lowering emergency or priority one step.
    sup = spec.suppression
    if sup is None or not sup.enabled or sup.share == 0:
        assert not x.suppressed.any()

    # Targets and due times.
    target, due = _f(inc["target_s"]), _f(inc["due_s"])
    by_grade = np.array(
        [
            spec.target_s(RESPONSE_GRADES[gc], bool(ru))
            for gc, ru in zip(x.inc_grade, rural, strict=True)
        ]
    )
    grade_based = ~x.booked | x.upgraded
    assert (target[grade_based] == by_grade[grade_based]).all(), "target_s"
    assert (due[grade_based] == (_f(inc["call_s"]) + target)[grade_based]).all(), "due_s"
    if spec.appointments is not None:
        slot_target = spec.appointments.target_hours * 3600.0
        kept = x.booked & ~x.upgraded
        assert (target[kept] == slot_target).all()
        assert (due[kept] == (x.appointment + slot_target)[kept]).all()

    check_appointments(x)
    check_reviews(x)
    check_backlog(x)
    check_repeat_calls(x)


def check_appointments(x: Run) -> None:
    """Booked exactly when raised scheduled with appointments on, into the first slot (slots
    of ``slot_hours`` on the week's clock from Monday 00:00) that starts ``earliest_hours`` or
    more after the incident is raised and has fewer than ``per_slot`` bookings (replayed in the
    order the incidents were raised); never before the incident is raised."""
    booking = x.spec.appointments  # type: ignore[union-attr]
    if booking is None:
        assert not x.booked.any()
        return
    assert (x.booked == (x.raised == 2)).all(), "booked <=> raised scheduled"
    slot_s = booking.slot_hours * 3600.0
    origin = x.r.origin_weekday_s  # slots are laid on the week's clock
    taken: dict[int, int] = {}
    for i in np.flatnonzero(x.booked):  # in the order booked (raised)
        slot = math.ceil((x.created[i] + booking.earliest_hours * 3600.0 + origin) / slot_s)
        while taken.get(slot, 0) >= booking.per_slot:
            slot += 1
        taken[slot] = taken.get(slot, 0) + 1
        # (A slot starting at this very moment may round to a hair before it: then now.)
        expected = max(slot * slot_s - origin, x.created[i])
        assert x.appointment[i] == expected, (i, x.appointment[i], expected)
    assert (x.appointment[x.booked] >= x.created[x.booked]).all()
    assert (
        x.appointment[x.booked] >= x.created[x.booked] + booking.earliest_hours * 3600 - TOL
    ).all()


def _review_times(x: Run) -> np.ndarray:
    review = x.spec.reassessment  # type: ignore[union-attr]
    assert review is not None
    every, t, out = review.every_hours * 3600.0, 0.0, []
    while True:
        t = t + every
        if t >= x.end:
            return np.array(out)
        out.append(t)


def check_reviews(x: Run) -> None:
    """Reassessment, when no incident was diverted (the waiting spells of a diverted incident
    are not in the records). An incident waits (booked or queued) from ``created_s`` until an
    officer is held for it.

    * Without dispatchers every incident waiting at a review time ``k × every_hours`` is
      reviewed then, at once: one ``reviews`` row each (no dispatcher, the mean review time), and an
      incident's final grade is the most urgent of the grade it was queued with and the grades
      its true risk called for at the reviews while it waited.
    * With dispatchers a review is a dispatcher task of ``review_s`` on an incident waiting
      when it starts, and the upgrade comes when it ends: the ``reviews`` rows are the
      review tasks, and the final grade is the most urgent of the grade it was queued with and
      those its true risk called for at the ends of its reviews while it still waited.

    Reviews within ``TOL`` of the incident's raising, allocation or escalation are ambiguous
    (SimPy's order of simultaneous events) and such incidents are left out.
    """
    review = x.spec.reassessment  # type: ignore[union-attr]
    if review is None:
        assert x.r.reviews is None
        assert not x.upgraded.any()
        if x.sc.dispatchers:
            assert len(x.reviews) == 0
        return
    stop = np.where(np.isnan(x.reserved), np.inf, x.reserved)
    if x.sc.dispatchers:
        rv = x.reviews
        assert in_support(review.review_s, _f(rv["end_s"]) - _f(rv["start_s"])).all()
        table = x.r.reviews
        assert table is not None
        for name in ("dispatcher_id", "incident_id", "start_s"):
            assert (table[name].to_numpy() == rv[name].to_numpy()).all()
        assert np.allclose(_f(table["start_s"]) + _f(table["duration_s"]), _f(rv["end_s"]))
        ids = rv["incident_id"].to_numpy()
        starts, ends = _f(rv["start_s"]), _f(rv["end_s"])
        # A review starts at a review time or later, on an incident then waiting.
        times = _review_times(x)
        assert (starts >= (times[0] if len(times) else np.inf) - TOL).all()
        assert (starts >= x.created[ids] - TOL).all()
        if not (x.diversions > 0).any():
            assert (starts <= stop[ids] + TOL).all(), "reviewed an incident no longer waiting"
        # Upgrades come at review ends.
        at = np.full((x.n, max(1, np.bincount(ids, minlength=x.n).max(initial=0))), np.nan)
        fill = np.zeros(x.n, dtype=int)
        for i, e in zip(ids, ends, strict=True):
            at[i, fill[i]] = e
            fill[i] += 1
        at[at >= x.end] = np.nan  # never processed
    else:
        times = _review_times(x)
        at = np.broadcast_to(times, (x.n, len(times))).copy()
    if (x.diversions > 0).any() or not x.n or at.shape[1] == 0:
        return
    sure = (at > x.created[:, None] + TOL) & (at < stop[:, None] - TOL)
    maybe = (np.abs(at - x.created[:, None]) <= TOL) | (np.abs(at - stop[:, None]) <= TOL)
    if not x.sc.dispatchers and review.review_s.mean > 0:
        table = x.r.reviews
        assert table is not None
        assert (table["dispatcher_id"] == -1).all()
        assert (table["duration_s"] == review.review_s.mean).all()
        count = len(table)
        assert sure.sum() - 1e-6 <= count <= (sure | maybe).sum() + 1e-6, (count, sure.sum())
    risk_now, risk_then = _codes(x.inc["true_risk"]), _codes(x.inc["true_risk_at_call"])
    esc = np.where(np.isnan(x.escalated), np.inf, x.escalated)
    risk_at = np.where(at > esc[:, None], risk_now[:, None], risk_then[:, None])
    unclear = np.abs(at - esc[:, None]) <= TOL
    clean = ~(maybe | (unclear & sure)).any(axis=1)
    called = np.where(sure, NEED[risk_at], 99)  # grade codes: lower is more urgent
    expected = np.minimum(x.raised, called.min(axis=1, initial=99))
    bad = clean & (x.inc_grade != expected)
    assert not bad.any(), f"review missed or wrong for incidents {np.flatnonzero(bad)[:3]}"
    assert (x.upgraded[clean] == (expected < x.raised)[clean]).all()


def _may_wait(x: Run, t: float) -> np.ndarray:
    """Incidents that may have been waiting for an officer (queued) at time ``t``."""
    stop = np.where(np.isnan(x.reserved), np.inf, x.reserved)
    queued_from = np.where(x.booked & ~x.upgraded, x.appointment, x.created)
    queued_from = np.where(x.booked & x.upgraded, x.created, queued_from)
    return (queued_from <= t + TOL) & (stop >= t - TOL)


def check_backlog(x: Run) -> None:
    """An incident is suppressed only if more than ``backlog_threshold`` incidents may have
    been queued when it was raised; with ``share = 1``, without diversions and appointments,
    an emergency or priority incident raised over a backlog that surely exceeds the threshold
    is always suppressed."""
    sup = x.spec.suppression  # type: ignore[union-attr]
    if sup is None or not sup.enabled:
        return
    ids = np.arange(x.n)
    for i in np.flatnonzero(x.suppressed):
        earlier = ids < i
        assert (_may_wait(x, x.created[i]) & earlier).sum() > sup.backlog_threshold
    if sup.share < 1 or (x.diversions > 0).any() or x.spec.appointments is not None:
        return
    stop = np.where(np.isnan(x.reserved), np.inf, x.reserved)
    for i in np.flatnonzero(~x.suppressed & (x.inc_original < 2)):
        t = x.created[i]
        surely = (ids < i) & (x.created < t - TOL) & (stop > t + TOL)
        assert surely.sum() <= sup.backlog_threshold, (i, surely.sum())


def check_repeat_calls(x: Run) -> None:
    """Failure demand. Every repeat call rings 101 about an earlier answered call of the same
    caller (``attempt`` one higher) that was not itself a repeat call, either
    ``after_wait_hours`` after that call's incident was raised, the incident not yet allocated,
    or ``resolved_delay_s`` after the caller's part of a call graded resolved ended (the
    handler's talk, or the support worker's call). With probability 1 (and a fixed delay),
    every such repeat call due before the end is made."""
    c, end = x.calls, x.end
    repeat = x.origin == "repeat"
    fd = x.spec.failure_demand  # type: ignore[union-attr]
    if fd is None:
        assert not repeat.any()
        return
    assert (c["channel"].astype(str).to_numpy()[repeat] == "101").all()
    caller, attempt = c["caller_id"].to_numpy(), c["attempt"].to_numpy()
    key = {
        (int(cid), int(att)): i for i, (cid, att) in enumerate(zip(caller, attempt, strict=True))
    }
    assert len(key) == len(c), "a caller's attempt twice"
    arrival = _f(c["arrival_s"])
    # When the caller's part ended (the moment an incident is raised or a call resolved).
    part_end = np.where(x.via_worker, x.support_end, _f(c["end_s"]))
    wait_s = fd.after_wait_hours * 3600.0
    stop = np.where(np.isnan(x.reserved), np.inf, x.reserved)
    resolved = x.graded & (x.grade == RESOLVED) & (x.origin != "repeat") & (part_end < end)
    previous = {}
    for i in np.flatnonzero(repeat):
        p = key.get((int(caller[i]), int(attempt[i]) - 1))
        assert p is not None and x.graded[p], "a repeat call about no answered call"
        assert x.origin[p] != "repeat", "a repeat call about a repeat call"
        previous[i] = p
        k = x.incident_of[p]
        waited = (
            k >= 0
            and fd.waiting_probability > 0
            and abs(arrival[i] - (x.created[k] + wait_s)) <= TOL
            and stop[k] >= arrival[i] - TOL
        )
        again = (
            resolved[p]
            and fd.resolved_probability > 0
            and bool(in_support(fd.resolved_delay_s, np.array([arrival[i] - part_end[p]]))[0])
        )
        assert waited or again, f"repeat call {i} has no cause"
    followed = set(previous.values())
    if fd.waiting_probability == 0:
        assert not any(x.incident_of[p] >= 0 for p in followed)
    if fd.resolved_probability == 0:
        assert not any(x.incident_of[p] < 0 for p in followed)
    if fd.waiting_probability == 1 and not (x.diversions > 0).any():
        due = x.created + wait_s
        must = (due < end - TOL) & (stop > due + TOL)
        assert set(x.inc_call[must]) <= followed, "an incident still waiting brought no call"
    if fd.resolved_probability == 1 and fd.resolved_delay_s.dist == "fixed":
        must = resolved & (part_end + fd.resolved_delay_s.value < end - TOL)
        assert set(np.flatnonzero(must)) <= followed, "a resolved call brought no repeat call"


# --- 3. officers, dispatchers and support workers ------------------------------------------------


def check_officers(x: Run) -> None:
    """Property 3 for officers (module docstring). Also: an officer who left after the
    scheduled end left when their last trip cleared (overtime)."""
    r, end = x.r, x.end
    assert r.officers is not None and r.officer_duty is not None
    officers = r.officers.set_index("officer_id")
    duty = r.officer_duty
    assert officers.index.tolist() == list(range(len(officers)))
    assert (duty["end_s"] >= duty["start_s"]).all() and (duty["end_s"] <= end).all()
    _disjoint(duty["officer_id"].to_numpy(), _f(duty["start_s"]), _f(duty["end_s"]), "duty")
    held = ~np.isnan(x.reserved)
    ids, start = x.officer[held], x.reserved[held]
    stop = np.where(np.isnan(x.cleared), np.nan, x.cleared)[held]
    # One incident at a time: from being held (reserved) to clearing, the recorded trips of an
    # officer never overlap. (A trip cut short by a diversion leaves no record.)
    _disjoint(ids, start, stop, "officer trips")
    # Every trip lies inside one duty stretch of its officer (overtime extends it).
    _inside_duty(ids, start, stop, duty, "officer_id", end)
    # ... taken on no earlier than the shift start and no later than the scheduled end.
    sched_start = officers["scheduled_start_s"].clip(lower=0.0).reindex(ids).to_numpy()
    sched_end = officers["scheduled_end_s"].reindex(ids).to_numpy()
    assert (start >= sched_start).all()
    late = start > sched_end
    assert not late.any(), f"officer took an incident after the shift end at {start[late][:3]}"
    # A break falls due and the officer takes no new incident before it: no trip starts after
    # a break is due within the duty stretch that was going on then (the stretch ends when the
    # incident in hand clears and the break begins).
    check_breaks(x, officers, ids, start, x.inc_grade[held])
    # Never more officers busy than on duty.
    busy_end = np.where(np.isnan(stop), end, stop)
    at = np.unique(np.concatenate([start, busy_end, _f(duty["start_s"]), _f(duty["end_s"])]))
    assert (_level(start, busy_end, at) <= _level(_f(duty["start_s"]), _f(duty["end_s"]), at)).all()
    # Overtime: an officer who left after the scheduled end was finishing an incident.
    ended = officers[officers["actual_end_s"].notna()]
    assert (ended["actual_end_s"] >= ended["scheduled_end_s"]).all()
    assert (officers["overtime_s"] >= 0).all()
    over = ended[ended["actual_end_s"] > ended["scheduled_end_s"]]
    cleared_by = pd.Series(np.where(np.isnan(stop), -np.inf, stop)).groupby(ids).max()
    for oid, row in over.iterrows():
        assert cleared_by.get(oid, -np.inf) == row["actual_end_s"], oid


def _breaks_due(scenario_groups: list[Any], members: pd.DataFrame, id_col: str) -> pd.DataFrame:
    """When each person's breaks fall due (``id_col, due_s``): ``after_hours`` into the shift
    plus ``k × spread_hours / count`` for the k-th person of the shift line."""
    groups = {g.name: g for g in scenario_groups}
    rows = []
    for (name, label, start), line in members.groupby(
        ["group", "shift", "scheduled_start_s"], sort=False
    ):
        shifts = groups[name].shifts
        if shifts is None:
            continue
        shift = shifts[int(label.rsplit("#", 1)[1])]
        ids = sorted(line[id_col])
        for brk in shift.breaks:
            for pid, offset in zip(ids, brk.start_offsets_s(len(ids)), strict=True):
                rows.append((pid, start + offset))
    return pd.DataFrame(rows, columns=[id_col, "due_s"])


def check_breaks(
    x: Run, officers: pd.DataFrame, ids: np.ndarray, start: np.ndarray, grade: np.ndarray
) -> None:
    """No officer's trip starts after one of their breaks fell due (``after_hours`` into the
    shift, staggered by ``spread_hours``) and inside the duty stretch going on then: a busy
    officer starts the break when the incident in hand clears."""
    duty = x.r.officer_duty
    assert duty is not None
    due = _breaks_due(x.sc.officers, officers.reset_index(), "officer_id")
    due = due[(due["due_s"] > 0) & (due["due_s"] < x.end)]
    if not len(due) or not len(ids):
        return
    spans = due.merge(duty, on="officer_id")
    spans = spans[(spans["start_s"] <= spans["due_s"]) & (spans["due_s"] < spans["end_s"])]
    trips = pd.DataFrame({"officer_id": ids, "trip_s": start, "grade": grade})
    trips = trips.merge(spans, on="officer_id")
    late = (trips["trip_s"] > trips["due_s"] + TOL) & (trips["trip_s"] < trips["end_s"])
    assert not late.any(), f"a trip taken while a break was due:\n{trips[late].head()}"


def check_dispatchers(x: Run) -> None:
    """Property 3 for dispatchers: tasks never overlap for one dispatcher and lie inside their
    duty; an allocation takes ``allocation_s``; an incident has one allocation task per time an
    officer was held for it (``diversions`` + 1 if an officer holds it now), and the officer
    sets off when the last one ends."""
    r, end = x.r, x.end
    if not x.sc.dispatchers:
        return
    dw, duty = r.dispatcher_work, r.dispatcher_duty
    assert dw is not None and duty is not None
    alloc = x.spec.allocation_s  # type: ignore[union-attr]
    assert alloc is not None
    # One allocation at a time per dispatcher, inside a duty stretch, taking allocation_s.
    _disjoint(dw["dispatcher_id"].to_numpy(), _f(dw["start_s"]), _f(dw["end_s"]), "allocations")
    _disjoint(duty["dispatcher_id"].to_numpy(), _f(duty["start_s"]), _f(duty["end_s"]), "duty")
    _inside_duty(
        dw["dispatcher_id"].to_numpy(),
        _f(dw["start_s"]),
        _f(dw["end_s"]),
        duty,
        "dispatcher_id",
        end,
    )
    assert (_f(dw["start_s"]) < end).all()
    assert (_f(dw["end_s"]) >= _f(dw["start_s"])).all()
    allocations = x.allocations
    assert in_support(alloc, _f(allocations["end_s"]) - _f(allocations["start_s"])).all()
    # One allocation task per time an officer was held for an incident: each diversion undid
    # one, and the last holds the officer named now.
    rows = allocations.groupby("incident_id").size().reindex(range(x.n), fill_value=0).to_numpy()
    assert (rows == x.diversions + (x.officer >= 0)).all(), "allocations != diversions + held"
    # The officer sets off when the allocation ends.
    done = ~np.isnan(x.allocated)
    assert (x.allocated[done] == x.last_dw_end[done]).all()


def check_support(x: Run) -> None:
    """Property 3 for support workers: only calls answered by a handler (not callbacks) of a
    type the worker's group takes; the handler's part is ``handover_s`` (``end_s`` =
    ``wrap_end_s`` = ``support_start_s``), the worker's call ``talk_s`` more, recorded in
    ``support_work`` from the answer to ``support_end_s``; one call at a time per worker,
    inside duty, none taken after the shift end; a handler keeps a listed call only when no
    worker of a group taking its type is on duty and idle at the answer."""
    r, c, end, sc = x.r, x.calls, x.end, x.sc
    if not sc.support_workers:
        assert not x.via_worker.any()
        return
    sw, duty, members = r.support_work, r.support_duty, r.support_workers
    assert sw is not None and duty is not None and members is not None
    via = x.via_worker
    # Only calls answered by a handler (not rung back) of a type the worker's group takes.
    assert (x.out[via] == "answered").all()
    group = _worker_groups(x)
    names = [t.name for t in sc.call_types]
    takes = [{names.index(n) for n in grp.call_types} for grp in sc.support_workers]
    assert all(int(t) in takes[gi] for t, gi in zip(x.ctype[via], group[via], strict=True))
    # The handler's part is the handover; the worker's from the answer to support_end_s.
    answered, end_s = _f(c["answered_s"]), _f(c["end_s"])
    start, stop = _f(c["support_start_s"]), x.support_end
    assert (end_s[via] == start[via]).all() and (_f(c["wrap_end_s"])[via] == end_s[via]).all()
    assert np.isnan(start[~via]).all() and np.isnan(stop[~via]).all()
    for gi, grp in enumerate(sc.support_workers):
        mine = via & (group == gi)
        assert in_support(grp.handover_s, end_s[mine] - answered[mine]).all()
        assert in_support(grp.talk_s, stop[mine] - start[mine]).all()
    work = sw.set_index("call_id").sort_index()
    assert work.index.tolist() == np.flatnonzero(via).tolist()
    assert (work["worker_id"].to_numpy() == x.worker[via]).all()
    assert (_f(work["start_s"]) == answered[via]).all()
    assert (_f(work["end_s"]) == stop[via]).all()
    # One call at a time, inside duty (overtime extends it), none taken after the shift end.
    wid = sw["worker_id"].to_numpy()
    _disjoint(wid, _f(sw["start_s"]), _f(sw["end_s"]), "support work")
    _inside_duty(wid, _f(sw["start_s"]), _f(sw["end_s"]), duty, "worker_id", end)
    sched_end = members.set_index("worker_id")["scheduled_end_s"].reindex(wid).to_numpy()
    assert (_f(sw["start_s"]) <= sched_end).all()
    # A worker free when a listed call is answered takes it: a call the handler kept found no
    # worker of a group taking its type on duty and idle (ties within TOL aside).
    names_of = [grp.name for grp in sc.support_workers]
    group_of = members.set_index("worker_id")["group"].map(names_of.index)
    kept = (x.out == "answered") & ~via
    for code in set(x.ctype[kept]):
        able = [gi for gi, types in enumerate(takes) if code in types]
        ws = group_of[group_of.isin(able)].index
        lo, hi = _idle_gaps(duty[duty["worker_id"].isin(ws)], sw[sw["worker_id"].isin(ws)])
        times = answered[kept & (x.ctype == code)]
        lo, hi = lo + TOL, hi - TOL  # simultaneous events aside
        proper = lo < hi
        lo, hi = np.sort(lo[proper]), np.sort(hi[proper])
        idle = np.searchsorted(lo, times, "left") - np.searchsorted(hi, times, "right")
        assert not (idle > 0).any(), f"a call kept by its handler at {times[idle > 0][:3]}"


def _idle_gaps(duty: pd.DataFrame, work: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The stretches in which each person was on duty and not working: ``(starts, ends)``."""
    lo, hi = [], []
    stints = {
        wid: frame.sort_values("start_s")[["start_s", "end_s"]].to_numpy()
        for wid, frame in work.groupby("worker_id")
    }
    for wid, d_start, d_end in duty[["worker_id", "start_s", "end_s"]].itertuples(index=False):
        cursor = d_start
        for w_start, w_end in stints.get(wid, np.empty((0, 2))):
            if w_end <= d_start or w_start >= d_end:
                continue
            if w_start > cursor:
                lo.append(cursor)
                hi.append(w_start)
            cursor = max(cursor, w_end)
        if d_end > cursor:
            lo.append(cursor)
            hi.append(d_end)
    return np.array(lo, dtype=float), np.array(hi, dtype=float)


# --- 4. queue discipline (no diversion, appointments or reassessment) ----------------------------


def check_queue_discipline(x: Run) -> None:
    """Without diversion, appointments and reassessment an incident queues from ``created_s``
    to the moment an officer is held for it, with the grade it was raised with. Then:

    * by grade, then age: when an incident is allocated, no incident of a more urgent grade,
      nor an older one (``created_s``, then ``incident_id``) of the same grade, was queued;
    * work-conserving: no incident is queued while an officer is on duty and free (and, with
      dispatchers, a dispatcher too).

    Simultaneous events are left out (``TOL``): their order is SimPy's.
    """
    spec = x.spec
    assert spec is not None
    assert not spec.divert and spec.appointments is None and spec.reassessment is None
    assert (x.diversions == 0).all() and not x.booked.any() and not x.upgraded.any()
    if not x.n:
        return
    start = x.created
    stop = np.where(np.isnan(x.reserved), np.inf, x.reserved)
    key = np.lexsort((np.arange(x.n), x.created, x.inc_grade))  # dispatch order
    rank = np.empty(x.n, dtype=np.int64)
    rank[key] = np.arange(x.n)
    allocated = np.flatnonzero(~np.isnan(x.reserved))
    for chunk in np.array_split(allocated, max(1, len(allocated) // 400)):
        t = x.reserved[chunk]
        queued = (start[None, :] < t[:, None] - TOL) & (stop[None, :] > t[:, None] + TOL)
        before = rank[None, :] < rank[chunk][:, None]
        bad = queued & before
        assert not bad.any(), (
            f"incident {chunk[bad.any(axis=1)][0]} allocated while "
            f"{np.flatnonzero(bad[bad.any(axis=1)][0])[:3]} waited ahead of it"
        )
    # Work conservation, by a sweep over every moment something changes.
    r = x.r
    duty = r.officer_duty
    assert duty is not None
    held = ~np.isnan(x.reserved)
    b_start, b_stop = x.reserved[held], x.busy_end[held]
    times = [
        start,
        np.minimum(stop, x.end),
        b_start,
        b_stop,
        _f(duty["start_s"]),
        _f(duty["end_s"]),
    ]
    if x.sc.dispatchers:
        dw, dduty = r.dispatcher_work, r.dispatcher_duty
        assert dw is not None and dduty is not None
        times += [_f(dw["start_s"]), _f(dw["end_s"]), _f(dduty["start_s"]), _f(dduty["end_s"])]
    t = np.unique(np.concatenate(times))
    t = t[t < x.end]
    if len(t) < 2:
        return
    waiting = _level(start, stop, t)
    free = _level(_f(duty["start_s"]), _f(duty["end_s"]), t) - _level(b_start, b_stop, t)
    assert (free >= 0).all()
    bad = (waiting > 0) & (free > 0)
    if x.sc.dispatchers:
        free_d = _level(_f(dduty["start_s"]), _f(dduty["end_s"]), t) - _level(
            _f(dw["start_s"]), _f(dw["end_s"]), t
        )
        bad &= free_d > 0
    bad &= np.diff(t, append=x.end) > TOL
    assert not bad.any(), f"an officer free while an incident waited at t={t[bad][:3]}"


# --- 6. KPIs -------------------------------------------------------------------------------------

SHARE_KPIS = (
    "graded_too_low",
    "true_emergencies_graded_lower",
    "repeat_check_skipped",
    "vulnerability_check_skipped",
    "risk_assessment_skipped",
    "advice_not_given",
    "vulnerable_beyond_target",
    "suppressed_share",
    "upgraded_share",
    "escalated_share",
    "officer_utilisation",
    "dispatcher_utilisation",
    "support_worker_utilisation",
    "repeat_call_share_101",
)
COUNT_KPIS = ("diversions", "calls_to_support_worker")


def check_kpis(x: Run) -> None:
    """Property 6: every KPI is a finite float or NaN; shares (grades, skipped checks,
    attendance within target, suppressed/upgraded/escalated, utilisations, repeat-call share)
    in [0, 1] or NaN; grade shares sum to 1 when any call was graded; counts (incidents and
    unattended by grade, diversions, calls to support workers) are non-negative integers equal
    to the records of the measured window; times and harm exposure non-negative; officers busy
    never above officers on duty in any 15-minute interval."""
    sc, r = x.sc, x.r
    kpis = replication_kpis(r, sc)
    for name, value in kpis.items():
        assert isinstance(value, float), name
        assert not math.isinf(value), name
        # Every KPI has a kind (share or amount), and keeps to its bounds, which the
        # confidence intervals are cut to (up to rounding in sums of time).
        low, high = kpi_bounds(name)
        assert kpi_kind(name) is not None, f"{name}: no kind in analysis/kpi_kinds.py"
        assert math.isnan(value) or low - 1e-9 <= value <= high + 1e-9, (name, value)
    shares = [*SHARE_KPIS, *(f"graded_{g}" for g in GRADES)]
    shares += [k for k in kpis if k.startswith("attendance_within_target")]
    for name in shares:
        value = kpis.get(name, math.nan)
        assert math.isnan(value) or 0.0 <= value <= 1.0 + 1e-12, (name, value)
    for name in ("officer_utilisation", "review_hours", "mean_backlog"):
        assert name in kpis
    assert ("dispatcher_utilisation" in kpis) == bool(sc.dispatchers)
    assert ("support_worker_utilisation" in kpis) == bool(sc.support_workers)
    counts = [
        *COUNT_KPIS,
        *(f"{k}_{g}" for k in ("incidents", "unattended") for g in RESPONSE_GRADES),
    ]
    for name in counts:
        value = kpis.get(name, 0.0)
        assert value >= 0 and value == int(value), (name, value)
    nonneg = [k for k in kpis if k.startswith(("mean_attendance", "p90_attendance", "harm_"))]
    nonneg += ["mean_backlog", "review_hours", "mean_appointment_wait_hours"]
    for name in nonneg:
        value = kpis.get(name, math.nan)
        assert math.isnan(value) or value >= -1e-9, (name, value)
    # Counts agree with the records of the measured window.
    made = _f(x.inc["call_s"])
    measured = (made >= r.warmup_s) & (made < r.horizon_s)
    for code, grade in enumerate(RESPONSE_GRADES):
        mine = measured & (x.inc_grade == code)
        assert kpis[f"incidents_{grade}"] == mine.sum()
        assert kpis[f"unattended_{grade}"] == (mine & np.isnan(x.arrived)).sum()
    assert kpis["diversions"] == x.diversions[measured].sum()
    calls = r.measured_calls
    graded = calls["grade"].notna()
    if graded.any():
        total = sum(kpis[f"graded_{g}"] for g in GRADES)
        assert math.isclose(total, 1.0, abs_tol=1e-9)
    else:
        assert all(math.isnan(kpis[f"graded_{g}"]) for g in GRADES)
    if sc.support_workers:
        assert kpis["calls_to_support_worker"] == (calls["support_worker_id"] >= 0).sum()
    table = interval_table(r, sc)
    if len(table):
        assert (table["officers_busy"] <= table["officers_on_duty"] + 1e-9).all()
        assert (table["officers_busy"] >= -1e-9).all()
        assert (table["incidents_waiting"] >= -1e-9).all()


def check_all(scenario: Scenario, r: RunRecords) -> Run:
    x = Run(scenario, r)
    check_grading(x)
    check_incidents(x)
    check_officers(x)
    check_dispatchers(x)
    check_support(x)
    check_kpis(x)
    return x


def check_same_seed(scenario: Scenario, replication: int, r: RunRecords) -> None:
    """A replication is a pure function of scenario, seed and replication: every table."""
    again = simulate(scenario, replication)
    for name in (
        "calls",
        "work",
        "duty",
        "handlers",
        "incidents",
        "officer_duty",
        "officers",
        "dispatcher_work",
        "dispatcher_duty",
        "support_work",
        "support_duty",
        "support_workers",
        "reviews",
    ):
        a, b = getattr(r, name), getattr(again, name)
        assert (a is None) == (b is None), name
        if a is not None:
            pd.testing.assert_frame_equal(a, b, obj=name)


DRAWN = ["arrival_s", "talk_s", "wrap_s", "patience_s", "call_type", "true_risk", "vulnerable"]
DRAWN += ["repeat_victim"]
ASSESSED = ["assessed_risk", "checks_s", *(f"{name}_done" for name in CHECKS)]


def check_common_random_numbers(a: RunRecords, b: RunRecords) -> None:
    """Two runs with the same seed and different officers: per channel, the i-th first call
    is made at the same moment with the same drawn attributes (talk with its THRIVE time,
    wrap-up, patience, type, true risk, flags); graded in both runs, it is assessed the same;
    raising an incident in both, the incident is rural or not alike with the same travel time,
    and the same on-scene time if its grade is the same."""
    for channel in a.calls["channel"].cat.categories:
        first_a = a.calls[(a.calls["origin"] == "first") & (a.calls["channel"] == channel)]
        first_b = b.calls[(b.calls["origin"] == "first") & (b.calls["channel"] == channel)]
        assert len(first_a) == len(first_b), channel
        pd.testing.assert_frame_equal(
            first_a[DRAWN].reset_index(drop=True), first_b[DRAWN].reset_index(drop=True)
        )
        both = (first_a["grade"].notna().to_numpy()) & (first_b["grade"].notna().to_numpy())
        pd.testing.assert_frame_equal(
            first_a.loc[both, ASSESSED].reset_index(drop=True),
            first_b.loc[both, ASSESSED].reset_index(drop=True),
        )
        assert a.incidents is not None and b.incidents is not None
        pair = pd.DataFrame(
            {"call_a": first_a["call_id"].to_numpy(), "call_b": first_b["call_id"].to_numpy()}
        )
        pair = pair.merge(a.incidents, left_on="call_a", right_on="call_id").merge(
            b.incidents, left_on="call_b", right_on="call_id", suffixes=("_a", "_b")
        )
        assert (pair["rural_a"] == pair["rural_b"]).all()
        assert (pair["travel_s_a"] == pair["travel_s_b"]).all()
        same = (pair["grade_a"].astype(str) == pair["grade_b"].astype(str)).to_numpy()
        assert (pair["on_scene_s_a"][same] == pair["on_scene_s_b"][same]).all()
