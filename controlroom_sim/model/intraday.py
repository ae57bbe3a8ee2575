"""Intraday decisions: the scenario's ``[[intraday_rules]]`` acting while the run goes.

Each rule is a SimPy process of its own that wakes at its check times (``check_every_min``,
2 × ``check_every_min``, ... of simulation time, before the end of the run), measures, and
acts when the measure is below the rule's threshold, the cooldown since its last firing has
passed and it has fired fewer than ``max_times`` in the run (or that day, midnight to
midnight). A scenario without rules makes no process and no watch: nothing here costs a thing.

The measure ``rolling_<channel>_10s`` at time ``t`` is the channel's 10-second rate as the
KPIs define it (the share of answered calls answered in under 10 s on the channel's answer
clock: :func:`controlroom_sim.analysis.call_kpis.channel_kpis`), over the calls answered in
``[t - window, t)``: what a dashboard shows of the last half hour. The model keeps the answers
it has seen (:class:`AnswerWatch`); :func:`controlroom_sim.analysis.intraday_kpis.rolling_rate`
computes the same from the records. A window without an answered call gives NaN: no firing.

Actions (``ACTION_KEYS`` of the schema) act on the call handlers' :class:`~.staffing.Staff`:
``cancel_breaks`` and ``call_in``. Each firing is a row of the ``rule_log`` table: ``time_s``,
``rule``, ``action``, ``measured``, ``called_in`` (handlers called in), ``breaks_cancelled``.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable

import pandas as pd
import simpy

from ..config.schema import ACTION_KEYS, IntradayRule, Scenario
from .digital import DigitalDesk
from .entities import Call
from .staffing import Staff

RULE_LOG_COLUMNS = ("time_s", "rule", "action", "measured", "called_in", "breaks_cancelled")


class AnswerWatch:
    """The answers of the watched channels: ``(answered_s, under 10 s)`` in order, kept for
    the longest window a rule looks back over."""

    def __init__(self, scenario: Scenario, channel_names: list[str], n_forces: int) -> None:
        self.n_forces = n_forces
        self.keep_s = max(rule.window_min for rule in scenario.intraday_rules) * 60.0
        watched = {rule.measure.split("_")[1] for rule in scenario.intraday_rules}
        self.answers: list[deque[tuple[float, bool]] | None] = [
            deque() if name in watched else None for name in channel_names
        ]
        self.from_force = [
            scenario.channels[name].answer_clock == "force" for name in channel_names
        ]
        self.index = {name: i for i, name in enumerate(channel_names)}

    def answered(self, call: Call) -> None:
        """A handler has answered ``call`` (at ``call.answered_s``)."""
        c = call.line // self.n_forces
        answers = self.answers[c]
        if answers is not None:
            start = call.force_s if self.from_force[c] else call.arrival_s
            answers.append((call.answered_s, call.answered_s - start < 10.0))

    def rate(self, channel: str, t: float, window_s: float) -> float:
        """The channel's 10-second rate over the calls answered in ``[t - window_s, t)``."""
        answers = self.answers[self.index[channel]]
        assert answers is not None
        while answers and answers[0][0] < t - self.keep_s:
            answers.popleft()
        lo = t - window_s
        inside = [fast for at, fast in answers if lo <= at < t]
        return sum(inside) / len(inside) if inside else math.nan


class IntradayRules:
    """The scenario's rules, each checking from its own process, and their log."""

    def __init__(
        self,
        env: simpy.Environment,
        scenario: Scenario,
        watch: AnswerWatch,
        staff: Staff,
        digital: DigitalDesk | None = None,
    ) -> None:
        self.env = env
        self.digital = digital
        # Until when the digital desk is pulled (pull_from_digital); -inf when it is not.
        self.digital_back_s = -math.inf
        self.scenario = scenario
        self.watch = watch
        self.staff = staff
        self.log: list[tuple[float, int, str, float, int, int]] = []
        self.actions: dict[str, Callable[[IntradayRule], tuple[int, int]]] = {
            "cancel_breaks": self._cancel_breaks,
            "call_in": self._call_in,
            "pull_from_digital": self._pull_from_digital,
        }
        staff.record_call_ins = True
        for i, rule in enumerate(scenario.intraday_rules):
            env.process(self._checks(i, rule))

    def _checks(self, i: int, rule: IntradayRule):  # type: ignore[no-untyped-def]
        env, end_s = self.env, self.scenario.end_s
        every, window = rule.check_every_min * 60.0, rule.window_min * 60.0
        channel = rule.measure.split("_")[1]
        fired: list[float] = []
        n = 1
        while n * every < end_s:
            t = n * every
            n += 1
            yield env.timeout(t - env.now)
            value = self.watch.rate(channel, t, window)
            if not value < rule.below:  # NaN (no answered call) never fires
                continue
            if fired and t < fired[-1] + rule.cooldown_min * 60.0:
                continue
            if rule.max_times is not None and self._times(rule, fired, t) >= rule.max_times:
                continue
            fired.append(t)
            called_in, cancelled = self.actions[rule.action](rule)
            self.log.append((t, i, rule.action, value, called_in, cancelled))

    def _times(self, rule: IntradayRule, fired: list[float], t: float) -> int:
        """Firings so far in the run, or on ``t``'s day (midnight to midnight)."""
        if rule.max_times_per == "run":
            return len(fired)
        origin = self.scenario.origin_weekday_s
        day = (t + origin) // 86400.0
        return sum(1 for f in fired if (f + origin) // 86400.0 == day)

    def _cancel_breaks(self, rule: IntradayRule) -> tuple[int, int]:
        return 0, self.staff.cancel_breaks(rule.group)

    def _call_in(self, rule: IntradayRule) -> tuple[int, int]:
        assert rule.group is not None and rule.count is not None
        assert rule.delay_min is not None and rule.hours is not None
        ids = self.staff.call_in(
            rule.group, rule.count, rule.delay_min * 60.0, rule.hours, rule.name
        )
        return len(ids), 0

    def _pull_from_digital(self, rule: IntradayRule) -> tuple[int, int]:
        """Nobody takes a digital item for ``hours`` (under ``set_aside``, items in hand are set
        aside now): the handlers with the skill are free for calls. A firing while the desk is
        pulled makes the pull last to its own end."""
        assert self.digital is not None and rule.hours is not None
        back = self.env.now + rule.hours * 3600.0
        if back > self.digital_back_s:
            if self.digital_back_s < self.env.now:
                self.digital.suspend()
            self.digital_back_s = back
            self.env.timeout(rule.hours * 3600.0, back).callbacks.append(self._on_digital_back)
        return 0, 0

    def _on_digital_back(self, event: simpy.Event) -> None:
        if event.value == self.digital_back_s:  # not pulled for longer since
            assert self.digital is not None
            self.digital.resume()

    def table(self) -> pd.DataFrame:
        """The ``rule_log`` table: one row per firing, in time order."""
        names = [rule.name for rule in self.scenario.intraday_rules]
        table = pd.DataFrame(self.log, columns=list(RULE_LOG_COLUMNS))
        table = table.sort_values(["time_s", "rule"], kind="stable").reset_index(drop=True)
        table["rule"] = pd.Categorical.from_codes(table["rule"].astype("int64"), categories=names)
        table["action"] = pd.Categorical(table["action"], categories=list(ACTION_KEYS))
        return table.astype(
            {
                "time_s": "float64",
                "measured": "float64",
                "called_in": "int64",
                "breaks_cancelled": "int64",
            }
        )
