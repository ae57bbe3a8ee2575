"""Bad staffing ``[[interventions]]`` (add_handlers, send_home, cancel_breaks, start_breaks):
one line naming the file and the key, exit status 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.cli import assert_run_refuses

BASE = """\
[scenario]
name = "bad-staff-change"
days = 0.05
warmup_hours = 0
replications = 1

[channels.999]
calls_per_day = 100
talk_s = { dist = "exponential", mean = 60 }

[[handlers]]
name = "desk"
skills = ["999"]
count = 3

[[interventions]]
at_s = 60
"""

CASES = [
    (
        "unknown-group",
        'action = "add_handlers"\ngroup = "nobody"\ncount = 2\nhours = 1\n',
        "interventions.0.group",
        "expected a handlers' group of the scenario (desk), found 'nobody'",
    ),
    (
        "cancel-breaks-unknown-group",
        'action = "cancel_breaks"\ngroup = "nobody"\n',
        "interventions.0.group",
        "found 'nobody'",
    ),
    (
        "nobody-sent-home",
        'action = "send_home"\ngroup = "desk"\ncount = 0\n',
        "interventions.0",
        "count",
    ),
    (
        "break-without-minutes",
        'action = "start_breaks"\ngroup = "desk"\ncount = 1\n',
        "interventions.0",
        "minutes",
    ),
]


@pytest.mark.parametrize(
    ("text", "key", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_one_line_naming_file_and_key(
    text: str, key: str, fragment: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each mistake: exit 2, one line 'error: <file>: <key>...' saying what was wrong."""
    assert_run_refuses(tmp_path, capsys, BASE + text, key, fragment)
