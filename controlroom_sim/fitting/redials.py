"""Redials from an export's ``caller`` column: how often a caller who abandoned rings again,
after how long, and (for 101) how often they ring 999 instead.

The model (:mod:`controlroom_sim.model.intake`, the channel's ``redial_probability``,
``redial_delay_s``, ``max_redials``, ``abandon_to_999_probability``) gives a caller who
abandons one draw: ring 999 instead (a 101 caller only), ring the same channel again after a
delay, or nothing. So here each abandoned call with a caller is followed to that caller's
**next call** (on any channel) starting at or after the abandon: within :data:`REDIAL_WINDOW_S`
on the same channel it is a redial, on 999 after a 101 abandon a move to 999, and anything
else (a later call, or a 999 abandon followed by a 101 call, which the model has no place for)
is neither. The delay runs from the abandon (``ended_at``) to the next call's ``made_at``, or
its ``offered_at`` when the export has no made time.

Left out, and counted: abandoned calls with no caller (a withheld number), without an end
time, and those less than a window before the export's last call (a redial after them could be
beyond the export, so counting them would understate the probability).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.stats as st

from .candidates import DistributionFit, Interval, count, interval, number
from .durations import fit_duration
from .follow_ups import FOLLOW_UP_WINDOW_S

REDIAL_WINDOW_S = FOLLOW_UP_WINDOW_S
"""A caller's next call within this of abandoning is a follow-up of the abandoned one (a
redial, or a move to 999); a later call is a new matter (the follow-up rule's window)."""
MIN_REDIALS_FOR_DELAY = 20
"""Below this many redials the delay is not fitted (a note says so): the base scenario's
delay stays."""
CHANNEL_999 = "999"
CHANNEL_101 = "101"


@dataclass(frozen=True)
class RedialFit:
    """Redials on one channel: of the ``abandoned`` calls that could be followed (with a
    caller, an end time, and a window of export after them), how many were ``redialled`` (the
    ``probability``, with a 95% Wilson interval), the fitted ``delay`` (None below
    :data:`MIN_REDIALS_FOR_DELAY` redials), for 101 how many rang 999 instead (``to_999``,
    None for 999), the followed calls whose next call was neither (``neither``: e.g. a 999
    abandon followed by a 101 call), and the most redials seen in one chain of abandons
    (``max_redials``, the model's limit). The calls left out: ``withheld`` (no caller),
    ``no_end`` (no end time), ``near_end`` (too close to the export's end), and from the
    redial probability (not the move to 999) ``at_max_redials``: abandons that were already
    the last redial allowed, which had no chance to redial."""

    channel: str
    window_s: float
    abandoned: int
    redialled: int
    probability: float | None
    probability_ci: Interval | None
    delay: DistributionFit | None
    to_999: int | None
    to_999_probability: float | None
    to_999_ci: Interval | None
    neither: int
    max_redials: int
    at_max_redials: int
    withheld: int
    no_end: int
    near_end: int
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "window_s": number(self.window_s),
            "abandoned": int(self.abandoned),
            "redialled": int(self.redialled),
            "probability": number(self.probability),
            "probability_ci": interval(self.probability_ci),
            "delay": None if self.delay is None else self.delay.to_json(),
            "to_999": None if self.to_999 is None else int(self.to_999),
            "to_999_probability": number(self.to_999_probability),
            "to_999_ci": interval(self.to_999_ci),
            "neither": int(self.neither),
            "max_redials": int(self.max_redials),
            "at_max_redials": int(self.at_max_redials),
            "withheld": int(self.withheld),
            "no_end": int(self.no_end),
            "near_end": int(self.near_end),
            "notes": list(self.notes),
        }


def fit_redials(
    calls: pd.DataFrame, channel: str, window_s: float = REDIAL_WINDOW_S
) -> RedialFit | None:
    """The redials of ``channel``'s abandoned calls in the clean ``calls`` table (see
    :mod:`.export`), as the module docstring says; None when the table has no caller at all
    (no ``caller`` column, or every value blank)."""
    if "caller" not in calls.columns:
        return None
    caller = calls["caller"].map(_caller)
    if caller.isna().all():
        return None
    if not window_s > 0:
        raise ValueError(f"expected a window > 0 s, found {window_s:g}")
    notes: list[str] = []
    made, offered, ended = (
        # One unit for all (an all-NaT column can come with another), so they combine.
        pd.to_datetime(calls[name], utc=True).dt.as_unit("ns")
        for name in ("made_at", "offered_at", "ended_at")
    )
    start = made.fillna(offered)
    mine = (calls["channel"] == channel) & (calls["outcome"] == "abandoned")
    withheld = int((mine & caller.isna()).sum())
    known = mine & caller.notna()
    no_end = int((known & ended.isna()).sum())
    window = pd.Timedelta(seconds=window_s)
    late = known & ended.notna() & (ended + window > start.max())
    near_end = int(late.sum())
    followed = known & ended.notna() & ~late
    notes.extend(_left_out(withheld, no_end, near_end, window_s))

    links = _next_calls(
        pd.DataFrame({"caller": caller, "start": start, "channel": calls["channel"]}),
        abandons=pd.DataFrame({"caller": caller[followed], "at": ended[followed]}),
    )
    within = links["delay_s"] <= window_s
    same = within & (links["next_channel"] == channel)
    to_999 = within & (channel == CHANNEL_101) & (links["next_channel"] == CHANNEL_999)
    n = int(followed.sum())
    redialled = int(same.sum())
    n_999 = int(to_999.sum())
    neither = int((within & ~same & ~to_999).sum())
    if neither:
        notes.append(
            f"{count(neither, 'abandoned call')} followed within the window by a call on "
            "another channel the model has no follow-up for, counted as no redial"
        )
    if n == 0:
        notes.append("no abandoned call with a caller could be followed: nothing to estimate")

    delays = links.loc[same, "delay_s"].to_numpy(dtype=float)
    delay: DistributionFit | None = None
    if redialled >= MIN_REDIALS_FOR_DELAY:
        delay = fit_duration(delays, "redial_delay_s", f"redials on {channel}")
    elif redialled:
        notes.append(
            f"only {count(redialled, 'redial')} (under {MIN_REDIALS_FOR_DELAY}): the delay is "
            "not fitted, the base scenario's stays"
        )
    depth = _chain_depths(links.loc[same, ["call", "next_call"]])
    chains = max(depth.values(), default=0)
    # The model lets a caller redial at most max_redials times: an abandon that was already the
    # last redial allowed had no chance to redial, so it is no evidence about the probability.
    # The most redials seen in one chain stands for that limit.
    capped = _at_max_redials(calls.index[followed], depth, chains, notes)
    eligible = n - capped
    return RedialFit(
        channel=channel,
        window_s=float(window_s),
        abandoned=eligible,
        redialled=redialled,
        probability=redialled / eligible if eligible else None,
        probability_ci=_wilson(redialled, eligible),
        delay=delay,
        to_999=n_999 if channel == CHANNEL_101 else None,
        to_999_probability=(n_999 / n if n else None) if channel == CHANNEL_101 else None,
        to_999_ci=_wilson(n_999, n) if channel == CHANNEL_101 else None,
        neither=neither,
        max_redials=chains,
        at_max_redials=capped,
        withheld=withheld,
        no_end=no_end,
        near_end=near_end,
        notes=notes,
    )


