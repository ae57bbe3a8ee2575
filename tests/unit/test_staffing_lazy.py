"""The rota made as the run goes (controlroom_sim.model.staffing.Staff).

``Staff`` makes the people of a shift only when the rota reaches it and lets them go once off
duty for good. These tests hold that this changes nothing a run gives: against ``EagerStaff``
below (the rota as it was built before: every member and every roster event of the horizon up
front, one sorted list), a small desk with random work gives the same trace of who did what
when, the same number of SimPy events and the same duty and member tables, on rotas with
breaks (spread, at the very start of a shift, two due at once, one in progress at time 0),
overtime, a shift running over time 0, weekday-only lines, an around-the-clock group and an
empty line. They also hold that the members made at any moment are few (not the horizon's),
that they are let go after their shift, and that member ids are numbered as before.
"""

from __future__ import annotations

import gc
import itertools
import math
import weakref
from collections import deque
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import pytest
import simpy

from controlroom_sim.config.loading import load_scenario
from controlroom_sim.config.schema import Break, RotaGroup, Shift
from controlroom_sim.model import room as model
from controlroom_sim.model.shifts import shifts_worked
from controlroom_sim.model.staffing import BUSY, IDLE, OFF, ON_BREAK, Member, Staff

H = 3600.0
DAY = 86400.0


class EagerStaff:
    """The reference: the rota as it was built before, the whole horizon up front."""

    def __init__(
        self,
        env: simpy.Environment,
        groups: Sequence[RotaGroup],
        origin_weekday_s: float,
        end_s: float,
        factory: Callable[[int, int], Member],
        release: Callable[[Member], None],
        withdraw: Callable[[Member], None],
    ) -> None:
        self.env = env
        self.end_s = end_s
        self.release = release
        self.withdraw = withdraw
        self.members: list[Member] = []
        self.rows: list[list[object]] = []
        self.duty: list[tuple[int, float, float]] = []
        events: list[tuple[float, int, int, float]] = []
        for g, group in enumerate(groups):
            for label, start, stop, count, breaks, *_ in shifts_worked(
                group, origin_weekday_s, end_s
            ):
                offsets = [(b.start_offsets_s(count), b.minutes) for b in breaks]
                for k in range(count):
                    member_id = len(self.members)
                    self.members.append(factory(member_id, g))
                    self.rows.append([member_id, group.name, label, start, stop, math.nan])
                    events.append((max(start, 0.0), 0, member_id, 0.0))
                    for due, minutes in offsets:
                        at = start + due[k]
                        if 0.0 <= at < end_s:
                            events.append((at, 1, member_id, minutes))
                        elif at < 0.0 < at + minutes * 60.0:
                            events.append((0.0, 1, member_id, (at + minutes * 60.0) / 60.0))
                    if stop < end_s:
                        events.append((stop, 2, member_id, 0.0))
        events.sort(key=lambda e: (e[0], -e[1], e[2]))
        self.events = events
        env.process(self._run())

    def _run(self):  # type: ignore[no-untyped-def]
        env = self.env
        for at, kind, member_id, minutes in self.events:
            if at > env.now:
                yield env.timeout(at - env.now)
            member = self.members[member_id]
            if kind == 0:
                if member.break_min > 0.0:
                    self._start_break(member, member.break_min)
                else:
                    member.duty_start_s = env.now
                    self.finished(member)
            elif kind == 1:
                if member.state == IDLE:
                    self.withdraw(member)
                    self._begin_break(member, minutes)
                elif not member.leaving:
                    member.break_min = minutes
            elif member.state == IDLE:
                self.withdraw(member)
                self._go_off(member)
            elif member.state == BUSY:
                member.leaving = True
            elif member.state == ON_BREAK:
                member.state = OFF
                self.rows[member_id][5] = env.now

    def _begin_break(self, member: Member, minutes: float) -> None:
        self.duty.append((member.member_id, member.duty_start_s, self.env.now))
        self._start_break(member, minutes)

    def _start_break(self, member: Member, minutes: float) -> None:
        member.state = ON_BREAK
        member.break_min = 0.0
        self.env.timeout(minutes * 60.0, member).callbacks.append(self._on_break_end)

    def _on_break_end(self, event: simpy.Event) -> None:
        member: Member = event.value
        if member.state == ON_BREAK:
            member.duty_start_s = self.env.now
            self.finished(member)

    def _go_off(self, member: Member) -> None:
        self.duty.append((member.member_id, member.duty_start_s, self.env.now))
        member.state = OFF
        self.rows[member.member_id][5] = self.env.now

    def finished(self, member: Member) -> None:
        if member.leaving:
            member.leaving = False
            self._go_off(member)
        elif member.break_min > 0.0:
            self._begin_break(member, member.break_min)
        else:
            self.release(member)

    def close(self) -> None:
        for member in self.members:
            if member.state in (IDLE, BUSY):
                self.duty.append((member.member_id, member.duty_start_s, self.end_s))

    def duty_table(self, id_column: str) -> pd.DataFrame:
        return pd.DataFrame(self.duty, columns=[id_column, "start_s", "end_s"]).astype(
            {id_column: "int64", "start_s": "float64", "end_s": "float64"}
        )

    def member_table(self, id_column: str) -> pd.DataFrame:
        columns = [id_column, "group", "shift", "scheduled_start_s", "scheduled_end_s"]
        table = pd.DataFrame(self.rows, columns=[*columns, "actual_end_s"]).astype(
            {
                id_column: "int64",
                "group": "str",
                "shift": "str",
                "scheduled_start_s": "float64",
                "scheduled_end_s": "float64",
                "actual_end_s": "float64",
            }
        )
        table["absent"] = False  # (no absence on the day here)
        table["overtime_s"] = (
            (table["actual_end_s"] - table["scheduled_end_s"]).clip(lower=0.0).fillna(0.0)
        )
        return table


