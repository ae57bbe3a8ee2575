"""Exact traces of digital contact as work (``[digital]``): items worked between calls, set
aside by a 999 call and resumed by another handler, the ``finish`` rule, a break after an item,
and the desk suspended and resumed (docs/model.md, "Digital contact")."""

from __future__ import annotations

from typing import Any

import pytest

from controlroom_sim.analysis.intervals import interval_table
from controlroom_sim.analysis.kpis import replication_kpis
from controlroom_sim.config.schema import Scenario
from controlroom_sim.model import ControlRoom, simulate
from controlroom_sim.model.records import RunRecords
from tests.helpers.traces import fixed, rows

WORK = ["handler_id", "call_id", "start_s", "end_s", "kind"]
ITEMS = ["item_id", "arrival_s", "first_start_s", "done_s", "work_s", "worked_s", "set_asides"]


def _scenario(handlers: list[dict[str, Any]], work_s: float = 600.0, **digital: Any) -> Scenario:
    return Scenario.model_validate(
        {
            "scenario": {"name": "t", "days": 1.0, "warmup_hours": 0.0, "replications": 1},
            "channels": {
                "999": {"calls_per_day": 0, "talk_s": fixed(60), "wrap_s": fixed(10)},
                "101": {"calls_per_day": 0, "talk_s": fixed(90)},
            },
            "handlers": handlers,
            "digital": {"items_per_day": 0, "work_s": fixed(work_s), **digital},
        }
    )


def _one(skills: list[str], count: int = 1, **more: Any) -> dict[str, Any]:
    return {"name": "h" + "".join(skills), "skills": skills, "count": count, **more}


def _run(
    sc: Scenario, digital: list[float], t999: list[float] = (), t101: list[float] = ()
) -> RunRecords:  # type: ignore[assignment]
    return simulate(
        sc, 0, arrival_times={"999": list(t999), "101": list(t101), "digital": list(digital)}
    )


def _work(r: RunRecords) -> list[tuple[Any, ...]]:
    return sorted(rows(r.work, WORK), key=lambda w: (w[2], w[0]))


def test_an_item_is_worked_between_calls_and_a_waiting_call_comes_first() -> None:
    """One handler: a 101 call at 0 (90 s); the item arriving at 30 waits for it and runs
    90 to 690; a 101 call at 100 waits (101 does not interrupt) until 690."""
    sc = _scenario([_one(["999", "101", "digital"])])
    r = _run(sc, digital=[30.0], t101=[0.0, 100.0])
    assert _work(r) == [
        (0, 0, 0.0, 90.0, "call"),
        (0, 0, 90.0, 690.0, "digital"),
        (0, 1, 690.0, 780.0, "call"),
    ]
    assert rows(r.digital, ITEMS) == [(0, 30.0, 90.0, 690.0, 600.0, 600.0, 0)]


def test_a_999_call_sets_the_item_aside_and_another_handler_resumes_the_rest() -> None:
    """Handler 0 (999, digital) starts the item at 10; a 999 call at 250 finds nobody idle who
    takes 999, so handler 0 stops after 240 s and answers; handler 1 (digital only, idle)
    resumes the remaining 360 s at once: 250 to 610."""
    sc = _scenario([_one(["999", "digital"]), _one(["digital"])])
    r = _run(sc, digital=[10.0], t999=[250.0])
    assert _work(r) == [
        (0, 0, 10.0, 250.0, "digital"),
        (0, 0, 250.0, 320.0, "call"),
        (1, 0, 250.0, 610.0, "digital"),
    ]
    assert rows(r.digital, ITEMS) == [(0, 10.0, 10.0, 610.0, 600.0, 600.0, 1)]
    assert r.calls["answered_s"].tolist() == [250.0]


def test_a_set_aside_item_goes_back_to_the_head_of_the_queue() -> None:
    """Two items queued behind the one in hand; the one set aside at 100 is resumed first when
    the handler is free again at 170 (its 500 s left: 170 to 670), then the next."""
    sc = _scenario([_one(["999", "digital"])])
    r = _run(sc, digital=[0.0, 1.0], t999=[100.0])
    assert _work(r) == [
        (0, 0, 0.0, 100.0, "digital"),
        (0, 0, 100.0, 170.0, "call"),
        (0, 0, 170.0, 670.0, "digital"),
        (0, 1, 670.0, 1270.0, "digital"),
    ]
    assert [d[3] for d in rows(r.digital, ITEMS)] == [670.0, 1270.0]


def test_the_finish_rule_makes_the_999_call_wait_for_the_item() -> None:
    sc = _scenario([_one(["999", "digital"])], interrupt="finish")
    r = _run(sc, digital=[10.0], t999=[250.0])
    assert _work(r) == [(0, 0, 10.0, 610.0, "digital"), (0, 0, 610.0, 680.0, "call")]
    assert r.calls["answered_s"].tolist() == [610.0]
    assert rows(r.digital, ITEMS) == [(0, 10.0, 10.0, 610.0, 600.0, 600.0, 0)]


