"""Trace-driven runs (controlroom_sim.fitting.trace): the follow-up rule on a hand-built export,
the trace's clock (first local midnight, weekday, days across a clock change), the scenario
changes, and exact traces with fixed durations: the simulated calls arrive at the export's
times and are answered at known times."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from controlroom_sim.config.errors import ScenarioError
from controlroom_sim.config.files import builtin_baseline_path
from controlroom_sim.config.loading import load_scenario
from controlroom_sim.config.schema import Scenario
from controlroom_sim.fitting.export import read_export
from controlroom_sim.fitting.follow_ups import FOLLOW_UP_WINDOW_S, follow_ups
from controlroom_sim.fitting.mapping import load_mapping
from controlroom_sim.fitting.trace import (
    Trace,
    TraceError,
    build_trace,
    check_scenario,
    trace_scenario,
)
from controlroom_sim.model import simulate
from tests.helpers.traces import fixed

HEADER = "Ref,Service,Dialled,Presented,Answered,Cleared,CLI"
MAPPING = """\
[columns]
call_id = "Ref"
channel = "Service"
offered_at = "Presented"
answered_at = "Answered"
ended_at = "Cleared"
{made}
{caller}

[channels]
"999" = ["EMERGENCY"]
"101" = ["NON EMERGENCY"]

[times]
format = "%Y-%m-%d %H:%M:%S"
"""
DAY = "2025-06-04"  # a Wednesday, in summer time: local midnight is 23:00 UTC the day before


def row(
    ref: str,
    service: str,
    offered: str,
    *,
    made: str = "",
    answered: str = "",
    ended: str = "",
    caller: str = "",
) -> str:
    def at(clock: str) -> str:
        return f"{DAY} {clock}" if clock else ""

    name = "EMERGENCY" if service == "999" else "NON EMERGENCY"
    times = ",".join(at(c) for c in (made, offered, answered, ended))
    return f"{ref},{name},{times},{caller}"


def write_export(
    folder: Path, rows: list[str], *, made: bool = True, caller: bool = True
) -> tuple[Path, Path]:
    export = folder / "calls.csv"
    export.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    mapping = folder / "mapping.toml"
    mapping.write_text(
        MAPPING.format(
            made='made_at = "Dialled"' if made else "",
            caller='caller = "CLI"' if caller else "",
        ),
        encoding="utf-8",
    )
    return export, mapping


def read_trace(folder: Path, rows: list[str], **options: bool) -> tuple[Trace, Any]:
    export_file, mapping_file = write_export(folder, rows, **options)
    mapping = load_mapping(mapping_file)
    export = read_export([export_file], mapping)
    return build_trace(export, mapping, [export_file], mapping_file), export


# -- the follow-up rule ---------------------------------------------------------------------------

FOLLOW_UP_ROWS = [
    # C1 abandons 101 at 10:01:00; rings 101 again 30 min later (a redial), then 61 min after
    # the abandonment (too late: the call between was answered, nothing to follow)
    row("R1", "101", "10:00:00", ended="10:01:00", caller="C1"),
    row("R2", "101", "10:31:00", answered="10:31:10", ended="10:35:00", caller="C1"),
    row("R3", "101", "11:01:01", answered="11:01:05", ended="11:03:00", caller="C1"),
    # C2 abandons 101, then rings 999 (made 25 s later): a 101 caller ringing 999
    row("R4", "101", "12:00:00", ended="12:02:00", caller="C2"),
    row(
        "R5", "999", "12:02:30", made="12:02:25", answered="12:02:33", ended="12:04:00", caller="C2"
    ),
    # C3 abandons 999, then rings 101: not a follow-up (the model never turns 999 into 101)
    row("R6", "999", "13:00:00", made="12:59:56", ended="13:00:40", caller="C3"),
    row("R7", "101", "13:10:00", answered="13:10:02", ended="13:12:00", caller="C3"),
    # C4 abandons 999 twice, then gets through: both later calls are redials
    row("R8", "999", "14:00:00", made="13:59:55", ended="14:00:30", caller="C4"),
    row("R9", "999", "14:01:30", made="14:01:25", ended="14:02:00", caller="C4"),
    row(
        "R10",
        "999",
        "14:03:00",
        made="14:02:55",
        answered="14:03:02",
        ended="14:05:00",
        caller="C4",
    ),
    # C5 rings 101 again exactly the window after abandoning: still a follow-up
    row("R11", "101", "15:00:00", ended="15:00:00", caller="C5"),
    row("R12", "101", "16:00:00", answered="16:00:01", ended="16:02:00", caller="C5"),
    # no caller: never a follow-up
    row("R13", "101", "17:00:00", ended="17:01:00"),
    row("R14", "101", "17:02:00", answered="17:02:01", ended="17:04:00"),
    # C6's first call was answered: the second is a repeat, not a redial
    row("R15", "101", "18:00:00", answered="18:00:01", ended="18:05:00", caller="C6"),
    row("R16", "101", "18:06:00", answered="18:06:01", ended="18:08:00", caller="C6"),
]


def test_follow_ups_are_exactly_redials_and_101_callers_ringing_999(tmp_path: Path) -> None:
    trace, export = read_trace(tmp_path, FOLLOW_UP_ROWS)
    marked = export.calls.loc[follow_ups(export.calls), "call_id"]
    assert sorted(marked) == ["R10", "R12", "R2", "R5", "R9"]
    assert trace.follow_ups == {"101": 2, "999": 3}
    assert FOLLOW_UP_WINDOW_S == 3600.0


def test_the_window_is_a_parameter(tmp_path: Path) -> None:
    """One second less and C5's call (exactly an hour after) is a first call again."""
    _, export = read_trace(tmp_path, FOLLOW_UP_ROWS)
    marked = export.calls.loc[follow_ups(export.calls, FOLLOW_UP_WINDOW_S - 1), "call_id"]
    assert sorted(marked) == ["R10", "R2", "R5", "R9"]


