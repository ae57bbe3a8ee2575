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

import pandas as pd

from .files import write_atomic, write_json
from .results import ReplicationResult

PARTS = "replications"
"""The folder of finished replications while a run is going."""
_REP_FILE = re.compile(r"^rep-(\d{5,})\.json$")


def part_path(folder: Path, scenario: int, replication: int, suffix: str) -> Path:
    """A file of a finished replication: ``suffix`` is ``.json`` or ``.<table>.parquet``."""
    return Path(folder) / PARTS / f"{scenario:02d}" / f"rep-{replication:05d}{suffix}"


def finished_parts(folder: Path) -> set[tuple[int, int]]:
    """The ``(scenario, replication)`` pairs whose JSON file (written last) exists."""
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


def save_part(folder: Path, scenario: int, result: ReplicationResult) -> None:
    """Write one replication: its tables first, then its JSON file, which marks it done."""
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
