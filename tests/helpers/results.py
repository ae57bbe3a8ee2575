"""The columns of the result tables that the tests pin (README: outputs)."""

from __future__ import annotations

SUMMARY_STATS = ["mean", "sd", "ci_low", "ci_high", "n"]
"""What summary.csv (and summary.json) gives for each KPI of a scenario."""
SUMMARY_COLUMNS = ["scenario", "kpi", *SUMMARY_STATS]
"""The columns of summary.csv (and of ``run(...).summary``)."""
