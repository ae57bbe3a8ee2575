"""Dispatch KPIs: attendance by grade, the risk in the backlog, officers, dispatchers and
reviews, from the incidents and staff tables cut to the measured window.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..config.schema import Dispatch
from ..config.vocabulary import RESPONSE_GRADES, RISK_LEVELS
from ..model.records import RunRecords
from .call_kpis import _outcome_codes, _share


def _has_target(dispatch: Dispatch | None, grade: str) -> bool:
    """Whether incidents of ``grade`` can have a due time (so an on-time share is defined)."""
    if dispatch is None:
        return True
    if grade in dispatch.targets_min or grade in dispatch.rural_targets_min:
        return True
    return grade == "scheduled" and dispatch.appointments is not None


def dispatch_kpis(records: RunRecords, dispatch: Dispatch | None = None) -> dict[str, float]:
    """Attendance by grade (from call receipt and from allocation), the risk in the backlog,
    and officers.

    Which KPIs there are depends on the scenario only, never on what a replication happened
    to produce: an on-time share for every grade with a target (NaN when no incident of
    that grade was measured)."""
    # The measured incidents as a mask, and each column taken for them only when used (a
    # year of a large force has a million incidents: a copy of every column would cost ten
    # times the memory of one at a time).
    table = records.incidents
    assert table is not None
    made = table["call_s"].to_numpy()
    measured = (made >= records.warmup_s) & (made < records.horizon_s)

    def column(name: str, mask: np.ndarray = measured) -> np.ndarray:
        return table[name].to_numpy()[mask]

    grades, grade_code = _outcome_codes(table["grade"])
    out: dict[str, float] = {}
    for grade in RESPONSE_GRADES:
        own = measured & (grades == grade_code(grade))
        n = int(own.sum())
        arrived = column("arrived_s", own)
        from_call = arrived - column("call_s", own)
        from_allocation = arrived - column("allocated_s", own)
        attended = ~np.isnan(arrived)
        out[f"incidents_{grade}"] = float(n)
        out[f"unattended_{grade}"] = float(n - attended.sum())
        if _has_target(dispatch, grade):
            with np.errstate(invalid="ignore"):
                on_time = arrived <= column("due_s", own)
                quick = from_allocation <= column("target_s", own)
            out[f"attendance_within_target_{grade}"] = _share(int(on_time.sum()), n)
            out[f"attendance_within_target_from_allocation_{grade}"] = _share(int(quick.sum()), n)
        for suffix, values in (("", from_call), ("_from_allocation", from_allocation)):
            done = values[attended] / 60.0
            out[f"mean_attendance_min{suffix}_{grade}"] = (
                float(done.mean()) if len(done) else math.nan
            )
            out[f"p90_attendance_min{suffix}_{grade}"] = (
                float(np.quantile(done, 0.9)) if len(done) else math.nan
            )
    appointment = column("appointment_s")
    booked = ~np.isnan(appointment)
    if dispatch is None or dispatch.appointments is not None:
        wait = pd.Series(appointment[booked] - column("created_s")[booked])
        out["mean_appointment_wait_hours"] = (
            float(wait.mean() / 3600.0) if booked.any() else math.nan
        )
    risks, risk_code = _outcome_codes(table["true_risk_at_call"])
    high = measured & (risks == risk_code("high"))
    reached = column("arrived_s", high) - column("call_s", high)
    reached = reached[~np.isnan(reached)] / 60.0
    out["mean_attendance_min_true_high"] = float(reached.mean()) if len(reached) else math.nan
    out["p90_attendance_min_true_high"] = (
        float(np.quantile(reached, 0.9)) if len(reached) else math.nan
    )
    n = int(measured.sum())
    out["suppressed_share"] = _share(int(column("suppressed").sum()), n)
    out["upgraded_share"] = _share(int(column("upgraded").sum()), n)
    out["escalated_share"] = _share(int((~np.isnan(column("escalated_s"))).sum()), n)
    out["diversions"] = float(column("diversions").sum())
    due = table["due_s"].to_numpy()
    vulnerable = measured & np.isfinite(due) & table["vulnerable"].to_numpy(dtype=bool)
    late = ~(column("arrived_s", vulnerable) <= due[vulnerable])
    out["vulnerable_beyond_target"] = _share(int(late.sum()), int(vulnerable.sum()))
    out.update(_window_kpis(records))
    return out


def _window_kpis(records: RunRecords) -> dict[str, float]:
    """The backlog, the harm exposure and staff time (officers, reviews, dispatchers): time
    inside the measured window, whenever the incident was raised."""
    out: dict[str, float] = {}
    lo, hi = records.warmup_s, records.horizon_s
    all_incidents = records.incidents
    assert all_incidents is not None and records.officer_duty is not None
    waiting_end = all_incidents["allocated_s"].fillna(records.end_s).to_numpy()
    created = all_incidents["created_s"].to_numpy()
    out["mean_backlog"] = _overlap(queued_from(all_incidents), waiting_end, lo, hi) / (hi - lo)
    for risk in RISK_LEVELS[1:]:
        mask = (all_incidents["true_risk"] == risk).to_numpy()
        out[f"harm_exposure_hours_{risk}"] = (
            _overlap(created[mask], waiting_end[mask], lo, hi) / 3600.0
        )
    busy = _overlap(
        all_incidents["allocated_s"].to_numpy(),
        all_incidents["cleared_s"].fillna(records.end_s).to_numpy(),
        lo,
        hi,
    )
    duty = _overlap(
        records.officer_duty["start_s"].to_numpy(), records.officer_duty["end_s"].to_numpy(), lo, hi
    )
    out["officer_utilisation"] = _share(busy, duty)
    reviews = records.reviews
    out["review_hours"] = (
        _overlap(
            reviews["start_s"].to_numpy(),
            (reviews["start_s"] + reviews["duration_s"]).to_numpy(),
            lo,
            hi,
        )
        / 3600.0
        if reviews is not None
        else 0.0
    )
    if records.dispatcher_work is not None and records.dispatcher_duty is not None:
        out["dispatcher_utilisation"] = _utilisation(
            records.dispatcher_work, records.dispatcher_duty, lo, hi
        )
    return out


def queued_from(incidents: pd.DataFrame) -> np.ndarray:
    """When each incident joined the queue for an officer: when it was raised, or for one
    booked into an appointment, when its slot came (unless it was allocated before, after an
    upgrade, whose moment is not recorded: then when it was raised)."""
    created = incidents["created_s"].to_numpy()
    slot = incidents["appointment_s"].to_numpy()
    allocated = incidents["allocated_s"].to_numpy()
    booked = ~np.isnan(slot) & ~(allocated < slot)
    return np.where(booked, np.maximum(slot, created), created)


def _utilisation(work: pd.DataFrame, duty: pd.DataFrame, lo: float, hi: float) -> float:
    """Busy time over available time inside [lo, hi): both tables have start_s and end_s."""
    return _share(
        _overlap(work["start_s"].to_numpy(), work["end_s"].to_numpy(), lo, hi),
        _overlap(duty["start_s"].to_numpy(), duty["end_s"].to_numpy(), lo, hi),
    )


def _overlap(starts: np.ndarray, ends: np.ndarray, lo: float, hi: float) -> float:
    """Total length of the intervals inside [lo, hi) (intervals with a NaN end are left out)."""
    lengths = np.minimum(ends, hi) - np.maximum(starts, lo)
    return float(np.clip(np.nan_to_num(lengths, nan=0.0), 0.0, None).sum())
