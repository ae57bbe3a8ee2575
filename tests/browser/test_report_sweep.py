"""A sweep's report fits a laptop screen: its variants named in words by the scenario's names
("Evening contact count = 5"), its table scrolling in a box of its own with its header kept in
view, and each headline KPI drawn against the varied value."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest

from controlroom_sim.config.loading import load_scenario
from controlroom_sim.experiments import api
from controlroom_sim.reporting.report import write_report
from controlroom_sim.reporting.sweep_page import key_words, point_of, variant_words
from tests.helpers.paths import BASELINE

SHORT = ("scenario.days=2", "scenario.warmup_hours=6")
SHOTS = Path("/tmp/report-shots")
KEY = "handlers.1.shifts.3.count"
"""The baseline's "Evening contact" line (19:00) of its "contact" handlers."""


@pytest.fixture(scope="module")
def baseline() -> dict:
    return json.loads(load_scenario(BASELINE).model_dump_json(by_alias=True))


@pytest.mark.parametrize(
    ("key", "words"),
    [
        (KEY, "Evening contact count"),
        ("handlers.0.shifts.1.start", "Late 999 start"),
        ("shift_lines.Evening contact.count", "Evening contact count"),
        ("handlers.1.count", "contact handlers count"),
        ("support_workers.0.shifts.0.hours", "Mind support hours"),
        ("channels.999.calls_per_day", "999 calls per day"),
        ("dispatch.targets_min.emergency", "dispatch targets min emergency"),
        ("handlers.7.count", "handlers group 8 count"),
    ],
)
def test_keys_in_words(baseline: dict, key: str, words: str) -> None:
    assert key_words(key, baseline) == words


def test_a_line_without_a_name_is_named_by_its_group(baseline: dict) -> None:
    del baseline["handlers"][1]["shifts"][2]["name"]
    assert key_words("handlers.1.shifts.2.count", baseline) == (
        "contact handlers shift line 3 count"
    )


def test_variant_labels_in_words(baseline: dict) -> None:
    label = f'{KEY}=5,scenario.description="a, b",channels.101.calls_per_day=1200.5'
    assert point_of(label) == {
        KEY: 5,
        "scenario.description": "a, b",
        "channels.101.calls_per_day": 1200.5,
    }
    assert variant_words(label, baseline) == (
        "Evening contact count = 5, scenario description = a, b, 101 calls per day = 1200.5"
    )


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sweep") / "sweep"
    api.sweep(
        BASELINE,
        {KEY: [3, 4, 5, 6, 7, 8, 9]},
        replications=2,
        overrides=SHORT,
        out=out,
        calls_format="none",
    )
    write_report(out)
    return out


def test_the_sweep_report_names_its_columns_in_words(swept: Path) -> None:
    text = (swept / "report.html").read_text(encoding="utf-8")
    heads = re.findall(r'<th scope="col">(.*?)</th>', text)
    assert heads[:8] == ["KPI", *(f"Evening contact count = {n}" for n in range(3, 10))]
    assert KEY not in text.replace(f"--vary {KEY}", "")  # only in the command as typed
    assert (swept / "report" / "sweep.png").exists()
    assert "The headline KPIs against Evening contact count" in text
    assert "<h3>Evening contact count = 9</h3>" in text  # the provenance headings too


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1280, 720)])
def test_the_sweep_page_fits_a_laptop_screen(swept: Path, browser, width: int, height: int) -> None:  # type: ignore[no-untyped-def]
    from tests.helpers.browser import console_problems, page_at

    with page_at(browser, swept / "report.html", width, height):
        SHOTS.mkdir(parents=True, exist_ok=True)
        assert browser.save_screenshot(str(SHOTS / f"sweep-top-{width}x{height}.png"))
        # The KPI table scrolls in its own box, its header row kept in view.
        kept = browser.execute_script(
            """
            const box = document.querySelector('.scroll');
            box.scrollIntoView({block: 'start'});
            const before = box.scrollHeight > box.clientHeight;
            box.scrollTop = 400; box.scrollLeft = 300;
            const head = box.querySelector('thead th:nth-child(2)');
            const kpi = box.querySelector('tbody th');
            return {scrolls: before, moved: box.scrollTop,
                    headTop: head.getBoundingClientRect().top - box.getBoundingClientRect().top,
                    kpiLeft: kpi.getBoundingClientRect().left - box.getBoundingClientRect().left,
                    heads: Array.from(box.querySelectorAll('thead th')).map(th => th.innerText)};
            """
        )
        assert kept["scrolls"] and kept["moved"] > 0
        assert abs(kept["headTop"]) < 1 and abs(kept["kpiLeft"]) < 1
        assert kept["heads"][1].replace("\n", " ") == "Evening contact count = 3"
        assert browser.save_screenshot(str(SHOTS / f"sweep-table-{width}x{height}.png"))
        image = browser.execute_script(
            "const i = document.querySelector('img[alt^=\"The headline KPIs against\"]');"
            "i.scrollIntoView(); return [i.complete, i.naturalWidth, i.clientWidth];"
        )
        assert image[0] and image[1] > 100 and 0 < image[2] <= width
        assert browser.save_screenshot(str(SHOTS / f"sweep-figure-{width}x{height}.png"))
        assert console_problems(browser) == []


def test_the_sweep_figure_draws_each_kpi_against_the_varied_value(
    swept: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import matplotlib.pyplot as plt
    import pandas as pd

    from controlroom_sim.reporting import sweep_page
    from controlroom_sim.reporting.display import is_share
    from controlroom_sim.reporting.report_data import load_results

    drawn = {}

    def keep(fig, path, dpi=110):  # type: ignore[no-untyped-def]
        for ax in fig.axes:
            if ax.get_title():
                line = ax.get_lines()[0]
                drawn[ax.get_title()] = (
                    list(line.get_xdata()),
                    list(line.get_ydata()),
                    [t.get_text() for t in ax.get_xticklabels()],
                    ax.get_xlabel(),
                )
        plt.close(fig)
        return path

    monkeypatch.setattr(sweep_page, "save_figure", keep)
    results = load_results(swept)
    sweep_page.name_in_words(results)
    assert sweep_page.sweep_figure(results, tmp_path / "s.png") is not None
    assert set(drawn) == {*sweep_page.SWEEP_DEFAULT, "posts_total", "cost_year_total"}
    table = pd.read_csv(swept / "sweep.csv")
    for kpi, (x, y, ticks, xlabel) in drawn.items():
        own = table[table["kpi"] == kpi].sort_values(KEY)
        scale = 100.0 if is_share(kpi) else 1e-6 if kpi == "cost_year_total" else 1.0
        assert x == list(range(3, 10)) and ticks == [str(n) for n in range(3, 10)]
        assert y == pytest.approx(list(scale * own["mean"]))
        assert xlabel == "Evening contact count"
    posts = drawn["posts_total"][1]
    assert all(b > a for a, b in itertools.pairwise(posts))  # a handler more, more posts
