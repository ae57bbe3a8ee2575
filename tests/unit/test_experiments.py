"""Experiments: the same tables whatever the engine, resumable runs, and common random numbers.

These are the issue's acceptance tests:

- one experiment run serially, on 2 local processes and on a Dask LocalCluster gives identical
  tables (and the parallel paths really ran in other processes);
- a run killed part-way and resumed gives exactly the files of an uninterrupted run;
- ``compare`` on two staffing levels gives paired differences with intervals narrower than the
  unpaired ones, as common random numbers should.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import controlroom_sim as crs
from controlroom_sim.analysis.precision import PrecisionTarget, ReplicationPlan
from controlroom_sim.cli.main import main
from controlroom_sim.config.loading import load_scenario
from controlroom_sim.experiments.engines import DaskEngine, ProcessEngine, SerialEngine, make_engine
from controlroom_sim.experiments.runner import run_scenarios
from tests.helpers.paths import ROOT

SMALL = ["scenario.days=0.5", "scenario.warmup_hours=2"]
HEAVY = ROOT / "scenarios" / "validation" / "erlang_a_heavy.toml"


def _pid_of_worker(_: object) -> int:
    return os.getpid()


def _tables(result: crs.api.ExperimentResult) -> dict[str, pd.DataFrame]:
    return {
        "kpis": result.kpis,
        "summary": result.summary,
        "intervals": result.intervals,
        "calls": result.calls,
        "incidents": result.incidents,
    }


def _assert_same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    assert a.keys() == b.keys()
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True, obj=name)


@pytest.fixture(scope="module")
def small_baseline():  # type: ignore[no-untyped-def]
    return load_scenario(None, SMALL)


@pytest.fixture(scope="module")
def serial_tables(small_baseline):  # type: ignore[no-untyped-def]
    result = crs.run(small_baseline, replications=4, engine="serial")
    assert len(result.replications) == 4
    assert len(result.calls) > 0 and result.incidents is not None
    return _tables(result)


def test_two_processes_give_the_serial_tables(small_baseline, serial_tables) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine("processes", jobs=2)
    assert isinstance(engine, ProcessEngine)
    try:
        # the pool's workers are other processes
        engine.submit((0, 0), _pid_of_worker, None)
        engine.submit((0, 1), _pid_of_worker, None)
        pids = {engine.next_done()[1], engine.next_done()[1]}
        assert os.getpid() not in pids
        plan = ReplicationPlan(count=4)
        results = run_scenarios([small_baseline.model_copy()], plan, engine)
    finally:
        engine.close()
    result = results[0]
    result.scenario = small_baseline
    _assert_same(_tables(result), serial_tables)
    # and through the public API, with more workers than replications per batch
    _assert_same(_tables(crs.run(small_baseline, replications=4, jobs=2)), serial_tables)


def test_dask_local_cluster_gives_the_serial_tables(small_baseline, serial_tables) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("distributed")
    engine = make_engine("dask", jobs=2)
    assert isinstance(engine, DaskEngine) and engine.workers == 2
    try:
        engine.submit((0, 0), _pid_of_worker, None)
        assert engine.next_done()[1] != os.getpid()  # a worker process ran it
        results = run_scenarios([small_baseline], ReplicationPlan(count=4), engine)
    finally:
        engine.close()
    _assert_same(_tables(results[0]), serial_tables)


def test_target_half_width_decision_is_the_same_on_every_engine(small_baseline) -> None:  # type: ignore[no-untyped-def]
    """Replications finish out of order on two workers, yet the count chosen, and so the
    tables, are those of the serial run."""
    target = {"answered_within_10s_999": 0.03}
    serial = crs.run(small_baseline, target_half_width=target, engine="serial")
    parallel = crs.run(small_baseline, target_half_width=target, jobs=2)
    assert serial.precision is not None and serial.precision["met"]
    n = len(serial.replications)
    assert 3 + 5 <= n <= 100
    assert serial.precision == parallel.precision
    _assert_same(_tables(serial), _tables(parallel))
    # the rule in the open: the first n >= 3 where the target holds for n..n+5, plus 5
    plan = ReplicationPlan(targets=(PrecisionTarget("answered_within_10s_999", 0.03),))
    kpis = [{"baseline": r.kpis} for r in serial.replications]
    assert plan.decide(kpis) == n
    assert plan.decide(kpis[: n - 1]) is None


def test_serial_engine_runs_in_order() -> None:
    engine = SerialEngine()
    for rep in (2, 0, 1):
        engine.submit((rep, 0), _pid_of_worker, rep)
    assert [engine.next_done()[0][0] for _ in range(3)] == [2, 0, 1]
    assert engine.in_flight() == 0


# -- interrupted and resumed runs ---------------------------------------------------------------

RUN_ARGS = ["--replications", "10", "--seed", "11", "--quiet", "--set", "scenario.days=2"]


def _saved(folder: Path) -> int:
    return len(list((folder / "replications").glob("*/rep-*.json")))


def _start(folder: Path, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "controlroom_sim", "run", *RUN_ARGS, "--out", str(folder), *extra],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_for_saved(process: subprocess.Popen[bytes], folder: Path, count: int) -> None:
    deadline = time.monotonic() + 120
    while _saved(folder) < count:
        assert process.poll() is None, "the run ended before it could be interrupted"
        assert time.monotonic() < deadline, "no replication was saved in time"
        time.sleep(0.05)


def _assert_same_folder(a: Path, b: Path) -> None:
    for name in ("kpis.csv", "intervals.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(a / name), pd.read_csv(b / name), obj=name)
    for name in ("calls.parquet", "incidents.parquet"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(a / name), pd.read_parquet(b / name), check_exact=True, obj=name
        )
    sa = json.loads((a / "summary.json").read_text())
    sb = json.loads((b / "summary.json").read_text())
    assert sa == sb


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("whole") / "run"
    assert main(["run", *RUN_ARGS, "--out", str(folder)]) == 0
    return folder


def test_killed_run_resumes_to_the_uninterrupted_tables(
    tmp_path: Path, uninterrupted: Path
) -> None:
    """SIGKILL gives the process no chance to tidy up; the saved replications still count."""
    folder = tmp_path / "run"
    process = _start(folder)
    _wait_for_saved(process, folder, 2)
    process.kill()
    process.communicate(timeout=30)
    saved = _saved(folder)
    assert 2 <= saved < 10
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["status"] == "running"
    assert not (folder / "calls.parquet").exists()
    # the same command without --resume refuses to overwrite the interrupted run
    assert main(["run", *RUN_ARGS, "--out", str(folder)]) == 2
    assert _saved(folder) == saved
    assert main(["run", *RUN_ARGS, "--out", str(folder), "--resume"]) == 0
    _assert_same_folder(folder, uninterrupted)
    assert not (folder / "replications").exists()
    assert json.loads((folder / "manifest.json").read_text())["status"] == "complete"


def test_ctrl_c_on_two_processes_says_how_to_resume(tmp_path: Path, uninterrupted: Path) -> None:
    folder = tmp_path / "run"
    process = _start(folder, "--jobs", "2")
    _wait_for_saved(process, folder, 2)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    message = err.decode()
    assert process.returncode == 130, message
    assert "interrupted:" in message and "to continue:" in message
    assert f"--out {folder}" in message and message.rstrip().endswith("--resume")
    assert "Traceback" not in message
    saved = _saved(folder)
    assert 2 <= saved < 10
    assert main(["run", *RUN_ARGS, "--out", str(folder), "--jobs", "2", "--resume"]) == 0
    _assert_same_folder(folder, uninterrupted)


def test_sigterm_stops_like_ctrl_c(tmp_path: Path) -> None:
    folder = tmp_path / "run"
    process = _start(folder)
    _wait_for_saved(process, folder, 1)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 143  # 128 + SIGTERM, as shells report a process it ended
    assert "to continue:" in err.decode()
    assert _saved(folder) >= 1


def test_a_worker_that_dies_stops_the_run_with_its_work_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A lost local worker (here: the engine reports it) ends the run with exit 1 and the
    resume hint; the saved replications are kept."""
    from controlroom_sim.experiments import engines

    real = engines.SerialEngine.next_done
    calls = {"n": 0}

    def next_done(self):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            raise engines.EngineError("a worker process stopped unexpectedly (test)")
        return real(self)

    monkeypatch.setattr(engines.SerialEngine, "next_done", next_done)
    folder = tmp_path / "run"
    args = ["run", "--replications", "4", "--quiet", "--out", str(folder)]
    args += ["--set", SMALL[0], "--set", SMALL[1]]
    assert main(args) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "worker process stopped" in err and "2 finished replication(s)" in err
    assert err.endswith("--resume")
    assert _saved(folder) == 2


