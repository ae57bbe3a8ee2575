"""Writing a run's folder: ``summary.json``, ``kpis.csv``, ``intervals.csv``,
``calls.parquet`` and ``manifest.json``.

Every file is written to a temporary name in the same folder and moved into place with
``os.replace``, so a reader (or an interrupted run) never sees half a file.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import sys
import tempfile
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import __version__
from .experiment import ExperimentResult


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_current_umask()
"""Temporary files are private (0600); finished files get the user's usual permissions."""


class OutputError(OSError):
    """The output folder cannot be created or written; the message is one line."""


def default_folder(name: str, now: datetime | None = None) -> Path:
    """``results/<scenario>-<timestamp>/``."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)
    return Path("results") / f"{safe}-{stamp}"


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
    return {
        "scenario": result.name,
        "replications": len(result.replications),
        "seed": result.scenario.scenario.seed,
        "version": __version__,
        "kpis": kpis,
    }


def scenario_hash(result: ExperimentResult) -> str:
    text = result.scenario.model_dump_json()
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_progress(folder: Path, result: ExperimentResult) -> None:
    """Files that grow as replications complete: ``kpis.csv`` and ``summary.json``."""
    kpis = result.kpis
    write_atomic(folder / "kpis.csv", lambda tmp: kpis.to_csv(tmp, index=False))
    write_json(folder / "summary.json", summary_document(result))


def write_results(
    folder: Path,
    result: ExperimentResult,
    scenario_files: Iterable[Path] = (),
    command: list[str] | None = None,
    calls_format: str = "parquet",
) -> list[Path]:
    """Write every output file of a finished run; returns their paths."""
    write_progress(folder, result)
    intervals = result.intervals
    write_atomic(folder / "intervals.csv", lambda tmp: intervals.to_csv(tmp, index=False))
    calls = result.calls
    if calls_format == "parquet":
        calls_path = folder / "calls.parquet"
        write_atomic(calls_path, lambda tmp: calls.to_parquet(tmp, index=False))
    else:
        calls_path = folder / "calls.csv"
        write_atomic(calls_path, lambda tmp: calls.to_csv(tmp, index=False))
    written = [calls_path]
    incidents = result.incidents
    if incidents is not None:
        path = folder / f"incidents.{'parquet' if calls_format == 'parquet' else 'csv'}"
        if calls_format == "parquet":
            write_atomic(path, lambda tmp: incidents.to_parquet(tmp, index=False))
        else:
            write_atomic(path, lambda tmp: incidents.to_csv(tmp, index=False))
        written.append(path)
    files = {}
    for file in scenario_files:
        try:
            files[str(file)] = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            files[str(file)] = None
    manifest = {
        "scenario": result.name,
        "scenario_hash": scenario_hash(result),
        "scenario_resolved": json.loads(result.scenario.model_dump_json(by_alias=True)),
        "scenario_files": files,
        "version": __version__,
        "seed": result.scenario.scenario.seed,
        "replications": len(result.replications),
        "calls_simulated": result.calls_simulated,
        "wall_s": round(result.wall_s, 3),
        "command": command if command is not None else sys.argv,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    write_json(folder / "manifest.json", manifest)
    return [folder / n for n in ("summary.json", "kpis.csv", "intervals.csv")] + [
        *written,
        folder / "manifest.json",
    ]
