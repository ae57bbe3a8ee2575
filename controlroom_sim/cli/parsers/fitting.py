"""The parser of ``fit-check``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]


def add_fit_check(commands: Subparsers) -> None:
    """``fit-check``: read a force's telephony export and say what it holds."""
    check = commands.add_parser(
        "fit-check",
        help="read a force's telephony export (CSV/XLSX) with a mapping file: the rows not "
        "used, by reason, and the export's KPIs per channel",
        description="Read one or more telephony (ACD) exports, one row per call, with a mapping "
        "file that says which column is which, how channels are spelt and how times are "
        "written. Prints the observed period, the rows that cannot be used counted by reason "
        "(with the first examples), and the export's KPIs per channel by the same definitions "
        "as a simulated run's.",
    )
    check.add_argument("exports", nargs="+", type=Path, metavar="EXPORT", help="CSV or XLSX file")
    check.add_argument(
        "--mapping", type=Path, required=True, help="the mapping file (.toml): see the README"
    )


def add_fit(commands: Subparsers) -> None:
    """``fit``: a scenario fitted from a force's telephony export, and its back-test."""
    from ...fitting.follow_ups import FOLLOW_UP_WINDOW_S
    from ...fitting.patience import SHORT_ABANDON_S
    from .values import SECONDS, _non_negative_int, _positive_int

    fit = commands.add_parser(
        "fit",
        help="fit a scenario (arrivals, talk, wrap-up, patience, redials) from a force's "
        "telephony export, and back-test it",
        description="Fit a complete scenario from one or more telephony (ACD) exports read with "
        "a mapping file: calls a day and the weekly 15-minute profile per channel (bank "
        "holidays and clock changes handled), talk and wrap-up times (candidate distributions "
        "by maximum likelihood, chosen by AIC), patience (censored: Kaplan-Meier and censored "
        "maximum likelihood), the BT stage and redials. Writes scenario.toml (with a profile "
        "CSV per channel), fit.json, backtest.csv and report.html into --out, then runs the "
        "fitted scenario over the held-out weeks (or, with none held out, the fitted period) "
        "and compares it with the export.",
    )
    fit.add_argument("exports", nargs="+", type=Path, metavar="EXPORT", help="CSV or XLSX file")
    fit.add_argument(
        "--mapping", type=Path, required=True, help="the mapping file (.toml): see the README"
    )
    fit.add_argument("--out", type=Path, required=True, help="folder to write the fit into")
    fit.add_argument(
        "--base",
        type=Path,
        help="the scenario the fitted one extends (default: the built-in baseline): what is "
        "not fitted (handlers, grading, dispatch, costs) comes from it",
    )
    fit.add_argument(
        "--holdout-weeks",
        type=_non_negative_int,
        default=0,
        metavar="N",
        help="leave the export's last N whole weeks out of the fit and back-test on them "
        "(default 0: the back-test is in-sample, on the fitted period)",
    )
    fit.add_argument(
        "--rota",
        type=Path,
        help="who was on duty: a rota file (.csv/.xlsx) or a scenario (.toml) whose handlers "
        "the fitted scenario takes (default: the base's handlers, and the back-test says so)",
    )
    fit.add_argument(
        "--timezone",
        help="the export's local time zone (IANA name; default: the mapping's, else Europe/London)",
    )
    fit.add_argument(
        "--replications",
        type=_positive_int,
        default=10,
        help="replications of the back-test (default 10)",
    )
    fit.add_argument(
        "--short-abandon-s",
        type=SECONDS,
        default=SHORT_ABANDON_S,
        metavar="S",
        help=f"abandons within S seconds are reported on their own (default {SHORT_ABANDON_S:g})",
    )
    fit.add_argument(
        "--exclude-short-abandons",
        action="store_true",
        help="leave abandons within --short-abandon-s out of the patience fit",
    )
    fit.add_argument(
        "--follow-up-window-s",
        type=SECONDS,
        default=FOLLOW_UP_WINDOW_S,
        metavar="S",
        help="a caller's call within S seconds of giving up is a redial (default "
        f"{FOLLOW_UP_WINDOW_S:g})",
    )
