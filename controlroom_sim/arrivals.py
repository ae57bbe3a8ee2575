"""Arrival times: an exact non-homogeneous Poisson process with piecewise-constant rates.

A channel's rate is ``calls_per_day`` shaped by its weekly profile of 15-minute weights and
multiplied inside surge windows. The rate is constant between breakpoints (profile interval
edges and surge edges), so the process is sampled exactly piece by piece: a Poisson count with
mean ``rate × length`` and that many uniform times in the piece. No rate change can be skipped,
however short (the pitfall of sampling the next gap at the current rate, Ciw's documented
"sampling across thresholds" example).

Times are generated one day at a time, so a year-long run never holds all its arrivals at once.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .scenario import INTERVAL_S, INTERVALS_PER_WEEK, Scenario, clock_to_seconds

WEEK_S = 7 * 86400.0


def surge_windows(scenario: Scenario, channel: str) -> list[tuple[float, float, float]]:
    """``(start_s, end_s, multiplier)`` in simulation seconds for surges on ``channel``."""
    out = []
    for surge in scenario.surges:
        if channel in surge.channels:
            start = scenario.warmup_s + (surge.day - 1) * 86400.0 + clock_to_seconds(surge.start)
            out.append((start, start + surge.hours * 3600.0, surge.multiplier))
    return out


def rate_pieces(
    scenario: Scenario, channel: str, start_s: float, end_s: float
) -> tuple[np.ndarray, np.ndarray]:
    """Breakpoints and rates (calls per second) of ``channel`` on ``[start_s, end_s)``.

    Returns ``edges`` (length k + 1) and ``rates`` (length k): the rate is ``rates[i]`` on
    ``[edges[i], edges[i + 1])``.
    """
    weekly = scenario.channels[channel].rate_per_interval()
    origin = scenario.origin_weekday_s
    # Profile interval edges falling inside the window.
    first = np.floor((start_s + origin) / INTERVAL_S)
    last = np.ceil((end_s + origin) / INTERVAL_S)
    grid = np.arange(first, last + 1) * INTERVAL_S - origin
    surges = surge_windows(scenario, channel)
    cuts = [start_s, end_s, *grid]
    for s0, s1, _ in surges:
        cuts.extend((s0, s1))
    edges = np.unique(np.clip(np.asarray(cuts, dtype=float), start_s, end_s))
    mids = (edges[:-1] + edges[1:]) / 2
    index = (np.floor((mids + origin) / INTERVAL_S).astype(np.int64)) % INTERVALS_PER_WEEK
    rates = weekly[index]
    for s0, s1, multiplier in surges:
        rates = np.where((mids >= s0) & (mids < s1), rates * multiplier, rates)
    return edges, rates


def arrival_blocks(
    scenario: Scenario,
    channel: str,
    rng: np.random.Generator,
    block_s: float = 86400.0,
) -> Iterator[np.ndarray]:
    """Sorted arrival times of ``channel`` over the whole run, one block (a day) at a time."""
    start = 0.0
    end = scenario.end_s
    while start < end:
        stop = min(start + block_s, end)
        edges, rates = rate_pieces(scenario, channel, start, stop)
        lengths = np.diff(edges)
        counts = rng.poisson(rates * lengths)
        total = int(counts.sum())
        if total:
            offsets = rng.random(total)
            base = np.repeat(edges[:-1], counts)
            span = np.repeat(lengths, counts)
            times = np.sort(base + offsets * span)
            yield times
        start = stop


def expected_count(scenario: Scenario, channel: str, start_s: float, end_s: float) -> float:
    """Expected number of arrivals of ``channel`` on ``[start_s, end_s)`` (no redials)."""
    edges, rates = rate_pieces(scenario, channel, start_s, end_s)
    return float(np.sum(rates * np.diff(edges)))
