"""Staff on rotas: people coming on and off duty, breaks, and shift ends with overtime.

Call handlers, response officers, dispatchers and support workers follow the same rules
(docs/model.md, "Handlers and rotas"):

* a group with ``count`` is on duty for the whole run; a group with ``shifts`` has ``count``
  people for every start of every shift line on its days;
* at a shift end an idle person leaves; a busy one finishes the work in hand first and the
  time past the end is overtime; a person on a break leaves then;
* a break falls due ``after_hours`` into the shift (staggered over ``spread_hours`` along a
  shift line); an idle person starts it at once, a busy one when the work in hand ends, for the
  full length; a break due at the start of the shift starts with it, and one due during another
  break follows it;
* roster changes at the same moment happen in the order shift ends, breaks, starts, then by
  person, so runs are deterministic;
* while the run goes (intraday decisions, :mod:`.intraday`), people may be called in for some
  hours after a delay (a shift row of their own, all of it overtime), sent home (as at a shift
  end), and breaks not yet started cancelled: :meth:`Staff.call_in`, :meth:`Staff.send_home`,
  :meth:`Staff.cancel_breaks`, each taking effect at ``env.now``.

A :class:`Staff` owns the people of one kind and their duty records. The owner of the work gives
it two callbacks: ``release(member)`` when a member becomes free for work (the owner gives it
work, setting ``state = BUSY``, or marks it ``IDLE`` and keeps it in its own idle pool), and
``withdraw(member)`` when an idle member leaves (the owner takes it out of that pool). The owner
calls :meth:`Staff.finished` when a member's work ends.

The rota is made as the run goes, so its memory does not grow with the horizon:
:func:`shifts_worked` lists the shifts of the run (a few thousand for a year), and the people of
a shift are made, and their starts, breaks and ends queued, only when the rota reaches the
shift's start. A person is let go once off duty for good (or at the end of the run), and its row
of the member table is then written to compact columns (:mod:`controlroom_sim.columns`), as is
every stretch of availability as it closes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from heapq import heapify, heappop, heappush

import numpy as np
import pandas as pd
import simpy

from .columns import MASK, Rows, Slots
from .member import BUSY, IDLE, OFF, ON_BREAK, Member
from .shifts import Absent, RotaGroup, ShiftWorked, shifts_worked
from .staff_changes import StaffChanges

# Order of roster events at the same moment: ends, breaks, starts (then by person).
_END, _BREAK, _START = range(3)


class Staff(StaffChanges):
    """The people of one kind, their rota and their duty records.

    Parameters
    ----------
    env:
        The simulation environment.
    groups:
        The scenario's groups of this kind.
    origin_weekday_s, end_s:
        From the scenario: Monday 00:00 to time 0, and when the run stops.
    factory:
        ``factory(member_id, group_index)`` makes a member (a :class:`Member` subclass), when
        the rota reaches its shift.
    release, withdraw:
        The owner's callbacks (see the module docstring).
    on_duty_change:
        Optional ``(member, +1 | -1)`` when a member becomes available or stops being so.
    absent:
        Optional ``(shift, k)``: whether the ``k``-th person of the shift is absent on the day
        (``[staffing] absence_on_the_day``). An absent person never comes on; the member table
        marks the row ``absent``.

    Members are numbered by group, then shift line, then day, then person. ``on_shift`` holds
    the members the rota has made and not yet let go.
    """

    def __init__(
        self,
        env: simpy.Environment,
        groups: Sequence[RotaGroup],
        origin_weekday_s: float,
        end_s: float,
        factory: Callable[[int, int], Member],
        release: Callable[[Member], None],
        withdraw: Callable[[Member], None],
        on_duty_change: Callable[[Member, int], None] | None = None,
        absent: Absent | None = None,
    ) -> None:
        self.env = env
        self.end_s = end_s
        self.factory = factory
        self.release = release
        self.withdraw = withdraw
        self.on_duty_change = on_duty_change
        self.absent = absent
        self.group_names = [group.name for group in groups]
        self.shifts: list[ShiftWorked] = []
        n = 0
        for g, group in enumerate(groups):
            for label, start, stop, count, breaks, line, day in shifts_worked(
                group, origin_weekday_s, end_s
            ):
                self.shifts.append(ShiftWorked(g, label, start, stop, count, breaks, n, line, day))
                n += count
        self.n_members = n
        self.on_shift: dict[int, Member] = {}
        self.record_call_ins = False
        """Whether the member table has a ``call_in`` column (set by the owner when the
        scenario may call people in, and by :meth:`call_in`)."""
        # Shifts not reached yet, by when their first event falls due, the next one last.
        self._upcoming = sorted(
            ((max(shift.start_s, 0.0), i) for i, shift in enumerate(self.shifts)), reverse=True
        )
        # Roster events of the shifts reached: time, kind, member, its event's number, minutes.
        self._queue: list[tuple[float, int, int, int, float]] = []
        self.duty = Rows({"member_id": "int64", "start_s": "float64", "end_s": "float64"})
        self.rows = Slots(
            {"group": "int16", "shift": "int64", "actual_end_s": "float64", "absent": "int8"}
        )
        env.process(self._run())

    # -- the rota -----------------------------------------------------------------------------

    def _run(self):  # type: ignore[no-untyped-def]
        env = self.env
        queue = self._queue
        upcoming = self._upcoming
        on_shift = self.on_shift
        while True:
            # Every event of a shift is at or after its first one, so once the shifts due by
            # the next event are reached, the queue gives the events in order.
            while upcoming and (not queue or upcoming[-1][0] <= queue[0][0]):
                self._reach(upcoming.pop()[1])
            if not queue:
                return
            at = queue[0][0]
            if at > env.now:
                # Sleep with the event still queued (cancel_breaks may take it out), then look
                # again: the same order as taking it first.
                yield env.timeout(at - env.now)
                continue
            _, kind, member_id, _, minutes = heappop(queue)
            member = on_shift.get(member_id)
            if member is None:  # off for good already: a break due after its shift's end
                continue
            if kind == _START:
                self._come_on(member)
            elif kind == _BREAK:
                self._break_due(member, minutes)
            else:
                self._shift_end(member)

    def _reach(self, i: int) -> None:
        """Make the people of shift ``i`` and queue their starts, breaks and ends (events at or
        after time 0 and before the end of the run; a break in progress at time 0 goes on for
        what is left of it)."""
        shift = self.shifts[i]
        start, stop, count, end_s = shift.start_s, shift.end_s, shift.count, self.end_s
        offsets = [(b.start_offsets_s(count), b.minutes) for b in shift.breaks]
        for k in range(count):
            member_id = shift.first_id + k
            if self.absent is not None and self.absent(shift, k):
                self._write(member_id, shift.group, i, math.nan, absent=True)
                continue
            member = self.factory(member_id, shift.group)
            member.shift = i
            self.on_shift[member_id] = member
            events = [(max(start, 0.0), _START, 0.0)]
            for due, minutes in offsets:
                at = start + due[k]
                if 0.0 <= at < end_s:
                    events.append((at, _BREAK, minutes))
                elif at < 0.0 < at + minutes * 60.0:  # on a break when the run starts
                    events.append((0.0, _BREAK, (at + minutes * 60.0) / 60.0))
            if stop < end_s:
                events.append((stop, _END, 0.0))
            for j, (at, kind, minutes) in enumerate(events):
                heappush(self._queue, (at, kind, member_id, j, minutes))

    def _duty_change(self, member: Member, delta: int) -> None:
        if self.on_duty_change is not None:
            self.on_duty_change(member, delta)

    def _come_on(self, member: Member) -> None:
        if member.break_min > 0.0:  # a break due at the very start of the shift
            self._start_break(member, member.break_min)
            return
        member.duty_start_s = self.env.now
        self._duty_change(member, 1)
        self.finished(member)

    def _break_due(self, member: Member, minutes: float) -> None:
        if member.state == IDLE:
            self.withdraw(member)
            self._begin_break(member, minutes)
        elif not member.leaving:
            # Busy: after the work in hand. On a break: straight after it. Not yet on (a break
            # due at the very start of the shift): as soon as the shift starts.
            member.break_min = minutes

    def _begin_break(self, member: Member, minutes: float) -> None:
        self.duty.append(member.member_id, member.duty_start_s, self.env.now)
        self._duty_change(member, -1)
        self._start_break(member, minutes)

    def _start_break(self, member: Member, minutes: float) -> None:
        member.state = ON_BREAK
        member.break_min = 0.0
        self.env.timeout(minutes * 60.0, member).callbacks.append(self._on_break_end)

    def _on_break_end(self, event: simpy.Event) -> None:
        member: Member = event.value
        if member.state == ON_BREAK:
            member.duty_start_s = self.env.now
            self._duty_change(member, 1)
            self.finished(member)

    def _shift_end(self, member: Member) -> None:
        state = member.state
        if state == IDLE:
            self.withdraw(member)
            self._go_off(member)
        elif state == BUSY:
            member.leaving = True
        elif state == ON_BREAK:
            member.state = OFF
            self._let_go(member)

    def _go_off(self, member: Member) -> None:
        self.duty.append(member.member_id, member.duty_start_s, self.env.now)
        self._duty_change(member, -1)
        member.state = OFF
        self._let_go(member)

    def _let_go(self, member: Member) -> None:
        """The member is off for good: its row is written and the rota forgets it."""
        del self.on_shift[member.member_id]
        self._write(member.member_id, member.group, member.shift, self.env.now)

    def _write(
        self, member_id: int, group: int, shift: int, actual_end_s: float, absent: bool = False
    ) -> None:
        groups, shifts, actual_ends, absents = self.rows.chunk(member_id)
        j = member_id & MASK
        groups[j] = group
        shifts[j] = shift
        actual_ends[j] = actual_end_s
        absents[j] = absent

    # -- for the owner ------------------------------------------------------------------------

    def finished(self, member: Member) -> None:
        """The member's work has ended (or it has just become available): what next."""
        if member.leaving:
            member.leaving = False
            self._go_off(member)
        elif member.break_min > 0.0:
            self._begin_break(member, member.break_min)
        else:
            self.release(member)

    def _drop_queued_breaks(self, member_ids: set[int]) -> int:
        """Take the queued breaks of these members out of the rota; how many."""
        queue = self._queue
        kept = [e for e in queue if not (e[1] == _BREAK and e[2] in member_ids)]
        dropped = len(queue) - len(kept)
        if dropped:
            heapify(kept)
            queue[:] = kept  # in place: the rota process holds the list
        return dropped

    def close(self) -> None:
        """At the end of the run: close the duty stretches of everyone still available, and
        write the rows of the members still on shift (and of any shift not reached), whose
        actual end is NaN."""
        for member_id in sorted(self.on_shift):
            member = self.on_shift[member_id]
            if member.state in (IDLE, BUSY):
                self.duty.append(member_id, member.duty_start_s, self.end_s)
            self._write(member_id, member.group, member.shift, math.nan)
        self.on_shift.clear()
        while self._upcoming:
            i = self._upcoming.pop()[1]
            shift = self.shifts[i]
            for member_id in range(shift.first_id, shift.first_id + shift.count):
                self._write(member_id, shift.group, i, math.nan)

    def duty_table(self, id_column: str) -> pd.DataFrame:
        """Available stretches: ``<id_column>, start_s, end_s`` (once, after :meth:`close`)."""
        table = self.duty.frame()
        table.columns = pd.Index([id_column, "start_s", "end_s"])
        return table

    def member_table(self, id_column: str) -> pd.DataFrame:
        """One row per person and shift, with scheduled and actual end, overtime, and whether
        the person was absent on the day; once people were called in, whether the row is a
        call-in (once, after :meth:`close`)."""
        n = self.n_members
        shift = self.rows.column("shift", n)
        group = self.rows.column("group", n)
        shifts = self.shifts
        table = pd.DataFrame(
            {
                id_column: np.arange(n, dtype=np.int64),
                "group": np.array(self.group_names, dtype=object)[group],
                "shift": np.array([s.label for s in shifts], dtype=object)[shift],
                "scheduled_start_s": np.array([s.start_s for s in shifts], dtype=np.float64)[shift],
                "scheduled_end_s": np.array([s.end_s for s in shifts], dtype=np.float64)[shift],
                "actual_end_s": self.rows.column("actual_end_s", n),
                "absent": self.rows.column("absent", n).astype(bool),
            }
        ).astype({"group": "str", "shift": "str"})
        table["overtime_s"] = (
            (table["actual_end_s"] - table["scheduled_end_s"]).clip(lower=0.0).fillna(0.0)
        )
        if self.record_call_ins:
            # A call-in's whole time is overtime: from its start to its actual end (or the end
            # of the run if still on then).
            called = np.array([s.call_in for s in shifts], dtype=bool)[shift]
            start = table["scheduled_start_s"].clip(upper=self.end_s)
            worked = (table["actual_end_s"].fillna(self.end_s) - start).clip(lower=0.0)
            table["call_in"] = called
            table.loc[called, "overtime_s"] = worked[called]
        return table
