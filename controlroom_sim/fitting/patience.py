"""Fitting callers' patience (how long a caller waits before hanging up) from an export's waits.

Patience is censored data. An abandoned caller's wait is their patience (observed); an answered
caller's wait is only a lower bound of theirs (right-censored: they would have waited at least
that long). Averaging the abandoned callers' waits is therefore wrong (it only sees the callers
impatient enough to hang up before being answered, and is far below the true mean), and this
module never does it.

The candidates (exponential, lognormal, gamma, location 0) are fitted by maximum likelihood to
:class:`scipy.stats.CensoredData` with scipy's own ``fit``; the AIC is from the censored
log-likelihood (log density of the observed, log survival of the censored), and the choice is
the lowest AIC. Each candidate's distance to the data is the largest gap between its survival
function and the Kaplan-Meier curve (``scipy.stats.ecdf`` of the censored data, with its 95%
pointwise interval) where enough callers are still at risk (:data:`KM_MIN_AT_RISK`); the curve
is also kept, thinned, for the report.

Very short abandons (a wait below :data:`SHORT_ABANDON_S`: a caller hanging up in the first
seconds, often a misdial or a pocket call rather than impatience) are counted and reported as a
share of the abandons; they can be left out of the fit on request.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.stats as st

from .candidates import Candidate, DistributionFit, count, number
from .families import FAMILIES, Fitted, Sample

SHORT_ABANDON_S = 5.0
"""ASSUMPTION: an abandon after less than this many seconds' wait is a "short abandon", a caller
hanging up at once (a misdial, a pocket call, a change of mind) rather than running out of
patience."""
RESOLUTION_S = 1.0
"""ASSUMPTION: an export's times are to the second, so an abandon after a wait of 0 is a
patience below 1 s: the parametric fits take it as left-censored at this value (a density at
exactly 0 would be 0 or infinite for a lognormal or a gamma)."""
KM_POINTS = 400
"""At most this many points of the Kaplan-Meier curve are kept for the report."""
KM_MIN_AT_RISK = 50
KM_MIN_AT_RISK_SHARE = 0.01
"""ASSUMPTION: a candidate's distance to the Kaplan-Meier curve is measured where at least
``max(KM_MIN_AT_RISK, KM_MIN_AT_RISK_SHARE * calls)`` callers are still at risk (waiting,
neither answered nor abandoned yet). Further out the curve rests on comparatively few callers
and swings by a point or more from one to the next (with 100,000 calls, the true distribution
is 0.012 from the curve where 59 are left), so a sup over it would judge every fit by noise.
When no observed time has that many at risk (a small export), all the observed patience times
are used."""
POOR_FIT_GAP = 0.05
"""ASSUMPTION: a chosen fit whose survival function is further than this from the Kaplan-Meier
curve somewhere gets a note (the choice stays: the base scenario's patience is no better)."""


@dataclass(frozen=True)
class SurvivalCurve:
    """The Kaplan-Meier survival curve of patience: at each time, the share of callers still
    willing to wait, with its 95% pointwise interval (None where scipy's interval is undefined,
    e.g. where the curve is 0 or 1). A step function: each value holds from its time until the
    next."""

    times: list[float]
    survival: list[float]
    ci_low: list[float | None]
    ci_high: list[float | None]

    def to_json(self) -> dict[str, Any]:
        return {
            "times": list(self.times),
            "survival": list(self.survival),
            "ci_low": list(self.ci_low),
            "ci_high": list(self.ci_high),
        }


@dataclass(frozen=True)
class PatienceFit:
    """The patience fit: ``fit`` (None when it cannot be done: the notes say why, and the base
    scenario's patience stays), the calls in it (``n``: ``abandoned`` observed, ``censored``
    answered), the short abandons (``short_abandons`` of all the abandons, whether they were
    ``excluded``), and the Kaplan-Meier curve ``km`` of the calls in the fit."""

    fit: DistributionFit | None
    n: int
    abandoned: int
    censored: int
    short_s: float
    short_abandons: int
    short_share: float | None
    excluded: bool
    km: SurvivalCurve | None
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "fit": None if self.fit is None else self.fit.to_json(),
            "n": int(self.n),
            "abandoned": int(self.abandoned),
            "censored": int(self.censored),
            "short_s": number(self.short_s),
            "short_abandons": int(self.short_abandons),
            "short_share": number(self.short_share),
            "excluded": bool(self.excluded),
            "km": None if self.km is None else self.km.to_json(),
            "notes": list(self.notes),
        }


