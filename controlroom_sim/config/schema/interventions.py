"""``[[interventions]]``: changes made to the room while it runs, each at a moment of the run.

A trainer's live exercise makes them as the run goes (issue 21); a scenario lists them so the
same session can be run again as a batch, with the same results. Each names its ``action`` and
when it happens: ``at_s`` (simulation seconds from the start of the warm-up, as a live session
records it) or ``day`` and ``start`` (a measured day and a clock time, as surges are written).

Actions (each takes effect at its moment, before anything else the room does then):

* ``surge``: the chosen channels' calls arrive at ``multiplier`` times their rate for
  ``hours`` (the extra calls are a Poisson process of their own, so every other caller stays
  the same);
* ``major_incident``: a burst of ``calls`` calls on one channel over ``minutes``;
* ``outage``: a telephony outage, no call is answered for ``minutes`` (callers wait, and may
  give up; calls in hand go on);
* ``support``: the support workers take handovers (``on = true``) or not;
* ``callbacks``: 101 callers are offered callbacks (``on = true``) or not; callbacks already
  accepted are still made;
* ``add_handlers``: ``count`` more handlers of ``group`` come on duty now for ``hours`` (a
  call-in: all of their time is overtime);
* ``send_home``: up to ``count`` handlers of ``group`` go off now, as at a shift end (idle ones
  at once, busy ones after the call in hand);
* ``cancel_breaks``: the breaks not yet started of the handlers on shift now (of ``group``, or of
  every group) are cancelled;
* ``start_breaks``: up to ``count`` idle handlers of ``group`` go on a break of ``minutes`` now
  (their breaks on the rota still fall due as before).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from ..vocabulary import ChannelName, clock_to_seconds
from .base import KeyedError, NonNegativeFloat, PositiveHours, _Strict

ACTIONS = (
    "surge",
    "major_incident",
    "outage",
    "support",
    "callbacks",
    "add_handlers",
    "send_home",
    "cancel_breaks",
    "start_breaks",
)


class _When(_Strict):
    at_s: NonNegativeFloat | None = None
    """Simulation seconds from the start of the warm-up."""
    day: Annotated[int, Field(ge=1)] | None = None
    """Measured day (1 = the first measured day), with ``start``."""
    start: str | None = None
    """Clock time on ``day``, ``HH:MM``."""

    @field_validator("start")
    @classmethod
    def _clock(cls, value: str | None) -> str | None:
        if value is not None:
            clock_to_seconds(value)
        return value

    @model_validator(mode="after")
    def _one_moment(self) -> _When:
        if self.at_s is not None:
            if self.day is not None or self.start is not None:
                raise KeyedError("at_s", "expected at_s, or day and start, found both")
        elif self.day is None and self.start is None:
            raise KeyedError("at_s", "expected at_s, or day and start, found neither")
        elif self.day is None:
            raise KeyedError("day", "expected a day with start, found none")
        elif self.start is None:
            raise KeyedError("start", "expected a start with day, found none")
        return self

    def moment_s(self, warmup_s: float) -> float:
        """When it happens, in simulation seconds."""
        if self.at_s is not None:
            return self.at_s
        assert self.day is not None and self.start is not None
        return warmup_s + (self.day - 1) * 86400.0 + clock_to_seconds(self.start)


class Surge(_When):
    """Calls of ``channels`` at ``multiplier`` times their rate for ``hours``."""

    action: Literal["surge"]
    channels: Annotated[list[ChannelName], Field(min_length=1)]
    multiplier: Annotated[float, Field(gt=1, le=100, allow_inf_nan=False)]
    hours: PositiveHours


class MajorIncident(_When):
    """``calls`` calls on ``channel`` at uniform times over ``minutes``."""

    action: Literal["major_incident"]
    channel: ChannelName = "999"
    calls: Annotated[int, Field(ge=1, le=100_000)]
    minutes: Annotated[float, Field(gt=0, le=10_080, allow_inf_nan=False)]


class Outage(_When):
    """No call answered for ``minutes``."""

    action: Literal["outage"]
    minutes: Annotated[float, Field(gt=0, le=10_080, allow_inf_nan=False)]


class Switch(_When):
    """The support workers' handovers, or callbacks, on or off."""

    action: Literal["support", "callbacks"]
    on: bool


class AddHandlers(_When):
    """``count`` more handlers of ``group`` on duty now for ``hours``."""

    action: Literal["add_handlers"]
    group: str
    count: Annotated[int, Field(ge=1, le=1000)]
    hours: PositiveHours


class SendHome(_When):
    """Up to ``count`` handlers of ``group`` off now, as at a shift end."""

    action: Literal["send_home"]
    group: str
    count: Annotated[int, Field(ge=1, le=1000)]


class CancelBreaks(_When):
    """The breaks not yet started of the handlers on shift (of ``group``, or of all)."""

    action: Literal["cancel_breaks"]
    group: str | None = None


class StartBreaks(_When):
    """Up to ``count`` idle handlers of ``group`` on a break of ``minutes`` now."""

    action: Literal["start_breaks"]
    group: str
    count: Annotated[int, Field(ge=1, le=1000)]
    minutes: Annotated[float, Field(gt=0, le=1440, allow_inf_nan=False)]


StaffAction = AddHandlers | SendHome | CancelBreaks | StartBreaks
"""The interventions that change the handlers on duty (model/staff_changes.py)."""

Intervention = Annotated[
    Surge | MajorIncident | Outage | Switch | AddHandlers | SendHome | CancelBreaks | StartBreaks,
    Field(discriminator="action"),
]
"""One ``[[interventions]]`` entry."""


def check_interventions(scenario) -> None:  # type: ignore[no-untyped-def]
    """The interventions against the rest of the scenario: channels it has, moments inside the
    run, and sections the action needs."""
    for i, item in enumerate(scenario.interventions):
        key = f"interventions.{i}"
        at = item.moment_s(scenario.warmup_s)
        if at >= scenario.end_s:
            field = "at_s" if item.at_s is not None else "day"
            raise KeyedError(
                f"{key}.{field}",
                f"expected a moment before the end of the run ({scenario.end_s:g} s), found "
                f"{at:g} s",
            )
        names = (
            item.channels
            if isinstance(item, Surge)
            else ([item.channel] if isinstance(item, MajorIncident) else [])
        )
        for j, name in enumerate(names):
            if name not in scenario.channels:
                where = f"{key}.channels.{j}" if isinstance(item, Surge) else f"{key}.channel"
                raise KeyedError(
                    where,
                    f"expected a channel of the scenario ({', '.join(scenario.channels)}), "
                    f"found {name!r}",
                )
        group = getattr(item, "group", None)
        if group is not None and group not in [g.name for g in scenario.handlers]:
            names = ", ".join(g.name for g in scenario.handlers)
            raise KeyedError(
                f"{key}.group",
                f"expected a handlers' group of the scenario ({names}), found {group!r}",
            )
        if isinstance(item, Switch):
            needs = {"support": "support_workers", "callbacks": "callback"}[item.action]
            if not getattr(scenario, needs):
                raise KeyedError(
                    f"{key}.action",
                    f"expected a [{needs}] section for {item.action!r}, found none",
                )
            if item.action == "callbacks" and "101" not in scenario.channels:
                raise KeyedError(
                    f"{key}.action", "expected a 101 channel for 'callbacks', found none"
                )
