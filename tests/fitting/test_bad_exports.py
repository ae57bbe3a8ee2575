"""Exports and mapping files that cannot be used: each is one line naming the file (and the key
or columns), a ControlroomError (exit status 2 at the command line), never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from controlroom_sim.config.errors import ControlroomError
from controlroom_sim.fitting.export import ExportError, read_export
from controlroom_sim.fitting.mapping import MappingError, load_mapping
from tests.fitting.exports import HEADER, MAPPING, write


@pytest.fixture
def mapping(tmp_path: Path):
    _, path = write(tmp_path)
    return load_mapping(path)


def _error(files: list[Path], mapping) -> str:
    with pytest.raises(ExportError) as caught:
        read_export(files, mapping)
    assert isinstance(caught.value, ControlroomError)
    assert caught.value.exit_status == 2
    text = str(caught.value)
    assert "\n" not in text
    return text


def test_an_empty_file(tmp_path: Path, mapping) -> None:
    file = tmp_path / "empty.csv"
    file.write_text("")
    assert (
        _error([file], mapping) == f"{file}: expected a header row and calls, found an empty file"
    )


def test_a_header_without_calls(tmp_path: Path, mapping) -> None:
    file = tmp_path / "header.csv"
    file.write_text(HEADER + "\n")
    assert _error([file], mapping) == f"{file}: expected calls under the header row, found none"


def test_missing_mapped_columns_are_named_with_the_columns_found(tmp_path: Path, mapping) -> None:
    file = tmp_path / "cols.csv"
    file.write_text("Ref,Line,Presented,Answered\nA1,999,01/01/2025 10:00:00,\n")
    assert _error([file], mapping) == (
        f"{file}: expected the mapped columns 'Service' (channel) and 'Dialled' (made_at) and "
        "'Cleared' (ended_at) and 'WrapEnd' (wrap_end_at) and 'CLI' (caller) and 'Agent' "
        "(handler), found only the columns 'Ref', 'Line', 'Presented', 'Answered'"
    )


def test_a_file_that_cannot_be_read(tmp_path: Path, mapping) -> None:
    file = tmp_path / "broken.xlsx"
    file.write_text("not a workbook")
    assert _error([file], mapping) == f"{file}: cannot be read (File is not a zip file)"


def test_a_missing_file_and_another_kind_of_file(tmp_path: Path, mapping) -> None:
    assert (
        _error([tmp_path / "none.csv"], mapping) == f"{tmp_path / 'none.csv'}: no such export file"
    )
    other = tmp_path / "calls.txt"
    other.write_text("x")
    assert (
        _error([other], mapping)
        == f"{other}: expected an export ending .csv or .xlsx, found '.txt'"
    )


def test_text_that_is_not_utf8(tmp_path: Path, mapping) -> None:
    file = tmp_path / "utf16.csv"
    file.write_bytes(HEADER.encode("utf-16"))
    assert _error([file], mapping) == (
        f"{file}: expected UTF-8 text, found UTF-16 (a byte-order mark); save the file as UTF-8"
    )


def test_a_bad_file_among_good_ones_is_named(tmp_path: Path, mapping) -> None:
    good, _ = write(tmp_path)
    bad = tmp_path / "second.csv"
    bad.write_text("")
    assert _error([good, bad], mapping).startswith(f"{bad}: ")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('call_id = "Ref"\n', ""), "columns.call_id: expected this key, found it missing"),
        (
            ('format = "%d/%m/%Y %H:%M:%S"', 'format = "dd/mm/yyyy"'),
            "times.format: expected a strftime format (with % codes), 'iso' or 'excel', "
            "found 'dd/mm/yyyy'",
        ),
        (
            ("[times]", '[times]\ntimezone = "Europe/Londres"'),
            "times.timezone: expected an IANA time zone such as 'Europe/London', "
            "found 'Europe/Londres'",
        ),
        (
            ('"101" =', '"102" ='),
            "channels: expected the model's channel names 999, 101, found '102'",
        ),
        (
            ('caller = "CLI"', 'caller = "Agent"'),
            "columns.handler: expected a column of its own, found 'Agent', already caller's",
        ),
        (
            ('"NON-EMERG"', '"EMERGENCY"'),
            "channels: expected each export value under one channel, found 'EMERGENCY'",
        ),
        (
            ("[times]", "[times]\nzone = 1"),
            "times.zone: unknown key (check its spelling, or see the mapping in the README)",
        ),
        (('call_id = "Ref"', "call_id = 3"), "columns.call_id: expected text in quotes, found 3"),
    ],
)
def test_a_bad_mapping_is_one_line_naming_the_key(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    old, new = change
    assert old in MAPPING
    file = tmp_path / "mapping.toml"
    file.write_text(MAPPING.replace(old, new, 1))
    with pytest.raises(MappingError) as caught:
        load_mapping(file)
    assert str(caught.value) == f"{file}: {message}"


def test_a_missing_mapping_file(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match=r"none\.toml: no such mapping file$"):
        load_mapping(tmp_path / "none.toml")


def test_the_timezone_defaults_to_london(tmp_path: Path) -> None:
    _, file = write(tmp_path)
    assert load_mapping(file).times.timezone == "Europe/London"
