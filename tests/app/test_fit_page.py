"""The fit page driven headless (``AppTest``): upload an export of three simulated days and
its mapping, fit, see the back-test, and open the fitted scenario in the workbench."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from controlroom_sim.config.loading import load_scenario
from controlroom_sim.fitting.synthetic import MAPPING, write_export
from controlroom_sim.model.simulate import simulate
from tests.helpers.paths import ROOT

MAIN = ROOT / "controlroom_sim" / "app" / "main.py"


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    scenario = load_scenario(
        None,
        overrides=["scenario.days=3", "scenario.warmup_hours=6", "callback.enabled=false"],
    )
    records = simulate(scenario, 0)
    file = tmp_path_factory.mktemp("fit_page") / "calls.csv"
    start = pd.Timestamp("2026-05-18 00:00", tz="Europe/London")  # a Monday
    write_export(records.measured_calls, file, start, origin_s=records.warmup_s, clock="wall")
    return file.read_bytes()


def test_a_fit_from_an_upload_shows_the_backtest_and_opens_in_the_workbench(
    export: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONTROLROOM_SIM_APP_JOBS", "1")
    app = AppTest.from_file(str(MAIN), default_timeout=300)
    app.run()
    app.switch_page("views/fit.py").run()
    assert app.title[0].value == "Fit from data"
    assert app.button(key="fit_run").disabled  # nothing uploaded yet
    app.file_uploader(key="fit_exports").upload("calls.csv", export)
    app.file_uploader(key="fit_mapping").upload("mapping.toml", MAPPING.encode("utf-8"))
    app.number_input(key="fit_reps").set_value(2)
    app.run()
    app.button(key="fit_run").click().run()
    assert not app.exception
    assert not app.error
    (done,) = [s.value for s in app.success]
    assert done.startswith("Fitted ")
    assert "back-test (in-sample, 3 days from 2026-05-18, 2 replications)" in done
    assert any("weekly KPIs inside the back-test's 95% prediction interval" in m.value
               for m in app.markdown)  # fmt: skip
    backtest = app.dataframe[0].value
    assert len(backtest) > 0
    app.button(key="fit_open").click().run()
    assert not app.exception
    assert app.title[0].value == "Workbench"
    assert "Opened **scenario.toml**" in app.caption[0].value
