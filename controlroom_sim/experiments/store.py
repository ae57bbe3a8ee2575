"""Resuming a run: its store of finished replications, saved as each completes and read back
to continue a stopped run (the files are those of :mod:`controlroom_sim.experiments.run_folder`:
``manifest.json`` and ``replications/NN/rep-00003.json`` with its tables).

Each file is written atomically, and a replication's JSON file is written after its tables: a
replication counts as finished exactly when its JSON file exists, so a run killed at any
instant leaves only whole replications behind. ``--resume`` checks that the plan (scenarios,
seed, replications rule, record format) is the one the folder was started with, loads the
finished replications and runs only the others. Replications are pure functions of the
scenario and their index, so a resumed run gives exactly the tables of an uninterrupted one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..config.errors import ControlroomError, Param, named
from . import parts, run_folder
from .results import ReplicationResult


class ResumeError(ControlroomError, ValueError):
    """A folder cannot be resumed (or would be overwritten); the message is one line."""


def _first_difference(old: Any, new: Any, path: str = "") -> str | None:
    """Where two JSON-like values first differ, as a dotted path ("" when they are equal)."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            if key not in old or key not in new:
                return f"{path}{key}"
            found = _first_difference(old[key], new[key], f"{path}{key}.")
            if found is not None:
                return found
        return None
    if isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            return path.rstrip(".") or "(top)"
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            found = _first_difference(a, b, f"{path}{i}.")
            if found is not None:
                return found
        return None
    return None if old == new else (path.rstrip(".") or "(top)")


class RunStore:
    """Finished replications of one run, kept in its output folder (the files are those of
    :mod:`controlroom_sim.experiments.run_folder`)."""

    def __init__(self, folder: Path, calls_format: str = "parquet") -> None:
        self.folder = Path(folder)
        self.calls_format = calls_format

    # -- opening ----------------------------------------------------------------------------

    def read_manifest(self) -> dict[str, Any] | None:
        try:
            return run_folder.read_manifest(self.folder)
        except (OSError, ValueError) as exc:
            path = self.folder / run_folder.MANIFEST
            raise ResumeError(f"{path}: cannot read the run's manifest ({exc})") from None

    def open(self, plan: dict[str, Any], resume: bool) -> set[tuple[int, int]]:
        """Start (or, with ``resume``, continue) the run; returns the finished ``(scenario,
        replication)`` pairs."""
        old = self.read_manifest()
        saved = self.finished()
        if resume:
            if old is None or "plan" not in old:
                raise ResumeError(
                    f"{self.folder}: nothing to resume (no manifest.json of an earlier run)"
                )
            where = _first_difference(old["plan"], plan)
            if where is not None:
                raise named(
                    ResumeError,
                    f"{self.folder}: cannot resume: the run differs from the one started there "
                    f"(at plan.{where}); use the same scenario files, options and seed, "
                    "or choose another ",
                    Param("out"),
                )
        else:
            if old is not None and old.get("status") == "running" and saved:
                raise named(
                    ResumeError,
                    f"{self.folder}: holds an interrupted run with {len(saved)} finished "
                    "replication(s); add ",
                    Param("resume", True),
                    " to continue it, or choose another ",
                    Param("out"),
                )
            parts.clear_parts(self.folder)
            saved = set()
        run_folder.write_manifest(self.folder, {"status": "running", "plan": plan})
        return saved

    def is_complete(self) -> bool:
        return run_folder.is_complete(self.read_manifest())

    # -- replications -----------------------------------------------------------------------

    def finished(self) -> set[tuple[int, int]]:
        return parts.finished_parts(self.folder)

    def save(self, scenario: int, result: ReplicationResult) -> None:
        """Write one replication (its JSON file last, which marks it done)."""
        parts.save_part(self.folder, scenario, result)

    def load(self, scenario: int, replication: int, with_records: bool) -> ReplicationResult:
        try:
            return parts.load_part(self.folder, scenario, replication, with_records)
        except (OSError, ValueError, KeyError) as exc:
            path = parts.part_path(self.folder, scenario, replication, ".json")
            raise ResumeError(
                f"{path}: a saved replication cannot be read ({exc}); delete it to run it again"
            ) from None

    # -- finishing --------------------------------------------------------------------------

    def complete(self, manifest: dict[str, Any]) -> None:
        """Mark the run complete and drop the per-replication files (the final tables hold
        everything they held)."""
        manifest = {**manifest, "status": "complete"}
        run_folder.write_manifest(self.folder, manifest)
        parts.clear_parts(self.folder, ignore_errors=True)
