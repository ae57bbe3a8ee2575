"""THRIVE grading in the call: pure functions from a caller's draws to a type, a risk and a grade.

Nothing here touches SimPy. The model draws uniform numbers (and sub-task times) when a call
arrives and passes them in; the same draws always give the same grade.

The rules (docs/model.md, "Grading"):

* the call's type comes from the channel's mix, its true risk from the type's risk table, and
  whether the caller is vulnerable or a repeat victim from the type's probabilities;
* a type with its own ``talk_s`` or ``wrap_s`` on the channel has its calls take that in place
  of the channel's (drawn from the type's own stream, so other calls keep their draws);
* each THRIVE sub-task is done or skipped (``skip_probability``); done ones add their time to
  the talk time;
* a skipped check whose risk factor is present (repeat-victim check and a repeat victim;
  vulnerability check and a vulnerable caller; risk assessment and any caller) lets the risk be
  assessed one level too low with ``miss_probability``; misses add up, down to "none";
* the grade follows the assessed risk (high: emergency, medium: priority, low: scheduled, none:
  resolved without deployment), and a call assessed as needing no police action is referred to
  a partner with the type's ``refer_probability``.

Sources: the seeds' THRIVE description (002 L3384–3437), the audits of missed checks (001
L1404–1416: 32% repeat-victim and 23% vulnerability checks not done) and of advice not given
(001 L1651–1653: 34%), and hidden risk in calls that look low-level (001 L1398–1402).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config.schema import Check, Scenario
from ..config.vocabulary import CHECKS, GRADE_FOR_RISK, GRADES, RISK_LEVELS

REFERRED = GRADES.index("referred")
_GRADE_INDEX = tuple(GRADES.index(g) for g in GRADE_FOR_RISK)
# Which caller attribute a skipped check can miss: repeat victim, vulnerable, anyone, nobody.
_FACTOR = {
    "repeat_check": "repeat",
    "vulnerability_check": "vulnerable",
    "risk_assessment": "any",
    "advice": None,
}


@dataclass(frozen=True)
class Assessment:
    """What the handler's assessment found (indices into the module's level and grade names)."""

    call_type: int
    true_risk: int
    vulnerable: bool
    repeat_victim: bool
    done: tuple[bool, ...]
    """For each sub-task of :data:`CHECKS`: done (True) or skipped (False)."""
    checks_s: float
    """Talk time the sub-tasks that were done took."""
    assessed_risk: int
    grade: int


class Grader:
    """Grading of one channel's calls under a scenario's call types and THRIVE settings."""

    def __init__(self, scenario: Scenario, channel: str) -> None:
        types = scenario.call_types
        shares = np.array([t.share.get(channel, 0.0) for t in types])
        self.type_cumulative = np.cumsum(shares) / shares.sum() if shares.sum() > 0 else shares
        self.risk_cumulative = [np.cumsum(t.risk_probabilities()) for t in types]
        self.types = types
        thrive = scenario.thrive
        self.checks: list[tuple[str, Check]] = []
        if thrive is not None:
            for name in CHECKS:
                check = getattr(thrive, name)
                if check is not None:
                    self.checks.append((name, check))
        self.miss_probability = thrive.miss_probability if thrive is not None else 0.0
        # The types with their own talk (wrap-up) time on this channel: (type, its time), and
        # for each such type its place among them (the call's draw of that type's stream).
        self.own_talk = [(k, t.talk_s[channel]) for k, t in enumerate(types) if channel in t.talk_s]
        self.own_wrap = [(k, t.wrap_s[channel]) for k, t in enumerate(types) if channel in t.wrap_s]
        self.talk_slot = {k: slot for slot, (k, _) in enumerate(self.own_talk)}
        self.wrap_slot = {k: slot for slot, (k, _) in enumerate(self.own_wrap)}

    @property
    def check_names(self) -> list[str]:
        return [name for name, _ in self.checks]

    def classify(
        self, type_u: float, risk_u: float, vulnerable_u: float, repeat_u: float
    ) -> tuple[int, int, bool, bool]:
        """Call type, true risk, vulnerable, repeat victim, from four uniform draws."""
        call_type = _pick(self.type_cumulative, type_u)
        true_risk = _pick(self.risk_cumulative[call_type], risk_u)
        spec = self.types[call_type]
        return (
            call_type,
            true_risk,
            vulnerable_u < spec.vulnerable_probability,
            repeat_u < spec.repeat_victim_probability,
        )

    def assess(
        self,
        call_type: int,
        true_risk: int,
        vulnerable: bool,
        repeat_victim: bool,
        skip_u: tuple[float, ...],
        miss_u: tuple[float, ...],
        check_s: tuple[float, ...],
        refer_u: float,
    ) -> Assessment:
        """The assessment, given one skip draw, miss draw and time per modelled sub-task."""
        done = []
        checks_s = 0.0
        misses = 0
        present = {"repeat": repeat_victim, "vulnerable": vulnerable, "any": True, None: False}
        for (name, check), s_u, m_u, t in zip(self.checks, skip_u, miss_u, check_s, strict=True):
            is_done = s_u >= check.skip_probability
            done.append(is_done)
            if is_done:
                checks_s += t
            elif present[_FACTOR[name]] and m_u < self.miss_probability:
                misses += 1
        assessed = max(true_risk - misses, 0)
        grade = _GRADE_INDEX[assessed]
        if assessed == 0 and refer_u < self.types[call_type].refer_probability:
            grade = REFERRED
        by_name = dict(zip(self.check_names, done, strict=True))
        return Assessment(
            call_type=call_type,
            true_risk=true_risk,
            vulnerable=vulnerable,
            repeat_victim=repeat_victim,
            done=tuple(by_name.get(name, True) for name in CHECKS),
            checks_s=checks_s,
            assessed_risk=assessed,
            grade=grade,
        )


def _pick(cumulative: np.ndarray, u: float) -> int:
    """The first index whose cumulative probability exceeds ``u``."""
    index = int(np.searchsorted(cumulative, u, side="right"))
    return min(index, len(cumulative) - 1)


__all__ = ["GRADES", "RISK_LEVELS", "Assessment", "Grader"]
