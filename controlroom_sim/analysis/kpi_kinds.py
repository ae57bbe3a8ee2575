"""What kind of number each KPI is, in one place: a *share* (a fraction of calls, incidents or
time, from 0 to 1) or an *amount* (a count, a time or a number of hours, never negative).

The confidence intervals keep to these bounds (:mod:`.confidence`), and the tables print shares
as percentages (:mod:`controlroom_sim.reporting.display`). A KPI is known by the start of its
name: channel and force suffixes (``_999``, ``_101_Beds``) come after. Every KPI the room
reports has a kind (a test checks each one a scenario can produce, and that their values keep to
the bounds); a name of neither kind has no bounds.
"""

from __future__ import annotations

import math
from typing import Literal

SHARE_PREFIXES = (
    "answered_within",
    "answered_10_to",
    "answered_60s",
    "abandon_rate",
    "callback_requested_rate",
    "callback_success_rate",
    "handler_occupancy",
    "graded_",
    "true_emergencies_graded_lower",
    "attendance_within_target",
    "vulnerable_beyond_target",
    "officer_utilisation",
    "dispatcher_utilisation",
    "support_worker_utilisation",
    "repeat_check_skipped",
    "vulnerability_check_skipped",
    "risk_assessment_skipped",
    "advice_not_given",
    "suppressed_share",
    "upgraded_share",
    "escalated_share",
    "repeat_call_share",
    "digital_within_target",
    "front_desk_resolved_share",
    "front_desk_abandon_rate",
    "front_desk_answered_within",
    "front_desk_utilisation",
    "routed_share",
    "routed_abandon_rate",
    "routed_answered_within",
)
"""KPIs that are shares, from 0 to 1."""

AMOUNT_PREFIXES = (
    "offered",
    "answered_",  # answered_999: a count (the shares of answered calls are matched first)
    "abandoned",
    "open",
    "mean_",
    "p90_",
    "incidents_",
    "unattended_",
    "harm_exposure_hours_",
    "gave_up_",
    "overtime_hours",
    "review_hours",
    "diversions",
    "calls_to_support_worker",
    "rostered_hours_week",
    "paid_hours_week",
    "posts_",
    "cost_week",
    "cost_year",
    "rule_firings_",
    "breaks_cancelled",
    "handlers_called_in",
    "call_in_",
    "digital_",  # digital_arrived, _done, _mean_backlog, _peak_backlog, _hours
    "front_desk_mean_",
    "routed_mean_",
)
"""KPIs that are counts, times or hours: 0 or more, with no upper bound."""

Kind = Literal["share", "amount"]


def kpi_kind(kpi: str) -> Kind | None:
    """``"share"``, ``"amount"``, or ``None`` for a name of neither kind."""
    if kpi.startswith(SHARE_PREFIXES):
        return "share"
    if kpi.startswith(AMOUNT_PREFIXES):
        return "amount"
    return None


def is_share(kpi: str) -> bool:
    return kpi_kind(kpi) == "share"


def kpi_bounds(kpi: str) -> tuple[float, float]:
    """The values ``kpi`` can take: ``(0, 1)`` for a share, ``(0, inf)`` for an amount, and
    ``(-inf, inf)`` for a name of neither kind."""
    kind = kpi_kind(kpi)
    if kind == "share":
        return (0.0, 1.0)
    if kind == "amount":
        return (0.0, math.inf)
    return (-math.inf, math.inf)
