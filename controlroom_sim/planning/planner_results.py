"""What the planner's tools return: a staff result and a roster result, with their tables."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis.staffing_kpis import posts_and_cost
from ..config.schema import Scenario
from ..config.vocabulary import INTERVALS_PER_WEEK
from ..experiments import api
from .demand import staff_hours
from .patterns import rota_coverage
from .requirement import requirement_table
from .roster import Roster
from .search import Search, Trial
from .targets import StaffTarget

CHECK_SEED_OFFSET = 1
"""The check of a requirement runs with the search's seed plus this, so it sees new callers."""


@dataclass
class StaffResult:
    """What ``staff`` found: the curves, the search, and an independent check."""

    scenario: Scenario
    targets: list[StaffTarget]
    search: Search
    shrinkage: float
    shrinkage_source: str
    group: str | None
    replications: int
    seed: int
    check: Trial | None = None
    folder: Path | None = None
    rounds: list[dict] = field(default_factory=list)

    @property
    def erlang(self) -> np.ndarray:
        return self.search.erlang

    @property
    def required(self) -> np.ndarray:
        return self.search.required

    @property
    def table(self) -> pd.DataFrame:
        """One row per interval of the week (see :func:`requirement.requirement_table`)."""
        table = requirement_table(self.scenario, self.search, self.shrinkage, self.targets)
        if self.check is not None:
            for target in self.targets:
                own = self.check.checks[self.check.checks["kpi"] == target.kpi]
                own = own.set_index("position")
                for column in ("estimate", "ci_low", "ci_high"):
                    table[f"check_{target.kpi}_{column}"] = (
                        own[column].reindex(table["interval"]).to_numpy()
                    )
        return table

    def hours(self) -> dict[str, float]:
        """Handler hours a week (taking calls) and paid hours (with shrinkage) per curve."""
        out = {
            "erlang_hours": staff_hours(self.erlang, self.scenario),
            "erlang_paid_hours": staff_hours(self.erlang, self.scenario, self.shrinkage),
        }
        if self.search.chosen is not None:
            out["simulated_hours"] = staff_hours(self.required, self.scenario)
            out["simulated_paid_hours"] = staff_hours(self.required, self.scenario, self.shrinkage)
        for curve in ("erlang", "simulated"):
            if f"{curve}_paid_hours" in out:
                staffing = self.scenario.staffing
                costs = posts_and_cost(staffing, "handlers", out[f"{curve}_paid_hours"])
                out.update({f"{curve}_{k}": v for k, v in costs.items()})
        return out

    def misses(self) -> pd.DataFrame:
        """Per target, in the check: intervals measured, missed, missed significantly, and
        by how much (largest and mean shortfall of those missed)."""
        if self.check is None:
            return pd.DataFrame()
        return miss_summary(self.check.checks, self.targets)


def miss_summary(checks: pd.DataFrame, targets: Sequence[StaffTarget]) -> pd.DataFrame:
    """How many intervals missed each target, and by how much."""
    rows = []
    for target in targets:
        own = checks[(checks["kpi"] == target.kpi) & (checks["calls"] > 0)]
        missed = own[~own["met"]]
        rows.append(
            {
                "kpi": target.kpi,
                "target": target.value,
                "intervals": len(own),
                "missed": len(missed),
                "missed_significantly": int(own["significant_miss"].sum()),
                "largest_shortfall": float(missed["shortfall"].max()) if len(missed) else 0.0,
                "mean_shortfall": float(missed["shortfall"].mean()) if len(missed) else 0.0,
            }
        )
    return pd.DataFrame(rows)


@dataclass
class RosterResult:
    """Rosters of each pattern, and (when simulated) their KPIs beside the current rota's."""

    scenario: Scenario
    requirement: np.ndarray
    rosters: list[Roster]
    scenarios: list[Scenario]
    current_hours: float
    comparison: api.Comparison | None = None
    staff: StaffResult | None = None
    folder: Path | None = None
    group: str | None = None

    def table(self, kpis: Sequence[str] | None = None) -> pd.DataFrame:
        """One row per pattern (the current rota first): paid hours, headcount, solver status,
        intervals short of the requirement, and each KPI's mean with its 95% CI."""
        rows = [
            {
                "rota": "current",
                "paid_hours": self.current_hours,
                "headcount": math.nan,
                "status": "",
                "intervals_short": int((self._current_coverage() < self.requirement - 1e-9).sum()),
            }
        ]
        for roster in self.rosters:
            rows.append(
                {
                    "rota": roster.pattern.name,
                    "paid_hours": roster.paid_hours,
                    "headcount": roster.headcount,
                    "status": roster.status,
                    "intervals_short": int((roster.coverage < self.requirement - 1e-9).sum()),
                }
            )
        for row in rows:
            row.update(posts_and_cost(self.scenario.staffing, "handlers", row["paid_hours"]))
        table = pd.DataFrame(rows)
        if self.comparison is not None:
            summary = self.comparison.summary
            names = [r.name for r in self.comparison.results]
            for kpi in kpis or _DEFAULT_KPIS:
                own = summary[summary["kpi"] == kpi].set_index("scenario").reindex(names)
                if own["mean"].isna().all():
                    continue
                table[kpi] = own["mean"].to_numpy()
                table[f"{kpi}_ci_low"] = own["ci_low"].to_numpy()
                table[f"{kpi}_ci_high"] = own["ci_high"].to_numpy()
        return table

    def _current_coverage(self) -> np.ndarray:
        """The current rota's handlers on duty (of the rostered group alone with ``group``)."""
        return sum(
            (
                rota_coverage(g.shifts, g.count)
                for g in self.scenario.handlers
                if self.group is None or g.name == self.group
            ),
            np.zeros(INTERVALS_PER_WEEK),
        )


_DEFAULT_KPIS = (
    "answered_within_10s_999",
    "answered_60s_plus_999",
    "abandon_rate_101",
    "mean_answer_s_101",
    "handler_occupancy",
)
