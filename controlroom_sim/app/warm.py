"""An engine kept warm between the app's runs, remembering finished replications.

A compare in the workbench runs the opened baseline and the edited scenario with common random
numbers. Starting worker processes costs seconds (each imports the package), and the baseline
rarely changes between two edits; so the app keeps one :class:`WarmEngine` for the life of the
server: its worker processes stay up between runs, and every replication it has finished is
kept by (scenario fingerprint, replication index), so a baseline run again is not simulated
again and only the edited side runs. A replication is a pure function of the scenario and its
index (:func:`~controlroom_sim.experiments.runner.run_replication`), so a kept result is the
result a new run would give.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Any

import numpy as np

from ..config.schema import Scenario
from ..experiments.engines import Engine, ProcessEngine, SerialEngine
from ..experiments.run_folder import scenario_hash, trace_fingerprint
from ..experiments.runner import run_replication

KEPT = 400
"""Finished replications kept (the oldest go first): 40 compares of 10 replications."""


def fingerprint(scenario: Scenario) -> str:
    """What identifies a scenario's replications: the resolved scenario's hash, with what its
    dump leaves out (profile weights read from CSV files, an arrival trace)."""
    digest = hashlib.sha256(scenario_hash(scenario).encode("ascii"))
    for name in sorted(scenario.channels):
        weights = scenario.channels[name].profile_weights
        if weights is not None:
            digest.update(name.encode("utf-8") + np.asarray(weights, dtype="<f8").tobytes())
    if scenario.calendar is not None:
        digest.update(scenario.calendar.model_dump_json().encode("utf-8"))
        for day in scenario.calendar.named_days:
            if day.profile_weights is not None:
                digest.update(np.asarray(day.profile_weights, dtype="<f8").tobytes())
        weights = scenario.calendar.bank_holiday_profile_weights
        if weights is not None:
            digest.update(np.asarray(weights, dtype="<f8").tobytes())
    trace = trace_fingerprint(scenario)
    if trace is not None:
        digest.update(trace["sha256"].encode("ascii"))
    return digest.hexdigest()


def warm_up() -> int:
    """Run in each worker when the pool starts, so that the package is imported before the
    first compare (the import is most of a cold worker's start)."""
    from ..analysis import kpis  # noqa: F401
    from ..model import simulate  # noqa: F401

    return 0


class WarmEngine:
    """An :class:`~controlroom_sim.experiments.engines.Engine` over a pool of ``jobs`` worker
    processes (one job: this process) that stays open when a run closes it, answers
    replications it has already run from memory, and reports each finished replication to
    ``on_done`` (the page's progress bar)."""

    name = "processes"

    def __init__(self, jobs: int) -> None:
        self.workers = jobs
        self._inner: Engine = ProcessEngine(jobs) if jobs > 1 else SerialEngine()
        self._ready: deque[tuple[Any, Any]] = deque()
        self._keys: dict[Any, tuple[str, int, bool]] = {}
        self._kept: OrderedDict[tuple[str, int, bool], Any] = OrderedDict()
        self._lock = threading.Lock()
        self.on_done: Callable[[], None] | None = None
        self.simulated = 0
        """Replications this engine has simulated (not answered from memory)."""
        self.broken = False
        if jobs > 1:
            for k in range(jobs):
                self._inner.submit(("warm", k), warm_up)
            while self._inner.in_flight():
                self._inner.next_done()

    def lock(self) -> threading.Lock:
        """One run at a time (two browser tabs share the engine)."""
        return self._lock

    def submit(self, tag: Any, fn: Callable[..., Any], *args: Any) -> None:
        if fn is run_replication:
            scenario, replication, records = (*args, True)[:3]
            key = (fingerprint(scenario), int(replication), bool(records))
            if key in self._kept:
                self._kept.move_to_end(key)
                self._ready.append((tag, self._kept[key]))
                return
            self._keys[tag] = key
        self._inner.submit(tag, fn, *args)

    def in_flight(self) -> int:
        return len(self._ready) + self._inner.in_flight()

    def next_done(self) -> tuple[Any, Any]:
        if self._ready:
            tag, result = self._ready.popleft()
        else:
            tag, result = self._inner.next_done()
            self.simulated += 1
            key = self._keys.pop(tag, None)
            if key is not None:
                self._kept[key] = result
                while len(self._kept) > KEPT:
                    self._kept.popitem(last=False)
        if self.on_done is not None:
            self.on_done()
        return tag, result

    def cancel(self, keep: Callable[[Any], bool]) -> None:
        self._ready = deque(item for item in self._ready if keep(item[0]))
        self._inner.cancel(keep)

    def close(self, interrupted: bool = False) -> None:
        """Stay open after a run; a run that stopped (a lost worker, Ctrl-C) closes the pool
        for good, and the app makes a new engine."""
        self._ready.clear()
        if interrupted:
            self.broken = True
            self._inner.close(interrupted=True)

    def shut(self) -> None:
        """Close the pool (the server is stopping)."""
        self.broken = True
        self._inner.close()
