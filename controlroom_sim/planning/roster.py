"""Rosters at the fewest paid hours: an integer programme solved with HiGHS.

Given the handlers required in each 15-minute interval of the week and a shift pattern, choose
how many people work each tour the pattern allows (:mod:`controlroom_sim.patterns`):

    minimise    Σ_t paid_hours_t · x_t
    subject to  Σ_t a_kt · (1 − shrinkage) · x_t ≥ required_k   for every interval k
                x_t ≥ 0, integer

where ``a_kt`` is the handlers tour ``t`` puts on duty in interval ``k`` net of breaks. It is
solved exactly by ``scipy.optimize.milp`` (HiGHS branch and cut) within a budget of
branch-and-bound nodes, which gives the same roster on every run, and a time limit as a safety
net, whose answer depends on the machine's speed and load; the status says whether the answer
is proven optimal, and otherwise which limit stopped it and the gap to the best bound.

The solution becomes shift lines of the scenario format (start, hours, days, count, breaks):
the counts of tours with the same start and length are added up day by day, and days with the
same count share a line.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import tomli_w

from ..config.errors import ControlroomError
from ..config.files import BUILTIN_BASELINE, builtin_baseline_path
from ..config.schema import Break, Scenario, Shift
from ..config.vocabulary import INTERVALS_PER_WEEK, WEEKDAYS
from .patterns import Pattern, Tour, clock_of, tours, weekday_of, with_rota

HOURS_PER_INTERVAL = 0.25
NODE_LIMIT = 2000
"""Branch-and-bound nodes HiGHS may explore per pattern: about a minute for the flexible
pattern on the baseline's requirement (2 cores), and the same roster on every run."""
POOLED = "rostered"
"""The name of the one pooled handler group of a roster made without a group."""
TIME_LIMIT_S = 600.0
"""Seconds HiGHS may take per pattern: a safety net for slow machines, well past the node
limit's minute; a roster stopped by it may differ on a rerun."""


class RosterError(ControlroomError, ValueError):
    """A roster that cannot be made; the message is one line."""


@dataclass
class Roster:
    """A pattern's optimal roster for a requirement."""

    pattern: Pattern
    tours: list[Tour]
    units: np.ndarray
    """People (or, for a rotation, heads on duty each day) on each tour."""
    requirement: np.ndarray
    shrinkage: float
    status: str
    """``optimal``; or ``node limit`` (repeatable) or ``time limit`` (a rerun may differ),
    with ``gap`` the relative distance to the best bound."""
    gap: float
    solve_s: float

    @property
    def coverage(self) -> np.ndarray:
        """Handlers available per interval of the week (net of breaks and shrinkage)."""
        total = np.zeros(INTERVALS_PER_WEEK)
        for tour, n in zip(self.tours, self.units, strict=True):
            if n:
                total += n * tour.coverage()
        return total * (1.0 - self.shrinkage)

    @property
    def paid_hours(self) -> float:
        """Paid hours a week."""
        return float(sum(t.paid_hours * n for t, n in zip(self.tours, self.units, strict=True)))

    @property
    def headcount(self) -> float:
        """People employed (NaN when the pattern fixes no headcount)."""
        if self.pattern.kind == "free":
            return math.nan
        return float(
            sum(
                math.ceil(t.people_per_unit * n - 1e-9)
                for t, n in zip(self.tours, self.units, strict=True)
            )
        )

    def shifts(self) -> list[Shift]:
        """The roster as shift lines of the scenario format."""
        per_day: dict[tuple[str, float], np.ndarray] = {}
        for tour, n in zip(self.tours, self.units, strict=True):
            if not n:
                continue
            counts = per_day.setdefault((tour.start, tour.hours), np.zeros(7, dtype=np.int64))
            counts[list(tour.days)] += int(n)
        lines = []
        breaks = list(self.pattern.breaks)
        for (start, hours), counts in sorted(per_day.items()):
            for count in sorted({int(c) for c in counts if c > 0}, reverse=True):
                days = [WEEKDAYS[d] for d in range(7) if counts[d] == count]
                lines.append(
                    Shift(
                        start=start,
                        hours=hours,
                        days="daily" if len(days) == 7 else days,
                        count=count,
                        breaks=breaks,
                    )
                )
        return lines

    def tour_table(self) -> pd.DataFrame:
        """One row per tour used: start, hours, days, units, people, paid hours."""
        rows = []
        for tour, n in zip(self.tours, self.units, strict=True):
            if n:
                rows.append(
                    {
                        "pattern": tour.pattern,
                        "start": tour.start,
                        "hours": tour.hours,
                        "days": " ".join(WEEKDAYS[d][:3] for d in tour.days),
                        "units": int(n),
                        "people": tour.people_per_unit * n,
                        "paid_hours": tour.paid_hours * n,
                    }
                )
        return pd.DataFrame(
            rows, columns=["pattern", "start", "hours", "days", "units", "people", "paid_hours"]
        )

    def coverage_table(self) -> pd.DataFrame:
        """One row per interval of the week: required, rostered (available) and surplus."""
        positions = np.arange(INTERVALS_PER_WEEK)
        coverage = self.coverage
        return pd.DataFrame(
            {
                "pattern": self.pattern.name,
                "interval": positions,
                "weekday": [weekday_of(p) for p in positions],
                "time": [clock_of(p) for p in positions],
                "required": self.requirement,
                "available": coverage,
                "surplus": coverage - self.requirement,
            }
        )


