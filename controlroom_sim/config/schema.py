"""The scenario schema: what a scenario file may say, validated with pydantic.

Unknown keys are rejected everywhere. Every default below is either a switch that leaves a
mechanism off (no BT stage, nobody abandons, no redials, no callbacks) or a run-control setting;
the numbers that describe a real control room live in ``scenarios/baseline.toml`` with their
provenance. Reading files is :mod:`controlroom_sim.config.loading`'s job, not this module's; the
words a scenario is written in (channels, grades, weekdays, intervals) are in
:mod:`controlroom_sim.config.vocabulary`.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .distributions import MAX_MEAN_S, Distribution, Exponential, Fixed
from .errors import ControlroomError
from .vocabulary import (
    CHANNELS,
    DAY_SETS,
    INTERVAL_S,
    INTERVALS_PER_WEEK,
    RESPONSE_GRADES,
    RISK_LEVELS,
    WEEKDAYS,
    ChannelName,
    ResponseGrade,
    RiskLevel,
    Weekday,
    clock_to_seconds,
)

Probability = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
PositiveFloat = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNegativeFloat = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class KeyedError(ControlroomError, ValueError):
    """A problem found by a whole-model check, at a key path below that model."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


class _Strict(BaseModel):
    # strict: a number in quotes or true/false where a number belongs is an error, not a guess.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class RunSettings(_Strict):
    """``[scenario]``: name, horizon and run control."""

    name: Annotated[str, Field(min_length=1)]
    description: str = ""
    days: PositiveFloat = 7.0
    """Measured horizon after the warm-up, in days (may be fractional)."""
    warmup_hours: NonNegativeFloat = 24.0
    """Simulated before measurement starts; calls arriving then are not counted."""
    cooldown_hours: NonNegativeFloat = 2.0
    """Simulated after the horizon (arrivals go on) so calls offered near its end can finish."""
    start_weekday: Weekday = "monday"
    """Weekday of the first measured day."""
    replications: Annotated[int, Field(ge=1, le=100_000)] = 10
    seed: Annotated[int, Field(ge=0, lt=2**63)] = 1


class Channel(_Strict):
    """``[channels.NAME]``: demand and caller behaviour of one channel."""

    calls_per_day: NonNegativeFloat
    """Mean calls a day over a week (the profile shapes them over the week)."""
    profile: str | None = None
    """CSV of 15-minute weights over a week (or a day); flat when absent."""
    priority: Annotated[int, Field(ge=0)] | None = None
    """Lower is answered first; default: 999 is 0, 101 is 1."""
    bt_connect_s: Distribution | None = None
    """The BT operator stage before a call reaches the force; absent: none."""
    answer_clock: Literal["call", "force"] = "call"
    """Where the answer-time clock starts: when the call is made, or when it reaches the force."""
    talk_s: Distribution
    wrap_s: Distribution | None = None
    """Wrap-up after the caller hangs up; absent: none."""
    patience_s: Distribution | None = None
    """How long a caller waits before giving up; absent: nobody abandons."""
    redial_probability: Probability = 0.0
    """Chance that a caller who abandoned rings the same number again."""
    redial_delay_s: Distribution = Exponential(dist="exponential", mean=60.0)
    """Time from abandoning to redialling (assumption: no public figure)."""
    max_redials: Annotated[int, Field(ge=0)] = 3
    """A caller redials at most this many times (assumption)."""
    abandon_to_999_probability: Probability = 0.0
    """101 only: chance that a caller who abandoned rings 999 instead."""
    abandon_to_999_delay_s: Distribution = Fixed(dist="fixed", value=30.0)
    """101 only: time from abandoning 101 to ringing 999 (assumption)."""

    # Weights per 15-minute interval of the week, filled in by the loader from ``profile``.
    profile_weights: tuple[float, ...] | None = Field(default=None, exclude=True, repr=False)

    def rate_per_interval(self) -> np.ndarray:
        """Arrival rate (calls per second) in each of the week's 672 15-minute intervals."""
        if self.profile_weights is None:
            weights = np.ones(INTERVALS_PER_WEEK)
        else:
            weights = np.asarray(self.profile_weights, dtype=float)
        share = weights / weights.sum()
        return self.calls_per_day * 7.0 * share / INTERVAL_S


