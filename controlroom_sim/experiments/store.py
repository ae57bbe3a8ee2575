"""A run folder's store of finished replications: written as each completes, read back to resume.

Layout inside the run folder::

    manifest.json                      status ("running" or "complete") and the run's plan
    replications/<NN>/rep-00003.json   KPIs of replication 3 of scenario NN (written last)
    replications/<NN>/rep-00003.intervals.parquet
    replications/<NN>/rep-00003.calls.parquet        (unless calls are not kept)
    replications/<NN>/rep-00003.incidents.parquet    (with dispatch)

Each file is written atomically, and a replication's JSON file is written after its tables: a
replication counts as finished exactly when its JSON file exists, so a run killed at any
instant leaves only whole replications behind. ``--resume`` checks that the plan (scenarios,
seed, replications rule, record format) is the one the folder was started with, loads the
finished replications and runs only the others. Replications are pure functions of the
scenario and their index, so a resumed run gives exactly the tables of an uninterrupted one.
"""

from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path
from typing import Any

import pandas as pd

from ..config.errors import ControlroomError
from .parameters import Param, named
from .results import ReplicationResult
from .run_folder import write_atomic, write_json

PARTS = "replications"
MANIFEST = "manifest.json"
_REP_FILE = re.compile(r"^rep-(\d{5,})\.json$")


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
    """Finished replications of one run, kept in its output folder."""

    def __init__(self, folder: Path, calls_format: str = "parquet") -> None:
        self.folder = Path(folder)
        self.parts = self.folder / PARTS
        self.calls_format = calls_format

    # -- opening ----------------------------------------------------------------------------

    def read_manifest(self) -> dict[str, Any] | None:
        path = self.folder / MANIFEST
        if not path.exists():
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
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
            if self.parts.exists():
                shutil.rmtree(self.parts)
            saved = set()
        write_json(self.folder / MANIFEST, {"status": "running", "plan": plan})
        return saved

    def is_complete(self) -> bool:
        manifest = self.read_manifest()
        return manifest is not None and manifest.get("status") == "complete"

    # -- replications -----------------------------------------------------------------------

    def _dir(self, scenario: int) -> Path:
        return self.parts / f"{scenario:02d}"

    def _path(self, scenario: int, replication: int, suffix: str) -> Path:
        return self._dir(scenario) / f"rep-{replication:05d}{suffix}"

    def finished(self) -> set[tuple[int, int]]:
        done = set()
        if not self.parts.exists():
            return done
        for folder in self.parts.iterdir():
            if not folder.is_dir() or not folder.name.isdigit():
                continue
            for file in folder.iterdir():
                match = _REP_FILE.match(file.name)
                if match:
                    done.add((int(folder.name), int(match.group(1))))
        return done

    def save(self, scenario: int, result: ReplicationResult) -> None:
        """Write one replication: its tables first, then its JSON file, which marks it done."""
        folder = self._dir(scenario)
        folder.mkdir(parents=True, exist_ok=True)
        rep = result.replication
        intervals = result.intervals
        write_atomic(
            self._path(scenario, rep, ".intervals.parquet"),
            lambda tmp: intervals.to_parquet(tmp, index=False),
        )
        for name, frame in (("calls", result.calls), ("incidents", result.incidents)):
            if frame is not None:
                write_atomic(
                    self._path(scenario, rep, f".{name}.parquet"),
                    lambda tmp, frame=frame: frame.to_parquet(tmp, index=False),
                )
        write_json(
            self._path(scenario, rep, ".json"),
            {
                "replication": rep,
                "calls_simulated": result.calls_simulated,
                "has_calls": result.calls is not None,
                "has_incidents": result.incidents is not None,
                "kpis": result.kpis,  # write_json writes NaN as null
            },
        )

    def load(self, scenario: int, replication: int, with_records: bool) -> ReplicationResult:
        path = self._path(scenario, replication, ".json")
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
            intervals = pd.read_parquet(self._path(scenario, replication, ".intervals.parquet"))
            calls = incidents = None
            if with_records and meta["has_calls"]:
                calls = pd.read_parquet(self._path(scenario, replication, ".calls.parquet"))
            if with_records and meta["has_incidents"]:
                incidents = pd.read_parquet(self._path(scenario, replication, ".incidents.parquet"))
        except (OSError, ValueError, KeyError) as exc:
            raise ResumeError(
                f"{path}: a saved replication cannot be read ({exc}); delete it to run it again"
            ) from None
        return ReplicationResult(
            replication=int(meta["replication"]),
            kpis={k: (math.nan if v is None else float(v)) for k, v in meta["kpis"].items()},
            intervals=intervals,
            calls=calls,
            calls_simulated=int(meta["calls_simulated"]),
            incidents=incidents,
        )

    def record_parts(self, scenario: int, replications: int, name: str) -> list[tuple[int, Path]]:
        """``(replication, path)`` of the saved ``calls`` or ``incidents`` tables, in order."""
        out = []
        for rep in range(replications):
            path = self._path(scenario, rep, f".{name}.parquet")
            if path.exists():
                out.append((rep, path))
        return out

    # -- finishing --------------------------------------------------------------------------

    def complete(self, manifest: dict[str, Any]) -> None:
        """Mark the run complete and drop the per-replication files (the final tables hold
        everything they held)."""
        manifest = {**manifest, "status": "complete"}
        write_json(self.folder / MANIFEST, manifest)
        if self.parts.exists():
            shutil.rmtree(self.parts, ignore_errors=True)
