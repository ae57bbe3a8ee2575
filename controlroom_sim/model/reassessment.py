"""Risk in the backlog: escalation of a waiting incident's true risk, the periodic reviews that
upgrade it (by the desk at once, or by a dispatcher), and callers ringing again when their
incident has waited too long (failure demand).
"""

from __future__ import annotations

import simpy

from ..config.vocabulary import GRADE_FOR_RISK, GRADES
from .incidents import (
    BOOKED,
    RANK,
    REVIEW,
    WAITING,
    Incident,
)
from .staffing import BUSY, Member


class Reassessment:
    """The part of :class:`~.dispatch.DispatchDesk` that watches the backlog."""

    # -- risk in the backlog ------------------------------------------------------------------

    def _escalate(self, event: simpy.Event) -> None:
        incident: Incident = event.value
        if incident.state in (BOOKED, WAITING):
            incident.true_risk += 1
            incident.escalated_s = self.env.now

    def _reassess(self):  # type: ignore[no-untyped-def]
        """Every ``every_hours``, review each waiting incident: by a dispatcher when there are
        dispatchers (allocations come first; the upgrade happens when the review ends),
        otherwise at once, its time only counted."""
        review = self.spec.reassessment
        assert review is not None
        every = review.every_hours * 3600.0
        while True:
            yield self.env.timeout(every)
            # Open incidents (not yet cleared): the waiting ones among them, not every
            # incident ever raised.
            due = [i for i in self.open.values() if i.state in (BOOKED, WAITING)]
            if self.dispatchers is None:
                now = self.env.now
                for incident in due:
                    self.reviews.append(now, incident.incident_id, review.review_s.mean, -1)
                    self._review(incident)
            else:
                self.reviews_due.extend(due)
                while self.idle_dispatchers and self._start_review(self.idle_dispatchers[0]):
                    self.idle_dispatchers.popleft()

    def _review(self, incident: Incident) -> None:
        """Upgrade a waiting incident whose true risk now calls for a higher grade."""
        if incident.state not in (BOOKED, WAITING):
            return
        needed = GRADES.index(GRADE_FOR_RISK[incident.true_risk])
        if needed in RANK and RANK[needed] < RANK[incident.grade]:
            incident.grade = needed
            incident.upgraded = True
            incident.on_scene_s = incident.on_scene_by_grade[RANK[needed]]
            self._set_target(incident)
            if incident.state == WAITING:
                self.waiting -= 1  # re-queued at its new grade, same age
            self._enqueue(incident)

    def _start_review(self, dispatcher: Member) -> bool:
        """Give an idle dispatcher the next review of a still-waiting incident, if any."""
        while self.reviews_due:
            incident = self.reviews_due.popleft()
            if incident.state not in (BOOKED, WAITING):
                continue
            review = self.spec.reassessment
            assert review is not None and self.review_rng is not None
            duration = float(review.review_s.sample(self.review_rng, 1)[0])
            dispatcher.state = BUSY
            now = self.env.now
            self.reviews.append(now, incident.incident_id, duration, dispatcher.member_id)
            self.dispatcher_work.append(
                dispatcher.member_id, incident.incident_id, now, now + duration, REVIEW
            )
            self.env.timeout(duration, (dispatcher, incident)).callbacks.append(self._review_done)
            return True
        return False

    def _review_done(self, event: simpy.Event) -> None:
        dispatcher, incident = event.value
        self._review(incident)
        assert self.dispatchers is not None
        self.dispatchers.finished(dispatcher)

    def _still_waiting(self, event: simpy.Event) -> None:
        incident: Incident = event.value
        if incident.state in (BOOKED, WAITING) and self.repeat_call is not None:
            self.repeat_call(incident.call)
