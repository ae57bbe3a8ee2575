"""Fitting a talk or wrap-up time (issue 19): the right family and the true mean from enough
data drawn from a known distribution, empirical when no family fits, intervals that cover the
truth, and honest results for degenerate data (none, one value, all equal, zeros)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from controlroom_sim.config.distributions import Empirical, Gamma, LogNormal
from controlroom_sim.fitting.durations import EMPIRICAL_POINTS, fit_duration, ks_limit


def _lognormal(rng: np.random.Generator, mean: float, sd: float, n: int) -> np.ndarray:
    sigma2 = math.log1p((sd / mean) ** 2)
    return rng.lognormal(math.log(mean) - sigma2 / 2, math.sqrt(sigma2), n)


def _gamma(rng: np.random.Generator, mean: float, sd: float, n: int) -> np.ndarray:
    return rng.gamma((mean / sd) ** 2, sd**2 / mean, n)


def _inside(value: float, bounds: tuple[float, float] | None) -> bool:
    return bounds is not None and bounds[0] <= value <= bounds[1]


def _json(fit) -> dict:  # type: ignore[no-untyped-def]
    out = fit.to_json()
    json.dumps(out, allow_nan=False)  # plain types, no NaN or inf
    return out


def test_lognormal_talk_times_give_a_lognormal_with_the_true_mean_and_sd() -> None:
    covered = 0
    for seed in range(5):
        x = _lognormal(np.random.default_rng(seed), 200, 120, 20_000)
        fit = fit_duration(x, "talk_s", "answered 999 calls")
        assert fit.chosen == "lognormal"
        assert isinstance(fit.distribution, LogNormal)
        assert fit.distribution.mean == pytest.approx(200, rel=0.03)
        assert fit.distribution.sd == pytest.approx(120, rel=0.05)
        assert fit.n == 20_000
        assert "lognormal by maximum likelihood" in fit.method
        assert "20,000 answered 999 calls" in fit.method
        covered += _inside(200, fit.mean_ci) and _inside(120, fit.sd_ci)
        assert fit.mean_ci is not None and fit.mean_ci[0] < fit.mean < fit.mean_ci[1]
    assert covered >= 4


def test_gamma_times_give_a_gamma() -> None:
    for seed in range(3):
        x = _gamma(np.random.default_rng(seed), 300, 150, 20_000)
        fit = fit_duration(x, "wrap_s")
        assert fit.chosen == "gamma"
        assert isinstance(fit.distribution, Gamma)
        assert fit.mean == pytest.approx(300, rel=0.03)
        assert fit.sd == pytest.approx(150, rel=0.05)


def test_exponential_times_give_the_true_mean_and_sd() -> None:
    # The exponential is a gamma of shape 1: either may win on AIC, both with sd = mean.
    x = np.random.default_rng(7).exponential(60, 20_000)
    fit = fit_duration(x, "wrap_s")
    assert fit.chosen in {"exponential", "gamma"}
    assert fit.mean == pytest.approx(60, rel=0.03)
    assert fit.sd == pytest.approx(60, rel=0.05)


def test_a_bimodal_sample_is_written_as_200_mid_quantiles() -> None:
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.normal(60, 10, 10_000).clip(1), rng.normal(400, 40, 10_000)])
    fit = fit_duration(x, "talk_s")
    assert fit.chosen == "empirical"
    assert isinstance(fit.distribution, Empirical)
    assert len(fit.distribution.values) == EMPIRICAL_POINTS
    assert fit.distribution.mean == pytest.approx(x.mean(), rel=0.01)
    assert "200 mid-quantiles" in fit.method
    best = min((c for c in fit.candidates if c.aic is not None), key=lambda c: c.aic)
    assert best.distance is not None and best.distance > ks_limit(x.size)
    assert fit.mean_ci is not None and _inside(float(x.mean()), fit.mean_ci)


def test_the_mean_interval_covers_the_truth_in_most_small_samples() -> None:
    rng = np.random.default_rng(11)
    fits = [fit_duration(_lognormal(rng, 200, 120, 300), "talk_s") for _ in range(50)]
    coverage = sum(_inside(200, f.mean_ci) for f in fits) / len(fits)
    assert coverage >= 0.8  # nominal 95%; 80% of 50 is far below what chance gives


def test_every_candidate_is_reported_with_its_aic_and_ks() -> None:
    fit = fit_duration(_lognormal(np.random.default_rng(2), 200, 120, 2_000), "talk_s")
    out = _json(fit)
    assert [c["name"] for c in out["candidates"]] == [
        "lognormal",
        "gamma",
        "exponential",
        "empirical",
    ]
    for c in out["candidates"][:3]:
        assert c["distance_name"] == "KS" and c["aic"] is not None and 0 <= c["distance"] <= 1
    assert out["distribution"] == {"dist": "lognormal", "mean": fit.mean, "sd": fit.sd}
    assert set(out) == {
        "quantity",
        "n",
        "chosen",
        "distribution",
        "mean",
        "sd",
        "mean_ci",
        "sd_ci",
        "candidates",
        "method",
        "notes",
    }


def test_zeros_are_counted_and_left_out_of_the_parametric_fits() -> None:
    rng = np.random.default_rng(3)
    x = np.concatenate([np.zeros(100), _lognormal(rng, 200, 120, 9_900)])
    fit = fit_duration(x, "wrap_s")
    assert fit.chosen == "lognormal"
    assert fit.n == 9_900
    assert fit.mean == pytest.approx(200, rel=0.05)
    assert any("100 zero values (1.0%)" in note for note in fit.notes)
    assert fit.candidate("empirical").mean == pytest.approx(x.mean())  # type: ignore[union-attr]


def test_missing_values_are_counted_and_negative_ones_refused() -> None:
    x = _lognormal(np.random.default_rng(4), 200, 120, 500)
    fit = fit_duration(np.concatenate([x, [np.nan, np.nan]]), "talk_s")
    assert fit.n == 500
    assert any("2 values missing" in note for note in fit.notes)
    with pytest.raises(ValueError, match="must be >= 0"):
        fit_duration(np.array([3.0, -1.0]), "talk_s")


@pytest.mark.parametrize(
    "values",
    [[], [5.0], [5.0, 7.0], [30.0] * 50, [0.0] * 10, [0.0, 12.0]],
    ids=["none", "one", "two", "all-equal", "all-zero", "zero-and-one"],
)
def test_degenerate_samples_give_an_honest_result_without_an_exception(
    values: list[float],
) -> None:
    fit = fit_duration(np.array(values), "talk_s")
    out = _json(fit)
    if not values:
        assert fit.distribution is None and fit.chosen is None
        assert fit.notes == ["no values: nothing fitted"]
        return
    assert fit.distribution is not None
    assert fit.mean is not None and fit.mean >= 0
    if len(set(values)) == 1:
        # One distinct value: no two-parameter family, and no spread to fit.
        assert out["chosen"] in {"empirical", "exponential"}
        assert any("no usable maximum-likelihood fit" in n or "zero" in n for n in fit.notes)
    if 0 < len([v for v in values if v > 0]) < 20:
        assert any("means little" in note for note in fit.notes)


def test_all_equal_values_are_empirical() -> None:
    fit = fit_duration(np.full(50, 30.0), "talk_s")
    assert fit.chosen == "empirical"
    assert fit.distribution == Empirical(dist="empirical", values=[30.0] * 50)
    assert fit.sd == 0


def test_a_fit_of_100_000_values_is_fast() -> None:
    import time

    x = _gamma(np.random.default_rng(5), 300, 150, 100_000)
    start = time.perf_counter()
    fit_duration(x, "talk_s")
    assert time.perf_counter() - start < 3.0  # about 0.2 s measured


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    hs.lists(
        hs.one_of(hs.just(0.0), hs.floats(0.01, 1e5, allow_nan=False)), min_size=1, max_size=80
    )
)
def test_the_choice_is_the_lowest_aic_unless_it_is_too_far(values: list[float]) -> None:
    fit = fit_duration(np.array(values), "talk_s")
    _json(fit)
    limit = ks_limit(sum(v > 0 for v in values))
    parametric = [c for c in fit.candidates if c.aic is not None]
    best = min(parametric, key=lambda c: c.aic, default=None)  # type: ignore[arg-type,return-value]
    assert fit.distribution is not None
    if fit.chosen == "empirical":
        assert best is None or best.distance > limit  # type: ignore[operator]
        assert min(values) <= fit.distribution.mean <= max(values)
    else:
        assert best is not None and fit.chosen == best.name
        assert all(best.aic <= c.aic for c in parametric)  # type: ignore[operator]
        assert best.distance <= limit  # type: ignore[operator]