def fit_patience(
    wait_s: np.ndarray,
    abandoned: np.ndarray,
    short_s: float = SHORT_ABANDON_S,
    exclude_short: bool = False,
) -> PatienceFit:
    """Fit patience from each call's wait (seconds, offered to answered or to abandoned) and
    whether it was ``abandoned`` (True: the wait is the patience; False: answered, the patience
    is at least the wait), as the module docstring says. Waits that are missing are left out
    and counted.

    Raises ValueError for arrays of different lengths or a negative wait."""
    notes: list[str] = []
    w, ab, n_short, short_share = _waits(wait_s, abandoned, short_s, exclude_short, notes)
    observed, right = w[ab], w[~ab]

    def result(fit: DistributionFit | None, km: SurvivalCurve | None) -> PatienceFit:
        return PatienceFit(
            fit,
            int(w.size),
            int(observed.size),
            int(right.size),
            float(short_s),
            n_short,
            short_share,
            exclude_short,
            km,
            notes,
        )

    if observed.size == 0:
        notes.append(
            "nobody abandoned (in the fit): every wait is only a lower bound of the caller's "
            "patience, so patience cannot be fitted; the base scenario's patience stays"
        )
        return result(None, None)

    data = st.CensoredData(uncensored=observed, right=right)
    km_times, km_survival, km = _kaplan_meier(data)
    zeros = int((observed == 0).sum())
    if zeros:
        notes.append(
            f"{count(zeros, 'abandon')} after a wait of 0 taken as a patience under "
            f"{RESOLUTION_S:g} s (left-censored) in the parametric fits"
        )
    sample = Sample(observed=observed[observed > 0], right=right, left=np.full(zeros, RESOLUTION_S))
    # The exponential's maximum-likelihood mean (time at risk per abandon): a good start.
    scale_guess = max(float(w.sum()) / observed.size, RESOLUTION_S)
    fitted: list[tuple[Fitted, float]] = []
    for family in FAMILIES:
        fit = family.fit(sample, scale_guess)
        if fit is None:
            notes.append(f"{family.name}: no usable maximum-likelihood fit (degenerate data)")
            continue
        fitted.append((fit, _km_gap(fit, km_times, km_survival, observed, w)))
    candidates = [
        Candidate(f.family.name, f.mean, f.sd, f.log_likelihood, f.aic, gap, "KM sup")
        for f, gap in fitted
    ]
    if not fitted:
        notes.append("no family could be fitted; the base scenario's patience stays")
        return result(None, km)
    best, gap = min(fitted, key=lambda pair: pair[0].aic)
    mean_ci, sd_ci = best.intervals(sample)
    if mean_ci is None:
        notes.append("no interval: the likelihood is flat or degenerate at its maximum")
    if gap > POOR_FIT_GAP:
        notes.append(
            f"the chosen {best.family.name} is up to {gap:.3f} from the Kaplan-Meier curve "
            f"(more than {POOR_FIT_GAP:g}): a rough fit"
        )
    method = (
        f"{best.family.name} by maximum likelihood over censored waits (AIC {best.aic:,.0f}; "
        f"KM sup {gap:.3f}): {observed.size:,} abandoned (patience observed), "
        f"{right.size:,} answered (patience at least the wait)"
    )
    fit = DistributionFit(
        "patience_s",
        int(w.size),
        best.family.name,
        best.distribution(),
        best.mean,
        best.sd,
        mean_ci,
        sd_ci,
        candidates,
        method,
        list(notes),
    )
    return result(fit, km)


