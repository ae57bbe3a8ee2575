"""Every numeric option of every command refuses a value outside the range that works.

The options are found in the parser itself (every option whose value is converted to a number),
so an option added later is covered without being listed here. Each gets values no range
admits (not a number, infinities, and numbers far beyond any real use, which overflow the
computations they feed) and must answer with exit status 2 and one line naming the option and
what it expects, before anything is simulated.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from controlroom_sim.cli.main import main
from controlroom_sim.cli.parsers import build_parser
from controlroom_sim.experiments import runner as experiment
from tests.helpers.paths import BASELINE, SCENARIOS, SHIFT_PATTERNS

NOT_NUMERIC = {Path, str}
BAD = ["nan", "inf", "-inf", "1e308", "-1e308", "1e999"]


def _base(command: str, tmp_path: Path) -> list[str]:
    """A command line that would run, to which one bad option is added."""
    variant = SCENARIOS / "variants" / "demand_plus_10.toml"
    requirement = tmp_path / "requirement.csv"
    return {
        "run": ["run", str(BASELINE)],
        "compare": ["compare", str(BASELINE), str(variant)],
        "sweep": ["sweep", str(BASELINE), "--vary", "scenario.seed=1,2"],
        "erlang": ["erlang", "--calls-per-hour", "100", "--aht-s", "300"],
        "validate": ["validate"],
        "staff": ["staff", str(BASELINE)],
        "roster": ["roster", str(requirement), "--patterns", str(SHIFT_PATTERNS)],
        "replay": ["replay", str(tmp_path)],
    }.get(command, [command])


def _numeric_options() -> list[tuple[str, str]]:
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    found = []
    for name, sub in commands.choices.items():
        for action in sub._actions:
            if not action.option_strings or action.type is None or action.type in NOT_NUMERIC:
                continue
            if getattr(action.type, "__name__", "") == "_names":
                continue
            found.append((name, action.option_strings[0]))
    return found


OPTIONS = _numeric_options()


def test_the_numeric_options_are_found() -> None:
    flags = set(OPTIONS)
    for expected in [
        ("run", "--replications"),
        ("run", "--seed"),
        ("run", "--jobs"),
        ("erlang", "--calls-per-hour"),
        ("erlang", "--aht-s"),
        ("erlang", "--patience-s"),
        ("erlang", "--target-s"),
        ("erlang", "--service-level"),
        ("validate", "--confidence"),
        ("staff", "--shrinkage"),
        ("roster", "--time-limit"),
        ("replay", "--replication"),
    ]:
        assert expected in flags
    assert len(OPTIONS) >= 30


@pytest.mark.parametrize(("command", "option"), OPTIONS, ids=[f"{c} {o}" for c, o in OPTIONS])
def test_values_beyond_range_are_one_line_errors(
    command: str,
    option: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_simulation(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("a replication ran")

    monkeypatch.setattr(experiment, "run_replication", no_simulation)
    for value in BAD:
        argv = [*_base(command, tmp_path), f"{option}={value}"]
        status = main(argv)
        captured = capsys.readouterr()
        lines = captured.err.splitlines()
        assert status == 2, f"{argv}: exit {status}: {captured.err}"
        assert len(lines) == 1 and "Traceback" not in captured.err, captured.err
        assert option in lines[0] and "expected" in lines[0], f"{argv}: {lines[0]}"
