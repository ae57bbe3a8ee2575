"""KPIs of digital contact (``[digital]``), from the ``digital`` table and the handlers' digital
stints in ``work``.

* ``digital_arrived``, ``digital_done``: items that arrived in the measured window, and those of
  them whose work was done by the end of the run.
* ``digital_within_target``: of the items whose target moment (arrival + ``target_hours``)
  fell inside the measured window, the share done by then. An item still open when the run
  stopped counts as late: its target has passed, so nothing is censored. (Items whose target
  falls after the window are not counted at all, whatever happened to them.)
* ``digital_mean_backlog``, ``digital_peak_backlog``: items arrived and not yet done (waiting,
  set aside or in hand), the time average and the highest level inside the window.
* ``digital_mean_review_hours``, ``digital_p90_review_hours``: hours from arrival to the work
  done, of the items that arrived in the window and were done by the end of the run (those
  still open are left out: read them with ``digital_done`` against ``digital_arrived``).
* ``digital_hours``: handler hours spent on digital items inside the window.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config.schema import Digital
from ..model.records import RunRecords

DIGITAL_DESCRIPTIONS: dict[str, str] = {
    "digital_arrived": "digital items (online reports, e-mails, chats) arrived in the window",
    "digital_done": "of those, items whose work was done by the end of the run",
    "digital_within_target": "share of digital items whose target (arrival + target_hours) fell "
    "in the window done by then; an item still open counts as late",
    "digital_mean_backlog": "time-average number of digital items arrived and not done",
    "digital_peak_backlog": "highest number of digital items arrived and not done",
    "digital_mean_review_hours": "mean hours from a digital item's arrival to its work done, "
    "items arrived in the window and done by the end of the run",
    "digital_p90_review_hours": "90th percentile of those hours",
    "digital_hours": "handler hours spent on digital items in the window",
}


def backlog_steps(items: pd.DataFrame, end_s: float) -> tuple[np.ndarray, np.ndarray]:
    """The backlog as a step function: ``times`` (sorted) and ``level`` (items arrived and
    not done from ``times[i]`` on); an item not done stays until ``end_s``."""
    starts = items["arrival_s"].to_numpy()
    ends = items["done_s"].fillna(end_s).to_numpy()
    times = np.concatenate([starts, ends])
    steps = np.concatenate([np.ones(len(starts)), -np.ones(len(ends))])
    order = np.lexsort((steps, times))  # at the same moment, a departure before an arrival
    return times[order], np.cumsum(steps[order])


def _backlog(items: pd.DataFrame, lo: float, hi: float, end_s: float) -> tuple[float, float]:
    """Mean and peak backlog over ``[lo, hi)``."""
    times, level = backlog_steps(items, end_s)
    before = times < lo
    start_level = float(level[before][-1]) if before.any() else 0.0
    inside = (times >= lo) & (times < hi)
    t = np.concatenate([[lo], times[inside], [hi]])
    lv = np.concatenate([[start_level], level[inside]])
    mean = float(np.sum(np.diff(t) * lv) / (hi - lo)) if hi > lo else float("nan")
    return mean, float(lv.max())


def digital_kpis(records: RunRecords, spec: Digital) -> dict[str, float]:
    """The digital KPIs of one replication (see the module docstring)."""
    items = records.digital
    assert items is not None
    lo, hi = records.warmup_s, records.horizon_s
    arrival = items["arrival_s"].to_numpy()
    done = items["done_s"].to_numpy()
    measured = (arrival >= lo) & (arrival < hi)
    target_s = spec.target_hours * 3600.0
    due = arrival + target_s
    judged = (due >= lo) & (due < hi)
    with np.errstate(invalid="ignore"):
        on_time = judged & (done - arrival <= target_s)
    n_judged = int(judged.sum())
    mean, peak = _backlog(items, lo, hi, records.end_s)
    finished = measured & ~np.isnan(done)
    review_h = (done[finished] - arrival[finished]) / 3600.0
    work = records.work
    stints = work[work["kind"] == "digital"]
    hours = np.clip(
        np.minimum(stints["end_s"].to_numpy(), hi) - np.maximum(stints["start_s"].to_numpy(), lo),
        0.0,
        None,
    ).sum()
    return {
        "digital_arrived": float(measured.sum()),
        "digital_done": float(finished.sum()),
        "digital_within_target": float(on_time.sum()) / n_judged if n_judged else float("nan"),
        "digital_mean_backlog": mean,
        "digital_peak_backlog": peak,
        "digital_mean_review_hours": float(review_h.mean()) if len(review_h) else float("nan"),
        "digital_p90_review_hours": (
            float(np.percentile(review_h, 90)) if len(review_h) else float("nan")
        ),
        "digital_hours": float(hours) / 3600.0,
    }
