"""The ``run``, ``compare`` and ``sweep`` commands: experiments printed as tables and written
to a run folder."""

from __future__ import annotations

import argparse
from pathlib import Path

from ...analysis.comparison import SweepError, parse_vary, sweep_grid
from ...config.loading import load_scenario
from ...experiments import api
from ...experiments.run_folder import default_folder
from ...reporting.display import comparison_table, kpi_table, precision_lines, sweep_overview
from ..parsers.values import _names
from ..session import _ARGV, _RUN_FOLDER
from ..usage import UsageError
from .size_guard import _check_size, _replications, _replications_line


def _experiment_kwargs(args: argparse.Namespace, folder: Path) -> dict[str, object]:
    return {
        "replications": args.replications,
        "seed": args.seed,
        "overrides": args.overrides,
        "target_half_width": args.targets or None,
        "min_replications": args.min_replications,
        "max_replications": args.max_replications,
        "jobs": args.jobs,
        "engine": args.engine,
        "scheduler": args.scheduler,
        "out": folder,
        "resume": args.resume,
        "calls_format": args.calls_format,
        "progress": not args.quiet,
        "command": ["controlroom-sim", *_ARGV],
    }


def _check_experiment_args(args: argparse.Namespace) -> None:
    if args.targets and args.replications is not None:
        raise UsageError("--target-half-width: give it or --replications, not both")
    if args.min_replications > args.max_replications:
        raise UsageError(
            f"--min-replications ({args.min_replications}) is above --max-replications "
            f"({args.max_replications})"
        )
    if args.targets and args.min_replications < 2:
        raise UsageError("--min-replications: expected 2 or more with --target-half-width")
    if args.resume and args.out is None:
        raise UsageError("--resume: give --out with the folder of the run to continue")
    if args.scheduler and args.engine != "dask":
        raise UsageError("--scheduler: needs --engine dask")


def _folder(args: argparse.Namespace, name: str) -> Path:
    return args.out if args.out is not None else default_folder(name)


def command_run(args: argparse.Namespace) -> int:
    _check_experiment_args(args)
    scenario = load_scenario(args.scenario, args.overrides)  # bad input before anything else
    _check_size(
        args, [scenario], [args.scenario], _replications(args, scenario), bool(args.targets)
    )
    folder = _folder(args, scenario.scenario.name)
    _RUN_FOLDER[:] = [folder]
    result = api.run(args.scenario, **_experiment_kwargs(args, folder))
    n = len(result.replications)
    print(
        f"{result.name}: {_replications_line(n)} of "
        f"{result.scenario.scenario.days:g} days, seed {result.scenario.scenario.seed}, "
        f"{result.calls_simulated:,} calls simulated in {result.wall_s:.1f} s"
    )
    for line in precision_lines(result.precision):
        print(line)
    print(kpi_table(result.summary))
    print(f"results: {folder}")
    return 0


def _print_heading(kind: str, noun: str, outcome: api.Comparison) -> None:
    """The first lines of compare and sweep: what ran, and how the count was chosen."""
    first = outcome.results[0]
    calls = sum(r.calls_simulated for r in outcome.results)
    print(
        f"{kind}: {len(outcome.results)} {noun}, {_replications_line(len(first.replications))} "
        f"each, common random numbers (seed {first.scenario.scenario.seed}), {calls:,} calls "
        f"simulated in {first.wall_s:.1f} s"
    )
    for line in precision_lines(first.precision):
        print(line)


def _show(args: argparse.Namespace) -> list[str] | None:
    if not args.show:
        return None
    return _names(args.show)


def command_compare(args: argparse.Namespace) -> int:
    _check_experiment_args(args)
    sources = [
        None if f == "baseline" and not Path(f).exists() else f
        for f in [args.baseline, *args.variants]
    ]
    # every file checked before any simulation runs
    loaded = [load_scenario(source, args.overrides) for source in sources]
    _check_size(args, loaded, sources, _replications(args, loaded[0]), bool(args.targets))
    folder = _folder(args, "compare")
    _RUN_FOLDER[:] = [folder]
    comparison = api.compare(sources[0], *sources[1:], **_experiment_kwargs(args, folder))
    _print_heading("compare", "scenarios", comparison)
    differences = comparison.differences
    summary = comparison.summary
    for result in comparison.results[1:]:
        print()
        print(f"{result.name} against {comparison.baseline}:")
        print(comparison_table(summary, differences, comparison.baseline, result.name, _show(args)))
    print(f"results: {folder}")
    return 0


def command_sweep(args: argparse.Namespace) -> int:
    _check_experiment_args(args)
    try:
        pairs = [parse_vary(text) for text in args.vary]
    except SweepError as exc:
        raise UsageError(str(exc)) from None
    points = sweep_grid(pairs)
    loaded = [  # every grid point checked before any simulation runs
        load_scenario(args.scenario, args.overrides, vary=[f"{k}={v}" for k, v in point.items()])
        for point in points
    ]
    replications = _replications(args, loaded[0])
    _check_size(args, loaded, [args.scenario] * len(loaded), replications, bool(args.targets))
    folder = _folder(args, "sweep")
    _RUN_FOLDER[:] = [folder]
    result = api.sweep(args.scenario, list(args.vary), **_experiment_kwargs(args, folder))
    _print_heading("sweep", "variants", result)
    print(sweep_overview(result.table, [k for k, _ in pairs], _show(args)))
    print(f"results: {folder}")
    return 0
