"""Measure wall time and peak memory of one benchmark run in a fresh process.

:func:`measure` runs a function in a child process started with the
``"spawn"`` start method, so the peak resident set size it reports belongs to
that run alone (plus the interpreter and the modules the function needs), not
to whatever the calling process has allocated before.  :func:`format_table`
renders the collected rows as an aligned plain-text table.

Requirements on the measured function
-------------------------------------
``fn`` must be a *module-level* function of an importable module (for example
``benchmarks.reference_models.plain_simpy_mmn_plus_m``): the spawned child
locates it by pickling its qualified name and re-importing its module.
Lambdas, closures, nested functions, bound methods of unpicklable objects and
functions defined in an interactive session will fail.  Its arguments and
return value must be picklable.  As with any ``spawn`` use, a calling script
must guard its entry point with ``if __name__ == "__main__":``.

Example
-------
>>> from benchmarks.harness import measure
>>> from benchmarks.reference_models import plain_simpy_mmn_plus_m
>>> m = measure(plain_simpy_mmn_plus_m, 0.2, 300.0, 180.0, 63, 1e5, seed=1)  # doctest: +SKIP
>>> m["wall_s"], m["peak_rss_mb"], m["result"]["offered"]  # doctest: +SKIP
"""

from __future__ import annotations

import multiprocessing as mp
import resource
import sys
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from multiprocessing.connection import Connection
from numbers import Integral, Real
from typing import Any, TypedDict

__all__ = ["Measurement", "format_table", "load_line", "measure", "peak_rss_mb"]


class Measurement(TypedDict):
    """Outcome of :func:`measure`."""

    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    baseline_rss_mb: float
    result: Any


