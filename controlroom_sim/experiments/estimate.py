"""Estimates before a run: the calls and time a run of some scenarios will take, roughly
(the command line's size guard refuses runs that are too large)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..config.schema import Scenario

CALLS_PER_SECOND = 15_000
"""Calls one worker simulates per second, for estimates: a conservative figure (the baseline,
with grading and dispatch, runs at about 19,000 a second on one core of a 2024 laptop)."""
REDIAL_ALLOWANCE = 1.2
"""Offered calls per first call in an estimate: redials, callers ringing 999 instead of 101
and repeat calls add about a fifth."""
DAY_COST = 2.0
"""What a simulated day costs beyond its calls, in calls (about 0.1 ms: the arrivals of a day
and the clock advancing through it)."""
STAFF_SHIFT_COST = 0.2
"""What one person's shift costs, in calls (starting, breaks and ending: about 10 µs)."""
EXACT_HORIZON_S = 3 * 365 * 86400.0
"""Horizons up to this long get the exact expected arrivals; longer ones a flat estimate."""


@dataclass(frozen=True)
class RunEstimate:
    """What a run of ``replications`` replications of some scenarios will simulate, roughly.

    ``calls`` are expected offered calls (first calls from the arrival rates, surges and
    profiles, with :data:`REDIAL_ALLOWANCE`); ``cost`` adds the simulated days, staff
    shifts and reassessment rounds in call equivalents, and ``seconds`` divides it by
    :data:`CALLS_PER_SECOND` per worker. An estimate, not a promise: heavy dispatch, long
    queues or a slow machine take longer."""

    calls: float
    cost: float
    days: float
    replications: int
    scenarios: int
    workers: int

    @property
    def seconds(self) -> float:
        tasks = self.replications * self.scenarios
        return self.cost / (CALLS_PER_SECOND * max(1, min(self.workers, tasks)))


def _expected_arrivals(scenario: Scenario, channel: str) -> float:
    """Expected first calls of ``channel`` in one replication (warm-up to cool-down)."""
    from ..model.arrivals import expected_count

    spec = scenario.channels[channel]
    end = scenario.end_s
    if scenario.arrival_trace is not None:  # a trace-driven run: the trace's own calls
        return float(sum(t < end for t in scenario.arrival_trace.get(channel, ())))
    if not math.isfinite(end):
        return math.inf
    if end <= EXACT_HORIZON_S:
        try:
            return max(0.0, float(expected_count(scenario, channel, 0.0, end)))
        except (ArithmeticError, ValueError, MemoryError):  # an estimate: fall back to flat
            pass
    flat = spec.calls_per_day * end / 86400.0
    for surge in scenario.surges:
        if channel in surge.channels:
            flat += (
                (surge.multiplier - 1.0) * spec.calls_per_day * min(surge.hours, end / 3600) / 24
            )
    return max(0.0, flat)


def _staff_shifts(scenario: Scenario) -> float:
    """Person-shifts in one replication: everyone on a rota, a shift a day each (people on
    around the clock start once)."""
    days = scenario.end_s / 86400.0
    groups = [
        *scenario.handlers,
        *scenario.officers,
        *scenario.dispatchers,
        *scenario.support_workers,
    ]
    total = 0.0
    for group in groups:
        if group.shifts is None:
            total += float(group.count or 0)
        else:
            for shift in group.shifts:
                total += float(shift.count) * (len(shift.weekdays()) / 7.0 * days + 1.0)
    return total


def _reviews(scenario: Scenario) -> float:
    """Reassessment rounds in one replication (each costs about a call; a tiny interval
    would make them endless)."""
    dispatch = scenario.dispatch
    if dispatch is None or dispatch.reassessment is None:
        return 0.0
    return scenario.end_s / 3600.0 / dispatch.reassessment.every_hours


def estimate_run(scenarios: Sequence[Scenario], replications: int, workers: int = 1) -> RunEstimate:
    """Estimate the calls and time of ``replications`` replications of every scenario."""
    calls = cost = days = 0.0
    with np.errstate(all="ignore"):
        for scenario in scenarios:
            try:
                first = sum(_expected_arrivals(scenario, ch) for ch in scenario.channels)
                offered = first * REDIAL_ALLOWANCE
                length = scenario.end_s / 86400.0
                extra = length * DAY_COST + _staff_shifts(scenario) * STAFF_SHIFT_COST
                extra += _reviews(scenario)
            except (ArithmeticError, ValueError):  # numbers too large to multiply
                offered = length = extra = math.inf
            calls += offered * replications
            days += length * replications
            cost += (offered + extra) * replications
    if math.isnan(cost):
        cost = math.inf
    return RunEstimate(
        calls=calls,
        cost=cost,
        days=days,
        replications=replications,
        scenarios=len(scenarios),
        workers=workers,
    )
