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

from ..experiments.files import write_atomic
from ..fitting.backtest import Backtest
from ..fitting.fit import Fit
from . import fit_figures
from .display import format_value
from .fit_figures import Figure
from .page_parts import esc, figure, scroll_box
from .report import _STYLE


def write_fit_page(path: Path, fit: Fit, backtest: Backtest, document: dict[str, Any]) -> Path:
    """Draw the figures into ``report/`` beside ``path`` and write the page."""
    images = path.parent / "report"
    images.mkdir(parents=True, exist_ok=True)
    figures = [
        f
        for f in (
            fit_figures.profile_figure(fit, images / "profile.png"),
            fit_figures.talk_figure(fit, images / "talk.png"),
            fit_figures.patience_figure(fit, images / "patience.png"),
            fit_figures.backtest_figure(backtest, images / "backtest.png"),
            fit_figures.staff_figure(fit, backtest, images / "staff.png"),
        )
        if f is not None
    ]
    text = render(fit, backtest, document, figures)
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return path


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
            ci = fitted.fits().get(key)
            interval = (
                f"mean {ci.mean_ci[0]:,.1f} to {ci.mean_ci[1]:,.1f}"
                if ci is not None and ci.mean_ci is not None
                else ""
            )
            rows.append([f"channels.{channel}.{key}", distribution.describe(), interval, method])
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
        "inside when the observed value lies where one replication falls with 95% chance (the "
        "prediction interval from the replications' mean and spread): an observed week is one "
        "draw, so it is judged against that, not the interval of the mean.</p>"
    )
    if backtest.callbacks:
        text += (
            '<p class="warning" role="note">The fitted scenario has 101 callbacks on (from its '
            "base), which an export cannot show: the simulated 101 figures include callbacks the "
            "force's calls did not have. Switch them off in the base to compare one for one.</p>"
        )
    if backtest.holidays:
        days = ", ".join(f"{name} ({day})" for day, name in backtest.holidays.items())
        text += (
            f'<p class="warning" role="note">The stretch holds bank holidays: {esc(days)}. '
            "The fitted scenario has no holiday demand of its own (the profile leaves them out), "
            "so expect the observed days to differ there.</p>"
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
        ["channel", "week", "KPI", "observed", "simulated", "95% prediction interval", "inside"],
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
