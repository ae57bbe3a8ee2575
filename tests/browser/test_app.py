"""The app in a real browser: ``controlroom-sim app --no-browser --port <free>`` started as a
process, the baseline opened from the library, a rota cell typed into the grid (paid hours and
cost change on the page), a one-day compare of two replications run, and the paired difference
and the cost found on the page. Screenshots at 1366×768 and 1280×720 are kept in
``test-screenshots/`` at the repository's root, to be looked at."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

import pytest

from tests.helpers.paths import ROOT

SHOTS = ROOT / "test-screenshots"
"""Where the test leaves its screenshots (git-ignored)."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CONTROLROOM_SIM_APP_JOBS": "1"}
    command = [sys.executable, "-m", "controlroom_sim", "app", "--no-browser", "--port", str(port)]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, "the app's server stopped"
            try:
                with urllib.request.urlopen(url + "_stcore/health", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the app did not answer within 60 s"
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait(driver, test, timeout: float = 60):  # type: ignore[no-untyped-def]
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.2).until(lambda d: test(d))


def _metrics(driver) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    out = {}
    for element in driver.find_elements(By.CSS_SELECTOR, "[data-testid='stMetric']"):
        label, *rest = element.text.split("\n")
        out[label] = rest
    return out


def _type_into(driver, label: str, value: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    box = driver.find_element(By.CSS_SELECTOR, f"input[aria-label='{label}']")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(value, Keys.ENTER)
    _wait(driver, lambda d: box.get_attribute("value") == value)


def _edit_count_of_first_line(driver, value: str) -> None:  # type: ignore[no-untyped-def]
    """Click the first row's count cell in the rota grid (a canvas), type, press Enter."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    grid = driver.find_element(By.CSS_SELECTOR, ".st-key-rota_lines [data-testid='stDataFrame']")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", grid)
    time.sleep(1)
    canvas = grid.find_element(By.TAG_NAME, "canvas")
    width, height = canvas.size["width"], canvas.size["height"]
    x, y = width - 40, 35 + 17  # the last column (count), the first row under the header
    ActionChains(driver).move_to_element_with_offset(
        canvas, int(x - width / 2), int(y - height / 2)
    ).click().perform()
    time.sleep(0.5)
    ActionChains(driver).send_keys(value).perform()
    time.sleep(0.5)
    ActionChains(driver).send_keys(Keys.ENTER).perform()


def test_edit_a_rota_cell_run_a_compare_and_read_the_difference_and_cost(server, browser) -> None:  # type: ignore[no-untyped-def]
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By

    from tests.helpers.browser import clear_viewport, console_problems, set_viewport

    SHOTS.mkdir(exist_ok=True)
    console_problems(browser)
    set_viewport(browser, 1366, 768)
    try:
        browser.get(server)
        _wait(browser, lambda d: d.find_elements(By.XPATH, "//button[normalize-space()='Open']"))
        browser.find_element(By.CSS_SELECTOR, "[data-testid='stSelectbox']").click()
        option = _wait(
            browser,
            lambda d: [
                o
                for o in d.find_elements(By.CSS_SELECTOR, "[role='option']")
                if o.text.strip() == "baseline.toml"
            ],
        )[0]
        option.click()
        browser.find_element(By.XPATH, "//button[normalize-space()='Open']").click()
        _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".st-key-rota_lines canvas"))
        assert _metrics(browser)["rostered h/week"] == ["13,720"]
        browser.save_screenshot(str(SHOTS / "app-opened-1366x768.png"))

        edited = lambda d: _metrics(d)["rostered h/week"] == ["13,790", "+70"]  # noqa: E731
        for attempt in range(3):  # a click while the page redraws is lost: click again
            _edit_count_of_first_line(browser, "4")  # Early 999: 3 -> 4
            try:
                _wait(browser, edited, timeout=15)
                break
            except TimeoutException:
                assert attempt < 2, "the typed count never reached the page"
        browser.save_screenshot(str(SHOTS / "app-typed-1366x768.png"))
        metrics = _metrics(browser)
        assert metrics["paid h/week"] == ["17,817", "+90"]
        assert metrics["cost/year"][1].startswith("+£")
        browser.save_screenshot(str(SHOTS / "app-edited-1366x768.png"))

        _type_into(browser, "Days simulated", "1.00")
        _type_into(browser, "Replications", "2")
        run = "//button[normalize-space()='Run the compare']"
        _wait(browser, lambda d: d.find_elements(By.XPATH, run))[0].click()
        short = _wait(
            browser,
            lambda d: [
                e
                for e in d.find_elements(By.CSS_SELECTOR, "[data-testid='stAlert']")
                if "In short:" in e.text
            ],
            timeout=120,
        )[0]
        assert "pp 999 calls answered within 10 s (paired 95% CI" in short.text
        assert "for +90 paid hours a week, +2.4 posts, +£" in short.text
        _wait(browser, lambda d: "cost a year" in _metrics(d))
        assert _metrics(browser)["paid h/week"][0] == "+90"
        page = browser.find_element(By.TAG_NAME, "body").text
        assert "paired 95% CI" in page
        _wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".vega-embed")) >= 2)
        heading = browser.find_element(By.XPATH, "//*[contains(text(), 'against baseline')]")
        browser.execute_script("arguments[0].scrollIntoView({block: 'start'})", heading)
        time.sleep(1)
        browser.save_screenshot(str(SHOTS / "app-compare-1366x768.png"))
        set_viewport(browser, 1280, 720)
        time.sleep(1)
        browser.execute_script("arguments[0].scrollIntoView({block: 'start'})", heading)
        time.sleep(1)
        assert browser.execute_script("return window.innerWidth") == 1280
        assert not browser.execute_script(
            "return document.documentElement.scrollWidth > window.innerWidth"
        )
        browser.save_screenshot(str(SHOTS / "app-compare-1280x720.png"))
        charts = browser.find_elements(By.CSS_SELECTOR, ".vega-embed")
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", charts[-1])
        time.sleep(1)
        browser.save_screenshot(str(SHOTS / "app-heatmap-1280x720.png"))
        problems = [p for p in console_problems(browser) if "favicon" not in p]
        assert problems == [], problems[:5]
    finally:
        clear_viewport(browser)


def _clock(driver) -> str:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    found = driver.find_elements(By.CSS_SELECTOR, ".live-clock")
    return found[0].text if found else ""


def _click(driver, text: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    _wait(driver, lambda d: d.find_elements(By.XPATH, f"//button[normalize-space()='{text}']"))[
        0
    ].click()


def _find(driver, css: str):  # type: ignore[no-untyped-def]
    """The first element ``css`` selects, once the page has drawn it."""
    from selenium.webdriver.common.by import By

    return _wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, css))[0]


def _play_until(driver, test, timeout: float = 90):  # type: ignore[no-untyped-def]
    """Play, wait for ``test``, pause (the clock then stands still)."""
    _click(driver, "Play")
    found = _wait(driver, test, timeout=timeout)
    _click(driver, "Pause")
    _wait(driver, lambda d: "paused" in _clock(d))
    return found


def _bottom(driver, selector: str) -> float:  # type: ignore[no-untyped-def]
    return driver.execute_script(
        "const e = document.querySelector(arguments[0]);"
        "return e ? e.getBoundingClientRect().bottom + window.scrollY : 1e9;",
        selector,
    )


def test_live_mode_adds_two_handlers_mid_surge_and_beats_the_ghost(server, browser) -> None:  # type: ignore[no-untyped-def]
    """The surge scenario live from 30 minutes before the peak (day 3, 18:00) at 600×: two
    handlers added at 18:30 or so; the ghost line is drawn, and later the live room's rolling
    999 10-second rate is above the ghost's. Screenshots: the projector's layout at 1280×720
    (the clock, the three cards and the 10-second chart above the fold) and the presenter's
    view at 1366×768."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from tests.helpers.browser import clear_viewport, console_problems, set_viewport

    SHOTS.mkdir(exist_ok=True)
    console_problems(browser)
    set_viewport(browser, 1280, 720)
    try:
        browser.get(server)
        _wait(browser, lambda d: d.find_elements(By.LINK_TEXT, "Live exercise"))[0].click()
        lead = ".st-key-live_lead input[role='combobox']"
        _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, lead))[0].click()
        _wait(
            browser,
            lambda d: [
                o
                for o in d.find_elements(By.CSS_SELECTOR, "[role='option']")
                if o.text.strip() == "30 minutes before the peak"
            ],
        )[0].click()
        _click(browser, "Start the exercise")
        _wait(browser, lambda d: "Day 3 (Wednesday) 17:30:00" in _clock(d))
        speed = _find(browser, ".st-key-live_speed input[type='range']")
        browser.execute_script("arguments[0].focus()", speed)
        browser.switch_to.active_element.send_keys(Keys.END)
        _wait(browser, lambda d: "600×" in _clock(d))
        _play_until(browser, lambda d: _clock(d) >= "Day 3 (Wednesday) 18:30")
        _find(browser, ".st-key-live_presenter label").click()
        _click(browser, "Add handlers now")
        on_duty = lambda d: _metrics(d).get("Handlers busy / on duty", ["", ""])  # noqa: E731
        _wait(browser, lambda d: "intervention: 2 more 999 desk handlers" in d.page_source)
        # They come on at this moment's ordinary events: the cards show them once it plays.
        _play_until(browser, lambda d: on_duty(d)[1].startswith("+2 on duty"))
        browser.save_screenshot(str(SHOTS / "live-presenter-1280x720.png"))
        ahead = lambda d: _metrics(d)["999 within 10 s (last 30 min)"][1]  # noqa: E731
        _play_until(
            browser,
            lambda d: _clock(d) >= "Day 3 (Wednesday) 19:30" and float(ahead(d).split()[0]) > 0,
        )
        rate = _metrics(browser)["999 within 10 s (last 30 min)"]
        assert float(rate[1].split()[0]) > 0 and "on the ghost's" in rate[1], rate
        assert "intervention: 2 more 999 desk handlers for 4 h" in browser.page_source
        # The ghost line: the charts' legends name it (vega draws them in an SVG or a canvas;
        # the charts' specs carry the name either way).
        _wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".vega-embed")) >= 4)
        specs = browser.execute_script(
            "return Array.from(document.querySelectorAll('.vega-embed')).map(e => e.outerHTML)"
        )
        assert all("ghost (no interventions)" in s for s in specs), specs[:1]
        # The projector's layout: presenter's controls off, the top of the page above the fold.
        _find(browser, ".st-key-live_presenter label").click()
        _wait(
            browser,
            lambda d: (
                not d.find_elements(By.XPATH, "//button[normalize-space()='Add handlers now']")
            ),
        )
        time.sleep(1)
        browser.execute_script("window.scrollTo(0, 0)")
        assert _bottom(browser, ".live-clock") <= 720
        assert _bottom(browser, "[data-testid='stMetric']") <= 720
        first_chart = browser.find_elements(By.CSS_SELECTOR, ".vega-embed")[0]
        assert first_chart.rect["y"] + first_chart.rect["height"] <= 720, first_chart.rect
        assert not browser.execute_script(
            "return document.documentElement.scrollWidth > window.innerWidth"
        )
        browser.save_screenshot(str(SHOTS / "live-projector-1280x720.png"))
        set_viewport(browser, 1366, 768)
        _find(browser, ".st-key-live_presenter label").click()
        _wait(
            browser,
            lambda d: d.find_elements(By.XPATH, "//button[normalize-space()='Add handlers now']"),
        )
        time.sleep(1)
        browser.save_screenshot(str(SHOTS / "live-presenter-1366x768.png"))
        _click(browser, "End and debrief")
        _wait(
            browser,
            lambda d: "Download the replay page" in d.find_element(By.TAG_NAME, "body").text,
            timeout=60,
        )
        debrief = browser.find_element(By.XPATH, "//h2[contains(., 'Debrief')]")
        browser.execute_script("arguments[0].scrollIntoView({block: 'start'})", debrief)
        time.sleep(1)
        browser.save_screenshot(str(SHOTS / "live-debrief-1366x768.png"))
        problems = [p for p in console_problems(browser) if "favicon" not in p]
        assert problems == [], problems[:5]
    finally:
        clear_viewport(browser)
