"""Call types and THRIVE in the scenario schema: each type's share of the channels and true
risk, and the sub-tasks of the assessment in the call."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import numpy as np
from pydantic import Field, field_validator

from ..distributions import Distribution
from ..vocabulary import RISK_LEVELS, ChannelName, RiskLevel
from .base import Probability, _Strict

if TYPE_CHECKING:
    from .channels import Channel


class CallType(_Strict):
    """``[[call_types]]``: a kind of call, its share of each channel, its true risk and,
    optionally, its own talk and wrap-up times."""

    name: Annotated[str, Field(min_length=1)]
    share: Annotated[dict[ChannelName, Probability], Field(min_length=1)]
    """Share of each channel's calls that are of this type."""
    risk: Annotated[dict[RiskLevel, Probability], Field(min_length=1)]
    """Probabilities of the caller's true risk level (they sum to 1)."""
    vulnerable_probability: Probability = 0.0
    repeat_victim_probability: Probability = 0.0
    refer_probability: Probability = 0.0
    """Chance that a call assessed as needing no police action is referred to a partner."""
    talk_s: dict[ChannelName, Distribution] = {}
    """This type's talk time on each channel named, in place of the channel's ``talk_s`` (the
    THRIVE sub-tasks done still add to it); a channel not named keeps the channel's."""
    wrap_s: dict[ChannelName, Distribution] = {}
    """This type's wrap-up time on each channel named, in place of the channel's ``wrap_s``."""

    @field_validator("risk")
    @classmethod
    def _sums_to_one(cls, value: dict[str, float]) -> dict[str, float]:
        total = sum(value.values())
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"expected probabilities that sum to 1, found a sum of {total:g}")
        return value

    def risk_probabilities(self) -> np.ndarray:
        """Probabilities of the risk levels in RISK_LEVELS order."""
        return np.array([self.risk.get(level, 0.0) for level in RISK_LEVELS])


class Check(_Strict):
    """A THRIVE sub-task: the time it takes when done, and how often it is skipped."""

    time_s: Distribution
    skip_probability: Probability = 0.0


class Thrive(_Strict):
    """``[thrive]``: the sub-tasks of the assessment in the call, and what skipping costs.

    A sub-task that is absent is not modelled (it takes no time and is never skipped). A
    skipped check whose risk factor is present (the repeat-victim check for a repeat victim,
    the vulnerability check for a vulnerable caller, the risk assessment for anyone) lets the
    risk be assessed one level too low with ``miss_probability``; misses add up.
    """

    repeat_check: Check | None = None
    vulnerability_check: Check | None = None
    risk_assessment: Check | None = None
    advice: Check | None = None
    """Safety and evidence-preservation advice: time when given; skipping it is a quality gap."""
    miss_probability: Probability = 0.5


def mean_handle_s(spec: Channel, channel: str, call_types: list[CallType]) -> float:
    """Mean talk plus wrap-up time of ``channel``'s calls (``spec``), before any THRIVE
    sub-tasks: the channel's times, or a call type's own where it has them, weighted by the
    types' shares of the channel."""
    talk, wrap = spec.talk_s.mean, spec.wrap_s.mean if spec.wrap_s is not None else 0.0
    shares = [(t, t.share.get(channel, 0.0)) for t in call_types]
    total = sum(share for _, share in shares)
    own = any(channel in t.talk_s or channel in t.wrap_s for t in call_types)
    if total <= 0 or not own:
        return talk + wrap  # exactly the channel's (no rounding from the weighting)
    return (
        sum(
            share
            * (
                (t.talk_s[channel].mean if channel in t.talk_s else talk)
                + (t.wrap_s[channel].mean if channel in t.wrap_s else wrap)
            )
            for t, share in shares
        )
        / total
    )
