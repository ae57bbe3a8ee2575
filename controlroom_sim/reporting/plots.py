"""Figures (matplotlib, saved as PNG): the model never plots; these read its tables."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..config.vocabulary import INTERVALS_PER_WEEK, WEEKDAYS
from ..experiments.run_folder import write_atomic

_HOURS = np.arange(INTERVALS_PER_WEEK + 1) / 4.0


def _week_axis(ax: plt.Axes) -> None:
    ax.set_xlim(0, 168)
    ax.set_xticks(np.arange(0, 169, 24))
    ax.set_xticks(np.arange(0, 169, 6), minor=True)
    ax.set_xticklabels([d[:3].title() for d in WEEKDAYS] + [""], ha="left")
    ax.grid(True, which="major", axis="x", alpha=0.4)


def _steps(ax: plt.Axes, values: np.ndarray, **kwargs: object) -> None:
    ax.stairs(np.asarray(values, dtype=float), _HOURS, **kwargs)


def interval_clock(table: pd.DataFrame) -> pd.DataFrame:
    """One row per interval of an interval table (indexed by ``interval``): its start in hours
    from the start of the measured horizon (``hours``), ``weekday``, ``time`` and ``day``."""
    first = table.groupby("interval", observed=True)[["start_s", "weekday", "time", "day"]].first()
    hours = (first["start_s"] - float(first["start_s"].min())) / 3600.0
    return first.drop(columns="start_s").assign(hours=hours)


def weekday_ticks(ax: plt.Axes, clock: pd.DataFrame) -> None:
    """Label a time axis in hours from the start of the measured horizon (``clock`` from
    :func:`interval_clock`) by weekday and time: "Mon 00:00", "Mon 12:00", ... every 6 hours
    over up to 3 days, 12 over up to 8, a day over up to 31 (with the day's number), and
    Mondays beyond that."""
    if not len(clock):
        return
    hours = clock["hours"].to_numpy(dtype=float)
    times = clock["time"].astype(str).to_numpy()
    days = (hours[-1] - hours[0]) / 24.0
    if days <= 3:
        chosen = np.isin(times, ["00:00", "06:00", "12:00", "18:00"])
    elif days <= 8:
        chosen = np.isin(times, ["00:00", "12:00"])
    elif days <= 31:
        chosen = times == "00:00"
    else:
        chosen = (times == "00:00") & (clock["weekday"].astype(str).to_numpy() == WEEKDAYS[0])
        picked = np.flatnonzero(chosen)
        chosen = np.zeros(len(times), dtype=bool)
        chosen[picked[:: max(1, -(-len(picked) // 12))]] = True
    rows = clock[chosen]
    labels = [
        f"{str(d)[:3].title()} {t}" for d, t in zip(rows["weekday"], rows["time"], strict=True)
    ]
    if days > 8:
        labels = [f"{label}\nday {day}" for label, day in zip(labels, rows["day"], strict=True)]
    ax.set_xticks(rows["hours"].to_numpy(dtype=float), labels, fontsize=8)
    ax.set_xlim(hours[0], hours[-1] + 0.25)
    ax.set_xlabel("weekday and time")


def legend(ax: plt.Axes, **kwargs: object) -> None:
    """The axes' legend where it covers least (matplotlib's ``loc="best"``), without the
    warning matplotlib gives when finding that place is slow on a busy machine."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Creating legend with loc=", category=UserWarning)
        ax.legend(**kwargs)  # type: ignore[arg-type]


def save_figure(fig: plt.Figure, path: Path, dpi: int = 110) -> Path:
    """Write ``fig`` as a PNG atomically and close it."""
    write_atomic(path, lambda tmp: fig.savefig(tmp, format="png", dpi=dpi, bbox_inches="tight"))
    plt.close(fig)
    return path


def requirement_figure(
    demand: pd.DataFrame,
    requirements: Mapping[str, np.ndarray],
    coverage: Mapping[str, np.ndarray],
    path: Path,
    title: str = "",
) -> None:
    """Offered calls per 15 minutes (top); handlers required and rostered (bottom)."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(12, 6.5), sharex=True)
    for column in [c for c in demand.columns if c.startswith("offered_")]:
        _steps(top, demand[column].to_numpy()[:INTERVALS_PER_WEEK], label=column[8:] + " calls")
    top.set_ylabel("calls offered per 15 min")
    top.legend(loc="upper left", fontsize=8)
    styles = ["-", "--", ":", "-."]
    for i, (name, values) in enumerate(requirements.items()):
        _steps(
            bottom,
            values,
            label=f"{name}",
            color="black",
            linestyle=styles[i % 4],
            linewidth=1.4 if i == 0 else 1.0,
        )
    for name, values in coverage.items():
        _steps(bottom, values, label=f"rostered: {name}", linewidth=1.0, alpha=0.85)
    bottom.set_ylabel("handlers taking calls")
    bottom.legend(loc="upper left", fontsize=8, ncol=2)
    for ax in (top, bottom):
        _week_axis(ax)
    if title:
        fig.suptitle(title)
    save_figure(fig, path)


def service_level_figure(
    checks: Mapping[str, pd.DataFrame], targets: Sequence[object], path: Path
) -> None:
    """Each target's estimate by interval of the week, per rota, with the target line."""
    fig, axes = plt.subplots(len(targets), 1, figsize=(12, 3.2 * len(targets)), squeeze=False)
    for ax, target in zip(axes[:, 0], targets, strict=True):
        for name, table in checks.items():
            own = table[table["kpi"] == target.kpi]
            values = np.full(INTERVALS_PER_WEEK, np.nan)
            values[own["position"].to_numpy()] = own["estimate"].to_numpy()
            _steps(ax, values, label=name, linewidth=0.9)
        ax.axhline(
            target.value,
            color="red",
            linestyle="--",
            linewidth=1.0,
            label=f"target {target.value:g}",
        )
        ax.set_ylabel(target.kpi)
        ax.legend(loc="lower left", fontsize=8, ncol=3)
        _week_axis(ax)
    save_figure(fig, path)
