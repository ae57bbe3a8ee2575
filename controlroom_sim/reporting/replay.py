"""A trainer's replay of a demand peak: one self-contained HTML page from a run folder.

``controlroom-sim replay RESULTS`` reads the folder written by ``run`` (or one
``scenarios/NN-name/`` folder of a comparison or sweep) and writes ``replay.html``: a page that
replays the control room over a window of one replication, from the recorded calls, with no
Python and no network. It shows calls arriving by channel, callers waiting, handlers busy and
idle, abandonments, callbacks, the rolling 10-second rate of 999 calls and the dispatch backlog,
with play, pause, speed and a time slider.

What the page shows, and how it is computed from the records (times are simulation seconds;
the page holds them relative to the window start, to 0.1 s):

* **Callers waiting** on a channel: calls that reached the force (``force_s``) and are not yet
  answered, abandoned or turned into a callback request (``callback_offered_s`` of a call whose
  caller accepted). Calls still with the BT operator are not in the force's queue.
* **Callbacks pending**: from the request to the ring-back that reached the caller
  (``answered_s``), or to the end of the last failed attempt (``end_s``).
* **Busy handlers**: calls with ``answered_s <= t < wrap_end_s`` (a handler talking or wrapping
  up; time on failed callback attempts is not in the call records and is left out).
* **On duty**: ``handlers_on_duty`` of ``intervals.csv``, the time average over each 15-minute
  interval (handlers finishing a call past their shift end count as on duty).
* **10-second rate**: the share of 999 calls answered by a handler in the last 60 simulated
  minutes that were answered in under 10 s, on the channel's answer clock
  (:func:`controlroom_sim.metrics.answer_times`).
* **Dispatch backlog**: incidents in the dispatch queue, waiting for an officer: from
  ``created_s`` (or, for a scheduled incident booked into an appointment, from its slot,
  ``appointment_s``) to ``allocated_s``. Booked incidents whose slot has not come are shown
  apart. (``intervals.csv``'s ``incidents_waiting`` and the ``mean_backlog`` KPI count an
  incident as waiting from ``created_s``, booked or not.)
* **Counters** count what happened in the window up to the clock: calls offered (made),
  answered by a handler, abandoned, callbacks requested, made (reached the caller) and failed.
"""

from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..analysis.call_kpis import answer_times
from ..config.errors import ControlroomError
from ..config.schema import Scenario
from ..config.vocabulary import CHANNELS, INTERVAL_S, WEEKDAYS, clock_to_seconds
from ..experiments.run_folder import OutputError, write_atomic

BUSIEST_HOURS = 4.0
"""Length of the ``busiest`` window, hours."""
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
RUN_KPIS: tuple[str, ...] = (
    "answered_within_10s_999",
    "abandon_rate_999",
    "abandon_rate_101",
    "mean_answer_s_101",
    "handler_occupancy",
)
"""Whole-run KPIs (means over replications, from summary.json) shown beside the replay."""

_WEEK_S = 7 * 86400.0
_DAY_S = 86400.0
_WINDOW = re.compile(
    r"^\s*(?P<day>\S+)\s+(?P<start>\d{1,2}:\d{2})\s*[-–]\s*(?P<end>\d{1,2}:\d{2})\s*$"
)
_WINDOW_HELP = (
    "expected 'busiest' or 'DAY HH:MM-HH:MM' with DAY a measured day number or a weekday, "
    "e.g. '3 22:00-02:00' or 'friday 18:00-22:00'"
)
_CALL_COLUMNS = [
    "replication",
    "call_id",
    "origin",
    "channel",
    "arrival_s",
    "force_s",
    "answered_s",
    "abandoned_s",
    "end_s",
    "wrap_end_s",
    "outcome",
    "callback_offered_s",
    "callback_accepted",
]
_INCIDENT_COLUMNS = ["replication", "created_s", "appointment_s", "allocated_s"]
_TEMPLATE = "replay.html"
_PLACEHOLDER = re.compile(r"__REPLAY_(TITLE|DATA)__")


class ReplayError(ControlroomError, ValueError):
    """A folder, window or replication that cannot be replayed; the message is one line."""


