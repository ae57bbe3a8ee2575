"""The Python API: ``run``, ``compare`` and ``sweep``, returning pandas tables.

>>> import controlroom_sim as crs
>>> result = crs.run(replications=4, jobs=2)              # the built-in baseline
>>> result.summary                                        # scenario, kpi, mean, sd, ci_low, ...
>>> c = crs.compare("scenarios/baseline.toml", "night.toml", replications=20)
>>> c.differences                                         # paired (CRN) differences with CIs
>>> s = crs.sweep("scenarios/baseline.toml", {"handlers.1.shifts.0.count": [8, 10, 12]})
>>> s.table                                               # one row per variant and KPI

The command line runs the same functions. Every result is the same whatever ``jobs`` or
``engine``; with ``out`` each replication is saved as it finishes and ``resume=True``
continues a run that was stopped.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..analysis.comparison import (
    paired_differences,
    parse_vary,
    sweep_grid,
    sweep_table,
    toml_literal,
    variant_label,
)
from ..analysis.confidence import summarise
from ..analysis.precision import (
    DEFAULT_CAP,
    DEFAULT_INITIAL,
    DEFAULT_LOOK_AHEAD,
    PrecisionError,
    PrecisionTarget,
    ReplicationPlan,
)
from ..config.loading import load_scenario, scenario_files
from ..config.schema import Scenario
from ..model.columns import SpoolError
from .engines import EngineError, check_engine, make_engine
from .progress import ProgressBar
from .run_folder import (
    prepare_folder,
    run_manifest,
    write_atomic,
    write_progress,
    write_tables,
)
from .runner import (
    ExperimentResult,
    ReplicationResult,
    RunState,
    check_targets,
    expected_replications,
    run_scenarios,
    with_run_settings,
)
from .store import ResumeError, RunStore

ScenarioLike = str | Path | Scenario | None
Targets = Mapping[str, float | str] | Iterable[str] | None


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


@dataclass
class Comparison:
    """Scenarios run with common random numbers, and their differences from the baseline."""

    results: list[ExperimentResult]
    folder: Path | None = None

    @property
    def baseline(self) -> str:
        return self.results[0].name

    @property
    def kpis(self) -> pd.DataFrame:
        return pd.concat([r.kpis for r in self.results], ignore_index=True)

    @property
    def summary(self) -> pd.DataFrame:
        return summarise(self.kpis)

    @property
    def differences(self) -> pd.DataFrame:
        """Paired differences from the baseline (see :mod:`controlroom_sim.comparison`)."""
        return paired_differences(self.kpis, self.baseline)

    def __getitem__(self, label: str) -> ExperimentResult:
        for result in self.results:
            if result.name == label:
                return result
        raise KeyError(label)


@dataclass
class Sweep(Comparison):
    """A grid of variants of one scenario; ``table`` has one column per varied key."""

    points: list[dict[str, str]] = field(default_factory=list)

    @property
    def table(self) -> pd.DataFrame:
        return sweep_table(self.summary, self.points, [r.name for r in self.results])


# -- inputs -------------------------------------------------------------------------------------


def _load(scenario: ScenarioLike, overrides: Sequence[str]) -> tuple[Scenario, list[Path]]:
    if isinstance(scenario, Scenario):
        if overrides:
            raise ValueError("overrides need a scenario file, not a Scenario object")
        return scenario, []
    return load_scenario(scenario, overrides), scenario_files(scenario)


def _plan(
    count: int,
    target_half_width: Targets,
    min_replications: int,
    max_replications: int,
    look_ahead: int,
) -> ReplicationPlan:
    if not target_half_width:
        return ReplicationPlan(count=count)
    if isinstance(target_half_width, Mapping):
        texts = [f"{k}={v}" for k, v in target_half_width.items()]
    else:
        texts = list(target_half_width)
    targets = tuple(PrecisionTarget.parse(t) for t in texts)
    if not 2 <= min_replications <= max_replications:
        raise PrecisionError(
            f"--min-replications: expected 2 to --max-replications ({max_replications}), "
            f"found {min_replications}"
        )
    return ReplicationPlan(
        targets=targets, initial=min_replications, cap=max_replications, look_ahead=look_ahead
    )


def _plan_document(
    kind: str,
    scenarios: Sequence[Scenario],
    labels: Sequence[str],
    plan: ReplicationPlan,
    calls_format: str,
) -> dict[str, Any]:
    from .run_folder import scenario_hash

    return {
        "kind": kind,
        "scenarios": [
            {"label": label, "hash": scenario_hash(s)}
            for label, s in zip(labels, scenarios, strict=True)
        ],
        "replications": {
            "count": plan.count,
            "targets": [t.as_dict() for t in plan.targets],
            "initial": plan.initial,
            "cap": plan.cap,
            "look_ahead": plan.look_ahead,
        },
        "calls_format": calls_format,
    }


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._=-]+", "_", text).strip("_")[:80] or "scenario"


# -- the runner shared by run, compare and sweep ------------------------------------------------


def _execute(
    kind: str,
    scenarios: list[Scenario],
    labels: list[str],
    files: list[list[Path]],
    plan: ReplicationPlan,
    *,
    jobs: int,
    engine: str,
    scheduler: str | None,
    out: str | Path | None,
    resume: bool,
    calls_format: str,
    keep_records: bool | None,
    progress: bool,
    command: list[str] | None,
    write_extra: Callable[[Path, list[ExperimentResult]], None] | None = None,
) -> tuple[list[ExperimentResult], Path | None]:
    if calls_format not in ("parquet", "csv", "none"):
        raise ValueError(f"calls_format: expected parquet, csv or none, found {calls_format!r}")
    if resume and out is None:
        raise ResumeError("--resume needs --out naming the folder of the run to continue")
    if resume and not (Path(out) / "manifest.json").exists():
        raise ResumeError(f"{out}: nothing to resume (no manifest.json of an earlier run)")
    check_engine(engine, scheduler)  # before any folder is made or anything runs
    check_targets(plan, scenarios, labels)
    if keep_records is None:
        keep_records = out is None
    folder = prepare_folder(Path(out)) if out is not None else None
    store = RunStore(folder, calls_format) if folder is not None else None
    saved: set[tuple[int, int]] = set()
    plan_doc = _plan_document(kind, scenarios, labels, plan, calls_format)
    if store is not None:
        if resume and store.is_complete():
            raise ResumeError(f"{folder}: the run there is already complete")
        saved = store.open(plan_doc, resume)

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
        enabled=progress,
    )

    def on_replication(s: int, result: ReplicationResult, state: RunState) -> None:
        finished[s][result.replication] = result
        write_partial(force=kind == "run" and state.done == state.total)
        bar.update(state)

    started = time.perf_counter()
    runner = make_engine(engine, jobs, scheduler)
    stopped = False
    try:
        results = run_scenarios(
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
        raise RunInterrupted(folder, len(store.finished()) if store else 0) from None
    except (EngineError, SpoolError) as exc:
        stopped = True
        raise RunStopped(str(exc), folder, len(store.finished()) if store else 0) from None
    finally:
        bar.close()
        try:
            runner.close(interrupted=stopped or runner.in_flight() > 0)
        except Exception:  # closing must not hide why the run stopped
            if not stopped:
                raise
    wall = time.perf_counter() - started
    for result in results:
        result.wall_s = wall
        result.folder = folder
    if folder is not None and store is not None:
        _write_folder(
            kind, folder, store, results, files, calls_format, command, plan_doc, wall, write_extra
        )
    return results, folder


def _write_folder(
    kind: str,
    folder: Path,
    store: RunStore,
    results: list[ExperimentResult],
    files: list[list[Path]],
    calls_format: str,
    command: list[str] | None,
    plan_doc: dict[str, Any],
    wall: float,
    write_extra: Callable[[Path, list[ExperimentResult]], None] | None,
) -> None:
    def parts_of(index: int, n: int) -> Callable[[str], list[tuple[int, Path]]]:
        return lambda name: store.record_parts(index, n, name)

    extra: dict[str, Any] = {"plan": plan_doc}
    if kind == "run":
        result = results[0]
        write_tables(folder, result, calls_format, parts_of(0, len(result.replications)))
    else:
        kpis = pd.concat([r.kpis for r in results], ignore_index=True)
        summary = summarise(kpis)
        write_atomic(folder / "kpis.csv", lambda tmp: kpis.to_csv(tmp, index=False))
        write_atomic(folder / "summary.csv", lambda tmp: summary.to_csv(tmp, index=False))
        folders = {}
        for index, result in enumerate(results):
            sub = folder / "scenarios" / f"{index:02d}-{_slug(result.name)}"
            write_tables(sub, result, calls_format, parts_of(index, len(result.replications)))
            folders[result.name] = str(sub.relative_to(folder))
        extra["scenario_folders"] = folders
    if write_extra is not None:
        write_extra(folder, results)
    if results[0].precision is not None:
        extra["precision"] = results[0].precision
    manifest = run_manifest(results, kind, wall, files, command, extra)
    store.complete(manifest)


def _common(
    replications: int | None,
    seed: int | None,
    base: Scenario,
) -> tuple[int, int]:
    count = replications if replications is not None else base.scenario.replications
    return count, seed if seed is not None else base.scenario.seed


# -- public functions ---------------------------------------------------------------------------


def run(
    scenario: ScenarioLike = None,
    *,
    replications: int | None = None,
    seed: int | None = None,
    overrides: Sequence[str] = (),
    target_half_width: Targets = None,
    min_replications: int = DEFAULT_INITIAL,
    max_replications: int = DEFAULT_CAP,
    look_ahead: int = DEFAULT_LOOK_AHEAD,
    jobs: int = 1,
    engine: str = "processes",
    scheduler: str | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    calls_format: str = "parquet",
    keep_records: bool | None = None,
    progress: bool = False,
    command: list[str] | None = None,
) -> ExperimentResult:
    """Run one scenario's replications; returns its KPIs, summary, intervals and records.

    ``scenario`` is a TOML path, a :class:`Scenario`, or ``None`` for the built-in baseline.
    ``target_half_width`` (e.g. ``{"answered_within_10s_999": 0.01}`` or
    ``{"mean_answer_s_101": "5%"}``) replaces the fixed count by the replications algorithm,
    between ``min_replications`` and ``max_replications``. ``jobs`` worker processes (or a
    Dask cluster with ``engine="dask"`` and ``scheduler``) give the same tables as one. With
    ``out`` the run folder is written as replications finish, and ``resume=True`` continues
    a stopped run there. Call records are kept in memory unless ``out`` is given.
    """
    loaded, files = _load(scenario, overrides)
    count, common_seed = _common(replications, seed, loaded)
    loaded = with_run_settings(loaded, count, common_seed)
    plan = _plan(count, target_half_width, min_replications, max_replications, look_ahead)
    results, _ = _execute(
        "run",
        [loaded],
        [loaded.scenario.name],
        [files],
        plan,
        jobs=jobs,
        engine=engine,
        scheduler=scheduler,
        out=out,
        resume=resume,
        calls_format=calls_format,
        keep_records=keep_records,
        progress=progress,
        command=command,
    )
    return results[0]


def _unique_labels(scenarios: Sequence[Scenario], sources: Sequence[ScenarioLike]) -> list[str]:
    labels: list[str] = []
    for scenario, source in zip(scenarios, sources, strict=True):
        label = scenario.scenario.name
        if label in labels and isinstance(source, str | Path):
            label = f"{label} ({Path(source).stem})"
        base, k = label, 2
        while label in labels:
            label, k = f"{base} ({k})", k + 1
        labels.append(label)
    return labels


def _write_differences(folder: Path, results: list[ExperimentResult]) -> None:
    table = Comparison(results).differences
    write_atomic(folder / "differences.csv", lambda tmp: table.to_csv(tmp, index=False))


def compare(
    baseline: ScenarioLike,
    *variants: ScenarioLike,
    replications: int | None = None,
    seed: int | None = None,
    overrides: Sequence[str] = (),
    target_half_width: Targets = None,
    min_replications: int = DEFAULT_INITIAL,
    max_replications: int = DEFAULT_CAP,
    look_ahead: int = DEFAULT_LOOK_AHEAD,
    jobs: int = 1,
    engine: str = "processes",
    scheduler: str | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    calls_format: str = "parquet",
    keep_records: bool | None = None,
    progress: bool = False,
    command: list[str] | None = None,
) -> Comparison:
    """Run a baseline and variants with common random numbers and compare them.

    Every scenario runs with the baseline's seed (or ``seed``) and replication count (or
    ``replications``), so replication ``r`` of each sees the same callers. ``overrides``
    apply to every scenario. ``differences`` gives ``variant - baseline`` per KPI with the
    paired 95% interval, and the unpaired (Welch) interval beside it.
    """
    if not variants:
        raise ValueError("compare needs a baseline and at least one variant")
    sources = [baseline, *variants]
    loaded = [_load(s, overrides) for s in sources]
    count, common_seed = _common(replications, seed, loaded[0][0])
    scenarios = [with_run_settings(s, count, common_seed) for s, _ in loaded]
    labels = _unique_labels(scenarios, sources)
    plan = _plan(count, target_half_width, min_replications, max_replications, look_ahead)
    results, folder = _execute(
        "compare",
        scenarios,
        labels,
        [f for _, f in loaded],
        plan,
        jobs=jobs,
        engine=engine,
        scheduler=scheduler,
        out=out,
        resume=resume,
        calls_format=calls_format,
        keep_records=keep_records,
        progress=progress,
        command=command,
        write_extra=_write_differences,
    )
    return Comparison(results, folder)


def sweep(
    scenario: ScenarioLike,
    vary: Mapping[str, Sequence[Any]] | Sequence[str],
    *,
    replications: int | None = None,
    seed: int | None = None,
    overrides: Sequence[str] = (),
    target_half_width: Targets = None,
    min_replications: int = DEFAULT_INITIAL,
    max_replications: int = DEFAULT_CAP,
    look_ahead: int = DEFAULT_LOOK_AHEAD,
    jobs: int = 1,
    engine: str = "processes",
    scheduler: str | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    calls_format: str = "parquet",
    keep_records: bool | None = None,
    progress: bool = False,
    command: list[str] | None = None,
) -> Sweep:
    """Run every combination of the varied keys, with common random numbers.

    ``vary`` maps scenario keys (as for ``--set``) to lists of values, or is a list of
    ``"KEY=V1,V2,..."`` strings as on the command line. Every grid point is loaded and
    checked before any simulation runs.
    """
    if isinstance(scenario, Scenario):
        raise ValueError("sweep needs a scenario file (or None for the baseline)")
    if isinstance(vary, Mapping):
        pairs = [(k, [toml_literal(v) for v in values]) for k, values in vary.items()]
    else:
        pairs = [parse_vary(text) for text in vary]
    if not pairs:
        raise ValueError("sweep needs at least one key to vary")
    points = sweep_grid(pairs)
    loaded = []
    for point in points:
        extra = [f"{k}={v}" for k, v in point.items()]
        loaded.append(load_scenario(scenario, overrides, vary=extra))
    files = scenario_files(scenario)
    count, common_seed = _common(replications, seed, loaded[0])
    scenarios = [with_run_settings(s, count, common_seed) for s in loaded]
    labels = [variant_label(p) for p in points]
    plan = _plan(count, target_half_width, min_replications, max_replications, look_ahead)

    def write_table(folder: Path, results: list[ExperimentResult]) -> None:
        table = Sweep(results, folder, points).table
        write_atomic(folder / "sweep.csv", lambda tmp: table.to_csv(tmp, index=False))

    results, folder = _execute(
        "sweep",
        scenarios,
        labels,
        [files] * len(scenarios),
        plan,
        jobs=jobs,
        engine=engine,
        scheduler=scheduler,
        out=out,
        resume=resume,
        calls_format=calls_format,
        keep_records=keep_records,
        progress=progress,
        command=command,
        write_extra=write_table,
    )
    return Sweep(results, folder, points)


__all__ = [
    "Comparison",
    "RunInterrupted",
    "RunStopped",
    "Sweep",
    "compare",
    "run",
    "sweep",
]
