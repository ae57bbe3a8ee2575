"""Arrival times: an exact non-homogeneous Poisson process with piecewise-constant rates.

A channel's rate is ``calls_per_day`` shaped by its weekly profile of 15-minute weights and
multiplied inside surge windows. The rate is constant between breakpoints (profile interval
edges and surge edges), so the process is sampled exactly piece by piece: a Poisson count with
mean ``rate × length`` and that many uniform times in the piece. No rate change can be skipped,
however short (the pitfall of sampling the next gap at the current rate, Ciw's documented
"sampling across thresholds" example).

A room that takes several forces' calls (``[[forces]]``) has one process per force and channel:
the channel's rate times the force's share, with the surges on that force. Their sum is the
channel's rate, so the room's demand is the same as one process of the summed rate.

With ``[calendar]``, each day's rates are multiplied by the day's factor (seasonal index,
growth, a bank holiday's or named day's own factor) and, on a day with a shape of its own, the
day's calls are spread by that shape instead of its weekday's
(:func:`controlroom_sim.config.calendar.day_table`); planned events multiply rates like surges.
Days start at profile interval edges, so the rate stays piecewise constant on the same pieces.

Times are generated one day at a time, so a year-long run never holds all its arrivals at once.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..config.calendar import OWN_SHAPE, day_table, event_windows
from ..config.schema import Scenario
from ..config.vocabulary import INTERVAL_S, INTERVALS_PER_WEEK, clock_to_seconds

WEEK_S = 7 * 86400.0


def surge_windows(
    scenario: Scenario, channel: str, force: str | None = None
) -> list[tuple[float, float, float]]:
    """``(start_s, end_s, multiplier)`` in simulation seconds for surges on ``channel``
    (on ``force``'s calls, when given; a surge that names no forces applies to every force)."""
    out = []
    for surge in scenario.surges:
        if channel not in surge.channels:
            continue
        if force is not None and surge.forces is not None and force not in surge.forces:
            continue
        start = scenario.warmup_s + (surge.day - 1) * 86400.0 + clock_to_seconds(surge.start)
        out.append((start, start + surge.hours * 3600.0, surge.multiplier))
    if scenario.calendar is not None:
        events = scenario.calendar.events
        for i, s0, s1, multiplier in event_windows(scenario.calendar, scenario.warmup_s):
            if channel not in events[i].channels:
                continue
            if force is not None and events[i].forces is not None and force not in events[i].forces:
                continue
            out.append((s0, s1, multiplier))
    return out


def calendar_rates(
    scenario: Scenario, weekly: np.ndarray, mids: np.ndarray, index: np.ndarray
) -> np.ndarray:
    """The rates of pieces with midpoints ``mids`` (in weekly intervals ``index``) with the
    calendar's day factors and shapes applied to the ``weekly`` rates."""
    assert scenario.calendar is not None
    days = np.floor((mids - scenario.warmup_s) / 86400.0).astype(np.int64)
    table = day_table(scenario.calendar, int(days.min()), int(days.max()))
    row = days - table.first_day
    base = weekly[index] * table.factor[row]
    shapes = table.shape[row]
    special = shapes != OWN_SHAPE
    if special.any():
        by_day = weekly.reshape(7, 96)
        volume = by_day.sum(axis=1)  # each weekday's rate summed over its intervals
        slot = index[special] % 96
        codes = shapes[special]
        share = np.empty(len(codes))
        for code in np.unique(codes):
            hit = codes == code
            if code < 7:
                day = by_day[code] / volume[code] if volume[code] > 0 else np.zeros(96)
            else:
                day = table.profiles[code - 7]
            share[hit] = day[slot[hit]]
        base[special] = volume[index[special] // 96] * share * table.factor[row][special]
    return base


def force_shares(scenario: Scenario, channel: str) -> list[tuple[str | None, float]]:
    """``(force, share)`` of ``channel``'s calls: one ``(None, 1.0)`` without ``[[forces]]``."""
    if not scenario.forces:
        return [(None, 1.0)]
    return [(f.name, f.share.get(channel, 0.0)) for f in scenario.forces]


def rate_pieces(
    scenario: Scenario,
    channel: str,
    start_s: float,
    end_s: float,
    force: str | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Breakpoints and rates (calls per second) of ``channel`` on ``[start_s, end_s)``: of
    ``force``'s calls when given, otherwise of every force's together.

    Returns ``edges`` (length k + 1) and ``rates`` (length k): the rate is ``rates[i]`` on
    ``[edges[i], edges[i + 1])``.
    """
    weekly = scenario.channels[channel].rate_per_interval()
    origin = scenario.origin_weekday_s
    parts = force_shares(scenario, channel)
    if force is not None:
        parts = [(f, share) for f, share in parts if f == force]
    surges = [(share, surge_windows(scenario, channel, f)) for f, share in parts]
    # Profile interval edges falling inside the window.
    first = np.floor((start_s + origin) / INTERVAL_S)
    last = np.ceil((end_s + origin) / INTERVAL_S)
    grid = np.arange(first, last + 1) * INTERVAL_S - origin
    cuts = [start_s, end_s, *grid]
    for _, windows in surges:
        for s0, s1, _ in windows:
            cuts.extend((s0, s1))
    edges = np.unique(np.clip(np.asarray(cuts, dtype=float), start_s, end_s))
    mids = (edges[:-1] + edges[1:]) / 2
    index = (np.floor((mids + origin) / INTERVAL_S).astype(np.int64)) % INTERVALS_PER_WEEK
    base = (
        weekly[index]
        if scenario.calendar is None
        else calendar_rates(scenario, weekly, mids, index)
    )
    rates = np.zeros_like(base)
    for share, windows in surges:
        part = base if share == 1.0 else base * share
        for s0, s1, multiplier in windows:
            part = np.where((mids >= s0) & (mids < s1), part * multiplier, part)
        rates = rates + part
    return edges, rates


def arrival_blocks(
    scenario: Scenario,
    channel: str,
    rng: np.random.Generator,
    block_s: float = 86400.0,
    force: str | None = None,
) -> Iterator[np.ndarray]:
    """Sorted arrival times of ``channel`` (``force``'s calls only, when given) over the whole
    run, one block (a day) at a time."""
    start = 0.0
    end = scenario.end_s
    while start < end:
        stop = min(start + block_s, end)
        edges, rates = rate_pieces(scenario, channel, start, stop, force)
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


def timed(env, end_s: float, blocks: Iterator[np.ndarray], act):  # type: ignore[no-untyped-def]
    """A SimPy process: ``act()`` at each time of ``blocks`` (sorted arrays, block after
    block) until ``end_s``: first calls, digital items, the extra calls of an intervention."""
    for block in blocks:
        for at in block.tolist():
            if at >= end_s:
                return
            if at > env.now:
                yield env.timeout(at - env.now)
            act()


def expected_count(
    scenario: Scenario, channel: str, start_s: float, end_s: float, force: str | None = None
) -> float:
    """Expected number of arrivals of ``channel`` on ``[start_s, end_s)`` (no redials), of
    ``force``'s calls when given."""
    edges, rates = rate_pieces(scenario, channel, start_s, end_s, force)
    return float(np.sum(rates * np.diff(edges)))
