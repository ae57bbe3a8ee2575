"""Handlers needed in every 15-minute interval of the week to meet service targets.

Two steps, as workforce planners do it and then better:

1. **Erlang, interval by interval.** In each interval the offered calls (the channel's
   profile, surges included) and the mean handling time (talk, THRIVE sub-tasks, wrap-up) give
   the smallest number of handlers meeting every target in a steady-state queue: Erlang A when
   callers have a patience, Erlang C when they do not. A target on a channel counts the calls of
   every channel answered before it (999 calls go first, so a 101 target sees their load as
   well), with that channel's patience. Where the answer clock includes the BT stage, the
   queue's share of the 10 seconds is what the mean BT delay leaves. This is exact for a
   stationary Erlang scenario, and a first guess otherwise: it ignores the queue carried from one
   interval into the next, redials, callbacks, skills and non-exponential times.
2. **Simulation.** The requirement is run as a rota (one handler group whose on-duty count
   follows the curve) for a number of replications with common random numbers. Each target is
   estimated in each interval from the calls offered in it, pooled over replications, with a
   95% confidence interval: the ratio estimator's over replications, widened to the exact
   binomial interval of the pooled calls where few calls make it too narrow.

   Where an interval misses a target significantly, its target in the Erlang calculation is
   made stricter by the shortfall. Where the whole run's confidence interval does not clear a
   target, every interval's is made stricter by the gap. Erlang turns the stricter targets into
   handlers at each interval's load, and the curve only rises. Every round re-runs the same
   replications. The search ends when every interval holds and every whole-run target is met
   with its whole confidence interval (so that new callers meet it too). An independent check
   with new callers then says how many intervals still miss, and by how much.

The requirement counts handlers *taking calls*. Paid staff hours add the shrinkage (breaks and
other work): ``hours / (1 − shrinkage)``.

The steps live in their own modules: :mod:`.targets` (the targets), :mod:`.demand` (demand per
interval), :mod:`.erlang_requirement` (step 1), :mod:`.checks` and :mod:`.search` (step 2) and
:mod:`.requirement_rota` (the requirement as a rota). This module makes the requirement's table.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..config.schema import Scenario
from ..config.vocabulary import INTERVAL_S, INTERVALS_PER_WEEK
from .demand import arrival_rates, measured_positions
from .patterns import clock_of, weekday_of
from .search import Search
from .targets import StaffTarget


def requirement_table(
    scenario: Scenario, found: Search, shrinkage: float, targets: Sequence[StaffTarget]
) -> pd.DataFrame:
    """One row per interval of the week: demand, Erlang and simulated requirement, the heads
    to roster for them (shrinkage), and each target's simulated estimate."""
    rates = arrival_rates(scenario)
    positions = np.arange(INTERVALS_PER_WEEK)
    table = pd.DataFrame(
        {
            "interval": positions,
            "weekday": [weekday_of(p) for p in positions],
            "time": [clock_of(p) for p in positions],
            "measured": measured_positions(scenario),
        }
    )
    for name, rate in rates.items():
        table[f"offered_{name}"] = rate * INTERVAL_S
    table["erlang"] = found.erlang
    table["required"] = found.required
    table["rostered"] = np.ceil(found.required / (1.0 - shrinkage) - 1e-9).astype(np.int64)
    if found.chosen is not None:
        checks = found.chosen.checks
        for target in targets:
            own = checks[checks["kpi"] == target.kpi].set_index("position")
            for column in ("estimate", "ci_low", "ci_high"):
                table[f"{target.kpi}_{column}"] = own[column].reindex(positions).to_numpy()
    return table
