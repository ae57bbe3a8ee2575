"""run, compare and sweep on the command line: their output folders, common random numbers,
replications chosen by a target half-width, resuming a stopped run, and the shared options.

Everything runs in-process through ``controlroom_sim.cli.main.main`` with ``--quiet``, half-day
horizons and two to four replications, so the whole file takes seconds.
"""

from __future__ import annotations

import itertools
import json
import os
import shlex
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from controlroom_sim.cli.main import build_parser, main
from controlroom_sim.config.files import builtin_baseline_path
from controlroom_sim.config.loading import load_scenario
from controlroom_sim.experiments import runner as experiment
from tests.helpers.cli import assert_one_line_error, few_replications_stderr, run_main
from tests.helpers.results import SUMMARY_COLUMNS, SUMMARY_STATS

SMALL = ["--set", "scenario.days=0.5", "--set", "scenario.warmup_hours=2"]
WARMUP_S = 2 * 3600.0
HORIZON_S = WARMUP_S + 0.5 * 86400.0
"""The measured window of SMALL: calls offered in [WARMUP_S, HORIZON_S) count."""

BASELINE_SEED = load_scenario(None).scenario.seed
SCENARIO_FILES = {"summary.json", "kpis.csv", "intervals.csv", "calls.parquet"}
DIFFERENCE_COLUMNS = [
    "scenario",
    "baseline",
    "kpi",
    "baseline_mean",
    "mean",
    "diff",
    "diff_sd",
    "ci_low",
    "ci_high",
    "n",
    "unpaired_ci_low",
    "unpaired_ci_high",
]


# -- helpers ------------------------------------------------------------------------------------


def variant_file(path: Path, name: str, body: str = "") -> Path:
    """A scenario file that extends the built-in baseline and changes its name (and ``body``)."""
    text = f'extends = "{builtin_baseline_path().as_posix()}"\n\n[scenario]\nname = "{name}"\n'
    path.write_text(text + body, encoding="utf-8")
    return path


