"""This tree's speed against another commit's, measured in the same run.

A restructuring must not slow the engine. Speeds measured on different days, or on a machine
busy with other work, are not comparable, so this script checks out the reference commit into
a temporary git worktree and runs the same benchmarks in both trees in alternation (reference,
this tree, reference, ...), each in a fresh process that imports that tree's package. It prints
every round and, per benchmark, the median of each tree, the ratio of this tree's median to the
reference's, and the spread of the reference's own rounds (max / min), which is the noise a
ratio has to stand out from.

Benchmarks (each tree runs its own copy of the scripts, so they may differ in import paths):

* ``baseline``: :func:`benchmarks.bench_baseline.measure_baseline`, the calibrated baseline
  with every feature it has on, serially on one core (calls/s over the whole run);
* ``mmn``: :func:`benchmarks.bench_mmn.measure_mmn`, M/M/63+M through the full engine
  (calls/s of the engine alone; the plain SimPy loop runs too, as each round's own reference).

Run from the repository root::

    python -m benchmarks.against 4202f21                 # 3 rounds of both
    python -m benchmarks.against main~5 --rounds 5 --only baseline
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.harness import format_table, load_line

ROOT = Path(__file__).resolve().parents[1]

SNIPPETS = {
    "baseline": (
        "from benchmarks import bench_baseline as b; import json; "
        "r = b.measure_baseline({replications}, {days}); "
        "print('RESULT', json.dumps({{'calls/s': r['row']['calls/s'], "
        "'sim-only calls/s': r['row']['sim-only calls/s']}}))"
    ),
    "mmn": (
        "from benchmarks import bench_mmn as b; import json; "
        "r = b.measure_mmn({mmn_days}, 1, False); "
        "print('RESULT', json.dumps({{'engine calls/s': r['speeds'][b.ENGINE], "
        "'engine / plain SimPy': r['ratios'][b.ENGINE]}}))"
    ),
}


def _measure(tree: Path, name: str, args: argparse.Namespace) -> dict[str, float]:
    """One benchmark in a fresh process that imports ``tree``'s package and scripts."""
    code = SNIPPETS[name].format(
        replications=args.replications, days=args.days, mmn_days=args.mmn_days
    )
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, "-c", f"import controlroom_sim as c; print('FROM', c.__file__); {code}"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"error: {name} in {tree} failed:\n{done.stderr[-2000:]}")
    lines = done.stdout.splitlines()
    origin = next(line for line in lines if line.startswith("FROM "))[5:]
    if not Path(origin).resolve().is_relative_to(tree.resolve()):
        raise SystemExit(f"error: {tree} imported controlroom_sim from {origin}")
    return json.loads(next(line for line in lines if line.startswith("RESULT "))[7:])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("reference", help="the commit to measure against (any git revision)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", nargs="+", choices=sorted(SNIPPETS), default=sorted(SNIPPETS))
    parser.add_argument("--replications", type=int, default=3, help="baseline replications")
    parser.add_argument("--days", type=float, default=7.0, help="baseline days")
    parser.add_argument("--mmn-days", type=float, default=5.0, help="M/M/63+M days")
    args = parser.parse_args(argv)

    sha = subprocess.run(
        ["git", "rev-parse", "--short", args.reference],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(load_line())
    with tempfile.TemporaryDirectory(prefix="bench-against-") as tmp:
        ref = Path(tmp) / sha
        subprocess.run(
            ["git", "worktree", "add", "--detach", "-q", str(ref), sha], cwd=ROOT, check=True
        )
        try:
            rows, seen = [], {}
            for round_ in range(1, args.rounds + 1):
                for name in args.only:
                    for label, tree in ((f"reference {sha}", ref), ("this tree", ROOT)):
                        result = _measure(tree, name, args)
                        for metric, value in result.items():
                            seen.setdefault((name, metric, label), []).append(value)
                            rows.append(
                                {
                                    "round": round_,
                                    "benchmark": name,
                                    "tree": label,
                                    "metric": metric,
                                    "value": round(value, 3),
                                }
                            )
                        print(f"round {round_} {name} {label}: {result}", flush=True)
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(ref)], cwd=ROOT, check=False
            )
    summary = []
    for (name, metric, label), values in seen.items():
        if label != "this tree":
            continue
        reference = seen[(name, metric, f"reference {sha}")]
        summary.append(
            {
                "benchmark": name,
                "metric": metric,
                f"reference {sha} (median)": round(statistics.median(reference), 2),
                "this tree (median)": round(statistics.median(values), 2),
                "ratio": f"{statistics.median(values) / statistics.median(reference):.3f}",
                "reference spread": f"{max(reference) / min(reference):.3f}",
            }
        )
    print()
    print(format_table(summary, list(summary[0])))
    print(load_line())


if __name__ == "__main__":
    main()