class Callback(_Strict):
    """``[callback]``: the 101 callback (Q-Buster) that keeps the caller's place."""

    enabled: bool = True
    offer_after_wait_s: NonNegativeFloat = 120.0
    offer_rule: Literal["waited", "predicted"] = "waited"
    """``waited``: offered once the caller has waited ``offer_after_wait_s``; ``predicted``:
    offered on reaching the queue when the predicted wait exceeds it."""
    accept_probability: Probability
    attempt_success_probability: Probability = 1.0
    max_attempts: Annotated[int, Field(ge=1)] = 1
    attempt_s: Distribution = Fixed(dist="fixed", value=30.0)
    """Handler time on an attempt that does not reach the caller (assumption)."""
    retry_after_s: Distribution = Fixed(dist="fixed", value=600.0)
    """Delay before a failed attempt is tried again (assumption)."""


class Break(_Strict):
    """A break inside a shift: it starts ``after_hours`` into the shift, or when the call in
    hand ends, and lasts ``minutes``.

    With ``spread_hours`` the handlers of the shift line take it in turn: the k-th of n starts
    ``k × spread_hours / n`` later, so the room never empties for a break.
    """

    after_hours: NonNegativeFloat
    minutes: PositiveFloat
    spread_hours: NonNegativeFloat = 0.0

    def start_offsets_s(self, count: int) -> list[float]:
        """Seconds after the shift start at which each of ``count`` handlers is due a break."""
        return [
            (self.after_hours + k * self.spread_hours / max(count, 1)) * 3600.0
            for k in range(count)
        ]


class Shift(_Strict):
    """One shift line of a handler group's rota."""

    start: str
    hours: Annotated[float, Field(gt=0, le=24, allow_inf_nan=False)]
    days: str | list[str] = "daily"
    count: Annotated[int, Field(ge=0)]
    breaks: list[Break] = []

    @field_validator("start")
    @classmethod
    def _clock(cls, value: str) -> str:
        clock_to_seconds(value)
        return value

    @field_validator("days")
    @classmethod
    def _days(cls, value: str | list[str]) -> str | list[str]:
        names = [value] if isinstance(value, str) else value
        for name in names:
            if name not in DAY_SETS and name not in WEEKDAYS:
                raise ValueError(
                    f"expected 'daily', 'weekdays', 'weekends' or weekday names, found {name!r}"
                )
        return value

    @model_validator(mode="after")
    def _breaks_inside(self) -> Shift:
        for brk in self.breaks:
            latest = brk.after_hours + brk.spread_hours
            if latest + brk.minutes / 60.0 > self.hours:
                raise ValueError(
                    f"a break {latest:g} h into the shift lasting {brk.minutes:g} min "
                    f"ends after the {self.hours:g}-hour shift"
                )
        return self

    @property
    def start_s(self) -> float:
        return clock_to_seconds(self.start)

    def weekdays(self) -> tuple[int, ...]:
        """Indices (Monday = 0) of the days this shift starts on."""
        names = [self.days] if isinstance(self.days, str) else self.days
        out: set[int] = set()
        for name in names:
            out.update(WEEKDAYS.index(d) for d in DAY_SETS.get(name, (name,)))
        return tuple(sorted(out))


ForceName = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]*$", max_length=40)]
"""A force's name: a letter, then letters, digits, '_' or '-' (it becomes part of KPI names)."""


class Force(_Strict):
    """``[[forces]]``: one force whose calls the room takes, and its share of each channel.

    A room that takes calls for several forces (a merged or collaborating control room) lists
    them here. Each force's calls arrive as a Poisson process of their own: the channel's rate
    times the force's share (with the channel's weekly profile), times any surge on that force.
    Handler groups take every force's calls unless they name ``forces``.
    """

    name: ForceName
    share: Annotated[dict[ChannelName, Probability], Field(min_length=1)]
    """Share of each channel's calls that are this force's (each channel's shares sum to 1)."""


