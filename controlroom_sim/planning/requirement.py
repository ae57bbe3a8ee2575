"""Handlers needed in every 15-minute interval of the week to meet service targets.

Two steps, as workforce planners do it and then better:

1. **Erlang, interval by interval.** In each interval the offered calls (the channel's
   profile, surges included) and the mean handling time (talk, THRIVE sub-tasks, wrap-up) give
   the smallest number of handlers meeting every target in a steady-state queue: Erlang A when
   callers have a patience, Erlang C when they do not. A target on a channel counts the calls of
   every channel answered before it (999 calls go first, so a 101 target sees their load as
   well), with that channel's patience. Where the answer clock includes the BT stage, the
   queue's share of the 10 seconds is what the mean BT delay leaves. This is exact for a
   stationary Erlang scenario, and a first guess otherwise: it ignores the queue carried from one
   interval into the next, redials, callbacks, skills and non-exponential times.
2. **Simulation.** The requirement is run as a rota (one handler group whose on-duty count
   follows the curve) for a number of replications with common random numbers. Each target is
   estimated in each interval from the calls offered in it, pooled over replications, with a
   95% confidence interval: the ratio estimator's over replications, widened to the exact
   binomial interval of the pooled calls where few calls make it too narrow.

   Where an interval misses a target significantly, its target in the Erlang calculation is
   made stricter by the shortfall. Where the whole run's confidence interval does not clear a
   target, every interval's is made stricter by the gap. Erlang turns the stricter targets into
   handlers at each interval's load, and the curve only rises. Every round re-runs the same
   replications. The search ends when every interval holds and every whole-run target is met
   with its whole confidence interval (so that new callers meet it too). An independent check
   with new callers then says how many intervals still miss, and by how much.

The requirement counts handlers *taking calls*. Paid staff hours add the shrinkage (breaks and
other work): ``hours / (1 − shrinkage)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import special

from ..analysis.erlang import QueueMetrics, erlang_a_metrics, erlang_c_metrics, smallest_meeting
from ..analysis.validation import NotAnErlangCase, erlang_case
from ..config.errors import ControlroomError
from ..config.schema import HandlerGroup, Scenario, Shift
from ..config.vocabulary import CHECKS, INTERVAL_S, INTERVALS_PER_WEEK, WEEKDAYS
from ..model.arrivals import WEEK_S, expected_count
from .patterns import (
    INTERVALS_PER_DAY,
    clock_of,
    rota_coverage,
    rota_paid_hours,
    weekday_of,
    with_rota,
)

HOURS_PER_INTERVAL = INTERVAL_S / 3600.0


class RequirementError(ControlroomError, ValueError):
    """A staffing request that cannot be met or makes no sense; the message is one line."""


# -- targets ------------------------------------------------------------------------------------

# KPI family -> (interval table numerator, denominator, at most?, answer-time threshold s)
_FAMILIES: dict[str, tuple[str, str, bool, float | None]] = {
    "answered_within_10s": ("answered_within_10s", "answered", False, 10.0),
    "answered_within_10s_of_offered": ("answered_within_10s", "offered", False, 10.0),
    "answered_within_60s": ("answered_within_60s", "answered", False, 60.0),
    "abandon_rate": ("abandoned", "offered", True, None),
    "mean_answer_s": ("answer_s_sum", "answered", True, None),
}


@dataclass(frozen=True)
class StaffTarget:
    """A service target: a KPI of one channel and the value it must reach (or stay under)."""

    kpi: str
    family: str
    channel: str
    value: float

    @property
    def at_most(self) -> bool:
        """True for KPIs that must stay at or below the value (abandonment, mean answer)."""
        return _FAMILIES[self.family][2]

    @classmethod
    def parse(cls, text: str) -> StaffTarget:
        """``KPI=VALUE``, e.g. ``answered_within_10s_999=0.90`` or ``abandon_rate_101=10%``."""
        kpi, sep, raw = text.partition("=")
        kpi, raw = kpi.strip(), raw.strip()
        if not sep or not kpi or not raw:
            raise RequirementError(f"--target {text!r}: expected KPI=VALUE")
        family, _, channel = kpi.rpartition("_")
        if family not in _FAMILIES or channel not in ("999", "101"):
            names = ", ".join(f"{f}_<channel>" for f in _FAMILIES)
            raise RequirementError(f"--target {text!r}: expected a KPI among {names}")
        percent = raw.endswith("%")
        try:
            value = float(raw[:-1] if percent else raw)
        except ValueError:
            raise RequirementError(f"--target {text!r}: expected a number, found {raw!r}") from None
        if percent:
            value /= 100.0
        if family == "mean_answer_s":
            if percent or not (math.isfinite(value) and value > 0):
                raise RequirementError(
                    f"--target {text!r}: expected a positive number of seconds, found {raw!r}"
                )
        elif not 0.0 < value < 1.0:
            raise RequirementError(
                f"--target {text!r}: expected a share between 0 and 1 (or 0% and 100%), "
                f"found {raw!r}"
            )
        return cls(kpi=kpi, family=family, channel=channel, value=value)

    def met(self, estimate: float) -> bool:
        """True if ``estimate`` meets the target (NaN: no calls, nothing to miss)."""
        if math.isnan(estimate):
            return True
        return estimate <= self.value if self.at_most else estimate >= self.value

    def adjusted(self, correction: float) -> float:
        """The value made stricter by ``correction`` (>= 0), kept attainable."""
        if self.family == "mean_answer_s":
            return max(self.value - correction, 0.1)
        if self.at_most:
            return max(self.value - correction, 1e-4)
        return min(self.value + correction, 0.999)

    def describe(self) -> str:
        sign = "<=" if self.at_most else ">="
        if self.family == "mean_answer_s":
            return f"{self.kpi} {sign} {self.value:g} s"
        return f"{self.kpi} {sign} {self.value:.1%}"


DEFAULT_TARGET = "answered_within_10s_999=0.90"
"""The national standard: 90% of 999 calls answered within 10 seconds (seed 001 L1164-1170)."""


def check_targets(scenario: Scenario, targets: Sequence[StaffTarget]) -> None:
    """Every target's channel must have calls in the scenario."""
    if not targets:
        raise RequirementError("expected at least one --target KPI=VALUE")
    seen = set()
    for target in targets:
        if target.kpi in seen:
            raise RequirementError(f"--target {target.kpi}: given twice")
        seen.add(target.kpi)
        channel = scenario.channels.get(target.channel)
        if channel is None or channel.calls_per_day <= 0:
            raise RequirementError(
                f"--target {target.kpi}: the scenario has no {target.channel} calls"
            )


