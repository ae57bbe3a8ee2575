"""The run folder's format, in one place: the names of its files, what they hold, and how they
are written and read back.

A run folder holds ``manifest.json`` (status ``running`` or ``complete``, the plan, and what
ran), ``summary.json``, ``kpis.csv``, ``intervals.csv``, ``calls.parquet`` (or ``.csv``) and
``incidents.parquet``; a comparison or sweep has ``summary.csv``, ``kpis.csv``,
``differences.csv`` or ``sweep.csv`` at the top and each scenario's tables in
``scenarios/NN-name/``. While a run is going, each finished replication is kept in
``replications/NN/rep-00003.json`` (its KPIs, written last) beside its ``.intervals``,
``.calls`` and ``.incidents`` Parquet files; those parts are dropped once the run is complete.
The store (resume), the report, the replay and the command line read the folder through the
functions here. Every file is written whole (see :mod:`controlroom_sim.experiments.files`).
The finished replications' files are those of :mod:`controlroom_sim.experiments.parts`.
"""

from __future__ import annotations

import hashlib
import json
import platform
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..config.errors import ControlroomError
from ..config.rota_export import sheet_text
from ..config.schema import Scenario
from ..config.version import __version__
from .files import OutputError as OutputError  # the run folder's error, re-exported
from .files import prepare_folder as prepare_folder  # re-exported
from .files import write_atomic, write_json, write_table
from .integrity import AlteredFile as AlteredFile  # re-exported
from .integrity import check_listing
from .parts import PARTS as PARTS  # re-exported
from .parts import finished_in, finished_parts, record_parts
from .results import ExperimentResult

MANIFEST = "manifest.json"
SUMMARY = "summary.json"
SCENARIOS = "scenarios"
"""The folder of a comparison's or sweep's scenario folders."""


def default_folder(name: str, now: datetime | None = None) -> Path:
    """``results/<scenario>-<timestamp>/``."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)
    return Path("results") / f"{safe}-{stamp}"


def slug(text: str) -> str:
    """A scenario's name as part of a folder name: ``scenarios/NN-<slug>/``."""
    return re.sub(r"[^A-Za-z0-9._=-]+", "_", text).strip("_")[:80] or "scenario"


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


def trace_fingerprint(scenario: Scenario) -> dict[str, Any] | None:
    """A trace-driven scenario's arrival trace (left out of :func:`scenario_hash`): the calls
    per channel and the SHA-256 of every time, for the plan a resumed run must match; None
    for a scenario with the Poisson process."""
    trace = scenario.arrival_trace
    if trace is None:
        return None
    digest = hashlib.sha256()
    for channel in sorted(trace):
        digest.update(channel.encode("utf-8") + b"\0")
        digest.update(np.asarray(trace[channel], dtype="<f8").tobytes() + b"\0")
    return {
        "calls": {channel: len(trace[channel]) for channel in sorted(trace)},
        "sha256": digest.hexdigest(),
    }


def write_progress(folder: Path, result: ExperimentResult) -> None:
    """Files that grow as replications complete: ``kpis.csv`` and ``summary.json``."""
    kpis = result.kpis
    write_atomic(folder / "kpis.csv", lambda tmp: kpis.to_csv(tmp, index=False))
    write_json(folder / "summary.json", summary_document(result))


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
    """Each file's text (None if it cannot be read); an .xlsx rota file's rota sheet as CSV."""
    out: dict[str, str | None] = {}
    for file in files:
        try:
            if file.suffix.lower() == ".xlsx":
                out[str(file)] = sheet_text(file)
            else:
                out[str(file)] = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError, ControlroomError):
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


def write_scenarios(
    folder: Path, results: list[ExperimentResult], calls_format: str
) -> tuple[dict[str, str], list[Path]]:
    """A comparison's or sweep's tables: ``kpis.csv`` and ``summary.csv`` of every scenario,
    and each scenario's own tables in ``scenarios/NN-name/``; returns label -> sub-folder, and
    the files written."""
    from ..analysis.confidence import summarise

    kpis = pd.concat([r.kpis for r in results], ignore_index=True)
    summary = summarise(kpis)
    write_atomic(folder / "kpis.csv", lambda tmp: kpis.to_csv(tmp, index=False))
    write_atomic(folder / "summary.csv", lambda tmp: summary.to_csv(tmp, index=False))
    folders = {}
    written = [folder / "kpis.csv", folder / "summary.csv"]
    for index, result in enumerate(results):
        sub = folder / SCENARIOS / f"{index:02d}-{slug(result.name)}"
        written += write_tables(sub, result, calls_format, saved_records(folder, index, result))
        folders[result.name] = str(sub.relative_to(folder))
    return folders, written


