"""The report's figures (matplotlib, saved as PNG), drawn from a results folder's tables."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..config.vocabulary import WEEKDAYS
from .display import format_value
from .plots import interval_clock, legend, save_figure, weekday_ticks
from .sweep_page import sweep_figure

if TYPE_CHECKING:
    from .report_data import Results, RunData

STANDARD = 0.90
"""The national standard: 90% of 999 calls answered within 10 seconds."""

Figure = tuple[str, str, Path]


def _pooled(intervals: pd.DataFrame, by: list[str], num: str, den: str) -> pd.Series:
    sums = intervals.groupby(by, observed=True)[[num, den]].sum()
    return sums[num] / sums[den].where(sums[den] > 0)


def service_level(runs: list[RunData], path: Path) -> Figure | None:
    """Offered calls and the 10-second rate of 999 calls per 15-minute interval."""
    runs = [r for r in runs if r.intervals is not None and len(r.intervals)]
    if not runs:
        return None
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(12, 6), sharex=True)
    for run in runs:
        table = run.intervals
        clock = interval_clock(table)
        hours = clock["hours"]
        label = f" ({run.name})" if len(runs) > 1 else ""
        for channel in sorted(table["channel"].unique()):
            offered = table[table["channel"] == channel].groupby("interval")["offered"].mean()
            top.step(hours.loc[offered.index], offered, where="post", label=f"{channel}{label}")
        own = table[table["channel"] == "999"].assign(hour=lambda t: t["interval"] // 4)
        rate = _pooled(own, ["interval"], "answered_within_10s", "answered")
        bottom.step(hours.loc[rate.index], rate, where="post", linewidth=0.6, alpha=0.45)
        hourly = _pooled(own, ["hour"], "answered_within_10s", "answered")
        first = float(hours.iloc[0]) if len(hours) else 0.0
        bottom.step(
            hourly.index.to_numpy() + first,
            hourly,
            where="post",
            linewidth=1.6,
            label=f"{run.name} (hourly)",
        )
    bottom.axhline(STANDARD, color="red", linestyle="--", linewidth=1.0, label="standard 90%")
    top.set_ylabel("calls offered per 15 min\n(mean over replications)")
    bottom.set_ylabel("999 answered within 10 s")
    bottom.set_ylim(0, 1.02)
    weekday_ticks(bottom, interval_clock(runs[0].intervals))
    top.legend(fontsize=8, ncol=4, loc="upper left")
    bottom.legend(fontsize=8, ncol=4, loc="lower left")
    for ax in (top, bottom):
        ax.grid(alpha=0.3)
    return (
        "Demand and the 10-second rate",
        "Offered calls by channel in each 15-minute interval, and the share of answered 999 "
        "calls answered within 10 seconds, pooled over replications, by 15-minute interval "
        "(thin) and by hour (thick), against the 90% standard.",
        save_figure(fig, path, dpi=100),
    )


def heatmap(run: RunData, path: Path) -> Figure | None:
    """Weekday × hour of the 10-second rate."""
    if run.intervals is None or not len(run.intervals):
        return None
    table = run.intervals[run.intervals["channel"] == "999"].copy()
    table["hour"] = table["time"].str.slice(0, 2).astype(int)
    rate = _pooled(table, ["weekday", "hour"], "answered_within_10s", "answered")
    grid = np.full((7, 24), np.nan)
    for (day, hour), value in rate.items():
        grid[WEEKDAYS.index(str(day)), int(hour)] = value
    fig, ax = plt.subplots(figsize=(12, 3.6))
    image = ax.imshow(grid, aspect="auto", cmap="RdYlGn", vmin=0.5, vmax=1.0)
    ax.set_yticks(range(7), [d.title() for d in WEEKDAYS])
    ax.set_xticks(range(24), [f"{h:02d}" for h in range(24)])
    ax.set_xlabel("hour of day")
    for d in range(7):
        for h in range(24):
            if not np.isnan(grid[d, h]):
                ax.text(h, d, f"{100 * grid[d, h]:.0f}", ha="center", va="center", fontsize=7)
    fig.colorbar(image, ax=ax, label="999 answered within 10 s")
    return (
        f"When the standard is missed: {run.name}",
        "The share of answered 999 calls answered within 10 seconds by weekday and hour "
        "(percent, pooled over replications and weeks); red is far below the 90% standard.",
        save_figure(fig, path, dpi=100),
    )


def answer_times(runs: list[RunData], path: Path) -> Figure | None:
    """The 999 answer-time distribution against the Home Office bands."""
    series = [(r.name, r.answer_times("999")) for r in runs]
    series = [(n, s) for n, s in series if s is not None and len(s)]
    if not series:
        return None
    fig, ax = plt.subplots(figsize=(12, 4))
    top = max(120.0, float(max(np.quantile(s, 0.99) for _, s in series)))
    bins = np.arange(0, top + 2, 2.0)
    for name, times in series:
        within = (times < 10).mean()
        middle = ((times >= 10) & (times < 60)).mean()
        late = (times >= 60).mean()
        label = f"{name}: {within:.1%} under 10 s, {middle:.1%} 10-59 s, {late:.1%} 60 s+"
        ax.hist(times.clip(upper=top), bins=bins, histtype="step", density=True, label=label)
    ax.axvspan(0, 10, color="green", alpha=0.08)
    ax.axvspan(10, 60, color="orange", alpha=0.08)
    ax.axvspan(60, top, color="red", alpha=0.06)
    ax.set_xlabel("answer time of answered 999 calls, seconds (the last bin holds all longer)")
    ax.set_ylabel("density")
    legend(ax, fontsize=8)
    return (
        "999 answer times and the Home Office bands",
        "Answer times of answered 999 calls over every replication, with the three bands the "
        "Home Office publishes: under 10 seconds, 10 to 59 seconds, 60 seconds or more.",
        save_figure(fig, path, dpi=100),
    )


def abandonment(runs: list[RunData], path: Path) -> Figure | None:
    """Abandonment by hour of day per channel, and the callback KPIs."""
    runs = [r for r in runs if r.intervals is not None and len(r.intervals)]
    if not runs:
        return None
    fig, ax = plt.subplots(figsize=(12, 4))
    for run in runs:
        table = run.intervals.copy()
        table["hour"] = table["time"].str.slice(0, 2).astype(int)
        for channel in sorted(table["channel"].unique()):
            own = table[table["channel"] == channel]
            rate = _pooled(own, ["hour"], "abandoned", "offered")
            label = f"{channel}" + (f" ({run.name})" if len(runs) > 1 else "")
            ax.plot(rate.index, rate.to_numpy(), marker="o", markersize=3, label=label)
    notes = []
    for run in runs:
        by = run.summary.set_index("kpi")["mean"]
        if "callback_requested_rate_101" in by:
            asked = format_value("callback_requested_rate_101", by["callback_requested_rate_101"])
            reached = format_value(
                "callback_success_rate_101", by.get("callback_success_rate_101", float("nan"))
            )
            notes.append(
                f"{run.name}: callbacks asked for by {asked} of 101 callers, {reached} reached"
            )
    if notes:
        ax.set_title("; ".join(notes), fontsize=9)
    ax.set_xticks(range(24))
    ax.set_xlabel("hour of day")
    ax.set_ylabel("abandoned / offered")
    ax.grid(alpha=0.3)
    legend(ax, fontsize=8)
    return (
        "Callers who gave up, and callbacks",
        "The share of offered calls abandoned by hour of day, per channel, pooled over "
        "replications and days; the title gives the 101 callback figures.",
        save_figure(fig, path, dpi=100),
    )


GRADES = ("emergency", "priority", "scheduled")


def measured_incidents(run: RunData) -> pd.DataFrame | None:
    """The incidents raised inside the measured window (as the KPIs cut them)."""
    if run.incidents is None or not len(run.incidents):
        return None
    made = run.incidents["call_s"]
    return run.incidents[(made >= run.warmup_s) & (made < run.horizon_s)]


def attendance_shares(run: RunData) -> dict[str, float]:
    """``attendance_within_target_<grade>`` as the KPI defines it, for each grade with a
    target: per replication, the share of the grade's measured incidents with an officer on
    scene by the incident's own due time (``due_s``: the call plus the incident's
    ``target_s``, urban or rural, or the appointment plus it), unattended ones counted late;
    then the mean over replications."""
    measured = measured_incidents(run)
    if measured is None:
        return {}
    out = {}
    for grade in GRADES:
        own = measured[measured["grade"] == grade]
        if not np.isfinite(own["target_s"].to_numpy(dtype=float)).any():
            continue
        on_time = (own["arrived_s"] <= own["due_s"]).astype(float)
        by = own["replication"] if "replication" in own else pd.Series(0, index=own.index)
        out[grade] = float(on_time.groupby(by.to_numpy()).mean().mean())
    return out


def _target_groups(own: pd.DataFrame) -> list[tuple[str, float, pd.DataFrame]]:
    """The incidents of a grade by their target from the call (minutes), each with a label
    ("urban target 15 min"); incidents due at an appointment are left out."""
    from_call = own[own["appointment_s"].isna()] if "appointment_s" in own else own
    groups = []
    for target_s, group in from_call.groupby("target_s"):
        if not np.isfinite(target_s):
            continue
        kinds = set(group["rural"]) if "rural" in group else set()
        kind = {frozenset({True}): "rural ", frozenset({False}): "urban "}.get(frozenset(kinds), "")
        groups.append((f"{kind}target {target_s / 60:g} min", target_s / 60.0, group))
    return groups


def _attendance_panel(ax: plt.Axes, own: pd.DataFrame, grade: str, share: float | None) -> None:
    minutes = ((own["arrived_s"] - own["call_s"]) / 60.0).dropna()
    top = float(np.quantile(minutes, 0.98)) if len(minutes) else 1.0
    groups = _target_groups(own)
    colours = ["#4477aa", "#ee7733", "#228833", "#aa3377"]
    if len(groups) > 1:  # each target against its own incidents
        data = [
            ((g["arrived_s"] - g["call_s"]) / 60.0).dropna().clip(upper=top) for *_, g in groups
        ]
        ax.hist(
            data, bins=40, stacked=True, color=colours[: len(data)], label=[n for n, *_ in groups]
        )
    elif len(minutes):
        ax.hist(minutes.clip(upper=top), bins=40, color=colours[0])
    for i, (name, target, _) in enumerate(groups):
        colour = colours[i % len(colours)] if len(groups) > 1 else "red"
        label = name if len(groups) == 1 else None  # else the bars' colour names it
        ax.axvline(target, color=colour, linestyle="--", linewidth=1.4, label=label)
    title = grade if share is None else f"{grade}: {share:.1%} within target"
    ax.set_title(title, fontsize=10)
    if groups:
        legend(ax, fontsize=7)
    ax.set_xlabel("minutes from the call to an officer on scene")


def attendance(runs: list[RunData], path: Path) -> Figure | None:
    """Attendance time by grade against each incident's own target."""
    runs = [r for r in runs if measured_incidents(r) is not None]
    if not runs:
        return None
    run = runs[0]
    measured = measured_incidents(run)
    grades = [g for g in GRADES if (measured["grade"] == g).any()]
    if not grades:
        return None
    shares = attendance_shares(run)
    fig, axes = plt.subplots(1, len(grades), figsize=(4 * len(grades), 3.6), squeeze=False)
    for ax, grade in zip(axes[0], grades, strict=True):
        _attendance_panel(ax, measured[measured["grade"] == grade], grade, shares.get(grade))
    within = ", ".join(
        f"{g} {format_value('attendance_within_target', v)}" for g, v in shares.items()
    )
    if within:
        within = (
            " Within target, as in the KPI table (each incident against its own due time, "
            f"unattended incidents late): {within}."
        )
    return (
        f"Attendance by grade: {run.name}",
        "Minutes from the call to an officer on scene for attended incidents (the last bin "
        "holds the slowest 2%), stacked by the target that applies to each incident (urban "
        f"or rural), with the targets as dashed lines.{within}",
        save_figure(fig, path, dpi=100),
    )


