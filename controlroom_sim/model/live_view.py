"""What a live view reads of a room stopped at its present moment (a trainer's live exercise,
:mod:`controlroom_sim.experiments.live`): the answers it has seen, for a rolling 10-second rate,
and the state of the room now (callers waiting, handlers busy and idle, callbacks pending, the
dispatch backlog).

A room gets a :class:`LiveWatch` only when a live session asks for one (:func:`watch`), so a
batch run keeps its one ``watch is None`` test per answer and nothing more. The watch answers
as :class:`~.intraday.AnswerWatch` does (the 10-second rate as the KPIs define it, over the calls
answered in ``[t - window, t)``) on every channel, and hands each answer on to the room's own
watch when its intraday rules have one, so the rules act as in a batch run.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

from .entities import CALLBACK_RETRY, CALLBACK_WAIT, WAITING, Call
from .intraday import AnswerWatch
from .member import BUSY, IDLE

if TYPE_CHECKING:
    from .room import ControlRoom


class LiveWatch(AnswerWatch):
    """Every channel's answers for the last ``keep_s``, and the room's own watch fed too."""

    def __init__(self, room: ControlRoom, keep_s: float, inner: AnswerWatch | None) -> None:
        names = room.channel_names
        self.n_forces = room.n_forces
        self.keep_s = keep_s
        self.answers = [deque() for _ in names]
        self.from_force = [room.scenario.channels[n].answer_clock == "force" for n in names]
        self.index = {name: i for i, name in enumerate(names)}
        self.inner = inner

    def answered(self, call: Call) -> None:
        super().answered(call)
        if self.inner is not None:
            self.inner.answered(call)


def watch(room: ControlRoom, keep_s: float) -> LiveWatch:
    """A live watch on ``room`` (before it runs), keeping ``keep_s`` of answers."""
    live = LiveWatch(room, keep_s, room.watch)
    room.watch = live
    return live


def room_state(room: ControlRoom) -> dict[str, Any]:
    """The room now: callers waiting in each channel's queue (not callbacks), callbacks
    pending (accepted, not yet made), handlers busy, idle and on duty (busy or idle; not on a
    break), and incidents waiting for an officer (0 without dispatch)."""
    waiting = dict.fromkeys(room.channel_names, 0)
    callbacks = 0
    for call in room.live.values():
        state = call.state
        if state == WAITING:
            waiting[room.channel_names[call.line // room.n_forces]] += 1
        elif state in (CALLBACK_WAIT, CALLBACK_RETRY):
            callbacks += 1
    busy = idle = 0
    for member in room.staff.on_shift.values():
        if member.state == BUSY:
            busy += 1
        elif member.state == IDLE:
            idle += 1
    return {
        "waiting": waiting,
        "callbacks": callbacks,
        "busy": busy,
        "idle": idle,
        "on_duty": busy + idle,
        "backlog": room.desk.waiting if room.desk is not None else 0,
    }
