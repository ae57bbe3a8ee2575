"""Callbacks (101): offering one to a waiting caller, ringing back, and retrying a failed
attempt ahead of the queue.
"""

from __future__ import annotations

import simpy

from .entities import (
    CALLBACK_ANSWERED,
    CALLBACK_FAILED,
    CALLBACK_RETRY,
    CALLBACK_WAIT,
    DONE,
    IN_SERVICE,
    INF,
    WAITING,
    WORK_ATTEMPT,
    WORK_CALLBACK,
    Call,
    Handler,
)
from .front_desk import ROUTED


class Callbacks:
    """The part of :class:`~.room.ControlRoom` that offers and makes callbacks."""

    # -- callbacks (101) ----------------------------------------------------------------------

    def _on_offer(self, event: simpy.Event) -> None:
        call: Call = event.value
        if call.state == WAITING:
            self._offer(call)

    def _offer(self, call: Call) -> None:
        env = self.env
        if self.callback is not None:  # callbacks may have been switched off since
            call.callback_offered_s = env.now
            if call.callback_accepted:
                call.state = CALLBACK_WAIT
                return
        remaining = call.patience_s - (env.now - call.force_s)
        if self.front_desk is not None and call.fd.outcome == ROUTED:
            remaining += call.fd.time_s  # time with a front-desk operator is not waiting
        if remaining < INF:
            env.timeout(max(remaining, 0.0), call).callbacks.append(self._on_abandon)

    def _ring_back(self, handler: Handler, call: Call) -> None:
        env = self.env
        now = env.now
        call.callback_attempts += 1
        if call.callback_attempts == call.callback_success_at:
            call.state = IN_SERVICE
            call.answered_s = now
            call.outcome = CALLBACK_ANSWERED
            call.end_s = now + call.talk_s
            busy = call.talk_s + call.wrap_s
            # Record now + busy: exactly the time SimPy gives the timeout below.
            call.wrap_end_s = now + busy
            self.work.append(handler.member_id, call.call_id, now, now + busy, WORK_CALLBACK)
            env.timeout(busy, handler).callbacks.append(self._on_free)
            if self.desk is not None and call.grade >= 0:
                env.timeout(call.talk_s, call).callbacks.append(self._on_talk_end)
            else:
                self._final(call)
            return
        cb = self.callback_spec
        assert cb is not None
        busy = call.callback_attempt_s
        done = now + busy
        self.work.append(handler.member_id, call.call_id, now, done, WORK_ATTEMPT)
        env.timeout(busy, handler).callbacks.append(self._on_free)
        if call.callback_attempts >= cb.max_attempts:
            call.state = DONE
            call.outcome = CALLBACK_FAILED
            call.end_s = done
            self._final(call)
        else:
            call.state = CALLBACK_RETRY
            env.timeout(busy + call.callback_retry_s, call).callbacks.append(self._on_retry_due)

    def _on_retry_due(self, event: simpy.Event) -> None:
        call: Call = event.value
        line = call.line
        call.state = CALLBACK_WAIT
        handler = self._pick_idle(line) if self.env.now >= self.outage_until else None
        if handler is not None:
            self._serve(handler, call)
            return
        self.retry_due[line].append(call)
        self.waiting[line] += 1
