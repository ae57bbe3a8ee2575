"""The presenter's controls of the live exercise: each intervention of ``[[interventions]]``,
taking effect at the session's present moment (a refused one: the command line's words)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ..config.errors import ControlroomError
from ..experiments.live import LiveSession
from .rota_grid import edit_error


def _apply(session: LiveSession, spec: dict[str, Any]) -> None:
    try:
        session.intervene(spec)
    except ControlroomError as exc:
        st.session_state["live_refused"] = edit_error(exc)
    else:
        st.session_state.pop("live_refused", None)


def show(session: LiveSession) -> None:
    """The controls, a tab per kind of decision."""
    scenario = session.scenario
    channels = [c for c in ("999", "101") if c in scenario.channels]
    groups = [g.name for g in scenario.handlers]
    if "live_refused" in st.session_state:
        st.error(st.session_state["live_refused"], icon=":material/error:")
    staff, demand, switches = st.tabs(["Handlers and breaks", "Demand and outage", "Switches"])
    with staff:
        _staff(session, groups)
    with demand:
        _demand(session, channels)
    with switches:
        _switches(session)


def _staff(session: LiveSession, groups: list[str]) -> None:
    one, two, three, four = st.columns(4)
    group = one.selectbox("Group", groups, key="live_group")
    count = two.number_input("Handlers", 1, 50, 2, key="live_count")
    hours = three.number_input("For hours", 0.5, 12.0, 4.0, 0.5, key="live_add_hours")
    minutes = four.number_input("Break minutes", 5, 60, 15, 5, key="live_break_minutes")
    a, b, c, d = st.columns(4)
    if a.button("Add handlers now", key="live_add", width="stretch", type="primary"):
        _apply(
            session,
            {"action": "add_handlers", "group": group, "count": int(count), "hours": hours},
        )
    if b.button("Send home now", key="live_send_home", width="stretch"):
        _apply(session, {"action": "send_home", "group": group, "count": int(count)})
    if c.button("Cancel breaks (group)", key="live_cancel_breaks", width="stretch"):
        _apply(session, {"action": "cancel_breaks", "group": group})
    if d.button("Start breaks now", key="live_start_breaks", width="stretch"):
        spec = {"action": "start_breaks", "group": group, "count": int(count), "minutes": minutes}
        _apply(session, spec)


def _demand(session: LiveSession, channels: list[str]) -> None:
    one, two, three = st.columns(3)
    with one:
        chosen = st.multiselect("Surge channels", channels, default=channels, key="live_sc")
        multiplier = st.slider("× the usual rate", 1.5, 5.0, 2.0, 0.5, key="live_k")
        hours = st.slider("For hours", 0.5, 6.0, 2.0, 0.5, key="live_surge_hours")
        if st.button("Surge now", key="live_surge", width="stretch"):
            spec = {"action": "surge", "channels": chosen, "multiplier": multiplier}
            _apply(session, spec | {"hours": hours})
    with two:
        channel = st.selectbox("Major incident: channel", channels, key="live_mi_channel")
        calls = st.number_input("Calls", 1, 5000, 100, key="live_mi_calls")
        minutes = st.number_input("Over minutes", 1, 600, 30, key="live_mi_minutes")
        if st.button("Major incident now", key="live_mi", width="stretch"):
            spec = {"action": "major_incident", "channel": channel, "calls": int(calls)}
            _apply(session, spec | {"minutes": minutes})
    with three:
        length = st.number_input("Outage minutes", 1, 240, 10, key="live_outage_minutes")
        if st.button("Telephony outage now", key="live_outage", width="stretch"):
            _apply(session, {"action": "outage", "minutes": length})


def _switches(session: LiveSession) -> None:
    scenario = session.scenario
    one, two = st.columns(2)
    if scenario.support_workers:
        on = one.toggle("Support worker takes handovers", True, key="live_support_on")
        if one.button("Apply", key="live_support", width="stretch"):
            _apply(session, {"action": "support", "on": on})
    else:
        one.caption("This scenario has no support worker.")
    if scenario.callback is not None and "101" in scenario.channels:
        on = two.toggle(
            "101 callers offered callbacks", scenario.callback.enabled, key="live_cb_on"
        )
        if two.button("Apply", key="live_callbacks", width="stretch"):
            _apply(session, {"action": "callbacks", "on": on})
    else:
        two.caption("This scenario has no callbacks.")