def test_the_trace_holds_the_first_calls_at_their_made_times(tmp_path: Path) -> None:
    """Seconds from local midnight (23:00 UTC the day before, in summer time), made times for
    the calls that have them, offered times for the others; follow-ups left out."""
    trace, _ = read_trace(tmp_path, FOLLOW_UP_ROWS)
    h = 3600.0
    assert trace.times == {
        "101": (
            10 * h,
            11 * h + 61,
            12 * h,
            13 * h + 600,
            15 * h,
            17 * h,
            17 * h + 120,
            18 * h,
            18 * h + 360,
        ),
        "999": (13 * h - 4, 14 * h - 5),
    }
    assert trace.start_weekday == "wednesday" and trace.days == 1.0
    assert trace.origin == pd.Timestamp("2025-06-03 23:00", tz="UTC")
    assert trace.at_offered == {"101": 9, "999": 0}
    assert trace.calls == 11


def test_without_a_caller_column_every_call_is_fed_and_the_model_does_not_redial(
    tmp_path: Path,
) -> None:
    trace, _ = read_trace(tmp_path, FOLLOW_UP_ROWS, caller=False)
    assert trace.follow_ups is None
    assert trace.calls == len(FOLLOW_UP_ROWS)
    scenario = small(redial_probability=0.3, abandon_to_999_probability=0.1)
    traced, notes = trace_scenario(scenario, trace)
    for channel in traced.channels.values():
        assert channel.redial_probability == 0.0
        assert channel.abandon_to_999_probability == 0.0
    assert any("no caller column" in line for line in notes)
    assert "no caller column" in traced.provenance["channels.101.redial_probability"]


