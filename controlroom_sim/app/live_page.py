"""The trainer's live exercise: a scenario run live at a chosen speed, changed as it runs,
beside its ghost (the same callers without the changes), then a debrief.

The sidebar holds the session: the scenario, the window (starting before the peak), the speed,
start / pause / step, and the switch between the projector's layout (the clock, the three
headline cards and the 10-second chart at the top, nothing else above the fold) and the
presenter's (the intervention controls first). The room is drawn by a fragment that runs every
second while the session plays, advancing the rooms by the wall time since its last run times
the speed (:class:`~controlroom_sim.experiments.live.LiveSession` does the simulating)."""

from __future__ import annotations

import time

import streamlit as st

from ..config.errors import ControlroomError
from ..config.library import scenario_paths
from ..config.loading import load_scenario
from ..config.schema import Scenario
from ..config.vocabulary import clock_to_seconds
from ..experiments.live import LiveSession, clock
from . import live_charts, live_controls, live_debrief
from .rota_grid import edit_error
from .workbench_page import library_folder

SESSION = "live_session"
RUNNING = "live_running"
TICK = "live_tick"
DEFAULT = "whatif/major_incident_surge.toml"
SPEEDS = [1, 10, 30, 60, 120, 300, 600]
LEADS = {"2 hours before": 2.0, "1 hour before": 1.0, "30 minutes before": 0.5, "at it": 0.0}
STEP_S = 300.0
"""What the step button advances, in simulated seconds."""
CATCH_UP_S = 2.0
"""The most wall time one update makes up for (after a pause of the browser's tab)."""


def show() -> None:
    session: LiveSession | None = st.session_state.get(SESSION)
    _sidebar(session)
    session = st.session_state.get(SESSION)
    if session is None:
        st.title("Live exercise")
        st.info(
            "Choose a scenario, a window and a speed in the sidebar, then start. The room "
            "runs live beside its ghost: the same callers without your interventions."
        )
        return
    presenter = st.session_state.get("live_presenter", False)
    if presenter:
        live_controls.show(session)
    _room(session)
    if session.done or st.session_state.get("live_debrief"):
        live_debrief.show(session)


# -- the sidebar --------------------------------------------------------------------------------


def _sidebar(session: LiveSession | None) -> None:
    with st.sidebar:
        st.subheader("Live exercise")
        _setup()
        if st.session_state.get(SESSION) is None:
            return
        st.select_slider("Speed (× real time)", SPEEDS, value=60, key="live_speed")
        play, step = st.columns(2)
        running = st.session_state.get(RUNNING, False)
        if play.button("Pause" if running else "Play", key="live_play", width="stretch"):
            st.session_state[RUNNING] = not running
            st.session_state[TICK] = time.monotonic()
            st.rerun()
        if step.button("Step 5 min", key="live_step", width="stretch", disabled=running):
            current = st.session_state[SESSION]
            current.advance(current.now + STEP_S)
        if st.button("End and debrief", key="live_end", width="stretch"):
            st.session_state[RUNNING] = False
            st.session_state["live_debrief"] = True
            st.session_state[SESSION].end()
        st.toggle("Presenter view (controls)", key="live_presenter")


def _setup() -> None:
    folder = library_folder()
    paths = scenario_paths(folder)
    names = {
        (str(p.relative_to(folder)) if folder is not None else "built-in baseline"): p
        for p in paths
    }
    labels = list(names)
    default = labels.index(DEFAULT) if DEFAULT in labels else 0
    with st.expander("Scenario and window", expanded=st.session_state.get(SESSION) is None):
        choice = st.selectbox("Scenario", labels, index=default, key="live_scenario")
        scenario = _load(str(names[choice]))
        if scenario is None:
            return
        start_s, stop_s = _window(scenario)
        replication = st.number_input("Replication", 0, 999, 0, key="live_replication")
        if st.button("Start the exercise", key="live_start", type="primary", width="stretch"):
            st.session_state[SESSION] = LiveSession(
                scenario,
                int(replication),
                start_s=start_s,
                stop_s=stop_s,
                source=str(names[choice]),
            )
            st.session_state[RUNNING] = False
            st.session_state.pop("live_debrief", None)
            st.session_state.pop(live_debrief.DONE, None)


