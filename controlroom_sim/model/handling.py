"""Handling: a handler answering a call, passing it to a support worker, the call's end
(an incident raised, or a repeat call later), and a free handler taking the next call.
"""

from __future__ import annotations

from collections import deque

import simpy

from .dispatch import RANK
from .entities import (
    ANSWERED,
    CALLBACK_WAIT,
    IN_SERVICE,
    INF,
    PRIORITY,
    REPEAT,
    RESOLVED,
    WAITING,
    WORK_CALL,
    Call,
    CallFacts,
    Handler,
)
from .staffing import BUSY, IDLE
from .support import SupportWorker


class Handling:
    """The part of :class:`~.room.ControlRoom` that answers and ends calls."""

    # -- handling -----------------------------------------------------------------------------

    def _pick_idle(self, line: int) -> Handler | None:
        groups = self.groups_for[line]
        if len(groups) == 1:
            idle = groups[0]
            return idle.popleft() if idle else None
        best: deque[Handler] | None = None
        for idle in groups:
            if idle and (best is None or idle[0].idle_since < best[0].idle_since):
                best = idle
        return best.popleft() if best is not None else None

    def _serve(self, handler: Handler, call: Call) -> None:
        handler.state = BUSY
        call.handler_id = handler.member_id
        if call.state == CALLBACK_WAIT:
            self._ring_back(handler, call)
            return
        now = self.env.now
        call.state = IN_SERVICE
        call.answered_s = now
        call.outcome = ANSWERED
        if self.watch is not None:  # intraday rules watch the answers
            self.watch.answered(call)
        support = self.support
        if support is not None and support.on and call.call_type in support.types:
            taken = support.take(call.call_type)
            if taken is not None:
                self._pass_to_worker(handler, call, *taken)
                return
        call.end_s = now + call.talk_s
        busy = call.talk_s + call.wrap_s
        # Record now + busy: exactly the time SimPy gives the timeout below.
        done = now + busy
        call.wrap_end_s = done
        self.work.append(handler.member_id, call.call_id, now, done, WORK_CALL)
        self.env.timeout(busy, handler).callbacks.append(self._on_free)
        if self.desk is not None and call.grade >= 0:
            self.env.timeout(call.talk_s, call).callbacks.append(self._on_talk_end)
        else:
            self._final(call)

    def _pass_to_worker(
        self, handler: Handler, call: Call, group: int, worker: SupportWorker
    ) -> None:
        """The handler hands the caller over to a support worker and is free again."""
        now = self.env.now
        draws = call.support_draws
        handover, talk = draws.handover_s[group], draws.talk_s[group]
        # The handler's part; talk_s and wrap_s stay the drawn values (common random numbers).
        call.end_s = call.wrap_end_s = now + handover
        call.support_worker_id = worker.member_id
        call.support_group = group
        call.support_start_s = now + handover
        call.support_end_s = now + (handover + talk)
        self.work.append(handler.member_id, call.call_id, now, now + handover, WORK_CALL)
        self.env.timeout(handover, handler).callbacks.append(self._on_free)
        assert self.support is not None
        self.support.work.append(worker.member_id, call.call_id, now, call.support_end_s)
        self.env.timeout(handover + talk, (call, worker)).callbacks.append(self._on_support_done)

    def _on_support_done(self, event: simpy.Event) -> None:
        """The worker ends the call: attendance asked for, or resolved without deployment."""
        call, worker = event.value
        assert self.support is not None
        self.support.staff.finished(worker)
        spec = self.scenario.support_workers[call.support_group]
        if self.desk is not None and call.support_draws.attend_u < spec.attendance_probability:
            call.grade = call.grade if call.grade in RANK else PRIORITY
        else:
            call.grade = RESOLVED
        if self.desk is not None:
            self._raise(call)  # an incident, or a resolved call that may bring a repeat call
        self._final(call)

    def _on_talk_end(self, event: simpy.Event) -> None:
        """The caller rings off: a call graded for attendance becomes an incident; a call
        resolved on the phone may bring a repeat call later (failure demand). A repeat call is
        an update about the same matter and raises nothing."""
        call = event.value
        self._raise(call)
        self._final(call)

    def _raise(self, call: Call) -> None:
        desk = self.desk
        assert desk is not None
        if call.origin == REPEAT:
            return
        draws = call.dispatch_draws
        if call.grade in RANK:
            rural = draws.rural_u < desk.spec.rural_share
            incident = desk.raise_incident(
                CallFacts(call),
                call.arrival_s,
                call.grade,
                call.true_risk,
                rural,
                draws.rural_travel_s if rural else draws.travel_s,
                draws,
            )
            call.grade = incident.grade  # lowered if demand suppression was on
            return
        failure = desk.spec.failure_demand
        if (
            failure is not None
            and call.grade == RESOLVED
            and draws.repeat_u < failure.resolved_probability
        ):
            self.env.timeout(draws.repeat_delay_s, CallFacts(call)).callbacks.append(
                self._on_repeat_due
            )

    def _on_repeat_due(self, event: simpy.Event) -> None:
        self.repeat_call(event.value)

    def repeat_call(self, previous: CallFacts) -> None:
        """The caller rings 101 again about the same matter (failure demand)."""
        if self.env.now < self.scenario.end_s and "101" in self.index:
            self._new_call(
                self.index["101"], REPEAT, previous.caller_id, previous.attempt + 1, previous
            )

    def _on_free(self, event: simpy.Event) -> None:
        self.staff.finished(event.value)

    def _release(self, handler: Handler) -> None:
        """A handler is free for work: the next waiting call it can take, or idle."""
        call = self._next_call(handler) if self.env.now >= self.outage_until else None
        if call is not None:
            self._serve(handler, call)
        elif self.digital is None or not self.digital.take(handler):
            handler.state = IDLE
            handler.idle_since = self.env.now
            self.idle[handler.group].append(handler)

    def _next_call(self, handler: Handler) -> Call | None:
        queues = self.queues
        retry_due = self.retry_due
        for level in handler.levels:
            best: deque[Call] | None = None
            best_s = INF
            for line in level:
                due = retry_due[line]
                if due:
                    self.waiting[line] -= 1
                    return due.popleft()
                queue = queues[line]
                while queue and queue[0].state != WAITING and queue[0].state != CALLBACK_WAIT:
                    queue.popleft()
                if queue and queue[0].force_s < best_s:
                    best, best_s = queue, queue[0].force_s
            if best is not None:
                call = best.popleft()
                self.waiting[call.line] -= 1
                return call
        return None
