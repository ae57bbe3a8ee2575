"""What dispatch is made of: the response grades' order, the state codes of an incident and
of a dispatcher's task, the :class:`Incident`, and the officers and dispatchers.
"""

from __future__ import annotations

import math
from enum import IntEnum

from ..config.vocabulary import GRADES, RESPONSE_GRADES
from .staffing import Member

RANK = {GRADES.index(g): rank for rank, g in enumerate(RESPONSE_GRADES)}
"""Dispatch order of the response grades (indices into GRADES): emergency first."""
EMERGENCY, PRIORITY, SCHEDULED = (GRADES.index(g) for g in RESPONSE_GRADES)
LOWER = {EMERGENCY: PRIORITY, PRIORITY: SCHEDULED}
DISPATCHER_TASKS = ("allocation", "review")
"""The ``task`` labels of the ``dispatcher_work`` table."""
DispatcherTask = IntEnum("DispatcherTask", [name.upper() for name in DISPATCHER_TASKS], start=0)
"""What a dispatcher is doing: built from :data:`DISPATCHER_TASKS`."""


class IncidentState(IntEnum):
    """Where an incident is (the model's own; no table shows it)."""

    BOOKED = 0
    WAITING = 1
    ALLOCATING = 2
    TRAVELLING = 3
    ON_SCENE = 4
    CLEARED = 5


# The codes as plain ints for the hot path (an int subclass compares and hashes more slowly).
ALLOCATION = int(DispatcherTask.ALLOCATION)
REVIEW = int(DispatcherTask.REVIEW)
BOOKED = int(IncidentState.BOOKED)
WAITING = int(IncidentState.WAITING)
ALLOCATING = int(IncidentState.ALLOCATING)
TRAVELLING = int(IncidentState.TRAVELLING)
ON_SCENE = int(IncidentState.ON_SCENE)
CLEARED = int(IncidentState.CLEARED)


class Officer(Member):
    """A response officer on one shift; ``trip`` is the incident it is travelling to."""

    __slots__ = ("trip", "trips")

    def __init__(self, member_id: int, group: int) -> None:
        super().__init__(member_id, group)
        self.trip: Incident | None = None
        self.trips = 0  # numbers each departure, so an arrival of a diverted trip is ignored


class Dispatcher(Member):
    """A dispatcher on one shift."""

    __slots__ = ()


class Incident:
    """One incident raised from a call, and what happened to it (simulation seconds).

    ``call`` is what the incident keeps of its call (the model's ``CallFacts``: the caller, the
    call's id, its true risk and flags), not the call itself, which is already in the records.
    """

    __slots__ = (
        "allocated_s",
        "allocation_s",
        "appointment_s",
        "arrived_s",
        "call",
        "call_s",
        "cleared_s",
        "created_s",
        "diversions",
        "due_s",
        "escalated_s",
        "grade",
        "incident_id",
        "officer_id",
        "on_scene_by_grade",
        "on_scene_s",
        "original_grade",
        "rural",
        "state",
        "suppressed",
        "target_s",
        "travel_s",
        "true_risk",
        "upgraded",
        "version",
    )

    def __init__(
        self,
        incident_id: int,
        call: object,
        call_s: float,
        created_s: float,
        grade: int,
        true_risk: int,
        rural: bool,
        travel_s: float,
        on_scene_s: float,
    ) -> None:
        self.incident_id = incident_id
        self.call = call
        self.call_s = call_s
        self.created_s = created_s
        self.grade = grade
        self.original_grade = grade
        self.true_risk = true_risk
        self.rural = rural
        self.travel_s = travel_s
        self.on_scene_s = on_scene_s
        self.target_s = math.inf
        self.due_s = math.inf
        self.appointment_s = math.nan
        self.allocated_s = math.nan
        self.arrived_s = math.nan
        self.cleared_s = math.nan
        self.escalated_s = math.nan
        self.officer_id = -1
        self.allocation_s = 0.0
        self.diversions = 0
        self.suppressed = False
        self.upgraded = False
        self.state = WAITING
        self.version = 0
