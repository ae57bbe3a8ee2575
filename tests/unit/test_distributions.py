"""The distribution vocabulary: sample moments agree with the analytic mean and variance."""

from __future__ import annotations

import re

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from controlroom_sim.config.distributions import Distribution

ADAPTER = TypeAdapter(Distribution)
CASES = [
    {"dist": "exponential", "mean": 180},
    {"dist": "lognormal", "mean": 330, "sd": 160},
    {"dist": "gamma", "mean": 5, "sd": 3},
    {"dist": "fixed", "value": 60},
    {"dist": "uniform", "low": 10, "high": 30},
    {"dist": "triangular", "low": 5, "mode": 7, "high": 10},
    {"dist": "empirical", "values": [10, 20, 20, 90]},
]


@pytest.mark.parametrize("spec", CASES, ids=lambda s: s["dist"])
def test_sample_moments_match_analytic(spec: dict[str, object]) -> None:
    """Mean within 5 standard errors and variance within 5% over 400,000 draws."""
    dist = ADAPTER.validate_python(spec)
    n = 400_000
    sample = dist.sample(np.random.default_rng(11), n)
    assert sample.shape == (n,)
    assert np.all(sample >= 0)
    se = np.sqrt(dist.variance / n)
    assert abs(sample.mean() - dist.mean) <= 5 * se + 1e-12
    if dist.variance > 0:
        assert sample.var() == pytest.approx(dist.variance, rel=0.05)
    else:
        assert np.all(sample == dist.mean)


def test_lognormal_is_given_by_its_own_mean_and_sd() -> None:
    """mean = 330, sd = 160 are the lognormal's moments, not the underlying normal's."""
    dist = ADAPTER.validate_python({"dist": "lognormal", "mean": 330, "sd": 160})
    assert (dist.mean, dist.variance) == (330, 160**2)


@pytest.mark.parametrize(
    "spec",
    [
        {"dist": "lognormal", "mean": 3},
        {"dist": "exponential", "mean": -1},
        {"dist": "uniform", "low": 3, "high": 1},
        {"dist": "triangular", "low": 1, "mode": 5, "high": 3},
        {"dist": "empirical", "values": []},
        {"dist": "normal", "mean": 3, "sd": 1},
        {"dist": "fixed", "value": 1, "sd": 2},
    ],
)
def test_bad_parameters_are_rejected(spec: dict[str, object]) -> None:
    """Missing, negative, disordered or unknown parameters fail validation."""
    with pytest.raises(ValidationError):
        ADAPTER.validate_python(spec)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            {"dist": "gamma", "mean": 300, "sd": 1e200},
            "expected parameters that give finite times >= 0, found gamma(mean=300, sd=1e+200)",
        ),
        (
            {"dist": "lognormal", "mean": 300, "sd": 1e300},
            "expected parameters that give finite times >= 0, found lognormal(mean=300, sd=1e+300)",
        ),
        (
            {"dist": "exponential", "mean": 2e12},
            "expected a mean of at most 1e+12 s (about 31,700 years), found "
            "exponential(mean=2e+12)",
        ),
        (
            {"dist": "empirical", "values": [1e300, 1.7e308]},
            "expected a mean of at most 1e+12 s (about 31,700 years)",
        ),
    ],
    ids=["gamma", "lognormal", "exponential", "empirical"],
)
def test_distributions_that_cannot_be_drawn_from_are_refused_wherever_they_are_made(
    spec: dict[str, object], message: str
) -> None:
    """Parameters allowed one by one that overflow together are refused by the distribution
    itself, so a scenario built in Python is checked as a file is."""
    with pytest.raises(ValidationError, match=re.escape(message)):
        ADAPTER.validate_python(spec)
    from controlroom_sim.config.loading import load_scenario

    base = load_scenario(None).model_dump()
    base["channels"]["999"]["talk_s"] = spec
    with pytest.raises(ValidationError, match=re.escape(message)):
        type(load_scenario(None)).model_validate(base)


def test_the_largest_allowed_mean_draws_finite_times() -> None:
    dist = ADAPTER.validate_python({"dist": "exponential", "mean": 1e12})
    assert np.all(np.isfinite(dist.sample(np.random.default_rng(1), 1000)))
