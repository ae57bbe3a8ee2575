"""The scenario library: `controlroom-sim scenarios` lists every file, and every scenario in
`scenarios/` runs (short horizon), so none can rot."""

from __future__ import annotations

from pathlib import Path

import pytest

from controlroom_sim.config.library import library, scenario_paths
from controlroom_sim.config.loading import load_scenario
from controlroom_sim.experiments import api
from tests.helpers.cli import run_main
from tests.helpers.paths import SCENARIOS

LIBRARY = scenario_paths(SCENARIOS)


def test_the_library_holds_the_what_ifs_and_no_pattern_files() -> None:
    names = {p.relative_to(SCENARIOS).as_posix() for p in LIBRARY}
    for expected in (
        "baseline.toml",
        "whatif/qbuster_callbacks.toml",
        "whatif/no_support_worker.toml",
        "whatif/major_incident_surge.toml",
        "whatif/demand_growth_3y.toml",
        "whatif/online_101_shift.toml",
        "whatif/demand_suppression.toml",
        "whatif/national_standard.toml",
        "whatif/minimum_staffing.toml",
        "whatif/intraday_rules.toml",
        "merging/one_room.toml",
        "merging/two_rooms.toml",
        "merging/three_rooms.toml",
        "year_2026.toml",
    ):
        assert expected in names
    assert not any(n.startswith("patterns/") for n in names)


def test_the_command_lists_every_scenario_on_one_line_each() -> None:
    status, out, err = run_main(["scenarios", str(SCENARIOS)])
    assert status == 0, err
    lines = out.splitlines()
    for entry in library(SCENARIOS):
        line = [ln for ln in lines if ln.startswith(entry.path.relative_to(SCENARIOS).as_posix())]
        assert len(line) == 1
        assert entry.name in line[0] and entry.description in line[0]
    assert lines[-1] == f"{len(LIBRARY)} scenarios in {SCENARIOS}"


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.relative_to(SCENARIOS).as_posix())
def test_every_library_scenario_runs_on_a_short_horizon(path: Path) -> None:
    short = ["scenario.days=0.25", "scenario.warmup_hours=1"]
    # Interventions (a live exercise's, on a later day) moved into the short run.
    for i, item in enumerate(load_scenario(path).interventions):
        if item.day is not None:
            short += [f"interventions.{i}.day=1", f"interventions.{i}.start=03:00"]
    scenario = load_scenario(path, short)
    result = api.run(scenario, replications=1, keep_records=False)
    kpis = result.summary.set_index("kpi")["mean"]
    offered = sum(kpis.get(f"offered_{c}", 0.0) for c in ("999", "101"))
    assert offered > 0


def test_an_invalid_file_is_named_and_the_exit_status_is_1(tmp_path: Path) -> None:
    (tmp_path / "good.toml").write_text(
        '[scenario]\nname = "good"\n\n[channels.999]\ncalls_per_day = 10\n'
        'talk_s = { dist = "fixed", value = 60 }\n\n[[handlers]]\nname = "h"\n'
        'skills = ["999"]\ncount = 1\n'
    )
    (tmp_path / "bad.toml").write_text('[scenario]\nname = "bad"\ndays = -1\n')
    (tmp_path / "patterns.toml").write_text(
        '[[patterns]]\nname = "p"\nhours = [8]\nstarts = ["07:00"]\n'
    )
    status, out, _ = run_main(["scenarios", str(tmp_path)])
    assert status == 1
    bad = [ln for ln in out.splitlines() if ln.startswith("bad.toml")]
    assert len(bad) == 1 and "INVALID" in bad[0] and "scenario.days" in bad[0]
    assert any(ln.startswith("good.toml") for ln in out.splitlines())
    assert not any(ln.startswith("patterns.toml") for ln in out.splitlines())
    assert out.splitlines()[-1] == f"2 scenarios in {tmp_path}, 1 invalid"


def test_a_missing_folder_is_a_one_line_error(tmp_path: Path) -> None:
    status, out, err = run_main(["scenarios", str(tmp_path / "none")])
    assert status == 2 and out == ""
    assert err.strip() == f"error: {tmp_path / 'none'}: no such folder of scenarios"
