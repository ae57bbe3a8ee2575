"""A run folder as the replay reads it: the run's resolved scenario and settings from its
manifest (or, for a ``scenarios/NN-name/`` folder, its comparison's), the call and incident
records of one replication, the handlers on duty and the run's KPIs; and :class:`ReplayError`,
for what cannot be replayed."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..config.errors import ControlroomError, Param, named
from ..config.schema import Scenario
from ..config.version import __version__
from ..experiments import parts, run_folder
from ..experiments.in_progress import NotReadable, read_in_progress
from ..experiments.results import ExperimentResult

RUN_KPIS: tuple[str, ...] = (
    "answered_within_10s_999",
    "abandon_rate_999",
    "abandon_rate_101",
    "mean_answer_s_101",
    "handler_occupancy",
)
"""Whole-run KPIs (means over replications, from summary.json) shown beside the replay."""
_CALL_COLUMNS = [
    "replication",
    "call_id",
    "origin",
    "channel",
    "arrival_s",
    "force_s",
    "answered_s",
    "abandoned_s",
    "end_s",
    "wrap_end_s",
    "outcome",
    "callback_offered_s",
    "callback_accepted",
]
_INCIDENT_COLUMNS = ["replication", "created_s", "appointment_s", "allocated_s"]
_CSV_TYPES = {"channel": str, "outcome": str, "origin": str}
"""Columns of CSV record tables read as text."""


class ReplayError(ControlroomError, ValueError):
    """A folder, window or replication that cannot be replayed; the message is one line."""


@dataclass
class _Run:
    folder: Path
    name: str
    scenario: Scenario
    seed: int | None
    replications: int
    calls_format: str
    version: str | None
    partial: ExperimentResult | None = None
    """For a run not yet complete: its finished replications (without records)."""
    progress: str | None = None
    """For a run not yet complete: what part of it the page shows (one sentence)."""


def _read_json(read, folder: Path, name: str) -> dict[str, Any] | None:
    """``read(folder)`` (a reader of :mod:`~controlroom_sim.experiments.run_folder`) as a
    JSON object; ReplayError (one line) if it cannot be read."""
    path = folder / name
    try:
        data = read(folder)
    except (OSError, ValueError) as exc:
        raise ReplayError(f"{path}: cannot be read as JSON ({_one_line(exc)})") from None
    if data is not None and not isinstance(data, dict):
        raise ReplayError(f"{path}: expected a JSON object")
    return data


def _manifest(folder: Path) -> dict[str, Any]:
    manifest = _read_json(run_folder.read_manifest, folder, run_folder.MANIFEST)
    assert manifest is not None  # the caller has seen it
    return manifest


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _complete(manifest: dict[str, Any], folder: Path) -> None:
    status = manifest.get("status")
    if status != "complete":
        raise named(
            ReplayError,
            f"{folder}: the run there is not complete (status {status!r}); finish it with ",
            Param("resume", True),
            " first",
        )


def _open_run(folder: Path) -> _Run:
    if not folder.is_dir():
        reason = "not a folder" if folder.exists() else "no such folder"
        raise ReplayError(f"{folder}: not a results folder ({reason})")
    top = run_folder.owning_manifest(folder)
    if run_folder.has_manifest(folder):
        manifest = _manifest(folder)
        if manifest.get("status") == "running":
            return _open_in_progress(folder, manifest)
        _complete(manifest, folder)
        _check(folder, manifest)
        if manifest.get("kind", "run") != "run" or "scenario_resolved" not in manifest:
            subs = sorted(str(folder / p) for p in run_folder.scenario_folders(manifest).values())
            example = f", e.g. {subs[0]}" if subs else ""
            raise ReplayError(
                f"{folder}: holds a {manifest.get('kind', 'comparison')} of several scenarios; "
                f"give one of its scenario folders{example}"
            )
        entry = manifest
    elif top is not None:
        manifest = _manifest(top.parent)
        _complete(manifest, folder)
        _check(top.parent, manifest)
        relative = f"{run_folder.SCENARIOS}/{folder.name}"
        labels = [k for k, v in run_folder.scenario_folders(manifest).items() if v == relative]
        entries = [e for e in manifest.get("scenarios") or [] if e.get("scenario") in labels]
        if not entries:
            raise ReplayError(f"{folder}: not one of the scenario folders of {top.parent}")
        entry = entries[0]
    else:
        raise ReplayError(
            f"{folder}: not a results folder of controlroom-sim run (no manifest.json)"
        )
    try:
        scenario = Scenario.model_validate_json(json.dumps(entry["scenario_resolved"]))
    except (KeyError, ValueError) as exc:
        raise ReplayError(
            f"{folder}: the manifest's resolved scenario cannot be read ({_one_line(exc)})"
        ) from None
    plan = manifest.get("plan") or {}
    return _Run(
        folder=folder,
        name=str(entry.get("scenario") or scenario.scenario.name),
        scenario=scenario,
        seed=entry.get("seed", manifest.get("seed")),
        replications=int(entry.get("replications") or manifest.get("replications") or 0),
        calls_format=str(plan.get("calls_format", "parquet")),
        version=manifest.get("version"),
    )


def _table_path(folder: Path, stem: str) -> Path | None:
    return run_folder.table_path(folder, stem)


def _read_records(path: Path, columns: list[str], replication: int | None) -> pd.DataFrame:
    """Some columns of a calls or incidents table, of one replication (or all rows)."""
    try:
        frame = run_folder.read_records(path, columns, replication, dtype=_CSV_TYPES)
    except Exception as exc:  # pyarrow and pandas raise many kinds
        raise ReplayError(f"{path}: cannot be read ({_one_line(exc)})") from None
    return frame.reset_index(drop=True)


def _replications(path: Path) -> list[int]:
    frame = _read_records(path, ["replication"], None)
    return sorted(int(r) for r in pd.unique(frame["replication"]))


def _calls_path(run: _Run) -> Path:
    path = _table_path(run.folder, "calls")
    if path is not None:
        return path
    if run.calls_format == "none":
        raise named(
            ReplayError,
            f"{run.folder}: has no call records (the run used ",
            Param("calls_format", "none"),
            "); run it again with ",
            Param("calls_format", "parquet"),
            " to replay it",
        )
    raise ReplayError(f"{run.folder}: has no calls.parquet or calls.csv to replay")


def _choose_replication(available: list[int], replication: int | None, run: _Run) -> int:
    if not available:
        raise ReplayError(f"{run.folder}: the call records hold no calls")
    if replication is None:
        return available[0]
    if isinstance(replication, bool) or not isinstance(replication, int | np.integer):
        raise named(
            ReplayError,
            Param("replication"),
            f": expected a whole number, found {replication!r}",
        )
    if int(replication) not in available:
        held = (
            f"{available[0]} to {available[-1]}"
            if available == list(range(available[0], available[-1] + 1))
            else ", ".join(map(str, available))
        )
        raise named(
            ReplayError,
            Param("replication", replication),
            f": not in the run, which has replication(s) {held}",
        )
    return int(replication)


def _on_duty(folder: Path, replication: int) -> pd.DataFrame:
    path = run_folder.table_path(folder, "intervals")
    if path is None:
        raise ReplayError(f"{folder}: has no intervals.csv (handlers on duty)")
    try:
        frame = run_folder.read_records(path, _DUTY_COLUMNS)
    except Exception as exc:
        raise ReplayError(f"{path}: cannot be read ({_one_line(exc)})") from None
    return _duty_rows(frame[frame["replication"] == replication])


_DUTY_COLUMNS = ["replication", "interval", "start_s", "handlers_on_duty"]


def _duty_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """One replication's handlers on duty, an interval a row (the intervals table has one
    per channel), in time order."""
    frame = frame[_DUTY_COLUMNS].drop_duplicates("interval")
    return frame.sort_values("start_s").reset_index(drop=True)


def _run_kpis(run: _Run) -> dict[str, float | None]:
    if run.partial is not None:
        kpis = {row.kpi: {"mean": row.mean} for row in run.partial.summary.itertuples(index=False)}
    else:
        summary = _read_json(run_folder.read_summary, run.folder, run_folder.SUMMARY)
        if summary is None:
            return {}
        kpis = summary.get("kpis") or {}
    out: dict[str, float | None] = {}
    for name in RUN_KPIS:
        value = (kpis.get(name) or {}).get("mean")
        if name in kpis:
            out[name] = (
                round(float(value), 4)
                if isinstance(value, int | float) and math.isfinite(value)
                else None
            )
    return out


def _check(root: Path, manifest: dict[str, Any]) -> None:
    """Every results file of the run checked (size and SHA-256) before any is read."""
    try:
        run_folder.check_results(root, manifest)
    except run_folder.AlteredFile as exc:
        raise ReplayError(str(exc)) from None


# -- a run not yet complete -------------------------------------------------------------------


def _open_in_progress(folder: Path, manifest: dict[str, Any]) -> _Run:
    """A run folder being written (or left by a stopped run), as far as it is complete: its
    finished replications, each part checked first."""
    try:
        partial = read_in_progress(folder, manifest, records=False)
    except (NotReadable, OSError, run_folder.AlteredFile) as exc:
        raise ReplayError(_one_line(exc)) from None
    if partial is None:  # it completed while being read
        return _open_run(folder)
    if partial.kind != "run":
        raise ReplayError(
            f"{folder}: holds a {partial.kind} that is not complete yet; its scenario "
            "folders, which replay reads, are written when it completes"
        )
    if partial.finished == 0:
        raise ReplayError(f"{folder}: the run there has not finished a replication yet")
    result = partial.results[0]
    plan = manifest.get("plan") or {}
    return _Run(
        folder=folder,
        name=result.name,
        scenario=result.scenario,
        seed=result.scenario.scenario.seed,
        replications=partial.finished,
        calls_format=str(plan.get("calls_format", "parquet")),
        version=__version__,
        partial=result,
        progress=partial.describe(),
    )


def _partial_records(
    run: _Run, replication: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """The calls, handlers on duty and incidents of one finished replication of a run not yet
    complete, as the final tables would hold them."""
    if run.calls_format == "none":
        _calls_path(run)  # says the run keeps no call records
    try:
        rep = parts.load_part(run.folder, 0, replication, with_records=True)
    except (OSError, ValueError, KeyError) as exc:
        raise ReplayError(
            f"{run.folder}: replication {replication} cannot be read ({_one_line(exc)})"
        ) from None
    if rep.calls is None:
        _calls_path(run)
    calls = rep.calls.assign(replication=replication)[_CALL_COLUMNS]
    on_duty = _duty_rows(rep.intervals.assign(replication=replication))
    incidents = None
    if rep.incidents is not None:
        incidents = rep.incidents.assign(replication=replication)[_INCIDENT_COLUMNS]
    return calls.reset_index(drop=True), on_duty, incidents
