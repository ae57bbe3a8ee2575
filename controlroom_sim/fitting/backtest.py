"""The back-test: the fitted scenario, replicated over the days of a stretch of the export, against
what the export shows for that stretch, hour by hour and week by week.

The stretch is the held-out weeks (``--holdout-weeks N``: the export's last N whole weeks,
left out of the fit), or, with none held out, the fitted period's last
:data:`IN_SAMPLE_WEEKS` weeks (all of it when shorter: *in-sample*, a check that the fitted
scenario reproduces its own data, not a test of prediction). The simulation
starts on the stretch's first weekday at local midnight, after the scenario's warm-up, and
runs the stretch's days; hour ``h`` of both is the ``h``-th hour after that midnight.

Every KPI, observed or simulated, comes from :func:`~controlroom_sim.analysis.call_kpis.
channel_kpis` over the calls that arrived in the hour or week: the project's own definitions,
with the scenario's answer clocks (from the call reaching the force on every channel when the
export has no made times, since its answer times can only run from then).
For each hour and week the simulated value is given as the mean over replications with its
95% confidence interval, and the 95% prediction interval of one more replication (mean ±
t sd √(1 + 1/n)): a single observed week is one draw, so it is judged against that interval
(``inside``), not against the interval of the mean.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..analysis.call_kpis import channel_kpis
from ..analysis.confidence import confidence_interval
from ..analysis.intervals import interval_table
from ..analysis.kpi_kinds import kpi_bounds
from ..config.schema import Scenario
from ..config.vocabulary import INTERVALS_PER_WEEK, WEEKDAYS
from ..model.simulate import simulate
from .export import Export, ExportError, arrival_times, subset
from .observed import model_calls
from .profile import bank_holidays

KPIS = ("offered", "answered_within_10s", "abandon_rate", "mean_answer_s")
"""The KPIs compared, per channel."""
IN_SAMPLE_WEEKS = 4
"""With no weeks held out, the back-test runs on the fitted period's last four weeks at most."""
HOUR_S = 3600.0
WEEK_S = 7 * 86400.0


@dataclass
class Backtest:
    """The comparison: ``hourly`` and ``weekly`` long tables (channel, period, kpi,
    observed, simulated mean, ci_low, ci_high, range_low and range_high (the prediction
    interval), inside) and the error
    summary."""

    kind: str
    """``holdout`` or ``in-sample``."""
    first_day: str
    days: int
    replications: int
    hourly: pd.DataFrame
    weekly: pd.DataFrame
    whole: pd.DataFrame
    """The same comparison over the whole stretch (one period)."""
    rota: str
    """Whose handlers the simulation had (the ``--rota`` given, or the base's)."""
    holidays: dict[str, str]
    """The bank holidays inside the stretch (date -> name): the model knows none of them."""
    callbacks: bool
    """Whether the simulated scenario had 101 callbacks on (an export cannot show them)."""
    on_duty: np.ndarray
    """Handlers on duty in the simulation, per quarter hour of the week (Monday 00:00 first;
    the time average over the stretch, breaks taken out; NaN where the stretch has none)."""

    def summary(self) -> dict[str, object]:
        """The error summary: per channel, the mean absolute error of the hourly 10-second rate
        and abandonment (in percentage points) and of the hourly offered calls, each beside
        its noise floor (the same error of one replication against the mean of the others:
        what a model with exactly the right parameters would show), and how many weekly KPIs
        lie inside the replications' range."""
        out: dict[str, object] = {}
        for channel, rows in self.hourly.groupby("channel", sort=False):
            mine: dict[str, object] = {}
            for kpi in KPIS:
                pick = rows[rows["kpi"] == kpi].dropna(subset=["observed", "simulated"])
                if pick.empty:
                    continue
                error = (pick["observed"] - pick["simulated"]).abs().mean()
                scale = 100.0 if kpi in ("answered_within_10s", "abandon_rate") else 1.0
                mine[f"hourly_mae_{kpi}"] = float(error * scale)
                mine[f"hourly_mae_{kpi}_noise_floor"] = float(pick["noise_floor"].mean() * scale)
            weekly = self.weekly[self.weekly["channel"] == channel].dropna(subset=["observed"])
            mine["weekly_inside"] = int(weekly["inside"].sum())
            mine["weekly_compared"] = len(weekly)
            out[str(channel)] = mine
        return out

    def table(self) -> pd.DataFrame:
        """``backtest.csv``: the whole stretch's rows, the weekly ones, then the hourly ones."""
        whole = self.whole.assign(resolution="all")
        weekly = self.weekly.assign(resolution="week")
        hourly = self.hourly.assign(resolution="hour")
        return pd.concat([whole, weekly, hourly], ignore_index=True)[
            [
                "resolution",
                "channel",
                "period",
                "start",
                "kpi",
                "observed",
                "simulated",
                "ci_low",
                "ci_high",
                "range_low",
                "range_high",
                "inside",
                "noise_floor",
            ]
        ]


