"""Per-call draws: every attribute of a call drawn at its arrival, in blocks, from named
random streams (common random numbers across scenarios with the same seed).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..config.distributions import Exponential
from ..config.schema import Callback, Channel, Dispatch, SupportWorkers
from ..config.vocabulary import RESPONSE_GRADES
from .rng import RandomStreams
from .thrive import Grader

_ATTRIBUTE_BLOCK = 2048


class _Attributes:
    """Per-call attributes of one channel, drawn in blocks from named streams.

    The i-th call of a kind (first calls, or follow-ups: redials and 101 callers ringing 999)
    gets the i-th draw of every stream, whatever happened before it, so two scenarios run with
    the same seed give their i-th callers the same patience, talk time and choices.
    """

    def __init__(
        self,
        streams: RandomStreams,
        prefix: str,
        channel: Channel,
        callback: Callback | None,
        grader: Grader | None = None,
        dispatch: Dispatch | None = None,
        support: Sequence[SupportWorkers] = (),
    ) -> None:
        self._specs: list[tuple[str, object]] = []

        def add(name: str, dist: object) -> None:
            self._specs.append((name, dist))

        add("bt_s", channel.bt_connect_s)
        add("patience_s", channel.patience_s)
        add("talk_s", channel.talk_s)
        add("wrap_s", channel.wrap_s)
        add("follow_u", "uniform")
        add("follow_delay_s", channel.redial_delay_s)
        add("to999_delay_s", channel.abandon_to_999_delay_s)
        if callback is not None:
            add("accept_u", "uniform")
            add("success_u", "uniform")
            add("attempt_s", callback.attempt_s)
            add("retry_s", callback.retry_after_s)
        if grader is not None:
            self.graded_at = len(self._specs)
            for name in ("type_u", "risk_u", "vulnerable_u", "repeat_u", "refer_u"):
                add(name, "uniform")
            for name, check in grader.checks:
                add(f"{name}.skip_u", "uniform")
                add(f"{name}.miss_u", "uniform")
                add(f"{name}.time_s", check.time_s)
        if grader is not None and dispatch is not None:
            self.dispatch_at = len(self._specs)
            add("rural_u", "uniform")
            add("travel_s", dispatch.travel_s)
            add("rural_travel_s", dispatch.rural_travel_s)
            for grade in RESPONSE_GRADES:
                add(f"on_scene.{grade}", dispatch.on_scene_s[grade])
            add("suppress_u", "uniform")
            rate = dispatch.escalation_per_hour
            add(
                "escalate_s",
                Exponential(dist="exponential", mean=3600.0 / rate) if rate > 0 else None,
            )
            add("repeat_u", "uniform")
            failure = dispatch.failure_demand
            add("repeat_delay_s", failure.resolved_delay_s if failure is not None else None)
            add("allocation_s", dispatch.allocation_s)
        if grader is not None and support:
            self.support_at = len(self._specs)
            for g, group in enumerate(support):
                add(f"support{g}.handover_s", group.handover_s)
                add(f"support{g}.talk_s", group.talk_s)
            add("support.attend_u", "uniform")
            self.support_n = 2 * len(support) + 1
        self._rngs = [streams.generator(f"{prefix}.{name}") for name, _ in self._specs]
        self._rows: list[tuple[float, ...]] = []
        self._next = 0

    def _refill(self) -> None:
        columns = []
        for (_, dist), rng in zip(self._specs, self._rngs, strict=True):
            if dist is None:
                columns.append(np.zeros(_ATTRIBUTE_BLOCK))
            elif dist == "uniform":
                columns.append(rng.random(_ATTRIBUTE_BLOCK))
            else:
                columns.append(dist.sample(rng, _ATTRIBUTE_BLOCK))  # type: ignore[attr-defined]
        self._rows = list(zip(*(c.tolist() for c in columns), strict=True))
        self._next = 0

    def draw(self) -> tuple[float, ...]:
        if self._next >= len(self._rows):
            self._refill()
        row = self._rows[self._next]
        self._next += 1
        return row
