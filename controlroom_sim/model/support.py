"""Support workers: staff to whom call handlers pass calls of some types.

Seed 004 describes a Mind support worker in the control room, 13:00–23:00 every day, who talks
with callers in mental-health or social crisis, writes to the police log, and can keep the
caller on the line while officers attend. Here a handler who answers a call of one of a group's
``call_types`` while one of its workers is free spends ``handover_s`` on it and is then free
for the next call; the worker takes the caller for ``talk_s`` and may ask for attendance. When
no worker is free the handler deals with the call as usual. Workers keep rotas like everyone
else (:mod:`controlroom_sim.staffing`).
"""

from __future__ import annotations

from collections import deque

import pandas as pd
import simpy

from ..config.schema import Scenario
from .absence import absence
from .columns import Rows
from .rng import RandomStreams
from .staffing import BUSY, IDLE, Member, Staff


class SupportWorker(Member):
    """One support worker on one shift."""

    __slots__ = ()


class SupportDesk:
    """The support workers of one replication."""

    def __init__(
        self, env: simpy.Environment, scenario: Scenario, streams: RandomStreams | None = None
    ) -> None:
        self.env = env
        groups = scenario.support_workers
        names = [t.name for t in scenario.call_types]
        self.types_of = [{names.index(n) for n in group.call_types} for group in groups]
        self.types = set().union(*self.types_of) if self.types_of else set()
        self.on = True
        """Whether handlers hand calls over (an intervention may switch it off and on)."""
        self.idle: list[deque[SupportWorker]] = [deque() for _ in groups]
        self.work = Rows(
            {"worker_id": "int64", "call_id": "int64", "start_s": "float64", "end_s": "float64"}
        )
        self.staff = Staff(
            env,
            groups,
            scenario.origin_weekday_s,
            scenario.end_s,
            SupportWorker,
            release=self._release,
            withdraw=self._withdraw,
            absent=absence(streams, scenario, "support_workers", groups) if streams else None,
        )

    def take(self, call_type: int) -> tuple[int, SupportWorker] | None:
        """A free worker of a group that takes calls of ``call_type`` (the one idle longest
        among the groups' first idle workers), now busy; None if there is none."""
        best: tuple[int, SupportWorker] | None = None
        for g, idle in enumerate(self.idle):
            if (
                idle
                and call_type in self.types_of[g]
                and (best is None or idle[0].idle_since < best[1].idle_since)
            ):
                best = (g, idle[0])
        if best is None:
            return None
        self.idle[best[0]].popleft()
        best[1].state = BUSY
        return best

    def _release(self, worker: SupportWorker) -> None:
        worker.state = IDLE
        worker.idle_since = self.env.now
        self.idle[worker.group].append(worker)

    def _withdraw(self, worker: SupportWorker) -> None:
        self.idle[worker.group].remove(worker)

    def close(self) -> None:
        self.staff.close()

    def work_table(self) -> pd.DataFrame:
        """One row per call a worker took: ``worker_id, call_id, start_s, end_s``."""
        return self.work.frame()
