"""Service targets of the staffing requirement: a KPI of one channel and the value it must reach.

A target's ``KPI=VALUE`` text is parsed here (``answered_within_10s_999=0.90``,
``abandon_rate_101=10%``), given as ``targets`` (``--target`` on the command line); the KPI
families say which columns of a run's interval table estimate each target.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Sequence
from dataclasses import dataclass

from ..config.errors import ControlroomError, Param, named
from ..config.schema import Scenario


class RequirementError(ControlroomError, ValueError):
    """A staffing request that cannot be met or makes no sense; the message is one line."""


# KPI family -> (interval table numerator, denominator, at most?, answer-time threshold s)
KPI_FAMILIES: dict[str, tuple[str, str, bool, float | None]] = {
    "answered_within_10s": ("answered_within_10s", "answered", False, 10.0),
    "answered_within_10s_of_offered": ("answered_within_10s", "offered", False, 10.0),
    "answered_within_60s": ("answered_within_60s", "answered", False, 60.0),
    "abandon_rate": ("abandoned", "offered", True, None),
    "mean_answer_s": ("answer_s_sum", "answered", True, None),
}


@dataclass(frozen=True)
class StaffTarget:
    """A service target: a KPI of one channel and the value it must reach (or stay under)."""

    kpi: str
    family: str
    channel: str
    value: float

    @property
    def at_most(self) -> bool:
        """True for KPIs that must stay at or below the value (abandonment, mean answer)."""
        return KPI_FAMILIES[self.family][2]

    @classmethod
    def parse(cls, text: str) -> StaffTarget:
        """``KPI=VALUE``, e.g. ``answered_within_10s_999=0.90`` or ``abandon_rate_101=10%``."""
        given = Param("targets", text, quote=True)
        kpi, sep, raw = text.partition("=")
        kpi, raw = kpi.strip(), raw.strip()
        if not sep or not kpi or not raw:
            raise named(RequirementError, given, ": expected KPI=VALUE")
        family, _, channel = kpi.rpartition("_")
        if family not in KPI_FAMILIES or channel not in ("999", "101"):
            names = ", ".join(f"{f}_<channel>" for f in KPI_FAMILIES)
            known = [f"{f}_{c}" for f in KPI_FAMILIES for c in ("999", "101")]
            near = difflib.get_close_matches(kpi, known, n=1)
            hint = f"; did you mean {near[0]}?" if near else ""
            raise named(RequirementError, given, f": expected a KPI among {names}{hint}")
        percent = raw.endswith("%")
        try:
            value = float(raw[:-1] if percent else raw)
        except ValueError:
            raise named(RequirementError, given, f": expected a number, found {raw!r}") from None
        if percent:
            value /= 100.0
        if family == "mean_answer_s":
            if percent or not (math.isfinite(value) and value > 0):
                raise named(
                    RequirementError,
                    given,
                    f": expected a positive number of seconds, found {raw!r}",
                )
        elif not 0.0 < value < 1.0:
            raise named(
                RequirementError,
                given,
                f": expected a share between 0 and 1 (or 0% and 100%), found {raw!r}",
            )
        return cls(kpi=kpi, family=family, channel=channel, value=value)

    def met(self, estimate: float) -> bool:
        """True if ``estimate`` meets the target (NaN: no calls, nothing to miss)."""
        if math.isnan(estimate):
            return True
        return estimate <= self.value if self.at_most else estimate >= self.value

    def adjusted(self, correction: float) -> float:
        """The value made stricter by ``correction`` (>= 0), kept attainable."""
        if self.family == "mean_answer_s":
            return max(self.value - correction, 0.1)
        if self.at_most:
            return max(self.value - correction, 1e-4)
        return min(self.value + correction, 0.999)

    def describe(self) -> str:
        sign = "<=" if self.at_most else ">="
        if self.family == "mean_answer_s":
            return f"{self.kpi} {sign} {self.value:g} s"
        return f"{self.kpi} {sign} {self.value:.1%}"


DEFAULT_TARGET = "answered_within_10s_999=0.90"
"""The national standard: 90% of 999 calls answered within 10 seconds (seed 001 L1164-1170)."""


def check_targets(scenario: Scenario, targets: Sequence[StaffTarget]) -> None:
    """Every target's channel must have calls in the scenario."""
    if not targets:
        raise named(RequirementError, "expected at least one ", Param("targets", "KPI=VALUE"))
    seen = set()
    for target in targets:
        if target.kpi in seen:
            raise named(RequirementError, Param("targets", target.kpi), ": given twice")
        seen.add(target.kpi)
        channel = scenario.channels.get(target.channel)
        if channel is None or channel.calls_per_day <= 0:
            raise named(
                RequirementError,
                Param("targets", target.kpi),
                f": the scenario has no {target.channel} calls",
            )
