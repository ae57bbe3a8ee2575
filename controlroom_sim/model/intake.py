"""How calls come in: arrivals, a new call's draws and THRIVE assessment, reaching the force
(or queueing), abandonment and the follow-up calls it brings (redials, 101 to 999).
"""

from __future__ import annotations

import math

import simpy

from .entities import (
    ABANDONED,
    DONE,
    FIRST,
    FROM_101,
    INF,
    REDIAL,
    WAITING,
    Call,
    CallFacts,
)
from .thrive import Grader


class Intake:
    """The part of :class:`~.room.ControlRoom` that takes calls in."""

    # -- arrivals -----------------------------------------------------------------------------

    def _arrivals(self, channel: int, force: int, blocks):  # type: ignore[no-untyped-def]
        env = self.env
        new_call = self._new_call
        end = self.scenario.end_s
        for block in blocks:
            for at in block.tolist():
                if at >= end:
                    return
                if at > env.now:
                    yield env.timeout(at - env.now)
                new_call(channel, FIRST, -1, 0, None, force)

    def _new_call(
        self,
        channel: int,
        origin: int,
        caller_id: int,
        attempt: int,
        previous: Call | CallFacts | None = None,
        force: int = 0,
    ) -> None:
        now = self.env.now
        call_id = self.calls_made
        self.calls_made = call_id + 1
        call = Call(
            call_id, caller_id if caller_id >= 0 else call_id, attempt, origin, channel, now
        )
        # A follow-up call (redial, 101 caller ringing 999, repeat call) is the same force's.
        call.force = force = previous.force if previous is not None else force
        call.line = channel * self.n_forces + force
        self.live[call_id] = call
        attrs = (self.first_attrs if origin == FIRST else self.follow_attrs)[channel].draw()
        bt = attrs[0]
        patience = attrs[1]
        call.patience_s = patience if self.channels[channel].patience_s is not None else INF
        call.talk_s = attrs[2]
        call.wrap_s = attrs[3]
        call.follow_u = attrs[4]
        call.follow_delay_s = attrs[5]
        call.to999_delay_s = attrs[6]
        if self.callback is not None and channel == self.callback_channel:
            cb = self.callback
            call.callback_accepted = attrs[7] < cb.accept_probability
            call.callback_success_at = _attempts_needed(attrs[8], cb.attempt_success_probability)
            call.callback_attempt_s = attrs[9]
            call.callback_retry_s = attrs[10]
        grader = self.graders[channel]
        if grader is not None:
            source = (self.first_attrs if origin == FIRST else self.follow_attrs)[channel]
            self._assess(call, grader, attrs, source.graded_at, previous)
            if self.desk is not None:
                at = source.dispatch_at
                call.dispatch_draws = attrs[at : at + 11]
            if self.support is not None:
                at = source.support_at
                call.support_draws = attrs[at : at + source.support_n]
        if bt > 0.0:
            self.env.timeout(bt, call).callbacks.append(self._on_reach)
        else:
            self._reach(call)

    def _assess(
        self,
        call: Call,
        grader: Grader,
        attrs: tuple[float, ...],
        at: int,
        previous: Call | CallFacts | None,
    ) -> None:
        """Type, true risk and the THRIVE assessment, all from draws made at arrival.

        A follow-up call (a redial, or a 101 caller ringing 999) is about the same situation:
        it keeps the type, true risk and flags of the caller's previous call.
        """
        if previous is not None and previous.call_type >= 0:
            kind = (
                previous.call_type,
                previous.true_risk,
                previous.vulnerable,
                previous.repeat_victim,
            )
        else:
            kind = grader.classify(attrs[at], attrs[at + 1], attrs[at + 2], attrs[at + 3])
        n = len(grader.checks)
        checks = attrs[at + 5 : at + 5 + 3 * n]
        result = grader.assess(*kind, checks[0::3], checks[1::3], checks[2::3], attrs[at + 4])
        call.call_type, call.true_risk, call.vulnerable, call.repeat_victim = kind
        call.checks_done = result.done
        call.checks_s = result.checks_s
        call.assessed_risk = result.assessed_risk
        call.grade = result.grade
        call.talk_s += result.checks_s

    def _on_reach(self, event: simpy.Event) -> None:
        self._reach(event.value)

    def _reach(self, call: Call) -> None:
        env = self.env
        call.force_s = env.now
        channel = call.channel
        line = call.line
        handler = self._pick_idle(line)
        if handler is not None:
            self._serve(handler, call)
            return
        call.state = WAITING
        self.queues[line].append(call)
        self.waiting[line] += 1
        patience = call.patience_s
        cb = self.callback
        if cb is not None and channel == self.callback_channel:
            threshold = cb.offer_after_wait_s
            if cb.offer_rule == "predicted":
                # The calls ahead on the caller's own line, shared by the handlers who take it.
                staff = max(self.on_duty_for[line], 1)
                predicted = self.waiting[line] * self._mean_handle[channel] / staff
                if predicted > threshold:
                    self._offer(call)
                    return
            elif patience > threshold:
                env.timeout(threshold, call).callbacks.append(self._on_offer)
                return
        if patience < INF:
            env.timeout(patience, call).callbacks.append(self._on_abandon)

    # -- abandonment and follow-up calls -------------------------------------------------------

    def _on_abandon(self, event: simpy.Event) -> None:
        call: Call = event.value
        if call.state != WAITING:
            return
        call.state = DONE
        call.outcome = ABANDONED
        call.abandoned_s = self.env.now
        channel = call.channel
        self.waiting[call.line] -= 1
        spec = self.channels[channel]
        u = call.follow_u
        p999 = spec.abandon_to_999_probability
        if u < p999 and self.to999 is not None:
            self.env.timeout(call.to999_delay_s, (self.to999, FROM_101, call)).callbacks.append(
                self._on_follow_up
            )
        elif u < p999 + spec.redial_probability and call.attempt < spec.max_redials:
            self.env.timeout(call.follow_delay_s, (channel, REDIAL, call)).callbacks.append(
                self._on_follow_up
            )
        self._final(call)  # the follow-up's event keeps the object until the caller rings again

    def _on_follow_up(self, event: simpy.Event) -> None:
        channel, origin, previous = event.value
        if self.env.now < self.scenario.end_s:
            self._new_call(channel, origin, previous.caller_id, previous.attempt + 1, previous)


def _attempts_needed(u: float, p: float) -> float:
    """The attempt on which a callback first reaches the caller (geometric; inf if never)."""
    if p >= 1.0:
        return 1.0
    if p <= 0.0:
        return INF
    ratio = math.log1p(-u) / math.log1p(-p)
    return 1.0 + math.floor(ratio) if math.isfinite(ratio) else INF
