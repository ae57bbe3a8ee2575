"""The app's script, as Streamlit runs it (``controlroom-sim app`` starts it): the pages of a
multipage app. A page for the trainer's live exercise goes beside the workbench's here."""

from __future__ import annotations

import streamlit as st

from controlroom_sim.app import pages

st.set_page_config(page_title="controlroom-sim", layout="wide")
st.markdown(pages.STYLE, unsafe_allow_html=True)
st.navigation(pages.every()).run()
