"""Commands that read folders: ``report`` and ``replay`` of a results folder, and
``scenarios``, the scenario library."""

from __future__ import annotations

import argparse
from pathlib import Path

from ...config.library import library
from ...planning.planner_page import is_planner_folder, write_planner_page
from ...reporting.display import render
from ...reporting.replay import write_replay
from ...reporting.report import write_report


def command_report(args: argparse.Namespace) -> int:
    if is_planner_folder(Path(args.results)):  # a staff or roster folder
        print(f"report: {write_planner_page(args.results, args.out)}")
        return 0
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
