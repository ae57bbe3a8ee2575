"""The planner's workbench: open a scenario (the library, a file on disk, an upload), edit its
rota in a grid with hours, posts and cost updated as it is edited, run and compare it against
the opened scenario (:mod:`.results_view` draws the answer)."""

from __future__ import annotations

import math
import os
from pathlib import Path

import streamlit as st

from ..config.errors import ControlroomError
from ..config.library import scenario_paths
from ..config.schema import Scenario
from ..reporting.cost_display import money, signed_money
from . import results_view
from .comparing import run_compare
from .rota_grid import (
    LINE_COLUMNS,
    count_grid,
    day_words,
    edit_error,
    line_grid,
    load_edited,
    overrides,
    rota_costs,
)
from .scratch import scratch_folder
from .serve import LIBRARY_ENV
from .warm import WarmEngine

OPEN_REQUEST = "open_request"
"""Session key: a scenario file another page asks the workbench to open (the fit's)."""
JOBS_ENV = "CONTROLROOM_SIM_APP_JOBS"
"""The environment variable setting the app's worker processes (default: up to 2)."""


@st.cache_resource(show_spinner=False)
def _engine() -> WarmEngine:
    """The app's one warm engine (its workers stay up for the life of the server)."""
    jobs = int(os.environ.get(JOBS_ENV, "0")) or min(2, os.cpu_count() or 1)
    return WarmEngine(jobs)


def engine() -> WarmEngine:
    """The warm engine, made again if a stopped run closed it."""
    warm = _engine()
    if warm.broken:
        _engine.clear()
        warm = _engine()
    return warm


def library_folder() -> Path | None:
    """The scenario library the app lists: the server's ``--scenarios``, else ``scenarios/``
    in the working folder, else none (the built-in baseline alone)."""
    named = os.environ.get(LIBRARY_ENV)
    if named:
        return Path(named)
    return Path("scenarios") if Path("scenarios").is_dir() else None


def show() -> None:
    st.title("Workbench")
    request = st.session_state.pop(OPEN_REQUEST, None)
    if request is not None:
        _open(str(request), Path(request).name)
    _open_section()
    opened = st.session_state.get("opened")
    if opened is None:
        st.info("Open a scenario to see and edit its rota.")
        return
    edited, edits = _rota_section(opened)
    _run_section(opened, edited, edits)
    outcome = st.session_state.get("outcome")
    if outcome is not None:
        results_view.show(outcome, edited, engine())


def _open(source: str, label: str, uploaded: Path | None = None) -> None:
    """Load ``source`` as the opened scenario (a refused file: its error on the page, an
    upload's files named as uploaded, not by the folder they were saved in)."""
    try:
        scenario = load_edited(source, [])
    except ControlroomError as exc:
        words = edit_error(exc)
        if uploaded is not None:
            words = words.replace(f"{uploaded}{os.sep}", "")
        st.session_state["open_error"] = words
        return
    st.session_state.pop("open_error", None)
    st.session_state["opened"] = {"source": source, "label": label, "scenario": scenario}
    st.session_state["generation"] = st.session_state.get("generation", 0) + 1
    st.session_state.pop("outcome", None)


def _open_section() -> None:
    with st.sidebar:
        st.subheader("Open a scenario")
        way = st.radio("From", ["the library", "a file on disk", "an upload"], key="open_way")
        if way == "the library":
            folder = library_folder()
            paths = scenario_paths(folder)
            names = {
                (str(p.relative_to(folder)) if folder is not None else "built-in baseline"): p
                for p in paths
            }
            choice = st.selectbox("Scenario", list(names), key="open_library")
            if st.button("Open", key="open_library_button") and choice is not None:
                _open(str(names[choice]), choice)
        elif way == "a file on disk":
            path = st.text_input("Scenario file (.toml)", key="open_path")
            if st.button("Open", key="open_path_button") and path:
                _open(path.strip(), Path(path.strip()).name)
        else:
            _upload()
    if "open_error" in st.session_state:
        st.error(st.session_state["open_error"], icon=":material/error:")
    opened = st.session_state.get("opened")
    if opened is not None:
        scenario: Scenario = opened["scenario"]
        st.caption(
            f"Opened **{opened['label']}**: {scenario.scenario.name}, "
            f"{scenario.scenario.days:g} days after {scenario.scenario.warmup_hours:g} h "
            f"warm-up, seed {scenario.scenario.seed}. {scenario.scenario.description}"
        )


def _upload() -> None:
    files = st.file_uploader(
        "A scenario file, with the files it names (profiles, rota files)",
        type=["toml", "csv", "xlsx"],
        accept_multiple_files=True,
        key="open_upload",
    )
    tomls = [f for f in files or [] if f.name.lower().endswith(".toml")]
    if not tomls:
        return
    chosen = tomls[0]
    if len(tomls) > 1:
        name = st.selectbox("Scenario", [f.name for f in tomls], key="open_upload_choice")
        chosen = next(f for f in tomls if f.name == name)
    if st.button("Open", key="open_upload_button"):
        folder = scratch_folder("upload-")
        for f in files:
            (folder / Path(f.name).name).write_bytes(f.getvalue())
        _open(str(folder / Path(chosen.name).name), chosen.name, uploaded=folder)