class HoldoutError(ExportError):
    """Held-out weeks that leave nothing to fit."""


def hold_out(export: Export, weeks: int) -> tuple[Export, Export]:
    """The export before its last ``weeks`` whole weeks (local days), and those weeks."""
    held = _last_weeks(export, weeks)
    days = _local_days(export)
    if days <= 7 * weeks:
        raise HoldoutError(
            f"--holdout-weeks: expected fewer whole weeks than the export has ({days} days), "
            f"found {weeks}: nothing would be left to fit"
        )
    return subset(export, ~held), subset(export, held)


def in_sample_stretch(export: Export, weeks: int = IN_SAMPLE_WEEKS) -> Export:
    """The stretch an in-sample back-test runs on: the export's last ``weeks`` whole weeks, or
    all of it when it is shorter (a year of data need not be simulated to check a fit)."""
    if _local_days(export) <= 7 * weeks:
        return export
    return subset(export, _last_weeks(export, weeks))


def _local_days(export: Export) -> int:
    if export.period is None:
        raise HoldoutError("expected calls to hold out weeks of, found none")
    dates = _local_dates(export)
    return (dates.max() - dates.min()).days + 1


def _local_dates(export: Export) -> pd.Series:
    """Each call's local date of arrival."""
    return arrival_times(export.calls).dt.tz_convert(export.timezone).dt.date


def _last_weeks(export: Export, weeks: int) -> np.ndarray:
    """Which calls were made in the export's last ``weeks`` whole weeks of local days."""
    dates = _local_dates(export)
    cut = dates.max() - pd.Timedelta(days=7 * weeks - 1)
    return (dates >= cut).to_numpy()


def backtest_scenario(scenario: Scenario, stretch: Export, replications: int) -> Scenario:
    """``scenario`` set to run the stretch: its days, starting on its first local weekday."""
    first = _first_day(stretch)
    days = _days(stretch)
    settings = scenario.scenario.model_validate(
        {
            **scenario.scenario.model_dump(),
            "days": days,
            "start_weekday": WEEKDAYS[first.weekday()],
            "replications": replications,
        }
    )
    return scenario.model_copy(update={"scenario": settings})


def run_backtest(
    scenario: Scenario, stretch: Export, kind: str, rota: str, replications: int
) -> Backtest:
    """Simulate ``scenario`` over ``stretch``'s days ``replications`` times and compare."""
    scenario = backtest_scenario(scenario, stretch, replications)
    first = _first_day(stretch)
    start = pd.Timestamp(first).tz_localize(stretch.timezone).tz_convert("UTC")
    days = _days(stretch)
    observed = model_calls(stretch)
    shift = (stretch.period.first - start).total_seconds()
    for column in ("arrival_s", "force_s", "answered_s", "abandoned_s", "end_s", "wrap_end_s"):
        observed[column] = observed[column] + shift
    channels = [c for c in scenario.channels if (observed["channel"] == c).any()]
    hours = days * 24
    weeks = max(1, math.ceil(days / 7))
    whole_s = days * 86400.0
    # An export has no callbacks: its calls are read without the callback's KPIs.
    clocked = _clocks_for(scenario, stretch)
    plain = clocked.model_copy(update={"callback": None})
    obs_hourly = _periods(observed, plain, channels, HOUR_S, hours)
    obs_weekly = _periods(observed, plain, channels, WEEK_S, weeks)
    obs_whole = _periods(observed, plain, channels, whole_s, 1)
    sim_hourly, sim_weekly, sim_whole = [], [], []
    on_duty = np.full(INTERVALS_PER_WEEK, np.nan)
    for replication in range(replications):
        records = simulate(scenario, replication)
        if replication == 0:
            on_duty = _on_duty(records, scenario)
        calls = records.measured_calls.copy()
        calls["arrival_s"] = calls["arrival_s"] - records.warmup_s
        for column in ("force_s", "answered_s", "abandoned_s", "end_s"):
            calls[column] = calls[column] - records.warmup_s
        sim_hourly.append(_periods(calls, clocked, channels, HOUR_S, hours))
        sim_weekly.append(_periods(calls, clocked, channels, WEEK_S, weeks))
        sim_whole.append(_periods(calls, clocked, channels, whole_s, 1))
    hourly = _compare(obs_hourly, sim_hourly, start, HOUR_S, stretch.timezone)
    weekly = _compare(obs_weekly, sim_weekly, start, WEEK_S, stretch.timezone)
    whole = _compare(obs_whole, sim_whole, start, whole_s, stretch.timezone)
    return Backtest(
        kind=kind,
        first_day=first.isoformat(),
        days=days,
        replications=replications,
        hourly=hourly,
        weekly=weekly,
        whole=whole,
        rota=rota,
        callbacks=scenario.callback is not None and scenario.callback.enabled,
        on_duty=on_duty,
        holidays={
            day.isoformat(): name
            for day, name in bank_holidays(first, first + pd.Timedelta(days=days - 1)).items()
        },
    )


