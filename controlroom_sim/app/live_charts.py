"""What the live page draws from a :class:`~controlroom_sim.experiments.live.LiveSession`'s
snapshot: the three headline cards and the charts (Altair), each with the ghost, the same
callers without the trainer's interventions, drawn as a dashed grey line beside the live one."""

from __future__ import annotations

import math
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from ..experiments.live import RATE_WINDOW_S, TARGET

LIVE, GHOST = "live room", "ghost (no interventions)"
MONDAY = pd.Timestamp("2024-01-01")
"""A Monday: the charts' time axis is a week's clock (the day and time of the room)."""
CHART_HEIGHT = 230


def _frame(history: pd.DataFrame, origin_weekday_s: float) -> pd.DataFrame:
    frame = history.copy()
    frame["time"] = MONDAY + pd.to_timedelta(frame["t"] + origin_weekday_s, unit="s")
    frame["line"] = frame["room"].map({"live": LIVE, "ghost": GHOST})
    return frame


def _lines(frame: pd.DataFrame, columns: dict[str, str], title: str) -> alt.Chart:
    """The chosen columns of both rooms, one colour per column, the ghost dashed."""
    long = frame.melt(
        id_vars=["time", "line"], value_vars=list(columns), var_name="what", value_name="value"
    )
    long["what"] = long["what"].map(columns)
    title = alt.TitleParams(title, subtitle="dashed: the ghost (no interventions)")
    scheme = alt.Scale(domain=list(columns.values()), range=["#1f5fa8", "#c0392b", "#2e8b57"])
    return (
        alt.Chart(long, title=title, height=CHART_HEIGHT)
        .mark_line(interpolate="step-after")
        .encode(
            x=alt.X("time:T", title=None, axis=alt.Axis(format="%a %H:%M")),
            y=alt.Y("value:Q", title=None),
            color=alt.Color("what:N", scale=scheme, legend=alt.Legend(orient="top", title=None)),
            strokeDash=alt.StrokeDash(
                "line:N", scale=alt.Scale(domain=[LIVE, GHOST], range=[[1, 0], [5, 4]]), legend=None
            ),
            tooltip=["line:N", "what:N", alt.Tooltip("time:T", format="%a %H:%M"), "value:Q"],
        )
    )


def rate_chart(history: pd.DataFrame, origin_weekday_s: float, channel: str = "999") -> alt.Chart:
    """The rolling 10-second rate of both rooms against the 90% line."""
    frame = _frame(history, origin_weekday_s)
    frame["rate"] = frame[f"rate_{channel}"] * 100.0
    minutes = RATE_WINDOW_S / 60.0
    base = alt.Chart(
        frame, title=f"{channel} answered within 10 s, last {minutes:g} min (%)", height=310
    )
    lines = base.mark_line().encode(
        x=alt.X("time:T", title=None, axis=alt.Axis(format="%a %H:%M")),
        y=alt.Y("rate:Q", title=None, scale=alt.Scale(domain=[0, 100])),
        color=alt.Color(
            "line:N",
            scale=alt.Scale(domain=[LIVE, GHOST], range=["#1f5fa8", "#8c8c8c"]),
            legend=alt.Legend(orient="top", title=None),
        ),
        strokeDash=alt.StrokeDash(
            "line:N",
            scale=alt.Scale(domain=[LIVE, GHOST], range=[[1, 0], [5, 4]]),
            legend=alt.Legend(orient="top", title=None),
        ),
        tooltip=[
            "line:N",
            alt.Tooltip("time:T", format="%a %H:%M"),
            alt.Tooltip("rate:Q", format=".1f"),
        ],
    )
    target = (
        alt.Chart(pd.DataFrame({"y": [TARGET * 100.0]}))
        .mark_rule(color="#c0392b", strokeDash=[2, 2])
        .encode(y="y:Q")
    )
    label = (
        alt.Chart(pd.DataFrame({"y": [TARGET * 100.0], "text": ["90% target"]}))
        .mark_text(align="left", dx=4, dy=-7, color="#c0392b", fontSize=11)
        .encode(y="y:Q", x=alt.value(0), text="text:N")
    )
    return lines + target + label


def waiting_chart(history: pd.DataFrame, origin_weekday_s: float, channels: list[str]) -> alt.Chart:
    return _lines(
        _frame(history, origin_weekday_s), {c: f"{c} waiting" for c in channels}, "Callers waiting"
    )


def handlers_chart(history: pd.DataFrame, origin_weekday_s: float) -> alt.Chart:
    return _lines(
        _frame(history, origin_weekday_s),
        {"busy": "busy", "idle": "idle", "on_duty": "on duty"},
        "Handlers",
    )


def queue_chart(history: pd.DataFrame, origin_weekday_s: float, has_dispatch: bool) -> alt.Chart:
    columns = {"callbacks": "callbacks pending"}
    if has_dispatch:
        columns["backlog"] = "dispatch backlog"
    return _lines(_frame(history, origin_weekday_s), columns, "Callbacks and dispatch")


def _percent(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.0%}"


def cards(snapshot: dict[str, Any], channels: list[str]) -> None:
    """The three headline cards: the 999 10-second rate, callers waiting and handlers busy,
    each with the ghost's figure beside it."""
    live, ghost = snapshot["live"], snapshot["ghost"]
    one, two, three = st.columns(3)
    rate, other = live.get("rate_999", math.nan), ghost.get("rate_999", math.nan)
    points = (rate - other) * 100.0
    one.metric(
        "999 within 10 s (last 30 min)",
        _percent(rate),
        None if math.isnan(points) else f"{points:+.1f} pp on the ghost's {_percent(other)}",
        delta_color="normal" if abs(points) >= 0.05 else "off",
    )
    waiting, shadow = sum(live[c] for c in channels), sum(ghost[c] for c in channels)
    two.metric(
        "Callers waiting",
        " / ".join(f"{live[c]}" for c in channels) + f" ({' / '.join(channels)})",
        f"{waiting - shadow:+d} on the ghost's {shadow}",
        delta_color="inverse" if waiting != shadow else "off",
    )
    three.metric(
        "Handlers busy / on duty",
        f"{live['busy']} / {live['on_duty']}",
        f"{live['on_duty'] - ghost['on_duty']:+d} on duty on the ghost's {ghost['on_duty']}",
        delta_color="off",
    )
