"""The fit report's figures (matplotlib, saved as PNG): the weekly profile observed and fitted,
talk times against the chosen fit (histogram and QQ plot), the patience survival curve against
the fits, and the back-test hour by hour."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np

from ..config.vocabulary import WEEKDAYS
from ..fitting.backtest import Backtest
from ..fitting.fit import Fit
from ..fitting.frozen import candidate_distribution, frozen, quantiles
from .plots import legend, save_figure

Figure = tuple[str, str, Path]
"""A drawn figure: its title, caption and PNG."""
COLOURS = {"999": "#c0392b", "101": "#1f5fa8"}


def profile_figure(fit: Fit, path: Path) -> Figure:
    """Per channel, calls an hour over the week: each observed week (thin) and the fitted
    profile (bold)."""
    channels = list(fit.channels)
    fig, axes = plt.subplots(len(channels), 1, figsize=(12, 2.8 * len(channels)), squeeze=False)
    grid = fit.grid
    hour_of_week = grid.index // 4
    week_number = (np.asarray([(d - grid.first_day).days for d in grid.dates]) + 0) // 7
    for ax, channel in zip(axes[:, 0], channels, strict=True):
        arrivals = fit.channels[channel].arrivals
        ordinary = ~grid.holiday
        for week in np.unique(week_number):
            mine = ordinary & (week_number == week)
            hourly = np.bincount(
                hour_of_week[mine], weights=arrivals.per_interval[mine], minlength=168
            )
            seen = np.bincount(hour_of_week[mine], minlength=168)
            values = np.where(seen > 0, hourly / np.maximum(seen, 1) * 4, np.nan)
            ax.plot(np.arange(168) + 0.5, values, color="#999", linewidth=0.6, alpha=0.6)
        fitted = arrivals.weights.reshape(168, 4).sum(axis=1)
        ax.plot(np.arange(168) + 0.5, fitted, color=COLOURS.get(channel, "k"), linewidth=2)
        ax.set_title(f"{channel}: calls an hour, each observed week (grey) and fitted (bold)")
        ax.set_xlim(0, 168)
        ax.set_xticks(np.arange(0, 169, 24))
        ax.set_xticklabels([d[:3].title() for d in WEEKDAYS] + [""], ha="left")
        ax.grid(True, axis="x", alpha=0.4)
        ax.set_ylabel("calls an hour")
    fig.tight_layout()
    save_figure(fig, path)
    return (
        "Weekly profile, observed and fitted",
        "Calls an hour by weekday and time of day in the force's local time. Grey: each "
        "observed week (bank holidays left out); bold: the fitted profile, the mean over the "
        "weeks each hour was observed.",
        path,
    )


def talk_figure(fit: Fit, path: Path) -> Figure | None:
    """Per channel, the talk-time histogram with the chosen fit's density, and its QQ plot."""
    channels = [c for c, f in fit.channels.items() if f.talk is not None]
    if not channels:
        return None
    fig, axes = plt.subplots(len(channels), 2, figsize=(12, 3.2 * len(channels)), squeeze=False)
    calls = fit.export.calls
    for (hist, qq), channel in zip(axes, channels, strict=True):
        talk = fit.channels[channel].talk
        values = (
            calls.loc[(calls["channel"] == channel) & (calls["outcome"] == "answered"), "talk_s"]
            .dropna()
            .to_numpy()
        )
        top = float(np.quantile(values, 0.995))
        hist.hist(values[values <= top], bins=60, density=True, color="#ccc")
        scipy_dist = frozen(talk.distribution)
        x = np.linspace(0, top, 300)
        if scipy_dist is not None:
            hist.plot(x, scipy_dist.pdf(x), color=COLOURS.get(channel, "k"), linewidth=2)
        hist.set_title(f"{channel} talk time: {talk.distribution.describe()}")
        hist.set_xlabel("seconds")
        probabilities = (np.arange(1, 200) - 0.5) / 199
        theory = quantiles(talk.distribution, probabilities)
        data = np.quantile(values, probabilities)
        qq.plot(theory, data, ".", color=COLOURS.get(channel, "k"), markersize=3)
        edge = float(max(theory.max(), data.max()))
        qq.plot([0, edge], [0, edge], color="#666", linewidth=0.8)
        qq.set_title(f"{channel} talk time: QQ plot against the fit")
        qq.set_xlabel("fitted quantile (s)")
        qq.set_ylabel("observed quantile (s)")
    fig.tight_layout()
    save_figure(fig, path)
    return (
        "Talk time against the chosen fit",
        "Left: the answered calls' talk times (grey, the top 0.5% not drawn) and the chosen "
        "distribution's density. Right: observed against fitted quantiles; on the diagonal "
        "where the fit is right.",
        path,
    )


