"""Named shift lines, and a variant (or ``--set``) that changes one line by its name.

The baseline's lines have names; ``[shift_lines."NAME"]`` in a variant, or ``--set
'shift_lines.NAME.KEY=VALUE'``, changes that line's keys and nothing else. Mistakes (an unknown
name, a name given twice, a line changed by its place in the list) are one line naming the file
or ``--set`` that made them.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from controlroom_sim.cli.main import main
from controlroom_sim.config.files import ScenarioError
from controlroom_sim.config.loading import load_scenario
from controlroom_sim.config.schema import Scenario
from tests.helpers.cli import few_replications_stderr
from tests.helpers.paths import BASELINE, SCENARIOS

NAMES = (
    "Early 999, Late 999, Night 999, Early contact, Day contact, Late contact, Evening contact, "
    "Night contact, Early dispatch, Late dispatch, Night dispatch, Early response, "
    "Late response, Night response, Mind support"
)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def variant(tmp_path: Path, body: str, name: str = "variant.toml") -> Path:
    return write(tmp_path / name, f'extends = "{BASELINE}"\n' + textwrap.dedent(body))


def error_of(path: Path, overrides: tuple[str, ...] = ()) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides)
    return str(info.value)


def lines_of(scenario: Scenario) -> dict[str, dict]:
    return {name: line.model_dump() for _, line in scenario.shift_lines() if (name := line.name)}


@pytest.fixture(scope="module")
def baseline() -> Scenario:
    return load_scenario(BASELINE)


def test_the_baselines_lines_have_names(baseline: Scenario) -> None:
    by_group = {
        section: [[(s.name, s.start, s.count) for s in g.shifts or []] for g in groups]
        for section, groups in (
            ("handlers", baseline.handlers),
            ("dispatchers", baseline.dispatchers),
            ("officers", baseline.officers),
            ("support_workers", baseline.support_workers),
        )
    }
    assert by_group == {
        "handlers": [
            [("Early 999", "07:00", 3), ("Late 999", "15:00", 3), ("Night 999", "22:00", 2)],
            [
                ("Early contact", "07:00", 9),
                ("Day contact", "11:00", 5),
                ("Late contact", "15:00", 7),
                ("Evening contact", "19:00", 3),
                ("Night contact", "22:00", 3),
            ],
        ],
        "dispatchers": [
            [
                ("Early dispatch", "07:00", 3),
                ("Late dispatch", "15:00", 3),
                ("Night dispatch", "22:00", 2),
            ]
        ],
        "officers": [
            [
                ("Early response", "07:00", 52),
                ("Late response", "14:00", 56),
                ("Night response", "21:00", 44),
            ]
        ],
        "support_workers": [[("Mind support", "13:00", 1)]],
    }
    assert ", ".join(lines_of(baseline)) == NAMES


# -- by name in a variant file ------------------------------------------------------------------


def test_a_variant_changes_one_lines_count_by_name(tmp_path: Path, baseline: Scenario) -> None:
    file = variant(tmp_path, '[shift_lines."Evening contact"]\ncount = 5\n')
    changed = load_scenario(file)
    assert changed.handlers[1].shifts is not None
    assert changed.handlers[1].shifts[3].count == 5
    expected = baseline.model_dump()
    expected["handlers"][1]["shifts"][3]["count"] = 5
    assert changed.model_dump() == expected  # nothing else moved


def test_a_variant_changes_start_hours_and_breaks_by_name(
    tmp_path: Path, baseline: Scenario
) -> None:
    file = variant(
        tmp_path,
        """\
        [shift_lines."Late 999"]
        start = "16:00"
        hours = 8
        breaks = [{ after_hours = 4, minutes = 30 }]
        """,
    )
    line = lines_of(load_scenario(file))["Late 999"]
    assert line == {
        "name": "Late 999",
        "start": "16:00",
        "hours": 8.0,
        "days": "daily",
        "count": 3,
        "breaks": [{"after_hours": 4.0, "minutes": 30.0, "spread_hours": 0.0}],
    }
    others = {k: v for k, v in lines_of(load_scenario(file)).items() if k != "Late 999"}
    assert others == {k: v for k, v in lines_of(baseline).items() if k != "Late 999"}


def test_several_lines_and_other_rotas_by_name(tmp_path: Path) -> None:
    file = variant(
        tmp_path,
        """\
        [shift_lines."Night 999"]
        count = 4
        [shift_lines."Night response"]
        count = 40
        [shift_lines."Mind support"]
        days = "weekdays"
        """,
    )
    lines = lines_of(load_scenario(file))
    assert (lines["Night 999"]["count"], lines["Night response"]["count"]) == (4, 40)
    assert lines["Mind support"]["days"] == "weekdays"
    assert lines["Night contact"]["count"] == 3


def test_a_chain_applies_each_files_changes_to_its_own_base(tmp_path: Path) -> None:
    """The middle file changes a line by name; the top file renames it and changes it again."""
    variant(tmp_path, '[shift_lines."Evening contact"]\ncount = 6\nstart = "18:00"\n', "mid.toml")
    top = write(
        tmp_path / "top.toml",
        """\
        extends = "mid.toml"
        [shift_lines."Evening contact"]
        name = "Twilight contact"
        [shift_lines."Twilight contact"]
        count = 4
        """,
    )
    line = lines_of(load_scenario(top))["Twilight contact"]
    assert (line["start"], line["count"]) == ("18:00", 4)


def test_a_file_without_extends_may_change_its_own_lines(tmp_path: Path) -> None:
    text = BASELINE.read_text(encoding="utf-8").replace(
        'profile = "profiles/', f'profile = "{BASELINE.parent}/profiles/'
    )
    file = write(tmp_path / "own.toml", text + '\n[shift_lines."Day contact"]\ncount = 1\n')
    assert lines_of(load_scenario(file))["Day contact"]["count"] == 1


def test_provenance_may_name_a_line_by_its_name(tmp_path: Path) -> None:
    text = '[shift_lines."Evening contact"]\ncount = 5\n[provenance]\n"{key}" = "a trial"\n'
    good = variant(tmp_path, text.format(key="shift_lines.Evening contact.count"), "good.toml")
    assert load_scenario(good).provenance["shift_lines.Evening contact.count"] == "a trial"
    for key in ("shift_lines.Evening contct.count", "shift_lines.Evening contact.cuont"):
        bad = variant(tmp_path, text.format(key=key), "bad.toml")
        assert error_of(bad) == (
            f"{bad}: provenance.{key}: expected the key path of a parameter in this scenario, "
            "found none"
        )


# -- by name with --set -------------------------------------------------------------------------


def test_set_changes_one_line_by_name(baseline: Scenario) -> None:
    changed = load_scenario(BASELINE, ["shift_lines.Evening contact.count=5"])
    expected = baseline.model_dump()
    expected["handlers"][1]["shifts"][3]["count"] = 5
    assert changed.model_dump() == expected


def test_set_by_name_and_by_place_apply_in_order() -> None:
    by_name, by_place = "shift_lines.Evening contact.count=5", "handlers.1.shifts.3.count=7"
    first = lines_of(load_scenario(BASELINE, [by_name, by_place]))["Evening contact"]
    second = lines_of(load_scenario(BASELINE, [by_place, by_name]))["Evening contact"]
    assert (first["count"], second["count"]) == (7, 5)


def test_set_reaches_into_a_named_lines_breaks() -> None:
    line = lines_of(load_scenario(BASELINE, ["shift_lines.Late 999.breaks.0.minutes=30"]))
    assert line["Late 999"]["breaks"] == [
        {"after_hours": 3.5, "minutes": 30.0, "spread_hours": 3.0}
    ]


def test_cli_set_by_name_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    args = ["run", str(BASELINE), "--out", str(out), "--replications", "1", "--quiet"]
    args += ["--set", "scenario.days=0.05", "--set", "shift_lines.Evening contact.count=5"]
    assert main(args) == 0
    assert capsys.readouterr().err == few_replications_stderr(1)
    assert (out / "kpis.csv").exists()


# -- mistakes -----------------------------------------------------------------------------------


def test_unknown_name_lists_the_names_and_the_nearest(tmp_path: Path) -> None:
    file = variant(tmp_path, '[shift_lines."Evening contct"]\ncount = 5\n')
    assert error_of(file) == (
        f"{file}: shift_lines.Evening contct: expected the name of a shift line ({NAMES}), "
        "found 'Evening contct'; did you mean 'Evening contact'?"
    )


def test_unknown_name_in_set_names_the_set(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(BASELINE), "--set", "shift_lines.Late999.count=4"]) == 2
    assert capsys.readouterr().err == (
        "error: --set shift_lines.Late999.count=4: shift_lines.Late999: expected the name of "
        f"a shift line ({NAMES}), found 'Late999'; did you mean 'Late 999'?\n"
    )


def test_name_where_no_line_has_names(tmp_path: Path) -> None:
    base = write(
        tmp_path / "base.toml",
        """\
        [scenario]
        name = "base"
        [channels.999]
        calls_per_day = 10
        talk_s = { dist = "fixed", value = 60 }
        [[handlers]]
        name = "desk"
        skills = ["999"]
        shifts = [{ start = "07:00", hours = 12, count = 2 }]
        """,
    )
    child = write(tmp_path / "child.toml", 'extends = "base.toml"\n[shift_lines.Day]\ncount = 3\n')
    assert error_of(child) == (
        f"{child}: shift_lines.Day: expected the name of a shift line, found 'Day', and no "
        'shift line has a name (give one a name, e.g. { name = "Late 999", start = "15:00", '
        "... })"
    )
    by_place = write(
        tmp_path / "by_place.toml", 'extends = "base.toml"\n[handlers.0.shifts.0]\ncount = 3\n'
    )
    assert error_of(by_place) == (
        f"{by_place}: handlers.0.shifts.0: expected a shift line changed by its name, "
        f'[shift_lines."NAME"], once the line has a name in {base}, found a table changing '
        "it by its place in the list"
    )


def test_a_line_changed_by_its_place_names_the_variant_and_the_line(tmp_path: Path) -> None:
    file = variant(tmp_path, "[handlers.1.shifts.3]\ncount = 5\n")
    assert error_of(file) == (
        f"{file}: handlers.1.shifts.3: expected a shift line changed by its name, "
        '[shift_lines."Evening contact"], found a table changing it by its place in the list'
    )


@pytest.mark.parametrize(
    ("body", "line"),
    [
        (
            "[handlers.1]\ncount = 5\n",
            "handlers.1: expected [[handlers]] tables, which replace the base's list whole, "
            "found a table changing one item by its place (a shift line is changed by its "
            'name: [shift_lines."NAME"])',
        ),
        (
            "[call_types.0]\nvulnerable_probability = 0.5\n",
            "call_types.0: expected [[call_types]] tables, which replace the base's list "
            "whole, found a table changing one item by its place",
        ),
        (
            "shift_lines = 5\n",
            "shift_lines: expected tables of keys by line name, such as "
            '[shift_lines."Late 999"], found 5',
        ),
        (
            '[shift_lines]\n"Late 999" = 4\n',
            "shift_lines.Late 999: expected a table of the line's keys to change, such as "
            "count = 4, found 4",
        ),
        (
            '[shift_lines."Late 999"]\ncuont = 4\n',
            "shift_lines.Late 999.cuont: unknown key (check its spelling, or see the scenario "
            "reference in the README)",
        ),
        (
            '[shift_lines."Late 999"]\ncount = -1\n',
            "shift_lines.Late 999.count: expected a number >= 0, found -1",
        ),
        (
            '[shift_lines."Late 999"]\nhours = 2\n',
            "shift_lines.Late 999: a break 6.5 h into the shift lasting 45 min ends after the "
            "2-hour shift",
        ),
        (
            '[shift_lines."Late 999"]\nname = "Night 999"\n',
            "shift_lines.Late 999.name: expected each shift line's name once, found "
            "'Night 999' at handlers.0.shifts.1 and handlers.0.shifts.2",
        ),
        (
            '[shift_lines."Late 999"]\nname = "Late.999"\n',
            "shift_lines.Late 999.name: expected a name without '.', '=', '\"' or spaces at "
            "either end (it is written in --set shift_lines.NAME.count=...), found 'Late.999'",
        ),
    ],
    ids=[
        "group-by-place",
        "other-list-by-place",
        "not-a-table",
        "line-not-a-table",
        "unknown-key",
        "bad-count",
        "break-past-the-end",
        "name-twice",
        "dot-in-name",
    ],
)
def test_mistakes_in_a_variant_name_the_variant(tmp_path: Path, body: str, line: str) -> None:
    file = variant(tmp_path, body)
    assert error_of(file) == f"{file}: {line}"


def test_a_name_given_twice_in_a_new_group_names_the_variant(tmp_path: Path) -> None:
    file = variant(
        tmp_path,
        """\
        [[handlers]]
        name = "all"
        skills = ["999", "101"]
        shifts = [{ name = "Late response", start = "07:00", hours = 10, count = 30 }]
        """,
    )
    assert error_of(file) == (
        f"{file}: handlers.0.shifts.0.name: expected each shift line's name once, found "
        "'Late response' at handlers.0.shifts.0 and officers.0.shifts.1"
    )


@pytest.mark.parametrize(
    ("override", "line"),
    [
        (
            "shift_lines.Late 999.count=-1",
            "shift_lines.Late 999.count: expected a number >= 0, found -1",
        ),
        (
            "shift_lines.Late 999=4",
            "shift_lines.Late 999: expected shift_lines.NAME.KEY=VALUE, such as "
            "shift_lines.Late 999.count=4, found no key of the line",
        ),
        (
            "shift_lines.Late 999.hours=1",
            "shift_lines.Late 999: a break 6.5 h into the shift lasting 45 min ends after the "
            "1-hour shift",
        ),
    ],
    ids=["bad-count", "no-key", "break-past-the-end"],
)
def test_mistakes_in_set_by_name_name_the_set(
    override: str, line: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", str(BASELINE), "--set", override]) == 2
    assert capsys.readouterr().err == f"error: --set {override!r}: {line}\n"


def test_the_variant_in_the_library_adds_two_to_the_evening_contact_line(
    baseline: Scenario,
) -> None:
    changed = load_scenario(SCENARIOS / "variants" / "two_more_evening.toml")
    expected = baseline.model_dump()
    expected["scenario"]["name"] = "two_more_evening"
    expected["scenario"]["description"] = changed.scenario.description
    expected["handlers"][1]["shifts"][3]["count"] = 5
    assert changed.scenario.description != baseline.scenario.description
    assert changed.model_dump() == expected


def test_a_front_desk_operators_line_is_changed_by_name(tmp_path: Path) -> None:
    """The front desk's operators are on rotas too: a variant changes one of their lines by
    name, and the names stay unique across every rota."""
    desk = variant(
        tmp_path,
        """
        [front_desk]
        channel = "101"
        time_s = { dist = "fixed", value = 60 }
        resolve_probability = 0.5
        operators = [{ name = "switchboard", shifts = [
          { name = "Day board", start = "08:00", hours = 8, days = "daily", count = 2 },
          { name = "Night board", start = "20:00", hours = 12, days = "daily", count = 1 },
        ] }]
        """,
        name="desk.toml",
    )
    changed = write(
        tmp_path / "changed.toml",
        f"""
        extends = "{desk}"
        [shift_lines."Night board"]
        count = 3
        """,
    )
    lines = lines_of(load_scenario(changed))
    assert lines["Night board"]["count"] == 3
    assert lines["Day board"]["count"] == 2
    twice = write(
        tmp_path / "twice.toml",
        f"""
        extends = "{desk}"
        [front_desk]
        operators = [{{ name = "switchboard", shifts = [
          {{ name = "Early 999", start = "08:00", hours = 8, days = "daily", count = 2 }},
        ] }}]
        """,
    )
    assert "Early 999" in error_of(twice)
