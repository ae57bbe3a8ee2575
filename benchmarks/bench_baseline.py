"""Calls simulated per second by the calibrated baseline with its features on, on one core.

The built-in baseline (``scenarios/baseline.toml``: BT stage, redials, 101 callers ringing
999, callbacks, call types with THRIVE grading, dispatch with appointments, reassessment,
escalation and failure demand, dispatchers and a support worker) runs ``--replications``
replications one after another in one fresh process, through the public API
(``controlroom_sim.run(engine="serial", jobs=1, calls_format="none")``). Reported:

* calls simulated per second: rows of the per-call records (every origin: first calls,
  redials, 101 callers ringing 999, repeat calls; warm-up and cool-down included) over the
  wall time of the whole run (simulation, records and KPIs: what a user waits for);
* the same split by phase (see :mod:`benchmarks.instrument`): simulating, building the call
  records, KPIs and the interval table;
* SimPy events processed per second of simulation;
* peak resident memory of the process (the interpreter and imports included).

``--all-features`` also switches on what the baseline leaves off and a scenario can switch on
with ``--set`` alone: demand suppression and a surge of both channels. (Several forces in
one room need a different handler design and are not included.)

Run from the repository root::

    python -m benchmarks.bench_baseline                      # 10 replications of 7 days
    python -m benchmarks.bench_baseline --replications 3     # quicker
    python -m benchmarks.bench_baseline --all-features --set channels.999.calls_per_day=800
"""

from __future__ import annotations

import argparse
import platform
from collections.abc import Sequence
from typing import Any

from benchmarks.harness import format_table, load_line, measure
from benchmarks.instrument import Probe

TARGET_CALLS_PER_S = 15_000
ALL_FEATURES = (
    "dispatch.suppression={backlog_threshold=20, share=0.2}",
    'surges=[{channels=["999", "101"], day=1, start="18:00", hours=6, multiplier=1.5}]',
)
KPIS = ("answered_within_10s_999", "abandon_rate_101", "handler_occupancy")


def features(scenario: Any) -> tuple[list[str], list[str]]:
    """What a scenario switches on and off, in words (for the table's caption)."""
    channels = scenario.channels
    dispatch = scenario.dispatch
    cb = scenario.callback
    flags = {
        "BT stage": any(ch.bt_connect_s is not None for ch in channels.values()),
        "redials": any(ch.redial_probability > 0 for ch in channels.values()),
        "101 to 999": any(ch.abandon_to_999_probability > 0 for ch in channels.values()),
        "callbacks": cb is not None and cb.enabled,
        "predicted-wait offers": cb is not None and cb.enabled and cb.offer_rule == "predicted",
        "rosters with breaks": any(
            g.shifts and any(s.breaks for s in g.shifts) for g in scenario.handlers
        ),
        "call types": bool(scenario.call_types),
        "THRIVE": scenario.thrive is not None,
        "dispatch": dispatch is not None,
        "divert": dispatch is not None and dispatch.divert,
        "appointments": dispatch is not None and dispatch.appointments is not None,
        "reassessment": dispatch is not None and dispatch.reassessment is not None,
        "escalation": dispatch is not None and dispatch.escalation_per_hour > 0,
        "failure demand": dispatch is not None and dispatch.failure_demand is not None,
        "suppression": dispatch is not None
        and dispatch.suppression is not None
        and dispatch.suppression.enabled,
        "dispatchers": bool(scenario.dispatchers),
        "support workers": bool(scenario.support_workers),
        "surges": bool(scenario.surges),
        "several forces": bool(scenario.forces),
    }
    return [k for k, v in flags.items() if v], [k for k, v in flags.items() if not v]


def load_baseline(days: float | None, overrides: Sequence[str]) -> Any:
    from controlroom_sim.config.loading import load_scenario

    extra = [f"scenario.days={days}"] if days is not None else []
    return load_scenario(None, [*overrides, *extra])


