"""Digital contact as work (``[digital]``): online reports, e-mails and chats that call
handlers work between calls (docs/model.md, "Digital contact").

* Items arrive as a Poisson process at ``items_per_day`` (flat), or at given times. Each draws
  its work time at arrival from the stream ``digital.work_s`` (the i-th item gets the i-th
  draw); the arrivals come from ``arrivals.digital``. A scenario without ``[digital]`` opens
  neither stream, so it draws exactly what it drew before.
* Digital work is the lowest priority: a handler of a group with the skill ``digital`` takes
  the item at the head of the queue only when no call it can take is waiting (a free handler
  looks for a call first), and an item that arrives goes to the handler idle longest.
* A handler on an item is busy: a break or a shift end falls due after the item, as after a
  call (:meth:`~.staffing.Staff.finished`).
* ``set_aside``: when a call of an interrupting channel reaches the force and no handler who
  can take it is idle, the handler on an item who can take it and started that stint first
  (not one finishing past its shift end) stops at once. The part worked is a stint of the
  ``work`` table (kind ``digital``); the item keeps its remaining work and goes back to the
  head of the queue, where the next free handler resumes it. SimPy timeouts cannot be
  cancelled: the stint's own ``live`` flag tells its timeout it was stopped. ``finish``: the
  call waits like any other, and the handler finishes the item first.
* :meth:`DigitalDesk.suspend` and :meth:`DigitalDesk.resume` stop and restart the taking of
  items at ``env.now`` (an intraday rule that pulls staff off the digital desk): suspended,
  nobody takes an item, and under ``set_aside`` those on one set it aside at once.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Protocol

import numpy as np
import pandas as pd
import simpy

from ..config.schema import Digital, Scenario
from ..config.schema.digital import DIGITAL_SKILL
from .arrivals import timed
from .columns import Rows
from .entities import WORK_DIGITAL, Handler
from .rng import RandomStreams
from .staffing import BUSY, Staff


class Room(Protocol):
    """What the desk uses of :class:`~.room.ControlRoom` (named here, not imported: the room
    imports this module)."""

    env: simpy.Environment
    scenario: Scenario
    streams: RandomStreams
    staff: Staff
    work: Rows
    idle: list[deque[Handler]]
    queues: list[deque]  # type: ignore[type-arg]
    channel_names: list[str]
    n_forces: int


_BLOCK = 2048
ITEM_COLUMNS = {
    "item_id": "int64",
    "arrival_s": "float64",
    "first_start_s": "float64",
    "done_s": "float64",
    "work_s": "float64",
    "worked_s": "float64",
    "set_asides": "int64",
}
"""The ``digital`` table's columns: one row per item."""


class Item:
    """One digital item and how far its work has got (times in simulation seconds)."""

    __slots__ = (
        "arrival_s",
        "done_s",
        "first_start_s",
        "item_id",
        "set_asides",
        "work_s",
        "worked_s",
    )

    def __init__(self, item_id: int, arrival_s: float, work_s: float) -> None:
        self.item_id = item_id
        self.arrival_s = arrival_s
        self.work_s = work_s
        self.worked_s = 0.0
        self.first_start_s = math.nan
        self.done_s = math.nan
        self.set_asides = 0


class Stint:
    """A handler's stretch on an item; ``live`` is False once it was stopped (set aside)."""

    __slots__ = ("handler", "item", "live", "start_s")

    def __init__(self, handler: Handler, item: Item, start_s: float) -> None:
        self.handler = handler
        self.item = item
        self.start_s = start_s
        self.live = True