class Tracked(Member):
    """A member that can be watched with a weak reference (to see it let go)."""

    __slots__ = ("__weakref__",)


class Desk:
    """A small owner of a rota: jobs of random length arrive at random; a free member takes the
    oldest waiting job, or waits (idle longest first). ``log`` is the trace of what happened."""

    def __init__(
        self,
        staff_class: type,
        groups: Sequence[RotaGroup],
        origin_weekday_s: float,
        end_s: float,
        seed: int = 1,
        mean_gap_s: float = 300.0,
        mean_job_s: float = 1500.0,
    ) -> None:
        self.env = simpy.Environment()
        self.end_s = end_s
        self.idle: deque[Member] = deque()
        self.waiting: deque[float] = deque()
        self.log: list[tuple[float, str, int]] = []
        self.made: list[weakref.ref[Member]] = []
        self.staff = staff_class(
            self.env,
            groups,
            origin_weekday_s,
            end_s,
            self._make,
            release=self._release,
            withdraw=self._withdraw,
        )
        rng = np.random.default_rng(seed)
        self.env.process(self._jobs(rng, mean_gap_s, mean_job_s))

    def _make(self, member_id: int, group: int) -> Member:
        member = Tracked(member_id, group)
        self.made.append(weakref.ref(member))
        return member

    def _release(self, member: Member) -> None:
        if self.waiting:
            self._start(member, self.waiting.popleft())
        else:
            member.state = IDLE
            self.idle.append(member)
            self.log.append((self.env.now, "idle", member.member_id))

    def _withdraw(self, member: Member) -> None:
        self.idle.remove(member)
        self.log.append((self.env.now, "withdrawn", member.member_id))

    def _jobs(self, rng: np.random.Generator, mean_gap_s: float, mean_job_s: float):  # type: ignore[no-untyped-def]
        while True:
            yield self.env.timeout(rng.exponential(mean_gap_s))
            length = rng.exponential(mean_job_s)
            if self.idle:
                self._start(self.idle.popleft(), length)
            else:
                self.waiting.append(length)

    def _start(self, member: Member, length: float) -> None:
        member.state = BUSY
        self.log.append((self.env.now, "busy", member.member_id))
        self.env.timeout(length, member).callbacks.append(self._done)

    def _done(self, event: simpy.Event) -> None:
        member: Member = event.value
        self.log.append((self.env.now, "done", member.member_id))
        self.staff.finished(member)

    def run(self, until: float | None = None) -> None:
        self.env.run(until=self.end_s if until is None else until)
        self.staff.close()

    def events_scheduled(self) -> int:
        counter = self.env._eid  # type: ignore[attr-defined]
        n = next(counter)
        self.env._eid = itertools.count(n)  # type: ignore[attr-defined]
        return n


