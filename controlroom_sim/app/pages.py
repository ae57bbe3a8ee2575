"""The app's pages, for :mod:`.main`'s navigation: each a script in ``views/`` (a page for the
trainer's live exercise goes in the list beside them)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

VIEWS = Path(__file__).with_name("views")
WORKBENCH = "views/workbench.py"
"""The workbench's script, relative to the app's main script (for ``st.switch_page``)."""
FIT = "views/fit.py"


STYLE = """<style>
.block-container { padding-top: 2.2rem; padding-bottom: 2rem; }
h1 { padding-top: 0; }
[data-testid="stMetricValue"] { font-size: 1.6rem; }
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
    ]
