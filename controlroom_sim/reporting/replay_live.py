"""The replay page of a live exercise's room (the app's debrief): the page ``controlroom-sim
replay`` writes from a run folder (:mod:`.replay`), made here from one replication's records
in memory, over the exercise's window, to send round after the session.

The records give what a run folder would: the calls, the incidents (with dispatch) and the
handlers on duty by 15-minute interval (:func:`~controlroom_sim.analysis.intervals.
interval_table`); the whole-run KPIs beside the page are this replication's own.
"""

from __future__ import annotations

import math
from pathlib import Path

from ..analysis.intervals import interval_table
from ..analysis.kpis import replication_kpis
from ..config.schema import Scenario
from ..config.version import __version__
from ..model.records import RunRecords
from .replay import render_replay
from .replay_series import _build
from .replay_source import RUN_KPIS, _duty_rows, _Run
from .replay_window import Window


def live_replay_page(
    scenario: Scenario, records: RunRecords, start_s: float, stop_s: float, name: str
) -> str:
    """The self-contained replay page of ``records`` (one replication of ``scenario``) over
    ``[start_s, stop_s)``, titled with ``name``."""
    run = _Run(
        folder=Path("(live session)"),
        name=name,
        scenario=scenario,
        seed=scenario.scenario.seed,
        replications=1,
        calls_format="memory",
        version=__version__,
        progress=None,
    )
    intervals = _duty_rows(interval_table(records, scenario))
    day = int((start_s - scenario.warmup_s) // 86400.0) + 1
    start = (start_s - scenario.warmup_s) % 86400.0
    spec = Window(day, start, stop_s - start_s, text="the live exercise")
    data = _build(
        run,
        records.replication,
        [records.replication],
        records.calls,
        intervals,
        records.incidents if scenario.dispatch is not None else None,
        spec,
        start_s,
        stop_s,
    )
    kpis = replication_kpis(records, scenario)
    data["run"]["kpis"] = {
        k: round(float(kpis[k]), 4) if math.isfinite(kpis[k]) else None
        for k in RUN_KPIS
        if k in kpis
    }
    return render_replay(data)
