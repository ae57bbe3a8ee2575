"""The report of the built-in baseline, shortened: figures that read as the KPI table does
(attendance against each incident's own target), time axes in weekdays and times."""

from __future__ import annotations

import json
import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from controlroom_sim.config.vocabulary import WEEKDAYS
from controlroom_sim.experiments import api
from controlroom_sim.reporting import report_figures
from controlroom_sim.reporting.plots import weekday_ticks
from controlroom_sim.reporting.report import load_results, write_report
from controlroom_sim.reporting.report_figures import attendance_shares
from tests.helpers.paths import BASELINE

SHORT = ("scenario.days=2", "scenario.warmup_hours=6")
"""Two measured days of the baseline: enough incidents of every grade, urban and rural."""


@pytest.fixture(scope="module")
def baseline_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("views") / "run"
    api.run(BASELINE, replications=3, overrides=SHORT, out=out)
    return out


def test_the_attendance_figure_counts_as_the_kpi_table_does(baseline_run: Path) -> None:
    run = load_results(baseline_run).runs[0]
    incidents = run.incidents
    # Rural incidents have a longer emergency target than urban ones: a figure that measured
    # every incident against the urban target would differ from the KPI.
    emergency = incidents[incidents["grade"] == "emergency"]
    assert set(emergency["target_s"].unique()) == {15 * 60.0, 20 * 60.0}
    shares = attendance_shares(run)
    summary = json.loads((baseline_run / "summary.json").read_text())["kpis"]
    kpis = {
        k.removeprefix("attendance_within_target_"): v["mean"]
        for k, v in summary.items()
        if k.startswith("attendance_within_target_") and "from_allocation" not in k
    }
    assert set(shares) == set(kpis) == {"emergency", "priority", "scheduled"}
    for grade, share in shares.items():
        assert share == pytest.approx(kpis[grade], abs=1e-12), grade
    measured = emergency[(emergency["call_s"] >= run.warmup_s)]
    urban_only = (measured["arrived_s"] - measured["call_s"] <= 15 * 60.0).mean()
    assert abs(urban_only - shares["emergency"]) > 0.01  # the old figure's number was wrong
    # The page's caption gives the figure's numbers, the KPI table's.
    text = write_report(baseline_run).read_text(encoding="utf-8")
    caption = re.search(r"<b>Attendance by grade: baseline\.</b>(.*?)</figcaption>", text)
    assert caption is not None
    for grade, value in kpis.items():
        assert f"{grade} {100 * value:.1f}%" in caption.group(1)
        row = re.search(rf"<td>attendance_within_target_{grade}</td>(.*?)</tr>", text)
        assert row is not None and f"{100 * value:.1f}%" in row.group(1)


def _clock(start_weekday: str, days: int) -> pd.DataFrame:
    n = days * 96
    first = WEEKDAYS.index(start_weekday)
    minutes = np.arange(n) * 15
    return pd.DataFrame(
        {
            "hours": minutes / 60.0,
            "weekday": [WEEKDAYS[(first + m // 1440) % 7] for m in minutes],
            "time": [f"{m % 1440 // 60:02d}:{m % 60:02d}" for m in minutes],
            "day": minutes // 1440 + 1,
        }
    )


@pytest.mark.parametrize(
    ("start", "days", "first", "count"),
    [
        ("monday", 7, ["Mon 00:00", "Mon 12:00", "Tue 00:00"], 14),
        ("wednesday", 7, ["Wed 00:00", "Wed 12:00", "Thu 00:00"], 14),
        ("saturday", 2, ["Sat 00:00", "Sat 06:00", "Sat 12:00"], 8),
        ("monday", 28, ["Mon 00:00\nday 1", "Tue 00:00\nday 2"], 28),
    ],
)
def test_time_axes_show_weekday_and_time(start: str, days: int, first: list, count: int) -> None:
    clock = _clock(start, days)
    fig, ax = plt.subplots()
    weekday_ticks(ax, clock)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    positions = list(ax.get_xticks())
    plt.close(fig)
    assert labels[: len(first)] == first
    assert len(labels) == count
    step = 24.0 / (count / days)
    assert positions == pytest.approx([i * step for i in range(count)])
    assert ax.get_xlabel() == "weekday and time"


@pytest.mark.parametrize("draw", [report_figures.service_level, report_figures.backlog])
def test_the_reports_time_axes_are_weekdays(
    baseline_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, draw
) -> None:  # type: ignore[no-untyped-def]
    drawn: list[list[str]] = []

    def keep(fig, path, dpi=110):  # type: ignore[no-untyped-def]
        drawn.append([t.get_text() for t in fig.axes[-1].get_xticklabels()])
        drawn.append([fig.axes[-1].get_xlabel()])
        plt.close(fig)
        return path

    monkeypatch.setattr(report_figures, "save_figure", keep)
    assert draw(load_results(baseline_run).runs, tmp_path / "f.png") is not None
    labels, (xlabel,) = drawn
    # Two measured days from Monday 00:00 (the measured window starts on start_weekday):
    # every 6 hours.
    assert labels[:3] == ["Mon 00:00", "Mon 06:00", "Mon 12:00"]
    assert labels[-1] == "Tue 18:00" and len(labels) == 8
    assert xlabel == "weekday and time"