def solve(
    pattern: Pattern,
    requirement: np.ndarray,
    shrinkage: float = 0.0,
    time_limit_s: float = TIME_LIMIT_S,
    node_limit: int | None = NODE_LIMIT,
) -> Roster:
    """The roster of ``pattern`` covering ``requirement`` at the fewest paid hours.

    HiGHS stops at the first of: a proven optimum, ``node_limit`` branch-and-bound nodes
    (None: no limit) and ``time_limit_s`` seconds. A stop at the node limit gives the same
    roster on every run; one at the time limit may not."""
    # Imported here: scipy.optimize is slow to import, and simulation workers never need it.
    from scipy import optimize, sparse

    required = np.asarray(requirement, dtype=float)
    if required.shape != (INTERVALS_PER_WEEK,):
        raise RosterError(
            f"expected a requirement for the week's 672 intervals, found {required.size}"
        )
    if not 0.0 <= shrinkage < 1.0:
        raise RosterError(f"expected a shrinkage in [0, 1), found {shrinkage:g}")
    columns = tours(pattern)
    matrix = np.column_stack([t.coverage() for t in columns]) * (1.0 - shrinkage)
    uncovered = np.flatnonzero((required > 0) & (matrix.sum(axis=1) <= 0))
    if uncovered.size:
        k = int(uncovered[0])
        raise RosterError(
            f"pattern {pattern.name!r} cannot cover {weekday_of(k).title()} "
            f"{clock_of(k)}: none of its shifts is on duty then "
            f"({uncovered.size} interval{'s' if uncovered.size > 1 else ''} like this)"
        )
    cost = np.array([t.paid_hours for t in columns])
    rows = np.flatnonzero(required > 0)
    constraint = optimize.LinearConstraint(
        sparse.csr_array(matrix[rows]), lb=required[rows] - 1e-9, ub=np.inf
    )
    started = time.perf_counter()
    bounds = optimize.Bounds(0, np.inf)
    # Paid hours come in steps of ``step`` (the gcd of the tours' hours), so a solution within
    # one step of HiGHS's lower bound is optimal: the gap asked for is just under one step.
    step = math.gcd(*(round(c * 4) for c in cost)) / 4.0
    # HiGHS stops when (best - bound) / best <= gap; with ``ceiling`` the cost of a roster
    # known to be feasible (the LP solution rounded up), best <= ceiling, so best - bound
    # stays under one step.
    relaxed = optimize.linprog(cost, A_ub=-constraint.A, b_ub=-constraint.lb, bounds=(0, None))
    ceiling = float(cost @ np.ceil(relaxed.x - 1e-9)) if relaxed.status == 0 else math.inf
    gap = 0.999 * step / max(ceiling, step) if math.isfinite(ceiling) else 0.0
    options: dict[str, float | int] = {"time_limit": float(time_limit_s), "mip_rel_gap": gap}
    if node_limit is not None:
        options["node_limit"] = int(node_limit)
    with _quiet_stdout():  # HiGHS can print diagnostics from C, past Python's sys.stdout
        result = optimize.milp(
            cost,
            constraints=[constraint],
            integrality=np.ones(len(columns)),
            bounds=bounds,
            options=options,
        )
    elapsed = time.perf_counter() - started
    if result.x is None:
        raise RosterError(f"pattern {pattern.name!r}: HiGHS found no roster ({result.message})")
    units = np.round(result.x).astype(np.int64)
    if result.status == 0:
        status = "optimal"
    elif node_limit is not None and (result.mip_node_count or 0) >= node_limit:
        status = "node limit"
    else:
        status = "time limit"
    gap = 0.0
    if status != "optimal" and result.mip_dual_bound is not None and result.fun:
        gap = max(0.0, (result.fun - result.mip_dual_bound) / result.fun)
    return Roster(pattern, columns, units, required, shrinkage, status, gap, elapsed)


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # no real file (e.g. captured output)
        yield
        return
    sys.stdout.flush()
    saved = os.dup(fd)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), fd)
            yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


