"""The fit page's script (a file, so that a test and ``st.switch_page`` can name it)."""

from controlroom_sim.app.fit_view import show

show()
