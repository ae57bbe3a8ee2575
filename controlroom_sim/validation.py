"""Simulated against analytic: the Erlang model of a stationary scenario, side by side.

A scenario has an exact Erlang counterpart when it has one channel with flat demand, no surges,
exponential talk time and no wrap-up, no BT stage (or an answer clock started at the force),
exponential or absent patience, no redials or callbacks, and one handler group on duty around
the clock. Then Erlang A (or Erlang C without patience) gives the abandonment rate, the mean
answer time of answered calls, the shares answered within 10 seconds (of answered and of
offered calls) and the occupancy, which the simulation must reproduce within its confidence
intervals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .distributions import Exponential
from .erlang import QueueMetrics, erlang_a_metrics, erlang_c_metrics
from .metrics import confidence_interval
from .scenario import Scenario

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
    if why:
        raise NotAnErlangCase("no exact Erlang counterpart: it has " + "; ".join(why))
    assert groups[0].count is not None
    return ErlangCase(
        channel=name,
        arrival_rate=ch.calls_per_day / 86400.0,
        mean_service=ch.talk_s.mean,
        mean_patience=ch.patience_s.mean if ch.patience_s is not None else None,
        servers=groups[0].count,
    )


def compare(scenario: Scenario, kpis: pd.DataFrame, confidence: float = 0.99) -> pd.DataFrame:
    """Simulated KPIs (long table over replications) beside Erlang theory.

    Returns one row per KPI with ``theory``, the simulated ``mean``, the ``confidence``
    interval ``ci_low``/``ci_high`` over replications, ``n`` and ``inside`` (theory within the
    interval).
    """
    expected = erlang_case(scenario).expected_kpis()
    rows = []
    for kpi, theory in expected.items():
        values = kpis.loc[kpis["kpi"] == kpi, "value"].to_numpy(dtype=float)
        values = values[~np.isnan(values)]
        ci = confidence_interval(values, confidence)
        inside = bool(ci["n"] >= 2 and ci["ci_low"] <= theory <= ci["ci_high"])
        rows.append({"kpi": kpi, "theory": theory, **ci, "inside": inside})
    return pd.DataFrame(rows)
