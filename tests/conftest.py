"""Shared test settings.

Hypothesis explores new examples on every local run. In CI (the ``CI`` environment variable is
set) it is derandomized, so a run there is repeatable and a change lands or not on its own
merits; the examples it tries are still generated, just from a fixed seed.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """A headless Chromium (see tests/helpers/browser.py). Skipped where there is none, but in
    CI (which installs it) a missing browser fails, so the browser tests cannot silently stop
    running."""
    from tests.helpers.browser import missing, start

    reason = missing()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests {reason}")
        pytest.skip(reason)
    driver = start()
    yield driver
    driver.quit()
