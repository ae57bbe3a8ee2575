"""How many replications: a fixed count, or enough for a target confidence-interval half-width.

The target rule is the replications algorithm of Hoad, Robinson and Davies (2010), *Automated
selection of the number of replications for a discrete-event simulation*, JORS 61(11), as the
reproducible-model templates implement it: run replications one at a time; at each count ``n``
(from ``initial`` on) compute the 95% t interval of every targeted KPI; the answer is the first
``n`` at which every target is met *and stays met* over the next ``k(n)`` replications, where
``k(n) = look_ahead`` up to 100 replications and ``look_ahead`` per hundred beyond. All
``n + k(n)`` replications are kept: the look-ahead confirms the precision, and the extra runs
only narrow the interval. If no ``n`` qualifies before ``cap``, ``cap`` replications are run and
the result says the target was not met.

The decision depends only on the KPI values of replications ``0, 1, 2, ...`` in order, so it is
the same whatever the number of workers or the order in which replications finish.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special  # stdtrit is Student's t quantile; scipy.stats is slow to import

from ..config.errors import ControlroomError, Param, named

DEFAULT_INITIAL = 3
"""Replications before the first check (Hoad et al. start at 3)."""
DEFAULT_LOOK_AHEAD = 5
"""Look-ahead per 100 replications (Hoad et al. recommend 5)."""
DEFAULT_CAP = 100
"""Most replications a target may ask for (``--max-replications``)."""


class PrecisionError(ControlroomError, ValueError):
    """A ``target_half_width`` value (``--target-half-width``) is malformed; the message is one
    line naming the parameter."""


@dataclass(frozen=True)
class PrecisionTarget:
    """Half-width target for one KPI: absolute (in the KPI's unit) or relative to its mean."""

    kpi: str
    half_width: float
    relative: bool = False

    @classmethod
    def parse(cls, text: str) -> PrecisionTarget:
        """``KPI=VALUE`` (absolute, in the KPI's unit) or ``KPI=VALUE%`` (of the mean).

        ``answered_within_10s_999=0.005`` asks for +/-0.5 percentage points;
        ``mean_answer_s_101=5%`` asks for +/-5% of the mean.
        """
        where = Param("target_half_width", text)
        kpi, sep, value = text.partition("=")
        kpi, value = kpi.strip(), value.strip()
        if not sep or not kpi:
            raise named(PrecisionError, where, ": expected KPI=VALUE or KPI=VALUE%")
        relative = value.endswith("%")
        number_text = value[:-1].strip() if relative else value
        try:
            number = float(number_text)
        except ValueError:
            raise named(
                PrecisionError,
                where,
                f": expected a number > 0 (or a percentage such as 5%), found {value!r}",
            ) from None
        if not (number > 0 and math.isfinite(number)):
            raise named(PrecisionError, where, f": expected a half-width > 0, found {value!r}")
        if relative:
            number /= 100.0
        return cls(kpi=kpi, half_width=number, relative=relative)

    def describe(self) -> str:
        if self.relative:
            return f"{self.kpi} +/-{100 * self.half_width:g}% of the mean"
        return f"{self.kpi} +/-{self.half_width:g}"

    def as_dict(self) -> dict[str, object]:
        return {"kpi": self.kpi, "half_width": self.half_width, "relative": self.relative}


def half_width(values: Sequence[float], confidence: float = 0.95) -> tuple[float, float]:
    """``(mean, half-width)`` of the t interval of ``values`` (NaNs left out)."""
    array = np.asarray(values, dtype=float)
    array = array[~np.isnan(array)]
    n = len(array)
    if n < 2:
        return (float(array.mean()) if n else math.nan, math.inf)
    sd = float(array.std(ddof=1))
    t = float(special.stdtrit(n - 1, 0.5 + confidence / 2))
    return float(array.mean()), t * sd / math.sqrt(n)


def target_met(values: Sequence[float], target: PrecisionTarget) -> bool:
    mean, half = half_width(values)
    if not math.isfinite(half):
        return False
    if target.relative:
        if mean == 0:
            return half == 0
        return half / abs(mean) <= target.half_width
    return half <= target.half_width


@dataclass(frozen=True)
class ReplicationPlan:
    """A fixed number of replications, or targets with a cap (see the module docstring)."""

    count: int | None = None
    targets: tuple[PrecisionTarget, ...] = ()
    initial: int = DEFAULT_INITIAL
    cap: int = DEFAULT_CAP
    look_ahead: int = DEFAULT_LOOK_AHEAD

    def __post_init__(self) -> None:
        if (self.count is None) == (not self.targets):
            raise ValueError("a replication plan has either a count or targets")
        if self.count is not None and self.count < 1:
            raise ValueError("the replication count must be >= 1")
        if self.targets and not 2 <= self.initial <= self.cap:
            raise ValueError("need 2 <= initial replications <= cap")
        if self.look_ahead < 0:
            raise ValueError("look-ahead must be >= 0")

    @property
    def upper_bound(self) -> int:
        """No more replications than this are ever needed."""
        return self.count if self.count is not None else self.cap

    def look_ahead_at(self, n: int) -> int:
        """``k(n)``: replications that must confirm a target met at ``n``."""
        return (self.look_ahead * max(n, 100)) // 100

    def decide(self, kpis: Sequence[Mapping[str, Mapping[str, float]]]) -> int | None:
        """The number of replications, once it is known, else ``None``.

        ``kpis[r][scenario][kpi]`` is replication ``r``'s KPI value for each scenario; only
        the replications finished for every scenario, in order from 0, are given.
        """
        done = len(kpis)
        if self.count is not None:
            return self.count if done >= self.count else None
        found = self.confirmed(kpis)
        if found is not None:
            return found
        return self.cap if done >= self.cap else None

    def confirmed(self, kpis: Sequence[Mapping[str, Mapping[str, float]]]) -> int | None:
        """``n + k(n)`` for the first ``n`` whose target is met and confirmed within
        ``kpis`` and the cap, else ``None`` (not yet known, or never within the cap)."""
        done = len(kpis)
        met = [self._met_at(kpis, n) for n in range(1, done + 1)]
        for n in range(self.initial, done + 1):
            if not met[n - 1]:
                continue
            k = self.look_ahead_at(n)
            if n + k > self.cap:
                break
            window = range(n, min(n + k, done) + 1)
            if not all(met[m - 1] for m in window):
                continue
            if n + k > done:
                return None  # the earliest candidate still needs its look-ahead
            return n + k
        return None

    def _met_at(self, kpis: Sequence[Mapping[str, Mapping[str, float]]], n: int) -> bool:
        scenarios = kpis[0].keys() if kpis else ()
        for scenario in scenarios:
            for target in self.targets:
                values = [kpis[r][scenario].get(target.kpi, math.nan) for r in range(n)]
                if not target_met(values, target):
                    return False
        return True

    def report(self, kpis: Sequence[Mapping[str, Mapping[str, float]]]) -> dict[str, object]:
        """What the targets came to over ``kpis`` (for summary files and the terminal)."""
        out: dict[str, object] = {"replications": len(kpis)}
        if self.count is not None:
            out["rule"] = "fixed"
            return out
        out["rule"] = "target half-width (Hoad, Robinson and Davies 2010)"
        out["initial"], out["look_ahead"], out["cap"] = self.initial, self.look_ahead, self.cap
        rows = []
        scenarios = kpis[0].keys() if kpis else ()
        for scenario in scenarios:
            for target in self.targets:
                values = [k[scenario].get(target.kpi, math.nan) for k in kpis]
                mean, half = half_width(values)
                rows.append(
                    {
                        "scenario": scenario,
                        **target.as_dict(),
                        "mean": mean,
                        "achieved_half_width": half,
                        "met": target_met(values, target),
                    }
                )
        out["targets"] = rows
        # met: the rule found an n whose precision held over its look-ahead, not merely a
        # narrow interval at the cap
        out["met"] = bool(rows) and self.confirmed(kpis) is not None
        return out
