"""Exact traces of the staff changed while the run goes (controlroom_sim.model.staff_changes):
people called in after a delay for some hours, people sent home, and breaks cancelled.

Each test builds a small room with FIXED durations and GIVEN arrival times, changes the staff
at a given moment (a timeout's callback on the room's clock) and asserts the exact work, duty
and member tables. Time 0 is Monday 00:00; ``H`` seconds is 01:00.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from controlroom_sim.config.schema import Scenario
from controlroom_sim.model.records import RunRecords
from controlroom_sim.model.room import ControlRoom
from tests.helpers.traces import H, assert_call, fixed, rows


def _room(handlers: list[dict[str, Any]], talk: float) -> Scenario:
    return Scenario.model_validate(
        {
            "scenario": {"name": "changes", "days": 1, "warmup_hours": 0, "cooldown_hours": 0},
            "channels": {"999": {"calls_per_day": 0, "talk_s": fixed(talk)}},
            "handlers": handlers,
        }
    )


def _run(
    scenario: Scenario, t999: list[float], at: float, change: Callable[[ControlRoom], object]
) -> tuple[RunRecords, ControlRoom, list[object]]:
    """Replication 0 with the 999 calls at ``t999``, ``change(room)`` at time ``at``."""
    room = ControlRoom(scenario, 0, arrival_times={"999": t999})
    done: list[object] = []
    room.env.timeout(at).callbacks.append(lambda _: done.append(change(room)))
    return room.run(), room, done


MEMBER = ["handler_id", "shift", "scheduled_start_s", "scheduled_end_s", "actual_end_s"]


def test_call_in_comes_on_after_the_delay_and_leaves_after_its_hours_with_overtime() -> None:
    """One handler round the clock, busy 0-1200 s with a second call waiting from 10 s. At
    100 s one more is called in after 200 s for 1 hour: it comes on at 300 s and answers the
    waiting call at once. At 3600 s (its end: 300 + 3600 = 3900 s) it is on a call from
    3800 s to 5000 s, so it leaves at 5000 s: all of 300-5000 s is overtime (4700 s)."""
    scenario = _room([{"name": "desk", "skills": ["999"], "count": 1}], talk=1200)
    records, room, done = _run(
        scenario, [0.0, 10.0, 3700.0, 3800.0], 100.0, lambda r: r.staff.call_in("desk", 1, 200, 1)
    )
    assert done == [[1]]
    assert_call(records, 1, answered_s=300.0, handler_id=1)
    assert_call(records, 3, answered_s=3800.0, handler_id=1, wrap_end_s=5000.0)
    assert rows(
        records.duty.sort_values(["handler_id", "start_s"]), ["handler_id", "start_s", "end_s"]
    ) == [
        (0, 0.0, 86400.0),
        (1, 300.0, 5000.0),
    ]
    table = records.handlers
    assert rows(table, [*MEMBER, "call_in", "overtime_s"]) == [
        (0, "around the clock", 0.0, float("inf"), None, False, 0.0),
        (1, "call-in 1h from 300 s", 300.0, 3900.0, 5000.0, True, 4700.0),
    ]
    assert room.on_duty_for == [1]  # handler 0, still on when the run stopped


def test_call_in_after_the_end_of_the_run_never_comes_on() -> None:
    """Called in for a time past the run's end: a row that never came on, no overtime."""
    scenario = _room([{"name": "desk", "skills": ["999"], "count": 1}], talk=60)
    records, _, done = _run(scenario, [], 80000.0, lambda r: r.staff.call_in(0, 2, 7200, 4))
    assert done == [[1, 2]]
    assert rows(records.handlers, ["handler_id", "actual_end_s", "call_in", "overtime_s"]) == [
        (0, None, False, 0.0),
        (1, None, True, 0.0),
        (2, None, True, 0.0),
    ]
    assert rows(records.duty, ["handler_id"]) == [(0,)]


