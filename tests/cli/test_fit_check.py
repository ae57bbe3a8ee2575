"""``controlroom-sim fit-check``: a telephony export read with its mapping file, the rows not
used by reason and the export's KPIs per channel; bad exports and mappings exit 2 in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from controlroom_sim.cli.main import main
from tests.fitting.exports import write
from tests.helpers.cli import assert_one_line_error


def test_fit_check_prints_the_rejections_and_the_kpis(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export, mapping = write(tmp_path)
    assert main(["fit-check", str(export), "--mapping", str(mapping)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "fit-check: 5 calls usable of 15 rows in 1 file"
    assert lines[1] == (
        "period: 2025-10-26 00:00:03 to 2026-03-29 02:30:00 Europe/London "
        "(155 days, 22 whole weeks)"
    )
    counts = {
        line.split()[0]: line.split()[1]
        for line in lines
        if line.split() and line.split()[0] in ("unknown_channel", "spring_gap", "out_of_order")
    }
    assert counts == {"unknown_channel": "2", "spring_gap": "1", "out_of_order": "2"}
    assert (
        f"  spring_gap: {export}: row 15: offered_at '29/03/2026 01:30:00' never on the clock"
        in lines
    )
    assert "unknown channel values: 'POLICE LINE' (2)" in lines
    kpis = {
        line.split()[0]: line.split()[1:]
        for line in lines[lines.index("unknown channel values: 'POLICE LINE' (2)") + 2 :]
    }
    assert kpis["KPI"] == ["999", "101"]
    assert kpis["offered"] == ["2", "3"]
    assert kpis["abandon_rate"] == ["0.0%", "33.3%"]
    assert kpis["answered_within_10s"] == ["50.0%", "50.0%"]
    assert kpis["mean_answer_s"] == ["7.0", "14.5"]


def test_fit_check_of_an_empty_export_exits_2_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, mapping = write(tmp_path)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    status = main(["fit-check", str(empty), "--mapping", str(mapping)])
    line = assert_one_line_error(capsys, status)
    assert line == f"error: {empty}: expected a header row and calls, found an empty file"


def test_fit_check_with_a_bad_mapping_exits_2_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export, mapping = write(tmp_path)
    mapping.write_text(
        mapping.read_text()
        .replace('timezone = "Europe/London"', "")
        .replace("[times]", '[times]\ntimezone = "Mars/Olympus"')
    )
    status = main(["fit-check", str(export), "--mapping", str(mapping)])
    line = assert_one_line_error(capsys, status)
    assert line == (
        f"error: {mapping}: times.timezone: expected an IANA time zone such as "
        "'Europe/London', found 'Mars/Olympus'"
    )


def test_fit_check_needs_a_mapping(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export, _ = write(tmp_path)
    status = main(["fit-check", str(export)])
    assert status == 2
    assert "--mapping" in capsys.readouterr().err


def test_fit_check_of_an_export_with_no_usable_call(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every row unusable is not a fatal error: the counts are the answer, and no KPIs."""
    export, mapping = write(tmp_path, ["Z1,ADMIN,,01/01/2025 10:00:00,,,,,"])
    assert main(["fit-check", str(export), "--mapping", str(mapping)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == [
        "fit-check: 0 calls usable of 1 row in 1 file",
        "period: none (no usable calls)",
    ]
    assert "unknown channel values: 'ADMIN' (1)" in lines
    assert not any(line.startswith("KPI") for line in lines)
