"""Ctrl-C and SIGTERM stop a run cleanly; resuming gives the tables of an uninterrupted run.

Each test starts ``python -m controlroom_sim run`` in a subprocess (a scenario of about 0.5 s a
replication, six replications), waits until two replications are saved on disk, sends SIGINT or
SIGTERM to the process, and checks that it stops with status 130 (SIGINT) or 143 (SIGTERM),
one line on stderr saying how many replications are saved and the exact command that
continues the run, no traceback, and the saved replications still on disk. Then it runs that
command and checks that only the missing replications ran and that ``kpis.csv`` (the
per-replication KPI values, exactly), ``summary.json`` and ``intervals.csv`` equal those of an
uninterrupted run with the same seed. With two worker processes, SIGTERM also stops the
workers, and so does either signal sent to the whole process group (as a terminal's Ctrl-C
or a batch system's cancel does).
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest

from controlroom_sim.cli.main import main
from tests.helpers.cli import count_replications
from tests.helpers.paths import ROOT
from tests.helpers.results import recorded_replications

REPLICATIONS = 6
ARGS = [
    "run",
    "--replications",
    str(REPLICATIONS),
    "--seed",
    "5",
    "--quiet",
    "--calls-format",
    "none",
    "--set",
    "scenario.days=3",
]


def _saved(folder: Path) -> set[int]:
    """Replications the manifest records as finished (a replication whose files were written
    but not yet recorded when the signal came is not finished: resume runs it again)."""
    return recorded_replications(folder)


def _start(folder: Path, *extra: str, group: bool = False) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "controlroom_sim", *ARGS, "--out", str(folder), *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=group,  # its own process group, for a signal to the whole group
    )


def _wait_for_saved(process: subprocess.Popen[bytes], folder: Path, count: int) -> None:
    deadline = time.monotonic() + 120
    while len(_saved(folder)) < count:
        assert process.poll() is None, "the run ended before it could be interrupted"
        assert time.monotonic() < deadline, "no replication was saved in time"
        time.sleep(0.02)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("whole") / "run"
    assert main([*ARGS, "--out", str(folder)]) == 0
    return folder


def _interrupt(
    folder: Path, signum: int, *extra: str, group: bool = False
) -> tuple[subprocess.Popen[bytes], str, set[int], list[psutil.Process]]:
    """Start a run, wait for two saved replications, send ``signum`` to the process (with
    ``group``, to its whole process group, workers included, as Ctrl-C in a terminal or a
    batch system's cancel does)."""
    process = _start(folder, *extra, group=group)
    _wait_for_saved(process, folder, 2)
    children = psutil.Process(process.pid).children(recursive=True)
    if group:
        os.killpg(process.pid, signum)
    else:
        process.send_signal(signum)
    out, err = process.communicate(timeout=60)
    assert out == b"", out
    return process, err.decode(), _saved(folder), children


def _check_stopped(process: subprocess.Popen[bytes], err: str, folder: Path, status: int) -> str:
    """The exit status, one line naming the saved replications and the resume command;
    returns that command."""
    assert "Traceback" not in err, err
    assert process.returncode == status, err
    assert err.count("\n") == 1 and err.endswith("\n"), f"not one line: {err!r}"
    saved = _saved(folder)
    assert 2 <= len(saved) < REPLICATIONS, saved
    assert err.startswith(f"interrupted: {len(saved)} finished replication(s) saved in {folder}; ")
    command = err.split("to continue: ", 1)[1].strip()
    argv = shlex.split(command)
    assert argv[0] == "controlroom-sim" and argv[-1] == "--resume"
    assert argv[argv.index("--out") + 1] == str(folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["status"] == "running"
    if (folder / "kpis.csv").exists():  # the progress table holds only saved replications
        assert set(pd.read_csv(folder / "kpis.csv")["replication"]) <= saved
    return command


def _resume(command: str, monkeypatch: pytest.MonkeyPatch) -> set[int]:
    """Run the resume command in this process; returns the replications it simulated."""
    ran = count_replications(monkeypatch)
    assert main(shlex.split(command)[1:]) == 0
    return ran


def _workers_gone_then_resume(
    children: list[psutil.Process],
    command: str,
    saved: set[int],
    folder: Path,
    uninterrupted: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No worker is left running; the resume (on one worker) runs only the missing
    replications and gives the uninterrupted tables."""
    assert children, "no worker processes were seen"
    _, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, f"worker processes left running: {alive}"
    ran = _resume(command.replace("--jobs 2", "--jobs 1"), monkeypatch)
    assert ran == set(range(REPLICATIONS)) - saved
    _assert_same_results(folder, uninterrupted)


def _assert_same_results(folder: Path, whole: Path) -> None:
    a = pd.read_csv(folder / "kpis.csv")
    b = pd.read_csv(whole / "kpis.csv")
    assert sorted(a["replication"].unique()) == list(range(REPLICATIONS))
    pd.testing.assert_frame_equal(a, b, check_exact=True, obj="kpis.csv")
    pd.testing.assert_frame_equal(
        pd.read_csv(folder / "intervals.csv"),
        pd.read_csv(whole / "intervals.csv"),
        check_exact=True,
        obj="intervals.csv",
    )
    assert json.loads((folder / "summary.json").read_text()) == json.loads(
        (whole / "summary.json").read_text()
    )
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert not (folder / "replications").exists()


@pytest.mark.parametrize(
    ("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"]
)
def test_signal_stops_the_run_and_resume_gives_the_uninterrupted_tables(
    tmp_path: Path,
    uninterrupted: Path,
    monkeypatch: pytest.MonkeyPatch,
    signum: int,
    status: int,
) -> None:
    folder = tmp_path / "run"
    process, err, saved, _ = _interrupt(folder, signum)
    command = _check_stopped(process, err, folder, status)
    ran = _resume(command, monkeypatch)
    assert ran == set(range(REPLICATIONS)) - saved, "finished replications were run again"
    _assert_same_results(folder, uninterrupted)


def test_sigterm_on_two_workers_stops_them_and_resumes(
    tmp_path: Path, uninterrupted: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "run"
    process, err, saved, children = _interrupt(folder, signal.SIGTERM, "--jobs", "2")
    command = _check_stopped(process, err, folder, 143)
    assert "--jobs 2" in command
    _workers_gone_then_resume(children, command, saved, folder, uninterrupted, monkeypatch)


def test_stopped_while_writing_the_final_tables_says_how_to_resume(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every replication finished and saved, then Ctrl-C while the final tables are written:
    the folder still says how to continue, and continuing runs nothing again."""
    from controlroom_sim.experiments import execute

    folder = tmp_path / "run"
    argv = [*ARGS[:2], "2", *ARGS[3:], "--set", "scenario.days=0.5", "--out", str(folder)]

    def stopped(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(execute, "write_tables", stopped)
        assert main(argv) == 130
    err = capsys.readouterr().err
    assert err.startswith(f"interrupted: 2 finished replication(s) saved in {folder}; "), err
    assert err.count("\n") == 1
    command = err.split("to continue: ", 1)[1].strip()
    assert _resume(command, monkeypatch) == set()
    assert json.loads((folder / "manifest.json").read_text())["status"] == "complete"


def test_a_second_signal_ends_the_process_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first SIGTERM or Ctrl-C stops the run and tidies up; another one while it does
    ends the process at once (what is on disk is whole either way)."""
    from controlroom_sim.cli import signals

    exits: list[int] = []
    monkeypatch.setattr(signals.os, "_exit", exits.append)
    monkeypatch.setattr(signals, "_SIGNALS", [])
    with pytest.raises(KeyboardInterrupt):
        signals._stop(signal.SIGTERM, None)
    assert signals._interrupted_status() == 143
    signals._stop(signal.SIGINT, None)
    assert exits == [130]


@pytest.mark.parametrize(
    ("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"]
)
def test_a_signal_to_the_whole_process_group_stops_run_and_workers_and_resumes(
    tmp_path: Path,
    uninterrupted: Path,
    monkeypatch: pytest.MonkeyPatch,
    signum: int,
    status: int,
) -> None:
    """The workers get the signal too: with SIGINT they leave it to the parent; with SIGTERM
    they end at once, and the parent still stops as for its own signal."""
    folder = tmp_path / "run"
    process, err, saved, children = _interrupt(folder, signum, "--jobs", "2", group=True)
    command = _check_stopped(process, err, folder, status)
    _workers_gone_then_resume(children, command, saved, folder, uninterrupted, monkeypatch)


HALF_A_RESULT = """
import gc, multiprocessing.queues, struct, sys, threading, time
from controlroom_sim.experiments.engines import ProcessEngine


def ready():
    return "up"


def half_a_result():
    # As a worker stopped in the middle of sending a large result: the pipe holds the header
    # of a 1 MB message and a few bytes of it.
    queue = next(
        o for o in gc.get_objects() if isinstance(o, multiprocessing.queues.SimpleQueue)
    )
    queue._writer._send(struct.pack("!i", 1_000_000) + b"partial")
    time.sleep(3600)


if __name__ == "__main__":
    engine = ProcessEngine(2)
    engine.submit(0, ready)
    engine.next_done()
    engine.submit(1, half_a_result)
    time.sleep(2)  # the parent is now waiting for the rest of the message
    closing = threading.Thread(target=engine.close, kwargs={"interrupted": True}, daemon=True)
    closing.start()
    closing.join(30)
    print("closed" if not closing.is_alive() else "hung", flush=True)
"""


def test_stopping_workers_in_the_middle_of_sending_a_result_does_not_hang(
    tmp_path: Path,
) -> None:
    """A worker stopped while it sends a result leaves half a message in the pool's result
    pipe; closing the engine after an interruption must still end (it waited for ever)."""
    script = tmp_path / "half.py"
    script.write_text(HALF_A_RESULT)
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.stdout.strip() == "closed", (done.stdout, done.stderr[-2000:])
    assert done.returncode == 0, done.stderr[-2000:]


def test_sigkill_of_the_parent_leaves_no_worker(tmp_path: Path) -> None:
    """SIGKILL gives the parent no chance to stop its workers: they see it is gone and end
    themselves within a few seconds (issue 17 asks for none alive 5 s after), and so does the
    resource tracker once they have."""
    folder = tmp_path / "run"
    process = _start(folder, "--jobs", "2")
    _wait_for_saved(process, folder, 1)
    children = psutil.Process(process.pid).children(recursive=True)
    workers = [c for c in children if "resource_tracker" not in " ".join(c.cmdline())]
    assert len(workers) >= 2, f"expected two workers, found {children}"
    process.kill()
    process.communicate(timeout=30)
    _, alive = psutil.wait_procs(children, timeout=5)
    for left in alive:  # leave no orphan behind when the check fails
        left.kill()
    assert not alive, f"processes left running 5 s after the parent's SIGKILL: {alive}"
