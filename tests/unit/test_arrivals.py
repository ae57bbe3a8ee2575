"""The arrival process: an exact non-homogeneous Poisson process, surges never skipped."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from controlroom_sim.config.schema import Scenario
from controlroom_sim.model.arrivals import arrival_blocks, expected_count, rate_pieces
from controlroom_sim.model.rng import RandomStreams


def _scenario(**channel: object) -> Scenario:
    data = {
        "scenario": {"name": "t", "days": 1, "warmup_hours": 0, "cooldown_hours": 0},
        "channels": {"999": {"talk_s": {"dist": "fixed", "value": 1}, **channel}},
        "handlers": [{"name": "h", "skills": ["999"], "count": 1}],
    }
    return Scenario.model_validate(data)


def _times(scenario: Scenario, replication: int) -> np.ndarray:
    rng = RandomStreams(7, replication).generator("arrivals.999")
    blocks = list(arrival_blocks(scenario, "999", rng))
    return np.concatenate(blocks) if blocks else np.empty(0)


def test_piecewise_profile_counts_match_ciw_d2() -> None:
    """Ciw's D2 rates (2/h, 4/h, 4/3 per h, 2/3 per h over 12/2/6/4 hours) as a Poisson
    process: 24 + 8 + 8 + 8/3 calls expected (Ciw's deterministic gaps give 42)."""
    hourly = [2.0] * 12 + [4.0] * 2 + [4 / 3] * 6 + [2 / 3] * 4
    weights = np.repeat(hourly, 4)  # quarter hours of one day
    total = 24 + 8 + 8 + 8 / 3
    scenario = _scenario(calls_per_day=total)
    channel = scenario.channels["999"].model_copy(
        update={"profile_weights": tuple(np.tile(weights, 7))}
    )
    scenario = scenario.model_copy(update={"channels": {"999": channel}})
    assert expected_count(scenario, "999", 0.0, 86400.0) == pytest.approx(total)
    assert expected_count(scenario, "999", 12 * 3600.0, 14 * 3600.0) == pytest.approx(8.0)
    counts = np.array([len(_times(scenario, r)) for r in range(400)])
    assert expected_count(scenario, "999", 20 * 3600.0, 24 * 3600.0) == pytest.approx(8 / 3)
    # Poisson: the mean of 400 replications lies within 4 standard errors of the total...
    assert abs(counts.mean() - total) < 4 * np.sqrt(total / 400)
    assert abs(counts.var(ddof=1) / total - 1) < 0.25  # ... and the variance equals the mean


def test_counts_per_interval_follow_the_profile() -> None:
    """Pooled over replications, counts per 2-hour block fit the profile (chi-square)."""
    rng = np.random.default_rng(3)
    weights = rng.uniform(0.2, 2.0, 96)
    scenario = _scenario(calls_per_day=500.0)
    channel = scenario.channels["999"].model_copy(
        update={"profile_weights": tuple(np.tile(weights, 7))}
    )
    scenario = scenario.model_copy(update={"channels": {"999": channel}})
    times = np.concatenate([_times(scenario, r) for r in range(60)])
    observed = np.bincount((times // 7200).astype(int), minlength=12)[:12]
    expected = (
        np.array([expected_count(scenario, "999", b * 7200.0, (b + 1) * 7200.0) for b in range(12)])
        * 60
    )
    assert observed.sum() == pytest.approx(expected.sum(), rel=0.02)
    statistic, p_value = stats.chisquare(observed, expected * observed.sum() / expected.sum())
    assert p_value > 0.001, f"counts do not follow the profile (chi2={statistic:.1f})"


def test_sharp_surge_is_not_skipped() -> None:
    """A 3-minute 100-fold surge (Ciw's D5 pitfall) gets its expected burst of calls."""
    scenario = _scenario(calls_per_day=96.0)  # 1 call per 15 minutes
    scenario = Scenario.model_validate(
        {
            **scenario.model_dump(exclude={"channels"}),
            "channels": {"999": {"calls_per_day": 96.0, "talk_s": {"dist": "fixed", "value": 1}}},
            "surges": [
                {
                    "channels": ["999"],
                    "day": 1,
                    "start": "10:00",
                    "hours": 0.05,
                    "multiplier": 100.0,
                }
            ],
        }
    )
    lo, hi = 10 * 3600.0, 10 * 3600.0 + 180.0
    assert expected_count(scenario, "999", lo, hi) == pytest.approx(20.0)
    edges, _ = rate_pieces(scenario, "999", 0.0, 86400.0)
    assert lo in edges and hi in edges
    in_window = [
        np.count_nonzero((t >= lo) & (t < hi)) for t in (_times(scenario, r) for r in range(200))
    ]
    assert abs(np.mean(in_window) - 20.0) < 4 * np.sqrt(20.0 / 200)


def test_zero_rate_means_no_calls_and_times_are_sorted() -> None:
    """A zero-weight stretch has no calls; times come sorted inside the run."""
    weights = np.ones(96)
    weights[:40] = 0.0  # nothing before 10:00
    scenario = _scenario(calls_per_day=200.0)
    channel = scenario.channels["999"].model_copy(
        update={"profile_weights": tuple(np.tile(weights, 7))}
    )
    scenario = scenario.model_copy(update={"channels": {"999": channel}})
    times = _times(scenario, 0)
    assert times.min() >= 10 * 3600.0
    assert np.all(np.diff(times) >= 0)
    assert times.max() < scenario.end_s
