"""Running replications of a scenario and gathering their tables.

A replication is a pure function of ``(scenario, replication index)``: the scenario's seed and
the index seed every stream, so a replication gives the same tables whenever and wherever it is
run, and two scenarios with the same seed share their callers (common random numbers).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..analysis.intervals import interval_table
from ..analysis.kpis import replication_kpis, unknown_kpi
from ..analysis.precision import PrecisionError, ReplicationPlan
from ..config.errors import Param, named
from ..config.schema import Scenario
from ..model import simulate
from ..model.columns import in_memory
from .results import ExperimentResult, ReplicationResult

if TYPE_CHECKING:
    from .engines import Engine
    from .store import RunStore


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
    """Every target names a KPI of every scenario, else a one-line :class:`PrecisionError`
    (with the nearest name for a misspelling)."""
    if not plan.targets:
        return
    known = {label: kpi_names(s) for s, label in zip(scenarios, labels, strict=True)}
    anywhere = list(dict.fromkeys(name for names in known.values() for name in names))
    for target in plan.targets:
        where = Param("target_half_width", target.kpi)
        if target.kpi not in anywhere:
            raise named(PrecisionError, where, unknown_kpi(target.kpi, anywhere))
        for label, names in known.items():
            if target.kpi not in names:
                raise named(
                    PrecisionError,
                    where,
                    f": not a KPI of scenario {label!r}, expected a KPI of every scenario",
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
