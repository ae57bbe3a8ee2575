"""Fit from data: upload a telephony export and its mapping, run the ``fit`` pipeline
(:mod:`.fit_run`) with progress, show the fit's report and back-test, and open the fitted
scenario in the workbench."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

from ..config.errors import ControlroomError
from ..fitting.mapping import load_mapping
from . import workbench_page
from .fit_run import STEPS, fit_folder
from .pages import WORKBENCH
from .rota_grid import edit_error
from .scratch import scratch_folder


def show() -> None:
    st.title("Fit from data")
    st.caption(
        "A period of calls exported from the force's telephony system (CSV or XLSX) and the "
        "mapping that says which column is which (TOML): the fitted scenario, its report and "
        "its back-test, as `controlroom-sim fit` writes them."
    )
    exports = st.file_uploader(
        "Export (CSV or XLSX; several files are one export)",
        type=["csv", "xlsx"],
        accept_multiple_files=True,
        key="fit_exports",
    )
    mapping = st.file_uploader("Mapping (TOML)", type=["toml"], key="fit_mapping")
    left, right, button = st.columns(3, vertical_alignment="bottom")
    holdout = left.number_input("Weeks held out", 0, 52, 0, key="fit_holdout")
    replications = right.number_input("Back-test replications", 2, 100, 10, key="fit_reps")
    ready = bool(exports) and mapping is not None
    if button.button("Fit", type="primary", disabled=not ready, key="fit_run") and ready:
        _fit(exports, mapping, int(holdout), int(replications))
    outcome = st.session_state.get("fit_outcome")
    if outcome is not None:
        _show(outcome)


def _fit(exports, mapping, holdout: int, replications: int) -> None:  # type: ignore[no-untyped-def]
    folder = scratch_folder("fit-")
    saved = []
    for upload in exports:
        path = folder / Path(upload.name).name
        path.write_bytes(upload.getvalue())
        saved.append(path)
    mapping_path = folder / Path(mapping.name).name
    mapping_path.write_bytes(mapping.getvalue())
    with st.status("Fitting…", expanded=True) as status:
        try:
            outcome = fit_folder(
                saved,
                mapping_path,
                load_mapping(mapping_path),
                folder / "fit",
                holdout_weeks=holdout,
                replications=replications,
                step=lambda words: status.update(
                    label=f"{words[0].upper()}{words[1:]} ({STEPS.index(words) + 1} of "
                    f"{len(STEPS)})…"
                ),
            )
        except ControlroomError as exc:
            status.update(label="The fit stopped", state="error")
            st.error(edit_error(exc), icon=":material/error:")
            return
        status.update(label="Fitted", state="complete", expanded=False)
    st.session_state["fit_outcome"] = outcome


def _show(outcome) -> None:  # type: ignore[no-untyped-def]
    fit, backtest = outcome.fit, outcome.backtest
    st.success(
        f"Fitted {len(fit.export.calls):,} calls, {fit.grid.first_day} to {fit.grid.last_day} "
        f"({fit.days} days); back-test ({backtest.kind}, {backtest.days} days from "
        f"{backtest.first_day}, {backtest.replications} replications).",
        icon=":material/check_circle:",
    )
    for name, values in backtest.summary().items():
        st.markdown(
            f"**{name}**: {values['weekly_inside']} of {values['weekly_compared']} weekly KPIs "
            "inside the back-test's 95% prediction interval"
        )
    if st.button("Open the fitted scenario in the workbench", key="fit_open", type="primary"):
        st.session_state[workbench_page.OPEN_REQUEST] = str(outcome.scenario)
        st.switch_page(WORKBENCH)
    st.markdown("**Back-test**")
    st.dataframe(backtest.table(), hide_index=True, width="stretch")
    st.download_button(
        "Fit report (HTML)",
        outcome.report.read_bytes(),
        file_name="fit-report.html",
        mime="text/html",
        key="fit_report_download",
    )
    with st.expander("The fit's report", expanded=True):
        components.html(outcome.report.read_text(encoding="utf-8"), height=900, scrolling=True)
