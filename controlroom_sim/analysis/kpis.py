"""Every KPI of one replication, and what each means.

Nothing here runs a simulation. Every figure is computed from a replication's
:class:`~controlroom_sim.model.records.RunRecords` after the warm-up is cut: a call counts in
the measured window when it was *offered* (made) in ``[warmup_s, horizon_s)``, and it is
followed to its outcome even if that comes after the horizon (the run goes on through a
cool-down). Staff time (occupancy, utilisation, reviews) counts the part inside the window.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from ..config.schema import Scenario
from ..model.records import RunRecords
from .call_kpis import _rows, _share, channel_kpis, grading_kpis
from .digital_kpis import DIGITAL_DESCRIPTIONS, digital_kpis
from .dispatch_kpis import _utilisation, dispatch_kpis
from .front_desk_kpis import DESK_DESCRIPTIONS, front_desk_kpis
from .intraday_kpis import INTRADAY_DESCRIPTIONS, intraday_kpis
from .month_kpis import month_kpis
from .risk_kpis import risk_kpis
from .staffing_kpis import STAFFING_DESCRIPTIONS, overtime_hours, staffing_kpis

KPI_DESCRIPTIONS: dict[str, str] = {
    "offered": "calls offered in the measured window (redials included)",
    "answered": "calls answered by a handler",
    "abandoned": "callers who hung up before an answer",
    "open": "calls still unresolved when the run stopped",
    "abandon_rate": "abandoned / offered",
    "answered_within_10s": "share of answered calls answered in under 10 s",
    "answered_10_to_59s": "share of answered calls answered in 10 to under 60 s",
    "answered_60s_plus": "share of answered calls answered in 60 s or more",
    "answered_within_10s_of_offered": "share of offered calls answered in under 10 s",
    "answered_within_60s": "share of answered calls answered within 60 s",
    "mean_answer_s": "mean answer time of answered calls, seconds",
    "p90_answer_s": "90th percentile answer time of answered calls, seconds",
    "mean_reach_s": "mean time from the call to a handler speaking with the caller, live or by "
    "a callback (101 only), seconds: unlike the answer time, callbacks cannot shorten it by "
    "taking the longest waits out of the live queue",
    "p90_reach_s": "90th percentile of that time, seconds",
    "callback_requested_rate": "share of offered calls that asked for a callback",
    "callback_success_rate": "share of finished callback requests that reached the caller",
    "mean_callback_delay_s": "mean time from a callback request to reaching the caller, seconds",
    "offered_high_risk": "calls offered whose caller's true risk is high (with call types)",
    "offered_vulnerable": "calls offered whose caller is vulnerable (with call types)",
    "abandon_rate_high_risk": "abandoned / offered, of calls whose caller's true risk is high",
    "abandon_rate_vulnerable": "abandoned / offered, of calls whose caller is vulnerable",
    "mean_answer_s_high_risk": "mean answer time of answered calls whose caller's true risk is "
    "high, seconds",
    "mean_answer_s_vulnerable": "mean answer time of answered calls whose caller is vulnerable, "
    "seconds",
    "answered_within_10s_high_risk": "share of answered calls whose caller's true risk is high "
    "answered in under 10 s",
    "answered_within_10s_vulnerable": "share of answered calls whose caller is vulnerable "
    "answered in under 10 s",
    "mean_reach_s_high_risk": "mean time from the call to a handler speaking with the caller, "
    "live or by a callback (101 only), callers of high true risk, seconds",
    "mean_reach_s_vulnerable": "the same, vulnerable callers, seconds",
    "gave_up_per_day": "callers a day (first call in the window, on this channel) who never "
    "reached a handler: every call abandoned or a callback that never reached them, none open",
    "gave_up_at_risk_per_day": "the same, of callers of high true risk or vulnerable: callers "
    "at risk a day whose risk nobody assessed",
    "handler_occupancy": "busy time / available (on duty, not on a break) time of handlers",
    "graded_emergency": "share of graded calls graded emergency (likewise priority, scheduled, "
    "resolved, referred)",
    "graded_too_low": "share of graded calls whose assessed risk is below their true risk",
    "true_emergencies_graded_lower": "share of graded calls with high true risk not graded "
    "emergency",
    "repeat_check_skipped": "share of graded calls without the repeat-victim check (likewise "
    "vulnerability_check_skipped, risk_assessment_skipped)",
    "advice_not_given": "share of graded calls given no safety and evidence advice",
    "incidents_emergency": "incidents raised (likewise priority, scheduled)",
    "attendance_within_target_emergency": "share of incidents attended within the grade's "
    "target, clock from the call being made; unattended ones count as late (likewise "
    "priority; _from_allocation: clock from allocation)",
    "mean_attendance_min_emergency": "mean minutes from the call to an officer on scene, "
    "attended incidents (likewise p90_, _from_allocation, other grades)",
    "unattended_emergency": "incidents no officer reached before the run stopped",
    "vulnerable_beyond_target": "share of incidents with a vulnerable caller attended late or "
    "not at all",
    "mean_backlog": "time-average number of incidents in the queue for an officer (a booked "
    "appointment joins it when its slot comes)",
    "harm_exposure_hours_high": "hours incidents of high true risk spent waiting (likewise "
    "medium, low)",
    "officer_utilisation": "busy time (allocated to cleared) / available time of officers",
    "mean_attendance_min_true_high": "mean minutes from the call to an officer on scene for "
    "incidents of high true risk, whatever their grade (likewise p90_)",
    "mean_appointment_wait_hours": "mean hours from a scheduled incident to its appointment",
    "suppressed_share": "share of incidents whose grade demand suppression lowered",
    "upgraded_share": "share of incidents a reassessment upgraded",
    "escalated_share": "share of incidents whose true risk rose while waiting",
    "diversions": "officers taken off a lower-grade incident for an emergency",
    "review_hours": "staff hours spent reassessing waiting incidents, in the measured window",
    "calls_to_support_worker": "calls a handler passed to a support worker",
    "dispatcher_utilisation": "time dispatchers spent allocating / time available",
    "support_worker_utilisation": "time support workers spent with callers / time available",
    "repeat_call_share_101": "share of offered 101 calls that are repeat calls about an "
    "unresolved matter (failure demand: after dispatch, or a call resolved at the front desk)",
    "overtime_hours": "hours worked past shift ends, and the whole time of handlers called in "
    "by intraday rules, shifts ending in the window",
    **DIGITAL_DESCRIPTIONS,
    **DESK_DESCRIPTIONS,
} | STAFFING_DESCRIPTIONS
KPI_DESCRIPTIONS.update(INTRADAY_DESCRIPTIONS)
"""What each KPI means (channel KPIs carry the channel as a suffix, e.g. ``offered_999``; in a
room of several forces, each force's own carry its name after that, e.g. ``offered_999_Beds``;
with ``[calendar]``, a few come by month too, e.g. ``answered_within_10s_999_2026_01``:
:mod:`.month_kpis`)."""


def replication_kpis(records: RunRecords, scenario: Scenario) -> dict[str, float]:
    """Every KPI of one replication, by name."""
    calls = records.measured_calls
    kpis: dict[str, float] = {}
    for channel in scenario.channels:
        kpis.update(channel_kpis(calls, scenario, channel))
    for force in scenario.force_names:
        # A room of several forces: each force's callers' KPIs, suffixed with its name.
        own = (calls["force"] == force).to_numpy()
        for channel in scenario.channels:
            kpis.update(
                {f"{k}_{force}": v for k, v in channel_kpis(calls, scenario, channel, own).items()}
            )
    if "grade" in calls.columns:
        kpis.update(grading_kpis(calls))
    if "true_risk" in calls.columns:
        days = (records.horizon_s - records.warmup_s) / 86400.0
        kpis.update(risk_kpis(records.calls, calls, scenario, days))
    failure = scenario.dispatch.failure_demand if scenario.dispatch is not None else None
    desk = scenario.front_desk
    if "101" in scenario.channels and (
        failure is not None or (desk is not None and desk.repeat_probability > 0)
    ):
        own = _rows(calls, calls["channel"] == "101", ("origin",))
        kpis["repeat_call_share_101"] = _share(int((own["origin"] == "repeat").sum()), len(own))
    if records.incidents is not None:
        kpis.update(dispatch_kpis(records, scenario.dispatch))
    if records.support_work is not None and records.support_duty is not None:
        kpis["calls_to_support_worker"] = float((calls["support_worker_id"] >= 0).sum())
        kpis["support_worker_utilisation"] = _utilisation(
            records.support_work, records.support_duty, records.warmup_s, records.horizon_s
        )
    if records.digital is not None and scenario.digital is not None:
        kpis.update(digital_kpis(records, scenario.digital))
    lo, hi = records.warmup_s, records.horizon_s
    if records.front_desk_work is not None and records.front_desk_duty is not None:
        work, duty = records.front_desk_work, records.front_desk_duty
        kpis.update(front_desk_kpis(calls, scenario, work, duty, (lo, hi)))
    kpis["handler_occupancy"] = _utilisation(records.work, records.duty, lo, hi)
    kpis["overtime_hours"] = overtime_hours(records.handlers, lo, hi)
    kpis.update(staffing_kpis(records, scenario))
    kpis.update(intraday_kpis(records, scenario))
    kpis.update(month_kpis(records, scenario))
    return kpis


def kpi_in_words(kpi: str) -> str:
    """A KPI's description, with its channel when the name ends in one
    (``answered_within_10s_999``: "999 calls: share of answered calls answered in under
    10 s"); the name itself when it has none."""
    if kpi in KPI_DESCRIPTIONS:
        return KPI_DESCRIPTIONS[kpi]
    base, _, channel = kpi.rpartition("_")
    if channel in ("999", "101") and base in KPI_DESCRIPTIONS:
        return f"{channel} calls: {KPI_DESCRIPTIONS[base]}"
    return kpi


def unknown_kpi(name: str, known: Sequence[str]) -> str:
    """What to say of ``name`` when it is not one of the ``known`` KPI names: that there is no
    such KPI, with the nearest known name when one is close (a misspelling; the cut-off is a
    little above difflib's 0.6, which offers abandon_rate_101 for callback_requested_rate_101)."""
    near = difflib.get_close_matches(name, known, n=1, cutoff=0.65)
    if near:
        return f": no such KPI; did you mean {near[0]}?"
    examples = ", ".join(known[:3])
    return (
        f": no such KPI; expected one of the {len(known)} KPIs of the scenario ({examples}, ...), "
        "which depend on its features (callbacks, dispatch, call types, forces, support "
        "workers, staffing)"
    )