def saved_records(
    folder: Path, scenario: int, result: ExperimentResult
) -> Callable[[str], list[tuple[int, Path]]]:
    """For :func:`write_tables`: the saved record parts of a scenario's replications."""
    n = len(result.replications)
    return lambda name: record_parts(folder, scenario, n, name)


def write_differences(folder: Path, table: pd.DataFrame) -> Path:
    """A comparison's ``differences.csv``."""
    write_atomic(folder / "differences.csv", lambda tmp: table.to_csv(tmp, index=False))
    return folder / "differences.csv"


def write_sweep(folder: Path, table: pd.DataFrame) -> Path:
    """A sweep's ``sweep.csv``."""
    write_atomic(folder / "sweep.csv", lambda tmp: table.to_csv(tmp, index=False))
    return folder / "sweep.csv"


# -- the manifest -------------------------------------------------------------------------------


def has_manifest(folder: Path) -> bool:
    return (Path(folder) / MANIFEST).exists()


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """``folder``'s manifest, None if it has none; OSError or ValueError if unreadable."""
    path = Path(folder) / MANIFEST
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    write_json(Path(folder) / MANIFEST, manifest)


def is_complete(manifest: dict[str, Any] | None) -> bool:
    return manifest is not None and manifest.get("status") == "complete"


def clear_results(folder: Path, manifest: dict[str, Any] | None) -> None:
    """Remove the results tables an earlier, complete run recorded in ``folder`` (a new run
    there must not leave any of them beside its own)."""
    if not is_complete(manifest):
        return
    files = manifest.get("files") if manifest else None
    for name in files if isinstance(files, dict) else ():
        path = Path(folder) / name
        if ".." not in Path(name).parts and path.is_file():
            path.unlink()


def check_results(root: Path, manifest: dict[str, Any]) -> None:
    """Check every results file a complete run recorded (size and SHA-256) before it is read;
    :class:`AlteredFile` names the first that is not as the run wrote it. A folder written
    before results were recorded has nothing to check."""
    files = manifest.get("files")
    if files is None:
        return
    if not isinstance(files, dict):
        raise AlteredFile(
            f"{Path(root) / MANIFEST}: files: expected a table of the results' sizes and "
            f"SHA-256, found {type(files).__name__}"
        )
    check_listing(
        Path(root),
        files,
        "the results there cannot be trusted: restore the file, or run the scenario again",
    )


def saved_replications(folder: Path | None) -> int | None:
    """Finished replications of an interrupted run in ``folder``; None if it holds none to
    continue (no run started there, the run is complete, or the folder cannot be read)."""
    if folder is None:
        return None
    try:
        manifest = read_manifest(folder)
        if manifest is None or manifest.get("status") != "running":
            return None
        if isinstance(manifest.get("parts"), dict):
            return len(finished_in(manifest["parts"]))
        return len(finished_parts(folder))
    except (OSError, ValueError):
        return None


# -- reading a finished folder ------------------------------------------------------------------


def read_summary(folder: Path) -> dict[str, Any] | None:
    """A scenario folder's ``summary.json``, None if it has none; OSError or ValueError if
    unreadable."""
    path = Path(folder) / SUMMARY
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def table_path(folder: Path, stem: str) -> Path | None:
    """A scenario folder's ``calls``, ``incidents`` or ``intervals`` table, Parquet or CSV."""
    for suffix in (".parquet", ".csv"):
        path = Path(folder) / f"{stem}{suffix}"
        if path.exists():
            return path
    return None


def read_records(
    path: Path,
    columns: list[str] | None = None,
    replication: int | None = None,
    dtype: dict[str, type] | None = None,
) -> pd.DataFrame:
    """A table written by :func:`write_tables` (Parquet or CSV by its suffix): ``columns``
    of it (default all), of one ``replication`` (default all); CSV columns read as ``dtype``."""
    if path.suffix == ".parquet":
        filters = [("replication", "==", replication)] if replication is not None else None
        return pd.read_parquet(path, columns=columns, filters=filters)
    frame = pd.read_csv(path, usecols=columns, dtype=dtype)
    if replication is not None:
        frame = frame[frame["replication"] == replication]
    return frame


def read_csv_table(folder: Path, name: str) -> pd.DataFrame | None:
    """A comparison's or sweep's ``summary``, ``differences`` or ``sweep`` table, if written."""
    path = Path(folder) / f"{name}.csv"
    return pd.read_csv(path) if path.exists() else None


def scenario_folders(manifest: dict[str, Any]) -> dict[str, str]:
    """A comparison's or sweep's scenario folders: label -> path relative to the run folder."""
    return dict(manifest.get("scenario_folders") or {})


def owning_manifest(folder: Path) -> Path | None:
    """The manifest of the comparison or sweep whose ``scenarios/NN-name/`` is ``folder``."""
    top = Path(folder).parent.parent / MANIFEST
    return top if Path(folder).parent.name == SCENARIOS and top.exists() else None
