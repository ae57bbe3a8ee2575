"""Step 1 of the staffing requirement: handlers per interval of the week by Erlang C / A.

In each interval the offered calls and the mean handling time give the smallest number of
handlers meeting every target in a steady-state queue (see :mod:`.requirement` for the method
and its limits). Exact for a stationary Erlang scenario, a first guess otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from ..analysis.erlang.erlang_a import erlang_a_metrics
from ..analysis.erlang.erlang_c import erlang_c_metrics
from ..analysis.erlang.queue_metrics import QueueMetrics
from ..analysis.erlang.staffing import smallest_meeting
from ..analysis.validation import NotAnErlangCase, erlang_case
from ..config.schema import HandlerGroup, Scenario
from ..config.vocabulary import INTERVALS_PER_WEEK
from .demand import arrival_rates, mean_handling_s
from .targets import KPI_FAMILIES, RequirementError, StaffTarget


@lru_cache(maxsize=65536)
def _smallest(
    family: str,
    value: float,
    wait: float,
    rate: float,
    service: float,
    patience: float | None,
    ahead_rate: float | None = None,
    own_patience: float | None = None,
) -> int:
    """Smallest number of handlers meeting one target.

    ``rate``, ``service`` and ``patience`` describe the calls the handlers take. Without
    ``ahead_rate`` they are one first-come-first-served queue (Erlang C or A, exact). With it,
    the target channel is answered before the others: a call of it waits only when every
    handler is busy (the Erlang probability of waiting for the whole load, by PASTA), and then
    for the first handler to come free with only ``ahead_rate`` calls ahead of it: an
    exponential wait at rate ``c/service - ahead_rate`` (the top class of a non-preemptive
    priority M/M/c queue), cut short by its own patience ``own_patience`` (abandonment).
    """
    threshold = KPI_FAMILIES[family][3]
    target_s = max(0.0, (threshold or 0.0) - wait)

    def metrics(c: int) -> QueueMetrics:
        if patience is None:
            return erlang_c_metrics(rate, service, c, target_s)
        return erlang_a_metrics(rate, service, patience, c, target_s)

    def fifo(c: int) -> bool:
        m = metrics(c)
        if not m.stable:
            return False
        if family in ("answered_within_10s", "answered_within_60s"):
            return m.service_level_answered >= value
        if family == "answered_within_10s_of_offered":
            return m.service_level_offered >= value
        if family == "abandon_rate":
            return m.p_abandon <= value
        return m.mean_wait_answered + wait <= value

    def first(c: int) -> bool:
        assert ahead_rate is not None
        clear = c / service - ahead_rate  # rate at which a waiting call of the top class ends
        if clear <= 0:
            return False
        busy = metrics(c).p_wait
        if family in (
            "answered_within_10s",
            "answered_within_60s",
            "answered_within_10s_of_offered",
        ):
            return 1.0 - busy * math.exp(-clear * target_s) >= value
        if family == "abandon_rate":
            return busy * own_theta / (own_theta + clear) <= value
        return busy / clear + wait <= value

    own_theta = 1.0 / own_patience if own_patience else 0.0
    lower = math.floor(rate * service) + 1 if patience is None else 1
    try:
        return smallest_meeting(lower, fifo if ahead_rate is None else first)
    except ValueError:
        raise RequirementError(
            f"no realistic number of handlers meets {family} = {value:g}"
        ) from None


def erlang_requirement(
    scenario: Scenario,
    targets: Sequence[StaffTarget],
    fixed: np.ndarray | None = None,
    adjust: dict[str, np.ndarray] | None = None,
) -> np.ndarray:
    """Handlers needed per interval of the week by Erlang C / A (see the module docstring).

    ``fixed`` (per interval) are handlers of other groups already on duty; they are taken off
    the answer, which is never below zero. ``adjust`` maps a target's KPI to a correction per
    interval added to its value (the simulation's verdict on where Erlang is optimistic).
    """
    rates = arrival_rates(scenario)
    handling = {
        name: mean_handling_s(scenario, name)
        for name, ch in scenario.channels.items()
        if ch.calls_per_day > 0
    }
    lowest = max(handling, key=scenario.channel_priority)
    low_patience = scenario.channels[lowest].patience_s
    need = np.zeros(INTERVALS_PER_WEEK, dtype=np.int64)
    for target in targets:
        own = scenario.channels[target.channel]
        priority = scenario.channel_priority(target.channel)
        ahead = [n for n in handling if scenario.channel_priority(n) <= priority]
        behind = [n for n in handling if scenario.channel_priority(n) > priority]
        wait = 0.0
        if own.answer_clock == "call" and own.bt_connect_s is not None:
            wait = own.bt_connect_s.mean
        if behind:  # answered first: busy handlers are counted over the whole load
            patience = low_patience.mean if low_patience is not None else None
        else:
            patience = own.patience_s.mean if own.patience_s is not None else None
        for k in range(INTERVALS_PER_WEEK):
            lam = sum(rates[n][k] for n in handling)
            lam_ahead = sum(rates[n][k] for n in ahead)
            if lam_ahead <= 0:
                continue
            service = sum(rates[n][k] * handling[n] for n in handling) / lam
            c = _smallest(
                target.family,
                target.adjusted(adjust[target.kpi][k]) if adjust else target.value,
                wait,
                float(lam),
                float(service),
                patience,
                float(lam_ahead) if behind else None,
                own.patience_s.mean if behind and own.patience_s is not None else None,
            )
            need[k] = max(need[k], c)
    if fixed is not None:
        need = np.maximum(need - np.floor(fixed + 1e-9).astype(np.int64), 0)
    return need


def is_exact_erlang(scenario: Scenario) -> bool:
    """True if the scenario is a stationary Erlang C / A queue, so step 1 is exact."""
    name = next((n for n, ch in scenario.channels.items() if ch.calls_per_day > 0), None)
    if name is None or scenario.call_types:
        return False
    probe = scenario.model_copy(
        update={"handlers": [HandlerGroup(name="probe", skills=[name], count=1)]}
    )
    try:
        erlang_case(probe)
    except NotAnErlangCase:
        return False
    return True
