"""``[[intraday_rules]]``: decisions the room takes while the day goes, by rule.

Control rooms watch the 10-second rate through the day and act on it: Humberside's dashboards
are "refreshed every two hours, seven days a week" with daily "pacesetter" meetings (seed
``001_4f8f4dbedc183eee.txt`` L4173-4189, where L4185 gives the two hours), so a rule checks
every ``check_every_min`` minutes (default 120 from that line) and acts when its measure is below
a threshold::

    [[intraday_rules]]
    name = "cancel_breaks"            # letters, digits, '_' or '-': it names KPIs
    check_every_min = 120             # checks at 120, 240, ... minutes of simulation time
    measure = "rolling_999_10s"       # share of 999 calls answered in the last window_min
    window_min = 30                   #   that were answered in under 10 s
    below = 0.80
    action = "cancel_breaks"          # breaks not yet started of the people on shift now
    cooldown_min = 0                  # after firing, no firing for this long
    max_times = 1                     # at most this often ...
    max_times_per = "day"             # ... a day (midnight to midnight) or a "run"

``action = "call_in"`` calls ``count`` handlers of ``group`` in, who arrive ``delay_min`` later
for ``hours`` (all of it overtime). ``cancel_breaks`` takes an optional ``group`` (default:
every group). An action is a name and the keys it needs (:data:`ACTION_KEYS`); a new action is a
new entry there and in the model's :mod:`controlroom_sim.model.intraday`.

The measure is defined in :mod:`controlroom_sim.analysis.intraday_kpis` (``rolling_rate``), from
the records, as the model computes it from the calls it has seen; a window with no answered
call gives no value and the rule does not fire.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, ValidationInfo, model_validator

from ..vocabulary import CHANNELS
from .base import KeyedError, NonNegativeFloat, PositiveHours, Probability, _Strict

MEASURES: tuple[str, ...] = tuple(f"rolling_{c}_10s" for c in CHANNELS)
"""What a rule can watch: a channel's rolling 10-second rate."""
Measure = Literal["rolling_999_10s", "rolling_101_10s"]

ACTION_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "cancel_breaks": ((), ("group",)),
    "call_in": (("group", "count", "delay_min", "hours"), ()),
    "pull_from_digital": (("hours",), ()),
}
"""Each action: the keys it needs, and the keys it may have."""
Action = Literal["cancel_breaks", "call_in", "pull_from_digital"]
_ACTION_FIELDS = ("group", "count", "delay_min", "hours")

Minutes = Annotated[float, Field(gt=0, le=525_960, allow_inf_nan=False)]
"""A time in minutes, up to a year."""


class IntradayRule(_Strict):
    """One rule: when to check, what to measure, the threshold, what to do, how often."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]*$", max_length=40)]
    check_every_min: Minutes = 120.0
    """Minutes between checks (seed 001 L4185: dashboards refreshed every two hours)."""
    measure: Measure = "rolling_999_10s"
    window_min: Minutes = 30.0
    """The rolling window the measure looks back over."""
    below: Probability
    """The rule fires when the measure is below this."""
    action: Action
    group: str | None = None
    """The handler group acted on (call_in: required; cancel_breaks: every group if absent)."""
    count: Annotated[int, Field(ge=1, le=10_000)] | None = None
    delay_min: NonNegativeFloat | None = None
    hours: PositiveHours | None = None
    cooldown_min: NonNegativeFloat = 0.0
    max_times: Annotated[int, Field(ge=1)] | None = None
    """At most this many firings per ``max_times_per``; absent: no limit."""
    max_times_per: Literal["run", "day"] = "run"

    @model_validator(mode="after")
    def _keys_of_the_action(self) -> IntradayRule:
        needs, may = ACTION_KEYS[self.action]
        for key in _ACTION_FIELDS:
            given = getattr(self, key) is not None
            if key in needs and not given:
                raise KeyedError(
                    key, f"expected this key with action = {self.action!r}, found it missing"
                )
            if given and key not in needs and key not in may:
                raise KeyedError(key, f"expected no {key} with action = {self.action!r}, found one")
        return self


def _against_the_scenario(rules: list[IntradayRule], info: ValidationInfo) -> list[IntradayRule]:
    """Rule names once, groups among the handler groups, measures of the scenario's channels
    (checked when those sections are valid; otherwise their own errors come first)."""
    data: dict[str, Any] = info.data
    groups = [g.name for g in data.get("handlers", [])]
    channels = data.get("channels")
    seen: set[str] = set()
    for i, rule in enumerate(rules):
        if rule.name in seen:
            raise KeyedError(f"{i}.name", f"expected a unique name, found {rule.name!r} again")
        seen.add(rule.name)
        if rule.group is not None and groups and rule.group not in groups:
            raise KeyedError(
                f"{i}.group", f"expected one of the handler groups {groups}, found {rule.group!r}"
            )
        channel = rule.measure.split("_")[1]
        if channels is not None and channel not in channels:
            raise KeyedError(
                f"{i}.measure",
                f"expected a measure of a channel of the scenario, found {rule.measure!r} "
                f"without a [channels.{channel}] section",
            )
    return rules


IntradayRules = Annotated[list[IntradayRule], AfterValidator(_against_the_scenario)]
"""The scenario's ``[[intraday_rules]]``, checked against its handlers and channels."""
