"""``controlroom-sim rota``: a scenario's rota written as a rota file, and the round trip a planner
makes: export the baseline's rota, change one count in the spreadsheet, point a variant at it.
The variant loads as the baseline with that count changed, the same as the by-name TOML edit
(``[shift_lines."Evening contact"] count = 5``), and runs to the same KPIs."""

from __future__ import annotations

import csv
import json
import textwrap
from pathlib import Path

import openpyxl
import pytest

from controlroom_sim.cli.main import main
from controlroom_sim.config.loading import load_scenario
from controlroom_sim.config.schema import Scenario
from controlroom_sim.experiments import runner as experiment
from tests.helpers.cli import assert_one_line_error, few_replications_stderr, run_main
from tests.helpers.paths import BASELINE, SCENARIOS

BY_NAME = SCENARIOS / "variants" / "two_more_evening.toml"
"""The baseline with [shift_lines."Evening contact"] count = 5."""
REPLACED = ("handlers.0.shifts", "handlers.1.shifts", "support_workers.0.shifts")
"""The baseline's provenance entries for the lines a full rota file replaces."""
SHORT = ["--replications", "2", "--set", "scenario.days=1", "--seed", "11", "--quiet"]
EXPORT = [
    [
        "role",
        "group",
        "line",
        "start",
        "hours",
        "Mon",
        "Tue",
        "Wed",
        "Thu",
        "Fri",
        "Sat",
        "Sun",
        "count",
        "break_after_hours",
        "break_minutes",
        "break_spread_hours",
    ],
    ["handlers", "999 desk", "Early 999", "07:00", 10, *[1] * 7, 3, 3.5, 45, 3],
    ["handlers", "999 desk", "Late 999", "15:00", 10, *[1] * 7, 3, 3.5, 45, 3],
    ["handlers", "999 desk", "Night 999", "22:00", 10, *[1] * 7, 2, 3.5, 45, 3],
    ["handlers", "contact", "Early contact", "07:00", 10, *[1] * 7, 9, 3.5, 45, 3],
    ["handlers", "contact", "Day contact", "11:00", 10, *[1] * 7, 5, 3.5, 45, 3],
    ["handlers", "contact", "Late contact", "15:00", 10, *[1] * 7, 7, 3.5, 45, 3],
    ["handlers", "contact", "Evening contact", "19:00", 10, *[1] * 7, 3, 3.5, 45, 3],
    ["handlers", "contact", "Night contact", "22:00", 10, *[1] * 7, 3, 3.5, 45, 3],
    ["dispatchers", "dispatch", "Early dispatch", "07:00", 10, *[1] * 7, 3, 3.5, 45, 3],
    ["dispatchers", "dispatch", "Late dispatch", "15:00", 10, *[1] * 7, 3, 3.5, 45, 3],
    ["dispatchers", "dispatch", "Night dispatch", "22:00", 10, *[1] * 7, 2, 3.5, 45, 3],
    ["officers", "response", "Early response", "07:00", 10, *[1] * 7, 52, 4, 45, 3],
    ["officers", "response", "Late response", "14:00", 10, *[1] * 7, 56, 4, 45, 3],
    ["officers", "response", "Night response", "21:00", 10, *[1] * 7, 44, 4, 45, 3],
    [
        "support_workers",
        "Mind support worker",
        "Mind support",
        "13:00",
        10,
        *([1] * 7),
        1,
        None,
        None,
        None,
    ],
]
"""The baseline's rota as the rota command writes it (header first)."""


def pointing_at(folder: Path, rota: str) -> Path:
    """A variant of the baseline, named as the by-name variant is, taking its rota from
    ``rota`` (beside it)."""
    file = folder / "variant.toml"
    file.write_text(
        textwrap.dedent(
            f"""\
            extends = "{BASELINE}"
            [scenario]
            name = "two_more_evening"
            description = "The baseline with 5 contact handlers on the 19:00 line instead of 3"
            [rota]
            file = "{rota}"
            """
        )
    )
    return file


def export(out: Path) -> None:
    status, stdout, stderr = run_main(["rota", str(BASELINE), "--out", str(out)])
    assert (status, stderr) == (0, "")
    assert stdout == f"rota: baseline: 15 shift lines of 5 groups written to {out}\n"


@pytest.fixture(scope="module")
def baseline() -> Scenario:
    return load_scenario(BASELINE)


def assert_baseline_with_evening_5(loaded: Scenario, baseline: Scenario) -> None:
    """``loaded`` is the baseline with the Evening contact line's count 5, and nothing else
    changed but the name and the provenance of the lines the rota file replaced."""
    assert loaded.handlers == load_scenario(BY_NAME).handlers  # the TOML by-name edit, exactly
    expected = baseline.model_dump()
    expected["handlers"][1]["shifts"][3]["count"] = 5
    got = loaded.model_dump()
    for key in ("scenario", "provenance"):
        expected.pop(key), got.pop(key)
    assert got == expected
    assert loaded.provenance == {k: v for k, v in baseline.provenance.items() if k not in REPLACED}


def test_the_baselines_rota_as_xlsx(tmp_path: Path, baseline: Scenario) -> None:
    out = tmp_path / "rota.xlsx"
    export(out)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["rota"]
    assert [list(row) for row in book["rota"].iter_rows(values_only=True)] == EXPORT
    unchanged = load_scenario(pointing_at(tmp_path, "rota.xlsx"))
    for section in ("handlers", "dispatchers", "officers", "support_workers"):
        assert getattr(unchanged, section) == getattr(baseline, section)