class RotaGroup(_Strict):
    """People with the same rota: on duty around the clock (``count``) or on ``shifts``."""

    name: Annotated[str, Field(min_length=1)]
    count: Annotated[int, Field(ge=0)] | None = None
    """People on duty around the clock (when there are no shifts)."""
    shifts: list[Shift] | None = None

    @model_validator(mode="after")
    def _count_or_shifts(self) -> RotaGroup:
        if self.count is None and self.shifts is None:
            raise ValueError("expected 'count' (around the clock) or 'shifts', found neither")
        if self.count is not None and self.shifts is not None:
            raise ValueError("expected 'count' (around the clock) or 'shifts', not both")
        return self

    @property
    def headcount(self) -> int:
        if self.count is not None:
            return self.count
        return sum(s.count for s in self.shifts or [])


class HandlerGroup(RotaGroup):
    """``[[handlers]]``: call handlers with the same skills and rota."""

    skills: Annotated[list[ChannelName], Field(min_length=1)]
    forces: Annotated[list[ForceName], Field(min_length=1)] | None = None
    """With ``[[forces]]``: the forces whose calls the group takes; absent: every force's."""

    @field_validator("forces")
    @classmethod
    def _unique_forces(cls, value: list[str] | None) -> list[str] | None:
        repeated = sorted({f for f in value if value.count(f) > 1}) if value else []
        if repeated:
            raise ValueError(f"expected each force once, found {repeated[0]!r} twice")
        return value

    @field_validator("skills")
    @classmethod
    def _unique_skills(cls, value: list[str]) -> list[str]:
        repeated = sorted({s for s in value if value.count(s) > 1})
        if repeated:
            raise ValueError(f"expected each channel once, found {repeated[0]!r} twice")
        return value


class Surge(_Strict):
    """``[[surges]]``: multiply channels' arrival rates over a window."""

    channels: Annotated[list[ChannelName], Field(min_length=1)]
    forces: Annotated[list[ForceName], Field(min_length=1)] | None = None
    """With ``[[forces]]``: the forces whose calls surge; absent: every force's."""
    day: Annotated[int, Field(ge=1)]
    """Measured day the surge starts on (1 = the first measured day)."""
    start: str
    hours: PositiveFloat
    multiplier: NonNegativeFloat

    @field_validator("start")
    @classmethod
    def _clock(cls, value: str) -> str:
        clock_to_seconds(value)
        return value


class CallType(_Strict):
    """``[[call_types]]``: a kind of call, its share of each channel and its true risk."""

    name: Annotated[str, Field(min_length=1)]
    share: Annotated[dict[ChannelName, Probability], Field(min_length=1)]
    """Share of each channel's calls that are of this type."""
    risk: Annotated[dict[RiskLevel, Probability], Field(min_length=1)]
    """Probabilities of the caller's true risk level (they sum to 1)."""
    vulnerable_probability: Probability = 0.0
    repeat_victim_probability: Probability = 0.0
    refer_probability: Probability = 0.0
    """Chance that a call assessed as needing no police action is referred to a partner."""

    @field_validator("risk")
    @classmethod
    def _sums_to_one(cls, value: dict[str, float]) -> dict[str, float]:
        total = sum(value.values())
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"expected probabilities that sum to 1, found a sum of {total:g}")
        return value

    def risk_probabilities(self) -> np.ndarray:
        """Probabilities of the risk levels in RISK_LEVELS order."""
        return np.array([self.risk.get(level, 0.0) for level in RISK_LEVELS])


class Check(_Strict):
    """A THRIVE sub-task: the time it takes when done, and how often it is skipped."""

    time_s: Distribution
    skip_probability: Probability = 0.0


