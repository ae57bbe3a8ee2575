"""Carrying out a run of loaded scenarios with :class:`RunOptions`: the replication plan, the
engine, the progress bar, saving each replication as it finishes and writing the run folder
at the end; and how a run that stopped early is reported (:class:`RunStopped`,
:class:`RunInterrupted`)."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..analysis.precision import PrecisionTarget, ReplicationPlan
from ..config.schema import Scenario
from ..model.columns import SpoolError
from .engines import Engine, EngineError, check_engine, make_engine
from .folder_lock import owning
from .options import RunOptions
from .progress import ProgressBar
from .results import ExperimentResult, ReplicationResult
from .run_folder import (
    has_manifest,
    prepare_folder,
    run_manifest,
    saved_records,
    scenario_hash,
    trace_fingerprint,
    write_progress,
    write_scenarios,
    write_tables,
)
from .runner import RunState, check_targets, expected_replications, run_scenarios
from .store import ResumeError, RunStore

WriteExtra = Callable[[Path, list[ExperimentResult]], Path]
"""Writes a comparison's or sweep's own table into the folder; returns its path."""


class RunStopped(Exception):
    """A run stopped before it finished (a lost worker, no room for records in the temporary
    folder); finished replications are saved."""

    def __init__(self, reason: str, folder: Path | None, saved: int) -> None:
        super().__init__(reason)
        self.reason, self.folder, self.saved = reason, folder, saved


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM) stopped a run; finished replications are saved in ``folder``."""

    def __init__(self, folder: Path | None, saved: int) -> None:
        super().__init__()
        self.folder, self.saved = folder, saved


def build_plan(count: int, options: RunOptions) -> ReplicationPlan:
    """A fixed ``count`` of replications, or the precision targets of ``options``."""
    if not options.target_half_width:
        return ReplicationPlan(count=count)
    targets = tuple(PrecisionTarget.parse(t) for t in options.target_half_width)
    return ReplicationPlan(
        targets=targets,
        initial=options.min_replications,
        cap=options.max_replications,
        look_ahead=options.look_ahead,
    )


def plan_document(
    kind: str,
    scenarios: Sequence[Scenario],
    labels: Sequence[str],
    plan: ReplicationPlan,
    calls_format: str,
) -> dict[str, Any]:
    """What a resumed run must match: the scenarios, the replications rule and the format."""
    return {
        "kind": kind,
        "scenarios": [_plan_entry(label, s) for label, s in zip(labels, scenarios, strict=True)],
        "replications": {
            "count": plan.count,
            "targets": [t.as_dict() for t in plan.targets],
            "initial": plan.initial,
            "cap": plan.cap,
            "look_ahead": plan.look_ahead,
        },
        "calls_format": calls_format,
    }


def _plan_entry(label: str, scenario: Scenario) -> dict[str, Any]:
    """A scenario in the plan: its label and hash, and a trace-driven run's trace."""
    entry: dict[str, Any] = {"label": label, "hash": scenario_hash(scenario)}
    trace = trace_fingerprint(scenario)
    if trace is not None:
        entry["arrivals"] = trace
    return entry


def execute(
    kind: str,
    scenarios: list[Scenario],
    labels: list[str],
    files: list[Sequence[Path]],
    plan: ReplicationPlan,
    options: RunOptions,
    write_extra: WriteExtra | None = None,
    engine: Engine | None = None,
) -> tuple[list[ExperimentResult], Path | None]:
    """Run ``scenarios`` (``kind`` is run, compare or sweep) and write the run folder.

    ``engine``, when given, runs the replications instead of a new engine of ``options``
    (the app keeps one warm between runs); it is closed at the end as an engine made here
    would be, and decides itself what closing means."""
    out = options.out
    if options.resume and not has_manifest(out):  # type: ignore[arg-type]
        raise ResumeError(f"{out}: nothing to resume (no manifest.json of an earlier run)")
    check_engine(options.engine, options.scheduler)  # before any folder is made or anything runs
    check_targets(plan, scenarios, labels)
    keep_records = options.keep_records if options.keep_records is not None else out is None
    folder = prepare_folder(out) if out is not None else None
    with owning(folder) if folder is not None else contextlib.nullcontext():
        store = RunStore(folder, options.calls_format) if folder is not None else None
        saved: set[tuple[int, int]] = set()
        plan_doc = plan_document(kind, scenarios, labels, plan, options.calls_format)
        if store is not None:
            if options.resume and store.is_complete():
                raise ResumeError(f"{folder}: the run there is already complete")
            saved = store.open(plan_doc, options.resume, _scenario_entries(scenarios, labels))
        on_replication, bar = _watchers(kind, scenarios, labels, plan, folder, saved, options)
        started = time.perf_counter()
        results = _run(
            scenarios,
            labels,
            plan,
            options,
            store,
            saved,
            keep_records,
            on_replication,
            bar,
            engine,
        )
        wall = time.perf_counter() - started
        for result in results:
            result.wall_s = wall
            result.folder = folder
        if folder is not None and store is not None:
            _write_folder(kind, folder, store, results, files, options, plan_doc, wall, write_extra)
    return results, folder


