"""Option groups shared by several commands: run control, the size guard, the experiment
options of run / compare / sweep, the planner options of staff / roster, and ``--show``."""

from __future__ import annotations

import argparse
from pathlib import Path

from ...analysis.precision import DEFAULT_CAP, DEFAULT_INITIAL
from ...experiments.engines import ENGINES
from .values import _jobs, _positive_int, _seed, _whole_number

DEFAULT_MAX_CALLS = 50_000_000
"""Runs estimated above this many calls need ``--yes`` (or a higher ``--max-calls``)."""


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
    command.add_argument(
        "--xlsx",
        type=Path,
        default=None,
        metavar="FILE",
        help="also write the Excel workbook to FILE (it is always written to the results "
        "folder as results.xlsx)",
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


def _add_show(command: argparse.ArgumentParser, default: str) -> None:
    command.add_argument(
        "--show",
        default=None,
        metavar="KPI,...",
        help=f"KPIs to print (default: {default}); the files hold all",
    )


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