# -- the scenario's demand, per interval of the week --------------------------------------------


def week_position(seconds: np.ndarray | float, scenario: Scenario) -> np.ndarray:
    """Index (0 = Monday 00:00) of the week's 15-minute interval holding each simulation time."""
    s = np.asarray(seconds, dtype=float)
    return (np.floor((s + scenario.origin_weekday_s) % WEEK_S / INTERVAL_S)).astype(np.int64)


def measured_positions(scenario: Scenario) -> np.ndarray:
    """Boolean mask of the week's intervals that the measured horizon covers."""
    starts = np.arange(scenario.warmup_s, scenario.horizon_s, INTERVAL_S)
    mask = np.zeros(INTERVALS_PER_WEEK, dtype=bool)
    mask[week_position(starts, scenario)] = True
    return mask


def arrival_rates(scenario: Scenario) -> dict[str, np.ndarray]:
    """Offered calls per second of each channel in each interval of the week.

    The run is cut into 15-minute intervals from time 0 (the warm-up included); an interval of
    the week that occurs more than once (a horizon longer than a week) takes its busiest
    occurrence, so a weekly rota covers every week.
    """
    # Windows on the week's quarter-hour grid (time 0 need not be on it).
    first = -((scenario.origin_weekday_s) % INTERVAL_S)
    edges = np.arange(first, scenario.end_s, INTERVAL_S)
    out = {}
    for name, channel in scenario.channels.items():
        rates = np.zeros(INTERVALS_PER_WEEK)
        if channel.calls_per_day > 0:
            for edge in edges:
                start, stop = max(edge, 0.0), min(edge + INTERVAL_S, scenario.end_s)
                if stop <= start:
                    continue
                pos = int(week_position(edge + INTERVAL_S / 2, scenario))
                rate = expected_count(scenario, name, start, stop) / (stop - start)
                rates[pos] = max(rates[pos], rate)
        out[name] = rates
    return out


