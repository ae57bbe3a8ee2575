"""Plain-text tables for the terminal: KPIs with confidence intervals, theory side by side."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

SHARE_PREFIXES = (
    "answered_within",
    "answered_10_to",
    "answered_60s",
    "abandon_rate",
    "callback_requested_rate",
    "callback_success_rate",
    "handler_occupancy",
    "graded_",
    "true_emergencies_graded_lower",
    "attendance_within_target",
    "vulnerable_beyond_target",
    "officer_utilisation",
    "repeat_check_skipped",
    "vulnerability_check_skipped",
    "risk_assessment_skipped",
    "advice_not_given",
)
HEADLINE = (
    "offered_999",
    "answered_within_10s_999",
    "answered_10_to_59s_999",
    "answered_60s_plus_999",
    "answered_within_10s_of_offered_999",
    "mean_answer_s_999",
    "p90_answer_s_999",
    "abandon_rate_999",
    "offered_101",
    "mean_answer_s_101",
    "answered_within_60s_101",
    "abandon_rate_101",
    "callback_requested_rate_101",
    "callback_success_rate_101",
    "handler_occupancy",
    "overtime_hours",
    "graded_emergency",
    "graded_priority",
    "graded_scheduled",
    "graded_too_low",
    "true_emergencies_graded_lower",
    "attendance_within_target_emergency",
    "mean_attendance_min_emergency",
    "attendance_within_target_priority",
    "mean_attendance_min_priority",
    "mean_attendance_min_scheduled",
    "vulnerable_beyond_target",
    "mean_backlog",
    "officer_utilisation",
)
"""The KPIs ``run`` prints, in order (all of them are in the files)."""


def is_share(kpi: str) -> bool:
    return kpi.startswith(SHARE_PREFIXES)


def format_value(kpi: str, value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if is_share(kpi):
        return f"{100 * value:.1f}%"
    if kpi.startswith(("offered", "answered_", "abandoned", "open")) and not kpi.startswith(
        "answered_within"
    ):
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.1f}"
    return f"{value:,.1f}"


def render(rows: Sequence[Sequence[str]], header: Sequence[str], right: Sequence[bool]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        out = []
        for cell, width, is_right in zip(cells, widths, right, strict=True):
            out.append(str(cell).rjust(width) if is_right else str(cell).ljust(width))
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def kpi_table(summary: pd.DataFrame, kpis: Sequence[str] | None = None) -> str:
    """KPI, mean and 95% CI, for the headline KPIs present in ``summary``."""
    by_name = {row.kpi: row for row in summary.itertuples()}
    names = [k for k in (kpis or HEADLINE) if k in by_name]
    rows = []
    for name in names:
        row = by_name[name]
        ci = (
            f"{format_value(name, row.ci_low)} to {format_value(name, row.ci_high)}"
            if row.n >= 2
            else "-"
        )
        rows.append([name, format_value(name, row.mean), ci])
    return render(rows, ["KPI", "mean", "95% CI"], [False, True, True])


def validation_table(frame: pd.DataFrame, confidence: float) -> str:
    """Theory beside the simulated mean and CI, with a verdict per KPI."""
    rows = []
    for row in frame.itertuples():
        rows.append(
            [
                row.kpi,
                format_value(row.kpi, row.theory),
                format_value(row.kpi, row.mean),
                f"{format_value(row.kpi, row.ci_low)} to {format_value(row.kpi, row.ci_high)}",
                "yes" if row.inside else "NO",
            ]
        )
    label = f"{confidence:.0%} CI"
    return render(
        rows, ["KPI", "theory", "simulated", label, "inside"], [False, True, True, True, False]
    )
