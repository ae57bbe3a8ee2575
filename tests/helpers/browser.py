"""Headless Chromium for the browser tests (Debian's chromium and chromium-driver).

Tests that need a browser take the ``browser`` fixture from ``conftest.py``; without Chromium on
the machine they are skipped with the reason (``.ci/run`` installs it, so CI runs them).
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")

# Flags for a closed network: without the background-networking ones Chromium keeps trying
# Google's hosts.
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
)


def missing() -> str | None:
    """Why there is no browser, or None."""
    if CHROMIUM is None or CHROMEDRIVER is None:
        return "needs Debian's chromium and chromium-driver (apt install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "needs selenium (pip install -e '.[test]')"
    return None


def start():  # type: ignore[no-untyped-def]
    """A headless Chromium driven by Selenium, logging the page's console."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM  # type: ignore[assignment]
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tempfile.mkdtemp(prefix='crs-chromium-')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))


def console_problems(driver) -> list[str]:  # type: ignore[no-untyped-def]
    """Console messages at warning level or above since the last call."""
    return [
        f"{entry['level']}: {entry['message']}"
        for entry in driver.get_log("browser")
        if entry["level"] in ("WARNING", "SEVERE")
    ]


def open_file(driver, path: Path) -> None:  # type: ignore[no-untyped-def]
    driver.get(path.resolve().as_uri())


def set_viewport(driver, width: int, height: int) -> None:  # type: ignore[no-untyped-def]
    """Make the page's viewport exactly ``width`` × ``height`` CSS pixels (a laptop screen)."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )


def clear_viewport(driver) -> None:  # type: ignore[no-untyped-def]
    """Undo :func:`set_viewport` (the window's own size again)."""
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


@contextlib.contextmanager
def page_at(driver, path: Path, width: int, height: int) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """``path`` opened at exactly ``width`` × ``height`` CSS pixels, with the console emptied
    first (what earlier pages left) and the window's own size back afterwards; the page is
    checked to fill that width and not to scroll sideways."""
    console_problems(driver)
    set_viewport(driver, width, height)
    try:
        open_file(driver, path)
        assert driver.execute_script("return window.innerWidth") == width
        assert not page_scrolls_sideways(driver)
        yield
    finally:
        clear_viewport(driver)


def page_scrolls_sideways(driver) -> bool:  # type: ignore[no-untyped-def]
    """Whether the page is wider than the window (a horizontal scroll bar)."""
    return bool(
        driver.execute_script("return document.documentElement.scrollWidth > window.innerWidth;")
    )
