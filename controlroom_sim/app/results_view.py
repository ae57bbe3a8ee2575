"""The workbench's answer: the compare as the command line gives it (the line a planner reads
first, headline KPIs with 95% CIs, paired differences, cost), interactive interval charts, the
difference heatmap by weekday and hour, and the downloads (the edited scenario, its rota, the
workbook and the HTML report)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

from ..config.rota_export import scenario_groups, write_rota
from ..config.schema import Scenario
from ..config.vocabulary import WEEKDAYS
from ..reporting.cost_display import money, signed_money
from ..reporting.display import HEADLINE, difference_text, format_value
from ..reporting.report import write_report
from ..reporting.workbook import write_workbook
from .comparing import (
    SERIES,
    Outcome,
    heatmap_difference,
    interval_means,
    scenario_toml,
    write_folder,
)
from .warm import WarmEngine

CARDS = (
    ("answered_within_10s_999", "999 in 10 s"),
    ("abandon_rate_101", "101 abandoned"),
    ("paid_hours_week_total", "paid h/week"),
    ("cost_year_total", "cost a year"),
)
"""The difference cards above the tables: KPI and words."""


def show(outcome: Outcome, edited: Scenario | None, engine: WarmEngine) -> None:
    st.subheader(f"{outcome.variant} against {outcome.baseline}")
    first = outcome.comparison.results[0]
    days = first.scenario.scenario.days
    st.caption(
        f"{len(first.replications)} replications each of {days:g} day{'' if days == 1 else 's'}, "
        f"common random numbers (seed {first.scenario.scenario.seed}); "
        f"{first.wall_s:.1f} s."
    )
    if outcome.in_short:
        st.success(f"In short: {outcome.in_short}", icon=":material/balance:")
    _cards(outcome)
    with st.expander("Every KPI, as the command line prints it", expanded=False):
        st.code(outcome.table, language=None)
    _headline_table(outcome)
    _interval_chart(outcome)
    _heatmap(outcome)
    _downloads(outcome, edited, engine)


def _differences(outcome: Outcome) -> pd.DataFrame:
    table = outcome.differences
    return table[table["scenario"] == outcome.variant].set_index("kpi")


def _cards(outcome: Outcome) -> None:
    rows = _differences(outcome)
    present = [(k, w) for k, w in CARDS if k in rows.index]
    if not present:
        return
    st.markdown("**Edited minus opened** (means over replications, with paired 95% CIs)")
    for card, (kpi, words) in zip(st.columns(len(present)), present, strict=True):
        row = rows.loc[kpi]
        card.metric(
            words,
            _change(kpi, row["diff"]),
            help=f"edited minus opened, the mean over replications; paired 95% CI "
            f"{_interval(kpi, row['ci_low'], row['ci_high'])}",
            delta=f"95% CI {_interval(kpi, row['ci_low'], row['ci_high'])}",
            delta_color="off",
            delta_arrow="off",
            border=True,
        )


def _change(kpi: str, value: float) -> str:
    """A difference as the command line writes it; money as £1.23m, £148k or £1,234."""
    if kpi.startswith("cost_"):
        return signed_money(value, "£")
    if kpi.startswith(("paid_hours", "rostered_hours")):
        return f"{value:+,.0f}"
    return difference_text(kpi, value)


def _interval(kpi: str, low: float, high: float) -> str:
    return f"{_change(kpi, low)} to {_change(kpi, high)}"


def _headline_table(outcome: Outcome) -> None:
    """The headline KPIs: each scenario's mean with its 95% CI, and the paired difference."""
    summary = outcome.summary
    rows = _differences(outcome)
    out = []
    for kpi in [*HEADLINE, "paid_hours_week_total", "posts_total", "cost_year_total"]:
        if kpi not in rows.index:
            continue
        row = {"KPI": kpi}
        for name, label in ((outcome.baseline, "opened"), (outcome.variant, "edited")):
            s = summary[(summary["scenario"] == name) & (summary["kpi"] == kpi)].iloc[0]
            row[f"{label} (95% CI)"] = (
                f"{_value(kpi, s['mean'])} ({_value(kpi, s['ci_low'])} to "
                f"{_value(kpi, s['ci_high'])})"
            )
        d = rows.loc[kpi]
        row["difference"] = _change(kpi, d["diff"])
        row["paired 95% CI"] = _interval(kpi, d["ci_low"], d["ci_high"])
        out.append(row)
    st.markdown("**Headline KPIs and paired differences**")
    st.dataframe(
        pd.DataFrame(out),
        hide_index=True,
        width="stretch",
        column_config={"KPI": st.column_config.TextColumn(pinned=True)},
    )


