"""Absence on the day (``[staffing] absence_on_the_day``): a rostered person who does not come in.

* An exact trace: a shift line of three, the second absent: that person never comes on (no
  stretch on duty, no work), the member table marks the row, and the others keep their rota.
* With a probability, the share of person-shifts absent over a week of the baseline matches it
  (binomial bounds), for handlers and for response officers, and nobody absent is ever on duty.
* Common random numbers: a draw belongs to a person's place on the rota, so a variant that adds
  two people to one line keeps every other person's draw, and the seed alone decides.
* Probability 0 (the default) changes nothing: the records are those of a scenario without
  ``[staffing]``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import simpy

from controlroom_sim.config.loading import load_scenario
from controlroom_sim.config.schema import RotaGroup, Shift
from controlroom_sim.model.rng import RandomStreams
from controlroom_sim.model.simulate import simulate
from controlroom_sim.model.staffing import IDLE, Member, Staff

HOUR = 3600.0


def _with(overrides: list[str]):  # type: ignore[no-untyped-def]
    return load_scenario(None, overrides=[*overrides, "scenario.days=7", "scenario.warmup_hours=0"])


def test_an_absent_person_never_comes_on() -> None:
    env = simpy.Environment()
    group = RotaGroup(name="desk", shifts=[Shift(start="08:00", hours=8, days="daily", count=3)])
    came_on: list[tuple[float, int]] = []

    def release(member: Member) -> None:
        member.state = IDLE
        came_on.append((env.now, member.member_id))

    staff = Staff(
        env,
        [group],
        origin_weekday_s=0.0,
        end_s=24 * HOUR,
        factory=Member,
        release=release,
        withdraw=lambda member: None,
        absent=lambda shift, k: k == 1,
    )
    env.run(until=24 * HOUR)
    staff.close()
    assert came_on == [(8 * HOUR, 0), (8 * HOUR, 2)]
    members = staff.member_table("member_id")
    assert members["absent"].tolist() == [False, True, False]
    assert members["actual_end_s"].tolist()[0] == 16 * HOUR
    assert math.isnan(members["actual_end_s"].tolist()[1])
    assert members["overtime_s"].tolist() == [0.0, 0.0, 0.0]
    duty = staff.duty_table("member_id")
    assert duty.to_numpy().tolist() == [[0, 8 * HOUR, 16 * HOUR], [2, 8 * HOUR, 16 * HOUR]]


@pytest.fixture(scope="module")
def absent_week():  # type: ignore[no-untyped-def]
    scenario = _with(
        [
            "staffing.absence_on_the_day.handlers=0.2",
            "staffing.absence_on_the_day.officers=0.1",
        ]
    )
    return scenario, simulate(scenario, 0)


@pytest.mark.parametrize(("table", "p"), [("handlers", 0.2), ("officers", 0.1)])
def test_the_share_absent_is_the_probability(absent_week, table: str, p: float) -> None:  # type: ignore[no-untyped-def]
    _, records = absent_week
    members = getattr(records, table)
    n = len(members)
    absent = int(members["absent"].sum())
    assert n > 200
    sd = math.sqrt(n * p * (1 - p))
    assert abs(absent - n * p) < 4 * sd, (absent, n)


def test_nobody_absent_is_ever_on_duty(absent_week) -> None:  # type: ignore[no-untyped-def]
    _, records = absent_week
    absent = set(records.handlers.loc[records.handlers["absent"], "handler_id"])
    assert absent
    assert not absent & set(records.duty["handler_id"])
    assert not absent & set(records.work["handler_id"])
    officers = records.officers
    gone = set(officers.loc[officers["absent"], "officer_id"])
    assert gone and not gone & set(records.officer_duty["officer_id"])


def _absent_by_place(records: pd.DataFrame) -> dict[tuple[str, str, int], bool]:
    """Absence by (group, shift label, position on the shift)."""
    table = records.handlers
    position = table.groupby(["group", "shift"]).cumcount()
    return {
        (g, s, int(k)): bool(a)
        for g, s, k, a in zip(
            table["group"], table["shift"], position, table["absent"], strict=True
        )
    }


def test_a_variant_keeps_everyone_elses_draws() -> None:
    """Two more people on the contact desk's 19:00 line: everyone else's absence is unchanged,
    and the 19:00 line's first three keep theirs."""
    base = _with(["staffing.absence_on_the_day.handlers=0.3"])
    shifts = [s.model_dump() for s in base.handlers[1].shifts]
    line = next(i for i, s in enumerate(shifts) if s["start"] == "19:00")
    more = _with(
        [
            "staffing.absence_on_the_day.handlers=0.3",
            f"handlers.1.shifts.{line}.count={shifts[line]['count'] + 2}",
        ]
    )
    a = _absent_by_place(simulate(base, 3))
    b = _absent_by_place(simulate(more, 3))
    assert set(a) < set(b)
    assert len(set(b) - set(a)) == 2 * 8  # two more people on eight days' shifts (day -1..6)
    assert all(b[place] == absent for place, absent in a.items())
    assert 0.15 < np.mean(list(a.values())) < 0.45


def test_the_draw_belongs_to_the_place_and_the_seed() -> None:
    streams = RandomStreams(seed=5, replication=2)
    first = [streams.uniform_at("absence.handlers", "contact", 1, day, 0) for day in range(-1, 6)]
    other = RandomStreams(seed=5, replication=2)
    other.generator("arrivals.999").random(1000)  # draws elsewhere change nothing
    assert first == [other.uniform_at("absence.handlers", "contact", 1, d, 0) for d in range(-1, 6)]
    assert len(set(first)) == len(first)
    assert all(0.0 <= u < 1.0 for u in first)
    reseeded = RandomStreams(seed=6, replication=2).uniform_at(
        "absence.handlers", "contact", 1, 0, 0
    )
    assert reseeded != first[1]
    uniform = [streams.uniform_at("u", "g", 0, 0, k) for k in range(4000)]
    assert abs(np.mean(uniform) - 0.5) < 4 * math.sqrt(1 / 12 / 4000)


def test_no_absence_changes_nothing() -> None:
    plain = _with([])
    zero = _with(["staffing.absence_on_the_day.handlers=0", "staffing.hourly_cost.handlers=20"])
    a, b = simulate(plain, 1), simulate(zero, 1)
    pd.testing.assert_frame_equal(a.calls, b.calls)
    pd.testing.assert_frame_equal(a.handlers, b.handlers)
    assert not a.handlers["absent"].any()