def mean_handling_s(scenario: Scenario, channel: str) -> float:
    """Mean handler time per answered call: talk, THRIVE sub-tasks done, and wrap-up."""
    ch = scenario.channels[channel]
    total = ch.talk_s.mean + (ch.wrap_s.mean if ch.wrap_s is not None else 0.0)
    if scenario.call_types and scenario.thrive is not None:
        for name in CHECKS:
            check = getattr(scenario.thrive, name)
            if check is not None:
                total += (1.0 - check.skip_probability) * check.time_s.mean
    return total


# -- step 1: Erlang per interval ----------------------------------------------------------------


@lru_cache(maxsize=65536)
def _smallest(
    family: str,
    value: float,
    wait: float,
    rate: float,
    service: float,
    patience: float | None,
    ahead_rate: float | None = None,
    own_patience: float | None = None,
) -> int:
    """Smallest number of handlers meeting one target.

    ``rate``, ``service`` and ``patience`` describe the calls the handlers take. Without
    ``ahead_rate`` they are one first-come-first-served queue (Erlang C or A, exact). With it,
    the target channel is answered before the others: a call of it waits only when every
    handler is busy (the Erlang probability of waiting for the whole load, by PASTA), and then
    for the first handler to come free with only ``ahead_rate`` calls ahead of it: an
    exponential wait at rate ``c/service - ahead_rate`` (the top class of a non-preemptive
    priority M/M/c queue), cut short by its own patience ``own_patience`` (abandonment).
    """
    threshold = _FAMILIES[family][3]
    target_s = max(0.0, (threshold or 0.0) - wait)

    def metrics(c: int) -> QueueMetrics:
        if patience is None:
            return erlang_c_metrics(rate, service, c, target_s)
        return erlang_a_metrics(rate, service, patience, c, target_s)

    def fifo(c: int) -> bool:
        m = metrics(c)
        if not m.stable:
            return False
        if family in ("answered_within_10s", "answered_within_60s"):
            return m.service_level_answered >= value
        if family == "answered_within_10s_of_offered":
            return m.service_level_offered >= value
        if family == "abandon_rate":
            return m.p_abandon <= value
        return m.mean_wait_answered + wait <= value

    def first(c: int) -> bool:
        assert ahead_rate is not None
        clear = c / service - ahead_rate  # rate at which a waiting call of the top class ends
        if clear <= 0:
            return False
        busy = metrics(c).p_wait
        if family in (
            "answered_within_10s",
            "answered_within_60s",
            "answered_within_10s_of_offered",
        ):
            return 1.0 - busy * math.exp(-clear * target_s) >= value
        if family == "abandon_rate":
            return busy * own_theta / (own_theta + clear) <= value
        return busy / clear + wait <= value

    own_theta = 1.0 / own_patience if own_patience else 0.0
    lower = math.floor(rate * service) + 1 if patience is None else 1
    try:
        return smallest_meeting(lower, fifo if ahead_rate is None else first)
    except ValueError:
        raise RequirementError(
            f"no realistic number of handlers meets {family} = {value:g}"
        ) from None


def erlang_requirement(
    scenario: Scenario,
    targets: Sequence[StaffTarget],
    fixed: np.ndarray | None = None,
    adjust: dict[str, np.ndarray] | None = None,
) -> np.ndarray:
    """Handlers needed per interval of the week by Erlang C / A (see the module docstring).

    ``fixed`` (per interval) are handlers of other groups already on duty; they are taken off
    the answer, which is never below zero. ``adjust`` maps a target's KPI to a correction per
    interval added to its value (the simulation's verdict on where Erlang is optimistic).
    """
    rates = arrival_rates(scenario)
    handling = {
        name: mean_handling_s(scenario, name)
        for name, ch in scenario.channels.items()
        if ch.calls_per_day > 0
    }
    lowest = max(handling, key=scenario.channel_priority)
    low_patience = scenario.channels[lowest].patience_s
    need = np.zeros(INTERVALS_PER_WEEK, dtype=np.int64)
    for target in targets:
        own = scenario.channels[target.channel]
        priority = scenario.channel_priority(target.channel)
        ahead = [n for n in handling if scenario.channel_priority(n) <= priority]
        behind = [n for n in handling if scenario.channel_priority(n) > priority]
        wait = 0.0
        if own.answer_clock == "call" and own.bt_connect_s is not None:
            wait = own.bt_connect_s.mean
        if behind:  # answered first: busy handlers are counted over the whole load
            patience = low_patience.mean if low_patience is not None else None
        else:
            patience = own.patience_s.mean if own.patience_s is not None else None
        for k in range(INTERVALS_PER_WEEK):
            lam = sum(rates[n][k] for n in handling)
            lam_ahead = sum(rates[n][k] for n in ahead)
            if lam_ahead <= 0:
                continue
            service = sum(rates[n][k] * handling[n] for n in handling) / lam
            c = _smallest(
                target.family,
                target.adjusted(adjust[target.kpi][k]) if adjust else target.value,
                wait,
                float(lam),
                float(service),
                patience,
                float(lam_ahead) if behind else None,
                own.patience_s.mean if behind and own.patience_s is not None else None,
            )
            need[k] = max(need[k], c)
    if fixed is not None:
        need = np.maximum(need - np.floor(fixed + 1e-9).astype(np.int64), 0)
    return need


