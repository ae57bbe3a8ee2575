"""Count SimPy events and time the phases of a replication without touching the package.

:class:`Probe` is a context manager that, while active, wraps a handful of functions *once per
replication* (never per event or per call), so it costs nothing measurable:

* ``simpy.core.Environment.run``: the events every run processed, read from the environment's
  event-id counter. SimPy 4.1 gives each scheduled event the next value of
  ``Environment._eid`` (an :func:`itertools.count`), so the events processed by one ``run`` are
  ``(ids handed out during the run) + (queue length before) - (queue length after)``. The
  counter is read with ``next()`` and replaced by a fresh ``count`` at the same value, so the
  ids (and so the order of simultaneous events) are unchanged. If a future SimPy drops
  ``_eid``, events are reported as ``None``.
* ``controlroom_sim.model.room.ControlRoom.__init__``, ``.run`` and ``._records``: building the
  room, simulating (``run`` minus ``_records``) and building the per-call records
  (``_records``: attribute gathering and pandas).
* ``controlroom_sim.experiments.runner.replication_kpis`` and ``.interval_table``: KPIs from the
  records.

The wrappers also keep :attr:`Probe.phase` up to date (``build``, ``simulate``, ``records``,
``kpis``, ``intervals``, ``idle``), for memory samplers.

:func:`probed` runs any module-level function under a probe; it is itself module-level, so
:func:`benchmarks.harness.measure` can run it in a fresh process::

    m = measure(probed, plain_simpy_mmn_plus_m, 0.2, 300.0, 180.0, 63, 1e6, 1)
    m["result"]["events"], m["result"]["result"]["offered"]
"""

from __future__ import annotations

import functools
import itertools
import time
import weakref
from collections.abc import Callable
from typing import Any

__all__ = ["PHASES", "Probe", "probed"]

PHASES = ("build", "simulate", "records", "kpis", "intervals")


def _events_scheduled(env: Any) -> int | None:
    """How many event ids ``env`` has handed out, without disturbing the sequence."""
    counter = getattr(env, "_eid", None)
    if not isinstance(counter, itertools.count):
        return None
    n = next(counter)
    env._eid = itertools.count(n)
    return n


class Probe:
    """Event counts and per-phase wall times of every replication run while active."""

    active: Probe | None = None

    def __init__(self, package: bool = True) -> None:
        self.package = package
        self.events: int | None = 0
        self.runs = 0
        self.seconds = dict.fromkeys(PHASES, 0.0)
        self.phase = "idle"
        self.env: Any = None
        """The environment of the run in progress (for samplers: ``env.now``)."""
        self._room: Any = None
        self._undo: list[tuple[Any, str, Any]] = []

    # -- patching -------------------------------------------------------------------------------

    def _patch(self, owner: Any, name: str, make: Callable[[Any], Any]) -> None:
        original = getattr(owner, name, None)
        if original is None:
            return  # the package changed; that phase is then just not split out
        self._undo.append((owner, name, original))
        setattr(owner, name, make(original))

    def _timed(self, phase: str, subtract_from: str | None = None) -> Callable[[Any], Any]:
        def make(original: Any) -> Any:
            @functools.wraps(original)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                outer = self.phase
                self.phase = phase
                start = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    spent = time.perf_counter() - start
                    self.seconds[phase] += spent
                    if subtract_from is not None:
                        self.seconds[subtract_from] -= spent
                    self.phase = outer if outer != phase else "idle"

            return wrapper

        return make

    def _counted_run(self, original: Any) -> Any:
        @functools.wraps(original)
        def run(env: Any, until: Any = None) -> Any:
            self.env = env
            before = _events_scheduled(env)
            queued = len(getattr(env, "_queue", ()))
            try:
                return original(env, until)
            finally:
                after = _events_scheduled(env)
                self.env = None  # do not keep the finished run's events (and calls) alive
                self.runs += 1
                if before is None or after is None or self.events is None:
                    self.events = None
                else:
                    self.events += after - before + queued - len(env._queue)

        return run

    def _track_room(self, original: Any) -> Any:
        timed = self._timed("build")(original)

        @functools.wraps(original)
        def init(room: Any, *args: Any, **kwargs: Any) -> None:
            self._room = weakref.ref(room)  # weak: the probe must not keep the calls alive
            timed(room, *args, **kwargs)

        return init

    def calls_so_far(self) -> int | None:
        """Calls made so far by the replication in progress (None if unknown)."""
        room = self._room() if self._room is not None else None
        made = getattr(room, "calls_made", None)
        if made is not None:
            return int(made)
        calls = getattr(room, "calls", None)  # before issue 8: the list of every Call
        return len(calls) if calls is not None else None

    def __enter__(self) -> Probe:
        if Probe.active is not None:
            raise RuntimeError("a Probe is already active in this process")
        import simpy.core

        self._patch(simpy.core.Environment, "run", self._counted_run)
        if self.package:
            from controlroom_sim.experiments import runner as experiment
            from controlroom_sim.model import room as model

            self._patch(model.ControlRoom, "__init__", self._track_room)
            self._patch(model.ControlRoom, "run", self._timed("simulate"))
            # _records runs inside run: its time is moved from "simulate" to "records"
            self._patch(model.ControlRoom, "_records", self._timed("records", "simulate"))
            self._patch(experiment, "replication_kpis", self._timed("kpis"))
            self._patch(experiment, "interval_table", self._timed("intervals"))
        Probe.active = self
        return self

    def __exit__(self, *exc: object) -> None:
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)
        self._undo.clear()
        Probe.active = None
        self.phase = "idle"
        self.env = None

    def report(self) -> dict[str, Any]:
        return {"events": self.events, "runs": self.runs, "seconds": dict(self.seconds)}


def probed(
    fn: Callable[..., Any], *args: Any, probe_package: bool = True, **kwargs: Any
) -> dict[str, Any]:
    """Run ``fn(*args, **kwargs)`` under a :class:`Probe`: ``{"result", "events", "runs",
    "seconds"}``. ``probe_package=False`` leaves ``controlroom_sim`` unimported (for the
    reference models, whose peak memory should not include it)."""
    with Probe(package=probe_package) as probe:
        result = fn(*args, **kwargs)
    return {"result": result, **probe.report()}
