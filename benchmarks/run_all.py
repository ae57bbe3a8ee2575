"""Every benchmark of issue 8 in one command, with one table and PASS/FAIL per target.

(a) M/M/63+M through the full engine beside a plain SimPy loop and Ciw (``bench_mmn``);
(b) the calibrated baseline, features on, serially on one core (``bench_baseline``);
(c) one replication of a year of a large force, about 3 million calls (``bench_year``);
(d) one against two local worker processes on the same replications (``bench_workers``).

Targets (issue 8): (a) the engine at least 0.6 of the plain loop's calls/s and faster than
Ciw, in the same run; (b) at least 15,000 calls/s; (c) the year in under 5 minutes and under
2 GB peak; (d) two workers at least 1.8 times the throughput of one.

Run from the repository root::

    python -m benchmarks                 # the defaults below (the year alone takes minutes)
    python -m benchmarks --quick         # a few minutes: shorter runs, the year extrapolated
    python -m benchmarks --only a b      # some parts

Defaults: (a) 30 days (about 520,000 calls per model); (b) 10 replications of 7 days;
(c) 365 days, stopped past ``--max-rss-gb`` (8); (d) 8 replications of 7 days. ``--quick``:
(a) 5 days, (b) 3 replications, (c) 28 days extrapolated to the year, (d) 4 replications.
Each script also runs alone (``python -m benchmarks.bench_mmn`` ...). Timings on a machine
busy with other work are lower than on a quiet one: the load averages are printed.
"""

from __future__ import annotations

import argparse
import platform
import sys
from typing import Any

from benchmarks import bench_baseline, bench_mmn, bench_workers, bench_year
from benchmarks.harness import format_table, load_line

COLUMNS = ["part", "case", "calls", "wall s", "calls/s", "calls/CPU s", "events/s", "peak MiB"]
COLUMNS += ["target", "measured", "result"]


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def part_a(days: float, no_ciw: bool) -> list[dict[str, Any]]:
    out = bench_mmn.measure_mmn(days, 1, not no_ciw)
    print(out["header"])
    print(format_table(out["rows"], bench_mmn.COLUMNS))
    speeds, ratios = out["speeds"], out["ratios"]
    engine_ratio = ratios[bench_mmn.ENGINE]
    ciw = speeds.get(bench_mmn.CIW)
    rows = []
    for row in out["rows"][:-1]:
        rows.append(
            {
                "part": "a",
                "case": f"M/M/63+M {days:g} d: {row['model']}",
                **{
                    k: row[k]
                    for k in ("calls", "wall s", "calls/s", "calls/CPU s", "events/s", "peak MiB")
                },
            }
        )
    rows[0]["target"] = ">= 0.6 x plain SimPy"
    rows[0]["measured"] = f"{engine_ratio:.2f} x"
    rows[0]["result"] = _verdict(engine_ratio >= 0.6)
    if ciw is not None:
        rows.append(
            {
                "part": "a",
                "case": "engine against Ciw",
                "target": "> 1 x Ciw",
                "measured": f"{speeds[bench_mmn.ENGINE] / ciw:.2f} x",
                "result": _verdict(speeds[bench_mmn.ENGINE] > ciw),
            }
        )
    return rows


def part_b(replications: int) -> list[dict[str, Any]]:
    out = bench_baseline.measure_baseline(replications)
    print(format_table([out["row"]], bench_baseline.ROW_COLUMNS))
    print(format_table(out["phases"], ["phase", "seconds", "share", "µs per call"]))
    row = out["row"]
    target = bench_baseline.TARGET_CALLS_PER_S
    return [
        {
            "part": "b",
            **{
                k: row[k] for k in ("case", "calls", "wall s", "calls/s", "calls/CPU s", "events/s")
            },
            "peak MiB": row["peak MiB"],
            "target": f">= {target:,} calls/s",
            "measured": f"{row['calls/s']:,} (CPU: {row['calls/CPU s']:,})",
            "result": _verdict(row["calls/s"] >= target),
        }
    ]


