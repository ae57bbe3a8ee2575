"""The fit's report in a real browser: a fit of ten simulated days with the last week held out
(so the fit has three days and fills the weekdays it never saw), opened at 1366x768 and
1280x720: every figure decoded, no console errors, the page never scrolls sideways, and the
held-out back-test, the fitted values with their intervals and the rows not used are on it.
Screenshots are kept in /tmp/fit-report-shots to be looked at."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from controlroom_sim.config.loading import load_scenario
from controlroom_sim.fitting.synthetic import MAPPING, write_export
from controlroom_sim.model.simulate import simulate
from tests.helpers.fits import run_fit

SHOTS = Path("/tmp/fit-report-shots")
"""Where the browser test leaves its screenshots, to be looked at."""
START = pd.Timestamp("2026-05-20 00:00", tz="Europe/London")
"""Wednesday 20 May 2026: ten days to Friday 29 May, the Spring Bank Holiday (25 May) inside."""


@pytest.fixture(scope="module")
def fitted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fit_report")
    scenario = load_scenario(
        None,
        overrides=[
            "scenario.days=10",
            "scenario.warmup_hours=6",
            'scenario.start_weekday="wednesday"',
            "callback.enabled=false",
        ],
    )
    records = simulate(scenario, 0)
    export = folder / "calls.csv"
    write_export(records.measured_calls, export, START, origin_s=records.warmup_s, clock="wall")
    mapping = folder / "mapping.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    out = folder / "fit"
    _, stdout = run_fit(export, mapping, out, "--holdout-weeks", "1", replications=3)
    assert "back-test (holdout, 7 days from 2026-05-23" in stdout
    return out


def test_the_fit_folder_holds_what_the_fit_wrote(fitted: Path) -> None:
    names = {p.name for p in fitted.iterdir()}
    assert {"scenario.toml", "profile_999.csv", "profile_101.csv", "fit.json", "backtest.csv"} <= (
        names
    )
    assert {"profile.png", "talk.png", "patience.png", "backtest.png", "staff.png"} <= {
        p.name for p in (fitted / "report").iterdir()
    }
    document = json.loads((fitted / "fit.json").read_text(encoding="utf-8"))
    assert document["fit_period"]["days"] == 3
    assert document["holdout"]["days"] == 7
    arrivals = document["channels"]["999"]["arrivals"]
    assert sorted(arrivals["unobserved_weekdays"]) == ["monday", "saturday", "sunday", "tuesday"]
    assert document["backtest"]["kind"] == "holdout"
    # The fitted scenario runs as it is.
    assert load_scenario(fitted / "scenario.toml").channels["999"].calls_per_day > 0


@pytest.mark.parametrize("size", [(1366, 768), (1280, 720)])
def test_the_fit_report_reads_in_a_browser(fitted: Path, browser, size) -> None:  # type: ignore[no-untyped-def]
    from tests.helpers.browser import console_problems, page_at

    width, height = size
    with page_at(browser, fitted / "report.html", width, height):
        assert browser.title == "controlroom-sim fit"
        sizes = browser.execute_script(
            "return Array.from(document.images).map(i => [i.complete, i.naturalWidth]);"
        )
        assert len(sizes) == 5 and all(done and w > 100 for done, w in sizes)
        assert console_problems(browser) == []
        text = browser.find_element("tag name", "body").text
        for words in (
            "Fitted values",
            "channels.999.patience_s",
            "Back-test",
            "holdout: 7 days from 2026-05-23",
            "Rows not used",
            "The stretch holds bank holidays: Spring Bank Holiday (2026-05-25)",
            "monday, tuesday, saturday, sunday",
        ):
            assert words in text, words
        SHOTS.mkdir(parents=True, exist_ok=True)
        total = browser.execute_script("return document.body.scrollHeight")
        for i, y in enumerate(range(0, min(total, 4 * height), height)):
            browser.execute_script(f"window.scrollTo(0, {y})")
            assert browser.save_screenshot(str(SHOTS / f"fit_{width}x{height}_{i}.png"))
