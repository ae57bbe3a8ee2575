"""Exact-trace tests of interventions (``[[interventions]]``, model/interventions.py): a
telephony outage, callbacks and support handovers switched off and on, and the extra calls of a
surge or a major incident; and a run stopped at a moment with the intervention applied by hand
(a live session) gives the records of the batch run that schedules it.

Fixed durations and given first-call times, as in test_process_traces.py; time 0 is Monday
00:00 with no warm-up.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from controlroom_sim.config.schema import Scenario
from controlroom_sim.model import simulate
from controlroom_sim.model.room import ControlRoom
from tests.helpers.traces import assert_call, fixed, run, stopped_and_changed_is_batch
from tests.process.test_process_traces import channel, group, make


def _with(scenario: Scenario, *items: dict[str, Any]) -> Scenario:
    data = scenario.model_dump(exclude_unset=True)
    data["interventions"] = list(items)
    return Scenario.model_validate(data)


def _callback(**extra: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "enabled": True,
        "offer_after_wait_s": 30,
        "accept_probability": 1.0,
        "attempt_success_probability": 1.0,
        "max_attempts": 1,
        "attempt_s": fixed(20),
        "retry_after_s": fixed(60),
    }
    spec.update(extra)
    return spec


# --- a telephony outage -----------------------------------------------------------------------


def test_an_outage_stops_answering_until_it_ends_then_the_longest_idle_answer() -> None:
    """One handler, 999 talk 100 s and wrap-up 0. The outage runs from 50 s for 10 minutes (to
    650 s). The call in hand at 50 s goes on to 110 s; the call made at 60 s waits through the
    outage although the handler is free from 110 s, and is answered at 650 s; the call made at
    700 s waits for the handler until 750 s."""
    base = make({"999": channel(100, 0)}, [group("h", ["999"], count=1)])
    r = run(_with(base, {"action": "outage", "at_s": 50, "minutes": 10}), t999=[10, 60, 700])
    assert_call(r, 0, answered_s=10.0, end_s=110.0)
    assert_call(r, 1, force_s=60.0, answered_s=650.0, end_s=750.0)
    assert_call(r, 2, force_s=700.0, answered_s=750.0, end_s=850.0)


def test_callers_give_up_in_an_outage_and_the_free_handlers_take_the_rest_in_order() -> None:
    """Two handlers, idle. The outage runs 0-300 s; 999 patience 200 s. The call made at 50 s
    gives up at 250 s; those made at 150 s and 160 s are answered at 300 s, one by each handler
    (the one idle longer, handler 0, takes the older call)."""
    base = make({"999": channel(100, 0, patience_s=fixed(200))}, [group("h", ["999"], count=2)])
    r = run(_with(base, {"action": "outage", "at_s": 0, "minutes": 5}), t999=[50, 150, 160])
    assert_call(r, 0, outcome="abandoned", abandoned_s=250.0)
    assert_call(r, 1, answered_s=300.0, handler_id=0)
    assert_call(r, 2, answered_s=300.0, handler_id=1)


def test_a_longer_outage_within_a_shorter_one_decides_when_answering_resumes() -> None:
    """Outages 0-100 s and, from 50 s, 50-350 s: the call made at 10 s is answered at 350 s,
    not at 100 s when the first outage would have ended."""
    base = make({"999": channel(100, 0)}, [group("h", ["999"], count=1)])
    scenario = _with(
        base,
        {"action": "outage", "at_s": 0, "minutes": 100 / 60},
        {"action": "outage", "at_s": 50, "minutes": 5},
    )
    assert_call(run(scenario, t999=[10]), 0, answered_s=350.0)


# --- callbacks switched off and on ------------------------------------------------------------


def test_callbacks_switched_off_offer_none_and_on_again_offer_them() -> None:
    """One 101 handler busy 0-1000 s (talk 1000 s); callers offered a callback after 30 s
    always accept; patience 500 s. Callbacks go off at 20 s and on again at 100 s.

    * The call made at 10 s had its offer due at 40 s, while off: no offer, and it gives up at
      510 s (its patience, counted from reaching the queue).
    * The call made at 110 s is offered at 140 s and accepted; the handler rings back at
      1000 s."""
    base = make(
        {"101": channel(1000, 0, patience_s=fixed(500))},
        [group("h", ["101"], count=1)],
        callback=_callback(),
    )
    scenario = _with(
        base,
        {"action": "callbacks", "at_s": 20, "on": False},
        {"action": "callbacks", "at_s": 100, "on": True},
    )
    r = run(scenario, t101=[0, 10, 110])
    assert_call(r, 1, outcome="abandoned", abandoned_s=510.0, callback_offered_s=None)
    assert_call(
        r,
        2,
        callback_offered_s=140.0,
        callback_accepted=True,
        outcome="callback_answered",
        answered_s=1000.0,
    )


def test_callbacks_switched_on_in_a_scenario_that_had_them_off() -> None:
    """With ``[callback] enabled = false`` and callbacks switched on at 0 s, the waiting caller
    is offered one at 30 s and rung back when the handler is free at 1000 s."""
    base = make(
        {"101": channel(1000, 0, patience_s=fixed(500))},
        [group("h", ["101"], count=1)],
        callback=_callback(enabled=False),
    )
    off = run(base, t101=[0, 10])
    assert_call(off, 1, callback_offered_s=None, outcome="abandoned")
    on = run(_with(base, {"action": "callbacks", "at_s": 0, "on": True}), t101=[0, 10])
    assert_call(on, 1, callback_offered_s=40.0, outcome="callback_answered", answered_s=1000.0)


def test_a_callback_accepted_before_callbacks_go_off_is_still_made() -> None:
    """The offer at 40 s is accepted; callbacks go off at 100 s; the ring-back happens at
    1000 s all the same."""
    base = make(
        {"101": channel(1000, 0, patience_s=fixed(500))},
        [group("h", ["101"], count=1)],
        callback=_callback(),
    )
    r = run(_with(base, {"action": "callbacks", "at_s": 100, "on": False}), t101=[0, 10])
    assert_call(r, 1, callback_offered_s=40.0, outcome="callback_answered", answered_s=1000.0)


# --- extra calls --------------------------------------------------------------------------------


def _poisson(calls_per_day: float) -> Scenario:
    return make(
        {"999": {"calls_per_day": calls_per_day, "talk_s": fixed(1)}},
        [group("h", ["999"], count=50)],
    )


def test_a_major_incident_adds_its_calls_in_its_window_and_keeps_every_other_caller() -> None:
    """40 calls over 30 minutes from 06:00: the run has exactly the calls of the run without
    it, plus 40 first calls made in [06:00, 06:30); every other call's draws are the same."""
    base = _poisson(500)
    plain = simulate(base, 3).calls
    burst = simulate(
        _with(base, {"action": "major_incident", "at_s": 6 * 3600, "calls": 40, "minutes": 30}),
        3,
    ).calls
    key = ["arrival_s", "talk_s"]
    merged = burst.merge(plain[key], on=key, how="left", indicator=True)
    extra = merged[merged["_merge"] == "left_only"]
    assert len(burst) == len(plain) + 40
    assert len(extra) == 40
    assert extra["arrival_s"].between(6 * 3600, 6.5 * 3600, inclusive="left").all()
    assert (extra["origin"] == "first").all()


