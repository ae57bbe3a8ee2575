"""Intraday rules (``[[intraday_rules]]``, controlroom_sim.model.intraday): exact traces with
fixed durations and given arrivals (a rule firing at its check time with the exact rolling
value, cooldown, max_times per run and per day, a call-in by rule), the model's rolling rate
against the analysis' definition from the records, a room whose rules never fire giving the
same records as one without rules, the KPIs, and bad input.

Time 0 is Monday 00:00 (no warm-up); ``H`` seconds is 01:00.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from controlroom_sim.analysis.intraday_kpis import intraday_kpis, rolling_rate
from controlroom_sim.analysis.kpis import replication_kpis
from controlroom_sim.cli import main as cli
from controlroom_sim.config.schema import Scenario
from controlroom_sim.model import simulate
from tests.helpers.cli import assert_one_line_error
from tests.helpers.traces import H, fixed, rows, run

LOG = ["time_s", "rule", "action", "measured", "called_in", "breaks_cancelled"]


def _scenario(rules: list[dict[str, Any]], days: float = 1, **extra: Any) -> Scenario:
    data: dict[str, Any] = {
        "scenario": {"name": "rules", "days": days, "warmup_hours": 0, "cooldown_hours": 0},
        "channels": {"999": {"calls_per_day": 0, "talk_s": fixed(600)}},
        "handlers": [{"name": "desk", "skills": ["999"], "count": 1}],
        "intraday_rules": rules,
    }
    data.update(extra)
    return Scenario.model_validate(data)


def _rule(**keys: Any) -> dict[str, Any]:
    rule = {"name": "r", "check_every_min": 60, "window_min": 30, "below": 0.8}
    rule.update({"action": "cancel_breaks"} | keys)
    return rule


def test_a_rule_fires_at_its_check_time_with_the_exact_rolling_rate() -> None:
    """One handler, 600 s calls at 1900, 1910 and 1920 s: answered at 1900 s (0 s: in 10 s),
    2500 s and 3100 s (590 s and 1180 s). At the 3600 s check the window [1800, 3600) holds
    the three: 1/3 < 0.8, so the rule fires then with 1/3. A call at 7195 s answered at once
    gives the 7200 s window 1/1: not below, no firing; the 10800 s window holds no answer
    (NaN): no firing."""
    records = run(_scenario([_rule()]), t999=[1900.0, 1910.0, 1920.0, 7195.0])
    assert rows(records.rule_log, LOG) == [(3600.0, "r", "cancel_breaks", 1 / 3, 0, 0)]
    assert rolling_rate(records, _scenario([_rule()]), "999", 3600.0, 1800.0) == 1 / 3
    assert rolling_rate(records, _scenario([_rule()]), "999", 7200.0, 1800.0) == 1.0
    assert math.isnan(rolling_rate(records, _scenario([_rule()]), "999", 10800.0, 1800.0))


def test_an_answer_at_the_check_time_is_outside_the_window() -> None:
    """The window is [t - window, t): calls answered at exactly 3600 s count at the next check.
    The first call (at 3000 s, fast) and the second (waiting 3010-3600 s) give 1/1 at 3600 s;
    at 4800 s the window [3000, 4800) has the fast one and the slow one: 1/2 fires."""
    records = run(_scenario([_rule(check_every_min=20)]), t999=[3000.0, 3010.0])
    assert rows(records.rule_log, LOG) == [(4800.0, "r", "cancel_breaks", 0.5, 0, 0)]


def _slow_all_day() -> list[float]:
    """A call every 300 s with one handler at 600 s a call: every answer after the first is
    slow, all day."""
    return [300.0 * k for k in range(1, 2 * 288)]


def test_cooldown_skips_checks_until_it_has_passed() -> None:
    """Checks hourly, cooldown 150 min: fires at 1 h, skips 2 h and 3 h (before 1 h + 2.5 h),
    fires at 4 h, and so on every third hour."""
    records = run(_scenario([_rule(cooldown_min=150)]), t999=_slow_all_day())
    assert records.rule_log["time_s"].tolist() == [h * H for h in range(1, 24, 3)]


def test_max_times_per_run_and_per_day() -> None:
    """Hourly checks over two days: max_times = 2 a run fires at 1 h and 2 h only; once a day
    fires at 1 h and at 24 h (Tuesday's first check)."""
    per_run = run(_scenario([_rule(max_times=2)], days=2), t999=_slow_all_day())
    assert per_run.rule_log["time_s"].tolist() == [H, 2 * H]
    per_day = run(
        _scenario([_rule(max_times=1, max_times_per="day")], days=2), t999=_slow_all_day()
    )
    assert per_day.rule_log["time_s"].tolist() == [H, 24 * H]


def test_a_call_in_rule_brings_handlers_after_the_delay_for_their_hours() -> None:
    """Fires at 1 h (the slow calls of the first hour): two handlers called in 30 min later for
    1 h, on a call-in row named after the rule; both take calls from 1.5 h; the KPIs count one
    firing, two handlers and their hours (all overtime: 2 h plus the calls in hand at 2.5 h)."""
    rule = _rule(
        name="help", action="call_in", group="desk", count=2, delay_min=30, hours=1, max_times=1
    )
    scenario = _scenario([rule])
    records = run(scenario, t999=_slow_all_day())
    assert rows(records.rule_log, LOG)[0][:2] == (H, "help")
    assert rows(records.rule_log, ["called_in", "breaks_cancelled"]) == [(2, 0)]
    called = records.handlers[records.handlers["call_in"]]
    assert rows(called, ["handler_id", "shift", "scheduled_start_s", "scheduled_end_s"]) == [
        (1, "help 1h from 5400 s", 1.5 * H, 2.5 * H),
        (2, "help 1h from 5400 s", 1.5 * H, 2.5 * H),
    ]
    work = records.work[records.work["handler_id"] > 0]
    assert work["start_s"].min() == 1.5 * H
    ends = called["actual_end_s"].to_numpy()
    assert (ends >= 2.5 * H).all() and (ends < 2.5 * H + 600).all()
    kpis = intraday_kpis(records, scenario)
    assert kpis["rule_firings_help"] == 1.0 and kpis["handlers_called_in"] == 2.0
    assert kpis["call_in_hours"] == pytest.approx((ends - 1.5 * H).sum() / H)
    assert replication_kpis(records, scenario)["overtime_hours"] == kpis["call_in_hours"]


def test_cancel_breaks_by_rule_counts_the_breaks_it_cancelled() -> None:
    """Two on 00:00-08:00 with a break at 2 h and one at 4 h: the 1 h firing cancels all four;
    the duty table then has no gap."""
    shift = {
        "start": "00:00",
        "hours": 8,
        "days": "daily",
        "count": 2,
        "breaks": [{"after_hours": 2, "minutes": 30}, {"after_hours": 4, "minutes": 30}],
    }
    scenario = _scenario(
        [_rule(max_times=1)], handlers=[{"name": "desk", "skills": ["999"], "shifts": [shift]}]
    )
    records = run(scenario, t999=[1900.0, 1910.0, 1920.0])
    assert rows(records.rule_log, ["time_s", "breaks_cancelled"]) == [(3600.0, 4)]
    assert rows(records.duty.sort_values("handler_id"), ["handler_id", "start_s", "end_s"]) == [
        (0, 0.0, 8 * H),
        (1, 0.0, 8 * H),
    ]
    assert intraday_kpis(records, scenario)["breaks_cancelled"] == 4.0


def _busy_room(rules: list[dict[str, Any]]) -> Scenario:
    return Scenario.model_validate(
        {
            "scenario": {
                "name": "busy",
                "days": 1,
                "warmup_hours": 2,
                "cooldown_hours": 1,
                "seed": 7,
            },
            "channels": {
                "999": {
                    "calls_per_day": 300,
                    "talk_s": {"dist": "exponential", "mean": 240},
                    "bt_connect_s": fixed(5),
                    "answer_clock": "call",
                },
                "101": {
                    "calls_per_day": 400,
                    "talk_s": {"dist": "exponential", "mean": 300},
                    "answer_clock": "force",
                    "patience_s": {"dist": "exponential", "mean": 600},
                },
            },
            "handlers": [
                {
                    "name": "a",
                    "skills": ["999", "101"],
                    "shifts": [
                        {
                            "start": "00:00",
                            "hours": 12,
                            "days": "daily",
                            "count": 2,
                            "breaks": [{"after_hours": 3, "minutes": 30, "spread_hours": 2}],
                        },
                        {
                            "start": "12:00",
                            "hours": 12,
                            "days": "daily",
                            "count": 2,
                            "breaks": [{"after_hours": 3, "minutes": 30, "spread_hours": 2}],
                        },
                    ],
                },
            ],
            "intraday_rules": rules,
        }
    )


def test_the_models_rolling_rate_is_the_records_rolling_rate() -> None:
    """A rule checking every 10 min that fires whenever the rate is below 1 logs the model's
    value at each firing: each equals the rate computed from the records at that moment, on
    both answer clocks; at the checks it did not fire the records give 1 or no answers."""
    rules = [
        {
            "name": "w999",
            "check_every_min": 10,
            "window_min": 30,
            "below": 1.0,
            "measure": "rolling_999_10s",
            "action": "cancel_breaks",
        },
        {
            "name": "w101",
            "check_every_min": 10,
            "window_min": 45,
            "below": 1.0,
            "measure": "rolling_101_10s",
            "action": "cancel_breaks",
        },
    ]
    scenario = _busy_room(rules)
    records = simulate(scenario, 0)
    log = records.rule_log
    for rule, channel, window in (("w999", "999", 1800.0), ("w101", "101", 2700.0)):
        mine = log[log["rule"] == rule]
        assert len(mine) > 10
        fired = set(mine["time_s"])
        for t, value in zip(mine["time_s"], mine["measured"], strict=True):
            assert value == rolling_rate(records, scenario, channel, t, window)
        for t in np.arange(600.0, scenario.end_s, 600.0):
            if t not in fired:
                quiet = rolling_rate(records, scenario, channel, t, window)
                assert math.isnan(quiet) or quiet == 1.0


def test_rules_that_never_fire_leave_the_records_as_without_rules() -> None:
    """The same room with a rule that never fires (below 0) and without rules: the same calls,
    work and duty, bit for bit, and the same handlers apart from the call_in column; without
    rules there is no rule_log and no call_in column, and no intraday KPI."""
    never = [{"name": "never", "below": 0.0, "action": "cancel_breaks", "check_every_min": 15}]
    with_rules = simulate(_busy_room(never), 0)
    without = simulate(_busy_room([]), 0)
    for table in ("calls", "work", "duty"):
        pd.testing.assert_frame_equal(getattr(with_rules, table), getattr(without, table))
    assert list(with_rules.handlers["call_in"]) == [False] * len(without.handlers)
    pd.testing.assert_frame_equal(with_rules.handlers.drop(columns="call_in"), without.handlers)
    assert without.rule_log is None and "call_in" not in without.handlers.columns
    assert len(with_rules.rule_log) == 0
    kpis = replication_kpis(without, _busy_room([]))
    assert not any(k.startswith(("rule_firings", "call_in", "breaks_cancelled")) for k in kpis)


# -- bad input ------------------------------------------------------------------------------

BASE = """\
[scenario]
name = "bad-rule"
days = 0.05
warmup_hours = 0
replications = 1

[channels.999]
calls_per_day = 10
talk_s = {{ dist = "exponential", mean = 60 }}

[[handlers]]
name = "contact"
skills = ["999"]
count = 2

[[intraday_rules]]
name = "r"
below = 0.8
{rule}
"""


@pytest.mark.parametrize(
    ("rule", "key", "says"),
    [
        (
            'action = "call_in"\ngroup = "nobody"\ncount = 1\ndelay_min = 0\nhours = 1',
            "intraday_rules.0.group",
            "expected one of the handler groups ['contact'], found 'nobody'",
        ),
        (
            'action = "cancel_breaks"\nmeasure = "rolling_112_10s"',
            "intraday_rules.0.measure",
            "expected one of 'rolling_999_10s' or 'rolling_101_10s', found 'rolling_112_10s'",
        ),
        (
            'action = "cancel_breaks"\nmeasure = "rolling_101_10s"',
            "intraday_rules.0.measure",
            "without a [channels.101] section",
        ),
        (
            'action = "call_in"\ngroup = "contact"\ncount = 1\nhours = 1',
            "intraday_rules.0.delay_min",
            "expected this key with action = 'call_in', found it missing",
        ),
        (
            'action = "cancel_breaks"\ncount = 2',
            "intraday_rules.0.count",
            "expected no count with action = 'cancel_breaks'",
        ),
        ('action = "pull_staff"', "intraday_rules.0.action", "found 'pull_staff'"),
        (
            'action = "pull_from_digital"\nhours = 2',
            "intraday_rules.0.action",
            "expected a [digital] section to pull staff from, found none",
        ),
    ],
)
def test_a_bad_rule_is_one_line_naming_the_file_and_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rule: str, key: str, says: str
) -> None:
    file = tmp_path / "bad_rule.toml"
    file.write_text(BASE.format(rule=rule))
    line = assert_one_line_error(capsys, cli.main(["validate", str(file), "--quiet"]))
    assert line.startswith(f"error: {file}: {key}: "), line
    assert says in line, line


