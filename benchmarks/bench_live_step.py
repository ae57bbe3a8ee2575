"""The live exercise's update: what the server does each second at 60x real time.

The issue's measure: a live step at 60x keeps the page updating at least once a second on 2
cores with the baseline. Each second the page's fragment advances the live room and its ghost
by 60 simulated seconds and draws the room again. Rows (median and worst of ``--updates``
updates, through the surge of ``scenarios/whatif/major_incident_surge.toml``, the baseline with
its major incident, from 2 hours before the peak):

* ``session start``: both rooms run from the start of the run to the window (once per session);
* ``advance 60 s``: :meth:`LiveSession.advance` by 60 simulated seconds (both rooms, a sample);
* ``snapshot + charts``: the snapshot and the four Altair charts turned into the Vega-Lite
  documents Streamlit sends;
* ``page rerun``: the whole live page script run headless (``AppTest``) with the session as it
  stands at the end: every widget, card, chart and table, a bound on the fragment's own rerun;
* ``update``: ``advance 60 s`` + ``page rerun``, against the budget of 1 s.

Run from the repository root::

    python -m benchmarks.bench_live_step                 # 360 updates: 6 hours at 60x
    python -m benchmarks.bench_live_step --updates 60
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from benchmarks.harness import format_table

SCENARIO = Path("scenarios/whatif/major_incident_surge.toml")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=360)
    parser.add_argument("--reruns", type=int, default=5)
    args = parser.parse_args(argv)

    from streamlit.testing.v1 import AppTest

    from controlroom_sim.app import live_charts
    from controlroom_sim.config.loading import load_scenario
    from controlroom_sim.experiments.live import LiveSession

    scenario = load_scenario(SCENARIO)
    peak = scenario.warmup_s + 2 * 86400.0 + 18 * 3600.0
    t0 = time.perf_counter()
    session = LiveSession(scenario, 0, start_s=peak - 7200.0, stop_s=peak + 6 * 3600.0)
    start = time.perf_counter() - t0
    channels = list(scenario.channels)
    origin = scenario.origin_weekday_s
    steps, draws = [], []
    for k in range(args.updates):
        t0 = time.perf_counter()
        session.advance(session.now + 60.0)
        steps.append(time.perf_counter() - t0)
        if k % 10 == 0 or k == args.updates - 1:
            t0 = time.perf_counter()
            snap = session.snapshot()
            history = snap["history"]
            for chart in (
                live_charts.rate_chart(history, origin),
                live_charts.waiting_chart(history, origin, channels),
                live_charts.handlers_chart(history, origin),
                live_charts.queue_chart(history, origin, scenario.dispatch is not None),
            ):
                chart.to_dict()
            draws.append(time.perf_counter() - t0)
    main_script = Path(__file__).resolve().parents[1] / "controlroom_sim" / "app" / "main.py"
    app = AppTest.from_file(str(main_script), default_timeout=120)
    app.run()
    app.switch_page("views/live.py").run()
    app.session_state["live_session"] = session
    reruns = []
    for _ in range(args.reruns):
        t0 = time.perf_counter()
        app.run()
        reruns.append(time.perf_counter() - t0)
    assert not app.exception, app.exception
    rows = [
        ("session start", start, start),
        ("advance 60 s", statistics.median(steps), max(steps)),
        ("snapshot + charts", statistics.median(draws), max(draws)),
        ("page rerun", statistics.median(reruns), max(reruns)),
        (
            "update (advance + rerun)",
            statistics.median(steps) + statistics.median(reruns),
            max(steps) + max(reruns),
        ),
    ]
    table = [{"step": n, "median s": f"{a:.3f}", "worst s": f"{b:.3f}"} for n, a, b in rows]
    print(format_table(table, ["step", "median s", "worst s"]))
    print(f"{len(session.rows) // 2} samples a room at the end; budget: 1 s an update at 60x")


if __name__ == "__main__":
    main()
