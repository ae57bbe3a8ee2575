"""Dispatch: incidents waiting for response officers, served by grade then age.

An incident is raised when a call graded emergency, priority or scheduled ends (the handler has
the facts and creates the log). It waits in the dispatch queue, emergencies first, then
priority, then scheduled, oldest first within a grade. A free officer (the one idle longest)
is allocated, travels to the scene (urban or rural travel time) and stays on scene, then takes
the next incident. Officers work rotas with the same rules as call handlers
(:mod:`controlroom_sim.staffing`): an officer whose shift ends finishes the incident in hand.

Options of ``[dispatch]`` (docs/model.md, "Dispatch"):

* ``divert``: an emergency with no officer free takes the officer who most recently set off to
  a lower-grade incident; that incident goes back to the queue, keeping its age;
* ``appointments``: scheduled incidents are booked into slots with a capacity and join the queue
  when their slot starts;
* ``suppression``: above a backlog threshold a share of emergency and priority grades is
  lowered one step when the incident is raised (the harm shows in true-risk KPIs);
* ``escalation_per_hour`` and ``reassessment``: a waiting incident's true risk can rise one
  level; a review every N hours upgrades incidents whose risk now exceeds their grade;
* ``failure_demand``: callers whose incident has waited too long ring 101 again.

Every incident attribute (rural or not, travel and on-scene times, when risk would escalate,
the suppression and repeat-call choices) is drawn when the call arrives, so two scenarios with
the same seed send officers to the same incidents. Attendance is timed both from the call
being made (receipt) and from allocation: forces measure it differently (seed 001 L1237–1247).
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Callable

import simpy

from ..config.schema import Scenario
from ..config.vocabulary import GRADES, RISK_LEVELS
from .absence import absence
from .columns import Rows
from .draws import DispatchDraws
from .incident_table import _INCIDENT_COLUMNS, _INCIDENT_SOURCES, _REVIEW_COLUMNS, DispatchRecords
from .incidents import (
    ALLOCATING,
    ALLOCATION,
    BOOKED,
    CLEARED,
    EMERGENCY,
    LOWER,
    ON_SCENE,
    RANK,
    SCHEDULED,
    TRAVELLING,
    WAITING,
    Dispatcher,
    Incident,
    Officer,
)
from .reassessment import Reassessment
from .recorder import SlotRecorder
from .rng import RandomStreams
from .staffing import BUSY, IDLE, Member, Staff


class DispatchDesk(Reassessment, DispatchRecords):
    """The dispatch queue and the response officers of one replication.

    ``repeat_call(call)`` is called when a caller whose incident has waited too long rings
    101 again (failure demand); the control room makes the call.
    """

    def __init__(
        self,
        env: simpy.Environment,
        scenario: Scenario,
        repeat_call: Callable[[object], None] | None = None,
        streams: RandomStreams | None = None,
    ) -> None:
        assert scenario.dispatch is not None
        self.env = env
        self.spec = scenario.dispatch
        self.end_s = scenario.end_s
        self.origin_weekday_s = scenario.origin_weekday_s
        self.repeat_call = repeat_call
        self.raised = 0
        # Incidents not cleared yet, by id; a cleared one is written to the store and dropped.
        self.open: dict[int, Incident] = {}
        self.rows = SlotRecorder(_INCIDENT_COLUMNS, _INCIDENT_SOURCES)
        self.queue: list[tuple[int, float, int, int, Incident]] = []
        self.waiting = 0
        self.idle: deque[Officer] = deque()
        self.travelling: list[Officer] = []
        self.bookings: dict[int, int] = {}
        # One row per review of a waiting incident (dispatcher_id -1: no dispatchers, the
        # review is instant and its mean time only counted).
        self.reviews = Rows(_REVIEW_COLUMNS)
        self.staff = Staff(
            env,
            scenario.officers,
            scenario.origin_weekday_s,
            scenario.end_s,
            Officer,
            release=self._release,
            withdraw=self._withdraw,
            absent=absence(streams, scenario, "officers", scenario.officers) if streams else None,
        )
        self.dispatchers: Staff | None = None
        self.idle_dispatchers: deque[Dispatcher] = deque()
        self.dispatcher_work = Rows(
            {
                "dispatcher_id": "int64",
                "incident_id": "int64",
                "start_s": "float64",
                "end_s": "float64",
                "task": "int8",
            }
        )
        self.reviews_due: deque[Incident] = deque()
        self.review_rng = streams.generator("dispatch.reviews") if streams else None
        if scenario.dispatchers:
            self.dispatchers = Staff(
                env,
                scenario.dispatchers,
                scenario.origin_weekday_s,
                scenario.end_s,
                Dispatcher,
                release=self._dispatcher_free,
                withdraw=self.idle_dispatchers.remove,  # type: ignore[arg-type]
                absent=(
                    absence(streams, scenario, "dispatchers", scenario.dispatchers)
                    if streams
                    else None
                ),
            )
        if self.spec.reassessment is not None:
            env.process(self._reassess())

    # -- incidents ----------------------------------------------------------------------------

    def raise_incident(
        self,
        call: object,
        call_s: float,
        grade: int,
        true_risk: int,
        rural: bool,
        travel_s: float,
        draws: DispatchDraws,
    ) -> Incident:
        """A call graded for attendance has ended: the incident joins the queue (or books an
        appointment). ``draws`` are the call's draws for its incident."""
        on_scene_s = draws.on_scene_s
        raised = grade
        spec = self.spec
        suppression = spec.suppression
        suppressed = False
        if (
            suppression is not None
            and suppression.enabled
            and grade in LOWER
            and self.waiting > suppression.backlog_threshold
            and draws.suppress_u < suppression.share
        ):
            grade = LOWER[grade]
            suppressed = True
        incident_id = self.raised
        self.raised += 1
        incident = Incident(
            incident_id,
            call,
            call_s,
            self.env.now,
            grade,
            true_risk,
            rural,
            travel_s,
            on_scene_s[RANK[grade]],
        )
        incident.on_scene_by_grade = on_scene_s
        incident.original_grade = raised
        incident.suppressed = suppressed
        incident.allocation_s = draws.allocation_s
        self._set_target(incident)
        self.open[incident_id] = incident
        if spec.escalation_per_hour > 0 and true_risk < len(RISK_LEVELS) - 1:
            self.env.timeout(draws.escalate_s, incident).callbacks.append(self._escalate)
        failure = spec.failure_demand
        if (
            failure is not None
            and self.repeat_call is not None
            and draws.repeat_u < failure.waiting_probability
        ):
            self.env.timeout(failure.after_wait_hours * 3600.0, incident).callbacks.append(
                self._still_waiting
            )
        if grade == SCHEDULED and spec.appointments is not None:
            self._book(incident)
        else:
            self._enqueue(incident)
        return incident

    def _set_target(self, incident: Incident) -> None:
        incident.target_s = self.spec.target_s(GRADES[incident.grade], incident.rural)
        incident.due_s = incident.call_s + incident.target_s

    def _book(self, incident: Incident) -> None:
        booking = self.spec.appointments
        assert booking is not None
        slot_s = booking.slot_hours * 3600.0
        # Slots are laid on the week's clock (from Monday 00:00), not from the run's start.
        origin = self.origin_weekday_s
        slot = math.ceil((self.env.now + booking.earliest_hours * 3600.0 + origin) / slot_s)
        while self.bookings.get(slot, 0) >= booking.per_slot:
            slot += 1
        self.bookings[slot] = self.bookings.get(slot, 0) + 1
        incident.state = BOOKED
        # max(): a slot starting at this very moment can round to a hair before it.
        incident.appointment_s = max(slot * slot_s - origin, self.env.now)
        incident.target_s = booking.target_hours * 3600.0
        incident.due_s = incident.appointment_s + incident.target_s
        self.env.timeout(incident.appointment_s - self.env.now, incident).callbacks.append(
            self._slot_starts
        )

    def _slot_starts(self, event: simpy.Event) -> None:
        incident: Incident = event.value
        if incident.state == BOOKED:
            self._enqueue(incident)

    def _can_allocate(self) -> bool:
        return self.dispatchers is None or bool(self.idle_dispatchers)

    def _enqueue(self, incident: Incident) -> None:
        incident.state = WAITING
        if self.idle and self._can_allocate():
            self._allocate(self.idle.popleft(), incident)
            return
        if incident.grade == EMERGENCY and self.spec.divert and self._divert(incident):
            return
        self.waiting += 1
        incident.version += 1
        heapq.heappush(
            self.queue,
            (
                RANK[incident.grade],
                incident.created_s,
                incident.incident_id,
                incident.version,
                incident,
            ),
        )

    def _next(self) -> Incident | None:
        while self.queue:
            _, _, _, version, incident = heapq.heappop(self.queue)
            if incident.state == WAITING and version == incident.version:
                self.waiting -= 1
                return incident
        return None

    # -- officers -----------------------------------------------------------------------------

    def _allocate(
        self, officer: Officer, incident: Incident, dispatcher: Member | None = None
    ) -> None:
        """Send ``officer``: at once, or after a dispatcher (a given one, or the first idle)
        has spent ``allocation_s``."""
        officer.state = BUSY
        incident.officer_id = officer.member_id
        if self.dispatchers is None:
            self._set_off(officer, incident)
            return
        if dispatcher is None:
            dispatcher = self.idle_dispatchers.popleft()
        dispatcher.state = BUSY
        incident.state = ALLOCATING
        now = self.env.now
        self.dispatcher_work.append(
            dispatcher.member_id, incident.incident_id, now, now + incident.allocation_s, ALLOCATION
        )
        self.env.timeout(incident.allocation_s, (officer, incident, dispatcher)).callbacks.append(
            self._allocated
        )

    def _allocated(self, event: simpy.Event) -> None:
        officer, incident, dispatcher = event.value
        self._set_off(officer, incident)
        assert self.dispatchers is not None
        self.dispatchers.finished(dispatcher)

    def _set_off(self, officer: Officer, incident: Incident) -> None:
        officer.trip = incident
        officer.trips += 1
        incident.state = TRAVELLING
        incident.allocated_s = self.env.now
        self.travelling.append(officer)
        self.env.timeout(incident.travel_s, (officer, incident, officer.trips)).callbacks.append(
            self._arrive
        )

    def _divert(self, emergency: Incident) -> bool:
        """Take the officer who most recently set off to a lower grade; False if none."""
        if not self._can_allocate():
            return False
        candidates = [
            o
            for o in self.travelling
            # Not an officer whose shift has ended or whose break is due: they take no new work.
            if o.trip is not None
            and o.trip.grade != EMERGENCY
            and not o.leaving
            and o.break_min == 0.0
        ]
        if not candidates:
            return False
        officer = max(candidates, key=lambda o: (o.trip.allocated_s, o.member_id))  # type: ignore[union-attr]
        dropped = officer.trip
        assert dropped is not None
        self.travelling.remove(officer)
        officer.trip = None
        dropped.diversions += 1
        dropped.allocated_s = math.nan
        dropped.officer_id = -1
        self._enqueue(dropped)
        self._allocate(officer, emergency)
        return True

    def _arrive(self, event: simpy.Event) -> None:
        officer, incident, trip = event.value
        if trip != officer.trips or officer.trip is not incident:
            return  # the officer was diverted on the way
        self.travelling.remove(officer)
        officer.trip = None
        incident.state = ON_SCENE
        incident.arrived_s = self.env.now
        self.env.timeout(incident.on_scene_s, (officer, incident)).callbacks.append(self._clear)

    def _clear(self, event: simpy.Event) -> None:
        officer, incident = event.value
        incident.state = CLEARED
        incident.cleared_s = self.env.now
        del self.open[incident.incident_id]
        self._write(incident)  # it changes no more
        self.staff.finished(officer)

    def _release(self, officer: Officer) -> None:
        incident = self._next() if self._can_allocate() else None
        if incident is not None:
            self._allocate(officer, incident)
        else:
            officer.state = IDLE
            officer.idle_since = self.env.now
            self.idle.append(officer)

    def _dispatcher_free(self, dispatcher: Member) -> None:
        """A free dispatcher allocates a waiting incident to an idle officer if it can, else
        reviews a waiting incident (when a reassessment is due), else waits."""
        if self.idle and self.queue:
            incident = self._next()
            if incident is not None:
                self._allocate(self.idle.popleft(), incident, dispatcher)
                return
        if self._start_review(dispatcher):
            return
        dispatcher.state = IDLE
        dispatcher.idle_since = self.env.now
        self.idle_dispatchers.append(dispatcher)  # type: ignore[arg-type]

    def _withdraw(self, officer: Officer) -> None:
        self.idle.remove(officer)
