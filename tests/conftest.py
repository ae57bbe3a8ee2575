"""Shared test settings.

Hypothesis explores new examples on every local run. In CI (the ``CI`` environment variable is
set) it is derandomized, so a run there is repeatable and a change lands or not on its own
merits; the examples it tries are still generated, just from a fixed seed.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
