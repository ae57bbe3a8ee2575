"""The result of fitting one quantity (a talk time, a wrap-up time, a patience, a redial delay)
from a force's export: every candidate distribution with how well it fits, the one chosen, the
scenario distribution to write, and a 95% interval for its mean and sd, in a form fit.json can
hold (:meth:`DistributionFit.to_json`: plain numbers, strings and lists; None for what is
missing or not finite, never NaN)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..config.distributions import Empirical, Exponential, Gamma, LogNormal

ScenarioDistribution = Exponential | LogNormal | Gamma | Empirical
Interval = tuple[float, float]


@dataclass(frozen=True)
class Candidate:
    """One candidate distribution fitted to the data: its mean and sd, its log-likelihood and
    AIC (None for the empirical one, which has no likelihood to compare), and its distance to
    the data: ``KS`` (the Kolmogorov-Smirnov statistic, for fully observed values) or
    ``KM sup`` (the largest gap between its survival function and the Kaplan-Meier curve, for
    censored values)."""

    name: str
    mean: float
    sd: float
    log_likelihood: float | None
    aic: float | None
    distance: float | None
    distance_name: str

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "mean": number(self.mean),
            "sd": number(self.sd),
            "log_likelihood": number(self.log_likelihood),
            "aic": number(self.aic),
            "distance": number(self.distance),
            "distance_name": self.distance_name,
        }


@dataclass(frozen=True)
class DistributionFit:
    """A quantity's fit: ``n`` the values used, the ``chosen`` candidate's name and its
    scenario ``distribution`` (both None when nothing could be fitted: the notes say why), its
    ``mean`` and ``sd``, their 95% intervals, every candidate, a one-line ``method`` for
    provenance, and ``notes`` (values left out, assumptions that applied)."""

    quantity: str
    n: int
    chosen: str | None
    distribution: ScenarioDistribution | None
    mean: float | None
    sd: float | None
    mean_ci: Interval | None
    sd_ci: Interval | None
    candidates: list[Candidate]
    method: str
    notes: list[str] = field(default_factory=list)

    def candidate(self, name: str) -> Candidate | None:
        """The candidate of that name, if it was fitted."""
        return next((c for c in self.candidates if c.name == name), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "quantity": self.quantity,
            "n": int(self.n),
            "chosen": self.chosen,
            "distribution": None
            if self.distribution is None
            else self.distribution.model_dump(mode="json"),
            "mean": number(self.mean),
            "sd": number(self.sd),
            "mean_ci": interval(self.mean_ci),
            "sd_ci": interval(self.sd_ci),
            "candidates": [c.to_json() for c in self.candidates],
            "method": self.method,
            "notes": list(self.notes),
        }


def number(value: float | None) -> float | None:
    """A plain float, or None for a missing or non-finite value (JSON has no NaN)."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def interval(bounds: tuple[float, float] | None) -> list[float | None] | None:
    """An interval as a two-item list of plain floats (None for a missing one)."""
    return None if bounds is None else [number(bounds[0]), number(bounds[1])]


def count(n: int, noun: str) -> str:
    """``1 call``, ``52,311 calls``: a count with its noun, for notes and methods."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"