def is_exact_erlang(scenario: Scenario) -> bool:
    """True if the scenario is a stationary Erlang C / A queue, so step 1 is exact."""
    name = next((n for n, ch in scenario.channels.items() if ch.calls_per_day > 0), None)
    if name is None or scenario.call_types:
        return False
    probe = scenario.model_copy(
        update={"handlers": [HandlerGroup(name="probe", skills=[name], count=1)]}
    )
    try:
        erlang_case(probe)
    except NotAnErlangCase:
        return False
    return True


# -- the requirement as a rota ------------------------------------------------------------------


def requirement_shifts(levels: np.ndarray) -> list[Shift]:
    """Shift lines whose on-duty count follows ``levels`` (per interval of the week).

    The curve is cut into layers: the j-th handler is on duty wherever the level is at least
    j, one shift per unbroken stretch (wrapping round the week), cut into pieces of at most
    24 hours. Shifts with the same start, length and weekday are merged.
    """
    levels = np.asarray(levels, dtype=np.int64)
    if levels.shape != (INTERVALS_PER_WEEK,) or (levels < 0).any():
        raise ValueError("expected 672 non-negative handler counts")
    counts: dict[tuple[int, int], int] = {}  # (start interval, length) -> people
    for j in range(1, int(levels.max(initial=0)) + 1):
        on = levels >= j
        if on.all():
            for day in range(7):
                key = (day * INTERVALS_PER_DAY, INTERVALS_PER_DAY)
                counts[key] = counts.get(key, 0) + 1
            continue
        # Start at an interval that is off, so stretches do not wrap inside the scan.
        first_off = int(np.argmin(on))
        order = (first_off + np.arange(INTERVALS_PER_WEEK)) % INTERVALS_PER_WEEK
        k = 0
        while k < INTERVALS_PER_WEEK:
            if not on[order[k]]:
                k += 1
                continue
            start = k
            while k < INTERVALS_PER_WEEK and on[order[k]]:
                k += 1
            length = k - start
            at = int(order[start])
            while length > 0:
                piece = min(length, INTERVALS_PER_DAY)
                counts[(at, piece)] = counts.get((at, piece), 0) + 1
                at = (at + piece) % INTERVALS_PER_WEEK
                length -= piece
    shifts = []
    for (at, length), count in sorted(counts.items()):
        day, slot = divmod(at, INTERVALS_PER_DAY)
        minutes = slot * 15
        shifts.append(
            Shift(
                start=f"{minutes // 60:02d}:{minutes % 60:02d}",
                hours=length * HOURS_PER_INTERVAL,
                days=[WEEKDAYS[day]],
                count=count,
            )
        )
    return shifts


def with_requirement(scenario: Scenario, levels: np.ndarray, group: str | None = None) -> Scenario:
    """``scenario`` with a handler group on duty as ``levels`` says.

    With ``group`` that group's rota is replaced and the others are kept; without, every
    handler group is replaced by one pooled group taking every channel with calls.
    """
    shifts = requirement_shifts(levels)
    if not shifts:  # nobody needed: keep one zero-count line so the group is valid
        shifts = [Shift(start="00:00", hours=24.0, count=0)]
    return with_rota(scenario, shifts, group, pooled_name="required")


def other_groups_coverage(scenario: Scenario, group: str) -> np.ndarray:
    """Handlers of the groups other than ``group`` available per interval of the week."""
    names = [g.name for g in scenario.handlers]
    if group not in names:
        raise RequirementError(
            f"--group {group!r}: expected one of the scenario's handler groups "
            f"({', '.join(repr(n) for n in names)})"
        )
    total = np.zeros(INTERVALS_PER_WEEK)
    for g in scenario.handlers:
        if g.name != group:
            total += rota_coverage(g.shifts, g.count)
    return total


