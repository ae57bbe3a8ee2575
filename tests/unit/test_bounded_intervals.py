"""Confidence intervals keep to each KPI's bounds (issue 18): shares within 0 to 100%, counts
and times at 0 or more, with the coverage of the t interval against known truth."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from controlroom_sim.analysis.confidence import confidence_interval, summarise
from controlroom_sim.analysis.kpi_kinds import kpi_bounds, kpi_kind
from controlroom_sim.reporting.display import HEADLINE, SWEEP_DEFAULT, format_value

SETS = 10_000
"""Independent sets of replications per case: the coverage of a 95% interval is then known to
within a binomial standard error of sqrt(0.95 * 0.05 / 10,000) = 0.22 percentage points."""

CASES = {
    # A share near 100%: 200 calls a replication, each answered in time with chance 0.98.
    "share near 1": (
        lambda rng, size: rng.binomial(200, 0.98, size) / 200,
        0.98,
        "answered_within_10s_999",
    ),
    # A share near 0: 100 calls a replication, each abandoned with chance 0.03.
    "share near 0": (
        lambda rng, size: rng.binomial(100, 0.03, size) / 100,
        0.03,
        "abandon_rate_101",
    ),
    # A count near 0: diversions a replication, Poisson with mean 2.
    "count near 0": (lambda rng, size: rng.poisson(2.0, size).astype(float), 2.0, "diversions"),
}


@pytest.mark.parametrize("n", [3, 10])
@pytest.mark.parametrize("case", list(CASES))
def test_intervals_cover_the_true_mean_and_keep_to_the_bounds(case: str, n: int) -> None:
    """Over 10,000 sets of n replications drawn from a known distribution, the 95% interval
    holds the true mean in 95% of sets (within 4 standard errors), exactly as often as the
    uncut t interval, and never leaves the KPI's bounds though it is cut in many sets."""
    draw, truth, kpi = CASES[case]
    low_bound, high_bound = kpi_bounds(kpi)
    rng = np.random.default_rng(2026 + n)
    samples = draw(rng, (SETS, n))
    covered = plain_covered = cut = 0
    for values in samples:
        ci = confidence_interval(values, 0.95, (low_bound, high_bound))
        plain = confidence_interval(values, 0.95)
        assert low_bound <= ci["ci_low"] <= ci["mean"] <= ci["ci_high"] <= high_bound
        assert ci["mean"] == plain["mean"] == values.mean()  # the point estimate is unchanged
        covered += ci["ci_low"] <= truth <= ci["ci_high"]
        plain_covered += plain["ci_low"] <= truth <= plain["ci_high"]
        cut += (ci["ci_low"], ci["ci_high"]) != (plain["ci_low"], plain["ci_high"])
    tolerance = 4 * math.sqrt(0.95 * 0.05 / SETS)
    assert abs(covered / SETS - 0.95) <= tolerance, covered / SETS
    assert covered == plain_covered  # cutting at a bound never loses the truth
    if n == 3:
        assert cut / SETS > 0.3  # the bound is reached often: the cut is exercised


def test_the_t_quantile_the_interval_uses_is_student_t() -> None:
    """Inside the bounds the interval is the Student t one, mean ± t(0.975, n-1) sd/√n."""
    values = np.array([0.4, 0.5, 0.55, 0.6])
    ci = confidence_interval(values, 0.95, (0.0, 1.0))
    half = stats.t.ppf(0.975, 3) * values.std(ddof=1) / 2
    assert ci["ci_low"] == pytest.approx(values.mean() - half)
    assert ci["ci_high"] == pytest.approx(values.mean() + half)
    # Near the top: cut at 100% above, the lower end as before.
    near = np.array([0.99, 1.0, 0.97])
    ci = confidence_interval(near, 0.95, (0.0, 1.0))
    half = stats.t.ppf(0.975, 2) * near.std(ddof=1) / math.sqrt(3)
    assert ci["ci_high"] == 1.0 and ci["ci_low"] == pytest.approx(near.mean() - half)


