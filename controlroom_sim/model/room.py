"""The control room: one replication of a scenario, event by event, on SimPy.

A call's way through (product.md, "The model"):

1. It is made at its arrival time (an exact non-homogeneous Poisson process per channel, or
   given times). Every per-call attribute is drawn now, from named streams: the BT stage,
   patience, talk and wrap-up times, the redial choice and delay, the callback choices.
2. A 999 call passes the BT operator stage (if the channel has one) and reaches the force.
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
import math
from collections import deque
from collections.abc import Iterator, Mapping, Sequence

import numpy as np
import pandas as pd
import simpy

from ..config.distributions import Exponential
from ..config.schema import Callback, Channel, Dispatch, Scenario, SupportWorkers
from ..config.vocabulary import CHECKS, GRADES, RESPONSE_GRADES, RISK_LEVELS
from .arrivals import arrival_blocks
from .columns import MASK, Rows, Slots, as_frame
from .dispatch import RANK, DispatchDesk
from .records import ORIGINS, OUTCOMES, WORK_KINDS, RunRecords
from .rng import RandomStreams
from .staffing import BUSY, IDLE, Member, Staff
from .support import SupportDesk, SupportWorker
from .thrive import Grader

# Outcomes (indices into OUTCOMES).
ANSWERED, ABANDONED, CALLBACK_ANSWERED, CALLBACK_FAILED, OPEN = range(5)
# Where a call is.
AT_BT, WAITING, CALLBACK_WAIT, CALLBACK_RETRY, IN_SERVICE, DONE = range(6)
# Origins (indices into ORIGINS).
FIRST, REDIAL, FROM_101, REPEAT = range(4)
RESOLVED = GRADES.index("resolved")
PRIORITY = GRADES.index("priority")
# Work kinds (indices into WORK_KINDS).
WORK_CALL, WORK_CALLBACK, WORK_ATTEMPT = range(3)

INF = math.inf
_ATTRIBUTE_BLOCK = 2048


class Call:
    """One offered call and what happened to it (times in simulation seconds)."""

    __slots__ = (
        "abandoned_s",
        "answered_s",
        "arrival_s",
        "assessed_risk",
        "attempt",
        "call_id",
        "call_type",
        "callback_accepted",
        "callback_attempt_s",
        "callback_attempts",
        "callback_offered_s",
        "callback_retry_s",
        "callback_success_at",
        "caller_id",
        "channel",
        "checks_done",
        "checks_s",
        "dispatch_draws",
        "end_s",
        "follow_delay_s",
        "follow_u",
        "force",
        "force_s",
        "grade",
        "handler_id",
        "line",
        "origin",
        "outcome",
        "patience_s",
        "repeat_victim",
        "state",
        "support_draws",
        "support_end_s",
        "support_group",
        "support_start_s",
        "support_worker_id",
        "talk_s",
        "to999_delay_s",
        "true_risk",
        "vulnerable",
        "wrap_end_s",
        "wrap_s",
    )

    def __init__(
        self,
        call_id: int,
        caller_id: int,
        attempt: int,
        origin: int,
        channel: int,
        arrival_s: float,
    ) -> None:
        nan = math.nan
        self.call_id = call_id
        self.caller_id = caller_id
        self.attempt = attempt
        self.origin = origin
        self.channel = channel
        self.arrival_s = arrival_s
        self.force_s = nan
        self.answered_s = nan
        self.abandoned_s = nan
        self.end_s = nan
        self.wrap_end_s = nan
        self.handler_id = -1
        self.outcome = OPEN
        self.state = AT_BT
        self.callback_offered_s = nan
        self.callback_accepted = False
        self.callback_attempts = 0
        self.call_type = -1  # -1: not typed (the scenario has no call types)
        self.grade = -1
        self.support_worker_id = -1
        self.support_start_s = nan
        self.support_end_s = nan


class CallFacts:
    """What a later call about the same matter needs of a call (the caller, the attempt, the
    force, the caller's situation) and what its incident's row shows (the id, the true risk and
    vulnerability at the call): kept by an incident or a pending repeat call instead of the
    whole :class:`Call`, which is written to the records and dropped."""

    __slots__ = (
        "attempt",
        "call_id",
        "call_type",
        "caller_id",
        "force",
        "repeat_victim",
        "true_risk",
        "vulnerable",
    )

    def __init__(self, call: Call) -> None:
        self.call_id = call.call_id
        self.caller_id = call.caller_id
        self.attempt = call.attempt
        self.force = call.force
        self.call_type = call.call_type
        self.true_risk = call.true_risk
        self.vulnerable = call.vulnerable
        self.repeat_victim = call.repeat_victim


class Handler(Member):
    """One call handler on one shift, with the lines it takes in priority order.

    A line is a channel's calls of one force (``channel * forces + force``); a room without
    ``[[forces]]`` has one force, so its lines are its channels.
    """

    __slots__ = ("levels", "skills")

    def __init__(
        self,
        member_id: int,
        group: int,
        skills: tuple[int, ...],
        levels: tuple[tuple[int, ...], ...],
    ) -> None:
        super().__init__(member_id, group)
        self.skills = skills
        self.levels = levels


class _Attributes:
    """Per-call attributes of one channel, drawn in blocks from named streams.

    The i-th call of a kind (first calls, or follow-ups: redials and 101 callers ringing 999)
    gets the i-th draw of every stream, whatever happened before it, so two scenarios run with
    the same seed give their i-th callers the same patience, talk time and choices.
    """

    def __init__(
        self,
        streams: RandomStreams,
        prefix: str,
        channel: Channel,
        callback: Callback | None,
        grader: Grader | None = None,
        dispatch: Dispatch | None = None,
        support: Sequence[SupportWorkers] = (),
    ) -> None:
        self._specs: list[tuple[str, object]] = []

        def add(name: str, dist: object) -> None:
            self._specs.append((name, dist))

        add("bt_s", channel.bt_connect_s)
        add("patience_s", channel.patience_s)
        add("talk_s", channel.talk_s)
        add("wrap_s", channel.wrap_s)
        add("follow_u", "uniform")
        add("follow_delay_s", channel.redial_delay_s)
        add("to999_delay_s", channel.abandon_to_999_delay_s)
        if callback is not None:
            add("accept_u", "uniform")
            add("success_u", "uniform")
            add("attempt_s", callback.attempt_s)
            add("retry_s", callback.retry_after_s)
        if grader is not None:
            self.graded_at = len(self._specs)
            for name in ("type_u", "risk_u", "vulnerable_u", "repeat_u", "refer_u"):
                add(name, "uniform")
            for name, check in grader.checks:
                add(f"{name}.skip_u", "uniform")
                add(f"{name}.miss_u", "uniform")
                add(f"{name}.time_s", check.time_s)
        if grader is not None and dispatch is not None:
            self.dispatch_at = len(self._specs)
            add("rural_u", "uniform")
            add("travel_s", dispatch.travel_s)
            add("rural_travel_s", dispatch.rural_travel_s)
            for grade in RESPONSE_GRADES:
                add(f"on_scene.{grade}", dispatch.on_scene_s[grade])
            add("suppress_u", "uniform")
            rate = dispatch.escalation_per_hour
            add(
                "escalate_s",
                Exponential(dist="exponential", mean=3600.0 / rate) if rate > 0 else None,
            )
            add("repeat_u", "uniform")
            failure = dispatch.failure_demand
            add("repeat_delay_s", failure.resolved_delay_s if failure is not None else None)
            add("allocation_s", dispatch.allocation_s)
        if grader is not None and support:
            self.support_at = len(self._specs)
            for g, group in enumerate(support):
                add(f"support{g}.handover_s", group.handover_s)
                add(f"support{g}.talk_s", group.talk_s)
            add("support.attend_u", "uniform")
            self.support_n = 2 * len(support) + 1
        self._rngs = [streams.generator(f"{prefix}.{name}") for name, _ in self._specs]
        self._rows: list[tuple[float, ...]] = []
        self._next = 0

    def _refill(self) -> None:
        columns = []
        for (_, dist), rng in zip(self._specs, self._rngs, strict=True):
            if dist is None:
                columns.append(np.zeros(_ATTRIBUTE_BLOCK))
            elif dist == "uniform":
                columns.append(rng.random(_ATTRIBUTE_BLOCK))
            else:
                columns.append(dist.sample(rng, _ATTRIBUTE_BLOCK))  # type: ignore[attr-defined]
        self._rows = list(zip(*(c.tolist() for c in columns), strict=True))
        self._next = 0

    def draw(self) -> tuple[float, ...]:
        if self._next >= len(self._rows):
            self._refill()
        row = self._rows[self._next]
        self._next += 1
        return row


class ControlRoom:
    """One replication of a scenario. Build it, call :meth:`run`, read the records.

    Parameters
    ----------
    scenario:
        A validated scenario.
    replication:
        Replication index; with ``scenario.scenario.seed`` it seeds every stream.
    arrival_times:
        Optional first-call arrival times per channel name (simulation seconds), replacing
        the Poisson process: trace-driven runs and exact-trace tests.
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
        self.call_rows = Slots(_CALL_COLUMNS)
        self.grading_rows = Slots(_GRADING_COLUMNS) if scenario.call_types else None
        self.support_rows = Slots(_SUPPORT_COLUMNS) if scenario.support_workers else None
        self.work = Rows(_WORK_COLUMNS)

        cb = scenario.callback
        self.callback_channel = self.index.get("101") if cb is not None and cb.enabled else None
        self.callback = cb if self.callback_channel is not None else None
        self.graders = [Grader(scenario, name) if scenario.call_types else None for name in names]
        self.first_attrs, self.follow_attrs = (
            [
                _Attributes(
                    self.streams,
                    f"{kind}.{name}",
                    ch,
                    self.callback if i == self.callback_channel else None,
                    self.graders[i],
                    scenario.dispatch,
                    scenario.support_workers,
                )
                for i, (name, ch) in enumerate(zip(names, self.channels, strict=True))
            ]
            for kind in ("first", "followup")
        )
        self.to999 = self.index.get("999")
        self._mean_handle = [
            ch.talk_s.mean + (ch.wrap_s.mean if ch.wrap_s is not None else 0.0)
            for ch in self.channels
        ]

        self._build_handlers()
        self.support = SupportDesk(self.env, scenario) if scenario.support_workers else None
        self.desk = (
            DispatchDesk(
                self.env,
                scenario,
                self.repeat_call,  # type: ignore[arg-type]
                self.streams.generator("dispatch.reviews"),
            )
            if scenario.dispatch is not None
            else None
        )
        for i, name in enumerate(names):
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
        )

    def _count_duty(self, handler: Handler, delta: int) -> None:
        for line in handler.skills:
            self.on_duty_for[line] += delta

    def _withdraw(self, handler: Handler) -> None:
        self.idle[handler.group].remove(handler)

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

    # -- callbacks (101) ----------------------------------------------------------------------

    def _on_offer(self, event: simpy.Event) -> None:
        call: Call = event.value
        if call.state == WAITING:
            self._offer(call)

    def _offer(self, call: Call) -> None:
        env = self.env
        call.callback_offered_s = env.now
        if call.callback_accepted:
            call.state = CALLBACK_WAIT
            return
        remaining = call.patience_s - (env.now - call.force_s)
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
        cb = self.callback
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
        handler = self._pick_idle(line)
        if handler is not None:
            self._serve(handler, call)
            return
        self.retry_due[line].append(call)
        self.waiting[line] += 1

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
        support = self.support
        if support is not None and call.call_type in support.types:
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
        handover, talk = call.support_draws[2 * group], call.support_draws[2 * group + 1]
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
        if self.desk is not None and call.support_draws[-1] < spec.attendance_probability:
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
        rural_u, urban_s, rural_s, *rest = call.dispatch_draws
        on_scene, (suppress_u, escalate_s, repeat_u, repeat_delay_s, allocation_s) = (
            rest[:3],
            rest[3:],
        )
        if call.grade in RANK:
            rural = rural_u < desk.spec.rural_share
            incident = desk.raise_incident(
                CallFacts(call),
                call.arrival_s,
                call.grade,
                call.true_risk,
                rural,
                rural_s if rural else urban_s,
                tuple(on_scene),
                (suppress_u, escalate_s, repeat_u, allocation_s),
            )
            call.grade = incident.grade  # lowered if demand suppression was on
            return
        failure = desk.spec.failure_demand
        if (
            failure is not None
            and call.grade == RESOLVED
            and repeat_u < failure.resolved_probability
        ):
            self.env.timeout(repeat_delay_s, CallFacts(call)).callbacks.append(self._on_repeat_due)

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
        call = self._next_call(handler)
        if call is not None:
            self._serve(handler, call)
        else:
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

    # -- running ------------------------------------------------------------------------------

    def run(self) -> RunRecords:
        """Simulate to the end of the cool-down and return the records."""
        with _without_cyclic_gc():
            end = self.scenario.end_s
            self.env.run(until=end)
            self.staff.close()
            if self.desk is not None:
                self.desk.close()
            if self.support is not None:
                self.support.close()
            return self._records()

    # -- records ------------------------------------------------------------------------------

    def _final(self, call: Call) -> None:
        """The call will not change again: its row is written and the object let go.

        That is when it is abandoned; when its callback fails for the last time; when a
        handler (or a callback) reaches the caller, at once if nothing is raised from it, else
        once ``_raise`` has set its grade at the end of the talk; when a support worker ends
        it. The calls still in the system when the run stops are written by the records."""
        del self.live[call.call_id]
        self._write(call)

    def _write(self, call: Call) -> None:
        """Write the call's row into the column store, at its id."""
        i = call.call_id
        j = i & MASK
        (
            caller_id,
            attempt,
            origin,
            channel,
            force,
            arrival_s,
            force_s,
            answered_s,
            abandoned_s,
            end_s,
            wrap_end_s,
            outcome,
            handler_id,
            callback_offered_s,
            callback_accepted,
            callback_attempts,
            patience_s,
            talk_s,
            wrap_s,
        ) = self.call_rows.chunk(i)
        caller_id[j] = call.caller_id
        attempt[j] = call.attempt
        origin[j] = call.origin
        channel[j] = call.channel
        force[j] = call.force
        arrival_s[j] = call.arrival_s
        force_s[j] = call.force_s
        answered_s[j] = call.answered_s
        abandoned_s[j] = call.abandoned_s
        end_s[j] = call.end_s
        wrap_end_s[j] = call.wrap_end_s
        outcome[j] = call.outcome
        handler_id[j] = call.handler_id
        callback_offered_s[j] = call.callback_offered_s
        callback_accepted[j] = call.callback_accepted
        callback_attempts[j] = call.callback_attempts
        patience_s[j] = call.patience_s
        talk_s[j] = call.talk_s
        wrap_s[j] = call.wrap_s
        if self.grading_rows is not None:
            (
                call_type,
                true_risk,
                vulnerable,
                repeat_victim,
                assessed_risk,
                grade,
                checks_s,
                *done,
            ) = self.grading_rows.chunk(i)
            call_type[j] = call.call_type
            true_risk[j] = call.true_risk
            vulnerable[j] = call.vulnerable
            repeat_victim[j] = call.repeat_victim
            assessed_risk[j] = call.assessed_risk
            grade[j] = call.grade
            checks_s[j] = call.checks_s
            for column, value in zip(done, call.checks_done, strict=True):
                column[j] = value
        if self.support_rows is not None:
            worker_id, start_s, support_end_s = self.support_rows.chunk(i)
            worker_id[j] = call.support_worker_id
            start_s[j] = call.support_start_s
            support_end_s[j] = call.support_end_s

    def _grading_columns(self, frame: pd.DataFrame) -> None:
        """Type, true risk and flags of every call; the assessment of calls that were graded
        (answered by a handler or reached by a callback)."""
        rows = self.grading_rows
        assert rows is not None
        n = len(frame)
        typed = np.ones(n, dtype=bool)
        graded = frame["outcome"].isin(["answered", "callback_answered"]).to_numpy()
        names = [t.name for t in self.scenario.call_types]
        frame["call_type"] = _codes(rows.column("call_type", n), names, typed)
        frame["true_risk"] = _codes(rows.column("true_risk", n), RISK_LEVELS, typed)
        frame["vulnerable"] = rows.column("vulnerable", n)
        frame["repeat_victim"] = rows.column("repeat_victim", n)
        frame["assessed_risk"] = _codes(rows.column("assessed_risk", n), RISK_LEVELS, graded)
        frame["grade"] = _codes(rows.column("grade", n), GRADES, graded)
        for name in CHECKS:
            column = pd.array(rows.column(f"{name}_done", n), dtype="boolean")
            column[~graded] = pd.NA
            frame[f"{name}_done"] = column
        frame["checks_s"] = np.where(graded, rows.column("checks_s", n), np.nan)

    def _call_table(self) -> pd.DataFrame:
        """The ``calls`` table, a column at a time from the store (see :mod:`.columns`)."""
        for call in self.live.values():  # open, waiting or in service when the run stopped
            self._write(call)
        self.live.clear()
        n = self.calls_made
        rows = self.call_rows
        frame = as_frame(
            (name, np.arange(n, dtype=np.int64) if name == "call_id" else rows.column(name, n))
            for name in _CALL_DTYPES
        )
        frame["callback_accepted"] = (
            frame["callback_accepted"] & frame["callback_offered_s"].notna()
        )
        frame.insert(3, "origin", _categorical(rows.column("origin", n), ORIGINS))
        frame.insert(4, "channel", _categorical(rows.column("channel", n), self.channel_names))
        frame.insert(11, "outcome", _categorical(rows.column("outcome", n), OUTCOMES))
        if self.force_names:
            frame.insert(5, "force", _categorical(rows.column("force", n), self.force_names))
        if self.scenario.call_types:
            self._grading_columns(frame)
        if self.support_rows is not None:
            for name in _SUPPORT_COLUMNS:
                frame[name] = self.support_rows.column(name, n)
        return frame

    def _records(self) -> RunRecords:
        frame = self._call_table()
        work = self.work.frame()
        work["kind"] = pd.Categorical.from_codes(work["kind"], categories=list(WORK_KINDS))
        duty = self.staff.duty_table("handler_id")
        handlers = self.staff.member_table("handler_id")
        sc = self.scenario
        desk = self.desk
        return RunRecords(
            incidents=desk.incident_table() if desk is not None else None,
            officer_duty=desk.staff.duty_table("officer_id") if desk is not None else None,
            officers=desk.staff.member_table("officer_id") if desk is not None else None,
            review_s=desk.review_s if desk is not None else 0.0,
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
            replication=self.replication,
            warmup_s=sc.warmup_s,
            horizon_s=sc.horizon_s,
            end_s=sc.end_s,
            calls=frame,
            work=work,
            duty=duty,
            handlers=handlers,
            origin_weekday_s=sc.origin_weekday_s,
        )