def backlog(runs: list[RunData], path: Path) -> Figure | None:
    """Incidents waiting for an officer over the measured horizon."""
    return _level(
        runs,
        path,
        "incidents_waiting",
        "incidents waiting (mean)",
        "The dispatch backlog",
        "Incidents waiting for an officer",
    )


def digital_backlog(runs: list[RunData], path: Path) -> Figure | None:
    """Digital items arrived and not done over the measured horizon (``[digital]``)."""
    return _level(
        runs,
        path,
        "digital_backlog",
        "digital items not done (mean)",
        "The digital backlog",
        "Digital items (online reports, e-mails, chats) arrived and not yet done",
    )


def _level(
    runs: list[RunData], path: Path, column: str, ylabel: str, title: str, what: str
) -> Figure | None:
    """A level of the interval table (the same on every channel's row) over the horizon."""
    runs = [r for r in runs if r.intervals is not None and column in r.intervals]
    if not runs:
        return None
    fig, ax = plt.subplots(figsize=(12, 3.6))
    for run in runs:
        table = run.intervals[run.intervals["channel"] == run.intervals["channel"].iloc[0]]
        mean = table.groupby("interval")[column].mean()
        hours = interval_clock(table)["hours"]
        ax.step(hours.loc[mean.index], mean, where="post", label=run.name)
    weekday_ticks(ax, interval_clock(runs[0].intervals))
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    legend(ax, fontsize=8)
    return (
        title,
        f"{what}, time-averaged in each 15-minute interval and averaged over replications.",
        save_figure(fig, path, dpi=100),
    )


