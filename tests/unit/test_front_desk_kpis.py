"""Front-desk KPIs from exact traces (fixed durations, given arrivals), and the operators in
the staffing KPIs."""

from __future__ import annotations

import math

import pytest

from controlroom_sim.analysis.kpis import replication_kpis
from controlroom_sim.config.schema import Staffing
from tests.helpers.traces import fixed, run
from tests.process.test_front_desk_traces import scenario


def test_kpis_of_calls_routed_and_lost_in_the_queue() -> None:
    """Two 101 callers pass the desk (answered after 0 s and 5 s) and both give up in the
    handlers' queue (the handler is on a 999 call): nothing resolved, all routed, all lost
    in the second stage, none answered there."""
    sc = scenario({})
    kpis = replication_kpis(run(sc, t999=[0.0], t101=[0.0, 5.0]), sc)
    assert kpis["front_desk_resolved_share_101"] == 0.0
    assert kpis["front_desk_abandon_rate_101"] == 0.0
    assert kpis["front_desk_mean_answer_s_101"] == 2.5
    assert kpis["front_desk_answered_within_10s_101"] == 1.0
    assert kpis["routed_share_101"] == 1.0
    assert kpis["routed_abandon_rate_101"] == 1.0
    assert math.isnan(kpis["routed_mean_answer_s_101"])
    assert kpis["abandon_rate_101"] == 1.0


def test_kpis_by_route_and_of_the_desk() -> None:
    """Every call the desk passes on goes to 999's handlers, who answer it at once (wait 0);
    the second caller gives up at the busy desk."""
    handlers = [
        {"name": "999 desk", "skills": ["999"], "count": 2},
        {"name": "101 desk", "skills": ["101"], "count": 1},
    ]
    sc = scenario({"routes": [{"target": "999", "share": 1.0}], "time_s": fixed(100)}, handlers)
    records = run(sc, t101=[0.0, 1.0])
    kpis = replication_kpis(records, sc)
    assert kpis["front_desk_abandon_rate_101"] == 0.5  # the second gives up at 51 s
    assert kpis["routed_share_101"] == 0.5
    assert kpis["routed_share_101_to_999"] == 0.5
    assert kpis["routed_mean_answer_s_101_to_999"] == 0.0
    assert kpis["routed_answered_within_10s_101_to_999"] == 1.0
    # The operator was busy 100 s of the day.
    assert kpis["front_desk_utilisation"] == pytest.approx(100.0 / 86400.0)


def test_a_resolved_call_and_its_repeat_count_in_the_repeat_share() -> None:
    desk = {"resolve_probability": 1.0, "repeat_probability": 1.0, "repeat_delay_s": fixed(500)}
    sc = scenario(desk, days=0.01)
    kpis = replication_kpis(run(sc, t101=[0.0]), sc)
    assert kpis["front_desk_resolved_share_101"] == 1.0
    assert kpis["repeat_call_share_101"] == 0.5
    assert kpis["answered_101"] == 2.0


def test_operators_count_with_the_handlers_in_the_staffing_kpis() -> None:
    """One handler and one operator around the clock: 2 × 168 rostered hours a week."""
    sc = scenario({}).model_copy(update={"staffing": Staffing()})
    kpis = replication_kpis(run(sc, t101=[0.0]), sc)
    assert kpis["rostered_hours_week_handlers"] == pytest.approx(2 * 168.0)
