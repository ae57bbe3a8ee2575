"""The page of a ``staff`` and of a ``roster`` folder: ``report`` makes it, it opens in a
browser with its figures decoded and no sideways scrolling on a laptop screen, and its numbers
are the folder's (posts and cost from the scenario's ``[staffing]``)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from controlroom_sim.cli.main import main
from controlroom_sim.reporting.cost_display import money
from tests.helpers.paths import SHIFT_PATTERNS


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("planner")
    staff, roster = root / "staff", root / "roster"
    assert main(["staff", "--erlang-only", "--out", str(staff)]) == 0
    assert (
        main(
            [
                "roster",
                "--requirement",
                str(staff / "requirement.csv"),
                "--patterns",
                str(SHIFT_PATTERNS),
                "--pattern",
                "5x8",
                "--no-simulation",
                "--out",
                str(roster),
            ]
        )
        == 0
    )
    for folder in (staff, roster):
        assert main(["report", str(folder)]) == 0
    return {"staff": staff, "roster": roster}


def _cells(browser) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return browser.execute_script(
        "return [...document.querySelectorAll('table')[0].rows].map("
        "r => [...r.cells].map(c => c.textContent))"
    )


@pytest.mark.parametrize("size", [(1366, 768), (1280, 720)], ids=["1366", "1280"])
def test_the_staff_page(folders: dict[str, Path], browser, size, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.helpers.browser import open_file

    browser.set_window_size(*size)
    open_file(browser, folders["staff"] / "report.html")
    assert browser.title == "controlroom-sim staff: baseline"
    doc = json.loads((folders["staff"] / "staff.json").read_text())["hours_per_week"]
    rows = {r[0]: r[1:] for r in _cells(browser)}
    assert rows["handler hours a week (taking calls)"] == [f"{doc['erlang_hours']:,.1f}"]
    assert rows["posts (FTE, [staffing] shrinkage)"] == [f"{doc['erlang_posts']:,.1f}"]
    assert rows["cost a year"] == [money(doc["erlang_cost_year"])]
    _looks_whole(browser)
    browser.save_screenshot(str(tmp_path / f"staff-{size[0]}.png"))


@pytest.mark.parametrize("size", [(1366, 768), (1280, 720)], ids=["1366", "1280"])
def test_the_roster_page(folders: dict[str, Path], browser, size) -> None:  # type: ignore[no-untyped-def]
    from tests.helpers.browser import open_file

    browser.set_window_size(*size)
    open_file(browser, folders["roster"] / "report.html")
    table = pd.read_csv(folders["roster"] / "patterns.csv")
    rows = _cells(browser)
    assert rows[0][:4] == ["rota", "paid h/week", "posts (FTE)", "cost/year"]
    by = {r[0]: r for r in rows[1:]}
    assert set(by) == set(table["rota"])
    for r in table.itertuples():
        assert by[r.rota][1:4] == [f"{r.paid_hours:,.0f}", f"{r.posts:,.1f}", money(r.cost_year)]
    assert "nan" not in " ".join(" ".join(r) for r in rows)
    _looks_whole(browser)


def _looks_whole(browser) -> None:  # type: ignore[no-untyped-def]
    widths = browser.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert widths[0] <= widths[1], widths
    images = browser.execute_script(
        "return [...document.images].map(i => [i.complete, i.naturalWidth])"
    )
    assert images and all(done and width > 0 for done, width in images)