def baseline_replications(
    replications: int, days: float | None, seed: int, overrides: Sequence[str]
) -> dict[str, Any]:
    """Run the replications serially in this process; calls, events, phase times, KPIs."""
    import time

    import controlroom_sim as crs

    scenario = load_baseline(days, overrides)
    with Probe() as probe:
        start = time.perf_counter()
        result = crs.run(
            scenario,
            replications=replications,
            seed=seed,
            jobs=1,
            engine="serial",
            calls_format="none",
            keep_records=False,
        )
        wall = time.perf_counter() - start
    summary = result.summary.set_index("kpi")["mean"]
    on, off = features(scenario)
    return {
        "wall_s": wall,
        "calls": result.calls_simulated,
        "replications": len(result.replications),
        "days": scenario.scenario.days,
        "end_days": scenario.end_s / 86400.0,
        "kpis": {k: float(summary[k]) for k in KPIS if k in summary.index},
        "features_on": on,
        "features_off": off,
        **probe.report(),
    }


def measure_baseline(
    replications: int = 10,
    days: float | None = None,
    seed: int = 1,
    overrides: Sequence[str] = (),
) -> dict[str, Any]:
    """Measure in a fresh process; the result row, the phase rows and the details."""
    m = measure(
        baseline_replications,
        replications,
        days,
        seed,
        list(overrides),
        preload=("controlroom_sim", "controlroom_sim.config.loading"),
    )
    r = m["result"]
    calls, wall = r["calls"], r["wall_s"]
    seconds = r["seconds"]
    sim = seconds["simulate"]
    events = r["events"]
    row = {
        "case": f"(b) baseline, {r['replications']} x {r['days']:g} days, serial",
        "calls": calls,
        "wall s": round(wall, 2),
        "calls/s": round(calls / wall),
        "calls/CPU s": round(calls / m["cpu_s"]),
        "sim-only calls/s": round(calls / sim) if sim else None,
        "events": events,
        "events/s": round(events / sim) if events and sim else None,
        "peak MiB": round(m["peak_rss_mb"]),
    }
    phases = []
    accounted = sum(seconds.values())
    for phase, spent in [*seconds.items(), ("other (API, engine)", wall - accounted)]:
        phases.append(
            {
                "phase": phase,
                "seconds": round(spent, 3),
                "share": f"{spent / wall:.1%}",
                "µs per call": round(spent / calls * 1e6, 1) if calls else None,
            }
        )
    return {"row": row, "phases": phases, "detail": r, "measurement": m}


ROW_COLUMNS = ["case", "calls", "wall s", "calls/s", "calls/CPU s", "sim-only calls/s"]
ROW_COLUMNS += ["events", "events/s", "peak MiB"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=10, help="default 10")
    parser.add_argument("--days", type=float, default=None, help="default: the baseline's 7")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="scenario override"
    )
    parser.add_argument(
        "--all-features", action="store_true", help="also demand suppression and a surge"
    )
    args = parser.parse_args()
    overrides = [*(ALL_FEATURES if args.all_features else ()), *args.set]
    print(load_line())
    out = measure_baseline(args.replications, args.days, args.seed, overrides)
    d = out["detail"]
    print(
        f"baseline{' +' + ' +'.join(overrides) if overrides else ''}; seed {args.seed}; "
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}"
    )
    print(f"features on: {', '.join(d['features_on'])}")
    print(f"features off: {', '.join(d['features_off']) or 'none'}")
    print(format_table([out["row"]], ROW_COLUMNS))
    print()
    print(format_table(out["phases"], ["phase", "seconds", "share", "µs per call"]))
    print("KPI means (sanity): " + ", ".join(f"{k} {v:.3f}" for k, v in d["kpis"].items()))
    speed = out["row"]["calls/s"]
    verdict = "PASS" if speed >= TARGET_CALLS_PER_S else "FAIL"
    print(f"target: at least {TARGET_CALLS_PER_S:,} calls/s on one core: {verdict}")
    print(load_line())


if __name__ == "__main__":
    main()
