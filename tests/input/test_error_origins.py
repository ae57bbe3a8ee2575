"""Errors name the file in which the bad value was written, not the base it was merged onto.

Through ``extends`` and ``--set``, the loader remembers which file (or override) set each key; a
bad value is named after the file that wrote it, and a check of two keys together (channel 101
has calls, so some handler must take them) after the file that set either of them last, with
that file's key.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from controlroom_sim.cli.main import main
from controlroom_sim.config.files import ScenarioError
from controlroom_sim.config.loading import load_scenario
from tests.helpers.paths import BASELINE


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def variant(tmp_path: Path, body: str, base: Path = BASELINE, name: str = "variant.toml") -> Path:
    return write(tmp_path / name, f'extends = "{base}"\n' + textwrap.dedent(body))


def broken_base(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the baseline with ``old`` replaced by ``new`` (once), its profiles found."""
    text = BASELINE.read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    text = text.replace(old, new, 1).replace(
        'profile = "profiles/', f'profile = "{BASELINE.parent}/profiles/'
    )
    return write(tmp_path / "base.toml", text)


def error_of(path: Path, overrides: tuple[str, ...] = ()) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides)
    return str(info.value)


def test_a_bad_value_in_a_variant_names_the_variant(tmp_path: Path) -> None:
    file = variant(tmp_path, "[channels.101]\ncalls_per_day = -3\n")
    assert error_of(file) == (
        f"{file}: channels.101.calls_per_day: expected a number >= 0.0, found -3"
    )


def test_a_bad_value_in_the_base_names_the_base(tmp_path: Path) -> None:
    base = broken_base(tmp_path, "calls_per_day = 1370", "calls_per_day = -3")
    file = variant(tmp_path, '[scenario]\nname = "v"\n', base=base)
    assert error_of(file) == (
        f"{base}: channels.101.calls_per_day: expected a number >= 0.0, found -3"
    )


def test_a_bad_set_names_the_set(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = variant(tmp_path, '[scenario]\nname = "v"\n')
    assert main(["run", str(file), "--set", "channels.101.calls_per_day=-3"]) == 2
    assert capsys.readouterr().err == (
        "error: --set channels.101.calls_per_day=-3: channels.101.calls_per_day: "
        "expected a number >= 0.0, found -3\n"
    )
    # With a space in it, the --set is quoted as it would be typed.
    assert main(["run", str(file), "--set", "channels.101.calls_per_day = -3"]) == 2
    assert capsys.readouterr().err == (
        "error: --set 'channels.101.calls_per_day = -3': channels.101.calls_per_day: "
        "expected a number >= 0.0, found -3\n"
    )


def test_a_variant_that_removes_the_101_handlers_is_named(tmp_path: Path) -> None:
    """The base has channel 101 and its handlers; the variant's handlers take only 999."""
    file = variant(
        tmp_path,
        """\
        [[handlers]]
        name = "999 desk"
        skills = ["999"]
        count = 4
        """,
    )
    assert error_of(file) == (
        f"{file}: handlers: channel 101 has calls, so expected a handler group with the "
        "skill '101' and someone on duty, found none"
    )


def test_a_variant_that_gives_101_calls_nobody_takes_is_named(tmp_path: Path) -> None:
    """The base has no 101 handlers and no 101 calls; the variant gives 101 calls."""
    base = broken_base(tmp_path, "calls_per_day = 1370", "calls_per_day = 0")
    middle = variant(
        tmp_path,
        '[[handlers]]\nname = "999 desk"\nskills = ["999"]\ncount = 9\n',
        base=base,
        name="middle.toml",
    )
    file = variant(tmp_path, "[channels.101]\ncalls_per_day = 5\n", base=middle)
    assert error_of(file) == (
        f"{file}: channels.101: channel 101 has calls, so expected a handler group with the "
        "skill '101' and someone on duty, found none"
    )


def test_a_count_set_to_zero_by_name_is_named(tmp_path: Path) -> None:
    """Every handler line at 0, the last three by the top file: it, not the base nor the
    middle file, is named."""
    zeros = "".join(
        f'[shift_lines."{name}"]\ncount = 0\n'
        for name in ("Early 999", "Late 999", "Night 999", "Early contact", "Day contact")
    )
    middle = variant(tmp_path, zeros, name="middle.toml")
    rest = "".join(
        f'[shift_lines."{name}"]\ncount = 0\n'
        for name in ("Late contact", "Evening contact", "Night contact")
    )
    file = variant(tmp_path, rest, base=middle)
    assert error_of(file) == (
        f"{file}: handlers: expected at least one handler on duty, found a total count of 0"
    )


def test_a_bad_start_in_the_base_is_named_when_a_variant_changes_the_count(
    tmp_path: Path,
) -> None:
    """The variant changes the evening line's count by name; the base's start is wrong."""
    base = broken_base(tmp_path, 'start = "19:00"', 'start = "19:60"')
    file = variant(tmp_path, '[shift_lines."Evening contact"]\ncount = 5\n', base=base)
    message = error_of(file)
    assert message.startswith(f"{base}: handlers.1.shifts.3.start: expected a time of day"), message


def test_a_bad_start_in_the_base_is_named_when_set_changes_the_count(tmp_path: Path) -> None:
    base = broken_base(tmp_path, 'start = "19:00"', 'start = "19:60"')
    for override in ("handlers.1.shifts.3.count=5", "shift_lines.Evening contact.count=5"):
        message = error_of(base, (override,))
        assert message.startswith(f"{base}: handlers.1.shifts.3.start: "), message


def test_redial_plus_abandon_to_999_names_the_file_that_set_either_last(tmp_path: Path) -> None:
    file = variant(tmp_path, "[channels.101]\nabandon_to_999_probability = 0.9\n")
    assert error_of(file) == (
        f"{file}: channels.101.abandon_to_999_probability: expected redial_probability + "
        "abandon_to_999_probability <= 1, found 1.2"
    )
    assert error_of(BASELINE, ("channels.101.redial_probability=0.98",)) == (
        "overrides='channels.101.redial_probability=0.98': channels.101.redial_probability: "
        "expected redial_probability + abandon_to_999_probability <= 1, found 1.01"
    )


def test_a_bad_value_in_a_variant_of_a_variant_names_the_one_that_wrote_it(
    tmp_path: Path,
) -> None:
    middle = variant(tmp_path, '[shift_lines."Late 999"]\ncount = -2\n', name="middle.toml")
    top = variant(tmp_path, '[scenario]\nname = "top"\n', base=middle, name="top.toml")
    line = f"{middle}: shift_lines.Late 999.count: expected a number >= 0, found -2"
    assert error_of(top) == line
    fixed = variant(tmp_path, "[shift_lines.'Late 999']\ncount = 2\n", base=middle, name="f.toml")
    assert load_scenario(fixed).handlers[0].shifts[1].count == 2  # type: ignore[index]
