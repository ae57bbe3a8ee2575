"""What one replication leaves behind: tidy tables of calls, handler work and duty.

KPIs are computed from these tables afterwards (:mod:`controlroom_sim.analysis.kpis`), never from
counters inside the model, and the warm-up is cut there.

Tables
------
``calls``
    One row per call (first calls, redials, and 101 callers who rang 999): ``call_id``,
    ``caller_id`` (the first call of the caller), ``attempt`` (0 for the first call),
    ``origin`` (``first``, ``redial``, ``from_101``, ``repeat``: failure demand), ``channel``,
    ``arrival_s`` (call made),
    ``force_s`` (reached the force queue, after any BT stage), ``answered_s`` (a handler
    picked it up, or a callback reached the caller), ``abandoned_s``, ``end_s`` (the caller's
    part ends: talk over, or the last callback attempt), ``wrap_end_s``, ``outcome`` (one of
    :data:`OUTCOMES`), ``handler_id`` (who answered; -1 if nobody), the callback fields
    ``callback_offered_s``, ``callback_accepted`` and ``callback_attempts``, and the drawn
    ``patience_s``, ``talk_s`` and ``wrap_s``. Times are simulation seconds; NaN where a
    moment was not reached.
``work``
    One row per stint of a handler on a call: ``handler_id``, ``call_id``, ``start_s``,
    ``end_s``, ``kind`` (``call``, ``callback``, ``callback_attempt``; with ``[digital]``,
    ``digital``: a stint on a digital item, whose id is in ``call_id``).
``duty``
    One row per stretch a handler was available (on shift and not on a break):
    ``handler_id``, ``start_s``, ``end_s``.
``handlers``
    One row per handler (one per shift worked): ``handler_id``, ``group``, ``shift``,
    ``scheduled_start_s``, ``scheduled_end_s``, ``actual_end_s`` (NaN if still on duty when the
    run stopped), ``overtime_s``.

With call types, ``calls`` also has ``call_type``, ``true_risk``, ``vulnerable``,
``repeat_victim`` and, for calls that were graded (answered), ``assessed_risk``, ``grade``, one
``<sub-task>_done`` column per THRIVE sub-task and ``checks_s``.

With dispatch:

``incidents``
    One row per incident: ``incident_id``, ``call_id``, ``grade``, ``true_risk``,
    ``vulnerable``, ``rural``, ``call_s`` (the call was made), ``created_s`` (the call ended and
    the incident joined the queue), ``allocated_s``, ``arrived_s`` (on scene), ``cleared_s``,
    ``officer_id``, the drawn ``travel_s`` and ``on_scene_s``, and ``target_s`` (attendance
    target, inf if none).
``reviews``
    With ``[dispatch.reassessment]``: one row per review of a waiting incident,
    ``start_s, incident_id, duration_s, dispatcher_id`` (the dispatcher who did it; -1 without
    dispatchers, when the review is instant and its mean time is only counted).
``officer_duty``, ``officers``
    As ``duty`` and ``handlers``, for response officers (``officer_id``).
``dispatcher_work``, ``dispatcher_duty``
    With dispatchers: one row per allocation (``dispatcher_id, incident_id, start_s,
    end_s``), and their available stretches.

With ``[digital]``, ``digital`` has one row per digital item: ``item_id``, ``arrival_s``,
``first_start_s`` (a handler first took it), ``done_s`` (its work finished; NaN if not by the
end of the run), the drawn ``work_s``, ``worked_s`` (the work done, to the end of the run for an
item in hand then) and ``set_asides`` (times a call interrupted it, or the desk was suspended).

With support workers, ``calls`` also has ``support_worker_id`` (-1 if the call stayed with the
handler), ``support_start_s`` and ``support_end_s``; ``support_work`` has one row per call a
worker took (``worker_id, call_id, start_s, end_s``), and ``support_duty`` and
``support_workers`` are as ``duty`` and ``handlers``.

With ``[[intraday_rules]]`` (:mod:`controlroom_sim.model.intraday`), ``handlers`` also has
``call_in`` (the row is a handler called in while the run went: its ``overtime_s`` is all of
its time on, from its start to its actual end or the end of the run), and ``rule_log`` has one
row per firing of a rule: ``time_s``, ``rule``, ``action``, ``measured`` (the value that made
it fire), ``called_in`` (handlers called in) and ``breaks_cancelled``.

With ``[front_desk]`` (:mod:`.front_desk`), ``calls`` also has ``front_desk_answered_s`` (an
operator answered), ``front_desk_end_s`` (the operator's part ended), ``front_desk_outcome``
(``resolved``, ``routed`` or ``abandoned``; NaN for a call that never reached the desk, or was
still there when the run stopped), ``front_desk_route`` (the channel whose handlers' queue a
routed call joined) and ``front_desk_operator_id`` (-1 if none). For a call that passed the desk,
``answered_s`` is when the person who dealt with it answered: the operator for a call resolved
there, else the handler. ``front_desk_work`` has one row per call an operator took
(``operator_id, call_id, start_s, end_s``), and ``front_desk_duty`` and ``front_desk_operators``
are as ``duty`` and ``handlers`` (``operator_id``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

OUTCOMES: tuple[str, ...] = (
    "answered",
    "abandoned",
    "callback_answered",
    "callback_failed",
    "open",
)
ORIGINS: tuple[str, ...] = ("first", "redial", "from_101", "repeat")
WORK_KINDS: tuple[str, ...] = ("call", "callback", "callback_attempt", "digital")


@dataclass
class RunRecords:
    """The tables of one replication, and the window they were measured over."""

    replication: int
    warmup_s: float
    horizon_s: float
    end_s: float
    calls: pd.DataFrame
    work: pd.DataFrame
    duty: pd.DataFrame
    handlers: pd.DataFrame
    origin_weekday_s: float = 0.0
    """Seconds from Monday 00:00 to simulation time 0 (for weekday/time-of-day labels)."""
    incidents: pd.DataFrame | None = None
    officer_duty: pd.DataFrame | None = None
    officers: pd.DataFrame | None = None
    dispatcher_work: pd.DataFrame | None = None
    dispatcher_duty: pd.DataFrame | None = None
    support_work: pd.DataFrame | None = None
    support_duty: pd.DataFrame | None = None
    support_workers: pd.DataFrame | None = None
    reviews: pd.DataFrame | None = None
    """With reassessment: one row per review of a waiting incident."""
    rule_log: pd.DataFrame | None = None
    """With ``[[intraday_rules]]``: one row per firing of a rule."""
    digital: pd.DataFrame | None = None
    """With ``[digital]``: one row per digital item."""
    front_desk_work: pd.DataFrame | None = None
    """With ``[front_desk]``: one row per call an operator took."""
    front_desk_duty: pd.DataFrame | None = None
    front_desk_operators: pd.DataFrame | None = None

    @property
    def measured_calls(self) -> pd.DataFrame:
        """Calls offered in the measured window ``[warmup_s, horizon_s)``.

        The model numbers calls in the order they are made, so the window is a run of rows,
        taken as a slice (no copy of a table that can hold millions of calls); a table not in
        arrival order is filtered row by row."""
        arrival = self.calls["arrival_s"]
        if arrival.is_monotonic_increasing:
            lo, hi = np.searchsorted(arrival.to_numpy(), [self.warmup_s, self.horizon_s])
            return self.calls.iloc[lo:hi]
        return self.calls[(arrival >= self.warmup_s) & (arrival < self.horizon_s)]
