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