def test_send_home_idle_at_once_busy_after_the_call_in_hand() -> None:
    """Two handlers; handler 0 is on a call 0-1000 s. At 100 s both are sent home: handler 1
    (idle, chosen first) leaves at 100 s, handler 0 when its call ends at 1000 s. A call at
    500 s finds nobody and is still open when the run stops."""
    scenario = _room([{"name": "desk", "skills": ["999"], "count": 2}], talk=1000)
    records, room, done = _run(
        scenario, [0.0, 500.0], 100.0, lambda r: r.staff.send_home("desk", 5)
    )
    assert done == [[1, 0]]
    assert_call(records, 0, handler_id=0, wrap_end_s=1000.0)
    assert_call(records, 1, outcome="open", handler_id=-1)
    assert rows(records.duty.sort_values("handler_id"), ["handler_id", "start_s", "end_s"]) == [
        (0, 0.0, 1000.0),
        (1, 0.0, 100.0),
    ]
    assert rows(records.handlers, ["handler_id", "actual_end_s", "overtime_s"]) == [
        (0, 1000.0, 0.0),
        (1, 100.0, 0.0),
    ]
    assert "call_in" not in records.handlers.columns  # nobody called in: the table as before
    assert room.on_duty_for == [0] and not room.idle[0]


def test_send_home_chooses_idle_then_latest_id_and_counts_only_who_is_on() -> None:
    """Three idle handlers: sending one home takes the latest id; sending five takes the two
    left; a handler already sent home is not counted again."""
    scenario = _room([{"name": "desk", "skills": ["999"], "count": 3}], talk=60)

    def change(room: ControlRoom) -> list[list[int]]:
        return [room.staff.send_home("desk", 1), room.staff.send_home("desk", 5)]

    _, room, done = _run(scenario, [], 50.0, change)
    assert done == [[[2], [1, 0]]]
    assert room.on_duty_for == [0]


def _break_room() -> Scenario:
    shift = {
        "start": "00:00",
        "hours": 8,
        "days": "daily",
        "count": 2,
        "breaks": [{"after_hours": 1, "minutes": 30}, {"after_hours": 3, "minutes": 30}],
    }
    return _room([{"name": "desk", "skills": ["999"], "shifts": [shift]}], talk=1200)


def test_cancel_breaks_cancels_queued_and_deferred_breaks_and_one_started_goes_on() -> None:
    """Two handlers on 00:00-08:00 with breaks due at 1 h and 3 h (30 min each). Handler 0
    is on a call 3000-4200 s, so its 1 h break waits; handler 1 starts its own at 3600 s. At
    4000 s breaks are cancelled: handler 0's deferred one and both 3 h ones (3); handler 1's
    break in progress goes on to 5400 s."""
    records, _, done = _run(_break_room(), [3000.0], 4000.0, lambda r: r.staff.cancel_breaks())
    assert done == [3]
    assert rows(
        records.duty.sort_values(["handler_id", "start_s"]), ["handler_id", "start_s", "end_s"]
    ) == [
        (0, 0.0, 8 * H),
        (1, 0.0, H),
        (1, 1.5 * H, 8 * H),
    ]


def test_without_cancelling_the_same_room_takes_every_break() -> None:
    """The same room untouched: handler 0 takes its 1 h break when the call ends at 4200 s,
    and both take the 3 h break."""
    records, _, done = _run(_break_room(), [3000.0], 4000.0, lambda r: None)
    assert done == [None]
    assert rows(
        records.duty.sort_values(["handler_id", "start_s"]), ["handler_id", "start_s", "end_s"]
    ) == [
        (0, 0.0, 4200.0),
        (0, 6000.0, 3 * H),
        (0, 3.5 * H, 8 * H),
        (1, 0.0, H),
        (1, 1.5 * H, 3 * H),
        (1, 3.5 * H, 8 * H),
    ]


def test_cancel_breaks_of_one_group_leaves_the_others() -> None:
    """Breaks cancelled for one group only: the other group's people keep theirs."""
    scenario = _break_room()
    other = scenario.handlers[0].model_copy(update={"name": "other"})
    scenario = scenario.model_copy(update={"handlers": [scenario.handlers[0], other]})
    _, _, done = _run(scenario, [], 600.0, lambda r: r.staff.cancel_breaks("other"))
    assert done == [4]


def test_an_unknown_group_is_refused() -> None:
    scenario = _room([{"name": "desk", "skills": ["999"], "count": 1}], talk=60)
    room = ControlRoom(scenario, 0, arrival_times={"999": []})
    with pytest.raises(ValueError, match="found 'nobody'"):
        room.staff.call_in("nobody", 1, 0, 1)
