"""The figures a comparison leads with, one pair per variant: its paired differences from the
baseline with their 95% CIs (a forest plot), and where in the week it moves the 10-second rate
(a heatmap of variant minus baseline by weekday and hour)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm

from ..config.vocabulary import WEEKDAYS
from .plots import save_figure

if TYPE_CHECKING:
    from .report_data import Results, RunData

Figure = tuple[str, str, Path]

FOREST = (
    (
        "shares: difference in percentage points",
        100.0,
        "pp",
        (
            ("answered_within_10s_999", "999 answered within 10 s"),
            ("answered_60s_plus_999", "999 answered at 60 s or later"),
            ("abandon_rate_999", "999 callers who gave up"),
            ("answered_within_60s_101", "101 answered within 60 s"),
            ("abandon_rate_101", "101 callers who gave up"),
            ("handler_occupancy", "handler occupancy"),
            ("attendance_within_target_emergency", "emergencies attended in target"),
            ("attendance_within_target_priority", "priority incidents attended in target"),
            ("officer_utilisation", "officer utilisation"),
        ),
    ),
    (
        "answer times: difference in seconds",
        1.0,
        "s",
        (
            ("mean_answer_s_999", "999 mean answer time"),
            ("p90_answer_s_999", "999 answer time, 90th percentile"),
            ("mean_answer_s_101", "101 mean answer time"),
        ),
    ),
    (
        "attendance: difference in minutes",
        1.0,
        "min",
        (
            ("mean_attendance_min_emergency", "emergency mean attendance"),
            ("mean_attendance_min_priority", "priority mean attendance"),
        ),
    ),
)
"""The forest plot's panels: a title, the scale to its unit, the unit, and its KPIs in words."""


def forest_rows(differences: pd.DataFrame, variant: str) -> list[tuple[str, str, pd.DataFrame]]:
    """Per panel of :data:`FOREST` that has a KPI in ``differences``: its title, unit, and rows
    (``kpi``, ``words``, ``diff``, ``ci_low``, ``ci_high`` in the panel's unit)."""
    own = differences[differences["scenario"] == variant].set_index("kpi")
    panels = []
    for title, scale, unit, kpis in FOREST:
        rows = [
            {
                "kpi": kpi,
                "words": words,
                **{c: float(own.loc[kpi, c]) * scale for c in ("diff", "ci_low", "ci_high")},
            }
            for kpi, words in kpis
            if kpi in own.index and not math.isnan(float(own.loc[kpi, "diff"]))
        ]
        if rows:
            panels.append((title, unit, pd.DataFrame(rows)))
    return panels


def _signed(value: float) -> str:
    """``+1.2`` or ``-1.2``; a value that rounds to zero is ``+0.0``, never ``-0.0``."""
    return f"{round(float(value), 1) + 0.0:+.1f}"


def _forest_panel(ax: plt.Axes, title: str, unit: str, rows: pd.DataFrame) -> None:
    y = np.arange(len(rows))[::-1]
    diff = rows["diff"].to_numpy()
    low, high = rows["ci_low"].to_numpy(), rows["ci_high"].to_numpy()
    clear = (low > 0) | (high < 0)  # the paired CI leaves out zero
    for i in range(len(rows)):
        colour = "#1b1b1b" if clear[i] else "#999999"
        err = None if math.isnan(low[i]) else [[diff[i] - low[i]], [high[i] - diff[i]]]
        ax.errorbar(diff[i], y[i], xerr=err, fmt="o", color=colour, capsize=4, markersize=5)
        interval = "" if math.isnan(low[i]) else f" ({_signed(low[i])} to {_signed(high[i])})"
        ax.text(
            1.02,
            y[i],
            f"{_signed(diff[i])} {unit}{interval}",
            transform=ax.get_yaxis_transform(),
            va="center",
            fontsize=8,
            color=colour,
        )
    ax.axvline(0.0, color="#c0392b", linewidth=1.0)
    reach = np.nanmax(np.abs(np.concatenate([diff, low, high])))
    reach = 1.0 if not np.isfinite(reach) or reach == 0 else reach * 1.15
    ax.set_xlim(-reach, reach)
    ax.set_yticks(y, rows["words"], fontsize=9)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_title(title, fontsize=9, loc="left")
    ax.grid(axis="x", alpha=0.3)


