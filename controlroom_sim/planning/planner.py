"""The planner's tools end to end: ``staff`` (handlers needed per interval) and ``roster``
(optimal rosters of named shift patterns, simulated side by side).

These functions read and write files and run the simulator through
:mod:`controlroom_sim.experiments.api`; the algorithms are in
:mod:`controlroom_sim.planning.requirement` (and the modules it names) and
:mod:`controlroom_sim.planning.roster`; their inputs, results and folders in
:mod:`.planner_inputs`, :mod:`.planner_results` and :mod:`.planner_folders`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..config.errors import Param, named
from ..config.files import builtin_baseline_path
from ..config.loading import load_model
from ..config.rota_export import write_rota
from ..config.schema import Scenario
from ..experiments import api
from ..experiments.inputs import LoadedScenario
from ..experiments.options import RunOptions
from ..experiments.run_folder import write_atomic
from ..experiments.runner import with_run_settings
from .checks import interval_checks, overall_checks
from .demand import measured_positions, staff_hours
from .erlang_requirement import erlang_requirement
from .patterns import Pattern, PatternFile, rota_paid_hours
from .planner_folders import write_roster, write_staff
from .planner_inputs import PlannerError, only_forces, parse_targets, read_requirement, scenario_of
from .planner_results import CHECK_SEED_OFFSET, RosterResult, StaffResult
from .requirement_rota import break_shrinkage, other_groups_coverage, with_requirement
from .roster import (
    NODE_LIMIT,
    POOLED,
    TIME_LIMIT_S,
    roster_toml,
    rostered_scenario,
    slug,
    solve,
)
from .search import Trial, search
from .targets import DEFAULT_TARGET, RequirementError, StaffTarget, check_targets

# -- staff ----------------------------------------------------------------------------------------


def _simulator(
    scenario: Scenario, group: str | None, replications: int, seed: int, options: RunOptions
) -> Callable[[np.ndarray], tuple[pd.DataFrame, pd.DataFrame]]:
    """A round of the search: the scenario with ``levels`` handlers, run with ``options``."""

    def simulate(levels: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
        candidate = with_run_settings(with_requirement(scenario, levels, group), replications, seed)
        result = api.run_loaded(LoadedScenario(candidate), options)
        return result.intervals, result.summary

    return simulate


def staff(
    scenario: str | Path | Scenario | LoadedScenario | None = None,
    *,
    targets: Sequence[str | StaffTarget] = (DEFAULT_TARGET,),
    group: str | None = None,
    forces: Sequence[str] = (),
    shrinkage: float | None = None,
    simulate: bool = True,
    max_rounds: int = 10,
    replications: int | None = None,
    seed: int | None = None,
    overrides: Sequence[str] = (),
    jobs: int = 1,
    engine: str = "processes",
    scheduler: str | None = None,
    out: str | Path | None = None,
    on_round: Callable[[int, Trial], None] | None = None,
    command: list[str] | None = None,
) -> StaffResult:
    """Handlers needed in each 15-minute interval of the week to meet ``targets``.

    Erlang C / A per interval first, then (with ``simulate``) refined by simulation and checked
    with new callers (seed + 1). ``group`` sizes one handler group of the scenario with the
    others kept; by default one pooled group takes every channel. ``forces`` sizes a room that
    takes only those forces' calls (of a scenario with ``[[forces]]``). ``shrinkage`` (share of paid
    time not taking calls) defaults to the break time of the scenario's own handler rota. With
    ``out`` the tables, a summary and the plots are written there.
    """
    options = _search_options(jobs, engine, scheduler)
    loaded = scenario_of(scenario, overrides)
    if forces:
        loaded = only_forces(loaded, forces)
    parsed = parse_targets(targets)
    check_targets(loaded, parsed)
    fixed = other_groups_coverage(loaded, group) if group is not None else None
    if shrinkage is None:
        shrinkage, source = break_shrinkage(loaded), "breaks in the scenario's handler rota"
    else:
        source = "given"
    if not 0.0 <= shrinkage < 1.0:
        raise named(
            RequirementError,
            Param("shrinkage"),
            f": expected a share in [0, 1), found {shrinkage:g}",
        )
    count = replications if replications is not None else loaded.scenario.replications
    common_seed = seed if seed is not None else loaded.scenario.seed
    if simulate and count < 2:
        raise named(
            RequirementError, Param("replications"), ": expected at least 2 to estimate intervals"
        )
    erlang = erlang_requirement(loaded, parsed, fixed)
    rounds: list[dict] = []

    def record(round_: int, trial: Trial) -> None:
        rounds.append(_round_row(round_, trial, loaded, parsed))
        if on_round is not None:
            on_round(round_, trial)

    simulator = _simulator(loaded, group, count, common_seed, options) if simulate else None
    found = search(
        loaded, parsed, erlang, simulator, max_rounds=max_rounds, fixed=fixed, on_round=record
    )
    result = StaffResult(
        scenario=loaded,
        targets=parsed,
        search=found,
        shrinkage=shrinkage,
        shrinkage_source=source,
        group=group,
        replications=count,
        seed=common_seed,
        rounds=rounds,
    )
    if simulate:
        checker = _simulator(loaded, group, count, common_seed + CHECK_SEED_OFFSET, options)
        intervals, summary = checker(found.required)
        result.check = Trial(
            levels=found.required.copy(),
            checks=interval_checks(intervals, loaded, parsed),
            overall=overall_checks(summary, parsed),
            summary=summary,
            intervals=intervals,
        )
    if out is not None:
        result.folder = Path(out)
        write_staff(result, command)
    return result


def _round_row(round_: int, trial: Trial, scenario: Scenario, targets) -> dict:
    measured = measured_positions(scenario)
    row: dict = {
        "round": round_,
        "handler_hours": staff_hours(trial.levels, scenario),
        "intervals_missed": int((trial.missing() & measured).sum()),
        "intervals_missed_significantly": int((trial.failing() & measured).sum()),
    }
    for _, r in trial.overall.iterrows():
        row[r["kpi"]] = r["mean"]
    return row


# -- roster ---------------------------------------------------------------------------------------


def roster(
    scenario: str | Path | Scenario | LoadedScenario | None = None,
    *,
    patterns: str | Path | PatternFile,
    names: Sequence[str] = (),
    requirement: str | Path | np.ndarray | None = None,
    column: str = "required",
    targets: Sequence[str | StaffTarget] = (DEFAULT_TARGET,),
    group: str | None = None,
    shrinkage: float = 0.0,
    time_limit_s: float = TIME_LIMIT_S,
    node_limit: int | None = NODE_LIMIT,
    simulate: bool = True,
    replications: int | None = None,
    seed: int | None = None,
    overrides: Sequence[str] = (),
    jobs: int = 1,
    engine: str = "processes",
    scheduler: str | None = None,
    out: str | Path | None = None,
    progress: bool = False,
    on_staff_round: Callable[[int, Trial], None] | None = None,
    command: list[str] | None = None,
) -> RosterResult:
    """Optimal rosters of one or more shift patterns for a requirement, simulated side by side.

    ``requirement`` is a CSV (``staff``'s requirement.csv), an array of 672 handler counts, or
    ``None`` to compute it first with :func:`staff` and ``targets``. Each pattern's roster is
    written as a scenario file (``roster-<pattern>.toml``) that ``extends`` the scenario; with
    ``simulate`` every roster runs with the current rota as baseline, with common random
    numbers. ``shrinkage`` is time not taking calls beyond the patterns' breaks. HiGHS stops
    each pattern at a proven optimum, ``node_limit`` nodes (the same roster on every run; None
    for no limit) or ``time_limit_s`` seconds, whichever comes first.
    """
    _search_options(jobs, engine, scheduler)  # checked before anything is solved
    loaded = scenario_of(scenario, overrides)
    chosen = _chosen_patterns(patterns, names)
    if group is not None:
        other_groups_coverage(loaded, group)  # checks the name
    staffed = None
    if requirement is None:
        staffed = staff(
            loaded,
            targets=targets,
            group=group,
            replications=replications,
            seed=seed,
            jobs=jobs,
            engine=engine,
            scheduler=scheduler,
            on_round=on_staff_round,
            out=Path(out) / "staff" if out is not None else None,
            command=command,
        )
        required = staffed.required.astype(float)
    elif isinstance(requirement, str | Path):
        required = read_requirement(requirement, column)
    else:
        required = np.asarray(requirement, dtype=float)
    rosters = [solve(p, required, shrinkage, time_limit_s, node_limit) for p in chosen]
    scenarios = [rostered_scenario(loaded, r, group) for r in rosters]
    current = sum(  # with a group, only its hours are being rostered
        rota_paid_hours(g.shifts, g.count)
        for g in loaded.handlers
        if group is None or g.name == group
    )
    result = RosterResult(loaded, required, rosters, scenarios, current, staff=staffed, group=group)
    if out is not None:
        result.folder = Path(out)
        result.folder.mkdir(parents=True, exist_ok=True)
        _write_roster_files(result, _source_file(scenario), requirement, overrides)
    if simulate:
        count = replications if replications is not None else loaded.scenario.replications
        base = with_run_settings(
            loaded.model_copy(
                update={
                    "scenario": loaded.scenario.model_copy(
                        update={"name": f"{loaded.scenario.name} (current rota)"}
                    )
                }
            ),
            count,
            seed,
        )
        options = RunOptions(
            replications=count,
            seed=seed,
            jobs=jobs,
            engine=engine,
            scheduler=scheduler,
            out=result.folder / "simulation" if result.folder is not None else None,
            calls_format="none",
            keep_records=False,
            progress=progress,
            command=command,
        )
        runs = [LoadedScenario(base), *(LoadedScenario(s) for s in scenarios)]
        result.comparison = api.compare_loaded(runs, options)
    if result.folder is not None:
        write_roster(result)
    return result


def _chosen_patterns(patterns: str | Path | PatternFile, names: Sequence[str]) -> list[Pattern]:
    """The patterns named (all of the file's without names); PlannerError for an unknown one."""
    if isinstance(patterns, PatternFile):
        pattern_file = patterns
    else:
        pattern_file = load_model(patterns, PatternFile, "patterns")
    try:
        return pattern_file.select(names)
    except KeyError as exc:
        known = ", ".join(repr(p.name) for p in pattern_file.patterns)
        raise named(
            PlannerError, Param("names", exc.args[0], quote=True), f": expected one of {known}"
        ) from None


def _write_roster_files(
    result: RosterResult, source: Path, requirement: object, overrides: Sequence[str]
) -> None:
    """Each pattern's roster as a scenario file (``roster-<pattern>.toml``) extending ``source``,
    and as a rota file (``roster-<pattern>.xlsx``: the rostered group's lines, and the people
    starting at each time on each weekday)."""
    assert result.folder is not None
    rostered = result.group or POOLED
    for r, sc in zip(result.rosters, result.scenarios, strict=True):
        groups = [("handlers", g) for g in sc.handlers if g.name == rostered]
        workbook = result.folder / f"roster-{slug(r.pattern.name)}.xlsx"
        write_atomic(workbook, lambda tmp, g=groups: write_rota(tmp, g, True, ".xlsx"))
        target = result.folder / f"roster-{slug(r.pattern.name)}.toml"
        provenance = (
            f"roster for pattern {r.pattern.name!r} covering "
            f"{_describe_requirement(requirement)} at the fewest paid hours "
            f"(HiGHS: {r.status})"
        )
        text = roster_toml(sc, source, target, r, provenance, overrides)
        write_atomic(target, lambda tmp, text=text: Path(tmp).write_text(text))


def _search_options(jobs: int, engine: str, scheduler: str | None) -> RunOptions:
    """How the search's and the checks' rounds run: nothing written, no call records kept."""
    return RunOptions(
        jobs=jobs, engine=engine, scheduler=scheduler, calls_format="none", keep_records=False
    )


def _source_file(scenario: str | Path | Scenario | LoadedScenario | None) -> Path:
    if isinstance(scenario, LoadedScenario):  # its file; None: the baseline; or it was built
        built = scenario.source is None and not scenario.files
        scenario = scenario.scenario if built else scenario.source
    if scenario is None:
        return builtin_baseline_path()
    if isinstance(scenario, Scenario):
        raise PlannerError("writing roster files needs the scenario's file, not a Scenario object")
    path = Path(scenario)
    if not path.exists() and str(scenario) == "baseline":
        return builtin_baseline_path()
    return path


def _describe_requirement(requirement: object) -> str:
    if requirement is None:
        return "the requirement computed by staff (staff/requirement.csv)"
    if isinstance(requirement, str | Path):
        return f"the requirement in {Path(requirement).name}"
    return "the given requirement"
