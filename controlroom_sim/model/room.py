"""The control room: one replication of a scenario, event by event, on SimPy.

A call's way through (product.md, "The model"):

1. It is made at its arrival time (an exact non-homogeneous Poisson process per channel, or
   given times). Every per-call attribute is drawn now, from named streams: the BT stage,
   patience, talk and wrap-up times, the redial choice and delay, the callback choices.
2. A 999 call passes the BT operator stage (if the channel has one) and reaches the force.
   With ``[front_desk]``, a 101 call then waits for a front-desk operator, who resolves it or
   passes it to a handlers' queue (:mod:`.front_desk`).
3. An idle handler with the channel's skill answers at once (the one idle longest); otherwise
   the call queues. Handlers take the highest-priority channel first (999 before 101),
   first come first served within a channel, and never interrupt a call.
4. A caller whose patience runs out abandons. An abandoned caller may redial after a delay; an
   abandoned 101 caller may ring 999 instead. Each is a new offered call with the same
   ``caller_id``.
5. A 101 caller who waits past the threshold (or whose predicted wait exceeds it) is offered a
   callback and may accept: the caller hangs up and the request keeps the caller's place in
   the queue. When a handler reaches it, the handler rings back; an attempt that fails takes
   ``attempt_s`` and is tried again ``retry_after_s`` later, ahead of the queue, up to
   ``max_attempts``.
6. A handler talks, then wraps up, then takes the next call. Rosters bring handlers on and
   off duty; breaks and shift ends wait for the call in hand to finish, and the time past the
   shift end is recorded as overtime.

The engine is event-driven (SimPy timeouts with callbacks, one small process for each arrival
stream and one for the roster) so that the per-call work stays small. The model never reads
files and computes no KPIs: it returns :class:`~controlroom_sim.records.RunRecords`.

Memory grows by the records only, a couple of hundred bytes a call: a call's row is written to
typed column buffers (:mod:`controlroom_sim.columns`) as soon as nothing about it can change
any more, and the :class:`Call` object is let go; an incident likewise when it is cleared.
"""

from __future__ import annotations

import contextlib
import gc
from collections import deque
from collections.abc import Iterator, Mapping, Sequence

import numpy as np
import pandas as pd
import simpy

from ..config.schema import Scenario
from ..config.vocabulary import CHECKS
from .absence import absence
from .arrivals import arrival_blocks
from .call_table import (
    _CALL_COLUMNS,
    _FRONT_DESK_COLUMNS,
    _GRADING_COLUMNS,
    _SUPPORT_COLUMNS,
    _WORK_COLUMNS,
    CallRecorder,
)
from .callbacks import Callbacks
from .columns import Rows
from .digital import DigitalDesk
from .dispatch import DispatchDesk
from .draws import Draws
from .entities import (
    Call,
    Handler,
)
from .front_desk import FrontDeskStaff, FrontDeskStage
from .handling import Handling
from .intake import Intake
from .interventions import Interventions
from .intraday import AnswerWatch, IntradayRules
from .recorder import SlotRecorder
from .records import WORK_KINDS, RunRecords
from .rng import RandomStreams
from .staffing import Staff
from .support import SupportDesk
from .thrive import Grader


