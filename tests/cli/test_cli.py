"""The command line: run writes the output folder of product.md; erlang and validate print."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from controlroom_sim.cli.main import main
from controlroom_sim.config.files import builtin_baseline_path
from tests.helpers.paths import ROOT
from tests.helpers.results import SUMMARY_STATS

SMALL = ["--set", "scenario.days=0.5", "--set", "scenario.warmup_hours=2"]


def test_run_writes_every_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """summary.json, kpis.csv, intervals.csv, calls.parquet and manifest.json, as documented."""
    out = tmp_path / "run"
    assert (
        main(["run", "--out", str(out), "--replications", "3", "--seed", "5", "--quiet", *SMALL])
        == 0
    )
    printed = capsys.readouterr().out
    assert "answered_within_10s_999" in printed and "95% CI" in printed
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario"] == "baseline" and summary["replications"] == 3
    assert summary["seed"] == 5
    for name in (
        "offered_999",
        "answered_within_10s_999",
        "answered_10_to_59s_999",
        "answered_60s_plus_999",
        "answered_within_10s_of_offered_999",
        "mean_answer_s_999",
        "p90_answer_s_999",
        "abandon_rate_999",
        "abandon_rate_101",
        "mean_answer_s_101",
        "answered_within_60s_101",
        "callback_requested_rate_101",
        "callback_success_rate_101",
        "handler_occupancy",
    ):
        entry = summary["kpis"][name]
        assert set(entry) == set(SUMMARY_STATS)
        assert entry["n"] == 3
        assert entry["ci_low"] <= entry["mean"] <= entry["ci_high"]
    kpis = pd.read_csv(out / "kpis.csv")
    assert list(kpis.columns) == ["scenario", "replication", "kpi", "value"]
    assert sorted(kpis["replication"].unique()) == [0, 1, 2]
    intervals = pd.read_csv(out / "intervals.csv")
    for column in (
        "channel",
        "offered",
        "answered",
        "answered_within_10s",
        "abandoned",
        "handlers_on_duty",
        "handlers_busy",
    ):
        assert column in intervals.columns
    assert len(intervals) == 3 * 2 * 48  # replications x channels x 15-minute intervals
    calls = pd.read_parquet(out / "calls.parquet")
    for column in (
        "call_id",
        "caller_id",
        "channel",
        "arrival_s",
        "force_s",
        "answered_s",
        "abandoned_s",
        "end_s",
        "outcome",
        "handler_id",
        "callback_offered_s",
    ):
        assert column in calls.columns
    incidents = pd.read_parquet(out / "incidents.parquet")  # the baseline dispatches
    for column in (
        "incident_id",
        "call_id",
        "grade",
        "true_risk",
        "call_s",
        "created_s",
        "allocated_s",
        "arrived_s",
        "cleared_s",
        "officer_id",
        "due_s",
    ):
        assert column in incidents.columns
    assert set(incidents["call_id"]) <= set(calls["call_id"])
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 5 and len(manifest["scenario_hash"]) == 64
    assert any(text and "[channels.999]" in text for text in manifest["scenario_files"].values())
    assert not list(out.glob(".*tmp")), "temporary files left behind"


def test_run_csv_calls_and_default_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--calls-format csv writes calls.csv; without --out results go to results/<name>-<time>/."""
    monkeypatch.chdir(tmp_path)
    assert main(["run", "--replications", "1", "--quiet", "--calls-format", "csv", *SMALL]) == 0
    folders = list((tmp_path / "results").glob("baseline-*"))
    assert len(folders) == 1 and (folders[0] / "calls.csv").exists()


def test_erlang_command_prints_the_published_staffing(capsys: pytest.CaptureFixture[str]) -> None:
    """The V1 example (200 calls/h, 180 s, 20 s target, 80%) needs 14 handlers (Erlang C)."""
    assert (
        main(
            [
                "erlang",
                "--calls-per-hour",
                "200",
                "--aht-s",
                "180",
                "--target-s",
                "20",
                "--service-level",
                "0.8",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "handlers needed for 80% of offered calls answered within 20 s: 14" in out
    assert "0.8884" in out  # SL at 14 handlers (V1: 0.88835)


def test_validate_command_passes_on_a_validation_case(capsys: pytest.CaptureFixture[str]) -> None:
    """validate prints theory beside simulation and exits 0 when theory is inside."""
    file = ROOT / "scenarios" / "validation" / "erlang_a_light.toml"
    assert main(["validate", str(file), "--replications", "10", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "abandon_rate_999" in out and "Erlang" in out and "inside" in out


def test_validate_refuses_a_scenario_without_erlang_counterpart(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The baseline has two channels and shifts: a one-line error, exit 2."""
    assert main(["validate", str(ROOT / "scenarios" / "baseline.toml"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err and "baseline.toml" in err


def test_module_entry_point_and_help() -> None:
    """python -m controlroom_sim --help works and lists the commands."""
    done = subprocess.run(
        [sys.executable, "-m", "controlroom_sim", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    for command in ("run", "erlang", "validate"):
        assert command in done.stdout


def test_packaged_baseline_equals_scenarios_baseline() -> None:
    """The built-in baseline is the same file (and profiles) as scenarios/baseline.toml."""
    packaged = builtin_baseline_path()
    assert packaged.read_bytes() == (ROOT / "scenarios" / "baseline.toml").read_bytes()
    for name in ("999_weekly.csv", "101_weekly.csv"):
        assert (packaged.parent / "profiles" / name).read_bytes() == (
            ROOT / "scenarios" / "profiles" / name
        ).read_bytes()
