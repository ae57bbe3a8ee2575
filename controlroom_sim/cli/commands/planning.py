"""The ``staff``, ``roster`` and ``rota`` commands: the handlers a week needs, rosters that
cover them at the fewest paid hours, and a scenario's rota as a rota file."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from ...config.loading import load_model, load_scenario
from ...config.rota_export import scenario_groups, write_rota
from ...config.rota_sheets import SUFFIXES
from ...config.schema import Scenario
from ...experiments import inputs
from ...experiments.engines import check_scheduler
from ...experiments.files import OutputError, write_atomic
from ...experiments.run_folder import default_folder, prepare_folder
from ...planning import planner
from ...planning.patterns import PatternFile
from ...planning.planner_report import roster_report, round_line, staff_report
from ...planning.requirement_rota import other_groups_coverage
from ...planning.search import Trial
from ...planning.targets import DEFAULT_TARGET, StaffTarget, check_targets
from ..session import _ARGV
from ..usage import UsageError
from .size_guard import _check_size, _replications


def _planner_targets(args: argparse.Namespace) -> list[StaffTarget]:
    return [StaffTarget.parse(t) for t in (args.staff_targets or [DEFAULT_TARGET])]


def _check_planner_args(args: argparse.Namespace) -> None:
    check_scheduler(args.engine, args.scheduler)
    shrinkage = getattr(args, "shrinkage", None)
    if shrinkage is not None and not 0.0 <= shrinkage < 1.0:
        raise UsageError(f"--shrinkage: expected a share in [0, 1), found {shrinkage:g}")


def _round_printer(args: argparse.Namespace, scenario: Scenario) -> Callable[[int, Trial], None]:
    """A progress line per simulation round of the staff search, unless ``--quiet``."""

    def progress(round_: int, trial: Trial) -> None:
        if not args.quiet:
            print(round_line(round_, trial, scenario), flush=True)

    return progress


def _planner_run_control(args: argparse.Namespace) -> dict[str, object]:
    """The run-control options staff and roster pass on to their simulations."""
    return {
        "replications": args.replications,
        "seed": args.seed,
        "jobs": args.jobs,
        "engine": args.engine,
        "scheduler": args.scheduler,
    }


def command_staff(args: argparse.Namespace) -> int:
    _check_planner_args(args)
    targets = _planner_targets(args)
    loaded = load_scenario(args.scenario, args.overrides)  # once: staff is given it
    scenario = planner.only_forces(loaded, args.forces) if args.forces else loaded
    check_targets(scenario, targets)
    if args.group is not None:
        other_groups_coverage(scenario, args.group)
    if not args.erlang_only:  # a round simulates the scenario's calls (the rota changes)
        _check_size(args, [scenario], [args.scenario], _replications(args, scenario), True)
    folder = prepare_folder(args.out or default_folder(f"{scenario.scenario.name}-staff"))
    who = (
        f"group {args.group!r} (the others keep their rota)"
        if args.group
        else ("one pooled group taking every channel")
    )
    if args.forces:
        who += f", the calls of {', '.join(args.forces)} only"
    print(f"staff: {scenario.scenario.name}, {who}; " + ", ".join(t.describe() for t in targets))
    if not args.erlang_only and not args.quiet:
        print("Erlang C / A per interval, then simulation rounds:")

    progress = _round_printer(args, scenario)

    result = planner.staff(
        loaded,
        targets=targets,
        group=args.group,
        forces=args.forces,
        shrinkage=args.shrinkage,
        simulate=not args.erlang_only,
        max_rounds=args.max_rounds,
        **_planner_run_control(args),
        overrides=(),  # applied as it was loaded
        out=folder,
        on_round=progress,
        command=["controlroom-sim", *_ARGV],
    )
    print(staff_report(result))
    print(f"results: {folder}")
    return 0


def command_roster(args: argparse.Namespace) -> int:
    _check_planner_args(args)
    targets = _planner_targets(args)
    loaded = inputs.load(args.scenario, args.overrides)  # once: roster is given it
    scenario = loaded.scenario
    patterns = load_model(args.patterns, PatternFile, "patterns")
    try:
        chosen = patterns.select(args.names)
    except KeyError as exc:
        known = ", ".join(repr(p.name) for p in patterns.patterns)
        raise UsageError(f"--pattern {exc.args[0]!r}: expected one of {known}") from None
    if args.requirement is not None:
        planner.read_requirement(args.requirement, args.column)
    else:
        check_targets(scenario, targets)
    if args.group is not None:
        other_groups_coverage(scenario, args.group)
    if not args.no_simulation:  # every roster and the current rota, side by side
        runs = len(chosen) + 1
        replications = _replications(args, scenario)
        _check_size(args, [scenario] * runs, [args.scenario] * runs, replications, True)
    folder = prepare_folder(args.out or default_folder(f"{scenario.scenario.name}-roster"))
    source = f"from {args.requirement}" if args.requirement else "from staff (run first)"
    print(
        f"roster: {scenario.scenario.name}, {len(chosen)} pattern"
        f"{'s' if len(chosen) != 1 else ''}, requirement {source}"
    )

    progress = _round_printer(args, scenario)

    result = planner.roster(
        loaded,
        patterns=patterns,
        names=args.names,
        requirement=args.requirement,
        column=args.column,
        targets=targets,
        group=args.group,
        shrinkage=args.shrinkage,
        time_limit_s=args.time_limit,
        node_limit=args.node_limit or None,
        simulate=not args.no_simulation,
        **_planner_run_control(args),
        overrides=args.overrides,
        out=folder,
        progress=not args.quiet,
        on_staff_round=progress,
        command=["controlroom-sim", *_ARGV],
    )
    if result.staff is not None:
        print(staff_report(result.staff))
    print(roster_report(result))
    print(f"results: {folder}")
    return 0


def command_rota(args: argparse.Namespace) -> int:
    out = args.out
    if out.suffix.lower() not in SUFFIXES:
        raise UsageError(
            f"--out {out}: expected a file ending .xlsx or .csv, found {out.suffix or 'none'!r}"
        )
    scenario = load_scenario(args.scenario, args.overrides)
    groups = scenario_groups(scenario)
    on_shifts = [(role, g) for role, g in groups if g.shifts]
    if not on_shifts:
        raise UsageError(
            f"{args.scenario or 'baseline'}: expected a group on shifts to write, found "
            "only groups on duty around the clock (count)"
        )
    if not out.parent.is_dir():
        raise OutputError(f"--out {out}: expected an existing folder to write in, found none")
    try:
        write_atomic(out, lambda tmp: write_rota(tmp, on_shifts, suffix=out.suffix))
    except OSError as exc:
        raise OutputError(f"--out {out}: cannot be written ({exc.strerror or exc})") from None
    lines = sum(len(g.shifts or []) for _, g in on_shifts)
    print(
        f"rota: {scenario.scenario.name}: {lines} shift line{'s' if lines != 1 else ''} of "
        f"{len(on_shifts)} group{'s' if len(on_shifts) != 1 else ''} written to {out}"
    )
    for role, g in groups:
        if g.count is not None:
            print(f"  left out: {role} {g.name!r}, on duty around the clock (count = {g.count})")
    return 0
