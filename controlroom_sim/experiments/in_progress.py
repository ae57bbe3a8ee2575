"""A folder that a run is writing (or that a stopped run left), read only as far as it is
complete: the replications the manifest records as finished, each part checked against its
size and SHA-256 first, as results a report or a replay can show.

A comparison or sweep is read as far as every scenario has finished the same replications, so
its paired differences stay paired. Nothing here writes to the folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config.errors import ControlroomError, Param, named
from ..config.schema import Scenario
from . import parts
from .folder_lock import is_locked
from .integrity import AlteredFile, check_listing
from .results import ExperimentResult
from .run_folder import is_complete, read_manifest


class NotReadable(ControlroomError, ValueError):
    """A folder being written cannot be read yet; the message is one line."""


@dataclass
class InProgress:
    """The finished part of a run that is going (``live``) or stopped."""

    folder: Path
    kind: str
    results: list[ExperimentResult]
    """One per scenario, each with the replications finished in every scenario, in order."""
    planned: int | None
    """The replications planned per scenario (None when precision targets decide)."""
    live: bool
    """Whether a run holds the folder now."""

    @property
    def finished(self) -> int:
        return len(self.results[0].replications) if self.results else 0

    def describe(self) -> str:
        """One sentence for a page's banner."""
        of = f" of {self.planned}" if self.planned else ""
        state = (
            "a run is writing this folder"
            if self.live
            else "the run stopped before it finished; --resume continues it"
        )
        return (
            f"In progress: {self.finished}{of} replications finished ({state}); "
            f"these results are of those {self.finished} only."
        )


def read_in_progress(
    folder: Path, manifest: dict[str, Any], records: bool = True
) -> InProgress | None:
    """The finished replications of the run in ``folder`` (whose ``manifest`` says
    ``running``), with their records if ``records``; each part read is checked first. None if
    the run completed while it was being read (its parts are gone): read it as complete."""
    try:
        return _read(Path(folder), manifest, records)
    except (NotReadable, OSError, AlteredFile):
        try:
            completed = is_complete(read_manifest(folder))
        except (OSError, ValueError):
            completed = False
        if completed:
            return None
        raise


def _read(folder: Path, manifest: dict[str, Any], records: bool) -> InProgress:
    listed = manifest.get("parts")
    if not isinstance(listed, dict):
        raise named(
            NotReadable,
            f"{folder}: the run there is not complete, and its manifest records no finished "
            "replications to read; finish it with ",
            Param("resume", True),
            " first",
        )
    advice = parts.REDO
    missing = check_listing(folder, listed, advice, skip_missing=True)
    if parts.SCENARIOS_FILE in missing:
        raise NotReadable(f"{folder}: the run there has not started writing yet")
    gone = {found[:2] for name in missing if (found := parts.part_of(name))}
    try:
        entries = parts.read_scenarios(folder)
        scenarios = [Scenario.model_validate(e["scenario_resolved"]) for e in entries]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise NotReadable(f"{folder / parts.SCENARIOS_FILE}: cannot be read ({exc})") from None
    finished = parts.finished_in(listed) - gone
    common = sorted(
        set.intersection(*({r for s, r in finished if s == i} for i in range(len(scenarios))))
    )
    results = []
    for index, (entry, scenario) in enumerate(zip(entries, scenarios, strict=True)):
        try:
            reps = [parts.load_part(folder, index, r, records) for r in common]
        except (OSError, ValueError, KeyError) as exc:
            raise NotReadable(f"{folder}: a saved replication cannot be read ({exc})") from None
        results.append(
            ExperimentResult(scenario=scenario, replications=reps, label=entry.get("scenario"))
        )
    plan = manifest.get("plan") or {}
    count = (plan.get("replications") or {}).get("count")
    return InProgress(
        folder=folder,
        kind=str(plan.get("kind", "run")),
        results=results,
        planned=int(count) if isinstance(count, int) else None,
        live=is_locked(folder),
    )