def _clocks_for(scenario: Scenario, stretch: Export) -> Scenario:
    """The scenario whose answer clocks the comparison's KPIs use: its own, or, when the
    export has no made times, every channel's clock from the call reaching the force. Such an
    export's answer times can only run from the offered time, so the simulated ones must too
    (from the call being made they would include a BT stage the export cannot show)."""
    if stretch.calls["made_at"].notna().any():
        return scenario
    channels = {
        name: channel.model_copy(update={"answer_clock": "force"})
        for name, channel in scenario.channels.items()
    }
    return scenario.model_copy(update={"channels": channels})


def _on_duty(records, scenario: Scenario) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Handlers on duty per quarter hour of the week, averaged over the stretch."""
    table = interval_table(records, scenario)
    table = table[table["channel"] == table["channel"].iloc[0]]
    day = table["weekday"].cat.codes.to_numpy().astype(np.int64)
    clock = table["time"].str.split(":", expand=True).astype(int).to_numpy()
    index = day * 96 + clock[:, 0] * 4 + clock[:, 1] // 15
    total = np.bincount(index, weights=table["handlers_on_duty"], minlength=INTERVALS_PER_WEEK)
    seen = np.bincount(index, minlength=INTERVALS_PER_WEEK)
    return np.divide(total, seen, out=np.full(INTERVALS_PER_WEEK, np.nan), where=seen > 0)


def _prediction_interval(values: np.ndarray, bounds: tuple[float, float]) -> tuple[float, float]:
    """Where one more replication would fall with 95% chance: the replications' mean ± t(n-1)
    sd √(1 + 1/n), cut to the KPI's bounds. An observed stretch is one such draw if the model
    is right, so it is judged against this, not against the interval of the mean."""
    n = len(values)
    if n < 2:
        return math.nan, math.nan
    mean, sd = float(values.mean()), float(values.std(ddof=1))
    half = float(stats.t.ppf(0.975, n - 1)) * sd * math.sqrt(1 + 1 / n)
    return max(mean - half, bounds[0]), min(mean + half, bounds[1])


def _first_day(stretch: Export):
    if stretch.period is None:
        raise ValueError("a back-test needs calls to compare with")
    return _local_dates(stretch).min()


def _days(stretch: Export) -> int:
    dates = _local_dates(stretch)
    return (dates.max() - _first_day(stretch)).days + 1


def _periods(
    calls: pd.DataFrame, scenario: Scenario, channels: list[str], width: float, count: int
) -> dict[tuple[str, int, str], float]:
    """Each channel's KPIs in each period of ``width`` seconds (by arrival)."""
    calls = calls.sort_values("arrival_s", kind="stable")
    edges = np.searchsorted(calls["arrival_s"].to_numpy(), np.arange(count + 1) * width)
    out: dict[tuple[str, int, str], float] = {}
    for period in range(count):
        rows = calls.iloc[edges[period] : edges[period + 1]]
        for channel in channels:
            kpis = channel_kpis(rows, scenario, channel)
            for kpi in KPIS:
                out[(channel, period, kpi)] = kpis[f"{kpi}_{channel}"]
    return out


def _compare(
    observed: dict[tuple[str, int, str], float],
    simulated: list[dict[tuple[str, int, str], float]],
    start: pd.Timestamp,
    width: float,
    zone: str,
) -> pd.DataFrame:
    rows = []
    for key, value in observed.items():
        channel, period, kpi = key
        values = np.array([s[key] for s in simulated], dtype=float)
        values = values[~np.isnan(values)]
        interval = confidence_interval(values, bounds=kpi_bounds(f"{kpi}_{channel}"))
        low, high = _prediction_interval(values, kpi_bounds(f"{kpi}_{channel}"))
        moment = (start + pd.Timedelta(seconds=period * width)).tz_convert(zone)
        inside = bool(low <= value <= high) if not math.isnan(value) and len(values) else None
        # How far one replication lies from the mean of the others: the error a perfect
        # model would show against one observed stretch (the noise floor of the comparison).
        others = (values.sum() - values) / (len(values) - 1) if len(values) > 1 else np.array([])
        floor = float(np.abs(values - others).mean()) if len(others) else math.nan
        rows.append(
            {
                "channel": channel,
                "period": period + 1,
                "start": moment.strftime("%Y-%m-%d %H:%M"),
                "kpi": kpi,
                "observed": value,
                "simulated": interval["mean"],
                "ci_low": interval["ci_low"],
                "ci_high": interval["ci_high"],
                "range_low": low,
                "range_high": high,
                "inside": inside,
                "noise_floor": floor,
            }
        )
    return pd.DataFrame(rows)
