"""The replay page's data from one replication's records: spans (callers waiting, callbacks
pending, handlers busy, the dispatch backlog), events, the rolling 10-second rate, handlers on
duty, and the 1-minute series the page plots; the page computes levels as
:func:`level_at`, :func:`rate_at` and :func:`on_duty_at` do."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..analysis.call_kpis import answer_times
from ..config.schema import Scenario
from ..config.vocabulary import CHANNELS, INTERVAL_S, WEEKDAYS
from .replay_source import _Run, _run_kpis
from .replay_window import _DAY_S, _WEEK_S, Window, _week_label

STEP_S = 60.0
"""Step of the precomputed chart series."""
RATE_WINDOW_S = 3600.0
"""The rolling 10-second rate looks back this far."""
TARGET_S = 10.0
DATA_FORMAT = 1
EVENT_KINDS: tuple[str, ...] = (
    "offered",
    "answered",
    "abandoned",
    "callback_requested",
    "callback_made",
    "callback_failed",
)
"""Kinds of the page's events, in the order of their codes."""
ORIGIN_NAMES: tuple[str, ...] = ("first", "redial", "from_101", "repeat")


def _compact(values: np.ndarray | list[float]) -> list[float | int]:
    """Rounded to 0.1, whole numbers as ints (short JSON)."""
    rounded = np.round(np.asarray(values, dtype=float), 1).tolist()
    return [int(v) if float(v).is_integer() else v for v in rounded]


def _levels(starts: np.ndarray, ends: np.ndarray, origin: float, length: float) -> dict[str, Any]:
    """Spans ``[start, end)`` that touch the window, as the page holds them: ``start`` sorted
    (negative: before the window), ``end`` beside it (None: not before the window's end).

    The page counts ``level(t) = #(start <= t) - #(end <= t)``. NaN starts are dropped, NaN
    ends never come; times are rounded to 0.1 s first, and spans that round to nothing go."""
    s = np.round(np.asarray(starts, dtype=float) - origin, 1)
    e = np.asarray(ends, dtype=float)
    e = np.round(np.where(np.isnan(e), np.inf, e) - origin, 1)
    with np.errstate(invalid="ignore"):
        keep = (s < e) & (s <= length) & (e > 0)
    s, e = s[keep], e[keep]
    order = np.argsort(s, kind="stable")
    s, e = s[order], e[order]
    ends_in = _compact(np.where(e <= length, e, 0.0))
    return {
        "start": _compact(s),
        "end": [
            v if inside else None for v, inside in zip(ends_in, (e <= length).tolist(), strict=True)
        ],
    }


def level_at(level: dict[str, Any], times: np.ndarray) -> np.ndarray:
    """The level of a span set (from the page's data) at each of ``times``, as the page does."""
    up = np.asarray(level["start"], dtype=float)
    down = np.sort(np.asarray([e for e in level["end"] if e is not None], dtype=float))
    ts = np.asarray(times, dtype=float)
    return np.searchsorted(up, ts, side="right") - np.searchsorted(down, ts, side="right")


def rate_at(rate: dict[str, Any], times: np.ndarray) -> list[float | None]:
    """The rolling 10-second rate at each of ``times`` (None when no 999 call was answered in
    the hour before), as the page does."""
    t = np.asarray(rate["t"], dtype=float)
    ok = np.concatenate([[0], np.cumsum(np.asarray(rate["ok"], dtype=np.int64))])
    ts = np.asarray(times, dtype=float)
    hi = np.searchsorted(t, ts, side="right")
    lo = np.searchsorted(t, ts - RATE_WINDOW_S, side="right")
    out: list[float | None] = []
    for a, b in zip(lo.tolist(), hi.tolist(), strict=True):
        out.append(round(float(ok[b] - ok[a]) / (b - a), 4) if b > a else None)
    return out


def on_duty_at(on_duty: dict[str, Any], times: np.ndarray) -> list[float]:
    """Handlers on duty (the 15-minute interval's average) at each of ``times``."""
    starts = np.asarray(on_duty["t"], dtype=float)
    values = on_duty["v"]
    if not len(values):
        return [0] * len(times)
    index = np.clip(np.searchsorted(starts, np.asarray(times, float), side="right") - 1, 0, None)
    return [values[i] for i in index.tolist()]