@st.cache_data(show_spinner=False, max_entries=8)
def _loaded(path: str) -> Scenario:
    return load_scenario(path)


def _load(path: str) -> Scenario | None:
    try:
        return _loaded(path)
    except ControlroomError as exc:
        st.error(edit_error(exc))
        return None


def _window(scenario: Scenario) -> tuple[float, float]:
    """The exercise's start and end: before the scenario's first surge (or major incident),
    or a day and clock time chosen."""
    peak = _peak(scenario)
    if peak is not None:
        lead = st.selectbox(
            "Start", list(LEADS), key="live_lead", format_func=lambda k: f"{k} the peak"
        )
        start = max(scenario.warmup_s, peak - LEADS[lead] * 3600.0)
        st.caption(f"The peak: {clock(scenario, peak)}")
    else:
        days = max(1, int(scenario.scenario.days))
        day = st.number_input("Day", 1, days, 1, key="live_day")
        hour = st.slider("Hour", 0, 23, 8, key="live_hour")
        start = scenario.warmup_s + (day - 1) * 86400.0 + hour * 3600.0
    hours = st.slider("Length (hours)", 1, 12, 6, key="live_hours")
    return start, min(start + hours * 3600.0, scenario.horizon_s)


def _peak(scenario: Scenario) -> float | None:
    moments = [
        scenario.warmup_s + (s.day - 1) * 86400.0 + clock_to_seconds(s.start)
        for s in scenario.surges
    ]
    moments += [i.moment_s(scenario.warmup_s) for i in scenario.interventions]
    return min(moments) if moments else None


# -- the room -----------------------------------------------------------------------------------


def _room(session: LiveSession) -> None:
    running = st.session_state.get(RUNNING, False) and not session.done

    @st.fragment(run_every=1.0 if running else None)
    def room() -> None:
        if st.session_state.get(RUNNING, False) and not session.done:
            now = time.monotonic()
            wall = min(CATCH_UP_S, now - st.session_state.get(TICK, now))
            st.session_state[TICK] = now
            session.advance(session.now + wall * st.session_state.get("live_speed", 60))
            if session.done:
                st.session_state[RUNNING] = False
                st.rerun()
        draw(session)

    room()


def draw(session: LiveSession) -> None:
    """The clock, the cards, the charts and what just happened."""
    snap = session.snapshot()
    scenario = session.scenario
    channels = [c for c in ("999", "101") if c in scenario.channels]
    origin = scenario.origin_weekday_s
    state = "playing" if st.session_state.get(RUNNING) else ("ended" if snap["done"] else "paused")
    st.markdown(
        f"<div class='live-clock'>{snap['clock']} <span>{state}, "
        f"{st.session_state.get('live_speed', 60)}× · {scenario.scenario.name}</span></div>",
        unsafe_allow_html=True,
    )
    live_charts.cards(snap, channels)
    history = snap["history"]
    left, right = st.columns([3, 2])
    left.altair_chart(live_charts.rate_chart(history, origin), width="stretch")
    box = right.container(height=330, border=True, key="live_happened")
    box.markdown("**What just happened**")
    box.markdown(_happened(snap["events"]) or "Nothing yet.")
    one, two, three = st.columns(3)
    one.altair_chart(live_charts.waiting_chart(history, origin, channels), width="stretch")
    two.altair_chart(live_charts.handlers_chart(history, origin), width="stretch")
    three.altair_chart(
        live_charts.queue_chart(history, origin, scenario.dispatch is not None), width="stretch"
    )


def _happened(events: list[tuple[str, str]]) -> str:
    """The latest events first, a line each (a Markdown list that wraps on a projector)."""
    return "\n".join(f"- `{when}` {what}" for when, what in events[:30])
