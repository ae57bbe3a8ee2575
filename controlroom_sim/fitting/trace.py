"""Trace-driven runs (issue 19): a force's own arrival times, read from its telephony export,
in place of the Poisson process (``controlroom-sim run SCENARIO --arrivals EXPORT --mapping
MAPPING``).

The export's calls become an arrival trace (:func:`build_trace`): per channel, the seconds
from the local midnight that starts the export's first day (its first offered call's local
date) to each call's **made** time, which the scenario carries as
:attr:`~controlroom_sim.config.schema.Scenario.arrival_trace` into every engine and worker
(:func:`trace_scenario`). The model then draws everything else per call from its named
streams, as for a Poisson caller: the BT stage (when the channel has one), patience, talk,
wrap-up, callbacks, grading. The replications differ only in those draws, so their confidence
intervals are of the service's variability for this one week of demand, not of demand.

Which time is fed, and the BT stage:

* **With ``made_at`` mapped**, a call is fed at its made time and a 999 call passes the
  scenario's BT stage as drawn (the model's answer clock for 999 starts when the call is made,
  as the Home Office measures it). The export's own BT stage (offered minus made) is not
  replayed: the stage is drawn. A call whose ``made_at`` cell is blank is fed at its offered
  time (counted in :attr:`Trace.at_offered`).
* **Without ``made_at``**, an export says only when a call reached the force. Feeding that as
  the made time and then drawing a BT stage would make every 999 call reach the force late by a
  drawn delay, so the scenario's BT stage is switched off for the run (``bt_connect_s`` absent):
  calls reach the force exactly at their offered times, and 999 answer times run from the
  offered time, as ``fit-check`` reads such an export.

Redials and repeats (:func:`.follow_ups.follow_ups`): an export's calls include redials and
101 callers who rang 999, which the model makes itself after an abandonment. When the mapping has a
``caller`` column, a call whose caller abandoned a call on the same channel (or, for a 999
call, on 101) at most :data:`.follow_ups.FOLLOW_UP_WINDOW_S` before it was made is taken as such a
follow-up and left out of the trace (the model makes its own). Without ``caller`` every call
is fed and the model's redials and 101-to-999 calls are switched off for the run. The model's
repeat calls about waiting incidents (``[dispatch.failure_demand]``) are switched off in both
cases: an export's repeat calls cannot be told apart from first calls, and they are in it.

The run starts at the export's start: ``start_weekday`` is the weekday of the first local day,
``days`` the elapsed length from that day's local midnight to the midnight ending the last
day (so 7 days and an hour across the autumn clock change), and the warm-up is 0 (the room
starts empty at 00:00; nothing before the export is known). Simulation time is elapsed
seconds and the model's week clock does not change with the clocks, so after a clock change
inside the period the rota and the interval tables run an hour off local time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..config.schema import Scenario
from ..config.vocabulary import WEEKDAYS
from .export import Export, ExportError, arrival_times
from .follow_ups import FOLLOW_UP_WINDOW_S, follow_ups
from .mapping import Mapping

BUSY_CALLER_CALLS = 10
BUSY_CALLER_CALLS_PER_DAY = 5.0
"""A caller value on more calls than both of these (the second times the period's days) is
named in the output: more likely a placeholder (a withheld number) than one person, and its
calls would be linked as follow-ups of each other (a warning only; the rule is not changed)."""


class TraceError(ExportError):
    """An export that cannot drive a run; the message is one line naming the file."""


@dataclass(frozen=True)
class Trace:
    """An export's calls as first-call arrival times, and how they were chosen.

    ``times``: per channel, seconds from ``origin`` (the UTC instant of the local midnight
    starting the first day) to each fed call's made time, sorted. ``follow_ups``: per channel,
    the calls left out as follow-ups (None when the mapping has no ``caller``).
    ``at_offered``: per channel, calls fed at their offered time for want of a made time.
    ``before_start``: calls made before ``origin`` (offered after it), fed at 0. ``sources``:
    the export files and the mapping, each with its SHA-256."""

    times: dict[str, tuple[float, ...]]
    origin: pd.Timestamp
    timezone: str
    start_weekday: str
    days: float
    follow_ups: dict[str, int] | None
    at_offered: dict[str, int]
    before_start: int
    made_at: bool
    sources: tuple[tuple[str, str], ...]
    busy_callers: dict[str, int] = field(default_factory=dict)

    @property
    def calls(self) -> int:
        return sum(len(t) for t in self.times.values())


def build_trace(
    export: Export, mapping: Mapping, files: Sequence[str | Path], mapping_file: str | Path
) -> Trace:
    """The arrival trace of a read ``export`` (see the module docstring for the rules);
    :class:`TraceError` naming the files when it has no usable calls."""
    names = ", ".join(str(f) for f in files)
    calls = export.calls
    if export.period is None or calls.empty:
        raise TraceError(
            f"{names}: expected usable calls to drive a run, found none of "
            f"{export.rejections.rows_read} rows (fit-check lists why)"
        )
    has_caller = mapping.columns.caller is not None
    left_out = follow_ups(calls) if has_caller else np.zeros(len(calls), dtype=bool)
    zone = mapping.times.zone
    first_day = export.period.first.tz_convert(zone).date()
    last_day = export.period.last.tz_convert(zone).date()
    origin = _midnight(first_day, zone)
    end = _midnight(last_day + pd.Timedelta(days=1), zone)
    made = arrival_times(calls)
    seconds = (made - origin).dt.total_seconds().to_numpy()
    before = int(((seconds < 0) & ~left_out).sum())
    seconds = np.maximum(seconds, 0.0)
    times, counted, at_offered = {}, {}, {}
    for name in sorted(set(calls["channel"])):
        on = (calls["channel"] == name).to_numpy()
        fed = on & ~left_out
        times[name] = tuple(float(t) for t in np.sort(seconds[fed]))
        counted[name] = int((on & left_out).sum())
        at_offered[name] = int((fed & calls["made_at"].isna().to_numpy()).sum())
    limit = max(BUSY_CALLER_CALLS, BUSY_CALLER_CALLS_PER_DAY * export.period.days)
    counts = calls["caller"].value_counts()
    busy = {str(k): int(v) for k, v in counts[counts > limit].head(3).items()}
    return Trace(
        busy_callers=busy if has_caller else {},
        times=times,
        origin=origin,
        timezone=mapping.times.timezone,
        start_weekday=WEEKDAYS[first_day.weekday()],
        days=(end - origin).total_seconds() / 86400.0,
        follow_ups=counted if has_caller else None,
        at_offered=at_offered,
        before_start=before,
        made_at=mapping.columns.made_at is not None,
        sources=tuple((str(f), _sha256(f)) for f in [*files, mapping_file]),
    )


def _midnight(day: object, zone: object) -> pd.Timestamp:
    """The UTC instant of 00:00 local time on ``day`` (the first instant of the day in a zone
    whose clocks change at midnight)."""
    local = pd.Timestamp(day).tz_localize(zone, ambiguous=True, nonexistent="shift_forward")
    return local.tz_convert("UTC")


def _sha256(path: str | Path) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError as exc:
        raise TraceError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def check_scenario(scenario: Scenario, trace: Trace, export: Export) -> None:
    """The scenario can take the trace's calls: one force, each channel of the trace a channel
    of the scenario with a handler group taking it; else :class:`TraceError` naming the
    export file with the channel's first call."""
    for name, times in trace.times.items():
        if not times:
            continue
        file = export.calls.loc[export.calls["channel"] == name, "file"].iloc[0]
        if scenario.forces:
            raise TraceError(
                f"{file}: expected a scenario of one force for a trace-driven run (an export "
                f"has no force column), found [[forces]] {', '.join(scenario.force_names)}"
            )
        if name not in scenario.channels:
            raise TraceError(
                f"{file}: has {len(times):,} calls on channel {name}, so expected a scenario with "
                f"[channels.{name}], found channels {', '.join(scenario.channels) or 'none'}"
            )
        if not any(name in g.skills and g.headcount > 0 for g in scenario.handlers):
            raise TraceError(
                f"{file}: has {len(times):,} calls on channel {name}, so expected a handler "
                f"group with the skill '{name}' and someone on duty, found none"
            )


def trace_scenario(scenario: Scenario, trace: Trace) -> tuple[Scenario, list[str]]:
    """``scenario`` driven by ``trace`` (checked with :func:`check_scenario` first), and what
    changed, one line each, for the command's output; the scenario's ``provenance`` records
    the same, with the export files' and the mapping's SHA-256, and its description says the
    run is trace-driven."""
    days = trace.days
    settings = scenario.scenario.model_copy(
        update={"days": days, "warmup_hours": 0.0, "start_weekday": trace.start_weekday}
    )
    notes = {
        "arrivals": _arrivals_note(trace),
        "scenario.warmup_hours": "0: the trace starts at 00:00 on the export's first day and "
        "the room starts empty (nothing before the export is known)",
        "scenario.days": f"{days:g}: the export's local days, as elapsed time"
        + (" (a clock change in the period)" if days != round(days) else ""),
        "scenario.start_weekday": f"{trace.start_weekday}: the export's first local day",
    }
    channels = {}
    for name, channel in scenario.channels.items():
        change: dict[str, object] = {"calls_per_day": len(trace.times.get(name, ())) / days}
        if trace.follow_ups is None and (
            channel.redial_probability > 0 or channel.abandon_to_999_probability > 0
        ):
            change |= {"redial_probability": 0.0, "abandon_to_999_probability": 0.0}
            notes[f"channels.{name}.redial_probability"] = (
                "0: the export has no caller column, so every call is fed (redials and 101 "
                "callers ringing 999 included) and the model's redials and 101-to-999 calls are "
                "switched off"
            )
        if not trace.made_at and channel.bt_connect_s is not None:
            change["bt_connect_s"] = None
            notes[f"channels.{name}.bt_connect_s"] = (
                "none: the export has no made_at, so calls reach the force at their offered "
                "times and answer times run from them"
            )
        if name not in trace.times:
            notes[f"channels.{name}.calls_per_day"] = "0: no calls on this channel in the export"
        channels[name] = channel.model_copy(update=change)
    update = {
        "scenario": settings,
        "channels": channels,
        "arrival_trace": {name: trace.times.get(name, ()) for name in scenario.channels},
    }
    dispatch = scenario.dispatch
    if dispatch is not None and dispatch.failure_demand is not None:
        update["dispatch"] = dispatch.model_copy(update={"failure_demand": None})
        notes["dispatch.failure_demand"] = (
            "none: the export's repeat calls are in the trace, so the model's are switched off"
        )
    if scenario.surges:
        update["surges"] = []
        notes["surges"] = "none: the trace's own times replace the arrival rates and surges"
    description = f"Trace-driven: {_arrivals_note(trace)}. {settings.description}".strip()
    update["scenario"] = settings.model_copy(update={"description": description})
    update["provenance"] = {**scenario.provenance, **notes}
    printed = [f"arrivals: {line}" for line in arrivals_lines(trace)]
    printed += [f"{k}: {v}" for k, v in notes.items() if k != "arrivals"]
    return scenario.model_copy(update=update), printed


def _arrivals_note(trace: Trace) -> str:
    """What the trace is, in one line: its calls per channel, start, files (with SHA-256),
    and the calls left out or fed at their offered time."""
    return "; ".join(arrivals_lines(trace))


def arrivals_lines(trace: Trace) -> list[str]:
    """What the trace is, a line each: its calls per channel, start and times, the export
    files and mapping (with SHA-256), the follow-ups left out, calls fed at their offered time
    and calls made before the first day."""
    per = ", ".join(f"{name}: {len(t):,}" for name, t in trace.times.items())
    files = ", ".join(f"{path} (sha256 {digest})" for path, digest in trace.sources[:-1])
    path, digest = trace.sources[-1]
    first = trace.origin.tz_convert(trace.timezone).strftime("%Y-%m-%d")
    lines = [
        f"{trace.calls:,} first calls ({per}) from {first} 00:00 {trace.timezone}, fed at "
        f"their {'made' if trace.made_at else 'offered'} times",
        f"from the export {files}",
        f"read with the mapping {path} (sha256 {digest})",
    ]
    if trace.follow_ups is not None:
        left = ", ".join(f"{name}: {n:,}" for name, n in trace.follow_ups.items())
        lines.append(
            f"follow-ups left out ({left}): a caller's call at most "
            f"{FOLLOW_UP_WINDOW_S / 60:g} minutes after they abandoned one on the same channel "
            "(or on 101, for a 999 call), which the model redials itself (ASSUMPTION: the window)"
        )
    if trace.busy_callers:
        values = ", ".join(f"{v!r} ({n:,} calls)" for v, n in trace.busy_callers.items())
        lines.append(
            f"caller values on more than {BUSY_CALLER_CALLS_PER_DAY:g} calls a day: {values}; "
            "if one means no number (withheld), blank it in the export, or its calls are "
            "taken as one caller's redials"
        )
    late = {name: n for name, n in trace.at_offered.items() if n and trace.made_at}
    if late:
        lines.append(
            "fed at their offered time for want of a made time: "
            + ", ".join(f"{name}: {n:,}" for name, n in late.items())
        )
    if trace.before_start:
        lines.append(f"made before 00:00 on the first day, fed at 00:00: {trace.before_start:,}")
    return lines