def _events(
    calls: pd.DataFrame,
    waits: np.ndarray,
    clock_start: np.ndarray,
    channels: list[str],
    w0: float,
    w1: float,
) -> dict[str, list[Any]]:
    """What happens in the window, in time order: ``t``, ``kind`` (index in EVENT_KINDS),
    ``ch`` (index in channels) and ``v`` (origin code for an offer; answer time, wait before
    hanging up or before asking for a callback, callback delay; 0 otherwise)."""
    channel = calls["channel"].astype(str).map({c: i for i, c in enumerate(channels)})
    ch = channel.fillna(-1).to_numpy(dtype=np.int64)
    outcome = calls["outcome"].astype(str).to_numpy()
    origin = (
        calls["origin"].astype(str).map({o: i for i, o in enumerate(ORIGIN_NAMES)}).fillna(0)
    ).to_numpy(dtype=float)
    arrival = calls["arrival_s"].to_numpy(dtype=float)
    answered = calls["answered_s"].to_numpy(dtype=float)
    abandoned = calls["abandoned_s"].to_numpy(dtype=float)
    requested_at = calls["callback_offered_s"].to_numpy(dtype=float)
    accepted = calls["callback_accepted"].to_numpy(dtype=bool)
    end = calls["end_s"].to_numpy(dtype=float)
    nan = np.full(len(calls), np.nan)
    kinds = [
        (arrival, np.ones(len(calls), bool), origin),
        (answered, outcome == "answered", waits),
        (abandoned, outcome == "abandoned", abandoned - clock_start),
        (requested_at, accepted, requested_at - clock_start),
        (answered, outcome == "callback_answered", answered - requested_at),
        (end, outcome == "callback_failed", nan),
    ]
    t_parts, k_parts, c_parts, v_parts = [], [], [], []
    for code, (times, mask, value) in enumerate(kinds):
        with np.errstate(invalid="ignore"):
            take = mask & (times >= w0) & (times < w1) & (ch >= 0)
        t_parts.append(times[take] - w0)
        k_parts.append(np.full(int(take.sum()), code))
        c_parts.append(ch[take])
        v_parts.append(np.nan_to_num(value[take], nan=0.0))
    t = np.round(np.concatenate(t_parts), 1)
    k = np.concatenate(k_parts)
    order = np.lexsort((k, t))
    return {
        "t": _compact(t[order]),
        "kind": k[order].astype(int).tolist(),
        "ch": np.concatenate(c_parts)[order].astype(int).tolist(),
        "v": _compact(np.concatenate(v_parts)[order]),
    }


def _totals(events: dict[str, list[Any]], channels: list[str]) -> dict[str, Any]:
    kind = np.asarray(events["kind"], dtype=np.int64)
    ch = np.asarray(events["ch"], dtype=np.int64)
    out: dict[str, Any] = {}
    for code, name in enumerate(EVENT_KINDS):
        mask = kind == code
        if name.startswith("callback"):
            out[name] = int(mask.sum())
        else:
            out[name] = {c: int((mask & (ch == i)).sum()) for i, c in enumerate(channels)}
    return out


