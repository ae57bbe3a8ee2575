"""A trainer's live exercise (issue 21): one replication of a scenario run in steps, changed as
it runs, beside its ghost.

A :class:`LiveSession` holds two :class:`~controlroom_sim.model.room.ControlRoom` of the same
scenario and replication: the live room, which takes the trainer's interventions, and the
ghost, which does not. Both draw from the same named streams, so they have the same callers
(common random numbers) until an intervention changes what happens to them: what the ghost
shows beside the live room is exactly what the trainer's decisions changed.

The session advances both rooms to a simulated time (``env.run(until=...)``), sampling the
state of each at every ``step_s`` of simulated time (:func:`~controlroom_sim.model.live_view.
room_state` and the rolling 10-second rate of a :class:`~controlroom_sim.model.live_view.
LiveWatch`). An intervention is validated as an ``[[interventions]]`` entry (its errors read as
the command line's), stamped ``at_s = now`` and applied to the live room at once; the model
makes the same records as a batch run of :meth:`LiveSession.batch_scenario`, the scenario with
the session's interventions (the test ``tests/experiments/test_live.py`` shows it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import tomli_w
from pydantic import BaseModel, ValidationError

from ..analysis.call_kpis import channel_kpis
from ..analysis.kpis import replication_kpis
from ..config.error_wording import format_validation_error
from ..config.errors import ScenarioError, named
from ..config.schema import Scenario
from ..config.schema.base import KeyedError
from ..config.schema.interventions import Intervention, check_interventions
from ..model.live_view import LiveWatch, room_state, watch
from ..model.records import RunRecords
from ..model.room import ControlRoom

RATE_WINDOW_S = 1800.0
"""The rolling 10-second rate's window: the calls answered in the last 30 simulated minutes."""
TARGET = 0.9
"""The 999 10-second rate's target (the line drawn on its chart)."""
WINDOW_KPIS = ("answered_within_10s", "abandon_rate", "mean_answer_s")


class _Listed(BaseModel):
    """One intervention at its place in the list (so errors name ``interventions.<i>.<key>``)."""

    interventions: dict[int, Intervention]