# -- common random numbers ----------------------------------------------------------------------


def test_compare_two_staffing_levels_pairs_narrower_than_unpaired(tmp_path: Path) -> None:
    """16 against 17 handlers on M/M/n+M at 94% load: the same callers in both, so the
    per-replication differences vary far less than the KPIs themselves."""
    base = load_scenario(HEAVY, ["scenario.days=1", "handlers.0.count=16"])
    more = load_scenario(
        HEAVY, ["scenario.days=1", "handlers.0.count=17", "scenario.name='seventeen'"]
    )
    comparison = crs.compare(base, more, replications=10, out=tmp_path / "cmp")
    table = comparison.differences.set_index("kpi")
    # the arrivals are shared exactly
    assert table.loc["offered_999", "diff"] == 0
    assert table.loc["offered_999", "ci_high"] == table.loc["offered_999", "ci_low"]
    for kpi in (
        "answered_within_10s_999",
        "answered_within_10s_of_offered_999",
        "mean_answer_s_999",
        "abandon_rate_999",
        "handler_occupancy",
    ):
        row = table.loc[kpi]
        paired = row.ci_high - row.ci_low
        unpaired = row.unpaired_ci_high - row.unpaired_ci_low
        assert 0 < paired < 0.6 * unpaired, (kpi, paired, unpaired)
    # more handlers: calls answered sooner, fewer abandon (the intervals exclude zero)
    assert table.loc["answered_within_10s_999", "ci_low"] > 0
    assert table.loc["abandon_rate_999", "ci_high"] < 0
    written = pd.read_csv(tmp_path / "cmp" / "differences.csv")
    assert list(written["kpi"]) == list(comparison.differences["kpi"])