def test_pulling_staff_off_the_digital_desk_for_some_hours() -> None:
    """One handler who takes 999 calls and digital items (600 s each). 999 calls at 1900, 1910
    and 1920 s are answered at 1900, 2500 and 3100 s: at the 3600 s check the rate is 1/3, and
    the rule pulls the desk for an hour. The item that arrived at 3000 s is not taken when the
    handler is free at 3700 s, but at 7200 s when the desk is back; without the rule it would
    have been worked from 3700 s."""
    rule = _rule(action="pull_from_digital", hours=1)
    extra = {
        "handlers": [{"name": "desk", "skills": ["999", "digital"], "count": 1}],
        "digital": {"items_per_day": 0, "work_s": fixed(600)},
    }
    times = {"999": [1900.0, 1910.0, 1920.0], "digital": [3000.0]}
    records = simulate(_scenario([rule], **extra), 0, arrival_times=times)
    assert rows(records.rule_log, LOG) == [(3600.0, "r", "pull_from_digital", 1 / 3, 0, 0)]
    digital = records.work[records.work["kind"] == "digital"]
    assert rows(digital, ["handler_id", "start_s", "end_s"]) == [(0, 7200.0, 7800.0)]
    never = simulate(
        _scenario([_rule(action="pull_from_digital", hours=1, below=0.0)], **extra),
        0,
        arrival_times=times,
    )
    digital = never.work[never.work["kind"] == "digital"]
    assert rows(digital, ["handler_id", "start_s", "end_s"]) == [(0, 3700.0, 4300.0)]


def test_pulling_the_digital_desk_needs_one() -> None:
    """A pull_from_digital rule in a scenario without [digital] is refused at its action."""
    with pytest.raises(ValueError, match="expected a \\[digital\\] section"):
        _scenario([_rule(action="pull_from_digital", hours=1)])