@dataclass
class LiveSession:
    """A live exercise of ``scenario`` (replication ``replication``), from ``start_s`` (the
    rooms are run there at once) to ``stop_s`` (the end of the exercise; the debrief's
    window), sampled every ``step_s`` of simulated time. ``source`` names the scenario in error
    messages (its file)."""

    scenario: Scenario
    replication: int = 0
    start_s: float = 0.0
    stop_s: float | None = None
    step_s: float = 60.0
    source: str = "the live session"
    items: list[Any] = field(default_factory=list)
    events: list[tuple[float, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        sc = self.scenario
        self.stop_s = min(sc.end_s, self.stop_s if self.stop_s is not None else sc.end_s)
        if not 0.0 <= self.start_s < self.stop_s:
            raise ValueError(f"expected a start before {self.stop_s:g} s, found {self.start_s:g}")
        self.live = ControlRoom(sc, self.replication)
        self.ghost = ControlRoom(sc, self.replication)
        self.watches: list[LiveWatch] = [
            watch(room, RATE_WINDOW_S) for room in (self.live, self.ghost)
        ]
        self.rows: list[dict[str, Any]] = []
        self._below: dict[str, bool] = {}
        self.records: tuple[RunRecords, RunRecords] | None = None
        for room in (self.live, self.ghost):
            room.env.run(until=self.start_s)
        self._sample()

    # -- time -------------------------------------------------------------------------------------

    @property
    def now(self) -> float:
        return float(self.live.env.now)

    @property
    def done(self) -> bool:
        assert self.stop_s is not None
        return self.now >= self.stop_s

    def advance(self, to_s: float) -> None:
        """Run both rooms to ``to_s`` (at most the end of the exercise), sampling each at every
        ``step_s`` on the way."""
        assert self.stop_s is not None
        to_s = min(to_s, self.stop_s)
        while self.now < to_s:
            t = min(to_s, (math.floor(self.now / self.step_s + 1e-9) + 1) * self.step_s)
            for room in (self.live, self.ghost):
                room.env.run(until=t)
            self._sample()

    def _sample(self) -> None:
        now = self.now
        for name, room, watch_ in zip(
            ("live", "ghost"), (self.live, self.ghost), self.watches, strict=True
        ):
            state = room_state(room)
            row = {"t": now, "room": name, **state.pop("waiting"), **state}
            for channel in room.channel_names:
                row[f"rate_{channel}"] = watch_.rate(channel, now, RATE_WINDOW_S)
            self.rows.append(row)
            self._notice(name, row)

    def _notice(self, name: str, row: dict[str, Any]) -> None:
        """Notable events: the 999 rolling rate crossing the target line, in either room."""
        rate = row.get("rate_999", math.nan)
        if math.isnan(rate):
            return
        below = rate < TARGET
        if self._below.get(name, False) != below:
            self._below[name] = below
            room = "live room" if name == "live" else "ghost"
            word = "fell below" if below else "rose back above"
            self.events.append((row["t"], f"{room}: the 999 10-second rate {word} 90%"))

    # -- interventions ----------------------------------------------------------------------------

    def intervene(self, spec: dict[str, Any]) -> Any:
        """Validate ``spec`` (an ``[[interventions]]`` entry without its moment) as the
        scenario's next intervention now, apply it to the live room, and return it.
        ScenarioError (the command line's one line) if it is refused."""
        if self.done:
            raise ScenarioError(f"{self.source}: the exercise has ended")
        index = len(self.scenario.interventions) + len(self.items)
        data = {k: v for k, v in spec.items() if k not in ("at_s", "day", "start")}
        try:
            item = _Listed.model_validate(
                {"interventions": {index: {**data, "at_s": self.now}}}
            ).interventions[index]
        except ValidationError as exc:
            raise named(ScenarioError, *format_validation_error(exc, {}, self.source)) from None
        try:
            check_interventions(self.batch_scenario([*self.items, item]))
        except KeyedError as exc:
            raise named(ScenarioError, self.source, f": {exc.key}: {exc}") from None
        self.items.append(item)
        self.live.intervene(item, index)
        self.events.append((self.now, f"intervention: {describe(item)}"))
        del self.rows[-2:]  # the rooms now, with the change made
        self._sample()
        return item

    def batch_scenario(self, items: list[Any] | None = None) -> Scenario:
        """The scenario with the session's interventions (``items``: these instead), to run
        as a batch."""
        listed = self.items if items is None else items
        return self.scenario.model_copy(
            update={"interventions": [*self.scenario.interventions, *listed]}
        )

    def batch_toml(self) -> str:
        """:meth:`batch_scenario` as one TOML file (every key resolved, no ``extends``)."""
        data = self.batch_scenario().model_dump(by_alias=True, exclude_none=True, mode="json")
        head = (
            "# Written by the controlroom-sim app's live exercise: the scenario with the\n"
            "# interventions made in the session, at their moments (at_s, simulation seconds).\n"
            f"# Replication {self.replication}: run it with the same seed to see it again.\n\n"
        )
        return head + tomli_w.dumps(data)

    # -- reading ----------------------------------------------------------------------------------

    def history(self) -> pd.DataFrame:
        """Every sample so far: one row per room (``live``, ``ghost``) and moment ``t``."""
        return pd.DataFrame(self.rows)

    def snapshot(self) -> dict[str, Any]:
        """What the live page draws now: the clock, each room's latest sample, the history
        and what just happened (the interventions and notable events, latest first)."""
        latest = {row["room"]: row for row in self.rows[-2:]}
        return {
            "now_s": latest["live"]["t"],
            "clock": clock(self.scenario, latest["live"]["t"]),
            "live": latest["live"],
            "ghost": latest["ghost"],
            "history": self.history(),
            "events": [
                (clock(self.scenario, t, short=True), text) for t, text in reversed(self.events)
            ],
            "done": self.done,
        }

    def end(self) -> None:
        """End the exercise now (the debrief's window ends here)."""
        if self.now > self.start_s:
            self.stop_s = self.now

    def finish(self) -> tuple[RunRecords, RunRecords]:
        """Run both rooms to the end of the run: the records of the live room and the ghost."""
        if self.records is None:
            self.records = (self.live.run(), self.ghost.run())
        return self.records

    def debrief(self) -> pd.DataFrame:
        """The KPIs with the interventions (live) and without them (ghost), paired: over the
        exercise (calls made between its start and end) and over the whole run."""
        live, ghost = self.finish()
        rows = []
        for where, kpis in (("exercise", self._window_kpis), ("run", self._run_kpis)):
            with_, without = kpis(live, self.batch_scenario()), kpis(ghost, self.scenario)
            for name, value in with_.items():
                other = without.get(name, math.nan)
                rows.append(
                    {
                        "over": where,
                        "kpi": name,
                        "live": value,
                        "ghost": other,
                        "difference": value - other,
                    }
                )
        return pd.DataFrame(rows)

    def _window_kpis(self, records: RunRecords, scenario: Scenario) -> dict[str, float]:
        calls = records.calls
        arrival = calls["arrival_s"].to_numpy()
        inside = calls[(arrival >= self.start_s) & (arrival < (self.stop_s or 0.0))]
        out: dict[str, float] = {}
        for channel in scenario.channels:
            kpis = channel_kpis(inside, scenario, channel)
            out.update({f"{k}_{channel}": kpis[f"{k}_{channel}"] for k in WINDOW_KPIS})
        return out

    @staticmethod
    def _run_kpis(records: RunRecords, scenario: Scenario) -> dict[str, float]:
        kpis = replication_kpis(records, scenario)
        keep = [f"{k}_{c}" for c in scenario.channels for k in WINDOW_KPIS]
        keep += ["handler_occupancy", "overtime_hours"]
        return {k: kpis[k] for k in keep if k in kpis}


def clock(scenario: Scenario, t: float, short: bool = False) -> str:
    """A simulation time as the room's clock: ``Day 3 (Wednesday) 17:05:00`` (``short``:
    ``Wed 17:05:00``)."""
    from ..config.vocabulary import WEEKDAYS

    day = int((t - scenario.warmup_s) // 86400.0) + 1
    weekday = WEEKDAYS[int(((scenario.origin_weekday_s + t) // 86400.0) % 7)].capitalize()
    s = round(scenario.origin_weekday_s + t) % 86400
    time = f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"
    return f"{weekday[:3]} {time}" if short else f"Day {day} ({weekday}) {time}"


def describe(item: Any) -> str:
    """An intervention in a few words, for the timeline."""
    action = item.action
    if action == "surge":
        return f"surge ×{item.multiplier:g} for {item.hours:g} h ({', '.join(item.channels)})"
    if action == "major_incident":
        return f"major incident: {item.calls} {item.channel} calls over {item.minutes:g} min"
    if action == "outage":
        return f"telephony outage for {item.minutes:g} min"
    if action in ("support", "callbacks"):
        what = "support worker" if action == "support" else "callbacks"
        return f"{what} {'on' if item.on else 'off'}"
    if action == "add_handlers":
        return f"{item.count} more {item.group} handlers for {item.hours:g} h"
    if action == "send_home":
        return f"{item.count} {item.group} handlers sent home"
    if action == "cancel_breaks":
        return f"breaks cancelled ({item.group or 'every group'})"
    return f"{item.count} {item.group} handlers on a {item.minutes:g}-minute break"
