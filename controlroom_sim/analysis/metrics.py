"""KPIs, 15-minute interval tables and confidence intervals, all from the records.

Nothing here runs a simulation. Every figure is computed from a replication's
:class:`~controlroom_sim.records.RunRecords` after the warm-up is cut: a call counts in the
measured window when it was *offered* (made) in ``[warmup_s, horizon_s)``, and it is followed
to its outcome even if that comes after the horizon (the run goes on through a cool-down).

Answer time is measured from the call being made (the Home Office clock, which includes any BT
stage) or from it reaching the force, as each channel's ``answer_clock`` says. Home Office
bands are shares of answered calls: under 10 s, 10 to under 60 s, 60 s or more.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping

import numpy as np
import pandas as pd
from scipy import special  # stdtrit is Student's t quantile; scipy.stats is slow to import

from ..config.schema import Dispatch, Scenario
from ..config.vocabulary import CHECKS, GRADES, INTERVAL_S, RESPONSE_GRADES, RISK_LEVELS, WEEKDAYS
from ..model.records import RunRecords

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
    "unresolved matter (failure demand)",
    "overtime_hours": "hours worked past shift ends, shifts ending in the window",
}
"""What each KPI means (channel KPIs carry the channel as a suffix, e.g. ``offered_999``; in a
room of several forces, each force's own carry its name after that, e.g. ``offered_999_Beds``)."""


def clock_column(scenario: Scenario, channel: str) -> str:
    """The column a channel's answer time runs from: the call being made (``arrival_s``) or
    it reaching the force (``force_s``), as its ``answer_clock`` says."""
    return "force_s" if scenario.channels[channel].answer_clock == "force" else "arrival_s"


def answer_times(calls: pd.DataFrame, scenario: Scenario) -> pd.Series:
    """Answer time of each call (NaN if not answered), per its channel's answer clock."""
    start = calls["arrival_s"].to_numpy(copy=True)
    for name in scenario.channels:
        if clock_column(scenario, name) == "force_s":
            mask = (calls["channel"] == name).to_numpy()
            start[mask] = calls["force_s"].to_numpy()[mask]
    return calls["answered_s"] - start


# The columns the grading KPIs read: the graded calls are taken with these columns only, not
# as a copy of the whole calls table (a year of a large force has millions of calls).
_GRADING_COLUMNS = ("grade", "true_risk", "assessed_risk", *(f"{c}_done" for c in CHECKS))


def _rows(frame: pd.DataFrame, mask: pd.Series, columns: Iterable[str]) -> pd.DataFrame:
    """``frame[mask]`` with only those of ``columns`` it has."""
    return frame.loc[mask.to_numpy(), [c for c in columns if c in frame.columns]]


def _share(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0 else math.nan


def channel_kpis(
    calls: pd.DataFrame, scenario: Scenario, channel: str, rows: np.ndarray | None = None
) -> dict[str, float]:
    """The KPIs of one channel from the measured calls of one replication (of those in
    ``rows`` only, a mask over ``calls``, if given: one force's callers).

    The channel's calls are a mask, and each column is taken for them only when used, not as
    a copy of their rows (a year of a large force has millions of calls)."""
    mine = (calls["channel"] == channel).to_numpy()
    if rows is not None:
        mine = mine & rows
    codes, code = _outcome_codes(calls["outcome"])
    codes = codes[mine]

    def outcome(name: str) -> np.ndarray:
        return codes == code(name)

    def column(name: str) -> np.ndarray:
        return calls[name].to_numpy()[mine]

    offered = int(mine.sum())
    answered_mask = outcome("answered")
    times = column("answered_s") - column(clock_column(scenario, channel))
    wait = times[answered_mask]
    answered = int(answered_mask.sum())
    abandoned = int(outcome("abandoned").sum())
    within10 = int(np.count_nonzero(wait < 10.0))
    within60 = int(np.count_nonzero(wait < 60.0))
    out = {
        "offered": float(offered),
        "answered": float(answered),
        "abandoned": float(abandoned),
        "open": float(outcome("open").sum()),
        "abandon_rate": _share(abandoned, offered),
        "answered_within_10s": _share(within10, answered),
        "answered_10_to_59s": _share(within60 - within10, answered),
        "answered_60s_plus": _share(answered - within60, answered),
        "answered_within_10s_of_offered": _share(within10, offered),
        "answered_within_60s": _share(np.count_nonzero(wait <= 60.0), answered),
        "mean_answer_s": float(wait.mean()) if answered else math.nan,
        "p90_answer_s": float(np.quantile(wait, 0.9)) if answered else math.nan,
    }
    if channel == "101":
        # Every caller a handler spoke with, live or by a callback (the moment the callback
        # reached them), on the channel's answer clock: the same figure with or without
        # callbacks, so scenarios with and without them compare.
        reach = times[answered_mask | outcome("callback_answered")]
        out["mean_reach_s"] = float(reach.mean()) if len(reach) else math.nan
        out["p90_reach_s"] = float(np.quantile(reach, 0.9)) if len(reach) else math.nan
    if scenario.callback is not None and scenario.callback.enabled and channel == "101":
        requested = column("callback_accepted")
        reached = outcome("callback_answered")
        failed = outcome("callback_failed")
        out["callback_requested_rate"] = _share(int(requested.sum()), offered)
        out["callback_success_rate"] = _share(int(reached.sum()), int(reached.sum() + failed.sum()))
        delay = (column("answered_s") - column("callback_offered_s"))[reached]
        out["mean_callback_delay_s"] = float(delay.mean()) if reached.any() else math.nan
    return {f"{name}_{channel}": value for name, value in out.items()}


def grading_kpis(calls: pd.DataFrame) -> dict[str, float]:
    """Grades, under-grading and skipped THRIVE sub-tasks, over the calls that were graded."""
    graded = _rows(calls, calls["grade"].notna(), _GRADING_COLUMNS)
    n = len(graded)
    out: dict[str, float] = {}
    for grade in GRADES:
        out[f"graded_{grade}"] = _share(int((graded["grade"] == grade).sum()), n)
    true = graded["true_risk"].cat.codes.to_numpy()
    assessed = graded["assessed_risk"].cat.codes.to_numpy()
    out["graded_too_low"] = _share(int(np.count_nonzero(assessed < true)), n)
    high = true == RISK_LEVELS.index("high")
    out["true_emergencies_graded_lower"] = _share(
        int(np.count_nonzero(high & (graded["grade"] != "emergency").to_numpy())),
        int(high.sum()),
    )
    for check in CHECKS:
        done = graded[f"{check}_done"].to_numpy(dtype=bool, na_value=True)
        name = "advice_not_given" if check == "advice" else f"{check}_skipped"
        out[name] = _share(int(np.count_nonzero(~done)), n)
    return out


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
    failure = scenario.dispatch.failure_demand if scenario.dispatch is not None else None
    if "101" in scenario.channels and failure is not None:
        own = _rows(calls, calls["channel"] == "101", ("origin",))
        kpis["repeat_call_share_101"] = _share(int((own["origin"] == "repeat").sum()), len(own))
    if records.incidents is not None:
        kpis.update(dispatch_kpis(records, scenario.dispatch))
    if records.support_work is not None and records.support_duty is not None:
        kpis["calls_to_support_worker"] = float((calls["support_worker_id"] >= 0).sum())
        kpis["support_worker_utilisation"] = _utilisation(
            records.support_work, records.support_duty, records.warmup_s, records.horizon_s
        )
    lo, hi = records.warmup_s, records.horizon_s
    kpis["handler_occupancy"] = _utilisation(records.work, records.duty, lo, hi)
    handlers = records.handlers
    ending = handlers["scheduled_end_s"].between(lo, hi, inclusive="left")
    kpis["overtime_hours"] = float(handlers.loc[ending, "overtime_s"].sum() / 3600.0)
    return kpis


def _level_integral(starts: np.ndarray, ends: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Integral over each bin of ``edges`` of the number of intervals covering time t."""
    if len(starts) == 0:
        return np.zeros(len(edges) - 1)
    # Every start steps the level up by one, every end down by one, in time order. Made in
    # place where it can be: a year's work has millions of intervals.
    times = np.concatenate([starts, ends])
    order = np.argsort(times, kind="stable")
    times = times[order]
    level = np.cumsum(np.where(order < len(starts), 1.0, -1.0))
    del order
    # Area under the step function up to each event time.
    area = np.empty(len(times))
    area[0] = 0.0
    pieces = np.diff(times)
    pieces *= level[:-1]
    del level
    np.cumsum(pieces, out=area[1:])
    del pieces
    at_edges = np.interp(edges, times, area, left=0.0, right=area[-1])
    return np.diff(at_edges)


def _outcome_codes(outcome: pd.Series) -> tuple[np.ndarray, Callable[[str], object]]:
    """The outcomes as an array, and what stands for an outcome's name in it: the category
    codes of a categorical column (a year's calls as strings would make a large array)."""
    if not isinstance(outcome.dtype, pd.CategoricalDtype):
        return outcome.to_numpy(), lambda name: name
    names = list(outcome.cat.categories)
    return (
        outcome.cat.codes.to_numpy(),
        lambda name: names.index(name) if name in names else -2,  # -2: no call's code
    )


def interval_table(records: RunRecords, scenario: Scenario) -> pd.DataFrame:
    """KPIs per 15-minute interval of the measured window, per channel.

    Calls are counted in the interval in which they were offered. ``handlers_on_duty`` and
    ``handlers_busy`` are time averages over the interval (the same on every channel's row).
    """
    lo, hi = records.warmup_s, records.horizon_s
    edges = np.arange(lo, hi + INTERVAL_S / 2, INTERVAL_S)
    if edges[-1] < hi:
        edges = np.append(edges, hi)
    edges[-1] = hi
    widths = np.diff(edges)
    on_duty = (
        _level_integral(records.duty["start_s"].to_numpy(), records.duty["end_s"].to_numpy(), edges)
        / widths
    )
    busy = (
        _level_integral(records.work["start_s"].to_numpy(), records.work["end_s"].to_numpy(), edges)
        / widths
    )
    extra: dict[str, np.ndarray] = {}
    if records.incidents is not None and records.officer_duty is not None:
        incidents = records.incidents
        waiting_end = incidents["allocated_s"].fillna(records.end_s).to_numpy()
        extra["incidents_waiting"] = (
            _level_integral(queued_from(incidents), waiting_end, edges) / widths
        )
        allocated = incidents["allocated_s"].notna().to_numpy()
        extra["officers_on_duty"] = (
            _level_integral(
                records.officer_duty["start_s"].to_numpy(),
                records.officer_duty["end_s"].to_numpy(),
                edges,
            )
            / widths
        )
        extra["officers_busy"] = (
            _level_integral(
                incidents["allocated_s"].to_numpy()[allocated],
                incidents["cleared_s"].fillna(records.end_s).to_numpy()[allocated],
                edges,
            )
            / widths
        )
    calls = records.measured_calls
    outcomes, code = _outcome_codes(calls["outcome"])
    arrival = calls["arrival_s"].to_numpy()

    week_s = (edges[:-1] + records.origin_weekday_s) % (7 * 86400.0)
    frames = []
    n = len(edges) - 1
    for channel in scenario.channels:
        # One channel's calls at a time, each column taken for them only (no whole-table
        # temporaries: a year of a large force has millions of calls).
        mask = (calls["channel"] == channel).to_numpy()
        outcome = outcomes[mask]
        b = np.searchsorted(edges, arrival[mask], side="right")
        b -= 1
        answered = outcome == code("answered")
        clock = clock_column(scenario, channel)
        w = calls["answered_s"].to_numpy()[mask] - calls[clock].to_numpy()[mask]
        within = answered & (w < 10.0)
        within60 = answered & (w <= 60.0)
        answered_count = np.bincount(b[answered], minlength=n)
        wait_sum = np.bincount(b[answered], weights=w[answered], minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_answer = np.where(
                answered_count > 0, wait_sum / np.maximum(answered_count, 1), np.nan
            )
        frames.append(
            pd.DataFrame(
                {
                    "replication": records.replication,
                    "interval": np.arange(n),
                    "start_s": edges[:-1],
                    "day": ((edges[:-1] - lo) // 86400.0).astype(int) + 1,
                    "weekday": pd.Categorical.from_codes(
                        (week_s // 86400.0).astype(int), categories=list(WEEKDAYS)
                    ),
                    "time": [
                        f"{int(s // 3600):02d}:{int(s % 3600 // 60):02d}" for s in week_s % 86400.0
                    ],
                    "channel": channel,
                    "offered": np.bincount(b, minlength=n),
                    "answered": answered_count,
                    "answered_within_10s": np.bincount(b[within], minlength=n),
                    "answered_within_60s": np.bincount(b[within60], minlength=n),
                    "abandoned": np.bincount(b[outcome == code("abandoned")], minlength=n),
                    "mean_answer_s": mean_answer,
                    "handlers_on_duty": on_duty,
                    "handlers_busy": busy,
                    **extra,
                }
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def summarise(
    kpis: pd.DataFrame, confidence: float = 0.95, by: Iterable[str] = ("scenario", "kpi")
) -> pd.DataFrame:
    """Mean, sd and a t confidence interval of each KPI over replications.

    ``kpis`` is long: one row per replication and KPI, with a ``value`` column. NaN values
    (a KPI undefined in a replication, e.g. no answered calls) are left out and ``n`` says how
    many replications count.
    """
    keys = list(by)
    rows = []
    for key, group in kpis.groupby(keys, sort=False, observed=True):
        values = group["value"].to_numpy(dtype=float)
        values = values[~np.isnan(values)]
        rows.append(
            {
                **dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True)),
                **confidence_interval(values, confidence),
            }
        )
    return pd.DataFrame(rows)


def confidence_interval(values: np.ndarray, confidence: float = 0.95) -> dict[str, float]:
    """``mean``, ``sd``, ``ci_low``, ``ci_high`` (Student t) and ``n`` of a sample."""
    n = len(values)
    if n == 0:
        return {"mean": math.nan, "sd": math.nan, "ci_low": math.nan, "ci_high": math.nan, "n": 0}
    mean = float(values.mean())
    if n == 1:
        return {"mean": mean, "sd": math.nan, "ci_low": math.nan, "ci_high": math.nan, "n": 1}
    sd = float(values.std(ddof=1))
    half = float(special.stdtrit(n - 1, 0.5 + confidence / 2)) * sd / math.sqrt(n)
    return {"mean": mean, "sd": sd, "ci_low": mean - half, "ci_high": mean + half, "n": n}


def kpi_frame(
    per_replication: Mapping[int, Mapping[str, float]], scenario_name: str
) -> pd.DataFrame:
    """Long table ``scenario, replication, kpi, value`` from KPIs per replication."""
    rows = [
        {"scenario": scenario_name, "replication": rep, "kpi": name, "value": value}
        for rep, values in per_replication.items()
        for name, value in values.items()
    ]
    return pd.DataFrame(rows, columns=["scenario", "replication", "kpi", "value"])
