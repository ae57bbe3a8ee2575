"""Running replications of a scenario and gathering their tables.

A replication is a pure function of ``(scenario, replication index)``: the scenario's seed and
the index seed every stream, so a replication gives the same tables whenever and wherever it is
run, and two scenarios with the same seed share their callers (common random numbers).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..analysis.confidence import kpi_frame, summarise
from ..analysis.intervals import interval_table
from ..analysis.kpis import replication_kpis
from ..analysis.precision import PrecisionError, ReplicationPlan
from ..config.schema import Scenario
from ..model import simulate
from ..model.columns import in_memory

if TYPE_CHECKING:
    from .engines import Engine
    from .store import RunStore


@dataclass
class ReplicationResult:
    """The KPIs, interval table and call records of one replication."""

    replication: int
    kpis: dict[str, float]
    intervals: pd.DataFrame
    calls: pd.DataFrame | None
    """None once written to a run folder and dropped from memory."""
    calls_simulated: int
    incidents: pd.DataFrame | None = None


@dataclass
class ExperimentResult:
    """Everything a run of several replications produced."""

    scenario: Scenario
    replications: list[ReplicationResult] = field(default_factory=list)
    wall_s: float = 0.0
    label: str | None = None
    """The scenario's name in tables (its ``[scenario] name`` unless a comparison renamed it)."""
    precision: dict | None = None
    """How the replication count was chosen (see :mod:`controlroom_sim.precision`)."""
    folder: Path | None = None
    """The run folder the results were written to, if any."""

    @property
    def name(self) -> str:
        return self.label or self.scenario.scenario.name

    @property
    def kpis(self) -> pd.DataFrame:
        """Long table: ``scenario, replication, kpi, value``."""
        return kpi_frame({r.replication: r.kpis for r in self.replications}, self.name)

    @property
    def summary(self) -> pd.DataFrame:
        """``scenario, kpi, mean, sd, ci_low, ci_high, n`` (95% t intervals)."""
        return summarise(self.kpis)

    @property
    def intervals(self) -> pd.DataFrame:
        frames = [r.intervals for r in self.replications]
        out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        out.insert(0, "scenario", self.name)
        return out

    @property
    def calls(self) -> pd.DataFrame:
        """One row per call over all replications (empty if the records were not kept)."""
        frames = []
        for r in self.replications:
            if r.calls is not None:
                frame = r.calls.copy()
                frame.insert(0, "replication", r.replication)
                frames.append(frame)
        out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        out.insert(0, "scenario", self.name)
        return out

    @property
    def incidents(self) -> pd.DataFrame | None:
        """One row per incident over all replications (None without dispatch)."""
        frames = []
        for r in self.replications:
            if r.incidents is not None:
                frame = r.incidents.copy()
                frame.insert(0, "replication", r.replication)
                frames.append(frame)
        if not frames:
            return None
        out = pd.concat(frames, ignore_index=True)
        out.insert(0, "scenario", self.name)
        return out

    @property
    def calls_simulated(self) -> int:
        return sum(r.calls_simulated for r in self.replications)


def run_replication(
    scenario: Scenario, replication: int, records: bool = True
) -> ReplicationResult:
    """Simulate one replication and reduce it to KPIs, intervals and (with ``records``) the
    call and incident records."""
    run = simulate(scenario, replication)
    return ReplicationResult(
        replication=replication,
        kpis=replication_kpis(run, scenario),
        intervals=interval_table(run, scenario),
        calls=in_memory(run.calls) if records else None,
        calls_simulated=len(run.calls),
        incidents=in_memory(run.incidents) if records and run.incidents is not None else None,
    )


def with_run_settings(
    scenario: Scenario, replications: int | None = None, seed: int | None = None
) -> Scenario:
    """A copy of ``scenario`` with the replication count and seed replaced where given."""
    update = {}
    if replications is not None:
        update["replications"] = replications
    if seed is not None:
        update["seed"] = seed
    if not update:
        return scenario
    settings = scenario.scenario.model_validate({**scenario.scenario.model_dump(), **update})
    return scenario.model_copy(update={"scenario": settings})


def run_experiment(scenario: Scenario) -> ExperimentResult:
    """Run ``scenario.scenario.replications`` replications in this process, in order."""
    from .engines import SerialEngine

    plan = ReplicationPlan(count=scenario.scenario.replications)
    return run_scenarios([scenario], plan, SerialEngine())[0]


def kpi_names(scenario: Scenario) -> list[str]:
    """The KPIs every replication of ``scenario`` reports (the set depends on the scenario
    only): those of a replication with no calls, which runs in a moment."""
    empty = simulate(scenario, 0, arrival_times={channel: [] for channel in scenario.channels})
    return list(replication_kpis(empty, scenario))


