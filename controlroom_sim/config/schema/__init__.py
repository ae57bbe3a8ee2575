"""The scenario schema: what a scenario file may say, validated with pydantic.

Unknown keys are rejected everywhere. Every default below is either a switch that leaves a
mechanism off (no BT stage, nobody abandons, no redials, no callbacks) or a run-control setting;
the numbers that describe a real control room live in ``scenarios/baseline.toml`` with their
provenance. Reading files is :mod:`controlroom_sim.config.loading`'s job, not this package's; the
words a scenario is written in (channels, grades, weekdays, intervals) are in
:mod:`controlroom_sim.config.vocabulary`.

The schema is in sections: :mod:`.base` (strict models, bounded numbers, :class:`KeyedError`),
:mod:`.channels` (channels, callback, forces, surges), :mod:`.rotas` (shifts, breaks, handler
groups, support workers), :mod:`.grading` (call types, THRIVE), :mod:`.dispatch`,
:mod:`.staffing` (contract hours, shrinkage, costs, absence), :mod:`.intraday` (rules acting
while the run goes), :mod:`.front_desk` (a 101 switchboard) and :mod:`.scenario` (the whole
:class:`Scenario`). This package re-exports their names, so ``from
controlroom_sim.config.schema import Scenario`` works from any layer.
"""

from __future__ import annotations

from .base import (
    ForceName,
    KeyedError,
    NonNegativeFloat,
    PositiveFloat,
    Probability,
)
from .calendar import Calendar, CalendarEvent, NamedDay
from .channels import Callback, Channel, Force, Surge
from .digital import Digital
from .dispatch import Appointments, Dispatch, FailureDemand, Reassessment, Suppression
from .front_desk import FrontDesk, FrontDeskRoute
from .grading import CallType, Check, Thrive
from .intraday import ACTION_KEYS, MEASURES, IntradayRule
from .rotas import Break, HandlerGroup, RotaGroup, Shift, SupportWorkers
from .scenario import RunSettings, Scenario
from .staffing import ROLES, Shrinkage, Staffing

__all__ = [
    "ACTION_KEYS",
    "MEASURES",
    "ROLES",
    "Appointments",
    "Break",
    "Calendar",
    "CalendarEvent",
    "CallType",
    "Callback",
    "Channel",
    "Check",
    "Digital",
    "Dispatch",
    "FailureDemand",
    "Force",
    "ForceName",
    "FrontDesk",
    "FrontDeskRoute",
    "HandlerGroup",
    "IntradayRule",
    "KeyedError",
    "NamedDay",
    "NonNegativeFloat",
    "PositiveFloat",
    "Probability",
    "Reassessment",
    "RotaGroup",
    "RunSettings",
    "Scenario",
    "Shift",
    "Shrinkage",
    "Staffing",
    "SupportWorkers",
    "Suppression",
    "Surge",
    "Thrive",
]
