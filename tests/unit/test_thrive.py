"""THRIVE grading: call types, true risk, skipped checks and under-grading (pure functions)."""

from __future__ import annotations

import pytest

from controlroom_sim.config.loading import load_scenario
from controlroom_sim.config.schema import Scenario
from controlroom_sim.config.vocabulary import GRADES, RISK_LEVELS
from controlroom_sim.model import simulate
from controlroom_sim.model.thrive import Grader

HIGH, MEDIUM, LOW, NONE = (RISK_LEVELS.index(x) for x in ("high", "medium", "low", "none"))
FIXED = {"dist": "fixed", "value": 10.0}


def _scenario(thrive: dict[str, object] | None = None) -> Scenario:
    data: dict[str, object] = {
        "scenario": {"name": "t", "days": 0.1, "warmup_hours": 0.0},
        "channels": {"999": {"calls_per_day": 20000.0, "talk_s": {"dist": "fixed", "value": 100}}},
        "handlers": [{"name": "h", "skills": ["999"], "count": 200}],
        "call_types": [
            {
                "name": "violent",
                "share": {"999": 0.25},
                "risk": {"high": 1.0},
                "vulnerable_probability": 1.0,
                "repeat_victim_probability": 1.0,
            },
            {
                "name": "noise",
                "share": {"999": 0.75},
                "risk": {"none": 0.5, "low": 0.5},
                "refer_probability": 0.4,
            },
        ],
    }
    if thrive is not None:
        data["thrive"] = thrive
    return Scenario.model_validate(data)


def _checks(skip: float) -> dict[str, object]:
    return {
        name: {"time_s": FIXED, "skip_probability": skip}
        for name in ("repeat_check", "vulnerability_check", "risk_assessment", "advice")
    }


def test_classify_follows_the_mix_and_risk_tables() -> None:
    """Uniform draws pick the type by cumulative share and the risk by the type's table."""
    grader = Grader(_scenario(), "999")
    assert grader.classify(0.10, 0.9, 0.5, 0.5) == (0, HIGH, True, True)
    assert grader.classify(0.30, 0.2, 0.5, 0.5) == (1, NONE, False, False)
    assert grader.classify(0.30, 0.7, 0.5, 0.5) == (1, LOW, False, False)


def test_without_thrive_grading_is_exact() -> None:
    """No [thrive]: the grade follows the true risk and no talk time is added."""
    grader = Grader(_scenario(), "999")
    result = grader.assess(0, HIGH, True, True, (), (), (), refer_u=0.9)
    assert GRADES[result.grade] == "emergency" and result.checks_s == 0.0
    assert result.done == (True, True, True, True)


def test_each_skipped_check_with_its_factor_present_can_lower_one_level() -> None:
    """Skipping the repeat and vulnerability checks for a repeat, vulnerable caller: two misses."""
    grader = Grader(_scenario({**_checks(0.5), "miss_probability": 0.5}), "999")
    # skip draws < 0.5 skip; miss draws < 0.5 miss. Order: repeat, vulnerability, risk, advice.
    result = grader.assess(
        0,
        HIGH,
        True,
        True,
        skip_u=(0.1, 0.1, 0.9, 0.1),
        miss_u=(0.1, 0.1, 0.1, 0.1),
        check_s=(10, 20, 30, 40),
        refer_u=0.9,
    )
    assert result.done == (False, False, True, False)
    assert RISK_LEVELS[result.assessed_risk] == "low"
    assert GRADES[result.grade] == "scheduled"
    assert result.checks_s == 30  # only the risk assessment was done