def _at_max_redials(
    followed: pd.Index, depth: dict[object, int], chains: int, notes: list[str]
) -> int:
    """How many of the ``followed`` abandons were already the last redial allowed (their place
    in a chain is the most seen, ``chains``, taken as max_redials), with a note."""
    capped = sum(1 for call in followed if depth.get(call, 0) >= chains) if chains else 0
    if capped:
        notes.append(
            f"{count(capped, 'abandoned call')} already redial number {chains} in a row (the "
            "most seen, taken as max_redials): no redial was possible, left out of the "
            "probability"
        )
    return capped


def _left_out(withheld: int, no_end: int, near_end: int, window_s: float) -> list[str]:
    """The notes on the abandoned calls that could not be followed."""
    notes = []
    if withheld:
        notes.append(f"{count(withheld, 'abandoned call')} with no caller (withheld), left out")
    if no_end:
        notes.append(f"{count(no_end, 'abandoned call')} without an end time, left out")
    if near_end:
        notes.append(
            f"{count(near_end, 'abandoned call')} within {window_s:g} s of the export's last "
            "call, left out (a redial could be beyond the export)"
        )
    return notes


def _caller(value: object) -> str | None:
    """A caller as text, or None for a blank one (None, NaN, empty or spaces)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _next_calls(every: pd.DataFrame, abandons: pd.DataFrame) -> pd.DataFrame:
    """For each abandon (indexed by its call's row label: ``caller``, ``at``), the same
    caller's next call starting at or after ``at``, other than the abandoned call itself:
    ``call`` and ``next_call`` (row labels), ``next_channel``, ``delay_s``. Abandons with no
    later call are left out."""
    columns = ["call", "next_call", "next_channel", "delay_s"]
    if abandons.empty:
        return pd.DataFrame(columns=columns).astype({"delay_s": float})
    right = every[every["caller"].notna()].copy()
    right["next_call"] = right.index
    right = right.rename(columns={"channel": "next_channel"}).sort_values("start", kind="stable")
    left = abandons.copy()
    left["call"] = left.index
    left = left.sort_values("at", kind="stable")
    merged = pd.merge_asof(
        left, right, left_on="at", right_on="start", by="caller", direction="forward"
    )
    # A call that was abandoned at the instant it started (a wait of 0 and no made time)
    # finds itself: look again strictly after.
    itself = (merged["next_call"] == merged["call"]).to_numpy()
    if itself.any():
        again = pd.merge_asof(
            left[itself],
            right,
            left_on="at",
            right_on="start",
            by="caller",
            direction="forward",
            allow_exact_matches=False,
        )
        merged = pd.concat([merged[~itself], again], ignore_index=True)
    merged = merged[merged["next_call"].notna()].copy()
    merged["delay_s"] = (merged["start"] - merged["at"]).dt.total_seconds()
    # The row labels, made float by merge_asof beside the unmatched (NaN) ones.
    merged["next_call"] = merged["next_call"].astype(every.index.dtype)
    return merged[columns].sort_values("delay_s", kind="stable").reset_index(drop=True)


def _chain_depths(links: pd.DataFrame) -> dict[object, int]:
    """Each call's place in its chain of redials (abandoned call -> redial, abandoned again ->
    redial ...): 0 for the chain's first call, 1 for its first redial, and so on; calls in no
    chain are left out (their place is 0). The largest is the most redials one caller made in
    a row."""
    following = dict(zip(links["call"], links["next_call"], strict=True))
    depth: dict[object, int] = {}
    for head in set(following) - set(following.values()):
        place, call = 0, head
        depth[call] = 0
        while call in following:
            call = following[call]
            place += 1
            depth[call] = place
    return depth


def _wilson(k: int, n: int) -> Interval | None:
    """The 95% Wilson interval of a proportion k / n (None when n = 0)."""
    if n == 0:
        return None
    ci = st.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return (float(ci.low), float(ci.high))