def _value(kpi: str, value: float) -> str:
    return money(value, "£") if kpi.startswith("cost_") else format_value(kpi, value)


def _interval_chart(outcome: Outcome) -> None:
    st.markdown("**By 15-minute interval** (hover for the value at a time)")
    column = st.selectbox(
        "Series", list(SERIES), format_func=SERIES.get, key="series", label_visibility="collapsed"
    )
    frame = interval_means(outcome, column)
    share = column.startswith("answered_within")
    frame["label"] = frame["weekday"].astype(str).str.title() + " " + frame["time"]
    chart = (
        alt.Chart(frame)
        .mark_line(interpolate="step-after", strokeWidth=1.5)
        .encode(
            x=alt.X("day:Q", title="day of the measured window"),
            y=alt.Y("value:Q", title=SERIES[column], axis=alt.Axis(format=".0%" if share else "")),
            color=alt.Color("scenario:N", title=None, legend=alt.Legend(orient="top")),
            tooltip=[
                alt.Tooltip("scenario:N"),
                alt.Tooltip("label:N", title="interval"),
                alt.Tooltip("value:Q", title=SERIES[column], format=".1%" if share else ".2f"),
            ],
        )
        .properties(height=280)
        .interactive(bind_y=False)
    )
    st.altair_chart(chart, width="stretch")


def _heatmap(outcome: Outcome) -> None:
    frame = heatmap_difference(outcome)
    if frame is None:
        return
    st.markdown(
        "**999 calls answered within 10 s, edited minus opened, by weekday and hour** "
        "(percentage points)"
    )
    simulated = frame.groupby("weekday")["pp"].transform(lambda v: v.notna().any())
    frame = frame[simulated].copy()  # a run shorter than a week: its weekdays only
    frame["weekday"] = frame["weekday"].str.title()
    limit = max(1.0, float(frame["pp"].abs().max(skipna=True) or 1.0))
    chart = (
        alt.Chart(frame)
        .mark_rect()
        .encode(
            x=alt.X("hour:O", title="hour"),
            y=alt.Y("weekday:N", sort=[d.title() for d in WEEKDAYS], title=None),
            color=alt.Color(
                "pp:Q",
                title="pp",
                scale=alt.Scale(scheme="redblue", domain=[-limit, limit]),
            ),
            tooltip=[
                alt.Tooltip("weekday:N"),
                alt.Tooltip("hour:O"),
                alt.Tooltip("pp:Q", title="difference (pp)", format="+.1f"),
            ],
        )
        .properties(height=220)
    )
    st.altair_chart(chart, width="stretch")


def _rota_bytes(scenario: Scenario) -> bytes:
    with tempfile.TemporaryDirectory(prefix="crs-app-rota-") as folder:
        path = Path(folder) / "rota.xlsx"
        write_rota(path, scenario_groups(scenario), starts=True)
        return path.read_bytes()


def _downloads(outcome: Outcome, edited: Scenario | None, engine: WarmEngine) -> None:
    st.markdown("**Downloads**")
    cells = st.columns(4)
    scenario = edited if edited is not None else outcome.comparison.results[1].scenario
    cells[0].download_button(
        "Edited scenario (TOML)",
        scenario_toml(scenario).encode("utf-8"),
        file_name="edited.toml",
        mime="application/toml",
        key="download_toml",
    )
    cells[1].download_button(
        "Rota (XLSX)",
        _rota_bytes(scenario),
        file_name="rota.xlsx",
        key="download_rota",
    )
    files = st.session_state.get("files")
    if files is None and cells[2].button("Make the workbook and report", key="make_files"):
        with st.spinner("Writing the run folder, the workbook and the report's figures…"):
            folder = write_folder(outcome, engine)
            files = {
                "workbook": write_workbook(folder).read_bytes(),
                "report": write_report(folder).read_bytes(),
            }
        st.session_state["files"] = files
    if files is not None:
        cells[2].download_button(
            "Workbook (XLSX)", files["workbook"], file_name="compare.xlsx", key="download_workbook"
        )
        cells[3].download_button(
            "HTML report",
            files["report"],
            file_name="report.html",
            mime="text/html",
            key="download_report",
        )
