"""The live exercise page driven headless with Streamlit's ``AppTest``, on a short scenario (a
day after a 2-hour warm-up, a surge at 10:00): start two hours before the surge, step, add two
handlers from the presenter's controls, see them on duty beside the ghost and in "what just
happened", then end and debrief (the timeline, the paired KPIs, the downloads)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from controlroom_sim.config.loading import load_scenario
from controlroom_sim.experiments.live import LiveSession
from tests.helpers.paths import ROOT

MAIN = ROOT / "controlroom_sim" / "app" / "main.py"
SHORT = f"""\
extends = "{ROOT / "scenarios" / "baseline.toml"}"

[scenario]
name = "short_surge"
days = 1
warmup_hours = 2

[[surges]]
channels = ["999", "101"]
day = 1
start = "10:00"
hours = 2
multiplier = 3.0

[provenance]
"surges" = "ASSUMPTION: a test's surge"
"""


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    (tmp_path / "short.toml").write_text(SHORT, encoding="utf-8")
    monkeypatch.setenv("CONTROLROOM_SIM_APP_SCENARIOS", str(tmp_path))
    app = AppTest.from_file(str(MAIN), default_timeout=120)
    app.run()
    app.switch_page("views/live.py").run()
    assert not app.exception
    return app


def _metrics(app: AppTest) -> dict[str, tuple[str, str | None]]:
    return {m.label: (m.value, m.delta) for m in app.metric}


def test_start_step_intervene_and_debrief(app: AppTest) -> None:
    assert "then start" in app.info[0].value
    assert app.selectbox(key="live_lead").value == "2 hours before"
    app.button(key="live_start").click().run()
    session: LiveSession = app.session_state["live_session"]
    scenario = load_scenario(Path(session.source))
    assert session.start_s == scenario.warmup_s + 8 * 3600.0
    clock = [m.value for m in app.markdown if "live-clock" in m.value and "<style>" not in m.value]
    assert len(clock) == 1 and "Day 1 (Monday) 08:00:00" in clock[0], clock
    before = _metrics(app)
    assert before["Handlers busy / on duty"][1].startswith("+0 on duty")
    app.toggle(key="live_presenter").set_value(True).run()
    app.button(key="live_step").click().run()
    app.selectbox(key="live_group").set_value("999 desk")
    app.number_input(key="live_count").set_value(2)
    app.button(key="live_add").click().run()
    assert not app.exception and not app.error
    assert [i.action for i in session.items] == ["add_handlers"]
    assert session.items[0].at_s == session.start_s + 300.0
    app.button(key="live_step").click().run()
    live, ghost = session.snapshot()["live"], session.snapshot()["ghost"]
    assert live["on_duty"] == ghost["on_duty"] + 2
    after = _metrics(app)
    assert after["Handlers busy / on duty"][1] == f"+2 on duty on the ghost's {ghost['on_duty']}"
    happened = [m.value for m in app.markdown if "intervention: " in m.value]
    assert len(happened) == 1
    assert happened[0].count("`Mon 08:05:00` intervention: 2 more 999 desk handlers for 4 h") == 1
    app.button(key="live_end").click().run()
    assert not app.exception
    assert [h.value for h in app.header] == ["Debrief"]
    timeline, kpis = app.dataframe[-2].value, app.dataframe[-1].value
    assert list(timeline["when"]) == ["Day 1 (Monday) 08:05:00"]
    table = session.debrief()
    rate = table[table["kpi"] == "answered_within_10s_999"]
    assert len(rate) == 2  # over the exercise and over the run
    assert list(rate["difference"]) == list(rate["live"] - rate["ghost"])
    # On the page, as the command line words it: the KPI described, percentages, pp.
    words = "999 calls: share of answered calls answered in under 10 s"
    shown = kpis[kpis["KPI"] == words]
    assert list(shown["with (live)"]) == [f"{100 * v:.1f}%" for v in rate["live"]]
    assert list(shown["difference"]) == [f"{100 * v:+.1f} pp" for v in rate["difference"]]
    assert session.stop_s == session.start_s + 600.0  # ended where it stood
    toml = session.batch_toml()
    assert 'action = "add_handlers"' in toml and 'group = "999 desk"' in toml
    page = app.session_state["live_debrief_done"][2]
    assert "<title>Control room replay: short_surge (live exercise)" in page
    assert '"hours":0.17' in page  # the window the session ran: 10 minutes
    app.run()  # after the debrief (both rooms run to the end), the clock stays where it ended
    clock = [m.value for m in app.markdown if "live-clock" in m.value and "<style>" not in m.value]
    assert "Day 1 (Monday) 08:10:00" in clock[0] and "ended" in clock[0], clock
