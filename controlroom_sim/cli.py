"""The ``controlroom-sim`` command line.

Each command prints a readable table, writes files where it has results, and on bad input
exits with status 2 and one line saying what is wrong (never a traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .display import kpi_table, render, validation_table
from .erlang import erlang_a_metrics, erlang_b, erlang_c_metrics, staff_for_target
from .experiment import ExperimentResult, ReplicationResult, run_experiment, with_run_settings
from .loading import ScenarioError, load_scenario, scenario_files
from .output import OutputError, default_folder, prepare_folder, write_progress, write_results
from .validation import NotAnErlangCase, compare, describe_case, expected_kpis

EXIT_BAD_INPUT = 2
EXIT_VALIDATION_FAILED = 1


class UsageError(ValueError):
    """A command-line value is wrong; the message is one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def _whole_number(text: str, low: int, high: int, label: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, found {text!r}") from None
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"expected {label}, found {text!r}")
    return value


def _positive_int(text: str) -> int:
    return _whole_number(text, 1, 10**9, "a whole number >= 1")


def _seed(text: str) -> int:
    return _whole_number(text, 0, 2**63 - 1, "a seed from 0 to 2**63-1")


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, found {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, found {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="controlroom-sim",
        description="Discrete-event simulator of a UK police control room.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    run = commands.add_parser(
        "run",
        help="run a scenario and write its results",
        description="Run a scenario's replications, print the KPIs with 95%% confidence "
        "intervals, and write summary.json, kpis.csv, intervals.csv, calls.parquet and "
        "manifest.json to the output folder.",
    )
    run.add_argument(
        "scenario",
        nargs="?",
        default=None,
        help="scenario TOML file (default: the built-in baseline)",
    )
    run.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output folder (default: results/<scenario>-<timestamp>/)",
    )
    run.add_argument(
        "--replications",
        type=_positive_int,
        default=None,
        help="number of replications (default: the scenario's)",
    )
    run.add_argument("--seed", type=_seed, default=None, help="base seed (default: the scenario's)")
    run.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a scenario key, e.g. channels.999.calls_per_day=900 (repeatable)",
    )
    run.add_argument(
        "--calls-format",
        choices=("parquet", "csv"),
        default="parquet",
        help="format of the per-call table (default: parquet)",
    )
    run.add_argument("--quiet", action="store_true", help="no progress bar")

    erl = commands.add_parser(
        "erlang",
        help="Erlang B, C and A for a stationary queue",
        description="Exact Erlang B, C and A (M/M/n+M) figures. Give the handlers for one "
        "row, or leave them out for a table around the staffing that meets --service-level.",
    )
    erl.add_argument("--calls-per-hour", type=_positive_float, required=True)
    erl.add_argument(
        "--aht-s",
        type=_positive_float,
        required=True,
        help="mean handling time (talk + wrap-up), seconds",
    )
    erl.add_argument(
        "--patience-s",
        type=_positive_float,
        default=None,
        help="mean patience, seconds (Erlang A); absent: Erlang C",
    )
    erl.add_argument("--handlers", type=_positive_int, default=None)
    erl.add_argument(
        "--target-s", type=float, default=10.0, help="answer-time target, seconds (default 10)"
    )
    erl.add_argument(
        "--service-level",
        type=float,
        default=0.9,
        help="share of offered calls to answer within the target (default 0.9)",
    )

    val = commands.add_parser(
        "validate",
        help="simulated against Erlang theory, side by side",
        description="Run stationary scenarios that have an exact Erlang counterpart and print "
        "theory beside the simulated mean and confidence interval. Exits 1 if theory falls "
        "outside an interval.",
    )
    val.add_argument(
        "scenarios",
        nargs="*",
        type=Path,
        help="scenario files (default: every file in scenarios/validation/)",
    )
    val.add_argument("--replications", type=_positive_int, default=None)
    val.add_argument("--seed", type=_seed, default=None)
    val.add_argument(
        "--confidence",
        type=float,
        default=0.99,
        help="confidence level of the intervals (default 0.99)",
    )
    val.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


# -- commands -----------------------------------------------------------------------------------


def _progress(total: int, label: str, quiet: bool):  # type: ignore[no-untyped-def]
    if quiet:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=label, unit="rep", file=sys.stderr, leave=False, disable=None)


def _run_with_progress(scenario, quiet: bool, folder: Path | None = None):  # type: ignore[no-untyped-def]
    bar = _progress(scenario.scenario.replications, scenario.scenario.name, quiet)

    def done(result: ExperimentResult, rep: ReplicationResult) -> None:
        if folder is not None:
            write_progress(folder, result)
        if bar is not None:
            bar.update(1)
            bar.set_postfix(calls=f"{result.calls_simulated:,}")

    try:
        return run_experiment(scenario, on_replication=done)
    finally:
        if bar is not None:
            bar.close()