finite = st.floats(allow_nan=False, allow_infinity=False)
shares = st.lists(
    st.one_of(st.sampled_from([0.0, 1.0, 5e-324, 1 - 2**-53]), st.floats(0.0, 1.0)),
    max_size=40,
)
amounts = st.lists(
    st.one_of(st.just(0.0), st.floats(0.0, 1e12), st.floats(0.0, 1e-300)), max_size=40
)


@settings(max_examples=400, deadline=None)
@given(
    values=shares,
    counts=amounts,
    confidence=st.sampled_from([0.8, 0.9, 0.95, 0.99, 0.999]),
)
def test_summary_intervals_keep_to_the_bounds_for_any_data(
    values: list[float], counts: list[float], confidence: float
) -> None:
    """Whatever the replications' values, a share's interval lies within 0 and 1, an
    amount's at or above 0, each holds its mean, and the mean is the plain mean."""
    rows = [("answered_within_10s_999", v) for v in values]
    rows += [("mean_answer_s_101", v) for v in counts]
    frame = pd.DataFrame(
        {
            "scenario": "s",
            "replication": range(len(rows)),
            "kpi": [k for k, _ in rows],
            "value": [v for _, v in rows],
        }
    )
    summary = summarise(frame, confidence)
    for row in summary.itertuples():
        own = [v for k, v in rows if k == row.kpi]
        low, high = kpi_bounds(row.kpi)
        assert row.mean == np.mean(own)
        assert row.n == len(own)
        if len(own) >= 2:
            assert low <= row.ci_low <= row.mean <= row.ci_high <= high, row
        else:
            assert math.isnan(row.ci_low) and math.isnan(row.ci_high)


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.floats(-1e12, 1e12), min_size=2, max_size=30))
def test_without_bounds_the_interval_is_the_plain_t_interval(values: list[float]) -> None:
    """A KPI of no kind (and a paired difference, which may be negative) is not cut."""
    array = np.array(values)
    ci = confidence_interval(array, 0.95)
    half = stats.t.ppf(0.975, len(values) - 1) * array.std(ddof=1) / math.sqrt(len(values))
    assert ci["ci_low"] == pytest.approx(array.mean() - half, rel=1e-9, abs=1e-6)
    assert ci["ci_high"] == pytest.approx(array.mean() + half, rel=1e-9, abs=1e-6)
    assert kpi_kind("difference_of_something") is None


def test_the_printed_kpis_have_a_kind_and_shares_print_as_percentages() -> None:
    """Every KPI the tables print by default has a kind, from the one vocabulary the
    intervals use; shares print as percentages, amounts not."""
    for kpi in (*HEADLINE, *SWEEP_DEFAULT):
        assert kpi_kind(kpi) is not None, kpi
    assert format_value("suppressed_share", 0.125) == "12.5%"
    assert format_value("dispatcher_utilisation", 0.5) == "50.0%"
    assert format_value("answered_999", 120.0) == "120"
    assert kpi_bounds("answered_within_10s_999_Beds") == (0.0, 1.0)
    assert kpi_bounds("mean_answer_s_101") == (0.0, math.inf)


def test_the_sweep_plus_minus_is_the_t_half_width_when_an_interval_is_cut() -> None:
    """A share's interval cut at 100% on one side: the sweep table's ± is the half-width of
    the side not cut (the t half-width), not half the cut interval's width."""
    from controlroom_sim.reporting.display import sweep_overview

    values = np.array([0.97, 0.99, 1.0])
    ci = confidence_interval(values, 0.95, kpi_bounds("answered_within_10s_999"))
    assert ci["ci_high"] == 1.0
    half = stats.t.ppf(0.975, 2) * values.std(ddof=1) / math.sqrt(3)
    table = pd.DataFrame(
        [{"scenario": "a", "x": 1, "kpi": "answered_within_10s_999", **ci}],
    )
    text = sweep_overview(table, ["x"], ["answered_within_10s_999"])
    assert f"{100 * ci['mean']:.1f}% ±{100 * half:.1f}" in text
