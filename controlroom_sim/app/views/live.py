"""The live exercise page's script (a file, so that a test and ``st.switch_page`` can name it)."""

from controlroom_sim.app.live_page import show

show()
