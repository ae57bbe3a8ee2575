"""Fitting patience from censored waits (issue 19): callers with a known patience wait for an
answer; those whose patience runs out first abandon (their wait is their patience), the others
are answered (their wait is a lower bound). The fit must find the true patience, where the
abandoners' average wait is far off, and say honestly when it cannot fit."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import scipy.stats as st
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from controlroom_sim.config.distributions import LogNormal
from controlroom_sim.fitting.patience import KM_POINTS, PatienceFit, fit_patience


def _lognormal_params(mean: float, sd: float) -> tuple[float, float]:
    sigma2 = math.log1p((sd / mean) ** 2)
    return math.log(mean) - sigma2 / 2, math.sqrt(sigma2)


def _calls(
    patience: np.ndarray, rng: np.random.Generator, wait_mean: float
) -> tuple[np.ndarray, np.ndarray]:
    """Each caller would be answered after an exponential time; they abandon if their
    patience runs out first. Times to the second, as an export has them."""
    answer_after = rng.exponential(wait_mean, patience.size)
    abandoned = patience < answer_after
    return np.floor(np.minimum(patience, answer_after)), abandoned


def _exponential_calls(seed: int, n: int = 20_000) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return _calls(rng.exponential(180, n), rng, wait_mean=77)


def _lognormal_calls(seed: int, n: int = 20_000) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    mu, sigma = _lognormal_params(360, 300)
    return _calls(rng.lognormal(mu, sigma, n), rng, wait_mean=200)


def _inside(value: float, bounds: tuple[float, float] | None) -> bool:
    return bounds is not None and bounds[0] <= value <= bounds[1]


def _json(result: PatienceFit) -> dict:
    out = result.to_json()
    json.dumps(out, allow_nan=False)
    return out


def test_exponential_patience_is_found_where_the_abandoners_average_is_far_off() -> None:
    for seed in range(3):
        wait, abandoned = _exponential_calls(seed)
        assert 0.2 <= abandoned.mean() <= 0.4
        result = fit_patience(wait, abandoned)
        fit = result.fit
        assert fit is not None
        # The exponential is a gamma of shape 1: either may win on AIC, both with sd = mean.
        assert fit.chosen in {"exponential", "gamma"}
        assert fit.mean == pytest.approx(180, rel=0.1)
        assert fit.sd == pytest.approx(180, rel=0.1)
        assert result.abandoned == int(abandoned.sum())
        assert result.censored == int((~abandoned).sum())
        assert result.n == wait.size
        # Censoring matters: the abandoners' own waits average well under half the truth.
        naive = float(wait[abandoned].mean())
        assert naive < 0.5 * 180
        assert not _inside(naive, fit.mean_ci)


def test_lognormal_patience_gives_a_lognormal_with_the_true_mean() -> None:
    covered = 0
    for seed in range(4):
        wait, abandoned = _lognormal_calls(seed)
        assert 0.2 <= abandoned.mean() <= 0.4
        result = fit_patience(wait, abandoned)
        fit = result.fit
        assert fit is not None and fit.chosen == "lognormal"
        assert isinstance(fit.distribution, LogNormal)
        assert fit.mean == pytest.approx(360, rel=0.1)
        assert fit.sd == pytest.approx(300, rel=0.2)
        assert "over censored waits" in fit.method
        covered += _inside(360, fit.mean_ci)
        assert float(wait[abandoned].mean()) < 0.7 * 360
        assert all(c.distance_name == "KM sup" for c in fit.candidates)
        best = min(fit.candidates, key=lambda c: c.aic)  # type: ignore[arg-type,return-value]
        assert best.name == fit.chosen
        assert best.distance is not None and best.distance < 0.03
    assert covered >= 3


def test_the_mean_interval_covers_the_truth_in_most_small_samples() -> None:
    fits = [fit_patience(*_lognormal_calls(100 + seed, n=1_000)).fit for seed in range(20)]
    covered = sum(f is not None and _inside(360, f.mean_ci) for f in fits)
    assert covered >= 15  # nominal 95% (about 94% measured over 100 samples)


def test_the_kaplan_meier_curve_holds_the_true_survival_within_its_interval() -> None:
    wait, abandoned = _lognormal_calls(10, n=10_000)
    km = fit_patience(wait, abandoned).km
    assert km is not None and len(km.times) <= KM_POINTS
    mu, sigma = _lognormal_params(360, 300)
    times = np.asarray(km.times)
    inside = 0
    checks = (30.0, 120.0, 300.0, 600.0)
    for t in checks:
        i = int(np.searchsorted(times, t, side="right")) - 1  # the step holding at t
        # The export's times are floored to the second: the step at times[i] holds the
        # callers whose patience ran out before times[i] + 1.
        truth = float(st.lognorm.sf(times[i] + 1, sigma, scale=math.exp(mu)))
        low, high = km.ci_low[i], km.ci_high[i]
        assert low is not None and high is not None
        inside += low <= truth <= high
    assert inside >= len(checks) - 1  # pointwise 95% intervals


def test_short_abandons_are_counted_and_left_out_when_asked() -> None:
    wait, abandoned = _lognormal_calls(3, n=10_000)
    rng = np.random.default_rng(3)
    misdials = np.floor(rng.uniform(0, 5, 1_500))  # hang up within 5 s, whatever the wait
    wait = np.concatenate([wait, misdials])
    abandoned = np.concatenate([abandoned, np.ones(misdials.size, dtype=bool)])
    short = int((abandoned & (wait < 5)).sum())
    assert short >= misdials.size

    kept = fit_patience(wait, abandoned)
    assert kept.short_abandons == short and not kept.excluded
    assert kept.short_share == pytest.approx(short / abandoned.sum())
    assert any("short abandon" in note for note in kept.notes)

    left_out = fit_patience(wait, abandoned, exclude_short=True)
    assert left_out.excluded and left_out.short_abandons == short
    assert left_out.n == wait.size - short
    assert left_out.abandoned == int(abandoned.sum()) - short
    assert any("left out of the fit" in note for note in left_out.notes)
    assert left_out.fit is not None and kept.fit is not None
    # Kept, the misdials are a spike at 0 no family fits (the gamma bends to it and misses
    # the mean); left out, the true patience is found again.
    assert left_out.fit.mean == pytest.approx(360, rel=0.1)
    assert abs(kept.fit.mean - 360) > abs(left_out.fit.mean - 360)
    assert any("rough fit" in note for note in kept.notes)

    longer = fit_patience(wait, abandoned, short_s=10.0)
    assert longer.short_abandons == int((abandoned & (wait < 10)).sum())


def test_nobody_abandoning_gives_no_fit_and_says_why() -> None:
    result = fit_patience(np.array([10.0, 20.0, 0.0]), np.array([False, False, False]))
    assert result.fit is None and result.km is None
    assert result.censored == 3 and result.abandoned == 0
    assert result.short_share is None
    assert any("nobody abandoned" in note for note in result.notes)
    assert _json(result)["fit"] is None


def test_only_short_abandons_left_out_leaves_nothing_to_fit() -> None:
    result = fit_patience(np.array([2.0, 30.0]), np.array([True, False]), exclude_short=True)
    assert result.fit is None
    assert result.short_abandons == 1 and result.short_share == 1.0


@pytest.mark.parametrize(
    ("wait", "abandoned"),
    [
        ([5.0], [True]),
        ([5.0, 9.0], [True, False]),
        ([60.0] * 10, [True] * 10),
        ([0.0, 0.0, 0.0], [True, True, False]),
        ([0.0, 3.0], [True, False]),
        ([0.0, 40.0, 70.0], [False, True, True]),
    ],
    ids=["one", "two", "all-equal", "all-zero", "zero-abandon", "zero-answered"],
)
def test_tiny_or_degenerate_samples_give_an_honest_result(
    wait: list[float], abandoned: list[bool]
) -> None:
    result = fit_patience(np.array(wait), np.array(abandoned))
    out = _json(result)
    assert result.fit is not None and result.fit.distribution is not None
    assert result.fit.mean is not None and result.fit.mean >= 0
    assert out["fit"]["chosen"] == result.fit.chosen
    if len(set(w for w, a in zip(wait, abandoned, strict=True) if a and w > 0)) < 2:
        assert any("no usable maximum-likelihood fit" in n for n in result.notes)
    if 0.0 in [w for w, a in zip(wait, abandoned, strict=True) if a]:
        assert any("wait of 0" in note for note in result.notes)


def test_the_distance_is_measured_at_the_patience_times_even_when_few_remain() -> None:
    # 55 callers answered at once and 5 abandons: no abandon time has many callers at risk,
    # and the curve's only flat stretch (at 0) must not make every fit look perfect.
    wait = np.concatenate([np.zeros(55), [100.0, 110.0, 120.0, 130.0, 140.0]])
    abandoned = np.concatenate([np.zeros(55, dtype=bool), np.ones(5, dtype=bool)])
    fit = fit_patience(wait, abandoned).fit
    assert fit is not None
    assert all(c.distance is not None and c.distance > 0.1 for c in fit.candidates)
    exponential = fit.candidate("exponential")
    assert exponential is not None and exponential.distance > 0.5  # type: ignore[operator]


def test_bad_inputs_are_refused_and_missing_waits_counted() -> None:
    with pytest.raises(ValueError, match="as many waits"):
        fit_patience(np.array([1.0, 2.0]), np.array([True]))
    with pytest.raises(ValueError, match=">= 0"):
        fit_patience(np.array([1.0, -2.0]), np.array([True, False]))
    result = fit_patience(np.array([30.0, np.nan, 50.0]), np.array([True, True, False]))
    assert result.n == 2
    assert any("1 wait missing" in note for note in result.notes)


def test_to_json_has_plain_values_and_every_key() -> None:
    wait, abandoned = _exponential_calls(5, n=2_000)
    out = _json(fit_patience(wait, abandoned))
    assert set(out) == {
        "fit",
        "n",
        "abandoned",
        "censored",
        "short_s",
        "short_abandons",
        "short_share",
        "excluded",
        "km",
        "notes",
    }
    assert set(out["km"]) == {"times", "survival", "ci_low", "ci_high"}
    assert out["fit"]["quantity"] == "patience_s"
    assert len(out["km"]["times"]) <= KM_POINTS


def test_a_fit_of_100_000_calls_takes_a_few_seconds() -> None:
    import time

    wait, abandoned = _lognormal_calls(6, n=100_000)
    start = time.perf_counter()
    fit_patience(wait, abandoned)
    assert time.perf_counter() - start < 10.0  # about 2 s measured, the censored gamma most


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    hs.lists(hs.tuples(hs.integers(0, 3_600).map(float), hs.booleans()), min_size=1, max_size=60)
)
def test_the_curve_is_a_survival_curve_and_the_choice_the_lowest_aic(
    calls: list[tuple[float, bool]],
) -> None:
    wait = np.array([w for w, _ in calls])
    abandoned = np.array([a for _, a in calls])
    result = fit_patience(wait, abandoned)
    _json(result)
    if not abandoned.any():
        assert result.fit is None
        return
    km = result.km
    assert km is not None
    survival = np.asarray(km.survival)
    assert np.all((survival >= 0) & (survival <= 1))
    assert np.all(np.diff(survival) <= 1e-12)
    assert np.all(np.diff(km.times) > 0)
    for low, s, high in zip(km.ci_low, km.survival, km.ci_high, strict=True):
        if low is not None and high is not None:
            assert low - 1e-9 <= s <= high + 1e-9
    fit = result.fit
    assert fit is not None
    if fit.chosen is not None:
        assert all(fit.candidate(fit.chosen).aic <= c.aic for c in fit.candidates)  # type: ignore[union-attr,operator]
