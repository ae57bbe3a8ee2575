"""Calls simulated per second on an M/M/n+M model: the full engine beside a plain SimPy loop
(and Ciw, when installed), in the same run, each in a fresh process.

The model: Poisson arrivals at 0.2 calls a second, exponential talk time (mean 300 s),
exponential patience (mean 180 s), 63 handlers (95% load), first come first served. The engine
runs it as a scenario with every other feature off and returns its full per-call records; the
references count and time the same calls. Each row also shows the abandonment rate and the
mean wait of answered calls beside exact Erlang A, so a fast but wrong model would show.

Events are the SimPy events each model processed (see :mod:`benchmarks.instrument`; Ciw is not
built on SimPy and has none to count). Each model's own imports are done before its clock
starts, and ``calls/CPU s`` divides by the CPU time of the run, which varies less than wall
time on a machine busy with other work.

Run from the repository root::

    python -m benchmarks.bench_mmn              # about 520,000 calls each (30 days)
    python -m benchmarks.bench_mmn --days 5     # quicker
    python -m benchmarks.bench_mmn --no-ciw
"""

from __future__ import annotations

import argparse
import platform
from typing import Any

from benchmarks.harness import format_table, load_line, measure
from benchmarks.instrument import probed
from benchmarks.reference_models import ciw_mmn_plus_m, plain_simpy_mmn_plus_m

ARRIVAL_RATE = 0.2
MEAN_SERVICE = 300.0
MEAN_PATIENCE = 180.0
SERVERS = 63
ENGINE = "controlroom-sim engine"
PLAIN = "plain SimPy loop"
CIW = "Ciw"


def engine_mmn_plus_m(
    arrival_rate: float,
    mean_service: float,
    mean_patience: float,
    servers: int,
    horizon: float,
    seed: int,
    *,
    target: float = 10.0,
) -> dict[str, float]:
    """The controlroom-sim engine on the same model; the same summary as the references."""
    from controlroom_sim.config.schema import Scenario
    from controlroom_sim.model import simulate

    scenario = Scenario.model_validate(
        {
            "scenario": {
                "name": "bench",
                "days": horizon / 86400.0,
                "warmup_hours": 0,
                "cooldown_hours": 0,
                "seed": seed,
            },
            "channels": {
                "999": {
                    "calls_per_day": arrival_rate * 86400.0,
                    "talk_s": {"dist": "exponential", "mean": mean_service},
                    "patience_s": {"dist": "exponential", "mean": mean_patience},
                }
            },
            "handlers": [{"name": "handlers", "skills": ["999"], "count": servers}],
        }
    )
    calls = simulate(scenario, 0).calls
    answered = calls[calls["outcome"] == "answered"]
    wait = answered["answered_s"] - answered["arrival_s"]
    abandoned = int((calls["outcome"] == "abandoned").sum())
    finished = len(answered) + abandoned
    return {
        "offered": len(calls),
        "answered": len(answered),
        "abandoned": abandoned,
        "mean_wait_answered": float(wait.mean()),
        "p_abandon": abandoned / finished if finished else float("nan"),
        "share_answered_within_target": float((wait <= target).mean()),
    }


def measure_mmn(days: float = 30.0, seed: int = 1, ciw: bool = True) -> dict[str, Any]:
    """Run the three models, each in a fresh process; rows for the table and the speeds.

    Returns ``{"rows", "speeds", "ratios", "theory", "header"}``: ``speeds`` are calls a
    second by model name, ``ratios`` each model's speed over the plain SimPy loop's.
    """
    horizon = days * 86400.0
    from controlroom_sim.analysis.erlang import erlang_a_metrics

    theory = erlang_a_metrics(ARRIVAL_RATE, MEAN_SERVICE, MEAN_PATIENCE, SERVERS, 10.0)
    # (name, function, modules imported before the clock starts: each model's own imports are
    # left out of its time, as the plain loop's simpy and numpy are)
    runs = [
        (
            ENGINE,
            engine_mmn_plus_m,
            ("controlroom_sim.model.room", "controlroom_sim.config.schema"),
        ),
        (PLAIN, plain_simpy_mmn_plus_m, ()),
    ]
    if ciw:
        try:
            import ciw as _ciw  # noqa: F401
        except ImportError:
            print("ciw is not installed (pip install -e '.[bench]'); leaving it out")
        else:
            runs.append((CIW, ciw_mmn_plus_m, ("ciw",)))
    rows = []
    speeds: dict[str, float] = {}
    for name, fn, preload in runs:
        args = (ARRIVAL_RATE, MEAN_SERVICE, MEAN_PATIENCE, SERVERS, horizon, seed)
        m = measure(probed, fn, *args, preload=preload, probe_package=name == ENGINE)
        probe = m["result"]
        result = probe["result"]
        speed = result["offered"] / m["wall_s"]
        speeds[name] = speed
        # Ciw is not built on SimPy: it has no SimPy events to count
        events = probe["events"] if probe["runs"] else None
        rows.append(
            {
                "model": name,
                "calls": result["offered"],
                "wall s": round(m["wall_s"], 2),
                "calls/s": round(speed),
                "calls/CPU s": round(result["offered"] / m["cpu_s"]),
                "events": events,
                "events/s": round(events / m["wall_s"]) if events else None,
                "peak MiB": round(m["peak_rss_mb"]),
                "P(abandon)": round(result["p_abandon"], 4),
                "mean wait s": round(result["mean_wait_answered"], 2),
            }
        )
    rows.append(
        {
            "model": "Erlang A (exact)",
            "P(abandon)": round(theory.p_abandon, 4),
            "mean wait s": round(theory.mean_wait_answered, 2),
        }
    )
    base = speeds[PLAIN]
    header = (
        f"M/M/{SERVERS}+M, {ARRIVAL_RATE} calls/s, talk {MEAN_SERVICE:g} s, patience "
        f"{MEAN_PATIENCE:g} s, {days:g} days, seed {seed}; "
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}"
    )
    return {
        "rows": rows,
        "speeds": speeds,
        "ratios": {name: speed / base for name, speed in speeds.items()},
        "theory": theory,
        "header": header,
    }


COLUMNS = [
    "model",
    "calls",
    "wall s",
    "calls/s",
    "calls/CPU s",
    "events",
    "events/s",
    "peak MiB",
    "P(abandon)",
    "mean wait s",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=30.0, help="simulated days (default 30)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-ciw", action="store_true", help="leave Ciw out")
    args = parser.parse_args()
    print(load_line())
    out = measure_mmn(args.days, args.seed, not args.no_ciw)
    print(out["header"])
    print(format_table(out["rows"], COLUMNS))
    for name, ratio in out["ratios"].items():
        if name != PLAIN:
            print(f"{name}: {ratio:.2f} x the plain SimPy loop's speed")
    print(load_line())


if __name__ == "__main__":
    main()
