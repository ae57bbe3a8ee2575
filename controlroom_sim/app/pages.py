"""The app's pages, for :mod:`.main`'s navigation (a live-exercise page goes in the list)."""

from __future__ import annotations

import streamlit as st

from . import fit_view, workbench_page


def every() -> list[st.Page]:
    return [workbench_page.page(), fit_view.page()]
