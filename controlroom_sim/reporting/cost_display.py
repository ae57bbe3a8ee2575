"""Staffing and cost on the terminal: a table of hours, posts and cost by role after a run's
KPIs, and for a comparison the line a planner reads first: what a change does to service, and
what it costs (paired differences with their 95% CIs)."""

from __future__ import annotations

import math

import pandas as pd

from ..analysis.staffing_kpis import ROLE_WORDS
from ..config.schema import ROLES
from .display import render

COST_COLUMNS = (
    ("rostered_hours_week", "rostered h/week", "{:,.0f}"),
    ("paid_hours_week", "paid h/week", "{:,.0f}"),
    ("posts", "posts (FTE)", "{:,.1f}"),
    ("overtime_hours_week", "overtime h/week", "{:,.1f}"),
    ("cost_week", "cost/week", "money"),
    ("cost_year", "cost/year", "money"),
)


def money(value: float, currency: str = "£") -> str:
    """A sum of money to read: £1,234 below 100,000, else £1.23m or £123k."""
    if value is None or math.isnan(value):
        return "-"
    sign = "-" if value < 0 else ""
    size = abs(value)
    if size >= 1e6:
        return f"{sign}{currency}{size / 1e6:,.2f}m"
    if size >= 1e5:
        return f"{sign}{currency}{size / 1e3:,.0f}k"
    return f"{sign}{currency}{size:,.0f}"


def signed_money(value: float, currency: str) -> str:
    return ("+" if value >= 0 else "") + money(value, currency)


def staffing_table(summary: pd.DataFrame, scenario: str | None = None, currency: str = "£") -> str:
    """Hours, posts and cost by role (means over replications); "" without ``[staffing]``."""
    rows_of = summary if scenario is None else summary[summary["scenario"] == scenario]
    mean = dict(zip(rows_of["kpi"], rows_of["mean"], strict=True))
    rows = []
    for role in ROLES:
        if f"posts_{role}" not in mean:
            continue
        cells = [ROLE_WORDS[role]]
        for name, _, form in COST_COLUMNS:
            value = mean.get(f"{name}_{role}")
            if value is None:
                cells.append("-")
            else:
                cells.append(money(value, currency) if form == "money" else form.format(value))
        rows.append(cells)
    if not rows:
        return ""
    total = ["all roles", "", f"{mean['paid_hours_week_total']:,.0f}"]
    total += [f"{mean['posts_total']:,.1f}", "", ""]
    total.append(money(mean["cost_year_total"], currency) if "cost_year_total" in mean else "-")
    rows.append(total)
    header = ["staff", *(label for _, label, _ in COST_COLUMNS)]
    return render(rows, header, [False, *([True] * len(COST_COLUMNS))])


def cost_line(
    differences: pd.DataFrame,
    variant: str,
    service_kpi: str = "answered_within_10s_999",
    service_words: str = "999 calls answered within 10 s",
    currency: str = "£",
) -> str:
    """ "+3.6 pp 10-second rate (paired 95% CI ...) for +140 paid hours a week, +4.2 posts,
    +£0.12m a year (...)": the variant against the baseline; "" without ``[staffing]``."""
    rows = differences[differences["scenario"] == variant]
    by = {r.kpi: r for r in rows.itertuples()}
    if "paid_hours_week_total" not in by or service_kpi not in by:
        return ""
    s = by[service_kpi]
    parts = [
        f"{100 * s.diff:+.1f} pp {service_words} (paired 95% CI {100 * s.ci_low:+.1f} to "
        f"{100 * s.ci_high:+.1f} pp)",
        f"for {by['paid_hours_week_total'].diff:+,.0f} paid hours a week",
        f"{by['posts_total'].diff:+,.1f} posts",
    ]
    if "cost_year_total" in by:
        c = by["cost_year_total"]
        cost = f"{signed_money(c.diff, currency)} a year"
        if not math.isnan(c.ci_low):
            cost += (
                f" (paired 95% CI {signed_money(c.ci_low, currency)} to "
                f"{signed_money(c.ci_high, currency)})"
            )
        parts.append(cost)
    return f"{parts[0]} {parts[1]}, " + ", ".join(parts[2:])
