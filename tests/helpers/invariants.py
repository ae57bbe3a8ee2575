"""The invariants of the call side (outcomes, times, counts, follow-up calls, callbacks,
handlers, reproducibility, KPIs), checked on one replication's records by the property tests
in tests/properties (see test_properties.py for what each checks)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from controlroom_sim.analysis.call_kpis import answer_times
from controlroom_sim.analysis.intervals import interval_table
from controlroom_sim.analysis.kpi_kinds import kpi_bounds, kpi_kind
from controlroom_sim.analysis.kpis import replication_kpis
from controlroom_sim.config.schema import Scenario
from controlroom_sim.model import simulate
from controlroom_sim.model.records import OUTCOMES, RunRecords

TOL = 1e-6
"""Tolerance for differences of simulation times (seconds; runs last under a day)."""
ABANDON_TOL = 1e-9
"""Abandonment happens exactly when patience runs out, up to float rounding."""


# --- helpers -------------------------------------------------------------------------------------


def in_support(dist: Any, values: np.ndarray, tol: float = TOL) -> np.ndarray:
    """Whether each value could have been drawn from ``dist`` (up to ``tol``)."""
    values = np.asarray(values, dtype=float)
    kind = dist.dist
    if kind == "fixed":
        return np.abs(values - dist.value) <= tol
    if kind in ("uniform", "triangular"):
        return (values >= dist.low - tol) & (values <= dist.high + tol)
    if kind == "empirical":
        allowed = np.asarray(dist.values, dtype=float)
        return (np.abs(values[:, None] - allowed[None, :]) <= tol).any(axis=1)
    return np.isfinite(values) & (values >= -tol)


def _support_min(dist: Any) -> float:
    kind = dist.dist
    if kind == "fixed":
        return dist.value
    if kind in ("uniform", "triangular"):
        return dist.low
    if kind == "empirical":
        return min(dist.values)
    return 0.0


def _callback_on(scenario: Scenario) -> bool:
    cb = scenario.callback
    return cb is not None and cb.enabled and "101" in scenario.channels


def _level(starts: np.ndarray, ends: np.ndarray, at: np.ndarray) -> np.ndarray:
    """How many intervals ``[start, end)`` contain each time in ``at``."""
    return np.searchsorted(np.sort(starts), at, "right") - np.searchsorted(
        np.sort(ends), at, "right"
    )


def _group_skills(scenario: Scenario, records: RunRecords) -> pd.Series:
    """Skills of each handler's group, indexed by handler_id."""
    skills = {g.name: set(g.skills) for g in scenario.handlers}
    return records.handlers.set_index("handler_id")["group"].map(skills)


# --- 1. outcomes ---------------------------------------------------------------------------------


def check_outcomes(scenario: Scenario, r: RunRecords) -> None:
    c = r.calls
    assert c["call_id"].tolist() == list(range(len(c)))
    assert c["outcome"].notna().all()
    assert set(c["outcome"].astype(str)) <= set(OUTCOMES)
    assert set(c["channel"].astype(str)) <= set(scenario.channels)
    out = c["outcome"].astype(str)
    has = {k: c[k].notna() for k in ("force_s", "answered_s", "abandoned_s", "end_s", "wrap_end_s")}
    handled = c["handler_id"] >= 0

    m = out == "answered"
    assert (has["answered_s"] & ~has["abandoned_s"] & has["end_s"] & has["wrap_end_s"])[m].all()
    assert handled[m].all()
    m = out == "abandoned"
    assert (has["abandoned_s"] & ~has["answered_s"] & ~has["end_s"])[m].all()
    assert (c["handler_id"][m] == -1).all()
    assert (~c["callback_accepted"])[m].all()
    m = out == "callback_answered"
    assert (c["callback_accepted"] & has["answered_s"] & ~has["abandoned_s"] & handled)[m].all()
    assert (has["end_s"] & has["wrap_end_s"])[m].all()
    max_attempts = scenario.callback.max_attempts if scenario.callback is not None else 0
    assert c["callback_attempts"][m].between(1, max_attempts).all()
    m = out == "callback_failed"
    assert (c["callback_accepted"] & ~has["answered_s"] & ~has["abandoned_s"] & has["end_s"])[
        m
    ].all()
    assert (c["callback_attempts"][m] == max_attempts).all()
    assert handled[m].all()
    m = out == "open"
    assert (~has["answered_s"] & ~has["abandoned_s"])[m].all()
    # The converse: an answer time means answered, an abandon time means abandoned.
    assert out[has["answered_s"]].isin(["answered", "callback_answered"]).all()
    assert (out[has["abandoned_s"]] == "abandoned").all()
    # A call that never reached the force is still at the BT stage when the run stops.
    stuck = c[~has["force_s"]]
    assert (stuck["outcome"] == "open").all()
    for name in stuck["channel"].astype(str).unique():
        assert scenario.channels[name].bt_connect_s is not None