def test_xlsx_round_trip_equals_the_by_name_edit_and_runs_the_same(
    tmp_path: Path, baseline: Scenario
) -> None:
    out = tmp_path / "rota.xlsx"
    export(out)
    book = openpyxl.load_workbook(out)  # a planner changes one cell in the spreadsheet
    sheet = book["rota"]
    (row,) = [r for r in sheet.iter_rows(min_row=2) if r[2].value == "Evening contact"]
    assert row[12].coordinate == "M8" and row[12].value == 3
    row[12].value = 5
    book.save(out)
    variant = pointing_at(tmp_path, "rota.xlsx")
    assert_baseline_with_evening_5(load_scenario(variant), baseline)

    runs = {}
    for name, file in (("rota", variant), ("by_name", BY_NAME)):
        runs[name] = tmp_path / name
        status, _, stderr = run_main(["run", str(file), *SHORT, "--out", str(runs[name])])
        assert (status, stderr) == (0, few_replications_stderr(2))
    kpis = (runs["rota"] / "kpis.csv").read_text()
    assert kpis == (runs["by_name"] / "kpis.csv").read_text()
    assert "two_more_evening,1,answered_within_10s_999," in kpis
    manifest = json.loads((runs["rota"] / "manifest.json").read_text())
    recorded = manifest["scenario_files"][str(out)]  # the rota sheet, as CSV text
    assert "handlers,contact,Evening contact,19:00,10,1,1,1,1,1,1,1,5,3.5,45,3\n" in recorded
    assert recorded.startswith("role,group,line,start,hours,Mon,Tue,Wed,Thu,Fri,Sat,Sun,count,")


def test_csv_round_trip(tmp_path: Path, baseline: Scenario) -> None:
    out = tmp_path / "rota.csv"
    export(out)
    rows = list(csv.reader(out.read_text(encoding="utf-8").splitlines()))
    assert rows == [["" if c is None else str(c) for c in row] for row in EXPORT]
    rows[7][12] = "5"  # the Evening contact line's count, in row 8 as a spreadsheet shows it
    with out.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    assert_baseline_with_evening_5(load_scenario(pointing_at(tmp_path, "rota.csv")), baseline)


def test_resume_notices_a_changed_rota_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    export(tmp_path / "rota.csv")
    capsys.readouterr()
    argv = ["run", str(pointing_at(tmp_path, "rota.csv")), *SHORT, "--out", str(tmp_path / "r")]
    real = experiment.run_replication

    def stopped(scenario: object, index: int, *rest: object) -> object:
        if index == 1:
            raise KeyboardInterrupt
        return real(scenario, index, *rest)

    with monkeypatch.context() as patch:
        patch.setattr("controlroom_sim.experiments.runner.run_replication", stopped)
        assert main(argv) == 130
    capsys.readouterr()
    text = (tmp_path / "rota.csv").read_text()
    (tmp_path / "rota.csv").write_text(
        text.replace(
            "Evening contact,19:00,10,1,1,1,1,1,1,1,3", "Evening contact,19:00,10,1,1,1,1,1,1,1,4"
        )
    )
    line = assert_one_line_error(capsys, main([*argv, "--resume"]))
    assert "cannot resume" in line and "(at plan.scenarios.0.hash)" in line


def test_groups_around_the_clock_are_left_out_and_said_so(tmp_path: Path) -> None:
    file = tmp_path / "clock.toml"
    file.write_text(
        f'extends = "{BASELINE}"\n[[handlers]]\nname = "pool"\nskills = ["999", "101"]\n'
        "count = 20\n"
    )
    out = tmp_path / "rota.csv"
    status, stdout, stderr = run_main(["rota", str(file), "--out", str(out)])
    assert (status, stderr) == (0, "")
    assert stdout == (
        f"rota: baseline: 7 shift lines of 3 groups written to {out}\n"
        "  left out: handlers 'pool', on duty around the clock (count = 20)\n"
    )
    assert [r[1] for r in csv.reader(out.read_text().splitlines())][1:] == ["dispatch"] * 3 + [
        "response"
    ] * 3 + ["Mind support worker"]


@pytest.mark.parametrize(
    ("out", "expected"),
    [
        (
            "rota.ods",
            "error: --out {tmp}/rota.ods: expected a file ending .xlsx or .csv, found '.ods'",
        ),
        (
            "no/rota.csv",
            "error: --out {tmp}/no/rota.csv: expected an existing folder to write in, found none",
        ),
    ],
)
def test_a_bad_out_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], out: str, expected: str
) -> None:
    line = assert_one_line_error(capsys, main(["rota", "--out", str(tmp_path / out)]))
    assert line == expected.format(tmp=tmp_path)


def test_the_shipped_example_is_the_by_name_variant_from_a_rota_file(baseline: Scenario) -> None:
    """scenarios/variants/two_more_evening_rota.toml reads rotas/two_more_evening.csv: the
    rota command's export of the baseline with the Evening contact line's count at 5."""
    example = load_scenario(SCENARIOS / "variants" / "two_more_evening_rota.toml")
    assert_baseline_with_evening_5(
        example.model_copy(update={"provenance": {}}),
        baseline.model_copy(update={"provenance": {}}),
    )
    assert set(example.provenance) == set(baseline.provenance)
    out = SCENARIOS / "rotas" / "two_more_evening.csv"
    rows = list(csv.reader(out.read_text(encoding="utf-8").splitlines()))
    expected = [["" if c is None else str(c) for c in row] for row in EXPORT]
    expected[7][12] = "5"
    assert rows == expected
