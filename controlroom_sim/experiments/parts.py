"""The finished replications of a run that is going, in ``replications/NN/``: each one's
``rep-00003.json`` (its KPIs, written last) beside its ``.intervals``, ``.calls`` and
``.incidents`` Parquet files. They are what ``--resume`` continues from, and they are dropped
once the run is complete (the final tables of :mod:`controlroom_sim.experiments.run_folder`
hold everything they held)."""

from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path
from typing import Any

import pandas as pd

from .files import write_atomic, write_json
from .integrity import listing
from .results import ReplicationResult

PARTS = "replications"
"""The folder of finished replications while a run is going."""
_REP_FILE = re.compile(r"^rep-(\d{5,})\.json$")
_PART_NAME = re.compile(r"^replications/(\d+)/rep-(\d{5,})\.(json|\w+\.parquet)$")
REDO = "delete it to run that replication again, then resume"
"""What to do about a saved part that is not as its run wrote it."""
SCENARIOS_FILE = f"{PARTS}/scenarios.json"
"""The resolved scenarios of a run that is going (its labels and settings), for readers of a
folder being written."""


def part_path(folder: Path, scenario: int, replication: int, suffix: str) -> Path:
    """A file of a finished replication: ``suffix`` is ``.json`` or ``.<table>.parquet``."""
    return Path(folder) / PARTS / f"{scenario:02d}" / f"rep-{replication:05d}{suffix}"


def finished_parts(folder: Path) -> set[tuple[int, int]]:
    """The ``(scenario, replication)`` pairs whose JSON file (written last) exists: how a
    folder written before parts were recorded in the manifest marks them finished."""
    parts = Path(folder) / PARTS
    done: set[tuple[int, int]] = set()
    if not parts.exists():
        return done
    for sub in parts.iterdir():
        if not sub.is_dir() or not sub.name.isdigit():
            continue
        for file in sub.iterdir():
            match = _REP_FILE.match(file.name)
            if match:
                done.add((int(sub.name), int(match.group(1))))
    return done


def clear_parts(folder: Path, ignore_errors: bool = False) -> None:
    parts = Path(folder) / PARTS
    if parts.exists():
        shutil.rmtree(parts, ignore_errors=ignore_errors)


def save_part(folder: Path, scenario: int, result: ReplicationResult) -> dict[str, Any]:
    """Write one replication: its tables first, then its JSON file; returns their
    fingerprints (relative to ``folder``), which the manifest records to mark it done."""
    part_path(folder, scenario, 0, "").parent.mkdir(parents=True, exist_ok=True)
    rep = result.replication
    intervals = result.intervals
    write_atomic(
        part_path(folder, scenario, rep, ".intervals.parquet"),
        lambda tmp: intervals.to_parquet(tmp, index=False),
    )
    for name, frame in (("calls", result.calls), ("incidents", result.incidents)):
        if frame is not None:
            write_atomic(
                part_path(folder, scenario, rep, f".{name}.parquet"),
                lambda tmp, frame=frame: frame.to_parquet(tmp, index=False),
            )
    write_json(
        part_path(folder, scenario, rep, ".json"),
        {
            "replication": rep,
            "calls_simulated": result.calls_simulated,
            "has_calls": result.calls is not None,
            "has_incidents": result.incidents is not None,
            "kpis": result.kpis,  # write_json writes NaN as null
        },
    )
    suffixes = [".intervals.parquet", ".json"]
    suffixes += [f".{n}.parquet" for n in ("calls", "incidents") if getattr(result, n) is not None]
    return listing(folder, [part_path(folder, scenario, rep, x) for x in suffixes])


def save_scenarios(folder: Path, scenarios: list[dict[str, Any]]) -> dict[str, Any]:
    """Write the run's scenarios (label and resolved scenario of each) for readers of the
    folder while it is written; returns the file's fingerprint."""
    path = Path(folder) / SCENARIOS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json(path, scenarios)
    return listing(folder, [path])


def read_scenarios(folder: Path) -> list[dict[str, Any]]:
    """What :func:`save_scenarios` wrote; OSError or ValueError if it cannot be read."""
    data = json.loads((Path(folder) / SCENARIOS_FILE).read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise ValueError("expected a list of scenarios")
    return data


def part_of(name: str) -> tuple[int, int, str] | None:
    """``(scenario, replication, kind)`` of a part's name relative to the run folder (kind is
    ``json`` or ``<table>.parquet``); None for any other name."""
    match = _PART_NAME.match(name)
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2)), match.group(3)


def recorded(parts: dict[str, Any]) -> dict[tuple[int, int], list[str]]:
    """The names of each replication's recorded parts; a replication is finished when its
    JSON file is among them."""
    out: dict[tuple[int, int], list[str]] = {}
    for name in parts:
        found = part_of(name)
        if found is not None:
            out.setdefault(found[:2], []).append(name)
    return out


def finished_in(parts: dict[str, Any]) -> set[tuple[int, int]]:
    """The finished ``(scenario, replication)`` pairs of a manifest's recorded parts."""
    return {
        key for key, names in recorded(parts).items() if any(n.endswith(".json") for n in names)
    }


def unrecorded_files(folder: Path, parts: dict[str, Any]) -> list[Path]:
    """Part files on disk that the manifest does not record (written by a run that stopped
    before it recorded them)."""
    root = Path(folder)
    found = []
    for path in sorted((root / PARTS).glob("*/rep-*")):
        name = path.relative_to(root).as_posix()
        if part_of(name) is not None and name not in parts:
            found.append(path)
    return found


def load_part(
    folder: Path, scenario: int, replication: int, with_records: bool
) -> ReplicationResult:
    """A finished replication as saved; OSError, ValueError or KeyError if unreadable."""
    meta = json.loads(part_path(folder, scenario, replication, ".json").read_text("utf-8"))
    intervals = pd.read_parquet(part_path(folder, scenario, replication, ".intervals.parquet"))
    calls = incidents = None
    if with_records and meta["has_calls"]:
        calls = pd.read_parquet(part_path(folder, scenario, replication, ".calls.parquet"))
    if with_records and meta["has_incidents"]:
        incidents = pd.read_parquet(part_path(folder, scenario, replication, ".incidents.parquet"))
    return ReplicationResult(
        replication=int(meta["replication"]),
        kpis={k: (math.nan if v is None else float(v)) for k, v in meta["kpis"].items()},
        intervals=intervals,
        calls=calls,
        calls_simulated=int(meta["calls_simulated"]),
        incidents=incidents,
    )


def record_parts(
    folder: Path, scenario: int, replications: int, name: str
) -> list[tuple[int, Path]]:
    """``(replication, path)`` of the saved ``calls`` or ``incidents`` tables, in order."""
    out = []
    for rep in range(replications):
        path = part_path(folder, scenario, rep, f".{name}.parquet")
        if path.exists():
            out.append((rep, path))
    return out
