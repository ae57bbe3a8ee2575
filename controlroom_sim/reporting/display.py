"""Plain-text tables for the terminal: KPIs with confidence intervals, theory side by side."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import pandas as pd

from ..analysis.kpi_kinds import is_share

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
    "mean_reach_s_101",
    "answered_within_60s_101",
    "abandon_rate_101",
    "callback_requested_rate_101",
    "callback_success_rate_101",
    "handler_occupancy",
    "overtime_hours",
    "breaks_cancelled",
    "handlers_called_in",
    "call_in_hours",
    "call_in_cost_week",
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


def format_value(kpi: str, value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if is_share(kpi):
        return f"{100 * value:.1f}%"
    if kpi.startswith("cost_"):
        return f"£{value:,.0f}"
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


def headline(present: Iterable[str]) -> list[str]:
    """The headline KPIs, with each intraday rule's firings (``rule_firings_<rule>``, named by
    the scenario) before what the rules did."""
    firings = sorted(k for k in present if k.startswith("rule_firings_"))
    at = HEADLINE.index("breaks_cancelled")
    return [*HEADLINE[:at], *firings, *HEADLINE[at:]]


def kpi_table(summary: pd.DataFrame, kpis: Sequence[str] | None = None) -> str:
    """KPI, mean and 95% CI, for the headline KPIs present in ``summary``."""
    by_name = {row.kpi: row for row in summary.itertuples()}
    names = [k for k in (kpis or headline(by_name)) if k in by_name]
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


def interval_text(kpi: str, low: float, high: float) -> str:
    """A confidence interval as text (``-`` when there is none)."""
    if low is None or (isinstance(low, float) and math.isnan(low)):
        return "-"
    return f"{format_value(kpi, low)} to {format_value(kpi, high)}"


def difference_text(kpi: str, value: float) -> str:
    """A difference: percentage points for shares, signed."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if is_share(kpi):
        return f"{100 * value:+.1f} pp"
    return f"{value:+,.1f}"


def difference_interval(kpi: str, low: float, high: float) -> str:
    if low is None or (isinstance(low, float) and math.isnan(low)):
        return "-"
    return f"{difference_text(kpi, low)} to {difference_text(kpi, high)}"


def comparison_table(
    summary: pd.DataFrame,
    differences: pd.DataFrame,
    baseline: str,
    variant: str,
    kpis: Sequence[str] | None = None,
) -> str:
    """Baseline and variant means with 95% CIs, and the paired difference with its CI."""
    base = {r.kpi: r for r in summary[summary["scenario"] == baseline].itertuples()}
    other = {r.kpi: r for r in summary[summary["scenario"] == variant].itertuples()}
    diff = {r.kpi: r for r in differences[differences["scenario"] == variant].itertuples()}
    names = [k for k in (kpis or HEADLINE) if k in base and k in other]
    rows = []
    for name in names:
        b, o = base[name], other[name]
        d = diff.get(name)
        rows.append(
            [
                name,
                format_value(name, b.mean),
                interval_text(name, b.ci_low, b.ci_high),
                format_value(name, o.mean),
                interval_text(name, o.ci_low, o.ci_high),
                difference_text(name, d.diff) if d is not None else "-",
                difference_interval(name, d.ci_low, d.ci_high) if d is not None else "-",
                difference_interval(name, d.unpaired_ci_low, d.unpaired_ci_high)
                if d is not None
                else "-",
            ]
        )
    header = [
        "KPI",
        "baseline",
        "95% CI",
        "variant",
        "95% CI",
        "difference",
        "paired 95% CI",
        "unpaired 95% CI",
    ]
    return render(rows, header, [False, *([True] * 7)])


SWEEP_DEFAULT = (
    "answered_within_10s_999",
    "abandon_rate_999",
    "mean_answer_s_101",
    "abandon_rate_101",
    "handler_occupancy",
    "attendance_within_target_emergency",
    "officer_utilisation",
    "posts_total",
    "cost_year_total",
)


def sweep_overview(
    table: pd.DataFrame, keys: Sequence[str], kpis: Sequence[str] | None = None
) -> str:
    """One row per variant: the varied keys' values, then each shown KPI's mean and CI
    half-width."""
    present = list(dict.fromkeys(table["kpi"]))
    names = [k for k in (kpis or SWEEP_DEFAULT) if k in present]
    rows = []
    for _, group in table.groupby("scenario", sort=False):
        by_kpi = {r.kpi: r for r in group.itertuples()}
        first = group.iloc[0]
        cells = [str(first[k]) for k in keys]
        for name in names:
            r = by_kpi[name]
            mean = format_value(name, r.mean)
            if r.n >= 2 and not math.isnan(r.ci_high):
                # The t half-width: the interval may be cut at a bound (0, or 100% for a
                # share) on one side, never on the side nearer its mean.
                half = max(r.mean - r.ci_low, r.ci_high - r.mean)
                spread = f"{100 * half:.1f}" if is_share(name) else f"{half:,.1f}"
                if name.startswith("cost_"):
                    spread = f"£{half:,.0f}"
                mean = f"{mean} ±{spread}"
            cells.append(mean)
        rows.append(cells)
    header = [*keys, *names]
    return render(rows, header, [False] * len(keys) + [True] * len(names))


def precision_lines(precision: dict | None) -> list[str]:
    """What a target half-width came to, a line per scenario and target."""
    if not precision:
        return []
    lines = []
    verdict = "met" if precision.get("met") else "NOT met"
    lines.append(
        f"replications chosen by target half-width: {precision['replications']} "
        f"(from {precision['initial']}, look-ahead {precision['look_ahead']}, "
        f"cap {precision['cap']}); target {verdict}"
    )
    for row in precision.get("targets", []):
        wanted = (
            f"{100 * row['half_width']:g}% of the mean"
            if row["relative"]
            else f"{row['half_width']:g}"
        )
        lines.append(
            f"  {row['scenario']}: {row['kpi']} half-width {row['achieved_half_width']:.4g} "
            f"(target {wanted}): {'met' if row['met'] else 'NOT met'}"
        )
    return lines
