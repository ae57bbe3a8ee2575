"""A round trip: a short simulated run written as a telephony export in a foreign format (other
column names, UK day-first local times across the October 2025 clock change), read back, gives
the calls and the KPIs computed directly from the simulated records.

What the export can carry, and so why this scenario: a call's made, offered, answered, ended
and wrap-end times, its channel, caller and handler. It cannot carry callbacks (an export's
call is answered or abandoned), so the scenario has them off; nor a call still waiting when
the export was taken, and this run leaves none open in its measured window (asserted). The BT
stage is carried by ``made_at`` (the call was made) beside ``offered_at`` (it reached the
force), so the 999 answer clock, which runs from the call being made, reads the same. Redials,
repeat calls and 101 callers ringing 999 are calls of their own in both. Times are written to
the microsecond, so answer times agree to float rounding and the 10-second counts exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from controlroom_sim.analysis.kpis import replication_kpis
from controlroom_sim.config.loading import load_scenario
from controlroom_sim.fitting.export import read_export
from controlroom_sim.fitting.mapping import load_mapping
from controlroom_sim.fitting.observed import observed_kpis
from controlroom_sim.fitting.synthetic import MAPPING, write_export
from controlroom_sim.model.simulate import simulate

LONDON = "Europe/London"
START = pd.Timestamp("2025-10-25 00:00", tz=LONDON)
"""Simulation time 0: Saturday 25 October 2025, midnight BST; the clocks go back the next
night, 02:00 BST -> 01:00 GMT."""
OVERRIDES = [
    "scenario.days=2",
    "scenario.warmup_hours=0",
    'scenario.start_weekday="saturday"',
    "callback.enabled=false",
]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    scenario = load_scenario(None, overrides=OVERRIDES)
    records = simulate(scenario, 0)
    folder = tmp_path_factory.mktemp("round_trip")
    export = folder / "calls.csv"
    write_export(records.measured_calls, export, START)
    mapping = folder / "mapping.toml"
    mapping.write_text(MAPPING)
    return scenario, records, read_export([export], load_mapping(mapping))


def test_every_simulated_call_comes_back_exactly(run) -> None:
    _, records, result = run
    calls = records.measured_calls
    assert set(calls["outcome"]) == {"answered", "abandoned"}  # nothing open, no callbacks
    assert result.rejections.total == 0
    back = result.calls.set_index("call_id")
    assert len(back) == len(calls)
    ids = "C" + calls["call_id"].astype(str)
    offered = START.tz_convert("UTC") + pd.to_timedelta(calls["force_s"].to_numpy(), unit="s")
    error = (back.loc[ids, "offered_at"].to_numpy() - offered.to_numpy()) / np.timedelta64(1, "s")
    assert np.abs(error).max() < 2e-6
    wait = (calls["answered_s"].fillna(calls["abandoned_s"]) - calls["force_s"]).to_numpy()
    assert np.abs(back.loc[ids, "wait_s"].to_numpy() - wait).max() < 2e-6
    talk = (calls["end_s"] - calls["answered_s"]).to_numpy()
    np.testing.assert_allclose(back.loc[ids, "talk_s"].to_numpy(), talk, atol=2e-6)
    assert (back.loc[ids, "outcome"].to_numpy() == calls["outcome"].astype(str).to_numpy()).all()


def test_the_export_crosses_the_repeated_hour_both_times(run) -> None:
    """Calls were offered in both 01:00-01:59 of 26 October (BST, then GMT), so the round trip
    tests the clock-change rule, not only ordinary hours."""
    _, _, result = run
    offered = result.calls["offered_at"]
    first = (offered >= pd.Timestamp("2025-10-26 00:00", tz="UTC")) & (
        offered < pd.Timestamp("2025-10-26 01:00", tz="UTC")
    )
    second = (offered >= pd.Timestamp("2025-10-26 01:00", tz="UTC")) & (
        offered < pd.Timestamp("2025-10-26 02:00", tz="UTC")
    )
    assert first.sum() > 10
    assert second.sum() > 10
    assert (result.period.days, result.period.weeks) == (2, 0)


@pytest.mark.parametrize("channel", ["999", "101"])
def test_observed_kpis_equal_the_simulated_ones(run, channel: str) -> None:
    scenario, records, result = run
    simulated = replication_kpis(records, scenario)
    observed = observed_kpis(result, scenario)
    for name in ("offered", "answered", "abandoned", "abandon_rate", "answered_within_10s"):
        key = f"{name}_{channel}"
        assert observed[key] == simulated[key], key
    key = f"mean_answer_s_{channel}"
    assert observed[key] == pytest.approx(simulated[key], abs=1e-5)
    assert 0 < simulated[f"abandon_rate_{channel}"] < 1
    assert 0 < simulated[f"answered_within_10s_{channel}"] < 1
