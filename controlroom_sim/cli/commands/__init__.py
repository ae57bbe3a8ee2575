"""The commands: one function per command, taking the parsed arguments and returning the exit
status."""

from .app import command_app
from .experiments import command_compare, command_run, command_sweep
from .fitting import command_fit, command_fit_check
from .folders import command_replay, command_report, command_scenarios
from .planning import command_roster, command_rota, command_staff
from .theory import command_erlang, command_validate

COMMANDS = {
    "run": command_run,
    "compare": command_compare,
    "sweep": command_sweep,
    "erlang": command_erlang,
    "validate": command_validate,
    "staff": command_staff,
    "roster": command_roster,
    "rota": command_rota,
    "report": command_report,
    "replay": command_replay,
    "scenarios": command_scenarios,
    "fit-check": command_fit_check,
    "fit": command_fit,
    "app": command_app,
}
