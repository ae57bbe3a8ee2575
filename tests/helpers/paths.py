"""Where things are in the repository, for tests that read its files or run in it."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
"""The repository's root folder (the one holding pyproject.toml)."""
SCENARIOS = ROOT / "scenarios"
"""The scenario library."""
BASELINE = SCENARIOS / "baseline.toml"
SHIFT_PATTERNS = SCENARIOS / "patterns" / "shift_patterns.toml"
"""The shipped shift patterns."""
