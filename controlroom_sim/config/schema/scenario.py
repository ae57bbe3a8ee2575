"""The whole scenario in the schema: run settings (``[scenario]``), every section, the checks
across sections, and the quantities the model derives from them (horizon, weekday origin)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from ..vocabulary import CHANNELS, WEEKDAYS, ChannelName, Weekday
from .base import KeyedError, NonNegativeFloat, PositiveFloat, _Strict
from .calendar import Calendar, check_calendar, weekday_from_date
from .channels import Callback, Channel, Force, Surge, check_forces
from .digital import Digital, check_digital
from .dispatch import Dispatch
from .front_desk import FrontDesk, check_front_desk
from .grading import CallType, Thrive, mean_handle_s
from .interventions import Intervention, check_interventions
from .intraday import IntradayRules
from .rotas import ROTA_SECTIONS, HandlerGroup, RotaGroup, Shift, SupportWorkers
from .staffing import Staffing


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
    """Weekday of the first measured day (with ``[calendar]``: its start date's, which it must
    agree with when given)."""
    replications: Annotated[int, Field(ge=1, le=100_000)] = 10
    seed: Annotated[int, Field(ge=0, lt=2**63)] = 1


class Scenario(_Strict):
    """A whole scenario, as read from a TOML file (after ``extends`` and ``--set``)."""

    scenario: RunSettings
    channels: dict[ChannelName, Channel] = {}
    callback: Callback | None = None
    forces: list[Force] = []
    """``[[forces]]``: the forces whose calls the room takes; absent: one force."""
    handlers: Annotated[list[HandlerGroup], Field(min_length=1)]
    surges: list[Surge] = []
    interventions: list[Intervention] = []
    """``[[interventions]]``: changes made while the room runs (a live exercise's, replayed)."""
    calendar: Calendar | None = None
    """``[calendar]``: the run on dates, with seasonal demand, bank holidays, named days, events
    and growth; absent: the weekly profile alone."""
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
    digital: Digital | None = None
    front_desk: FrontDesk | None = None  # [front_desk]: a 101 switchboard (.front_desk)
    staffing: Staffing | None = None
    """Contract hours, shrinkage, costs and absence on the day; absent: no cost or posts."""
    intraday_rules: IntradayRules = []  # rules acting while the run goes (.intraday)
    provenance: dict[str, str] = {}
    """Where each parameter comes from: key path -> seed line, public figure or assumption."""

    # First-call arrival times per channel (simulation seconds), replacing the Poisson process
    # in every replication: a trace-driven run (``run --arrivals``; set by
    # :mod:`controlroom_sim.fitting.trace`, never read from a scenario file). Left out of dumps
    # and of the scenario hash, like ``Channel.profile_weights``; the run's plan records the
    # trace's own hash (:func:`controlroom_sim.experiments.run_folder.trace_fingerprint`).
    arrival_trace: dict[str, tuple[float, ...]] | None = Field(
        default=None, exclude=True, repr=False
    )

    @model_validator(mode="before")
    @classmethod
    def _no_trace_in_files(cls, data: object) -> object:
        if isinstance(data, dict) and "arrival_trace" in data:
            raise KeyedError(
                "arrival_trace",
                "expected no such key in a scenario: arrival times come from an export "
                "(controlroom-sim run --arrivals FILE --mapping MAPPING)",
            )
        return data

    @model_validator(mode="before")
    @classmethod
    def _weekday_from_date(cls, data: object) -> object:
        return weekday_from_date(data)

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        if sum(group.headcount for group in self.handlers) == 0:
            raise KeyedError(
                "handlers", "expected at least one handler on duty, found a total count of 0"
            )
        for i, rule in enumerate(self.intraday_rules):
            if rule.action == "pull_from_digital" and self.digital is None:
                raise KeyedError(
                    f"intraday_rules.{i}.action",
                    "expected a [digital] section to pull staff from, found none",
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
                    f"channel {name} has calls, so expected a handler group with the skill "
                    f"'{name}' and someone on duty, found none",
                    also=("handlers",),
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
                    also=(f"channels.{name}.abandon_to_999_probability",),
                )
        self._check_shift_line_names()
        self._check_calendar()
        check_forces(self)
        self._check_call_types()
        self._check_dispatch()
        self._check_support_workers()
        check_interventions(self)
        check_digital(self.digital, self.channels, self.handlers)
        check_front_desk(self.front_desk, self.channels, self.handlers, self.forces)
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

    def _check_shift_line_names(self) -> None:
        seen: dict[str, str] = {}
        for key, line in self.shift_lines():
            if line.name is None:
                continue
            if line.name in seen:
                raise KeyedError(
                    f"{key}.name",
                    f"expected each shift line's name once, found {line.name!r} at "
                    f"{seen[line.name]} and {key}",
                    also=(f"{seen[line.name]}.name",),
                )
            seen[line.name] = key

    def shift_lines(self) -> list[tuple[str, Shift]]:
        """Every shift line of every rota (handlers, officers, dispatchers, support workers,
        front-desk operators), with its key path, e.g. ``("handlers.1.shifts.3", Shift(...))``."""
        places = [(section, getattr(self, section)) for section in ROTA_SECTIONS]
        if self.front_desk is not None:
            places.append(("front_desk.operators", self.front_desk.operators))
        out = []
        for section, groups in places:
            for i, group in enumerate(groups):
                for j, line in enumerate(group.shifts or []):
                    out.append((f"{section}.{i}.shifts.{j}", line))
        return out

    def _check_calendar(self) -> None:
        if self.calendar is not None:
            given = "start_weekday" in self.scenario.model_fields_set
            weekday = self.scenario.start_weekday if given else None
            check_calendar(self.calendar, weekday, self.force_names)

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
        for i, spec in enumerate(self.call_types):
            for key in ("talk_s", "wrap_s"):
                for channel in getattr(spec, key):
                    if channel not in self.channels:
                        raise KeyedError(
                            f"call_types.{i}.{key}",
                            f"expected a channel of the scenario, found {channel!r} (no "
                            f"[channels.{channel}])",
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

    def mean_handle_s(self, channel: str) -> float:
        """Mean talk plus wrap-up time of a channel's calls, before any THRIVE sub-tasks
        (:func:`.grading.mean_handle_s`)."""
        return mean_handle_s(self.channels[channel], channel, self.call_types)

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
        weekday = self.scenario.start_weekday if self.calendar is None else self.calendar.weekday
        first_measured = WEEKDAYS.index(weekday) * 86400.0
        return (first_measured - self.warmup_s) % (7 * 86400.0)

    def channel_priority(self, name: str) -> int:
        channel = self.channels[name]
        if channel.priority is not None:
            return channel.priority
        return CHANNELS.index(name)
