"""Running replications of a scenario and gathering their tables.

A replication is a pure function of ``(scenario, replication index)``: the scenario's seed and
the index seed every stream, so a replication gives the same tables whenever and wherever it is
run, and two scenarios with the same seed share their callers (common random numbers).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from .metrics import interval_table, kpi_frame, replication_kpis, summarise
from .model import simulate
from .scenario import Scenario


@dataclass
class ReplicationResult:
    """The KPIs, interval table and call records of one replication."""

    replication: int
    kpis: dict[str, float]
    intervals: pd.DataFrame
    calls: pd.DataFrame
    calls_simulated: int
    incidents: pd.DataFrame | None = None


@dataclass
class ExperimentResult:
    """Everything a run of several replications produced."""

    scenario: Scenario
    replications: list[ReplicationResult] = field(default_factory=list)
    wall_s: float = 0.0

    @property
    def name(self) -> str:
        return self.scenario.scenario.name

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
        frames = []
        for r in self.replications:
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


def run_replication(scenario: Scenario, replication: int) -> ReplicationResult:
    """Simulate one replication and reduce it to KPIs, intervals and call records."""
    records = simulate(scenario, replication)
    return ReplicationResult(
        replication=replication,
        kpis=replication_kpis(records, scenario),
        intervals=interval_table(records, scenario),
        calls=records.calls,
        calls_simulated=len(records.calls),
        incidents=records.incidents,
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


def run_experiment(
    scenario: Scenario,
    on_replication: Callable[[ExperimentResult, ReplicationResult], None] | None = None,
) -> ExperimentResult:
    """Run ``scenario.scenario.replications`` replications in order.

    ``on_replication`` is called after each one (to write results as they complete and to
    move a progress bar).
    """
    result = ExperimentResult(scenario=scenario)
    started = time.perf_counter()
    for replication in range(scenario.scenario.replications):
        rep = run_replication(scenario, replication)
        result.replications.append(rep)
        result.wall_s = time.perf_counter() - started
        if on_replication is not None:
            on_replication(result, rep)
    return result
