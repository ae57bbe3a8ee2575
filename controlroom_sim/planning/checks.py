"""Step 2 of the staffing requirement: checks of a simulated requirement against the targets.

Each target is estimated in each measured interval of the week from the calls offered in it,
pooled over replications, with a 95% confidence interval (the ratio estimator's, widened to the
exact binomial interval where few calls make it too narrow); and over the whole run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import special

from ..analysis.kpi_kinds import kpi_bounds
from ..config.schema import Scenario
from .demand import measured_positions, week_position
from .targets import KPI_FAMILIES, StaffTarget


def ratio_estimate(y: np.ndarray, x: np.ndarray, confidence: float = 0.95) -> tuple[float, ...]:
    """Pooled ratio ``Σy / Σx`` over replications with a t interval (delta method).

    ``y`` and ``x`` hold one total per replication. Returns ``(estimate, low, high)``; NaN when
    there is nothing in the denominator, and no interval with fewer than 2 replications.
    """
    n = len(x)
    total = float(np.sum(x))
    if total <= 0:
        return (math.nan, math.nan, math.nan)
    ratio = float(np.sum(y)) / total
    if n < 2:
        return (ratio, math.nan, math.nan)
    mean_x = total / n
    resid = np.asarray(y, dtype=float) - ratio * np.asarray(x, dtype=float)
    se = math.sqrt(float(np.sum(resid**2)) / (n * (n - 1))) / mean_x
    half = float(special.stdtrit(n - 1, 0.5 + confidence / 2.0)) * se
    return (ratio, ratio - half, ratio + half)


def binomial_interval(
    successes: float, trials: float, confidence: float = 0.95
) -> tuple[float, float]:
    """Exact (Clopper-Pearson, 1934) interval of a binomial share."""
    if trials <= 0:
        return (math.nan, math.nan)
    alpha = 1.0 - confidence
    k, n = successes, trials
    from scipy import stats  # imported here: slow to import, only the planner needs it

    low = 0.0 if k <= 0 else float(stats.beta.ppf(alpha / 2, k, n - k + 1))
    high = 1.0 if k >= n else float(stats.beta.ppf(1 - alpha / 2, k + 1, n - k))
    return (low, high)


def interval_checks(
    intervals: pd.DataFrame, scenario: Scenario, targets: Sequence[StaffTarget]
) -> pd.DataFrame:
    """Each target in each measured interval of the week, from a run's interval table.

    Columns: ``position, kpi, estimate, ci_low, ci_high, calls, met, significant_miss,
    shortfall`` (how far the estimate falls short, 0 when met). Calls of the same interval of
    the week in different weeks are pooled.
    """
    table = intervals.copy()
    table["position"] = week_position(table["start_s"].to_numpy(), scenario)
    table["answer_s_sum"] = table["mean_answer_s"].fillna(0.0) * table["answered"]
    replications = np.sort(table["replication"].unique())
    rows = []
    measured = np.flatnonzero(measured_positions(scenario))
    for target in targets:
        numerator, denominator = KPI_FAMILIES[target.family][:2]
        own = table[table["channel"] == target.channel]
        sums = own.groupby(["position", "replication"])[[numerator, denominator]].sum()
        full = pd.MultiIndex.from_product(
            [measured, replications], names=["position", "replication"]
        )
        sums = sums.reindex(full, fill_value=0)
        y = sums[numerator].to_numpy(dtype=float).reshape(len(measured), len(replications))
        x = sums[denominator].to_numpy(dtype=float).reshape(len(measured), len(replications))
        share = target.family != "mean_answer_s"
        bounds = kpi_bounds(target.kpi)
        for i, position in enumerate(measured):
            estimate, low, high = ratio_estimate(y[i], x[i])
            if share and not math.isnan(estimate):
                # Few calls can make every replication agree (a zero-width interval): the
                # exact binomial interval of the pooled calls keeps the verdict honest there.
                w_low, w_high = binomial_interval(float(y[i].sum()), float(x[i].sum()))
                low = w_low if math.isnan(low) else min(low, w_low)
                high = w_high if math.isnan(high) else max(high, w_high)
            if not math.isnan(low):  # cut at the KPI's bounds, as the summaries are
                low, high = max(low, bounds[0]), min(high, bounds[1])
            met = target.met(estimate)
            if target.at_most:
                significant = not math.isnan(low) and low > target.value
                shortfall = max(0.0, estimate - target.value) if not met else 0.0
            else:
                significant = not math.isnan(high) and high < target.value
                shortfall = max(0.0, target.value - estimate) if not met else 0.0
            rows.append(
                {
                    "position": int(position),
                    "kpi": target.kpi,
                    "estimate": estimate,
                    "ci_low": low,
                    "ci_high": high,
                    "calls": float(x[i].sum()),
                    "met": met,
                    "significant_miss": significant,
                    "shortfall": shortfall,
                }
            )
    return pd.DataFrame(rows)


def overall_checks(summary: pd.DataFrame, targets: Sequence[StaffTarget]) -> pd.DataFrame:
    """Each target over the whole measured horizon: mean and CI over replications.

    ``met`` compares the mean with the target; ``assured`` asks for the whole confidence
    interval to meet it, which is what the search requires, so that a new set of callers
    meets the target too.
    """
    rows = []
    for target in targets:
        row = summary[summary["kpi"] == target.kpi]
        mean = float(row["mean"].iloc[0]) if len(row) else math.nan
        low = float(row["ci_low"].iloc[0]) if len(row) else math.nan
        high = float(row["ci_high"].iloc[0]) if len(row) else math.nan
        rows.append(
            {
                "kpi": target.kpi,
                "target": target.value,
                "mean": mean,
                "ci_low": low,
                "ci_high": high,
                "met": target.met(mean),
                "assured": target.met(high if target.at_most else low),
            }
        )
    return pd.DataFrame(rows)
