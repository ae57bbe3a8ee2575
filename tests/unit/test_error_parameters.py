"""Errors name parameters, the command line names flags (issue 16).

:class:`~controlroom_sim.config.errors.Param` spells a parameter by name in the library
(``targets='x'``) and by flag on the command line (``--target 'x'``); every layer's errors are
made of such parts. The command line's exact wording is checked in
``tests/cli/test_cli_error_wording.py``; here the library's wording, and the command line's for
messages the command line's own checks get to first.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from controlroom_sim.analysis.comparison import SweepError, parse_vary, sweep_grid
from controlroom_sim.analysis.precision import PrecisionError, PrecisionTarget
from controlroom_sim.cli.usage import error_text, flag
from controlroom_sim.config.errors import ControlroomError, Param, message, named, spell
from controlroom_sim.config.files import ScenarioError
from controlroom_sim.config.loading import load_scenario, scenario_files
from controlroom_sim.config.schema import Scenario
from controlroom_sim.planning import planner
from controlroom_sim.planning.planner_inputs import PlannerError, only_forces
from controlroom_sim.planning.requirement_rota import other_groups_coverage
from controlroom_sim.planning.targets import RequirementError, StaffTarget, check_targets

# -- Param, spell, named, message ---------------------------------------------------------------


def test_param_spelled_by_name_or_by_flag() -> None:
    assert Param("min_replications").spell() == "min_replications"
    assert Param("min_replications").spell(flag) == "--min-replications"
    assert Param("out", "x/y").spell() == "out='x/y'"
    assert Param("out", "x/y").spell(flag) == "--out x/y"
    assert Param("resume", True).spell(flag) == "--resume"


def test_a_quoted_param_keeps_the_quotes_on_the_command_line() -> None:
    """``quote``: the command line shows the value as the library does, in quotes."""
    given = Param("targets", "abc", quote=True)
    assert given.spell() == "targets='abc'"
    assert given.spell(flag) == "--target 'abc'"
    assert Param("group", "a b", quote=True).spell(flag) == "--group 'a b'"


def test_flags_of_parameters_not_named_like_their_flag() -> None:
    assert flag("overrides") == "--set"
    assert flag("targets") == "--target"
    assert flag("names") == "--pattern"
    assert flag("target_half_width") == "--target-half-width"
    assert flag("vary") == "--vary" and flag("forces") == "--forces"


def test_named_keeps_the_parts_for_the_command_line() -> None:
    exc = named(ControlroomError, Param("vary", "k=1"), ": a value is repeated")
    assert str(exc) == "vary='k=1': a value is repeated"
    assert message(exc) == str(exc)
    assert message(exc, flag) == error_text(exc) == "--vary k=1: a value is repeated"
    assert spell(exc.parts, flag) == error_text(exc)  # type: ignore[attr-defined]
    plain = ControlroomError("no parameters here")
    assert error_text(plain) == "no parameters here"


# -- planning -----------------------------------------------------------------------------------


def test_targets_are_named_as_the_parameter_targets() -> None:
    with pytest.raises(RequirementError) as info:
        StaffTarget.parse("abc")
    assert str(info.value) == "targets='abc': expected KPI=VALUE"
    assert error_text(info.value) == "--target 'abc': expected KPI=VALUE"
    scenario = load_scenario(None)
    target = StaffTarget.parse("answered_within_10s_999=0.9")
    with pytest.raises(RequirementError) as info:
        check_targets(scenario, [target, target])
    assert str(info.value) == "targets='answered_within_10s_999': given twice"
    assert error_text(info.value) == "--target answered_within_10s_999: given twice"


def test_no_targets_at_all() -> None:
    """The command line always has a target (its default), so only the library says this."""
    with pytest.raises(RequirementError) as info:
        check_targets(load_scenario(None), [])
    assert str(info.value) == "expected at least one targets='KPI=VALUE'"
    assert error_text(info.value) == "expected at least one --target KPI=VALUE"


def test_group_forces_shrinkage_and_replications_are_named_as_parameters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scenario = load_scenario(None)
    with pytest.raises(RequirementError) as info:
        other_groups_coverage(scenario, "nobody")
    assert str(info.value).startswith("group='nobody': expected one of the scenario's handler")
    assert error_text(info.value).startswith("--group 'nobody': expected one of")
    with pytest.raises(PlannerError) as info:
        only_forces(scenario, ["Kent"])
    assert str(info.value) == "forces: expected a scenario with [[forces]], found none"
    assert error_text(info.value) == "--forces: expected a scenario with [[forces]], found none"

    def refuse(self: Scenario, names: list[str]) -> Scenario:
        raise ValueError(f"no handler group takes the calls of {', '.join(names)}")

    with_forces = load_scenario(None, ['forces=[{name="Kent", share={"999"=1.0, "101"=1.0}}]'])
    monkeypatch.setattr(Scenario, "only_forces", refuse)
    with pytest.raises(PlannerError) as info:
        only_forces(with_forces, ["Kent"])
    assert str(info.value) == "forces: no handler group takes the calls of Kent"
    assert error_text(info.value) == "--forces: no handler group takes the calls of Kent"
    monkeypatch.undo()
    # The command line checks shrinkage itself, in the same words, before staff is called.
    with pytest.raises(RequirementError) as info:
        planner.staff(scenario, shrinkage=1.5, simulate=False)
    assert str(info.value) == "shrinkage: expected a share in [0, 1), found 1.5"
    assert error_text(info.value) == "--shrinkage: expected a share in [0, 1), found 1.5"
    with pytest.raises(RequirementError) as info:
        planner.staff(scenario, replications=1)
    assert str(info.value) == "replications: expected at least 2 to estimate intervals"


# -- analysis -----------------------------------------------------------------------------------


def test_half_widths_and_sweeps_are_named_as_parameters() -> None:
    with pytest.raises(PrecisionError) as info:
        PrecisionTarget.parse("kpi")
    assert str(info.value) == "target_half_width='kpi': expected KPI=VALUE or KPI=VALUE%"
    assert error_text(info.value) == "--target-half-width kpi: expected KPI=VALUE or KPI=VALUE%"
    with pytest.raises(SweepError) as info:
        parse_vary("k=1,1")
    assert str(info.value) == "vary='k=1,1': a value is repeated"
    assert error_text(info.value) == "--vary k=1,1: a value is repeated"
    with pytest.raises(SweepError) as info:
        sweep_grid([("k", ["1"]), ("k", ["2"])])
    assert str(info.value) == "vary: a key is varied twice"
    assert error_text(info.value) == "--vary: a key is varied twice"


# -- config -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "vary", "library", "command_line"),
    [
        (
            ["channels.999.calls_per_day"],
            [],
            "overrides='channels.999.calls_per_day': expected KEY=VALUE, found no '='",
            "--set channels.999.calls_per_day: expected KEY=VALUE, found no '='",
        ),
        (
            ["channels.999.calls_per_day=-5"],
            [],
            "overrides='channels.999.calls_per_day=-5': channels.999.calls_per_day: "
            "expected a number >= 0.0, found -5",
            "--set channels.999.calls_per_day=-5: channels.999.calls_per_day: "
            "expected a number >= 0.0, found -5",
        ),
        (
            [],
            ["handlers.9.count=1"],
            "vary='handlers.9.count=1': handlers.9: expected an index from 0 to 1, found '9'",
            "--vary handlers.9.count=1: handlers.9: expected an index from 0 to 1, found '9'",
        ),
        (
            ["scenario.seed=1"],
            ["channels.999.calls_per_day=-5"],
            "vary='channels.999.calls_per_day=-5': channels.999.calls_per_day: "
            "expected a number >= 0.0, found -5",
            "--vary channels.999.calls_per_day=-5: channels.999.calls_per_day: "
            "expected a number >= 0.0, found -5",
        ),
    ],
)
def test_overrides_are_named_as_the_parameter_that_gave_them(
    overrides: list[str], vary: list[str], library: str, command_line: str
) -> None:
    """An override is named as ``overrides`` or ``vary`` with its text, also when the
    problem is found later, validating the key it set."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(None, overrides, vary)
    assert str(info.value) == library
    assert error_text(info.value) == command_line


def test_a_scenario_file_is_still_named_by_its_path(tmp_path: Path) -> None:
    file = tmp_path / "bad.toml"
    file.write_text('extends = "baseline"\n[channels.999]\ncalls_per_day = -5\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(file, ["scenario.seed=3"])
    assert str(info.value).startswith(f"{file}: channels.999.calls_per_day: expected")
    assert error_text(info.value) == str(info.value)
    files = scenario_files(file)  # the file and its base; overrides are not files
    assert file in files and all(f.is_file() for f in files)
