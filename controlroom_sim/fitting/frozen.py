"""A scenario distribution as the matching :mod:`scipy.stats` distribution, for quantiles,
densities and survival curves in a fit's figures and checks."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from ..config.distributions import Distribution, Empirical, Exponential, Gamma, LogNormal
from .candidates import Candidate


def frozen(distribution: Distribution | None):
    """The frozen scipy distribution of ``distribution`` (exponential, lognormal, gamma), or
    None for the others."""
    if distribution is None:
        return None
    if isinstance(distribution, Exponential):
        return stats.expon(scale=distribution.mean)
    if isinstance(distribution, LogNormal):
        mu, sigma = distribution._normal_params()
        return stats.lognorm(s=sigma, scale=math.exp(mu))
    if isinstance(distribution, Gamma):
        shape = (distribution.mean / distribution.sd) ** 2
        return stats.gamma(shape, scale=distribution.sd**2 / distribution.mean)
    return None


def quantiles(distribution: Distribution, probabilities: np.ndarray) -> np.ndarray:
    """The distribution's quantiles (an empirical one's from its values)."""
    scipy_dist = frozen(distribution)
    if scipy_dist is not None:
        return scipy_dist.ppf(probabilities)
    if isinstance(distribution, Empirical):
        return np.quantile(np.asarray(distribution.values, dtype=float), probabilities)
    samples = distribution.sample(np.random.default_rng(0), 100_000)
    return np.quantile(samples, probabilities)


def candidate_distribution(candidate: Candidate) -> Distribution | None:
    """A fitted candidate (lognormal, gamma, exponential) as a scenario distribution; None for
    the empirical one, or a candidate without a mean."""
    if candidate.mean is None or not math.isfinite(candidate.mean):
        return None
    if candidate.name == "exponential":
        return Exponential(dist="exponential", mean=candidate.mean)
    if candidate.name in ("lognormal", "gamma") and candidate.sd:
        model = LogNormal if candidate.name == "lognormal" else Gamma
        return model(dist=candidate.name, mean=candidate.mean, sd=candidate.sd)
    return None
