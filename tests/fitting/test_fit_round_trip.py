"""A round trip through ``controlroom-sim fit``: four weeks of a known scenario simulated, written
as a telephony export in a foreign format (other column names, UK day-first local times across
the spring 2026 clock change, Good Friday and Easter Monday inside), fitted, and the known
parameters recovered; then the fitted scenario, run with the true rota, reproduces the
export's KPIs.

The scenario: the built-in baseline with its own 999 and 101 handler groups, few enough that
about a third of the callers of each channel abandon, so censoring matters (an answered
caller's wait is only a lower bound of their patience); callbacks off and the failure-demand
loop off (an export cannot carry callbacks; the fitted scenario switches the loop off itself),
and the THRIVE checks taking no time of their own, so a call's talk is its talk_s. 999
patience is exponential (mean 180 s), 101 lognormal (mean 360 s, sd 300 s).

The tolerances are the issue's: calls a day within 2%, mean talk within 3%, mean patience
within 10%, the profile correlated above 0.95 with the truth, weekly 10-second rate and
abandonment within 2 percentage points. With 19,000 first 999 calls over the fitted days the
calls-a-day standard error is 0.7% (so 2% is three of them); the patience estimates rest on
thousands of abandons.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from controlroom_sim.config.loading import load_scenario
from controlroom_sim.config.vocabulary import INTERVALS_PER_WEEK
from controlroom_sim.fitting.synthetic import MAPPING, write_export
from controlroom_sim.model.simulate import simulate
from tests.helpers.fits import run_fit

LONDON = "Europe/London"
START = pd.Timestamp("2026-03-16 00:00", tz=LONDON)
"""Monday 16 March 2026; four weeks to Sunday 12 April, across the clock change of 29 March
(01:00 GMT -> 02:00 BST), Good Friday (3 April) and Easter Monday (6 April)."""
TRUTH = """\
extends = "baseline"

[scenario]
name = "truth"
days = 28
warmup_hours = 0
start_weekday = "monday"

[callback]
enabled = false

[thrive]
repeat_check = { time_s = { dist = "fixed", value = 0 } }
vulnerability_check = { time_s = { dist = "fixed", value = 0 } }
risk_assessment = { time_s = { dist = "fixed", value = 0 } }
advice = { time_s = { dist = "fixed", value = 0 } }

[dispatch.failure_demand]
waiting_probability = 0
resolved_probability = 0

[[handlers]]
name = "999 desk"
skills = ["999"]
shifts = [
  { name = "Early 999", start = "07:00", hours = 8, days = "daily", count = 3 },
  { name = "Late 999", start = "15:00", hours = 8, days = "daily", count = 3 },
  { name = "Night 999", start = "23:00", hours = 8, days = "daily", count = 2 },
]

[[handlers]]
name = "101 desk"
skills = ["101"]
shifts = [
  { name = "Early 101", start = "07:00", hours = 8, days = "daily", count = 7 },
  { name = "Late 101", start = "15:00", hours = 8, days = "daily", count = 6 },
  { name = "Night 101", start = "23:00", hours = 8, days = "daily", count = 2 },
]
"""


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fit_round_trip")
    truth_file = folder / "truth.toml"
    truth_file.write_text(TRUTH, encoding="utf-8")
    truth = load_scenario(truth_file)
    records = simulate(truth, 0)
    export = folder / "calls_2026.csv"
    write_export(records.measured_calls, export, START, origin_s=records.warmup_s, clock="wall")
    mapping = folder / "mapping.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    out = folder / "fit"
    document, stdout = run_fit(export, mapping, out, "--base", str(truth_file), replications=4)
    return truth, records, out, document, stdout


def test_the_simulated_export_abandons_enough_for_censoring_to_matter(fitted) -> None:
    _, _, _, document, _ = fitted
    for channel in ("999", "101"):
        rate = document["observed_kpis"][f"abandon_rate_{channel}"]
        assert 0.20 <= rate <= 0.40, (channel, rate)
    # The simulation's clock is the local wall clock: the few calls with a time in the spring
    # gap (01:00-01:59 on 29 March) are counted as such, and they are the only rows not used.
    rows = document["rows"]
    assert rows["not_used"] == rows["not_used_by_reason"]["spring_gap"] < 100
    assert document["fit_period"]["days"] == 28


@pytest.mark.parametrize("channel", ["999", "101"])
def test_calls_a_day_are_recovered_within_2_percent(fitted, channel: str) -> None:
    truth, _, _, document, _ = fitted
    fitted_value = document["channels"][channel]["arrivals"]["calls_per_day"]
    true_value = truth.channels[channel].calls_per_day
    assert fitted_value == pytest.approx(true_value, rel=0.02)
    # The redials and 101 callers who rang 999 were told apart by the calling number.
    assert document["channels"][channel]["first_calls"] < document["channels"][channel]["calls"]


@pytest.mark.parametrize("channel", ["999", "101"])
def test_mean_talk_is_recovered_within_3_percent(fitted, channel: str) -> None:
    truth, _, _, document, _ = fitted
    talk = document["channels"][channel]["talk_s"]
    assert talk["mean"] == pytest.approx(truth.channels[channel].talk_s.mean, rel=0.03)


@pytest.mark.parametrize("channel", ["999", "101"])
def test_mean_patience_is_recovered_within_10_percent(fitted, channel: str) -> None:
    """Censored maximum likelihood recovers the mean patience; the naive mean of the
    abandoned callers' waits, which the fit must not use, is far below it."""
    truth, records, _, document, _ = fitted
    patience = document["channels"][channel]["patience_s"]
    true_mean = truth.channels[channel].patience_s.mean
    assert patience["fit"]["mean"] == pytest.approx(true_mean, rel=0.10)
    calls = records.measured_calls
    mine = calls[(calls["channel"] == channel) & (calls["outcome"] == "abandoned")]
    naive = (mine["abandoned_s"] - mine["force_s"]).mean()
    assert naive < 0.75 * true_mean


