"""What the app's pages rest on, without Streamlit: the rota grid's edits as ``--set``
overrides, the rota's hours and cost against a run's staffing KPIs, the warm engine (the
opened scenario is not simulated again, and what it keeps is what a new run gives), and the
``app`` command's bad input."""

from __future__ import annotations

import pandas as pd
import pytest

from controlroom_sim.app.comparing import run_compare, scenario_toml
from controlroom_sim.app.rota_grid import (
    count_grid,
    edit_error,
    line_grid,
    load_edited,
    overrides,
    rota_costs,
)
from controlroom_sim.app.warm import WarmEngine
from controlroom_sim.config.errors import ScenarioError
from controlroom_sim.config.loading import load_scenario
from controlroom_sim.experiments import api
from controlroom_sim.experiments.runner import run_replication
from tests.helpers.cli import assert_one_line_error
from tests.helpers.paths import ROOT

BASELINE = ROOT / "scenarios" / "baseline.toml"
ONE_DAY = ["scenario.days=1", "scenario.warmup_hours=2"]
HALF_DAY = ["scenario.days=0.5", "scenario.warmup_hours=2"]


def _edited(lines: pd.DataFrame, row: int, **cells: object) -> pd.DataFrame:
    out = lines.copy()
    for column, value in cells.items():
        out.loc[row, column] = value
    return out


def test_each_edited_cell_is_the_set_a_command_line_user_would_write(tmp_path) -> None:  # type: ignore[no-untyped-def]
    scenario = tmp_path / "mixed.toml"
    scenario.write_text(
        f'extends = "{BASELINE}"\n'
        "[[support_workers]]\n"
        'name = "Mind"\ncall_types = ["concern_for_welfare"]\ncount = 2\n'
        'talk_s = { dist = "fixed", value = 600 }\n'
        "[[dispatchers]]\n"
        'name = "dispatch"\n'
        'shifts = [{ start = "07:00", hours = 12, days = "weekdays", count = 3 }]\n',
        encoding="utf-8",
    )
    opened = load_scenario(scenario)
    lines, counts = line_grid(opened), count_grid(opened)
    assert list(counts[["role", "group", "count"]].itertuples(index=False, name=None)) == [
        ("support_workers", "Mind", 2)
    ]
    unnamed = lines.index[lines["role"] == "dispatchers"][0]
    assert lines.loc[unnamed, "days"] == "weekdays"
    edited = _edited(lines, 0, count=4.0, start="06:30")
    edited = _edited(edited, unnamed, days="monday, friday", hours=9.5)
    more = counts.copy()
    more.loc[0, "count"] = 3
    edits = overrides(lines, edited, counts, more)
    assert edits == [
        'shift_lines.Early 999.start="06:30"',
        "shift_lines.Early 999.count=4",
        "dispatchers.0.shifts.0.hours=9.5",
        'dispatchers.0.shifts.0.days=["monday", "friday"]',
        "support_workers.0.count=3",
    ]
    after = load_edited(scenario, edits)
    assert after.handlers[0].shifts[0].start == "06:30"
    assert after.dispatchers[0].shifts[0].days == ["monday", "friday"]
    assert after.support_workers[0].count == 3
    blank = overrides(lines, _edited(lines, 0, hours=float("nan")), counts, counts)
    with pytest.raises(ScenarioError) as refused:
        load_edited(scenario, blank)
    words = edit_error(refused.value)
    assert words.startswith(
        "--set 'shift_lines.Early 999.hours=\"\"': shift_lines.Early 999.hours:"
    )
    assert words.endswith("found ''")


def test_the_rota_costs_before_a_run_are_the_run_staffing_kpis() -> None:
    scenario = load_scenario(BASELINE, [*ONE_DAY, "shift_lines.Late contact.count=9"])
    costs = rota_costs(scenario).set_index("staff")
    kpis = run_replication(scenario, 0, records=False).kpis
    assert costs.loc["all roles", "paid h/week"] == kpis["paid_hours_week_total"]
    assert costs.loc["all roles", "posts (FTE)"] == kpis["posts_total"]
    assert costs.loc["call handlers", "rostered h/week"] == kpis["rostered_hours_week_handlers"]
    # cost a year without overtime: the KPI's, less the overtime hours at the overtime rate
    staffing = scenario.staffing
    assert staffing is not None
    overtime = sum(
        staffing.cost_week(role, 0.0, kpis[f"overtime_hours_week_{role}"]) * 365.25 / 7
        for role in ("handlers", "dispatchers", "officers", "support_workers")
    )
    assert costs.loc["all roles", "cost/year"] == pytest.approx(
        kpis["cost_year_total"] - overtime, rel=1e-12
    )


def test_the_warm_engine_runs_only_the_edited_side_again_and_gives_a_new_runs_answer() -> None:
    baseline = load_scenario(BASELINE, HALF_DAY)
    first = load_scenario(BASELINE, [*HALF_DAY, "shift_lines.Early 999.count=4"])
    second = load_scenario(BASELINE, [*HALF_DAY, "shift_lines.Night 999.count=3"])
    engine = WarmEngine(1)
    run_compare(baseline, first, 2, engine)
    assert engine.simulated == 4
    outcome = run_compare(baseline, second, 2, engine)
    assert engine.simulated == 6  # the opened scenario's two replications came from memory
    fresh = api.compare(baseline, second, replications=2, keep_records=False)
    mine = outcome.differences.drop(columns="scenario").reset_index(drop=True)
    theirs = fresh.differences.drop(columns="scenario").reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, theirs)
    engine.shut()


def test_the_edited_scenario_file_loads_as_the_edited_scenario(tmp_path) -> None:  # type: ignore[no-untyped-def]
    edited = load_scenario(BASELINE, ["shift_lines.Early 999.count=4"])
    path = tmp_path / "edited.toml"
    path.write_text(scenario_toml(edited), encoding="utf-8")
    again = load_scenario(path)
    assert again.model_dump() == edited.model_dump()


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["app", "--port", "70000"], "error: --port 70000: expected a port number from 1 to 65535"),
        (
            ["app", "--scenarios", "no/such/folder"],
            "error: --scenarios no/such/folder: expected a folder of scenario files",
        ),
    ],
)
def test_the_app_command_refuses_bad_input(capsys, argv, words) -> None:  # type: ignore[no-untyped-def]
    from controlroom_sim.cli.main import main

    assert assert_one_line_error(capsys, main(argv)) == words


def test_a_port_in_use_is_one_line_naming_it(capsys) -> None:  # type: ignore[no-untyped-def]
    import socket

    from controlroom_sim.cli.main import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = assert_one_line_error(capsys, main(["app", "--no-browser", "--port", str(port)]))
    assert line == (
        f"error: --port {port}: the app's server stopped at once (exit status 1); is the port "
        "already in use? Give another"
    )


def test_scratch_folders_live_under_one_root_that_is_removed() -> None:
    """Uploads, fits and compare folders go inside one scratch folder of the process, which
    goes when the process ends (clean_up does it now): no crs-app-* folder is left behind."""
    from controlroom_sim.app.scratch import clean_up, scratch_folder, scratch_root

    clean_up()
    first, second = scratch_folder("upload-"), scratch_folder("fit-")
    root = scratch_root()
    assert root is not None and first.parent == root and second.parent == root
    assert first != second and first.name.startswith("upload-")
    (first / "scenario.toml").write_text("x", encoding="utf-8")
    clean_up()
    assert not root.exists() and scratch_root() is None
