"""The section a comparison's report leads with: for each variant, what it changes against the
baseline (paired differences with their 95% CIs, as a forest plot and as numbers), what it
costs beside it, and where in the week the 10-second rate moves."""

from __future__ import annotations

import math

import pandas as pd

from .compare_figures import FOREST
from .cost_display import cost_line, money, signed_money
from .display import HEADLINE, difference_interval, difference_text, format_value
from .page_parts import esc, figure, scroll_box
from .report_data import Results

COST = (
    ("paid_hours_week_total", "paid hours a week"),
    ("posts_total", "posts (full-time equivalent)"),
    ("cost_year_total", "cost a year"),
)
"""The cost differences beside the service ones: the KPI and its words."""


def _amount(kpi: str, value: float, currency: str, signed: bool) -> str:
    if value is None or math.isnan(value):
        return "-"
    if kpi.startswith("cost_"):
        return signed_money(value, currency) if signed else money(value, currency)
    form = "{:+,.0f}" if signed else "{:,.0f}"
    if kpi.startswith("posts"):
        form = "{:+,.1f}" if signed else "{:,.1f}"
    return form.format(value)


def cost_table(differences: pd.DataFrame, variant: str, currency: str = "£") -> str:
    """Paid hours a week, posts and cost a year: baseline, variant, and the paired difference
    with its 95% CI under it; "" when the scenarios have no ``[staffing]``."""
    own = {r.kpi: r for r in differences[differences["scenario"] == variant].itertuples()}
    rows = []
    for kpi, words in COST:
        r = own.get(kpi)
        if r is None:
            continue
        interval = (
            ""
            if math.isnan(r.ci_low)
            else f"{_amount(kpi, r.ci_low, currency, True)} to "
            f"{_amount(kpi, r.ci_high, currency, True)}"
        )
        cells = [
            esc(_amount(kpi, r.baseline_mean, currency, False)),
            esc(_amount(kpi, r.mean, currency, False)),
            f"<b>{esc(_amount(kpi, r.diff, currency, True))}</b>"
            + (f'<br><span class="ci">{esc(interval)}</span>' if interval else ""),
        ]
        rows.append(
            f'<tr><th scope="row">{esc(words)}</th>'
            + "".join(f'<td class="num">{c}</td>' for c in cells)
            + "</tr>"
        )
    if not rows:
        return ""
    head = (
        "<tr><th>cost</th><th>baseline</th><th>variant</th>"
        "<th>difference<br>(paired 95% CI)</th></tr>"
    )
    return f'<table class="cost"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'


def differences_table(differences: pd.DataFrame, variant: str) -> str:
    """Every headline KPI's paired difference and CI, with the unpaired CI beside it."""
    own = {r.kpi: r for r in differences[differences["scenario"] == variant].itertuples()}
    forest = [kpi for *_, kpis in FOREST for kpi, _ in kpis]
    names = [k for k in dict.fromkeys([*forest, *HEADLINE]) if k in own]
    rows = []
    for kpi in names:
        r = own[kpi]
        cells = [
            format_value(kpi, r.baseline_mean),
            format_value(kpi, r.mean),
            difference_text(kpi, r.diff),
            difference_interval(kpi, r.ci_low, r.ci_high),
            difference_interval(kpi, r.unpaired_ci_low, r.unpaired_ci_high),
        ]
        rows.append(
            f"<tr><td>{esc(kpi)}</td>"
            + "".join(f'<td class="num">{esc(c)}</td>' for c in cells)
            + "</tr>"
        )
    head = (
        "<tr><th>KPI</th><th>baseline</th><th>variant</th><th>difference</th>"
        "<th>paired 95% CI</th><th>unpaired 95% CI</th></tr>"
    )
    table = f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"
    return scroll_box(table, f"paired differences of {variant}")


def _currency(results: Results) -> str:
    staffing = results.runs[0].scenario.get("staffing") or {}
    return str(staffing.get("currency") or "£")


def lead_section(results: Results) -> str:
    """The comparison's leading section ("" for a run or a sweep, or without differences)."""
    differences = results.differences
    if results.kind != "compare" or differences is None or not len(differences):
        return ""
    currency = _currency(results)
    baseline = str(differences["baseline"].iloc[0])
    parts = [
        "<h2>What each variant changes</h2><p>Each variant against the baseline with common "
        "random numbers: replication <i>r</i> of every scenario has the same callers, so the "
        "difference is taken replication by replication and its paired 95% confidence "
        "interval is the one to read.</p>"
    ]
    for run in results.runs[1:]:
        variant = run.name
        parts.append(f'<section class="variant"><h3>{esc(variant)} against {esc(baseline)}</h3>')
        line = cost_line(differences, variant, currency=currency)
        if line:  # a sign kept with its amount ("+£206k", not "+" at a line's end)
            for sign in "+-":
                line = line.replace(f"{sign}{currency}", f"{sign}\u2060{currency}")
            parts.append(f'<p class="short">In short: {esc(line)}.</p>')
        figures = results.lead.get(variant, [])
        forest = [f for f in figures if f[2].name.startswith("differences_")]
        others = [f for f in figures if f not in forest]
        costs = cost_table(differences, variant, currency)
        parts.append('<div class="side">')
        parts.extend(figure(*f) for f in forest)
        if costs:
            parts.append(f'<div class="costs"><h4>What it costs</h4>{costs}</div>')
        parts.append("</div>")
        parts.append(
            "<details><summary>The paired differences as numbers</summary>"
            + differences_table(differences, variant)
            + "</details>"
        )
        parts.extend(figure(*f) for f in others)
        parts.append("</section>")
    return "".join(parts)
