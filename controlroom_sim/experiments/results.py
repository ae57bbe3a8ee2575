"""What a run produces: :class:`ReplicationResult` (one replication's KPIs, intervals and
records), :class:`ExperimentResult` (a scenario's replications, with its tables), and
:class:`Comparison` and :class:`Sweep` (several scenarios run with common random numbers)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..analysis.comparison import paired_differences, sweep_table
from ..analysis.confidence import kpi_frame, summarise
from ..config.schema import Scenario


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


@dataclass
class Comparison:
    """Scenarios run with common random numbers, and their differences from the baseline."""

    results: list[ExperimentResult]
    folder: Path | None = None

    @property
    def baseline(self) -> str:
        return self.results[0].name

    @property
    def kpis(self) -> pd.DataFrame:
        return pd.concat([r.kpis for r in self.results], ignore_index=True)

    @property
    def summary(self) -> pd.DataFrame:
        return summarise(self.kpis)

    @property
    def differences(self) -> pd.DataFrame:
        """Paired differences from the baseline (see :mod:`controlroom_sim.comparison`)."""
        return paired_differences(self.kpis, self.baseline)

    def __getitem__(self, label: str) -> ExperimentResult:
        for result in self.results:
            if result.name == label:
                return result
        raise KeyError(label)


@dataclass
class Sweep(Comparison):
    """A grid of variants of one scenario; ``table`` has one column per varied key."""

    points: list[dict[str, str]] = field(default_factory=list)

    @property
    def table(self) -> pd.DataFrame:
        return sweep_table(self.summary, self.points, [r.name for r in self.results])