def command_run(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario, args.overrides)
    scenario = with_run_settings(scenario, args.replications, args.seed)
    folder = prepare_folder(args.out or default_folder(scenario.scenario.name))
    result = _run_with_progress(scenario, args.quiet, folder)
    write_results(folder, result, scenario_files(args.scenario), calls_format=args.calls_format)
    n = len(result.replications)
    print(
        f"{scenario.scenario.name}: {n} replication{'s' if n != 1 else ''} of "
        f"{scenario.scenario.days:g} days, seed {scenario.scenario.seed}, "
        f"{result.calls_simulated:,} calls simulated in {result.wall_s:.1f} s"
    )
    print(kpi_table(result.summary))
    print(f"results: {folder}")
    return 0


def command_erlang(args: argparse.Namespace) -> int:
    if not 0 < args.service_level < 1:
        raise UsageError(
            f"--service-level: expected a share between 0 and 1, found {args.service_level}"
        )
    if args.target_s < 0:
        raise UsageError(f"--target-s: expected a number >= 0, found {args.target_s}")
    rate = args.calls_per_hour / 3600.0
    load = rate * args.aht_s
    model = "Erlang A" if args.patience_s else "Erlang C"
    needed = staff_for_target(
        rate, args.aht_s, args.target_s, args.service_level, mean_patience=args.patience_s
    )
    print(
        f"{model}: {args.calls_per_hour:g} calls/h, mean handling {args.aht_s:g} s"
        + (f", mean patience {args.patience_s:g} s" if args.patience_s else "")
        + f"; offered load {load:.2f} Erlangs"
    )
    print(
        f"handlers needed for {args.service_level:.0%} of offered calls answered within "
        f"{args.target_s:g} s: {needed}"
    )
    if args.handlers is not None:
        handlers = [args.handlers]
    else:
        low = max(1, needed - 3)
        handlers = list(range(low, needed + 4))
    rows = []
    for n in handlers:
        if args.patience_s:
            m = erlang_a_metrics(rate, args.aht_s, args.patience_s, n, args.target_s)
        else:
            m = erlang_c_metrics(rate, args.aht_s, n, args.target_s)
        rows.append(
            [
                str(n),
                f"{erlang_b(n, load):.4f}",
                f"{m.p_wait:.4f}",
                f"{m.p_abandon:.4f}",
                f"{m.service_level_answered:.4f}",
                f"{m.service_level_offered:.4f}",
                "inf" if m.mean_wait_answered == float("inf") else f"{m.mean_wait_answered:.2f}",
                f"{m.occupancy:.4f}",
            ]
        )
    print(
        render(
            rows,
            [
                "handlers",
                "Erlang B",
                "P(wait)",
                "P(abandon)",
                f"SL{args.target_s:g} answered",
                f"SL{args.target_s:g} offered",
                "mean answer s",
                "occupancy",
            ],
            [True] * 8,
        )
    )
    return 0


def command_validate(args: argparse.Namespace) -> int:
    if not 0 < args.confidence < 1:
        raise UsageError(f"--confidence: expected a level between 0 and 1, found {args.confidence}")
    files = args.scenarios or sorted(Path("scenarios/validation").glob("*.toml"))
    if not files:
        raise UsageError("validate: no scenario files given and none in scenarios/validation/")
    all_inside = True
    for file in files:
        scenario = with_run_settings(load_scenario(file), args.replications, args.seed)
        try:
            expected_kpis(scenario)  # checked before the (long) simulation
        except NotAnErlangCase as exc:
            raise ScenarioError(f"{file}: {exc}") from None
        result = _run_with_progress(scenario, args.quiet)
        frame = compare(scenario, result.kpis, args.confidence)
        print(
            f"{file}: {scenario.scenario.name}: {describe_case(scenario)}, "
            f"{len(result.replications)} replications of {scenario.scenario.days:g} days"
        )
        print(validation_table(frame, args.confidence))
        print()
        all_inside &= bool(frame["inside"].all())
    print("theory inside every interval" if all_inside else "theory outside at least one interval")
    return 0 if all_inside else EXIT_VALIDATION_FAILED


COMMANDS = {"run": command_run, "erlang": command_erlang, "validate": command_validate}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        return COMMANDS[args.command](args)
    except (ScenarioError, UsageError, OutputError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # Output piped into a program that stopped reading (e.g. head): no message, and no
        # second error when Python flushes stdout at exit (the recipe in Python's docs).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        print(
            "interrupted: results of finished replications are in the output folder",
            file=sys.stderr,
        )
        return 130
    except Exception as exc:  # never a bare traceback; show it on request
        if os.environ.get("CONTROLROOM_SIM_DEBUG"):
            raise
        print(
            f"error: internal error: {type(exc).__name__}: {exc} "
            "(set CONTROLROOM_SIM_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return 1
