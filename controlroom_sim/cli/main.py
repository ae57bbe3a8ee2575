"""The ``controlroom-sim`` command line.

Each command prints a readable table, writes files where it has results, and on bad input
exits with status 2 and one line saying what is wrong (never a traceback).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import math
import os
import shlex
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from ..analysis.comparison import SweepError, parse_vary, sweep_grid
from ..analysis.erlang import erlang_a_metrics, erlang_b, erlang_c_metrics, staff_for_target
from ..analysis.precision import DEFAULT_CAP, DEFAULT_INITIAL
from ..analysis.validation import NotAnErlangCase, compare, describe_case, expected_kpis
from ..config.errors import ControlroomError
from ..config.files import ScenarioError
from ..config.library import library
from ..config.loading import load_model, load_scenario
from ..config.schema import Scenario
from ..config.version import __version__
from ..experiments import api
from ..experiments.engines import ENGINES
from ..experiments.run_folder import default_folder, prepare_folder
from ..experiments.runner import CALLS_PER_SECOND, RunEstimate, estimate_run, with_run_settings
from ..experiments.store import RunStore
from ..planning import planner
from ..planning.patterns import PatternFile
from ..planning.planner_report import roster_report, round_line, staff_report
from ..planning.requirement_rota import other_groups_coverage
from ..planning.roster import NODE_LIMIT, TIME_LIMIT_S
from ..planning.search import Trial
from ..planning.targets import DEFAULT_TARGET, StaffTarget, check_targets
from ..reporting.display import (
    comparison_table,
    kpi_table,
    precision_lines,
    render,
    sweep_overview,
    validation_table,
)
from ..reporting.replay import write_replay
from ..reporting.report import write_report

EXIT_BAD_INPUT = 2
EXIT_VALIDATION_FAILED = 1
DEFAULT_MAX_CALLS = 50_000_000
"""Runs estimated above this many calls need ``--yes`` (or a higher ``--max-calls``)."""
CEILING_CALLS = 10**15
"""Runs estimated above this many calls (some 2,000 years of one worker) are refused even
with ``--yes``: volumes or horizons that large are mistakes."""
NOTICE_CALLS = 1_000_000
"""Runs estimated above this many calls (or a minute) say so on stderr before they start."""


class UsageError(ControlroomError, ValueError):
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


def _non_negative_int(text: str) -> int:
    return _whole_number(text, 0, 10**12, "a whole number >= 0")


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


def _jobs(text: str) -> int:
    if text == "all":
        return os.cpu_count() or 1
    return _whole_number(text, 1, 4096, "a number of worker processes >= 1, or 'all'")


def _add_experiment_options(command: argparse.ArgumentParser, out_help: str) -> None:
    """Options shared by run, compare and sweep."""
    command.add_argument("--out", type=Path, default=None, help=out_help)
    _add_run_control(command)
    command.add_argument(
        "--target-half-width",
        dest="targets",
        action="append",
        default=[],
        metavar="KPI=VALUE[%]",
        help="add replications until the 95%% CI half-width of KPI is at most VALUE (in the "
        "KPI's unit) or VALUE%% of its mean, e.g. answered_within_10s_999=0.01 "
        "(repeatable; replaces --replications)",
    )
    command.add_argument(
        "--min-replications",
        type=_positive_int,
        default=DEFAULT_INITIAL,
        help=f"replications before the first precision check (default {DEFAULT_INITIAL})",
    )
    command.add_argument(
        "--max-replications",
        type=_positive_int,
        default=DEFAULT_CAP,
        help=f"most replications a target may take (default {DEFAULT_CAP})",
    )
    command.add_argument(
        "--resume",
        action="store_true",
        help="continue the stopped run in --out: finished replications are kept, the "
        "others are run",
    )
    command.add_argument(
        "--calls-format",
        choices=("parquet", "csv", "none"),
        default="parquet",
        help="format of the per-call and per-incident tables, or none (default: parquet)",
    )
    command.add_argument("--quiet", action="store_true", help="no progress bar")


def _add_run_control(command: argparse.ArgumentParser) -> None:
    """Replications, seed, overrides and where replications run: every simulating command."""
    command.add_argument(
        "--replications",
        type=_positive_int,
        default=None,
        help="number of replications (default: the (baseline) scenario's)",
    )
    command.add_argument(
        "--seed", type=_seed, default=None, help="base seed (default: the (baseline) scenario's)"
    )
    command.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a scenario key, e.g. channels.999.calls_per_day=900 (repeatable)",
    )
    command.add_argument(
        "--jobs",
        type=_jobs,
        default=1,
        help="worker processes (or Dask workers of a local cluster); 'all' for every core "
        "(default 1)",
    )
    command.add_argument(
        "--engine",
        choices=ENGINES,
        default="processes",
        help="where replications run: local processes (default), serial, or dask",
    )
    command.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (with --engine dask; without "
        "it a local cluster of --jobs workers is started)",
    )
    _add_size_guard(command)


def _add_size_guard(command: argparse.ArgumentParser) -> None:
    """``--max-calls`` and ``--yes``: every command that simulates estimates its size first."""
    command.add_argument(
        "--max-calls",
        type=lambda text: _whole_number(text, 1, 10**15, "a whole number >= 1"),
        default=DEFAULT_MAX_CALLS,
        metavar="N",
        help="refuse a run estimated to simulate more than N calls (counting simulated days "
        "and staff shifts as calls by their cost) unless --yes is given "
        f"(default {DEFAULT_MAX_CALLS:,})",
    )
    command.add_argument(
        "--yes",
        action="store_true",
        help="run even when the estimate is above --max-calls",
    )


def _names(text: str) -> list[str]:
    """A comma-separated list of names (KPIs, forces), blanks dropped."""
    return [name.strip() for name in text.split(",") if name.strip()]


def _add_show(command: argparse.ArgumentParser, default: str) -> None:
    command.add_argument(
        "--show",
        default=None,
        metavar="KPI,...",
        help=f"KPIs to print (default: {default}); the files hold all",
    )


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
    _add_experiment_options(run, "output folder (default: results/<scenario>-<timestamp>/)")

    cmp = commands.add_parser(
        "compare",
        help="compare scenarios with common random numbers",
        description="Run a baseline and variants with the same seed and replications (common "
        "random numbers) and print each KPI per scenario with its 95%% CI and the paired "
        "difference from the baseline with its CI. Writes summary.csv, kpis.csv, "
        "differences.csv and each scenario's tables under scenarios/.",
    )
    cmp.add_argument("baseline", help="the baseline scenario file ('baseline': the built-in one)")
    cmp.add_argument("variants", nargs="+", help="scenario files to compare with the baseline")
    _add_show(cmp, "the headline KPIs")
    _add_experiment_options(cmp, "output folder (default: results/compare-<timestamp>/)")

    swp = commands.add_parser(
        "sweep",
        help="run a grid of variants of one scenario",
        description="Vary scenario keys over lists of values, run every combination with "
        "common random numbers, and write one tidy table (sweep.csv): a row per variant "
        "and KPI, a column per varied key.",
    )
    swp.add_argument(
        "scenario", nargs="?", default=None, help="scenario file (default: the built-in baseline)"
    )
    swp.add_argument(
        "--vary",
        action="append",
        default=[],
        required=True,
        metavar="KEY=V1,V2,...",
        help="a key and its values, read like --set values, e.g. handlers.0.count=8,10,12 "
        "(repeatable: the grid is every combination)",
    )
    _add_show(swp, "a few headline KPIs")
    _add_experiment_options(swp, "output folder (default: results/sweep-<timestamp>/)")

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
    val.add_argument("--jobs", type=_jobs, default=1, help="worker processes (default 1)")
    val.add_argument("--seed", type=_seed, default=None)
    val.add_argument(
        "--confidence",
        type=float,
        default=0.99,
        help="confidence level of the intervals (default 0.99)",
    )
    val.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_size_guard(val)

    stf = commands.add_parser(
        "staff",
        help="handlers needed per 15-minute interval to meet service targets",
        description="The handlers needed in each 15-minute interval of the week: Erlang C / A "
        "per interval, refined by simulation until every interval and the whole week meet the "
        "targets, then checked with new callers. Writes requirement.csv (both curves, per "
        "interval), checks.csv, rounds.csv, staff.json and plots.",
    )
    stf.add_argument(
        "scenario", nargs="?", default=None, help="scenario file (default: the built-in baseline)"
    )
    _add_planner_options(stf, "results/<scenario>-staff-<timestamp>/")
    stf.add_argument(
        "--shrinkage",
        type=float,
        default=None,
        help="share of paid time not taking calls, for paid hours (default: the break time "
        "of the scenario's handler rota)",
    )
    stf.add_argument(
        "--erlang-only", action="store_true", help="stop at the Erlang curve (no simulation)"
    )
    stf.add_argument(
        "--forces",
        type=_names,
        default=[],
        metavar="NAME,...",
        help="size a room that takes only these forces' calls (a scenario with [[forces]], "
        "e.g. one of the rooms of a merger)",
    )
    stf.add_argument(
        "--max-rounds",
        type=_positive_int,
        default=10,
        help="most simulation rounds of the search (default 10)",
    )

    rst = commands.add_parser(
        "roster",
        help="rosters of shift patterns at the fewest paid hours, simulated side by side",
        description="For each shift pattern in --patterns, choose how many people work each "
        "allowed shift to cover the requirement at the fewest paid hours (an integer programme "
        "solved with HiGHS), write it as a scenario file, and simulate every roster beside "
        "the current rota with common random numbers.",
    )
    rst.add_argument(
        "scenario", nargs="?", default=None, help="scenario file (default: the built-in baseline)"
    )
    rst.add_argument(
        "--patterns", type=Path, required=True, help="shift patterns file (TOML, [[patterns]])"
    )
    rst.add_argument(
        "--pattern",
        dest="names",
        action="append",
        default=[],
        metavar="NAME",
        help="roster only this pattern (repeatable; default: every pattern in the file)",
    )
    rst.add_argument(
        "--requirement",
        type=Path,
        default=None,
        help="handlers required per interval: a CSV with weekday, time and a 'required' "
        "column, such as staff's requirement.csv (default: run staff first)",
    )
    rst.add_argument(
        "--column",
        default="required",
        help="the requirement file's column to cover (default: required)",
    )
    _add_planner_options(rst, "results/<scenario>-roster-<timestamp>/")
    rst.add_argument(
        "--shrinkage",
        type=float,
        default=0.0,
        help="share of rostered time not taking calls beyond the patterns' breaks (default 0)",
    )
    rst.add_argument(
        "--node-limit",
        type=_non_negative_int,
        default=NODE_LIMIT,
        help=f"branch-and-bound nodes HiGHS may explore per pattern: the same roster on every "
        f"run (default {NODE_LIMIT:,}; 0 for no limit)",
    )
    rst.add_argument(
        "--time-limit",
        type=_positive_float,
        default=TIME_LIMIT_S,
        help=f"seconds HiGHS may take per pattern, a safety net: a roster stopped by it may "
        f"differ on a rerun (default {TIME_LIMIT_S:g})",
    )
    rst.add_argument(
        "--no-simulation", action="store_true", help="write the rosters without simulating them"
    )

    rep = commands.add_parser(
        "report",
        help="a self-contained HTML report of a results folder",
        description="Write report.html (opens offline: figures embedded) and the figures as PNG "
        "(in report/) for the folder of a run, a comparison or a sweep: the KPI table with "
        "confidence intervals, demand and the 10-second rate by interval, a weekday x hour "
        "heatmap, answer times against the Home Office bands, abandonment and callbacks, "
        "attendance by grade, the backlog, and scenarios side by side.",
    )
    rep.add_argument("results", type=Path, help="a folder written by run, compare or sweep")
    rep.add_argument(
        "--out", type=Path, default=None, help="the HTML file (default: RESULTS/report.html)"
    )

    lib = commands.add_parser(
        "scenarios",
        help="list the scenario library, one line each",
        description="List every scenario file under a folder (default: ./scenarios, or the "
        "built-in baseline when there is none) with its name, horizon, calls a day and "
        "description. Exits 1 if a file does not load, naming it and the problem.",
    )
    lib.add_argument(
        "folder", nargs="?", type=Path, default=None, help="folder of scenarios (./scenarios)"
    )

    rpl = commands.add_parser(
        "replay",
        help="a self-contained HTML replay of a demand peak, for training",
        description="Write replay.html: a page that replays the control room over a window of "
        "one replication (calls arriving by channel, callers waiting, handlers busy and idle, "
        "abandonments, callbacks, the rolling 10-second rate of 999 calls, the dispatch "
        "backlog) with play, pause, speed and a time slider. It opens offline, without Python. "
        "Needs the call records (a run without --calls-format none).",
    )
    rpl.add_argument(
        "results",
        type=Path,
        help="a folder written by run, or a scenarios/NN-name folder of compare or sweep",
    )
    rpl.add_argument(
        "--window",
        default="busiest",
        metavar="WINDOW",
        help="'busiest' (the 4 hours with the most calls offered, default) or 'DAY HH:MM-HH:MM' "
        "with DAY a measured day number (1 = the first) or a weekday, e.g. '5 18:00-22:00' or "
        "'saturday 22:00-02:00' (the end may pass midnight)",
    )
    rpl.add_argument(
        "--replication",
        type=lambda text: _whole_number(text, 0, 10**9, "a replication number >= 0"),
        default=None,
        help="the replication to replay, numbered as in calls.parquet (default: the first, 0)",
    )
    rpl.add_argument(
        "--out", type=Path, default=None, help="the HTML file (default: RESULTS/replay.html)"
    )
    return parser


def _add_planner_options(command: argparse.ArgumentParser, default_out: str) -> None:
    """Options shared by staff and roster."""
    command.add_argument(
        "--target",
        dest="staff_targets",
        action="append",
        default=[],
        metavar="KPI=VALUE",
        help="a service target per interval and overall, e.g. answered_within_10s_999=0.90 or "
        "abandon_rate_101=10%% (repeatable; default: answered_within_10s_999=0.90)",
    )
    command.add_argument(
        "--group",
        default=None,
        metavar="NAME",
        help="size this handler group and keep the others' rotas (default: one pooled group "
        "taking every channel replaces them)",
    )
    command.add_argument("--out", type=Path, default=None, help=f"output folder ({default_out})")
    _add_run_control(command)
    command.add_argument("--quiet", action="store_true", help="no progress lines")


# -- commands -----------------------------------------------------------------------------------


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


_ARGV: list[str] = []
"""The arguments of this invocation, for the manifest and the resume hint."""
_RUN_FOLDER: list[Path] = []
"""The folder a run, comparison or sweep of this invocation writes (once it is known)."""
_SIGNALS: list[int] = []
"""The stopping signals (SIGINT, SIGTERM) this invocation has received."""


def _resume_command(folder: Path | None) -> str:
    argv = [a for a in _ARGV if a != "--resume"]
    if folder is not None and "--out" not in argv and not any(a.startswith("--out=") for a in argv):
        argv += ["--out", str(folder)]
    return shlex.join(["controlroom-sim", *argv, "--resume"])


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


def _replications(args: argparse.Namespace, scenario: Scenario) -> int:
    """The replications a run starts with: ``--replications``, the first precision check's
    count with ``--target-half-width``, else the scenario's."""
    if getattr(args, "targets", None):
        return int(args.min_replications)
    if args.replications is not None:
        return int(args.replications)
    return scenario.scenario.replications


