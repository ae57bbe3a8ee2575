"""The ``controlroom-sim`` entry point, :func:`main`, and the one place that turns what went
wrong into an exit status.

Each command prints a readable table, writes files where it has results, and on bad input
exits with status 2 and one line saying what is wrong (never a traceback).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence

from ..config.errors import ControlroomError
from ..experiments import api
from .commands import COMMANDS
from .parsers import build_parser
from .session import _ARGV, _RUN_FOLDER, _interrupted_line, _one_line, _resume_command, _saved_in
from .signals import _SIGNALS, _install, _interrupted_status, _stop
from .usage import error_text

EXIT_BAD_INPUT = 2


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    parser = build_parser()
    _ARGV[:] = list(sys.argv[1:] if argv is None else argv)
    _RUN_FOLDER.clear()
    _SIGNALS.clear()
    previous = {signal.SIGTERM: _install(signal.SIGTERM, _stop)}
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        previous[signal.SIGINT] = _install(signal.SIGINT, _stop)
    try:
        return _main(parser, argv)
    finally:
        for signum, handler in previous.items():
            if handler is not None:
                signal.signal(signum, handler)  # type: ignore[arg-type]


def _main(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> int:
    try:
        args = parser.parse_args(argv)
        return COMMANDS[args.command](args)
    except ControlroomError as exc:
        print(f"error: {_one_line(error_text(exc))}", file=sys.stderr)
        return exc.exit_status
    except api.RunInterrupted as exc:
        print(_one_line(_interrupted_line(exc.folder, exc.saved)), file=sys.stderr)
        return _interrupted_status()
    except api.RunStopped as exc:
        if _SIGNALS:  # the workers were stopped by the same signal as this process
            print(_one_line(_interrupted_line(exc.folder, exc.saved)), file=sys.stderr)
            return _interrupted_status()
        where = (
            f"; {exc.saved} finished replication(s) saved in {exc.folder}; to continue: "
            f"{_resume_command(exc.folder)}"
            if exc.folder is not None
            else ""
        )
        print(_one_line(f"error: {exc.reason}{where}"), file=sys.stderr)
        return 1
    except BrokenPipeError:
        # Output piped into a program that stopped reading (e.g. head): no message, and no
        # second error when Python flushes stdout at exit (the recipe in Python's docs).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        # Stopped outside the replications (starting, or writing the final tables): a run
        # folder left running can still be continued.
        folder = _RUN_FOLDER[0] if _RUN_FOLDER else None
        print(_one_line(_interrupted_line(folder, _saved_in(folder))), file=sys.stderr)
        return _interrupted_status()
    except Exception as exc:  # never a bare traceback; show it on request
        if os.environ.get("CONTROLROOM_SIM_DEBUG"):
            raise
        print(
            _one_line(
                f"error: internal error: {type(exc).__name__}: {exc} "
                "(set CONTROLROOM_SIM_DEBUG=1 for the traceback)"
            ),
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":  # python -m controlroom_sim.cli.main, like python -m controlroom_sim
    sys.exit(main())
