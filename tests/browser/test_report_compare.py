"""A comparison's report leads with the paired differences: a forest plot per variant, the cost
beside it, and where in the week the 10-second rate moves (variant minus baseline by weekday
and hour). The baseline against scenarios/variants/two_more_evening.toml, two days long."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from controlroom_sim.experiments import api
from controlroom_sim.reporting.compare_figures import forest_rows, weekday_hour_rate
from controlroom_sim.reporting.cost_display import signed_money
from controlroom_sim.reporting.report import load_results, write_report
from tests.helpers.paths import BASELINE, SCENARIOS

SHORT = ("scenario.days=2", "scenario.warmup_hours=6")
SHOTS = Path("/tmp/report-shots")
"""Where the browser test leaves its screenshots, to be looked at."""


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("compare") / "cmp"
    variant = SCENARIOS / "variants" / "two_more_evening.toml"
    api.compare(BASELINE, variant, replications=3, overrides=SHORT, out=out, calls_format="none")
    write_report(out)
    return out


def _row(text: str, first_cell: str) -> str:
    found = re.search(rf"<t[hd][^>]*>{re.escape(first_cell)}</t[hd]>(.*?)</tr>", text)
    assert found is not None, first_cell
    return found.group(1)


def test_the_report_leads_with_the_paired_differences(compared: Path) -> None:
    text = (compared / "report.html").read_text(encoding="utf-8")
    lead = text.index("<h2>What each variant changes</h2>")
    assert lead < text.index("<h2>Key figures</h2>") < text.index("<h2>Figures</h2>")
    assert text.index('alt="What two_more_evening changes against baseline"') > lead
    assert "tighter than these bars suggest" not in text
    pngs = {p.name for p in (compared / "report").glob("*.png")}
    assert {"differences_01.png", "difference_heatmap_01.png", "comparison.png"} <= pngs
    differences = pd.read_csv(compared / "differences.csv")
    own = differences[differences["scenario"] == "two_more_evening"].set_index("kpi")
    # The numbers under the forest plot are differences.csv's, shares in percentage points.
    r = own.loc["answered_within_10s_999"]
    row = _row(text, "answered_within_10s_999")
    assert f"{100 * r['diff']:+.1f} pp" in row
    assert f"{100 * r['ci_low']:+.1f} pp to {100 * r['ci_high']:+.1f} pp" in row
    assert r["ci_low"] > 0  # two more handlers in the evening: a clear gain
    # The cost beside them: paid hours a week, posts, cost a year with the paired CI.
    hours = own.loc["paid_hours_week_total"]
    assert hours["diff"] == pytest.approx(140 / (1 - 0.226), rel=0.05)  # 140 rostered hours
    assert f"+{hours['diff']:,.0f}" in _row(text, "paid hours a week")
    assert f"+{own.loc['posts_total', 'diff']:,.1f}" in _row(text, "posts (full-time equivalent)")
    cost = own.loc["cost_year_total"]
    cost_row = _row(text, "cost a year")
    assert signed_money(cost["diff"], "£") in cost_row
    assert f"{signed_money(cost['ci_low'], '£')} to {signed_money(cost['ci_high'], '£')}" in (
        cost_row
    )
    assert "In short: +" in text


def test_the_forest_plot_draws_differences_csv(compared: Path) -> None:
    results = load_results(compared)
    panels = forest_rows(results.differences, "two_more_evening")
    assert [title for title, *_ in panels] == [
        "shares: difference in percentage points",
        "answer times: difference in seconds",
        "attendance: difference in minutes",
    ]
    differences = pd.read_csv(compared / "differences.csv").set_index(["scenario", "kpi"])
    for _, unit, rows in panels:
        scale = 100.0 if unit == "pp" else 1.0
        for row in rows.itertuples():
            csv = differences.loc[("two_more_evening", row.kpi)]
            assert row.diff == pytest.approx(scale * csv["diff"])
            assert (row.ci_low, row.ci_high) == pytest.approx(
                (scale * csv["ci_low"], scale * csv["ci_high"])
            )
    assert "handler_occupancy" in set(panels[0][2]["kpi"])


def _rate_by_hand(intervals: pd.DataFrame) -> np.ndarray:
    """The 10-second rate of 999 calls per weekday and hour: each replication's own, then the
    mean over replications (written out with loops, apart from the figure's code)."""
    days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    own = intervals[intervals["channel"].astype(str) == "999"]
    grid = np.full((7, 24), np.nan)
    for d, day in enumerate(days):
        for hour in range(24):
            rates = []
            for rep in sorted(own["replication"].unique()):
                cell = own[
                    (own["replication"] == rep)
                    & (own["weekday"] == day)
                    & (own["time"].str.startswith(f"{hour:02d}:"))
                ]
                if cell["answered"].sum() > 0:
                    rates.append(cell["answered_within_10s"].sum() / cell["answered"].sum())
            if rates:
                grid[d, hour] = sum(rates) / len(rates)
    return grid


def test_the_difference_heatmap_is_variant_minus_baseline(compared: Path) -> None:
    results = load_results(compared)
    grids = []
    for run, folder in zip(results.runs, sorted((compared / "scenarios").iterdir()), strict=True):
        intervals = pd.read_csv(folder / "intervals.csv", dtype={"channel": str, "time": str})
        by_hand = _rate_by_hand(intervals)
        drawn = weekday_hour_rate(run).to_numpy()
        np.testing.assert_allclose(drawn, by_hand, rtol=1e-12, equal_nan=True)
        grids.append(drawn)
    difference = grids[1] - grids[0]
    measured = ~np.isnan(difference)
    assert measured[:2].all() and not measured[2:].any()  # Monday and Tuesday measured
    # The two handlers work 19:00 to 05:00: the rate rises in the evening, not by day.
    evening = np.nanmean(difference[:2, 19:22])
    day = np.nanmean(difference[:2, 9:17])
    assert evening > 0.05 and evening > day + 0.03


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1280, 720)])
def test_the_comparison_page_in_a_browser(compared: Path, browser, width: int, height: int) -> None:  # type: ignore[no-untyped-def]
    from tests.helpers.browser import console_problems, page_at

    with page_at(browser, compared / "report.html", width, height):
        shown = browser.execute_script(
            """
            const img = alt => document.querySelector(`img[alt="${alt}"]`);
            const forest = img('What two_more_evening changes against baseline');
            const heat = img('Where in the week two_more_evening moves the 10-second rate');
            const cost = document.querySelector('table.cost');
            const box = e => e.getBoundingClientRect();
            return {
              forest: forest.complete && forest.naturalWidth > 100,
              heatmap: heat.complete && heat.naturalWidth > 100,
              forestRight: box(forest).right, costLeft: box(cost).left,
              forestTop: box(forest).top, costTop: box(cost).top,
              costWidth: box(cost).width, costText: cost.innerText,
            };
            """
        )
        assert shown["forest"] and shown["heatmap"]
        assert "cost a year" in shown["costText"] and "paid hours a week" in shown["costText"]
        # The cost table stands beside the forest plot, not under it.
        assert shown["costLeft"] >= shown["forestRight"] - 1
        assert shown["costTop"] < shown["forestTop"] + 200 and shown["costWidth"] > 250
        assert console_problems(browser) == []
        SHOTS.mkdir(parents=True, exist_ok=True)
        browser.execute_script(
            "document.querySelector('section.variant').scrollIntoView({block: 'start'})"
        )
        assert browser.save_screenshot(str(SHOTS / f"compare-lead-{width}x{height}.png"))
        browser.execute_script(
            "document.querySelector('img[alt^=\"Where in the week\"]').scrollIntoView()"
        )
        assert browser.save_screenshot(str(SHOTS / f"compare-heatmap-{width}x{height}.png"))
