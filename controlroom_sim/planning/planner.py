"""The planner's tools end to end: ``staff`` (handlers needed per interval) and ``roster``
(optimal rosters of named shift patterns, simulated side by side).

These functions read and write files and run the simulator through :mod:`controlroom_sim.api`;
the algorithms are in :mod:`controlroom_sim.requirement` and :mod:`controlroom_sim.roster`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..config.errors import ControlroomError
from ..config.loading import builtin_baseline_path, load_model, load_scenario
from ..config.schema import Scenario
from ..config.version import __version__
from ..config.vocabulary import INTERVALS_PER_WEEK, WEEKDAYS
from ..experiments import api
from ..experiments.run_folder import write_atomic, write_json
from ..experiments.runner import with_run_settings
from .checks import interval_checks, overall_checks
from .demand import arrival_rates, measured_positions, staff_hours
from .erlang_requirement import erlang_requirement
from .patterns import PatternFile, clock_of, rota_coverage, rota_paid_hours, weekday_of
from .requirement import requirement_table
from .requirement_rota import break_shrinkage, other_groups_coverage, with_requirement
from .roster import (
    NODE_LIMIT,
    TIME_LIMIT_S,
    Roster,
    roster_toml,
    rostered_scenario,
    slug,
    solve,
)
from .search import Search, Trial, search
from .targets import DEFAULT_TARGET, RequirementError, StaffTarget, check_targets

CHECK_SEED_OFFSET = 1
"""The check of a requirement runs with the search's seed plus this, so it sees new callers."""


class PlannerError(ControlroomError, ValueError):
    """Bad input to ``staff`` or ``roster``; the message is one line."""


def _scenario(source: str | Path | Scenario | None, overrides: Sequence[str]) -> Scenario:
    if isinstance(source, Scenario):
        if overrides:
            raise ValueError("overrides need a scenario file, not a Scenario object")
        return source
    return load_scenario(source, overrides)


def only_forces(scenario: Scenario, forces: Sequence[str]) -> Scenario:
    """``scenario`` as a room taking only ``forces``' calls; PlannerError for a bad name."""
    if not scenario.forces:
        raise PlannerError("--forces: expected a scenario with [[forces]], found none")
    try:
        return scenario.only_forces(list(forces))
    except KeyError as exc:
        known = ", ".join(scenario.force_names)
        raise PlannerError(f"--forces: expected names of {known}, found {exc.args[0]!r}") from None
    except ValueError as exc:
        raise PlannerError(f"--forces: {exc}") from None


def _targets(targets: Sequence[str | StaffTarget]) -> list[StaffTarget]:
    return [t if isinstance(t, StaffTarget) else StaffTarget.parse(t) for t in targets]


# -- staff ----------------------------------------------------------------------------------------


@dataclass
class StaffResult:
    """What ``staff`` found: the curves, the search, and an independent check."""

    scenario: Scenario
    targets: list[StaffTarget]
    search: Search
    shrinkage: float
    shrinkage_source: str
    group: str | None
    replications: int
    seed: int
    check: Trial | None = None
    folder: Path | None = None
    rounds: list[dict] = field(default_factory=list)

    @property
    def erlang(self) -> np.ndarray:
        return self.search.erlang

    @property
    def required(self) -> np.ndarray:
        return self.search.required

    @property
    def table(self) -> pd.DataFrame:
        """One row per interval of the week (see :func:`requirement.requirement_table`)."""
        table = requirement_table(self.scenario, self.search, self.shrinkage, self.targets)
        if self.check is not None:
            for target in self.targets:
                own = self.check.checks[self.check.checks["kpi"] == target.kpi]
                own = own.set_index("position")
                for column in ("estimate", "ci_low", "ci_high"):
                    table[f"check_{target.kpi}_{column}"] = (
                        own[column].reindex(table["interval"]).to_numpy()
                    )
        return table

    def hours(self) -> dict[str, float]:
        """Handler hours a week (taking calls) and paid hours (with shrinkage) per curve."""
        out = {
            "erlang_hours": staff_hours(self.erlang, self.scenario),
            "erlang_paid_hours": staff_hours(self.erlang, self.scenario, self.shrinkage),
        }
        if self.search.chosen is not None:
            out["simulated_hours"] = staff_hours(self.required, self.scenario)
            out["simulated_paid_hours"] = staff_hours(self.required, self.scenario, self.shrinkage)
        return out

    def misses(self) -> pd.DataFrame:
        """Per target, in the check: intervals measured, missed, missed significantly, and
        by how much (largest and mean shortfall of those missed)."""
        if self.check is None:
            return pd.DataFrame()
        return miss_summary(self.check.checks, self.targets)


