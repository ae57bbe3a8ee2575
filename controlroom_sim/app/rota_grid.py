"""A scenario's rota as the workbench's grids, edits of the grids as the command line's
``--set`` overrides, and what a rota costs before anything runs.

Two grids: one row per shift line (role, group, line, start, hours, days, count), and one row
per group on duty around the clock (role, group, count). An edited cell becomes the override a
user of the command line would write for it, ``shift_lines.Late 999.count=4`` for a named line,
``handlers.0.shifts.2.count=4`` for a line without a name, ``handlers.0.count=14`` for a group
around the clock, and the edited scenario is the opened file loaded with those overrides
(:func:`~controlroom_sim.config.loading.load_scenario`). So an edit the scenario cannot take is
refused with the command line's own words, e.g. ``--set 'shift_lines.Early 999.hours=0':
shift_lines.Early 999.hours: expected a number > 0.0, found 0``.

Hours, posts and cost are the staffing KPIs' own (:mod:`controlroom_sim.analysis.staffing_kpis`)
computed from the rota alone: the hours of the shifts inside the measured window, per week,
grossed up for shrinkage; so the numbers on the page before a run are those the run reports.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..analysis.comparison import toml_literal
from ..analysis.staffing_kpis import ROLE_WORDS, WEEKS_A_YEAR, role_groups, rostered_seconds
from ..config.errors import ControlroomError, message
from ..config.loading import load_scenario
from ..config.schema import ROLES, Scenario
from ..config.schema.rotas import ROTA_SECTIONS
from ..config.vocabulary import DAY_SETS, WEEKDAYS

LINE_COLUMNS = ("role", "group", "line", "start", "hours", "days", "count")
"""The shift-line grid's columns (role, group and line are not edited)."""
COUNT_COLUMNS = ("role", "group", "count")
"""The around-the-clock grid's columns."""
_PLACE = "_place"
"""A hidden column: where the row's line or group is in the scenario (section, group, line)."""


def days_text(days: str | Sequence[str]) -> str:
    """A shift line's days as the grid shows them: ``daily``, or ``monday, friday``."""
    return days if isinstance(days, str) else ", ".join(days)


def line_grid(scenario: Scenario) -> pd.DataFrame:
    """One row per shift line of every rota section, in the scenario's order."""
    rows = []
    for section in ROTA_SECTIONS:
        for g, group in enumerate(role_groups(scenario, section)):
            for j, shift in enumerate(group.shifts or []):
                rows.append(
                    {
                        "role": section,
                        "group": group.name,
                        "line": shift.name or "",
                        "start": shift.start,
                        "hours": float(shift.hours),
                        "days": days_text(shift.days),
                        "count": int(shift.count),
                        _PLACE: (section, g, j),
                    }
                )
    return pd.DataFrame(rows, columns=[*LINE_COLUMNS, _PLACE])


def count_grid(scenario: Scenario) -> pd.DataFrame:
    """One row per group on duty around the clock (``count``, no shifts)."""
    rows = [
        {"role": section, "group": group.name, "count": int(group.count), _PLACE: (section, g, -1)}
        for section in ROTA_SECTIONS
        for g, group in enumerate(role_groups(scenario, section))
        if group.count is not None
    ]
    return pd.DataFrame(rows, columns=[*COUNT_COLUMNS, _PLACE])


def _literal(key: str, value: Any) -> str:
    """A cell as the TOML value of ``--set``: a start as a string, days as a word or a list
    of weekday names, a number as a whole number when it is one; a blank cell as ``""``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return '""'
    if key == "start":
        return toml_literal(str(value).strip())
    if key == "days":
        words = [w for w in re.split(r"[,\s]+", str(value).strip().lower()) if w]
        if len(words) == 1:
            return toml_literal(words[0])
        return "[" + ", ".join(toml_literal(w) for w in words) + "]"
    if isinstance(value, str):
        text = value.strip()
        try:
            value = float(text)
        except ValueError:
            return toml_literal(text)
    number = float(value)
    return toml_literal(int(number) if number.is_integer() else number)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def overrides(
    opened_lines: pd.DataFrame,
    lines: pd.DataFrame,
    opened_counts: pd.DataFrame,
    counts: pd.DataFrame,
) -> list[str]:
    """The ``--set`` overrides that turn the opened grids into the edited ones (same rows)."""
    out = []
    for (_, before), (_, after) in zip(opened_lines.iterrows(), lines.iterrows(), strict=True):
        section, g, j = before[_PLACE]
        for key in ("start", "hours", "days", "count"):
            if _same(before[key], after[key]):
                continue
            where = (
                f"shift_lines.{before['line']}" if before["line"] else f"{section}.{g}.shifts.{j}"
            )
            out.append(f"{where}.{key}={_literal(key, after[key])}")
    for (_, before), (_, after) in zip(opened_counts.iterrows(), counts.iterrows(), strict=True):
        if not _same(before["count"], after["count"]):
            section, g, _ = before[_PLACE]
            out.append(f"{section}.{g}.count={_literal('count', after['count'])}")
    return out


def edit_error(exc: ControlroomError) -> str:
    """A refused edit in the command line's words (an override is spelled ``--set``)."""
    return message(exc, lambda name: "--set" if name == "overrides" else f"--{name}")


def load_edited(source: str | Path | None, edits: Sequence[str]) -> Scenario:
    """The opened scenario file with the grid's edits (ScenarioError: the edit refused)."""
    return load_scenario(source, list(edits))


def rota_costs(scenario: Scenario) -> pd.DataFrame:
    """Rostered and paid hours a week, posts (FTE) and cost a year by role, as the run's
    staffing KPIs give them (without overtime, which only a run knows), and a total row.
    Without ``[staffing]``: rostered hours only (paid hours, posts and cost are NaN)."""
    staffing = scenario.staffing
    lo, hi = scenario.warmup_s, scenario.horizon_s
    weeks = (hi - lo) / (7 * 86400.0)
    rows = []
    for role in ROLES:
        groups = role_groups(scenario, role)
        if not groups:
            continue
        rostered = rostered_seconds(groups, scenario.origin_weekday_s, lo, hi) / 3600.0 / weeks
        row = {"staff": ROLE_WORDS[role], "rostered h/week": rostered}
        if staffing is not None:
            paid = staffing.paid_hours(rostered)
            week = staffing.cost_week(role, paid)
            row |= {
                "paid h/week": paid,
                "posts (FTE)": staffing.posts(role, rostered),
                "cost/year": week * WEEKS_A_YEAR if week is not None else math.nan,
            }
        rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    total = {"staff": "all roles"} | {
        column: frame[column].sum(min_count=1) for column in frame.columns if column != "staff"
    }
    return pd.concat([frame, pd.DataFrame([total])], ignore_index=True)


def day_words() -> str:
    """What the days column takes, for its help text."""
    return f"{', '.join(DAY_SETS)}, or weekday names ({', '.join(WEEKDAYS)})"
