"""The columns of the result tables that the tests pin (README: outputs)."""

from __future__ import annotations

SUMMARY_STATS = ["mean", "sd", "ci_low", "ci_high", "n"]
"""What summary.csv (and summary.json) gives for each KPI of a scenario."""
SUMMARY_COLUMNS = ["scenario", "kpi", *SUMMARY_STATS]
"""The columns of summary.csv (and of ``run(...).summary``)."""


def recorded_replications(folder) -> set[int]:  # type: ignore[no-untyped-def]
    """The replications of a run folder's first scenario that its manifest records as finished
    (none when there is no readable manifest yet)."""
    from controlroom_sim.experiments import parts, run_folder

    try:
        manifest = run_folder.read_manifest(folder) or {}
    except (OSError, ValueError):
        return set()
    return {r for s, r in parts.finished_in(manifest.get("parts") or {}) if s == 0}