# -- the window ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """A window as given to ``--window``.

    ``day`` is ``None`` for the busiest window, a measured day number (1 = the first measured
    day) or a weekday name (its first occurrence in the measured horizon). ``start_s`` is the
    start as seconds after midnight of that day and ``length_s`` the length (the end may pass
    midnight).
    """

    day: int | str | None
    start_s: float = 0.0
    length_s: float = BUSIEST_HOURS * 3600.0
    text: str = "busiest"

    @property
    def busiest(self) -> bool:
        return self.day is None


def _weekday(text: str) -> str | None:
    word = text.lower()
    for name in WEEKDAYS:
        if word in (name, name[:3]):
            return name
    return None


def _clock(text: str, *, end: bool = False) -> float:
    if end and text == "24:00":
        return _DAY_S
    try:
        return clock_to_seconds(text)
    except ValueError as exc:
        raise ReplayError(f"--window: {exc}") from None


def parse_window(text: str) -> Window:
    """Read ``busiest`` or ``DAY HH:MM-HH:MM``; ReplayError (one line) otherwise.

    DAY is a measured day number (1 = the first measured day) or a weekday name or its first
    three letters (the first such day in the measured horizon). The end may pass midnight
    (``3 22:00-02:00`` is four hours from 22:00 on day 3) and may be ``24:00``.
    """
    if not isinstance(text, str):
        raise ReplayError(f"--window: {_WINDOW_HELP}, found {text!r}")
    if text.strip().lower() == "busiest":
        return Window(day=None)
    match = _WINDOW.match(text)
    if match is None:
        raise ReplayError(f"--window: {_WINDOW_HELP}, found {text!r}")
    day_text = match.group("day")
    day: int | str
    if day_text.isdigit():
        day = int(day_text)
        if day < 1:
            raise ReplayError(f"--window: expected a measured day number from 1, found {day}")
    else:
        weekday = _weekday(day_text)
        if weekday is None:
            raise ReplayError(
                "--window: expected a measured day number (1 = the first measured day) or a "
                f"weekday name, found {day_text!r}"
            )
        day = weekday
    start = _clock(match.group("start"))
    end = _clock(match.group("end"), end=True)
    if end == start:
        raise ReplayError(
            f"--window: expected an end different from the start, found {text.strip()!r}"
        )
    length = end - start if end > start else end + _DAY_S - start
    return Window(day=day, start_s=start, length_s=length, text=" ".join(text.split()))


def busiest_window(
    calls: pd.DataFrame,
    hours: float = BUSIEST_HOURS,
    *,
    start_s: float | None = None,
    end_s: float | None = None,
) -> tuple[float, float]:
    """The window of ``hours`` with the most offered calls: ``(start, end)`` in simulation s.

    ``calls`` are the calls of one replication (a ``calls`` table, ``arrival_s`` is read);
    ``start_s`` and ``end_s`` bound the measured horizon (default: the 15-minute boundaries
    around the calls). Windows start on 15-minute boundaries from ``start_s`` and lie inside
    the horizon; ties go to the earliest. A horizon shorter than ``hours`` is returned whole.
    """
    length = float(hours) * 3600.0
    steps = length / INTERVAL_S
    if not (math.isfinite(length) and length > 0 and abs(steps - round(steps)) < 1e-9):
        raise ReplayError(
            f"busiest window: expected a length in quarter hours (e.g. 4 or 2.5), found {hours!r}"
        )
    arrivals = calls["arrival_s"].to_numpy(dtype=float)
    arrivals = arrivals[np.isfinite(arrivals)]
    if start_s is None:
        start_s = math.floor(arrivals.min() / INTERVAL_S) * INTERVAL_S if len(arrivals) else 0.0
    if end_s is None:
        end_s = (
            (math.floor(arrivals.max() / INTERVAL_S) + 1) * INTERVAL_S
            if len(arrivals)
            else start_s + length
        )
    k = round(steps)
    bins = math.floor((end_s - start_s) / INTERVAL_S + 1e-9)
    if bins < k:
        return float(start_s), float(end_s)
    inside = arrivals[(arrivals >= start_s) & (arrivals < start_s + bins * INTERVAL_S)]
    index = np.minimum(((inside - start_s) // INTERVAL_S).astype(np.int64), bins - 1)
    counts = np.concatenate([[0], np.cumsum(np.bincount(index, minlength=bins))])
    totals = counts[k:] - counts[:-k]
    best = int(np.argmax(totals))  # the first maximum: the earliest window
    start = float(start_s + best * INTERVAL_S)
    return start, start + length


# -- reading a run folder -----------------------------------------------------------------------


@dataclass
class _Run:
    folder: Path
    name: str
    scenario: Scenario
    seed: int | None
    replications: int
    calls_format: str
    version: str | None


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReplayError(f"{path}: cannot be read as JSON ({_one_line(exc)})") from None
    if not isinstance(data, dict):
        raise ReplayError(f"{path}: expected a JSON object")
    return data


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _complete(manifest: dict[str, Any], folder: Path) -> None:
    status = manifest.get("status")
    if status != "complete":
        raise ReplayError(
            f"{folder}: the run there is not complete (status {status!r}); finish it with "
            "--resume first"
        )


def _open_run(folder: Path) -> _Run:
    if not folder.is_dir():
        reason = "not a folder" if folder.exists() else "no such folder"
        raise ReplayError(f"{folder}: not a results folder ({reason})")
    own = folder / "manifest.json"
    top = folder.parent.parent / "manifest.json"
    if own.exists():
        manifest = _read_json(own)
        _complete(manifest, folder)
        if manifest.get("kind", "run") != "run" or "scenario_resolved" not in manifest:
            subs = sorted(
                str(folder / p) for p in (manifest.get("scenario_folders") or {}).values()
            )
            example = f", e.g. {subs[0]}" if subs else ""
            raise ReplayError(
                f"{folder}: holds a {manifest.get('kind', 'comparison')} of several scenarios; "
                f"give one of its scenario folders{example}"
            )
        entry = manifest
    elif folder.parent.name == "scenarios" and top.exists():
        manifest = _read_json(top)
        _complete(manifest, folder)
        relative = f"scenarios/{folder.name}"
        labels = [k for k, v in (manifest.get("scenario_folders") or {}).items() if v == relative]
        entries = [e for e in manifest.get("scenarios") or [] if e.get("scenario") in labels]
        if not entries:
            raise ReplayError(f"{folder}: not one of the scenario folders of {top.parent}")
        entry = entries[0]
    else:
        raise ReplayError(
            f"{folder}: not a results folder of controlroom-sim run (no manifest.json)"
        )
    try:
        scenario = Scenario.model_validate_json(json.dumps(entry["scenario_resolved"]))
    except (KeyError, ValueError) as exc:
        raise ReplayError(
            f"{folder}: the manifest's resolved scenario cannot be read ({_one_line(exc)})"
        ) from None
    plan = manifest.get("plan") or {}
    return _Run(
        folder=folder,
        name=str(entry.get("scenario") or scenario.scenario.name),
        scenario=scenario,
        seed=entry.get("seed", manifest.get("seed")),
        replications=int(entry.get("replications") or manifest.get("replications") or 0),
        calls_format=str(plan.get("calls_format", "parquet")),
        version=manifest.get("version"),
    )


def _table_path(folder: Path, stem: str) -> Path | None:
    for suffix in (".parquet", ".csv"):
        path = folder / f"{stem}{suffix}"
        if path.exists():
            return path
    return None


def _read_records(path: Path, columns: list[str], replication: int | None) -> pd.DataFrame:
    """Some columns of a calls or incidents table, of one replication (or all rows)."""
    try:
        if path.suffix == ".parquet":
            filters = [("replication", "==", replication)] if replication is not None else None
            frame = pd.read_parquet(path, columns=columns, filters=filters)
        else:
            frame = pd.read_csv(
                path,
                usecols=columns,
                dtype={"channel": str, "outcome": str, "origin": str},
            )
            if replication is not None:
                frame = frame[frame["replication"] == replication]
    except Exception as exc:  # pyarrow and pandas raise many kinds
        raise ReplayError(f"{path}: cannot be read ({_one_line(exc)})") from None
    return frame.reset_index(drop=True)


def _replications(path: Path) -> list[int]:
    frame = _read_records(path, ["replication"], None)
    return sorted(int(r) for r in pd.unique(frame["replication"]))


def _calls_path(run: _Run) -> Path:
    path = _table_path(run.folder, "calls")
    if path is not None:
        return path
    if run.calls_format == "none":
        raise ReplayError(
            f"{run.folder}: has no call records (the run used --calls-format none); run it "
            "again with --calls-format parquet to replay it"
        )
    raise ReplayError(f"{run.folder}: has no calls.parquet or calls.csv to replay")


def _choose_replication(available: list[int], replication: int | None, run: _Run) -> int:
    if not available:
        raise ReplayError(f"{run.folder}: the call records hold no calls")
    if replication is None:
        return available[0]
    if isinstance(replication, bool) or not isinstance(replication, int | np.integer):
        raise ReplayError(f"--replication: expected a whole number, found {replication!r}")
    if int(replication) not in available:
        held = (
            f"{available[0]} to {available[-1]}"
            if available == list(range(available[0], available[-1] + 1))
            else ", ".join(map(str, available))
        )
        raise ReplayError(
            f"--replication {replication}: not in the run, which has replication(s) {held}"
        )
    return int(replication)


def _on_duty(folder: Path, replication: int) -> pd.DataFrame:
    path = folder / "intervals.csv"
    if not path.exists():
        raise ReplayError(f"{folder}: has no intervals.csv (handlers on duty)")
    try:
        frame = pd.read_csv(
            path, usecols=["replication", "interval", "start_s", "handlers_on_duty"]
        )
    except Exception as exc:
        raise ReplayError(f"{path}: cannot be read ({_one_line(exc)})") from None
    frame = frame[frame["replication"] == replication].drop_duplicates("interval")
    return frame.sort_values("start_s").reset_index(drop=True)


def _run_kpis(folder: Path) -> dict[str, float | None]:
    path = folder / "summary.json"
    if not path.exists():
        return {}
    kpis = _read_json(path).get("kpis") or {}
    out: dict[str, float | None] = {}
    for name in RUN_KPIS:
        value = (kpis.get(name) or {}).get("mean")
        if name in kpis:
            out[name] = (
                round(float(value), 4)
                if isinstance(value, int | float) and math.isfinite(value)
                else None
            )
    return out


# -- resolving the window -----------------------------------------------------------------------


def _week_label(scenario: Scenario, sim_s: float) -> tuple[str, str]:
    """Weekday name and ``HH:MM`` of a simulation time."""
    week = (scenario.origin_weekday_s + sim_s) % _WEEK_S
    of_day = week % _DAY_S
    hours, minutes = int(of_day // 3600), int(of_day % 3600 // 60)
    return WEEKDAYS[int(week // _DAY_S)].capitalize(), f"{hours:02d}:{minutes:02d}"


def _measured_days(scenario: Scenario) -> int:
    return max(1, math.ceil(scenario.scenario.days - 1e-9))


def _resolve(spec: Window, scenario: Scenario, measured: pd.DataFrame) -> tuple[float, float]:
    warmup, horizon = scenario.warmup_s, scenario.horizon_s
    if spec.busiest:
        return busiest_window(measured, spec.length_s / 3600.0, start_s=warmup, end_s=horizon)
    days = _measured_days(scenario)
    if isinstance(spec.day, int):
        day = spec.day
        if day > days:
            raise ReplayError(
                f"--window {spec.text!r}: day {day} is outside the measured horizon "
                f"(days 1 to {days})"
            )
    else:
        found = [
            k
            for k in range(1, days + 1)
            if _week_label(scenario, warmup + (k - 1) * _DAY_S)[0] == str(spec.day).capitalize()
        ]
        if not found:
            first = _week_label(scenario, warmup)[0]
            last = _week_label(scenario, horizon - 1.0)[0]
            raise ReplayError(
                f"--window {spec.text!r}: no {str(spec.day).capitalize()} in the measured "
                f"horizon ({first} to {last})"
            )
        day = found[0]
    start = warmup + (day - 1) * _DAY_S + spec.start_s
    end = start + spec.length_s
    if start >= horizon or end > horizon + 1e-6:
        weekday, clock = _week_label(scenario, horizon)
        where = "starts" if start >= horizon else "ends"
        raise ReplayError(
            f"--window {spec.text!r}: {where} after the measured horizon "
            f"({scenario.scenario.days:g} days; day {days} ends {weekday} {clock})"
        )
    return start, end


# -- the page's data ----------------------------------------------------------------------------


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
    outcome = calls["outcome"].astype(str).to_numpy()
    arrival = calls["arrival_s"].to_numpy(dtype=float)
    force = calls["force_s"].to_numpy(dtype=float)
    answered = calls["answered_s"].to_numpy(dtype=float)
    abandoned = calls["abandoned_s"].to_numpy(dtype=float)
    end = calls["end_s"].to_numpy(dtype=float)
    wrap_end = calls["wrap_end_s"].to_numpy(dtype=float)
    requested_at = calls["callback_offered_s"].to_numpy(dtype=float)
    accepted = calls["callback_accepted"].to_numpy(dtype=bool) & ~np.isnan(requested_at)
    waits = answer_times(calls, scenario).to_numpy(dtype=float)
    # Where each call's answer clock starts (as answer_times: made, or reached the force).
    clock_start = arrival.copy()
    for name, spec_channel in scenario.channels.items():
        if spec_channel.answer_clock == "force":
            mask = channel == name
            clock_start[mask] = force[mask]

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
    has_dispatch = scenario.dispatch is not None and incidents is not None
    if has_dispatch:
        assert incidents is not None
        created = incidents["created_s"].to_numpy(dtype=float)
        allocated = incidents["allocated_s"].to_numpy(dtype=float)
        slot = incidents["appointment_s"].to_numpy(dtype=float)
        booked = ~np.isnan(slot)
        with np.errstate(invalid="ignore"):
            # An incident upgraded before its slot is allocated early: its wait was queued.
            entry = np.where(booked, np.fmin(slot, allocated), created)
        levels["backlog"] = _levels(entry, allocated, w0, length)
        levels["booked"] = _levels(
            np.where(booked, created, np.nan), np.where(booked, entry, np.nan), w0, length
        )

    # 999 calls answered by a handler in the hour before each moment, for the 10-second rate.
    with np.errstate(invalid="ignore"):
        rated = (
            (channel == "999")
            & (outcome == "answered")
            & (answered >= w0 - RATE_WINDOW_S)
            & (answered < w1)
        )
    rate_t = np.round(answered[rated] - w0, 1)
    order = np.argsort(rate_t, kind="stable")
    rate = {
        "t": _compact(rate_t[order]),
        "ok": (waits[rated][order] < TARGET_S).astype(int).tolist(),
    }

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

    weekday, clock = _week_label(scenario, w0)
    end_weekday, end_clock = _week_label(scenario, w1)
    day = int((w0 - scenario.warmup_s) // _DAY_S) + 1
    label = (
        f"{weekday} {clock}–{end_clock}"
        if end_weekday == weekday and length < _DAY_S
        else f"{weekday} {clock} – {end_weekday} {end_clock}"
    )
    hours = length / 3600.0
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
            "kpis": _run_kpis(run.folder),
        },
        "window": {
            "text": spec.text,
            "busiest": spec.busiest,
            "start_s": round(w0, 1),
            "end_s": round(w1, 1),
            "length_s": round(length, 1),
            "hours": round(hours, 2),
            "day": day,
            "label": label,
        },
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


def replay_data(
    folder: str | Path, window: str | Window = "busiest", replication: int | None = None
) -> dict[str, Any]:
    """The data of the replay page: events, spans and 1-minute series of one window.

    ``folder`` is a run folder (or a ``scenarios/NN-name/`` folder of a comparison or sweep)
    written with call records; ``window`` is ``busiest`` (the four hours with most calls
    offered in the measured horizon) or ``DAY HH:MM-HH:MM`` (see :func:`parse_window`);
    ``replication`` defaults to the first. Raises ReplayError (one line) for a folder,
    window or replication that cannot be replayed.
    """
    spec = window if isinstance(window, Window) else parse_window(window)
    run = _open_run(Path(folder))
    path = _calls_path(run)
    available = _replications(path)
    rep = _choose_replication(available, replication, run)
    calls = _read_records(path, _CALL_COLUMNS, rep)
    scenario = run.scenario
    arrival = calls["arrival_s"].to_numpy(dtype=float)
    measured = calls[(arrival >= scenario.warmup_s) & (arrival < scenario.horizon_s)]
    w0, w1 = _resolve(spec, scenario, measured)
    intervals = _on_duty(run.folder, rep)
    incidents = None
    if scenario.dispatch is not None:
        incidents_path = _table_path(run.folder, "incidents")
        if incidents_path is not None:
            incidents = _read_records(incidents_path, _INCIDENT_COLUMNS, rep)
    return _build(run, rep, available, calls, intervals, incidents, spec, w0, w1)


# -- the page -----------------------------------------------------------------------------------


def _template() -> str:
    return (resources.files("controlroom_sim") / "data" / _TEMPLATE).read_text(encoding="utf-8")


def embed_json(data: Any) -> str:
    """JSON that is safe inside a ``<script>`` element: no ``<``, ``>`` or ``&`` characters
    (escaped as ``\\u003c`` and so on, which JSON reads back unchanged), so no ``</script>``."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def render_replay(data: dict[str, Any]) -> str:
    """The self-contained HTML page for ``data`` (from :func:`replay_data`)."""
    run, window = data["run"], data["window"]
    title = (
        f"Control room replay: {run['scenario']}, {window['label']} "
        f"(replication {run['replication']})"
    )
    values = {"TITLE": html.escape(title), "DATA": embed_json(data)}
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], _template())


def write_replay(
    folder: str | Path,
    out: str | Path | None = None,
    window: str | Window = "busiest",
    replication: int | None = None,
) -> Path:
    """Write the replay page of a run folder (default ``<folder>/replay.html``); returns its
    path. ``out`` may name a file or an existing folder."""
    data = replay_data(folder, window, replication)
    page = render_replay(data)
    path = Path(folder) / "replay.html" if out is None else Path(out)
    if path.is_dir():
        path = path / "replay.html"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, lambda tmp: tmp.write_text(page, encoding="utf-8"))
    except OSError as exc:
        raise OutputError(
            f"{path}: cannot write the replay ({exc.strerror or _one_line(exc)})"
        ) from None
    return path
