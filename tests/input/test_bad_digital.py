"""Bad ``[digital]`` values: one line naming the file and the key, exit status 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from controlroom_sim.cli import main as cli
from tests.helpers.cli import assert_one_line_error
from tests.input.test_bad_input import Case, _params, assert_names, run_args, scenario_text, write

GOOD_DIGITAL = 'items_per_day = 50\nwork_s = { dist = "fixed", value = 300 }'
DIGITAL_SKILLS = '["999", "digital"]'


def _digital(body: str = GOOD_DIGITAL, skills: str = DIGITAL_SKILLS) -> str:
    return scenario_text(skills=skills, tail=f"[digital]\n{body}\n")


CASES = [
    Case(
        "skill-without-section",
        scenario_text(skills=DIGITAL_SKILLS),
        "handlers.0.skills",
        ("lists 'digital'", "expected a [digital] section", "found none"),
    ),
    Case(
        "items-without-skill",
        _digital(skills='["999"]'),
        ("digital.items_per_day", "handlers"),
        ("expected a handler group with the skill 'digital'", "found none"),
    ),
    Case(
        "negative-items",
        _digital('items_per_day = -1\nwork_s = { dist = "fixed", value = 300 }'),
        "digital.items_per_day",
        ("expected a number >= 0", "found -1"),
    ),
    Case(
        "no-work-time",
        _digital("items_per_day = 50"),
        "digital.work_s",
        ("expected this key", "found it missing"),
    ),
    Case(
        "unknown-rule",
        _digital(GOOD_DIGITAL + '\ninterrupt = "drop"'),
        "digital.interrupt",
        ("'finish'", "'set_aside'", "found 'drop'"),
    ),
    Case(
        "interrupting-channel-not-in-scenario",
        _digital(GOOD_DIGITAL + '\ninterrupted_by = ["101"]'),
        "digital.interrupted_by.0",
        ("expected a channel of the scenario", "found '101'"),
    ),
    Case(
        "interrupting-channel-twice",
        _digital(GOOD_DIGITAL + '\ninterrupted_by = ["999", "999"]'),
        "digital.interrupted_by",
        ("expected each channel once", "found '999' twice"),
    ),
    Case(
        "zero-target",
        _digital(GOOD_DIGITAL + "\ntarget_hours = 0"),
        "digital.target_hours",
        ("expected a number > 0", "found 0"),
    ),
    Case(
        "unknown-key",
        _digital(GOOD_DIGITAL + "\nitems_a_day = 3"),
        "digital.items_a_day",
        (),
    ),
]


@pytest.mark.parametrize("case", _params(CASES))
def test_bad_digital_is_one_line_naming_file_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: Case
) -> None:
    file = write(tmp_path / "scenario.toml", case.text)
    out = tmp_path / "out"
    line = assert_one_line_error(capsys, cli.main(run_args(file, out)))
    assert_names(line, str(file), case.key, *case.fragments)
    assert not out.exists()


def test_a_good_digital_desk_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Guards the cases above: a desk with every key runs, and its KPIs are in the results."""
    text = _digital(
        GOOD_DIGITAL + '\ntarget_hours = 2\ninterrupt = "finish"\ninterrupted_by = ["999"]'
    )
    file = write(tmp_path / "scenario.toml", text)
    out = tmp_path / "out"
    assert cli.main(run_args(file, out)) == 0
    assert "digital_within_target" in (out / "kpis.csv").read_text(encoding="utf-8")
