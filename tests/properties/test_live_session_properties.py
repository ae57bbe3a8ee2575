"""A live session changed at random moments by random interventions (every action, the
staffing ones included, several at the same moment too) leaves exactly the records of a batch
run of its scenario with those interventions; and the ghost stays the run without them."""

from __future__ import annotations

from typing import Any

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from controlroom_sim.experiments.live import LiveSession
from controlroom_sim.model import simulate
from tests.process.test_live_session import _room

H = 3600.0

ACTIONS: list[dict[str, Any]] = [
    {"action": "surge", "channels": ["999", "101"], "multiplier": 2, "hours": 1},
    {"action": "major_incident", "channel": "101", "calls": 15, "minutes": 10},
    {"action": "outage", "minutes": 7},
    {"action": "callbacks", "on": False},
    {"action": "callbacks", "on": True},
    {"action": "add_handlers", "group": "desk", "count": 2, "hours": 1.5},
    {"action": "send_home", "group": "desk", "count": 2},
    {"action": "cancel_breaks"},
    {"action": "start_breaks", "group": "desk", "count": 3, "minutes": 10},
]

step = st.tuples(st.sampled_from([0.0, 1.0, 60.0, 617.5, 1800.0]), st.sampled_from(ACTIONS))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=1, max_size=5), replication=st.integers(0, 3))
def test_a_live_session_is_its_batch_run(
    steps: list[tuple[float, dict[str, Any]]], replication: int
) -> None:
    base = _room()
    session = LiveSession(base, replication, start_s=3 * H, step_s=300.0)
    for wait, spec in steps:
        session.advance(session.now + wait)
        session.intervene(spec)
    live, ghost = session.finish()
    batch = simulate(session.batch_scenario(), replication)
    for table in ("calls", "work", "duty", "handlers"):
        pd.testing.assert_frame_equal(getattr(live, table), getattr(batch, table))
    pd.testing.assert_frame_equal(ghost.calls, simulate(base, replication).calls)
