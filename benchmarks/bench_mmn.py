"""Calls simulated per second on an M/M/n+M model: the full engine beside a plain SimPy loop
(and Ciw, when installed), in the same run, each in a fresh process.

The model: Poisson arrivals at 0.2 calls a second, exponential talk time (mean 300 s),
exponential patience (mean 180 s), 63 handlers (95% load), first come first served. The engine
runs it as a scenario with every other feature off and returns its full per-call records; the
references count and time the same calls. Each row also shows the abandonment rate and the mean
wait of answered calls beside exact Erlang A, so a fast but wrong model would show.

Run from the repository root::

    python -m benchmarks.bench_mmn              # about 520,000 calls each (30 days)
    python -m benchmarks.bench_mmn --days 5     # quicker
    python -m benchmarks.bench_mmn --no-ciw
"""

from __future__ import annotations

import argparse
import platform

from benchmarks.harness import format_table, measure
from benchmarks.reference_models import ciw_mmn_plus_m, plain_simpy_mmn_plus_m

ARRIVAL_RATE = 0.2
MEAN_SERVICE = 300.0
MEAN_PATIENCE = 180.0
SERVERS = 63


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
    from controlroom_sim.model import simulate
    from controlroom_sim.scenario import Scenario

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=30.0, help="simulated days (default 30)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-ciw", action="store_true", help="leave Ciw out")
    args = parser.parse_args()
    horizon = args.days * 86400.0

    from controlroom_sim.erlang import erlang_a_metrics

    theory = erlang_a_metrics(ARRIVAL_RATE, MEAN_SERVICE, MEAN_PATIENCE, SERVERS, 10.0)
    runs = [
        ("controlroom-sim engine", engine_mmn_plus_m),
        ("plain SimPy loop", plain_simpy_mmn_plus_m),
    ]
    if not args.no_ciw:
        try:
            import ciw  # noqa: F401
        except ImportError:
            print("ciw is not installed (pip install -e '.[bench]'); leaving it out")
        else:
            runs.append(("Ciw", ciw_mmn_plus_m))
    rows = []
    speeds = {}
    for name, fn in runs:
        m = measure(fn, ARRIVAL_RATE, MEAN_SERVICE, MEAN_PATIENCE, SERVERS, horizon, args.seed)
        result = m["result"]
        speed = result["offered"] / m["wall_s"]
        speeds[name] = speed
        rows.append(
            {
                "model": name,
                "calls": result["offered"],
                "wall s": round(m["wall_s"], 2),
                "calls/s": round(speed),
                "peak MiB": round(m["peak_rss_mb"]),
                "P(abandon)": round(result["p_abandon"], 4),
                "mean wait s": round(result["mean_wait_answered"], 2),
            }
        )
    rows.append(
        {
            "model": "Erlang A (exact)",
            "calls": "",
            "wall s": "",
            "calls/s": "",
            "peak MiB": "",
            "P(abandon)": round(theory.p_abandon, 4),
            "mean wait s": round(theory.mean_wait_answered, 2),
        }
    )
    print(
        f"M/M/{SERVERS}+M, {ARRIVAL_RATE} calls/s, talk {MEAN_SERVICE:g} s, patience "
        f"{MEAN_PATIENCE:g} s, {args.days:g} days, seed {args.seed}; "
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}"
    )
    print(
        format_table(
            rows, ["model", "calls", "wall s", "calls/s", "peak MiB", "P(abandon)", "mean wait s"]
        )
    )
    base = speeds["plain SimPy loop"]
    for name, speed in speeds.items():
        if name != "plain SimPy loop":
            print(f"{name}: {speed / base:.2f} x the plain SimPy loop's speed")


if __name__ == "__main__":
    main()