class Thrive(_Strict):
    """``[thrive]``: the sub-tasks of the assessment in the call, and what skipping costs.

    A sub-task that is absent is not modelled (it takes no time and is never skipped). A
    skipped check whose risk factor is present (the repeat-victim check for a repeat victim,
    the vulnerability check for a vulnerable caller, the risk assessment for anyone) lets the
    risk be assessed one level too low with ``miss_probability``; misses add up.
    """

    repeat_check: Check | None = None
    vulnerability_check: Check | None = None
    risk_assessment: Check | None = None
    advice: Check | None = None
    """Safety and evidence-preservation advice: time when given; skipping it is a quality gap."""
    miss_probability: Probability = 0.5


class Appointments(_Strict):
    """``[dispatch.appointments]``: scheduled incidents are booked into appointment slots.

    A scheduled incident books the first slot that starts at least ``earliest_hours`` after
    the call ends and has fewer than ``per_slot`` bookings; it joins the dispatch queue when
    its slot starts, and is on time if an officer arrives within ``target_hours`` of that.
    """

    earliest_hours: NonNegativeFloat = 2.0
    slot_hours: PositiveFloat = 1.0
    per_slot: Annotated[int, Field(ge=1)]
    target_hours: PositiveFloat = 1.0


class Suppression(_Strict):
    """``[dispatch.suppression]``: downgrading grades when the backlog is long (demand
    suppression, seed 002 L527–531, L3412–3422). When more than ``backlog_threshold`` incidents
    are waiting, a share of emergency and priority grades is lowered one step."""

    enabled: bool = True
    backlog_threshold: Annotated[int, Field(ge=0)]
    share: Probability


class Reassessment(_Strict):
    """``[dispatch.reassessment]``: reviewing waiting incidents every ``every_hours``.

    A review finds a waiting incident whose true risk has risen above its grade and upgrades
    it (it keeps its age in the queue). Each review takes ``review_s`` of a dispatcher's time
    when there are ``[[dispatchers]]`` (after allocations); without dispatchers reviews are
    instant and their time is only counted, as ``review_hours``.
    """

    every_hours: PositiveFloat
    review_s: Distribution = Fixed(dist="fixed", value=120.0)


class FailureDemand(_Strict):
    """``[dispatch.failure_demand]``: repeat 101 calls about unresolved matters (seed 001
    L4145–4153: 21% of one force's 101 calls in a week).

    A caller whose incident is still waiting ``after_wait_hours`` after the call rings 101
    again with ``waiting_probability``; a caller whose call was resolved on the phone rings
    again after ``resolved_delay_s`` with ``resolved_probability``. A repeat call is an update
    about the same matter: it takes handler time but raises no new incident.
    """

    after_wait_hours: PositiveFloat = 24.0
    waiting_probability: Probability = 0.0
    resolved_probability: Probability = 0.0
    resolved_delay_s: Distribution = Fixed(dist="fixed", value=86400.0)


class Dispatch(_Strict):
    """``[dispatch]``: incidents that need attendance, sent to response officers.

    An incident is raised when a call graded emergency, priority or scheduled ends. Waiting
    incidents are served by grade, then age. An officer travels (urban or rural) and stays on
    scene, then takes the next incident.
    """

    travel_s: Distribution
    """Travel time to an urban incident."""
    rural_share: Probability = 0.0
    rural_travel_s: Distribution | None = None
    """Travel time to a rural incident (needed when rural_share > 0)."""
    on_scene_s: dict[ResponseGrade, Distribution]
    """Time on scene, by grade."""
    targets_min: dict[ResponseGrade, PositiveFloat] = {"emergency": 15.0, "priority": 60.0}
    """Attendance targets for urban incidents, minutes."""
    rural_targets_min: dict[ResponseGrade, PositiveFloat] = {"emergency": 20.0}
    """Targets for rural incidents where they differ, minutes."""
    divert: bool = False
    """An emergency with no officer free takes an officer travelling to a lower grade."""
    allocation_s: Distribution | None = None
    """Dispatcher time to allocate an incident to an officer (needs [[dispatchers]])."""
    escalation_per_hour: NonNegativeFloat = 0.0
    """Rate at which a waiting incident's true risk rises one level (at most once)."""
    appointments: Appointments | None = None
    suppression: Suppression | None = None
    reassessment: Reassessment | None = None
    failure_demand: FailureDemand | None = None

    @field_validator("escalation_per_hour")
    @classmethod
    def _escalation(cls, value: float) -> float:
        # The time to escalate is drawn with mean 3600 / rate, which must be a mean a time
        # distribution may have (at most MAX_MEAN_S: a rate of once in 30,000 years).
        least = 3600.0 / MAX_MEAN_S
        if 0 < value < least:
            raise ValueError(f"expected 0 or at least {least:g} an hour, found {value:g}")
        return value

    @model_validator(mode="after")
    def _complete(self) -> Dispatch:
        missing = [g for g in RESPONSE_GRADES if g not in self.on_scene_s]
        if missing:
            raise KeyedError(
                "on_scene_s", f"expected a time for every grade, found none for {missing[0]!r}"
            )
        if self.rural_share > 0 and self.rural_travel_s is None:
            raise KeyedError(
                "rural_travel_s", "expected a travel time for rural incidents, found none"
            )
        return self

    def target_s(self, grade: str, rural: bool) -> float:
        """The attendance target of an incident, seconds (inf when none is set)."""
        minutes = (self.rural_targets_min.get(grade) if rural else None) or self.targets_min.get(
            grade
        )
        return minutes * 60.0 if minutes is not None else math.inf


