"""Resuming a run: its store of finished replications, saved as each completes and read back
to continue a stopped run (the files are those of :mod:`controlroom_sim.experiments.run_folder`:
``manifest.json`` and ``replications/NN/rep-00003.json`` with its tables).

Each file is written atomically; once a replication's tables and JSON file are written, their
sizes and SHA-256 are recorded in the manifest, and a replication counts as finished exactly
when the manifest records it, so a run killed at any instant leaves only whole replications
behind. ``--resume`` checks that the plan (scenarios, seed, replications rule, record format) is
the one the folder was started with, checks every recorded part against its size and SHA-256
before anything runs (refusing, with its name, one that is not as written), loads the finished
replications and runs only the others. Replications are pure functions of the
scenario and their index, so a resumed run gives exactly the tables of an uninterrupted one.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from ..config.errors import ControlroomError, Param, named
from . import integrity, parts, run_folder
from .results import ReplicationResult

_PACE = 50.0
"""The manifest is written again once at least this many times as long as its last write has
passed, so recording parts costs at most about 2% of a run's time however many replications
it has (every replication, up to a few hundred; a 5,000-replication run's 3 MB manifest every
few seconds). A replication saved but not yet recorded when a run is killed is run again."""


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
        self.parts: dict[str, Any] = {}
        """Each saved part's size and SHA-256, by its name relative to the folder."""
        self.plan: dict[str, Any] = {}
        self._pending = False
        self._next_write = 0.0

    # -- opening ----------------------------------------------------------------------------

    def read_manifest(self) -> dict[str, Any] | None:
        try:
            return run_folder.read_manifest(self.folder)
        except (OSError, ValueError) as exc:
            path = self.folder / run_folder.MANIFEST
            raise ResumeError(f"{path}: cannot read the run's manifest ({exc})") from None

    def open(
        self, plan: dict[str, Any], resume: bool, scenarios: list[dict[str, Any]] | None = None
    ) -> set[tuple[int, int]]:
        """Start (or, with ``resume``, continue) the run; returns the finished ``(scenario,
        replication)`` pairs. Resuming checks every saved part against the manifest first.
        ``scenarios`` (label and resolved scenario of each) is kept for readers of the folder
        while it is written."""
        old = self.read_manifest()
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
            self.parts = self._checked_parts(old)
        else:
            saved = self._saved(old)
            if old is not None and old.get("status") == "running" and saved:
                raise named(
                    ResumeError,
                    f"{self.folder}: holds an interrupted run with {saved} finished "
                    "replication(s); add ",
                    Param("resume", True),
                    " to continue it, or choose another ",
                    Param("out"),
                )
            run_folder.clear_results(self.folder, old)
            parts.clear_parts(self.folder)
            self.parts = {}
        self.plan = plan
        if scenarios is not None:
            self.parts.update(parts.save_scenarios(self.folder, scenarios))
        self._write_running()
        return self.finished()

    def _saved(self, old: dict[str, Any] | None) -> int:
        if old is not None and isinstance(old.get("parts"), dict):
            return len(parts.finished_in(old["parts"]))
        return len(parts.finished_parts(self.folder))

    def _checked_parts(self, old: dict[str, Any]) -> dict[str, Any]:
        """The saved parts a resumed run keeps: every recorded part is checked (size and
        SHA-256) and one that is not as written is refused, naming it; a replication with a
        recorded part gone (deleted to run it again) and files the manifest never recorded
        (a run stopped between writing and recording them) are dropped, to be run again."""
        recorded = old.get("parts")
        if recorded is None:  # a folder written before parts were recorded
            done = parts.finished_parts(self.folder)
            names = [
                p
                for s, r in sorted(done)
                for p in parts.part_path(self.folder, s, r, "").parent.glob(f"rep-{r:05d}.*")
            ]
            recorded = integrity.listing(self.folder, names)
        if not isinstance(recorded, dict):
            raise ResumeError(
                f"{self.folder / run_folder.MANIFEST}: parts: expected a table of saved "
                f"files, found {type(recorded).__name__}"
            )
        # the scenarios' file is written again as the run resumes
        recorded = {k: v for k, v in recorded.items() if k != parts.SCENARIOS_FILE}
        missing = integrity.check_listing(
            self.folder,
            recorded,
            parts.REDO,
            skip_missing=True,
        )
        gone = {parts.part_of(name)[:2] for name in missing if parts.part_of(name)}
        kept = {}
        for name, print_ in recorded.items():
            found = parts.part_of(name)
            if found is not None and found[:2] in gone:
                (self.folder / name).unlink(missing_ok=True)
            else:
                kept[name] = print_
        for path in parts.unrecorded_files(self.folder, kept):
            path.unlink(missing_ok=True)
        return kept

    def _write_running(self) -> None:
        started = time.perf_counter()
        run_folder.write_manifest(
            self.folder, {"status": "running", "plan": self.plan, "parts": self.parts}
        )
        now = time.perf_counter()
        self._next_write = now + _PACE * (now - started)
        self._pending = False

    def flush(self) -> None:
        """Record in the manifest any replication saved since it was last written."""
        if self._pending:
            self._write_running()

    def finished_count(self) -> int:
        """Finished replications, once the manifest records every one saved."""
        self.flush()
        return len(self.finished())

    def is_complete(self) -> bool:
        return run_folder.is_complete(self.read_manifest())

    # -- replications -----------------------------------------------------------------------

    def finished(self) -> set[tuple[int, int]]:
        return parts.finished_in(self.parts)

    def save(self, scenario: int, result: ReplicationResult) -> None:
        """Write one replication, then record its parts' sizes and SHA-256 in the manifest,
        which marks it finished."""
        self.parts.update(parts.save_part(self.folder, scenario, result))
        self._pending = True
        if time.perf_counter() >= self._next_write:
            self._write_running()

    def load(self, scenario: int, replication: int, with_records: bool) -> ReplicationResult:
        try:
            return parts.load_part(self.folder, scenario, replication, with_records)
        except (OSError, ValueError, KeyError) as exc:
            path = parts.part_path(self.folder, scenario, replication, ".json")
            raise ResumeError(
                f"{path}: a saved replication cannot be read ({exc}); delete it to run it again"
            ) from None

    # -- finishing --------------------------------------------------------------------------

    def complete(self, manifest: dict[str, Any], files: list[Path]) -> None:
        """Mark the run complete, recording the size and SHA-256 of each of its ``files``, and
        drop the per-replication files (the final tables hold everything they held)."""
        listing = integrity.listing(self.folder, dict.fromkeys(files))
        manifest = {**manifest, "status": "complete", "files": listing}
        run_folder.write_manifest(self.folder, manifest)
        parts.clear_parts(self.folder, ignore_errors=True)
