"""Front-desk KPIs (``[front_desk]``): what the desk resolved, how fast it answered, and the
second stage (the handlers' queues the routed calls joined), in all and by route.

The desk's answer time runs on its channel's answer clock (from the call being made, or from
it reaching the force) to an operator answering. A routed call's wait in the second stage runs
from the operator's part ending to a handler answering: with exponential patience and a desk
that keeps nobody waiting, it is the wait of an Erlang A queue fed by the calls the desk did
not resolve (:mod:`.validation`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..config.schema import Scenario
from .call_kpis import _share, clock_column
from .dispatch_kpis import _utilisation

DESK_DESCRIPTIONS: dict[str, str] = {
    "front_desk_resolved_share": "share of the channel's offered calls that the front desk "
    "resolved (they ended there)",
    "front_desk_abandon_rate": "share of the channel's offered calls whose caller gave up "
    "waiting for a front-desk operator",
    "front_desk_mean_answer_s": "mean time to a front-desk operator answering, on the "
    "channel's answer clock, seconds",
    "front_desk_answered_within_10s": "share of the calls a front-desk operator answered, "
    "answered in under 10 s",
    "front_desk_utilisation": "time front-desk operators spent on calls / time available",
    "routed_share": "share of the channel's offered calls the front desk passed on to a "
    "handlers' queue (_to_999 and the like: to that channel's queue)",
    "routed_abandon_rate": "share of the routed calls whose caller gave up in the handlers' "
    "queue (likewise by route)",
    "routed_mean_answer_s": "mean wait of routed calls a handler answered live, from the end "
    "of the front desk's part to the answer, seconds (likewise by route)",
    "routed_answered_within_10s": "share of the routed calls a handler answered live, "
    "answered within 10 s of leaving the front desk",
    "routed_answered_within_10s_of_offered": "share of the routed calls answered live within "
    "10 s of leaving the front desk",
}
"""What each front-desk KPI means (the channel follows the name, e.g.
``front_desk_resolved_share_101``; a route's target after that, ``routed_share_101_to_999``)."""


def front_desk_kpis(
    calls: pd.DataFrame,
    scenario: Scenario,
    work: pd.DataFrame,
    duty: pd.DataFrame,
    window: tuple[float, float],
) -> dict[str, float]:
    """The front desk's KPIs from the measured calls of one replication."""
    desk = scenario.front_desk
    assert desk is not None
    c = desk.channel
    mine = (calls["channel"] == c).to_numpy()
    offered = int(mine.sum())
    outcome = calls["front_desk_outcome"].to_numpy()[mine]
    answered_at = calls["front_desk_answered_s"].to_numpy()[mine]
    met = ~np.isnan(answered_at)
    desk_wait = (answered_at - calls[clock_column(scenario, c)].to_numpy()[mine])[met]
    out = {
        f"front_desk_resolved_share_{c}": _share(int((outcome == "resolved").sum()), offered),
        f"front_desk_abandon_rate_{c}": _share(int((outcome == "abandoned").sum()), offered),
        f"front_desk_mean_answer_s_{c}": float(desk_wait.mean()) if met.any() else math.nan,
        f"front_desk_answered_within_10s_{c}": _share(
            int(np.count_nonzero(desk_wait < 10.0)), int(met.sum())
        ),
        "front_desk_utilisation": _utilisation(work, duty, *window),
    }
    routed = outcome == "routed"
    route = calls["front_desk_route"].to_numpy()[mine]
    final = calls["outcome"].to_numpy()[mine]
    wait = calls["answered_s"].to_numpy()[mine] - calls["front_desk_end_s"].to_numpy()[mine]
    out.update(_routed(f"_{c}", routed, final, wait, offered))
    for target in sorted({r.target for r in desk.routes}):
        out.update(_routed(f"_{c}_to_{target}", routed & (route == target), final, wait, offered))
    return out


def _routed(
    suffix: str, routed: np.ndarray, final: np.ndarray, wait: np.ndarray, offered: int
) -> dict[str, float]:
    """The second stage of the ``routed`` calls."""
    n = int(routed.sum())
    answered = routed & (final == "answered")
    waits = wait[answered]
    within = int(np.count_nonzero(waits < 10.0))
    return {
        f"routed_share{suffix}": _share(n, offered),
        f"routed_abandon_rate{suffix}": _share(int((routed & (final == "abandoned")).sum()), n),
        f"routed_mean_answer_s{suffix}": float(waits.mean()) if len(waits) else math.nan,
        f"routed_answered_within_10s{suffix}": _share(within, len(waits)),
        f"routed_answered_within_10s_of_offered{suffix}": _share(within, n),
    }
