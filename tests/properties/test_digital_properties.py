"""Invariants of digital contact as work (``[digital]``) over generated scenarios: the small
call-handling scenarios of :func:`tests.helpers.strategies.scenarios`, with a digital desk
added (a random share of the groups given the skill, any rule, any interrupting channels).

1. Items are conserved: every item that arrived has one row, done or open at the end; a done
   item was worked exactly its drawn work, an open one no more; its stints add up to its
   worked time.
2. No handler is on two things at once: a handler's stints (calls and items) never overlap.
3. Every item set aside was resumed (it has a stint after each set-aside) or is open at the end.
4. Digital work is the lowest priority: no handler starts an item while a call it can take
   waits.
5. A scenario with ``[digital]`` and no items draws and records exactly what it did without.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from controlroom_sim.config.schema import Scenario
from controlroom_sim.model import simulate
from controlroom_sim.model.records import RunRecords
from tests.helpers.strategies import distributions, scenarios

TOL = 1e-6


def _data(scenario: Scenario) -> dict[str, Any]:
    """The scenario's table again, with the profile weights a dump leaves out."""
    data: dict[str, Any] = scenario.model_dump()
    for name, channel in scenario.channels.items():
        data["channels"][name]["profile_weights"] = channel.profile_weights
    return data


@st.composite
def digital_scenarios(draw: st.DrawFn) -> Scenario:
    data = _data(draw(scenarios()))
    groups = data["handlers"]
    chosen = draw(st.lists(st.integers(0, len(groups) - 1), min_size=1, unique=True))
    for g in chosen:
        groups[g]["skills"].append("digital")
    groups[chosen[0]]["count"] = max(1, groups[chosen[0]].get("count") or 0)
    if groups[chosen[0]].get("shifts") is not None:
        groups[chosen[0]]["shifts"] = None
    channels = list(data["channels"])
    data["digital"] = {
        "items_per_day": draw(st.floats(20.0, 400.0)),
        "work_s": draw(distributions(30.0, 1200.0)),
        "target_hours": draw(st.floats(0.25, 24.0)),
        "interrupt": draw(st.sampled_from(["finish", "set_aside", "set_aside"])),
        "interrupted_by": draw(st.lists(st.sampled_from(channels), min_size=1, unique=True)),
    }
    return Scenario.model_validate(data)


def _stints(r: RunRecords) -> pd.DataFrame:
    return r.work[r.work["kind"] == "digital"]


def check_conserved(r: RunRecords) -> None:
    items = r.digital
    assert items is not None
    assert items["item_id"].tolist() == list(range(len(items)))
    assert (items["arrival_s"] < r.end_s).all()
    done = items["done_s"].notna()
    assert np.allclose(items.loc[done, "worked_s"], items.loc[done, "work_s"], atol=TOL)
    assert (items.loc[~done, "worked_s"] <= items.loc[~done, "work_s"] + TOL).all()
    stints = _stints(r)
    length = (stints["end_s"] - stints["start_s"]).groupby(stints["call_id"]).sum()
    worked = items.set_index("item_id")["worked_s"]
    assert np.allclose(length.reindex(worked.index, fill_value=0.0), worked, atol=TOL)
    first = stints.groupby("call_id")["start_s"].min()
    started = items["first_start_s"].notna()
    assert np.array_equal(first.index.to_numpy(), items.loc[started, "item_id"].to_numpy())
    assert np.allclose(first.to_numpy(), items.loc[started, "first_start_s"].to_numpy())


def check_one_thing_at_a_time(r: RunRecords) -> None:
    work = r.work.sort_values(["handler_id", "start_s", "end_s"], kind="stable")
    hid = work["handler_id"].to_numpy()
    same = hid[1:] == hid[:-1]
    starts, ends = work["start_s"].to_numpy(), work["end_s"].to_numpy()
    assert (starts[1:][same] >= ends[:-1][same] - TOL).all(), "a handler on two things at once"


def check_set_aside_resumed(r: RunRecords) -> None:
    items = r.digital.set_index("item_id")  # type: ignore[union-attr]
    stints = _stints(r).groupby("call_id").size().reindex(items.index, fill_value=0)
    done = items["done_s"].notna()
    # A done item had one stint per set-aside and one more that finished it; an open one was
    # either resumed after each set-aside (and is in hand at the end) or waits to be.
    assert (stints[done] == items.loc[done, "set_asides"] + 1).all()
    open_ = ~done
    assert (stints[open_] >= items.loc[open_, "set_asides"]).all()
    assert (stints[open_] <= items.loc[open_, "set_asides"] + 1).all()


def check_lowest_priority(scenario: Scenario, r: RunRecords) -> None:
    skills = {
        hid: set(scenario.handlers[g].skills)
        for hid, g in zip(
            r.handlers["handler_id"],
            r.handlers["group"].map({g.name: i for i, g in enumerate(scenario.handlers)}),
            strict=True,
        )
    }
    calls = r.calls[r.calls["callback_offered_s"].isna()]
    gone = calls["answered_s"].fillna(calls["abandoned_s"]).fillna(np.inf).to_numpy()
    force = calls["force_s"].to_numpy()
    channel = calls["channel"].astype(str).to_numpy()
    for hid, start in zip(_stints(r)["handler_id"], _stints(r)["start_s"], strict=True):
        waiting = (force < start - TOL) & (gone > start + TOL)
        takes = np.isin(channel, list(skills[hid]))
        assert not (waiting & takes).any(), f"handler {hid} took an item at {start} with calls"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(digital_scenarios(), st.integers(0, 3))
def test_digital_invariants(scenario: Scenario, replication: int) -> None:
    r = simulate(scenario, replication)
    assert r.digital is not None
    event("an item set aside" if (r.digital["set_asides"] > 0).any() else "none set aside")
    event("an item open at the end" if r.digital["done_s"].isna().any() else "all done")
    check_conserved(r)
    check_one_thing_at_a_time(r)
    check_set_aside_resumed(r)
    check_lowest_priority(scenario, r)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.integers(0, 3))
def test_a_desk_without_items_changes_nothing(scenario: Scenario, replication: int) -> None:
    data = _data(scenario)
    data["digital"] = {
        "items_per_day": 0.0,
        "work_s": {"dist": "fixed", "value": 60.0},
        "interrupted_by": list(data["channels"]),
    }
    with_desk = Scenario.model_validate(data)
    a, b = simulate(scenario, replication), simulate(with_desk, replication)
    for name in ("calls", "duty", "handlers"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    pd.testing.assert_frame_equal(
        a.work.astype({"kind": str}), b.work.astype({"kind": str}), check_categorical=False
    )
    assert a.digital is None and b.digital is not None and b.digital.empty
