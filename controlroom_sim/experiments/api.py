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

Each public function takes its options as keyword arguments, makes one :class:`RunOptions`
of them, loads its scenarios once and calls ``run_loaded``, ``compare_loaded`` or
``sweep_loaded``, which the command line calls with the scenarios it has already loaded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..analysis.comparison import variant_label
from ..analysis.precision import DEFAULT_CAP, DEFAULT_INITIAL, DEFAULT_LOOK_AHEAD
from ..config.schema import Scenario
from .engines import Engine
from .execute import RunInterrupted, RunStopped, build_plan, execute
from .inputs import Grid, LoadedScenario, ScenarioLike, load, load_grid, unique_labels, vary_pairs
from .options import RunOptions, Targets
from .results import Comparison, ExperimentResult, Sweep
from .run_folder import write_differences, write_sweep
from .runner import with_run_settings


def _settings(options: RunOptions, base: Scenario) -> tuple[int, int]:
    """The replication count and seed every scenario runs with: the options', else the
    (baseline) scenario's."""
    count = options.replications
    seed = options.seed
    return (
        count if count is not None else base.scenario.replications,
        seed if seed is not None else base.scenario.seed,
    )


def _several(
    kind: str,
    loaded: Sequence[LoadedScenario],
    labels: list[str],
    options: RunOptions,
    extra,
    engine: Engine | None = None,
) -> tuple[list[ExperimentResult], Path | None]:
    count, seed = _settings(options, loaded[0].scenario)
    scenarios = [with_run_settings(s.scenario, count, seed) for s in loaded]
    plan = build_plan(count, options)
    files = [s.files for s in loaded]
    return execute(kind, scenarios, labels, files, plan, options, extra, engine)


# -- with the scenarios loaded (the command line starts here) -----------------------------------


def run_loaded(loaded: LoadedScenario, options: RunOptions) -> ExperimentResult:
    """:func:`run` of a scenario already loaded."""
    count, seed = _settings(options, loaded.scenario)
    scenario = with_run_settings(loaded.scenario, count, seed)
    plan = build_plan(count, options)
    label = scenario.scenario.name
    results, _ = execute("run", [scenario], [label], [loaded.files], plan, options)
    return results[0]


def compare_loaded(
    loaded: Sequence[LoadedScenario], options: RunOptions, engine: Engine | None = None
) -> Comparison:
    """:func:`compare` of scenarios already loaded (the baseline first); ``engine``, when
    given, runs the replications (see :func:`~.execute.execute`)."""
    if len(loaded) < 2:
        raise ValueError("compare needs a baseline and at least one variant")

    def differences(folder: Path, results: list[ExperimentResult]) -> Path:
        return write_differences(folder, Comparison(results).differences)

    labels = unique_labels(loaded)
    results, folder = _several("compare", loaded, labels, options, differences, engine)
    return Comparison(results, folder)


def sweep_loaded(grid: Grid, options: RunOptions) -> Sweep:
    """:func:`sweep` of a grid already loaded."""

    def table(folder: Path, results: list[ExperimentResult]) -> Path:
        return write_sweep(folder, Sweep(results, folder, grid.points).table)

    labels = [variant_label(p) for p in grid.points]
    results, folder = _several("sweep", grid.variants, labels, options, table)
    return Sweep(results, folder, grid.points)


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
    a stopped run there. Call records are kept in memory unless ``out`` is given. (The
    options are those of :class:`RunOptions`.)
    """
    options = RunOptions(**_keywords(locals()))
    return run_loaded(load(scenario, options.overrides), options)


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
    options = RunOptions(**_keywords(locals()))
    if not variants:
        raise ValueError("compare needs a baseline and at least one variant")
    loaded = [load(s, options.overrides) for s in (baseline, *variants)]
    return compare_loaded(loaded, options)


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
    options = RunOptions(**_keywords(locals()))
    if isinstance(scenario, Scenario):
        raise ValueError("sweep needs a scenario file (or None for the baseline)")
    grid = load_grid(scenario, vary_pairs(vary), options.overrides)
    return sweep_loaded(grid, options)


_OPTION_NAMES = tuple(RunOptions.__dataclass_fields__)


def _keywords(arguments: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments of a public function that are run options."""
    return {name: arguments[name] for name in _OPTION_NAMES}


__all__ = [
    "Comparison",
    "Grid",
    "LoadedScenario",
    "RunInterrupted",
    "RunOptions",
    "RunStopped",
    "Sweep",
    "compare",
    "compare_loaded",
    "run",
    "run_loaded",
    "sweep",
    "sweep_loaded",
]