# --- 2. times ------------------------------------------------------------------------------------


def _le(a: pd.Series, b: pd.Series) -> bool:
    """a <= b wherever both are present."""
    both = a.notna() & b.notna()
    return bool((a[both] <= b[both]).all())


def check_times(scenario: Scenario, r: RunRecords) -> None:
    c = r.calls
    out = c["outcome"].astype(str)
    chain = ["arrival_s", "force_s", "callback_offered_s", "answered_s", "end_s", "wrap_end_s"]
    for i, a in enumerate(chain):
        for b in chain[i + 1 :]:
            assert _le(c[a], c[b]), f"{a} <= {b}"
    assert _le(c["force_s"], c["abandoned_s"])
    assert _le(c["callback_offered_s"], c["abandoned_s"])
    # Nothing happens at or after the end of the run (events there are never processed).
    for col in ("arrival_s", "force_s", "answered_s", "abandoned_s", "callback_offered_s"):
        assert (c[col].dropna() < r.end_s).all(), col
    assert (c["arrival_s"] >= 0).all()
    waits = (c["answered_s"] - c["force_s"]).dropna()
    assert (waits >= 0).all()
    assert (answer_times(c, scenario).dropna() >= 0).all()
    answered = out.isin(["answered", "callback_answered"])
    a = c[answered]
    assert np.allclose(a["end_s"] - a["answered_s"], a["talk_s"], rtol=0, atol=TOL)
    assert np.allclose(a["wrap_end_s"] - a["end_s"], a["wrap_s"], rtol=0, atol=TOL)

    for name, ch in scenario.channels.items():
        own = c[c["channel"] == name]
        o = own["outcome"].astype(str)
        # Drawn attributes come from the channel's distributions.
        assert in_support(ch.talk_s, own["talk_s"]).all()
        if ch.wrap_s is None:
            assert (own["wrap_s"] == 0).all()
        else:
            assert in_support(ch.wrap_s, own["wrap_s"]).all()
        reached = own[own["force_s"].notna()]
        bt = reached["force_s"] - reached["arrival_s"]
        if ch.bt_connect_s is None:
            assert (bt == 0).all()
        else:
            assert in_support(ch.bt_connect_s, bt).all()
        if ch.patience_s is None:
            # Nobody abandons; patience is infinite.
            assert np.isinf(own["patience_s"]).all()
            assert not (o == "abandoned").any()
            continue
        assert in_support(ch.patience_s, own["patience_s"]).all()
        # An abandon happens exactly when patience runs out, counted from reaching the force,
        # whether or not a callback was offered and declined in between (one who accepts a
        # callback never abandons).
        ab = own[o == "abandoned"]
        assert np.allclose(
            ab["abandoned_s"], ab["force_s"] + ab["patience_s"], rtol=0, atol=ABANDON_TOL
        )
        # A caller answered directly waited no longer than their patience.
        ans = own[o == "answered"]
        assert (ans["answered_s"] - ans["force_s"] <= ans["patience_s"] + ABANDON_TOL).all()
        # A caller still waiting when the run stopped has not run out of patience.
        waiting = own[(o == "open") & own["force_s"].notna() & ~own["callback_accepted"]]
        assert (waiting["force_s"] + waiting["patience_s"] >= r.end_s - ABANDON_TOL).all()