def files_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def forbid_simulation(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Make any simulation fail the test; returns the list of attempted calls."""
    calls: list[object] = []

    def no_simulation(*args: object, **kwargs: object) -> None:
        calls.append(args)
        raise AssertionError("a simulation started on bad input")

    monkeypatch.setattr("controlroom_sim.experiments.runner.run_replication", no_simulation)
    monkeypatch.setattr("controlroom_sim.experiments.execute.run_scenarios", no_simulation)
    return calls


def record_replications(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the replications actually simulated (not loaded from a run folder)."""
    ran: list[int] = []
    real = experiment.run_replication

    def counting(scenario: object, replication: int, *rest: object) -> object:
        ran.append(replication)
        return real(scenario, replication, *rest)

    monkeypatch.setattr("controlroom_sim.experiments.runner.run_replication", counting)
    return ran


@pytest.fixture(autouse=True)
def _work_in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Default result folders (results/...) stay inside tmp_path."""
    monkeypatch.chdir(tmp_path)


# -- compare ------------------------------------------------------------------------------------

STAFFING = """
[[handlers]]
name = "999 desk"
skills = ["999"]
count = 4

[[handlers]]
name = "contact"
skills = ["999", "101"]
count = 14
"""


@dataclass
class Compared:
    out: Path
    printed: str
    labels: list[str]


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Compared:
    """The built-in baseline against: more staff (and its own seed, which compare must
    ignore), the same scenario renamed, and the same scenario under the same name."""
    folder = tmp_path_factory.mktemp("compare")
    staff = variant_file(folder / "staff.toml", "more-staff", "seed = 99\n" + STAFFING)
    renamed = variant_file(folder / "renamed.toml", "renamed")
    same_name = variant_file(folder / "dup.toml", "baseline")
    out = folder / "out"
    argv = ["compare", "baseline", str(staff), str(renamed), str(same_name)]
    status, printed, err = run_main(
        [*argv, "--out", str(out), "--replications", "3", "--quiet", *SMALL]
    )
    assert status == 0, err
    assert err == few_replications_stderr(3)
    return Compared(out, printed, ["baseline", "more-staff", "renamed", "baseline (dup)"])


def test_compare_writes_every_file(compared: Compared) -> None:
    """summary.csv, kpis.csv, differences.csv, manifest.json and a folder per scenario."""
    out = compared.out
    expected = {"summary.csv", "kpis.csv", "differences.csv", "manifest.json", "results.xlsx"}
    folders = ["00-baseline", "01-more-staff", "02-renamed", "03-baseline_dup"]
    for folder in folders:
        expected |= {f"scenarios/{folder}/{name}" for name in SCENARIO_FILES}
        expected.add(f"scenarios/{folder}/incidents.parquet")  # the baseline dispatches
    assert files_under(out) == expected  # no replications/ folder, no temporary files
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "compare" and manifest["status"] == "complete"
    assert [s["scenario"] for s in manifest["scenarios"]] == compared.labels
    assert all(s["replications"] == 3 for s in manifest["scenarios"])
    assert manifest["scenario_folders"] == {
        label: f"scenarios/{folder}" for label, folder in zip(compared.labels, folders, strict=True)
    }
    kpis = pd.read_csv(out / "kpis.csv")
    assert list(kpis.columns) == ["scenario", "replication", "kpi", "value"]
    assert list(dict.fromkeys(kpis["scenario"])) == compared.labels
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary.columns) == SUMMARY_COLUMNS
    assert len(summary) == 4 * kpis["kpi"].nunique()
    for label, folder in zip(compared.labels, folders, strict=True):
        sub = out / "scenarios" / folder
        doc = json.loads((sub / "summary.json").read_text())
        assert doc["scenario"] == label and doc["replications"] == 3
        own = pd.read_csv(sub / "kpis.csv")
        assert set(own["scenario"]) == {label}
        pd.testing.assert_frame_equal(
            own, kpis[kpis["scenario"] == label].reset_index(drop=True), check_dtype=False
        )
        calls = pd.read_parquet(sub / "calls.parquet")
        assert set(calls["scenario"]) == {label}
        assert sorted(calls["replication"].unique()) == [0, 1, 2]
        assert set(pd.read_csv(sub / "intervals.csv")["scenario"]) == {label}


def test_compare_differences_table(compared: Compared) -> None:
    """differences.csv: one row per variant and KPI, variant minus baseline, paired CI."""
    differences = pd.read_csv(compared.out / "differences.csv")
    assert list(differences.columns) == DIFFERENCE_COLUMNS
    kpi_count = pd.read_csv(compared.out / "kpis.csv")["kpi"].nunique()
    assert len(differences) == 3 * kpi_count
    assert list(dict.fromkeys(differences["scenario"])) == compared.labels[1:]
    assert set(differences["baseline"]) == {"baseline"}
    defined = differences[differences["n"] >= 2]
    assert len(defined) > 100
    complete = differences[differences["n"] == 3]  # every replication paired: means subtract
    assert np.allclose(complete["diff"], complete["mean"] - complete["baseline_mean"])
    assert (defined["ci_low"] <= defined["diff"] + 1e-9).all()
    assert (defined["diff"] <= defined["ci_high"] + 1e-9).all()


def test_compare_runs_every_scenario_with_the_baselines_seed(compared: Compared) -> None:
    """Common random numbers: the variant's own ``seed = 99`` is replaced by the baseline's."""
    manifest = json.loads((compared.out / "manifest.json").read_text())
    assert manifest["seed"] == BASELINE_SEED
    assert [s["seed"] for s in manifest["scenarios"]] == [BASELINE_SEED] * 4
    for folder in (compared.out / "scenarios").iterdir():
        assert json.loads((folder / "summary.json").read_text())["seed"] == BASELINE_SEED
    assert f"common random numbers (seed {BASELINE_SEED})" in compared.printed


def test_compare_seed_option_applies_to_every_scenario(tmp_path: Path) -> None:
    """--seed replaces the baseline's seed for all; the baseline's KPIs are those of run."""
    variant = variant_file(tmp_path / "v.toml", "v", "seed = 99\n")
    out = tmp_path / "cmp"
    common = ["--replications", "2", "--seed", "5", "--quiet", *SMALL]
    assert main(["compare", "baseline", str(variant), "--out", str(out), *common]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 5
    assert [s["seed"] for s in manifest["scenarios"]] == [5, 5]
    alone = tmp_path / "alone"
    assert main(["run", "--out", str(alone), *common]) == 0
    pd.testing.assert_frame_equal(
        pd.read_csv(out / "scenarios" / "00-baseline" / "kpis.csv"), pd.read_csv(alone / "kpis.csv")
    )


def test_identical_scenario_gives_zero_paired_differences(compared: Compared) -> None:
    """The same scenario renamed sees the same callers: every KPI is equal replication by
    replication, so every paired difference and its CI is exactly 0 (the unpaired interval
    is not)."""
    kpis = pd.read_csv(compared.out / "kpis.csv")
    wide = kpis.pivot_table(
        index=["kpi", "replication"], columns="scenario", values="value", dropna=False
    )
    pd.testing.assert_series_equal(wide["baseline"], wide["renamed"], check_names=False)
    pd.testing.assert_series_equal(wide["baseline"], wide["baseline (dup)"], check_names=False)

    differences = pd.read_csv(compared.out / "differences.csv")
    summary = pd.read_csv(compared.out / "summary.csv")
    base_n = summary[summary["scenario"] == "baseline"].set_index("kpi")["n"]
    for label in ("renamed", "baseline (dup)"):
        rows = differences[differences["scenario"] == label].set_index("kpi")
        assert set(rows.index) == set(base_n.index)
        defined = rows[rows["n"] >= 2]
        assert len(defined) >= 50
        for column in ("diff", "diff_sd", "ci_low", "ci_high"):
            assert (defined[column] == 0).all(), defined[defined[column] != 0]
        # KPIs with fewer than two pairs are those the baseline itself leaves undefined
        undefined = rows[rows["n"] < 2]
        assert (base_n[undefined.index] == undefined["n"]).all()
        offered = rows.loc["offered_999"]
        assert offered["n"] == 3
        assert offered["unpaired_ci_low"] < 0 < offered["unpaired_ci_high"]


def test_staffing_variant_sees_the_same_first_calls(compared: Compared) -> None:
    """More staff leaves the callers unchanged: the first calls (attempt 0) arrive at the same
    instants in every replication. offered_999 counts redials and 101 callers who ring 999
    too, which staffing changes, so it is checked against the calls table rather than
    assumed equal."""
    scenarios = compared.out / "scenarios"
    base = pd.read_parquet(scenarios / "00-baseline" / "calls.parquet")
    staff = pd.read_parquet(scenarios / "01-more-staff" / "calls.parquet")
    kpis = pd.read_csv(compared.out / "kpis.csv")
    offered = kpis[kpis["kpi"] == "offered_999"].pivot_table(
        index="replication", columns="scenario", values="value"
    )
    for replication in range(3):
        firsts = []
        for label, calls in (("baseline", base), ("more-staff", staff)):
            calls = calls[(calls["replication"] == replication) & (calls["channel"] == "999")]
            arrival = calls["arrival_s"]
            measured = calls[(arrival >= WARMUP_S) & (arrival < HORIZON_S)]
            assert offered.loc[replication, label] == len(measured)
            first = calls[calls["origin"] == "first"]
            assert (first["attempt"] == 0).all()
            firsts.append(first["arrival_s"].to_numpy())
        assert len(firsts[0]) > 100
        np.testing.assert_array_equal(firsts[0], firsts[1])


def test_compare_prints_paired_intervals(compared: Compared) -> None:
    printed = compared.printed
    assert printed.startswith("compare: 4 scenarios, 3 replications each, common random numbers")
    assert "paired 95% CI" in printed and "unpaired 95% CI" in printed
    for label in compared.labels[1:]:
        assert f"{label} against baseline:" in printed
    assert f"results: {compared.out}" in printed


def test_scenarios_with_the_same_name_get_distinct_labels(compared: Compared) -> None:
    """dup.toml's scenario is also called "baseline": it is labelled by its file name."""
    assert len(set(compared.labels)) == len(compared.labels)
    summary = pd.read_csv(compared.out / "summary.csv")
    assert list(dict.fromkeys(summary["scenario"])) == compared.labels
    assert (compared.out / "scenarios" / "03-baseline_dup" / "summary.json").exists()


def test_two_variant_files_with_one_name_and_stem(tmp_path: Path) -> None:
    """Same scenario name and same file name (in different folders): still distinct labels."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = variant_file(tmp_path / "a" / "v.toml", "baseline")
    second = variant_file(tmp_path / "b" / "v.toml", "baseline")
    out = tmp_path / "cmp"
    argv = ["compare", "baseline", str(first), str(second), "--out", str(out)]
    assert main([*argv, "--replications", "2", "--calls-format", "none", "--quiet", *SMALL]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    labels = [s["scenario"] for s in manifest["scenarios"]]
    assert labels[0] == "baseline" and len(set(labels)) == 3
    assert len(list((out / "scenarios").iterdir())) == 3


# -- sweep --------------------------------------------------------------------------------------

VARY = [
    "--vary",
    "channels.101.calls_per_day=1000,1400",
    "--vary",
    "handlers.1.shifts.0.count=7,11",
]


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("sweep") / "out"
    argv = ["sweep", *VARY, "--out", str(out), "--replications", "2", "--calls-format", "none"]
    status, printed, err = run_main([*argv, "--quiet", *SMALL])
    assert status == 0, err
    return out, printed


def test_sweep_table_has_a_column_per_varied_key(swept: tuple[Path, str]) -> None:
    out, printed = swept
    table = pd.read_csv(out / "sweep.csv")
    keys = ["channels.101.calls_per_day", "handlers.1.shifts.0.count"]
    assert list(table.columns) == ["scenario", *keys, "kpi", *SUMMARY_STATS]
    kpi_count = pd.read_csv(out / "kpis.csv")["kpi"].nunique()
    assert kpi_count > 20
    assert len(table) == 4 * kpi_count
    for key in keys:
        assert pd.api.types.is_integer_dtype(table[key]), table[key].dtype
    grid = list(dict.fromkeys(zip(table[keys[0]], table[keys[1]], strict=True)))
    assert grid == list(itertools.product([1000, 1400], [7, 11]))  # the last key fastest
    assert table.groupby("scenario")["kpi"].count().eq(kpi_count).all()
    assert (table["n"] <= 2).all()
    offered = table[table["kpi"] == "offered_101"].set_index(keys)["mean"]
    for count in (7, 11):
        assert offered[(1400, count)] > offered[(1000, count)]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "sweep" and manifest["status"] == "complete"
    assert len(manifest["scenarios"]) == 4
    assert printed.startswith("sweep: 4 variants, 2 replications each")


def test_sweep_with_calls_format_none_writes_no_records(swept: tuple[Path, str]) -> None:
    out, _ = swept
    files = files_under(out)
    names = {Path(f).name for f in files}
    assert not [n for n in names if n.startswith(("calls", "incidents")) or n.endswith(".parquet")]
    assert {"sweep.csv", "kpis.csv", "summary.csv", "manifest.json"} <= files
    folders = sorted((out / "scenarios").iterdir())
    assert len(folders) == 4
    for folder in folders:
        assert files_under(folder) == {"summary.json", "kpis.csv", "intervals.csv"}


def test_sweep_value_that_breaks_the_scenario_fails_before_simulating(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = forbid_simulation(monkeypatch)
    out = tmp_path / "out"
    argv = ["sweep", "--vary", "channels.999.calls_per_day=600,-5", "--out", str(out)]
    line = assert_one_line_error(capsys, main([*argv, "--replications", "2", "--quiet", *SMALL]))
    assert calls == []
    assert "channels.999.calls_per_day" in line and "-5" in line and "expected" in line
    assert not out.exists()


def test_sweep_bad_value_is_attributed_to_vary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["sweep", "--vary", "channels.999.calls_per_day=600,-5", "--out", str(tmp_path / "o")]
    line = assert_one_line_error(capsys, main([*argv, "--quiet", *SMALL]))
    assert line.startswith("error: --vary channels.999.calls_per_day"), line
    assert "--set" not in line


@pytest.mark.parametrize(
    "vary",
    [
        ["--vary", "channels.999.calls_per_day"],
        ["--vary", "=600,700"],
        ["--vary", "channels.999.calls_per_day=600,,700"],
        ["--vary", "channels.999.calls_per_day=600,600"],
        ["--vary", "channels.999.calls_per_day=1", "--vary", "channels.999.calls_per_day=2"],
    ],
    ids=["no-equals", "no-key", "empty-value", "repeated-value", "key-twice"],
)
def test_malformed_vary_exits_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    vary: list[str],
) -> None:
    calls = forbid_simulation(monkeypatch)
    out = tmp_path / "out"
    line = assert_one_line_error(capsys, main(["sweep", *vary, "--out", str(out), "--quiet"]))
    assert "--vary" in line
    assert calls == [] and not out.exists()


def test_sweep_needs_vary(capsys: pytest.CaptureFixture[str]) -> None:
    line = assert_one_line_error(capsys, main(["sweep", "--quiet"]))
    assert "--vary" in line


# -- run with a target half-width ---------------------------------------------------------------


def test_loose_target_stops_after_initial_plus_look_ahead(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Met at the first check (3), confirmed over the look-ahead (5): 8 replications."""
    out = tmp_path / "run"
    assert (
        main(
            ["run", "--target-half-width", "offered_999=50%", "--out", str(out), "--quiet", *SMALL]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert (
        "replications chosen by target half-width: 8 (from 3, look-ahead 5, cap 100); "
        "target met" in printed
    )
    assert (
        "baseline: offered_999 half-width" in printed and "(target 50% of the mean): met" in printed
    )
    summary = json.loads((out / "summary.json").read_text())
    assert summary["replications"] == 8
    precision = summary["precision"]
    assert precision["replications"] == 8 and precision["met"] is True
    assert (precision["initial"], precision["look_ahead"], precision["cap"]) == (3, 5, 100)
    [target] = precision["targets"]
    assert target["kpi"] == "offered_999" and target["relative"] is True
    assert target["half_width"] == pytest.approx(0.5) and target["met"] is True
    assert target["mean"] == pytest.approx(summary["kpis"]["offered_999"]["mean"])
    assert target["achieved_half_width"] <= 0.5 * target["mean"]
    kpis = pd.read_csv(out / "kpis.csv")
    assert sorted(kpis["replication"].unique()) == list(range(8))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["replications"] == 8 and manifest["precision"]["met"] is True


def test_min_replications_moves_the_first_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    argv = ["run", "--target-half-width", "offered_999=50%", "--min-replications", "4"]
    assert main([*argv, "--out", str(out), "--calls-format", "none", "--quiet", *SMALL]) == 0
    assert "target half-width: 9 (from 4, look-ahead 5" in capsys.readouterr().out
    assert json.loads((out / "summary.json").read_text())["replications"] == 9


def test_impossible_target_stops_at_the_cap_and_says_not_met(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    argv = ["run", "--target-half-width", "answered_within_10s_999=0.0000001"]
    status = main([*argv, "--max-replications", "4", "--out", str(out), "--quiet", *SMALL])
    assert status == 0
    printed = capsys.readouterr().out
    assert "replications chosen by target half-width: 4 (from 3, look-ahead 5, cap 4); " in printed
    assert "target NOT met" in printed
    assert "answered_within_10s_999 half-width" in printed and ": NOT met" in printed
    summary = json.loads((out / "summary.json").read_text())
    assert summary["replications"] == 4
    assert summary["precision"]["met"] is False
    assert summary["precision"]["targets"][0]["met"] is False
    assert summary["precision"]["cap"] == 4
    assert sorted(pd.read_csv(out / "kpis.csv")["replication"].unique()) == [0, 1, 2, 3]


def test_target_on_an_unknown_kpi_exits_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["run", "--target-half-width", "offerd_999=1", "--out", str(tmp_path / "run")]
    line = assert_one_line_error(capsys, main([*argv, "--quiet", *SMALL]))
    assert "--target-half-width offerd_999" in line and "no such KPI" in line
    assert "offered_999" in line  # the near miss is suggested


def test_target_with_replications_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = forbid_simulation(monkeypatch)
    out = tmp_path / "run"
    argv = ["run", "--target-half-width", "offered_999=5%", "--replications", "3"]
    line = assert_one_line_error(capsys, main([*argv, "--out", str(out), "--quiet"]))
    assert "--target-half-width" in line and "--replications" in line
    assert calls == [] and not out.exists()


@pytest.mark.parametrize(
    "value",
    [
        "offered_999",
        "offered_999=",
        "offered_999=abc",
        "offered_999=-1",
        "offered_999=0",
        "offered_999=inf",
        "offered_999=nan%",
        "=5",
    ],
)
def test_malformed_target_exits_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    value: str,
) -> None:
    calls = forbid_simulation(monkeypatch)
    out = tmp_path / "run"
    argv = ["run", "--target-half-width", value, "--out", str(out), "--quiet"]
    line = assert_one_line_error(capsys, main(argv))
    assert f"--target-half-width {value}" in line and "expected" in line
    assert calls == [] and not out.exists()


@pytest.mark.parametrize(
    "extra",
    [
        ["--min-replications", "5", "--max-replications", "4"],
        ["--min-replications", "1"],
    ],
    ids=["min-above-max", "min-below-2"],
)
def test_bad_replication_bounds_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str]
) -> None:
    out = tmp_path / "run"
    argv = ["run", "--target-half-width", "offered_999=5%", *extra, "--out", str(out), "--quiet"]
    line = assert_one_line_error(capsys, main(argv))
    assert "--min-replications" in line
    assert not out.exists()


# -- resume -------------------------------------------------------------------------------------

RUN = ["run", "--replications", "4", "--quiet", *SMALL]


def interrupt_at(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], replication: int = 2
) -> tuple[int, str]:
    """Run ``argv`` with Ctrl-C arriving as ``replication`` starts; returns status and stderr."""

    real = experiment.run_replication

    def interrupted(scenario: object, index: int, *rest: object) -> object:
        if index == replication:
            raise KeyboardInterrupt
        return real(scenario, index, *rest)

    with monkeypatch.context() as patch:
        patch.setattr("controlroom_sim.experiments.runner.run_replication", interrupted)
        status, out, err = run_main(argv)
    assert out == ""
    return status, err


