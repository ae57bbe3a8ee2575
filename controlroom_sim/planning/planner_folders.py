"""Writing the planner's folders: a staff result's and a roster result's tables, summary and
plots (each file atomically; roster scenario files are written as they are made)."""

from __future__ import annotations

import pandas as pd

from ..config.rota_export import starts_grid
from ..config.version import __version__
from ..config.vocabulary import INTERVALS_PER_WEEK
from ..experiments.run_folder import write_atomic, write_json
from .checks import interval_checks
from .demand import arrival_rates
from .patterns import clock_of, weekday_of
from .planner_results import CHECK_SEED_OFFSET, RosterResult, StaffResult
from .targets import DEFAULT_TARGET, StaffTarget


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


def starts_table(result: RosterResult) -> pd.DataFrame:
    """The people each roster starts at each time (rows) on each weekday (columns Mon..Sun)."""
    frames = []
    for roster in result.rosters:
        header, *rows = starts_grid(roster.shifts())
        frame = pd.DataFrame(rows, columns=header)
        frame.insert(0, "pattern", roster.pattern.name)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def write_roster(result: RosterResult) -> None:
    """The roster folder's tables and plots (roster TOML files are written as they are made)."""
    from ..reporting import plots

    folder = result.folder
    assert folder is not None
    coverage = pd.concat([r.coverage_table() for r in result.rosters], ignore_index=True)
    write_atomic(folder / "coverage.csv", lambda tmp: coverage.to_csv(tmp, index=False))
    tours = pd.concat([r.tour_table() for r in result.rosters], ignore_index=True)
    write_atomic(folder / "tours.csv", lambda tmp: tours.to_csv(tmp, index=False))
    starts = starts_table(result)
    write_atomic(folder / "starts.csv", lambda tmp: starts.to_csv(tmp, index=False))
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
