"""The size guard: every command that simulates estimates the run first, refuses one that is
too large (unless ``--yes``) and says on stderr when one will take a while."""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
from collections.abc import Sequence
from pathlib import Path

from ...config.schema import Scenario
from ...experiments.estimate import CALLS_PER_SECOND, RunEstimate, estimate_run
from ..session import _saved_in
from ..usage import UsageError

CEILING_CALLS = 10**15
"""Runs estimated above this many calls (some 2,000 years of one worker) are refused even
with ``--yes``: volumes or horizons that large are mistakes."""
NOTICE_CALLS = 1_000_000
"""Runs estimated above this many calls (or a minute) say so on stderr before they start."""


def _replications(args: argparse.Namespace, scenario: Scenario) -> int:
    """The replications a run starts with: ``--replications``, the first precision check's
    count with ``--target-half-width``, else the scenario's."""
    if getattr(args, "targets", None):
        return int(args.min_replications)
    if args.replications is not None:
        return int(args.replications)
    return scenario.scenario.replications


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
