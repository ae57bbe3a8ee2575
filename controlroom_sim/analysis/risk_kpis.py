"""Risk in the queue: each channel's abandonment and answer time for the callers most at risk,
and the callers at risk who gave up without ever reaching a handler.

With call types every call has the caller's *true* risk and vulnerability, drawn when it is
made, whether or not a handler ever learns them. Two groups of callers are reported on each
channel, beside the channel's figures for everyone:

* ``high_risk``: calls whose caller's true risk is high;
* ``vulnerable``: calls whose caller is vulnerable.

For each: calls offered, abandonment (abandoned / offered), mean answer time and the share
answered in under 10 s (of answered calls, on the channel's answer clock), and on 101 the mean
time to speak with the caller, live or by a callback (as ``mean_reach_s_101``), as the
channel's own KPIs with the group before the channel: ``abandon_rate_high_risk_101``,
``mean_answer_s_vulnerable_999``, ``mean_reach_s_high_risk_101``.

The harm exposure of giving up (``gave_up_at_risk_per_day_<channel>``) counts *callers*, not
calls: a caller (everyone whose first call was made in the measured window, on the channel of
that first call) **gave up** when none of their calls, on any channel and until the run
stops, reached a handler (answered live, or reached by a callback) and none is still open
when the run stops: every call abandoned, or a callback that never reached them. Such a
caller was never assessed, so their risk was never graded and no officer was sent. Counted
are those of high true risk or vulnerable, per day of the measured window;
``gave_up_per_day_<channel>`` counts every caller who gave up, for scale. A redial or a 101
caller ringing 999 who then gets through does not count (the caller was reached), and one
caller counts once however often they rang. Callers are counted rather than calls because
redials would count a persistent caller several times, and the harm (a risk that nobody
assessed) happens once per caller; a count per day rather than a waiting time because a
caller who gave up is harmed by not being reached at all, not by how long they waited.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..config.schema import Scenario
from ..config.vocabulary import RISK_LEVELS
from .call_kpis import _outcome_codes, _share, clock_column

GROUPS = ("high_risk", "vulnerable")
"""The caller groups reported, in the KPI names."""

REACHED = ("answered", "callback_answered")


def _groups(calls: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each group's mask over ``calls``."""
    risk = calls["true_risk"]
    if isinstance(risk.dtype, pd.CategoricalDtype):
        high = (risk == "high").to_numpy()
    else:  # codes in RISK_LEVELS order
        high = risk.to_numpy() == RISK_LEVELS.index("high")
    return {
        "high_risk": high,
        "vulnerable": calls["vulnerable"].to_numpy(dtype=bool, na_value=False),
    }


def queue_kpis(calls: pd.DataFrame, scenario: Scenario, channel: str) -> dict[str, float]:
    """Offered, abandonment, mean answer time and the 10-second rate (and on 101 the mean reach
    time) of each group's calls on ``channel``, from the measured calls of one replication."""
    mine = (calls["channel"] == channel).to_numpy()
    codes, code = _outcome_codes(calls["outcome"])
    answered_all = codes == code("answered")
    abandoned_all = codes == code("abandoned")
    reached_all = answered_all | (codes == code("callback_answered"))
    wait_all = calls["answered_s"].to_numpy() - calls[clock_column(scenario, channel)].to_numpy()
    out: dict[str, float] = {}
    for group, members in _groups(calls).items():
        rows = mine & members
        offered = int(rows.sum())
        answered = answered_all & rows
        wait = wait_all[answered]
        n = len(wait)
        out[f"offered_{group}_{channel}"] = float(offered)
        out[f"abandon_rate_{group}_{channel}"] = _share(int((abandoned_all & rows).sum()), offered)
        out[f"mean_answer_s_{group}_{channel}"] = float(wait.mean()) if n else math.nan
        out[f"answered_within_10s_{group}_{channel}"] = _share(
            int(np.count_nonzero(wait < 10.0)), n
        )
        if channel == "101":  # as mean_reach_s_101: live or by a callback
            reach = wait_all[reached_all & rows]
            out[f"mean_reach_s_{group}_{channel}"] = float(reach.mean()) if len(reach) else math.nan
    return out


def gave_up_kpis(
    all_calls: pd.DataFrame, measured: pd.DataFrame, channels: list[str], days: float
) -> dict[str, float]:
    """Callers per day who gave up without reaching a handler, on each channel of their first
    call: all of them, and those of high true risk or vulnerable (see the module's text).

    ``all_calls``: every call of the run (a caller's later calls may come after the measured
    window); ``measured``: the calls offered in the window."""
    caller = all_calls["caller_id"].to_numpy()
    codes, code = _outcome_codes(all_calls["outcome"])
    reached = np.isin(codes, [code(name) for name in REACHED])
    still_open = codes == code("open")
    settled = np.unique(caller[reached | still_open])  # reached, or not yet over
    first = (measured["call_id"] == measured["caller_id"]).to_numpy()
    gave_up = first & ~np.isin(measured["caller_id"].to_numpy(), settled)
    groups = _groups(measured)
    at_risk = groups["high_risk"] | groups["vulnerable"]
    out: dict[str, float] = {}
    for channel in channels:
        rows = gave_up & (measured["channel"] == channel).to_numpy()
        out[f"gave_up_per_day_{channel}"] = float(rows.sum()) / days
        out[f"gave_up_at_risk_per_day_{channel}"] = float((rows & at_risk).sum()) / days
    return out


def risk_kpis(
    all_calls: pd.DataFrame, measured: pd.DataFrame, scenario: Scenario, days: float
) -> dict[str, float]:
    """Every risk-in-the-queue KPI of one replication (call types on: the calls carry
    ``true_risk`` and ``vulnerable``)."""
    out: dict[str, float] = {}
    for channel in scenario.channels:
        out.update(queue_kpis(measured, scenario, channel))
    out.update(gave_up_kpis(all_calls, measured, list(scenario.channels), days))
    return out
