"""Exact-trace tests of the staffing interventions (``[[interventions]]`` ``add_handlers``,
``send_home``, ``cancel_breaks``, ``start_breaks``; model/staff_changes.py), and a run stopped at
a moment with one applied by hand (a live session) gives the records of the batch run.

Fixed durations and given first-call times, as in test_process_traces.py; time 0 is Monday
00:00 with no warm-up; one day.
"""

from __future__ import annotations

from typing import Any

import pytest

from controlroom_sim.config.schema import Scenario
from controlroom_sim.model.room import ControlRoom
from tests.helpers.traces import H, assert_call, fixed, rows, run, stopped_and_changed_is_batch
from tests.process.test_interventions import _with
from tests.process.test_process_traces import channel, group, make

DUTY = ["handler_id", "start_s", "end_s"]


def _one_desk(count: int = 1, **extra: Any) -> Scenario:
    """999 calls of 100 s talk and no wrap-up, for one group "desk" on duty all day."""
    return make({"999": channel(100, 0)}, [group("desk", ["999"], count=count, **extra)])


def test_add_handlers_brings_them_on_now_for_their_hours_as_a_call_in() -> None:
    """One handler busy 0-100 s; two more added at 50 s for 1 h: they answer the calls made at
    60 s and 70 s at once (ids 1 and 2, the longest idle first), are on a call-in row of their
    own, and go off at 1 h 50 s."""
    scenario = _with(
        _one_desk(), {"action": "add_handlers", "at_s": 50, "group": "desk", "count": 2, "hours": 1}
    )
    r = run(scenario, t999=[0, 60, 70])
    assert_call(r, 1, answered_s=60.0, handler_id=1)
    assert_call(r, 2, answered_s=70.0, handler_id=2)
    called = r.handlers[r.handlers["call_in"]]
    assert rows(called, ["handler_id", "shift", "scheduled_start_s", "scheduled_end_s"]) == [
        (1, "intervention 0 1h from 50 s", 50.0, H + 50),
        (2, "intervention 0 1h from 50 s", 50.0, H + 50),
    ]
    assert rows(r.duty[r.duty["handler_id"] > 0].sort_values("handler_id"), DUTY) == [
        (1, 50.0, H + 50),
        (2, 50.0, H + 50),
    ]


def test_send_home_takes_the_idle_first_and_a_busy_one_after_the_call_in_hand() -> None:
    """Three handlers; handler 0 busy 0-100 s. Two sent home at 50 s: the idle ones (2, then
    1, the latest id first) go at once; the call made at 60 s waits for handler 0 (100 s).
    Then at 150 s handler 0, busy again 100-200 s, is sent home too: it leaves at 200 s and
    the call made at 160 s is never answered (patience 1000 s, abandoned at 1160 s)."""
    base = make({"999": channel(100, 0, patience_s=fixed(1000))}, [group("desk", ["999"], count=3)])
    scenario = _with(
        base,
        {"action": "send_home", "at_s": 50, "group": "desk", "count": 2},
        {"action": "send_home", "at_s": 150, "group": "desk", "count": 5},
    )
    r = run(scenario, t999=[0, 60, 160])
    assert_call(r, 1, answered_s=100.0, handler_id=0)
    assert_call(r, 2, outcome="abandoned", abandoned_s=1160.0)
    assert rows(r.duty.sort_values("handler_id"), DUTY) == [
        (0, 0.0, 200.0),
        (1, 0.0, 50.0),
        (2, 0.0, 50.0),
    ]


def test_cancel_breaks_cancels_the_breaks_not_yet_started_of_the_group() -> None:
    """Two groups on 00:00-08:00 with a 30-minute break at 2 h; breaks of "desk" cancelled at
    1 h: its duty has no gap, while "other" still takes its break."""
    shift = {
        "start": "00:00",
        "hours": 8,
        "days": "daily",
        "count": 1,
        "breaks": [{"after_hours": 2, "minutes": 30}],
    }
    base = make(
        {"999": channel(100, 0)},
        [group("desk", ["999"], shifts=[shift]), group("other", ["999"], shifts=[shift])],
    )
    scenario = _with(base, {"action": "cancel_breaks", "at_s": H, "group": "desk"})
    r = run(scenario)
    assert rows(r.duty.sort_values(["handler_id", "start_s"]), DUTY) == [
        (0, 0.0, 8 * H),
        (1, 0.0, 2 * H),
        (1, 2.5 * H, 8 * H),
    ]
    everyone = run(_with(base, {"action": "cancel_breaks", "at_s": H}))
    assert rows(everyone.duty.sort_values("handler_id"), DUTY) == [(0, 0.0, 8 * H), (1, 0.0, 8 * H)]


def test_start_breaks_sends_idle_handlers_on_a_break_now() -> None:
    """Three handlers; handler 0 busy 0-100 s. Breaks of 10 minutes for up to three at 50 s:
    only the idle ones (2, then 1: the latest id first) go, 50-650 s. Handler 0 answers the
    call made at 120 s at once and the one made at 130 s at 220 s; of the calls made at 640 s
    and 645 s, handler 0 (free from 320 s) takes the first, and the second waits for the end
    of the breaks: handler 2, whose break began first, takes it at 650 s."""
    scenario = _with(
        _one_desk(3),
        {"action": "start_breaks", "at_s": 50, "group": "desk", "count": 3, "minutes": 10},
    )
    r = run(scenario, t999=[0, 120, 130, 640, 645])
    assert_call(r, 1, answered_s=120.0, handler_id=0)
    assert_call(r, 2, answered_s=220.0, handler_id=0)
    assert rows(r.duty.sort_values(["handler_id", "start_s"]), DUTY) == [
        (0, 0.0, 24 * H),
        (1, 0.0, 50.0),
        (1, 650.0, 24 * H),
        (2, 0.0, 50.0),
        (2, 650.0, 24 * H),
    ]
    assert_call(r, 3, answered_s=640.0, handler_id=0)
    assert_call(r, 4, answered_s=650.0, handler_id=2)


@pytest.mark.parametrize(
    "item",
    [
        {"action": "add_handlers", "group": "desk", "count": 2, "hours": 2},
        {"action": "send_home", "group": "desk", "count": 2},
        {"action": "cancel_breaks"},
        {"action": "start_breaks", "group": "desk", "count": 2, "minutes": 20},
    ],
    ids=lambda item: item["action"],
)
def test_stopping_the_run_and_changing_the_staff_gives_the_batch_runs_records(
    item: dict[str, Any],
) -> None:
    """As test_interventions' live == batch test, for the staffing actions: every call, work,
    duty and handler row the same, and the change changed something."""
    shift = {
        "start": "00:00",
        "hours": 12,
        "days": "daily",
        "count": 5,
        "breaks": [{"after_hours": 6, "minutes": 30, "spread_hours": 2}],
    }
    base = make(
        {
            "999": {
                "calls_per_day": 1500,
                "talk_s": fixed(200),
                "wrap_s": fixed(30),
                "patience_s": fixed(120),
            }
        },
        [group("desk", ["999"], shifts=[shift])],
    )
    at = 5 * H + 17 * 60 + 0.5
    scheduled = _with(base, {**item, "at_s": at})
    tables = ("calls", "work", "duty", "handlers")
    records = stopped_and_changed_is_batch(base, scheduled, at, tables)
    assert not records.duty.equals(ControlRoom(base, 2).run().duty)
