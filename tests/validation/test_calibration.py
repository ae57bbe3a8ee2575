"""The built-in baseline stays calibrated to the public figures (issue brief, seed 001
L1164-1170; reference/public-figures.md):

* 999 calls: 69.7% of answered calls within 10 seconds and 6.9% at 60 seconds or more
  (England and Wales, November 2021 to October 2022), each within ±3 points;
* 101 calls: abandonment inside the public 20-36% range (FOI round-up of forces' figures).

A week of 10 replications gives each share a 95% interval about ±0.5 points wide; the test asks
for the whole interval inside the band, so a change to the model or the baseline that moves a
figure out of it fails here.
"""

from __future__ import annotations

import pytest

from controlroom_sim.experiments import api


@pytest.fixture(scope="module")
def summary():  # type: ignore[no-untyped-def]
    result = api.run(None, replications=10, keep_records=False)
    return result.summary.set_index("kpi")


@pytest.mark.parametrize(
    ("kpi", "low", "high"),
    [
        ("answered_within_10s_999", 0.697 - 0.03, 0.697 + 0.03),
        ("answered_60s_plus_999", 0.069 - 0.03, 0.069 + 0.03),
        ("abandon_rate_101", 0.20, 0.36),
    ],
)
def test_the_baseline_lands_on_the_public_figures(
    summary, kpi: str, low: float, high: float
) -> None:  # type: ignore[no-untyped-def]
    row = summary.loc[kpi]
    assert low <= row["ci_low"] and row["ci_high"] <= high, (
        f"{kpi}: {row['mean']:.3f} (95% CI {row['ci_low']:.3f} to {row['ci_high']:.3f}) "
        f"outside {low:.3f}-{high:.3f}"
    )
