"""One person on one shift (:class:`Member`) and the states a person is in: off duty, idle,
busy, on a break. The staff of :mod:`.staffing` make them; owners subclass :class:`Member`."""

from __future__ import annotations

OFF, IDLE, BUSY, ON_BREAK = range(4)


class Member:
    """One person on one shift. Owners subclass it to add what their work needs."""

    __slots__ = (
        "break_min",
        "duty_start_s",
        "group",
        "idle_since",
        "leaving",
        "member_id",
        "shift",
        "state",
    )

    def __init__(self, member_id: int, group: int) -> None:
        self.member_id = member_id
        self.group = group
        self.shift = -1  # its shift's index in Staff.shifts (set by the Staff)
        self.state = OFF
        self.idle_since = 0.0
        self.leaving = False
        self.break_min = 0.0
        self.duty_start_s = 0.0
