"""The Excel workbook of a results folder: the same numbers as the folder's tables, laid out
for a planner (a KPI per row, a week per sheet), with formats that round for reading only."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from controlroom_sim.cli.main import main
from controlroom_sim.reporting.report_data import ReportError
from controlroom_sim.reporting.workbook import write_workbook
from tests.helpers.paths import BASELINE, SCENARIOS

SHORT = ["--replications", "3", "--set", "scenario.days=2", "--quiet"]


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wb") / "run"
    xlsx = out.parent / "copy" / "mine.xlsx"
    assert main(["run", *SHORT, "--out", str(out), "--xlsx", str(xlsx)]) == 0
    return out


@pytest.fixture(scope="module")
def compare_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wb") / "cmp"
    variant = SCENARIOS / "variants" / "two_more_evening.toml"
    assert main(["compare", str(BASELINE), str(variant), *SHORT, "--out", str(out)]) == 0
    return out


def _rows(sheet) -> list[tuple]:  # type: ignore[no-untyped-def]
    return list(sheet.iter_rows(values_only=True))


def test_the_summary_sheet_holds_the_summary(run_folder: Path) -> None:
    book = openpyxl.load_workbook(run_folder / "results.xlsx")
    rows = _rows(book["Summary"])
    assert rows[0][:5] == (
        "KPI",
        "unit",
        "baseline: mean",
        "baseline: 95% CI low",
        "baseline: 95% CI high",
    )
    summary = json.loads((run_folder / "summary.json").read_text())["kpis"]
    by_kpi = {r[0]: r for r in rows[1:]}
    assert set(by_kpi) == set(summary)
    for kpi, stats in summary.items():
        row = by_kpi[kpi]
        assert row[2] == pytest.approx(stats["mean"], rel=1e-12)
        if stats["ci_low"] is not None:
            assert row[3] == pytest.approx(stats["ci_low"], rel=1e-12)
    sheet = book["Summary"]
    share = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "answered_within_10s_999")
    assert share[1].value == "%" and share[2].number_format == "0.0%"
    cost = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "cost_year_total")
    assert cost[2].number_format == "#,##0"


def test_the_week_sheets_are_the_interval_means(run_folder: Path) -> None:
    book = openpyxl.load_workbook(run_folder / "results.xlsx")
    intervals = pd.read_csv(run_folder / "intervals.csv", dtype={"channel": str})
    own = intervals[intervals["channel"] == "999"]
    rows = _rows(book["999 offered"])
    assert rows[1] == ("time", "Monday", "Tuesday")
    assert len(rows) == 2 + 96
    at = own[(own["weekday"] == "tuesday") & (own["time"] == "18:30")]
    row = next(r for r in rows if r[0] == "18:30")
    assert row[2] == pytest.approx(at["offered"].mean(), rel=1e-12)
    share = next(r for r in _rows(book["999 within 10s"]) if r[0] == "18:30")
    assert share[2] == pytest.approx(at["answered_within_10s"].sum() / at["answered"].sum())
    duty = next(r for r in _rows(book["handlers on duty"]) if r[0] == "18:30")
    assert duty[2] == pytest.approx(at["handlers_on_duty"].mean(), rel=1e-12)


def test_xlsx_writes_a_copy(run_folder: Path) -> None:
    copy = run_folder.parent / "copy" / "mine.xlsx"
    book = openpyxl.load_workbook(copy)
    assert _rows(book["Summary"]) == _rows(
        openpyxl.load_workbook(run_folder / "results.xlsx")["Summary"]
    )


def test_a_comparison_has_its_differences_and_costs(compare_folder: Path) -> None:
    book = openpyxl.load_workbook(compare_folder / "results.xlsx")
    differences = pd.read_csv(compare_folder / "differences.csv")
    rows = _rows(book["Differences"])
    assert rows[0][5:8] == ("paired difference", "paired 95% CI low", "paired 95% CI high")
    got = {(r[0], r[1]): r for r in rows[1:]}
    for r in differences.itertuples():
        row = got[(r.kpi, r.scenario)]
        assert row[5] == pytest.approx(r.diff, rel=1e-12, abs=1e-12)
    staffing = {(r[0], r[1]): r for r in _rows(book["Staffing and cost"])[1:]}
    base, variant = staffing[("baseline", "handlers")], staffing[("two_more_evening", "handlers")]
    assert (base[2], variant[2]) == (2450, 2450 + 140)
    assert "1. 999 offered" in book.sheetnames and "2. 999 offered" in book.sheetnames


def test_changed_results_make_no_workbook(run_folder: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "run"
    shutil.copytree(run_folder, copy)
    with open(copy / "kpis.csv", "a") as handle:
        handle.write("\n")
    with pytest.raises(ReportError, match=r"kpis\.csv: .* bytes where the run wrote"):
        write_workbook(copy)


def test_the_library_writes_the_workbook_too(tmp_path: Path) -> None:
    import controlroom_sim as crs

    out = tmp_path / "lib"
    result = crs.run(replications=2, overrides=["scenario.days=0.5"], out=out)
    book = openpyxl.load_workbook(out / "results.xlsx")
    rows = {r[0]: r for r in _rows(book["Summary"])[1:]}
    assert rows["offered_999"][2] == pytest.approx(
        result.summary.set_index("kpi").loc["offered_999", "mean"], rel=1e-12
    )
    assert crs.run(replications=1, overrides=["scenario.days=0.2"]).folder is None  # no folder


def test_a_scenario_name_with_a_control_character_still_makes_a_workbook(tmp_path: Path) -> None:
    """A workbook cannot hold control characters; a scenario named with one (an escape pasted
    into --set) is written without it instead of stopping the run."""
    import controlroom_sim as crs

    out = tmp_path / "escape"
    overrides = ['scenario.name="\x1bnight"', "scenario.days=0.2", "scenario.warmup_hours=0"]
    crs.run(replications=2, overrides=overrides, out=out)
    book = openpyxl.load_workbook(out / "results.xlsx")
    names = {row[0] for row in _rows(book["Staffing"])[1:]} if "Staffing" in book else set()
    cells = [c for sheet in book.worksheets for row in _rows(sheet) for c in row]
    assert not any(isinstance(c, str) and "\x1b" in c for c in cells)
    assert "night" in names or any(isinstance(c, str) and "night" in c for c in cells)
