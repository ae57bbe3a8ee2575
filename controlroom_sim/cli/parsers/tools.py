"""The parsers of the commands that do not run experiments: ``erlang``, ``validate``,
``report``, ``scenarios`` and ``replay``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from .shared import _add_size_guard
from .values import (
    CALLS_PER_HOUR,
    SECONDS,
    SHARE,
    TARGET_SECONDS,
    _jobs,
    _positive_int,
    _seed,
    _whole_number,
)

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]


def add_erlang(commands: Subparsers) -> None:
    """``erlang``: Erlang B, C and A."""
    erl = commands.add_parser(
        "erlang",
        help="Erlang B, C and A for a stationary queue",
        description="Exact Erlang B, C and A (M/M/n+M) figures. Give the handlers for one "
        "row, or leave them out for a table around the staffing that meets --service-level.",
    )
    erl.add_argument("--calls-per-hour", type=CALLS_PER_HOUR, required=True)
    erl.add_argument(
        "--aht-s",
        type=SECONDS,
        required=True,
        help="mean handling time (talk + wrap-up), seconds",
    )
    erl.add_argument(
        "--patience-s",
        type=SECONDS,
        default=None,
        help="mean patience, seconds (Erlang A); absent: Erlang C",
    )
    erl.add_argument("--handlers", type=_positive_int, default=None)
    erl.add_argument(
        "--target-s",
        type=TARGET_SECONDS,
        default=10.0,
        help="answer-time target, seconds (default 10)",
    )
    erl.add_argument(
        "--service-level",
        type=SHARE,
        default=0.9,
        help="share of offered calls to answer within the target (default 0.9)",
    )


def add_validate(commands: Subparsers) -> None:
    """``validate``: simulation against Erlang theory."""
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
        type=SHARE,
        default=0.99,
        help="confidence level of the intervals (default 0.99)",
    )
    val.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_size_guard(val)


def add_report(commands: Subparsers) -> None:
    """``report``: an HTML report of a results folder."""
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


def add_scenarios(commands: Subparsers) -> None:
    """``scenarios``: the scenario library."""
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


def add_replay(commands: Subparsers) -> None:
    """``replay``: an HTML replay of a demand peak."""
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


def add_app(commands: Subparsers) -> None:
    """``app``: the local web app (the planner's workbench)."""
    app = commands.add_parser(
        "app",
        help="the local web app: open a scenario, edit its rota, compare, fit from data",
        description="Start the local web app on 127.0.0.1 (Streamlit; needs the [app] extra) "
        "and open it in the browser. Ctrl-C stops it.",
    )
    app.add_argument(
        "--port", type=_positive_int, default=8501, help="the port to serve on (default 8501)"
    )
    app.add_argument(
        "--no-browser",
        action="store_true",
        help="do not open the browser (for a server or tests)",
    )
    app.add_argument(
        "--scenarios",
        type=Path,
        default=None,
        help="the folder of the scenario library the app lists (default: scenarios/ here, "
        "else the built-in baseline)",
    )