def break_shrinkage(scenario: Scenario) -> float:
    """Share of the handlers' paid time spent on breaks in the scenario's own rota."""
    paid = sum(rota_paid_hours(g.shifts, g.count) for g in scenario.handlers)
    available = sum(rota_coverage(g.shifts, g.count).sum() for g in scenario.handlers)
    if paid <= 0:
        return 0.0
    return max(0.0, 1.0 - available * HOURS_PER_INTERVAL / paid)


# -- step 2: checks of a simulated requirement ----------------------------------------------------


def ratio_estimate(y: np.ndarray, x: np.ndarray, confidence: float = 0.95) -> tuple[float, ...]:
    """Pooled ratio ``Σy / Σx`` over replications with a t interval (delta method).

    ``y`` and ``x`` hold one total per replication. Returns ``(estimate, low, high)``; NaN when
    there is nothing in the denominator, and no interval with fewer than 2 replications.
    """
    n = len(x)
    total = float(np.sum(x))
    if total <= 0:
        return (math.nan, math.nan, math.nan)
    ratio = float(np.sum(y)) / total
    if n < 2:
        return (ratio, math.nan, math.nan)
    mean_x = total / n
    resid = np.asarray(y, dtype=float) - ratio * np.asarray(x, dtype=float)
    se = math.sqrt(float(np.sum(resid**2)) / (n * (n - 1))) / mean_x
    half = float(special.stdtrit(n - 1, 0.5 + confidence / 2.0)) * se
    return (ratio, ratio - half, ratio + half)


def binomial_interval(
    successes: float, trials: float, confidence: float = 0.95
) -> tuple[float, float]:
    """Exact (Clopper-Pearson, 1934) interval of a binomial share."""
    if trials <= 0:
        return (math.nan, math.nan)
    alpha = 1.0 - confidence
    k, n = successes, trials
    from scipy import stats  # imported here: slow to import, only the planner needs it

    low = 0.0 if k <= 0 else float(stats.beta.ppf(alpha / 2, k, n - k + 1))
    high = 1.0 if k >= n else float(stats.beta.ppf(1 - alpha / 2, k + 1, n - k))
    return (low, high)


def interval_checks(
    intervals: pd.DataFrame, scenario: Scenario, targets: Sequence[StaffTarget]
) -> pd.DataFrame:
    """Each target in each measured interval of the week, from a run's interval table.

    Columns: ``position, kpi, estimate, ci_low, ci_high, calls, met, significant_miss,
    shortfall`` (how far the estimate falls short, 0 when met). Calls of the same interval of
    the week in different weeks are pooled.
    """
    table = intervals.copy()
    table["position"] = week_position(table["start_s"].to_numpy(), scenario)
    table["answer_s_sum"] = table["mean_answer_s"].fillna(0.0) * table["answered"]
    replications = np.sort(table["replication"].unique())
    rows = []
    measured = np.flatnonzero(measured_positions(scenario))
    for target in targets:
        numerator, denominator = _FAMILIES[target.family][:2]
        own = table[table["channel"] == target.channel]
        sums = own.groupby(["position", "replication"])[[numerator, denominator]].sum()
        full = pd.MultiIndex.from_product(
            [measured, replications], names=["position", "replication"]
        )
        sums = sums.reindex(full, fill_value=0)
        y = sums[numerator].to_numpy(dtype=float).reshape(len(measured), len(replications))
        x = sums[denominator].to_numpy(dtype=float).reshape(len(measured), len(replications))
        share = target.family != "mean_answer_s"
        for i, position in enumerate(measured):
            estimate, low, high = ratio_estimate(y[i], x[i])
            if share and not math.isnan(estimate):
                # Few calls can make every replication agree (a zero-width interval): the
                # exact binomial interval of the pooled calls keeps the verdict honest there.
                w_low, w_high = binomial_interval(float(y[i].sum()), float(x[i].sum()))
                low = w_low if math.isnan(low) else min(low, w_low)
                high = w_high if math.isnan(high) else max(high, w_high)
            met = target.met(estimate)
            if target.at_most:
                significant = not math.isnan(low) and low > target.value
                shortfall = max(0.0, estimate - target.value) if not met else 0.0
            else:
                significant = not math.isnan(high) and high < target.value
                shortfall = max(0.0, target.value - estimate) if not met else 0.0
            rows.append(
                {
                    "position": int(position),
                    "kpi": target.kpi,
                    "estimate": estimate,
                    "ci_low": low,
                    "ci_high": high,
                    "calls": float(x[i].sum()),
                    "met": met,
                    "significant_miss": significant,
                    "shortfall": shortfall,
                }
            )
    return pd.DataFrame(rows)


