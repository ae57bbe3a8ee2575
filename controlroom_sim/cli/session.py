"""What one invocation of the command line remembers across its modules: its arguments (for
manifests and the resume hint) and the run folder it writes, and the lines that say where an
interrupted run's replications were saved."""

from __future__ import annotations

import shlex
from pathlib import Path

from ..experiments.run_folder import saved_replications

_ARGV: list[str] = []
"""The arguments of this invocation, for the manifest and the resume hint."""
_RUN_FOLDER: list[Path] = []
"""The folder a run, comparison or sweep of this invocation writes (once it is known)."""


def _resume_command(folder: Path | None) -> str:
    argv = [a for a in _ARGV if a != "--resume"]
    if folder is not None and "--out" not in argv and not any(a.startswith("--out=") for a in argv):
        argv += ["--out", str(folder)]
    return shlex.join(["controlroom-sim", *argv, "--resume"])


def _one_line(text: str) -> str:
    """``text`` on one line: control characters (a newline in a key or a file name) escaped."""
    return "".join(
        ch if ch.isprintable() or ch == "\t" else ch.encode("unicode_escape").decode("ascii")
        for ch in text
    )


def _saved_in(folder: Path | None) -> int | None:
    """Finished replications of an interrupted run in ``folder``; None if it holds none to
    continue (no run started there, or the run is complete)."""
    return saved_replications(folder)


def _interrupted_line(folder: Path | None, saved: int | None) -> str:
    if folder is None or saved is None:
        return "interrupted"
    return (
        f"interrupted: {saved} finished replication(s) saved in {folder}; "
        f"to continue: {_resume_command(folder)}"
    )
