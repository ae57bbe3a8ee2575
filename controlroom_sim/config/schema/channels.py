"""Demand in the scenario schema: channels and their callers, the 101 callback, the forces whose
calls the room takes, and surges."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from ..distributions import Distribution, Exponential, Fixed
from ..vocabulary import INTERVAL_S, INTERVALS_PER_WEEK, ChannelName, clock_to_seconds
from .base import ForceName, KeyedError, NonNegativeFloat, PositiveFloat, Probability, _Strict


class Channel(_Strict):
    """``[channels.NAME]``: demand and caller behaviour of one channel."""

    calls_per_day: NonNegativeFloat
    """Mean calls a day over a week (the profile shapes them over the week)."""
    profile: str | None = None
    """CSV of 15-minute weights over a week (or a day); flat when absent."""
    priority: Annotated[int, Field(ge=0)] | None = None
    """Lower is answered first; default: 999 is 0, 101 is 1."""
    bt_connect_s: Distribution | None = None
    """The BT operator stage before a call reaches the force; absent: none."""
    answer_clock: Literal["call", "force"] = "call"
    """Where the answer-time clock starts: when the call is made, or when it reaches the force."""
    talk_s: Distribution
    wrap_s: Distribution | None = None
    """Wrap-up after the caller hangs up; absent: none."""
    patience_s: Distribution | None = None
    """How long a caller waits before giving up; absent: nobody abandons."""
    redial_probability: Probability = 0.0
    """Chance that a caller who abandoned rings the same number again."""
    redial_delay_s: Distribution = Exponential(dist="exponential", mean=60.0)
    """Time from abandoning to redialling (assumption: no public figure)."""
    max_redials: Annotated[int, Field(ge=0)] = 3
    """A caller redials at most this many times (assumption)."""
    abandon_to_999_probability: Probability = 0.0
    """101 only: chance that a caller who abandoned rings 999 instead."""
    abandon_to_999_delay_s: Distribution = Fixed(dist="fixed", value=30.0)
    """101 only: time from abandoning 101 to ringing 999 (assumption)."""

    # Weights per 15-minute interval of the week, filled in by the loader from ``profile``.
    profile_weights: tuple[float, ...] | None = Field(default=None, exclude=True, repr=False)

    def rate_per_interval(self) -> np.ndarray:
        """Arrival rate (calls per second) in each of the week's 672 15-minute intervals."""
        if self.profile_weights is None:
            weights = np.ones(INTERVALS_PER_WEEK)
        else:
            weights = np.asarray(self.profile_weights, dtype=float)
        share = weights / weights.sum()
        return self.calls_per_day * 7.0 * share / INTERVAL_S


class Callback(_Strict):
    """``[callback]``: the 101 callback (Q-Buster) that keeps the caller's place."""

    enabled: bool = True
    offer_after_wait_s: NonNegativeFloat = 120.0
    offer_rule: Literal["waited", "predicted"] = "waited"
    """``waited``: offered once the caller has waited ``offer_after_wait_s``; ``predicted``:
    offered on reaching the queue when the predicted wait exceeds it."""
    accept_probability: Probability | None = None
    """Chance that a caller offered a callback accepts it (needed when ``enabled``)."""
    attempt_success_probability: Probability = 1.0
    max_attempts: Annotated[int, Field(ge=1)] = 1
    attempt_s: Distribution = Fixed(dist="fixed", value=30.0)
    """Handler time on an attempt that does not reach the caller (assumption)."""
    retry_after_s: Distribution = Fixed(dist="fixed", value=600.0)
    """Delay before a failed attempt is tried again (assumption)."""

    @model_validator(mode="after")
    def _take_up(self) -> Callback:
        # Switched off, the callback needs nothing else: no caller is offered one.
        if self.enabled and self.accept_probability is None:
            raise KeyedError(
                "accept_probability",
                "expected this key when callbacks are enabled, found it missing",
            )
        return self


class Force(_Strict):
    """``[[forces]]``: one force whose calls the room takes, and its share of each channel.

    A room that takes calls for several forces (a merged or collaborating control room) lists
    them here. Each force's calls arrive as a Poisson process of their own: the channel's rate
    times the force's share (with the channel's weekly profile), times any surge on that force.
    Handler groups take every force's calls unless they name ``forces``.
    """

    name: ForceName
    share: Annotated[dict[ChannelName, Probability], Field(min_length=1)]
    """Share of each channel's calls that are this force's (each channel's shares sum to 1)."""


class Surge(_Strict):
    """``[[surges]]``: multiply channels' arrival rates over a window."""

    channels: Annotated[list[ChannelName], Field(min_length=1)]
    forces: Annotated[list[ForceName], Field(min_length=1)] | None = None
    """With ``[[forces]]``: the forces whose calls surge; absent: every force's."""
    day: Annotated[int, Field(ge=1)]
    """Measured day the surge starts on (1 = the first measured day)."""
    start: str
    hours: PositiveFloat
    multiplier: NonNegativeFloat

    @field_validator("start")
    @classmethod
    def _clock(cls, value: str) -> str:
        clock_to_seconds(value)
        return value


def check_forces(scenario) -> None:  # type: ignore[no-untyped-def]
    """The forces against the rest of the scenario: unique names, groups and surges naming
    forces the room has, each channel's shares summing to 1, and a handler group for each
    force's calls."""
    names = [f.name for f in scenario.forces]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise KeyedError(f"forces.{i}.name", f"expected a unique name, found {name!r} again")
    for key, groups in (("handlers", scenario.handlers), ("surges", scenario.surges)):
        for i, group in enumerate(groups):
            for j, name in enumerate(group.forces or []):
                if not names:
                    raise KeyedError(f"{key}.{i}.forces", "expected [[forces]] to name, found none")
                if name not in names:
                    raise KeyedError(
                        f"{key}.{i}.forces.{j}",
                        f"expected the name of a force ({', '.join(names)}), found {name!r}",
                    )
    if not names:
        return
    for i, force in enumerate(scenario.forces):
        for channel in force.share:
            if channel not in scenario.channels:
                raise KeyedError(
                    f"forces.{i}.share.{channel}",
                    f"expected a channel of the scenario, found {channel!r}",
                )
    for channel, spec in scenario.channels.items():
        if spec.calls_per_day <= 0:
            continue
        total = sum(f.share.get(channel, 0.0) for f in scenario.forces)
        if abs(total - 1.0) > 1e-9:
            raise KeyedError(
                "forces",
                f"expected the forces' shares of channel {channel} to sum to 1, found {total:g}",
            )
        for i, force in enumerate(scenario.forces):
            if force.share.get(channel, 0.0) > 0 and not any(
                channel in g.skills
                and (g.forces is None or force.name in g.forces)
                and g.headcount > 0
                for g in scenario.handlers
            ):
                raise KeyedError(
                    f"forces.{i}",
                    f"{force.name} has {channel} calls, so expected a handler group that "
                    f"takes {force.name}'s {channel} calls with someone on duty, found none",
                    also=("handlers",),
                )
