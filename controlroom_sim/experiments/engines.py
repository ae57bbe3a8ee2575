"""Where replications run: in this process, in local worker processes, or on a Dask cluster.

Every engine runs the same pure function, ``run_replication(scenario, replication)``, and hands
back results as they finish; the experiment runner puts them in order. Results therefore do not
depend on the engine or the number of workers.

- ``serial``: one replication after another, in this process.
- ``processes``: a pool of ``jobs`` local processes (started with ``spawn``, so they behave the
  same on every platform). A worker that dies breaks the pool: the run stops with the finished
  replications saved, and ``--resume`` continues it. A worker ends itself when its parent
  process is gone, however the parent ended (SIGKILL included).
- ``dask``: a Dask distributed cluster, either an existing scheduler (``scheduler`` address,
  e.g. ``tcp://10.0.0.5:8786``) or, without one, a ``LocalCluster`` of ``jobs`` workers. Dask
  re-runs the task of a lost worker on another. Workers need ``controlroom-sim`` installed.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

from ..config.errors import ControlroomError, Param, named

ENGINES = ("serial", "processes", "dask")


class EngineError(ControlroomError, RuntimeError):
    """An engine cannot start or has failed (a lost worker, an unreachable scheduler)."""


class Engine(Protocol):
    """Runs submitted calls and yields them back as they finish."""

    name: str
    workers: int

    def submit(self, tag: Any, fn: Callable[..., Any], *args: Any) -> None: ...

    def in_flight(self) -> int: ...

    def next_done(self) -> tuple[Any, Any]:
        """Block until a submitted call finishes; return ``(tag, result)``."""
        ...

    def cancel(self, keep: Callable[[Any], bool]) -> None:
        """Drop submitted calls whose tag ``keep`` rejects (running ones may still finish)."""
        ...

    def close(self, interrupted: bool = False) -> None: ...


class SerialEngine:
    name = "serial"
    workers = 1

    def __init__(self) -> None:
        self._queue: deque[tuple[Any, Callable[..., Any], tuple[Any, ...]]] = deque()

    def submit(self, tag: Any, fn: Callable[..., Any], *args: Any) -> None:
        self._queue.append((tag, fn, args))

    def in_flight(self) -> int:
        return len(self._queue)

    def next_done(self) -> tuple[Any, Any]:
        tag, fn, args = self._queue.popleft()
        return tag, fn(*args)

    def cancel(self, keep: Callable[[Any], bool]) -> None:
        self._queue = deque(item for item in self._queue if keep(item[0]))

    def close(self, interrupted: bool = False) -> None:
        self._queue.clear()


PARENT_CHECK_S = 0.25
"""How often a worker process looks whether the process that started it is still there."""


def _start_worker(parent: int) -> None:
    """Set up a worker process: it leaves Ctrl-C to the parent (which stops the workers and
    saves what finished), and it ends itself when the parent is gone however the parent ended,
    SIGKILL included, so no worker is left running, or blocked writing a result nobody reads.

    A thread watches the parent's process id: when the parent dies the worker is given another
    parent, and it exits at once. (Linux's parent-death signal is not used: it fires when the
    *thread* that started the worker ends, and runs may be started from threads that end.)
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(parent,), name="watch-parent", daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_S)
    os._exit(1)