def _folder(args: argparse.Namespace, name: str) -> Path:
    return args.out if args.out is not None else default_folder(name)


def _replications_line(n: int) -> str:
    return f"{n} replication{'s' if n != 1 else ''}"


# -- the size guard -----------------------------------------------------------------------------


def _amount(value: float) -> str:
    """A count or size for a message: 12,345 or 0.05, or 1.2e+20 when it is huge."""
    if value != value or value == float("inf"):
        return "more than can be counted"
    if value >= 1e15:
        return f"{value:.2g}"
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def _duration(seconds: float) -> str:
    """How long, for a message: "about 84 min", "under a second"."""
    if not seconds < 1e12:
        return "longer than anyone can wait"
    if seconds < 1:
        return "under a second"
    for unit, size, most in (("s", 1, 90), ("min", 60, 90), ("h", 3600, 48), ("days", 86400, 730)):
        if seconds < size * most:
            return f"about {_amount(float(f'{seconds / size:.2g}'))} {unit}"
    return f"about {_amount(float(f'{seconds / (365 * 86400):.2g}'))} years"


def _describe_estimate(estimate: RunEstimate, at_least: bool) -> str:
    scenarios = f"{estimate.scenarios} scenarios x " if estimate.scenarios > 1 else ""
    if not math.isfinite(estimate.cost):
        return (
            f"more calls than can be counted over {scenarios}"
            f"{_replications_line(estimate.replications)}: the horizon, the volumes or the "
            "staff are too large to simulate"
        )
    days = estimate.days / max(1, estimate.replications * estimate.scenarios)
    text = (
        f"{'at least ' if at_least else ''}about {_amount(estimate.calls)} calls over "
        f"{scenarios}{_replications_line(estimate.replications)} of {_amount(days)} simulated "
        f"day{'s' if days != 1 else ''} (warm-up and cool-down included)"
    )
    if not estimate.cost <= 2 * estimate.calls + 1000:
        text += f", with the days and staff shifts as much work as {_amount(estimate.cost)} calls"
    workers = max(1, min(estimate.workers, estimate.replications * estimate.scenarios))
    return (
        f"{text}, taking {_duration(estimate.seconds)} at {CALLS_PER_SECOND:,} calls/s "
        f"per worker ({workers} worker{'s' if workers != 1 else ''})"
    )


