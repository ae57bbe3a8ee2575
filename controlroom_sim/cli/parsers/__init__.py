"""The command line's parser: one builder per command (in this package's modules), put
together by :func:`build_parser`."""

from __future__ import annotations

import argparse

from ...config.version import __version__
from ..usage import UsageError
from .experiments import add_compare, add_run, add_sweep
from .fitting import add_fit, add_fit_check
from .planning import add_roster, add_rota, add_staff
from .tools import add_app, add_erlang, add_replay, add_report, add_scenarios, add_validate


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="controlroom-sim",
        description="Discrete-event simulator of a UK police control room.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    for add in (
        add_run,
        add_compare,
        add_sweep,
        add_erlang,
        add_validate,
        add_staff,
        add_roster,
        add_rota,
        add_report,
        add_scenarios,
        add_replay,
        add_fit_check,
        add_fit,
        add_app,
    ):
        add(commands)
    return parser
