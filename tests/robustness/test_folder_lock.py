"""One run per results folder: a second run on a folder that a live run holds is refused at once
(exit status 2, one line naming the folder, the holder's process id and start time), and the
first run's results are all there; a folder whose run was killed is not held, so it is said to
be interrupted and can be resumed.

Each test starts ``python -m controlroom_sim run`` in subprocesses, as two users (or two
terminals) would.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from controlroom_sim.experiments.folder_lock import is_locked, owner
from tests.helpers.paths import ROOT
from tests.helpers.results import recorded_replications

ARGS = ["run", "--replications", "6", "--quiet", "--calls-format", "parquet"]
ARGS += ["--set", "scenario.days=2"]


def _start(folder: Path, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "controlroom_sim", *ARGS, "--out", str(folder), *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _wait_until_held(process: subprocess.Popen[bytes], folder: Path) -> None:
    deadline = time.monotonic() + 120
    while not (folder / "manifest.json").exists() or not is_locked(folder):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run never took its folder"
        time.sleep(0.02)


def test_a_second_run_on_a_held_folder_is_refused_and_nothing_is_lost(tmp_path: Path) -> None:
    folder = tmp_path / "run"
    first = _start(folder, "--seed", "11")
    _wait_until_held(first, folder)
    holder = owner(folder)
    assert holder is not None and holder["pid"] == first.pid
    second = _start(folder, "--seed", "12")
    _, err = second.communicate(timeout=120)
    assert second.returncode == 2, err
    line = err.decode()
    assert line.count("\n") == 1 and "Traceback" not in line
    assert line.startswith(f"error: {folder}: a run is in progress there (process {first.pid}")
    assert "--out" in line
    _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert json.loads((folder / "summary.json").read_text())["seed"] == 11
    for name in ("kpis.csv", "intervals.csv", "calls.parquet", "incidents.parquet"):
        assert (folder / name).stat().st_size > 0, name
    assert not is_locked(folder)
    assert owner(folder) is None  # a finished run leaves no owner behind
    assert not (folder / ".lock").exists()


def _recorded(folder: Path) -> bool:
    return bool(recorded_replications(folder))


def test_a_killed_runs_folder_is_interrupted_not_held_and_resumes(tmp_path: Path) -> None:
    folder = tmp_path / "run"
    first = _start(folder, "--seed", "11")
    _wait_until_held(first, folder)
    deadline = time.monotonic() + 120
    while not _recorded(folder):  # a replication saved and recorded in the manifest
        assert first.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    first.kill()  # SIGKILL: the system lets the lock go with the process
    first.communicate(timeout=60)
    assert not is_locked(folder)
    again = _start(folder, "--seed", "11")
    _, err = again.communicate(timeout=120)
    assert again.returncode == 2
    assert "interrupted" in err.decode() and "in progress" not in err.decode()
    resumed = _start(folder, "--seed", "11", "--resume")
    _, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    assert json.loads((folder / "manifest.json").read_text())["status"] == "complete"