def check_targets(
    plan: ReplicationPlan, scenarios: Sequence[Scenario], labels: Sequence[str]
) -> None:
    """Every target names a KPI of every scenario, else a one-line :class:`PrecisionError`."""
    if not plan.targets:
        return
    for scenario, label in zip(scenarios, labels, strict=True):
        names = kpi_names(scenario)
        for target in plan.targets:
            if target.kpi not in names:
                import difflib

                near = difflib.get_close_matches(target.kpi, names, n=3)
                hint = f"; did you mean {', '.join(near)}?" if near else ""
                where = f" (scenario {label})" if len(scenarios) > 1 else ""
                raise PrecisionError(
                    f"--target-half-width {target.kpi}: not a KPI of this run{where}{hint}"
                )


@dataclass
class RunState:
    """Where a run stands, for progress bars: replications finished out of those planned,
    and the calls simulated so far by this run (not counting replications loaded from a
    store)."""

    done: int
    total: int
    calls: int
    decided: bool


def run_scenarios(
    scenarios: Sequence[Scenario],
    plan: ReplicationPlan,
    engine: Engine,
    store: RunStore | None = None,
    saved: set[tuple[int, int]] = frozenset(),  # type: ignore[assignment]
    keep_records: bool = True,
    labels: Sequence[str] | None = None,
    on_replication: Callable[[int, ReplicationResult, RunState], None] | None = None,
) -> list[ExperimentResult]:
    """Run replications ``0, 1, ...`` of every scenario on ``engine`` until ``plan`` is met.

    Every scenario gets the same replication indices (common random numbers when the scenarios
    share a seed). Results arrive in any order; each is saved to ``store`` as it arrives, and
    the returned results hold, per scenario, replications ``0 .. N-1`` in order, where ``N``
    is decided by ``plan`` from the KPIs of replications in index order, so the tables do not
    depend on the engine or the number of workers. ``saved`` replications are read from
    ``store`` instead of being run again.
    """
    count = len(scenarios)
    # records travel back from the workers only if they are kept or saved
    records = keep_records or (store is not None and store.calls_format != "none")
    labels = list(labels) if labels is not None else [s.scenario.name for s in scenarios]
    started = time.perf_counter()
    results: dict[tuple[int, int], ReplicationResult] = {}
    for s, r in sorted(saved):
        if s < count and store is not None:
            results[(s, r)] = store.load(s, r, keep_records)
    calls = 0  # simulated by this call (saved replications are not counted again)

    def prefix() -> int:
        n = 0
        while all((s, n) in results for s in range(count)):
            n += 1
        return n

    def in_order(n: int) -> list[dict[str, dict[str, float]]]:
        return [{labels[s]: results[(s, r)].kpis for s in range(count)} for r in range(n)]

    # enough work queued to keep every worker busy while one result is being saved
    window = max(1, engine.workers * 2) if engine.workers > 1 else 1
    next_rep = 0
    decided = plan.decide(in_order(prefix()))
    while True:
        limit = decided if decided is not None else plan.upper_bound
        while engine.in_flight() < window and next_rep < limit:
            for s in range(count):
                if (s, next_rep) not in results:
                    engine.submit((next_rep, s), run_replication, scenarios[s], next_rep, records)
            next_rep += 1
        if decided is not None and prefix() >= decided:
            break
        if engine.in_flight() == 0:  # pragma: no cover - the plan always decides by the cap
            raise RuntimeError("replications ran out before the plan decided")
        (rep, s), result = engine.next_done()
        results[(s, rep)] = result
        calls += result.calls_simulated
        if store is not None:
            store.save(s, result)
        if not keep_records:
            result.calls = None
            result.incidents = None
        decided = plan.decide(in_order(prefix()))
        if decided is not None:
            engine.cancel(lambda tag, n=decided: tag[0] < n)
        if on_replication is not None:
            planned = decided if decided is not None else expected_replications(plan, prefix())
            total = planned * count
            done = sum(1 for (_, r) in results if decided is None or r < decided)
            on_replication(s, result, RunState(done, total, calls, decided is not None))
    wall = time.perf_counter() - started
    out = []
    for s, scenario in enumerate(scenarios):
        reps = [results[(s, r)] for r in range(decided)]
        out.append(
            ExperimentResult(
                scenario=scenario,
                replications=reps,
                wall_s=wall,
                label=labels[s],
                precision=plan.report(in_order(decided)) if plan.targets else None,
            )
        )
    return out