# --- 3. counts, follow-up calls and callbacks ----------------------------------------------------


def check_counts(scenario: Scenario, r: RunRecords) -> None:
    c = r.calls
    out = c["outcome"].astype(str)
    for name in scenario.channels:
        own = out[c["channel"] == name]
        # offered = answered + abandoned + callback_answered + callback_failed + open
        assert sum(int((own == o).sum()) for o in OUTCOMES) == len(own)
    # The KPIs of the measured window add up the same way.
    kpis = replication_kpis(r, scenario)
    measured = r.measured_calls
    for name in scenario.channels:
        own = measured[measured["channel"] == name]
        o = own["outcome"].astype(str)
        callbacks = int(o.isin(["callback_answered", "callback_failed"]).sum())
        total = kpis[f"answered_{name}"] + kpis[f"abandoned_{name}"] + kpis[f"open_{name}"]
        assert kpis[f"offered_{name}"] == len(own) == total + callbacks


def check_follow_ups(scenario: Scenario, r: RunRecords) -> None:
    c = r.calls
    origin = c["origin"].astype(str)
    first = origin == "first"
    assert (c.loc[first, "attempt"] == 0).all()
    assert (c.loc[first, "caller_id"] == c.loc[first, "call_id"]).all()
    assert (c.loc[~first, "attempt"] >= 1).all()
    # A caller's calls form one chain: attempts 0, 1, 2, ... each once.
    assert not c.duplicated(["caller_id", "attempt"]).any()
    prev = c[["caller_id", "attempt", "call_id", "channel", "outcome", "abandoned_s"]].copy()
    prev["attempt"] += 1
    follow = c[~first].merge(
        prev, on=["caller_id", "attempt"], how="left", suffixes=("", "_prev"), validate="1:1"
    )
    assert follow["call_id_prev"].notna().all(), "a follow-up without its previous call"
    assert (follow["call_id_prev"] < follow["call_id"]).all()
    assert (follow["outcome_prev"].astype(str) == "abandoned").all()
    delay = follow["arrival_s"] - follow["abandoned_s_prev"]
    assert (delay >= 0).all()
    redial = follow["origin"].astype(str) == "redial"
    ch, ch_prev = follow["channel"].astype(str), follow["channel_prev"].astype(str)
    assert (ch[redial] == ch_prev[redial]).all()
    assert (ch[~redial] == "999").all()
    assert (ch_prev[~redial] == "101").all()
    for name, spec in scenario.channels.items():
        mine = redial & (ch == name)
        # A caller redials only after an abandon on the same channel, at most max_redials
        # times in all (a redial's attempt number is at most max_redials).
        assert (follow.loc[mine, "attempt"] <= spec.max_redials).all()
        if spec.redial_probability == 0 or spec.max_redials == 0:
            assert not mine.any()
        assert in_support(spec.redial_delay_s, delay[mine]).all()
        per_caller = follow[mine].groupby("caller_id").size()
        assert (per_caller <= spec.max_redials).all()
        if name == "101":
            to999 = ~redial
            if spec.abandon_to_999_probability == 0 or "999" not in scenario.channels:
                assert not to999.any()
            assert in_support(spec.abandon_to_999_delay_s, delay[to999]).all()
    assert not follow[~redial].duplicated("caller_id").any()
    # With certain follow-ups after a fixed delay, every abandoned caller who could follow up
    # before the run stops does.
    nxt = set(follow["call_id_prev"].astype(int))
    for name, spec in scenario.channels.items():
        ab = c[(c["channel"] == name) & (c["outcome"] == "abandoned")]
        if name == "101" and spec.abandon_to_999_probability == 1 and "999" in scenario.channels:
            dist, cap = spec.abandon_to_999_delay_s, math.inf
        elif spec.redial_probability == 1:
            dist, cap = spec.redial_delay_s, spec.max_redials
        else:
            continue
        if dist.dist != "fixed":
            continue
        due = ab[(ab["attempt"] < cap) & (ab["abandoned_s"] + dist.value < r.end_s - TOL)]
        assert set(due["call_id"]) <= nxt


