"""The arrivals fit (calls a day and the weekly profile): exact counts on hand-built calls (the
clock changes by exposure, bank holidays left out and reported, a period shorter than a week),
and recovery of the model's own weekly profile from its arrival process over sixteen weeks.

A profile's noise is Poisson: a quarter hour with 7 calls on average, seen 4 times, is known to
about 19%, so four weeks of a 685-a-day channel cannot show its profile to a correlation of
0.95 (the round-trip test checks four weeks where they can). Sixteen weeks can: this test
draws them from the model's own arrival process, which is all the profile fit sees.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from controlroom_sim.config.loading import load_scenario
from controlroom_sim.fitting.export import Export, Period, Rejections
from controlroom_sim.fitting.profile import fit_arrivals, period_grid
from controlroom_sim.model.arrivals import arrival_blocks

LONDON = "Europe/London"


def export_of(offered: list[pd.Timestamp] | pd.DatetimeIndex, channel: str = "999") -> Export:
    """An export of calls offered at ``offered`` (local times, or UTC instants)."""
    times = pd.DatetimeIndex(offered)
    if times.tz is None:  # local wall-clock times: the repeated hour's first, the gap's after
        first = np.ones(len(times), dtype=bool)
        times = times.tz_localize(LONDON, ambiguous=first, nonexistent="shift_forward")
    times = times.tz_convert("UTC").sort_values()
    calls = pd.DataFrame(
        {
            "channel": channel,
            "made_at": pd.Series(pd.NaT, index=range(len(times)), dtype="datetime64[ns, UTC]"),
            "offered_at": times,
        }
    )
    first, last = times[0], times[-1]
    days = (last.tz_convert(LONDON).date() - first.tz_convert(LONDON).date()).days + 1
    return Export(calls, Rejections(), Period(first, last, days, days // 7), LONDON)


def quarter(weekday: int, clock: str) -> int:
    """The profile index of a weekday (0 Monday) and HH:MM."""
    hours, minutes = (int(p) for p in clock.split(":"))
    return weekday * 96 + hours * 4 + minutes // 15


def every_quarter_hour(first: str, last: str) -> list[pd.Timestamp]:
    """One call at 7 minutes past each UTC quarter hour from ``first`` to ``last`` (local days,
    both included): the same count in every real quarter hour, clock changes or not."""
    start = pd.Timestamp(first).tz_localize(LONDON).tz_convert("UTC")
    end = (pd.Timestamp(last) + pd.Timedelta(days=1)).tz_localize(LONDON).tz_convert("UTC")
    return list(pd.date_range(start, end, freq="15min", inclusive="left") + pd.Timedelta(minutes=7))


def test_one_call_every_quarter_hour_gives_a_flat_profile_across_both_clock_changes() -> None:
    """The spring night's 01:00 hour never happens and the autumn night's happens twice: by
    exposure, every weight is still exactly one call a quarter hour."""
    for first, last in (("2026-03-23", "2026-04-05"), ("2025-10-20", "2025-11-02")):
        fitted = fit_arrivals(export_of(every_quarter_hour(first, last)), "999")
        np.testing.assert_allclose(fitted.weights, 1.0)
        assert fitted.calls_per_day == pytest.approx(96.0)
    spring = fit_arrivals(export_of(every_quarter_hour("2026-03-23", "2026-04-05")), "999")
    sunday_one = quarter(6, "01:00")
    assert spring.weeks[sunday_one] == 1  # two Sundays, one of them without 01:00
    assert spring.weeks[quarter(6, "03:00")] == 2
    autumn = fit_arrivals(export_of(every_quarter_hour("2025-10-20", "2025-11-02")), "999")
    assert autumn.weeks[sunday_one] == 3  # 26 October's 01:00 twice, 2 November's once


def test_bank_holidays_are_left_out_and_reported_on_their_own() -> None:
    """Two weeks around Easter 2026: Good Friday (3 April) and Easter Monday (6 April) have
    ten times the calls; the profile does not see them, the report does."""
    calls = every_quarter_hour("2026-03-30", "2026-04-12")
    busy = [
        t for t in calls if t.tz_convert(LONDON).date().isoformat() in ("2026-04-03", "2026-04-06")
    ]
    fitted = fit_arrivals(export_of(calls + busy * 9), "999")
    np.testing.assert_allclose(fitted.weights, 1.0)
    assert fitted.weeks[quarter(4, "12:00")] == 1  # Fridays: one of two was Good Friday
    holidays = {h["date"]: h for h in fitted.holidays}
    assert set(holidays) == {"2026-04-03", "2026-04-06"}
    assert holidays["2026-04-03"]["name"] == "Good Friday"
    assert holidays["2026-04-03"]["calls"] == 960
    assert holidays["2026-04-03"]["ordinary_day_expected"] == pytest.approx(96.0)
    assert holidays["2026-04-06"]["ratio"] == pytest.approx(10.0)
    assert fitted.calls == 96 * 12


def test_a_period_shorter_than_a_week_fills_the_weekdays_it_did_not_see_and_says_so() -> None:
    """Two days (a Tuesday with 2 calls a quarter hour, a Wednesday with 4): the other weekdays
    take their mean at each time, never observed."""
    tuesday = every_quarter_hour("2026-06-09", "2026-06-09")
    wednesday = every_quarter_hour("2026-06-10", "2026-06-10")
    fitted = fit_arrivals(export_of(tuesday * 2 + wednesday * 4), "999")
    assert fitted.unobserved_weekdays == ["monday", "thursday", "friday", "saturday", "sunday"]
    assert fitted.weights[quarter(1, "10:00")] == 2.0
    assert fitted.weights[quarter(2, "10:00")] == 4.0
    assert fitted.weights[quarter(5, "10:00")] == 3.0
    assert fitted.weeks[quarter(5, "10:00")] == 0
    assert fitted.dispersion is None  # one day of each weekday: nothing to measure it on


def test_over_dispersion_is_about_one_for_poisson_days_and_large_for_varying_ones() -> None:
    """Eight weeks of 500 calls a day: Poisson days give a Pearson statistic the chi-square
    law expects (its p-value is below 0.001 one time in a thousand), days with a gamma day
    effect (a CV of 22%) a far larger one."""
    start = pd.Timestamp("2026-05-04").tz_localize(LONDON).tz_convert("UTC")
    days = 56

    def calls(rng: np.random.Generator, day_effect: bool) -> pd.DatetimeIndex:
        out = []
        for day in range(days):
            scale = rng.gamma(20.0, 1 / 20.0) if day_effect else 1.0
            seconds = np.sort(rng.uniform(0, 86400, rng.poisson(500 * scale))) + day * 86400
            out.append(start + pd.to_timedelta(seconds, unit="s"))
        return pd.DatetimeIndex(np.concatenate(out))

    # 4 May and 25 May 2026 are bank holidays: left out of the profile and the dispersion.
    flat = fit_arrivals(export_of(calls(np.random.default_rng(11), False)), "999")
    assert flat.dispersion_df == days - 2 - 7
    assert flat.dispersion_p > 0.001
    wide = fit_arrivals(export_of(calls(np.random.default_rng(12), True)), "999")
    assert wide.dispersion > 5
    assert wide.dispersion_p < 1e-6


def test_the_grid_starts_and_ends_with_the_calls() -> None:
    """An export that starts mid-day is observed from the quarter hour of its first call."""
    calls = every_quarter_hour("2026-06-08", "2026-06-14")[40:]
    grid = period_grid(export_of(calls))
    assert len(grid.starts) == 7 * 96 - 40
    fitted = fit_arrivals(export_of(calls), "999")
    np.testing.assert_allclose(fitted.weights, 1.0)


@pytest.mark.parametrize("channel", ["999", "101"])
def test_a_year_of_the_models_arrivals_gives_back_its_profile_and_volume(channel) -> None:
    """The model's own arrival process over 52 weeks from Monday 5 January 2026 (both clock
    changes and every bank holiday inside), its simulation clock taken as the local wall clock
    (as a force's demand follows it): calls a day within 2% and the weekly profile correlated
    above 0.95. A 999 quarter hour averages 7 calls, so it takes most of a year of weeks to
    know each weight to 5%; the round-trip test checks four weeks at hourly resolution."""
    weeks = 52
    scenario = load_scenario(
        None, overrides=[f"scenario.days={7 * weeks}", "scenario.warmup_hours=0"]
    )
    rng = np.random.default_rng(2026)
    seconds = np.concatenate(list(arrival_blocks(scenario, channel, rng)))
    local = pd.Timestamp("2026-01-05") + pd.to_timedelta(seconds, unit="s")
    fitted = fit_arrivals(export_of(local, channel), channel)
    truth = scenario.channels[channel]
    assert fitted.calls_per_day == pytest.approx(truth.calls_per_day, rel=0.02)
    correlation = np.corrcoef(fitted.weights, np.asarray(truth.profile_weights))[0, 1]
    assert correlation > 0.95