def _check_size(
    args: argparse.Namespace,
    scenarios: Sequence[Scenario],
    sources: Sequence[object],
    replications: int,
    at_least: bool = False,
) -> None:
    """Estimate the run before it starts: above ``--max-calls`` refuse (one line, exit 2)
    unless ``--yes``, and above :data:`CEILING_CALLS` refuse whatever the options (no such run
    can finish); above :data:`NOTICE_CALLS` calls or a minute, say so on stderr."""
    estimate = estimate_run(scenarios, replications, args.jobs)
    described = _describe_estimate(estimate, at_least)
    saved = _saved_in(Path(args.out)) if getattr(args, "resume", False) and args.out else None
    if saved:  # continuing a run: only the replications not saved yet are to run
        total = replications * len(scenarios)
        left = max(0.0, (total - saved) / total) if total else 0.0
        estimate = dataclasses.replace(
            estimate, calls=estimate.calls * left, cost=estimate.cost * left
        )
        described = (
            f"{_describe_estimate(estimate, at_least)}, for the {max(0, total - saved)} of "
            f"{total} replications not saved yet"
        )
    ceiling = not estimate.cost <= CEILING_CALLS
    if ceiling or (estimate.cost > args.max_calls and not args.yes):
        costs = [estimate_run([s], replications).cost for s in scenarios]
        heaviest = max(range(len(costs)), key=lambda i: (costs[i] != costs[i], costs[i]))
        source = sources[heaviest]
        where = "baseline" if source is None else str(source)
        if ceiling:
            raise UsageError(f"{where}: too large to run: {described}")
        raise UsageError(
            f"{where}: too large to start without --yes: {described}; the limit is "
            f"{args.max_calls:,} calls (--max-calls)"
        )
    if estimate.calls >= NOTICE_CALLS or estimate.seconds >= 60:
        print(f"estimate: {described}", file=sys.stderr, flush=True)


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
    scenarios = []
    for file in files:
        scenario = with_run_settings(load_scenario(file), args.replications, args.seed)
        try:
            expected_kpis(scenario)  # checked before the (long) simulation
        except NotAnErlangCase as exc:
            raise ScenarioError(f"{file}: {exc}") from None
        _check_size(args, [scenario], [file], scenario.scenario.replications)
        scenarios.append(scenario)
    for file, scenario in zip(files, scenarios, strict=True):
        result = api.run(scenario, jobs=args.jobs, progress=not args.quiet)
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


