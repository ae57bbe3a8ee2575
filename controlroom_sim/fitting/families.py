"""The parametric families a duration or a patience is fitted with: exponential, lognormal and
gamma, each with its location fixed at 0 and fitted by maximum likelihood with scipy's own
``fit`` (to plain values, or to :class:`scipy.stats.CensoredData` when some values are only
bounds), its log-likelihood, its mean and standard deviation, and a 95% confidence interval
for both.

The interval comes from the observed information: the log-likelihood's Hessian at the
maximum, by central differences on the log-parameters (where the likelihood is close to
quadratic and the parameters cannot go negative), carried to log-mean and log-sd by the delta
method and back, so an interval never reaches below 0. It is a model-based interval: it says
how well the family's parameters are pinned down by the data, not whether the family is right
(the choice between families and the distance to the data say that).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.stats as st

from ..config.distributions import Exponential, Gamma, LogNormal

Z95 = float(st.norm.ppf(0.975))
"""The normal quantile of a two-sided 95% interval."""
_STEP = 1e-3
"""The central-difference step on the log-parameters for the Hessian and the delta method."""


@dataclass(frozen=True)
class Sample:
    """The values a family is fitted to: ``observed`` exactly, ``right`` known only to be at
    least the value (right-censored, e.g. the patience of a caller who was answered), ``left``
    known only to be at most the value (left-censored, e.g. a patience below the export's
    one-second resolution)."""

    observed: np.ndarray
    right: np.ndarray = field(default_factory=lambda: np.empty(0))
    left: np.ndarray = field(default_factory=lambda: np.empty(0))

    @property
    def censored(self) -> bool:
        return bool(self.right.size or self.left.size)

    @property
    def size(self) -> int:
        return int(self.observed.size + self.right.size + self.left.size)

    def for_scipy(self) -> np.ndarray | st.CensoredData:
        if not self.censored:
            return self.observed
        return st.CensoredData(uncensored=self.observed, right=self.right, left=self.left)


@dataclass(frozen=True)
class Family:
    """One parametric family: its name in the scenario vocabulary, the scipy distribution, how
    its unconstrained parameters ``theta`` (logs of scipy's positive ones) map to scipy's
    shape and scale, and its mean and sd in terms of scipy's parameters."""

    name: str
    dist: st.rv_continuous
    to_scipy: Callable[[np.ndarray], tuple[tuple[float, ...], float]]
    from_scipy: Callable[[tuple[float, ...], float], np.ndarray]
    moments: Callable[[tuple[float, ...], float], tuple[float, float]]

    @property
    def k(self) -> int:
        """The number of free parameters (for the AIC)."""
        return 1 if self.name == "exponential" else 2

    def log_likelihood(self, theta: np.ndarray, sample: Sample) -> float:
        """The log-likelihood at ``theta``: log density of the observed values, log survival
        of the right-censored, log distribution function of the left-censored."""
        shapes, scale = self.to_scipy(theta)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore", under="ignore"):
            total = float(np.sum(self.dist.logpdf(sample.observed, *shapes, loc=0, scale=scale)))
            if sample.right.size:
                total += float(np.sum(self.dist.logsf(sample.right, *shapes, loc=0, scale=scale)))
            if sample.left.size:
                total += float(np.sum(self.dist.logcdf(sample.left, *shapes, loc=0, scale=scale)))
        return total if math.isfinite(total) else -math.inf

    def fit(self, sample: Sample, scale_guess: float) -> Fitted | None:
        """The maximum-likelihood fit with location 0 (scipy's ``fit`` with ``floc=0``),
        started from ``scale_guess`` and shape 1 for censored data; None when it fails, gives
        parameters that are not finite and positive, a spike (a lognormal or gamma fitted to
        values that are all equal), or a distribution a scenario cannot hold (e.g. a lognormal
        so skewed its mean is beyond :data:`~controlroom_sim.config.distributions.MAX_MEAN_S`)."""
        if self.k == 2 and np.unique(np.concatenate([sample.observed, sample.left])).size < 2:
            return None  # one distinct exact value cannot pin down two parameters
        kwds: dict[str, float] = {"floc": 0.0}
        args: tuple[float, ...] = ()
        if sample.censored:
            # The generic optimiser: a good start roughly halves the time of a censored fit.
            kwds["scale"] = scale_guess
            args = () if self.name == "exponential" else (1.0,)
        try:
            with (
                np.errstate(divide="ignore", over="ignore", invalid="ignore", under="ignore"),
                warnings.catch_warnings(),
            ):
                # The optimiser tries parameters where the likelihood under- or overflows.
                warnings.simplefilter("ignore", RuntimeWarning)
                params = self.dist.fit(sample.for_scipy(), *args, **kwds)
        except (ValueError, FloatingPointError, ArithmeticError, st.FitError):
            return None
        *shapes, _loc, scale = (float(p) for p in params)
        if not all(math.isfinite(p) and p > 0 for p in (*shapes, scale)):
            return None
        theta = self.from_scipy(tuple(shapes), scale)
        ll = self.log_likelihood(theta, sample)
        try:
            mean, sd = self.moments(tuple(shapes), scale)
        except OverflowError:  # a lognormal so skewed its sd is beyond the float range
            return None
        if not (math.isfinite(ll) and math.isfinite(mean) and math.isfinite(sd)):
            return None
        if not sd > 1e-9 * mean:  # a spike, i.e. the values are (nearly) all equal
            return None
        fitted = Fitted(self, theta, tuple(shapes), scale, ll, mean, sd)
        try:
            fitted.distribution()
        except ValueError:  # one the scenario vocabulary refuses (a mean beyond its limit)
            return None
        return fitted


@dataclass(frozen=True)
class Fitted:
    """A family fitted to a sample: its parameters, log-likelihood, mean and sd."""

    family: Family
    theta: np.ndarray
    shapes: tuple[float, ...]
    scale: float
    log_likelihood: float
    mean: float
    sd: float

    @property
    def aic(self) -> float:
        return 2 * self.family.k - 2 * self.log_likelihood

    def cdf(self, x: np.ndarray) -> np.ndarray:
        return self.family.dist.cdf(x, *self.shapes, loc=0, scale=self.scale)

    def sf(self, x: np.ndarray) -> np.ndarray:
        return self.family.dist.sf(x, *self.shapes, loc=0, scale=self.scale)

    def distribution(self) -> Exponential | LogNormal | Gamma:
        """The scenario distribution with this mean and sd."""
        if self.family.name == "exponential":
            return Exponential(dist="exponential", mean=self.mean)
        if self.family.name == "lognormal":
            return LogNormal(dist="lognormal", mean=self.mean, sd=self.sd)
        return Gamma(dist="gamma", mean=self.mean, sd=self.sd)

    def intervals(
        self, sample: Sample
    ) -> tuple[tuple[float, float] | None, tuple[float, float] | None]:
        """95% intervals for the mean and the sd from the observed information (the module
        docstring); (None, None) when the Hessian is not negative definite there (a flat or
        degenerate likelihood)."""
        family, theta = self.family, np.asarray(self.theta, dtype=float)
        hessian = _hessian(lambda t: family.log_likelihood(t, sample), theta)
        if hessian is None:
            return None, None
        try:
            covariance = np.linalg.inv(-hessian)
        except np.linalg.LinAlgError:
            return None, None
        if not (np.all(np.isfinite(covariance)) and np.all(np.linalg.eigvalsh(covariance) > 0)):
            return None, None

        def log_moments(t: np.ndarray) -> np.ndarray:
            return np.log(np.asarray(family.moments(*family.to_scipy(t))))

        jacobian = np.empty((2, theta.size))
        try:
            for j in range(theta.size):
                step = np.zeros_like(theta)
                step[j] = _STEP
                jacobian[:, j] = (log_moments(theta + step) - log_moments(theta - step)) / (
                    2 * _STEP
                )
        except OverflowError:
            return None, None
        variances = np.diag(jacobian @ covariance @ jacobian.T)
        out: list[tuple[float, float] | None] = []
        for value, variance in zip((self.mean, self.sd), variances, strict=True):
            if not (math.isfinite(variance) and variance >= 0):
                out.append(None)
                continue
            half = Z95 * math.sqrt(variance)
            out.append((value * math.exp(-half), value * math.exp(half)))
        return out[0], out[1]


def _hessian(f: Callable[[np.ndarray], float], theta: np.ndarray) -> np.ndarray | None:
    """The Hessian of ``f`` at ``theta`` by central differences; None if not finite."""
    k = theta.size
    h = _STEP
    f0 = f(theta)
    hessian = np.empty((k, k))
    unit = np.eye(k) * h
    for i in range(k):
        hessian[i, i] = (f(theta + unit[i]) - 2 * f0 + f(theta - unit[i])) / h**2
        for j in range(i + 1, k):
            hessian[i, j] = hessian[j, i] = (
                f(theta + unit[i] + unit[j])
                - f(theta + unit[i] - unit[j])
                - f(theta - unit[i] + unit[j])
                + f(theta - unit[i] - unit[j])
            ) / (4 * h**2)
    return hessian if np.all(np.isfinite(hessian)) else None


def _lognormal_moments(shapes: tuple[float, ...], scale: float) -> tuple[float, float]:
    (s,) = shapes
    mean = scale * math.exp(s * s / 2)
    return mean, mean * math.sqrt(math.expm1(s * s))


EXPONENTIAL = Family(
    name="exponential",
    dist=st.expon,
    to_scipy=lambda t: ((), math.exp(t[0])),
    from_scipy=lambda shapes, scale: np.array([math.log(scale)]),
    moments=lambda shapes, scale: (scale, scale),
)
LOGNORMAL = Family(
    name="lognormal",
    dist=st.lognorm,
    to_scipy=lambda t: ((math.exp(t[0]),), math.exp(t[1])),
    from_scipy=lambda shapes, scale: np.array([math.log(shapes[0]), math.log(scale)]),
    moments=_lognormal_moments,
)
GAMMA = Family(
    name="gamma",
    dist=st.gamma,
    to_scipy=lambda t: ((math.exp(t[0]),), math.exp(t[1])),
    from_scipy=lambda shapes, scale: np.array([math.log(shapes[0]), math.log(scale)]),
    moments=lambda shapes, scale: (shapes[0] * scale, math.sqrt(shapes[0]) * scale),
)
FAMILIES: tuple[Family, ...] = (LOGNORMAL, GAMMA, EXPONENTIAL)
"""The parametric candidates, in the order they are listed (ties in AIC go to the first)."""