class ProcessEngine:
    name = "processes"

    def __init__(self, jobs: int) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.workers = jobs
        self._pool = ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(os.getpid(),),
        )
        self._futures: dict[Any, Any] = {}

    def submit(self, tag: Any, fn: Callable[..., Any], *args: Any) -> None:
        self._futures[self._pool.submit(fn, *args)] = tag

    def in_flight(self) -> int:
        return len(self._futures)

    def next_done(self) -> tuple[Any, Any]:
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        done, _ = wait(list(self._futures), return_when=FIRST_COMPLETED)
        future = min(done, key=lambda f: self._futures[f])  # the same pick every time
        tag = self._futures.pop(future)
        try:
            return tag, future.result()
        except BrokenProcessPool:
            raise EngineError(
                "a worker process stopped unexpectedly (killed, or out of memory)"
            ) from None

    def cancel(self, keep: Callable[[Any], bool]) -> None:
        for future, tag in list(self._futures.items()):
            if not keep(tag) and future.cancel():
                del self._futures[future]

    def close(self, interrupted: bool = False) -> None:
        if interrupted:
            # Stop at once: running replications are lost but were never saved, so a
            # resumed run repeats them; finished ones are already on disk.
            terminate = getattr(self._pool, "terminate_workers", None)
            if terminate is not None:  # Python 3.14+
                terminate()
            else:
                self._terminate_workers()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._futures.clear()

    def _terminate_workers(self) -> None:
        """Stop the workers at once. A worker stopped while it sends a result leaves half a
        message in the result pipe, and the pool's manager thread would wait for the rest for
        ever (so would ``shutdown``, and the interpreter at exit). With the workers gone and
        this process's copy of the pipe's writing end closed, the manager thread reads the end
        of the pipe instead, takes the pool as broken, and shuts down."""
        processes = list(getattr(self._pool, "_processes", {}).values())
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(timeout=10)
        queue = getattr(self._pool, "_result_queue", None)
        writer = getattr(queue, "_writer", None)
        if writer is not None:
            writer.close()


class DaskEngine:
    name = "dask"

    def __init__(self, scheduler: str | None, jobs: int) -> None:
        try:
            from distributed import Client, LocalCluster, as_completed
        except ImportError:
            raise EngineError(
                "the dask engine needs Dask distributed: pip install 'controlroom-sim[dask]'"
            ) from None
        self._cluster = None
        try:
            if scheduler:
                self._client = Client(scheduler, timeout="20s")
            else:
                self._cluster = LocalCluster(
                    n_workers=jobs,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                )
                self._client = Client(self._cluster)
        except (OSError, TimeoutError) as exc:
            raise EngineError(f"cannot reach the Dask scheduler {scheduler!r}: {exc}") from None
        workers = len(self._client.scheduler_info().get("workers", {}))
        self.workers = max(1, workers)
        self._as_completed = as_completed(with_results=True)
        self._futures: dict[Any, Any] = {}

    def submit(self, tag: Any, fn: Callable[..., Any], *args: Any) -> None:
        future = self._client.submit(fn, *args, pure=False)
        self._futures[future.key] = (tag, future)
        self._as_completed.add(future)

    def in_flight(self) -> int:
        return len(self._futures)

    def next_done(self) -> tuple[Any, Any]:
        future, result = next(self._as_completed)
        tag, _ = self._futures.pop(future.key)
        return tag, result

    def cancel(self, keep: Callable[[Any], bool]) -> None:
        for key, (tag, future) in list(self._futures.items()):
            if not keep(tag):
                future.cancel()
                del self._futures[key]
        # as_completed still holds cancelled futures; rebuild it from the live ones
        from distributed import as_completed

        self._as_completed = as_completed([f for _, f in self._futures.values()], with_results=True)

    def close(self, interrupted: bool = False) -> None:
        for _, future in self._futures.values():
            future.cancel()
        self._futures.clear()
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def check_scheduler(engine: str, scheduler: str | None) -> None:
    """A scheduler address goes with the dask engine only."""
    if scheduler and engine != "dask":
        raise named(EngineError, Param("scheduler"), ": needs ", Param("engine", "dask"))


def check_engine(engine: str, scheduler: str | None = None) -> None:
    """Fail early, before any folder is made, if the engine cannot be used at all."""
    if engine not in ENGINES:
        raise EngineError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")
    check_scheduler(engine, scheduler)
    if engine == "dask":
        import importlib.util

        if importlib.util.find_spec("distributed") is None:
            raise EngineError(
                "the dask engine needs Dask distributed: pip install 'controlroom-sim[dask]'"
            )


def make_engine(engine: str = "processes", jobs: int = 1, scheduler: str | None = None) -> Engine:
    """The engine a run asked for; ``processes`` with one job is the serial engine."""
    check_engine(engine, scheduler)
    if engine == "dask":
        return DaskEngine(scheduler, jobs)
    if engine == "serial" or jobs <= 1:
        return SerialEngine()
    return ProcessEngine(jobs)