def overall_checks(summary: pd.DataFrame, targets: Sequence[StaffTarget]) -> pd.DataFrame:
    """Each target over the whole measured horizon: mean and CI over replications.

    ``met`` compares the mean with the target; ``assured`` asks for the whole confidence
    interval to meet it, which is what the search requires, so that a new set of callers
    meets the target too.
    """
    rows = []
    for target in targets:
        row = summary[summary["kpi"] == target.kpi]
        mean = float(row["mean"].iloc[0]) if len(row) else math.nan
        low = float(row["ci_low"].iloc[0]) if len(row) else math.nan
        high = float(row["ci_high"].iloc[0]) if len(row) else math.nan
        rows.append(
            {
                "kpi": target.kpi,
                "target": target.value,
                "mean": mean,
                "ci_low": low,
                "ci_high": high,
                "met": target.met(mean),
                "assured": target.met(high if target.at_most else low),
            }
        )
    return pd.DataFrame(rows)


# -- the search -----------------------------------------------------------------------------------


@dataclass
class Trial:
    """One simulated requirement: the curve, its interval checks and whole-run KPIs."""

    levels: np.ndarray
    checks: pd.DataFrame
    overall: pd.DataFrame
    summary: pd.DataFrame
    intervals: pd.DataFrame

    def failing(self) -> np.ndarray:
        """Mask (per interval of the week) of significant misses of any target."""
        return _mask(self.checks, "significant_miss", any_target=True)

    def missing(self) -> np.ndarray:
        """Mask of intervals whose estimate misses any target (significant or not)."""
        return ~_mask(self.checks, "met", any_target=False)

    @property
    def holds(self) -> bool:
        return not self.failing().any() and bool(self.overall["assured"].all())


def _mask(checks: pd.DataFrame, column: str, any_target: bool) -> np.ndarray:
    out = np.zeros(INTERVALS_PER_WEEK, dtype=bool) if any_target else None
    for _, rows in checks.groupby("kpi"):
        mask = np.zeros(INTERVALS_PER_WEEK, dtype=bool)
        mask[rows["position"].to_numpy()] = rows[column].to_numpy(dtype=bool)
        out = mask if out is None else out | mask if any_target else out & mask
    if out is None:
        return np.zeros(INTERVALS_PER_WEEK, dtype=bool)
    if not any_target:  # unmeasured intervals count as met
        measured = np.zeros(INTERVALS_PER_WEEK, dtype=bool)
        measured[checks["position"].unique()] = True
        out = out | ~measured
    return out


@dataclass
class Search:
    """The whole search: Erlang's curve, the trials in order, and the one chosen."""

    erlang: np.ndarray
    trials: list[Trial] = field(default_factory=list)
    chosen: Trial | None = None
    converged: bool = False
    exact: bool = False

    @property
    def required(self) -> np.ndarray:
        return self.chosen.levels if self.chosen is not None else self.erlang


Simulator = Callable[[np.ndarray], tuple[pd.DataFrame, pd.DataFrame]]
"""Runs a requirement curve; returns (interval table, KPI summary) over the replications."""


