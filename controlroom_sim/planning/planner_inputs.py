"""The planner's inputs: the scenario, its forces, the targets and requirement files.

Each problem with them is a :class:`PlannerError` whose message is one line.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..config.errors import ControlroomError, Param, named
from ..config.loading import load_scenario
from ..config.schema import Scenario
from ..config.vocabulary import INTERVALS_PER_WEEK, WEEKDAYS
from ..experiments.inputs import LoadedScenario
from .targets import StaffTarget


class PlannerError(ControlroomError, ValueError):
    """Bad input to ``staff`` or ``roster``; the message is one line."""


def scenario_of(
    source: str | Path | Scenario | LoadedScenario | None, overrides: Sequence[str]
) -> Scenario:
    """The scenario to plan for: a file loaded with ``overrides`` (None: the built-in baseline),
    a Scenario as it is, or a scenario the caller loaded already (its overrides applied then;
    ``overrides`` are only recorded, in the roster files that extend it)."""
    if isinstance(source, LoadedScenario):
        return source.scenario
    if isinstance(source, Scenario):
        if overrides:
            raise ValueError("overrides need a scenario file, not a Scenario object")
        return source
    return load_scenario(source, overrides)


def only_forces(scenario: Scenario, forces: Sequence[str]) -> Scenario:
    """``scenario`` as a room taking only ``forces``' calls; PlannerError for a bad name."""
    if not scenario.forces:
        raise named(
            PlannerError, Param("forces"), ": expected a scenario with [[forces]], found none"
        )
    try:
        return scenario.only_forces(list(forces))
    except KeyError as exc:
        known = ", ".join(scenario.force_names)
        raise named(
            PlannerError, Param("forces"), f": expected names of {known}, found {exc.args[0]!r}"
        ) from None
    except ValueError as exc:
        raise named(PlannerError, Param("forces"), f": {exc}") from None


def parse_targets(targets: Sequence[str | StaffTarget]) -> list[StaffTarget]:
    return [t if isinstance(t, StaffTarget) else StaffTarget.parse(t) for t in targets]


def read_requirement(path: str | Path, column: str = "required") -> np.ndarray:
    """Handlers required per interval of the week from a CSV (``staff``'s requirement.csv or
    any file with ``weekday``, ``time`` and the ``column``)."""
    file = Path(path)
    if not file.is_file():
        raise PlannerError(f"{path}: no such requirement file")
    try:
        table = pd.read_csv(file)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise PlannerError(f"{path}: not a readable CSV ({str(exc).splitlines()[0]})") from None
    for name in ("weekday", "time", column):
        if name not in table.columns:
            raise PlannerError(f"{path}: expected a column {name!r}, found {list(table.columns)}")
    values = pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(values) | (values < 0))
    if bad.size:
        row = int(bad[0])
        raise PlannerError(
            f"{path}: row {row + 2}, column {column!r}: expected a number >= 0, "
            f"found {table[column].iloc[row]!r}"
        )
    out = np.zeros(INTERVALS_PER_WEEK)
    seen = np.zeros(INTERVALS_PER_WEEK, dtype=bool)
    for i, (day, clock, value) in enumerate(
        zip(table["weekday"].astype(str), table["time"].astype(str), values, strict=True)
    ):
        position = _position(day, clock)
        if position is None:
            raise PlannerError(
                f"{path}: row {i + 2}: expected a weekday name and a quarter-hour time such as "
                f"monday,07:15, found {day},{clock}"
            )
        if seen[position]:
            raise PlannerError(f"{path}: row {i + 2}: {day} {clock} appears twice")
        seen[position] = True
        out[position] = value
    return out


def _position(day: str, clock: str) -> int | None:
    day = day.strip().lower()
    if day not in WEEKDAYS:
        return None
    hh, _, mm = clock.strip().partition(":")
    if not (hh.isdigit() and mm.isdigit()) or int(hh) > 23 or int(mm) not in (0, 15, 30, 45):
        return None
    return WEEKDAYS.index(day) * 96 + int(hh) * 4 + int(mm) // 15