def _planner_targets(args: argparse.Namespace) -> list[StaffTarget]:
    return [StaffTarget.parse(t) for t in (args.staff_targets or [DEFAULT_TARGET])]


def _check_planner_args(args: argparse.Namespace) -> None:
    if args.scheduler and args.engine != "dask":
        raise UsageError("--scheduler: needs --engine dask")
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
        "overrides": args.overrides,
        "jobs": args.jobs,
        "engine": args.engine,
        "scheduler": args.scheduler,
    }


def command_staff(args: argparse.Namespace) -> int:
    _check_planner_args(args)
    targets = _planner_targets(args)
    scenario = load_scenario(args.scenario, args.overrides)
    if args.forces:
        scenario = planner.only_forces(scenario, args.forces)
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
        args.scenario,
        targets=targets,
        group=args.group,
        forces=args.forces,
        shrinkage=args.shrinkage,
        simulate=not args.erlang_only,
        max_rounds=args.max_rounds,
        **_planner_run_control(args),
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
    scenario = load_scenario(args.scenario, args.overrides)
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
        args.scenario,
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


def command_report(args: argparse.Namespace) -> int:
    path = write_report(args.results, args.out)
    print(f"report: {path}")
    print(f"figures: {path.parent / 'report'}")
    return 0


def command_scenarios(args: argparse.Namespace) -> int:
    folder = args.folder
    if folder is None and Path("scenarios").is_dir():
        folder = Path("scenarios")
    entries = library(folder)
    rows = []
    for e in entries:
        where = str(e.path.relative_to(folder)) if folder is not None else "(built-in) baseline"
        if e.error is not None:
            rows.append([where, "INVALID", "", "", "", e.error])
            continue
        rows.append(
            [
                where,
                e.name,
                f"{e.days:g}",
                f"{e.calls_per_day[0]:,.0f}",
                f"{e.calls_per_day[1]:,.0f}",
                e.description,
            ]
        )
    print(
        render(
            rows,
            ["file", "name", "days", "999/day", "101/day", "description"],
            [False, False, True, True, True, False],
        )
    )
    bad = sum(e.error is not None for e in entries)
    print(
        f"{len(entries)} scenarios in {folder or 'the package'}"
        + (f", {bad} invalid" if bad else "")
    )
    return 1 if bad else 0


