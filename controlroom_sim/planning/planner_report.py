"""Readable text for the planner's commands: search rounds, the requirement, rosters."""

from __future__ import annotations

import math

import numpy as np

from ..config.schema import Scenario
from ..config.vocabulary import WEEKDAYS
from ..reporting.cost_display import money
from ..reporting.display import format_value, interval_text, render
from .demand import HOURS_PER_INTERVAL, measured_positions, staff_hours
from .planner_results import RosterResult, StaffResult
from .search import Trial

ROSTER_KPIS = (
    "answered_within_10s_999",
    "answered_60s_plus_999",
    "abandon_rate_101",
    "mean_answer_s_101",
    "handler_occupancy",
)


def round_line(round_: int, trial: Trial, scenario: Scenario) -> str:
    """One line per simulation round of the staffing search."""
    failing = int((trial.failing() & measured_positions(scenario)).sum())
    parts = [
        f"{r.kpi} {format_value(r.kpi, r.mean)} "
        f"(95% CI {interval_text(r.kpi, r.ci_low, r.ci_high)})"
        for r in trial.overall.itertuples()
    ]
    return (
        f"  round {round_}: {staff_hours(trial.levels, scenario):,.1f} handler hours a week, "
        f"{failing} interval{'s' if failing != 1 else ''} short significantly; whole week "
        + ", ".join(parts)
    )


def _points(kpi: str, value: float) -> str:
    if kpi.startswith("mean_answer_s"):
        return f"{value:.1f} s"
    return f"{100 * value:.1f} points"


def staff_report(result: StaffResult) -> str:
    """The requirement's hours and peaks, by weekday, and the check with new callers."""
    scenario = result.scenario
    lines = []
    if result.search.trials:
        state = (
            "exact Erlang case: simulated once as a check"
            if result.search.exact
            else (
                f"converged in {len(result.search.trials)} rounds"
                if result.search.converged
                else f"NOT converged in {len(result.search.trials)} rounds: the last curve "
                "whose simulation held (or the last tried) is reported"
            )
        )
        lines.append(f"search: {state}")
    hours = result.hours()
    simulated = "simulated_hours" in hours
    header = ["handlers taking calls", "Erlang"] + (["simulated"] if simulated else [])
    rows = [
        ["handler hours a week", f"{hours['erlang_hours']:,.1f}"]
        + ([f"{hours['simulated_hours']:,.1f}"] if simulated else []),
        [
            f"paid hours a week ({result.shrinkage:.1%} shrinkage)",
            f"{hours['erlang_paid_hours']:,.1f}",
        ]
        + ([f"{hours['simulated_paid_hours']:,.1f}"] if simulated else []),
        ["peak handlers", f"{int(result.erlang.max(initial=0))}"]
        + ([f"{int(result.required.max(initial=0))}"] if simulated else []),
    ]
    curves = ["erlang", *(["simulated"] if simulated else [])]
    if "erlang_posts" in hours:
        rows.append(
            ["posts (FTE, [staffing] shrinkage)"] + [f"{hours[f'{c}_posts']:,.1f}" for c in curves]
        )
    if "erlang_cost_year" in hours:
        rows.append(["cost a year"] + [money(hours[f"{c}_cost_year"]) for c in curves])
    measured = measured_positions(scenario)
    for d, day in enumerate(WEEKDAYS):
        days = slice(d * 96, (d + 1) * 96)
        if not measured[days].any():
            continue
        row = [f"  {day.title()}: hours (peak)"]
        for curve in [result.erlang] + ([result.required] if simulated else []):
            part = np.asarray(curve)[days]
            row.append(f"{part.sum() * HOURS_PER_INTERVAL:,.1f} ({int(part.max(initial=0))})")
        rows.append(row)
    lines.append(render(rows, header, [False] + [True] * (len(header) - 1)))
    lines.append(f"shrinkage: {result.shrinkage_source}")
    if result.check is not None:
        lines.append(
            f"check with new callers (seed {result.seed + 1}, {result.replications} replications):"
        )
        misses = result.misses().set_index("kpi")
        for r in result.check.overall.itertuples():
            target = next(t for t in result.targets if t.kpi == r.kpi)
            verdict = "met" if r.met else "MISSED"
            lines.append(
                f"  {r.kpi}: whole week {format_value(r.kpi, r.mean)} (95% CI "
                f"{interval_text(r.kpi, r.ci_low, r.ci_high)}), target "
                f"{format_value(r.kpi, target.value)}: {verdict}"
            )
            m = misses.loc[r.kpi]
            share = m["missed"] / m["intervals"] if m["intervals"] else 0.0
            detail = (
                f"; largest shortfall {_points(r.kpi, m['largest_shortfall'])}, mean "
                f"{_points(r.kpi, m['mean_shortfall'])}"
                if m["missed"]
                else ""
            )
            lines.append(
                f"    intervals with calls: {int(m['intervals'])}; missed {int(m['missed'])} "
                f"({share:.0%}), {int(m['missed_significantly'])} significantly{detail}"
            )
    return "\n".join(lines)


_COST_HEADERS = {"posts": "posts (FTE)", "cost_year": "cost/year"}


def roster_report(result: RosterResult) -> str:
    """Patterns side by side: paid hours, headcount, solver status and simulated KPIs."""
    table = result.table(ROSTER_KPIS)
    kpis = [k for k in ROSTER_KPIS if k in table.columns]
    costs = [c for c in ("posts", "cost_year") if c in table.columns]
    header = ["rota", "paid h/week", *[_COST_HEADERS[c] for c in costs], "people", "HiGHS"]
    header += ["short", *kpis]
    rows = []
    for r in table.itertuples(index=False):
        row = r._asdict()
        status = row["status"]
        roster = next((x for x in result.rosters if x.pattern.name == row["rota"]), None)
        if roster is not None and roster.status != "optimal":
            # At the node limit the roster is the same on every run; at the time limit, not.
            status = f"gap {roster.gap:.1%}" + (" (time)" if roster.status == "time limit" else "")
        cells = [row["rota"], f"{row['paid_hours']:,.0f}"]
        cells += [f"{row['posts']:,.1f}" if c == "posts" else money(row[c]) for c in costs]
        cells += [
            "-" if math.isnan(row["headcount"]) else f"{row['headcount']:.0f}",
            status,
            str(row["intervals_short"]),
        ]
        for kpi in kpis:
            interval = interval_text(kpi, row[f"{kpi}_ci_low"], row[f"{kpi}_ci_high"])
            cells.append(f"{format_value(kpi, row[kpi])} ({interval})")
        rows.append(cells)
    out = [
        f"requirement: {result.requirement.sum() * HOURS_PER_INTERVAL:,.1f} handler hours a week, "
        f"peak {result.requirement.max(initial=0):.0f}; 'short': intervals the rota covers "
        "below it; KPIs: mean (95% CI)"
    ]
    right = [False, True, *([True] * len(costs)), True, False, True] + [True] * len(kpis)
    out.append(render(rows, header, right))
    return "\n".join(out)