class ControlRoom(Intake, FrontDeskStage, Callbacks, Handling, Interventions, CallRecorder):
    """One replication of a scenario. Build it, call :meth:`run`, read the records.

    Parameters
    ----------
    scenario:
        A validated scenario.
    replication:
        Replication index; with ``scenario.scenario.seed`` it seeds every stream.
    arrival_times:
        Optional first-call arrival times per channel name (simulation seconds), replacing
        the Poisson process: exact-trace tests. Without it, the scenario's own
        ``arrival_trace`` (a trace-driven run, ``run --arrivals``) is used when it has one.
    """

    def __init__(
        self,
        scenario: Scenario,
        replication: int = 0,
        arrival_times: Mapping[str, Sequence[float]] | None = None,
    ) -> None:
        self.scenario = scenario
        self.replication = replication
        self.env = simpy.Environment(initial_time=0.0)
        self.streams = RandomStreams(scenario.scenario.seed, replication)
        names = sorted(scenario.channels, key=scenario.channel_priority)
        self.channel_names = names
        self.index = {name: i for i, name in enumerate(names)}
        self.channels = [scenario.channels[n] for n in names]
        self.force_names = scenario.force_names
        self.n_forces = nf = max(1, len(self.force_names))
        lines = len(names) * nf
        # Queues and counts per line: a channel's calls of one force.
        self.queues: list[deque[Call]] = [deque() for _ in range(lines)]
        self.retry_due: list[deque[Call]] = [deque() for _ in range(lines)]
        self.waiting = [0] * lines
        self.on_duty_for = [0] * lines
        # Calls not final yet, by id; a final call is written to the column store and dropped.
        self.live: dict[int, Call] = {}
        self.calls_made = 0
        self._build_recorders()
        self.work = Rows(_WORK_COLUMNS)

        self._set_callback()
        self.graders = [Grader(scenario, name) if scenario.call_types else None for name in names]
        self._build_draws()
        self.to999 = self.index.get("999")
        self._mean_handle = [scenario.mean_handle_s(name) for name in names]

        self.digital: DigitalDesk | None = None
        self._build_handlers()
        if scenario.digital is not None:
            # Given times (tests): the "digital" key's, none without it; else the Poisson process.
            self.digital = DigitalDesk(
                self,
                scenario.digital,
                arrival_times.get("digital", ()) if arrival_times is not None else None,
            )
        # Intraday decisions: a watch on the answers and a process per rule, only with rules.
        self.watch: AnswerWatch | None = None
        self.rules: IntradayRules | None = None
        if scenario.intraday_rules:
            self.watch = AnswerWatch(scenario, names, nf)
            self.rules = IntradayRules(self.env, scenario, self.watch, self.staff, self.digital)
        # The front desk (model/front_desk.py): desk_channel is -1 without one.
        fd = scenario.front_desk
        self.front_desk = (
            FrontDeskStaff(self.env, scenario, self.streams, self._desk_serve)
            if fd is not None
            else None
        )
        self.desk_channel = self.index[fd.channel] if fd is not None else -1
        self.support = (
            SupportDesk(self.env, scenario, self.streams) if scenario.support_workers else None
        )
        self.desk = (
            DispatchDesk(
                self.env,
                scenario,
                self.repeat_call,  # type: ignore[arg-type]
                self.streams,
            )
            if scenario.dispatch is not None
            else None
        )
        self._start_arrivals(arrival_times if arrival_times is not None else scenario.arrival_trace)
        # Until when a telephony outage stops answering (an intervention).
        self.outage_until = -np.inf
        if scenario.interventions:
            self._schedule_interventions()

    def _build_recorders(self) -> None:
        """The column stores of the calls' rows: every call's, and the grading and support
        columns when the scenario has them."""
        scenario = self.scenario
        self.call_rows = SlotRecorder(_CALL_COLUMNS)
        self.grading_rows = (
            SlotRecorder(_GRADING_COLUMNS, spread="checks_done", spread_columns=len(CHECKS))
            if scenario.call_types
            else None
        )
        self.support_rows = SlotRecorder(_SUPPORT_COLUMNS) if scenario.support_workers else None
        self.desk_rows = _desk_rows() if scenario.front_desk is not None else None
        self.call_recorders = [
            r
            for r in (self.call_rows, self.grading_rows, self.support_rows, self.desk_rows)
            if r is not None
        ]

    def _build_draws(self) -> None:
        """Each channel's per-call draws: first calls, and follow-ups (redials, 101 callers
        ringing 999)."""
        scenario = self.scenario
        names = self.channel_names
        self.first_draws, self.follow_draws = (
            [
                Draws(
                    self.streams,
                    f"{kind}.{name}",
                    ch,
                    self.callback_spec if i == self.callback_channel else None,
                    self.graders[i],
                    scenario.dispatch,
                    scenario.support_workers,
                )
                for i, (name, ch) in enumerate(zip(names, self.channels, strict=True))
            ]
            for kind in ("first", "followup")
        )

    def _set_callback(self) -> None:
        """The callback section (on or off: an intervention may switch it), and the one in
        force now (None while callbacks are off)."""
        cb = self.scenario.callback
        self.callback_spec = cb if cb is not None and "101" in self.index else None
        self.callback_channel = self.index["101"] if self.callback_spec is not None else None
        self.callback = cb if self.callback_spec is not None and cb.enabled else None

    def _start_arrivals(self, arrival_times: Mapping[str, Sequence[float]] | None) -> None:
        """One arrival process per channel (and force): given times, or the Poisson process."""
        scenario = self.scenario
        for i, name in enumerate(self.channel_names):
            if arrival_times is not None:
                # Keys: the channel's name, or "<channel>.<force>" in a room of several forces.
                keys = [f"{name}.{f}" for f in self.force_names] if self.force_names else [name]
                for f, key in enumerate(keys):
                    times = np.sort(np.asarray(arrival_times.get(key, ()), dtype=float))
                    self.env.process(self._arrivals(i, f, iter([times])))
            elif self.channels[i].calls_per_day > 0 and not self.force_names:
                rng = self.streams.generator(f"arrivals.{name}")
                self.env.process(self._arrivals(i, 0, arrival_blocks(scenario, name, rng)))
            elif self.channels[i].calls_per_day > 0:
                for f, force in enumerate(scenario.forces):
                    if force.share.get(name, 0.0) > 0:
                        rng = self.streams.generator(f"arrivals.{name}.{force.name}")
                        blocks = arrival_blocks(scenario, name, rng, force=force.name)
                        self.env.process(self._arrivals(i, f, blocks))

    # -- handlers -----------------------------------------------------------------------------

    def _build_handlers(self) -> None:
        sc = self.scenario
        priorities = sorted({sc.channel_priority(n) for n in self.channel_names})
        nf = self.n_forces
        self.groups_for: list[list[deque[Handler]]] = [[] for _ in range(len(self.queues))]
        self.idle: list[deque[Handler]] = []
        skills_of: list[tuple[tuple[int, ...], tuple[tuple[int, ...], ...]]] = []
        for group in sc.handlers:
            idle: deque[Handler] = deque()
            self.idle.append(idle)
            forces = (
                range(nf)
                if group.forces is None
                else [self.force_names.index(f) for f in group.forces]
            )
            skills = tuple(
                self.index[s] * nf + f for s in group.skills if s in self.index for f in forces
            )
            for line in skills:
                self.groups_for[line].append(idle)
            levels = tuple(
                tuple(
                    line
                    for line in skills
                    if sc.channel_priority(self.channel_names[line // nf]) == level
                )
                for level in priorities
            )
            skills_of.append((skills, tuple(level for level in levels if level)))

        def make(member_id: int, group: int) -> Handler:
            return Handler(member_id, group, *skills_of[group])

        self.staff = Staff(
            self.env,
            sc.handlers,
            sc.origin_weekday_s,
            sc.end_s,
            make,
            release=self._release,
            withdraw=self._withdraw,
            on_duty_change=self._count_duty,
            absent=absence(self.streams, sc, "handlers", sc.handlers),
        )

    def _count_duty(self, handler: Handler, delta: int) -> None:
        for line in handler.skills:
            self.on_duty_for[line] += delta

    def _withdraw(self, handler: Handler) -> None:
        self.idle[handler.group].remove(handler)

    # -- running ------------------------------------------------------------------------------

    def run(self) -> RunRecords:
        """Simulate to the end of the cool-down and return the records."""
        with _without_cyclic_gc():
            end = self.scenario.end_s
            self.env.run(until=end)
            if self.digital is not None:
                self.digital.close(end)
            self.staff.close()
            if self.desk is not None:
                self.desk.close()
            if self.support is not None:
                self.support.close()
            if self.front_desk is not None:
                self.front_desk.close()
            return self._records()

    def _records(self) -> RunRecords:
        frame = self._call_table()
        work = self.work.frame()
        # The kind "digital" only in a room with [digital]: without it the table is as before.
        kinds = list(WORK_KINDS) if self.digital is not None else list(WORK_KINDS[:-1])
        work["kind"] = pd.Categorical.from_codes(work["kind"], categories=kinds)
        duty = self.staff.duty_table("handler_id")
        handlers = self.staff.member_table("handler_id")
        sc = self.scenario
        desk = self.desk
        fd = self.front_desk
        return RunRecords(
            front_desk_work=fd.work_table() if fd is not None else None,
            front_desk_duty=fd.staff.duty_table("operator_id") if fd is not None else None,
            front_desk_operators=fd.staff.member_table("operator_id") if fd is not None else None,
            incidents=desk.incident_table() if desk is not None else None,
            officer_duty=desk.staff.duty_table("officer_id") if desk is not None else None,
            officers=desk.staff.member_table("officer_id") if desk is not None else None,
            reviews=(
                desk.review_table()
                if desk is not None and desk.spec.reassessment is not None
                else None
            ),
            dispatcher_work=(
                desk.dispatcher_work_table()
                if desk is not None and desk.dispatchers is not None
                else None
            ),
            dispatcher_duty=(
                desk.dispatchers.duty_table("dispatcher_id")
                if desk is not None and desk.dispatchers is not None
                else None
            ),
            support_work=self.support.work_table() if self.support is not None else None,
            support_duty=(
                self.support.staff.duty_table("worker_id") if self.support is not None else None
            ),
            support_workers=(
                self.support.staff.member_table("worker_id") if self.support is not None else None
            ),
            digital=self.digital.table() if self.digital is not None else None,
            replication=self.replication,
            warmup_s=sc.warmup_s,
            horizon_s=sc.horizon_s,
            end_s=sc.end_s,
            calls=frame,
            work=work,
            duty=duty,
            handlers=handlers,
            origin_weekday_s=sc.origin_weekday_s,
            rule_log=self.rules.table() if self.rules is not None else None,
        )


def _desk_rows() -> SlotRecorder:
    """The calls' front-desk columns, each read from the call's visit (``fd``)."""
    return SlotRecorder(
        _FRONT_DESK_COLUMNS, sources={c: f"fd.{c[11:]}" for c in _FRONT_DESK_COLUMNS}
    )


@contextlib.contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """Python's cyclic garbage collector paused for a replication.

    The model makes no reference cycles as it runs (reference counting frees every event, call
    and incident; a collection after a baseline week finds nothing unreachable), but the
    collector still walks the growing set of live calls again and again: about a fifth of the
    run time. It is switched back on, if it was on, when the replication ends or fails.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