@pytest.mark.parametrize("channel", ["999", "101"])
def test_the_profile_is_recovered(fitted, channel: str) -> None:
    """Four weeks' counts per local quarter hour agree with the truth's expectation (the
    Pearson statistic is what Poisson noise gives: its p-value is below 0.001 one time in a
    thousand); where four weeks hold enough calls (101 by the hour), the profile is correlated
    above 0.95 with the truth. (A 999 quarter hour averages 7 calls; its profile to 0.95 at
    15 minutes takes a year of weeks: tests/fitting/test_profile.py checks that.)"""
    truth, _, out, document, _ = fitted
    arrivals = document["channels"][channel]["arrivals"]
    weeks = np.asarray(arrivals["weeks"], dtype=float)
    counts = np.asarray(arrivals["weights"]) * weeks
    share = np.asarray(truth.channels[channel].profile_weights)
    share = share / share.sum()
    expected = truth.channels[channel].calls_per_day * 7 * share * weeks
    seen = weeks > 0
    statistic = (((counts - expected) ** 2)[seen] / expected[seen]).sum()
    assert stats.chi2.sf(statistic, seen.sum()) > 0.001
    profile = pd.read_csv(out / f"profile_{channel}.csv")
    assert len(profile) == INTERVALS_PER_WEEK
    if channel == "101":
        hourly = profile["weight"].to_numpy().reshape(-1, 4).sum(axis=1)
        correlation = np.corrcoef(hourly, share.reshape(-1, 4).sum(axis=1))[0, 1]
        assert correlation > 0.95


def test_the_fitted_scenario_runs_and_names_where_each_value_comes_from(fitted) -> None:
    truth, _, out, _, _ = fitted
    scenario = load_scenario(out / "scenario.toml")
    assert [g.name for g in scenario.handlers] == [g.name for g in truth.handlers]
    for channel in ("999", "101"):
        for key in ("calls_per_day", "profile", "talk_s", "wrap_s", "patience_s"):
            words = scenario.provenance[f"channels.{channel}.{key}"]
            assert words.startswith("fit to data: calls_2026.csv, 2026-03-16 to 2026-04-12")
    assert "made to offered" in scenario.provenance["channels.999.bt_connect_s"]
    text = (out / "scenario.toml").read_text(encoding="utf-8")
    assert text.startswith("# Fitted by `controlroom-sim fit`")


@pytest.mark.parametrize("kpi", ["answered_within_10s_999", "abandon_rate_999", "abandon_rate_101"])
def test_the_fitted_scenario_reproduces_the_exports_kpis_within_2_points(fitted, kpi) -> None:
    """Run with the true rota (the truth scenario as the base), the fitted scenario's KPIs over
    the period match the export's within 2 percentage points."""
    _, _, out, _, _ = fitted
    table = pd.read_csv(out / "backtest.csv")
    name, channel = kpi.rsplit("_", 1)
    row = table[(table["resolution"] == "all") & (table["kpi"] == name)]
    row = row[row["channel"].astype(str) == channel].iloc[0]
    assert abs(row["observed"] - row["simulated"]) < 0.02, row.to_dict()


def test_the_report_is_written(fitted) -> None:
    _, _, out, _, stdout = fitted
    page = (out / "report.html").read_text(encoding="utf-8")
    for words in ("Weekly profile", "Talk time", "Patience", "Back-test", "Rows not used"):
        assert words in page
    assert "in-sample" in page
    assert "controlroom-sim run" in stdout
    assert textwrap.dedent(stdout).count("back-test") >= 1
