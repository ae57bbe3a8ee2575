"""The live exercise's debrief: the timeline of interventions, the KPIs with them (the live
room) and without them (the ghost) over the exercise and the whole run, the scenario with the
interventions (TOML, to run again as a batch) and the replay page of the live room."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ..analysis.kpis import kpi_in_words
from ..experiments.live import LiveSession, clock, describe
from ..reporting.display import format_value, is_share
from ..reporting.replay_live import live_replay_page

DONE = "live_debrief_done"
"""Session key: the debrief made (the rooms run to the end once)."""


def show(session: LiveSession) -> None:
    st.header("Debrief")
    made = st.session_state.get(DONE)
    if made is None or made[0] is not session:
        with st.spinner("Running both rooms to the end of the run…"):
            table = session.debrief()
            live, _ = session.finish()
            stop = session.stop_s if session.stop_s is not None else session.now
            page = live_replay_page(
                session.batch_scenario(),
                live,
                session.start_s,
                stop,
                f"{session.scenario.scenario.name} (live exercise)",
            )
        made = (session, table, page)
        st.session_state[DONE] = made
    _, table, page = made
    timeline = [
        {"when": clock(session.scenario, item.at_s), "what": describe(item)}
        for item in session.items
    ]
    st.subheader("Interventions")
    if timeline:
        st.dataframe(timeline, hide_index=True, width="stretch")
    else:
        st.caption("No interventions: the live room and the ghost are the same.")
    st.subheader("With and without them")
    st.dataframe(_in_words(table), hide_index=True, width="stretch")
    one, two = st.columns(2)
    one.download_button(
        "Download the scenario with the interventions (TOML)",
        session.batch_toml(),
        file_name=f"{session.scenario.scenario.name}-live.toml",
        mime="application/toml",
        key="live_download_toml",
    )
    two.download_button(
        "Download the replay page of the session (HTML)",
        page,
        file_name=f"{session.scenario.scenario.name}-live-replay.html",
        mime="text/html",
        key="live_download_replay",
    )


def _in_words(table: pd.DataFrame) -> pd.DataFrame:
    """The debrief's KPIs as the command line shows them: each described in words, values as
    percentages, seconds or hours, and the difference signed (percentage points for shares)."""
    over = {"exercise": "the exercise (calls made in it)", "run": "the whole run"}
    rows = []
    for row in table.itertuples(index=False):
        kpi = str(row.kpi)
        d = row.difference
        diff = f"{100 * d:+.1f} pp" if is_share(kpi) else f"{d:+,.1f}"
        rows.append(
            {
                "over": over.get(str(row.over), str(row.over)),
                "KPI": kpi_in_words(kpi),
                "with (live)": format_value(kpi, row.live),
                "without (ghost)": format_value(kpi, row.ghost),
                "difference": "-" if pd.isna(d) else diff,
            }
        )
    return pd.DataFrame(rows)
