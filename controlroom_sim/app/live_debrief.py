"""The live exercise's debrief: the timeline of interventions, the KPIs with them (the live
room) and without them (the ghost) over the exercise and the whole run, the scenario with the
interventions (TOML, to run again as a batch) and the replay page of the live room."""

from __future__ import annotations

import streamlit as st

from ..experiments.live import LiveSession, clock, describe
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
    shown = table.copy()
    shown["over"] = shown["over"].map(
        {"exercise": "the exercise (calls made in it)", "run": "the whole run"}
    )
    st.dataframe(
        shown.rename(columns={"live": "with (live)", "ghost": "without (ghost)"}),
        hide_index=True,
        width="stretch",
        column_config={
            c: st.column_config.NumberColumn(format="%.4f")
            for c in ("with (live)", "without (ghost)", "difference")
        },
    )
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
