"""Call KPIs: each channel's answer, abandonment and callback figures, and the grading
(THRIVE) KPIs, from the measured calls.

Answer time is measured from the call being made (the Home Office clock, which includes any
BT stage) or from it reaching the force, as each channel's ``answer_clock`` says. Home Office
bands are shares of answered calls: under 10 s, 10 to under 60 s, 60 s or more.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from ..config.schema import Scenario
from ..config.vocabulary import CHECKS, GRADES, RISK_LEVELS


def clock_column(scenario: Scenario, channel: str) -> str:
    """The column a channel's answer time runs from: the call being made (``arrival_s``) or
    it reaching the force (``force_s``), as its ``answer_clock`` says."""
    return "force_s" if scenario.channels[channel].answer_clock == "force" else "arrival_s"


def answer_times(calls: pd.DataFrame, scenario: Scenario) -> pd.Series:
    """Answer time of each call (NaN if not answered), per its channel's answer clock."""
    start = calls["arrival_s"].to_numpy(copy=True)
    for name in scenario.channels:
        if clock_column(scenario, name) == "force_s":
            mask = (calls["channel"] == name).to_numpy()
            start[mask] = calls["force_s"].to_numpy()[mask]
    return calls["answered_s"] - start


# The columns the grading KPIs read: the graded calls are taken with these columns only, not
# as a copy of the whole calls table (a year of a large force has millions of calls).
_GRADING_COLUMNS = ("grade", "true_risk", "assessed_risk", *(f"{c}_done" for c in CHECKS))


def _rows(frame: pd.DataFrame, mask: pd.Series, columns: Iterable[str]) -> pd.DataFrame:
    """``frame[mask]`` with only those of ``columns`` it has."""
    return frame.loc[mask.to_numpy(), [c for c in columns if c in frame.columns]]


def _share(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0 else math.nan


def channel_kpis(
    calls: pd.DataFrame, scenario: Scenario, channel: str, rows: np.ndarray | None = None
) -> dict[str, float]:
    """The KPIs of one channel from the measured calls of one replication (of those in
    ``rows`` only, a mask over ``calls``, if given: one force's callers).

    The channel's calls are a mask, and each column is taken for them only when used, not as
    a copy of their rows (a year of a large force has millions of calls)."""
    mine = (calls["channel"] == channel).to_numpy()
    if rows is not None:
        mine = mine & rows
    codes, code = _outcome_codes(calls["outcome"])
    codes = codes[mine]

    def outcome(name: str) -> np.ndarray:
        return codes == code(name)

    def column(name: str) -> np.ndarray:
        return calls[name].to_numpy()[mine]

    offered = int(mine.sum())
    answered_mask = outcome("answered")
    times = column("answered_s") - column(clock_column(scenario, channel))
    wait = times[answered_mask]
    answered = int(answered_mask.sum())
    abandoned = int(outcome("abandoned").sum())
    within10 = int(np.count_nonzero(wait < 10.0))
    within60 = int(np.count_nonzero(wait < 60.0))
    out = {
        "offered": float(offered),
        "answered": float(answered),
        "abandoned": float(abandoned),
        "open": float(outcome("open").sum()),
        "abandon_rate": _share(abandoned, offered),
        "answered_within_10s": _share(within10, answered),
        "answered_10_to_59s": _share(within60 - within10, answered),
        "answered_60s_plus": _share(answered - within60, answered),
        "answered_within_10s_of_offered": _share(within10, offered),
        "answered_within_60s": _share(np.count_nonzero(wait <= 60.0), answered),
        "mean_answer_s": float(wait.mean()) if answered else math.nan,
        "p90_answer_s": float(np.quantile(wait, 0.9)) if answered else math.nan,
    }
    if channel == "101":
        # Every caller a handler spoke with, live or by a callback (the moment the callback
        # reached them), on the channel's answer clock: the same figure with or without
        # callbacks, so scenarios with and without them compare.
        reach = times[answered_mask | outcome("callback_answered")]
        out["mean_reach_s"] = float(reach.mean()) if len(reach) else math.nan
        out["p90_reach_s"] = float(np.quantile(reach, 0.9)) if len(reach) else math.nan
    if scenario.callback is not None and scenario.callback.enabled and channel == "101":
        requested = column("callback_accepted")
        reached = outcome("callback_answered")
        failed = outcome("callback_failed")
        out["callback_requested_rate"] = _share(int(requested.sum()), offered)
        out["callback_success_rate"] = _share(int(reached.sum()), int(reached.sum() + failed.sum()))
        delay = (column("answered_s") - column("callback_offered_s"))[reached]
        out["mean_callback_delay_s"] = float(delay.mean()) if reached.any() else math.nan
    return {f"{name}_{channel}": value for name, value in out.items()}


def grading_kpis(calls: pd.DataFrame) -> dict[str, float]:
    """Grades, under-grading and skipped THRIVE sub-tasks, over the calls that were graded."""
    graded = _rows(calls, calls["grade"].notna(), _GRADING_COLUMNS)
    n = len(graded)
    out: dict[str, float] = {}
    for grade in GRADES:
        out[f"graded_{grade}"] = _share(int((graded["grade"] == grade).sum()), n)
    true = graded["true_risk"].cat.codes.to_numpy()
    assessed = graded["assessed_risk"].cat.codes.to_numpy()
    out["graded_too_low"] = _share(int(np.count_nonzero(assessed < true)), n)
    high = true == RISK_LEVELS.index("high")
    out["true_emergencies_graded_lower"] = _share(
        int(np.count_nonzero(high & (graded["grade"] != "emergency").to_numpy())),
        int(high.sum()),
    )
    for check in CHECKS:
        done = graded[f"{check}_done"].to_numpy(dtype=bool, na_value=True)
        name = "advice_not_given" if check == "advice" else f"{check}_skipped"
        out[name] = _share(int(np.count_nonzero(~done)), n)
    return out


def _outcome_codes(outcome: pd.Series) -> tuple[np.ndarray, Callable[[str], object]]:
    """The outcomes as an array, and what stands for an outcome's name in it: the category
    codes of a categorical column (a year's calls as strings would make a large array)."""
    if not isinstance(outcome.dtype, pd.CategoricalDtype):
        return outcome.to_numpy(), lambda name: name
    names = list(outcome.cat.categories)
    return (
        outcome.cat.codes.to_numpy(),
        lambda name: names.index(name) if name in names else -2,  # -2: no call's code
    )