def _window_rate(calls: pd.DataFrame, waits: np.ndarray, w0: float, w1: float) -> float | None:
    answered = calls["answered_s"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        mask = (
            (calls["channel"].astype(str) == "999").to_numpy()
            & (calls["outcome"].astype(str) == "answered").to_numpy()
            & (answered >= w0)
            & (answered < w1)
        )
    n = int(mask.sum())
    return round(float(np.count_nonzero(waits[mask] < TARGET_S)) / n, 4) if n else None


def _call_levels(
    calls: pd.DataFrame,
    channels: list[str],
    w0: float,
    length: float,
) -> dict[str, dict[str, Any]]:
    """Spans of the calls: callers waiting per channel, callbacks pending, handlers busy."""
    channel = calls["channel"].astype(str).to_numpy()
    outcome = calls["outcome"].astype(str).to_numpy()
    force = calls["force_s"].to_numpy(dtype=float)
    answered = calls["answered_s"].to_numpy(dtype=float)
    abandoned = calls["abandoned_s"].to_numpy(dtype=float)
    end = calls["end_s"].to_numpy(dtype=float)
    wrap_end = calls["wrap_end_s"].to_numpy(dtype=float)
    requested_at = calls["callback_offered_s"].to_numpy(dtype=float)
    accepted = calls["callback_accepted"].to_numpy(dtype=bool) & ~np.isnan(requested_at)
    # Callers on the line: from reaching the force to an answer, hanging up or a callback.
    line_end = np.where(
        accepted, requested_at, np.where(outcome == "abandoned", abandoned, answered)
    )
    levels: dict[str, dict[str, Any]] = {}
    for name in channels:
        mask = channel == name
        levels[f"waiting{name}"] = _levels(force[mask], line_end[mask], w0, length)
    pending_end = np.where(
        outcome == "callback_answered",
        answered,
        np.where(outcome == "callback_failed", end, np.nan),
    )
    levels["callbacks"] = _levels(np.where(accepted, requested_at, np.nan), pending_end, w0, length)
    levels["busy"] = _levels(answered, wrap_end, w0, length)
    return levels


def _backlog_levels(incidents: pd.DataFrame, w0: float, length: float) -> dict[str, dict[str, Any]]:
    """Spans of the dispatch queue: incidents waiting for an officer, and booked ones."""
    created = incidents["created_s"].to_numpy(dtype=float)
    allocated = incidents["allocated_s"].to_numpy(dtype=float)
    slot = incidents["appointment_s"].to_numpy(dtype=float)
    booked = ~np.isnan(slot)
    with np.errstate(invalid="ignore"):
        # An incident upgraded before its slot is allocated early: its wait was queued.
        entry = np.where(booked, np.fmin(slot, allocated), created)
    return {
        "backlog": _levels(entry, allocated, w0, length),
        "booked": _levels(
            np.where(booked, created, np.nan), np.where(booked, entry, np.nan), w0, length
        ),
    }


def _rate(calls: pd.DataFrame, waits: np.ndarray, w0: float, w1: float) -> dict[str, Any]:
    """999 calls answered by a handler in the hour before each moment, for the 10-second
    rate."""
    channel = calls["channel"].astype(str).to_numpy()
    outcome = calls["outcome"].astype(str).to_numpy()
    answered = calls["answered_s"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        rated = (
            (channel == "999")
            & (outcome == "answered")
            & (answered >= w0 - RATE_WINDOW_S)
            & (answered < w1)
        )
    rate_t = np.round(answered[rated] - w0, 1)
    order = np.argsort(rate_t, kind="stable")
    return {
        "t": _compact(rate_t[order]),
        "ok": (waits[rated][order] < TARGET_S).astype(int).tolist(),
    }


def _window_document(spec: Window, scenario: Scenario, w0: float, w1: float) -> dict[str, Any]:
    length = w1 - w0
    weekday, clock = _week_label(scenario, w0)
    end_weekday, end_clock = _week_label(scenario, w1)
    label = (
        f"{weekday} {clock}–{end_clock}"
        if end_weekday == weekday and length < _DAY_S
        else f"{weekday} {clock} – {end_weekday} {end_clock}"
    )
    return {
        "text": spec.text,
        "busiest": spec.busiest,
        "start_s": round(w0, 1),
        "end_s": round(w1, 1),
        "length_s": round(length, 1),
        "hours": round(length / 3600.0, 2),
        "day": int((w0 - scenario.warmup_s) // _DAY_S) + 1,
        "label": label,
    }


def _build(
    run: _Run,
    replication: int,
    replications: list[int],
    calls: pd.DataFrame,
    intervals: pd.DataFrame,
    incidents: pd.DataFrame | None,
    spec: Window,
    w0: float,
    w1: float,
) -> dict[str, Any]:
    scenario = run.scenario
    length = w1 - w0
    channels = [c for c in CHANNELS if c in scenario.channels]
    channel = calls["channel"].astype(str).to_numpy()
    arrival = calls["arrival_s"].to_numpy(dtype=float)
    force = calls["force_s"].to_numpy(dtype=float)
    waits = answer_times(calls, scenario).to_numpy(dtype=float)
    # Where each call's answer clock starts (as answer_times: made, or reached the force).
    clock_start = arrival.copy()
    for name, spec_channel in scenario.channels.items():
        if spec_channel.answer_clock == "force":
            mask = channel == name
            clock_start[mask] = force[mask]
    levels = _call_levels(calls, channels, w0, length)
    has_dispatch = scenario.dispatch is not None and incidents is not None
    if has_dispatch:
        assert incidents is not None
        levels.update(_backlog_levels(incidents, w0, length))
    rate = _rate(calls, waits, w0, w1)
    starts = intervals["start_s"].to_numpy(dtype=float)
    overlapping = (starts < w1) & (starts + INTERVAL_S > w0)
    on_duty = {
        "t": _compact(starts[overlapping] - w0),
        "v": _compact(intervals["handlers_on_duty"].to_numpy(dtype=float)[overlapping]),
    }
    events = _events(calls, waits, clock_start, channels, w0, w1)
    times = np.arange(0.0, length + 1e-6, STEP_S)
    if times[-1] < length:
        times = np.append(times, length)
    series: dict[str, Any] = {"t": _compact(times)}
    for name, level in levels.items():
        series[name] = level_at(level, times).astype(int).tolist()
    series["on_duty"] = on_duty_at(on_duty, times)
    series["rate10s"] = rate_at(rate, times)
    totals = _totals(events, channels)
    totals["answered_within_10s_999"] = _window_rate(calls, waits, w0, w1)
    return {
        "format": DATA_FORMAT,
        "run": {
            "scenario": run.name,
            "replication": replication,
            "replications": replications,
            "seed": run.seed,
            "version": run.version,
            "kpis": _run_kpis(run),
            "progress": run.progress,
        },
        "window": _window_document(spec, scenario, w0, w1),
        "clock": {
            "week_s": round((scenario.origin_weekday_s + w0) % _WEEK_S, 1),
            "measured_s": round(w0 - scenario.warmup_s, 1),
            "weekdays": [w.capitalize() for w in WEEKDAYS],
        },
        "channels": channels,
        "answer_clock": {c: scenario.channels[c].answer_clock for c in channels},
        "has_callbacks": bool(scenario.callback is not None and scenario.callback.enabled),
        "has_dispatch": has_dispatch,
        "target_s": TARGET_S,
        "kinds": list(EVENT_KINDS),
        "origins": list(ORIGIN_NAMES),
        "events": events,
        "levels": levels,
        "rate": {**rate, "window_s": RATE_WINDOW_S},
        "on_duty": on_duty,
        "series": {"step_s": STEP_S, **series},
        "totals": totals,
    }
