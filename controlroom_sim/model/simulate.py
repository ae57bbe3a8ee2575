"""The model's entry point: one replication of a scenario, as records."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..config.schema import Scenario
from .records import RunRecords
from .room import ControlRoom


def simulate(
    scenario: Scenario,
    replication: int = 0,
    arrival_times: Mapping[str, Sequence[float]] | None = None,
) -> RunRecords:
    """Run one replication of ``scenario`` and return its records."""
    return ControlRoom(scenario, replication, arrival_times).run()
