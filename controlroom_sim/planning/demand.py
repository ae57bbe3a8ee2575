"""The scenario's demand per 15-minute interval of the week.

Where a simulation time falls in the week, which intervals the measured horizon covers, the
offered calls per second of each channel in each interval, the mean handling time per call,
and the handler hours a curve of handlers per interval adds up to.
"""

from __future__ import annotations

import numpy as np

from ..config.schema import Scenario
from ..config.vocabulary import CHECKS, INTERVAL_S, INTERVALS_PER_WEEK
from ..model.arrivals import WEEK_S, expected_count

HOURS_PER_INTERVAL = INTERVAL_S / 3600.0


def week_position(seconds: np.ndarray | float, scenario: Scenario) -> np.ndarray:
    """Index (0 = Monday 00:00) of the week's 15-minute interval holding each simulation time."""
    s = np.asarray(seconds, dtype=float)
    return (np.floor((s + scenario.origin_weekday_s) % WEEK_S / INTERVAL_S)).astype(np.int64)


def measured_positions(scenario: Scenario) -> np.ndarray:
    """Boolean mask of the week's intervals that the measured horizon covers."""
    starts = np.arange(scenario.warmup_s, scenario.horizon_s, INTERVAL_S)
    mask = np.zeros(INTERVALS_PER_WEEK, dtype=bool)
    mask[week_position(starts, scenario)] = True
    return mask


def arrival_rates(scenario: Scenario) -> dict[str, np.ndarray]:
    """Offered calls per second of each channel in each interval of the week.

    The run is cut into 15-minute intervals from time 0 (the warm-up included); an interval of
    the week that occurs more than once (a horizon longer than a week) takes its busiest
    occurrence, so a weekly rota covers every week.
    """
    # Windows on the week's quarter-hour grid (time 0 need not be on it).
    first = -((scenario.origin_weekday_s) % INTERVAL_S)
    edges = np.arange(first, scenario.end_s, INTERVAL_S)
    out = {}
    for name, channel in scenario.channels.items():
        rates = np.zeros(INTERVALS_PER_WEEK)
        if channel.calls_per_day > 0:
            for edge in edges:
                start, stop = max(edge, 0.0), min(edge + INTERVAL_S, scenario.end_s)
                if stop <= start:
                    continue
                pos = int(week_position(edge + INTERVAL_S / 2, scenario))
                rate = expected_count(scenario, name, start, stop) / (stop - start)
                rates[pos] = max(rates[pos], rate)
        out[name] = rates
    return out


def mean_handling_s(scenario: Scenario, channel: str) -> float:
    """Mean handler time per answered call: talk, THRIVE sub-tasks done, and wrap-up."""
    total = scenario.mean_handle_s(channel)
    if scenario.call_types and scenario.thrive is not None:
        for name in CHECKS:
            check = getattr(scenario.thrive, name)
            if check is not None:
                total += (1.0 - check.skip_probability) * check.time_s.mean
    return total


def staff_hours(levels: np.ndarray, scenario: Scenario, shrinkage: float = 0.0) -> float:
    """Handler hours a week on the measured intervals, grossed up for shrinkage."""
    measured = measured_positions(scenario)
    hours = float(np.asarray(levels)[measured].sum()) * HOURS_PER_INTERVAL
    return hours / (1.0 - shrinkage)
