"""Bad ``[front_desk]`` input: one line naming the file and the key, exit status 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.cli import assert_run_refuses

BASE = """\
[scenario]
name = "bad-desk"
days = 0.05
warmup_hours = 0
replications = 1

[channels.101]
calls_per_day = 100
talk_s = { dist = "exponential", mean = 60 }

[[handlers]]
name = "contact"
skills = ["101"]
count = 3

[front_desk]
time_s = { dist = "fixed", value = 30 }
resolve_probability = 0.5
operators = [{ name = "switchboard", count = 1 }]
"""

CASES = [
    (
        "route-to-no-channel",
        BASE + 'routes = [{ target = "999", share = 0.5 }]\n',
        "front_desk.routes.0.target",
        "expected a channel of the scenario, found '999'",
    ),
    (
        "route-to-unknown-name",
        BASE + 'routes = [{ target = "101 priority", share = 0.5 }]\n',
        "front_desk.routes.0.target",
        "101 priority",
    ),
    (
        "shares-above-one",
        BASE + 'routes = [{ target = "101", share = 0.7 }, { target = "101", share = 0.6 }]\n',
        "front_desk.routes",
        "expected the routes' shares to sum to at most 1, found 1.3",
    ),
    (
        "share-above-one",
        BASE + 'routes = [{ target = "101", share = 1.5 }]\n',
        "front_desk.routes.0.share",
        "1.5",
    ),
    (
        "nobody-at-the-desk",
        BASE.replace("count = 1 }", "count = 0 }"),
        "front_desk.operators",
        "expected at least one operator on duty",
    ),
    (
        "desk-without-its-channel",
        BASE.replace("[channels.101]", "[channels.999]").replace('["101"]', '["999"]'),
        "front_desk.channel",
        "expected a channel of the scenario, found '101'",
    ),
]


@pytest.mark.parametrize(
    ("text", "key", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_one_line_naming_file_and_key(
    text: str, key: str, fragment: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each mistake: exit 2, one line 'error: <file>: <key>: ...' saying what was wrong."""
    assert_run_refuses(tmp_path, capsys, text, key, fragment)
