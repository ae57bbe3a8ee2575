"""The parsers of ``staff`` and ``roster``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ...planning.roster import NODE_LIMIT, TIME_LIMIT_S
from .shared import _add_planner_options
from .values import SECONDS, SHRINKAGE, _names, _non_negative_int, _positive_int

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]


def add_staff(commands: Subparsers) -> None:
    """``staff``: handlers needed per interval."""
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
        type=SHRINKAGE,
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


def add_roster(commands: Subparsers) -> None:
    """``roster``: rosters of shift patterns."""
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
        type=SHRINKAGE,
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
        type=SECONDS,
        default=TIME_LIMIT_S,
        help=f"seconds HiGHS may take per pattern, a safety net: a roster stopped by it may "
        f"differ on a rerun (default {TIME_LIMIT_S:g})",
    )
    rst.add_argument(
        "--no-simulation", action="store_true", help="write the rosters without simulating them"
    )


def add_rota(commands: Subparsers) -> None:
    """``rota``: a scenario's rota as a rota file."""
    rota = commands.add_parser(
        "rota",
        help="write a scenario's rota as a rota file (.xlsx or .csv) for planners to edit",
        description="Write every shift line of the scenario's rota sections (handlers, "
        "dispatchers, officers, support workers) as a rota file: one row per line with role, "
        "group, line, start, hours, the days Mon..Sun, count and the break columns. A scenario "
        'reads it back with [rota] file = "...". Groups on duty around the clock (count) are '
        "left out, and said so.",
    )
    rota.add_argument(
        "scenario", nargs="?", default=None, help="scenario file (default: the built-in baseline)"
    )
    rota.add_argument(
        "--out",
        type=Path,
        required=True,
        help="the rota file to write: .xlsx (a workbook with a sheet 'rota') or .csv",
    )
    rota.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a scenario key first, e.g. 'shift_lines.Evening contact.count=5' "
        "(repeatable)",
    )