def resume_argv(err: str) -> list[str]:
    """The arguments of the command the interrupted message says will continue the run."""
    command = shlex.split(err.split("to continue: ", 1)[1])
    assert command[0] == "controlroom-sim"
    return command[1:]


@dataclass
class Interrupted:
    out: Path
    argv: list[str]
    status: int
    err: str


@pytest.fixture
def interrupted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Interrupted:
    """A run of 4 replications stopped by Ctrl-C after replications 0 and 1 finished."""
    out = tmp_path / "stopped"
    argv = [*RUN, "--out", str(out)]
    status, err = interrupt_at(monkeypatch, argv)
    return Interrupted(out, argv, status, err)


def test_resume_without_out_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    line = assert_one_line_error(capsys, main([*RUN, "--resume"]))
    assert "--resume" in line and "--out" in line


@pytest.mark.parametrize("state", ["missing", "empty"])
def test_resume_with_nothing_to_resume_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, state: str
) -> None:
    calls = forbid_simulation(monkeypatch)
    out = tmp_path / "nothing"
    if state == "empty":
        out.mkdir()
    line = assert_one_line_error(capsys, main([*RUN, "--out", str(out), "--resume"]))
    assert str(out) in line and "nothing to resume" in line
    assert calls == []


def test_resume_with_nothing_to_resume_leaves_no_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "nothing"
    assert_one_line_error(capsys, main([*RUN, "--out", str(out), "--resume"]))
    assert not out.exists()


