"""Interventions: changes made to the room while it runs (``[[interventions]]``,
:mod:`controlroom_sim.config.schema.interventions`).

A batch run schedules the scenario's interventions at their moments; a live session
(:mod:`controlroom_sim.experiments.live`) stops the run at the present moment and applies one
with :meth:`Interventions.intervene`. Either way an intervention takes effect before anything
else the room does at its moment: a batch run's event is scheduled ``URGENT`` (SimPy processes
it before the ordinary events of the same moment), and ``env.run(until=t)`` stops before the
ordinary events at ``t``. So a live session and a batch run of the scenario with the session's
interventions give the same records.

An intervention's random draws (the extra calls of a surge or a major incident) come from
streams named by its place in the list (``intervention.<i>...``), so every other caller keeps
its draws, and the same list gives the same calls.
"""

from __future__ import annotations

import numpy as np
import simpy
from simpy.core import URGENT

from ..config.schema.interventions import (
    AddHandlers,
    CancelBreaks,
    Intervention,
    MajorIncident,
    Outage,
    SendHome,
    StaffAction,
    StartBreaks,
    Surge,
    Switch,
)
from .arrivals import force_shares, rate_pieces


class Interventions:
    """The part of :class:`~.room.ControlRoom` that applies interventions."""

    def _schedule_interventions(self) -> None:
        """Each of the scenario's interventions, as an urgent event at its moment."""
        env = self.env
        warmup = self.scenario.warmup_s
        for i, item in enumerate(self.scenario.interventions):
            event = simpy.Event(env)
            event._ok = True
            event._value = (item, i)
            event.callbacks.append(self._on_intervention)
            env.schedule(event, URGENT, item.moment_s(warmup) - env.now)

    def _on_intervention(self, event: simpy.Event) -> None:
        self.intervene(*event.value)

    def intervene(self, item: Intervention, index: int) -> None:
        """Apply ``item`` (the ``index``-th intervention of the run) now."""
        if isinstance(item, Surge):
            self._surge(item, index)
        elif isinstance(item, MajorIncident):
            self._major_incident(item, index)
        elif isinstance(item, Outage):
            self._outage(item)
        elif isinstance(item, Switch):
            if item.action == "support":
                assert self.support is not None
                self.support.on = item.on
            else:
                self.callback = self.callback_spec if item.on else None
        elif isinstance(item, StaffAction):
            self._staff_action(item, index)
        else:  # pragma: no cover - the schema allows no other
            raise TypeError(f"unknown intervention {item!r}")

    def _staff_action(self, item: StaffAction, index: int) -> None:
        """The handlers on duty changed now (:mod:`.staff_changes`)."""
        staff = self.staff
        if isinstance(item, AddHandlers):
            staff.call_in(item.group, item.count, 0.0, item.hours, f"intervention {index}")
        elif isinstance(item, SendHome):
            staff.send_home(item.group, item.count)
        elif isinstance(item, CancelBreaks):
            staff.cancel_breaks(item.group)
        elif isinstance(item, StartBreaks):
            staff.start_breaks(item.group, item.count, item.minutes)

    # -- extra calls ----------------------------------------------------------------------------

    def _surge(self, item: Surge, index: int) -> None:
        """The extra calls of a surge: a Poisson process at (multiplier - 1) times each
        channel's rate (each force's, in a room of several), on [now, now + hours)."""
        now = self.env.now
        stop = min(now + item.hours * 3600.0, self.scenario.end_s)
        for name in item.channels:
            channel = self.index[name]
            for f, (force, share) in enumerate(force_shares(self.scenario, name)):
                if share <= 0.0 or stop <= now:
                    continue
                edges, rates = rate_pieces(self.scenario, name, now, stop, force)
                stream = f"intervention.{index}.{name}" + (f".{force}" if force else "")
                rng = self.streams.generator(stream)
                lengths = np.diff(edges)
                counts = rng.poisson(rates * (item.multiplier - 1.0) * lengths)
                total = int(counts.sum())
                offsets = rng.random(total)
                times = np.sort(
                    np.repeat(edges[:-1], counts) + offsets * np.repeat(lengths, counts)
                )
                self.env.process(self._arrivals(channel, f, iter([times])))

    def _major_incident(self, item: MajorIncident, index: int) -> None:
        """``calls`` calls at uniform times over ``minutes`` (each a force's by its share)."""
        now = self.env.now
        rng = self.streams.generator(f"intervention.{index}.{item.channel}")
        times = np.sort(now + rng.random(item.calls) * item.minutes * 60.0)
        channel = self.index[item.channel]
        shares = [share for _, share in force_shares(self.scenario, item.channel)]
        if len(shares) == 1:
            self.env.process(self._arrivals(channel, 0, iter([times])))
            return
        cumulative = np.cumsum(shares) / sum(shares)
        force = np.minimum(
            np.searchsorted(cumulative, rng.random(item.calls), side="right"), len(shares) - 1
        )
        for f in range(len(shares)):
            if (force == f).any():
                self.env.process(self._arrivals(channel, f, iter([times[force == f]])))

    # -- a telephony outage -----------------------------------------------------------------------

    def _outage(self, item: Outage) -> None:
        """No call is answered until the outage ends; then the free handlers take the calls
        waiting, longest idle first."""
        until = self.env.now + item.minutes * 60.0
        if until > self.outage_until:
            self.outage_until = until
            self.env.timeout(until - self.env.now, until).callbacks.append(self._on_outage_over)

    def _on_outage_over(self, event: simpy.Event) -> None:
        if event.value != self.outage_until:  # a longer outage began meanwhile
            return
        idle = sorted(
            (h for pool in self.idle for h in pool), key=lambda h: (h.idle_since, h.member_id)
        )
        for handler in idle:
            call = self._next_call(handler)
            if call is not None:
                self.idle[handler.group].remove(handler)
                self._serve(handler, call)
