"""The fit's report (``report.html`` in the fit's folder): self-contained like the run report
(figures embedded as PNG and saved in ``report/`` beside it, inline style, no links out).

What a reviewer needs to trust a fitted scenario: the fitted values with their uncertainty and
method, each candidate distribution's goodness of fit, the observed weekly profile beside the
fitted one, the talk-time histogram and QQ plot against the chosen fit, the patience survival
curve (Kaplan-Meier, with its interval) against the fitted ones, the rows not used by reason,
bank holidays, and the back-test hour by hour and week by week.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np

from ..config.vocabulary import WEEKDAYS
from ..experiments.files import write_atomic
from ..fitting.backtest import Backtest
from ..fitting.fit import Fit
from ..fitting.frozen import candidate_distribution, frozen, quantiles
from .display import format_value
from .page_parts import esc, figure, scroll_box
from .plots import save_figure
from .report import _STYLE

Figure = tuple[str, str, Path]
COLOURS = {"999": "#c0392b", "101": "#1f5fa8"}


def write_fit_page(path: Path, fit: Fit, backtest: Backtest, document: dict[str, Any]) -> Path:
    """Draw the figures into ``report/`` beside ``path`` and write the page."""
    images = path.parent / "report"
    images.mkdir(parents=True, exist_ok=True)
    figures = [
        f
        for f in (
            profile_figure(fit, images / "profile.png"),
            talk_figure(fit, images / "talk.png"),
            patience_figure(fit, images / "patience.png"),
            backtest_figure(backtest, images / "backtest.png"),
        )
        if f is not None
    ]
    text = render(fit, backtest, document, figures)
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return path


# -- figures ---------------------------------------------------------------------------------


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
        ax.legend(fontsize=8)
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
            label="simulated: middle 95% of replications",
        )
        ax.plot(hours, rows["simulated"], color=COLOURS[channel], label="simulated mean")
        ax.plot(hours, rows["observed"], color="k", linewidth=0.9, label="observed")
        ax.set_title(f"{kpi}_{channel}, hour by hour")
        ax.set_xlim(0, backtest.days * 24)
        ax.set_xticks(np.arange(0, backtest.days * 24 + 1, 24))
        ax.grid(True, axis="x", alpha=0.4)
        ax.legend(fontsize=8, loc="lower left")
    axes[-1, 0].set_xlabel(f"hours from {backtest.first_day} 00:00")
    fig.tight_layout()
    save_figure(fig, path)
    return (
        f"Back-test ({backtest.kind})",
        "Observed (black) against the fitted scenario simulated over the same days: its mean "
        "(colour) and the range the middle 95% of replications fall in (grey).",
        path,
    )


# -- the page --------------------------------------------------------------------------------


def render(fit: Fit, backtest: Backtest, document: dict[str, Any], figures: list[Figure]) -> str:
    """The page."""
    title = "controlroom-sim fit"
    period = document["fit_period"]
    parts = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        f'<p class="meta">{esc(", ".join(e["file"] for e in document["exports"]))}; fitted on '
        f"{esc(period['first_day'])} to {esc(period['last_day'])} ({period['days']} days, "
        f"{period['calls']:,} calls, {esc(document['timezone'])})</p>",
    ]
    if backtest.kind == "in-sample":
        parts.append(
            '<p class="warning" role="note">No weeks were held out: the back-test below runs '
            "on the fitted period itself, so it checks that the fitted scenario reproduces its "
            "own data; it does not test prediction. Use --holdout-weeks for that.</p>"
        )
    parts.append("<h2>Fitted values</h2>" + _fitted_table(fit))
    parts.append("<h2>Back-test</h2>" + _backtest_text(backtest))
    parts.append("<h2>Figures</h2>")
    parts.extend(figure(t, c, p) for t, c, p in figures)
    parts.append("<h2>Candidate distributions</h2>" + _candidates(fit))
    parts.append("<h2>Demand: weeks, bank holidays, dispersion</h2>" + _demand(fit))
    parts.append("<h2>Rows not used</h2>" + _rows(document))
    parts.append("</body></html>")
    return "".join(parts)


def _table(head: list[str], rows: list[list[str]], numeric: set[int], label: str) -> str:
    header = "".join(f"<th>{esc(h)}</th>" for h in head)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{esc(c)}</td>' if i in numeric else f"<td>{esc(c)}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return scroll_box(
        f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>", label
    )


def _fitted_table(fit: Fit) -> str:
    rows = []
    for channel, fitted in fit.channels.items():
        a = fitted.arrivals
        rows.append(
            [
                f"channels.{channel}.calls_per_day",
                f"{a.calls_per_day:,.1f}",
                f"± {1.96 * a.calls_per_day_se:,.1f}",
                a.method(fit.days),
            ]
        )
        for key, (distribution, method) in fitted.distributions().items():
            rows.append([f"channels.{channel}.{key}", distribution.describe(), "", method])
        r = fitted.redials
        if r is not None and fitted.linked and r.probability is not None:
            low, high = r.probability_ci or (float("nan"), float("nan"))
            rows.append(
                [
                    f"channels.{channel}.redial_probability",
                    f"{r.probability:.3f}",
                    f"{low:.3f} to {high:.3f}",
                    f"{r.redialled:,} of {r.abandoned:,} abandoned calls redialled within "
                    f"{r.window_s:g} s (Wilson interval)",
                ]
            )
        for note in fitted.notes:
            rows.append([f"channels.{channel}", "not fitted", "", note])
    return _table(["key", "value", "95% interval", "method"], rows, {1, 2}, "Fitted values")


def _candidates(fit: Fit) -> str:
    rows = []
    for channel, fitted in fit.channels.items():
        parts = [
            ("talk_s", fitted.talk),
            ("wrap_s", fitted.wrap),
            ("bt_connect_s", fitted.bt_connect),
        ]
        if fitted.patience is not None and fitted.patience.fit is not None:
            parts.append(("patience_s", fitted.patience.fit))
        for key, result in parts:
            if result is None:
                continue
            for c in result.candidates:
                rows.append(
                    [
                        f"{channel} {key}",
                        c.name + (" (chosen)" if c.name == result.chosen else ""),
                        f"{c.mean:,.1f}" if c.mean is not None else "",
                        f"{c.aic:,.1f}" if c.aic is not None else "",
                        f"{c.distance:.4f} ({c.distance_name})" if c.distance is not None else "",
                    ]
                )
    return _table(
        ["quantity", "candidate", "mean (s)", "AIC", "distance"], rows, {2, 3, 4}, "Candidates"
    )


def _demand(fit: Fit) -> str:
    rows = []
    holidays = []
    for channel, fitted in fit.channels.items():
        a = fitted.arrivals
        weeks = a.weeks[a.weeks > 0]
        rows.append(
            [
                channel,
                f"{a.calls:,}",
                f"{weeks.min() if weeks.size else 0} to {weeks.max() if weeks.size else 0}",
                "" if a.dispersion is None else f"{a.dispersion:.2f}",
                "" if a.dispersion_p is None else f"{a.dispersion_p:.3g}",
                ", ".join(a.unobserved_weekdays) or "none",
            ]
        )
        for h in a.holidays:
            ratio = h["ratio"]
            holidays.append(
                [
                    channel,
                    str(h["date"]),
                    str(h["name"]),
                    f"{h['calls']:,}",
                    f"{h['ordinary_day_expected']:,.0f}",
                    "" if ratio is None else f"{ratio:.2f}",
                ]
            )
    text = (
        "<p>Weeks behind each weight: how many times each quarter hour of the week was observed "
        "(twice for the autumn clock change's repeated hour in one week, never for the spring "
        "gap's). Over-dispersion: the daily totals' Pearson statistic over its degrees of "
        "freedom; about 1 for Poisson arrivals, more when demand varies from day to day beyond "
        "chance. The model draws Poisson arrivals, so a value well above 1 means real days vary "
        "more than simulated ones.</p>"
    )
    text += _table(
        [
            "channel",
            "calls",
            "weeks behind a weight",
            "over-dispersion",
            "p if Poisson",
            "weekdays never observed",
        ],
        rows,
        {1, 3, 4},
        "Demand",
    )
    if holidays:
        text += "<p>Bank holidays (England and Wales), left out of the profile:</p>" + _table(
            ["channel", "date", "holiday", "calls", "an ordinary day of that weekday", "ratio"],
            holidays,
            {3, 4, 5},
            "Bank holidays",
        )
    return text


def _backtest_text(backtest: Backtest) -> str:
    text = (
        f"<p>{esc(backtest.kind)}: {backtest.days} days from {esc(backtest.first_day)}, "
        f"{backtest.replications} replications; handlers: {esc(backtest.rota)}. A week is "
        "inside when the observed value lies in the range the middle 95% of replications "
        "fall in.</p>"
    )
    weekly = backtest.weekly
    rows = [
        [
            r["channel"],
            str(r["period"]),
            r["kpi"],
            format_value(name, r["observed"]),
            format_value(name, r["simulated"]),
            f"{format_value(name, r['range_low'])} to {format_value(name, r['range_high'])}",
            "yes" if r["inside"] else "no",
        ]
        for _, r in weekly.iterrows()
        for name in [f"{r['kpi']}_{r['channel']}"]
    ]
    text += _table(
        ["channel", "week", "KPI", "observed", "simulated", "simulated range", "inside"],
        rows,
        {3, 4, 5},
        "Weekly back-test",
    )
    summary = backtest.summary()
    lines = []
    for channel, values in summary.items():
        mae = values.get("hourly_mae_answered_within_10s")
        ab = values.get("hourly_mae_abandon_rate")
        bits = [f"{values['weekly_inside']} of {values['weekly_compared']} weekly KPIs inside"]
        for value, kpi, words in (
            (mae, "answered_within_10s", "hourly 10-second rate"),
            (ab, "abandon_rate", "hourly abandonment"),
        ):
            if value is not None:
                floor = values.get(f"hourly_mae_{kpi}_noise_floor")
                bits.append(
                    f"{words} off by {value:.1f} pp on average (one replication against the "
                    f"others: {floor:.1f} pp, the noise a right model shows)"
                )
        lines.append(f"<li>{esc(channel)}: {esc('; '.join(bits))}</li>")
    return text + f"<ul>{''.join(lines)}</ul>"


def _rows(document: dict[str, Any]) -> str:
    rows = document["rows"]
    table = [[reason, f"{n:,}"] for reason, n in rows["not_used_by_reason"].items()]
    text = (
        f"<p>{rows['read']:,} rows read, {rows['used']:,} used, {rows['not_used']:,} not used. "
        "Each row not used counts under the first reason that applies.</p>"
    )
    text += _table(["reason", "rows"], table, {1}, "Rows not used")
    examples = [f"{reason}: {e}" for reason, found in rows["examples"].items() for e in found]
    if examples:
        text += "<details><summary>First examples</summary><ul>"
        text += "".join(f"<li>{esc(e)}</li>" for e in examples) + "</ul></details>"
    return text
