"""The HTML report of a results folder (``controlroom-sim report``): what it reads, what it
draws, and that it stands alone (no network, figures embedded and saved as PNG)."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from controlroom_sim.experiments import api
from controlroom_sim.reporting.report import ReportError, load_results, write_report
from tests.helpers.cli import run_main

SMALL = """\
[scenario]
name = "small room"
description = "a short day for the report tests"
days = 1
warmup_hours = 2
replications = 2
seed = 3

[channels.999]
calls_per_day = 400
talk_s = { dist = "exponential", mean = 200 }
patience_s = { dist = "exponential", mean = 120 }
answer_clock = "call"

[channels.101]
calls_per_day = 600
talk_s = { dist = "exponential", mean = 300 }
patience_s = { dist = "exponential", mean = 300 }

[callback]
accept_probability = 0.5
offer_after_wait_s = 60

[[handlers]]
name = "room"
skills = ["999", "101"]
count = 4

[provenance]
"channels.999.calls_per_day" = "ASSUMPTION: a test"
"channels.101.calls_per_day" = "public figure: a test"
"""


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("report")
    scenario = root / "small.toml"
    scenario.write_text(SMALL)
    variant = root / "more.toml"
    variant.write_text(
        'extends = "small.toml"\n\n[scenario]\nname = "more handlers"\n'
        '\n[[handlers]]\nname = "room"\nskills = ["999", "101"]\ncount = 6\n'
    )
    api.run(scenario, out=root / "run")
    api.run(scenario, out=root / "bare", calls_format="none")
    api.compare(scenario, variant, out=root / "cmp", calls_format="none")
    return {"run": root / "run", "bare": root / "bare", "cmp": root / "cmp", "root": root}


def embedded_images(text: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r'src="data:image/png;base64,([^"]+)"', text)]


def test_a_run_report_stands_alone_with_every_figure(folders: dict[str, Path]) -> None:
    path = write_report(folders["run"])
    assert path == folders["run"] / "report.html"
    text = path.read_text(encoding="utf-8")
    # Nothing is fetched: no external links, scripts or stylesheets.
    assert not re.search(r'(src|href)="(https?:)?//', text)
    assert "<script" not in text
    pngs = sorted(p.name for p in (folders["run"] / "report").glob("*.png"))
    assert pngs == [
        "abandonment.png",
        "answer_times.png",
        "heatmap_10s.png",
        "service_level.png",
    ]
    images = embedded_images(text)
    assert len(images) == len(pngs)
    saved = {(folders["run"] / "report" / p).read_bytes() for p in pngs}
    assert set(images) == saved  # the page embeds exactly the saved PNGs
    assert all(i.startswith(b"\x89PNG") for i in images)


def test_the_kpi_table_shows_the_summary_with_its_intervals(folders: dict[str, Path]) -> None:
    text = write_report(folders["run"]).read_text(encoding="utf-8")
    summary = json.loads((folders["run"] / "summary.json").read_text())["kpis"]
    rate = summary["answered_within_10s_999"]
    row = re.search(r"<td>answered_within_10s_999</td>(.*?)</tr>", text).group(1)
    assert f"{100 * rate['mean']:.1f}%" in row
    assert f"{100 * rate['ci_low']:.1f}% to {100 * rate['ci_high']:.1f}%" in row
    assert "a short day for the report tests" in text
    # Provenance: both entries, the assumption marked.
    assert "ASSUMPTION: a test" in text and "public figure: a test" in text
    assert "2 parameters with a source, 1 of them assumptions" in text


def test_the_answer_time_bands_match_the_kpis(folders: dict[str, Path]) -> None:
    results = load_results(folders["run"])
    run = results.runs[0]
    times = run.answer_times("999")
    calls = pd.read_parquet(folders["run"] / "calls.parquet")
    measured = calls[(calls["arrival_s"] >= 7200) & (calls["arrival_s"] < 7200 + 86400)]
    answered = measured[(measured["channel"] == "999") & (measured["outcome"] == "answered")]
    assert len(times) == len(answered)
    kpis = pd.read_csv(folders["run"] / "kpis.csv")
    within = kpis[kpis["kpi"] == "answered_within_10s_999"]
    answered_counts = kpis[kpis["kpi"] == "answered_999"]["value"].to_numpy()
    pooled = (within["value"].to_numpy() * answered_counts).sum() / answered_counts.sum()
    assert (times < 10).mean() == pytest.approx(pooled, abs=1e-9)


def test_a_run_without_call_records_still_reports(folders: dict[str, Path]) -> None:
    text = write_report(folders["bare"]).read_text(encoding="utf-8")
    pngs = sorted(p.name for p in (folders["bare"] / "report").glob("*.png"))
    assert "answer_times.png" not in pngs  # needs the call records
    assert "service_level.png" in pngs and "heatmap_10s.png" in pngs
    assert len(embedded_images(text)) == len(pngs)


def test_a_comparison_report_sets_the_scenarios_side_by_side(folders: dict[str, Path]) -> None:
    out = folders["root"] / "elsewhere" / "cmp.html"
    out.parent.mkdir()
    path = write_report(folders["cmp"], out)
    assert path == out
    text = out.read_text(encoding="utf-8")
    assert "comparison of 2 scenarios" in text
    assert "<th>small room</th>" in text and "<th>more handlers</th>" in text
    assert (out.parent / "report" / "comparison.png").exists()
    summary = pd.read_csv(folders["cmp"] / "summary.csv")
    more = summary[
        (summary["scenario"] == "more handlers") & (summary["kpi"] == "handler_occupancy")
    ]
    assert f"{100 * more['mean'].iloc[0]:.1f}%" in text


def test_the_cli_writes_the_report(folders: dict[str, Path]) -> None:
    status, out, err = run_main(["report", str(folders["run"])])
    assert status == 0, err
    assert f"report: {folders['run'] / 'report.html'}" in out


@pytest.mark.parametrize("case", ["missing", "not a results folder", "running", "bad json"])
def test_bad_folders_are_one_line_errors(tmp_path: Path, case: str) -> None:
    folder = tmp_path / "f"
    if case != "missing":
        folder.mkdir()
    if case == "running":
        (folder / "manifest.json").write_text('{"status": "running", "kind": "run"}')
    if case == "bad json":
        (folder / "manifest.json").write_text("{not json")
    status, out, err = run_main(["report", str(folder)])
    assert status == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {folder}"), err
    assert "Traceback" not in err
    with pytest.raises(ReportError):
        load_results(folder)


def test_the_report_opens_in_a_browser_without_console_errors(
    folders: dict[str, Path],
    browser,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    from tests.helpers.browser import console_problems, open_file

    path = write_report(folders["cmp"])
    console_problems(browser)  # clear what earlier pages left
    open_file(browser, path)
    assert browser.title == "controlroom-sim report: comparison of 2 scenarios"
    # Every embedded figure decoded and laid out.
    sizes = browser.execute_script(
        "return Array.from(document.images).map(i => [i.complete, i.naturalWidth]);"
    )
    assert sizes and all(done and width > 100 for done, width in sizes)
    assert console_problems(browser) == []
    shot = tmp_path / "report.png"
    assert browser.save_screenshot(str(shot))
    assert shot.read_bytes().startswith(b"\x89PNG")


def test_the_report_says_when_there_are_too_few_replications(folders: dict[str, Path]) -> None:
    """Two replications: the key figures carry a warning that the intervals are unreliable;
    five: no such warning."""
    warning = "the 95% confidence intervals are unreliable with fewer than 5"
    assert warning in write_report(folders["run"]).read_text(encoding="utf-8")
    five = folders["root"] / "five"
    api.run(folders["root"] / "small.toml", out=five, replications=5, calls_format="none")
    assert warning not in write_report(five).read_text(encoding="utf-8")