def test_with_a_caller_column_the_model_redials_as_the_scenario_says(tmp_path: Path) -> None:
    trace, _ = read_trace(tmp_path, FOLLOW_UP_ROWS)
    traced, _ = trace_scenario(small(redial_probability=0.3), trace)
    assert traced.channels["101"].redial_probability == 0.3


# -- the run's clock ------------------------------------------------------------------------------


def test_a_period_across_the_autumn_clock_change(tmp_path: Path) -> None:
    """Saturday 25 to Sunday 26 October 2025 (the clocks go back at 02:00 BST): the run starts
    at Saturday 00:00 BST (Friday 23:00 UTC), lasts 49 hours, and a call at 10:00 GMT on the
    Sunday arrives 35 hours in."""
    rows = [
        "S1,NON EMERGENCY,,2025-10-25 09:00:00,2025-10-25 09:00:05,2025-10-25 09:02:00,",
        "S2,NON EMERGENCY,,2025-10-26 10:00:00,2025-10-26 10:00:05,2025-10-26 10:02:00,",
    ]
    trace, _ = read_trace(tmp_path, rows, caller=False)
    assert trace.start_weekday == "saturday"
    assert trace.days == pytest.approx(2 + 1 / 24)
    assert trace.times == {"101": (9 * 3600.0, 35 * 3600.0)}
    traced, _ = trace_scenario(small(), trace)
    assert traced.scenario.days == pytest.approx(2 + 1 / 24)
    assert traced.scenario.start_weekday == "saturday"
    assert traced.warmup_s == 0.0


# -- exact traces with fixed durations -----------------------------------------------------------


def small(**channel_101: Any) -> Scenario:
    """One handler taking both channels; 999: fixed 60 s talk and a fixed 5 s BT stage; 101:
    fixed 120 s talk; nobody abandons."""
    return Scenario.model_validate(
        {
            "scenario": {"name": "small", "days": 1, "cooldown_hours": 1, "replications": 1},
            "channels": {
                "999": {"calls_per_day": 10, "talk_s": fixed(60), "bt_connect_s": fixed(5)},
                "101": {"calls_per_day": 10, "talk_s": fixed(120), **channel_101},
            },
            "handlers": [{"name": "all", "skills": ["999", "101"], "count": 1}],
        }
    )


EXACT_ROWS = [
    row("E1", "999", "09:00:05", made="09:00:00", answered="09:00:05", ended="09:01:05"),
    row("E2", "101", "09:00:30", answered="09:02:05", ended="09:04:05"),
    row("E3", "999", "09:00:55", made="09:00:50", answered="09:01:05", ended="09:02:05"),
]


def test_simulated_calls_arrive_at_the_exports_made_times(tmp_path: Path) -> None:
    """With made_at: each call is made at its export time, a 999 call reaches the force after
    the scenario's BT stage (5 s), and the one handler answers 999 before 101."""
    trace, export = read_trace(tmp_path, EXACT_ROWS)
    check_scenario(small(), trace, export)
    traced, _ = trace_scenario(small(), trace)
    assert simulate_rows(traced) == [
        ("999", 32400.0, 32405.0, 32405.0, 32465.0),
        ("101", 32430.0, 32430.0, 32525.0, 32645.0),
        ("999", 32450.0, 32455.0, 32465.0, 32525.0),
    ]
    assert traced.channels["999"].bt_connect_s is not None


def test_without_made_at_calls_reach_the_force_at_their_offered_times(tmp_path: Path) -> None:
    """Without made_at the BT stage is switched off: no drawn delay on top of the times the
    export has."""
    trace, _ = read_trace(tmp_path, EXACT_ROWS, made=False)
    traced, notes = trace_scenario(small(), trace)
    assert traced.channels["999"].bt_connect_s is None
    assert any(line.startswith("channels.999.bt_connect_s: none") for line in notes)
    assert simulate_rows(traced) == [
        ("999", 32405.0, 32405.0, 32405.0, 32465.0),
        ("101", 32430.0, 32430.0, 32525.0, 32645.0),
        ("999", 32455.0, 32455.0, 32465.0, 32525.0),
    ]


