"""The engine pauses Python's cyclic garbage collector during a replication (a fifth of the run
time otherwise). That is safe only while the model makes no reference cycles, which this file
checks, and only if the collector is switched back on afterwards, whatever happens."""

from __future__ import annotations

import gc

import pytest

from controlroom_sim.config.loading import load_scenario
from controlroom_sim.model import simulate
from controlroom_sim.model.room import ControlRoom
from tests.helpers.paths import ROOT


@pytest.mark.parametrize(
    "name", ["baseline.toml", "whatif/minimum_staffing.toml", "merging/three_rooms.toml"]
)
def test_a_replication_leaves_no_cyclic_garbage(name: str) -> None:
    """Every feature on (callbacks, grading, dispatch with reassessment and diversion, support
    workers, several forces): nothing the run made is left for the cyclic collector."""
    scenario = load_scenario(ROOT / "scenarios" / name, ["scenario.days=1"])
    room = ControlRoom(scenario, 0)
    gc.collect()
    gc.disable()
    try:
        room.env.run(until=scenario.end_s)
        assert room.calls_made > 1000
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_the_collector_is_back_on_after_a_run_and_after_a_failure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scenario = load_scenario(ROOT / "scenarios" / "baseline.toml", ["scenario.days=0.1"])
    assert gc.isenabled()
    simulate(scenario, 0)
    assert gc.isenabled()

    def broken(self: ControlRoom) -> None:
        assert not gc.isenabled()
        raise RuntimeError("broken")

    monkeypatch.setattr(ControlRoom, "_records", broken)
    with pytest.raises(RuntimeError, match="broken"):
        simulate(scenario, 0)
    assert gc.isenabled()
    gc.disable()
    try:
        monkeypatch.undo()
        simulate(scenario, 0)
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()