def forest(results: Results, variant: str, path: Path) -> Figure | None:
    """The variant's paired differences from the baseline, one row per headline KPI."""
    if results.differences is None:
        return None
    panels = forest_rows(results.differences, variant)
    if not panels:
        return None
    baseline = str(results.differences["baseline"].iloc[0])
    heights = [len(rows) + 1.2 for *_, rows in panels]
    fig, axes = plt.subplots(
        len(panels),
        1,
        figsize=(6.6, 0.32 * sum(heights) + 0.4),
        gridspec_kw={"height_ratios": heights},
        squeeze=False,
    )
    for ax, (title, unit, rows) in zip(axes[:, 0], panels, strict=True):
        _forest_panel(ax, title, unit, rows)
    fig.tight_layout()
    return (
        f"What {variant} changes against {baseline}",
        f"{variant} minus {baseline}, per headline KPI: the point is the mean paired "
        "difference over replications (the same callers in both), the bar its paired 95% "
        "confidence interval, the red line no change. Black: the interval leaves out zero; "
        "grey: it does not. Shares are in percentage points.",
        save_figure(fig, path, dpi=100),
    )


def weekday_hour_rate(run: RunData) -> pd.DataFrame | None:
    """The 10-second rate of 999 calls by weekday (rows, Monday first) and hour (columns
    0-23): per replication, answered within 10 s over answered in the hour's intervals (all
    weeks), then the mean over replications; NaN where no call was answered."""
    if run.intervals is None or not len(run.intervals):
        return None
    table = run.intervals[run.intervals["channel"].astype(str) == "999"]
    if not len(table):
        return None
    keys = {
        "replication": table.get("replication", 0),
        "weekday": table["weekday"].astype(str),
        "hour": table["time"].astype(str).str.slice(0, 2).astype(int),
    }
    frame = pd.DataFrame({**keys, "within": table["answered_within_10s"], "n": table["answered"]})
    sums = frame.groupby(["replication", "weekday", "hour"])[["within", "n"]].sum()
    rate = (sums["within"] / sums["n"].where(sums["n"] > 0)).rename("rate").reset_index()
    grid = rate.pivot_table(index="weekday", columns="hour", values="rate", aggfunc="mean")
    return grid.reindex(index=list(WEEKDAYS), columns=range(24)).astype(float)


def difference_heatmap(base: RunData, other: RunData, path: Path) -> Figure | None:
    """``other`` minus ``base``: the 10-second rate by weekday and hour, in percentage points."""
    before, after = weekday_hour_rate(base), weekday_hour_rate(other)
    if before is None or after is None:
        return None
    grid = 100.0 * (after - before).to_numpy()
    if np.isnan(grid).all():
        return None
    reach = max(float(np.nanmax(np.abs(grid))), 0.5)
    fig, ax = plt.subplots(figsize=(12, 3.6))
    norm = TwoSlopeNorm(vcenter=0.0, vmin=-reach, vmax=reach)
    image = ax.imshow(grid, aspect="auto", cmap="RdBu", norm=norm)
    ax.set_yticks(range(7), [d.title() for d in WEEKDAYS])
    ax.set_xticks(range(24), [f"{h:02d}" for h in range(24)])
    ax.set_xlabel("hour of day")
    for d, h in zip(*np.nonzero(~np.isnan(grid)), strict=True):
        dark = abs(grid[d, h]) > 0.6 * reach
        shown = round(float(grid[d, h]))
        ax.text(
            h,
            d,
            f"{shown:+d}" if shown else "0",
            ha="center",
            va="center",
            fontsize=7,
            color="white" if dark else "black",
        )
    fig.colorbar(image, ax=ax, label="difference, percentage points")
    return (
        f"Where in the week {other.name} moves the 10-second rate",
        f"The share of answered 999 calls answered within 10 seconds, {other.name} minus "
        f"{base.name}, by weekday and hour, in percentage points (per replication pooled over "
        "the hour's intervals, then the mean over replications). Blue: more calls answered "
        "within 10 seconds than in the baseline; red: fewer; white: no change; blank: no "
        "measured hour.",
        save_figure(fig, path, dpi=100),
    )


def draw_lead(results: Results, folder: Path) -> dict[str, list[Figure]]:
    """Each variant's forest plot and difference heatmap, saved as PNG in ``folder``."""
    if results.kind != "compare" or len(results.runs) < 2:
        return {}
    base = results.runs[0]
    out = {}
    for k, run in enumerate(results.runs[1:], start=1):
        drawn = [
            forest(results, run.name, folder / f"differences_{k:02d}.png"),
            difference_heatmap(base, run, folder / f"difference_heatmap_{k:02d}.png"),
        ]
        out[run.name] = [f for f in drawn if f is not None]
    return out
