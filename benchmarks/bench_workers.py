"""Throughput of one against two local worker processes on the same set of replications.

The same replications (8 of the baseline's 7 days by default) run through the public API,
``controlroom_sim.run(..., jobs=J, engine="processes", calls_format="none")`` with no output
folder and no records kept, first with ``jobs=1`` (which runs them one after another in the
calling process: what ``--jobs 1`` does) and then with ``jobs=2`` (a pool of two spawned
workers, whose start-up and imports count: the user waits for them too). A third row runs a
pool of *one* spawned worker, to separate the pool's own cost from the gain of a second core.

Throughput is calls simulated (rows of the call records, every origin) per second of wall
time; the ratio of the ``jobs=2`` row to the ``jobs=1`` row is the figure the target is about.
CPU seconds include the workers' (``RUSAGE_CHILDREN``). On a machine whose cores are busy with
other work the ratio says more about that work than about the engine: the load averages are
printed before and after.

Run from the repository root::

    python -m benchmarks.bench_workers                    # 8 replications of 7 days
    python -m benchmarks.bench_workers --replications 4 --repeat 2
"""

from __future__ import annotations

import argparse
import resource
import time
from typing import Any

from benchmarks.harness import format_table, load_line

TARGET_RATIO = 1.8


def _cpu_s() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed_run(scenario: Any, replications: int, jobs: int, pool: bool = False) -> dict[str, Any]:
    """Run the replications with ``jobs`` workers; ``pool=True`` with ``jobs=1`` uses a pool
    of one spawned worker (the API runs one job in this process)."""
    import controlroom_sim as crs
    from controlroom_sim import api, engines

    original = api.make_engine
    if pool:
        # The API gives the serial engine for one job; ask for a real pool of one worker.
        def make_pool(engine: str, jobs_: int, scheduler: str | None) -> Any:
            return engines.ProcessEngine(jobs_)

        api.make_engine = make_pool  # type: ignore[assignment]
    try:
        cpu = _cpu_s()
        start = time.perf_counter()
        result = crs.run(
            scenario,
            replications=replications,
            jobs=jobs,
            engine="processes",
            calls_format="none",
            keep_records=False,
        )
        wall = time.perf_counter() - start
        cpu = _cpu_s() - cpu
    finally:
        api.make_engine = original
    return {
        "calls": result.calls_simulated,
        "wall_s": wall,
        "cpu_s": cpu,
        "kpi": float(result.summary.set_index("kpi").loc["answered_within_10s_999", "mean"]),
    }


def measure_workers(
    replications: int = 8, days: float = 7.0, repeat: int = 1, pool_of_one: bool = True
) -> dict[str, Any]:
    """Rows for jobs 1, jobs 2 (and a pool of one), best of ``repeat`` interleaved runs."""
    from controlroom_sim.loading import load_scenario

    scenario = load_scenario(None, [f"scenario.days={days:g}"])
    configs = [("jobs=1 (in process)", 1, False), ("jobs=2 (2 workers)", 2, False)]
    if pool_of_one:
        configs.append(("pool of 1 worker", 1, True))
    best: dict[str, dict[str, Any]] = {}
    for _ in range(repeat):
        for name, jobs, pool in configs:
            run = timed_run(scenario, replications, jobs, pool)
            if name not in best or run["wall_s"] < best[name]["wall_s"]:
                best[name] = run
    kpis = {round(run["kpi"], 12) for run in best.values()}
    one = best[configs[0][0]]
    rows = []
    for name, _, _ in configs:
        run = best[name]
        rows.append(
            {
                "workers": name,
                "replications": replications,
                "calls": run["calls"],
                "wall s": round(run["wall_s"], 2),
                "calls/s": round(run["calls"] / run["wall_s"]),
                "CPU s": round(run["cpu_s"], 1),
                "x jobs=1": round(one["wall_s"] / run["wall_s"], 2),
            }
        )
    ratio = one["wall_s"] / best[configs[1][0]]["wall_s"]
    return {
        "rows": rows,
        "ratio": ratio,
        "same_results": len(kpis) == 1,
        "days": days,
        "replications": replications,
    }


COLUMNS = ["workers", "replications", "calls", "wall s", "calls/s", "CPU s", "x jobs=1"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=8, help="default 8")
    parser.add_argument("--days", type=float, default=7.0, help="default 7")
    parser.add_argument("--repeat", type=int, default=1, help="best of N interleaved runs")
    parser.add_argument("--no-pool-of-one", action="store_true", help="skip that row")
    args = parser.parse_args()
    print(load_line())
    out = measure_workers(args.replications, args.days, args.repeat, not args.no_pool_of_one)
    print(f"baseline, {args.replications} replications of {args.days:g} days, calls_format none")
    print(format_table(out["rows"], COLUMNS))
    print(f"same KPIs whatever the workers: {out['same_results']}")
    verdict = "PASS" if out["ratio"] >= TARGET_RATIO else "FAIL"
    print(
        f"target: 2 workers at least {TARGET_RATIO} x the throughput of one: "
        f"{out['ratio']:.2f} x, {verdict}"
    )
    print(load_line())


if __name__ == "__main__":
    main()
