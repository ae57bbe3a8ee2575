"""Staff and rotas in the scenario schema: shifts and their breaks, groups of people on the same
rota, call handlers, and support workers."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from ..distributions import Distribution, Fixed
from ..vocabulary import DAY_SETS, WEEKDAYS, ChannelName, clock_to_seconds
from .base import ForceName, NonNegativeFloat, PositiveFloat, Probability, _Strict, each_once

ROTA_SECTIONS = ("handlers", "dispatchers", "officers", "support_workers")
"""The scenario's sections of groups on rotas, whose shift lines may have names."""


class Break(_Strict):
    """A break inside a shift: it starts ``after_hours`` into the shift, or when the call in
    hand ends, and lasts ``minutes``.

    With ``spread_hours`` the handlers of the shift line take it in turn: the k-th of n starts
    ``k × spread_hours / n`` later, so the room never empties for a break.
    """

    after_hours: NonNegativeFloat
    minutes: PositiveFloat
    spread_hours: NonNegativeFloat = 0.0

    def start_offsets_s(self, count: int) -> list[float]:
        """Seconds after the shift start at which each of ``count`` handlers is due a break."""
        return [
            (self.after_hours + k * self.spread_hours / max(count, 1)) * 3600.0
            for k in range(count)
        ]


class Shift(_Strict):
    """One shift line of a group's rota.

    ``name`` (optional, unique among the scenario's shift lines) lets a variant change the line
    by name (``[shift_lines."Late 999"]``, see :mod:`controlroom_sim.config.shift_lines`); the
    model does not read it.
    """

    name: Annotated[str, Field(min_length=1, max_length=60)] | None = None
    start: str
    hours: Annotated[float, Field(gt=0, le=24, allow_inf_nan=False)]
    days: str | list[str] = "daily"
    count: Annotated[int, Field(ge=0)]
    breaks: list[Break] = []

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        if value is not None and (value != value.strip() or any(c in value for c in '.="')):
            raise ValueError(
                "expected a name without '.', '=', '\"' or spaces at either end "
                f"(it is written in --set shift_lines.NAME.count=...), found {value!r}"
            )
        return value

    @field_validator("start")
    @classmethod
    def _clock(cls, value: str) -> str:
        clock_to_seconds(value)
        return value

    @field_validator("days")
    @classmethod
    def _days(cls, value: str | list[str]) -> str | list[str]:
        names = [value] if isinstance(value, str) else value
        for name in names:
            if name not in DAY_SETS and name not in WEEKDAYS:
                raise ValueError(
                    f"expected 'daily', 'weekdays', 'weekends' or weekday names, found {name!r}"
                )
        return value

    @model_validator(mode="after")
    def _breaks_inside(self) -> Shift:
        for brk in self.breaks:
            latest = brk.after_hours + brk.spread_hours
            if latest + brk.minutes / 60.0 > self.hours:
                raise ValueError(
                    f"a break {latest:g} h into the shift lasting {brk.minutes:g} min "
                    f"ends after the {self.hours:g}-hour shift"
                )
        return self

    @property
    def start_s(self) -> float:
        return clock_to_seconds(self.start)

    def weekdays(self) -> tuple[int, ...]:
        """Indices (Monday = 0) of the days this shift starts on."""
        names = [self.days] if isinstance(self.days, str) else self.days
        out: set[int] = set()
        for name in names:
            out.update(WEEKDAYS.index(d) for d in DAY_SETS.get(name, (name,)))
        return tuple(sorted(out))


class RotaGroup(_Strict):
    """People with the same rota: on duty around the clock (``count``) or on ``shifts``."""

    name: Annotated[str, Field(min_length=1)]
    count: Annotated[int, Field(ge=0)] | None = None
    """People on duty around the clock (when there are no shifts)."""
    shifts: list[Shift] | None = None

    @model_validator(mode="after")
    def _count_or_shifts(self) -> RotaGroup:
        if self.count is None and self.shifts is None:
            raise ValueError("expected 'count' (around the clock) or 'shifts', found neither")
        if self.count is not None and self.shifts is not None:
            raise ValueError("expected 'count' (around the clock) or 'shifts', not both")
        return self

    @property
    def headcount(self) -> int:
        if self.count is not None:
            return self.count
        return sum(s.count for s in self.shifts or [])


class HandlerGroup(RotaGroup):
    """``[[handlers]]``: call handlers with the same skills and rota."""

    skills: Annotated[list[ChannelName | Literal["digital"]], Field(min_length=1)]
    """The channels whose calls the group takes, and ``"digital"`` if it works digital items
    (``[digital]``)."""
    forces: Annotated[list[ForceName], Field(min_length=1)] | None = None
    """With ``[[forces]]``: the forces whose calls the group takes; absent: every force's."""

    @field_validator("forces")
    @classmethod
    def _unique_forces(cls, value: list[str] | None) -> list[str] | None:
        return each_once(value, "force")

    @field_validator("skills")
    @classmethod
    def _unique_skills(cls, value: list[str]) -> list[str] | None:
        return each_once(value, "channel")


class SupportWorkers(RotaGroup):
    """``[[support_workers]]``: staff to whom handlers pass calls of some types (a Mind support
    worker, seed 004: one worker 13:00–23:00 daily).

    When a handler answers a call of one of ``call_types`` and a worker is free, the handler
    spends ``handover_s`` and is free again; the worker talks with the caller for ``talk_s``
    and asks for attendance with ``attendance_probability`` (the incident keeps the call's
    response grade, or is graded priority). Otherwise the handler deals with the call.
    """

    call_types: Annotated[list[str], Field(min_length=1)]
    handover_s: Distribution = Fixed(dist="fixed", value=60.0)
    talk_s: Distribution
    attendance_probability: Probability = 0.0
