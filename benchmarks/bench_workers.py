"""Throughput of one against two local worker processes on the same set of replications.

The same replications (20 of the baseline's 7 days by default) run through the public API,
``controlroom_sim.run(..., engine="processes", calls_format="none")`` with no output folder and
no records kept: on a pool of one spawned worker, then on a pool of two. Each pool's start-up
(a spawned process imports the package) counts, since the user waits for it too. The target
is the ratio of the two pools' throughput. A third row runs ``jobs=1``, which the API runs in
the calling process with no worker at all (what ``--jobs 1`` does), so the table also shows
what two workers give against that.

Throughput is calls simulated (rows of the call records, every origin) per second of wall
time. CPU seconds include the workers' (``RUSAGE_CHILDREN``). On a machine whose cores are
busy with other work the ratio says more about that work than about the engine: the load
averages are printed before and after.

Run from the repository root::

    python -m benchmarks.bench_workers                    # 20 replications of 7 days
    python -m benchmarks.bench_workers --replications 8 --repeat 2
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
    from controlroom_sim.experiments import api, engines

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
    replications: int = 20, days: float = 7.0, repeat: int = 1, in_process: bool = True
) -> dict[str, Any]:
    """Rows for one worker process, two worker processes (and, for reference, ``--jobs 1``,
    which runs in the calling process with no worker), best of ``repeat`` interleaved runs.

    The target compares worker processes: two against one, both paying the same start-up (a
    spawned process imports the package). ``--jobs 1`` avoids that start-up altogether; its
    row shows what two workers give against it.
    """
    from controlroom_sim.config.loading import load_scenario

    scenario = load_scenario(None, [f"scenario.days={days:g}"])
    configs = [("1 worker process", 1, True), ("2 worker processes", 2, False)]
    if in_process:
        configs.append(("--jobs 1 (no worker)", 1, False))
    best: dict[str, dict[str, Any]] = {}
    for _ in range(repeat):
        for name, jobs, pool in configs:
            run = timed_run(scenario, replications, jobs, pool)
            if name not in best or run["wall_s"] < best[name]["wall_s"]:
                best[name] = run
    kpis = {round(run["kpi"], 12) for run in best.values()}
    one = best[configs[0][0]]
    two = best[configs[1][0]]
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
                "x 1 worker": round(one["wall_s"] / run["wall_s"], 2),
            }
        )
    return {
        "rows": rows,
        "ratio": one["wall_s"] / two["wall_s"],
        "ratio_in_process": (best[configs[2][0]]["wall_s"] / two["wall_s"] if in_process else None),
        "same_results": len(kpis) == 1,
        "days": days,
        "replications": replications,
    }


COLUMNS = ["workers", "replications", "calls", "wall s", "calls/s", "CPU s", "x 1 worker"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=20, help="default 20")
    parser.add_argument("--days", type=float, default=7.0, help="default 7")
    parser.add_argument("--repeat", type=int, default=1, help="best of N interleaved runs")
    parser.add_argument("--no-in-process", action="store_true", help="skip the --jobs 1 row")
    args = parser.parse_args()
    print(load_line())
    out = measure_workers(args.replications, args.days, args.repeat, not args.no_in_process)
    print(f"baseline, {args.replications} replications of {args.days:g} days, calls_format none")
    print(format_table(out["rows"], COLUMNS))
    print(f"same KPIs whatever the workers: {out['same_results']}")
    verdict = "PASS" if out["ratio"] >= TARGET_RATIO else "FAIL"
    print(
        f"target: 2 workers at least {TARGET_RATIO} x the throughput of one: "
        f"{out['ratio']:.2f} x, {verdict}"
    )
    if out["ratio_in_process"] is not None:
        print(f"2 workers against --jobs 1 in the calling process: {out['ratio_in_process']:.2f} x")
    print(load_line())


if __name__ == "__main__":
    main()
