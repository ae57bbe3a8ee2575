"""The command line words library errors with its flags (issue 16).

The library's errors name parameters (``targets='x': ...``, ``overrides='k=v': ...``); the
command line prints the same message with the flags typed (``--target 'x': ...``,
``--set k=v: ...``). Each line below is the command line's wording word for word, as it was
before the library stopped naming flags: exit status 2, one ``error:`` line on stderr.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from controlroom_sim.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
MERGING = ROOT / "scenarios" / "merging"
TWICE = ["--target", "abandon_rate_101=0.2"]
NO_CALLS = ["--target", "abandon_rate_101=0.1"]
SMALL = ["--set", "scenario.days=0.5", "--set", "scenario.warmup_hours=2"]
KPIS = (
    "answered_within_10s_<channel>, answered_within_10s_of_offered_<channel>, "
    "answered_within_60s_<channel>, abandon_rate_<channel>, mean_answer_s_<channel>"
)

CASES = [
    # planning: targets, group, forces, replications
    (
        ["staff", "--erlang-only", "--target", "service_level"],
        "--target 'service_level': expected KPI=VALUE",
    ),
    (
        ["staff", "--erlang-only", "--target", "answered_within_10s=0.9"],
        f"--target 'answered_within_10s=0.9': expected a KPI among {KPIS}; "
        "did you mean answered_within_10s_999?",
    ),
    (
        ["staff", "--erlang-only", "--target", "answered_within_10s_999=ninety"],
        "--target 'answered_within_10s_999=ninety': expected a number, found 'ninety'",
    ),
    (
        ["staff", "--erlang-only", "--target", "mean_answer_s_101=-30"],
        "--target 'mean_answer_s_101=-30': expected a positive number of seconds, found '-30'",
    ),
    (
        ["staff", "--erlang-only", "--target", "answered_within_10s_999=1.5"],
        "--target 'answered_within_10s_999=1.5': expected a share between 0 and 1 "
        "(or 0% and 100%), found '1.5'",
    ),
    (
        ["staff", "--erlang-only", "--target", "abandon_rate_101=0.1", *TWICE],
        "--target abandon_rate_101: given twice",
    ),
    (
        ["staff", "--erlang-only", "--set", "channels.101.calls_per_day=0", *NO_CALLS],
        "--target abandon_rate_101: the scenario has no 101 calls",
    ),
    (
        ["staff", "--erlang-only", "--group", "nobody"],
        "--group 'nobody': expected one of the scenario's handler groups ('999 desk', 'contact')",
    ),
    (
        ["staff", "--erlang-only", "--forces", "Kent"],
        "--forces: expected a scenario with [[forces]], found none",
    ),
    (
        ["staff", str(MERGING / "one_room.toml"), "--erlang-only", "--forces", "Kent"],
        "--forces: expected names of Bedfordshire, Cambridgeshire, Hertfordshire, found 'Kent'",
    ),
    (
        ["staff", "--replications", "1", *SMALL],
        "--replications: expected at least 2 to estimate intervals",
    ),
    # analysis: target half-widths and sweeps
    (
        ["run", "--target-half-width", "kpi=abc", *SMALL],
        "--target-half-width kpi=abc: expected a number > 0 (or a percentage such as 5%), "
        "found 'abc'",
    ),
    (
        ["run", "--target-half-width", "kpi", *SMALL],
        "--target-half-width kpi: expected KPI=VALUE or KPI=VALUE%",
    ),
    (
        ["sweep", "--vary", "channels.999.calls_per_day", *SMALL],
        "--vary channels.999.calls_per_day: expected KEY=V1,V2,... such as "
        "handlers.0.count=8,10,12",
    ),
    (
        ["sweep", "--vary", "scenario.seed=1", "--vary", "scenario.seed=2", *SMALL],
        "--vary: a key is varied twice",
    ),
    (
        ["sweep", "--vary", "channels.999.calls_per_day=600,-5", *SMALL],
        "--vary channels.999.calls_per_day=-5: channels.999.calls_per_day: "
        "expected a number >= 0.0, found -5",
    ),
    (
        ["sweep", "--vary", "handlers.9.count=1,2", *SMALL],
        "--vary handlers.9.count=1: handlers.9: expected an index from 0 to 1, found '9'",
    ),
    # config: scenario overrides
    (
        ["run", "--set", "channels.999.calls_per_day"],
        "--set channels.999.calls_per_day: expected KEY=VALUE, found no '='",
    ),
    (
        ["run", "--set", "=5"],
        "--set =5: expected a dotted key such as channels.999.calls_per_day",
    ),
    (
        ["run", "--set", "handlers.5.count=3"],
        "--set handlers.5.count=3: handlers.5: expected an index from 0 to 1, found '5'",
    ),
    (
        ["run", "--set", "channels.999.calls_per_day=-5"],
        "--set channels.999.calls_per_day=-5: channels.999.calls_per_day: "
        "expected a number >= 0.0, found -5",
    ),
    (
        ["run", "--set", "scenario.name.first=x"],
        "--set scenario.name.first=x: scenario.name: expected a table to set 'first' in, "
        "found the value 'baseline'",
    ),
    (
        ["run", "--set", "scenario.name.x.y=1"],
        "--set scenario.name.x.y=1: scenario.name: expected a table, found the value 'baseline'",
    ),
    (
        ["run", "--set", "scenario.seed=" + "9" * 30],
        f"--set scenario.seed={'9' * 30}: scenario.seed: expected a whole number "
        "from -2**63 to 2**63-1, found one of 30 digits",
    ),
    (
        ["run", "--set", "channels.999.profile=nope.csv"],
        "--set channels.999.profile=nope.csv: channels.999.profile: "
        "no such profile file '{cwd}/nope.csv'",
    ),
    (
        ["run", "--set", "channels.999.profile=."],
        "--set channels.999.profile=.: channels.999.profile: expected a CSV file, "
        "found a folder '{cwd}'",
    ),
    (
        ["run", "--set", 'provenance.nothing="x"'],
        '--set provenance.nothing="x": provenance.nothing: expected the key path of a '
        "parameter in this scenario, found none",
    ),
]


@pytest.mark.parametrize(("argv", "expected"), CASES, ids=[" ".join(a) for a, _ in CASES])
def test_the_command_line_names_flags(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    expected: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    status = main([*argv, "--out", str(tmp_path / "out"), "--quiet"])
    captured = capsys.readouterr()
    assert status == 2, captured.err
    assert captured.err == f"error: {expected.replace('{cwd}', str(tmp_path.resolve()))}\n"
