"""Which of an export's calls are follow-ups the model makes itself: redials, and 101 callers who
ring 999 after giving up.

The model makes these calls on its own (``redial_probability``, ``abandon_to_999_probability``),
so a fitted scenario's ``calls_per_day`` and a trace-driven run's arrivals must be the *first*
calls only, or the follow-ups would be counted twice. The export links a caller's calls by the
``caller`` column (the calling number). Calls with no caller (withheld numbers, or an export
without the column) cannot be linked and count as first calls.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .export import arrival_times

FOLLOW_UP_WINDOW_S = 3600.0
"""ASSUMPTION (no public figure): a call made at most this long after its caller abandoned a
call on the same channel (or, for a 999 call, on 101) is a follow-up the model makes itself."""
FOLLOWS = {"999": ("999", "101"), "101": ("101",)}
"""The channels whose abandoned calls a call on each channel may follow."""


def follow_ups(calls: pd.DataFrame, window_s: float = FOLLOW_UP_WINDOW_S) -> np.ndarray:
    """Which of an export's clean ``calls`` are follow-ups the model makes itself: calls whose
    caller abandoned another call on the same channel (or, for a 999 call, on 101) at most
    ``window_s`` before this one was made (its ``made_at``, else ``offered_at``). An abandoned
    call ended when its caller hung up (``ended_at``, else when it was offered). Calls without
    a caller are never follow-ups; a follow-up that was abandoned may itself be followed (a
    second redial). Returns a boolean per row of ``calls``."""
    out = np.zeros(len(calls), dtype=bool)
    caller = calls["caller"]
    known = caller.notna().to_numpy()
    if not known.any():
        return out
    # One sorted key per call, caller first then time (whole milliseconds from before the
    # window's reach), so each call's search for its caller's abandonments is one
    # searchsorted over every call at once.
    code = pd.factorize(caller)[0].astype(np.int64)
    made = arrival_times(calls)
    gave_up = calls["ended_at"].fillna(calls["offered_at"])
    window = round(window_s * 1000)
    base = min(made.min(), gave_up.min()) - pd.Timedelta(milliseconds=window + 1)
    made_ms = ((made - base).dt.total_seconds() * 1000).round().astype(np.int64).to_numpy()
    end_ms = ((gave_up - base).dt.total_seconds() * 1000).round().astype(np.int64).to_numpy()
    shift = np.int64(1) << np.int64(42)  # about 139 years of milliseconds per caller
    abandoned = (calls["outcome"] == "abandoned").to_numpy()
    channel = calls["channel"].to_numpy()
    for target, sources in FOLLOWS.items():
        on = known & (channel == target)
        source = known & abandoned & np.isin(channel, sources)
        if not on.any() or not source.any():
            continue
        ends = np.sort(code[source] * shift + end_ms[source])
        key = code[on] * shift + made_ms[on]
        found = np.searchsorted(ends, key, "right") - np.searchsorted(ends, key - window, "left")
        # an abandoned call that ended the instant it was made finds itself: not a follow-up
        own = source[on] & (end_ms[on] == made_ms[on])
        out[on] = found - own > 0
    return out
