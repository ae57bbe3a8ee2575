"""The ``run``, ``compare`` and ``sweep`` commands: experiments printed as tables and written
to a run folder."""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import sys
from pathlib import Path

from ...analysis.comparison import SweepError, parse_vary
from ...analysis.confidence import few_replications_warning
from ...analysis.kpis import unknown_kpi
from ...config.errors import Param, named
from ...config.schema import Scenario
from ...experiments import api
from ...experiments.inputs import load, load_grid
from ...experiments.options import RunOptions
from ...experiments.run_folder import default_folder
from ...experiments.runner import kpi_names
from ...reporting.cost_display import cost_line, staffing_table
from ...reporting.display import comparison_table, kpi_table, precision_lines, sweep_overview
from ...reporting.month_display import month_table
from ...reporting.workbook import write_workbook
from ..parsers.values import _names
from ..session import _ARGV, _RUN_FOLDER
from ..usage import UsageError, error_text
from .fitting import trace_driven
from .size_guard import _check_size, _replications, _replications_line


def _options(args: argparse.Namespace) -> RunOptions:
    """The run options of the command line, checked before any scenario is loaded (the
    output folder is the one given; :func:`_with_folder` sets the default one)."""
    return RunOptions(
        replications=args.replications,
        seed=args.seed,
        overrides=args.overrides,
        target_half_width=args.targets,
        min_replications=args.min_replications,
        max_replications=args.max_replications,
        jobs=args.jobs,
        engine=args.engine,
        scheduler=args.scheduler,
        out=args.out,
        resume=args.resume,
        calls_format=args.calls_format,
        progress=not args.quiet,
        command=["controlroom-sim", *_ARGV],
    )


def _with_folder(options: RunOptions, name: str) -> RunOptions:
    """``options`` writing to ``--out``, else to ``results/<name>-<timestamp>/``; the folder
    is remembered for the message if the run is interrupted."""
    folder = options.out if options.out is not None else default_folder(name)
    _RUN_FOLDER[:] = [folder]
    return dataclasses.replace(options, out=folder)


def _warn_if_few(replications: int) -> None:
    """One line on stderr when the intervals rest on too few replications to trust."""
    warning = few_replications_warning(replications)
    if warning is not None:
        print(f"warning: {warning}", file=sys.stderr)


def command_run(args: argparse.Namespace) -> int:
    options = _options(args)
    loaded = load(args.scenario, args.overrides)  # bad input before anything else
    loaded, trace_text = trace_driven(args, loaded)  # --arrivals: the export's arrival times
    scenario = loaded.scenario
    _check_size(
        args, [scenario], [args.scenario], _replications(args, scenario), bool(args.targets)
    )
    options = _with_folder(options, scenario.scenario.name)
    result = api.run_loaded(loaded, options)
    if trace_text is not None:
        print(trace_text, end="\n\n")
    n = len(result.replications)
    print(
        f"{result.name}: {_replications_line(n)} of "
        f"{result.scenario.scenario.days:g} days, seed {result.scenario.scenario.seed}, "
        f"{result.calls_simulated:,} calls simulated in {result.wall_s:.1f} s"
    )
    for line in precision_lines(result.precision):
        print(line)
    _warn_if_few(n)
    print(kpi_table(result.summary))
    months = month_table(result.summary)
    if months:
        print()
        print(
            "By month ([calendar]; every month's KPIs are in kpis.csv, e.g. offered_999_2026_01):"
        )
        print(months)
    staffing = staffing_table(result.summary, currency=_currency(scenario))
    if staffing:
        print()
        print("Staffing and cost ([staffing]: shrinkage, contract hours and hourly costs):")
        print(staffing)
    _workbooks(args, options.out)
    print(f"results: {options.out}")
    return 0


def _workbooks(args: argparse.Namespace, folder: Path | None) -> None:
    """The Excel workbook in the results folder, and at ``--xlsx`` if given."""
    if folder is None:
        return
    made = write_workbook(folder)
    if args.xlsx is not None:
        try:
            args.xlsx.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(made, args.xlsx)
        except OSError as exc:
            raise UsageError(
                f"--xlsx {args.xlsx}: cannot write the workbook there ({exc.strerror or exc})"
            ) from None
        print(f"workbook: {args.xlsx}")


def _currency(scenario) -> str:  # type: ignore[no-untyped-def]
    return scenario.staffing.currency if scenario.staffing is not None else "£"


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
    _warn_if_few(len(first.replications))


def _show(args: argparse.Namespace) -> list[str] | None:
    if not args.show:
        return None
    return _names(args.show)


def _check_show(args: argparse.Namespace, scenarios: list[Scenario]) -> None:
    """Every ``--show`` name is a KPI of one of the scenarios (checked before anything runs:
    a misspelt name would otherwise only leave its row out of the table)."""
    shown = _show(args)
    if not shown:
        return
    known = list(dict.fromkeys(name for s in scenarios for name in kpi_names(s)))
    for name in shown:
        if name not in known:
            raise named(UsageError, Param("show", name), unknown_kpi(name, known))


def command_compare(args: argparse.Namespace) -> int:
    options = _options(args)
    sources = [
        None if f == "baseline" and not Path(f).exists() else f
        for f in [args.baseline, *args.variants]
    ]
    # every file checked before any simulation runs
    loaded = [load(source, args.overrides) for source in sources]
    scenarios = [s.scenario for s in loaded]
    _check_show(args, scenarios)
    _check_size(args, scenarios, sources, _replications(args, scenarios[0]), bool(args.targets))
    options = _with_folder(options, "compare")
    folder = options.out
    comparison = api.compare_loaded(loaded, options)
    _print_heading("compare", "scenarios", comparison)
    differences = comparison.differences
    summary = comparison.summary
    for result in comparison.results[1:]:
        print()
        print(f"{result.name} against {comparison.baseline}:")
        print(comparison_table(summary, differences, comparison.baseline, result.name, _show(args)))
        line = cost_line(differences, result.name, currency=_currency(scenarios[0]))
        if line:
            print(f"in short: {line}")
    _workbooks(args, folder)
    print(f"results: {folder}")
    return 0


def command_sweep(args: argparse.Namespace) -> int:
    options = _options(args)
    try:
        pairs = [parse_vary(text) for text in args.vary]
    except SweepError as exc:
        raise UsageError(error_text(exc)) from None
    # every grid point checked before any simulation runs
    grid = load_grid(args.scenario, pairs, args.overrides)
    scenarios = [v.scenario for v in grid.variants]
    _check_show(args, scenarios)
    replications = _replications(args, scenarios[0])
    _check_size(args, scenarios, [args.scenario] * len(scenarios), replications, bool(args.targets))
    options = _with_folder(options, "sweep")
    folder = options.out
    result = api.sweep_loaded(grid, options)
    _print_heading("sweep", "variants", result)
    print(sweep_overview(result.table, [k for k, _ in pairs], _show(args)))
    _workbooks(args, folder)
    print(f"results: {folder}")
    return 0