def rostered_scenario(scenario: Scenario, roster: Roster, group: str | None = None) -> Scenario:
    """``scenario`` with the roster as its handlers: one pooled group taking every channel
    with calls, or (with ``group``) that group's shifts replaced and the others kept."""
    shifts = roster.shifts()
    name = f"{scenario.scenario.name}-{slug(roster.pattern.name)}"
    settings = scenario.scenario.model_copy(
        update={
            "name": name,
            "description": f"{scenario.scenario.description} — rostered with the "
            f"{roster.pattern.name!r} pattern".strip(" —"),
        }
    )
    rostered = with_rota(scenario, shifts, group, pooled_name=POOLED)
    return rostered.model_copy(update={"scenario": settings})


def slug(text: str) -> str:
    out = "".join(c if c.isalnum() else "-" for c in text.lower())
    return "-".join(p for p in out.split("-") if p) or "pattern"


def _shift_dict(shift: Shift) -> dict:
    data: dict = {"start": shift.start, "hours": shift.hours, "days": shift.days}
    data["count"] = shift.count
    if shift.breaks:
        data["breaks"] = [_break_dict(b) for b in shift.breaks]
    return data


def _break_dict(brk: Break) -> dict:
    data: dict = {"after_hours": brk.after_hours, "minutes": brk.minutes}
    if brk.spread_hours:
        data["spread_hours"] = brk.spread_hours
    return data


def roster_toml(
    rostered: Scenario,
    base_file: Path,
    target_file: Path,
    roster: Roster,
    provenance: str,
    overrides: Sequence[str] = (),
) -> str:
    """The roster as a scenario file that ``extends`` the scenario it was made for."""
    if base_file.resolve() == builtin_baseline_path().resolve():
        base = BUILTIN_BASELINE  # the packaged baseline, wherever the package is installed
    else:
        try:
            base = os.path.relpath(base_file.resolve(), target_file.resolve().parent)
        except ValueError:  # another drive (Windows)
            base = str(base_file.resolve())
    top = {
        "extends": Path(base).as_posix(),
        "scenario": {
            "name": rostered.scenario.name,
            "description": rostered.scenario.description,
        },
    }
    head = [
        f"# A roster made by controlroom-sim roster: pattern {roster.pattern.name!r},",
        f"# {roster.paid_hours:,.2f} paid hours a week, HiGHS status: {roster.status}.",
    ]
    if overrides:
        head.append("# Made with these overrides; give them again when running this file:")
        head.extend(f"#   --set {o}" for o in overrides)
    parts = ["\n".join(head), tomli_w.dumps(top).rstrip()]
    for g in rostered.handlers:
        # One line per shift, as in hand-written scenario files.
        lines = ["[[handlers]]", f"name = {_inline(g.name)}", f"skills = {_inline(list(g.skills))}"]
        if g.forces is not None:
            lines.append(f"forces = {_inline(list(g.forces))}")
        if g.count is not None:
            lines.append(f"count = {g.count}")
        else:
            lines.append("shifts = [")
            lines.extend(f"  {_inline(_shift_dict(s))}," for s in g.shifts or [])
            lines.append("]")
        parts.append("\n".join(lines))
    parts.append(tomli_w.dumps({"provenance": {"handlers": provenance}}).rstrip())
    return "\n\n".join(parts) + "\n"


def _inline(value: object) -> str:
    """A TOML value on one line: inline tables and arrays, shortest exact numbers."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_inline(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)