def search(
    scenario: Scenario,
    targets: Sequence[StaffTarget],
    erlang: np.ndarray,
    simulate: Simulator | None,
    max_rounds: int = 10,
    fixed: np.ndarray | None = None,
    on_round: Callable[[int, Trial], None] | None = None,
) -> Search:
    """Refine ``erlang`` by simulation; ``simulate=None`` stops at Erlang.

    Each round simulates the current curve. Where an interval misses a target significantly,
    that interval's target in the Erlang calculation is made stricter by the shortfall; where
    the whole run's confidence interval does not clear a target, every interval's is made
    stricter by the gap. Erlang then turns the stricter targets into handlers (so a shortfall
    becomes the right number of handlers at that interval's load), the curve only ever rises,
    and an interval still failing gets at least one more handler. The search ends when every
    interval holds and every whole-run target is assured, or after ``max_rounds``. A
    stationary Erlang scenario is simulated once, as a check, and not adjusted.
    """
    result = Search(erlang=np.asarray(erlang, dtype=np.int64).copy())
    if simulate is None:
        return result
    result.exact = exact = is_exact_erlang(scenario)
    measured = measured_positions(scenario)
    levels = result.erlang.copy()
    adjust = {t.kpi: np.zeros(INTERVALS_PER_WEEK) for t in targets}
    for round_ in range(1, max(1, max_rounds) + 1):
        intervals, summary = simulate(levels)
        trial = Trial(
            levels=levels.copy(),
            checks=interval_checks(intervals, scenario, targets),
            overall=overall_checks(summary, targets),
            summary=summary,
            intervals=intervals,
        )
        result.trials.append(trial)
        result.chosen = trial
        if on_round is not None:
            on_round(round_, trial)
        if exact or trial.holds:
            result.converged = True
            return result
        if round_ == max_rounds:
            break
        failing = trial.failing() & measured
        unassured = ~trial.overall["assured"].to_numpy(dtype=bool)
        for target, overall, short in zip(
            targets, trial.overall.itertuples(), unassured, strict=True
        ):
            if short:
                bound = overall.ci_high if target.at_most else overall.ci_low
                gap = abs(bound - target.value) if not math.isnan(bound) else 0.0
                adjust[target.kpi][measured] += gap
            rows = trial.checks[
                (trial.checks["kpi"] == target.kpi) & trial.checks["significant_miss"]
            ]
            adjust[target.kpi][rows["position"].to_numpy()] += rows["shortfall"].to_numpy()
        proposed = erlang_requirement(scenario, targets, fixed, adjust)
        raised = np.where(measured, np.maximum(levels, proposed), levels)
        stuck = failing & (raised == levels)
        raised = raised + stuck
        if unassured.any() and (raised == levels).all():
            raised = raised + _worst(trial, measured)
        levels = raised
    result.converged = False
    return result


def _worst(trial: Trial, measured: np.ndarray) -> np.ndarray:
    """Where a handler does most for a whole-run target not yet assured: the third of the
    intervals missing it with the largest shortfall weighted by their calls (the whole-run
    KPI weighs intervals by their calls); every measured interval if none misses."""
    missed = trial.overall.loc[~trial.overall["assured"], "kpi"]
    rows = trial.checks[trial.checks["kpi"].isin(missed) & ~trial.checks["met"]]
    mask = np.zeros(INTERVALS_PER_WEEK, dtype=bool)
    if rows.empty:
        mask[measured] = True
        return mask
    score = (rows["shortfall"] * rows["calls"]).groupby(rows["position"]).sum()
    keep = max(1, math.ceil(len(score) / 3))
    mask[score.sort_values(ascending=False).index[:keep].to_numpy()] = True
    return mask


def staff_hours(levels: np.ndarray, scenario: Scenario, shrinkage: float = 0.0) -> float:
    """Handler hours a week on the measured intervals, grossed up for shrinkage."""
    measured = measured_positions(scenario)
    hours = float(np.asarray(levels)[measured].sum()) * HOURS_PER_INTERVAL
    return hours / (1.0 - shrinkage)


def requirement_table(
    scenario: Scenario, found: Search, shrinkage: float, targets: Sequence[StaffTarget]
) -> pd.DataFrame:
    """One row per interval of the week: demand, Erlang and simulated requirement, the heads
    to roster for them (shrinkage), and each target's simulated estimate."""
    rates = arrival_rates(scenario)
    positions = np.arange(INTERVALS_PER_WEEK)
    table = pd.DataFrame(
        {
            "interval": positions,
            "weekday": [weekday_of(p) for p in positions],
            "time": [clock_of(p) for p in positions],
            "measured": measured_positions(scenario),
        }
    )
    for name, rate in rates.items():
        table[f"offered_{name}"] = rate * INTERVAL_S
    table["erlang"] = found.erlang
    table["required"] = found.required
    table["rostered"] = np.ceil(found.required / (1.0 - shrinkage) - 1e-9).astype(np.int64)
    if found.chosen is not None:
        checks = found.chosen.checks
        for target in targets:
            own = checks[checks["kpi"] == target.kpi].set_index("position")
            for column in ("estimate", "ci_low", "ci_high"):
                table[f"{target.kpi}_{column}"] = own[column].reindex(positions).to_numpy()
    return table
