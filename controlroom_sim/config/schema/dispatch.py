"""Dispatch in the scenario schema: incidents sent to response officers, appointments, demand
suppression, reassessment and failure demand."""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from ..distributions import MAX_MEAN_S, Distribution, Fixed
from ..vocabulary import RESPONSE_GRADES, ResponseGrade
from .base import (
    Hours,
    KeyedError,
    NonNegativeFloat,
    PositiveFloat,
    PositiveHours,
    Probability,
    _Strict,
)


class Appointments(_Strict):
    """``[dispatch.appointments]``: scheduled incidents are booked into appointment slots.

    A scheduled incident books the first slot that starts at least ``earliest_hours`` after
    the call ends and has fewer than ``per_slot`` bookings; it joins the dispatch queue when
    its slot starts, and is on time if an officer arrives within ``target_hours`` of that.
    """

    earliest_hours: Hours = 2.0
    slot_hours: PositiveHours = 1.0
    per_slot: Annotated[int, Field(ge=1)]
    target_hours: PositiveHours = 1.0


class Suppression(_Strict):
    """``[dispatch.suppression]``: downgrading grades when the backlog is long (demand
    suppression, seed 002 L527–531, L3412–3422). When more than ``backlog_threshold`` incidents
    are waiting, a share of emergency and priority grades is lowered one step."""

    enabled: bool = True
    backlog_threshold: Annotated[int, Field(ge=0)]
    share: Probability


class Reassessment(_Strict):
    """``[dispatch.reassessment]``: reviewing waiting incidents every ``every_hours``.

    A review finds a waiting incident whose true risk has risen above its grade and upgrades
    it (it keeps its age in the queue). Each review takes ``review_s`` of a dispatcher's time
    when there are ``[[dispatchers]]`` (after allocations); without dispatchers reviews are
    instant and their time is only counted, as ``review_hours``.
    """

    every_hours: PositiveHours
    review_s: Distribution = Fixed(dist="fixed", value=120.0)


class FailureDemand(_Strict):
    """``[dispatch.failure_demand]``: repeat 101 calls about unresolved matters (seed 001
    L4145–4153: 21% of one force's 101 calls in a week).

    A caller whose incident is still waiting ``after_wait_hours`` after the call rings 101
    again with ``waiting_probability``; a caller whose call was resolved on the phone rings
    again after ``resolved_delay_s`` with ``resolved_probability``. A repeat call is an update
    about the same matter: it takes handler time but raises no new incident.
    """

    after_wait_hours: PositiveHours = 24.0
    waiting_probability: Probability = 0.0
    resolved_probability: Probability = 0.0
    resolved_delay_s: Distribution = Fixed(dist="fixed", value=86400.0)


class Dispatch(_Strict):
    """``[dispatch]``: incidents that need attendance, sent to response officers.

    An incident is raised when a call graded emergency, priority or scheduled ends. Waiting
    incidents are served by grade, then age. An officer travels (urban or rural) and stays on
    scene, then takes the next incident.
    """

    travel_s: Distribution
    """Travel time to an urban incident."""
    rural_share: Probability = 0.0
    rural_travel_s: Distribution | None = None
    """Travel time to a rural incident (needed when rural_share > 0)."""
    on_scene_s: dict[ResponseGrade, Distribution]
    """Time on scene, by grade."""
    targets_min: dict[ResponseGrade, PositiveFloat] = {"emergency": 15.0, "priority": 60.0}
    """Attendance targets for urban incidents, minutes."""
    rural_targets_min: dict[ResponseGrade, PositiveFloat] = {"emergency": 20.0}
    """Targets for rural incidents where they differ, minutes."""
    divert: bool = False
    """An emergency with no officer free takes an officer travelling to a lower grade."""
    allocation_s: Distribution | None = None
    """Dispatcher time to allocate an incident to an officer (needs [[dispatchers]])."""
    escalation_per_hour: NonNegativeFloat = 0.0
    """Rate at which a waiting incident's true risk rises one level (at most once)."""
    appointments: Appointments | None = None
    suppression: Suppression | None = None
    reassessment: Reassessment | None = None
    failure_demand: FailureDemand | None = None

    @field_validator("escalation_per_hour")
    @classmethod
    def _escalation(cls, value: float) -> float:
        # The time to escalate is drawn with mean 3600 / rate, which must be a mean a time
        # distribution may have (at most MAX_MEAN_S: a rate of once in 30,000 years).
        least = 3600.0 / MAX_MEAN_S
        if 0 < value < least:
            raise ValueError(f"expected 0 or at least {least:g} an hour, found {value:g}")
        return value

    @model_validator(mode="after")
    def _complete(self) -> Dispatch:
        missing = [g for g in RESPONSE_GRADES if g not in self.on_scene_s]
        if missing:
            raise KeyedError(
                "on_scene_s", f"expected a time for every grade, found none for {missing[0]!r}"
            )
        if self.rural_share > 0 and self.rural_travel_s is None:
            raise KeyedError(
                "rural_travel_s", "expected a travel time for rural incidents, found none"
            )
        return self

    def target_s(self, grade: str, rural: bool) -> float:
        """The attendance target of an incident, seconds (inf when none is set)."""
        minutes = (self.rural_targets_min.get(grade) if rural else None) or self.targets_min.get(
            grade
        )
        return minutes * 60.0 if minutes is not None else math.inf
