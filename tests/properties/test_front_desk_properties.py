"""Invariants of the front desk on generated scenarios (Hypothesis).

Every 101 call ends in exactly one place (resolved at the desk, abandoned at the desk, still
at the desk, waiting or with an operator, when the run stopped, or routed and then answered,
abandoned or open in a handlers' queue); its moments come in order; a caller who gives up
after the desk has waited exactly its patience in the two queues; no operator (and no
handler) is on two calls at once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from controlroom_sim.config.schema import Scenario
from controlroom_sim.model import simulate

TOL = 1e-6


def _dist(mean: float, exponential: bool) -> dict:
    if exponential:
        return {"dist": "exponential", "mean": mean}
    return {"dist": "fixed", "value": mean}


@st.composite
def desk_scenarios(draw: st.DrawFn) -> Scenario:
    to999 = draw(st.floats(0.0, 0.5))
    to101 = draw(st.floats(0.0, 1.0 - to999))
    routes = [{"target": "999", "share": to999}, {"target": "101", "share": to101}]
    patience = draw(st.sampled_from([None, 30.0, 120.0]))
    c101: dict = {
        "calls_per_day": draw(st.floats(200, 3000)),
        "talk_s": _dist(draw(st.floats(30, 400)), draw(st.booleans())),
        "redial_probability": draw(st.sampled_from([0.0, 0.3])),
    }
    if patience is not None:
        c101["patience_s"] = _dist(patience, draw(st.booleans()))
    data = {
        "scenario": {
            "name": "desk property",
            "days": 0.25,
            "warmup_hours": 0,
            "cooldown_hours": 0.5,
            "seed": draw(st.integers(0, 10_000)),
        },
        "channels": {
            "999": {
                "calls_per_day": draw(st.floats(0, 800)),
                "talk_s": {"dist": "exponential", "mean": 200},
                "patience_s": {"dist": "exponential", "mean": 60},
            },
            "101": c101,
        },
        "handlers": [
            {"name": "999s", "skills": ["999"], "count": draw(st.integers(1, 3))},
            {"name": "pool", "skills": ["999", "101"], "count": draw(st.integers(1, 4))},
        ],
        "front_desk": {
            "time_s": _dist(draw(st.floats(5, 200)), draw(st.booleans())),
            "resolve_probability": draw(st.floats(0, 1)),
            "routes": routes,
            "repeat_probability": draw(st.sampled_from([0.0, 0.5])),
            "repeat_delay_s": {"dist": "exponential", "mean": 600},
            "operators": [{"name": "switchboard", "count": draw(st.integers(1, 3))}],
        },
    }
    return Scenario.model_validate(data)


def _no_overlap(work: pd.DataFrame, who: str) -> None:
    w = work.sort_values([who, "start_s"])
    same = w[who].to_numpy()[1:] == w[who].to_numpy()[:-1]
    gap = w["start_s"].to_numpy()[1:] - w["end_s"].to_numpy()[:-1]
    assert (gap[same] >= -TOL).all(), f"a {who} on two calls at once"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(desk_scenarios())
def test_every_call_ends_in_one_place_and_nobody_takes_two_at_once(sc: Scenario) -> None:
    r = simulate(sc, 0)
    c = r.calls
    desk = c[c["channel"] == "101"]
    fd = desk["front_desk_outcome"].astype(object)
    out = desk["outcome"].astype(object)
    resolved = (fd == "resolved").to_numpy()
    left = (fd == "abandoned").to_numpy()
    routed = (fd == "routed").to_numpy()
    waiting = fd.isna().to_numpy()
    # Exactly one place.
    assert (resolved.astype(int) + left + routed + waiting == 1).all()
    assert (out[resolved] == "answered").all() and (desk["handler_id"][resolved] == -1).all()
    assert (out[left] == "abandoned").all()
    assert (out[waiting] == "open").all()
    assert out[routed].isin(["answered", "abandoned", "open"]).all()
    assert (desk["front_desk_route"].notna().to_numpy() == routed).all()
    answered = routed & (out == "answered").to_numpy()
    assert (desk["handler_id"][answered] >= 0).all()
    # Moments in order.
    f, a0, a1 = desk["force_s"], desk["front_desk_answered_s"], desk["front_desk_end_s"]
    assert (a0[~waiting & ~left] >= f[~waiting & ~left] - TOL).all()
    assert (desk["answered_s"][answered] >= a1[answered] - TOL).all()
    assert (a1[routed] >= a0[routed]).all()
    # Patience is the total time in the two queues (no callbacks here).
    gone = routed & (out == "abandoned").to_numpy()
    in_queues = (desk["abandoned_s"] - desk["force_s"] - (a1 - a0))[gone]
    np.testing.assert_allclose(in_queues, desk["patience_s"][gone], atol=1e-6)
    at_desk = (desk["abandoned_s"] - desk["force_s"])[left]
    np.testing.assert_allclose(at_desk, desk["patience_s"][left], atol=1e-6)
    # Nobody on two calls at once; the desk's work is the calls it answered.
    _no_overlap(r.front_desk_work, "operator_id")
    _no_overlap(r.work, "handler_id")
    met = a0.notna().to_numpy()  # resolved, routed, or with an operator when the run stopped
    assert sorted(r.front_desk_work["call_id"]) == sorted(desk["call_id"][met])
    assert (met[resolved | routed]).all()
    # No call of 999 meets the desk.
    assert c.loc[c["channel"] == "999", "front_desk_outcome"].isna().all()
