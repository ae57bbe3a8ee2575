"""The app's pages, for :mod:`.main`'s navigation: each a script in ``views/`` (the planner's
workbench, the fit from data, the trainer's live exercise)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

VIEWS = Path(__file__).with_name("views")
WORKBENCH = "views/workbench.py"
"""The workbench's script, relative to the app's main script (for ``st.switch_page``)."""
FIT = "views/fit.py"
LIVE = "views/live.py"


STYLE = """<style>
.block-container { padding-top: 2.2rem; padding-bottom: 2rem; }
h1 { padding-top: 0; }
[data-testid="stMetricValue"] { font-size: 1.6rem; }
.live-clock { font-size: 1.9rem; font-weight: 600; line-height: 1.2; margin-bottom: 0.3rem; }
.live-clock span { font-size: 0.95rem; font-weight: 400; color: #666; margin-left: 0.6rem; }
</style>"""
"""Less space above each page's title, so that more of it is in view on a laptop's screen."""


def every() -> list[st.Page]:
    return [
        st.Page(
            str(VIEWS / "workbench.py"),
            title="Workbench",
            url_path="workbench",
            default=True,
        ),
        st.Page(
            str(VIEWS / "fit.py"),
            title="Fit from data",
            url_path="fit",
        ),
        st.Page(
            str(VIEWS / "live.py"),
            title="Live exercise",
            url_path="live",
        ),
    ]
