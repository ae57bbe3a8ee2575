"""The front desk: a first stage with its own staff before a channel's handlers (a 101
switchboard, ``[front_desk]``; seed 001 L1497-1509).

A call of the desk's channel, on reaching the force, waits first come first served for a
front-desk operator, its patience running (the same timer as in the handlers' queue: patience is
the caller's total time in queues). The operator spends the call's drawn ``time_s`` on it; then
the call is resolved there, or joins a handlers' queue (a route's target, else its own
channel's) as the same call, at the back of that queue, with the patience it has left. A call
resolved at the desk may bring a repeat call (an unresolved first contact: failure demand).

Every choice of a call at the desk (its time there, resolved or not, the route, a repeat call
and its delay) is drawn when the call is made, from the desk's own named streams
(``front_desk.first.*`` and ``front_desk.followup.*``), so a scenario without a desk draws
exactly what it drew before.

With dispatch, a call resolved at the desk still raises the incident its grade (drawn at
arrival, as for every call) asks for, and may bring the dispatch's failure-demand repeat call
as a handler's resolved call does: the desk takes the handler's place on the phone, not the
officers' work. The desk's own ``repeat_probability`` is on top of that.

What the ``calls`` table says of a call that passed the desk: ``answered_s`` is when the person
who dealt with the call answered it (the front-desk operator for a call resolved there, else
the handler), so a channel's answer time is the time to reach that person and its abandonment
counts callers lost at either stage; the ``front_desk_*`` columns say what happened at the desk.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterator

import numpy as np
import pandas as pd
import simpy

from ..config.schema import FrontDesk as FrontDeskSpec
from ..config.schema import Scenario
from .columns import Rows
from .entities import (
    ANSWERED,
    AT_DESK,
    DONE,
    IN_DESK,
    INF,
    Call,
)
from .rng import RandomStreams
from .staffing import BUSY, IDLE, Member, Staff

FRONT_DESK_OUTCOMES: tuple[str, ...] = ("resolved", "routed", "abandoned")
"""How a call's time at the front desk ended (the ``front_desk_outcome`` column)."""
RESOLVED_AT_DESK, ROUTED, ABANDONED_AT_DESK = range(3)
_BLOCK = 2048


class DeskVisit:
    """A call's draws for the front desk and what happened there."""

    __slots__ = (
        "answered_s",
        "end_s",
        "operator_id",
        "outcome",
        "repeat_delay_s",
        "repeat_u",
        "resolve_u",
        "route",
        "route_u",
        "time_s",
    )

    def __init__(
        self,
        time_s: float,
        resolve_u: float,
        route_u: float,
        repeat_u: float,
        repeat_delay_s: float,
    ) -> None:
        self.time_s = time_s
        self.resolve_u = resolve_u
        self.route_u = route_u
        self.repeat_u = repeat_u
        self.repeat_delay_s = repeat_delay_s
        self.answered_s = math.nan
        self.end_s = math.nan
        self.operator_id = -1
        self.outcome = -1
        self.route = -1


NO_VISIT = DeskVisit(math.nan, 1.0, 1.0, 1.0, math.nan)
"""The record of every call of another channel: it never meets the desk."""


class DeskDraws:
    """The desk's draws of one kind of call (first calls, or follow-ups), in blocks."""

    def __init__(self, streams: RandomStreams, prefix: str, spec: FrontDeskSpec) -> None:
        dists = (spec.time_s, None, None, None, spec.repeat_delay_s)
        names = ("time_s", "resolve_u", "route_u", "repeat_u", "repeat_delay_s")
        self._parts = [
            (dist, streams.generator(f"{prefix}.{name}"))
            for dist, name in zip(dists, names, strict=True)
        ]
        self._rows: Iterator[tuple[float, ...]] = iter(())

    def _refill(self) -> Iterator[tuple[float, ...]]:
        columns = [
            rng.random(_BLOCK) if dist is None else dist.sample(rng, _BLOCK)
            for dist, rng in self._parts
        ]
        return zip(*(np.asarray(c, dtype=float).tolist() for c in columns), strict=True)

    def visit(self) -> DeskVisit:
        """The next call's draws."""
        row = next(self._rows, None)
        if row is None:
            self._rows = self._refill()
            row = next(self._rows)
        return DeskVisit(*row)


class Operator(Member):
    """One front-desk operator on one shift."""

    __slots__ = ()


