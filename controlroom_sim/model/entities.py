"""What the control room is made of while it runs: the state codes of a call (its outcome,
where it is, where it came from, the kind of a handler's stint), the :class:`Call` itself,
what later calls keep of it (:class:`CallFacts`), and the :class:`Handler`.
"""

from __future__ import annotations

import math
from enum import IntEnum

from ..config.vocabulary import GRADES
from .records import ORIGINS, OUTCOMES, WORK_KINDS
from .staffing import Member

Outcome = IntEnum("Outcome", [name.upper() for name in OUTCOMES], start=0)
"""How a call ended: built from :data:`~.records.OUTCOMES`, so a code is its label's index."""
Origin = IntEnum("Origin", [name.upper() for name in ORIGINS], start=0)
"""Where a call came from: built from :data:`~.records.ORIGINS`."""
WorkKind = IntEnum("WorkKind", [name.upper() for name in WORK_KINDS], start=0)
"""What a handler's stint was: built from :data:`~.records.WORK_KINDS`."""


class CallState(IntEnum):
    """Where a call is (the model's own; no table shows it)."""

    AT_BT = 0
    WAITING = 1
    CALLBACK_WAIT = 2
    CALLBACK_RETRY = 3
    IN_SERVICE = 4
    DONE = 5
    AT_DESK = 6
    """Waiting for a front-desk operator."""
    IN_DESK = 7
    """With a front-desk operator."""


# The codes as plain ints for the hot path (an int subclass compares and hashes more slowly).
ANSWERED = int(Outcome.ANSWERED)
ABANDONED = int(Outcome.ABANDONED)
CALLBACK_ANSWERED = int(Outcome.CALLBACK_ANSWERED)
CALLBACK_FAILED = int(Outcome.CALLBACK_FAILED)
OPEN = int(Outcome.OPEN)
AT_BT = int(CallState.AT_BT)
WAITING = int(CallState.WAITING)
CALLBACK_WAIT = int(CallState.CALLBACK_WAIT)
CALLBACK_RETRY = int(CallState.CALLBACK_RETRY)
IN_SERVICE = int(CallState.IN_SERVICE)
DONE = int(CallState.DONE)
AT_DESK = int(CallState.AT_DESK)
IN_DESK = int(CallState.IN_DESK)
FIRST = int(Origin.FIRST)
REDIAL = int(Origin.REDIAL)
FROM_101 = int(Origin.FROM_101)
REPEAT = int(Origin.REPEAT)
WORK_CALL = int(WorkKind.CALL)
WORK_CALLBACK = int(WorkKind.CALLBACK)
WORK_ATTEMPT = int(WorkKind.CALLBACK_ATTEMPT)
WORK_DIGITAL = int(WorkKind.DIGITAL)
RESOLVED = GRADES.index("resolved")
PRIORITY = GRADES.index("priority")

INF = math.inf


class Call:
    """One offered call and what happened to it (times in simulation seconds)."""

    __slots__ = (
        "abandoned_s",
        "answered_s",
        "arrival_s",
        "assessed_risk",
        "attempt",
        "call_id",
        "call_type",
        "callback_accepted",
        "callback_attempt_s",
        "callback_attempts",
        "callback_offered_s",
        "callback_retry_s",
        "callback_success_at",
        "caller_id",
        "channel",
        "checks_done",
        "checks_s",
        "dispatch_draws",
        "end_s",
        "fd",
        "follow_delay_s",
        "follow_u",
        "force",
        "force_s",
        "grade",
        "handler_id",
        "line",
        "origin",
        "outcome",
        "patience_s",
        "repeat_victim",
        "state",
        "support_draws",
        "support_end_s",
        "support_group",
        "support_start_s",
        "support_worker_id",
        "talk_s",
        "to999_delay_s",
        "true_risk",
        "vulnerable",
        "wrap_end_s",
        "wrap_s",
    )

    def __init__(
        self,
        call_id: int,
        caller_id: int,
        attempt: int,
        origin: int,
        channel: int,
        arrival_s: float,
    ) -> None:
        nan = math.nan
        self.call_id = call_id
        self.caller_id = caller_id
        self.attempt = attempt
        self.origin = origin
        self.channel = channel
        self.arrival_s = arrival_s
        self.force_s = nan
        self.answered_s = nan
        self.abandoned_s = nan
        self.end_s = nan
        self.wrap_end_s = nan
        self.handler_id = -1
        self.outcome = OPEN
        self.state = AT_BT
        self.callback_offered_s = nan
        self.callback_accepted = False
        self.callback_attempts = 0
        self.call_type = -1  # -1: not typed (the scenario has no call types)
        self.grade = -1
        self.support_worker_id = -1
        self.support_start_s = nan
        self.support_end_s = nan


class CallFacts:
    """What a later call about the same matter needs of a call (the caller, the attempt, the
    force, the caller's situation) and what its incident's row shows (the id, the true risk and
    vulnerability at the call): kept by an incident or a pending repeat call instead of the
    whole :class:`Call`, which is written to the records and dropped."""

    __slots__ = (
        "attempt",
        "call_id",
        "call_type",
        "caller_id",
        "force",
        "repeat_victim",
        "true_risk",
        "vulnerable",
    )

    def __init__(self, call: Call) -> None:
        self.call_id = call.call_id
        self.caller_id = call.caller_id
        self.attempt = call.attempt
        self.force = call.force
        self.call_type = call.call_type
        self.true_risk = call.true_risk
        self.vulnerable = call.vulnerable
        self.repeat_victim = call.repeat_victim


class Handler(Member):
    """One call handler on one shift, with the lines it takes in priority order.

    A line is a channel's calls of one force (``channel * forces + force``); a room without
    ``[[forces]]`` has one force, so its lines are its channels.
    """

    __slots__ = ("levels", "skills")

    def __init__(
        self,
        member_id: int,
        group: int,
        skills: tuple[int, ...],
        levels: tuple[tuple[int, ...], ...],
    ) -> None:
        super().__init__(member_id, group)
        self.skills = skills
        self.levels = levels