def _breaks(*specs: tuple[float, float, float]) -> list[Break]:
    return [Break(after_hours=a, minutes=m, spread_hours=s) for a, m, s in specs]


# Time 0 is Tuesday 03:00: the Monday 22:00 shift has been on for five hours, and its first
# two people (breaks due 02:30 and 02:50, for an hour) are on a break when the run starts.
ORIGIN = DAY + 3 * H
GROUPS = [
    RotaGroup(
        name="nights and days",
        shifts=[
            Shift(start="22:00", hours=9, count=3, breaks=_breaks((4.5, 60, 1.0))),
            Shift(start="07:00", hours=10, count=4, breaks=_breaks((3.5, 45, 3.0), (7, 15, 0))),
            Shift(start="12:00", hours=8, days="weekdays", count=2, breaks=_breaks((0, 30, 0))),
            Shift(start="17:00", hours=6, days="weekends", count=0),
        ],
    ),
    # Two breaks due at the same moment: the one listed first is taken first.
    RotaGroup(
        name="two at once",
        shifts=[
            Shift(start="03:00", hours=8, count=2, breaks=_breaks((2, 30, 0), (2, 15, 0))),
            Shift(start="15:00", hours=12, count=1, breaks=_breaks((5, 20, 0), (5, 40, 0))),
        ],
    ),
    RotaGroup(name="around the clock", count=2),
]


def _pair(end_s: float, **kwargs: float) -> tuple[Desk, Desk]:
    lazy = Desk(Staff, GROUPS, ORIGIN, end_s, **kwargs)  # type: ignore[arg-type]
    eager = Desk(EagerStaff, GROUPS, ORIGIN, end_s, **kwargs)  # type: ignore[arg-type]
    return lazy, eager


def _assert_same(lazy: Desk, eager: Desk) -> pd.DataFrame:
    """Same trace, event count and tables; the member table."""
    assert lazy.log == eager.log
    assert lazy.events_scheduled() == eager.events_scheduled()
    pd.testing.assert_frame_equal(
        lazy.staff.duty_table("member_id"), eager.staff.duty_table("member_id"), check_exact=True
    )
    members = lazy.staff.member_table("member_id")
    pd.testing.assert_frame_equal(members, eager.staff.member_table("member_id"), check_exact=True)
    return members


@pytest.mark.parametrize(
    ("days", "seed", "mean_gap_s"),
    [(3.3, 1, 300.0), (8.1, 2, 200.0), (2.0, 3, 900.0), (0.05, 4, 300.0)],
)
def test_the_lazy_rota_gives_what_the_eager_one_gave(
    days: float, seed: int, mean_gap_s: float
) -> None:
    """Same trace, same SimPy event count, same duty and member tables as the rota built up
    front, busy (overtime, breaks after the work in hand) or quiet, over a week boundary or a
    run shorter than the first shift change."""
    lazy, eager = _pair(days * DAY, seed=seed, mean_gap_s=mean_gap_s)
    lazy.run()
    eager.run()
    members = _assert_same(lazy, eager)
    assert (members["overtime_s"] > 0).any() or days < 1 or mean_gap_s > 300.0
    assert members["actual_end_s"].isna().any()  # some still on shift at the end


def test_the_reference_rota_has_the_awkward_cases() -> None:
    """The rota above does have a break in progress at time 0, a break at the start of a
    shift, two breaks due at once and a shift running over time 0 (so the comparison covers
    them)."""
    eager = Desk(EagerStaff, GROUPS, ORIGIN, 2 * DAY).staff
    rows = pd.DataFrame(eager.rows, columns=["id", "group", "shift", "start", "end", "actual"])
    assert (rows["start"] < 0).sum() == 3  # the night shift that began before time 0
    breaks = [
        (at, member_id, minutes) for at, kind, member_id, minutes in eager.events if kind == 1
    ]
    in_progress = [b for b in breaks if b[0] == 0.0]
    assert [b[1] for b in in_progress] == [0, 1] and in_progress[0][2] == 30.0
    starts = {(at, member_id) for at, kind, member_id, _ in eager.events if kind == 0}
    assert any((at, member_id) in starts for at, member_id, _ in breaks)
    assert len({(at, member_id) for at, member_id, _ in breaks}) < len(breaks)