def expected_replications(plan: ReplicationPlan, done: int) -> int:
    """A guess at the replications a target plan will need, for the progress bar."""
    if plan.count is not None:
        return plan.count
    return min(plan.cap, max(done + 1, plan.initial) + plan.look_ahead_at(done))


# -- estimates before a run ---------------------------------------------------------------------

CALLS_PER_SECOND = 15_000
"""Calls one worker simulates per second, for estimates: a conservative figure (the baseline,
with grading and dispatch, runs at about 19,000 a second on one core of a 2024 laptop)."""
REDIAL_ALLOWANCE = 1.2
"""Offered calls per first call in an estimate: redials, callers ringing 999 instead of 101
and repeat calls add about a fifth."""
DAY_COST = 2.0
"""What a simulated day costs beyond its calls, in calls (about 0.1 ms: the arrivals of a day
and the clock advancing through it)."""
STAFF_SHIFT_COST = 0.2
"""What one person's shift costs, in calls (starting, breaks and ending: about 10 µs)."""
EXACT_HORIZON_S = 3 * 365 * 86400.0
"""Horizons up to this long get the exact expected arrivals; longer ones a flat estimate."""


@dataclass(frozen=True)
class RunEstimate:
    """What a run of ``replications`` replications of some scenarios will simulate, roughly.

    ``calls`` are expected offered calls (first calls from the arrival rates, surges and
    profiles, with :data:`REDIAL_ALLOWANCE`); ``cost`` adds the simulated days, staff
    shifts and reassessment rounds in call equivalents, and ``seconds`` divides it by
    :data:`CALLS_PER_SECOND` per worker. An estimate, not a promise: heavy dispatch, long
    queues or a slow machine take longer."""

    calls: float
    cost: float
    days: float
    replications: int
    scenarios: int
    workers: int

    @property
    def seconds(self) -> float:
        tasks = self.replications * self.scenarios
        return self.cost / (CALLS_PER_SECOND * max(1, min(self.workers, tasks)))


def _expected_arrivals(scenario: Scenario, channel: str) -> float:
    """Expected first calls of ``channel`` in one replication (warm-up to cool-down)."""
    from ..model.arrivals import expected_count

    spec = scenario.channels[channel]
    end = scenario.end_s
    if not math.isfinite(end):
        return math.inf
    if end <= EXACT_HORIZON_S:
        try:
            return max(0.0, float(expected_count(scenario, channel, 0.0, end)))
        except (ArithmeticError, ValueError, MemoryError):  # an estimate: fall back to flat
            pass
    flat = spec.calls_per_day * end / 86400.0
    for surge in scenario.surges:
        if channel in surge.channels:
            flat += (
                (surge.multiplier - 1.0) * spec.calls_per_day * min(surge.hours, end / 3600) / 24
            )
    return max(0.0, flat)


def _staff_shifts(scenario: Scenario) -> float:
    """Person-shifts in one replication: everyone on a rota, a shift a day each (people on
    around the clock start once)."""
    days = scenario.end_s / 86400.0
    groups = [
        *scenario.handlers,
        *scenario.officers,
        *scenario.dispatchers,
        *scenario.support_workers,
    ]
    total = 0.0
    for group in groups:
        if group.shifts is None:
            total += float(group.count or 0)
        else:
            for shift in group.shifts:
                total += float(shift.count) * (len(shift.weekdays()) / 7.0 * days + 1.0)
    return total


def _reviews(scenario: Scenario) -> float:
    """Reassessment rounds in one replication (each costs about a call; a tiny interval
    would make them endless)."""
    dispatch = scenario.dispatch
    if dispatch is None or dispatch.reassessment is None:
        return 0.0
    return scenario.end_s / 3600.0 / dispatch.reassessment.every_hours


def estimate_run(scenarios: Sequence[Scenario], replications: int, workers: int = 1) -> RunEstimate:
    """Estimate the calls and time of ``replications`` replications of every scenario."""
    calls = cost = days = 0.0
    with np.errstate(all="ignore"):
        for scenario in scenarios:
            try:
                first = sum(_expected_arrivals(scenario, ch) for ch in scenario.channels)
                offered = first * REDIAL_ALLOWANCE
                length = scenario.end_s / 86400.0
                extra = length * DAY_COST + _staff_shifts(scenario) * STAFF_SHIFT_COST
                extra += _reviews(scenario)
            except (ArithmeticError, ValueError):  # numbers too large to multiply
                offered = length = extra = math.inf
            calls += offered * replications
            days += length * replications
            cost += (offered + extra) * replications
    if math.isnan(cost):
        cost = math.inf
    return RunEstimate(
        calls=calls,
        cost=cost,
        days=days,
        replications=replications,
        scenarios=len(scenarios),
        workers=workers,
    )
