"""An export's observed KPIs, by the project's own definitions: the clean calls become the
model's calls-table columns and go through :func:`~controlroom_sim.analysis.call_kpis.
channel_kpis`, the function a simulated replication's KPIs come from. No KPI is computed here.

What an export can carry: a call's made (``made_at``, when mapped), offered, answered and ended
times, so the answer-time KPIs (the Home Office bands, the 10-second rate, mean and 90th
percentile answer), offered, answered, abandoned and the abandonment rate. What it cannot:
callbacks (an export has no callback outcome: a 101 call is answered or abandoned), so the
callback KPIs are left out. Without ``made_at`` a call is made when it is offered (no BT
stage), and both answer clocks read the same.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..analysis.call_kpis import channel_kpis
from ..config.loading import load_scenario
from ..config.schema import Scenario
from ..model.records import OUTCOMES
from .export import Export


def model_calls(export: Export) -> pd.DataFrame:
    """The clean calls as the model's calls table: times as seconds from the period's start
    (the first offered time), ``arrival_s`` the made time (the offered time when the export
    has none), ``force_s`` the offered time, ``abandoned_s`` the end of an abandoned call."""
    calls = export.calls
    start = export.period.first if export.period is not None else pd.Timestamp(0, tz="UTC")

    def seconds(name: str) -> np.ndarray:
        return (calls[name] - start).dt.total_seconds().to_numpy()

    force = seconds("offered_at")
    made = seconds("made_at")
    answered = (calls["outcome"] == "answered").to_numpy()
    ended = seconds("ended_at")
    return pd.DataFrame(
        {
            "call_id": np.arange(len(calls)),
            "channel": calls["channel"].to_numpy(),
            "arrival_s": np.where(np.isnan(made), force, made),
            "force_s": force,
            "answered_s": seconds("answered_at"),
            "abandoned_s": np.where(answered, np.nan, ended),
            "end_s": np.where(answered, ended, np.nan),
            "wrap_end_s": seconds("wrap_end_at"),
            "outcome": pd.Categorical(calls["outcome"], categories=list(OUTCOMES)),
        }
    )


def observed_kpis(export: Export, scenario: Scenario | None = None) -> dict[str, float]:
    """Each channel's KPIs of the export (``offered_999``, ``answered_within_10s_999``,
    ``abandon_rate_101``, ...), with ``scenario``'s answer clocks (the built-in baseline's
    when None: 999 from the call being made, as the Home Office measures it)."""
    base = scenario if scenario is not None else load_scenario(None)
    base = base.model_copy(update={"callback": None})
    calls = model_calls(export)
    kpis: dict[str, float] = {}
    for channel in base.channels:
        if (calls["channel"] == channel).any():
            kpis.update(channel_kpis(calls, base, channel))
    return kpis
