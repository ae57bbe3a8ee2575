"""A results folder as the report reads it: :class:`Results` (a run, a comparison or a sweep)
and each scenario's :class:`RunData`, read through
:mod:`controlroom_sim.experiments.run_folder`."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..config.errors import ControlroomError, Param, named
from ..experiments import run_folder
from ..experiments.in_progress import NotReadable, read_in_progress
from ..experiments.results import Comparison

_CSV_TYPES = {"channel": str, "weekday": str, "time": str}
"""Columns of CSV tables read as text (channel "999", weekday, HH:MM)."""


class ReportError(ControlroomError, ValueError):
    """A folder that cannot be reported on; the message is one line."""


@dataclass
class RunData:
    """One scenario's results as a run folder holds them."""

    name: str
    folder: Path
    summary: pd.DataFrame
    scenario: dict
    intervals: pd.DataFrame | None = None
    calls: pd.DataFrame | None = None
    incidents: pd.DataFrame | None = None
    replications: int = 0
    seed: int | None = None

    @property
    def warmup_s(self) -> float:
        return float(self.scenario.get("scenario", {}).get("warmup_hours", 0.0)) * 3600.0

    @property
    def horizon_s(self) -> float:
        days = float(self.scenario.get("scenario", {}).get("days", 7.0))
        return self.warmup_s + days * 86400.0

    def answer_clock(self, channel: str) -> str:
        return self.scenario.get("channels", {}).get(channel, {}).get("answer_clock", "call")

    def measured_calls(self) -> pd.DataFrame | None:
        if self.calls is None:
            return None
        arrival = self.calls["arrival_s"]
        return self.calls[(arrival >= self.warmup_s) & (arrival < self.horizon_s)]

    def answer_times(self, channel: str) -> pd.Series | None:
        """Answer times of the measured answered calls of ``channel`` (the channel's clock)."""
        calls = self.measured_calls()
        if calls is None:
            return None
        own = calls[(calls["channel"] == channel) & (calls["outcome"] == "answered")]
        start = own["force_s"] if self.answer_clock(channel) == "force" else own["arrival_s"]
        return (own["answered_s"] - start).dropna()

    def targets_min(self) -> dict[str, float]:
        dispatch = self.scenario.get("dispatch") or {}
        return dict(dispatch.get("targets_min") or {})


@dataclass
class Results:
    """A results folder: one run, or several scenarios of a comparison or sweep."""

    folder: Path
    kind: str
    runs: list[RunData]
    manifest: dict
    summary: pd.DataFrame
    differences: pd.DataFrame | None = None
    sweep: pd.DataFrame | None = None
    figures: list[tuple[str, str, Path]] = field(default_factory=list)
    lead: dict[str, list[tuple[str, str, Path]]] = field(default_factory=dict)
    """For a comparison: each variant's figures of its differences from the baseline."""
    points: list[dict[str, Any]] = field(default_factory=list)
    """For a sweep: each variant's varied keys and their values."""
    progress: str | None = None
    """For a run not yet complete: what part of it these results are (one sentence)."""


def _read_json(read: Callable[[Path], dict | None], folder: Path, name: str) -> dict | None:
    try:
        return read(folder)
    except (OSError, ValueError) as exc:
        raise ReportError(f"{folder / name}: cannot be read as JSON ({exc})") from None


def _read_table(folder: Path, stem: str) -> pd.DataFrame | None:
    path = run_folder.table_path(folder, stem)
    if path is None:
        return None
    try:
        return run_folder.read_records(path, dtype=_CSV_TYPES)
    except Exception as exc:
        raise ReportError(f"{path}: cannot be read ({exc})") from None


def _summary_frame(summary: dict, name: str) -> pd.DataFrame:
    rows = [{"scenario": name, "kpi": k, **v} for k, v in summary.get("kpis", {}).items()]
    return pd.DataFrame(rows)


