"""Properties of a room whose staff change while it runs (call-ins, send-homes and cancelled
breaks at random moments, on random rotas and demand): the number on duty never goes below
zero and always equals the duty table's open stretches, and no handler is ever on two calls
at once."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from controlroom_sim.config.schema import Scenario
from controlroom_sim.model.room import ControlRoom

H = 3600.0

change = st.tuples(
    st.floats(0, 10 * H),
    st.sampled_from(["call_in", "send_home", "cancel_breaks"]),
    st.integers(0, 1),  # group
    st.integers(1, 3),  # count
    st.floats(0, 2 * H),  # delay
    st.floats(0.25, 6),  # hours
)


def _scenario(calls: float, talk: float, seed: int) -> Scenario:
    shift = {
        "start": "06:00",
        "hours": 6,
        "days": "daily",
        "count": 2,
        "breaks": [{"after_hours": 2, "minutes": 20, "spread_hours": 1}],
    }
    data: dict[str, Any] = {
        "scenario": {
            "name": "p",
            "days": 0.5,
            "warmup_hours": 0,
            "cooldown_hours": 0,
            "seed": seed,
        },
        "channels": {
            "999": {"calls_per_day": calls, "talk_s": {"dist": "exponential", "mean": talk}},
            "101": {"calls_per_day": calls, "talk_s": {"dist": "exponential", "mean": talk}},
        },
        "handlers": [
            {"name": "a", "skills": ["999"], "shifts": [shift]},
            {"name": "b", "skills": ["999", "101"], "count": 1},
        ],
    }
    return Scenario.model_validate(data)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    calls=st.floats(50, 400),
    talk=st.floats(60, 900),
    seed=st.integers(0, 2**16),
    changes=st.lists(change, max_size=6),
)
def test_duty_counts_and_busy_handlers_stay_right(
    calls: float, talk: float, seed: int, changes: list[tuple[Any, ...]]
) -> None:
    room = ControlRoom(_scenario(calls, talk, seed), 0)
    staff = room.staff
    level: list[tuple[float, int]] = []  # (time, number on duty) after each change

    def count(member: Any, delta: int) -> None:
        room._count_duty(member, delta)
        on = (level[-1][1] if level else 0) + delta
        assert on >= 0
        level.append((room.env.now, on))

    staff.on_duty_change = count
    for at, what, group, n, delay, hours in changes:

        def act(
            _: object,
            what: str = what,
            g: int = group,
            n: int = n,
            d: float = delay,
            h: float = hours,
        ) -> None:
            if what == "call_in":
                staff.call_in(g, n, d, h)
            elif what == "send_home":
                staff.send_home(g, n)
            else:
                staff.cancel_breaks(g)

        room.env.timeout(at).callbacks.append(act)
    records = room.run()
    # The number on duty after every change equals the duty table's stretches open then.
    duty = records.duty
    starts, ends = duty["start_s"].to_numpy(), duty["end_s"].to_numpy()
    for at, on in _last_at_each_moment(level):
        assert on == int(np.count_nonzero((starts <= at) & (ends > at))), at
    assert sum(room.on_duty_for) >= 0 and min(room.on_duty_for) >= 0
    # No handler on two calls at once.
    for _, work in records.work.sort_values(["handler_id", "start_s"]).groupby("handler_id"):
        assert (work["start_s"].to_numpy()[1:] >= work["end_s"].to_numpy()[:-1] - 1e-9).all()
    # Call-in rows: all of their time is overtime, and they are the only rows so marked.
    if "call_in" in records.handlers.columns:
        called = records.handlers[records.handlers["call_in"]]
        assert len(called) == sum(c[3] for c in changes if c[1] == "call_in")


def _last_at_each_moment(level: list[tuple[float, int]]) -> list[tuple[float, int]]:
    """The count after the last change at each moment (changes at one moment net out)."""
    out: dict[float, int] = {}
    for at, on in level:
        out[at] = on
    return sorted(out.items())