COMPARED = (
    "answered_within_10s_999",
    "answered_60s_plus_999",
    "abandon_rate_999",
    "abandon_rate_101",
    "mean_answer_s_101",
    "handler_occupancy",
    "attendance_within_target_emergency",
    "attendance_within_target_priority",
)


def comparison(results: Results, path: Path) -> Figure | None:
    """Headline KPIs per scenario with their 95% CIs."""
    if len(results.runs) < 2 or results.kind == "sweep":  # a sweep has its own figure
        return None
    summary = results.summary
    kpis = [k for k in COMPARED if k in set(summary["kpi"])]
    if not kpis:
        return None
    names = [r.name for r in results.runs]
    cols = 4
    rows = -(-len(kpis) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(12, 2.8 * rows), squeeze=False)
    for ax, kpi in zip(axes.flat, kpis, strict=False):
        own = summary[summary["kpi"] == kpi].set_index("scenario").reindex(names)
        mean = own["mean"].to_numpy(dtype=float)
        low = mean - own["ci_low"].to_numpy(dtype=float)
        high = own["ci_high"].to_numpy(dtype=float) - mean
        ax.errorbar(range(len(names)), mean, yerr=[low, high], fmt="o", capsize=4)
        ax.set_xticks(range(len(names)), names, rotation=30, ha="right", fontsize=7)
        ax.set_title(kpi, fontsize=8)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(kpis) :]:
        ax.axis("off")
    fig.tight_layout()
    return (
        "Scenarios side by side",
        "Each headline KPI per scenario: the mean over replications with its own 95% "
        "confidence interval. Whether a variant differs from the baseline is read from the "
        "paired differences above, not from whether these bars overlap.",
        save_figure(fig, path, dpi=100),
    )


def draw_all(results: Results, folder: Path) -> list[Figure]:
    """Every figure the folder's tables allow, saved as PNG in ``folder``."""
    runs = results.runs
    steps: list[Callable[[], Figure | None]] = [
        lambda: sweep_figure(results, folder / "sweep.png"),
        lambda: comparison(results, folder / "comparison.png"),
        lambda: service_level(runs, folder / "service_level.png"),
        lambda: heatmap(runs[0], folder / "heatmap_10s.png"),
        lambda: answer_times(runs, folder / "answer_times.png"),
        lambda: abandonment(runs, folder / "abandonment.png"),
        lambda: attendance(runs, folder / "attendance.png"),
        lambda: backlog(runs, folder / "backlog.png"),
        lambda: digital_backlog(runs, folder / "digital_backlog.png"),
    ]
    return [f for f in (step() for step in steps) if f is not None]