def test_a_run_stopped_early_still_gives_every_members_row() -> None:
    """A run stopped before the rota reached its later shifts: close() still writes a row for
    every member of every shift of the horizon (actual end NaN), as before."""
    lazy, eager = _pair(3 * DAY)
    lazy.env.run(until=6 * H)
    assert lazy.staff._upcoming  # shifts not reached when the run stopped
    lazy.staff.close()
    eager.run(until=6 * H)
    _assert_same(lazy, eager)
    nobody = Desk(Staff, GROUPS, ORIGIN, 3 * DAY)  # never run at all
    nobody.staff.close()
    table = nobody.staff.member_table("member_id")
    assert len(table) == len(eager.staff.members) and table["actual_end_s"].isna().all()
    assert not nobody.made  # nobody was made


def test_member_ids_run_by_group_shift_line_day_and_person() -> None:
    """Ids are numbered as before: group, then shift line as shifts_worked lists it, then day,
    then person; the rota makes each member with its own id and group."""
    desk = Desk(Staff, GROUPS, ORIGIN, 3 * DAY)
    made: list[tuple[int, int]] = []
    make = desk.staff.factory

    def recording(member_id: int, group: int) -> Member:
        made.append((member_id, group))
        return make(member_id, group)

    desk.staff.factory = recording
    desk.run()
    expected = [
        (g, label, start)
        for g, group in enumerate(GROUPS)
        for label, start, _, count, *_ in shifts_worked(group, ORIGIN, 3 * DAY)
        for _ in range(count)
    ]
    table = desk.staff.member_table("member_id")
    names = [group.name for group in GROUPS]
    assert list(zip(table["group"], table["shift"], table["scheduled_start_s"], strict=True)) == [
        (names[g], label, start) for g, label, start in expected
    ]
    assert sorted(made) == [(i, g) for i, (g, _, _) in enumerate(expected)]
    assert table["member_id"].tolist() == list(range(len(expected)))


def _alive(desk: Desk) -> tuple[int, list[int]]:
    """How many members made are still referenced, and the states of those among them that
    the rota has let go (no reference to a member is kept here)."""
    gc.collect()
    alive = [member for member in (ref() for ref in desk.made) if member is not None]
    on_shift = desk.staff.on_shift
    return len(alive), [member.state for member in alive if member.member_id not in on_shift]


def test_members_are_made_late_and_let_go_after_their_shift() -> None:
    """Nobody is made at construction; while the run goes, only the members of shifts on (or
    about to start) exist, and those whose shift is over are let go (freed)."""
    desk = Desk(Staff, GROUPS, ORIGIN, 30 * DAY)
    staff = desk.staff
    assert staff.n_members > 300
    assert not desk.made and not staff.on_shift
    most = 0
    for day in range(1, 30):
        desk.env.run(until=day * DAY + 0.5 * H)
        for member in staff.on_shift.values():
            # Before or in its shift, or finishing the work in hand after it.
            assert staff.shifts[member.shift].end_s > desk.env.now or member.leaving
        alive, gone = _alive(desk)
        most = max(most, alive)
        # Let go but still referenced: only by the end of a break that overran its shift.
        assert gone == [OFF] * len(gone) and len(gone) <= 2
    assert len(desk.made) > 250
    assert most <= 20  # at most a day's shifts and the around-the-clock pair
    desk.run()
    assert not staff.on_shift


def test_a_year_of_the_large_force_makes_nobody_up_front() -> None:
    """A year of the large force's control room: building it makes no handler, officer,
    dispatcher or support worker; a day into the run, only those of that day's shifts exist."""
    from benchmarks.bench_year import large_force_overrides

    room = model.ControlRoom(load_scenario(None, large_force_overrides(days=365)), 0)
    desk = room.desk
    assert desk is not None and desk.dispatchers is not None
    assert room.support is not None
    rotas = [room.staff, desk.staff, desk.dispatchers, room.support.staff]
    assert all(not staff.on_shift for staff in rotas)
    assert sum(staff.n_members for staff in rotas) > 100_000
    room.env.run(until=DAY + 12 * H)
    for staff in rotas:
        assert 0 < len(staff.on_shift) < staff.n_members / 150
