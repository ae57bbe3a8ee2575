"""Exact traces of the 101 front desk (``[front_desk]``, controlroom_sim.model.front_desk).

Fixed durations and given arrival times, as in test_process_traces.py: a call resolved at the
desk; routed to 999's queue and answered before an older plain 101 call; sent to 999 handling;
abandoned at the desk and in the handlers' queue with the patience it had left; a call resolved
at the desk bringing a repeat call. Where a route is chosen by a draw, the test reads the
desk's own stream (the engine's contract: ``front_desk.first.route_u``) to set the shares.
"""

from __future__ import annotations

from typing import Any

import pytest

from controlroom_sim.config.schema import Callback, Scenario
from controlroom_sim.model.rng import RandomStreams
from tests.helpers.traces import assert_call, fixed, rows, run


def scenario(desk: dict[str, Any], handlers: list[dict[str, Any]] | None = None, **run: Any):
    data: dict[str, Any] = {
        "scenario": {
            "name": "desk trace",
            "days": run.get("days", 1.0),
            "warmup_hours": 0,
            "cooldown_hours": 0,
            "replications": 1,
            "seed": 1,
        },
        "channels": {
            "999": {"calls_per_day": 0, "talk_s": fixed(1000)},
            "101": {"calls_per_day": 0, "talk_s": fixed(200), "patience_s": fixed(50)},
        },
        "handlers": handlers or [{"name": "h", "skills": ["999", "101"], "count": 1}],
        "front_desk": {
            "time_s": fixed(10),
            "resolve_probability": 0.0,
            "operators": [{"name": "switchboard", "count": 1}],
            **desk,
        },
    }
    return Scenario.model_validate(data)


DESK = ("front_desk_answered_s", "front_desk_end_s", "front_desk_outcome", "front_desk_route")


def test_a_call_resolved_at_the_desk_ends_there() -> None:
    """The operator answers at once and resolves the call: it is answered by the operator
    (answered_s, end_s from the desk), no handler touches it; the work is the desk's."""
    records = run(scenario({"resolve_probability": 1.0, "time_s": fixed(30)}), t101=[5.0])
    assert_call(
        records,
        0,
        answered_s=5.0,
        end_s=35.0,
        wrap_end_s=35.0,
        outcome="answered",
        handler_id=-1,
        front_desk_answered_s=5.0,
        front_desk_end_s=35.0,
        front_desk_outcome="resolved",
        front_desk_route=None,
        front_desk_operator_id=0,
    )
    assert records.work.empty
    assert rows(records.front_desk_work, ["operator_id", "call_id", "start_s", "end_s"]) == [
        (0, 0, 5.0, 35.0)
    ]


def test_routed_to_999_is_answered_before_an_older_plain_101_call() -> None:
    """A 999 call keeps the handler busy to 1000 s; two 101 calls pass the desk (two
    operators, 10 s each) and join the queues at 11 s and 12 s: the older to 101's, the
    younger to 999's. The free handler takes the 999 queue first."""
    u = RandomStreams(1, 0).generator("front_desk.first.route_u").random(2)
    cut = (u[0] + u[1]) / 2.0
    # Routes chosen so that the first draw goes to the 101 queue, the second to 999's.
    routes = (
        [{"target": "101", "share": cut}, {"target": "999", "share": 1.0 - cut}]
        if u[0] < u[1]
        else [{"target": "999", "share": cut}]
    )
    desk = {"routes": routes, "operators": [{"name": "switchboard", "count": 2}]}
    base = scenario(desk)
    sc = base.model_copy(
        update={
            "channels": {
                "999": base.channels["999"],
                "101": base.channels["101"].model_copy(update={"patience_s": None}),
            }
        }
    )
    records = run(sc, t999=[0.0], t101=[1.0, 2.0])
    assert_call(records, 1, front_desk_end_s=11.0, front_desk_route="101", answered_s=1200.0)
    assert_call(
        records, 2, front_desk_end_s=12.0, front_desk_route="999", answered_s=1000.0, handler_id=0
    )
    assert records.calls["channel"].tolist() == ["999", "101", "101"]


def test_sent_to_999_handling() -> None:
    """Every call the desk does not resolve goes to 999's handlers: a 999-only handler
    answers the 101 call when the desk's part ends."""
    handlers = [
        {"name": "999 desk", "skills": ["999"], "count": 1},
        {"name": "101 desk", "skills": ["101"], "count": 1},
    ]
    sc = scenario({"routes": [{"target": "999", "share": 1.0}]}, handlers)
    records = run(sc, t101=[0.0])
    handlers_table = records.handlers.set_index("handler_id")["group"]
    assert_call(
        records,
        0,
        channel="101",
        answered_s=10.0,
        end_s=210.0,
        outcome="answered",
        front_desk_outcome="routed",
        front_desk_route="999",
    )
    assert handlers_table[records.calls.loc[0, "handler_id"]] == "999 desk"