def test_a_miss_needs_the_factor_and_the_miss_draw() -> None:
    """A skipped repeat check does not lower the grade of a caller who is no repeat victim."""
    grader = Grader(_scenario({**_checks(0.5), "miss_probability": 0.5}), "999")
    result = grader.assess(
        0,
        HIGH,
        False,
        False,
        skip_u=(0.1, 0.1, 0.9, 0.9),
        miss_u=(0.1, 0.1, 0.1, 0.1),
        check_s=(10, 20, 30, 40),
        refer_u=0.9,
    )
    assert GRADES[result.grade] == "emergency"
    result = grader.assess(
        0,
        HIGH,
        True,
        True,
        skip_u=(0.1, 0.9, 0.9, 0.9),
        miss_u=(0.9, 0.1, 0.1, 0.1),
        check_s=(10, 20, 30, 40),
        refer_u=0.9,
    )
    assert GRADES[result.grade] == "emergency"  # skipped, but the miss draw did not miss


def test_referral_only_when_no_police_action_is_assessed() -> None:
    """A call assessed at risk 'none' is referred with the type's probability; others never."""
    grader = Grader(_scenario(), "999")
    assert GRADES[grader.assess(1, NONE, False, False, (), (), (), refer_u=0.3).grade] == (
        "referred"
    )
    assert GRADES[grader.assess(1, NONE, False, False, (), (), (), refer_u=0.5).grade] == (
        "resolved"
    )
    assert GRADES[grader.assess(1, LOW, False, False, (), (), (), refer_u=0.0).grade] == (
        "scheduled"
    )


def test_skip_rates_and_talk_time_in_a_run() -> None:
    """Over a run, checks are skipped at their rates and done checks add to the talk time."""
    scenario = _scenario({**_checks(0.3), "miss_probability": 1.0})
    calls = simulate(scenario, 0).calls
    graded = calls[calls["grade"].notna()]
    assert len(graded) > 1000
    for name in ("repeat_check", "vulnerability_check", "risk_assessment", "advice"):
        skipped = 1 - graded[f"{name}_done"].astype(bool).mean()
        assert skipped == pytest.approx(0.3, abs=0.05)
    assert (graded["talk_s"] - 100 == graded["checks_s"]).all()
    violent = graded[graded["call_type"] == "violent"]
    # With miss_probability 1 every skipped check lowers a violent call's grade by one level.
    misses = 3 - violent[
        ["repeat_check_done", "vulnerability_check_done", "risk_assessment_done"]
    ].astype(int).sum(axis=1)
    expected = (RISK_LEVELS.index("high") - misses).clip(lower=0)
    assert (violent["assessed_risk"].cat.codes.to_numpy() == expected.to_numpy()).all()


def test_redials_keep_the_callers_situation() -> None:
    """A redial is about the same situation: same type, true risk and flags as the first call."""
    scenario = load_scenario(
        None,
        [
            "scenario.days=0.5",
            "scenario.replications=1",
            "handlers.1.shifts.0.count=2",
            "handlers.1.shifts.2.count=2",
        ],
    )
    calls = simulate(scenario, 0).calls
    follow = calls[calls["attempt"] > 0]
    assert len(follow) > 10
    first = calls.set_index("call_id").loc[follow["caller_id"]]
    for column in ("call_type", "true_risk", "vulnerable"):
        assert (first[column].to_numpy() == follow[column].to_numpy()).all()


def test_bad_call_types_are_rejected() -> None:
    """Shares that do not sum to 1, risk tables that do not, and [thrive] without types."""
    base = _scenario().model_dump(exclude={"channels"}, by_alias=True)
    base["channels"] = {"999": {"calls_per_day": 10.0, "talk_s": FIXED}}
    bad_share = {
        **base,
        "call_types": [{"name": "x", "share": {"999": 0.5}, "risk": {"high": 1.0}}],
    }
    with pytest.raises(ValueError, match="shares of channel 999 to sum to 1"):
        Scenario.model_validate(bad_share)
    bad_risk = {**base, "call_types": [{"name": "x", "share": {"999": 1.0}, "risk": {"high": 0.7}}]}
    with pytest.raises(ValueError, match="sum to 1"):
        Scenario.model_validate(bad_risk)
    with pytest.raises(ValueError, match="call_types"):
        Scenario.model_validate({**base, "call_types": [], "thrive": {}})
