"""Bad input on the command line: one clear line, exit status 2, never a traceback.

The standard (docs and ``controlroom_sim/loading.py``): every problem is reported as ONE line on
stderr, ``error: <where>: <key path>: expected ..., found ...``, where ``<where>`` is the file
that holds the mistake (or ``--set ...`` for an override), and ``main`` returns 2 before any
simulation runs. Nothing is silently replaced by a default.

Each case is checked twice:

* ``core``: status 2, exactly one line starting with ``error: ``, no traceback, nothing on stdout,
  no output folder left behind;
* ``detail``: the line names the file (or ``--set``) and the key path, and says what was expected
  and what was found.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from controlroom_sim.cli import main as cli
from controlroom_sim.config.vocabulary import WEEKDAYS
from tests.helpers.cli import assert_one_line_error, few_replications_stderr

# -- helpers ------------------------------------------------------------------------------------

TEMPLATE = """\
{top}
[scenario]
name = "bad-input"
days = 0.05
warmup_hours = 0
replications = 1
{scenario}

[channels.999]
calls_per_day = {calls_per_day}
talk_s = {{ dist = "exponential", mean = 60 }}
{channel}

[[handlers]]
name = "contact"
skills = {skills}
{handler}
{tail}
"""


def scenario_text(
    *,
    top: str = "",
    scenario: str = "",
    calls_per_day: str = "100",
    channel: str = "",
    skills: str = '["999"]',
    handler: str = "count = 2",
    tail: str = "",
) -> str:
    """A small valid scenario (a few minutes of simulated time) with one part changed."""
    return TEMPLATE.format(
        top=top,
        scenario=scenario,
        calls_per_day=calls_per_day,
        channel=channel,
        skills=skills,
        handler=handler,
        tail=tail,
    )


GOOD = scenario_text()

QUARTERS = [f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 15, 30, 45)]
DAILY_CSV = "start,weight\n" + "".join(f"{q},1\n" for q in QUARTERS)
WEEKLY_CSV = "weekday,start,weight\n" + "".join(f"{d},{q},1\n" for d in WEEKDAYS for q in QUARTERS)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run_args(scenario: Path | str, out: Path, *extra: str) -> list[str]:
    return ["run", str(scenario), "--out", str(out), "--replications", "1", "--quiet", *extra]


def assert_names(line: str, where: str, key: str | tuple[str, ...] | None, *fragments: str) -> None:
    """``line`` starts with ``error: <where>``, names the key path right after it (``where``
    is a file) or anywhere (``where`` is ``--set``/an option), and contains every fragment."""
    assert line.startswith(f"error: {where}"), f"does not start with {where!r}: {line!r}"
    keys = (key,) if isinstance(key, str) else (key or ())
    if keys:
        if where.startswith("-"):
            assert any(k in line for k in keys), f"no key path {keys} in {line!r}"
        else:
            assert any(line.startswith(f"error: {where}: {k}") for k in keys), (
                f"no key path {keys} right after {where!r} in {line!r}"
            )
    for fragment in fragments:
        assert fragment in line, f"{fragment!r} not in {line!r}"


@dataclass(frozen=True)
class Case:
    """A bad scenario file (and optional extra CLI arguments)."""

    id: str
    text: str
    key: str | tuple[str, ...] | None
    fragments: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    where: str | None = None  # None: the scenario file; otherwise a literal prefix ("--set ...")


def _params(cases: list[Case]) -> list[Any]:
    """One pytest parameter per case, named by its id."""
    return [pytest.param(case, id=case.id) for case in cases]


UNKNOWN_KEY = ("unknown key",)


@pytest.fixture(autouse=True)
def _work_in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Relative paths (--set profiles, default result folders) stay inside tmp_path."""
    monkeypatch.chdir(tmp_path)


# -- the cases ----------------------------------------------------------------------------------

