"""The parsers of ``run``, ``compare`` and ``sweep``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from .shared import _add_experiment_options, _add_show

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]


def add_run(commands: Subparsers) -> None:
    """``run``: one scenario's replications."""
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
        "--arrivals",
        nargs="+",
        type=Path,
        default=None,
        metavar="EXPORT",
        help="drive the run with a force's own arrival times: its telephony export (CSV or "
        "XLSX, one row per call), read with --mapping; replaces the Poisson arrivals",
    )
    run.add_argument(
        "--mapping",
        type=Path,
        default=None,
        help="the export's mapping file (.toml, as for fit-check); needed with --arrivals",
    )
    _add_experiment_options(run, "output folder (default: results/<scenario>-<timestamp>/)")


def add_compare(commands: Subparsers) -> None:
    """``compare``: scenarios with common random numbers."""
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


def add_sweep(commands: Subparsers) -> None:
    """``sweep``: a grid of variants of one scenario."""
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
