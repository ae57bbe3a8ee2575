"""Where the time and the memory of a replication go: the figures behind PROFILE_NOTES.md.

Three reports, each from a fresh start of the model in this process:

``--what time``
    cProfile of (i) one replication of the baseline (7 days, simulate + KPIs + intervals, as
    ``run_replication`` does) and (ii) the M/M/63+M engine case of ``bench_mmn``: the top
    functions by own time (with % of the total) and by cumulative time, and own time summed
    by module, per call. cProfile adds a fixed cost to every Python call, so it inflates the
    share of code made of many small calls (SimPy's event loop, the model's callbacks):
    read the phase split printed first (measured without the profiler) for the true split.
``--what pyinstrument``
    The same two cases under pyinstrument (statistical, low overhead), if it is installed.
``--what memory``
    tracemalloc in a 2-day and a 6-day baseline run, at the moment the call records start to
    be built (every ``Call`` alive, no table yet): bytes held per extra call (the growth from
    the shorter run to the longer, so fixed costs cancel), by source line; then the bytes per
    call of the finished ``calls`` DataFrame and of the other tables.

Run from the repository root::

    python -m benchmarks.profile_hot_path                  # all three
    python -m benchmarks.profile_hot_path --what memory
    py-spy record --native --format raw -o /tmp/b.txt -- \\
        python -m benchmarks.profile_hot_path --what none --days 28 --mmn-days 0.01
    python -m benchmarks.profile_hot_path --pyspy /tmp/b.txt
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time
import tracemalloc
from collections import defaultdict
from typing import Any

from benchmarks.harness import format_table, load_line
from benchmarks.instrument import Probe


def baseline_once(days: float = 7.0) -> int:
    """One replication of the baseline as the engines run it; returns the calls."""
    from controlroom_sim.config.loading import load_scenario
    from controlroom_sim.experiments.runner import run_replication

    scenario = load_scenario(None, [f"scenario.days={days:g}"])
    return run_replication(scenario, 0, records=False).calls_simulated


def mmn_once(days: float = 5.0) -> int:
    from benchmarks.bench_mmn import (
        ARRIVAL_RATE,
        MEAN_PATIENCE,
        MEAN_SERVICE,
        SERVERS,
        engine_mmn_plus_m,
    )

    result = engine_mmn_plus_m(
        ARRIVAL_RATE, MEAN_SERVICE, MEAN_PATIENCE, SERVERS, days * 86400.0, 1
    )
    return int(result["offered"])


def _short(func: tuple[str, int, str]) -> str:
    filename, line, name = func
    for marker in ("site-packages/", "controlroom_sim/", "benchmarks/", "lib/python3"):
        if marker in filename:
            filename = filename.split(marker, 1)[1]
            if marker == "controlroom_sim/":
                filename = "controlroom_sim/" + filename
            break
    if filename == "~":
        return name
    return f"{filename}:{line}({name})"


def _module(filename: str) -> str:
    if filename == "~":
        return "builtins (C)"
    if "controlroom_sim/" in filename:
        return "controlroom_sim." + filename.split("controlroom_sim/", 1)[1].removesuffix(".py")
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1].split("/", 1)[0]
    return "python stdlib"


def phase_split(fn: Any, *args: Any) -> tuple[int, dict[str, float], float, int | None]:
    """Run without the profiler: calls, seconds by phase, wall."""
    with Probe() as probe:
        start = time.perf_counter()
        calls = fn(*args)
        wall = time.perf_counter() - start
    return calls, dict(probe.seconds), wall, probe.events


def profile_case(label: str, fn: Any, *args: Any, top: int = 20) -> None:
    calls, seconds, wall, events = phase_split(fn, *args)
    print(f"\n### {label}: {calls:,} calls, {wall:.2f} s unprofiled, {events:,} SimPy events")
    rows = [
        {"phase": k, "s": round(v, 3), "share": f"{v / wall:.1%}", "µs/call": v / calls * 1e6}
        for k, v in seconds.items()
    ]
    other = wall - sum(seconds.values())
    rows.append(
        {
            "phase": "other",
            "s": round(other, 3),
            "share": f"{other / wall:.1%}",
            "µs/call": other / calls * 1e6,
        }
    )
    print(format_table(rows, ["phase", "s", "share", "µs/call"]))

    profiler = cProfile.Profile()
    profiler.enable()
    fn(*args)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=io.StringIO())
    entries = stats.stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in entries.values())
    print(f"\ncProfile total own time {total:.2f} s ({total / calls * 1e6:.1f} µs per call)")
    by_own = sorted(entries.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    print(f"\ntop {top} by own time")
    print(
        format_table(
            [
                {
                    "function": _short(func),
                    "calls": v[1],
                    "own s": round(v[2], 3),
                    "own %": f"{v[2] / total:.1%}",
                    "cum s": round(v[3], 3),
                    "µs/call": round(v[2] / calls * 1e6, 2),
                }
                for func, v in by_own
            ],
            ["function", "calls", "own s", "own %", "cum s", "µs/call"],
        )
    )
    by_cum = sorted(entries.items(), key=lambda kv: kv[1][3], reverse=True)[:top]
    print(f"\ntop {top} by cumulative time")
    print(
        format_table(
            [
                {
                    "function": _short(func),
                    "calls": v[1],
                    "cum s": round(v[3], 3),
                    "cum %": f"{v[3] / total:.1%}",
                    "own s": round(v[2], 3),
                }
                for func, v in by_cum
            ],
            ["function", "calls", "cum s", "cum %", "own s"],
        )
    )
    modules: dict[str, float] = defaultdict(float)
    for (filename, _, _), v in entries.items():
        modules[_module(filename)] += v[2]
    print("\nown time by module")
    print(
        format_table(
            [
                {
                    "module": m,
                    "own s": round(s, 3),
                    "own %": f"{s / total:.1%}",
                    "µs/call": round(s / calls * 1e6, 2),
                }
                for m, s in sorted(modules.items(), key=lambda kv: kv[1], reverse=True)[:15]
            ],
            ["module", "own s", "own %", "µs/call"],
        )
    )


def pyinstrument_case(label: str, fn: Any, *args: Any) -> None:
    try:
        from pyinstrument import Profiler
    except ImportError:
        print("pyinstrument is not installed (pip install pyinstrument); skipped")
        return
    profiler = Profiler(interval=0.0005)
    profiler.start()
    fn(*args)
    profiler.stop()
    print(f"\n### pyinstrument: {label}")
    print(profiler.output_text(unicode=False, color=False, show_all=False, short_mode=True))


def _held_at_records(days: float) -> dict[str, Any]:
    """Run the baseline under tracemalloc; snapshot when the records start (the calls still in
    the system alive, the rest already in the column store, no table yet)."""
    from controlroom_sim.config.loading import load_scenario
    from controlroom_sim.model.room import ControlRoom

    scenario = load_scenario(None, [f"scenario.days={days:g}"])
    out: dict[str, Any] = {}
    tracemalloc.start(1)
    start = tracemalloc.get_traced_memory()[0]
    room = ControlRoom(scenario, 0)
    original = room._records

    def snapshot_then_build() -> Any:
        out["live"] = len(room.live)
        out["snapshot"] = tracemalloc.take_snapshot()
        out["held"] = tracemalloc.get_traced_memory()[0] - start
        return original()

    room._records = snapshot_then_build  # type: ignore[method-assign]
    records = room.run()
    after, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    out.update(
        calls=room.calls_made,
        after=after - start,
        peak=peak - start,
        records=records,
        room=room,
        by_line={
            (s.traceback[0].filename, s.traceback[0].lineno): (s.size, s.count)
            for s in out["snapshot"].statistics("lineno")
        },
    )
    return out


def memory_report(days: tuple[float, float] = (2.0, 6.0), top: int = 15) -> None:
    """Bytes per call held by the model before the records are built, and by the tables.

    Two horizons, so fixed costs (the blocks of pre-drawn attributes, the rosters, imports'
    caches) cancel: the per-call figure is the growth from the shorter run to the longer one
    over the extra calls."""
    short, long = (_held_at_records(d) for d in days)
    extra = long["calls"] - short["calls"]
    print(
        f"\n### memory: baseline {days[0]:g} and {days[1]:g} days, {short['calls']:,} and "
        f"{long['calls']:,} calls (tracemalloc, when the records start to be built)"
    )
    for name, run in (("short", short), ("long", long)):
        print(
            f"{name}: held {run['held'] / 1e6:.1f} MB ({run['held'] / run['calls']:,.0f} B per "
            f"call), {run['after'] / run['calls']:,.0f} B per call with the tables, peak "
            f"while building them {run['peak'] / run['calls']:,.0f} B per call"
        )
    growth = (long["held"] - short["held"]) / extra
    print(f"marginal: {growth:,.0f} B per extra call held by the model before the tables")
    print(
        f"marginal peak while building the tables: "
        f"{(long['peak'] - short['peak']) / extra:,.0f} B per call; after: "
        f"{(long['after'] - short['after']) / extra:,.0f} B per call"
    )
    lines = set(short["by_line"]) | set(long["by_line"])
    rows = []
    for line in lines:
        size = long["by_line"].get(line, (0, 0))[0] - short["by_line"].get(line, (0, 0))[0]
        blocks = long["by_line"].get(line, (0, 0))[1] - short["by_line"].get(line, (0, 0))[1]
        rows.append((size, blocks, line))
    rows.sort(reverse=True)
    print(
        format_table(
            [
                {
                    "allocated at": _short((filename, lineno, ""))[:-2],
                    "B per call": round(size / extra),
                    "objects per call": round(blocks / extra, 2),
                    "share": f"{size / (long['held'] - short['held']):.1%}",
                }
                for size, blocks, (filename, lineno) in rows[:top]
            ],
            ["allocated at", "B per call", "objects per call", "share"],
        )
    )
    records = long["records"]
    print(
        f"calls still live when the run stopped (Call objects, written to the store by the "
        f"records): {long['live']:,} of {long['calls']:,}"
    )
    tables = {
        "calls": records.calls,
        "work": records.work,
        "duty": records.duty,
        "handlers": records.handlers,
        "incidents": records.incidents,
        "officer_duty": records.officer_duty,
        "dispatcher_work": records.dispatcher_work,
        "support_work": records.support_work,
    }
    rows_out = []
    calls = long["calls"]
    for name, frame in tables.items():
        if frame is None:
            continue
        size = int(frame.memory_usage(deep=True).sum())
        rows_out.append(
            {
                "table": name,
                "rows": len(frame),
                "columns": frame.shape[1],
                "MB": round(size / 1e6, 2),
                "B per call": round(size / calls),
            }
        )
    print(format_table(rows_out, ["table", "rows", "columns", "MB", "B per call"]))


COMPONENTS = (
    # (label, test on the stack's frames), first match wins
    ("garbage collection (CPython gc)", lambda fs: any(f.startswith("gc_collect") for f in fs)),
    ("records: _records and tables", lambda fs: any("ControlRoom._records" in f for f in fs)),
    ("grading: _assess (THRIVE)", lambda fs: any("ControlRoom._assess" in f for f in fs)),
    ("attribute drawing: _Attributes", lambda fs: any("_Attributes." in f for f in fs)),
    ("dispatch desk (dispatch.py)", lambda fs: any("dispatch.py" in f for f in fs)),
    ("staffing / rosters (staffing.py)", lambda fs: any("staffing.py" in f for f in fs)),
    ("support desk (support.py)", lambda fs: any("support.py" in f for f in fs)),
    ("arrival times (arrivals.py)", lambda fs: any("arrivals.py" in f for f in fs)),
    ("model logic (model.py)", lambda fs: "model.py" in _leaf(fs)),
    ("SimPy event loop", lambda fs: "simpy" in _leaf(fs)),
    ("other", lambda fs: True),
)


def _leaf(frames: list[str]) -> str:
    """The innermost Python frame of a py-spy stack."""
    for frame in reversed(frames):
        if ".py:" in frame:
            return frame
    return ""


def summarise_pyspy(
    path: str, top: int = 20, within: str = "ControlRoom.run (controlroom_sim/model.py"
) -> None:
    """Own and inclusive samples by function from ``py-spy record --format raw`` output.

    Only stacks through ``within`` count (default ``ControlRoom.run``: imports and scenario
    loading are left out). With ``py-spy record --native``, samples inside CPython's cyclic
    garbage collector (``gc_collect_main``) are shown as ``[garbage collection]``; without
    it, a collection's time is charged to whichever Python line allocated the object that
    set it off."""
    own: dict[str, int] = defaultdict(int)
    inclusive: dict[str, int] = defaultdict(int)
    components: dict[str, int] = defaultdict(int)
    total = 0
    with open(path, encoding="utf-8") as raw:
        for line in raw:
            stack, _, count_text = line.rstrip("\n").rpartition(" ")
            if not stack or within not in stack:
                continue
            count = int(count_text)
            frames = stack.split(";")
            frames = frames[next(i for i, f in enumerate(frames) if within in f) :]
            names = []
            for frame in frames:
                name, _, where = frame.partition(" (")
                if ".py:" in where:  # a Python frame: function and file, no line
                    names.append(f"{name} ({where.rsplit(':', 1)[0].rsplit('/', 1)[-1]})")
            total += count
            label = next(label for label, test in COMPONENTS if test(frames))
            components[label] += count
            if any(f.startswith("gc_collect") for f in frames):
                names.append("[garbage collection]")
            own[names[-1]] += count
            for name in set(names):
                inclusive[name] += count
    print(f"\n### py-spy: {path}, {total:,} samples inside {within.split(' ')[0]}")
    for title, table in (("own", own), ("inclusive", inclusive)):
        rows = [
            {"function": name, "samples": n, "share": f"{n / total:.1%}"}
            for name, n in sorted(table.items(), key=lambda kv: kv[1], reverse=True)[:top]
        ]
        print(f"\ntop {top} by {title} samples")
        print(format_table(rows, ["function", "samples", "share"]))
    print("\nsamples by component (each sample counted once, first match in this order)")
    rows = [
        {
            "component": label,
            "samples": components[label],
            "share": f"{components[label] / total:.1%}",
        }
        for label, _ in COMPONENTS
        if components[label]
    ]
    print(format_table(rows, ["component", "samples", "share"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--what",
        nargs="+",
        choices=["time", "pyinstrument", "memory", "none"],
        default=["time", "pyinstrument", "memory"],
    )
    parser.add_argument("--days", type=float, default=7.0, help="baseline days (default 7)")
    parser.add_argument("--mmn-days", type=float, default=5.0, help="M/M/n+M days (default 5)")
    parser.add_argument(
        "--memory-days", type=float, nargs=2, default=[2.0, 6.0], help="default 2 6"
    )
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument(
        "--pyspy", metavar="RAW", help="summarise `py-spy record --format raw` output and stop"
    )
    args = parser.parse_args()
    if args.pyspy:
        summarise_pyspy(args.pyspy, args.top)
        return
    print(load_line())
    if "none" in args.what:  # for an outside profiler (py-spy): just run both cases
        print(baseline_once(args.days), mmn_once(args.mmn_days))
    if "time" in args.what:
        label = f"baseline, one replication of {args.days:g} days"
        profile_case(label, baseline_once, args.days, top=args.top)
        label = f"M/M/63+M engine, {args.mmn_days:g} days"
        profile_case(label, mmn_once, args.mmn_days, top=args.top)
    if "pyinstrument" in args.what:
        pyinstrument_case(f"baseline {args.days:g} days", baseline_once, args.days)
        pyinstrument_case(f"M/M/63+M engine {args.mmn_days:g} days", mmn_once, args.mmn_days)
    if "memory" in args.what:
        memory_report(tuple(args.memory_days))
    print(load_line())


if __name__ == "__main__":
    main()
