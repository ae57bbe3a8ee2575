"""Who owns a run folder while a run writes it: one run at a time.

A run takes an exclusive lock on ``.lock`` in its folder (the ``filelock`` package: an
operating-system lock, which the system lets go when the process ends however it ends, so no
lock outlives a killed run) before it writes anything there, and holds it until it has written
its last table. Beside the lock, ``.owner.json`` says which process holds it and since when, so a
second run on the same folder is refused at once with that in its one line. Both files go when
the run ends, so a finished folder holds only its results. A folder whose
``manifest.json`` says ``running`` but whose lock nobody holds was left by a run that died: it is
interrupted, and ``resume`` continues it.
"""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from ..config.errors import ControlroomError, Param, named
from .files import write_json

LOCK = ".lock"
OWNER = ".owner.json"


class RunInProgress(ControlroomError, RuntimeError):
    """Another run holds the folder; the message names its process and start time."""


def owner(folder: Path) -> dict[str, object] | None:
    """What ``.owner.json`` says of the run that holds (or last held) ``folder``."""
    try:
        data = json.loads((folder / OWNER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def is_locked(folder: Path) -> bool:
    """Whether a live run holds ``folder`` now (without waiting, and without taking it)."""
    if not (folder / LOCK).exists():
        return False
    lock = FileLock(folder / LOCK, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        return True
    lock.release()
    return False


@contextmanager
def owning(folder: Path) -> Iterator[None]:
    """Hold ``folder`` for this run; RunInProgress at once if another run holds it."""
    lock = FileLock(folder / LOCK, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise _busy(folder) from None
    try:
        write_json(
            folder / OWNER,
            {
                "pid": os.getpid(),
                "host": platform.node(),
                "started": datetime.now(UTC).isoformat(timespec="seconds"),
            },
        )
        yield
    finally:
        # The folder keeps only results: the owner and the lock file go as the run ends
        # (a run killed before this leaves them, but the system has let its lock go).
        (folder / OWNER).unlink(missing_ok=True)
        (folder / LOCK).unlink(missing_ok=True)
        lock.release()


def _busy(folder: Path) -> RunInProgress:
    who = owner(folder) or {}
    pid, started = who.get("pid", "unknown"), who.get("started", "an unknown time")
    return named(
        RunInProgress,
        f"{folder}: a run is in progress there (process {pid}, started {started}); "
        "wait for it to finish, or give another folder as ",
        Param("out"),
    )