def test_resume_of_a_complete_run_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "done"
    argv = ["run", "--replications", "2", "--out", str(out), "--quiet", *SMALL]
    assert main(argv) == 0
    capsys.readouterr()
    before = {name: (out / name).read_bytes() for name in files_under(out)}
    calls = forbid_simulation(monkeypatch)
    line = assert_one_line_error(capsys, main([*argv, "--resume"]))
    assert str(out) in line and "already complete" in line
    assert calls == []
    assert {name: (out / name).read_bytes() for name in files_under(out)} == before


def test_interrupted_run_keeps_finished_replications(interrupted: Interrupted) -> None:
    """Ctrl-C: exit 130, one line naming the folder and the command that continues the run."""
    assert interrupted.status == 130
    err = interrupted.err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"interrupted: 2 finished replication(s) saved in {interrupted.out}; ")
    resume = resume_argv(err)
    assert resume[-1] == "--resume"
    assert resume[resume.index("--out") + 1] == str(interrupted.out)
    assert resume[:-1] == interrupted.argv
    parts = interrupted.out / "replications" / "00"
    assert sorted(p.name for p in parts.glob("rep-*.json")) == [
        "rep-00000.json",
        "rep-00001.json",
    ]
    manifest = json.loads((interrupted.out / "manifest.json").read_text())
    assert manifest["status"] == "running"
    assert manifest["plan"]["kind"] == "run"
    assert manifest["plan"]["replications"]["count"] == 4


