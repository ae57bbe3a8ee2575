"""Reading a telephony export in a foreign format: exact clean rows across both clock changes,
and every messy row counted by its reason (issue 19)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from controlroom_sim.fitting.export import REASONS, read_export
from controlroom_sim.fitting.mapping import load_mapping
from controlroom_sim.fitting.observed import observed_kpis
from tests.fitting.exports import write

UTC = "UTC"


def _read(tmp_path: Path):
    export, mapping = write(tmp_path)
    return read_export([export], load_mapping(mapping)), export


def _t(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz=UTC)


def test_the_clean_calls_are_exact_across_the_clock_changes(tmp_path: Path) -> None:
    result, export = _read(tmp_path)
    calls = result.calls
    assert list(calls["call_id"]) == ["A1", "A2", "A3", "A4", "A13"]
    assert list(calls["channel"]) == ["999", "101", "101", "999", "101"]
    assert list(calls["row"]) == [2, 3, 4, 5, 16]
    assert set(calls["file"]) == {str(export)}
    # BST before the change: an hour behind UTC. 01:30 is the first 01:30 (BST); 01:10 comes
    # after it in the file, so the clock went back: GMT; 01:50 after that is GMT too.
    assert list(calls["offered_at"]) == [
        _t("2025-10-25 23:00:03"),
        _t("2025-10-26 00:30:00"),
        _t("2025-10-26 01:10:00"),
        _t("2025-10-26 01:50:00"),
        _t("2026-03-29 01:30:00"),
    ]
    first = calls.iloc[0]
    assert first["made_at"] == _t("2025-10-25 22:59:58")
    assert first["answered_at"] == _t("2025-10-25 23:00:08")
    assert first["ended_at"] == _t("2025-10-25 23:03:08")
    assert first["wrap_end_at"] == _t("2025-10-25 23:04:08")
    assert (first["wait_s"], first["talk_s"], first["wrap_s"]) == (5.0, 180.0, 60.0)
    assert (first["caller"], first["handler"]) == ("07700900001", "H1")
    # A4's answer at 01:50:04 is the occurrence after its offer (GMT), its end at 02:01 GMT.
    a4 = calls.iloc[3]
    assert a4["answered_at"] == _t("2025-10-26 01:50:04")
    assert (a4["wait_s"], a4["talk_s"]) == (4.0, 656.0)
    assert a4["caller"] is None
    assert list(calls["outcome"]) == ["answered", "answered", "abandoned", "answered", "answered"]
    assert calls["wait_s"].tolist() == [5.0, 20.0, 120.0, 4.0, 9.0]
    assert math.isnan(calls.iloc[2]["talk_s"])
    assert calls.iloc[2]["handler"] is None
    assert calls["made_at"].isna().tolist() == [False, True, True, True, True]
    assert str(calls["offered_at"].dt.tz) == UTC


def test_every_rejected_row_is_counted_by_its_reason(tmp_path: Path) -> None:
    result, export = _read(tmp_path)
    rejections = result.rejections
    assert rejections.rows_read == 15
    assert rejections.counts == {
        "missing_call_id": 1,
        "duplicate_call_id": 1,
        "unknown_channel": 2,
        "unparseable_time": 2,
        "spring_gap": 1,
        "out_of_order": 2,
        "unfinished": 1,
    }
    assert list(rejections.counts) == list(REASONS)
    assert rejections.total + len(result.calls) == rejections.rows_read
    assert rejections.unknown_channels == {"POLICE LINE": 2}
    assert rejections.examples["unparseable_time"] == [
        f"{export}: row 8: offered_at '32/10/2025 10:00:00'",
        f"{export}: row 9: answered_at '26/10/2025 10:00'",
    ]
    assert rejections.examples["spring_gap"] == [
        f"{export}: row 15: offered_at '29/03/2026 01:30:00' never on the clock"
    ]
    assert rejections.examples["out_of_order"] == [
        f"{export}: row 11: answered_at before offered_at",
        f"{export}: row 12: ended_at before answered_at",
    ]
    assert rejections.examples["duplicate_call_id"] == [f"{export}: row 6: call id 'A2' again"]
    assert rejections.examples["missing_call_id"] == [f"{export}: row 10"]
    assert rejections.examples["unfinished"] == [
        f"{export}: row 13: never answered and no ended_at"
    ]


def test_examples_stop_at_three(tmp_path: Path) -> None:
    rows = [f"B{i},EMERGENCY,,99/10/2025 10:00:0{i},,,,," for i in range(5)]
    export, mapping = write(tmp_path, rows)
    rejections = read_export([export], load_mapping(mapping)).rejections
    assert rejections.counts["unparseable_time"] == 5
    assert [e.split(": ")[1] for e in rejections.examples["unparseable_time"]] == [
        "row 2",
        "row 3",
        "row 4",
    ]


def test_the_period_counts_local_days_and_whole_weeks(tmp_path: Path) -> None:
    result, _ = _read(tmp_path)
    period = result.period
    assert period is not None
    assert (period.first, period.last) == (_t("2025-10-25 23:00:03"), _t("2026-03-29 01:30:00"))
    # 26 October 2025 (local; 25th 23:00 UTC) to 29 March 2026: 155 days, 22 whole weeks.
    assert (period.days, period.weeks) == (155, 22)


def test_a_sorted_export_in_the_repeated_hour_without_a_step_back_is_summer_time(
    tmp_path: Path,
) -> None:
    """The documented rule: with nothing in the row order to say otherwise, a time in the
    repeated hour is the first occurrence."""
    rows = ["C1,EMERGENCY,,26/10/2025 01:40:00,26/10/2025 01:40:02,26/10/2025 01:45:00,,H1,"]
    export, mapping = write(tmp_path, rows)
    calls = read_export([export], load_mapping(mapping)).calls
    assert calls["offered_at"].tolist() == [_t("2025-10-26 00:40:00")]
    assert calls["talk_s"].tolist() == [298.0]


def test_two_files_are_one_table_and_duplicates_across_them_count(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one, mapping = write(
        tmp_path / "a", ["D1,EMERGENCY,,27/10/2025 10:00:00,,27/10/2025 10:00:30,,,"]
    )
    two, _ = write(
        tmp_path / "b",
        [
            "D1,EMERGENCY,,27/10/2025 11:00:00,,27/10/2025 11:00:30,,,",
            "D2,NON EMERGENCY,,27/10/2025 09:00:00,27/10/2025 09:00:10,27/10/2025 09:01:00,,H2,",
        ],
    )
    result = read_export([one, two], load_mapping(mapping))
    assert result.calls["call_id"].tolist() == ["D2", "D1"]
    assert result.calls["file"].tolist() == [str(two), str(one)]
    assert result.rejections.counts["duplicate_call_id"] == 1
    assert result.rejections.examples["duplicate_call_id"] == [f"{two}: row 2: call id 'D1' again"]


def test_observed_kpis_of_the_hand_written_export(tmp_path: Path) -> None:
    """By hand: 999 answers from the call being made (A1: 10 s, not under 10; A4: 4 s); 101
    from the offer (20 s, 9 s) with one of three abandoned."""
    result, _ = _read(tmp_path)
    kpis = observed_kpis(result)
    assert kpis["offered_999"] == 2
    assert kpis["answered_within_10s_999"] == 0.5
    assert kpis["mean_answer_s_999"] == 7.0
    assert kpis["abandon_rate_999"] == 0.0
    assert kpis["offered_101"] == 3
    assert kpis["abandon_rate_101"] == pytest.approx(1 / 3)
    assert kpis["answered_within_10s_101"] == 0.5
    assert kpis["mean_answer_s_101"] == 14.5
    assert not any(name.startswith("callback") for name in kpis)


def test_blank_rows_are_left_out_but_keep_their_numbers(tmp_path: Path) -> None:
    rows = [
        "E1,EMERGENCY,,27/10/2025 10:00:00,27/10/2025 10:00:02,27/10/2025 10:03:00,,H1,",
        "",
        ",,,,,,,,",
        "E2,EMERGENCY,,27/10/2025 10:10:00,,bad,,,",
    ]
    export, mapping = write(tmp_path, rows)
    result = read_export([export], load_mapping(mapping))
    assert result.calls["row"].tolist() == [2]
    assert result.rejections.rows_read == 2
    assert result.rejections.examples["unparseable_time"] == [f"{export}: row 5: ended_at 'bad'"]
