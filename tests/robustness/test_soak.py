"""Soak tests (slow, run on demand with ``-m slow``): memory over a long run.

* A long horizon: the baseline over ten weeks, one replication. Memory is the process's
  resident set (RSS), sampled at every simulated day (when the arrivals of the next day are
  generated). Records stream to disk as the run goes (:mod:`controlroom_sim.model.columns`: every
  16,384 rows of a table), so after the first week, in which the model fills up (staff,
  queues, the first buffers: about 19 MB), memory stays flat, 0.2 MB a week on the
  baseline. The test asserts the growth per week over the second half is under a tenth of
  the first week. (Before records were streamed and the rota made as the run goes, memory
  grew 5.6 MB a week, about 300 bytes a call.)
* Many replications: the baseline, a week each, saved to a run folder as they finish, with
  Python's own allocations traced (``tracemalloc``). Each replication's records are written
  and dropped, so memory between replications grows only by what the run keeps of each for its
  final tables (its KPIs and 15-minute interval table, a few hundred kB), not by records or
  model state (tens of MB a replication).
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from controlroom_sim.config.loading import load_scenario
from controlroom_sim.experiments import api
from controlroom_sim.experiments import runner as experiment
from controlroom_sim.experiments.runner import run_replication
from controlroom_sim.model import room as model
from tests.helpers.paths import BASELINE

WEEKS = 10


@pytest.fixture
def traced() -> Iterator[None]:
    tracemalloc.start()
    try:
        yield
    finally:
        tracemalloc.stop()


def _memory_mb() -> float:
    return tracemalloc.get_traced_memory()[0] / 1e6


def _rss_mb() -> float:
    """The process's resident memory: what a memory limit means, and it counts the record
    buffers' own memory maps, which tracemalloc does not see."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1e3
    raise RuntimeError("no VmRSS in /proc/self/status")


@pytest.mark.slow
def test_memory_stays_flat_over_a_long_horizon(
    traced: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = load_scenario(BASELINE, [f"scenario.days={7 * WEEKS}"])
    warmup_days = scenario.scenario.warmup_hours / 24
    samples: list[tuple[float, float]] = []  # (measured day, MB)
    real = model.arrival_blocks

    def sampled(sc, name, rng, *args, **kwargs):  # type: ignore[no-untyped-def]
        for block in real(sc, name, rng, *args, **kwargs):
            if name == "999" and len(block):
                gc.collect()
                samples.append((float(block[0]) / 86400 - warmup_days, _rss_mb()))
            yield block

    monkeypatch.setattr(model, "arrival_blocks", sampled)
    result = run_replication(scenario, 0, records=False)
    assert result.calls_simulated > 100_000
    days = np.array([d for d, _ in samples])
    mb = np.array([m for _, m in samples])

    def at(day: float) -> float:
        return float(np.interp(day, days, mb))

    first_week = at(7) - at(0)
    half = WEEKS // 2
    per_week = (at(7 * WEEKS) - at(7 * half)) / (WEEKS - half)
    print(f"first week {first_week:.1f} MB, then {per_week:.1f} MB a week")
    assert first_week > 0
    assert per_week <= 0.1 * first_week, (
        f"memory grows {per_week:.1f} MB a simulated week in the second half "
        f"(the first week: {first_week:.1f} MB)"
    )


@pytest.mark.slow
def test_memory_stays_flat_over_many_replications(
    traced: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    replications = 16
    between: list[float] = []  # MB before each replication starts
    peaks: list[float] = []
    real = experiment.run_replication

    def sampled(scenario, replication, *rest):  # type: ignore[no-untyped-def]
        gc.collect()  # what is kept, not garbage waiting for the cycle collector
        between.append(_memory_mb())
        tracemalloc.reset_peak()
        result = real(scenario, replication, *rest)
        peaks.append(tracemalloc.get_traced_memory()[1] / 1e6)
        return result

    monkeypatch.setattr(experiment, "run_replication", sampled)
    result = api.run(
        BASELINE,
        replications=replications,
        overrides=["scenario.days=7"],
        out=tmp_path / "run",
        calls_format="parquet",
    )
    assert len(result.replications) == replications
    peak = float(np.median(peaks)) - between[0]
    half = replications // 2
    growth = between[-1] - between[half]
    # What the run keeps of each replication until it writes the final tables: its KPIs and
    # its 15-minute interval table (a few hundred kB), not its records or model state.
    kept = float(
        np.median([r.intervals.memory_usage(deep=True).sum() for r in result.replications])
    )
    kept_mb = kept / 1e6 * (replications - 1 - half)
    print(
        f"one replication {peak:.1f} MB; the second half grew {growth:.2f} MB, "
        f"of which interval tables {kept_mb:.2f} MB"
    )
    assert peak > 10
    assert growth <= 1.5 * kept_mb + 0.05 * peak, (
        f"memory between replications grew {growth:.2f} MB over the second half: more than "
        f"the interval tables kept ({kept_mb:.2f} MB); a replication uses {peak:.1f} MB"
    )