def test_a_surge_adds_calls_only_inside_its_window() -> None:
    """A surge of 999 at 3 times from 04:00 for 2 hours: outside the window the run's calls are
    exactly those of the run without it; inside, the base calls are all there and there are
    more."""
    base = _poisson(2000)
    plain = simulate(base, 0).calls["arrival_s"].to_numpy()
    surged = (
        simulate(
            _with(
                base,
                {
                    "action": "surge",
                    "at_s": 4 * 3600,
                    "channels": ["999"],
                    "multiplier": 3,
                    "hours": 2,
                },
            ),
            0,
        )
        .calls["arrival_s"]
        .to_numpy()
    )
    inside = lambda t: (t >= 4 * 3600) & (t < 6 * 3600)  # noqa: E731
    np.testing.assert_array_equal(np.sort(surged[~inside(surged)]), np.sort(plain[~inside(plain)]))
    assert set(plain[inside(plain)]) <= set(surged[inside(surged)])
    assert inside(surged).sum() > inside(plain).sum()


@pytest.mark.parametrize("multiplier", [2.0, 4.0])
def test_a_surge_adds_multiplier_minus_one_times_the_expected_calls(multiplier: float) -> None:
    """Over 60 replications, the extra calls of a 3-hour surge average (multiplier - 1) times
    the channel's expected calls in the window (a Poisson count: the mean of 60 lies within
    4.5 standard errors of the truth)."""
    base = _poisson(960)  # 40 an hour, flat
    surge = {
        "action": "surge",
        "at_s": 3600,
        "channels": ["999"],
        "multiplier": multiplier,
        "hours": 3,
    }
    scenario = _with(base, surge)
    extra = [
        len(simulate(scenario, rep).calls) - len(simulate(base, rep).calls) for rep in range(60)
    ]
    truth = (multiplier - 1) * 40 * 3
    assert abs(np.mean(extra) - truth) < 4.5 * np.sqrt(truth / 60)