def _scenario_entries(scenarios: list[Scenario], labels: list[str]) -> list[dict[str, Any]]:
    """Each scenario's label and resolved scenario, for readers of the folder while it runs."""
    return [
        {
            "scenario": label,
            "scenario_resolved": json.loads(s.model_dump_json(by_alias=True)),
            "seed": s.scenario.seed,
        }
        for label, s in zip(labels, scenarios, strict=True)
    ]


def _watchers(
    kind: str,
    scenarios: list[Scenario],
    labels: list[str],
    plan: ReplicationPlan,
    folder: Path | None,
    saved: set[tuple[int, int]],
    options: RunOptions,
) -> tuple[Callable[[int, ReplicationResult, RunState], None], ProgressBar]:
    """What follows each finished replication: the progress bar and, for a run, the growing
    ``kpis.csv`` and ``summary.json`` (at most every two seconds, and at the end)."""
    finished: dict[int, dict[int, ReplicationResult]] = {s: {} for s in range(len(scenarios))}
    last_write = [0.0]

    def write_partial(force: bool = False) -> None:
        if folder is None or (not force and time.perf_counter() - last_write[0] < 2.0):
            return
        last_write[0] = time.perf_counter()
        if kind == "run":
            partial = ExperimentResult(
                scenario=scenarios[0],
                replications=[finished[0][r] for r in sorted(finished[0])],
                label=labels[0],
            )
            write_progress(folder, partial)

    bar = ProgressBar(
        labels[0] if kind == "run" else f"{kind} of {len(scenarios)}",
        expected_replications(plan, 0) * len(scenarios),
        initial=len(saved),
        enabled=options.progress,
    )

    def on_replication(s: int, result: ReplicationResult, state: RunState) -> None:
        finished[s][result.replication] = result
        write_partial(force=kind == "run" and state.done == state.total)
        bar.update(state)

    return on_replication, bar


def _run(
    scenarios: list[Scenario],
    labels: list[str],
    plan: ReplicationPlan,
    options: RunOptions,
    store: RunStore | None,
    saved: set[tuple[int, int]],
    keep_records: bool,
    on_replication: Callable[[int, ReplicationResult, RunState], None],
    bar: ProgressBar,
    engine: Engine | None = None,
) -> list[ExperimentResult]:
    """The replications on the engine; a stop says how many are saved."""
    runner = (
        engine
        if engine is not None
        else make_engine(options.engine, options.jobs, options.scheduler)
    )
    stopped = False
    try:
        return run_scenarios(
            scenarios,
            plan,
            runner,
            store=store,
            saved=saved,
            keep_records=keep_records,
            labels=labels,
            on_replication=on_replication,
        )
    except KeyboardInterrupt:
        stopped = True
        raise RunInterrupted(store.folder if store else None, _saved(store)) from None
    except (EngineError, SpoolError) as exc:
        stopped = True
        raise RunStopped(str(exc), store.folder if store else None, _saved(store)) from None
    finally:
        bar.close()
        if store is not None:
            with contextlib.suppress(OSError):  # a full disk must not hide why the run stopped
                store.flush()
        try:
            runner.close(interrupted=stopped or runner.in_flight() > 0)
        except Exception:  # closing must not hide why the run stopped
            if not stopped:
                raise


def _saved(store: RunStore | None) -> int:
    return store.finished_count() if store else 0


def _write_folder(
    kind: str,
    folder: Path,
    store: RunStore,
    results: list[ExperimentResult],
    files: list[Sequence[Path]],
    options: RunOptions,
    plan_doc: dict[str, Any],
    wall: float,
    write_extra: WriteExtra | None,
) -> None:
    """The finished run's tables and manifest (marking the run complete)."""
    calls_format = options.calls_format
    extra: dict[str, Any] = {"plan": plan_doc}
    if kind == "run":
        written = write_tables(
            folder, results[0], calls_format, saved_records(folder, 0, results[0])
        )
    else:
        extra["scenario_folders"], written = write_scenarios(folder, results, calls_format)
    if write_extra is not None:
        written.append(write_extra(folder, results))
    if results[0].precision is not None:
        extra["precision"] = results[0].precision
    command = list(options.command) if options.command is not None else None
    manifest = run_manifest(results, kind, wall, [list(f) for f in files], command, extra)
    store.complete(manifest, written)
