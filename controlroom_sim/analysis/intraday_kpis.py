"""Intraday decisions as KPIs (``[[intraday_rules]]``, :mod:`controlroom_sim.model.intraday`),
and the rolling measure the rules watch, from the records.

For the scenario's rules, each replication gives:

* ``rule_firings_<rule>``: the times the rule fired in the measured window;
* ``breaks_cancelled``, ``handlers_called_in``: what the firings in the window did;
* ``call_in_hours``: hours handlers called in were on (all overtime), of the call-ins ending in
  the window, as ``overtime_hours`` counts shifts (which includes them), and
  ``call_in_hours_week`` per week;
* with an hourly cost for handlers (``[staffing]``), ``call_in_cost_week``: those hours a week
  at the overtime rate, with on-costs (part of ``cost_week_handlers``).

:func:`rolling_rate` is the measure ``rolling_<channel>_10s`` at a moment, as the model computes
it while the run goes: the channel's 10-second rate (:func:`.call_kpis.channel_kpis`: answered
calls answered in under 10 s on the channel's answer clock, over answered calls) over the calls
answered in the window before the moment.
"""

from __future__ import annotations

import math

import numpy as np

from ..config.schema import Scenario
from ..model.records import RunRecords
from .call_kpis import _outcome_codes, clock_column
from .staffing_kpis import WEEK_S, overtime_hours

INTRADAY_DESCRIPTIONS: dict[str, str] = {
    "rule_firings": "times an intraday rule fired in the measured window (suffixed with the "
    "rule's name, e.g. rule_firings_cancel_breaks_80)",
    "breaks_cancelled": "breaks not yet started that intraday rules cancelled",
    "handlers_called_in": "handlers intraday rules called in",
    "call_in_hours": "hours handlers called in by intraday rules were on (all overtime; part "
    "of overtime_hours)",
    "call_in_hours_week": "the same, per week",
    "call_in_cost_week": "cost a week of those hours at the overtime rate, with on-costs "
    "(part of cost_week_handlers)",
}


def rolling_rate(
    records: RunRecords, scenario: Scenario, channel: str, t: float, window_s: float
) -> float:
    """The channel's 10-second rate over the calls answered in ``[t - window_s, t)`` (NaN if
    none): the measure ``rolling_<channel>_10s`` a rule reads at ``t``."""
    calls = records.calls
    codes, code = _outcome_codes(calls["outcome"])
    answered_s = calls["answered_s"].to_numpy()
    mine = (
        (calls["channel"] == channel).to_numpy()
        & (codes == code("answered"))
        & (answered_s >= t - window_s)
        & (answered_s < t)
    )
    n = int(mine.sum())
    if n == 0:
        return math.nan
    wait = answered_s[mine] - calls[clock_column(scenario, channel)].to_numpy()[mine]
    return int(np.count_nonzero(wait < 10.0)) / n


def intraday_kpis(records: RunRecords, scenario: Scenario) -> dict[str, float]:
    """Firings, what they did, and the hours and cost of call-ins (nothing without rules)."""
    if not scenario.intraday_rules or records.rule_log is None:
        return {}
    lo, hi = records.warmup_s, records.horizon_s
    log = records.rule_log
    inside = log[(log["time_s"] >= lo) & (log["time_s"] < hi)]
    kpis: dict[str, float] = {
        f"rule_firings_{rule.name}": float((inside["rule"] == rule.name).sum())
        for rule in scenario.intraday_rules
    }
    kpis["breaks_cancelled"] = float(inside["breaks_cancelled"].sum())
    kpis["handlers_called_in"] = float(inside["called_in"].sum())
    handlers = records.handlers
    called = handlers[handlers["call_in"]] if "call_in" in handlers.columns else None
    hours = overtime_hours(called, lo, hi)
    kpis["call_in_hours"] = hours
    kpis["call_in_hours_week"] = hours / ((hi - lo) / WEEK_S)
    staffing = scenario.staffing
    cost = (
        staffing.cost_week("handlers", 0.0, kpis["call_in_hours_week"])
        if staffing is not None
        else None
    )
    if cost is not None:
        kpis["call_in_cost_week"] = cost
    return kpis