def patience_figure(fit: Fit, path: Path) -> Figure | None:
    """Per channel, the Kaplan-Meier survival of patience with its interval, and the fits."""
    channels = [
        c for c, f in fit.channels.items() if f.patience is not None and f.patience.km is not None
    ]
    if not channels:
        return None
    fig, axes = plt.subplots(1, len(channels), figsize=(12, 3.6), squeeze=False)
    for ax, channel in zip(axes[0], channels, strict=True):
        patience = fit.channels[channel].patience
        km = patience.km
        times = np.asarray(km.times, dtype=float)
        low = np.asarray([np.nan if v is None else v for v in km.ci_low], dtype=float)
        high = np.asarray([np.nan if v is None else v for v in km.ci_high], dtype=float)
        ax.fill_between(
            times, low, high, step="post", color="#bbb", alpha=0.5, label="95% interval"
        )
        ax.step(times, km.survival, where="post", color="k", label="Kaplan-Meier")
        x = np.linspace(0, float(times.max()) if len(times) else 1.0, 300)
        chosen = patience.fit
        for candidate in chosen.candidates if chosen is not None else []:
            scipy_dist = frozen(candidate_distribution(candidate))
            if scipy_dist is None:
                continue
            bold = candidate.name == chosen.chosen
            ax.plot(
                x,
                scipy_dist.sf(x),
                linewidth=2 if bold else 1,
                linestyle="-" if bold else "--",
                label=f"{candidate.name}{' (chosen)' if bold else ''}",
            )
        ax.set_ylim(0, 1.02)
        ax.set_title(f"{channel}: callers still willing to wait")
        ax.set_xlabel("seconds waited")
        legend(ax, fontsize=8)
    fig.tight_layout()
    save_figure(fig, path)
    return (
        "Patience: survival curve against the fits",
        "The share of callers who would still be waiting after t seconds: Kaplan-Meier from "
        "the waits of abandoned callers (their patience) and answered callers (a lower bound of "
        "theirs), with its 95% interval, and each distribution fitted by censored maximum "
        "likelihood.",
        path,
    )


def backtest_figure(backtest: Backtest, path: Path) -> Figure | None:
    """The hourly 10-second rate and abandonment, observed against simulated."""
    hourly = backtest.hourly
    panels = [("answered_within_10s", "999"), ("abandon_rate", "101"), ("offered", "999")]
    panels = [p for p in panels if ((hourly["kpi"] == p[0]) & (hourly["channel"] == p[1])).any()]
    if not panels:
        return None
    fig, axes = plt.subplots(len(panels), 1, figsize=(12, 2.6 * len(panels)), squeeze=False)
    for ax, (kpi, channel) in zip(axes[:, 0], panels, strict=True):
        rows = hourly[(hourly["kpi"] == kpi) & (hourly["channel"] == channel)]
        hours = rows["period"].to_numpy() - 0.5
        ax.fill_between(
            hours,
            rows["range_low"],
            rows["range_high"],
            color="#bbb",
            alpha=0.6,
            label="simulated: where 95% of replications fall",
        )
        ax.plot(hours, rows["simulated"], color=COLOURS[channel], label="simulated mean")
        ax.plot(hours, rows["observed"], color="k", linewidth=0.9, label="observed")
        ax.set_title(f"{kpi}_{channel}, hour by hour")
        ax.set_xlim(0, backtest.days * 24)
        ticks = np.arange(0, backtest.days * 24 + 1, 24)
        ax.set_xticks(ticks)
        first = np.datetime64(backtest.first_day)
        ax.set_xticklabels(
            [str(first + np.timedelta64(int(t // 24), "D"))[5:] for t in ticks], ha="left"
        )
        ax.grid(True, axis="x", alpha=0.4)
    # One legend above the panels, where it hides no hour.
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncols=3, fontsize=9, frameon=False)
    axes[-1, 0].set_xlabel("day (month-day), from 00:00 local time")
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.35 / (2.6 * len(panels))))
    save_figure(fig, path)
    return (
        f"Back-test ({backtest.kind})",
        "Observed (black) against the fitted scenario simulated over the same days: its mean "
        "(colour) and where one replication falls with 95% chance (grey: the prediction interval).",
        path,
    )


def staff_figure(fit: Fit, backtest: Backtest, path: Path) -> Figure | None:
    """Handlers answering calls in the export (a lower bound of staff on duty) beside the
    handlers on duty in the back-test's simulation, over the week."""
    if fit.handlers_answering is None:
        return None
    fig, ax = plt.subplots(figsize=(12, 3.2))
    hours = np.arange(len(fit.handlers_answering)) / 4
    ax.step(
        hours,
        fit.handlers_answering,
        where="post",
        color="k",
        linewidth=1,
        label="distinct handlers answering in the export (at least this many on duty)",
    )
    ax.step(
        hours,
        backtest.on_duty,
        where="post",
        color=COLOURS["101"],
        linewidth=1.4,
        label=f"handlers on duty in the simulation ({backtest.rota})",
    )
    ax.set_xlim(0, 168)
    ax.set_xticks(np.arange(0, 169, 24))
    ax.set_xticklabels([d[:3].title() for d in WEEKDAYS] + [""], ha="left")
    ax.grid(True, axis="x", alpha=0.4)
    ax.set_ylabel("handlers")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    save_figure(fig, path)
    return (
        "Staff: handlers answering against handlers on duty",
        "Black: how many different handlers answered a call in each quarter hour, averaged over "
        "the weeks (a lower bound of the staff on duty: someone on duty who answered nothing is "
        "not counted). Blue: the handlers on duty in the back-test's simulation, breaks taken "
        "out. Blue well below black means the simulated rota is thinner than the force's was.",
        path,
    )
