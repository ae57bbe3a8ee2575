"""Simulated against analytic: the queueing model of a stationary scenario, side by side.

A scenario has an exact Erlang counterpart when it has one channel with flat demand, no surges,
exponential talk time and no wrap-up, no BT stage (or an answer clock started at the force),
exponential or absent patience, no redials or callbacks, and one handler group on duty around
the clock. Then Erlang A (or Erlang C without patience) gives the abandonment rate, the mean
answer time of answered calls, the shares answered within 10 seconds (of answered and of
offered calls) and the occupancy, which the simulation must reproduce within its confidence
intervals.

A dispatch-only scenario (calls answered at once with no talk time, no travel, the same
exponential time on scene for every grade, one officer group around the clock, flat demand) is
a non-preemptive priority M/M/c queue of incidents: Cobham's formula gives the mean wait of
each grade, which is then the mean attendance time from the call.

A front desk (``[front_desk]``) before such a channel, one that keeps (next to) nobody waiting
and passes every call it does not resolve to the channel's own queue, feeds the handlers a
Poisson stream thinned to λ(1−p): theory is Erlang A on that stream, for the routed calls' KPIs
(``routed_abandon_rate_101`` and the like).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..config.distributions import Exponential, Fixed
from ..config.schema import Scenario
from ..config.vocabulary import GRADE_FOR_RISK, RESPONSE_GRADES, RISK_LEVELS
from .confidence import confidence_interval
from .erlang.erlang_a import erlang_a_metrics
from .erlang.erlang_c import erlang_c_metrics, priority_mmc_waits
from .erlang.queue_metrics import QueueMetrics
from .kpi_kinds import kpi_bounds

TARGET_S = 10.0


class NotAnErlangCase(ValueError):
    """The scenario has no exact Erlang counterpart; the message says why, in one line."""


@dataclass(frozen=True)
class ErlangCase:
    """The Erlang model of a scenario."""

    channel: str
    arrival_rate: float
    """Calls per second."""
    mean_service: float
    mean_patience: float | None
    servers: int
    routed: bool = False
    """The handlers' queue behind a front desk: theory for the routed calls' KPIs."""

    def metrics(self, target: float = TARGET_S) -> QueueMetrics:
        if self.mean_patience is None:
            return erlang_c_metrics(self.arrival_rate, self.mean_service, self.servers, target)
        return erlang_a_metrics(
            self.arrival_rate, self.mean_service, self.mean_patience, self.servers, target
        )

    def expected_kpis(self, target: float = TARGET_S) -> dict[str, float]:
        """Theory for the KPIs the simulator reports, by KPI name."""
        m = self.metrics(target)
        c = self.channel
        if self.routed:
            return {
                f"routed_abandon_rate_{c}": m.p_abandon,
                f"routed_mean_answer_s_{c}": m.mean_wait_answered,
                f"routed_answered_within_10s_{c}": m.service_level_answered,
                f"routed_answered_within_10s_of_offered_{c}": m.service_level_offered,
                "handler_occupancy": m.occupancy,
            }
        return {
            f"abandon_rate_{c}": m.p_abandon,
            f"mean_answer_s_{c}": m.mean_wait_answered,
            f"answered_within_10s_{c}": m.service_level_answered,
            f"answered_within_10s_of_offered_{c}": m.service_level_offered,
            "handler_occupancy": m.occupancy,
        }


def erlang_case(scenario: Scenario) -> ErlangCase:
    """The Erlang model of ``scenario``; :class:`NotAnErlangCase` if it has none."""
    live = [name for name, ch in scenario.channels.items() if ch.calls_per_day > 0]
    if len(live) != 1:
        raise NotAnErlangCase(f"expected exactly one channel with calls, found {len(live)}")
    name = live[0]
    ch = scenario.channels[name]
    why = []
    if ch.profile is not None:
        why.append("a demand profile (Erlang needs flat demand)")
    if any(name in s.channels for s in scenario.surges):
        why.append("surges")
    if not isinstance(ch.talk_s, Exponential):
        why.append(f"talk_s is {ch.talk_s.describe()} (Erlang needs exponential)")
    if ch.wrap_s is not None and ch.wrap_s.mean > 0:
        why.append("wrap-up time")
    if ch.bt_connect_s is not None and ch.bt_connect_s.mean > 0 and ch.answer_clock == "call":
        why.append("a BT stage inside the answer clock")
    if ch.patience_s is not None and not isinstance(ch.patience_s, Exponential):
        why.append(f"patience_s is {ch.patience_s.describe()} (Erlang A needs exponential)")
    if ch.redial_probability > 0 or ch.abandon_to_999_probability > 0:
        why.append("redials")
    if scenario.callback is not None and scenario.callback.enabled and name == "101":
        why.append("callbacks")
    groups = [g for g in scenario.handlers if name in g.skills and g.headcount > 0]
    if len(groups) != 1 or groups[0].count is None:
        why.append("handlers other than one group on duty around the clock")
    rate = ch.calls_per_day / 86400.0
    if scenario.front_desk is not None:
        why.extend(_front_desk_why(scenario, name, rate))
        rate *= 1.0 - scenario.front_desk.resolve_probability
    if why:
        raise NotAnErlangCase("no exact Erlang counterpart: it has " + "; ".join(why))
    assert groups[0].count is not None
    return ErlangCase(
        routed=scenario.front_desk is not None,
        channel=name,
        arrival_rate=rate,
        mean_service=ch.talk_s.mean,
        mean_patience=ch.patience_s.mean if ch.patience_s is not None else None,
        servers=groups[0].count,
    )


def _front_desk_why(scenario: Scenario, channel: str, rate: float) -> list[str]:
    """What keeps a front desk from passing the handlers a Poisson stream of its unresolved
    calls, with their patience intact: the desk must keep (next to) nobody waiting (then its
    output is Poisson, as an M/M/infinity queue's; Burke) and send every call it does not
    resolve to the channel's own queue, and bring no repeat calls."""
    desk = scenario.front_desk
    assert desk is not None
    why = []
    if not isinstance(desk.time_s, Exponential):
        why.append(f"front_desk.time_s is {desk.time_s.describe()} (needs exponential)")
    if any(route.target != channel for route in desk.routes):
        why.append("front-desk routes to another channel")
    if desk.repeat_probability > 0:
        why.append("repeat calls from the front desk")
    ops = desk.operators
    if len(ops) != 1 or ops[0].count is None:
        why.append("front-desk operators other than one group on duty around the clock")
    elif erlang_c_metrics(rate, desk.time_s.mean, ops[0].count, TARGET_S).p_wait > 1e-6:
        why.append("a front desk that keeps callers waiting (its output is not Poisson)")
    return why


@dataclass(frozen=True)
class PriorityCase:
    """The non-preemptive priority M/M/c model of a dispatch-only scenario."""

    arrival_rates: dict[str, float]
    """Incidents per second of each response grade."""
    mean_service: float
    servers: int

    def expected_kpis(self) -> dict[str, float]:
        rates = [self.arrival_rates.get(g, 0.0) for g in RESPONSE_GRADES]
        waits = priority_mmc_waits(rates, self.mean_service, self.servers)
        return {
            f"mean_attendance_min_{grade}": wait / 60.0
            for grade, wait, rate in zip(RESPONSE_GRADES, waits, rates, strict=True)
            if rate > 0
        }


def priority_case(scenario: Scenario) -> PriorityCase:
    """The priority M/M/c model of a dispatch-only scenario; NotAnErlangCase if none."""
    dispatch = scenario.dispatch
    if dispatch is None:
        raise NotAnErlangCase("no exact counterpart: it has no [dispatch] section")
    live = [name for name, ch in scenario.channels.items() if ch.calls_per_day > 0]
    if len(live) != 1:
        raise NotAnErlangCase(f"expected exactly one channel with calls, found {len(live)}")
    ch = scenario.channels[live[0]]
    why = []
    if ch.profile is not None or scenario.surges:
        why.append("time-varying demand")
    if not (isinstance(ch.talk_s, Fixed) and ch.talk_s.value == 0):
        why.append("talk time (calls must end as they are answered)")
    if ch.bt_connect_s is not None and ch.bt_connect_s.mean > 0:
        why.append("a BT stage")
    if scenario.thrive is not None:
        why.append("THRIVE sub-tasks")
    if not (isinstance(dispatch.travel_s, Fixed) and dispatch.travel_s.value == 0):
        why.append("travel time")
    scene = {g: dispatch.on_scene_s[g] for g in RESPONSE_GRADES}
    if not all(isinstance(d, Exponential) for d in scene.values()) or (
        len({d.mean for d in scene.values()}) != 1
    ):
        why.append("on-scene times that are not one exponential for every grade")
    if len(scenario.officers) != 1 or scenario.officers[0].count is None:
        why.append("officers other than one group on duty around the clock")
    if why:
        raise NotAnErlangCase("no exact counterpart: it has " + "; ".join(why))
    rate = ch.calls_per_day / 86400.0
    rates: dict[str, float] = {}
    for call_type in scenario.call_types:
        share = call_type.share.get(live[0], 0.0)
        for level, p in call_type.risk.items():
            grade = GRADE_FOR_RISK[RISK_LEVELS.index(level)]
            if grade in RESPONSE_GRADES:
                rates[grade] = rates.get(grade, 0.0) + rate * share * p
    count = scenario.officers[0].count
    assert count is not None
    return PriorityCase(rates, scene["emergency"].mean, count)


def expected_kpis(scenario: Scenario) -> dict[str, float]:
    """Theory for a scenario with an exact counterpart (Erlang, or priority M/M/c)."""
    if scenario.dispatch is not None:
        return priority_case(scenario).expected_kpis()
    return erlang_case(scenario).expected_kpis()


def describe_case(scenario: Scenario) -> str:
    """One line on the queueing model a validation scenario stands for."""
    if scenario.dispatch is not None:
        case = priority_case(scenario)
        load = sum(case.arrival_rates.values()) * case.mean_service
        return (
            f"priority M/M/{case.servers}, {load:.2f} Erlangs offered "
            f"({load / case.servers:.0%} per officer)"
        )
    erlang = erlang_case(scenario)
    load = erlang.arrival_rate * erlang.mean_service
    behind = (
        f" behind a front desk (its unresolved calls: {erlang.arrival_rate * 86400:,.0f} a day)"
        if erlang.routed
        else ""
    )
    return (
        f"{erlang.servers} handlers{behind}, offered load {load:.2f} Erlangs "
        f"({load / erlang.servers:.0%} per handler)"
    )


def compare(scenario: Scenario, kpis: pd.DataFrame, confidence: float = 0.99) -> pd.DataFrame:
    """Simulated KPIs (long table over replications) beside queueing theory.

    Returns one row per KPI with ``theory``, the simulated ``mean``, the ``confidence``
    interval ``ci_low``/``ci_high`` over replications, ``n`` and ``inside`` (theory within the
    interval).
    """
    expected = expected_kpis(scenario)
    rows = []
    for kpi, theory in expected.items():
        values = kpis.loc[kpis["kpi"] == kpi, "value"].to_numpy(dtype=float)
        values = values[~np.isnan(values)]
        ci = confidence_interval(values, confidence, kpi_bounds(kpi))
        inside = bool(ci["n"] >= 2 and ci["ci_low"] <= theory <= ci["ci_high"])
        rows.append({"kpi": kpi, "theory": theory, **ci, "inside": inside})
    return pd.DataFrame(rows)
