"""The workbench's edit -> answer loop against the same compare from the command line.

The issue's measure: a compare of the baseline against an edited rota, 10 replications of a
week each, on 2 cores. Rows:

* ``cli``: ``controlroom-sim compare scenarios/baseline.toml EDITED --replications 10 --jobs 2
  --calls-format none`` as a fresh process (what a planner at a terminal waits for: Python's
  start, the workers' start, both scenarios simulated, the folder written).
* ``app: start``: the app's warm engine starting its two workers (once per server, before the
  first compare).
* ``app: first compare``: the opened baseline and an edit, both simulated.
* ``app: edit N``: a further edit each (another count on another line): the baseline's
  replications come from the engine's memory, so only the edited side runs; the time includes
  the tables the page draws (the paired differences, the interval series, the weekday-by-hour
  difference), everything between the click and the answer on the page but the browser's
  drawing. (The run folder, for the workbook and the report, is written when they are asked
  for: ``app: folder`` is that, after the last edit.)

Run from the repository root::

    python -m benchmarks.bench_app_compare                  # 10 replications of 7 days
    python -m benchmarks.bench_app_compare --replications 4 --edits 2
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.harness import format_table, load_line

BASELINE = Path("scenarios/baseline.toml")
EDITS = [
    "shift_lines.Early 999.count=4",
    "shift_lines.Late 999.count=4",
    "shift_lines.Late contact.count=8",
    "shift_lines.Night 999.count=3",
]
"""The edits, one per loop (each the grid's override for one changed cell)."""


def cli_compare(edit: str, replications: int, folder: Path) -> float:
    """Wall seconds of the command line's compare of the baseline and the edit."""
    variant = folder / "edited.toml"
    name, value = edit.removeprefix("shift_lines.").rsplit("=", 1)
    line, key = name.rsplit(".", 1)
    variant.write_text(
        f'extends = "{BASELINE.resolve()}"\n[scenario]\nname = "edited"\n'
        f'[shift_lines."{line}"]\n{key} = {value}\n',
        encoding="utf-8",
    )
    command = [
        sys.executable, "-m", "controlroom_sim", "compare", str(BASELINE), str(variant),
        "--replications", str(replications), "--jobs", "2", "--calls-format", "none",
        "--out", str(folder / "cli"), "--quiet",
    ]  # fmt: skip
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def app_loop(replications: int, edits: int, folder: Path) -> list[tuple[str, float, int]]:
    """Wall seconds of the app's engine start, its first compare and each further edit, with
    the replications simulated in each."""
    from controlroom_sim.app.comparing import (
        heatmap_difference,
        interval_means,
        run_compare,
        write_folder,
    )
    from controlroom_sim.app.rota_grid import load_edited
    from controlroom_sim.app.warm import WarmEngine

    rows = []
    start = time.perf_counter()
    engine = WarmEngine(2)
    rows.append(("app: start (two warm workers)", time.perf_counter() - start, 0))
    baseline = load_edited(BASELINE, [])
    try:
        for k in range(edits + 1):
            simulated = engine.simulated
            start = time.perf_counter()
            edited = load_edited(BASELINE, [EDITS[k % len(EDITS)]])
            outcome = run_compare(baseline, edited, replications, engine)
            interval_means(outcome, "answered_within_10s_999")
            heatmap_difference(outcome)
            wall = time.perf_counter() - start
            label = "app: first compare" if k == 0 else f"app: edit {k}"
            rows.append((label, wall, engine.simulated - simulated))
        simulated = engine.simulated
        start = time.perf_counter()
        write_folder(outcome, engine, folder / "app")
        rows.append(("app: folder", time.perf_counter() - start, engine.simulated - simulated))
    finally:
        engine.shut()
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--edits", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"before: {load_line()}")
    with tempfile.TemporaryDirectory(prefix="bench-app-") as tmp:
        folder = Path(tmp)
        cli = cli_compare(EDITS[0], args.replications, folder)
        rows = [("cli: controlroom-sim compare", cli, 2 * args.replications)]
        rows += app_loop(args.replications, args.edits, folder)
    print(f"after: {load_line()}")
    table = [
        {"path": label, "wall s": f"{wall:.2f}", "replications simulated": n}
        for label, wall, n in rows
    ]
    print(format_table(table, ["path", "wall s", "replications simulated"]))
    loops = [wall for label, wall, _ in rows if label.startswith("app: edit")]
    if loops:
        print(
            f"edit -> answer: {min(loops):.2f} to {max(loops):.2f} s "
            f"(target < 5 s; the command line: {cli:.2f} s)"
        )


if __name__ == "__main__":
    main()
