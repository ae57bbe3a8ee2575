"""One replication of a year of a large force (about 3 million calls): wall time and memory.

The large force is the built-in baseline scaled with ``--set``-style overrides: both channels'
``calls_per_day`` times ``--scale`` (3.75 by default: about 2,570 999 and 5,140 101 calls a
day, some 3 million offered calls a year with redials and repeat calls), and every shift's
``count`` of handlers, response officers, dispatchers and support workers and the
appointment slots' ``per_slot`` times the same factor, so the loads stay those of the
baseline (999 answered within 10 s near 80%, handler occupancy near 0.77: see the KPI line).

The replication runs in a fresh process through the public API
(``controlroom_sim.run(replications=1, engine="serial", calls_format="none")``, so records,
KPIs and interval tables are built as in a real run). A thread in that process samples its
resident memory (``VmRSS`` in ``/proc/self/status``, and of it the anonymous part,
``RssAnon``) every ``--interval`` seconds with the phase (simulate, records, kpis, ...), the
simulated day and the calls made so far, so the table shows whether memory grows with the
horizon; the process is stopped if it passes ``--max-rss-gb``. "sim peak MiB" is the largest
sample while simulating (records stream to disk as the run goes); "peak MiB" is the process's
high-water mark (``VmHWM``), reached when the KPIs read the records back at the end.

``--days`` runs a shorter horizon (or several: ``--days 28 91``, each in its own process);
a run shorter than the year is extrapolated to a year from the growth between the two longest
runs (a power law in calls), or in proportion to calls from a single run.

Run from the repository root::

    python -m benchmarks.bench_year                  # the year (target: < 5 min, < 2 GB)
    python -m benchmarks.bench_year --days 28 91     # shorter runs and the extrapolation
"""

from __future__ import annotations

import argparse
import math
import multiprocessing as mp
import os
import sys
import threading
import time
import traceback
from collections.abc import Sequence
from typing import Any

from benchmarks.harness import format_table, load_line, peak_rss_mb
from benchmarks.instrument import Probe

SCALE = 3.75
YEAR_DAYS = 365.0
TARGET_WALL_S = 300.0
TARGET_RSS_MIB = 2048.0
KPIS = (
    "answered_within_10s_999",
    "abandon_rate_999",
    "abandon_rate_101",
    "handler_occupancy",
    "officer_utilisation",
)


def large_force_overrides(scale: float = SCALE, days: float = YEAR_DAYS) -> list[str]:
    """``KEY=VALUE`` overrides turning the baseline into a force ``scale`` times its size."""
    from controlroom_sim.config.loading import load_scenario

    base = load_scenario(None)
    out = [f"scenario.days={days:g}"]
    for name, channel in base.channels.items():
        out.append(f"channels.{name}.calls_per_day={channel.calls_per_day * scale:g}")
    for key, groups in (
        ("handlers", base.handlers),
        ("officers", base.officers),
        ("dispatchers", base.dispatchers),
        ("support_workers", base.support_workers),
    ):
        for g, group in enumerate(groups):
            if group.count is not None:
                out.append(f"{key}.{g}.count={max(1, round(group.count * scale))}")
            for s, shift in enumerate(group.shifts or []):
                out.append(f"{key}.{g}.shifts.{s}.count={max(1, round(shift.count * scale))}")
    dispatch = base.dispatch
    if dispatch is not None and dispatch.appointments is not None:
        per_slot = max(1, round(dispatch.appointments.per_slot * scale))
        out.append(f"dispatch.appointments.per_slot={per_slot}")
    return out