def _peak_rss_mb() -> float:
    """Return this process's peak resident set size in MiB.

    Returns
    -------
    float
        On Linux, ``VmHWM`` from ``/proc/self/status``: the high-water mark of *this* address
        space, which starts afresh when the spawned child executes the interpreter.
        ``ru_maxrss`` is not used there because Linux carries it across ``execve``: a
        spawned child would report at least the parent's resident size at the moment it was
        started (measured here: 177 MiB for a 39 MiB run, once the parent had imported
        pandas). Elsewhere, ``ru_maxrss`` of ``RUSAGE_SELF`` (KiB on Linux, bytes on macOS).
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    scale = 1024.0 * 1024.0 if sys.platform == "darwin" else 1024.0
    return maxrss / scale


peak_rss_mb = _peak_rss_mb
"""Public name of :func:`_peak_rss_mb` (peak resident memory of this process, MiB)."""


def _child(
    conn: Connection,
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    preload: tuple[str, ...] = (),
) -> None:
    """Run ``fn`` once in the spawned child and send the measurement back.

    Parameters
    ----------
    conn : multiprocessing.connection.Connection
        Write end of the pipe to the parent.
    fn : callable
        Module-level function to run.
    args, kwargs
        Arguments forwarded to ``fn``.
    preload : tuple of str
        Modules to import before the clock starts.
    """
    try:
        import importlib

        for name in preload:
            importlib.import_module(name)
        baseline = _peak_rss_mb()
        start = time.perf_counter()
        cpu_start = time.process_time()
        result = fn(*args, **kwargs)
        wall = time.perf_counter() - start
        cpu = time.process_time() - cpu_start
        payload: tuple[str, Any] = (
            "ok",
            {
                "wall_s": wall,
                "cpu_s": cpu,
                "peak_rss_mb": _peak_rss_mb(),
                "baseline_rss_mb": baseline,
                "result": result,
            },
        )
    except BaseException:  # report any failure, including SystemExit, to the parent
        payload = ("error", traceback.format_exc())
    try:
        conn.send(payload)
    finally:
        conn.close()


def measure(
    fn: Callable[..., Any], *args: Any, preload: Sequence[str] = (), **kwargs: Any
) -> Measurement:
    """Run ``fn(*args, **kwargs)`` once in a fresh spawned process and measure it.

    Parameters
    ----------
    fn : callable
        A module-level function of an importable module (see the module
        docstring); it is pickled by reference and re-imported in the child.
    *args, **kwargs
        Forwarded unchanged to ``fn``; must be picklable.
    preload : sequence of str, optional
        Modules the child imports before the clock starts, for functions that import what
        they need lazily: without it their import time counts as run time (about a second
        for ``controlroom_sim`` with pandas and SciPy). Their memory still counts in
        ``peak_rss_mb`` (and in ``baseline_rss_mb``).

    Returns
    -------
    Measurement
        ``wall_s``
            Wall-clock seconds spent inside ``fn`` only (interpreter start-up,
            the import of ``fn``'s module and ``preload`` are excluded; imports ``fn``
            makes itself are not).
        ``cpu_s``
            CPU seconds (user and system, all threads) the child spent in ``fn``: on a
            shared machine, ``calls / cpu_s`` varies less than ``calls / wall_s``.
        ``peak_rss_mb``
            Child's peak resident set size (``VmHWM`` on Linux, else ``ru_maxrss``) read
            right after ``fn`` returned, in MiB:
            the peak resident memory of the whole child process, including
            the interpreter and imported modules.
        ``baseline_rss_mb``
            The same quantity read just before calling ``fn`` (after ``fn``'s
            module was imported); ``peak_rss_mb - baseline_rss_mb`` roughly
            isolates the run itself.
        ``result``
            ``fn``'s return value.

    Raises
    ------
    RuntimeError
        If ``fn`` raised in the child (the child's traceback is included) or
        the child died without reporting (e.g. killed for lack of memory).
    """
    ctx = mp.get_context("spawn")
    recv_end, send_end = ctx.Pipe(duplex=False)
    proc = ctx.Process(
        target=_child, args=(send_end, fn, args, kwargs, tuple(preload)), daemon=True
    )
    proc.start()
    send_end.close()  # so recv() raises EOFError if the child dies silently
    try:
        status, payload = recv_end.recv()
    except EOFError:
        proc.join()
        raise RuntimeError(
            f"benchmark child for {getattr(fn, '__qualname__', fn)!r} exited "
            f"with code {proc.exitcode} without reporting a result"
        ) from None
    finally:
        recv_end.close()
    proc.join()
    if status != "ok":
        raise RuntimeError(
            f"benchmark child for {getattr(fn, '__qualname__', fn)!r} failed:\n{payload}"
        )
    return payload


def load_line() -> str:
    """One line on how busy the machine is now: load averages, CPUs and the time.

    Benchmarks print it before and after measuring, so a table can be read against the
    machine's load (a load near or above the CPU count means the timings are shared).
    """
    import os

    try:
        one, five, fifteen = os.getloadavg()
    except OSError:  # pragma: no cover - not available on this platform
        return f"load average: n/a; {os.cpu_count()} CPUs; {time.strftime('%H:%M:%S')}"
    return (
        f"load average: {one:.2f}, {five:.2f}, {fifteen:.2f} (1, 5, 15 min); "
        f"{os.cpu_count()} CPUs; {time.strftime('%H:%M:%S')}"
    )


def _format_cell(value: Any) -> tuple[str, bool]:
    """Format one table cell.

    Parameters
    ----------
    value : Any
        Cell value; ``None`` renders as an empty cell.

    Returns
    -------
    tuple of (str, bool)
        The text and whether it should be right-aligned (numbers are).
    """
    if value is None:
        return "", False
    if isinstance(value, bool):
        return str(value), False
    if isinstance(value, Integral):
        return f"{int(value):,}", True
    if isinstance(value, Real):
        x = float(value)
        if x != x or x in (float("inf"), float("-inf")):
            return str(x), True
        if abs(x) >= 1000:
            return f"{x:,.0f}", True
        return f"{x:.4g}", True
    return str(value), False


def format_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """Render rows as an aligned plain-text table.

    Parameters
    ----------
    rows : sequence of mapping
        One mapping per table row; missing keys give empty cells.
    columns : sequence of str
        Keys to show, in order; also used as the header.

    Returns
    -------
    str
        Header line, a dashed rule and one line per row, joined by newlines
        (no trailing newline).  Columns whose non-empty cells are all numbers
        are right-aligned (integers with thousands separators, floats to 4
        significant figures or as whole numbers from 1,000 up); other columns
        are left-aligned.
    """
    cells = [[_format_cell(row.get(col)) for col in columns] for row in rows]
    widths = [
        max([len(col)] + [len(line[i][0]) for line in cells]) for i, col in enumerate(columns)
    ]
    numeric = [
        bool(cells) and all(line[i][1] or not line[i][0] for line in cells)
        for i in range(len(columns))
    ]

    def render(texts: Sequence[str], right: Sequence[bool]) -> str:
        parts = [
            t.rjust(w) if r else t.ljust(w) for t, w, r in zip(texts, widths, right, strict=True)
        ]
        return "  ".join(parts).rstrip()

    lines = [render(columns, numeric), "  ".join("-" * w for w in widths)]
    lines.extend(render([text for text, _ in line], numeric) for line in cells)
    return "\n".join(lines)
