"""``controlroom-sim run SCENARIO --arrivals EXPORT --mapping MAPPING``: a run driven by a
force's own arrival times. What it prints, what the results folder records of the trace, resume
checking the trace, the same KPIs on one and two workers, and one-line errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from controlroom_sim.cli.main import main
from tests.helpers.cli import assert_one_line_error, run_main

SCENARIO = """\
[scenario]
name = "small"
days = 3
replications = 2
cooldown_hours = 1

[channels.999]
calls_per_day = 200
talk_s = { dist = "fixed", value = 240 }
bt_connect_s = { dist = "fixed", value = 5 }
patience_s = { dist = "exponential", mean = 60 }
redial_probability = 0.5

[channels.101]
calls_per_day = 300
talk_s = { dist = "exponential", mean = 300 }
patience_s = { dist = "exponential", mean = 180 }
redial_probability = 0.3
abandon_to_999_probability = 0.1

[[handlers]]
name = "all"
skills = ["999", "101"]
count = 2
"""

MAPPING = """\
[columns]
call_id = "Ref"
channel = "Line"
made_at = "Dialled"
offered_at = "Presented"
answered_at = "Answered"
ended_at = "Cleared"
{caller}

[channels]
"999" = ["EMERGENCY"]
"101" = ["NON EMERGENCY"]

[times]
format = "%d/%m/%Y %H:%M:%S"
"""


def export_rows() -> list[str]:
    """A day of calls (Wednesday 4 June 2025): a 999 call every 17 minutes and a 101 call
    every 11 minutes, every fifth abandoned and rung again by the same caller 5 minutes
    later; two rows that cannot be used."""
    rows = []
    day = pd.Timestamp("2025-06-04")

    def clock(t: pd.Timestamp) -> str:
        return t.strftime("%d/%m/%Y %H:%M:%S")

    n = 0
    for line, every, bt in (("EMERGENCY", 17, 5), ("NON EMERGENCY", 11, 0)):
        for k in range(0, 24 * 60 // every):
            n += 1
            made = day + pd.Timedelta(minutes=every * k, seconds=7)
            offered = made + pd.Timedelta(seconds=bt)
            caller = f"0770090{n:04d}"
            if k % 5 == 0:
                ended = offered + pd.Timedelta(seconds=40)
                rows.append(f"C{n},{line},{clock(made)},{clock(offered)},,{clock(ended)},{caller}")
                n += 1
                made = ended + pd.Timedelta(minutes=5)
                offered = made + pd.Timedelta(seconds=bt)
            answered = offered + pd.Timedelta(seconds=8)
            ended = answered + pd.Timedelta(minutes=4)
            rows.append(
                f"C{n},{line},{clock(made)},{clock(offered)},{clock(answered)},{clock(ended)},"
                f"{caller}"
            )
    rows.append("X1,POLICE LINE,,04/06/2025 10:00:00,,04/06/2025 10:01:00,")
    rows.append("X2,EMERGENCY,,31/06/2025 10:00:00,,,")
    return rows


HEADER = "Ref,Line,Dialled,Presented,Answered,Cleared,CLI"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    scenario = tmp_path / "small.toml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    export = tmp_path / "calls_2025.csv"
    export.write_text("\n".join([HEADER, *export_rows()]) + "\n", encoding="utf-8")
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(MAPPING.format(caller='caller = "CLI"'), encoding="utf-8")
    return {"scenario": scenario, "export": export, "mapping": mapping, "folder": tmp_path}


def argv(files: dict[str, Path], out: Path, *extra: str) -> list[str]:
    return [
        "run",
        str(files["scenario"]),
        "--arrivals",
        str(files["export"]),
        "--mapping",
        str(files["mapping"]),
        "--out",
        str(out),
        "--quiet",
        *extra,
    ]


FIRST_CALLS = {"999": 84, "101": 130}
"""The export's calls less the rows not used and the redials (every fifth caller's second
call): 999: 84 + 17 redials, 101: 130 + 26."""


def test_a_trace_driven_run_prints_and_records_its_trace(files: dict[str, Path]) -> None:
    out = files["folder"] / "run"
    status, stdout, _ = run_main(argv(files, out))
    assert status == 0
    assert stdout.startswith("trace-driven: 214 calls fed of 257 usable in 259 rows of 1 file\n")
    assert "unknown_channel        1" in stdout and "unparseable_time       1" in stdout
    assert "follow-ups left out (101: 26, 999: 17)" in stdout
    assert "scenario.warmup_hours: 0: the trace starts at 00:00" in stdout
    assert "small: 2 replications of 1 days" in stdout
    manifest = json.loads((out / "manifest.json").read_text())
    resolved = manifest["scenario_resolved"]
    assert resolved["scenario"]["start_weekday"] == "wednesday"
    assert resolved["scenario"]["warmup_hours"] == 0 and resolved["scenario"]["days"] == 1
    source = resolved["provenance"]["arrivals"]
    assert str(files["export"]) in source and str(files["mapping"]) in source
    digest = __import__("hashlib").sha256(files["export"].read_bytes()).hexdigest()
    assert f"sha256 {digest}" in source
    assert resolved["scenario"]["description"].startswith("Trace-driven: 214 first calls")
    assert manifest["plan"]["scenarios"][0]["arrivals"]["calls"] == FIRST_CALLS
    assert str(files["mapping"]) in manifest["scenario_files"]
    # the first calls of every replication are the trace's, at its made times
    calls = pd.read_parquet(out / "calls.parquet")
    first = calls[calls["attempt"] == 0]
    for r in (0, 1):
        mine = first[first["replication"] == r]
        assert sorted(mine["channel"].astype(str).value_counts().items()) == sorted(
            FIRST_CALLS.items()
        )
    made = sorted(first.loc[first["replication"] == 0, "arrival_s"])
    assert made[0] == 7.0  # 00:00:07 local


def test_one_and_two_workers_give_the_same_results(files: dict[str, Path]) -> None:
    """The trace travels inside the scenario to every worker process: serial, one process
    and two give the same tables."""
    one, two, serial = (files["folder"] / name for name in ("one", "two", "serial"))
    assert run_main(argv(files, one, "--jobs", "1"))[0] == 0
    assert run_main(argv(files, two, "--jobs", "2", "--engine", "processes"))[0] == 0
    assert run_main(argv(files, serial, "--engine", "serial"))[0] == 0
    for other in (two, serial):
        assert (one / "kpis.csv").read_bytes() == (other / "kpis.csv").read_bytes()
        assert (one / "intervals.csv").read_bytes() == (other / "intervals.csv").read_bytes()
        pd.testing.assert_frame_equal(
            pd.read_parquet(one / "calls.parquet"), pd.read_parquet(other / "calls.parquet")
        )


def interrupt(monkeypatch: pytest.MonkeyPatch, command: list[str]) -> int:
    """``command`` with Ctrl-C arriving as replication 1 starts."""
    from controlroom_sim.experiments import runner

    real = runner.run_replication

    def stopping(scenario: object, index: int, *rest: object) -> object:
        if index == 1:
            raise KeyboardInterrupt
        return real(scenario, index, *rest)

    with monkeypatch.context() as patch:
        patch.setattr("controlroom_sim.experiments.runner.run_replication", stopping)
        return run_main(command)[0]


def test_resume_refuses_another_trace_and_continues_the_same_one(
    files: dict[str, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    whole = files["folder"] / "whole"
    assert run_main(argv(files, whole))[0] == 0
    out = files["folder"] / "stopped"
    assert interrupt(monkeypatch, argv(files, out)) == 130
    # the export changed since: one more call
    text = files["export"].read_text()
    files["export"].write_text(
        text + "C999,NON EMERGENCY,,04/06/2025 23:00:00,04/06/2025 23:00:09,04/06/2025 23:02:00,\n"
    )
    line = assert_one_line_error(capsys, main([*argv(files, out), "--resume"]))
    assert "cannot resume" in line and "(at plan.scenarios.0.arrivals.calls.101)" in line
    # the same export again: the run continues to the uninterrupted run's tables
    files["export"].write_text(text)
    status, stdout, _ = run_main([*argv(files, out), "--resume"])
    assert status == 0 and stdout.startswith("trace-driven: 214 calls")
    assert (out / "kpis.csv").read_bytes() == (whole / "kpis.csv").read_bytes()


def test_an_edited_export_with_the_same_calls_is_refused_too(
    files: dict[str, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The scenario's provenance holds the files' SHA-256, so its hash changes."""
    out = files["folder"] / "stopped"
    assert interrupt(monkeypatch, argv(files, out)) == 130
    files["export"].write_text(files["export"].read_text() + "X3,POLICE LINE,,,,,\n")
    line = assert_one_line_error(capsys, main([*argv(files, out), "--resume"]))
    assert "(at plan.scenarios.0.hash)" in line


