"""Helpers of the exact-trace tests (tests/process): fixed durations, one replication with
given arrival times, and the records' fields as plain Python values that compare exactly."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from controlroom_sim.config.schema import Scenario
from controlroom_sim.model import simulate
from controlroom_sim.model.records import RunRecords

H = 3600.0


def fixed(value: float) -> dict[str, Any]:
    return {"dist": "fixed", "value": value}


def run(scenario: Scenario, t999: Iterable[float] = (), t101: Iterable[float] = ()) -> RunRecords:
    """Replication 0 with the first calls of each channel made at the given times."""
    return simulate(scenario, 0, arrival_times={"999": list(t999), "101": list(t101)})


def plain(value: Any) -> Any:
    """A record's value as a plain Python value: NumPy scalars as Python ones, NaN and pd.NA
    as None."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def call(records: RunRecords, call_id: int, keys: Iterable[str]) -> dict[str, Any]:
    """The named fields of one call, NaN as None (so that dicts compare exactly)."""
    calls = records.calls.set_index("call_id")
    return {k: plain(calls.loc[call_id, k]) for k in keys}


def assert_call(records: RunRecords, call_id: int, **expected: Any) -> None:
    assert call(records, call_id, expected) == expected, f"call {call_id}"


def rows(frame: pd.DataFrame, columns: Sequence[str]) -> list[tuple[Any, ...]]:
    return [tuple(plain(v) for v in r) for r in frame[list(columns)].itertuples(index=False)]


def stopped_and_changed_is_batch(
    base: Scenario, scheduled: Scenario, at: float, tables: Sequence[str], replication: int = 2
) -> RunRecords:
    """The run of ``base`` stopped at ``at``, changed there by ``scheduled``'s first
    intervention and run on, leaves exactly ``tables`` of the batch run of ``scheduled`` (which
    lists that intervention at ``at``); returns the changed run's records."""
    from controlroom_sim.model.room import ControlRoom

    batch = ControlRoom(scheduled, replication).run()
    live = ControlRoom(base, replication)
    live.env.run(until=at)
    live.intervene(scheduled.interventions[0], 0)
    records = live.run()
    for table in tables:
        pd.testing.assert_frame_equal(getattr(records, table), getattr(batch, table))
    return records
