"""``[digital]``: digital contact (online reports, e-mail, live chat) as a third kind of demand
that call handlers work between calls (issue 20 item 2; seed 001 L1308-1314: forces moving
demand to online reporting and live chat, a digital desk interrupted for calls).

Items arrive as a Poisson process at ``items_per_day`` (flat over the day: the work is
deferrable, so its time of arrival matters less than the calls'). A handler of a group whose
``skills`` list ``"digital"`` takes the oldest item only when no call it can take is waiting,
and works it for ``work_s`` in all. When a call of a channel in ``interrupted_by`` reaches the
force and no handler who can take it is idle, the named rule decides: ``finish`` (the call
waits; the handler finishes the item first) or ``set_aside`` (a handler on an item stops at
once, the item keeps its remaining work and goes back to the head of the queue, and the
handler takes the call).
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from typing import Annotated, Literal

from pydantic import Field, field_validator

from ..distributions import Distribution
from ..vocabulary import ChannelName
from .base import KeyedError, NonNegativeFloat, PositiveFloat, _Strict, each_once
from .rotas import HandlerGroup

DIGITAL_SKILL = "digital"
"""The skill a handler group lists to work digital items."""


class Digital(_Strict):
    """``[digital]``: digital contact as work for call handlers."""

    items_per_day: NonNegativeFloat
    """Mean digital items (online reports, e-mails, chats) arriving a day, flat over the day."""
    work_s: Distribution
    """A handler's time on one item, in all (however often it is set aside)."""
    target_hours: PositiveFloat = 24.0
    """An item is within target when its work is done within this many hours of arriving."""
    interrupt: Literal["finish", "set_aside"] = "set_aside"
    """When a call of ``interrupted_by`` waits: ``finish`` the item first, or ``set_aside``
    the item (its remaining work goes back to the head of the queue) and take the call."""
    interrupted_by: Annotated[list[ChannelName], Field(min_length=1)] = ["999"]
    """The channels whose calls interrupt digital work under ``set_aside``."""

    @field_validator("interrupted_by")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str] | None:
        return each_once(value, "channel")


def check_digital(
    digital: Digital | None, channels: Container[str], handlers: Sequence[HandlerGroup]
) -> None:
    """The checks of ``[digital]`` against the channels and handler groups: a group that lists
    the skill needs the section; items need someone on duty with the skill; the interrupting
    channels must be the scenario's."""
    skilled = [i for i, g in enumerate(handlers) if DIGITAL_SKILL in g.skills]
    if digital is None:
        if skilled:
            raise KeyedError(
                f"handlers.{skilled[0]}.skills",
                "lists 'digital', so expected a [digital] section, found none",
            )
        return
    if digital.items_per_day > 0 and not any(handlers[i].headcount > 0 for i in skilled):
        raise KeyedError(
            "digital.items_per_day",
            "digital items arrive, so expected a handler group with the skill 'digital' and "
            "someone on duty, found none",
            also=("handlers",),
        )
    for j, channel in enumerate(digital.interrupted_by):
        if channel not in channels:
            raise KeyedError(
                f"digital.interrupted_by.{j}",
                f"expected a channel of the scenario, found {channel!r}",
            )
