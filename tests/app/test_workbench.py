"""The workbench page driven headless with Streamlit's ``AppTest``: open a library scenario,
edit the rota (paid hours, posts and cost change by the amounts the staffing rules give),
refuse a bad edit with the command line's words, run a short compare, and open an upload.

``AppTest`` cannot type into a ``st.data_editor`` (its element is read-only in
``streamlit.testing``), so :func:`typing` stands in for the user: the editor is drawn as usual
and the frame it returns carries the edit, as the grid returns it after a user's typing. The
browser test (``tests/browser/test_app.py``) types into the real grid.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from controlroom_sim.analysis.staffing_kpis import WEEKS_A_YEAR
from controlroom_sim.config.loading import load_scenario
from controlroom_sim.reporting.cost_display import money
from tests.helpers.paths import ROOT

MAIN = ROOT / "controlroom_sim" / "app" / "main.py"
EDITS: dict[int, dict[str, object]] = {}
"""The cells the next run's rota grid returns edited: row -> column -> value."""


@pytest.fixture(autouse=True)
def typing(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[int, dict[str, object]]]:
    real = DeltaGenerator.data_editor

    def editor(self, data, *args, **kwargs):  # type: ignore[no-untyped-def]
        shown = real(self, data, *args, **kwargs)
        if str(kwargs.get("key", "")).startswith("lines_"):
            shown = shown.copy()
            for row, cells in EDITS.items():
                for column, value in cells.items():
                    shown.loc[shown.index[row], column] = value
        return shown

    monkeypatch.setattr(DeltaGenerator, "data_editor", editor)
    monkeypatch.setenv("CONTROLROOM_SIM_APP_JOBS", "1")
    monkeypatch.setenv("CONTROLROOM_SIM_APP_SCENARIOS", str(ROOT / "scenarios"))
    EDITS.clear()
    yield EDITS
    EDITS.clear()


def _opened(name: str = "baseline.toml") -> AppTest:
    app = AppTest.from_file(str(MAIN), default_timeout=120)
    app.run()
    assert not app.exception
    app.selectbox(key="open_library").set_value(name)
    app.button(key="open_library_button").click().run()
    assert not app.exception
    assert not app.error
    return app


def _metrics(app: AppTest) -> dict[str, tuple[str, str | None]]:
    return {m.label: (m.value, m.delta) for m in app.metric}


def test_a_count_edited_changes_paid_hours_posts_and_cost_by_the_exact_amount() -> None:
    app = _opened()
    before = _metrics(app)
    assert before["rostered h/week"][0] == "13,720"
    assert not before["rostered h/week"][1]  # nothing edited yet: no change shown
    EDITS[0] = {"count": 4}  # Early 999: 3 -> 4 people, 10 hours every day
    app.run()
    after = _metrics(app)
    staffing = load_scenario(ROOT / "scenarios" / "baseline.toml").staffing
    assert staffing is not None
    added = 70.0  # one more person, 10 hours, 7 days a week
    paid = added / (1 - staffing.shrinkage.total)
    cost = paid * staffing.hourly_cost.handlers * (1 + staffing.on_costs) * WEEKS_A_YEAR
    assert after["rostered h/week"] == ("13,790", "+70")
    assert after["paid h/week"][1] == f"{paid:+,.0f}"
    assert after["posts (FTE)"][1] == f"{paid / 37.0:+,.1f}"
    assert after["cost/year"][1] == "+" + money(cost)
    code = app.code[0].value
    assert code == "--set 'shift_lines.Early 999.count=4'"


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        (
            {"hours": 0.0},
            "--set 'shift_lines.Early 999.hours=0': shift_lines.Early 999.hours: expected a "
            "number > 0.0, found 0",
        ),
        (
            {"start": "25:00"},
            "--set 'shift_lines.Early 999.start=\"25:00\"': shift_lines.Early 999.start: expected "
            "a time of day from 00:00 to 23:59, found '25:00'",
        ),
    ],
    ids=["hours-0", "start-25"],
)
def test_a_bad_edit_is_refused_with_the_command_line_words(cell, words) -> None:  # type: ignore[no-untyped-def]
    app = _opened()
    EDITS[0] = cell
    app.run()
    assert not app.exception
    assert [e.value for e in app.error] == [f"This edit is refused: {words}"]
    assert app.button(key="run").disabled


def test_a_one_day_compare_of_two_replications_gives_the_paired_difference_and_cost() -> None:
    app = _opened()
    EDITS[0] = {"count": 4}
    app.run()
    app.number_input(key="days").set_value(1.0)
    app.number_input(key="replications").set_value(2)
    app.button(key="run").click().run()
    assert not app.exception
    assert not app.error
    (short,) = [s.value for s in app.success]
    # one more person on a 10-hour daily line: +70 rostered hours, +90 paid (shrinkage 22.6%)
    assert short.startswith("In short: ")
    assert "pp 999 calls answered within 10 s (paired 95% CI" in short
    assert "for +90 paid hours a week, +2.4 posts, +£" in short
    changes = {m.label: m.value for m in app.metric[4:]}  # after the rota's four cards
    assert changes["paid h/week"] == "+90"
    assert changes["cost a year"].startswith("+£")
    table = app.dataframe[-1].value
    assert list(table.columns) == [
        "KPI", "opened (95% CI)", "edited (95% CI)", "difference", "paired 95% CI"
    ]  # fmt: skip
    paid = table.set_index("KPI").loc["paid_hours_week_total"]
    assert (paid["difference"], paid["paired 95% CI"]) == ("+90", "+90 to +90")
    app.button(key="make_files").click().run()
    assert not app.exception
    files = app.session_state["files"]
    assert files["workbook"][:2] == b"PK"  # an XLSX is a zip
    report = files["report"].decode("utf-8")
    assert report.startswith("<!DOCTYPE html>")
    assert "baseline (edited)" in report


def test_an_uploaded_scenario_opens_and_a_broken_one_says_why() -> None:
    app = AppTest.from_file(str(MAIN), default_timeout=120)
    app.run()
    app.radio(key="open_way").set_value("an upload").run()
    text = (ROOT / "scenarios" / "validation" / "erlang_a_light.toml").read_text(encoding="utf-8")
    app.file_uploader(key="open_upload").upload("light.toml", text.encode("utf-8")).run()
    app.button(key="open_upload_button").click().run()
    assert not app.exception
    assert not app.error
    assert "Opened **light.toml**" in app.caption[0].value
    broken = text.replace("[scenario]", "[scenario]\nreplicashuns = 3", 1)
    app.file_uploader(key="open_upload").clear().upload("broken.toml", broken.encode()).run()
    app.button(key="open_upload_button").click().run()
    (error,) = [e.value for e in app.error]
    assert error.startswith("broken.toml: scenario.replicashuns: unknown key (check its spelling")
