"""Summaries over replications: the long KPI table, and Student t confidence intervals kept to
each KPI's bounds."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
from scipy import special  # stdtrit is Student's t quantile; scipy.stats is slow to import

from .kpi_kinds import kpi_bounds

FEW_REPLICATIONS = 5
"""Below this many replications a 95% interval rests on a standard deviation estimated from
two to four values (t quantiles of 12.7 to 2.8): too rough to trust, so the command line and
the report say so."""


def few_replications_warning(n: int) -> str | None:
    """One line saying the intervals are unreliable with ``n`` replications, or ``None`` when
    there are enough (:data:`FEW_REPLICATIONS` or more)."""
    if n >= FEW_REPLICATIONS:
        return None
    return (
        f"only {n} replication{'s' if n != 1 else ''}: the 95% confidence intervals are "
        f"unreliable with fewer than {FEW_REPLICATIONS}"
    )


def summarise(
    kpis: pd.DataFrame, confidence: float = 0.95, by: Iterable[str] = ("scenario", "kpi")
) -> pd.DataFrame:
    """Mean, sd and a t confidence interval of each KPI over replications, kept to the KPI's
    bounds (see :func:`confidence_interval` and :mod:`.kpi_kinds`).

    ``kpis`` is long: one row per replication and KPI, with a ``value`` column. NaN values
    (a KPI undefined in a replication, e.g. no answered calls) are left out and ``n`` says how
    many replications count.
    """
    keys = list(by)
    rows = []
    for key, group in kpis.groupby(keys, sort=False, observed=True):
        values = group["value"].to_numpy(dtype=float)
        values = values[~np.isnan(values)]
        named = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
        bounds = kpi_bounds(str(named["kpi"])) if "kpi" in named else UNBOUNDED
        rows.append({**named, **confidence_interval(values, confidence, bounds)})
    return pd.DataFrame(rows)


UNBOUNDED = (-math.inf, math.inf)


def confidence_interval(
    values: np.ndarray, confidence: float = 0.95, bounds: tuple[float, float] = UNBOUNDED
) -> dict[str, float]:
    """``mean``, ``sd``, ``ci_low``, ``ci_high`` and ``n`` of a sample: the Student t interval
    ``mean ± t(n-1) sd / √n``, cut to ``bounds`` (the values a KPI can take: 0 to 1 for a
    share, 0 or more for a count or time).

    Cutting keeps the coverage of the t interval exactly: the true mean lies within the bounds,
    so the cut interval holds it whenever the whole one does. (An interval computed on the
    logit or log scale and transformed back would also keep to the bounds, but it is centred
    on the transformed mean, not the mean: its coverage of the mean falls as replications are
    added, to a few percent with 50 of a skewed KPI; see docs/validation.md.)"""
    n = len(values)
    if n == 0:
        return {"mean": math.nan, "sd": math.nan, "ci_low": math.nan, "ci_high": math.nan, "n": 0}
    mean = float(values.mean())
    if n == 1:
        return {"mean": mean, "sd": math.nan, "ci_low": math.nan, "ci_high": math.nan, "n": 1}
    sd = float(values.std(ddof=1))
    half = float(special.stdtrit(n - 1, 0.5 + confidence / 2)) * sd / math.sqrt(n)
    low, high = bounds
    return {
        "mean": mean,
        "sd": sd,
        "ci_low": min(max(mean - half, low), mean),
        "ci_high": max(min(mean + half, high), mean),
        "n": n,
    }


def kpi_frame(
    per_replication: Mapping[int, Mapping[str, float]], scenario_name: str
) -> pd.DataFrame:
    """Long table ``scenario, replication, kpi, value`` from KPIs per replication."""
    rows = [
        {"scenario": scenario_name, "replication": rep, "kpi": name, "value": value}
        for rep, values in per_replication.items()
        for name, value in values.items()
    ]
    return pd.DataFrame(rows, columns=["scenario", "replication", "kpi", "value"])