FILE_CASES: list[Case] = [
    # unknown keys, at every level
    Case("unknown-top-level", scenario_text(top="colour = 1"), "colour", UNKNOWN_KEY),
    Case(
        "unknown-in-scenario", scenario_text(scenario="colour = 1"), "scenario.colour", UNKNOWN_KEY
    ),
    Case(
        "unknown-in-channel", scenario_text(channel="speed = 1"), "channels.999.speed", UNKNOWN_KEY
    ),
    Case(
        "unknown-in-distribution",
        scenario_text(channel='patience_s = { dist = "exponential", mean = 60, sd = 3 }'),
        "channels.999.patience_s.sd",
        UNKNOWN_KEY,
    ),
    Case(
        "unknown-in-handlers",
        scenario_text(handler="count = 2\nteam = 1"),
        "handlers.0.team",
        UNKNOWN_KEY,
    ),
    Case(
        "unknown-in-shift",
        scenario_text(handler='shifts = [{ start = "07:00", hours = 8, count = 2, colour = 1 }]'),
        "handlers.0.shifts.0.colour",
        UNKNOWN_KEY,
    ),
    Case(
        "unknown-table-name",
        scenario_text(tail="[callbacks]\naccept_probability = 0.3"),
        "callbacks",
        UNKNOWN_KEY,
    ),
    # an unknown channel
    Case(
        "unknown-channel",
        scenario_text(
            tail='[channels.998]\ncalls_per_day = 1\ntalk_s = { dist = "fixed", value = 1 }'
        ),
        "channels.998",
        ("expected one of '999' or '101'", "found '998'"),
    ),
    # numbers out of range
    Case(
        "negative-calls-per-day",
        scenario_text(calls_per_day="-5"),
        "channels.999.calls_per_day",
        ("expected a number >= 0", "found -5"),
    ),
    *[
        Case(
            f"non-finite-calls-per-day-{value}",
            scenario_text(calls_per_day=value),
            "channels.999.calls_per_day",
            ("expected a finite number", f"found {value.lstrip('+')}"),
        )
        for value in ("nan", "inf", "-inf", "+inf")
    ],
    Case(
        "nan-distribution-parameter",
        scenario_text(channel='patience_s = { dist = "exponential", mean = nan }'),
        "channels.999.patience_s.mean",
        ("expected a finite number", "found nan"),
    ),
    Case(
        "inf-shift-hours",
        scenario_text(handler='shifts = [{ start = "07:00", hours = inf, count = 2 }]'),
        "handlers.0.shifts.0.hours",
        ("expected a finite number", "found inf"),
    ),
    Case(
        "probability-above-1",
        scenario_text(channel="redial_probability = 1.5"),
        "channels.999.redial_probability",
        ("expected a number <= 1", "found 1.5"),
    ),
    Case(
        "probability-below-0",
        scenario_text(channel="redial_probability = -0.1"),
        "channels.999.redial_probability",
        ("expected a number >= 0", "found -0.1"),
    ),
    Case(
        "callback-probability-above-1",
        scenario_text(tail="[callback]\naccept_probability = 1.2"),
        "callback.accept_probability",
        ("expected a number <= 1", "found 1.2"),
    ),
    Case(
        "zero-days",
        scenario_text(scenario="").replace("days = 0.05", "days = 0"),
        "scenario.days",
        ("expected a number > 0", "found 0"),
    ),
    Case(
        "zero-replications-in-file",
        scenario_text().replace("replications = 1", "replications = 0"),
        "scenario.replications",
        ("expected a number >= 1", "found 0"),
    ),
    # wrong types
    Case(
        "text-for-a-number",
        scenario_text(calls_per_day='"lots"'),
        "channels.999.calls_per_day",
        ("expected a number", "found 'lots'"),
    ),
    Case(
        "quoted-number-for-a-number",
        scenario_text(calls_per_day='"100"'),
        "channels.999.calls_per_day",
        ("expected a number", "found '100'"),
    ),
    Case(
        "boolean-for-a-probability",
        scenario_text(channel="redial_probability = true"),
        "channels.999.redial_probability",
        ("expected a number", "found True"),
    ),
    Case(
        "quoted-number-for-a-count",
        scenario_text(handler='count = "2"'),
        "handlers.0.count",
        ("expected a whole number", "found '2'"),
    ),
    Case(
        "fraction-for-a-count",
        scenario_text(handler="count = 2.5"),
        "handlers.0.count",
        ("expected a whole number", "found 2.5"),
    ),
    Case(
        "number-for-text",
        scenario_text().replace('name = "bad-input"', "name = 5"),
        "scenario.name",
        ("expected text", "found 5"),
    ),
    Case(
        "text-for-a-list",
        scenario_text(skills='"999"'),
        "handlers.0.skills",
        ("expected a list", "found '999'"),
    ),
    Case(
        "number-for-a-distribution",
        scenario_text(channel="patience_s = 60"),
        "channels.999.patience_s",
        ("expected a table", "found 60"),
    ),
    Case(
        "value-for-a-table",
        "scenario = 3\n" + scenario_text().split("[scenario]", 1)[1].split("\n", 6)[6],
        "scenario",
        ("expected a table", "found 3"),
    ),
    Case(
        "empty-file",
        "",
        "scenario",
        ("expected this key, found it missing",),
    ),
    # distributions
    Case(
        "lognormal-without-sd",
        scenario_text(channel='patience_s = { dist = "lognormal", mean = 60 }'),
        "channels.999.patience_s.sd",
        ("expected this key, found it missing",),
    ),
    Case(
        "unknown-dist-name",
        scenario_text(channel='patience_s = { dist = "weibull", mean = 60 }'),
        "channels.999.patience_s",
        ("expected dist to be one of", "lognormal", "found 'weibull'"),
    ),
    Case(
        "distribution-without-dist",
        scenario_text(channel="patience_s = { mean = 60 }"),
        "channels.999.patience_s",
        ("expected a 'dist' key", "exponential"),
    ),
    Case(
        "uniform-low-equals-high",
        scenario_text(channel='patience_s = { dist = "uniform", low = 5, high = 5 }'),
        "channels.999.patience_s",
        ("low < high", "found low=5, high=5"),
    ),
    Case(
        "uniform-low-above-high",
        scenario_text(channel='patience_s = { dist = "uniform", low = 6, high = 5 }'),
        "channels.999.patience_s",
        ("low < high", "found low=6, high=5"),
    ),
    Case(
        "triangular-mode-outside",
        scenario_text(channel='patience_s = { dist = "triangular", low = 1, mode = 5, high = 3 }'),
        "channels.999.patience_s",
        ("low <= mode <= high", "found low=1, mode=5, high=3"),
    ),
    Case(
        "empirical-without-values",
        scenario_text(channel='patience_s = { dist = "empirical", values = [] }'),
        "channels.999.patience_s.values",
        ("at least 1 item", "0"),
    ),
    # handlers and rosters
    Case(
        "skill-that-is-no-channel",
        scenario_text(skills='["998"]'),
        "handlers.0.skills.0",
        ("expected one of '999' or '101'", "found '998'"),
    ),
    Case(
        "no-skills",
        scenario_text(skills="[]"),
        "handlers.0.skills",
        ("at least 1 item", "0"),
    ),
    Case(
        "shift-start-25:00",
        scenario_text(handler='shifts = [{ start = "25:00", hours = 8, count = 2 }]'),
        "handlers.0.shifts.0.start",
        ("expected a time of day", "found '25:00'"),
    ),
    Case(
        "shift-start-7am",
        scenario_text(handler='shifts = [{ start = "7am", hours = 8, count = 2 }]'),
        "handlers.0.shifts.0.start",
        ("expected a time of day as HH:MM", "found '7am'"),
    ),
    Case(
        "shift-hours-0",
        scenario_text(handler='shifts = [{ start = "07:00", hours = 0, count = 2 }]'),
        "handlers.0.shifts.0.hours",
        ("expected a number > 0", "found 0"),
    ),
    Case(
        "shift-hours-30",
        scenario_text(handler='shifts = [{ start = "07:00", hours = 30, count = 2 }]'),
        "handlers.0.shifts.0.hours",
        ("expected a number <= 24", "found 30"),
    ),
    Case(
        "shift-unknown-days",
        scenario_text(
            handler='shifts = [{ start = "07:00", hours = 8, count = 2, days = "mondays" }]'
        ),
        "handlers.0.shifts.0.days",
        ("expected 'daily', 'weekdays', 'weekends' or weekday names", "found 'mondays'"),
    ),
    Case(
        "break-ends-after-shift",
        scenario_text(
            handler='shifts = [{ start = "07:00", hours = 8, count = 2, '
            "breaks = [{ after_hours = 7.5, minutes = 45 }] }]"
        ),
        "handlers.0.shifts.0",
        ("break", "7.5 h", "45 min", "ends after the 8-hour shift"),
    ),
    Case(
        "nobody-on-duty",
        scenario_text(handler="count = 0"),
        "handlers",
        ("at least one handler on duty", "found a total count of 0"),
    ),
    Case(
        "nobody-on-duty-in-shifts",
        scenario_text(handler='shifts = [{ start = "07:00", hours = 8, count = 0 }]'),
        "handlers",
        ("at least one handler on duty", "found a total count of 0"),
    ),
    Case(
        "calls-but-no-handler-with-the-skill",
        scenario_text(skills='["101"]'),
        ("channels.999", "handlers"),
        ("expected a handler group with the skill '999'", "found none"),
    ),
    Case(
        "count-and-shifts",
        scenario_text(handler='count = 2\nshifts = [{ start = "07:00", hours = 8, count = 2 }]'),
        "handlers.0",
        ("count", "shifts", "not both"),
    ),
    Case(
        "neither-count-nor-shifts",
        scenario_text(handler=""),
        "handlers.0",
        ("count", "shifts", "found neither"),
    ),
    Case(
        "duplicate-handler-names",
        scenario_text(tail='[[handlers]]\nname = "contact"\nskills = ["999"]\ncount = 1'),
        "handlers",
        ("unique", "found 'contact' again"),
    ),
    Case(
        "abandon-to-999-on-999",
        scenario_text(channel="abandon_to_999_probability = 0.1"),
        "channels.999.abandon_to_999_probability",
        ("101 only", "found it on 999"),
    ),
    Case(
        "no-handlers",
        scenario_text().split("[[handlers]]")[0],
        "handlers",
        ("expected this key, found it missing",),
    ),
    Case(
        "surge-on-day-0",
        scenario_text(
            tail='[[surges]]\nchannels = ["999"]\nday = 0\nstart = "18:00"\n'
            "hours = 2\nmultiplier = 2"
        ),
        "surges.0.day",
        ("expected a number >= 1", "found 0"),
    ),
    # provenance
    Case(
        "provenance-for-no-parameter",
        scenario_text(tail='[provenance]\n"channels.999.calls_per_dya" = "assumption"'),
        "provenance.channels.999.calls_per_dya",
        ("expected the key path of a parameter", "found none"),
    ),
]