def test_a_101_call_does_not_interrupt_unless_named() -> None:
    named = _scenario([_one(["101", "digital"])], interrupted_by=["999", "101"])
    r = _run(named, digital=[0.0], t101=[100.0])
    assert _work(r)[:2] == [(0, 0, 0.0, 100.0, "digital"), (0, 0, 100.0, 190.0, "call")]
    plain = _scenario([_one(["101", "digital"])])
    r = _run(plain, digital=[0.0], t101=[100.0])
    assert r.calls["answered_s"].tolist() == [600.0]


def test_an_idle_handler_takes_the_999_call_rather_than_interrupting() -> None:
    sc = _scenario([_one(["999", "digital"], count=2)])
    r = _run(sc, digital=[0.0], t999=[100.0])
    assert _work(r) == [(0, 0, 0.0, 600.0, "digital"), (1, 0, 100.0, 170.0, "call")]


def test_a_break_due_during_an_item_starts_when_the_item_ends() -> None:
    """A 10-minute break due 5 minutes into the shift: the item in hand (0 to 600) ends first,
    then the break (600 to 1200); the next item waits for the handler's return."""
    shift = {
        "start": "00:00",
        "hours": 8,
        "days": "daily",
        "count": 1,
        "breaks": [{"after_hours": 300 / 3600, "minutes": 10}],
    }
    sc = _scenario([{"name": "h", "skills": ["999", "digital"], "shifts": [shift]}])
    r = _run(sc, digital=[0.0, 1.0])
    assert _work(r) == [
        (0, 0, 0.0, 600.0, "digital"),
        (0, 1, 1200.0, 1800.0, "digital"),
    ]
    duty = sorted(rows(r.duty, ["handler_id", "start_s", "end_s"]))
    assert duty[:2] == [(0, 0.0, 600.0), (0, 1200.0, 28800.0)]


def _room(sc: Scenario, digital: list[float], t999: list[float] = ()) -> ControlRoom:
    return ControlRoom(sc, 0, arrival_times={"999": list(t999), "101": [], "digital": digital})


def _at(room: ControlRoom, when: float, action: str) -> None:
    def act(_: object) -> None:
        assert room.digital is not None
        getattr(room.digital, action)()

    room.env.timeout(when).callbacks.append(act)


@pytest.mark.parametrize("rule", ["set_aside", "finish"])
def test_suspend_and_resume_take_effect_at_the_moment(rule: str) -> None:
    """Suspended at 100 and resumed at 1000: under set_aside the item in hand is set aside at
    100 and its 500 s left resumed at 1000; under finish it is finished (600), and the queued
    item waits for the resume at 1000."""
    sc = _scenario([_one(["999", "digital"])], interrupt=rule)
    room = _room(sc, digital=[0.0, 50.0])
    _at(room, 100.0, "suspend")
    _at(room, 1000.0, "resume")
    r = room.run()
    if rule == "set_aside":
        assert _work(r) == [
            (0, 0, 0.0, 100.0, "digital"),
            (0, 0, 1000.0, 1500.0, "digital"),
            (0, 1, 1500.0, 2100.0, "digital"),
        ]
        assert rows(r.digital, ITEMS)[0] == (0, 0.0, 0.0, 1500.0, 600.0, 600.0, 1)
    else:
        assert _work(r) == [
            (0, 0, 0.0, 600.0, "digital"),
            (0, 1, 1000.0, 1600.0, "digital"),
        ]


def test_a_suspended_desk_still_answers_calls() -> None:
    sc = _scenario([_one(["999", "digital"])])
    room = _room(sc, digital=[0.0], t999=[200.0])
    _at(room, 100.0, "suspend")
    r = room.run()
    assert _work(r) == [(0, 0, 0.0, 100.0, "digital"), (0, 0, 200.0, 270.0, "call")]
    assert rows(r.digital, ITEMS) == [(0, 0.0, 0.0, None, 600.0, 100.0, 1)]


def test_an_item_in_hand_at_the_end_is_open_with_its_work_to_the_end() -> None:
    sc = _scenario([_one(["999", "digital"])], work_s=7200.0)
    end = sc.end_s
    r = _run(sc, digital=[end - 3600.0])
    assert rows(r.digital, ITEMS) == [(0, end - 3600.0, end - 3600.0, None, 7200.0, 3600.0, 0)]
    assert _work(r) == [(0, 0, end - 3600.0, end, "digital")]


def test_the_interval_table_shows_the_backlog_and_the_kpis_count_the_item() -> None:
    """The item is in the backlog from 10 to 610 s: 600 of the first interval's 900 s."""
    sc = _scenario([_one(["999", "digital"])])
    r = _run(sc, digital=[10.0])
    table = interval_table(r, sc)
    first = table[table["channel"] == "999"]["digital_backlog"].tolist()
    assert first[0] == pytest.approx(600.0 / 900.0)
    assert first[1:] == [0.0] * (len(first) - 1)
    k = replication_kpis(r, sc)
    assert (k["digital_arrived"], k["digital_done"], k["digital_peak_backlog"]) == (1.0, 1.0, 1.0)
    assert k["digital_hours"] == pytest.approx(600.0 / 3600.0)
