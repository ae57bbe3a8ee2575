"""Writing a run's folder: ``summary.json``, ``kpis.csv``, ``intervals.csv``,
``calls.parquet``, ``incidents.parquet`` and ``manifest.json``.

Every file is written to a temporary name in the same folder and moved into place with
``os.replace``, so a reader (or an interrupted run) never sees half a file.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..config.errors import ControlroomError
from ..config.schema import Scenario
from ..config.version import __version__
from .results import ExperimentResult


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_current_umask()
"""Temporary files are private (0600); finished files get the user's usual permissions."""


class OutputError(ControlroomError, OSError):
    """The output folder cannot be created or written; the message is one line."""


def default_folder(name: str, now: datetime | None = None) -> Path:
    """``results/<scenario>-<timestamp>/``."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)
    return Path("results") / f"{safe}-{stamp}"


def slug(text: str) -> str:
    """A scenario's name as part of a folder name: ``scenarios/NN-<slug>/``."""
    return re.sub(r"[^A-Za-z0-9._=-]+", "_", text).strip("_")[:80] or "scenario"


def prepare_folder(folder: Path) -> Path:
    """Create ``folder`` and check it can be written, before any simulation runs."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".probe-"):
            pass
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise OutputError(f"{folder}: cannot write results there ({reason})") from None
    return folder


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then move it into place."""
    handle, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.chmod(tmp, _FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def write_json(path: Path, data: Any) -> None:
    text = json.dumps(_clean(data), indent=2, allow_nan=False) + "\n"
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def summary_document(result: ExperimentResult) -> dict[str, Any]:
    summary = result.summary
    kpis = {
        row.kpi: {
            "mean": row.mean,
            "sd": row.sd,
            "ci_low": row.ci_low,
            "ci_high": row.ci_high,
            "n": int(row.n),
        }
        for row in summary.itertuples()
    }
    doc = {
        "scenario": result.name,
        "replications": len(result.replications),
        "seed": result.scenario.scenario.seed,
        "version": __version__,
        "kpis": kpis,
    }
    if result.precision is not None:
        doc["precision"] = result.precision
    return doc


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the resolved scenario (every key, after ``extends`` and ``--set``)."""
    text = scenario.model_dump_json()
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_progress(folder: Path, result: ExperimentResult) -> None:
    """Files that grow as replications complete: ``kpis.csv`` and ``summary.json``."""
    kpis = result.kpis
    write_atomic(folder / "kpis.csv", lambda tmp: kpis.to_csv(tmp, index=False))
    write_json(folder / "summary.json", summary_document(result))


def write_table(path: Path, frames: Iterable[pd.DataFrame]) -> bool:
    """Write ``frames`` one after another into one Parquet or CSV file (by ``path``'s suffix),
    streaming, so only one frame is in memory at a time. Returns False if there were none."""
    wrote = False

    def write(tmp: Path) -> None:
        nonlocal wrote
        if path.suffix == ".parquet":
            writer = None
            try:
                for frame in frames:
                    table = pa.Table.from_pandas(frame, preserve_index=False)
                    if writer is None:
                        writer = pq.ParquetWriter(tmp, table.schema)
                    writer.write_table(table.cast(writer.schema))
                    wrote = True
            finally:
                if writer is not None:
                    writer.close()
        else:
            with open(tmp, "w", encoding="utf-8", newline="") as handle:
                for frame in frames:
                    frame.to_csv(handle, index=False, header=not wrote)
                    wrote = True

    write_atomic(path, write)
    if not wrote:
        path.unlink(missing_ok=True)
    return wrote


def _records(
    result: ExperimentResult, name: str, parts: list[tuple[int, Path]] | None
) -> Iterator[pd.DataFrame]:
    """One frame per replication of the ``calls`` or ``incidents`` table, in order, with the
    ``scenario`` and ``replication`` columns first; read from the saved parts when the records
    are no longer in memory."""
    saved = dict(parts or [])
    for rep in result.replications:
        frame = getattr(rep, name)
        if frame is None and rep.replication in saved:
            frame = pd.read_parquet(saved[rep.replication])
        if frame is None:
            continue
        frame = frame.copy()
        frame.insert(0, "replication", rep.replication)
        frame.insert(0, "scenario", result.name)
        yield frame


def write_tables(
    folder: Path,
    result: ExperimentResult,
    calls_format: str = "parquet",
    parts: Callable[[str], list[tuple[int, Path]]] | None = None,
) -> list[Path]:
    """A scenario's tables: ``summary.json``, ``kpis.csv``, ``intervals.csv`` and, unless
    ``calls_format`` is ``"none"``, ``calls`` and ``incidents``. ``parts(name)`` lists saved
    per-replication record files for records no longer held in memory."""
    folder.mkdir(parents=True, exist_ok=True)
    write_progress(folder, result)
    written = [folder / "summary.json", folder / "kpis.csv"]
    intervals = result.intervals
    write_atomic(folder / "intervals.csv", lambda tmp: intervals.to_csv(tmp, index=False))
    written.append(folder / "intervals.csv")
    if calls_format != "none":
        for name in ("calls", "incidents"):
            path = folder / f"{name}.{calls_format}"
            saved = parts(name) if parts is not None else None
            # every replication's table is written, even one with no rows; incidents
            # exist only with dispatch
            if write_table(path, _records(result, name, saved)):
                written.append(path)
    return written


def file_texts(files: Iterable[Path]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for file in files:
        try:
            out[str(file)] = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            out[str(file)] = None
    return out


def scenario_entry(result: ExperimentResult, files: Iterable[Path] = ()) -> dict[str, Any]:
    """What the manifest records of one scenario."""
    return {
        "scenario": result.name,
        "scenario_hash": scenario_hash(result.scenario),
        "scenario_resolved": json.loads(result.scenario.model_dump_json(by_alias=True)),
        "scenario_files": file_texts(files),
        "seed": result.scenario.scenario.seed,
        "replications": len(result.replications),
        "calls_simulated": result.calls_simulated,
    }


def run_manifest(
    results: list[ExperimentResult],
    kind: str,
    wall_s: float,
    files: list[list[Path]] | None = None,
    command: list[str] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """``manifest.json`` of a finished run. A single-scenario run keeps its scenario's keys at
    the top level; comparisons and sweeps list their scenarios."""
    entries = [scenario_entry(r, files[i] if files else ()) for i, r in enumerate(results)]
    manifest: dict[str, Any] = {"kind": kind}
    if kind == "run":
        manifest.update(entries[0])
    else:
        manifest["scenarios"] = entries
        manifest["seed"] = results[0].scenario.scenario.seed
        manifest["replications"] = len(results[0].replications)
        manifest["calls_simulated"] = sum(r.calls_simulated for r in results)
    manifest.update(
        {
            "version": __version__,
            "wall_s": round(wall_s, 3),
            "command": command if command is not None else sys.argv,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "platform": platform.platform(),
        }
    )
    if extra:
        manifest.update(extra)
    return manifest


def write_differences(folder: Path, table: pd.DataFrame) -> None:
    """A comparison's ``differences.csv``."""
    write_atomic(folder / "differences.csv", lambda tmp: table.to_csv(tmp, index=False))


def write_sweep(folder: Path, table: pd.DataFrame) -> None:
    """A sweep's ``sweep.csv``."""
    write_atomic(folder / "sweep.csv", lambda tmp: table.to_csv(tmp, index=False))
