"""``run`` prints hours, posts and cost by role after its KPIs; ``compare`` says in one line what a
change does to service and what it costs, with paired 95% CIs; the numbers are the KPIs'."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from controlroom_sim.cli.main import main
from tests.helpers.paths import BASELINE, SCENARIOS

SHORT = ["--replications", "4", "--set", "scenario.days=1", "--quiet"]
SHRINKAGE = 0.127 + 0.039 + 0.03 + 0.03


def test_run_prints_staffing_and_cost(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "run"
    assert main(["run", *SHORT, "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Staffing and cost" in text
    rows = {line.split("  ")[0]: line for line in text.splitlines()}
    handlers = rows["call handlers"].split()
    assert handlers[2:5] == [
        "2,450",
        f"{2450 / (1 - SHRINKAGE):,.0f}",
        f"{2450 / (1 - SHRINKAGE) / 37:.1f}",
    ]
    summary = json.loads((out / "summary.json").read_text())["kpis"]
    assert summary["posts_handlers"]["mean"] == 2450 / (1 - SHRINKAGE) / 37
    assert f"{summary['posts_total']['mean']:,.1f}" in rows["all roles"]


def test_compare_says_what_the_change_costs(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "cmp"
    variant = SCENARIOS / "variants" / "two_more_evening.toml"  # "Evening contact" 3 -> 5
    assert main(["compare", str(BASELINE), str(variant), *SHORT, "--out", str(out)]) == 0
    text = capsys.readouterr().out
    line = next(x for x in text.splitlines() if x.startswith("in short: "))
    differences = pd.read_csv(out / "differences.csv").set_index("kpi")
    rate = differences.loc["answered_within_10s_999"]
    paid = differences.loc["paid_hours_week_total"]
    cost = differences.loc["cost_year_total"]
    assert abs(paid["diff"] - 140 / (1 - SHRINKAGE)) < 1e-9
    expected = (
        f"in short: {100 * rate['diff']:+.1f} pp 999 calls answered within 10 s (paired 95% CI "
        f"{100 * rate['ci_low']:+.1f} to {100 * rate['ci_high']:+.1f} pp) for "
        f"+{140 / (1 - SHRINKAGE):,.0f} paid hours a week, "
        f"+{140 / (1 - SHRINKAGE) / 37:.1f} posts, +£"
    )
    assert line.startswith(expected), line
    assert re.search(r"a year \(paired 95% CI \+£[0-9.,]+k? to \+£[0-9.,]+k?\)$", line), line
    # two handlers for a week at 17.43 an hour with on-costs: at least their paid hours' cost
    assert cost["diff"] >= 140 / (1 - SHRINKAGE) * 17.43 * 1.25 * 365.25 / 7 - 1e-6