def test_rerun_without_resume_refuses_an_interrupted_folder(
    interrupted: Interrupted, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = forbid_simulation(monkeypatch)
    line = assert_one_line_error(capsys, main(interrupted.argv))
    assert str(interrupted.out) in line
    assert "holds an interrupted run with 2 finished replication(s)" in line
    assert "--resume" in line
    assert calls == []
    assert len(list((interrupted.out / "replications" / "00").glob("rep-*.json"))) == 2


@pytest.mark.parametrize(
    ("extra", "where"),
    [
        (["--seed", "7"], "plan.scenarios.0.hash"),
        (["--set", "channels.999.calls_per_day=600"], "plan.scenarios.0.hash"),
        (["--calls-format", "csv"], "plan.calls_format"),
    ],
    ids=["seed", "set", "calls-format"],
)
def test_resume_with_a_different_plan_exits_2(
    interrupted: Interrupted,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    extra: list[str],
    where: str,
) -> None:
    calls = forbid_simulation(monkeypatch)
    line = assert_one_line_error(capsys, main([*interrupted.argv, *extra, "--resume"]))
    assert str(interrupted.out) in line and "cannot resume" in line
    assert f"(at {where})" in line
    assert calls == []
    manifest = json.loads((interrupted.out / "manifest.json").read_text())
    assert manifest["status"] == "running"
    assert len(list((interrupted.out / "replications" / "00").glob("rep-*.json"))) == 2


def test_resume_with_other_replications_exits_2(
    interrupted: Interrupted, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [*interrupted.argv, "--replications", "5", "--resume"]
    line = assert_one_line_error(capsys, main(argv))
    assert "(at plan.replications.count)" in line


def test_resumed_run_equals_an_uninterrupted_one(
    interrupted: Interrupted, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The printed command continues the run: only replications 2 and 3 are simulated, and
    every table is exactly that of a run that was never stopped."""
    ran = record_replications(monkeypatch)
    status, printed, err = run_main(resume_argv(interrupted.err))
    assert status == 0, err
    assert err == few_replications_stderr(4)
    assert sorted(ran) == [2, 3]
    assert "4 replications" in printed
    out = interrupted.out
    assert not (out / "replications").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["replications"] == 4

    whole = tmp_path / "whole"
    assert main([*RUN, "--out", str(whole)]) == 0
    assert files_under(out) == files_under(whole)
    for name in ("kpis.csv", "intervals.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(out / name), pd.read_csv(whole / name))
    for name in ("calls.parquet", "incidents.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(out / name), pd.read_parquet(whole / name))
    assert json.loads((out / "summary.json").read_text()) == json.loads(
        (whole / "summary.json").read_text()
    )


def test_resume_accepts_options_outside_the_plan(
    interrupted: Interrupted, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine is not part of the plan: results do not depend on it."""
    ran = record_replications(monkeypatch)
    status, _, err = run_main([*interrupted.argv, "--engine", "serial", "--resume"])
    assert status == 0, err
    assert sorted(ran) == [2, 3]
    assert sorted(pd.read_csv(interrupted.out / "kpis.csv")["replication"].unique()) == [0, 1, 2, 3]


def test_interrupted_run_in_the_default_folder_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --out the message adds --out with the results/ folder the run was given."""
    status, err = interrupt_at(monkeypatch, RUN)
    assert status == 130
    resume = resume_argv(err)
    folder = Path(resume[resume.index("--out") + 1])
    assert folder.parent == Path("results") and folder.name.startswith("baseline-")
    assert (tmp_path / folder / "replications" / "00" / "rep-00001.json").exists()
    status, _, stderr = run_main(resume)
    assert status == 0, stderr
    assert sorted(pd.read_csv(folder / "kpis.csv")["replication"].unique()) == [0, 1, 2, 3]


def test_interrupted_compare_resumes_to_the_same_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    variant = variant_file(tmp_path / "v.toml", "v", STAFFING)
    common = ["--replications", "3", "--quiet", *SMALL]
    argv = ["compare", "baseline", str(variant), "--out", str(tmp_path / "stopped"), *common]
    status, err = interrupt_at(monkeypatch, argv, replication=1)
    assert status == 130
    assert main(resume_argv(err)) == 0
    whole = tmp_path / "whole"
    assert main(["compare", "baseline", str(variant), "--out", str(whole), *common]) == 0
    stopped = tmp_path / "stopped"
    assert files_under(stopped) == files_under(whole)
    for name in ("kpis.csv", "summary.csv", "differences.csv", "scenarios/01-v/intervals.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(stopped / name), pd.read_csv(whole / name))
    pd.testing.assert_frame_equal(
        pd.read_parquet(stopped / "scenarios/01-v/calls.parquet"),
        pd.read_parquet(whole / "scenarios/01-v/calls.parquet"),
    )


# -- engine and jobs options --------------------------------------------------------------------

COMMAND_HEADS = {
    "run": ["run"],
    "compare": ["compare", "baseline", "baseline"],
    "sweep": ["sweep", "--vary", "channels.999.calls_per_day=600,700"],
}


@pytest.mark.parametrize("command", sorted(COMMAND_HEADS))
def test_scheduler_needs_the_dask_engine(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: str,
) -> None:
    calls = forbid_simulation(monkeypatch)
    out = tmp_path / "out"
    argv = [*COMMAND_HEADS[command], "--scheduler", "tcp://127.0.0.1:8786", "--out", str(out)]
    line = assert_one_line_error(capsys, main([*argv, "--quiet"]))
    assert "--scheduler" in line and "--engine dask" in line
    assert calls == [] and not out.exists()


@pytest.mark.parametrize("command", sorted(COMMAND_HEADS))
@pytest.mark.parametrize("jobs", ["0", "abc", "-1", "1.5", ""])
def test_bad_jobs_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, jobs: str
) -> None:
    out = tmp_path / "out"
    argv = [*COMMAND_HEADS[command], "--jobs", jobs, "--out", str(out), "--quiet"]
    line = assert_one_line_error(capsys, main(argv))
    assert "--jobs" in line and repr(jobs) in line
    assert not out.exists()


def test_bad_engine_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    line = assert_one_line_error(capsys, main(["run", "--engine", "threads", "--quiet"]))
    assert "--engine" in line and "'threads'" in line


@pytest.mark.parametrize("command", sorted(COMMAND_HEADS))
def test_jobs_all_means_every_core(command: str) -> None:
    args = build_parser().parse_args([*COMMAND_HEADS[command], "--jobs", "all"])
    assert args.jobs == (os.cpu_count() or 1)
    assert build_parser().parse_args([*COMMAND_HEADS[command], "--jobs", "3"]).jobs == 3


def test_shared_option_defaults() -> None:
    args = build_parser().parse_args(["run"])
    assert (args.jobs, args.engine, args.scheduler) == (1, "processes", None)
    assert (args.resume, args.calls_format, args.quiet) == (False, "parquet", False)
    assert (args.min_replications, args.max_replications) == (3, 100)
    assert args.targets == [] and args.overrides == [] and args.out is None