def command_replay(args: argparse.Namespace) -> int:
    path = write_replay(args.results, args.out, window=args.window, replication=args.replication)
    print(f"replay: {path}")
    return 0


COMMANDS = {
    "run": command_run,
    "compare": command_compare,
    "sweep": command_sweep,
    "erlang": command_erlang,
    "validate": command_validate,
    "staff": command_staff,
    "roster": command_roster,
    "report": command_report,
    "replay": command_replay,
    "scenarios": command_scenarios,
}


def _stop(signum: int, frame: object) -> None:
    """SIGTERM (and Ctrl-C) stop a run the same way: finished replications are kept, the
    workers are stopped, and the message says how to continue. A second signal while the run
    is stopping ends the process at once (the files on disk are whole either way)."""
    if _SIGNALS:
        os._exit(128 + signum)
        return  # (only when os._exit is replaced, as in a test)
    _SIGNALS.append(signum)
    raise KeyboardInterrupt


def _one_line(text: str) -> str:
    """``text`` on one line: control characters (a newline in a key or a file name) escaped."""
    return "".join(
        ch if ch.isprintable() or ch == "\t" else ch.encode("unicode_escape").decode("ascii")
        for ch in text
    )


def _interrupted_status() -> int:
    return 128 + (_SIGNALS[0] if _SIGNALS else signal.SIGINT)