def _rota_section(opened: dict) -> tuple[Scenario | None, list[str]]:
    """The grids and the live hours, posts and cost; the edited scenario (None: refused)
    and the edits as ``--set`` overrides."""
    scenario: Scenario = opened["scenario"]
    generation = st.session_state.get("generation", 0)
    lines0, counts0 = line_grid(scenario), count_grid(scenario)
    summary = st.container()
    st.subheader("Rota")
    st.caption(
        "One row per shift line: change a start (HH:MM), hours, days or count, and the "
        "hours, posts and cost above follow."
    )
    lines = st.container(key="rota_lines").data_editor(
        lines0[list(LINE_COLUMNS)],
        key=f"lines_{generation}",
        num_rows="fixed",
        hide_index=True,
        width="stretch",
        disabled=["role", "group", "line"],
        column_config={
            "start": st.column_config.TextColumn("start", help="HH:MM, 00:00 to 23:59"),
            "hours": st.column_config.NumberColumn("hours", step=0.25, format="%.2f"),
            "days": st.column_config.TextColumn("days", help=day_words()),
            "count": st.column_config.NumberColumn("count", step=1, format="%d"),
        },
    )
    counts = counts0[["role", "group", "count"]]
    if len(counts0):
        st.caption("Groups on duty around the clock (a count, no shifts):")
        counts = st.data_editor(
            counts,
            key=f"counts_{generation}",
            num_rows="fixed",
            hide_index=True,
            disabled=["role", "group"],
            column_config={"count": st.column_config.NumberColumn("count", step=1, format="%d")},
        )
    edits = overrides(lines0, lines, counts0, counts)
    edited: Scenario | None = scenario
    if edits:
        try:
            edited = load_edited(opened["source"], edits)
        except ControlroomError as exc:
            st.error(f"This edit is refused: {edit_error(exc)}", icon=":material/block:")
            edited = None
    with summary:
        _costs(scenario, edited)
    if edits:
        with st.expander(f"The edits as the command line's --set ({len(edits)})"):
            st.code("\n".join(f"--set '{e}'" for e in edits), language="bash")
    return edited, edits


def _costs(opened: Scenario, edited: Scenario | None) -> None:
    """Total paid hours, posts and cost of the edited rota, with the change from the opened
    one, and the table by role."""
    before = rota_costs(opened)
    if before.empty:
        return
    after = rota_costs(edited) if edited is not None else before
    total0, total = before.iloc[-1], after.iloc[-1]
    currency = opened.staffing.currency if opened.staffing is not None else "£"
    cards = st.columns(4)
    forms = [
        ("rostered h/week", "{:,.0f}", "{:+,.0f}"),
        ("paid h/week", "{:,.0f}", "{:+,.0f}"),
        ("posts (FTE)", "{:,.1f}", "{:+,.1f}"),
        ("cost/year", None, None),
    ]
    for card, (column, form, change_form) in zip(cards, forms, strict=True):
        if column not in after or math.isnan(total[column]):
            continue
        change = total[column] - total0[column]
        if form is None:
            value, delta = money(total[column], currency), signed_money(change, currency)
        else:
            value, delta = form.format(total[column]), change_form.format(change)
        card.metric(column, value, delta=delta if change else None, delta_color="off", border=True)
    shown = after.copy()
    forms = {"rostered h/week": "{:,.1f}", "paid h/week": "{:,.1f}", "posts (FTE)": "{:,.2f}"}
    for column, form in forms.items():
        if column in shown:
            shown[column] = shown[column].map(form.format)
    if "cost/year" in shown:
        shown["cost/year"] = shown["cost/year"].map(lambda v: money(v, currency))
    with st.expander("Hours, posts and cost by role (before overtime, which a run adds)"):
        st.dataframe(shown, hide_index=True)


def _run_section(opened: dict, edited: Scenario | None, edits: list[str]) -> None:
    """The compare's settings and button; the outcome kept in the session."""
    scenario: Scenario = opened["scenario"]
    st.subheader("Compare with the opened rota")
    left, right, button = st.columns([1, 1, 1], vertical_alignment="bottom")
    replications = left.number_input(
        "Replications", min_value=2, max_value=200, value=10, step=1, key="replications"
    )
    days = right.number_input(
        "Days simulated",
        min_value=0.25,
        max_value=366.0,
        value=float(scenario.scenario.days),
        step=1.0,
        key="days",
    )
    run = button.button("Run the compare", type="primary", disabled=edited is None, key="run")
    if not run or edited is None:
        return
    base, variant = scenario, edited
    if days != scenario.scenario.days:
        horizon = [f"scenario.days={days:g}"]
        try:
            base = load_edited(opened["source"], horizon)
            variant = load_edited(opened["source"], [*horizon, *edits])
        except ControlroomError as exc:
            st.error(edit_error(exc), icon=":material/block:")
            return
    _compare(base, variant, int(replications))


def _compare(base: Scenario, variant: Scenario, replications: int) -> None:
    warm = engine()
    total = 2 * replications
    bar = st.progress(0.0, text="Simulating…")
    done = [0]

    def step() -> None:
        done[0] += 1
        bar.progress(min(1.0, done[0] / total), text=f"{done[0]} of {total} replications")

    with warm.lock():
        warm.on_done = step
        try:
            outcome = run_compare(base, variant, replications, warm)
        except ControlroomError as exc:
            st.error(edit_error(exc), icon=":material/error:")
            return
        finally:
            warm.on_done = None
    bar.empty()
    st.session_state["outcome"] = outcome
    st.session_state.pop("files", None)