_CALL_DTYPES = {
    "call_id": "int64",
    "caller_id": "int64",
    "attempt": "int64",
    "arrival_s": "float64",
    "force_s": "float64",
    "answered_s": "float64",
    "abandoned_s": "float64",
    "end_s": "float64",
    "wrap_end_s": "float64",
    "handler_id": "int64",
    "callback_offered_s": "float64",
    "callback_accepted": "bool",
    "callback_attempts": "int64",
    "patience_s": "float64",
    "talk_s": "float64",
    "wrap_s": "float64",
}
"""The plain columns of the ``calls`` table, in order (the categorical ones are inserted)."""

# The column store of calls, in the order ControlRoom._write unpacks it: the plain columns
# but the id (the row's index), and the codes of the categorical ones.
_CALL_COLUMNS = {
    "caller_id": "int64",
    "attempt": "int64",
    "origin": "int8",
    "channel": "int8",
    "force": "int8",
    "arrival_s": "float64",
    "force_s": "float64",
    "answered_s": "float64",
    "abandoned_s": "float64",
    "end_s": "float64",
    "wrap_end_s": "float64",
    "outcome": "int8",
    "handler_id": "int64",
    "callback_offered_s": "float64",
    "callback_accepted": "bool",
    "callback_attempts": "int64",
    "patience_s": "float64",
    "talk_s": "float64",
    "wrap_s": "float64",
}
_GRADING_COLUMNS = {
    "call_type": "int16",
    "true_risk": "int8",
    "vulnerable": "bool",
    "repeat_victim": "bool",
    "assessed_risk": "int8",
    "grade": "int8",
    "checks_s": "float64",
    **{f"{name}_done": "bool" for name in CHECKS},
}
_SUPPORT_COLUMNS = {
    "support_worker_id": "int64",
    "support_start_s": "float64",
    "support_end_s": "float64",
}
_WORK_COLUMNS = {
    "handler_id": "int64",
    "call_id": "int64",
    "start_s": "float64",
    "end_s": "float64",
    "kind": "int8",
}


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


def _codes(values: np.ndarray, categories: Sequence[str], keep: np.ndarray) -> pd.Categorical:
    codes = np.where(keep, np.asarray(values, dtype=np.int64), -1)
    return pd.Categorical.from_codes(codes, categories=list(categories))


def _categorical(codes: np.ndarray, categories: Sequence[str]) -> pd.Categorical:
    return pd.Categorical.from_codes(codes, categories=list(categories))


def _attempts_needed(u: float, p: float) -> float:
    """The attempt on which a callback first reaches the caller (geometric; inf if never)."""
    if p >= 1.0:
        return 1.0
    if p <= 0.0:
        return INF
    ratio = math.log1p(-u) / math.log1p(-p)
    return 1.0 + math.floor(ratio) if math.isfinite(ratio) else INF


def simulate(
    scenario: Scenario,
    replication: int = 0,
    arrival_times: Mapping[str, Sequence[float]] | None = None,
) -> RunRecords:
    """Run one replication of ``scenario`` and return its records."""
    return ControlRoom(scenario, replication, arrival_times).run()
