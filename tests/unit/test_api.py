"""The Python API (run, compare, sweep) as the README shows it, on short horizons."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import controlroom_sim as crs
from controlroom_sim.analysis.precision import PrecisionError
from controlroom_sim.config.files import ScenarioError
from controlroom_sim.config.loading import load_scenario
from controlroom_sim.experiments.store import ResumeError
from tests.helpers.paths import ROOT
from tests.helpers.results import SUMMARY_COLUMNS

SHORT = ["scenario.days=0.25", "scenario.warmup_hours=1"]
LIGHT = ROOT / "scenarios" / "validation" / "erlang_c_light.toml"


def test_run_returns_pandas_tables_and_keeps_records_in_memory() -> None:
    result = crs.run(overrides=SHORT, replications=2, seed=3)
    assert isinstance(result.summary, pd.DataFrame)
    assert list(result.summary.columns) == SUMMARY_COLUMNS
    assert set(result.kpis["replication"]) == {0, 1}
    assert len(result.calls) == result.calls_simulated > 0
    assert set(result.calls["replication"]) == {0, 1}
    assert result.scenario.scenario.seed == 3
    assert result.precision is None and result.folder is None


def test_run_with_out_drops_records_from_memory_but_writes_them(tmp_path: Path) -> None:
    result = crs.run(overrides=SHORT, replications=2, out=tmp_path / "r")
    assert result.folder == tmp_path / "r"
    assert result.calls.empty  # not kept in memory ...
    written = pd.read_parquet(tmp_path / "r" / "calls.parquet")
    assert len(written) == result.calls_simulated  # ... but every call is in the file
    kept = crs.run(overrides=SHORT, replications=2, out=tmp_path / "k", keep_records=True)
    pd.testing.assert_frame_equal(kept.calls, written)


def test_scenario_object_and_path_give_the_same_run() -> None:
    scenario = load_scenario(LIGHT, ["scenario.days=0.5"])
    a = crs.run(scenario, replications=2)
    b = crs.run(LIGHT, overrides=["scenario.days=0.5"], replications=2)
    pd.testing.assert_frame_equal(a.kpis, b.kpis)
    with pytest.raises(ValueError, match="overrides need a scenario file"):
        crs.run(scenario, overrides=["scenario.days=1"])


def test_compare_with_paths_and_labels(tmp_path: Path) -> None:
    base = tmp_path / "a.toml"
    base.write_text(f'extends = "{LIGHT}"\n[scenario]\ndays = 0.5\n', encoding="utf-8")
    more = tmp_path / "b.toml"
    more.write_text(
        f'extends = "{LIGHT}"\n[scenario]\ndays = 0.5\nseed = 999\n'
        "[[handlers]]\nname = 'h'\nskills = ['999']\ncount = 22\n",
        encoding="utf-8",
    )
    c = crs.compare(base, more, replications=3)
    # both files name the scenario erlang_c_light: the variant is told apart by its file
    assert [r.name for r in c.results] == ["erlang_c_light", "erlang_c_light (b)"]
    # the variant's own seed is replaced by the baseline's: common random numbers
    assert {r.scenario.scenario.seed for r in c.results} == {load_scenario(LIGHT).scenario.seed}
    diff = c.differences.set_index("kpi")
    assert diff.loc["offered_999", "diff"] == 0
    assert diff.loc["mean_answer_s_999", "diff"] < 0  # 22 handlers answer sooner than 20
    assert c["erlang_c_light (b)"] is c.results[1]
    with pytest.raises(ValueError, match="at least one variant"):
        crs.compare(base)


def test_sweep_with_python_values() -> None:
    s = crs.sweep(
        LIGHT,
        {"handlers.0.count": np.array([19, 21]), "channels.999.talk_s.mean": [170.0, 190.0]},
        overrides=["scenario.days=0.5"],
        replications=2,
    )
    table = s.table
    assert list(table.columns[:3]) == ["scenario", "handlers.0.count", "channels.999.talk_s.mean"]
    assert len(s.results) == 4
    assert sorted(set(table["handlers.0.count"])) == [19, 21]
    occupancy = table[table["kpi"] == "handler_occupancy"].set_index(
        ["handlers.0.count", "channels.999.talk_s.mean"]
    )["mean"]
    # more handlers or shorter calls: less occupancy, in the same callers
    assert occupancy[(21, 170.0)] < occupancy[(19, 170.0)]
    assert occupancy[(19, 170.0)] < occupancy[(19, 190.0)]


def test_sweep_checks_every_point_before_running() -> None:
    with pytest.raises(ScenarioError, match="calls_per_day"):
        crs.sweep(LIGHT, ["channels.999.calls_per_day=100,-1"], replications=2)


def test_target_half_width_api_forms() -> None:
    a = crs.run(LIGHT, overrides=["scenario.days=0.25"], target_half_width={"offered_999": "50%"})
    b = crs.run(LIGHT, overrides=["scenario.days=0.25"], target_half_width=["offered_999=50%"])
    assert len(a.replications) == len(b.replications) == 3 + 5
    assert a.precision == b.precision and a.precision["met"] is True
    with pytest.raises(PrecisionError, match="no such KPI"):
        crs.run(LIGHT, overrides=["scenario.days=0.25"], target_half_width={"no_such": 1})


def test_resume_needs_a_folder(tmp_path: Path) -> None:
    with pytest.raises(ResumeError, match="resume: give out with the folder"):
        crs.run(overrides=SHORT, replications=2, resume=True)
    with pytest.raises(ResumeError, match="nothing to resume"):
        crs.run(overrides=SHORT, replications=2, resume=True, out=tmp_path / "x")


# Every feature that adds KPIs: the baseline (dispatch, callbacks, call types, support
# workers), every validation scenario (no dispatch, or dispatch without grading calls), a room
# of several forces, failure demand, and the baseline without callbacks or support workers.
KPI_SET_SCENARIOS = [
    None,
    *sorted((ROOT / "scenarios" / "validation").glob("*.toml")),
    ROOT / "scenarios" / "merging" / "two_rooms.toml",
    ROOT / "scenarios" / "whatif" / "demand_suppression.toml",
    ROOT / "scenarios" / "variants" / "no_callbacks.toml",
    ROOT / "scenarios" / "whatif" / "no_support_worker.toml",
]


@pytest.mark.parametrize(
    "path", KPI_SET_SCENARIOS, ids=lambda p: "baseline" if p is None else Path(p).stem
)
def test_the_kpi_set_depends_on_the_scenario_only(path: Path | None) -> None:
    """Every replication reports the same KPIs (NaN where undefined), those of an empty run,
    so KPI names (targets, --show) can be checked before anything runs and tables never have
    holes."""
    from controlroom_sim.experiments.runner import kpi_names, run_replication

    scenario = load_scenario(path, ["scenario.days=0.5", "scenario.warmup_hours=1"])
    names = kpi_names(scenario)
    assert len(names) == len(set(names)) > 10
    for replication in (0, 1):
        assert list(run_replication(scenario, replication).kpis) == names


def test_the_kpi_set_follows_the_scenario_features() -> None:
    """The features that add KPIs add exactly theirs: callbacks, dispatch, call types."""
    from controlroom_sim.experiments.runner import kpi_names

    base = set(kpi_names(load_scenario(None)))
    no_callback = set(kpi_names(load_scenario(None, ["callback.enabled=false"])))
    assert base - no_callback == {
        "callback_requested_rate_101",
        "callback_success_rate_101",
        "mean_callback_delay_s_101",
    }
    light = set(kpi_names(load_scenario(LIGHT)))  # one channel, no dispatch, no call types
    assert "handler_occupancy" in light and "answered_within_10s_999" in light
    assert not any(k.startswith(("graded_", "attendance_", "mean_backlog")) for k in light)
    assert not any(k.endswith("_101") for k in light)
    assert {"graded_emergency", "mean_backlog", "attendance_within_target_emergency"} <= base


def test_an_unknown_target_kpi_fails_before_any_folder_is_made(tmp_path: Path) -> None:
    out = tmp_path / "never"
    with pytest.raises(PrecisionError, match="did you mean answered_within_10s_999"):
        crs.run(out=out, target_half_width={"answered_within_10s_99": 0.01})
    assert not out.exists()


def test_a_missing_dask_install_fails_before_any_folder_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    from controlroom_sim.experiments.engines import EngineError

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "distributed" else real(name, *a),
    )
    out = tmp_path / "never"
    with pytest.raises(EngineError, match=r"pip install 'controlroom-sim\[dask\]'"):
        crs.run(overrides=SHORT, replications=2, engine="dask", out=out)
    assert not out.exists()
