"""Every invariant of issue 9 on each of 120 generated scenarios in the default suite (600 with
``-m slow``).

test_properties.py and test_dispatch_properties.py (in this folder) check these invariants and many
more, each test on its own draw of scenarios (a few dozen to 150 each). This test draws 120
scenarios (600 with ``-m slow``), half from each of their strategies (call handling only, and
with call types, grading, dispatch, officers, dispatchers and support workers), runs one
replication of each and
checks, on every one, every invariant the issue lists:

1. every call has exactly one outcome, and its times agree with it (``check_outcomes``);
2. arrival <= reaching the force <= answer <= end <= end of wrap-up, and waits >= 0
   (``check_moments`` here, for both kinds of scenario; ``check_times`` too, with the drawn
   attributes and patience, where calls are not graded);
3. offered = answered + abandoned + still open + callbacks answered or failed, per channel in
   the records and in the KPIs (``check_counts``);
4. handlers busy never exceed handlers on duty: at every moment (``check_handlers``) and in
   every 15-minute interval of the interval table (``check_busy_within_duty``);
5. incidents attended never exceed incidents raised: by every moment, per grade in the KPIs,
   and each attended incident was raised by a graded call (``check_attended_within_raised``);
6. the same seed gives the same result: every table again, identical (``check_reproducible``,
   ``check_same_seed``).

With dispatch, the dispatch properties run on the same replication as well (``check_all``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from controlroom_sim.analysis.intervals import interval_table
from controlroom_sim.analysis.kpis import replication_kpis
from controlroom_sim.config.schema import Scenario
from controlroom_sim.config.vocabulary import RESPONSE_GRADES
from controlroom_sim.model import simulate
from controlroom_sim.model.records import RunRecords
from tests.helpers.dispatch_invariants import check_all, check_same_seed
from tests.helpers.invariants import (
    check_counts,
    check_handlers,
    check_outcomes,
    check_reproducible,
    check_times,
)
from tests.helpers.strategies import dispatch_scenarios, replications, scenarios

SCENARIOS = 120
MANY_SCENARIOS = 600
TOL = 1e-6
"""Seconds: moments that are sums of durations may differ by float rounding."""

any_scenario = st.one_of(
    scenarios().map(lambda s: ("calls", s)),
    dispatch_scenarios.map(lambda s: ("dispatch", s)),
)


def _le(a: pd.Series, b: pd.Series, what: str) -> None:
    both = a.notna() & b.notna()
    bad = a[both] > b[both] + TOL
    assert not bad.any(), (
        f"{what}: {a[both][bad].head(3).tolist()} > {b[both][bad].head(3).tolist()}"
    )


def check_moments(r: RunRecords) -> None:
    """arrival <= force <= answered <= end <= wrap end, force <= abandoned; waits >= 0."""
    c = r.calls
    _le(c["arrival_s"], c["force_s"], "arrival <= force")
    _le(c["force_s"], c["answered_s"], "force <= answered")
    _le(c["arrival_s"], c["answered_s"], "arrival <= answered")
    _le(c["answered_s"], c["end_s"], "answered <= end")
    _le(c["end_s"], c["wrap_end_s"], "end <= wrap end")
    _le(c["force_s"], c["abandoned_s"], "force <= abandoned")
    waits = (c["answered_s"].fillna(c["abandoned_s"]) - c["force_s"]).dropna()
    assert (waits >= 0).all(), "a negative wait"


def check_busy_within_duty(scenario: Scenario, r: RunRecords) -> None:
    """In every 15-minute interval, handlers (and officers) busy <= on duty."""
    table = interval_table(r, scenario)
    if len(table):
        assert (table["handlers_busy"] <= table["handlers_on_duty"] + 1e-9).all()
        assert (table["handlers_busy"] >= -1e-9).all()
        if "officers_busy" in table:
            assert (table["officers_busy"] <= table["officers_on_duty"] + 1e-9).all()


def check_attended_within_raised(scenario: Scenario, r: RunRecords) -> None:
    """Incidents attended (an officer on scene) never exceed incidents raised: the k-th
    arrival on scene comes no earlier than the k-th incident raised; each attended incident is
    a raised one, attended once, after it was raised, from a graded call; per grade, the
    KPIs' attended (incidents less unattended) lie between 0 and incidents."""
    incidents = r.incidents
    if incidents is None:
        assert scenario.dispatch is None
        return
    assert incidents["incident_id"].is_unique
    assert incidents["call_id"].is_unique, "two incidents from one call"
    created = incidents["created_s"].to_numpy(dtype=float)
    arrived = incidents["arrived_s"].to_numpy(dtype=float, na_value=np.nan)
    attended = ~np.isnan(arrived)
    assert attended.sum() <= len(incidents)
    assert (arrived[attended] >= created[attended] - TOL).all(), "on scene before raised"
    k = int(attended.sum())
    assert (np.sort(arrived[attended]) >= np.sort(created)[:k] - TOL).all(), (
        "more incidents attended than raised by some moment"
    )
    calls = r.calls.set_index("call_id")
    outcome = calls.loc[incidents["call_id"], "outcome"].astype(str)
    assert outcome.isin(["answered", "callback_answered"]).all(), "an incident from no call"
    kpis = replication_kpis(r, scenario)
    for grade in RESPONSE_GRADES:
        raised = kpis[f"incidents_{grade}"]
        unattended = kpis[f"unattended_{grade}"]
        assert 0 <= raised - unattended <= raised, (grade, raised, unattended)


@settings(
    max_examples=SCENARIOS,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(drawn=any_scenario, replication=replications)
def test_every_invariant_of_the_issue(drawn: tuple[str, Scenario], replication: int) -> None:
    kind, scenario = drawn
    event(kind)
    r = simulate(scenario, replication)
    event(f"{'no' if len(r.calls) == 0 else 'some'} calls")
    check_outcomes(scenario, r)
    check_moments(r)
    if kind == "calls":
        check_times(scenario, r)
    check_counts(scenario, r)
    check_handlers(scenario, r)
    check_busy_within_duty(scenario, r)
    check_attended_within_raised(scenario, r)
    if kind == "dispatch":
        check_all(scenario, r)
        check_same_seed(scenario, replication, r)
    else:
        check_reproducible(scenario, replication, r)


@pytest.mark.slow
@settings(
    max_examples=MANY_SCENARIOS,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(drawn=any_scenario, replication=replications)
def test_every_invariant_on_many_more_scenarios(
    drawn: tuple[str, Scenario], replication: int
) -> None:
    """The test above on 600 scenarios (run with ``-m slow``)."""
    test_every_invariant_of_the_issue.hypothesis.inner_test(drawn, replication)