# --- a live session equals the batch run --------------------------------------------------------


@pytest.mark.parametrize(
    "item",
    [
        {"action": "outage", "minutes": 12},
        {"action": "surge", "channels": ["999", "101"], "multiplier": 2.5, "hours": 3},
        {"action": "major_incident", "channel": "101", "calls": 30, "minutes": 20},
        {"action": "callbacks", "on": False},
    ],
    ids=lambda item: item["action"],
)
def test_stopping_the_run_and_intervening_gives_the_batch_runs_records(
    item: dict[str, Any],
) -> None:
    """The run stopped at 5 h 17 min with the intervention applied there by hand, then run to
    the end, leaves exactly the tables of the batch run that lists the intervention at that
    moment (every call, work and duty row)."""
    base = make(
        {
            "999": {
                "calls_per_day": 700,
                "talk_s": fixed(200),
                "wrap_s": fixed(30),
                "patience_s": fixed(120),
            },
            "101": {"calls_per_day": 900, "talk_s": fixed(300), "patience_s": fixed(400)},
        },
        [group("h", ["999", "101"], count=6)],
        callback=_callback(),
    )
    at = 5 * 3600 + 17 * 60 + 0.5
    scheduled = _with(base, {**item, "at_s": at})
    records = stopped_and_changed_is_batch(base, scheduled, at, ("calls", "work", "duty"))
    # ... and the intervention changed something.
    assert not records.calls.equals(ControlRoom(base, 2).run().calls)


# --- support handovers switched off and on --------------------------------------------------------


def test_support_switched_off_keeps_calls_with_the_handler_and_on_again_hands_them_over() -> None:
    """The support worker is on shift 13:00-23:00 and free. Handovers go off at 13:00 and on
    again at 14:00: the listed call answered at 13:01:40 stays with the handler (no support
    fields), and the one answered at 14:01:40 is handed over."""
    from tests.process.test_dispatch_traces import _support_scenario

    base = _support_scenario()
    scenario = _with(
        base,
        {"action": "support", "day": 1, "start": "13:00", "on": False},
        {"action": "support", "day": 1, "start": "14:00", "on": True},
    )
    t0 = 13 * 3600 + 100
    r = run(scenario, t101=[t0, t0 + 3600])
    assert_call(r, 0, answered_s=t0, support_worker_id=-1, support_start_s=None)
    assert_call(r, 1, answered_s=t0 + 3600, support_worker_id=0, support_start_s=t0 + 3660)
