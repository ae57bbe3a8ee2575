"""Bad input in the grading, dispatch and support-worker sections: one line, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.cli import assert_run_refuses

BASE = """
[scenario]
name = "bad"
days = 0.1
warmup_hours = 0
[channels.999]
calls_per_day = 100
talk_s = { dist = "fixed", value = 60 }
[[handlers]]
name = "h"
skills = ["999"]
count = 3
"""
TYPES = """
[[call_types]]
name = "a"
share = { "999" = 1.0 }
risk = { high = 1.0 }
"""
DISPATCH = """
[dispatch]
travel_s = { dist = "fixed", value = 300 }
on_scene_s.emergency = { dist = "fixed", value = 600 }
on_scene_s.priority = { dist = "fixed", value = 600 }
on_scene_s.scheduled = { dist = "fixed", value = 600 }
"""
OFFICERS = """
[[officers]]
name = "o"
count = 2
"""

CASES = [
    (
        "shares-not-one",
        BASE + TYPES.replace('"999" = 1.0', '"999" = 0.6'),
        "call_types",
        "shares of channel 999 to sum to 1",
    ),
    (
        "risk-not-one",
        BASE + TYPES.replace("high = 1.0", "high = 0.5"),
        "call_types.0.risk",
        "sum to 1",
    ),
    (
        "unknown-risk-level",
        BASE + TYPES.replace("high = 1.0", "extreme = 1.0"),
        "call_types.0.risk",
        "found 'extreme'",
    ),
    (
        "thrive-without-types",
        BASE + "[thrive]\nmiss_probability = 0.5\n",
        "thrive",
        "expected [[call_types]]",
    ),
    (
        "skip-probability-above-one",
        BASE + TYPES + '[thrive]\nadvice = { time_s = { dist = "fixed", value = 5 }, '
        "skip_probability = 1.5 }\n",
        "thrive.advice.skip_probability",
        "<= 1",
    ),
    ("dispatch-without-types", BASE + DISPATCH + OFFICERS, "dispatch", "expected [[call_types]]"),
    ("dispatch-without-officers", BASE + TYPES + DISPATCH, "officers", "at least one officer"),
    (
        "officers-without-dispatch",
        BASE + TYPES + OFFICERS,
        "officers",
        "expected a [dispatch] section",
    ),
    (
        "on-scene-missing-a-grade",
        BASE
        + TYPES
        + DISPATCH.replace('on_scene_s.scheduled = { dist = "fixed", value = 600 }\n', "")
        + OFFICERS,
        "dispatch.on_scene_s",
        "none for 'scheduled'",
    ),
    (
        "rural-without-travel",
        BASE + TYPES + DISPATCH + "rural_share = 0.3\n" + OFFICERS,
        "dispatch.rural_travel_s",
        "expected a travel time",
    ),
    (
        "allocation-without-dispatchers",
        BASE + TYPES + DISPATCH + 'allocation_s = { dist = "fixed", value = 60 }\n' + OFFICERS,
        "dispatch.allocation_s",
        "expected [[dispatchers]]",
    ),
    (
        "appointments-without-capacity",
        BASE + TYPES + DISPATCH + "[dispatch.appointments]\nearliest_hours = 2\n" + OFFICERS,
        "dispatch.appointments.per_slot",
        "missing",
    ),
    (
        "failure-demand-without-101",
        BASE
        + TYPES
        + DISPATCH
        + "[dispatch.failure_demand]\nwaiting_probability = 0.2\n"
        + OFFICERS,
        "dispatch.failure_demand",
        "[channels.101]",
    ),
    (
        "support-worker-unknown-type",
        BASE + TYPES + '[[support_workers]]\nname = "w"\ncount = 1\ncall_types = ["b"]\n'
        'talk_s = { dist = "fixed", value = 600 }\n',
        "support_workers.0.call_types.0",
        "found 'b'",
    ),
    (
        "support-worker-attendance-without-dispatch",
        BASE + TYPES + '[[support_workers]]\nname = "w"\ncount = 1\ncall_types = ["a"]\n'
        'talk_s = { dist = "fixed", value = 600 }\nattendance_probability = 0.5\n',
        "support_workers.0.attendance_probability",
        "expected a [dispatch] section",
    ),
    (
        "unknown-key-in-dispatch",
        BASE + TYPES + DISPATCH + "speed = 3\n" + OFFICERS,
        "dispatch.speed",
        "unknown key",
    ),
]


@pytest.mark.parametrize(
    ("text", "key", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_one_line_naming_file_and_key(
    text: str, key: str, fragment: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each mistake: exit 2, one line 'error: <file>: <key>: ...' saying what was expected."""
    assert_run_refuses(tmp_path, capsys, text, key, fragment)
