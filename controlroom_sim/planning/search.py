"""The search for the staffing requirement by simulation, round by round.

Erlang's curve is simulated; where an interval misses a target significantly, or the whole run's
confidence interval does not clear one, the targets in the Erlang calculation are made stricter
and the curve rises, until every interval holds (see :mod:`.requirement` for the method).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..config.schema import Scenario
from ..config.vocabulary import INTERVALS_PER_WEEK
from .checks import interval_checks, overall_checks
from .demand import measured_positions
from .erlang_requirement import erlang_requirement, is_exact_erlang
from .targets import StaffTarget


@dataclass
class Trial:
    """One simulated requirement: the curve, its interval checks and whole-run KPIs."""

    levels: np.ndarray
    checks: pd.DataFrame
    overall: pd.DataFrame
    summary: pd.DataFrame
    intervals: pd.DataFrame

    def failing(self) -> np.ndarray:
        """Mask (per interval of the week) of significant misses of any target."""
        return _mask(self.checks, "significant_miss", any_target=True)

    def missing(self) -> np.ndarray:
        """Mask of intervals whose estimate misses any target (significant or not)."""
        return ~_mask(self.checks, "met", any_target=False)

    @property
    def holds(self) -> bool:
        return not self.failing().any() and bool(self.overall["assured"].all())


def _mask(checks: pd.DataFrame, column: str, any_target: bool) -> np.ndarray:
    out = np.zeros(INTERVALS_PER_WEEK, dtype=bool) if any_target else None
    for _, rows in checks.groupby("kpi"):
        mask = np.zeros(INTERVALS_PER_WEEK, dtype=bool)
        mask[rows["position"].to_numpy()] = rows[column].to_numpy(dtype=bool)
        out = mask if out is None else out | mask if any_target else out & mask
    if out is None:
        return np.zeros(INTERVALS_PER_WEEK, dtype=bool)
    if not any_target:  # unmeasured intervals count as met
        measured = np.zeros(INTERVALS_PER_WEEK, dtype=bool)
        measured[checks["position"].unique()] = True
        out = out | ~measured
    return out


@dataclass
class Search:
    """The whole search: Erlang's curve, the trials in order, and the one chosen."""

    erlang: np.ndarray
    trials: list[Trial] = field(default_factory=list)
    chosen: Trial | None = None
    converged: bool = False
    exact: bool = False

    @property
    def required(self) -> np.ndarray:
        return self.chosen.levels if self.chosen is not None else self.erlang


Simulator = Callable[[np.ndarray], tuple[pd.DataFrame, pd.DataFrame]]
"""Runs a requirement curve; returns (interval table, KPI summary) over the replications."""


def search(
    scenario: Scenario,
    targets: Sequence[StaffTarget],
    erlang: np.ndarray,
    simulate: Simulator | None,
    max_rounds: int = 10,
    fixed: np.ndarray | None = None,
    on_round: Callable[[int, Trial], None] | None = None,
) -> Search:
    """Refine ``erlang`` by simulation; ``simulate=None`` stops at Erlang.

    Each round simulates the current curve. Where an interval misses a target significantly,
    that interval's target in the Erlang calculation is made stricter by the shortfall; where
    the whole run's confidence interval does not clear a target, every interval's is made
    stricter by the gap. Erlang then turns the stricter targets into handlers (so a shortfall
    becomes the right number of handlers at that interval's load), the curve only ever rises,
    and an interval still failing gets at least one more handler. The search ends when every
    interval holds and every whole-run target is assured, or after ``max_rounds``. A
    stationary Erlang scenario is simulated once, as a check, and not adjusted.
    """
    result = Search(erlang=np.asarray(erlang, dtype=np.int64).copy())
    if simulate is None:
        return result
    result.exact = exact = is_exact_erlang(scenario)
    measured = measured_positions(scenario)
    levels = result.erlang.copy()
    adjust = {t.kpi: np.zeros(INTERVALS_PER_WEEK) for t in targets}
    for round_ in range(1, max(1, max_rounds) + 1):
        intervals, summary = simulate(levels)
        trial = Trial(
            levels=levels.copy(),
            checks=interval_checks(intervals, scenario, targets),
            overall=overall_checks(summary, targets),
            summary=summary,
            intervals=intervals,
        )
        result.trials.append(trial)
        result.chosen = trial
        if on_round is not None:
            on_round(round_, trial)
        if exact or trial.holds:
            result.converged = True
            return result
        if round_ == max_rounds:
            break
        failing = trial.failing() & measured
        unassured = ~trial.overall["assured"].to_numpy(dtype=bool)
        for target, overall, short in zip(
            targets, trial.overall.itertuples(), unassured, strict=True
        ):
            if short:
                bound = overall.ci_high if target.at_most else overall.ci_low
                gap = abs(bound - target.value) if not math.isnan(bound) else 0.0
                adjust[target.kpi][measured] += gap
            rows = trial.checks[
                (trial.checks["kpi"] == target.kpi) & trial.checks["significant_miss"]
            ]
            adjust[target.kpi][rows["position"].to_numpy()] += rows["shortfall"].to_numpy()
        proposed = erlang_requirement(scenario, targets, fixed, adjust)
        raised = np.where(measured, np.maximum(levels, proposed), levels)
        stuck = failing & (raised == levels)
        raised = raised + stuck
        if unassured.any() and (raised == levels).all():
            raised = raised + _worst(trial, measured)
        levels = raised
    result.converged = False
    return result


def _worst(trial: Trial, measured: np.ndarray) -> np.ndarray:
    """Where a handler does most for a whole-run target not yet assured: the third of the
    intervals missing it with the largest shortfall weighted by their calls (the whole-run
    KPI weighs intervals by their calls); every measured interval if none misses."""
    missed = trial.overall.loc[~trial.overall["assured"], "kpi"]
    rows = trial.checks[trial.checks["kpi"].isin(missed) & ~trial.checks["met"]]
    mask = np.zeros(INTERVALS_PER_WEEK, dtype=bool)
    if rows.empty:
        mask[measured] = True
        return mask
    score = (rows["shortfall"] * rows["calls"]).groupby(rows["position"]).sum()
    keep = max(1, math.ceil(len(score) / 3))
    mask[score.sort_values(ascending=False).index[:keep].to_numpy()] = True
    return mask