def test_without_a_caller_column_every_call_is_fed(files: dict[str, Path]) -> None:
    files["mapping"].write_text(MAPPING.format(caller=""), encoding="utf-8")
    out = files["folder"] / "run"
    status, stdout, _ = run_main(argv(files, out))
    assert status == 0
    assert stdout.startswith("trace-driven: 257 calls fed of 257 usable")
    assert "channels.999.redial_probability: 0: the export has no caller column" in stdout
    resolved = json.loads((out / "manifest.json").read_text())["scenario_resolved"]
    assert resolved["channels"]["101"]["redial_probability"] == 0
    assert resolved["channels"]["101"]["abandon_to_999_probability"] == 0


# -- bad input ----------------------------------------------------------------------------------


def test_arrivals_without_a_mapping(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    command = ["run", str(files["scenario"]), "--arrivals", str(files["export"]), "--quiet"]
    line = assert_one_line_error(capsys, main(command))
    assert line == (
        f"error: --arrivals {files['export']}: expected --mapping MAPPING.toml with it (how to "
        "read the export), found none"
    )


def test_a_mapping_without_arrivals(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    command = ["run", str(files["scenario"]), "--mapping", str(files["mapping"]), "--quiet"]
    line = assert_one_line_error(capsys, main(command))
    assert line.startswith(f"error: --mapping {files['mapping']}: expected --arrivals EXPORT")


def test_an_export_without_usable_calls(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    files["export"].write_text(HEADER + "\nX1,POLICE LINE,,04/06/2025 10:00:00,,,\n")
    out = files["folder"] / "run"
    line = assert_one_line_error(capsys, main(argv(files, out)))
    assert line.startswith(f"error: {files['export']}: expected usable calls to drive a run")
    assert not out.exists()


def test_a_trace_channel_the_scenario_lacks(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    only_999 = (
        SCENARIO.split("[channels.101]")[0] + "[[handlers]]" + SCENARIO.split("[[handlers]]")[1]
    )
    files["scenario"].write_text(only_999.replace('["999", "101"]', '["999"]'))
    out = files["folder"] / "run"
    line = assert_one_line_error(capsys, main(argv(files, out)))
    assert line == (
        f"error: {files['export']}: has 130 calls on channel 101, so expected a scenario with "
        "[channels.101], found channels 999"
    )
    assert not out.exists()


def test_a_missing_export_file(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    files["export"].unlink()
    line = assert_one_line_error(capsys, main(argv(files, files["folder"] / "run")))
    assert line == f"error: {files['export']}: no such export file"
