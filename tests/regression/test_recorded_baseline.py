"""The built-in baseline's KPIs, recorded: optimisations of the engine must not change results.

`tests/data/baseline_kpis_2x7d.csv` holds every KPI of the first two replications of the
baseline (7 days, seed 1), as the engine gave them before its performance work (issue 8:
paused cyclic garbage collection, incidents indexed for reviews, columnar records, lighter
imports); each of those changes was checked to give these values exactly. A change that moves
any KPI of any replication fails here. When a change to the MODEL (not its speed) is meant to
move results, re-record the file with the command in the test's docstring and say why in the
commit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from controlroom_sim.config.loading import load_scenario
from controlroom_sim.experiments import api
from tests.helpers.paths import ROOT

RECORDED = ROOT / "tests" / "data" / "baseline_kpis_2x7d.csv"


def test_the_baseline_gives_its_recorded_kpis() -> None:
    """Re-record with: api.run(load_scenario("scenarios/baseline.toml"), replications=2)
    .kpis[["replication", "kpi", "value"]], sorted by replication and KPI, written with
    float_format="%.17g"."""
    recorded = pd.read_csv(RECORDED)
    result = api.run(
        load_scenario(ROOT / "scenarios" / "baseline.toml"), replications=2, keep_records=False
    )
    now = result.kpis[["replication", "kpi", "value"]].sort_values(["replication", "kpi"])
    now = now.reset_index(drop=True)
    assert now["kpi"].tolist() == recorded["kpi"].tolist()
    assert now["replication"].tolist() == recorded["replication"].tolist()
    np.testing.assert_allclose(
        now["value"].to_numpy(dtype=float),
        recorded["value"].to_numpy(dtype=float),
        rtol=1e-12,
        atol=0,
        equal_nan=True,
    )
