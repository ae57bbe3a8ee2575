"""Exact-trace process tests of the control-room model (controlroom_sim.model.room).

Every test builds a small scenario with FIXED durations, runs one replication with GIVEN
first-call arrival times (``simulate(..., arrival_times=...)``) and asserts the exact trace:
when each call reached the force, was answered, abandoned, ended and finished wrap-up, its
outcome, handler and callback fields, and the work, duty and handler tables. A few tests at the
end run the Poisson process and check invariants that must hold whatever the draws.

Clock: ``warmup_hours = 0`` and ``start_weekday = "monday"`` unless a test says otherwise, so
simulation time 0 is Monday 00:00 and ``H`` seconds is 01:00. Each test's docstring names the
behaviour it pins.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import pytest

from controlroom_sim.analysis.call_kpis import answer_times
from controlroom_sim.config.schema import Scenario
from controlroom_sim.model import simulate
from controlroom_sim.model.records import OUTCOMES, RunRecords
from tests.helpers.traces import H, assert_call, fixed, plain, rows, run

DAY = 86400.0


# --- helpers ---------------------------------------------------------------------------------


def channel(talk: float, wrap: float | None = None, **extra: Any) -> dict[str, Any]:
    """A channel with fixed talk (and wrap-up) time; calls come only from ``arrival_times``."""
    spec: dict[str, Any] = {"calls_per_day": 0, "talk_s": fixed(talk)}
    if wrap is not None:
        spec["wrap_s"] = fixed(wrap)
    spec.update(extra)
    return spec


def group(name: str, skills: Sequence[str], count: int | None = None, **extra: Any) -> dict:
    spec: dict[str, Any] = {"name": name, "skills": list(skills)}
    if count is not None:
        spec["count"] = count
    spec.update(extra)
    return spec


def make(
    channels: Mapping[str, dict[str, Any]],
    handlers: Sequence[dict[str, Any]],
    *,
    callback: dict[str, Any] | None = None,
    days: float = 1.0,
    cooldown_hours: float = 0.0,
    start_weekday: str = "monday",
    warmup_hours: float = 0.0,
    seed: int = 1,
) -> Scenario:
    data: dict[str, Any] = {
        "scenario": {
            "name": "trace",
            "days": days,
            "warmup_hours": warmup_hours,
            "cooldown_hours": cooldown_hours,
            "start_weekday": start_weekday,
            "replications": 1,
            "seed": seed,
        },
        "channels": dict(channels),
        "handlers": list(handlers),
    }
    if callback is not None:
        data["callback"] = callback
    return Scenario.model_validate(data)


def assert_calls(records: RunRecords, expected: Sequence[Mapping[str, Any]]) -> None:
    """Every call of the run, in call_id order, has exactly these fields."""
    assert len(records.calls) == len(expected)
    for i, row in enumerate(expected):
        assert_call(records, i, **row)


def work_rows(records: RunRecords) -> list[tuple[Any, ...]]:
    return rows(records.work, ["handler_id", "call_id", "start_s", "end_s", "kind"])


def duty_rows(records: RunRecords) -> list[tuple[Any, ...]]:
    duty = records.duty.sort_values(["handler_id", "start_s"], kind="stable")
    return rows(duty, ["handler_id", "start_s", "end_s"])


TIMES = ("force_s", "answered_s", "abandoned_s", "end_s", "wrap_end_s")


# --- 1. BT connection stage and the answer clock ---------------------------------------------


def _bt_scenario(clock: str) -> Scenario:
    return make(
        {"999": channel(100, 20, bt_connect_s=fixed(5), answer_clock=clock)},
        [group("h", ["999"], count=1)],
    )


def test_bt_stage_delays_reaching_the_force_by_bt_connect_s() -> None:
    """A 999 call reaches the force queue exactly ``bt_connect_s`` after it is made
    (force_s = arrival_s + bt), and the handler answers it from the force queue."""
    r = run(_bt_scenario("call"), t999=[10, 50])
    assert_calls(
        r,
        [
            dict(arrival_s=10.0, force_s=15.0, answered_s=15.0, end_s=115.0, wrap_end_s=135.0),
            dict(arrival_s=50.0, force_s=55.0, answered_s=135.0, end_s=235.0, wrap_end_s=255.0),
        ],
    )


def test_no_bt_stage_means_force_s_equals_arrival_s() -> None:
    """Without ``bt_connect_s`` a 999 call reaches the force the moment it is made."""
    sc = make({"999": channel(100)}, [group("h", ["999"], count=1)])
    r = run(sc, t999=[10])
    assert_call(r, 0, arrival_s=10.0, force_s=10.0, answered_s=10.0, end_s=110.0)


@pytest.mark.parametrize(("clock", "expected"), [("call", [5.0, 85.0]), ("force", [0.0, 80.0])])
def test_answer_clock_call_includes_bt_stage_force_excludes_it(
    clock: str, expected: list[float]
) -> None:
    """``answer_clock = "call"`` (Home Office default) measures answer time from the call being
    made, so it includes the BT stage; ``"force"`` measures from reaching the force queue. The
    trace itself does not depend on the clock."""
    r = run(_bt_scenario(clock), t999=[10, 50])
    assert answer_times(r.calls, _bt_scenario(clock)).tolist() == expected
    assert r.calls["answered_s"].tolist() == [15.0, 135.0]


def test_answer_clock_default_is_call() -> None:
    """The default answer clock is ``"call"`` (from the call being made)."""
    sc = make({"999": channel(100, bt_connect_s=fixed(5))}, [group("h", ["999"], count=1)])
    assert answer_times(run(sc, t999=[10]).calls, sc).tolist() == [5.0]


# --- 2. Talk, wrap-up, next call --------------------------------------------------------------


def test_talk_then_wrap_then_next_queued_call_at_wrap_end() -> None:
    """end_s = answered_s + talk, wrap_end_s = end_s + wrap, and the handler takes the next
    queued call only at wrap end (not when the talk ends). The work table holds one ``call``
    stint per call from answer to wrap end."""
    sc = make({"101": channel(300, 60)}, [group("h", ["101"], count=1)])
    r = run(sc, t101=[10, 100, 200])
    assert_calls(
        r,
        [
            dict(answered_s=10.0, end_s=310.0, wrap_end_s=370.0, handler_id=0, outcome="answered"),
            dict(answered_s=370.0, end_s=670.0, wrap_end_s=730.0, handler_id=0, outcome="answered"),
            dict(
                answered_s=730.0, end_s=1030.0, wrap_end_s=1090.0, handler_id=0, outcome="answered"
            ),
        ],
    )
    assert work_rows(r) == [
        (0, 0, 10.0, 370.0, "call"),
        (0, 1, 370.0, 730.0, "call"),
        (0, 2, 730.0, 1090.0, "call"),
    ]


def test_no_wrap_means_wrap_end_equals_end() -> None:
    """A channel without ``wrap_s`` has no wrap-up: wrap_end_s = end_s and the next call is
    answered when the talk ends."""
    sc = make({"101": channel(300)}, [group("h", ["101"], count=1)])
    r = run(sc, t101=[10, 100])
    assert_calls(
        r,
        [
            dict(answered_s=10.0, end_s=310.0, wrap_end_s=310.0),
            dict(answered_s=310.0, end_s=610.0, wrap_end_s=610.0),
        ],
    )


# --- 3. Priority and queue discipline ---------------------------------------------------------


def test_999_before_101_non_preemptive() -> None:
    """Non-preemptive priority: 101 callers waiting since 10 and 20 go after 999 callers who
    arrive later (50, 60); the 101 call in service when the 999 calls arrive is not
    interrupted (it ends at its full talk time)."""
    sc = make(
        {"999": channel(100), "101": channel(100)},
        [group("both", ["999", "101"], count=1)],
    )
    r = run(sc, t999=[50, 60], t101=[0.5, 10, 20])
    # call ids follow arrival order: 101@0.5, 101@10, 101@20, 999@50, 999@60
    assert_calls(
        r,
        [
            dict(channel="101", arrival_s=0.5, answered_s=0.5, end_s=100.5),
            dict(channel="101", arrival_s=10.0, answered_s=300.5, end_s=400.5),
            dict(channel="101", arrival_s=20.0, answered_s=400.5, end_s=500.5),
            dict(channel="999", arrival_s=50.0, answered_s=100.5, end_s=200.5),
            dict(channel="999", arrival_s=60.0, answered_s=200.5, end_s=300.5),
        ],
    )


def test_fifo_within_a_channel_by_force_time() -> None:
    """Within a channel, calls are answered first come first served (in the order they reached
    the force queue), whatever handler frees up."""
    sc = make({"999": channel(1000, bt_connect_s=fixed(3))}, [group("h", ["999"], count=2)])
    r = run(sc, t999=[1, 2, 10, 20, 30, 40])
    answered = r.calls.sort_values("answered_s")["call_id"].tolist()
    assert answered == [0, 1, 2, 3, 4, 5]
    assert r.calls["answered_s"].tolist() == [4.0, 5.0, 1004.0, 1005.0, 2004.0, 2005.0]
    assert r.calls["handler_id"].tolist() == [0, 1, 0, 1, 0, 1]


# --- 4. Skills and the choice of handler ------------------------------------------------------


def test_999_only_handler_never_takes_101() -> None:
    """A handler with only the 999 skill stays idle while a 101 caller waits; the 101 caller
    waits for the handler who has both skills, who also takes 999 calls."""
    sc = make(
        {"999": channel(100), "101": channel(100)},
        [group("e999", ["999"], count=1), group("both", ["999", "101"], count=1)],
    )
    # 101@10 -> handler 1 (both; the 999-only handler 0 cannot); 101@20 waits for handler 1
    # although handler 0 is idle; 999@50 -> handler 0 (idle longest of the two 999-skilled).
    r = run(sc, t999=[50, 300], t101=[10, 20])
    assert_calls(
        r,
        [
            dict(channel="101", answered_s=10.0, handler_id=1),
            dict(channel="101", answered_s=110.0, handler_id=1),
            dict(channel="999", answered_s=50.0, handler_id=0),
            dict(channel="999", answered_s=300.0, handler_id=0),
        ],
    )
    worked = r.work.merge(r.calls[["call_id", "channel"]], on="call_id")
    assert set(worked.loc[worked["handler_id"] == 0, "channel"]) == {"999"}


def test_101_only_handler_never_takes_999() -> None:
    """A handler with only the 101 skill never answers 999: a 999 caller waits for the 999
    handler while the 101 handler is idle."""
    sc = make(
        {"999": channel(100), "101": channel(100)},
        [group("e999", ["999"], count=1), group("n101", ["101"], count=1)],
    )
    r = run(sc, t999=[10, 20])
    assert r.calls["handler_id"].tolist() == [0, 0]
    assert r.calls["answered_s"].tolist() == [10.0, 110.0]


@pytest.mark.parametrize("split", [False, True], ids=["one-group", "two-groups"])
def test_idle_longest_handler_is_chosen(split: bool) -> None:
    """An arriving call goes to the handler idle longest, within one group and across groups
    (group order does not matter)."""
    if split:
        handlers = [group("a", ["999", "101"], count=1), group("b", ["999", "101"], count=1)]
    else:
        handlers = [group("ab", ["999", "101"], count=2)]
    sc = make({"999": channel(100), "101": channel(500)}, handlers)
    # 101@10 -> h0 (busy to 510); 999@20 -> h1 (busy to 120); 999@600: h1 idle since 120,
    # h0 since 510 -> h1; 999@800: h0 idle since 510, h1 since 700 -> h0.
    r = run(sc, t999=[20, 600, 800], t101=[10])
    assert_calls(
        r,
        [
            dict(channel="101", answered_s=10.0, handler_id=0),
            dict(channel="999", answered_s=20.0, handler_id=1),
            dict(channel="999", answered_s=600.0, handler_id=1),
            dict(channel="999", answered_s=800.0, handler_id=0),
        ],
    )


# --- 5. Patience ------------------------------------------------------------------------------


def test_patience_abandon_time_answered_just_in_time_and_skipping() -> None:
    """A caller abandons at exactly force_s + patience; a caller answered 1 s before their
    patience runs out is answered, not abandoned; handlers skip abandoned callers in the
    queue (the abandoned caller's place goes to the next waiting caller)."""
    sc = make(
        {"999": channel(1000, bt_connect_s=fixed(5), patience_s=fixed(500))},
        [group("h", ["999"], count=1)],
    )
    # c0@5 -> answered 10, free 1010. c1@15 reaches 20, abandons 520. c2@506 reaches 511,
    # answered 1010 (patience ends 1011). c3@595 reaches 600, abandons 1100 (handler busy to
    # 2010). c4@1595 reaches 1600 and is answered at 2010, c1 and c3 skipped.
    r = run(sc, t999=[5, 15, 506, 595, 1595])
    assert_calls(
        r,
        [
            dict(force_s=10.0, answered_s=10.0, abandoned_s=None, outcome="answered", handler_id=0),
            dict(force_s=20.0, answered_s=None, abandoned_s=520.0, outcome="abandoned"),
            dict(force_s=511.0, answered_s=1010.0, abandoned_s=None, outcome="answered"),
            dict(force_s=600.0, answered_s=None, abandoned_s=1100.0, outcome="abandoned"),
            dict(force_s=1600.0, answered_s=2010.0, abandoned_s=None, outcome="answered"),
        ],
    )
    assert r.calls.loc[r.calls["outcome"] == "abandoned", "handler_id"].tolist() == [-1, -1]
    assert r.calls.loc[r.calls["outcome"] == "abandoned", "end_s"].isna().all()
    assert r.work["call_id"].tolist() == [0, 2, 4]


def test_no_patience_means_nobody_abandons() -> None:
    """A channel without ``patience_s`` never abandons: the caller waits however long."""
    sc = make({"101": channel(20000)}, [group("h", ["101"], count=1)], cooldown_hours=12)
    r = run(sc, t101=[10, 20])
    assert r.calls["outcome"].tolist() == ["answered", "answered"]
    assert r.calls["answered_s"].tolist() == [10.0, 20010.0]
    assert math.isinf(r.calls.loc[1, "patience_s"])


# --- 6. Redials of abandoned 999 calls --------------------------------------------------------


def _redial_scenario(probability: float, max_redials: int, shift_start: str = "01:00") -> Scenario:
    return make(
        {
            "999": channel(
                100,
                bt_connect_s=fixed(5),
                patience_s=fixed(20),
                redial_probability=probability,
                redial_delay_s=fixed(30),
                max_redials=max_redials,
            )
        },
        [group("h", ["999"], shifts=[{"start": shift_start, "hours": 1, "count": 1}])],
    )


def test_redial_chain_is_bounded_by_max_redials() -> None:
    """With redial_probability = 1 an abandoned 999 caller rings again redial_delay_s after
    abandoning: a new offered call with the same caller_id, attempt + 1 and origin "redial",
    which passes the BT stage again; after max_redials redials the caller gives up."""
    r = run(_redial_scenario(1.0, 2), t999=[0.5])
    base = dict(caller_id=0, channel="999", outcome="abandoned", handler_id=-1)
    assert_calls(
        r,
        [
            dict(base, attempt=0, origin="first", arrival_s=0.5, force_s=5.5, abandoned_s=25.5),
            dict(base, attempt=1, origin="redial", arrival_s=55.5, force_s=60.5, abandoned_s=80.5),
            dict(
                base, attempt=2, origin="redial", arrival_s=110.5, force_s=115.5, abandoned_s=135.5
            ),
        ],
    )


def test_max_redials_zero_and_probability_zero_give_no_redial() -> None:
    """max_redials = 0 stops the chain at the first call; redial_probability = 0 gives no
    redial whatever max_redials is."""
    for sc in (_redial_scenario(1.0, 0), _redial_scenario(0.0, 3)):
        r = run(sc, t999=[0.5])
        assert len(r.calls) == 1
        assert_call(r, 0, outcome="abandoned", abandoned_s=25.5, origin="first")


def test_answered_redial_ends_the_chain() -> None:
    """A redial that is answered ends the caller's chain: no further calls."""
    # The handler comes on at 00:01 (60 s); the redial reaches the force at 60.5.
    r = run(_redial_scenario(1.0, 5, shift_start="00:01"), t999=[0.5])
    assert_calls(
        r,
        [
            dict(attempt=0, outcome="abandoned", abandoned_s=25.5),
            dict(attempt=1, origin="redial", caller_id=0, outcome="answered", answered_s=60.5),
        ],
    )


def test_redials_keep_their_own_caller_ids() -> None:
    """Two callers abandoning at once each redial under their own caller_id."""
    r = run(_redial_scenario(1.0, 1), t999=[0.5, 2.0])
    chains = r.calls.groupby("caller_id")["attempt"].apply(list).to_dict()
    assert chains == {0: [0, 1], 1: [0, 1]}
    assert r.calls["arrival_s"].tolist() == [0.5, 2.0, 55.5, 57.0]


# --- 7. Abandoned 101 callers ringing 999 -----------------------------------------------------


def test_abandoned_101_caller_rings_999() -> None:
    """With abandon_to_999_probability = 1 an abandoned 101 caller rings 999
    abandon_to_999_delay_s later: a new call on channel 999 with origin "from_101", the same
    caller_id and attempt + 1, which passes the 999 BT stage and is answered by a 999
    handler."""
    sc = make(
        {
            "999": channel(50, bt_connect_s=fixed(5)),
            "101": channel(
                100,
                patience_s=fixed(100),
                abandon_to_999_probability=1.0,
                abandon_to_999_delay_s=fixed(30),
            ),
        },
        [group("e999", ["999"], count=1)],
    )
    r = run(sc, t101=[10])
    assert_calls(
        r,
        [
            dict(channel="101", origin="first", attempt=0, caller_id=0, abandoned_s=110.0),
            dict(
                channel="999",
                origin="from_101",
                attempt=1,
                caller_id=0,
                arrival_s=140.0,
                force_s=145.0,
                answered_s=145.0,
                end_s=195.0,
                outcome="answered",
                handler_id=0,
            ),
        ],
    )


def test_abandon_to_999_probability_zero_gives_no_999_call() -> None:
    """abandon_to_999_probability = 0 (the default): an abandoned 101 caller does not ring
    999."""
    sc = make(
        {"999": channel(50), "101": channel(100, patience_s=fixed(100))},
        [group("e999", ["999"], count=1)],
    )
    r = run(sc, t101=[10])
    assert len(r.calls) == 1
    assert_call(r, 0, outcome="abandoned", abandoned_s=110.0)


# --- 8. The 101 callback ----------------------------------------------------------------------


def _callback_scenario(patience: float | None = None, talk101: float = 60, **cb: Any) -> Scenario:
    """One handler with both skills; a 999 call (talk 500) keeps them busy; 101 talk 60."""
    extra = {"patience_s": fixed(patience)} if patience is not None else {}
    callback = {"offer_after_wait_s": 120, "accept_probability": 1.0}
    callback.update(cb)
    return make(
        {"999": channel(500), "101": channel(talk101, **extra)},
        [group("both", ["999", "101"], count=1)],
        callback=callback,
    )


def test_callback_offered_after_wait_keeps_place_and_is_answered_when_reached() -> None:
    """A 101 caller still waiting offer_after_wait_s after reaching the queue is offered a
    callback (callback_offered_s = force_s + 120) and accepts; the request keeps the caller's
    place, so the handler freed at 510 rings them back before a 101 caller who arrived later
    (answered_s = the ring-back time, outcome "callback_answered", work kind "callback"). A
    caller answered before the threshold is never offered."""
    r = run(_callback_scenario(), t999=[10], t101=[20, 460])
    assert_calls(
        r,
        [
            dict(channel="999", answered_s=10.0, wrap_end_s=510.0),
            dict(
                channel="101",
                force_s=20.0,
                callback_offered_s=140.0,
                callback_accepted=True,
                callback_attempts=1,
                answered_s=510.0,
                end_s=570.0,
                wrap_end_s=570.0,
                outcome="callback_answered",
                handler_id=0,
            ),
            dict(
                channel="101",
                force_s=460.0,
                callback_offered_s=None,
                callback_accepted=False,
                callback_attempts=0,
                answered_s=570.0,
                outcome="answered",
            ),
        ],
    )
    assert work_rows(r) == [
        (0, 0, 10.0, 510.0, "call"),
        (0, 1, 510.0, 570.0, "callback"),
        (0, 2, 570.0, 630.0, "call"),
    ]


def test_callback_request_waits_behind_999_calls() -> None:
    """A callback request keeps its place among 101 callers only: a 999 call that arrives
    while it waits is still answered first; 999 callers are never offered a callback (the
    999 caller here waits 210 s, past offer_after_wait_s)."""
    r = run(_callback_scenario(), t999=[10, 300], t101=[20])
    # call ids follow arrival order: 999@10, 101@20, 999@300
    assert_calls(
        r,
        [
            dict(channel="999", answered_s=10.0),
            dict(
                channel="101",
                callback_offered_s=140.0,
                answered_s=1010.0,
                outcome="callback_answered",
            ),
            dict(channel="999", answered_s=510.0, wrap_end_s=1010.0, callback_offered_s=None),
        ],
    )


def test_callback_failed_after_max_attempts() -> None:
    """attempt_success_probability = 0, max_attempts = 3: three attempts of attempt_s each,
    the next starting retry_after_s after the previous one ends, then outcome
    "callback_failed" with end_s at the end of the last attempt and no answer time."""
    sc = _callback_scenario(
        attempt_success_probability=0.0,
        max_attempts=3,
        attempt_s=fixed(30),
        retry_after_s=fixed(600),
    )
    r = run(sc, t999=[10], t101=[20])
    assert_call(
        r,
        1,
        callback_offered_s=140.0,
        callback_accepted=True,
        callback_attempts=3,
        answered_s=None,
        abandoned_s=None,
        end_s=1800.0,
        outcome="callback_failed",
        handler_id=0,
    )
    assert work_rows(r) == [
        (0, 0, 10.0, 510.0, "call"),
        (0, 1, 510.0, 540.0, "callback_attempt"),
        (0, 1, 1140.0, 1170.0, "callback_attempt"),
        (0, 1, 1770.0, 1800.0, "callback_attempt"),
    ]


def test_callback_retry_goes_ahead_of_the_101_queue() -> None:
    """A retry that falls due while the handler is busy is taken ahead of 101 callers who
    were already queued; the caller reached on the second attempt ends "callback_answered"
    with answered_s = that attempt's start."""
    sc = _callback_scenario(
        attempt_success_probability=0.0,
        max_attempts=2,
        attempt_s=fixed(30),
        retry_after_s=fixed(600),
    )
    # Attempt 1 at 510-540, retry due at 1140; 101@1100 answered 1100-1160; 101@1120 queued;
    # at 1160 the retry (due 1140) goes first: attempt 2 at 1160-1190, then 101@1120 at 1190.
    r = run(sc, t999=[10], t101=[20, 1100, 1120])
    assert_calls(
        r,
        [
            dict(channel="999", answered_s=10.0),
            dict(callback_attempts=2, outcome="callback_failed", end_s=1190.0),
            dict(answered_s=1100.0, outcome="answered"),
            dict(answered_s=1190.0, outcome="answered"),
        ],
    )
    assert work_rows(r)[1:] == [
        (0, 1, 510.0, 540.0, "callback_attempt"),
        (0, 2, 1100.0, 1160.0, "call"),
        (0, 1, 1160.0, 1190.0, "callback_attempt"),
        (0, 3, 1190.0, 1250.0, "call"),
    ]


def test_callback_declined_caller_keeps_waiting_and_may_abandon() -> None:
    """accept_probability = 0: the offer is recorded (callback_offered_s = force_s + 120,
    callback_accepted False) and the caller keeps waiting: abandons at force_s + patience if
    not answered, or is answered normally."""
    r = run(_callback_scenario(patience=300, accept_probability=0.0), t999=[10], t101=[20, 300])
    assert_calls(
        r,
        [
            dict(channel="999"),
            dict(
                callback_offered_s=140.0,
                callback_accepted=False,
                abandoned_s=320.0,
                answered_s=None,
                outcome="abandoned",
            ),
            dict(
                callback_offered_s=420.0,
                callback_accepted=False,
                abandoned_s=None,
                answered_s=510.0,
                outcome="answered",
            ),
        ],
    )


def test_callback_not_offered_when_patience_runs_out_first() -> None:
    """A caller whose patience is shorter than offer_after_wait_s abandons before any offer."""
    r = run(_callback_scenario(patience=100), t999=[10], t101=[20])
    assert_call(r, 1, callback_offered_s=None, abandoned_s=120.0, outcome="abandoned")


def test_callback_accepted_caller_does_not_abandon() -> None:
    """A caller who accepted a callback has hung up: their patience no longer runs, and they
    are rung back even after their patience would have run out."""
    r = run(_callback_scenario(patience=300), t999=[10], t101=[20])
    assert_call(
        r,
        1,
        callback_offered_s=140.0,
        abandoned_s=None,
        answered_s=510.0,
        outcome="callback_answered",
    )


def test_callback_predicted_rule_offers_on_reaching_the_queue() -> None:
    """offer_rule = "predicted": on reaching the queue a 101 caller is offered a callback when
    (callers waiting, including them) x mean handling time / 101 handlers on duty exceeds
    offer_after_wait_s: 1 x 60 and 2 x 60 do not exceed 120 (no offer, ever), 3 x 60 does
    (offered at force_s). Queue order is kept."""
    r = run(_callback_scenario(offer_rule="predicted"), t999=[10], t101=[20, 30, 40])
    assert_calls(
        r,
        [
            dict(channel="999"),
            dict(callback_offered_s=None, answered_s=510.0, outcome="answered"),
            dict(callback_offered_s=None, answered_s=570.0, outcome="answered"),
            dict(
                callback_offered_s=40.0,
                callback_accepted=True,
                answered_s=630.0,
                outcome="callback_answered",
            ),
        ],
    )


def test_callback_section_absent_or_disabled_gives_no_offers() -> None:
    """Without [callback], or with enabled = false, nobody is offered a callback."""
    plain = make(
        {"999": channel(500), "101": channel(60)}, [group("both", ["999", "101"], count=1)]
    )
    for sc in (plain, _callback_scenario(enabled=False)):
        r = run(sc, t999=[10], t101=[20])
        assert_call(r, 1, callback_offered_s=None, answered_s=510.0, outcome="answered")


# --- 9. Rosters -------------------------------------------------------------------------------


def test_roster_day_sets_and_times_in_duty_and_handlers_tables() -> None:
    """Shifts come on and go off at exactly start and start + hours on the days they name
    ("weekdays", a list of weekday names, "daily"); one handler row per shift worked, ids in
    group / shift / day order. A night shift that started on Sunday 22:00, before t = 0, is on
    duty from t = 0; one still on duty when the run stops has no actual end."""
    sc = make(
        {"101": channel(60)},
        [
            group(
                "day",
                ["101"],
                shifts=[
                    {"start": "08:00", "hours": 8, "days": "weekdays", "count": 1},
                    {"start": "10:00", "hours": 4, "days": ["saturday", "sunday"], "count": 2},
                ],
            ),
            group("night", ["101"], shifts=[{"start": "22:00", "hours": 10, "count": 1}]),
        ],
        days=7,
    )
    r = run(sc)
    end = 7 * DAY
    expected_handlers = (
        [(d, d * DAY + 8 * H, d * DAY + 16 * H) for d in range(5)]
        + [(5 + i, 5 * DAY + 10 * H, 5 * DAY + 14 * H) for i in range(2)]
        + [(7 + i, 6 * DAY + 10 * H, 6 * DAY + 14 * H) for i in range(2)]
        + [(9, -2 * H, 8 * H)]
        + [(10 + d, d * DAY + 22 * H, d * DAY + 32 * H) for d in range(7)]
    )
    assert rows(r.handlers, ["handler_id", "scheduled_start_s", "scheduled_end_s"]) == [
        (h, s, e) for h, s, e in expected_handlers
    ]
    assert r.handlers["group"].tolist() == ["day"] * 9 + ["night"] * 8
    expected_duty = [(h, max(s, 0.0), min(e, end)) for h, s, e in expected_handlers]
    assert duty_rows(r) == expected_duty
    actual_end = [None if e > end else e for _, _, e in expected_handlers]
    assert [plain(v) for v in r.handlers["actual_end_s"]] == actual_end
    assert r.handlers["overtime_s"].tolist() == [0.0] * 17


def test_roster_respects_start_weekday() -> None:
    """Shift days are weekdays of the clock: with start_weekday = "saturday" (t = 0 is
    Saturday 00:00) a "weekdays" shift first works on Monday (t = 2 days) and a "weekends"
    shift on Saturday and Sunday."""
    sc = make(
        {"101": channel(60)},
        [
            group(
                "wk",
                ["101"],
                shifts=[{"start": "08:00", "hours": 8, "days": "weekdays", "count": 1}],
            ),
            group(
                "we",
                ["101"],
                shifts=[{"start": "09:00", "hours": 1, "days": "weekends", "count": 1}],
            ),
        ],
        days=3,
        start_weekday="saturday",
    )
    r = run(sc)
    assert duty_rows(r) == [
        (0, 2 * DAY + 8 * H, 2 * DAY + 16 * H),
        (1, 9 * H, 10 * H),
        (2, DAY + 9 * H, DAY + 10 * H),
    ]


def test_roster_clock_with_warmup_starts_before_the_first_measured_midnight() -> None:
    """Time 0 is the start of the warm-up: with warmup_hours = 6 and start_weekday = "monday",
    t = 0 is Sunday 18:00, so a Monday 08:00 "weekdays" shift comes on at t = 14 h and the
    Sunday and Monday 22:00 night shifts at t = 4 h and t = 28 h (on until the run stops at
    30 h)."""
    sc = make(
        {"101": channel(60)},
        [
            group(
                "wk",
                ["101"],
                shifts=[{"start": "08:00", "hours": 8, "days": "weekdays", "count": 1}],
            ),
            group("n", ["101"], shifts=[{"start": "22:00", "hours": 10, "count": 1}]),
        ],
        days=1,
        warmup_hours=6,
    )
    r = run(sc)
    assert duty_rows(r) == [(0, 14 * H, 22 * H), (1, 4 * H, 14 * H), (2, 28 * H, 30 * H)]


def test_night_shift_started_before_t0_answers_calls_from_t0() -> None:
    """A 22:00 + 10 h shift that started on the Sunday before the run is on duty at t = 0 and
    answers calls until 08:00; a call queued from 08:00 waits for the next night's handler,
    who takes it at 22:00."""
    sc = make(
        {"101": channel(60)},
        [group("n", ["101"], shifts=[{"start": "22:00", "hours": 10, "count": 1}])],
    )
    r = run(sc, t101=[100, 8 * H + 100, 22 * H + 100])
    assert_calls(
        r,
        [
            dict(answered_s=100.0, handler_id=0),
            dict(answered_s=22 * H, handler_id=1),
            dict(answered_s=22 * H + 100, handler_id=1),
        ],
    )
    assert rows(r.handlers, ["scheduled_start_s", "scheduled_end_s"])[0] == (-2 * H, 8 * H)


def test_shift_end_mid_call_finishes_call_and_records_overtime() -> None:
    """A handler whose shift ends mid-call finishes the call (talk and wrap-up), goes off at
    wrap end and the time past the shift end is recorded as overtime (handlers.actual_end_s,
    overtime_s; the duty stretch runs to the actual end). A caller queued meanwhile is not
    taken by the leaver."""
    sc = make(
        {"101": channel(1000, 100)},
        [
            group(
                "h",
                ["101"],
                shifts=[{"start": "00:00", "hours": 1, "days": ["monday"], "count": 1}],
            )
        ],
    )
    r = run(sc, t101=[3000, 3500])
    assert_calls(
        r,
        [
            dict(answered_s=3000.0, end_s=4000.0, wrap_end_s=4100.0, outcome="answered"),
            dict(answered_s=None, outcome="open", handler_id=-1),
        ],
    )
    assert rows(r.handlers, ["handler_id", "scheduled_end_s", "actual_end_s", "overtime_s"]) == [
        (0, H, 4100.0, 500.0)
    ]
    assert duty_rows(r) == [(0, 0.0, 4100.0)]


def test_handover_incoming_handler_takes_queue_at_shift_start() -> None:
    """A handler coming on duty takes the oldest queued call at once, at the shift start."""
    sc = make(
        {"101": channel(100)},
        [
            group(
                "h",
                ["101"],
                shifts=[{"start": "01:00", "hours": 1, "days": ["monday"], "count": 1}],
            )
        ],
    )
    r = run(sc, t101=[100, 200])
    assert r.calls["answered_s"].tolist() == [H, H + 100]


def _break_scenario() -> Scenario:
    return make(
        {"101": channel(600)},
        [
            group(
                "h",
                ["101"],
                shifts=[
                    {
                        "start": "00:00",
                        "hours": 8,
                        "days": ["monday"],
                        "count": 1,
                        "breaks": [{"after_hours": 2, "minutes": 30}],
                    }
                ],
            )
        ],
    )


def test_break_starts_on_time_when_idle_and_lasts_its_minutes() -> None:
    """An idle handler goes on break exactly after_hours into the shift and comes back after
    the break's minutes: duty has a gap [2 h, 2 h 30); a call arriving during the break waits
    and is answered the moment the break ends."""
    r = run(_break_scenario(), t101=[8000])
    assert duty_rows(r) == [(0, 0.0, 2 * H), (0, 2.5 * H, 8 * H)]
    assert_call(r, 0, answered_s=2.5 * H, handler_id=0)


def test_break_waits_for_call_in_hand_then_lasts_full_minutes() -> None:
    """A handler busy when the break is due finishes the call, then takes the full break
    (30 min from the call's end), even with callers queued; the queued caller is answered
    at the break's end."""
    r = run(_break_scenario(), t101=[7000, 7300])
    assert duty_rows(r) == [(0, 0.0, 7600.0), (0, 7600.0 + 1800.0, 8 * H)]
    assert_calls(r, [dict(answered_s=7000.0, wrap_end_s=7600.0), dict(answered_s=9400.0)])
    assert work_rows(r) == [(0, 0, 7000.0, 7600.0, "call"), (0, 1, 9400.0, 10000.0, "call")]


def test_break_at_shift_start_is_taken() -> None:
    """A break 0 h into the shift (allowed by the schema: after_hours >= 0) starts when the
    shift starts and lasts its minutes: duty begins at the break's end, and a call arriving
    during it is answered when it ends."""
    sc = make(
        {"101": channel(60)},
        [
            group(
                "h",
                ["101"],
                shifts=[
                    {
                        "start": "01:00",
                        "hours": 8,
                        "days": ["monday"],
                        "count": 1,
                        "breaks": [{"after_hours": 0, "minutes": 30}],
                    }
                ],
            )
        ],
    )
    r = run(sc, t101=[H + 60])
    assert duty_rows(r) == [(0, 1.5 * H, 9 * H)]
    assert_call(r, 0, answered_s=1.5 * H)


def test_break_in_progress_at_t0_is_honoured() -> None:
    """A night shift that started before t = 0 and is on a break at t = 0 (22:00 shift, break
    1.5 h in for 60 min: 23:30 to 00:30) comes on duty only when the break ends, at 00:30."""
    sc = make(
        {"101": channel(60)},
        [
            group(
                "n",
                ["101"],
                shifts=[
                    {
                        "start": "22:00",
                        "hours": 10,
                        "count": 1,
                        "breaks": [{"after_hours": 1.5, "minutes": 60}],
                    }
                ],
            )
        ],
    )
    r = run(sc, t101=[60])
    assert_call(r, 0, answered_s=0.5 * H, handler_id=0)
    assert duty_rows(r)[0] == (0, 0.5 * H, 8 * H)


def test_handler_back_from_break_goes_behind_longer_idle_handlers() -> None:
    """Idle longest is counted from the end of the break: a handler back from a break at
    02:30 is chosen after a colleague idle since 00:00."""
    sc = make(
        {"101": channel(60)},
        [
            group(
                "b",
                ["101"],
                shifts=[
                    {
                        "start": "00:00",
                        "hours": 8,
                        "days": ["monday"],
                        "count": 1,
                        "breaks": [{"after_hours": 2, "minutes": 30}],
                    }
                ],
            ),
            group("nb", ["101"], count=1),
        ],
    )
    r = run(sc, t101=[3 * H, 3 * H + 10])
    assert r.calls["handler_id"].tolist() == [1, 0]


# --- 10. Ciw's deterministic checks, in hours -------------------------------------------------


def _ciw_d1(patience_h: float | None = None) -> Scenario:
    extra = {"patience_s": fixed(patience_h * H)} if patience_h is not None else {}
    return make(
        {"101": channel(5 * H, **extra)},
        [
            group(
                "h",
                ["101"],
                shifts=[
                    {"start": "00:00", "hours": 4, "days": ["monday"], "count": 1},
                    {"start": "04:00", "hours": 6, "days": ["monday"], "count": 2},
                ],
            )
        ],
        days=1,
    )


D1_ARRIVALS = [3 * H * k for k in range(1, 8)]  # 3, 6, ..., 21 h (Ciw's first arrival at 3)


def test_ciw_d1_overtime_on_shift_change() -> None:
    """Ciw D1: arrivals every 3 h from 3 h, service 5 h, 1 handler on [0, 4 h), 2 on
    [4 h, 10 h), nobody after. The handler on at 0 finishes its call at 8 h, the two leaving at
    10 h finish at 11 h and 14 h: overtime [4 h, 1 h, 4 h]; calls after 10 h stay open."""
    r = run(_ciw_d1(), t101=D1_ARRIVALS)
    assert (r.handlers["overtime_s"] / H).tolist() == [4.0, 1.0, 4.0]
    assert (r.handlers["actual_end_s"] / H).tolist() == [8.0, 11.0, 14.0]
    assert (r.calls["answered_s"].iloc[:3] / H).tolist() == [3.0, 6.0, 9.0]
    assert r.calls["handler_id"].tolist() == [0, 1, 2, -1, -1, -1, -1]
    assert r.calls["outcome"].tolist() == ["answered"] * 3 + ["open"] * 4


def _d3_one_handler() -> Scenario:
    return make(
        {"101": channel(5.5 * H, patience_s=fixed(6 * H))},
        [group("h", ["101"], count=1)],
        days=2,
    )


def test_ciw_d3_fixed_patience_trace() -> None:
    """Ciw D3 (deterministic version): arrivals every 3 h, service 5.5 h, one handler, patience
    6 h. Waits grow by 2.5 h a call; the caller who would wait 7.5 h abandons at exactly 6 h,
    the others are answered within 6 h."""
    r = run(_d3_one_handler(), t101=[3 * H * k for k in range(1, 10)])
    calls = r.calls
    wait_h = ((calls["answered_s"] - calls["force_s"]) / H).round(9)
    answered = calls["outcome"] == "answered"
    assert calls["outcome"].tolist() == [
        "answered", "answered", "answered", "abandoned",
        "answered", "abandoned", "answered", "abandoned", "answered",
    ]  # fmt: skip
    assert wait_h[answered].tolist() == [0.0, 2.5, 5.0, 4.5, 4.0, 3.5]
    assert ((calls["abandoned_s"] - calls["force_s"])[~answered] / H).tolist() == [6.0] * 3


def test_ciw_d3_mm1_with_fixed_patience() -> None:
    """Ciw D3: M/M/1 with λ = 5/h, μ = 2/h and fixed patience 6 h: every abandoned caller waited
    exactly 6 h and no answered caller waited more than 6 h."""
    sc = Scenario.model_validate(
        {
            "scenario": {"name": "d3", "days": 2, "warmup_hours": 0, "cooldown_hours": 12},
            "channels": {
                "101": {
                    "calls_per_day": 120,
                    "talk_s": {"dist": "exponential", "mean": 0.5 * H},
                    "patience_s": fixed(6 * H),
                }
            },
            "handlers": [group("h", ["101"], count=1)],
        }
    )
    calls = simulate(sc, 0).calls
    abandoned = calls[calls["outcome"] == "abandoned"]
    answered = calls[calls["outcome"] == "answered"]
    assert len(abandoned) > 50
    assert len(answered) > 50
    assert (abandoned["abandoned_s"] - abandoned["force_s"]).to_numpy() == pytest.approx(
        6 * H, abs=1e-6
    )
    assert ((answered["answered_s"] - answered["force_s"]) <= 6 * H + 1e-6).all()


def test_ciw_d4_no_answer_while_nobody_on_duty() -> None:
    """Ciw D4 (adapted to a daily rota): 2 handlers on [0, 10 h), nobody on [10 h, 14 h), 1 on
    [14 h, 24 h), every day, Poisson arrivals: no call is answered in (10 h, 14 h) of either
    day, and every answer falls inside a duty stretch of the answering handler."""
    sc = Scenario.model_validate(
        {
            "scenario": {"name": "d4", "days": 2, "warmup_hours": 0, "cooldown_hours": 0},
            "channels": {
                "999": {"calls_per_day": 150, "talk_s": {"dist": "exponential", "mean": 900}}
            },
            "handlers": [
                group(
                    "h",
                    ["999"],
                    shifts=[
                        {"start": "00:00", "hours": 10, "count": 2},
                        {"start": "14:00", "hours": 10, "count": 1},
                    ],
                )
            ],
        }
    )
    r = simulate(sc, 0)
    t = r.calls["answered_s"].dropna()
    assert len(t) > 100
    hour_of_day = (t % DAY) / H
    assert not ((hour_of_day > 10) & (hour_of_day < 14)).any()
    # and the queue was served again once the afternoon shift came on
    assert ((hour_of_day >= 14) & (hour_of_day < 14 + 1e-9)).any()
    duty = r.duty
    for hid, at in zip(r.calls["handler_id"], r.calls["answered_s"], strict=True):
        if math.isnan(at):
            continue
        own = duty[duty["handler_id"] == hid]
        assert ((own["start_s"] <= at) & (at < own["end_s"])).any(), (hid, at)


def test_ciw_d1_with_patience_6_no_answer_after_everyone_left() -> None:
    """D1's rota with fixed patience 6 h: nobody answers after 10 h; the callers who arrive
    after 10 h abandon at exactly 6 h after reaching the queue."""
    sc = _ciw_d1(patience_h=6)
    sc = sc.model_copy(update={"scenario": sc.scenario.model_copy(update={"cooldown_hours": 12.0})})
    r = run(sc, t101=D1_ARRIVALS)
    calls = r.calls
    assert calls["outcome"].tolist() == ["answered"] * 3 + ["abandoned"] * 4
    assert ((calls["abandoned_s"] - calls["arrival_s"]).iloc[3:] / H).tolist() == [6.0] * 4
    assert (calls["answered_s"].dropna() < 10 * H).all()


# --- 11. Conservation and consistency (Poisson runs) ------------------------------------------


def _busy_scenario(seed: int) -> Scenario:
    return Scenario.model_validate(
        {
            "scenario": {
                "name": "busy",
                "days": 1,
                "warmup_hours": 2,
                "cooldown_hours": 2,
                "seed": seed,
            },
            "channels": {
                "999": {
                    "calls_per_day": 400,
                    "bt_connect_s": {"dist": "lognormal", "mean": 5, "sd": 3},
                    "talk_s": {"dist": "lognormal", "mean": 300, "sd": 150},
                    "wrap_s": fixed(30),
                    "patience_s": {"dist": "exponential", "mean": 120},
                    "redial_probability": 0.8,
                    "redial_delay_s": fixed(45),
                },
                "101": {
                    "calls_per_day": 600,
                    "talk_s": {"dist": "lognormal", "mean": 400, "sd": 200},
                    "wrap_s": {"dist": "uniform", "low": 30, "high": 90},
                    "patience_s": {"dist": "exponential", "mean": 400},
                    "abandon_to_999_probability": 0.2,
                    "redial_probability": 0.5,
                },
            },
            "callback": {
                "offer_after_wait_s": 120,
                "accept_probability": 0.5,
                "attempt_success_probability": 0.6,
                "max_attempts": 3,
                "retry_after_s": fixed(300),
            },
            "handlers": [
                group(
                    "e999",
                    ["999"],
                    shifts=[
                        {
                            "start": "06:00",
                            "hours": 12,
                            "count": 1,
                            "breaks": [{"after_hours": 4, "minutes": 30}],
                        },
                        {"start": "18:00", "hours": 12, "count": 1},
                    ],
                ),
                group(
                    "both",
                    ["999", "101"],
                    shifts=[
                        {
                            "start": "07:00",
                            "hours": 10,
                            "count": 3,
                            "breaks": [
                                {"after_hours": 3, "minutes": 20},
                                {"after_hours": 6, "minutes": 45},
                            ],
                        },
                        {"start": "21:00", "hours": 9, "count": 2},
                    ],
                ),
            ],
        }
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_every_call_has_exactly_one_consistent_outcome(seed: int) -> None:
    """Counts conserve: every call has exactly one outcome, and its times agree with it
    (answered: answer, end and wrap end, no abandon; abandoned: abandon time only; callbacks:
    accepted; open: no answer and no abandon); follow-up calls link to an abandoned call of
    the same caller."""
    r = simulate(_busy_scenario(seed), 0)
    c = r.calls
    assert len(c) > 500
    assert set(c["outcome"].unique()) <= set(OUTCOMES)
    assert c["outcome"].notna().all()
    assert c["call_id"].is_unique
    by = c["outcome"]
    has = {k: c[k].notna() for k in TIMES}
    for name in ("answered", "callback_answered"):
        m = by == name
        assert (has["answered_s"] & has["end_s"] & has["wrap_end_s"] & ~has["abandoned_s"])[m].all()
        assert (c["handler_id"][m] >= 0).all()
        talk = (c["end_s"] - c["answered_s"])[m].to_numpy()
        assert talk == pytest.approx(c["talk_s"][m].to_numpy(), rel=1e-12, abs=1e-9)
    m = by == "answered"
    assert (c["answered_s"] >= c["force_s"])[m].all()
    m = by == "abandoned"
    assert (has["abandoned_s"] & ~has["answered_s"] & (c["handler_id"] == -1))[m].all()
    m = by.isin(["callback_answered", "callback_failed"])
    assert c.loc[m, "callback_accepted"].all()
    assert (by == "callback_failed").sum() > 0
    assert (by == "callback_answered").sum() > 0
    assert (c.loc[by == "callback_failed", "callback_attempts"] == 3).all()
    m = by == "open"
    assert (~has["answered_s"] & ~has["abandoned_s"])[m].all()
    follow = c[c["attempt"] > 0]
    assert len(follow) > 0
    first = c.set_index("call_id")
    assert (first.loc[follow["caller_id"], "attempt"].to_numpy() == 0).all()
    assert (follow["origin"] != "first").all()
    assert (c.loc[c["attempt"] == 0, "origin"] == "first").all()
    assert (c.loc[c["origin"] == "from_101", "channel"] == "999").all()


@pytest.mark.parametrize("seed", [1, 2])
def test_handler_work_never_overlaps_and_lies_inside_duty(seed: int) -> None:
    """A handler's work stints never overlap each other (one call at a time), and every stint
    that ends before the run stops lies inside one of the handler's duty stretches (nobody
    works on a break or off duty)."""
    r = simulate(_busy_scenario(seed), 0)
    work = r.work.sort_values(["handler_id", "start_s"], kind="stable")
    assert len(work) > 300
    for hid, own in work.groupby("handler_id"):
        starts = own["start_s"].to_numpy()
        ends = own["end_s"].to_numpy()
        assert (ends >= starts).all()
        assert (starts[1:] >= ends[:-1]).all(), f"handler {hid} overlaps itself"
        duty = r.duty[r.duty["handler_id"] == hid]
        for s, e in zip(starts, ends, strict=True):
            if e <= r.end_s:
                inside = (duty["start_s"] <= s) & (e <= duty["end_s"])
                assert inside.any(), (hid, s, e)
    # duty stretches of a handler do not overlap either
    for _, own in r.duty.sort_values(["handler_id", "start_s"]).groupby("handler_id"):
        assert (own["start_s"].to_numpy()[1:] >= own["end_s"].to_numpy()[:-1]).all()


@pytest.mark.parametrize("seed", [1, 2])
def test_work_table_matches_call_table(seed: int) -> None:
    """Each answered call has exactly one ``call`` stint, from answered_s to wrap_end_s, by the
    handler in the calls table; each reached callback one ``callback`` stint likewise; each
    callback attempt that failed one ``callback_attempt`` stint."""
    r = simulate(_busy_scenario(seed), 0)
    c = r.calls.set_index("call_id")
    w = r.work
    calls_w = w[w["kind"] == "call"].set_index("call_id")
    answered = c[c["outcome"] == "answered"]
    assert calls_w.index.is_unique
    assert sorted(calls_w.index) == sorted(answered.index)
    assert (calls_w.loc[answered.index, "start_s"] == answered["answered_s"]).all()
    assert (calls_w.loc[answered.index, "end_s"] == answered["wrap_end_s"]).all()
    assert (calls_w.loc[answered.index, "handler_id"] == answered["handler_id"]).all()
    cb_w = w[w["kind"] == "callback"].set_index("call_id")
    reached = c[c["outcome"] == "callback_answered"]
    assert sorted(cb_w.index) == sorted(reached.index)
    assert (cb_w.loc[reached.index, "start_s"] == reached["answered_s"]).all()
    attempts = w[w["kind"] == "callback_attempt"].groupby("call_id").size()
    failed_attempts = c["callback_attempts"] - (c["outcome"] == "callback_answered").astype(int)
    failed_attempts = failed_attempts[failed_attempts > 0]
    assert attempts.sort_index().to_dict() == failed_attempts.sort_index().to_dict()


def test_next_call_answered_exactly_at_previous_wrap_end() -> None:
    """With fractional durations too, the next queued call is answered exactly at the recorded
    wrap end of the previous one, so a handler's work stints never overlap, not even by a
    rounding error (happens in Poisson runs with lognormal times, e.g. _busy_scenario(2))."""
    sc = make({"999": channel(0.7, 0.1)}, [group("h", ["999"], count=1)])
    r = run(sc, t999=[0.2, 0.5])
    assert r.calls.loc[1, "answered_s"] == r.calls.loc[0, "wrap_end_s"]
    assert r.work.loc[1, "start_s"] >= r.work.loc[0, "end_s"]


def test_same_seed_same_trace() -> None:
    """A replication is a pure function of (scenario, seed, replication): running it twice
    gives identical tables."""
    a = simulate(_busy_scenario(3), 0)
    b = simulate(_busy_scenario(3), 0)
    pd.testing.assert_frame_equal(a.calls, b.calls)
    pd.testing.assert_frame_equal(a.work, b.work)
    pd.testing.assert_frame_equal(a.duty, b.duty)
    pd.testing.assert_frame_equal(a.handlers, b.handlers)
