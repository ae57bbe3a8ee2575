"""Kill a run at random moments, resume it each time, and get exactly the uninterrupted run.

A run of twelve one-day replications (eighty for fifty kills), with call and incident records,
is started as a separate process and killed after a random delay, with SIGKILL or SIGTERM, on
one worker or two, chosen by a seeded generator; then it is started again with ``--resume``,
and killed again, until the kills are used up, and finally resumed to the end. After every kill
no worker of the killed run is left running, and the folder is never held by a dead run. The
final tables are byte for byte those of the same run never interrupted.

Five kills by default; fifty with ``-m slow``.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import psutil
import pytest

from tests.helpers.cli import run_main
from tests.helpers.paths import ROOT

ARGS = ["run", "--seed", "3", "--quiet", "--set", "scenario.days=1"]
ARGS += ["--set", "scenario.warmup_hours=2"]
TABLES = ["calls.parquet", "incidents.parquet", "intervals.csv", "kpis.csv", "summary.json"]


def _whole(folder: Path, replications: int) -> Path:
    status, _, err = run_main([*ARGS, "--replications", str(replications), "--out", str(folder)])
    assert status == 0, err
    return folder


def _status(folder: Path) -> str | None:
    try:
        return json.loads((folder / "manifest.json").read_text()).get("status")
    except (OSError, ValueError):
        return None


def _kill_and_resume(folder: Path, whole: Path, replications: int, kills: int, seed: int) -> None:
    args = [*ARGS, "--replications", str(replications)]
    rng = np.random.default_rng(seed)
    done = 0
    attempts = 0
    while done < kills and _status(folder) != "complete":
        attempts += 1
        assert attempts < kills * 4, "the run kept finishing before it could be killed"
        jobs = str(int(rng.integers(1, 3)))
        signum = signal.SIGKILL if rng.random() < 0.5 else signal.SIGTERM
        resume = ["--resume"] if _status(folder) is not None else []
        command = [sys.executable, "-m", "controlroom_sim", *args, "--jobs", jobs]
        process = subprocess.Popen(
            [*command, "--out", str(folder), *resume],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        time.sleep(float(rng.uniform(0.3, 2.5)))
        try:
            children = psutil.Process(process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            children = []
        if process.poll() is None:
            process.send_signal(signum)
            done += 1
        _, err = process.communicate(timeout=60)
        assert b"Traceback" not in err, err.decode()
        # finished, killed, stopped by SIGTERM (143, or -15 while Python was still starting,
        # before the command line could take the signal); never refused or failed
        assert process.returncode in (0, -signal.SIGKILL, -signal.SIGTERM, 143), err.decode()
        _, alive = psutil.wait_procs(children, timeout=15)
        assert not alive, f"worker processes left running after {signum.name}: {alive}"
    if _status(folder) != "complete":  # resume (or start: every kill came before a manifest)
        resume = ["--resume"] if _status(folder) is not None else []
        status, _, err = run_main([*args, "--out", str(folder), *resume])
        assert status == 0, err
    for name in TABLES:
        assert (folder / name).read_bytes() == (whole / name).read_bytes(), name
    assert not (folder / "replications").exists()
    assert not (folder / ".lock").exists() and not (folder / ".owner.json").exists()


def test_five_random_kills_then_the_uninterrupted_tables(tmp_path: Path) -> None:
    whole = _whole(tmp_path / "whole", 12)
    _kill_and_resume(tmp_path / "run", whole, 12, kills=5, seed=20261203)


@pytest.mark.slow
def test_fifty_random_kills_then_the_uninterrupted_tables(tmp_path: Path) -> None:
    whole = _whole(tmp_path / "whole", 80)
    _kill_and_resume(tmp_path / "run", whole, 80, kills=50, seed=17)
