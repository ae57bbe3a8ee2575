"""Fitting a duration (a talk time, a wrap-up time, a redial delay) from an export's values.

The candidates are the scenario vocabulary's lognormal, gamma and exponential, each fitted by
maximum likelihood with location 0 (:mod:`.families`), and ``empirical``. The choice is the
parametric candidate with the lowest AIC, unless even that one is far from the data: its
Kolmogorov-Smirnov distance exceeds :func:`ks_limit`, and then ``empirical`` (no family fits,
e.g. a bimodal talk time, so the data speak for themselves).

An empirical choice writes :data:`EMPIRICAL_POINTS` mid-quantiles of the data, not every value:
a scenario must stay readable, and 200 quantiles reproduce the distribution to within half a
percentile.

Zeros: a lognormal or a gamma has no mass at 0, so the parametric fits use the positive values
only; the zeros stay in the KS distance (so a large share of zeros shows as a poor fit) and in
the empirical candidate, and a note counts them.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.stats as st

from ..config.distributions import Empirical
from .candidates import Candidate, DistributionFit, Interval, count
from .families import FAMILIES, Z95, Fitted, Sample

KS_MAX = 0.05
"""ASSUMPTION: the largest KS distance at which a parametric family is taken as fitting the
data (a gap of 5 percentage points between the fitted and the observed distribution functions).
Not a test: with 100,000 values any family is rejected by a test, yet a 1-point gap is
harmless to a simulation."""
KS_CRITICAL = 1.358
"""The Kolmogorov-Smirnov 5% critical value times sqrt(n) (large n): below it a gap is
within what sampling noise alone gives, so a small sample does not force ``empirical``."""
EMPIRICAL_POINTS = 200
"""The mid-quantiles an empirical choice writes into a scenario."""
FEW_VALUES = 20
"""Below this many positive values a note says the choice between families means little."""


def ks_limit(n: int) -> float:
    """The KS distance above which the best parametric family is refused for ``n`` values:
    :data:`KS_MAX`, or the 5% critical value when sampling noise alone can exceed it."""
    return max(KS_MAX, KS_CRITICAL / math.sqrt(max(n, 1)))


def fit_duration(values: np.ndarray, quantity: str, what: str = "values") -> DistributionFit:
    """Fit the durations ``values`` (seconds, >= 0; NaN values are left out and counted) and
    choose a distribution for ``quantity`` (e.g. ``talk_s``), as the module docstring says.
    ``what`` names the values in the one-line method, e.g. ``answered 999 calls``.

    Raises ValueError for a negative duration (a clean export has none)."""
    notes: list[str] = []
    x = _usable(values, quantity, notes)
    if x.size == 0:
        notes.append("no values: nothing fitted")
        return DistributionFit(quantity, 0, None, None, None, None, None, None, [], "", notes)
    positive = x[x > 0]
    zeros = x.size - positive.size

    sample = Sample(observed=positive)
    fitted: list[tuple[Fitted, float]] = []
    if positive.size:
        for family in FAMILIES:
            fit = family.fit(sample, scale_guess=float(positive.mean()))
            if fit is None:
                notes.append(f"{family.name}: no usable maximum-likelihood fit (degenerate data)")
                continue
            fitted.append((fit, float(st.kstest(x, fit.cdf).statistic)))
    candidates = [
        Candidate(f.family.name, f.mean, f.sd, f.log_likelihood, f.aic, ks, "KS")
        for f, ks in fitted
    ]
    points = _mid_quantiles(x)
    empirical = Empirical(dist="empirical", values=[float(v) for v in points])
    data_mean, data_sd = float(x.mean()), float(x.std(ddof=1)) if x.size > 1 else 0.0
    empirical_ks = float(st.ks_2samp(x, points).statistic)
    candidates.append(Candidate("empirical", data_mean, data_sd, None, None, empirical_ks, "KS"))

    limit = ks_limit(positive.size)
    best = min(fitted, key=lambda pair: pair[0].aic, default=None)
    if best is not None and best[1] <= limit:
        fit, ks = best
        mean_ci, sd_ci = fit.intervals(sample)
        if mean_ci is None:
            notes.append("no interval: the likelihood is flat or degenerate at its maximum")
        if zeros:
            notes.append(
                f"the fitted mean {fit.mean:,.1f} is of the positive values; with the zeros "
                f"the data's mean is {data_mean:,.1f}"
            )
        method = (
            f"{fit.family.name} by maximum likelihood with location 0 (AIC {fit.aic:,.0f}; "
            f"KS {ks:.3f}) over {positive.size:,} {what}"
        )
        return DistributionFit(
            quantity,
            int(positive.size),
            fit.family.name,
            fit.distribution(),
            fit.mean,
            fit.sd,
            mean_ci,
            sd_ci,
            candidates,
            method,
            notes,
        )

    if best is None:
        why = "no parametric family could be fitted"
    else:
        why = f"best by AIC, {best[0].family.name}, has KS {best[1]:.3f} > {limit:.3f}"
    return _empirical_fit(x, points, empirical, quantity, what, why, candidates, notes)


def _usable(values: np.ndarray, quantity: str, notes: list[str]) -> np.ndarray:
    """The values that can be fitted, with notes on those left out: NaN ones left out and
    counted, zeros counted (they stay, out of the parametric fits only), too few values said.
    Raises ValueError for a negative duration."""
    x = np.asarray(values, dtype=float).ravel()
    finite = np.isfinite(x)
    if not finite.all():
        notes.append(f"{count(int((~finite).sum()), 'value')} missing or not finite, left out")
        x = x[finite]
    if (x < 0).any():
        raise ValueError(f"{quantity}: durations must be >= 0, found {float(x.min()):g}")
    positive = int((x > 0).sum())
    zeros = x.size - positive
    if zeros:
        notes.append(
            f"{count(zeros, 'zero value')} ({zeros / x.size:.1%}) left out of the parametric "
            "fits (lognormal and gamma have no mass at 0), kept in the KS distance and the "
            "empirical candidate"
        )
    if 0 < positive < FEW_VALUES:
        notes.append(
            f"only {count(positive, 'positive value')}: the choice between families means little"
        )
    return x


def _empirical_fit(
    x: np.ndarray,
    points: np.ndarray,
    empirical: Empirical,
    quantity: str,
    what: str,
    why: str,
    candidates: list[Candidate],
    notes: list[str],
) -> DistributionFit:
    """The empirical choice: the mid-quantiles ``points`` of ``x``, and why no family was."""
    data_mean = float(x.mean())
    data_sd = float(x.std(ddof=1)) if x.size > 1 else 0.0
    if abs(empirical.mean - data_mean) > 0.01 * data_mean:
        notes.append(
            f"the {len(points)} mid-quantiles have mean {empirical.mean:,.1f} against the "
            f"data's {data_mean:,.1f} (the extreme tail is cut)"
        )
    mean_ci, sd_ci = _normal_intervals(x)
    if mean_ci is not None:
        notes.append("interval from the normal approximation of the sample mean and sd")
    method = (
        f"empirical: {len(points)} mid-quantiles of {x.size:,} {what} ({why})"
        if len(points) < x.size
        else f"empirical: the {x.size:,} {what} themselves ({why})"
    )
    return DistributionFit(
        quantity,
        int(x.size),
        "empirical",
        empirical,
        data_mean,
        data_sd,
        mean_ci,
        sd_ci,
        candidates,
        method,
        notes,
    )


def _mid_quantiles(x: np.ndarray) -> np.ndarray:
    """:data:`EMPIRICAL_POINTS` mid-quantiles of ``x`` (the values themselves, sorted, when
    there are no more than that)."""
    if x.size <= EMPIRICAL_POINTS:
        return np.sort(x)
    return np.quantile(x, (np.arange(EMPIRICAL_POINTS) + 0.5) / EMPIRICAL_POINTS)


def _normal_intervals(x: np.ndarray) -> tuple[Interval | None, Interval | None]:
    """95% intervals for the mean and sd of ``x`` from their large-sample normal
    approximations: se(mean) = s / sqrt(n); se(s) = sqrt((m4 - s^4) / n) / (2 s), m4 the
    fourth central moment. None where they cannot be computed (fewer than 2 values, no
    spread)."""
    n = x.size
    if n < 2:
        return None, None
    mean, sd = float(x.mean()), float(x.std(ddof=1))
    if sd == 0:
        return None, None
    half = Z95 * sd / math.sqrt(n)
    mean_ci = (max(mean - half, 0.0), mean + half)
    m4 = float(np.mean((x - mean) ** 4))
    se_sd = math.sqrt(max(m4 - sd**4, 0.0) / n) / (2 * sd)
    sd_ci = (max(sd - Z95 * se_sd, 0.0), sd + Z95 * se_sd)
    return mean_ci, sd_ci
