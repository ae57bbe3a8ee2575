"""Staff changed while the run goes: people called in for some hours, sent home, and breaks
cancelled (intraday decisions, :mod:`.intraday`; later the app, where a trainer changes the
room as it runs). Each takes effect at ``env.now``. A mixin of :class:`.staffing.Staff`, whose
state (the people on shift, the rota's queue, the shift rows) it changes.

* ``call_in``: new members, with new ids after every other, on a shift row of their own marked
  ``call_in`` (the member table's ``call_in`` column; all of their time is overtime); they come
  on after the delay by a timeout of their own (the rota's process sleeps until its own next
  event, which this must not move) and leave as at a shift end.
* ``send_home``: as a shift end now: an idle person leaves at once, a busy one after the work
  in hand.
* ``cancel_breaks``: breaks of people on shift now that have not started: queued ones, and ones
  due but waiting for the work in hand; a break in progress goes on.
* ``start_breaks``: idle people go on a break now (the breaks of their shift still fall due as
  queued).
"""

from __future__ import annotations

from collections.abc import Callable

import simpy

from .member import BUSY, IDLE, OFF, Member
from .shifts import ShiftWorked


class StaffChanges:
    """The changes a :class:`.staffing.Staff` takes while the run goes (its attributes and
    methods that they use are declared here)."""

    env: simpy.Environment
    end_s: float
    factory: Callable[[int, int], Member]
    group_names: list[str]
    shifts: list[ShiftWorked]
    n_members: int
    on_shift: dict[int, Member]
    record_call_ins: bool
    _come_on: Callable[[Member], None]
    _shift_end: Callable[[Member], None]
    _drop_queued_breaks: Callable[[set[int]], int]
    _begin_break: Callable[[Member, float], None]
    withdraw: Callable[[Member], None]

    def group_index(self, group: int | str) -> int:
        """A group's index, from its index or its name."""
        if isinstance(group, int) and 0 <= group < len(self.group_names):
            return group
        if group in self.group_names:
            return self.group_names.index(str(group))
        raise ValueError(f"expected one of the groups {self.group_names}, found {group!r}")

    def call_in(
        self, group: int | str, count: int, after_s: float, hours: float, label: str = "call-in"
    ) -> list[int]:
        """``count`` more people of ``group`` come on duty ``after_s`` from now for ``hours``,
        on a shift row of their own marked ``call_in`` (all of its time is overtime); they leave
        as at a shift end. Their member ids, new ones after every other."""
        g = self.group_index(group)
        env, now = self.env, self.env.now
        start, stop = now + after_s, now + after_s + hours * 3600.0
        i = len(self.shifts)
        row = f"{label} {hours:g}h from {start:g} s"
        self.shifts.append(
            ShiftWorked(g, row, start, stop, count, (), self.n_members, -1, -1, True)
        )
        ids = list(range(self.n_members, self.n_members + count))
        self.n_members += count
        self.record_call_ins = True
        for member_id in ids:
            member = self.factory(member_id, g)
            member.shift = i
            self.on_shift[member_id] = member
            if start < self.end_s:
                env.timeout(after_s, member).callbacks.append(self._on_called_in)
            if stop < self.end_s:
                env.timeout(stop - now, member).callbacks.append(self._on_call_in_end)
        return ids

    def _on_called_in(self, event: simpy.Event) -> None:
        self._come_on(event.value)

    def _on_call_in_end(self, event: simpy.Event) -> None:
        member: Member = event.value
        if self.on_shift.get(member.member_id) is member:
            self._shift_end(member)

    def send_home(self, group: int | str, count: int) -> list[int]:
        """Up to ``count`` people of ``group`` on duty (idle or busy, not already leaving) go
        off now, as at a shift end: idle ones first, then busy ones after the work in hand;
        within each, the latest member id first (call-ins, then the latest shift). Their ids."""
        g = self.group_index(group)
        on = [
            m
            for m in self.on_shift.values()
            if m.group == g and (m.state == IDLE or m.state == BUSY) and not m.leaving
        ]
        on.sort(key=lambda m: (m.state != IDLE, -m.member_id))
        for member in on[:count]:
            self._shift_end(member)
        return [m.member_id for m in on[:count]]

    def cancel_breaks(self, group: int | str | None = None) -> int:
        """Cancel the breaks not yet started of the people on shift now (of ``group``, or of
        every group): those still to fall due and those due but waiting for the work in hand (or
        for a break in progress, which goes on). How many breaks were cancelled."""
        g = None if group is None else self.group_index(group)
        mine = {
            member_id
            for member_id, m in self.on_shift.items()
            if m.state != OFF and (g is None or m.group == g)
        }
        cancelled = 0
        for member_id in sorted(mine):
            member = self.on_shift[member_id]
            if member.break_min > 0.0:
                member.break_min = 0.0
                cancelled += 1
        return cancelled + self._drop_queued_breaks(mine)

    def start_breaks(self, group: int | str, count: int, minutes: float) -> list[int]:
        """Up to ``count`` idle people of ``group`` go on a break of ``minutes`` now, the latest
        member id first (as :meth:`send_home`); after it they are free again (or leave, if their
        shift has ended meanwhile). Their ids."""
        g = self.group_index(group)
        idle = [m for m in self.on_shift.values() if m.group == g and m.state == IDLE]
        idle.sort(key=lambda m: -m.member_id)
        for member in idle[:count]:
            self.withdraw(member)
            self._begin_break(member, minutes)
        return [m.member_id for m in idle[:count]]