def _saved_in(folder: Path | None) -> int | None:
    """Finished replications of an interrupted run in ``folder``; None if it holds none to
    continue (no run started there, or the run is complete)."""
    if folder is None:
        return None
    try:
        store = RunStore(folder)
        manifest = store.read_manifest()
        if manifest is None or manifest.get("status") != "running":
            return None
        return len(store.finished())
    except (OSError, ValueError):
        return None


def _interrupted_line(folder: Path | None, saved: int | None) -> str:
    if folder is None or saved is None:
        return "interrupted"
    return (
        f"interrupted: {saved} finished replication(s) saved in {folder}; "
        f"to continue: {_resume_command(folder)}"
    )


def _install(signum: int, handler: object) -> object | None:
    with contextlib.suppress(ValueError, OSError):  # not the main thread: leave signals alone
        return signal.signal(signum, handler)  # type: ignore[arg-type]
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    parser = build_parser()
    _ARGV[:] = list(sys.argv[1:] if argv is None else argv)
    _RUN_FOLDER.clear()
    _SIGNALS.clear()
    previous = {signal.SIGTERM: _install(signal.SIGTERM, _stop)}
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        previous[signal.SIGINT] = _install(signal.SIGINT, _stop)
    try:
        return _main(parser, argv)
    finally:
        for signum, handler in previous.items():
            if handler is not None:
                signal.signal(signum, handler)  # type: ignore[arg-type]