def _load_run(folder: Path, name: str | None, scenario: dict, seed: int | None) -> RunData:
    summary = _read_json(run_folder.read_summary, folder, run_folder.SUMMARY)
    if summary is None:
        raise ReportError(f"{folder}: no summary.json (is the run complete?)")
    label = name or summary.get("scenario") or folder.name
    intervals = _read_table(folder, "intervals")
    return RunData(
        name=label,
        folder=folder,
        summary=_summary_frame(summary, label),
        scenario=scenario,
        intervals=intervals,
        calls=_read_table(folder, "calls"),
        incidents=_read_table(folder, "incidents"),
        replications=int(summary.get("replications", 0)),
        seed=summary.get("seed", seed),
    )


def load_results(folder: str | Path) -> Results:
    """Read a results folder; ReportError (one line) if it is not one."""
    root = Path(folder)
    if not root.is_dir():
        raise ReportError(f"{folder}: no such results folder")
    manifest = _read_json(run_folder.read_manifest, root, run_folder.MANIFEST)
    if manifest is None:
        raise ReportError(
            f"{folder}: no manifest.json: expected a folder written by run, compare or sweep"
        )
    if manifest.get("status") == "running":
        return _in_progress(root, manifest)
    if not run_folder.is_complete(manifest):
        raise named(
            ReportError,
            f"{folder}: the run is not complete (status {manifest.get('status')!r}); "
            "finish it with ",
            Param("resume", True),
            " first",
        )
    try:
        run_folder.check_results(root, manifest)
    except run_folder.AlteredFile as exc:
        raise ReportError(str(exc)) from None
    kind = manifest.get("kind", "run")
    if kind == "run":
        run = _load_run(
            root,
            manifest.get("scenario"),
            manifest.get("scenario_resolved", {}),
            manifest.get("seed"),
        )
        return Results(root, kind, [run], manifest, run.summary)
    runs = []
    entries = manifest.get("scenarios", [])
    for (label, sub), entry in zip(
        run_folder.scenario_folders(manifest).items(), entries, strict=False
    ):
        runs.append(
            _load_run(root / sub, label, entry.get("scenario_resolved", {}), manifest.get("seed"))
        )
    summary = run_folder.read_csv_table(root, "summary")
    if summary is None:
        summary = pd.concat([r.summary for r in runs], ignore_index=True)
    differences = run_folder.read_csv_table(root, "differences")
    sweep = run_folder.read_csv_table(root, "sweep")
    return Results(root, kind, runs, manifest, summary, differences, sweep)


def _in_progress(root: Path, manifest: dict) -> Results:
    """A folder being written (or left by a stopped run), as far as it is complete; read
    again as a complete folder if the run completes while it is being read."""
    try:
        partial = read_in_progress(root, manifest)
    except (NotReadable, OSError, run_folder.AlteredFile) as exc:
        raise ReportError(str(exc)) from None
    if partial is None:  # it completed while being read
        return load_results(root)
    if partial.finished == 0:
        raise ReportError(
            f"{root}: the run there has not finished a replication yet; try again later"
        )
    runs = []
    for result in partial.results:
        resolved = json.loads(result.scenario.model_dump_json(by_alias=True))
        runs.append(
            RunData(
                name=result.name,
                folder=root,
                summary=result.summary,
                scenario=resolved,
                intervals=result.intervals,
                calls=result.calls
                if any(r.calls is not None for r in result.replications)
                else None,
                incidents=result.incidents,
                replications=partial.finished,
                seed=result.scenario.scenario.seed,
            )
        )
    shown = {
        **manifest,
        "kind": partial.kind,
        "calls_simulated": sum(r.calls_simulated for r in partial.results),
    }
    summary = pd.concat([r.summary for r in runs], ignore_index=True)
    differences = Comparison(partial.results).differences if partial.kind == "compare" else None
    return Results(
        root, partial.kind, runs, shown, summary, differences, progress=partial.describe()
    )