def check_callbacks(scenario: Scenario, r: RunRecords) -> None:
    c = r.calls
    out = c["outcome"].astype(str)
    offered = c["callback_offered_s"].notna()
    accepted = c["callback_accepted"].astype(bool)
    cb_outcome = out.isin(["callback_answered", "callback_failed"])
    work_kinds = set(r.work["kind"].astype(str))
    if not _callback_on(scenario):
        assert not offered.any()
        assert not accepted.any()
        assert (c["callback_attempts"] == 0).all()
        assert not cb_outcome.any()
        assert not work_kinds & {"callback", "callback_attempt"}
        return
    cb = scenario.callback
    assert cb is not None
    assert (c.loc[offered, "channel"] == "101").all()
    assert not (accepted & ~offered).any()
    assert accepted[cb_outcome].all()
    assert out[accepted].isin(["callback_answered", "callback_failed", "open"]).all()
    assert c["callback_attempts"].between(0, cb.max_attempts).all()
    assert accepted[c["callback_attempts"] > 0].all()
    o = c[offered]
    if cb.offer_rule == "waited":
        # Offered once the caller has waited the threshold, and only to one whose patience
        # outlasts it.
        assert np.allclose(
            o["callback_offered_s"], o["force_s"] + cb.offer_after_wait_s, rtol=0, atol=TOL
        )
        assert (o["patience_s"] > cb.offer_after_wait_s).all()
        # Conversely every 101 caller still waiting at the threshold is offered one.
        own = c[(c["channel"] == "101") & c["force_s"].notna()]
        due = own["force_s"] + cb.offer_after_wait_s
        still = own["answered_s"].isna() | (own["answered_s"] > due + TOL)
        should = still & (own["patience_s"] > cb.offer_after_wait_s + TOL) & (due < r.end_s - TOL)
        assert own.loc[should, "callback_offered_s"].notna().all()
    else:
        assert (o["callback_offered_s"] == o["force_s"]).all()
    if cb.accept_probability == 0:
        assert not accepted.any()
    if cb.accept_probability == 1:
        assert accepted[offered].all()
    if cb.attempt_success_probability == 0:
        assert not (out == "callback_answered").any()
    if cb.attempt_success_probability == 1:
        assert not (out == "callback_failed").any()
        assert (c.loc[out == "callback_answered", "callback_attempts"] == 1).all()
        assert "callback_attempt" not in work_kinds
    # Failed attempts take attempt_s; a retry comes no sooner than retry_after_s later.
    w = r.work[r.work["kind"].astype(str).isin(["callback", "callback_attempt"])]
    w = w.sort_values(["call_id", "start_s"], kind="stable")
    att = w[w["kind"] == "callback_attempt"]
    assert in_support(cb.attempt_s, att["end_s"] - att["start_s"]).all()
    same = w["call_id"].to_numpy()[1:] == w["call_id"].to_numpy()[:-1]
    gaps = w["start_s"].to_numpy()[1:] - w["end_s"].to_numpy()[:-1]
    assert (gaps[same] >= _support_min(cb.retry_after_s) - TOL).all()
    # A failed callback ends with its last attempt.
    last_end = w.groupby("call_id")["end_s"].max()
    failed = c[out == "callback_failed"].set_index("call_id")
    assert (failed["end_s"] == last_end.reindex(failed.index)).all()


# --- 4. handlers ---------------------------------------------------------------------------------


def check_work_matches_calls(r: RunRecords) -> None:
    c = r.calls.set_index("call_id")
    w = r.work
    assert (w["end_s"] >= w["start_s"]).all()
    out = c["outcome"].astype(str)
    for kind, outcome in (("call", "answered"), ("callback", "callback_answered")):
        stints = w[w["kind"] == kind].set_index("call_id")
        assert stints.index.is_unique
        calls = c[out == outcome]
        assert sorted(stints.index) == sorted(calls.index)
        stints = stints.loc[calls.index]
        assert (stints["start_s"] == calls["answered_s"]).all()
        assert (stints["end_s"] == calls["wrap_end_s"]).all()
        assert (stints["handler_id"] == calls["handler_id"]).all()
    attempts = w[w["kind"] == "callback_attempt"].groupby("call_id").size()
    expected = c["callback_attempts"] - (out == "callback_answered").astype(int)
    expected = expected[expected > 0]
    assert attempts.sort_index().to_dict() == expected.sort_index().to_dict()
    # The handler of a callback is the one who made its last attempt.
    last = w.sort_values(["call_id", "start_s"], kind="stable").groupby("call_id").last()
    cb = c[c["callback_attempts"] > 0]
    assert (last.loc[cb.index, "handler_id"] == cb["handler_id"]).all()
    # (Skills are checked in check_handlers, which joins work to the handler groups.)


