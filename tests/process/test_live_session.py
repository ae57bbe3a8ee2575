"""The live exercise's session (experiments/live.py): a live room changed as it runs equals a
batch run of the scenario with the session's interventions (KPIs and records, exactly, through
the TOML the app offers for download); the ghost equals the run without them; what a snapshot
reads of a room; a refused intervention is the command line's one line."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from controlroom_sim.analysis.kpis import replication_kpis
from controlroom_sim.config.errors import ScenarioError
from controlroom_sim.config.loading import load_scenario
from controlroom_sim.config.schema import Scenario
from controlroom_sim.experiments.live import LiveSession
from controlroom_sim.model import simulate
from tests.helpers.traces import H, fixed
from tests.process.test_interventions import _callback
from tests.process.test_process_traces import group, make


def _room() -> Scenario:
    shift = {
        "start": "00:00",
        "hours": 12,
        "days": "daily",
        "count": 6,
        "breaks": [{"after_hours": 5, "minutes": 30, "spread_hours": 3}],
    }
    return make(
        {
            "999": {
                "calls_per_day": 900,
                "talk_s": {"dist": "exponential", "mean": 200},
                "wrap_s": fixed(30),
                "patience_s": {"dist": "exponential", "mean": 300},
            },
            "101": {
                "calls_per_day": 700,
                "talk_s": {"dist": "exponential", "mean": 300},
                "patience_s": {"dist": "exponential", "mean": 600},
            },
        },
        [group("desk", ["999", "101"], shifts=[shift])],
        callback=_callback(),
        days=0.5,
        seed=7,
    )


STEPS: list[tuple[float, dict[str, Any]]] = [
    (1 * H + 13.0, {"action": "surge", "channels": ["999"], "multiplier": 3, "hours": 2}),
    (1.5 * H, {"action": "add_handlers", "group": "desk", "count": 2, "hours": 3}),
    (2 * H + 0.5, {"action": "cancel_breaks"}),
    (3 * H, {"action": "major_incident", "channel": "999", "calls": 40, "minutes": 15}),
    (4 * H, {"action": "outage", "minutes": 5}),
    (4.5 * H, {"action": "callbacks", "on": False}),
    (5 * H, {"action": "start_breaks", "group": "desk", "count": 2, "minutes": 15}),
    (6 * H, {"action": "send_home", "group": "desk", "count": 3}),
]


def _same(a: dict[str, float], b: dict[str, float]) -> bool:
    return a.keys() == b.keys() and all(
        a[k] == b[k] or (math.isnan(a[k]) and math.isnan(b[k])) for k in a
    )


def test_a_live_session_equals_the_batch_run_of_its_scenario(tmp_path: Path) -> None:
    """Every action at its moment, the rooms advanced in uneven steps between them: the live
    room's KPIs and records equal a batch run of the downloaded TOML with the same seed; the
    ghost's equal the run without interventions; and the interventions changed the KPIs."""
    base = _room()
    session = LiveSession(base, replication=1, start_s=0.5 * H, step_s=600.0)
    for at, spec in STEPS:
        session.advance(at - 77.0)
        session.advance(at)
        item = session.intervene(spec)
        assert item.at_s == at
    live, ghost = session.finish()
    file = tmp_path / "live.toml"
    file.write_text(session.batch_toml(), encoding="utf-8")
    batch_scenario = load_scenario(file)
    assert [i.at_s for i in batch_scenario.interventions] == [at for at, _ in STEPS]
    batch = simulate(batch_scenario, 1)
    assert _same(replication_kpis(live, batch_scenario), replication_kpis(batch, batch_scenario))
    for table in ("calls", "work", "duty", "handlers"):
        pd.testing.assert_frame_equal(getattr(live, table), getattr(batch, table))
    plain = simulate(base, 1)
    pd.testing.assert_frame_equal(ghost.calls, plain.calls)
    assert not _same(replication_kpis(live, base), replication_kpis(plain, base))
    debrief = session.debrief()
    assert set(debrief["over"]) == {"exercise", "run"}
    row = debrief[(debrief["over"] == "run") & (debrief["kpi"] == "abandon_rate_999")].iloc[0]
    assert row["live"] == replication_kpis(live, batch_scenario)["abandon_rate_999"]
    assert row["ghost"] == replication_kpis(plain, base)["abandon_rate_999"]


def test_the_ghost_and_the_live_room_are_the_same_until_an_intervention() -> None:
    """Sampled every 10 minutes: the two rooms' samples are equal until handlers are added at
    2 h; from then the live room has two more on duty (no breaks fall due before 5 h)."""
    session = LiveSession(_room(), start_s=H, step_s=600.0)
    session.advance(2 * H)
    frame = session.history()
    live, ghost = frame[frame["room"] == "live"], frame[frame["room"] == "ghost"]
    pd.testing.assert_frame_equal(
        live.drop(columns="room").reset_index(drop=True),
        ghost.drop(columns="room").reset_index(drop=True),
    )
    assert list(live["t"]) == [H + k * 600.0 for k in range(7)]
    session.intervene({"action": "add_handlers", "group": "desk", "count": 2, "hours": 1})
    session.advance(2 * H + 600)
    snap = session.snapshot()
    assert snap["live"]["on_duty"] == snap["ghost"]["on_duty"] + 2 == 8
    assert snap["live"]["busy"] + snap["live"]["idle"] == 8
    assert snap["clock"] == "Day 1 (Monday) 02:10:00"
    assert snap["events"][0] == (
        "Mon 02:00:00",
        "intervention: 2 more desk handlers for 1 h",
    )


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        (
            {"action": "add_handlers", "group": "nobody", "count": 2, "hours": 1},
            "the live session: interventions.0.group: expected a handlers' group of the scenario "
            "(desk), found 'nobody'",
        ),
        (
            {"action": "surge", "channels": ["999"], "multiplier": 1, "hours": 1},
            "interventions.0.multiplier",
        ),
        ({"action": "flood"}, "interventions.0: expected action to be one of surge,"),
    ],
)
def test_a_refused_intervention_is_one_line_and_changes_nothing(
    spec: dict[str, Any], fragment: str
) -> None:
    session = LiveSession(_room(), start_s=H)
    with pytest.raises(ScenarioError) as caught:
        session.intervene(spec)
    assert fragment in str(caught.value)
    assert "\n" not in str(caught.value)
    assert session.items == []
    assert not any(text.startswith("intervention") for _, text in session.events)