class DigitalDesk:
    """The digital items of one replication: their queue, the handlers on them, their rows."""

    def __init__(self, room: Room, spec: Digital, arrival_times: Sequence[float] | None) -> None:
        self.room = room
        self.env = room.env
        self.spec = spec
        sc = room.scenario
        groups = [i for i, g in enumerate(sc.handlers) if DIGITAL_SKILL in g.skills]
        self.groups = frozenset(groups)
        self.idle = [room.idle[g] for g in groups]
        self.set_aside_rule = spec.interrupt == "set_aside"
        nf = room.n_forces
        # Per line (a channel's calls of one force): whether its calls interrupt an item.
        self.interrupts = [
            self.set_aside_rule and room.channel_names[line // nf] in spec.interrupted_by
            for line in range(len(room.queues))
        ]
        self.queue: deque[Item] = deque()
        self.live: dict[int, Item] = {}
        self.on_item: dict[int, Stint] = {}  # by handler id, in the order the stints began
        self.suspended = False
        self.made = 0
        self.rows = Rows(ITEM_COLUMNS)
        self._work_rng = room.streams.generator("digital.work_s")
        self._work: list[float] = []
        self._next = 0
        if arrival_times is not None:
            times = np.sort(np.asarray(arrival_times, dtype=float))
            self.env.process(self._arrivals(iter([times])))
        elif spec.items_per_day > 0:
            rng = room.streams.generator("arrivals.digital")
            self.env.process(self._arrivals(_poisson_blocks(spec.items_per_day, sc.end_s, rng)))

    # -- arrivals -----------------------------------------------------------------------------

    def _arrivals(self, blocks: Iterator[np.ndarray]):  # type: ignore[no-untyped-def]
        return timed(self.env, self.room.scenario.end_s, blocks, self._arrive)

    def _draw_work(self) -> float:
        if self._next >= len(self._work):
            self._work = self.spec.work_s.sample(self._work_rng, _BLOCK).tolist()
            self._next = 0
        value = self._work[self._next]
        self._next += 1
        return float(value)

    def _arrive(self) -> None:
        item = Item(self.made, self.env.now, self._draw_work())
        self.made += 1
        self.live[item.item_id] = item
        self.queue.append(item)
        self._offer()

    # -- handlers on items --------------------------------------------------------------------

    def _offer(self) -> None:
        """Queued items to idle handlers with the skill, the one idle longest first."""
        while self.queue and not self.suspended:
            best: deque[Handler] | None = None
            for idle in self.idle:
                if idle and (best is None or idle[0].idle_since < best[0].idle_since):
                    best = idle
            if best is None:
                return
            self._start(best.popleft(), self.queue.popleft())

    def take(self, handler: Handler) -> bool:
        """A free handler with no call to take: the item at the head of the queue, if it does
        digital work, items wait and the desk is not suspended."""
        if self.suspended or not self.queue or handler.group not in self.groups:
            return False
        self._start(handler, self.queue.popleft())
        return True

    def _start(self, handler: Handler, item: Item) -> None:
        now = self.env.now
        handler.state = BUSY
        if math.isnan(item.first_start_s):
            item.first_start_s = now
        stint = Stint(handler, item, now)
        self.on_item[handler.member_id] = stint
        left = item.work_s - item.worked_s
        self.env.timeout(left, stint).callbacks.append(self._on_done)

    def _on_done(self, event: simpy.Event) -> None:
        stint: Stint = event.value
        if not stint.live:  # set aside meanwhile: this timeout is stale
            return
        handler, item = stint.handler, stint.item
        del self.on_item[handler.member_id]
        now = self.env.now
        self.room.work.append(handler.member_id, item.item_id, stint.start_s, now, WORK_DIGITAL)
        item.worked_s = item.work_s
        item.done_s = now
        del self.live[item.item_id]
        self._write(item)
        self.room.staff.finished(handler)

    def _stop(self, stint: Stint) -> None:
        """Set the stint's item aside now: the part worked recorded, the rest back to the head
        of the queue."""
        stint.live = False
        handler, item = stint.handler, stint.item
        del self.on_item[handler.member_id]
        now = self.env.now
        self.room.work.append(handler.member_id, item.item_id, stint.start_s, now, WORK_DIGITAL)
        item.worked_s += now - stint.start_s
        item.set_asides += 1
        self.queue.appendleft(item)

    def set_aside_for(self, line: int) -> Handler | None:
        """A call of ``line`` (an interrupting channel's) found no idle handler: the handler
        on an item who takes the line and began that stint first sets it aside, and is
        returned to take the call; ``None`` if there is none."""
        for stint in self.on_item.values():
            handler = stint.handler
            if line in handler.skills and not handler.leaving:
                self._stop(stint)
                self._offer()  # an idle handler with the skill but not the line resumes it
                return handler
        return None

    # -- for an intraday rule or the live app -------------------------------------------------

    def suspend(self) -> None:
        """From now on nobody takes an item; under ``set_aside``, those on one set it aside
        now and are free for calls (or go on a break or off duty, if one is due)."""
        self.suspended = True
        if not self.set_aside_rule:
            return
        for stint in list(self.on_item.values()):
            self._stop(stint)
            self.room.staff.finished(stint.handler)

    def resume(self) -> None:
        """Items are taken again from now: idle handlers with the skill take the queued ones."""
        self.suspended = False
        self._offer()

    # -- records ------------------------------------------------------------------------------

    def _write(self, item: Item) -> None:
        self.rows.append(
            item.item_id,
            item.arrival_s,
            item.first_start_s,
            item.done_s,
            item.work_s,
            item.worked_s,
            item.set_asides,
        )

    def close(self, end_s: float) -> None:
        """At the end of the run: a stint in progress is recorded up to ``end_s`` and its item,
        like every item not done, is written open (``done_s`` NaN)."""
        for stint in self.on_item.values():
            item = stint.item
            self.room.work.append(
                stint.handler.member_id, item.item_id, stint.start_s, end_s, WORK_DIGITAL
            )
            item.worked_s += end_s - stint.start_s
        self.on_item.clear()
        for item_id in sorted(self.live):
            self._write(self.live[item_id])
        self.live.clear()

    def table(self) -> pd.DataFrame:
        """The ``digital`` table, one row per item in arrival order (after :meth:`close`)."""
        frame = self.rows.frame()
        return frame.sort_values("item_id", kind="stable").reset_index(drop=True)


def _poisson_blocks(per_day: float, end_s: float, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """A flat Poisson process of ``per_day`` items a day up to ``end_s``, a day at a time."""
    rate = per_day / 86400.0
    start = 0.0
    while start < end_s:
        stop = min(start + 86400.0, end_s)
        count = int(rng.poisson(rate * (stop - start)))
        if count:
            yield np.sort(start + rng.random(count) * (stop - start))
        start = stop
