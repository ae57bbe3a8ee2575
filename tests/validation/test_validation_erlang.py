"""The simulator against queueing theory: Erlang C, Erlang A and priority M/M/c.

Each file in scenarios/validation/ is a stationary M/M/n or M/M/n+M case (light, heavy and
overloaded, and two published anchors), or a dispatch-only priority M/M/c queue of incidents
(Cobham's formula for the mean wait of each grade). The theory value of every KPI must lie
inside the 99%
confidence interval over the file's replications. A slow test checks that the intervals cover
theory about as often as their nominal level says, over many independent experiments.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from controlroom_sim.analysis.confidence import confidence_interval
from controlroom_sim.analysis.validation import NotAnErlangCase, compare, erlang_case
from controlroom_sim.config.loading import load_scenario
from controlroom_sim.experiments.runner import run_experiment, with_run_settings
from tests.helpers.paths import SCENARIOS

VALIDATION = sorted((SCENARIOS / "validation").glob("*.toml"))


def test_there_are_light_heavy_and_overloaded_cases() -> None:
    """The validation folder spans the load range for both Erlang C and Erlang A."""
    loads = {}
    for file in VALIDATION:
        scenario = load_scenario(file)
        if scenario.dispatch is not None:
            continue
        case = erlang_case(scenario)
        loads[file.stem] = (
            case.arrival_rate * case.mean_service / case.servers,
            case.mean_patience is not None,
        )
    assert any(rho < 0.8 and not a for rho, a in loads.values())
    assert any(rho > 0.9 and not a for rho, a in loads.values())
    assert any(rho < 0.8 and a for rho, a in loads.values())
    assert any(0.9 < rho < 1 and a for rho, a in loads.values())
    assert any(rho > 1 and a for rho, a in loads.values())


@pytest.mark.parametrize("file", VALIDATION, ids=lambda p: p.stem)
def test_theory_inside_99_percent_interval(file: Path) -> None:
    """Abandonment, mean answer time, 10-second shares and occupancy agree with Erlang."""
    scenario = load_scenario(file)
    result = run_experiment(scenario)
    frame = compare(scenario, result.kpis, confidence=0.99)
    outside = frame[~frame["inside"]]
    assert outside.empty, (
        "theory outside the 99% CI:\n" + outside[["kpi", "theory", "ci_low", "ci_high"]].to_string()
    )


def test_cobham_reduces_to_erlang_c_and_orders_the_grades() -> None:
    """One class gives the Erlang C wait; lower grades wait longer; the mean over classes
    equals the Erlang C wait (work conservation with equal service times)."""
    from controlroom_sim.analysis.erlang import erlang_c_metrics, priority_mmc_waits

    single = priority_mmc_waits([0.004], 1800.0, 10)[0]
    assert single == pytest.approx(erlang_c_metrics(0.004, 1800.0, 10, 10.0).mean_wait_offered)
    rates = [0.001, 0.0015, 0.0025]
    waits = priority_mmc_waits(rates, 1800.0, 10)
    assert waits[0] < waits[1] < waits[2]
    overall = erlang_c_metrics(sum(rates), 1800.0, 10, 10.0).mean_wait_offered
    assert np.dot(rates, waits) / sum(rates) == pytest.approx(overall)


def test_published_anchor_values_are_the_theory_used() -> None:
    """The anchors' published figures are what the comparison uses as theory (V2, V5)."""
    v2 = erlang_case(load_scenario(Path("scenarios/validation/erlang_a_v2_pyworkforce.toml")))
    m = v2.metrics(target=20.0)
    assert m.p_abandon == pytest.approx(0.02496, abs=5e-5)
    assert m.service_level_offered == pytest.approx(0.85818, abs=5e-5)
    v5 = erlang_case(load_scenario(Path("scenarios/validation/erlang_a_v5_herzog.toml")))
    assert v5.metrics().mean_wait_offered == pytest.approx(9.91, abs=0.005)
    assert v5.metrics().p_abandon == pytest.approx(0.03304, abs=5e-5)


def test_non_erlang_scenarios_are_refused_with_reasons() -> None:
    """A scenario with wrap-up, a BT stage or shifts has no exact counterpart, and says why."""
    scenario = load_scenario(None)
    with pytest.raises(NotAnErlangCase, match="expected exactly one channel"):
        erlang_case(scenario)
    one = load_scenario(
        VALIDATION[0],
        [
            'channels.999.wrap_s={dist="fixed",value=30}',
            'channels.999.talk_s={dist="fixed",value=300}',
        ],
    )
    with pytest.raises(NotAnErlangCase, match="wrap-up time") as info:
        erlang_case(one)
    assert "talk_s is fixed" in str(info.value)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["erlang_a_heavy", "erlang_c_light"])
def test_interval_coverage_is_near_nominal(name: str) -> None:
    """Over 60 independent experiments, 95% intervals cover theory about 95% of the time."""
    base = load_scenario(Path(f"scenarios/validation/{name}.toml"), ["scenario.days=1"])
    expected = erlang_case(base).expected_kpis()
    covered = {kpi: 0 for kpi in expected}
    experiments = 60
    for seed in range(experiments):
        scenario = with_run_settings(base, replications=10, seed=10_000 + seed)
        kpis = run_experiment(scenario).kpis
        for kpi, theory in expected.items():
            values = kpis.loc[kpis["kpi"] == kpi, "value"].to_numpy(dtype=float)
            ci = confidence_interval(values, 0.95)
            covered[kpi] += ci["ci_low"] <= theory <= ci["ci_high"]
    # Binomial(60, 0.95): fewer than 51 covering intervals has probability below 0.3%.
    floor = stats.binom.ppf(0.003, experiments, 0.95)
    for kpi, count in covered.items():
        assert count >= floor, f"{kpi}: {count}/{experiments} intervals covered theory"
    assert np.mean(list(covered.values())) / experiments > 0.9