def _main(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> int:
    try:
        args = parser.parse_args(argv)
        return COMMANDS[args.command](args)
    except ControlroomError as exc:
        print(f"error: {_one_line(str(exc))}", file=sys.stderr)
        return exc.exit_status
    except api.RunInterrupted as exc:
        print(_one_line(_interrupted_line(exc.folder, exc.saved)), file=sys.stderr)
        return _interrupted_status()
    except api.RunStopped as exc:
        if _SIGNALS:  # the workers were stopped by the same signal as this process
            print(_one_line(_interrupted_line(exc.folder, exc.saved)), file=sys.stderr)
            return _interrupted_status()
        where = (
            f"; {exc.saved} finished replication(s) saved in {exc.folder}; to continue: "
            f"{_resume_command(exc.folder)}"
            if exc.folder is not None
            else ""
        )
        print(_one_line(f"error: {exc.reason}{where}"), file=sys.stderr)
        return 1
    except BrokenPipeError:
        # Output piped into a program that stopped reading (e.g. head): no message, and no
        # second error when Python flushes stdout at exit (the recipe in Python's docs).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        # Stopped outside the replications (starting, or writing the final tables): a run
        # folder left running can still be continued.
        folder = _RUN_FOLDER[0] if _RUN_FOLDER else None
        print(_one_line(_interrupted_line(folder, _saved_in(folder))), file=sys.stderr)
        return _interrupted_status()
    except Exception as exc:  # never a bare traceback; show it on request
        if os.environ.get("CONTROLROOM_SIM_DEBUG"):
            raise
        print(
            _one_line(
                f"error: internal error: {type(exc).__name__}: {exc} "
                "(set CONTROLROOM_SIM_DEBUG=1 for the traceback)"
            ),
            file=sys.stderr,
        )
        return 1
