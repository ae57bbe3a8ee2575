"""What the rotas cost, as KPIs of each replication: hours, posts and money by role.

With ``[staffing]`` (:mod:`controlroom_sim.config.schema.staffing`), for each role the scenario
has (handlers, dispatchers, officers, support workers):

* ``rostered_hours_week_<role>``: hours of the role's shifts that fall in the measured window,
  per week (a shift is on the rota whether or not its person came in: absence on the day is
  paid, as sick pay, and is in the shrinkage);
* ``paid_hours_week_<role>``: rostered hours grossed up for shrinkage, ``rostered / (1 −
  shrinkage)``: the paid time the posts take, leave, sickness and training included;
* ``posts_<role>``: full-time posts (FTE), ``paid hours / contract hours a week``;
* ``overtime_hours_week_<role>``: hours worked past shift ends, shifts ending in the window,
  per week (recorded for handlers, officers and support workers; dispatchers' overtime is not
  recorded and counts 0);
* with an hourly cost for the role, ``cost_week_<role>`` = (paid hours + overtime hours ×
  overtime rate) × hourly cost × (1 + on-costs), and ``cost_year_<role>`` = 365.25 / 7 weeks of
  it; and over every role ``paid_hours_week_total``, ``posts_total`` and (the roles with a
  cost) ``cost_year_total``.

Rostered and paid hours and posts are the rota's, the same in every replication; overtime, and
so cost, varies. As KPIs they go through the same summaries, paired differences and tables as
the service KPIs.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..config.schema import ROLES, Scenario, Staffing
from ..model.records import RunRecords
from ..model.shifts import RotaGroup, shifts_worked

WEEK_S = 7 * 86400.0
WEEKS_A_YEAR = 365.25 / 7

ROLE_WORDS = {
    "handlers": "call handlers",
    "dispatchers": "dispatchers",
    "officers": "response officers",
    "support_workers": "support workers",
}

STAFFING_DESCRIPTIONS: dict[str, str] = {
    f"{name}_{role}": text.format(who=ROLE_WORDS[role])
    for role in ROLES
    for name, text in {
        "rostered_hours_week": "hours a week of {who}' shifts on the rota",
        "paid_hours_week": "paid hours a week of {who}: rostered hours grossed up for shrinkage",
        "posts": "full-time posts (FTE) of {who}: paid hours / contract hours a week",
        "overtime_hours_week": "overtime hours a week of {who} (past shift ends)",
        "cost_week": "cost a week of {who}: paid and overtime hours at the hourly cost, "
        "with on-costs",
        "cost_year": "cost a year of {who} (365.25 / 7 weeks)",
    }.items()
} | {
    "paid_hours_week_total": "paid hours a week of every role",
    "posts_total": "full-time posts (FTE) of every role",
    "cost_year_total": "cost a year of every role with an hourly cost",
}


def role_groups(scenario: Scenario, role: str) -> Sequence[RotaGroup]:
    """The scenario's groups of ``role`` (none for officers without dispatch). Front-desk
    operators are contact staff on a handler's contract and pay: they count with the
    handlers."""
    if role == "officers" and scenario.dispatch is None:
        return []
    if role == "handlers" and scenario.front_desk is not None:
        return [*scenario.handlers, *scenario.front_desk.operators]
    return getattr(scenario, role)


def rostered_seconds(
    groups: Sequence[RotaGroup], origin_weekday_s: float, lo: float, hi: float
) -> float:
    """Person-seconds of the groups' shifts inside ``[lo, hi)``."""
    total = 0.0
    for group in groups:
        for _, start, end, count, *_ in shifts_worked(group, origin_weekday_s, hi):
            total += count * max(0.0, min(end, hi) - max(start, lo))
    return total


def overtime_hours(table: pd.DataFrame | None, lo: float, hi: float) -> float:
    """Hours worked past shift ends, of the shifts of a member table ending in ``[lo, hi)``."""
    if table is None or table.empty:
        return 0.0
    ending = table["scheduled_end_s"].between(lo, hi, inclusive="left")
    return float(table.loc[ending, "overtime_s"].sum() / 3600.0)


_MEMBERS = {"handlers": "handlers", "officers": "officers", "support_workers": "support_workers"}


def posts_and_cost(
    staffing: Staffing | None, role: str, rostered_hours_week: float
) -> dict[str, float]:
    """Posts (FTE) and cost a year (without overtime) of ``rostered_hours_week`` of ``role``:
    ``{}`` without ``[staffing]``; no ``cost_year`` without the role's hourly cost."""
    if staffing is None:
        return {}
    out = {"posts": staffing.posts(role, rostered_hours_week)}
    week = staffing.cost_week(role, staffing.paid_hours(rostered_hours_week))
    if week is not None:
        out["cost_year"] = week * WEEKS_A_YEAR
    return out


def staffing_kpis(records: RunRecords, scenario: Scenario) -> dict[str, float]:
    """Hours, posts and cost of each role of ``scenario`` (nothing without ``[staffing]``)."""
    staffing = scenario.staffing
    if staffing is None:
        return {}
    lo, hi = records.warmup_s, records.horizon_s
    weeks = (hi - lo) / WEEK_S
    kpis: dict[str, float] = {}
    total = 0.0
    costed = False
    paid_total = posts_total = 0.0
    for role in ROLES:
        groups = role_groups(scenario, role)
        if not groups:
            continue
        rostered = rostered_seconds(groups, records.origin_weekday_s, lo, hi) / 3600.0 / weeks
        paid = staffing.paid_hours(rostered)
        table = getattr(records, _MEMBERS[role]) if role in _MEMBERS else None
        overtime = overtime_hours(table, lo, hi) / weeks
        if role == "handlers" and records.front_desk_operators is not None:
            overtime += overtime_hours(records.front_desk_operators, lo, hi) / weeks
        kpis[f"rostered_hours_week_{role}"] = rostered
        kpis[f"paid_hours_week_{role}"] = paid
        kpis[f"posts_{role}"] = staffing.posts(role, rostered)
        kpis[f"overtime_hours_week_{role}"] = overtime
        paid_total += paid
        posts_total += kpis[f"posts_{role}"]
        week = staffing.cost_week(role, paid, overtime)
        if week is not None:
            kpis[f"cost_week_{role}"] = week
            kpis[f"cost_year_{role}"] = week * WEEKS_A_YEAR
            total += week * WEEKS_A_YEAR
            costed = True
    if paid_total:
        kpis["paid_hours_week_total"] = paid_total
        kpis["posts_total"] = posts_total
    if costed:
        kpis["cost_year_total"] = total
    return kpis