def part_c(days: list[float], max_rss_gb: float) -> list[dict[str, Any]]:
    runs = []
    for d in sorted(days):
        print(f"(c) large force, {d:g} days ...", flush=True)
        run = bench_year.run_year(d, max_rss_gb=max_rss_gb)
        runs.append(run)
        print(
            format_table(
                bench_year.thin(run["samples"], 8), ["t s", "phase", "sim day", "calls", "RSS MiB"]
            )
        )
    print(format_table([bench_year.summary_row(r) for r in runs], bench_year.SUMMARY_COLUMNS))
    result, how = bench_year.verdict(runs)
    ext = bench_year.extrapolate(runs)
    if ext is not None:
        print(bench_year.describe_extrapolation(ext))
    rows = []
    for run in runs:
        s = bench_year.summary_row(run)
        rows.append(
            {
                "part": "c",
                "case": f"large force, {s['days']:g} days ({s['status']})",
                **{
                    k: s.get(k)
                    for k in ("calls", "wall s", "calls/s", "calls/CPU s", "events/s", "peak MiB")
                },
            }
        )
    if ext is not None:
        rows.append(
            {
                "part": "c",
                "case": "large force, a year (extrapolated)",
                "calls": round(ext["calls"]),
                "wall s": round(ext["wall_s"]),
                "peak MiB": round(ext["peak_rss_mb"]),
            }
        )
    rows[-1]["target"] = "< 300 s, < 2,048 MiB"
    rows[-1]["measured"] = how.split(": ", 1)[-1] if ext is None else "extrapolated"
    if ext is not None:
        rows[-1]["measured"] = (
            f"~{ext['wall_s']:.0f} s (CPU ~{ext['cpu_s_quadratic'] or ext['cpu_s_power']:.0f}),"
            f" ~{ext['peak_rss_mb']:,.0f} MiB"
        )
    rows[-1]["result"] = result
    return rows


def part_d(replications: int, days: float) -> list[dict[str, Any]]:
    out = bench_workers.measure_workers(replications, days)
    print(format_table(out["rows"], bench_workers.COLUMNS))
    rows = [
        {
            "part": "d",
            "case": f"baseline {replications} x {days:g} d, {r['workers']}",
            **{k: r[k] for k in ("calls", "wall s", "calls/s")},
            "calls/CPU s": round(r["calls"] / r["CPU s"]) if r["CPU s"] else None,
        }
        for r in out["rows"]
    ]
    rows[1]["target"] = f">= {bench_workers.TARGET_RATIO} x 1 worker"
    rows[1]["measured"] = f"{out['ratio']:.2f} x"
    rows[1]["result"] = _verdict(out["ratio"] >= bench_workers.TARGET_RATIO)
    if out["ratio_in_process"] is not None:
        rows[2]["measured"] = f"2 workers: {out['ratio_in_process']:.2f} x this"
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs (a few minutes)")
    parser.add_argument("--only", nargs="+", choices=list("abcd"), default=list("abcd"))
    parser.add_argument("--mmn-days", type=float, help="(a) days (default 30; quick 5)")
    parser.add_argument("--replications", type=int, help="(b) replications (default 10; quick 3)")
    parser.add_argument(
        "--year-days", type=float, nargs="+", help="(c) days (default 365; quick 28)"
    )
    parser.add_argument("--max-rss-gb", type=float, default=8.0, help="(c) stop past this")
    parser.add_argument(
        "--worker-replications", type=int, help="(d) replications (default 20; quick 4)"
    )
    parser.add_argument("--no-ciw", action="store_true", help="(a) leave Ciw out")
    args = parser.parse_args()
    q = args.quick
    mmn_days = args.mmn_days or (5.0 if q else 30.0)
    replications = args.replications or (3 if q else 10)
    year_days = args.year_days or ([28.0] if q else [bench_year.YEAR_DAYS])
    worker_reps = args.worker_replications or (4 if q else 20)

    print(
        f"controlroom-sim benchmarks{' (quick)' if q else ''}: "
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}"
    )
    rows: list[dict[str, Any]] = []
    loads = []
    parts = {
        "a": lambda: part_a(mmn_days, args.no_ciw),
        "b": lambda: part_b(replications),
        "c": lambda: part_c(year_days, args.max_rss_gb),
        "d": lambda: part_d(worker_reps, 7.0),
    }
    for part in args.only:
        line = load_line()
        loads.append(f"({part}) {line}")
        print(f"\n== ({part}) {line}", flush=True)
        rows.extend(parts[part]())
    loads.append(f"end {load_line()}")
    print("\n== summary")
    for line in loads:
        print(line)
    print(format_table(rows, COLUMNS))
    failed = [r for r in rows if r.get("result") == "FAIL"]
    print(f"{sum(1 for r in rows if r.get('result'))} targets, {len(failed)} failed")
    sys.exit(0)


if __name__ == "__main__":
    main()
