"""How calls come in: arrivals, a new call's draws and THRIVE assessment, reaching the force
(or queueing), abandonment and the follow-up calls it brings (redials, 101 to 999).
"""

from __future__ import annotations

import math
from functools import partial

import simpy

from .arrivals import timed
from .draws import GradingDraws
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
from .front_desk import NO_VISIT
from .thrive import Grader


class Intake:
    """The part of :class:`~.room.ControlRoom` that takes calls in."""

    # -- arrivals -----------------------------------------------------------------------------

    def _arrivals(self, channel: int, force: int, blocks):  # type: ignore[no-untyped-def]
        """The process making ``channel``'s first calls (of ``force``) at the blocks' times."""
        first_call = partial(self._new_call, channel, FIRST, -1, 0, None, force)
        return timed(self.env, self.scenario.end_s, blocks, first_call)

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
        draws = (self.first_draws if origin == FIRST else self.follow_draws)[channel].draw()
        bt = draws.bt_s
        patience = draws.patience_s
        call.patience_s = patience if self.channels[channel].patience_s is not None else INF
        call.talk_s = draws.talk_s
        call.wrap_s = draws.wrap_s
        call.follow_u = draws.follow_u
        call.follow_delay_s = draws.follow_delay_s
        call.to999_delay_s = draws.to999_delay_s
        if channel == self.callback_channel:
            cb = self.callback_spec
            offer = draws.callback
            call.callback_accepted = offer.accept_u < cb.accept_probability
            call.callback_success_at = _attempts_needed(
                offer.success_u, cb.attempt_success_probability
            )
            call.callback_attempt_s = offer.attempt_s
            call.callback_retry_s = offer.retry_s
        grader = self.graders[channel]
        if grader is not None:
            self._assess(call, grader, draws.grading, previous)
            call.dispatch_draws = draws.dispatch
            call.support_draws = draws.support
        if self.front_desk is not None:
            call.fd = (
                self.front_desk.draws[origin != FIRST].visit()
                if channel == self.desk_channel
                else NO_VISIT
            )
        if bt > 0.0:
            self.env.timeout(bt, call).callbacks.append(self._on_reach)
        else:
            self._reach(call)

    def _assess(
        self,
        call: Call,
        grader: Grader,
        draws: GradingDraws,
        previous: Call | CallFacts | None,
    ) -> None:
        """Type, true risk and the THRIVE assessment, all from draws made at arrival; the
        type's own talk and wrap-up times where it has them, plus the sub-tasks done.

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
            kind = grader.classify(draws.type_u, draws.risk_u, draws.vulnerable_u, draws.repeat_u)
        result = grader.assess(*kind, draws.skip_u, draws.miss_u, draws.time_s, draws.refer_u)
        call.call_type, call.true_risk, call.vulnerable, call.repeat_victim = kind
        call.checks_done = result.done
        call.checks_s = result.checks_s
        call.assessed_risk = result.assessed_risk
        call.grade = result.grade
        if grader.own_talk or grader.own_wrap:
            # The type's own times, where it has them, in place of the channel's.
            slot = grader.talk_slot.get(kind[0])
            if slot is not None:
                call.talk_s = draws.type_talk_s[slot]
            slot = grader.wrap_slot.get(kind[0])
            if slot is not None:
                call.wrap_s = draws.type_wrap_s[slot]
        call.talk_s += result.checks_s

    def _on_reach(self, event: simpy.Event) -> None:
        self._reach(event.value)

    def _reach(self, call: Call) -> None:
        call.force_s = self.env.now
        if call.channel == self.desk_channel:
            self._to_desk(call)  # the front desk first (model/front_desk.py)
        else:
            self._join(call, call.patience_s)

    def _join(self, call: Call, patience: float) -> None:
        """The call joins its line's handlers: answered at once, or it queues with
        ``patience`` left (a call from the front desk has used some of its patience there)."""
        env = self.env
        channel = call.channel
        line = call.line
        if env.now >= self.outage_until:
            handler = self._pick_idle(line)
            if handler is None and self.digital is not None and self.digital.interrupts[line]:
                handler = self.digital.set_aside_for(line)  # [digital] set_aside: off an item
        else:  # a telephony outage: nobody answers
            handler = None
        if handler is not None:
            self._serve(handler, call)
            return
        call.state = WAITING
        self.queues[line].append(call)
        self.waiting[line] += 1
        cb = self.callback
        # Offered in the channel's own queue only (not to a 101 call the front desk sent to 999).
        if cb is not None and channel == self.callback_channel and line // self.n_forces == channel:
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
        self.waiting[call.line] -= 1
        self._abandon(call)

    def _abandon(self, call: Call) -> None:
        """The caller gives up (in a handlers' queue or at the front desk), and may ring
        again: the same number, or 999 instead of 101."""
        call.state = DONE
        call.outcome = ABANDONED
        call.abandoned_s = self.env.now
        channel = call.channel
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