def simulate_rows(scenario: Scenario) -> list[tuple[str, float, float, float, float]]:
    calls = simulate(scenario, 0).calls.sort_values(["arrival_s", "call_id"])
    return [
        (str(c.channel), float(c.arrival_s), float(c.force_s), float(c.answered_s), float(c.end_s))
        for c in calls.itertuples()
    ]


def test_the_trace_travels_in_the_scenario_not_its_dump(tmp_path: Path) -> None:
    trace, _ = read_trace(tmp_path, EXACT_ROWS)
    traced, _ = trace_scenario(small(), trace)
    assert traced.arrival_trace == {"999": (32400.0, 32450.0), "101": (32430.0,)}
    assert "arrival_trace" not in traced.model_dump()
    assert "Trace-driven" in traced.scenario.description
    assert "sha256" in traced.provenance["arrivals"]


def test_a_scenario_file_cannot_set_a_trace(tmp_path: Path) -> None:
    """The trace comes from --arrivals only: a file that sets it is one line naming the key."""
    file = tmp_path / "traced.toml"
    file.write_text(
        f'extends = "{builtin_baseline_path().as_posix()}"\n[arrival_trace]\n"999" = [1.0]\n'
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario(file)
    assert str(caught.value).startswith(f"{file}: arrival_trace: expected no such key")
    assert "\n" not in str(caught.value)


def test_a_trace_channel_the_scenario_lacks_is_an_error(tmp_path: Path) -> None:
    trace, export = read_trace(tmp_path, EXACT_ROWS)
    only_999 = small().model_copy(update={"channels": {"999": small().channels["999"]}})
    with pytest.raises(
        TraceError, match=r"calls\.csv: has 1 calls on channel 101.*\[channels\.101\]"
    ):
        check_scenario(only_999, trace, export)


def test_an_export_without_usable_calls_is_an_error(tmp_path: Path) -> None:
    rows = ["X1,POLICE LINE,,2025-06-04 10:00:00,,2025-06-04 10:01:00,"]
    with pytest.raises(TraceError, match=r"calls\.csv: expected usable calls"):
        read_trace(tmp_path, rows)


def test_a_caller_value_on_many_calls_is_named(tmp_path: Path) -> None:
    """Twelve calls in a day from 'WITHHELD' (more than 10, and more than 5 a day): likely a
    placeholder, so the output names it; the rule itself is not changed."""
    rows = [
        row(f"W{k}", "101", f"{8 + k:02d}:00:00", ended=f"{8 + k:02d}:00:30", caller="WITHHELD")
        for k in range(12)
    ]
    rows.append(row("P1", "101", "09:00:00", answered="09:00:05", ended="09:01:00", caller="P"))
    trace, _ = read_trace(tmp_path, rows)
    assert trace.busy_callers == {"WITHHELD": 12}
    assert trace.follow_ups == {"101": 11}  # each 59.5 minutes after the last hung up
    _, notes = trace_scenario(small(), trace)
    assert any("'WITHHELD' (12 calls)" in line and "blank it" in line for line in notes)


def test_a_trace_channel_no_handler_takes_is_an_error(tmp_path: Path) -> None:
    trace, export = read_trace(tmp_path, EXACT_ROWS)
    base = small()
    quiet_101 = base.channels["101"].model_copy(update={"calls_per_day": 0.0})
    no_101 = Scenario.model_validate(
        {
            **base.model_dump(),
            "channels": {**base.model_dump()["channels"], "101": quiet_101.model_dump()},
            "handlers": [{"name": "999 only", "skills": ["999"], "count": 1}],
        }
    )
    with pytest.raises(TraceError, match=r"calls\.csv: has 1 calls on channel 101, so expected a"):
        check_scenario(no_101, trace, export)
