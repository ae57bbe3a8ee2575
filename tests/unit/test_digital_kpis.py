"""The digital KPIs from hand-made records: which items are judged against the target (those
whose target fell in the window, an open one late), the backlog's mean and peak, review hours,
and the backlog column of the interval table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from controlroom_sim.analysis.digital_kpis import digital_kpis
from controlroom_sim.analysis.kpi_kinds import kpi_kind
from controlroom_sim.analysis.kpis import KPI_DESCRIPTIONS
from controlroom_sim.config.schema import Digital
from controlroom_sim.model.records import RunRecords

H = 3600.0
NAN = math.nan
SPEC = Digital(items_per_day=1.0, work_s={"dist": "fixed", "value": 60.0}, target_hours=2.0)


def _records(items: list[tuple[float, float]], stints: list[tuple[float, float]]) -> RunRecords:
    """Window [10 h, 20 h), run to 21 h; items as (arrival, done)."""
    digital = pd.DataFrame(
        {
            "item_id": np.arange(len(items)),
            "arrival_s": [a for a, _ in items],
            "first_start_s": [a for a, _ in items],
            "done_s": [d for _, d in items],
            "work_s": 60.0,
            "worked_s": 60.0,
            "set_asides": 0,
        }
    )
    work = pd.DataFrame(
        {
            "handler_id": 0,
            "call_id": 0,
            "start_s": [s for s, _ in stints],
            "end_s": [e for _, e in stints],
            "kind": pd.Categorical(["digital"] * len(stints), categories=["call", "digital"]),
        }
    )
    empty = pd.DataFrame()
    return RunRecords(0, 10 * H, 20 * H, 21 * H, empty, work, empty, empty, digital=digital)


def test_items_are_judged_when_their_target_falls_in_the_window() -> None:
    r = _records(
        [
            (7 * H, 8 * H),  # target at 9 h: before the window, not judged
            (8.5 * H, 9 * H),  # target 10.5 h: judged, in time
            (9 * H, 11.5 * H),  # target 11 h: judged, late
            (12 * H, NAN),  # target 14 h, open at the end: judged, late
            (18.5 * H, NAN),  # target 20.5 h: after the window, not judged
        ],
        [],
    )
    k = digital_kpis(r, SPEC)
    assert k["digital_within_target"] == pytest.approx(1 / 3)
    assert k["digital_arrived"] == 2.0  # 12 h and 18.5 h
    assert k["digital_done"] == 0.0


def test_backlog_mean_and_peak_and_review_hours() -> None:
    """In [10, 20): one item from 9 h to 11 h (1 h inside), one 12-16 h, one 13-14 h, one from
    19 h never done (1 h inside): 1 + 4 + 1 + 1 = 7 item-hours over 10 h; peak 2."""
    r = _records(
        [(9 * H, 11 * H), (12 * H, 16 * H), (13 * H, 14 * H), (19 * H, NAN)],
        [(9 * H, 11 * H), (19.5 * H, 21 * H)],
    )
    k = digital_kpis(r, SPEC)
    assert k["digital_mean_backlog"] == pytest.approx(0.7)
    assert k["digital_peak_backlog"] == 2.0
    assert k["digital_mean_review_hours"] == pytest.approx((4 + 1) / 2)
    assert k["digital_hours"] == pytest.approx(1.0 + 0.5)


def test_every_digital_kpi_has_a_kind_and_a_description() -> None:
    r = _records([(12 * H, 13 * H)], [(12 * H, 13 * H)])
    for name in digital_kpis(r, SPEC):
        assert name in KPI_DESCRIPTIONS
        assert kpi_kind(name) == ("share" if name == "digital_within_target" else "amount")
