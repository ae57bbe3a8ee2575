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
import re
from importlib import resources
from pathlib import Path
from typing import Any

from ..experiments.run_folder import OutputError, write_atomic
from .replay_series import EVENT_KINDS, _build, level_at, on_duty_at, rate_at
from .replay_source import (
    _CALL_COLUMNS,
    _INCIDENT_COLUMNS,
    ReplayError,
    _calls_path,
    _choose_replication,
    _on_duty,
    _one_line,
    _open_run,
    _partial_records,
    _read_records,
    _replications,
    _table_path,
)
from .replay_window import BUSIEST_HOURS, Window, _resolve, busiest_window, parse_window

_TEMPLATE = "replay.html"
_PLACEHOLDER = re.compile(r"__REPLAY_(TITLE|DATA)__")


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
    if run.partial is not None:  # a run not yet complete: its finished replications
        available = [r.replication for r in run.partial.replications]
        rep = _choose_replication(available, replication, run)
        calls, intervals, incidents = _partial_records(run, rep)
    else:
        path = _calls_path(run)
        available = _replications(path)
        rep = _choose_replication(available, replication, run)
        calls = _read_records(path, _CALL_COLUMNS, rep)
        intervals = _on_duty(run.folder, rep)
        incidents = None
        if run.scenario.dispatch is not None:
            incidents_path = _table_path(run.folder, "incidents")
            if incidents_path is not None:
                incidents = _read_records(incidents_path, _INCIDENT_COLUMNS, rep)
    if run.scenario.dispatch is None:
        incidents = None
    scenario = run.scenario
    arrival = calls["arrival_s"].to_numpy(dtype=float)
    measured = calls[(arrival >= scenario.warmup_s) & (arrival < scenario.horizon_s)]
    w0, w1 = _resolve(spec, scenario, measured)
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


__all__ = [
    "BUSIEST_HOURS",
    "EVENT_KINDS",
    "ReplayError",
    "Window",
    "busiest_window",
    "embed_json",
    "level_at",
    "on_duty_at",
    "parse_window",
    "rate_at",
    "render_replay",
    "replay_data",
    "write_replay",
]
