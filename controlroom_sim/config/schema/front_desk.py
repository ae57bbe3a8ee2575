"""``[front_desk]``: a first stage before the handlers of a channel (a 101 switchboard).

Seed 001 (L1497-1509) describes forces that put a switchboard or a phone menu before their 101
handlers: Avon and Somerset's switchboard resolves about two thirds of 101 calls, Suffolk sorts
101 calls into priority queues. Here the channel's calls, on reaching the force, wait first come
first served for a front-desk operator (their patience running). The operator spends ``time_s``
on the call; then the call is resolved there (it ends) with ``resolve_probability``, or it goes
on: to the handlers' queue of one of ``routes``' targets (the channel's own queue, or 999's, at
999's priority) by the routes' shares, the rest to the channel's own queue. A call that goes on
keeps its place in time and the patience it has left. A call resolved at the desk may bring a
repeat call later (failure demand: an unresolved first contact).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Literal

from pydantic import Field, model_validator

from ..distributions import Distribution, Exponential
from ..vocabulary import ChannelName
from .base import KeyedError, Probability, _Strict
from .rotas import HandlerGroup, RotaGroup


class FrontDeskRoute(_Strict):
    """``[[front_desk.routes]]``: where a share of the calls the desk does not resolve go."""

    target: ChannelName
    """The handlers' queue the call joins: a channel of the scenario (``"999"``: 999 handling,
    at 999's priority)."""
    share: Probability
    """Share of the calls not resolved at the desk that take this route."""


class FrontDesk(_Strict):
    """``[front_desk]``: the first stage of a channel's calls, with its own staff."""

    channel: Literal["101"] = "101"
    """The channel whose calls pass the desk."""
    operators: Annotated[list[RotaGroup], Field(min_length=1)]
    """``[[front_desk.operators]]``: the desk's staff, groups on rotas like handler groups."""
    time_s: Distribution
    """An operator's time on a call (talk and any wrap-up), drawn at the call's arrival."""
    resolve_probability: Probability
    """Chance that the desk resolves the call (it ends there)."""
    routes: list[FrontDeskRoute] = []
    """Where the calls not resolved go, by share; the rest join the channel's own queue."""
    repeat_probability: Probability = 0.0
    """Chance that a call resolved at the desk brings a repeat call about the same matter."""
    repeat_delay_s: Distribution = Exponential(dist="exponential", mean=86400.0)
    """Time from the resolved call to the repeat call (assumption: a day on average)."""

    @model_validator(mode="after")
    def _shares(self) -> FrontDesk:
        total = sum(route.share for route in self.routes)
        if total > 1.0 + 1e-9:
            raise KeyedError(
                "routes", f"expected the routes' shares to sum to at most 1, found {total:g}"
            )
        names = [g.name for g in self.operators]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise KeyedError(
                    f"operators.{i}.name", f"expected a unique name, found {name!r} again"
                )
        if sum(g.headcount for g in self.operators) == 0:
            raise KeyedError("operators", "expected at least one operator on duty, found none")
        return self


def check_front_desk(
    desk: FrontDesk | None,
    channels: Mapping[str, object],
    handlers: Sequence[HandlerGroup],
    forces: Sequence[object],
) -> None:
    """The front desk against the rest of the scenario: its channel and its routes' targets
    are channels of the scenario, each answered by some handler group."""
    if desk is None:
        return
    if desk.channel not in channels:
        raise KeyedError(
            "front_desk.channel",
            f"expected a channel of the scenario, found {desk.channel!r} (no "
            f"[channels.{desk.channel}])",
        )
    for i, route in enumerate(desk.routes):
        if route.target not in channels:
            raise KeyedError(
                f"front_desk.routes.{i}.target",
                f"expected a channel of the scenario, found {route.target!r} (no "
                f"[channels.{route.target}])",
            )
        if not any(route.target in g.skills and g.headcount > 0 for g in handlers):
            raise KeyedError(
                f"front_desk.routes.{i}.target",
                f"expected a handler group with the skill '{route.target}' and someone on "
                "duty, found none",
                also=("handlers",),
            )
    if forces:
        raise KeyedError(
            "front_desk", "expected a room of one force (no [[forces]]) with a front desk"
        )
