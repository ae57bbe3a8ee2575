"""The vocabulary a scenario is written in: channels, risk levels, grades, THRIVE checks, weekdays,
and the 15-minute interval that profiles and reports are cut into.

Every layer speaks these words; the schema (:mod:`controlroom_sim.config.schema`) validates
scenarios written in them, and the model's records (:mod:`controlroom_sim.model.records`) code
them as small integers in this order.
"""

from __future__ import annotations

import re
from typing import Literal

CHANNELS: tuple[str, ...] = ("999", "101")
"""Channel names in their default priority order (999 is answered before 101)."""

ChannelName = Literal["999", "101"]
RISK_LEVELS: tuple[str, ...] = ("none", "low", "medium", "high")
"""True and assessed risk levels, lowest first."""
RiskLevel = Literal["none", "low", "medium", "high"]
GRADES: tuple[str, ...] = ("emergency", "priority", "scheduled", "resolved", "referred")
"""THRIVE grades: three response grades, resolved without deployment, referred to a partner."""
GRADE_FOR_RISK: tuple[str, ...] = ("resolved", "scheduled", "priority", "emergency")
"""The grade a risk level calls for (by its index in RISK_LEVELS)."""
CHECKS: tuple[str, ...] = ("repeat_check", "vulnerability_check", "risk_assessment", "advice")
"""THRIVE sub-tasks, in the order a handler does them."""
WEEKDAYS: tuple[str, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
DAY_SETS: dict[str, tuple[str, ...]] = {
    "daily": WEEKDAYS,
    "weekdays": WEEKDAYS[:5],
    "weekends": WEEKDAYS[5:],
}

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
INTERVAL_S = 900.0
"""Length of a profile and reporting interval: 15 minutes."""
INTERVALS_PER_WEEK = 7 * 96


def clock_to_seconds(text: str) -> float:
    """``"HH:MM"`` (00:00 to 23:59) as seconds after midnight; ValueError otherwise."""
    match = _CLOCK.match(text)
    if not match:
        raise ValueError(f"expected a time of day as HH:MM, found {text!r}")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 23 or minutes > 59:
        raise ValueError(f"expected a time of day from 00:00 to 23:59, found {text!r}")
    return hours * 3600.0 + minutes * 60.0


ResponseGrade = Literal["emergency", "priority", "scheduled"]
RESPONSE_GRADES: tuple[str, ...] = ("emergency", "priority", "scheduled")
"""The grades that send an officer, in dispatch order."""