def _waits(
    wait_s: np.ndarray,
    abandoned: np.ndarray,
    short_s: float,
    exclude_short: bool,
    notes: list[str],
) -> tuple[np.ndarray, np.ndarray, int, float | None]:
    """The waits and outcomes to fit (missing waits left out and counted; short abandons
    counted, and left out with ``exclude_short``), the number of short abandons and their
    share of the abandons. Raises ValueError for arrays of different lengths or a negative
    wait."""
    w = np.asarray(wait_s, dtype=float).ravel()
    ab = np.asarray(abandoned, dtype=bool).ravel()
    if w.shape != ab.shape:
        raise ValueError(f"expected as many waits as outcomes, found {w.size} and {ab.size}")
    finite = np.isfinite(w)
    if not finite.all():
        notes.append(f"{count(int((~finite).sum()), 'wait')} missing or not finite, left out")
        w, ab = w[finite], ab[finite]
    if (w < 0).any():
        raise ValueError(f"waits must be >= 0, found {float(w.min()):g}")
    short = ab & (w < short_s)
    n_short = int(short.sum())
    n_abandoned = int(ab.sum())
    short_share = n_short / n_abandoned if n_abandoned else None
    if n_short:
        notes.append(
            f"{count(n_short, 'short abandon')} (wait under {short_s:g} s; "
            f"{short_share:.1%} of the abandons)"
        )
    if exclude_short:
        if n_short:
            notes.append(f"short abandons left out of the fit (under {short_s:g} s)")
        w, ab = w[~short], ab[~short]
    return w, ab, n_short, short_share


def _kaplan_meier(data: st.CensoredData) -> tuple[np.ndarray, np.ndarray, SurvivalCurve]:
    """The Kaplan-Meier curve (scipy's ``ecdf``): its full times and survival (for the
    distances) and the curve thinned to at most :data:`KM_POINTS` points with its interval."""
    sf = st.ecdf(data).sf
    times, survival = np.asarray(sf.quantiles, float), np.asarray(sf.probabilities, float)
    with warnings.catch_warnings():
        # Where the curve is 0 or 1 the interval's formula is undefined: scipy says so, and
        # gives NaN there (None in the curve).
        warnings.filterwarnings(
            "ignore", message="The confidence interval is undefined", category=RuntimeWarning
        )
        ci = sf.confidence_interval(0.95)
    low, high = np.asarray(ci.low.probabilities, float), np.asarray(ci.high.probabilities, float)
    keep = np.unique(np.linspace(0, times.size - 1, min(times.size, KM_POINTS)).round().astype(int))
    curve = SurvivalCurve(
        times=[float(t) for t in times[keep]],
        survival=[float(s) for s in survival[keep]],
        ci_low=[number(v) for v in low[keep]],
        ci_high=[number(v) for v in high[keep]],
    )
    return times, survival, curve


def _km_gap(
    fit: Fitted, times: np.ndarray, survival: np.ndarray, observed: np.ndarray, waits: np.ndarray
) -> float:
    """The largest absolute gap between the fitted survival function and the Kaplan-Meier
    step curve, on both sides of each step, over the ``observed`` patience times (the curve's
    steps; its other times are censored waits, where it stays flat) at which at least
    enough of the ``waits`` are still at risk (:data:`KM_MIN_AT_RISK_SHARE`; all the observed
    times when none has that many: a small export)."""
    model = fit.sf(times)
    before = np.concatenate([[1.0], survival[:-1]])  # the curve just before each time
    gaps = np.maximum(np.abs(model - survival), np.abs(model - before))
    steps = np.isin(times, observed)
    at_risk = waits.size - np.searchsorted(np.sort(waits), times, side="left")
    enough = steps & (at_risk >= max(KM_MIN_AT_RISK, KM_MIN_AT_RISK_SHARE * waits.size))
    gaps = gaps[enough] if enough.any() else gaps[steps]
    return float(gaps.max()) if gaps.size else math.nan
