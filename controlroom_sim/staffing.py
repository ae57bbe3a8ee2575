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
  person, so runs are deterministic.

A :class:`Staff` owns the people of one kind and their duty records. The owner of the work gives
it two callbacks: ``release(member)`` when a member becomes free for work (the owner gives it
work, setting ``state = BUSY``, or marks it ``IDLE`` and keeps it in its own idle pool), and
``withdraw(member)`` when an idle member leaves (the owner takes it out of that pool). The owner
calls :meth:`Staff.finished` when a member's work ends.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Protocol

import pandas as pd
import simpy

from .scenario import WEEKDAYS, Break, Shift

OFF, IDLE, BUSY, ON_BREAK = range(4)
INF = math.inf

# Order of roster events at the same moment (sorted descending): ends, breaks, starts.
_START, _BREAK, _END = range(3)


class RotaGroup(Protocol):
    """What a staff group of a scenario provides (handler, officer, dispatcher, worker)."""

    name: str
    count: int | None
    shifts: list[Shift] | None


class Member:
    """One person on one shift. Owners subclass it to add what their work needs."""

    __slots__ = (
        "break_min",
        "duty_start_s",
        "group",
        "idle_since",
        "leaving",
        "member_id",
        "state",
    )

    def __init__(self, member_id: int, group: int) -> None:
        self.member_id = member_id
        self.group = group
        self.state = OFF
        self.idle_since = 0.0
        self.leaving = False
        self.break_min = 0.0
        self.duty_start_s = 0.0


def shifts_worked(
    group: RotaGroup, origin_weekday_s: float, end_s: float
) -> list[tuple[str, float, float, int, Sequence[Break]]]:
    """``(label, start_s, end_s, count, breaks)`` for every shift of ``group`` in the run.

    ``origin_weekday_s`` is the time from Monday 00:00 to simulation time 0; shifts that
    started the day before time 0 and are still on at time 0 are included.
    """
    if group.count is not None:
        return [("around the clock", 0.0, INF, group.count, [])]
    out = []
    for s, shift in enumerate(group.shifts or []):
        days = set(shift.weekdays())
        duration = shift.hours * 3600.0
        first_day = math.floor((origin_weekday_s - 86400.0) / 86400.0)
        last_day = math.ceil((origin_weekday_s + end_s) / 86400.0)
        for day in range(first_day, last_day + 1):
            if day % 7 not in days:
                continue
            start = day * 86400.0 + shift.start_s - origin_weekday_s
            if start >= end_s or start + duration <= 0:
                continue
            label = f"{shift.start}+{shift.hours:g}h {WEEKDAYS[day % 7][:3]}#{s}"
            out.append((label, start, start + duration, shift.count, shift.breaks))
    return out


class Staff:
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
        ``factory(member_id, group_index)`` makes a member (a :class:`Member` subclass).
    release, withdraw:
        The owner's callbacks (see the module docstring).
    on_duty_change:
        Optional ``(member, +1 | -1)`` when a member becomes available or stops being so.
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
    ) -> None:
        self.env = env
        self.end_s = end_s
        self.release = release
        self.withdraw = withdraw
        self.on_duty_change = on_duty_change
        self.members: list[Member] = []
        self.rows: list[list[object]] = []  # id, group, shift, scheduled start/end, actual end
        self.duty: list[tuple[int, float, float]] = []
        events: list[tuple[float, int, int, float]] = []  # time, kind, member, break minutes
        for g, group in enumerate(groups):
            for label, start, stop, count, breaks in shifts_worked(group, origin_weekday_s, end_s):
                offsets = [(b.start_offsets_s(count), b.minutes) for b in breaks]
                for k in range(count):
                    member_id = len(self.members)
                    self.members.append(factory(member_id, g))
                    self.rows.append([member_id, group.name, label, start, stop, math.nan])
                    events.append((max(start, 0.0), _START, member_id, 0.0))
                    for due, minutes in offsets:
                        at = start + due[k]
                        if 0.0 <= at < end_s:
                            events.append((at, _BREAK, member_id, minutes))
                        elif at < 0.0 < at + minutes * 60.0:  # on a break when the run starts
                            events.append((0.0, _BREAK, member_id, (at + minutes * 60.0) / 60.0))
                    if stop < end_s:
                        events.append((stop, _END, member_id, 0.0))
        events.sort(key=lambda e: (e[0], -e[1], e[2]))
        self._events = events
        env.process(self._run())

    # -- the rota -----------------------------------------------------------------------------

    def _run(self):  # type: ignore[no-untyped-def]
        env = self.env
        for at, kind, member_id, minutes in self._events:
            if at > env.now:
                yield env.timeout(at - env.now)
            member = self.members[member_id]
            if kind == _START:
                self._come_on(member)
            elif kind == _BREAK:
                self._break_due(member, minutes)
            else:
                self._shift_end(member)

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
        self.duty.append((member.member_id, member.duty_start_s, self.env.now))
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
            self.rows[member.member_id][5] = self.env.now

    def _go_off(self, member: Member) -> None:
        now = self.env.now
        self.duty.append((member.member_id, member.duty_start_s, now))
        self._duty_change(member, -1)
        member.state = OFF
        self.rows[member.member_id][5] = now

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

    def close(self) -> None:
        """At the end of the run: close the duty stretches of everyone still available."""
        for member in self.members:
            if member.state in (IDLE, BUSY):
                self.duty.append((member.member_id, member.duty_start_s, self.end_s))

    def duty_table(self, id_column: str) -> pd.DataFrame:
        """Available stretches: ``<id_column>, start_s, end_s``."""
        return pd.DataFrame(self.duty, columns=[id_column, "start_s", "end_s"]).astype(
            {id_column: "int64", "start_s": "float64", "end_s": "float64"}
        )

    def member_table(self, id_column: str) -> pd.DataFrame:
        """One row per person and shift, with scheduled and actual end and overtime."""
        table = pd.DataFrame(
            self.rows,
            columns=[
                id_column,
                "group",
                "shift",
                "scheduled_start_s",
                "scheduled_end_s",
                "actual_end_s",
            ],
        ).astype(
            {
                id_column: "int64",
                "group": "str",
                "shift": "str",
                "scheduled_start_s": "float64",
                "scheduled_end_s": "float64",
                "actual_end_s": "float64",
            }
        )
        table["overtime_s"] = (
            (table["actual_end_s"] - table["scheduled_end_s"]).clip(lower=0.0).fillna(0.0)
        )
        return table