def check_handlers(scenario: Scenario, r: RunRecords) -> None:
    check_work_matches_calls(r)
    h = r.handlers.set_index("handler_id")
    assert h.index.tolist() == list(range(len(h)))
    assert set(r.work["handler_id"]) <= set(h.index)
    assert set(r.duty["handler_id"]) <= set(h.index)
    end = r.end_s

    # Skills: join work -> calls (channel) and work -> handler group (skills).
    skills = _group_skills(scenario, r)
    channel = r.calls.set_index("call_id")["channel"].astype(str)
    w_channel = channel.reindex(r.work["call_id"]).to_numpy()
    w_skills = skills.reindex(r.work["handler_id"]).to_numpy()
    assert all(ch in sk for ch, sk in zip(w_channel, w_skills, strict=True))

    # One call at a time; duty stretches of a handler do not overlap either. (The tables'
    # dtypes vary with their contents: see test_record_dtypes_do_not_depend_on_the_data.)
    work = r.work.sort_values(["handler_id", "start_s", "end_s"], kind="stable")
    duty = r.duty.sort_values(["handler_id", "start_s", "end_s"], kind="stable")
    assert (duty["end_s"] >= duty["start_s"]).all()
    assert (duty["end_s"] <= end).all()
    for frame, what in ((work, "work"), (duty, "duty")):
        hid = frame["handler_id"].to_numpy()
        same = hid[1:] == hid[:-1]
        starts, ends = frame["start_s"].to_numpy(), frame["end_s"].to_numpy()
        assert (starts[1:][same] >= ends[:-1][same]).all(), f"{what} overlaps"

    # Every work stint lies inside one duty stretch of its handler: the stretch runs on past
    # the scheduled shift end until the call in hand is wrapped up (overtime), and only the
    # end of the run may cut a stint short.
    ws = work.rename(columns={"start_s": "w_start", "end_s": "w_end"}).sort_values("w_start")
    ds = duty.rename(columns={"start_s": "d_start", "end_s": "d_end"}).sort_values("d_start")
    m = pd.merge_asof(
        ws, ds, left_on="w_start", right_on="d_start", by="handler_id", direction="backward"
    )
    assert m["d_start"].notna().all(), "work before any duty"
    inside = (m["w_end"] <= m["d_end"]) | ((m["d_end"] == end) & (m["w_start"] < end))
    assert inside.all(), m[~inside].head().to_string()

    # Against the handlers table: duty and work within the shift as worked; no call is taken
    # after the scheduled end; overtime is the time past it spent finishing a call.
    sched_start = h["scheduled_start_s"].clip(lower=0.0)
    stop = h["actual_end_s"].fillna(end)
    for frame in (work, duty):
        hid = frame["handler_id"]
        assert (frame["start_s"].to_numpy() >= sched_start.reindex(hid).to_numpy()).all()
    assert (
        work["start_s"].to_numpy() <= h["scheduled_end_s"].reindex(work["handler_id"]).to_numpy()
    ).all()
    assert (duty["end_s"].to_numpy() <= stop.reindex(duty["handler_id"]).to_numpy()).all()
    ended = h[h["actual_end_s"].notna()]
    assert (ended["actual_end_s"] >= ended["scheduled_end_s"]).all()
    assert (ended["actual_end_s"] < end).all()
    assert (h["overtime_s"] >= 0).all()
    assert (h.loc[h["actual_end_s"].isna(), "overtime_s"] == 0).all()
    over = ended[ended["actual_end_s"] > ended["scheduled_end_s"]]
    last_work = work.groupby("handler_id").last()
    for hid, row in over.iterrows():
        assert hid in last_work.index
        stint = last_work.loc[hid]
        assert stint["end_s"] == row["actual_end_s"]
        assert stint["start_s"] <= row["scheduled_end_s"]
    # A handler still on when the run stops was due on past it, or was finishing a call.
    still = h[h["actual_end_s"].isna()]
    late = last_work["end_s"].reindex(still.index)
    assert ((still["scheduled_end_s"] >= end) | (late >= end)).all()
    # Around-the-clock groups, and duty stretches only broken by breaks.
    breaks = {
        g.name: [len(s.breaks) for s in g.shifts] if g.shifts is not None else None
        for g in scenario.handlers
    }
    stretches = duty.groupby("handler_id").size()
    for hid, row in h.iterrows():
        shifts = breaks[row["group"]]
        if shifts is None:
            assert row["shift"] == "around the clock"
            assert row["scheduled_start_s"] == 0 and math.isinf(row["scheduled_end_s"])
            allowed = 1
        else:
            allowed = 1 + shifts[int(row["shift"].rsplit("#", 1)[1])]
        assert stretches.get(hid, 0) <= allowed

    # Never more handlers busy than on duty (event sweep over work and duty)...
    w_start = work["start_s"].to_numpy()
    w_end = np.minimum(work["end_s"].to_numpy(), end)
    d_start, d_end = duty["start_s"].to_numpy(), duty["end_s"].to_numpy()
    at = np.unique(np.concatenate([w_start, w_end, d_start, d_end]))
    assert (_level(w_start, w_end, at) <= _level(d_start, d_end, at)).all()
    # ... and in every 15-minute interval of the measured window.
    table = interval_table(r, scenario)
    if len(table):
        assert (table["handlers_busy"] <= table["handlers_on_duty"] + 1e-9).all()
        assert (table["handlers_busy"] >= -1e-9).all()

    # Queue discipline: first come, first served within a channel (callers answered straight
    # from the queue are answered in the order they reached the force) ...
    c = r.calls
    direct = c[c["outcome"] == "answered"].sort_values(["force_s", "answered_s"], kind="stable")
    for name in scenario.channels:
        answered = direct.loc[direct["channel"] == name, "answered_s"].to_numpy()
        assert (np.diff(answered) >= 0).all(), f"{name}: answered out of order"
    # ... and a handler never takes a lower-priority call while a call of a higher-priority
    # channel in their skills waits.
    waits_until = c["answered_s"].fillna(c["abandoned_s"]).fillna(end)
    taken_channel = channel.reindex(work["call_id"]).to_numpy()
    taken_skills = skills.reindex(work["handler_id"]).to_numpy()
    for high in scenario.channels:
        q = c[(c["channel"] == high) & c["force_s"].notna() & ~c["callback_accepted"]]
        q_start, q_end = q["force_s"].to_numpy(), waits_until[q.index].to_numpy()
        keep = q_end - q_start > 2 * TOL
        q_start, q_end = q_start[keep], q_end[keep]
        for low in scenario.channels:
            if scenario.channel_priority(high) >= scenario.channel_priority(low):
                continue
            mask = (taken_channel == low) & np.array([high in sk for sk in taken_skills], bool)
            t = work["start_s"].to_numpy()[mask]
            for chunk in np.array_split(t, max(1, len(t) // 500)):
                inside = (q_start[None, :] < chunk[:, None] - TOL) & (
                    chunk[:, None] + TOL < q_end[None, :]
                )
                assert not inside.any(), f"took {low} while {high} waited"

    # Work-conserving: no handler is idle while a call of a channel in their skills waits.
    for name in scenario.channels:
        able = skills[skills.map(lambda s, n=name: n in s)].index
        ww = work[work["handler_id"].isin(able)]
        dd = duty[duty["handler_id"].isin(able)]
        own = c[(c["channel"] == name) & c["force_s"].notna() & ~c["callback_accepted"]]
        q_start = own["force_s"].to_numpy()
        q_end = own["answered_s"].fillna(own["abandoned_s"]).fillna(end).to_numpy()
        b_start, b_end = ww["start_s"].to_numpy(), np.minimum(ww["end_s"].to_numpy(), end)
        t = np.unique(np.concatenate([q_start, q_end, b_start, b_end, dd["start_s"], dd["end_s"]]))
        if len(t) < 2:
            continue
        idle = _level(dd["start_s"].to_numpy(), dd["end_s"].to_numpy(), t) - _level(
            b_start, b_end, t
        )
        waiting = _level(q_start, q_end, t)
        bad = (idle > 0) & (waiting > 0)
        bad[-1] = False
        bad &= np.diff(t, append=t[-1]) > TOL
        assert not bad.any(), f"{name}: handler idle while a call waits at t={t[bad][:3]}"


# --- 5. reproducibility --------------------------------------------------------------------------


def check_reproducible(scenario: Scenario, replication: int, r: RunRecords) -> None:
    again = simulate(scenario, replication)
    pd.testing.assert_frame_equal(r.calls, again.calls)
    pd.testing.assert_frame_equal(r.work, again.work)
    pd.testing.assert_frame_equal(r.duty, again.duty)
    pd.testing.assert_frame_equal(r.handlers, again.handlers)


# --- 6. KPIs -------------------------------------------------------------------------------------


SHARES = (
    "abandon_rate",
    "answered_within_10s",
    "answered_10_to_59s",
    "answered_60s_plus",
    "answered_within_10s_of_offered",
    "answered_within_60s",
    "callback_requested_rate",
    "callback_success_rate",
)
COUNTS = ("offered", "answered", "abandoned", "open")


def check_kpis(scenario: Scenario, r: RunRecords) -> None:
    kpis = replication_kpis(r, scenario)
    for name, value in kpis.items():
        assert isinstance(value, float), name
        assert not math.isinf(value), name
        # Every KPI has a kind (share or amount), and keeps to its bounds, which the
        # confidence intervals are cut to (up to rounding in sums of time).
        low, high = kpi_bounds(name)
        assert kpi_kind(name) is not None, f"{name}: no kind in analysis/kpi_kinds.py"
        assert math.isnan(value) or low - 1e-9 <= value <= high + 1e-9, (name, value)
    occupancy = kpis["handler_occupancy"]
    assert math.isnan(occupancy) or 0.0 <= occupancy <= 1.0 + 1e-12
    assert kpis["overtime_hours"] >= 0
    table = interval_table(r, scenario)
    for ch in scenario.channels:
        for share in SHARES:
            value = kpis.get(f"{share}_{ch}", math.nan)
            assert math.isnan(value) or 0.0 <= value <= 1.0, (share, ch, value)
        for count in COUNTS:
            value = kpis[f"{count}_{ch}"]
            assert value >= 0 and value == int(value)
        bands = [kpis[f"{b}_{ch}"] for b in SHARES[1:4]]
        if kpis[f"answered_{ch}"] > 0:
            assert math.isclose(sum(bands), 1.0, abs_tol=1e-12)
            assert kpis[f"mean_answer_s_{ch}"] >= 0
            assert kpis[f"p90_answer_s_{ch}"] >= 0
        else:
            assert all(math.isnan(b) for b in bands)
            assert math.isnan(kpis[f"mean_answer_s_{ch}"])
        if kpis[f"offered_{ch}"] > 0:
            rate = kpis[f"abandon_rate_{ch}"]
            assert math.isclose(rate, kpis[f"abandoned_{ch}"] / kpis[f"offered_{ch}"])
            assert kpis[f"answered_within_10s_of_offered_{ch}"] <= 1.0
        delay = kpis.get(f"mean_callback_delay_s_{ch}", math.nan)
        assert math.isnan(delay) or delay >= 0
        own = table[table["channel"] == ch]
        for count in ("offered", "answered", "abandoned"):
            assert own[count].sum() == kpis[f"{count}_{ch}"]
    if _callback_on(scenario):
        assert "callback_requested_rate_101" in kpis
    else:
        assert not any(k.startswith("callback_") for k in kpis)