def miss_summary(checks: pd.DataFrame, targets: Sequence[StaffTarget]) -> pd.DataFrame:
    """How many intervals missed each target, and by how much."""
    rows = []
    for target in targets:
        own = checks[(checks["kpi"] == target.kpi) & (checks["calls"] > 0)]
        missed = own[~own["met"]]
        rows.append(
            {
                "kpi": target.kpi,
                "target": target.value,
                "intervals": len(own),
                "missed": len(missed),
                "missed_significantly": int(own["significant_miss"].sum()),
                "largest_shortfall": float(missed["shortfall"].max()) if len(missed) else 0.0,
                "mean_shortfall": float(missed["shortfall"].mean()) if len(missed) else 0.0,
            }
        )
    return pd.DataFrame(rows)


def _simulator(
    scenario: Scenario,
    group: str | None,
    replications: int,
    seed: int,
    jobs: int,
    engine: str,
    scheduler: str | None,
) -> Callable[[np.ndarray], tuple[pd.DataFrame, pd.DataFrame]]:
    def simulate(levels: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
        candidate = with_run_settings(with_requirement(scenario, levels, group), replications, seed)
        result = api.run(
            candidate,
            jobs=jobs,
            engine=engine,
            scheduler=scheduler,
            calls_format="none",
            keep_records=False,
        )
        return result.intervals, result.summary

    return simulate


def staff(
    scenario: str | Path | Scenario | None = None,
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
    loaded = _scenario(scenario, overrides)
    if forces:
        loaded = only_forces(loaded, forces)
    parsed = _targets(targets)
    check_targets(loaded, parsed)
    fixed = other_groups_coverage(loaded, group) if group is not None else None
    if shrinkage is None:
        shrinkage, source = break_shrinkage(loaded), "breaks in the scenario's handler rota"
    else:
        source = "given"
    if not 0.0 <= shrinkage < 1.0:
        raise RequirementError(f"--shrinkage: expected a share in [0, 1), found {shrinkage:g}")
    count = replications if replications is not None else loaded.scenario.replications
    common_seed = seed if seed is not None else loaded.scenario.seed
    if simulate and count < 2:
        raise RequirementError("--replications: expected at least 2 to estimate intervals")
    erlang = erlang_requirement(loaded, parsed, fixed)
    rounds: list[dict] = []

    def record(round_: int, trial: Trial) -> None:
        rounds.append(_round_row(round_, trial, loaded, parsed))
        if on_round is not None:
            on_round(round_, trial)

    simulator = (
        _simulator(loaded, group, count, common_seed, jobs, engine, scheduler) if simulate else None
    )
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
        checker = _simulator(
            loaded, group, count, common_seed + CHECK_SEED_OFFSET, jobs, engine, scheduler
        )
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


def write_staff(result: StaffResult, command: list[str] | None = None) -> None:
    """Write a staff result's folder: tables, summary and plots (each file atomically)."""
    from ..reporting import plots

    folder = result.folder
    assert folder is not None
    folder.mkdir(parents=True, exist_ok=True)
    table = result.table
    write_atomic(folder / "requirement.csv", lambda tmp: table.to_csv(tmp, index=False))
    if result.rounds:
        rounds = pd.DataFrame(result.rounds)
        write_atomic(folder / "rounds.csv", lambda tmp: rounds.to_csv(tmp, index=False))
    if result.check is not None:
        checks = _labelled(result.check.checks)
        write_atomic(folder / "checks.csv", lambda tmp: checks.to_csv(tmp, index=False))
    write_json(folder / "staff.json", staff_document(result, command))
    plots.requirement_figure(
        table,
        {"Erlang": result.erlang, **({"simulated": result.required} if result.check else {})},
        {},
        folder / "requirement.png",
        title=f"{result.scenario.scenario.name}: handlers required",
    )
    if result.check is not None:
        plots.service_level_figure(
            {"requirement (check)": result.check.checks},
            result.targets,
            folder / "service_level.png",
        )


def _labelled(checks: pd.DataFrame) -> pd.DataFrame:
    out = checks.copy()
    out.insert(1, "weekday", [weekday_of(p) for p in out["position"]])
    out.insert(2, "time", [clock_of(p) for p in out["position"]])
    return out


def staff_document(result: StaffResult, command: list[str] | None = None) -> dict:
    doc: dict = {
        "scenario": result.scenario.scenario.name,
        "version": __version__,
        "command": command,
        "targets": {t.kpi: t.value for t in result.targets},
        "group": result.group or "pooled (every channel)",
        "shrinkage": result.shrinkage,
        "shrinkage_source": result.shrinkage_source,
        "replications": result.replications,
        "seed": result.seed,
        "check_seed": result.seed + CHECK_SEED_OFFSET if result.check is not None else None,
        "exact_erlang_case": result.search.exact,
        "converged": result.search.converged,
        "rounds": len(result.search.trials),
        "hours_per_week": result.hours(),
        "peak_handlers": {
            "erlang": int(result.erlang.max(initial=0)),
            "simulated": int(result.required.max(initial=0)),
        },
    }
    if result.check is not None:
        doc["check"] = {
            "overall": result.check.overall.to_dict(orient="records"),
            "intervals": result.misses().to_dict(orient="records"),
        }
    return doc


# -- requirement files ----------------------------------------------------------------------------


def read_requirement(path: str | Path, column: str = "required") -> np.ndarray:
    """Handlers required per interval of the week from a CSV (``staff``'s requirement.csv or
    any file with ``weekday``, ``time`` and the ``column``)."""
    file = Path(path)
    if not file.is_file():
        raise PlannerError(f"{path}: no such requirement file")
    try:
        table = pd.read_csv(file)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise PlannerError(f"{path}: not a readable CSV ({str(exc).splitlines()[0]})") from None
    for name in ("weekday", "time", column):
        if name not in table.columns:
            raise PlannerError(f"{path}: expected a column {name!r}, found {list(table.columns)}")
    values = pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(values) | (values < 0))
    if bad.size:
        row = int(bad[0])
        raise PlannerError(
            f"{path}: row {row + 2}, column {column!r}: expected a number >= 0, "
            f"found {table[column].iloc[row]!r}"
        )
    out = np.zeros(INTERVALS_PER_WEEK)
    seen = np.zeros(INTERVALS_PER_WEEK, dtype=bool)
    for i, (day, clock, value) in enumerate(
        zip(table["weekday"].astype(str), table["time"].astype(str), values, strict=True)
    ):
        position = _position(day, clock)
        if position is None:
            raise PlannerError(
                f"{path}: row {i + 2}: expected a weekday name and a quarter-hour time such as "
                f"monday,07:15, found {day},{clock}"
            )
        if seen[position]:
            raise PlannerError(f"{path}: row {i + 2}: {day} {clock} appears twice")
        seen[position] = True
        out[position] = value
    return out


def _position(day: str, clock: str) -> int | None:
    day = day.strip().lower()
    if day not in WEEKDAYS:
        return None
    hh, _, mm = clock.strip().partition(":")
    if not (hh.isdigit() and mm.isdigit()) or int(hh) > 23 or int(mm) not in (0, 15, 30, 45):
        return None
    return WEEKDAYS.index(day) * 96 + int(hh) * 4 + int(mm) // 15


# -- roster ---------------------------------------------------------------------------------------


@dataclass
class RosterResult:
    """Rosters of each pattern, and (when simulated) their KPIs beside the current rota's."""

    scenario: Scenario
    requirement: np.ndarray
    rosters: list[Roster]
    scenarios: list[Scenario]
    current_hours: float
    comparison: api.Comparison | None = None
    staff: StaffResult | None = None
    folder: Path | None = None
    group: str | None = None

    def table(self, kpis: Sequence[str] | None = None) -> pd.DataFrame:
        """One row per pattern (the current rota first): paid hours, headcount, solver status,
        intervals short of the requirement, and each KPI's mean with its 95% CI."""
        rows = [
            {
                "rota": "current",
                "paid_hours": self.current_hours,
                "headcount": math.nan,
                "status": "",
                "intervals_short": int((self._current_coverage() < self.requirement - 1e-9).sum()),
            }
        ]
        for roster in self.rosters:
            rows.append(
                {
                    "rota": roster.pattern.name,
                    "paid_hours": roster.paid_hours,
                    "headcount": roster.headcount,
                    "status": roster.status,
                    "intervals_short": int((roster.coverage < self.requirement - 1e-9).sum()),
                }
            )
        table = pd.DataFrame(rows)
        if self.comparison is not None:
            summary = self.comparison.summary
            names = [r.name for r in self.comparison.results]
            for kpi in kpis or _DEFAULT_KPIS:
                own = summary[summary["kpi"] == kpi].set_index("scenario").reindex(names)
                if own["mean"].isna().all():
                    continue
                table[kpi] = own["mean"].to_numpy()
                table[f"{kpi}_ci_low"] = own["ci_low"].to_numpy()
                table[f"{kpi}_ci_high"] = own["ci_high"].to_numpy()
        return table

    def _current_coverage(self) -> np.ndarray:
        """The current rota's handlers on duty (of the rostered group alone with ``group``)."""
        return sum(
            (
                rota_coverage(g.shifts, g.count)
                for g in self.scenario.handlers
                if self.group is None or g.name == self.group
            ),
            np.zeros(INTERVALS_PER_WEEK),
        )


_DEFAULT_KPIS = (
    "answered_within_10s_999",
    "answered_60s_plus_999",
    "abandon_rate_101",
    "mean_answer_s_101",
    "handler_occupancy",
)


def roster(
    scenario: str | Path | Scenario | None = None,
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
    loaded = _scenario(scenario, overrides)
    if isinstance(patterns, PatternFile):
        pattern_file = patterns
    else:
        pattern_file = load_model(patterns, PatternFile, "patterns")
    try:
        chosen = pattern_file.select(names)
    except KeyError as exc:
        known = ", ".join(repr(p.name) for p in pattern_file.patterns)
        raise PlannerError(f"--pattern {exc.args[0]!r}: expected one of {known}") from None
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
        source = _source_file(scenario)
        for r, sc in zip(rosters, scenarios, strict=True):
            target = result.folder / f"roster-{slug(r.pattern.name)}.toml"
            provenance = (
                f"roster for pattern {r.pattern.name!r} covering "
                f"{_describe_requirement(requirement)} at the fewest paid hours "
                f"(HiGHS: {r.status})"
            )
            text = roster_toml(sc, source, target, r, provenance, overrides)
            write_atomic(target, lambda tmp, text=text: Path(tmp).write_text(text))
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
        result.comparison = api.compare(
            base,
            *scenarios,
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
    if result.folder is not None:
        write_roster(result)
    return result


def _source_file(scenario: str | Path | Scenario | None) -> Path:
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


def write_roster(result: RosterResult) -> None:
    """The roster folder's tables and plots (roster TOML files are written as they are made)."""
    from ..reporting import plots

    folder = result.folder
    assert folder is not None
    coverage = pd.concat([r.coverage_table() for r in result.rosters], ignore_index=True)
    write_atomic(folder / "coverage.csv", lambda tmp: coverage.to_csv(tmp, index=False))
    tours = pd.concat([r.tour_table() for r in result.rosters], ignore_index=True)
    write_atomic(folder / "tours.csv", lambda tmp: tours.to_csv(tmp, index=False))
    table = result.table()
    write_atomic(folder / "patterns.csv", lambda tmp: table.to_csv(tmp, index=False))
    demand = pd.DataFrame(
        {f"offered_{n}": r * 900.0 for n, r in arrival_rates(result.scenario).items()}
    )
    demand["weekday"] = [weekday_of(p) for p in range(INTERVALS_PER_WEEK)]
    plots.requirement_figure(
        demand,
        {"requirement": result.requirement},
        {r.pattern.name: r.coverage for r in result.rosters},
        folder / "coverage.png",
        title=f"{result.scenario.scenario.name}: requirement and roster coverage",
    )
    if result.comparison is not None:
        targets = [StaffTarget.parse(DEFAULT_TARGET)]
        checks = {
            r.name: interval_checks(r.intervals, result.scenario, targets)
            for r in result.comparison.results
        }
        plots.service_level_figure(checks, targets, folder / "service_level.png")
