"""The back-test's clock and arithmetic: a scenario's own replication 0, written as an export and
back-tested with that same scenario and one replication, is compared with itself, so every
hour's observed and simulated KPIs are equal (the hours line up exactly); the prediction
interval is the t interval of one more draw; held-out weeks are cut at local midnight, and
too many of them are a one-line error."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from controlroom_sim.cli.main import main
from controlroom_sim.config.loading import load_scenario
from controlroom_sim.fitting.backtest import (
    HoldoutError,
    _prediction_interval,
    hold_out,
    run_backtest,
)
from controlroom_sim.fitting.export import read_export
from controlroom_sim.fitting.mapping import load_mapping
from controlroom_sim.fitting.synthetic import MAPPING, write_export
from controlroom_sim.model.simulate import simulate
from tests.helpers.cli import assert_one_line_error

START = pd.Timestamp("2026-06-08 00:00", tz="Europe/London")
"""Monday 8 June 2026: no clock change, no bank holiday."""


@pytest.fixture(scope="module")
def own(tmp_path_factory):
    folder = tmp_path_factory.mktemp("backtest")
    scenario = load_scenario(
        None,
        overrides=[
            "scenario.days=2",
            "scenario.warmup_hours=0",
            'scenario.start_weekday="monday"',
            "callback.enabled=false",
        ],
    )
    records = simulate(scenario, 0)
    export_file = folder / "calls.csv"
    write_export(records.measured_calls, export_file, START)
    mapping = folder / "mapping.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return scenario, records, read_export([export_file], load_mapping(mapping)), folder


def test_a_replication_back_tested_against_itself_agrees_hour_by_hour(own) -> None:
    scenario, records, export, _ = own
    result = run_backtest(scenario, export, "in-sample", "its own", replications=1)
    assert (result.first_day, result.days) == ("2026-06-08", 2)
    hourly = result.hourly
    assert set(hourly["period"]) == set(range(1, 49))
    # Calls still open when the run ended are not in an export: leave out the last two hours.
    open_calls = records.measured_calls[records.measured_calls["outcome"] == "open"]
    last = int(open_calls["arrival_s"].min() // 3600) + 1 if len(open_calls) else 49
    settled = hourly[hourly["period"] < min(last, 47)]
    assert len(settled) > 300
    np.testing.assert_allclose(
        settled["observed"].to_numpy(dtype=float),
        settled["simulated"].to_numpy(dtype=float),
        rtol=1e-9,
        atol=1e-6,
    )
    assert settled.loc[settled["kpi"] == "offered", "observed"].sum() > 1000


def test_the_prediction_interval_is_the_t_interval_of_one_more_draw() -> None:
    values = np.array([0.70, 0.72, 0.69, 0.74, 0.71])
    low, high = _prediction_interval(values, (0.0, 1.0))
    half = stats.t.ppf(0.975, 4) * values.std(ddof=1) * math.sqrt(1 + 1 / 5)
    assert (low, high) == pytest.approx((values.mean() - half, values.mean() + half))
    # Cut to the KPI's bounds; undefined with one replication.
    assert _prediction_interval(np.array([0.01, 0.5, 0.02]), (0.0, 1.0))[0] == 0.0
    assert all(math.isnan(v) for v in _prediction_interval(np.array([3.0]), (0, math.inf)))


def test_held_out_weeks_are_the_last_whole_local_weeks(own) -> None:
    _, _, export, _ = own
    with pytest.raises(HoldoutError, match="found 1: nothing would be left to fit"):
        hold_out(export, 1)


def test_too_many_held_out_weeks_is_a_one_line_error(own, capsys) -> None:
    _, _, _, folder = own
    status = main(
        [
            "fit",
            str(folder / "calls.csv"),
            "--mapping",
            str(folder / "mapping.toml"),
            "--out",
            str(folder / "fit"),
            "--holdout-weeks",
            "1",
        ]
    )
    line = assert_one_line_error(capsys, status)
    assert line == (
        "error: --holdout-weeks: expected fewer whole weeks than the export has (2 days), "
        "found 1: nothing would be left to fit"
    )


def test_without_made_times_both_sides_time_answers_from_the_force(own) -> None:
    """An export without made times can only time 999 answers from the offered time; the
    simulated side is timed the same way (from the call being made it would include the BT
    stage the export cannot show, about 5 s, and read far lower)."""
    scenario, _, _, folder = own
    mapping = folder / "no_made.toml"
    mapping.write_text(MAPPING.replace('made_at = "Dialled"\n', ""), encoding="utf-8")
    export = read_export([folder / "calls.csv"], load_mapping(mapping))
    result = run_backtest(scenario, export, "in-sample", "its own", replications=1)
    whole = result.whole.set_index(["channel", "kpi"])
    observed = whole.loc[("999", "answered_within_10s"), "observed"]
    simulated = whole.loc[("999", "answered_within_10s"), "simulated"]
    assert simulated == pytest.approx(observed, abs=0.002)
    made_clock = run_backtest(
        scenario,
        read_export([folder / "calls.csv"], load_mapping(folder / "mapping.toml")),
        "in-sample",
        "its own",
        replications=1,
    ).whole.set_index(["channel", "kpi"])
    assert made_clock.loc[("999", "answered_within_10s"), "observed"] < observed - 0.05