def test_abandoned_at_the_desk() -> None:
    """One operator busy for 100 s: the second caller, patience 50 s, gives up at the desk."""
    records = run(scenario({"time_s": fixed(100)}), t999=[0.0], t101=[0.0, 1.0])
    assert_call(
        records,
        2,
        outcome="abandoned",
        abandoned_s=51.0,
        answered_s=None,
        front_desk_answered_s=None,
        front_desk_outcome="abandoned",
        front_desk_operator_id=-1,
    )


def test_abandoned_in_the_handlers_queue_with_the_patience_left() -> None:
    """Patience 50 s is the caller's total time in queues. The handler is on a 999 call; the
    first 101 caller waits 0 s at the desk and leaves the queue 50 s after joining it (60 s);
    the second waits 5 s at the desk, so 45 s are left: gone at 20 + 45 = 65 s."""
    records = run(scenario({}), t999=[0.0], t101=[0.0, 5.0])
    assert_call(
        records,
        1,
        front_desk_end_s=10.0,
        front_desk_outcome="routed",
        outcome="abandoned",
        abandoned_s=60.0,
    )
    assert_call(
        records,
        2,
        front_desk_answered_s=10.0,
        front_desk_end_s=20.0,
        outcome="abandoned",
        abandoned_s=65.0,
    )


def test_a_call_resolved_at_the_desk_brings_a_repeat_call() -> None:
    """Resolved at 10 s, the caller rings 101 again 500 s later about the same matter (failure
    demand): a repeat call of the same caller, which passes the desk again."""
    desk = {"resolve_probability": 1.0, "repeat_probability": 1.0, "repeat_delay_s": fixed(500)}
    records = run(scenario(desk, days=0.01), t101=[0.0])  # the run ends at 864 s
    assert len(records.calls) == 2
    assert_call(
        records,
        1,
        origin="repeat",
        caller_id=0,
        attempt=1,
        arrival_s=510.0,
        front_desk_answered_s=510.0,
        front_desk_outcome="resolved",
    )


def test_no_repeat_call_without_the_probability() -> None:
    """The same call with repeat_probability 0 brings nothing."""
    records = run(scenario({"resolve_probability": 1.0}, days=0.01), t101=[0.0])
    assert len(records.calls) == 1


@pytest.mark.parametrize("with_desk", [False, True])
def test_a_101_front_desk_leaves_999_calls_alone(with_desk: bool) -> None:
    """With separate 999 handlers, a 101 front desk changes nothing of the 999 calls (common
    random numbers: the desk draws from its own streams)."""
    data = {
        "scenario": {"name": "crn", "days": 0.5, "warmup_hours": 0, "seed": 3},
        "channels": {
            "999": {
                "calls_per_day": 300,
                "talk_s": {"dist": "exponential", "mean": 200},
                "patience_s": {"dist": "exponential", "mean": 60},
            },
            "101": {"calls_per_day": 500, "talk_s": {"dist": "exponential", "mean": 300}},
        },
        "handlers": [
            {"name": "a", "skills": ["999"], "count": 1},
            {"name": "b", "skills": ["101"], "count": 2},
        ],
    }
    plain = run_poisson(Scenario.model_validate(data))
    if with_desk:
        data["front_desk"] = {
            "time_s": {"dist": "exponential", "mean": 60},
            "resolve_probability": 0.5,
            "operators": [{"name": "s", "count": 1}],
        }
    other = run_poisson(Scenario.model_validate(data))
    mine, theirs = (r.calls[r.calls["channel"] == "999"] for r in (plain, other))
    columns = [c for c in mine.columns if c not in {"call_id"}]
    assert mine[columns].reset_index(drop=True).equals(theirs[columns].reset_index(drop=True))
    assert ("front_desk_outcome" in other.calls.columns) == with_desk


def run_poisson(sc: Scenario):  # type: ignore[no-untyped-def]
    from controlroom_sim.model import simulate

    return simulate(sc, 0)


@pytest.mark.parametrize(
    ("routes", "accept", "offered", "abandoned", "outcome"),
    [
        ([], 1.0, 15.0, None, "callback_answered"),  # offered 5 s into the 101 queue, accepted
        ([], 0.0, 15.0, 60.0, "abandoned"),  # declined: gone when the 50 s in queues are up
        ([{"target": "999", "share": 1.0}], 1.0, None, 60.0, "abandoned"),  # not in 999's queue
    ],
)
def test_callbacks_after_the_desk(
    routes: list, accept: float, offered: float | None, abandoned: float | None, outcome: str
) -> None:
    """A callback is offered in the 101 queue after the desk (5 s of waiting there), and a
    caller who declines keeps the patience left after the desk; a call sent to 999's queue
    is never offered one. The handler is on a 999 call until 1000 s."""
    base = scenario({"routes": routes})
    sc = base.model_copy(
        update={
            "callback": Callback(offer_after_wait_s=5.0, accept_probability=accept),
        }
    )
    records = run(sc, t999=[0.0], t101=[0.0])
    assert_call(records, 1, callback_offered_s=offered, abandoned_s=abandoned, outcome=outcome)
