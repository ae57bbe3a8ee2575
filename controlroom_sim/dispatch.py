"""Dispatch: incidents waiting for response officers, served by grade then age.

An incident is raised when a call graded emergency, priority or scheduled ends (the handler has
the facts and creates the log). It waits in the dispatch queue, emergencies first, then
priority, then scheduled, oldest first within a grade. A free officer (the one idle longest)
is allocated, travels to the scene (urban or rural travel time) and stays on scene, then takes
the next incident. Officers work rotas with the same rules as call handlers
(:mod:`controlroom_sim.staffing`): an officer whose shift ends finishes the incident in hand.

Every incident attribute (rural or not, travel time, time on scene) is drawn when the call
arrives, so two scenarios with the same seed send officers to the same incidents.

Attendance is timed both from the call being made (receipt) and from allocation: forces
measure it differently (seed 001 L1237–1247).
"""

from __future__ import annotations

import heapq
import math
from collections import deque

import pandas as pd
import simpy

from .scenario import GRADES, RESPONSE_GRADES, RISK_LEVELS, Scenario
from .staffing import BUSY, IDLE, Member, Staff

RANK = {GRADES.index(g): rank for rank, g in enumerate(RESPONSE_GRADES)}
"""Dispatch order of the response grades (indices into GRADES): emergency first."""


class Officer(Member):
    """A response officer on one shift."""

    __slots__ = ()


class Incident:
    """One incident raised from a call, and what happened to it (simulation seconds)."""

    __slots__ = (
        "allocated_s",
        "arrived_s",
        "call",
        "call_s",
        "cleared_s",
        "created_s",
        "grade",
        "incident_id",
        "officer_id",
        "on_scene_s",
        "rural",
        "target_s",
        "travel_s",
    )

    def __init__(
        self,
        incident_id: int,
        call: object,
        call_s: float,
        created_s: float,
        grade: int,
        rural: bool,
        travel_s: float,
        on_scene_s: float,
        target_s: float,
    ) -> None:
        self.incident_id = incident_id
        self.call = call
        self.call_s = call_s
        self.created_s = created_s
        self.grade = grade
        self.rural = rural
        self.travel_s = travel_s
        self.on_scene_s = on_scene_s
        self.target_s = target_s
        self.allocated_s = math.nan
        self.arrived_s = math.nan
        self.cleared_s = math.nan
        self.officer_id = -1


class DispatchDesk:
    """The dispatch queue and the response officers of one replication."""

    def __init__(self, env: simpy.Environment, scenario: Scenario) -> None:
        assert scenario.dispatch is not None
        self.env = env
        self.spec = scenario.dispatch
        self.incidents: list[Incident] = []
        self.queue: list[tuple[int, float, int, Incident]] = []
        self.idle: deque[Officer] = deque()
        self.staff = Staff(
            env,
            scenario.officers,
            scenario.origin_weekday_s,
            scenario.end_s,
            Officer,
            release=self._release,
            withdraw=self._withdraw,
        )

    # -- incidents ----------------------------------------------------------------------------

    def raise_incident(
        self,
        call: object,
        call_s: float,
        grade: int,
        rural: bool,
        travel_s: float,
        on_scene_s: float,
    ) -> Incident:
        """A call graded for attendance has ended: the incident joins the queue."""
        incident = Incident(
            len(self.incidents),
            call,
            call_s,
            self.env.now,
            grade,
            rural,
            travel_s,
            on_scene_s,
            self.spec.target_s(GRADES[grade], rural),
        )
        self.incidents.append(incident)
        if self.idle:
            self._allocate(self.idle.popleft(), incident)
        else:
            heapq.heappush(
                self.queue, (RANK[grade], incident.created_s, incident.incident_id, incident)
            )
        return incident

    def _allocate(self, officer: Officer, incident: Incident) -> None:
        officer.state = BUSY
        incident.officer_id = officer.member_id
        incident.allocated_s = self.env.now
        self.env.timeout(incident.travel_s, (officer, incident)).callbacks.append(self._arrive)

    def _arrive(self, event: simpy.Event) -> None:
        officer, incident = event.value
        incident.arrived_s = self.env.now
        self.env.timeout(incident.on_scene_s, (officer, incident)).callbacks.append(self._clear)

    def _clear(self, event: simpy.Event) -> None:
        officer, incident = event.value
        incident.cleared_s = self.env.now
        self.staff.finished(officer)

    # -- officers -----------------------------------------------------------------------------

    def _release(self, officer: Officer) -> None:
        if self.queue:
            self._allocate(officer, heapq.heappop(self.queue)[3])
        else:
            officer.state = IDLE
            officer.idle_since = self.env.now
            self.idle.append(officer)

    def _withdraw(self, officer: Officer) -> None:
        self.idle.remove(officer)

    # -- records ------------------------------------------------------------------------------

    def close(self) -> None:
        self.staff.close()

    def incident_table(self) -> pd.DataFrame:
        """One row per incident (see :mod:`controlroom_sim.records`)."""
        rows = [
            (
                i.incident_id,
                i.call.call_id,
                GRADES[i.grade],
                RISK_LEVELS[i.call.true_risk],  # type: ignore[attr-defined]
                bool(i.call.vulnerable),
                i.rural,
                i.call_s,
                i.created_s,
                i.allocated_s,  # type: ignore[attr-defined]
                i.arrived_s,
                i.cleared_s,
                i.officer_id,
                i.travel_s,
                i.on_scene_s,
                i.target_s,
            )
            for i in self.incidents
        ]
        table = pd.DataFrame(
            rows,
            columns=[
                "incident_id",
                "call_id",
                "grade",
                "true_risk",
                "vulnerable",
                "rural",
                "call_s",
                "created_s",
                "allocated_s",
                "arrived_s",
                "cleared_s",
                "officer_id",
                "travel_s",
                "on_scene_s",
                "target_s",
            ],
        ).astype(
            {
                "incident_id": "int64",
                "call_id": "int64",
                "vulnerable": "bool",
                "rural": "bool",
                "call_s": "float64",
                "created_s": "float64",
                "allocated_s": "float64",
                "arrived_s": "float64",
                "cleared_s": "float64",
                "officer_id": "int64",
                "travel_s": "float64",
                "on_scene_s": "float64",
                "target_s": "float64",
            }
        )
        table["grade"] = pd.Categorical(table["grade"], categories=list(RESPONSE_GRADES))
        table["true_risk"] = pd.Categorical(table["true_risk"], categories=list(RISK_LEVELS))
        return table
