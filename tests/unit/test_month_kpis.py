"""KPIs by month (``[calendar]``): exact on a trace, consistent with the whole run, and a
calendar that changes nothing changes no KPI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from controlroom_sim.analysis.kpis import replication_kpis
from controlroom_sim.analysis.month_kpis import month_windows
from controlroom_sim.config.loading import load_scenario
from controlroom_sim.config.schema import Scenario
from controlroom_sim.experiments import api
from controlroom_sim.reporting.month_display import month_table
from tests.helpers.paths import ROOT
from tests.helpers.traces import H, fixed, run

DAY = 86400.0


def _scenario(start_date: str, days: float, count: int = 1) -> Scenario:
    return Scenario.model_validate(
        {
            "scenario": {"name": "t", "days": days, "warmup_hours": 0, "cooldown_hours": 1},
            "channels": {"999": {"calls_per_day": 0.0, "talk_s": fixed(100.0)}},
            "handlers": [{"name": "h", "skills": ["999"], "count": count}],
            "calendar": {"start_date": start_date},
        }
    )


def test_month_windows_cut_the_measured_window_at_month_ends() -> None:
    scenario = _scenario("2026-01-30", 3.5)  # 30 Jan 00:00 to 1 Feb 12:00
    assert month_windows(scenario) == [("2026_01", 0.0, 2 * DAY), ("2026_02", 2 * DAY, 3.5 * DAY)]
    year = _scenario("2026-01-01", 365)
    windows = month_windows(year)
    assert [w[0] for w in windows] == [f"2026_{m:02d}" for m in range(1, 13)]
    assert [round((e - s) / DAY) for _, s, e in windows] == [
        31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
    ]  # fmt: skip


def test_month_kpis_on_a_trace() -> None:
    """One handler, talk 100 s. 31 January: calls at 23:58:00 and 23:58:30 (the second waits
    70 s); 1 February: a call at 10:00 (answered at once). The second call is January's, made
    before midnight though answered after it."""
    scenario = _scenario("2026-01-31", 2)
    t = [23 * H + 58 * 60, 23 * H + 58 * 60 + 30, DAY + 10 * H]
    kpis = replication_kpis(run(scenario, t), scenario)
    assert kpis["offered_999_2026_01"] == 2
    assert kpis["answered_within_10s_999_2026_01"] == 0.5
    assert kpis["abandon_rate_999_2026_01"] == 0.0
    assert kpis["offered_999_2026_02"] == 1
    assert kpis["answered_within_10s_999_2026_02"] == 1.0
    # Busy 23:58:00-00:01:20 across midnight: 120 s in January, 80 + 100 s in February.
    assert kpis["handler_occupancy_2026_01"] == pytest.approx(120 / DAY, rel=1e-12)
    assert kpis["handler_occupancy_2026_02"] == pytest.approx(180 / DAY, rel=1e-12)
    assert not any(k.endswith("_2026_03") for k in kpis)


def test_the_months_add_up_to_the_run() -> None:
    scenario = load_scenario(
        ROOT / "scenarios" / "baseline.toml",
        ["scenario.days=3", 'scenario.start_weekday="friday"', "calendar.start_date=2026-01-30"],
    )
    result = api.run(scenario, replications=1, keep_records=False)
    kpis = dict(zip(result.kpis["kpi"], result.kpis["value"], strict=True))
    for channel in ("999", "101"):
        months = kpis[f"offered_{channel}_2026_01"] + kpis[f"offered_{channel}_2026_02"]
        assert months == kpis[f"offered_{channel}"]
    table = month_table(result.summary)
    assert table.splitlines()[2].startswith("2026-01") and len(table.splitlines()) == 4


def test_a_calendar_that_changes_nothing_changes_no_kpi() -> None:
    """The baseline (a Monday start) with a start date on a Monday and nothing else: every KPI
    of two replications as recorded, besides the month KPIs it adds."""
    recorded = pd.read_csv(ROOT / "tests" / "data" / "baseline_kpis_2x7d.csv")
    scenario = load_scenario(
        ROOT / "scenarios" / "baseline.toml", ["calendar.start_date=2026-03-02"]
    )
    result = api.run(scenario, replications=2, keep_records=False)
    now = result.kpis[~result.kpis["kpi"].str.endswith("_2026_03")]
    now = now[["replication", "kpi", "value"]].sort_values(["replication", "kpi"])
    assert now["kpi"].tolist() == recorded["kpi"].tolist()
    np.testing.assert_array_equal(
        now["value"].to_numpy(dtype=float), recorded["value"].to_numpy(dtype=float)
    )
