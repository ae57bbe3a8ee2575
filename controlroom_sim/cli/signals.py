"""SIGINT and SIGTERM: how a signal stops a run (finished replications kept), and the exit
status that reports it."""

from __future__ import annotations

import contextlib
import os
import signal

_SIGNALS: list[int] = []
"""The stopping signals (SIGINT, SIGTERM) this invocation has received."""


def _stop(signum: int, frame: object) -> None:
    """SIGTERM (and Ctrl-C) stop a run the same way: finished replications are kept, the
    workers are stopped, and the message says how to continue. A second signal while the run
    is stopping ends the process at once (the files on disk are whole either way)."""
    if _SIGNALS:
        os._exit(128 + signum)
        return  # (only when os._exit is replaced, as in a test)
    _SIGNALS.append(signum)
    raise KeyboardInterrupt


def _interrupted_status() -> int:
    return 128 + (_SIGNALS[0] if _SIGNALS else signal.SIGINT)


def _install(signum: int, handler: object) -> object | None:
    with contextlib.suppress(ValueError, OSError):  # not the main thread: leave signals alone
        return signal.signal(signum, handler)  # type: ignore[arg-type]
    return None