class FrontDeskStaff:
    """The front desk of one replication: its operators, its queue and its work."""

    def __init__(
        self,
        env: simpy.Environment,
        scenario: Scenario,
        streams: RandomStreams,
        next_call: object,
    ) -> None:
        spec = scenario.front_desk
        assert spec is not None
        self.env = env
        self.spec = spec
        self.draws = [DeskDraws(streams, f"front_desk.{k}", spec) for k in ("first", "followup")]
        self.idle: deque[Operator] = deque()
        self.queue: deque[Call] = deque()
        self._next_call = next_call
        self.work = Rows(
            {"operator_id": "int64", "call_id": "int64", "start_s": "float64", "end_s": "float64"}
        )
        # Cumulative shares of the routes of calls the desk does not resolve.
        self.cumulative = np.cumsum([r.share for r in spec.routes]).tolist()
        self.staff = Staff(
            env,
            spec.operators,
            scenario.origin_weekday_s,
            scenario.end_s,
            Operator,
            release=self._release,
            withdraw=self.idle.remove,
        )

    def waiting_call(self) -> Call | None:
        """The first call still waiting for an operator (abandoned ones dropped)."""
        queue = self.queue
        while queue:
            call = queue.popleft()
            if call.state == AT_DESK:
                return call
        return None

    def _release(self, operator: Operator) -> None:
        call = self.waiting_call()
        if call is not None:
            self._next_call(operator, call)  # type: ignore[operator]
        else:
            operator.state = IDLE
            operator.idle_since = self.env.now
            self.idle.append(operator)

    def close(self) -> None:
        self.staff.close()

    def work_table(self) -> pd.DataFrame:
        """One row per call an operator took: ``operator_id, call_id, start_s, end_s``."""
        return self.work.frame()


class FrontDeskStage:
    """The part of :class:`~.room.ControlRoom` that takes calls through the front desk."""

    def _to_desk(self, call: Call) -> None:
        """The call reaches the force: an idle operator takes it, or it waits."""
        fd = self.front_desk
        if fd.idle:
            self._desk_serve(fd.idle.popleft(), call)
            return
        call.state = AT_DESK
        fd.queue.append(call)
        if call.patience_s < INF:
            self.env.timeout(call.patience_s, call).callbacks.append(self._on_desk_abandon)

    def _desk_serve(self, operator: Operator, call: Call) -> None:
        now = self.env.now
        operator.state = BUSY
        call.state = IN_DESK
        visit = call.fd
        visit.answered_s = now
        visit.operator_id = operator.member_id
        visit.end_s = done = now + visit.time_s
        self.front_desk.work.append(operator.member_id, call.call_id, now, done)
        self.env.timeout(visit.time_s, (call, operator)).callbacks.append(self._on_desk_done)

    def _on_desk_abandon(self, event: simpy.Event) -> None:
        call: Call = event.value
        if call.state != AT_DESK:
            return
        call.fd.outcome = ABANDONED_AT_DESK
        self._abandon(call)

    def _on_desk_done(self, event: simpy.Event) -> None:
        """The operator ends the call: resolved there, or on to a handlers' queue."""
        call, operator = event.value
        fd = self.front_desk
        spec = fd.spec
        visit = call.fd
        if visit.resolve_u < spec.resolve_probability:
            visit.outcome = RESOLVED_AT_DESK
            call.state = DONE
            call.outcome = ANSWERED
            call.answered_s = visit.answered_s
            call.end_s = call.wrap_end_s = visit.end_s
            if visit.repeat_u < spec.repeat_probability:
                self.env.timeout(visit.repeat_delay_s, call).callbacks.append(self._on_desk_repeat)
            if self.desk is not None and call.grade >= 0:
                self._raise(call)  # the desk logs an incident the call's grade asks for
            self._final(call)
        else:
            target = call.channel
            for k, edge in enumerate(fd.cumulative):
                if visit.route_u < edge:
                    target = self.index[spec.routes[k].target]
                    break
            visit.outcome = ROUTED
            visit.route = target
            call.line = target * self.n_forces + call.force
            waited = visit.answered_s - call.force_s
            self._join(call, max(call.patience_s - waited, 0.0))
        fd.staff.finished(operator)

    def _on_desk_repeat(self, event: simpy.Event) -> None:
        self.repeat_call(event.value)
