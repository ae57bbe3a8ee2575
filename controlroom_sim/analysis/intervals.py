"""The 15-minute interval table: calls, answers and staff levels per interval of the measured
window, per channel.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config.schema import Scenario
from ..config.vocabulary import INTERVAL_S, WEEKDAYS
from ..model.records import RunRecords
from .call_kpis import _outcome_codes, clock_column
from .dispatch_kpis import queued_from


def _level_integral(starts: np.ndarray, ends: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Integral over each bin of ``edges`` of the number of intervals covering time t."""
    if len(starts) == 0:
        return np.zeros(len(edges) - 1)
    # Every start steps the level up by one, every end down by one, in time order. Made in
    # place where it can be: a year's work has millions of intervals.
    times = np.concatenate([starts, ends])
    order = np.argsort(times, kind="stable")
    times = times[order]
    level = np.cumsum(np.where(order < len(starts), 1.0, -1.0))
    del order
    # Area under the step function up to each event time.
    area = np.empty(len(times))
    area[0] = 0.0
    pieces = np.diff(times)
    pieces *= level[:-1]
    del level
    np.cumsum(pieces, out=area[1:])
    del pieces
    at_edges = np.interp(edges, times, area, left=0.0, right=area[-1])
    return np.diff(at_edges)


def _dispatch_levels(
    records: RunRecords, edges: np.ndarray, widths: np.ndarray
) -> dict[str, np.ndarray]:
    """With dispatch: incidents waiting, officers on duty and busy, time averages per interval."""
    extra: dict[str, np.ndarray] = {}
    if records.incidents is not None and records.officer_duty is not None:
        incidents = records.incidents
        waiting_end = incidents["allocated_s"].fillna(records.end_s).to_numpy()
        extra["incidents_waiting"] = (
            _level_integral(queued_from(incidents), waiting_end, edges) / widths
        )
        allocated = incidents["allocated_s"].notna().to_numpy()
        extra["officers_on_duty"] = (
            _level_integral(
                records.officer_duty["start_s"].to_numpy(),
                records.officer_duty["end_s"].to_numpy(),
                edges,
            )
            / widths
        )
        extra["officers_busy"] = (
            _level_integral(
                incidents["allocated_s"].to_numpy()[allocated],
                incidents["cleared_s"].fillna(records.end_s).to_numpy()[allocated],
                edges,
            )
            / widths
        )
    return extra


def interval_table(records: RunRecords, scenario: Scenario) -> pd.DataFrame:
    """KPIs per 15-minute interval of the measured window, per channel.

    Calls are counted in the interval in which they were offered. ``handlers_on_duty`` and
    ``handlers_busy`` are time averages over the interval (the same on every channel's row).
    """
    lo, hi = records.warmup_s, records.horizon_s
    edges = np.arange(lo, hi + INTERVAL_S / 2, INTERVAL_S)
    if edges[-1] < hi:
        edges = np.append(edges, hi)
    edges[-1] = hi
    widths = np.diff(edges)
    on_duty = (
        _level_integral(records.duty["start_s"].to_numpy(), records.duty["end_s"].to_numpy(), edges)
        / widths
    )
    busy = (
        _level_integral(records.work["start_s"].to_numpy(), records.work["end_s"].to_numpy(), edges)
        / widths
    )
    extra = _dispatch_levels(records, edges, widths)
    if records.digital is not None:
        # Digital items arrived and not done (an item not done by the end stays to the end).
        items = records.digital
        extra["digital_backlog"] = (
            _level_integral(
                items["arrival_s"].to_numpy(),
                items["done_s"].fillna(records.end_s).to_numpy(),
                edges,
            )
            / widths
        )
    calls = records.measured_calls
    outcomes, code = _outcome_codes(calls["outcome"])
    arrival = calls["arrival_s"].to_numpy()

    week_s = (edges[:-1] + records.origin_weekday_s) % (7 * 86400.0)
    frames = []
    n = len(edges) - 1
    for channel in scenario.channels:
        # One channel's calls at a time, each column taken for them only (no whole-table
        # temporaries: a year of a large force has millions of calls).
        mask = (calls["channel"] == channel).to_numpy()
        outcome = outcomes[mask]
        b = np.searchsorted(edges, arrival[mask], side="right")
        b -= 1
        answered = outcome == code("answered")
        clock = clock_column(scenario, channel)
        w = calls["answered_s"].to_numpy()[mask] - calls[clock].to_numpy()[mask]
        within = answered & (w < 10.0)
        within60 = answered & (w <= 60.0)
        answered_count = np.bincount(b[answered], minlength=n)
        wait_sum = np.bincount(b[answered], weights=w[answered], minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_answer = np.where(
                answered_count > 0, wait_sum / np.maximum(answered_count, 1), np.nan
            )
        frames.append(
            pd.DataFrame(
                {
                    "replication": records.replication,
                    "interval": np.arange(n),
                    "start_s": edges[:-1],
                    "day": ((edges[:-1] - lo) // 86400.0).astype(int) + 1,
                    "weekday": pd.Categorical.from_codes(
                        (week_s // 86400.0).astype(int), categories=list(WEEKDAYS)
                    ),
                    "time": [
                        f"{int(s // 3600):02d}:{int(s % 3600 // 60):02d}" for s in week_s % 86400.0
                    ],
                    "channel": channel,
                    "offered": np.bincount(b, minlength=n),
                    "answered": answered_count,
                    "answered_within_10s": np.bincount(b[within], minlength=n),
                    "answered_within_60s": np.bincount(b[within60], minlength=n),
                    "abandoned": np.bincount(b[outcome == code("abandoned")], minlength=n),
                    "mean_answer_s": mean_answer,
                    "handlers_on_duty": on_duty,
                    "handlers_busy": busy,
                    **extra,
                }
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