def _status_mib(key: str) -> float | None:
    """A line of ``/proc/self/status``, MiB (Linux only; None elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(f"{key}:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def _vm_rss_mib() -> float:
    """Resident memory now, MiB (Linux; elsewhere the peak so far)."""
    rss = _status_mib("VmRSS")
    return rss if rss is not None else peak_rss_mb()


def _round(value: float | None) -> int | None:
    return None if value is None else round(value)


class _Sampler(threading.Thread):
    """Samples RSS, phase, simulated day and calls every ``interval`` seconds."""

    def __init__(
        self,
        probe: Probe,
        interval: float,
        limit_mib: float,
        on_limit: Any,
        verbose: bool,
    ) -> None:
        super().__init__(daemon=True)
        self.probe = probe
        self.interval = interval
        self.limit_mib = limit_mib
        self.on_limit = on_limit
        self.verbose = verbose
        self.samples: list[dict[str, Any]] = []
        self.start_s = time.perf_counter()
        self._stop_event = threading.Event()

    def sample(self) -> dict[str, Any]:
        env = self.probe.env
        now = getattr(env, "now", None)
        row = {
            "t s": round(time.perf_counter() - self.start_s, 1),
            "phase": self.probe.phase,
            "sim day": round(now / 86400.0, 1) if now is not None else None,
            "calls": self.probe.calls_so_far(),
            "RSS MiB": round(_vm_rss_mib()),
            # Of which anonymous (the heap: not pages of the records' files mapped back at
            # the end, which the system can drop and read again).
            "anon MiB": _round(_status_mib("RssAnon")),
        }
        self.samples.append(row)
        return row

    def run(self) -> None:
        last_print = 0.0
        while not self._stop_event.wait(self.interval):
            row = self.sample()
            if self.verbose and row["t s"] - last_print >= 15:
                last_print = row["t s"]
                print(
                    f"  {row['t s']:7.1f} s  {row['phase']:<9} day {row['sim day']}  "
                    f"{row['calls'] or 0:>10,} calls  RSS {row['RSS MiB']:,} MiB "
                    f"(anon {row['anon MiB'] or 0:,})",
                    file=sys.stderr,
                    flush=True,
                )
            if row["RSS MiB"] > self.limit_mib:
                self.on_limit(row)
                return

    def stop(self) -> None:
        self._stop_event.set()
        self.join()
        self.sample()


def _year_child(
    conn: Any,
    scale: float,
    days: float,
    seed: int,
    interval: float,
    limit_mib: float,
    verbose: bool,
) -> None:
    """In the fresh process: load the scenario, run one replication, send the figures."""
    try:
        import controlroom_sim as crs
        from controlroom_sim.config.loading import load_scenario

        scenario = load_scenario(None, large_force_overrides(scale, days))
        baseline_mib = _vm_rss_mib()
        probe = Probe()
        started = time.perf_counter()

        def on_limit(row: dict[str, Any]) -> None:
            conn.send(
                (
                    "limit",
                    {
                        "samples": sampler.samples,
                        "wall_s": time.perf_counter() - started,
                        "at": row,
                    },
                )
            )
            conn.close()
            os._exit(3)

        sampler = _Sampler(probe, interval, limit_mib, on_limit, verbose)
        with probe:
            sampler.start()
            cpu = time.process_time()
            result = crs.run(
                scenario,
                replications=1,
                seed=seed,
                jobs=1,
                engine="serial",
                calls_format="none",
                keep_records=False,
            )
            cpu = time.process_time() - cpu
            wall = time.perf_counter() - started
            sampler.stop()
        kpis = result.replications[0].kpis
        payload = {
            "days": scenario.scenario.days,
            "end_days": scenario.end_s / 86400.0,
            "calls": result.calls_simulated,
            "wall_s": wall,
            "cpu_s": cpu,
            "peak_rss_mb": peak_rss_mb(),
            "baseline_rss_mb": baseline_mib,
            "samples": sampler.samples,
            "kpis": {k: float(kpis[k]) for k in KPIS if k in kpis},
            **probe.report(),
        }
        conn.send(("ok", payload))
    except BaseException:
        conn.send(("error", traceback.format_exc()))
    finally:
        conn.close()


def run_year(
    days: float = YEAR_DAYS,
    scale: float = SCALE,
    seed: int = 1,
    interval: float = 1.0,
    max_rss_gb: float = 8.0,
    verbose: bool = True,
) -> dict[str, Any]:
    """One replication in a fresh process; ``status`` is ``ok`` or ``limit`` (stopped)."""
    ctx = mp.get_context("spawn")
    recv_end, send_end = ctx.Pipe(duplex=False)
    args = (send_end, scale, days, seed, interval, max_rss_gb * 1024.0, verbose)
    proc = ctx.Process(target=_year_child, args=args, daemon=True)
    proc.start()
    send_end.close()
    try:
        status, payload = recv_end.recv()
    except EOFError:
        proc.join()
        raise RuntimeError(f"the year run died (exit code {proc.exitcode})") from None
    finally:
        recv_end.close()
    proc.join()
    if status == "error":
        raise RuntimeError(f"the year run failed:\n{payload}")
    payload["status"] = status
    payload["requested_days"] = days
    return payload


def thin(samples: Sequence[dict[str, Any]], rows: int = 14) -> list[dict[str, Any]]:
    """About ``rows`` samples spread over the run, always keeping each phase change and the
    largest RSS."""
    if len(samples) <= rows:
        return list(samples)
    keep = {0, len(samples) - 1}
    keep.add(max(range(len(samples)), key=lambda i: samples[i]["RSS MiB"]))
    for i in range(1, len(samples)):
        if samples[i]["phase"] != samples[i - 1]["phase"]:
            keep.add(i)
    step = (len(samples) - 1) / (rows - 1)
    keep.update(round(k * step) for k in range(rows))
    return [samples[i] for i in sorted(keep)]


def year_calls(run: dict[str, Any]) -> float:
    """Calls a year would make, from a shorter run (in proportion to the simulated span)."""
    year_end = YEAR_DAYS + (run["end_days"] - run["days"])  # the same warm-up and cool-down
    return run["calls"] * year_end / run["end_days"]


def _quadratic(runs: Sequence[dict[str, Any]], key: str, end_days: float) -> float | None:
    """``a * D + b * D**2`` through the two longest runs (``D``: simulated days, warm-up and
    cool-down included), at ``end_days``: a cost growing with the horizon times the work
    already done (a scan of every incident at each reassessment, garbage collection of a
    growing heap) shows up as ``b``."""
    if len(runs) < 2:
        return None
    (d1, t1), (d2, t2) = ((r["end_days"], r[key]) for r in runs[-2:])
    det = d1 * d2**2 - d2 * d1**2
    if det == 0:
        return None
    a = (t1 * d2**2 - t2 * d1**2) / det
    b = (d1 * t2 - d2 * t1) / det
    return a * end_days + b * end_days**2


def extrapolate(runs: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """Wall time and peak RSS of a year from finished shorter runs.

    Two or more: a power law in calls through the two longest (time ~ calls^a, extra memory
    over the loaded interpreter ~ calls^b), and for time also a quadratic in the horizon
    (``_quadratic``); ``wall_s`` is the larger of the two. One run: in proportion to calls.
    """
    done = sorted((r for r in runs if r["status"] == "ok"), key=lambda r: r["calls"])
    if not done or done[-1]["days"] >= YEAR_DAYS:
        return None
    last = done[-1]
    target = year_calls(last)
    ratio = target / last["calls"]
    a = b = 1.0
    if len(done) >= 2 and done[-2]["calls"] < last["calls"]:
        prev = done[-2]
        calls_ratio = math.log(last["calls"] / prev["calls"])
        a = math.log(last["wall_s"] / prev["wall_s"]) / calls_ratio
        extra_last = last["peak_rss_mb"] - last["baseline_rss_mb"]
        extra_prev = prev["peak_rss_mb"] - prev["baseline_rss_mb"]
        if extra_last > 0 and extra_prev > 0:
            b = math.log(extra_last / extra_prev) / calls_ratio
    extra = last["peak_rss_mb"] - last["baseline_rss_mb"]
    year_end = YEAR_DAYS + (last["end_days"] - last["days"])
    power = last["wall_s"] * ratio**a
    quadratic = _quadratic(done, "wall_s", year_end)
    cpu_quadratic = _quadratic(done, "cpu_s", year_end)
    return {
        "calls": target,
        "wall_s": max(power, quadratic or 0.0),
        "wall_s_power": power,
        "wall_s_quadratic": quadratic,
        "cpu_s_quadratic": cpu_quadratic,
        "cpu_s_power": last["cpu_s"] * ratio**a,
        "peak_rss_mb": last["baseline_rss_mb"] + extra * ratio**b,
        "time_exponent": a,
        "memory_exponent": b,
        "from_days": [r["days"] for r in done[-2:]],
    }


def summary_row(run: dict[str, Any]) -> dict[str, Any]:
    calls = run.get("calls")
    if run["status"] != "ok":
        at = run["at"]
        return {
            "days": run["requested_days"],
            "status": f"stopped at {at['RSS MiB']:,} MiB, day {at['sim day']}",
            "wall s": round(run["wall_s"], 1),
            "calls": at["calls"],
        }
    sim = run["seconds"]["simulate"]
    events = run["events"]
    simulating = [r["RSS MiB"] for r in run["samples"] if r["phase"] == "simulate"]
    return {
        "days": run["days"],
        "status": "ok",
        "calls": calls,
        "wall s": round(run["wall_s"], 1),
        "calls/s": round(calls / run["wall_s"]),
        "calls/CPU s": round(calls / run["cpu_s"]),
        "events/s": round(events / sim) if events and sim else None,
        "sim s": round(sim, 1),
        "records s": round(run["seconds"]["records"], 1),
        "KPIs s": round(run["seconds"]["kpis"] + run["seconds"]["intervals"], 1),
        "sim peak MiB": max(simulating) if simulating else None,
        "peak MiB": round(run["peak_rss_mb"]),
        "KiB/call": round((run["peak_rss_mb"] - run["baseline_rss_mb"]) * 1024 / calls, 2),
    }


SUMMARY_COLUMNS = ["days", "status", "calls", "wall s", "calls/s", "calls/CPU s", "events/s"]
SUMMARY_COLUMNS += ["sim s", "records s", "KPIs s", "sim peak MiB", "peak MiB", "KiB/call"]


def describe_extrapolation(ext: dict[str, Any]) -> str:
    text = (
        f"a year ({ext['calls']:,.0f} calls), extrapolated: peak about "
        f"{ext['peak_rss_mb']:,.0f} MiB (memory ~ calls^{ext['memory_exponent']:.2f}); wall "
        f"{ext['wall_s_power']:.0f} s as a power law (time ~ calls^{ext['time_exponent']:.2f})"
    )
    if ext["wall_s_quadratic"] is not None:
        text += (
            f", {ext['wall_s_quadratic']:.0f} s as a quadratic in days; CPU "
            f"{ext['cpu_s_quadratic']:.0f} s as a quadratic (on a quiet machine wall ~ CPU)"
        )
    return text


def verdict(runs: Sequence[dict[str, Any]]) -> tuple[str, str]:
    """``(PASS|FAIL, how)`` for the year target: measured if a year ran, else extrapolated."""
    year = [r for r in runs if r["requested_days"] >= YEAR_DAYS]
    if year:
        r = year[-1]
        if r["status"] != "ok":
            return "FAIL", f"stopped past the memory cap after {r['wall_s']:.0f} s"
        ok = r["wall_s"] < TARGET_WALL_S and r["peak_rss_mb"] < TARGET_RSS_MIB
        how = f"measured: {r['wall_s']:.0f} s, peak {r['peak_rss_mb']:,.0f} MiB"
        return ("PASS" if ok else "FAIL"), how
    ext = extrapolate(runs)
    if ext is None:
        return "FAIL", "no run finished"
    ok = ext["wall_s"] < TARGET_WALL_S and ext["peak_rss_mb"] < TARGET_RSS_MIB
    how = (
        f"extrapolated from {' and '.join(f'{d:g}' for d in ext['from_days'])} days: "
        f"{ext['calls']:,.0f} calls, {ext['wall_s']:.0f} s, peak {ext['peak_rss_mb']:,.0f} MiB"
    )
    return ("PASS" if ok else "FAIL"), how


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--days", type=float, nargs="+", default=[YEAR_DAYS], help="simulated days (default 365)"
    )
    parser.add_argument("--scale", type=float, default=SCALE, help=f"default {SCALE}")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--interval", type=float, default=1.0, help="RSS sampling, seconds")
    parser.add_argument("--max-rss-gb", type=float, default=8.0, help="stop past this (GiB)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    args = parser.parse_args()
    runs = []
    for days in sorted(args.days):
        print(load_line())
        print(f"large force (baseline x {args.scale:g}), {days:g} days ...", flush=True)
        run = run_year(days, args.scale, args.seed, args.interval, args.max_rss_gb, not args.quiet)
        runs.append(run)
        columns = ["t s", "phase", "sim day", "calls", "RSS MiB", "anon MiB"]
        print(format_table(thin(run["samples"]), columns))
        if run["status"] == "ok":
            print("KPIs: " + ", ".join(f"{k} {v:.3f}" for k, v in run["kpis"].items()))
    print(load_line())
    print()
    print(format_table([summary_row(r) for r in runs], SUMMARY_COLUMNS))
    ext = extrapolate(runs)
    if ext is not None:
        print(describe_extrapolation(ext))
    result, how = verdict(runs)
    print(f"target: a year in under 5 minutes and under 2 GB: {result} ({how})")


if __name__ == "__main__":
    main()