class SupportWorkers(RotaGroup):
    """``[[support_workers]]``: staff to whom handlers pass calls of some types (a Mind support
    worker, seed 004: one worker 13:00–23:00 daily).

    When a handler answers a call of one of ``call_types`` and a worker is free, the handler
    spends ``handover_s`` and is free again; the worker talks with the caller for ``talk_s``
    and asks for attendance with ``attendance_probability`` (the incident keeps the call's
    response grade, or is graded priority). Otherwise the handler deals with the call.
    """

    call_types: Annotated[list[str], Field(min_length=1)]
    handover_s: Distribution = Fixed(dist="fixed", value=60.0)
    talk_s: Distribution
    attendance_probability: Probability = 0.0


class Scenario(_Strict):
    """A whole scenario, as read from a TOML file (after ``extends`` and ``--set``)."""

    scenario: RunSettings
    channels: dict[ChannelName, Channel] = {}
    callback: Callback | None = None
    forces: list[Force] = []
    """``[[forces]]``: the forces whose calls the room takes; absent: one force."""
    handlers: Annotated[list[HandlerGroup], Field(min_length=1)]
    surges: list[Surge] = []
    call_types: list[CallType] = []
    """Call types and true risk; absent: calls are not typed or graded."""
    thrive: Thrive | None = None
    """THRIVE sub-tasks in the call; absent (with call types): grading is exact and instant."""
    dispatch: Dispatch | None = None
    """Dispatch of incidents to response officers; absent: nothing is dispatched."""
    officers: list[RotaGroup] = []
    """``[[officers]]``: response officers on rotas (needed with [dispatch])."""
    dispatchers: list[RotaGroup] = []
    """``[[dispatchers]]``: staff who allocate incidents to officers (optional)."""
    support_workers: list[SupportWorkers] = []
    provenance: dict[str, str] = {}
    """Where each parameter comes from: key path -> seed line, public figure or assumption."""

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        if sum(group.headcount for group in self.handlers) == 0:
            raise KeyedError(
                "handlers", "expected at least one handler on duty, found a total count of 0"
            )
        seen: set[str] = set()
        for i, group in enumerate(self.handlers):
            if group.name in seen:
                raise KeyedError(
                    f"handlers.{i}.name", f"expected a unique name, found {group.name!r} again"
                )
            seen.add(group.name)
        for name, channel in self.channels.items():
            if channel.calls_per_day > 0 and not any(
                name in g.skills and g.headcount > 0 for g in self.handlers
            ):
                raise KeyedError(
                    f"channels.{name}",
                    f"has calls, so expected a handler group with the skill '{name}' and "
                    "someone on duty, found none",
                )
            if name != "101" and channel.abandon_to_999_probability > 0:
                raise KeyedError(
                    f"channels.{name}.abandon_to_999_probability",
                    f"applies to channel 101 only, found it on {name}",
                )
            if channel.abandon_to_999_probability + channel.redial_probability > 1:
                raise KeyedError(
                    f"channels.{name}.redial_probability",
                    "expected redial_probability + abandon_to_999_probability <= 1, found "
                    f"{channel.redial_probability + channel.abandon_to_999_probability:g}",
                )
        self._check_forces()
        self._check_call_types()
        self._check_dispatch()
        self._check_support_workers()
        if (
            self.dispatch is not None
            and self.dispatch.failure_demand is not None
            and "101" not in self.channels
        ):
            raise KeyedError(
                "dispatch.failure_demand", "expected a [channels.101] section, found none"
            )
        if (
            "101" in self.channels
            and self.channels["101"].abandon_to_999_probability > 0
            and "999" not in self.channels
        ):
            raise KeyedError(
                "channels.101.abandon_to_999_probability",
                "expected a [channels.999] section for callers to ring, found none",
            )
        return self

    def _check_forces(self) -> None:
        names = [f.name for f in self.forces]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise KeyedError(
                    f"forces.{i}.name", f"expected a unique name, found {name!r} again"
                )
        for key, groups in (("handlers", self.handlers), ("surges", self.surges)):
            for i, group in enumerate(groups):
                for j, name in enumerate(group.forces or []):
                    if not names:
                        raise KeyedError(
                            f"{key}.{i}.forces", "expected [[forces]] to name, found none"
                        )
                    if name not in names:
                        raise KeyedError(
                            f"{key}.{i}.forces.{j}",
                            f"expected the name of a force ({', '.join(names)}), found {name!r}",
                        )
        if not names:
            return
        for i, force in enumerate(self.forces):
            for channel in force.share:
                if channel not in self.channels:
                    raise KeyedError(
                        f"forces.{i}.share.{channel}",
                        f"expected a channel of the scenario, found {channel!r}",
                    )
        for channel, spec in self.channels.items():
            if spec.calls_per_day <= 0:
                continue
            total = sum(f.share.get(channel, 0.0) for f in self.forces)
            if abs(total - 1.0) > 1e-9:
                raise KeyedError(
                    "forces",
                    f"expected the forces' shares of channel {channel} to sum to 1, "
                    f"found {total:g}",
                )
            for i, force in enumerate(self.forces):
                if force.share.get(channel, 0.0) > 0 and not any(
                    channel in g.skills
                    and (g.forces is None or force.name in g.forces)
                    and g.headcount > 0
                    for g in self.handlers
                ):
                    raise KeyedError(
                        f"forces.{i}",
                        f"has {channel} calls, so expected a handler group that takes "
                        f"{force.name}'s {channel} calls with someone on duty, found none",
                    )

    @property
    def force_names(self) -> tuple[str, ...]:
        """The forces' names in file order; empty for a single-force room."""
        return tuple(f.name for f in self.forces)

    def only_forces(self, names: list[str] | tuple[str, ...]) -> Scenario:
        """This scenario as a room that takes only ``names``' calls: each channel's calls a day
        cut to those forces' shares (renormalised), handler groups and surges limited to them
        (groups that take none of them left out). Officers, dispatchers and support workers are
        kept as they are. KeyError names a force the scenario does not have."""
        for name in names:
            if name not in self.force_names:
                raise KeyError(name)
        kept = [f for f in self.forces if f.name in names]
        totals = {c: sum(f.share.get(c, 0.0) for f in kept) for c in self.channels}
        channels = {
            c: ch.model_copy(update={"calls_per_day": ch.calls_per_day * totals[c]})
            for c, ch in self.channels.items()
        }
        forces = [
            Force(
                name=f.name,
                share={c: v / totals[c] for c, v in f.share.items() if totals.get(c, 0.0) > 0},
            )
            for f in kept
        ]

        def limited(groups: list) -> list:
            out = []
            for g in groups:
                if g.forces is None:
                    out.append(g)
                elif any(f in names for f in g.forces):
                    out.append(g.model_copy(update={"forces": [f for f in g.forces if f in names]}))
            return out

        handlers = limited(self.handlers)
        if not handlers:
            raise ValueError(f"no handler group takes the calls of {', '.join(names)}")
        return self.model_copy(
            update={
                "channels": channels,
                "forces": forces,
                "handlers": handlers,
                "surges": limited(self.surges),
            }
        )

    def _check_dispatch(self) -> None:
        if self.dispatch is None:
            for key in ("officers", "dispatchers"):
                if getattr(self, key):
                    raise KeyedError(key, "expected a [dispatch] section, found none")
            return
        if not self.call_types:
            raise KeyedError("dispatch", "expected [[call_types]] to grade incidents, found none")
        if sum(group.headcount for group in self.officers) == 0:
            raise KeyedError("officers", "expected at least one officer on duty, found none")
        for key in ("officers", "dispatchers"):
            names = [g.name for g in getattr(self, key)]
            for i, name in enumerate(names):
                if name in names[:i]:
                    raise KeyedError(
                        f"{key}.{i}.name", f"expected a unique name, found {name!r} again"
                    )
        if self.dispatchers and self.dispatch.allocation_s is None:
            raise KeyedError(
                "dispatch.allocation_s", "expected the dispatchers' time per allocation, found none"
            )
        if self.dispatchers and sum(g.headcount for g in self.dispatchers) == 0:
            raise KeyedError("dispatchers", "expected at least one dispatcher on duty, found none")
        if self.dispatch.allocation_s is not None and not self.dispatchers:
            raise KeyedError(
                "dispatch.allocation_s", "expected [[dispatchers]] to do the allocating, found none"
            )

    def _check_support_workers(self) -> None:
        names = {t.name for t in self.call_types}
        for i, group in enumerate(self.support_workers):
            for j, name in enumerate(group.call_types):
                if name not in names:
                    raise KeyedError(
                        f"support_workers.{i}.call_types.{j}",
                        f"expected the name of a call type, found {name!r}",
                    )
            if group.attendance_probability > 0 and self.dispatch is None:
                raise KeyedError(
                    f"support_workers.{i}.attendance_probability",
                    "expected a [dispatch] section to send officers, found none",
                )

    def _check_call_types(self) -> None:
        if not self.call_types:
            if self.thrive is not None:
                raise KeyedError("thrive", "expected [[call_types]] to grade, found none")
            return
        names = [t.name for t in self.call_types]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise KeyedError(
                    f"call_types.{i}.name", f"expected a unique name, found {name!r} again"
                )
        for channel, spec in self.channels.items():
            if spec.calls_per_day <= 0:
                continue
            total = sum(t.share.get(channel, 0.0) for t in self.call_types)
            if abs(total - 1.0) > 1e-9:
                raise KeyedError(
                    "call_types",
                    f"expected the shares of channel {channel} to sum to 1, found {total:g}",
                )

    # -- derived quantities used by the model -------------------------------------------------

    @property
    def warmup_s(self) -> float:
        return self.scenario.warmup_hours * 3600.0

    @property
    def horizon_s(self) -> float:
        """End of the measured window, in simulation seconds."""
        return self.warmup_s + self.scenario.days * 86400.0

    @property
    def end_s(self) -> float:
        """When the simulation stops (horizon plus cool-down)."""
        return self.horizon_s + self.scenario.cooldown_hours * 3600.0

    @property
    def origin_weekday_s(self) -> float:
        """Seconds from the Monday 00:00 before the simulation start to the simulation start.

        Simulation time 0 is the start of the warm-up; the measured window starts at 00:00
        on ``start_weekday`` plus any fraction of a day the warm-up leaves over.
        """
        first_measured = WEEKDAYS.index(self.scenario.start_weekday) * 86400.0
        return (first_measured - self.warmup_s) % (7 * 86400.0)

    def channel_priority(self, name: str) -> int:
        channel = self.channels[name]
        if channel.priority is not None:
            return channel.priority
        return CHANNELS.index(name)