@pytest.mark.parametrize("case", _params(FILE_CASES))
def test_bad_scenario_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: Case
) -> None:
    file = write(tmp_path / "scenario.toml", case.text)
    out = tmp_path / "out"
    status = cli.main(run_args(file, out, *case.args))
    assert_one_line_error(capsys, status)
    assert not out.exists(), "an output folder was made for a scenario that does not load"


@pytest.mark.parametrize("case", _params(FILE_CASES))
def test_bad_scenario_message_names_file_key_expected_and_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: Case
) -> None:
    file = write(tmp_path / "scenario.toml", case.text)
    status = cli.main(run_args(file, tmp_path / "out", *case.args))
    line = assert_one_line_error(capsys, status)
    assert_names(line, case.where or str(file), case.key, *case.fragments)


def test_the_template_itself_is_good(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Guards the cases above: each differs from a scenario that runs."""
    file = write(tmp_path / "scenario.toml", GOOD)
    assert cli.main(run_args(file, tmp_path / "out")) == 0
    assert capsys.readouterr().err == few_replications_stderr(1)


# -- files that cannot be read as a scenario ----------------------------------------------------

COMMANDS = ["run", "validate"]


def _main_for(command: str, scenario: Path, out: Path) -> int:
    if command == "run":
        return cli.main(run_args(scenario, out))
    return cli.main(["validate", str(scenario), "--replications", "1", "--quiet"])


@pytest.mark.parametrize("command", COMMANDS)
def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str) -> None:
    missing = tmp_path / "no-such.toml"
    line = assert_one_line_error(capsys, _main_for(command, missing, tmp_path / "out"))
    assert_names(line, str(missing), None, "no such scenario file")


@pytest.mark.parametrize("command", COMMANDS)
def test_folder_instead_of_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    folder = tmp_path / "scenarios.toml"
    folder.mkdir()
    line = assert_one_line_error(capsys, _main_for(command, folder, tmp_path / "out"))
    assert_names(line, str(folder), None, "found a folder", "expected a scenario file")


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[scenario\nname = 'x'\n", "line 1"),
        ('[scenario]\nname = "x"\nname = "y"\n', "line 3"),
        ('[scenario]\nname = "unterminated\n', "line 2"),
        ("[scenario]\ndays = \n", "line 2"),
    ],
    ids=["unclosed-table", "duplicate-key", "unterminated-string", "missing-value"],
)
def test_bad_toml_syntax(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, text: str, fragment: str
) -> None:
    file = write(tmp_path / "scenario.toml", text)
    line = assert_one_line_error(capsys, _main_for(command, file, tmp_path / "out"))
    assert_names(line, str(file), None, "not valid TOML", fragment)


@pytest.mark.parametrize("command", COMMANDS)
def test_non_utf8_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str) -> None:
    file = tmp_path / "scenario.toml"
    file.write_bytes(b'[scenario]\nname = "caf\xe9"\n')  # Latin-1, not UTF-8
    line = assert_one_line_error(capsys, _main_for(command, file, tmp_path / "out"))
    assert_names(line, str(file), None, "expected UTF-8 text", "found a byte", "offset 22")


# -- extends ------------------------------------------------------------------------------------


def test_extends_cycle(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = write(tmp_path / "a.toml", 'extends = "b.toml"\n[scenario]\nname = "a"\n')
    write(tmp_path / "b.toml", 'extends = "a.toml"\n[scenario]\nname = "b"\n')
    line = assert_one_line_error(capsys, cli.main(run_args(a, tmp_path / "out")))
    assert_names(
        line, str(a), "extends", "expected a chain without cycles", "a.toml -> b.toml -> a.toml"
    )


def test_extends_itself(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = write(tmp_path / "self.toml", 'extends = "self.toml"\n' + GOOD)
    line = assert_one_line_error(capsys, cli.main(run_args(file, tmp_path / "out")))
    assert_names(
        line, str(file), "extends", "expected a chain without cycles", "self.toml -> self.toml"
    )


def test_extends_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = write(tmp_path / "child.toml", 'extends = "nothere.toml"\n')
    line = assert_one_line_error(capsys, cli.main(run_args(file, tmp_path / "out")))
    assert_names(line, str(file), "extends", "no such file", "'nothere.toml'")


def test_extends_not_a_string(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = write(tmp_path / "child.toml", "extends = 3\n")
    line = assert_one_line_error(capsys, cli.main(run_args(file, tmp_path / "out")))
    assert_names(line, str(file), "extends", "expected a file name", "found int")


def test_bad_toml_in_a_base_file_names_the_base(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = write(tmp_path / "base.toml", "[scenario]\ndays = \n")
    child = write(tmp_path / "child.toml", 'extends = "base.toml"\n')
    line = assert_one_line_error(capsys, cli.main(run_args(child, tmp_path / "out")))
    assert_names(line, str(base), None, "not valid TOML", "line 2")


def test_unknown_key_in_a_base_file_names_the_base(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = write(tmp_path / "base.toml", scenario_text(channel="speed = 1"))
    child = write(tmp_path / "child.toml", 'extends = "base.toml"\n[scenario]\nname = "child"\n')
    line = assert_one_line_error(capsys, cli.main(run_args(child, tmp_path / "out")))
    assert_names(line, str(base), "channels.999.speed", "unknown key")


# -- --set --------------------------------------------------------------------------------------

SET_CASES: list[Case] = [
    Case(
        "no-equals-sign",
        GOOD,
        None,
        ("expected KEY=VALUE", "found no '='"),
        args=("--set", "channels.999.calls_per_day"),
        where="--set channels.999.calls_per_day",
    ),
    Case(
        "empty-key",
        GOOD,
        None,
        ("expected a dotted key",),
        args=("--set", "=5"),
        where="--set =5",
    ),
    Case(
        "empty-key-part",
        GOOD,
        None,
        ("expected a dotted key",),
        args=("--set", "channels..calls_per_day=5"),
        where="--set channels..calls_per_day=5",
    ),
    Case(
        "list-index-out-of-range",
        GOOD,
        "handlers.5",
        ("expected an index from 0 to 0", "found '5'"),
        args=("--set", "handlers.5.count=3"),
        where="--set handlers.5.count=3",
    ),
    Case(
        "list-index-negative",
        GOOD,
        "handlers.-1",
        ("expected an index from 0 to 0", "found '-1'"),
        args=("--set", "handlers.-1.count=3"),
        where="--set handlers.-1.count=3",
    ),
    Case(
        "list-index-not-a-number",
        GOOD,
        "handlers.first",
        ("expected an index", "found 'first'"),
        args=("--set", "handlers.first.count=3"),
        where="--set handlers.first.count=3",
    ),
    Case(
        "bad-value",
        GOOD,
        "channels.999.calls_per_day",
        ("expected a number >= 0", "found -1"),
        args=("--set", "channels.999.calls_per_day=-1"),
        where="--set",
    ),
    Case(
        "text-for-a-number",
        GOOD,
        "channels.999.calls_per_day",
        ("expected a number", "found 'many'"),
        args=("--set", "channels.999.calls_per_day=many"),
        where="--set",
    ),
    Case(
        "unknown-key",
        GOOD,
        "channels.999.speed",
        UNKNOWN_KEY,
        args=("--set", "channels.999.speed=1"),
        where="--set",
    ),
    Case(
        "bad-value-in-a-list-item",
        GOOD,
        "handlers.0.count",
        ("expected a number >= 0", "found -1"),
        args=("--set", "handlers.0.count=-1"),
        where="--set",
    ),
    Case(
        "later-set-wins-and-is-named",
        GOOD,
        "scenario.days",
        ("expected a number > 0", "found 0"),
        args=("--set", "scenario.days=1", "--set", "scenario.days=0"),
        where="--set",
    ),
    Case(
        "bad-inline-table-replacing-a-file-table",
        scenario_text(channel='patience_s = { dist = "exponential", mean = 60 }'),
        "channels.999.patience_s",
        ("low < high", "found low=5, high=1"),
        args=("--set", 'channels.999.patience_s={dist="uniform",low=5,high=1}'),
        where="--set",
    ),
    Case(
        "into-a-text-value",
        GOOD,
        "scenario.name",
        ("table",),
        args=("--set", "scenario.name.first=x"),
        where="--set scenario.name.first=x",
    ),
    Case(
        "into-a-number-value",
        GOOD,
        "handlers.0.count",
        ("table",),
        args=("--set", "handlers.0.count.x=1"),
        where="--set handlers.0.count.x=1",
    ),
    Case(
        "missing-profile-file",
        GOOD,
        "channels.999.profile",
        ("no such profile file", "nope.csv"),
        args=("--set", "channels.999.profile=nope.csv"),
        where="--set",
    ),
]


@pytest.mark.parametrize("case", _params(SET_CASES))
def test_bad_set_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: Case
) -> None:
    file = write(tmp_path / "scenario.toml", case.text)
    out = tmp_path / "out"
    assert_one_line_error(capsys, cli.main(run_args(file, out, *case.args)))
    assert not out.exists()


@pytest.mark.parametrize("case", _params(SET_CASES))
def test_bad_set_message_names_set_key_expected_and_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: Case
) -> None:
    file = write(tmp_path / "scenario.toml", case.text)
    line = assert_one_line_error(capsys, cli.main(run_args(file, tmp_path / "out", *case.args)))
    assert case.where is not None
    assert_names(line, case.where, case.key, *case.fragments)


# -- profile CSVs -------------------------------------------------------------------------------


def _replace_row(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


PROFILE_CASES = [
    pytest.param(
        DAILY_CSV.replace("start,weight", "time,w"),
        "header",
        ("expected 'weekday,start,weight' or 'start,weight'", "found 'time,w'"),
        id="wrong-header",
    ),
    pytest.param(
        DAILY_CSV.rsplit("\n", 2)[0] + "\n",
        None,
        ("expected 96 rows (every 15 minutes of a day)", "found 95"),
        id="daily-95-rows",
    ),
    pytest.param(
        WEEKLY_CSV.rsplit("\n", 2)[0] + "\n",
        None,
        ("expected 672 rows (every 15 minutes of a week)", "found 671"),
        id="weekly-671-rows",
    ),
    pytest.param(
        WEEKLY_CSV.replace("weekday,start,weight", "start,weight"),
        "row 2",
        ("expected 2 columns", "found 3"),
        id="weekly-rows-daily-header",
    ),
    pytest.param(
        "start,weight\n",
        None,
        ("expected 96 rows", "found 0"),
        id="header-only",
    ),
    pytest.param(
        _replace_row(DAILY_CSV, "03:00,1\n", "03:00,abc\n"),
        "row 14: weight",
        ("expected a number", "found 'abc'"),
        id="non-number-weight",
    ),
    pytest.param(
        _replace_row(DAILY_CSV, "03:00,1\n", "03:00,-1\n"),
        "row 14: weight",
        ("expected a finite number >= 0", "found '-1'"),
        id="negative-weight",
    ),
    pytest.param(
        _replace_row(DAILY_CSV, "03:00,1\n", "03:00,nan\n"),
        "row 14: weight",
        ("expected a finite number >= 0", "found 'nan'"),
        id="nan-weight",
    ),
    pytest.param(
        DAILY_CSV.replace(",1\n", ",0\n"),
        "weight",
        ("expected some weight above 0", "found all zero"),
        id="all-zero-weights",
    ),
    pytest.param(
        _replace_row(DAILY_CSV, "03:00,1\n", "03:07,1\n"),
        "row 14: start",
        ("expected a quarter hour", "found '03:07'"),
        id="off-quarter-hour",
    ),
    pytest.param(
        _replace_row(DAILY_CSV, "03:00,1\n", "3am,1\n"),
        "row 14: start",
        ("expected a time of day as HH:MM", "found '3am'"),
        id="start-not-a-time",
    ),
    pytest.param(
        _replace_row(DAILY_CSV, "03:15,1\n", "03:00,1\n"),
        "row 15",
        ("expected each interval once", "found a repeat"),
        id="repeated-interval",
    ),
    pytest.param(
        _replace_row(DAILY_CSV, "03:00,1\n", "03:00,1,2\n"),
        "row 14",
        ("expected 2 columns", "found 3"),
        id="extra-column",
    ),
    pytest.param(
        _replace_row(WEEKLY_CSV, "sunday,23:45,1\n", "funday,23:45,1\n"),
        "row 673: weekday",
        ("expected monday..sunday", "found 'funday'"),
        id="unknown-weekday",
    ),
    pytest.param("", None, ("found an empty file",), id="empty-file"),
    pytest.param("\n\n  \n", None, ("found an empty file",), id="blank-lines-only"),
]


@pytest.mark.parametrize(("csv_text", "key", "fragments"), PROFILE_CASES)
def test_bad_profile_csv(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    csv_text: str,
    key: str | None,
    fragments: tuple[str, ...],
) -> None:
    profile = write(tmp_path / "profiles" / "999.csv", csv_text)
    file = write(tmp_path / "scenario.toml", scenario_text(channel='profile = "profiles/999.csv"'))
    out = tmp_path / "out"
    line = assert_one_line_error(capsys, cli.main(run_args(file, out)))
    assert_names(line, str(profile.resolve()), key, *fragments)
    assert not out.exists()


def test_profile_csv_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    profile = tmp_path / "999.csv"
    profile.write_bytes(b"start,weight\n00:00,\xff\n")
    file = write(tmp_path / "scenario.toml", scenario_text(channel='profile = "999.csv"'))
    line = assert_one_line_error(capsys, cli.main(run_args(file, tmp_path / "out")))
    assert_names(line, str(profile.resolve()), None, "expected UTF-8 text", "found a byte")


def test_missing_profile_file_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = write(tmp_path / "scenario.toml", scenario_text(channel='profile = "nope.csv"'))
    line = assert_one_line_error(capsys, cli.main(run_args(file, tmp_path / "out")))
    assert "channels.999.profile" in line
    assert "no such profile file" in line
    assert str((tmp_path / "nope.csv").resolve()) in line


def test_missing_profile_file_names_the_scenario_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = write(tmp_path / "scenario.toml", scenario_text(channel='profile = "nope.csv"'))
    line = assert_one_line_error(capsys, cli.main(run_args(file, tmp_path / "out")))
    assert_names(line, str(file), "channels.999.profile", "no such profile file", "nope.csv")


def test_profile_that_is_a_folder_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "profiles").mkdir()
    file = write(tmp_path / "scenario.toml", scenario_text(channel='profile = "profiles"'))
    line = assert_one_line_error(capsys, cli.main(run_args(file, tmp_path / "out")))
    assert str((tmp_path / "profiles").resolve()) in line


def test_profile_that_is_a_folder_names_file_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "profiles").mkdir()
    file = write(tmp_path / "scenario.toml", scenario_text(channel='profile = "profiles"'))
    line = assert_one_line_error(capsys, cli.main(run_args(file, tmp_path / "out")))
    assert_names(line, str(file), "channels.999.profile", "expected", "found")


# -- command-line options -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "fragments"),
    [
        ("--replications", "0", ("expected a whole number >= 1", "found '0'")),
        ("--replications", "-3", ("expected a whole number >= 1", "found '-3'")),
        ("--replications", "two", ("expected a whole number", "found 'two'")),
        ("--seed", "abc", ("expected a whole number", "found 'abc'")),
        ("--seed", "-1", ("expected a seed from 0", "found '-1'")),
        ("--seed", "1.5", ("expected a whole number", "found '1.5'")),
    ],
)
def test_bad_run_option(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    option: str,
    value: str,
    fragments: tuple[str, ...],
) -> None:
    file = write(tmp_path / "scenario.toml", GOOD)
    out = tmp_path / "out"
    argv = ["run", str(file), "--out", str(out), "--quiet", option, value]
    line = assert_one_line_error(capsys, cli.main(argv))
    assert option in line
    for fragment in fragments:
        assert fragment in line
    assert not out.exists()


def test_unknown_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = write(tmp_path / "scenario.toml", GOOD)
    line = assert_one_line_error(capsys, cli.main(["run", str(file), "--replicatons", "2"]))
    assert "--replicatons" in line


def test_unknown_command(capsys: pytest.CaptureFixture[str]) -> None:
    line = assert_one_line_error(capsys, cli.main(["runn"]))
    assert "'runn'" in line


@pytest.mark.parametrize("layout", ["under-a-file", "is-a-file"])
def test_unwritable_output_folder_fails_before_simulating(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    layout: str,
) -> None:
    blocker = write(tmp_path / "blocker", "a regular file\n")
    out = blocker / "results" if layout == "under-a-file" else blocker
    calls: list[object] = []

    def no_simulation(*args: object, **kwargs: object) -> None:
        calls.append(args)
        raise AssertionError("the simulation started before the output folder was checked")

    monkeypatch.setattr("controlroom_sim.experiments.runner.run_replication", no_simulation)
    monkeypatch.setattr("controlroom_sim.experiments.execute.run_scenarios", no_simulation)
    file = write(tmp_path / "scenario.toml", GOOD)
    line = assert_one_line_error(capsys, cli.main(run_args(file, out)))
    assert calls == []
    assert_names(line, str(out), None, "cannot write results there")
    assert blocker.read_text(encoding="utf-8") == "a regular file\n"


# -- erlang -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "fragments"),
    [
        ("1.5", ("expected a share between 0 and 1", "found '1.5'")),
        ("0", ("expected a share between 0 and 1", "found '0'")),
        ("1", ("expected a share between 0 and 1", "found '1'")),
        ("-0.2", ("expected a share between 0 and 1", "found '-0.2'")),
        ("nan", ("expected a share between 0 and 1", "found 'nan'")),
        ("abc", ("'abc'",)),
    ],
)
def test_erlang_bad_service_level(
    capsys: pytest.CaptureFixture[str], value: str, fragments: tuple[str, ...]
) -> None:
    argv = ["erlang", "--calls-per-hour", "100", "--aht-s", "300", "--service-level", value]
    line = assert_one_line_error(capsys, cli.main(argv))
    assert "--service-level" in line
    for fragment in fragments:
        assert fragment in line


@pytest.mark.parametrize(
    "argv",
    [
        ["erlang", "--calls-per-hour", "0", "--aht-s", "300"],
        ["erlang", "--calls-per-hour", "100", "--aht-s", "inf"],
        ["erlang", "--calls-per-hour", "100", "--aht-s", "300", "--target-s", "-1"],
        ["erlang", "--aht-s", "300"],
        ["erlang", "--calls-per-hour", "1e300", "--aht-s", "1e300"],
    ],
    ids=["zero-calls", "infinite-aht", "negative-target", "missing-calls", "overflowing"],
)
def test_erlang_other_bad_options(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    line = assert_one_line_error(capsys, cli.main(argv))
    assert "--" in line  # names the option


@pytest.mark.parametrize(
    ("calls_per_hour", "aht_s", "found"),
    [("100000000", "10000000", "found 2.777777778e+11"), ("3600000", "100.001", "found 100001")],
    ids=["largest-options", "just-beyond"],
)
def test_erlang_loads_beyond_the_range_are_refused_with_it(
    capsys: pytest.CaptureFixture[str], calls_per_hour: str, aht_s: str, found: str
) -> None:
    """A rate and a handling time each in range, whose offered load is beyond what the exact
    formulas are computed for, get one line with the range that works, exit status 2, not an
    OverflowError; the largest load allowed still computes."""
    argv = ["erlang", "--calls-per-hour", calls_per_hour, "--aht-s", aht_s]
    line = assert_one_line_error(capsys, cli.main(argv))
    assert "--calls-per-hour" in line and "--aht-s" in line
    assert "at most 100,000 Erlangs" in line and found in line
    assert cli.main(["erlang", "--calls-per-hour", "3600000", "--aht-s", "100"]) == 0
