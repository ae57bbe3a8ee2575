"""Exact traces of call types with their own talk and wrap-up times (``[[call_types]]``
``talk_s`` and ``wrap_s``, per channel): a call of such a type takes the type's time in place of
the channel's, plus the THRIVE sub-tasks done; other calls keep the channel's time and their
own draws (common random numbers)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from controlroom_sim.config.schema import Scenario
from controlroom_sim.model import simulate
from tests.helpers.traces import fixed, run

# THRIVE sub-tasks with fixed times: three always done (7 + 11 + 13 s), the advice never.
THRIVE = {
    "repeat_check": {"time_s": fixed(7)},
    "vulnerability_check": {"time_s": fixed(11)},
    "risk_assessment": {"time_s": fixed(13)},
    "advice": {"time_s": fixed(17), "skip_probability": 1.0},
}
CHECKS_S = 7.0 + 11.0 + 13.0


def _type(name: str, share: float, **times: Any) -> dict[str, Any]:
    return {"name": name, "share": {"999": share, "101": share}, "risk": {"high": 1.0}, **times}


def _scenario(types: list[dict[str, Any]], talk999: Any = None, thrive: bool = True) -> Scenario:
    data: dict[str, Any] = {
        "scenario": {"name": "t", "days": 1.0, "warmup_hours": 0.0, "replications": 1},
        "channels": {
            "999": {"calls_per_day": 0, "talk_s": talk999 or fixed(60), "wrap_s": fixed(10)},
            "101": {"calls_per_day": 0, "talk_s": fixed(90), "wrap_s": fixed(20)},
        },
        "handlers": [{"name": "h", "skills": ["999", "101"], "count": 50}],
        "call_types": types,
    }
    if thrive:
        data["thrive"] = THRIVE
    return Scenario.model_validate(data)


def _durations(records: Any) -> list[tuple[str, str, float, float]]:
    """(channel, type, talk as the handler spent it, wrap-up) of each call, in call order."""
    calls = records.calls.sort_values("call_id")
    return [
        (str(r.channel), str(r.call_type), r.end_s - r.answered_s, r.wrap_end_s - r.end_s)
        for r in calls.itertuples()
    ]


def test_a_type_with_its_own_times_takes_them_plus_the_checks_done() -> None:
    """999: the type's 500 s talk and 100 s wrap-up in place of the channel's 60 s and 10 s,
    plus the three sub-tasks done (31 s); 101: the type names no time there, so the channel's
    90 s and 20 s, plus the sub-tasks."""
    sc = _scenario([_type("long", 1.0, talk_s={"999": fixed(500)}, wrap_s={"999": fixed(100)})])
    r = run(sc, t999=[100.0], t101=[200.0])
    assert _durations(r) == [
        ("999", "long", 500.0 + CHECKS_S, 100.0),
        ("101", "long", 90.0 + CHECKS_S, 20.0),
    ]
    calls = r.calls.sort_values("call_id")
    assert calls["checks_s"].tolist() == [CHECKS_S, CHECKS_S]
    assert calls["answered_s"].tolist() == [100.0, 200.0]
    assert calls["end_s"].tolist() == [100.0 + 500.0 + CHECKS_S, 200.0 + 90.0 + CHECKS_S]


def test_without_thrive_the_type_time_is_the_whole_talk() -> None:
    """No [thrive]: no sub-task adds to the type's own talk time; only the talk is the type's
    (the wrap-up stays the channel's)."""
    sc = _scenario([_type("long", 1.0, talk_s={"999": fixed(500)})], thrive=False)
    r = run(sc, t999=[100.0, 150.0])
    assert _durations(r) == [("999", "long", 500.0, 10.0), ("999", "long", 500.0, 10.0)]


def test_types_with_and_without_their_own_times_in_one_channel() -> None:
    """Every call of the type with its own time takes it; every other call the channel's."""
    types = [
        _type("long", 0.5, talk_s={"999": fixed(300)}, wrap_s={"999": fixed(45)}),
        _type("plain", 0.5),
    ]
    r = run(_scenario(types), t999=[10.0 * k for k in range(1, 41)])
    seen = set()
    for _channel, kind, talk, wrap in _durations(r):
        seen.add(kind)
        expected = (300.0, 45.0) if kind == "long" else (60.0, 10.0)
        assert (talk, wrap) == (expected[0] + CHECKS_S, expected[1])
    assert seen == {"long", "plain"}


def test_own_times_leave_every_other_draw_unchanged() -> None:
    """Common random numbers: giving one type its own talk time leaves the calls' types and
    patience, and the other type's talk times, exactly as they were."""
    lognormal = {"dist": "lognormal", "mean": 200, "sd": 120}
    plain = [_type("a", 0.5), _type("b", 0.5)]
    own = [_type("a", 0.5, talk_s={"999": fixed(900)}), _type("b", 0.5)]
    times = [30.0 * k for k in range(1, 61)]
    before = run(_scenario(plain, talk999=lognormal), t999=times).calls.sort_values("call_id")
    after = run(_scenario(own, talk999=lognormal), t999=times).calls.sort_values("call_id")
    assert after["call_type"].tolist() == before["call_type"].tolist()
    assert after["patience_s"].tolist() == before["patience_s"].tolist()
    b = (before["call_type"] == "b").to_numpy()
    assert 0 < b.sum() < len(b)
    assert after["talk_s"].to_numpy()[b].tolist() == before["talk_s"].to_numpy()[b].tolist()
    assert set(after["talk_s"].to_numpy()[~b].tolist()) == {900.0 + CHECKS_S}


def test_own_times_on_a_channel_the_scenario_lacks_are_rejected() -> None:
    sc = _scenario([_type("x", 1.0)])
    data = sc.model_dump(by_alias=True)
    data["channels"].pop("101")
    data["call_types"][0]["share"] = {"999": 1.0}
    data["call_types"][0]["talk_s"] = {"101": fixed(30)}
    with pytest.raises(ValueError, match=r"found .101. \(no \[channels.101\]\)"):
        Scenario.model_validate(data)


def test_the_mean_handle_time_weights_the_types_own_times() -> None:
    """The mean talk plus wrap-up (used by the predicted-wait callback offer and by the
    planner) weights each type's own times, or the channel's, by the type's share."""
    sc = _scenario(
        [_type("long", 0.25, talk_s={"999": fixed(300)}), _type("plain", 0.75)], thrive=False
    )
    assert sc.mean_handle_s("999") == pytest.approx(0.25 * 310 + 0.75 * 70)
    assert sc.mean_handle_s("101") == 110.0


def test_a_type_time_no_call_uses_leaves_every_table_identical() -> None:
    """A type's own time is drawn from a stream of its own: a type that no call has (share 0)
    given its own times changes nothing at all, to the last bit, in a run with random
    arrivals, patience and talk times."""
    lognormal = {"dist": "lognormal", "mean": 200, "sd": 120}

    def scenario(own: dict[str, Any]) -> Scenario:
        data = _scenario([_type("a", 1.0), _type("z", 0.0, **own)], talk999=lognormal)
        raw = data.model_dump(by_alias=True)
        raw["channels"]["999"].update(calls_per_day=1500, patience_s=lognormal)
        raw["handlers"][0]["count"] = 5
        return Scenario.model_validate(raw)

    before = simulate(scenario({}), 0)
    after = simulate(scenario({"talk_s": {"999": fixed(999)}, "wrap_s": {"999": fixed(5)}}), 0)
    assert len(before.calls) > 1000
    assert before.calls["outcome"].eq("abandoned").any()
    for name in ("calls", "work", "duty", "handlers"):
        pd.testing.assert_frame_equal(getattr(before, name), getattr(after, name))
