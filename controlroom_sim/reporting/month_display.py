"""KPIs by month on the terminal: a year's run (``[calendar]``) prints one row a month after its
KPIs, so the months that miss a standard stand out."""

from __future__ import annotations

import re

import pandas as pd

from .display import format_value, render

MONTH_COLUMNS = (
    ("offered_999", "999 offered"),
    ("answered_within_10s_999", "999 < 10 s"),
    ("abandon_rate_999", "999 abandoned"),
    ("offered_101", "101 offered"),
    ("abandon_rate_101", "101 abandoned"),
    ("handler_occupancy", "occupancy"),
)
_MONTH = re.compile(r"_(\d{4})_(\d{2})$")


def month_table(summary: pd.DataFrame) -> str:
    """Month by month: 999 calls and their 10-second rate (with its 95% CI), 101 abandonment
    and handler occupancy (means over replications); "" without month KPIs."""
    by_name = {row.kpi: row for row in summary.itertuples()}
    months = sorted({m.group(0)[1:] for k in by_name if (m := _MONTH.search(k))})
    if not months:
        return ""
    rows = []
    for month in months:
        cells = [month.replace("_", "-")]
        for base, _ in MONTH_COLUMNS:
            row = by_name.get(f"{base}_{month}")
            cells.append("-" if row is None else format_value(base, row.mean))
        ci = by_name.get(f"answered_within_10s_999_{month}")
        cells.append(
            "-"
            if ci is None or ci.n < 2
            else f"{format_value(ci.kpi, ci.ci_low)} to {format_value(ci.kpi, ci.ci_high)}"
        )
        rows.append(cells)
    header = ["month", *(label for _, label in MONTH_COLUMNS), "999 < 10 s, 95% CI"]
    return render(rows, header, [False, *([True] * (len(header) - 1))])
