"""Which of an export's calls are follow-ups the model makes itself: redials and 101 callers who
ring 999 after giving up.

The model makes these calls on its own (``redial_probability``, ``abandon_to_999_probability``),
so a fitted scenario's ``calls_per_day`` and a trace-driven run's arrivals must be the *first*
calls only, or the follow-ups would be counted twice. The export links a caller's calls by the
``caller`` column (the calling number): a call is a follow-up when the same caller's previous
call was abandoned and ended at most :data:`FOLLOW_UP_WINDOW_S` before this call was made (its
made time, or its offered time when the export has none):

* ``redial``: the previous call was on the same channel;
* ``from_101``: this call is a 999 call and the previous one a 101 call.

Calls with no caller (withheld numbers, or an export without the column) cannot be linked and
count as first calls.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FOLLOW_UP_WINDOW_S = 3600.0
"""How soon after giving up a caller's next call counts as a follow-up (ASSUMPTION: an hour;
the model's redial delays are seconds to minutes)."""
KINDS = ("redial", "from_101")


def follow_ups(calls: pd.DataFrame, window_s: float = FOLLOW_UP_WINDOW_S) -> pd.DataFrame:
    """For each of ``calls`` (an export's clean table), its ``kind`` (``redial``,
    ``from_101`` or None for a first call), and for a follow-up the ``previous`` call's index
    and the ``delay_s`` from the previous call's end to this call being made."""
    made = calls["made_at"].fillna(calls["offered_at"])
    out = pd.DataFrame({"kind": None, "previous": -1, "delay_s": np.nan}, index=calls.index).astype(
        {"kind": object}
    )
    linked = calls["caller"].notna()
    if not linked.any():
        return out
    mine = pd.DataFrame(
        {
            "caller": calls.loc[linked, "caller"],
            "made": made[linked],
            "channel": calls.loc[linked, "channel"],
            "abandoned": calls.loc[linked, "outcome"] == "abandoned",
            "ended": calls.loc[linked, "ended_at"],
        }
    ).sort_values(["caller", "made"], kind="stable")
    same = mine["caller"].eq(mine["caller"].shift())
    before = mine.shift()
    delay = (mine["made"] - before["ended"]).dt.total_seconds()
    after_abandon = same & before["abandoned"].fillna(False).astype(bool) & (delay >= 0)
    soon = after_abandon & (delay <= window_s)
    redial = soon & (mine["channel"] == before["channel"])
    from_101 = soon & (mine["channel"] == "999") & (before["channel"] == "101")
    kind = pd.Series(None, index=mine.index, dtype=object)
    kind[redial] = "redial"
    kind[from_101] = "from_101"
    previous = pd.Series(mine.index, index=mine.index).shift()
    hit = kind.notna()
    out.loc[hit[hit].index, "kind"] = kind[hit]
    out.loc[hit[hit].index, "previous"] = previous[hit].astype(int)
    out.loc[hit[hit].index, "delay_s"] = delay[hit]
    return out
