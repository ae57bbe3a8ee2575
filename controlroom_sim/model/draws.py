"""Per-call draws: every attribute of a call drawn at its arrival, in blocks, from named
random streams (common random numbers across scenarios with the same seed).

A call's draws are a :class:`CallDraws` record, read by name: the channel's (BT stage,
patience, talk, wrap-up, follow-up choices) and, when the scenario has them, the callback's,
the THRIVE grading's (with the call types' own talk and wrap-up times, one stream per type that
has them), the incident's and the support worker's, each its own record. A new
draw is a field of its record and the ``add`` line that names its stream and distribution:
no other draw moves. The streams, their names and the order they are sampled in are the
engine's contract for common random numbers: a draw added must not reuse a name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import repeat
from typing import NamedTuple

import numpy as np

from ..config.distributions import Exponential
from ..config.schema import Callback, Channel, Dispatch, SupportWorkers
from ..config.vocabulary import RESPONSE_GRADES
from .rng import RandomStreams
from .thrive import Grader

_ATTRIBUTE_BLOCK = 2048
UNIFORM = "uniform"
"""A draw that is a plain uniform on [0, 1) (a choice compared with a probability)."""


class CallbackDraws(NamedTuple):
    """A 101 call's callback choices (callback channel only)."""

    accept_u: float
    success_u: float
    attempt_s: float
    retry_s: float


class GradingDraws(NamedTuple):
    """A call's type, true risk and flags, its THRIVE sub-tasks (one of each per check, in the
    grader's order), and a talk and wrap-up time for each type with its own (used when the
    call is of that type)."""

    type_u: float
    risk_u: float
    vulnerable_u: float
    repeat_u: float
    refer_u: float
    skip_u: tuple[float, ...]
    miss_u: tuple[float, ...]
    time_s: tuple[float, ...]
    type_talk_s: tuple[float, ...]
    """One talk time per type with its own on the channel (the grader's ``own_talk``)."""
    type_wrap_s: tuple[float, ...]
    """One wrap-up time per type with its own on the channel (the grader's ``own_wrap``)."""


class DispatchDraws(NamedTuple):
    """The incident a call may raise (``on_scene_s``: one per response grade, in
    ``RESPONSE_GRADES`` order)."""

    rural_u: float
    travel_s: float
    rural_travel_s: float
    on_scene_s: tuple[float, ...]
    suppress_u: float
    escalate_s: float
    repeat_u: float
    repeat_delay_s: float
    allocation_s: float


class SupportDraws(NamedTuple):
    """A support worker's part (one handover and talk time per support group)."""

    handover_s: tuple[float, ...]
    talk_s: tuple[float, ...]
    attend_u: float


class CallDraws(NamedTuple):
    """Every draw of one call; a part the scenario does not have is None."""

    bt_s: float
    patience_s: float
    talk_s: float
    wrap_s: float
    follow_u: float
    follow_delay_s: float
    to999_delay_s: float
    callback: CallbackDraws | None
    grading: GradingDraws | None
    dispatch: DispatchDraws | None
    support: SupportDraws | None


class _Layout:
    """Where a record's fields come from: a column (its index), a tuple of columns (a list of
    indices), a nested record (a layout), or nothing (None)."""

    __slots__ = ("fields", "record")

    def __init__(self, record: type, fields: Sequence[object]) -> None:
        assert len(fields) == len(record._fields)  # type: ignore[attr-defined]
        self.record = record
        self.fields = fields

    def rows(self, columns: list[list[float]], n: int) -> list[tuple]:
        """The ``n`` records of a block of columns."""
        parts: list[Iterable[object]] = []
        for field in self.fields:
            if field is None:
                parts.append(repeat(None, n))
            elif isinstance(field, int):
                parts.append(columns[field])
            elif isinstance(field, list):
                parts.append(
                    zip(*(columns[k] for k in field), strict=True) if field else repeat((), n)
                )
            else:
                parts.append(field.rows(columns, n))  # type: ignore[attr-defined]
        return list(map(tuple.__new__, repeat(self.record, n), zip(*parts, strict=True)))


class Draws:
    """Per-call draws of one channel, drawn in blocks from named streams.

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

        def add(name: str, dist: object) -> int:
            self._specs.append((name, dist))
            return len(self._specs) - 1

        core = [
            add("bt_s", channel.bt_connect_s),
            add("patience_s", channel.patience_s),
            add("talk_s", channel.talk_s),
            add("wrap_s", channel.wrap_s),
            add("follow_u", UNIFORM),
            add("follow_delay_s", channel.redial_delay_s),
            add("to999_delay_s", channel.abandon_to_999_delay_s),
        ]
        cb = None
        if callback is not None:
            cb = _Layout(
                CallbackDraws,
                [
                    add("accept_u", UNIFORM),
                    add("success_u", UNIFORM),
                    add("attempt_s", callback.attempt_s),
                    add("retry_s", callback.retry_after_s),
                ],
            )
        grading = None
        if grader is not None:
            types = grader.types
            kind = [add(name, UNIFORM) for name in ("type_u", "risk_u", "vulnerable_u", "repeat_u")]
            refer = add("refer_u", UNIFORM)
            checks = [
                (
                    add(f"{name}.skip_u", UNIFORM),
                    add(f"{name}.miss_u", UNIFORM),
                    add(f"{name}.time_s", check.time_s),
                )
                for name, check in grader.checks
            ]
            # Streams named by the type, added only for the types that have their own times:
            # a scenario without them draws exactly what it drew before.
            talk = [add(f"type.{types[k].name}.talk_s", d) for k, d in grader.own_talk]
            wrap = [add(f"type.{types[k].name}.wrap_s", d) for k, d in grader.own_wrap]
            grading = _Layout(
                GradingDraws,
                [*kind, refer, *([c[k] for c in checks] for k in range(3)), talk, wrap],
            )
        incident = None
        if grader is not None and dispatch is not None:
            incident = _Layout(DispatchDraws, self._dispatch_fields(add, dispatch))
        worker = None
        if grader is not None and support:
            pairs = [
                (
                    add(f"support{g}.handover_s", group.handover_s),
                    add(f"support{g}.talk_s", group.talk_s),
                )
                for g, group in enumerate(support)
            ]
            attend = add("support.attend_u", UNIFORM)
            worker = _Layout(SupportDraws, [[h for h, _ in pairs], [t for _, t in pairs], attend])
        self._layout = _Layout(CallDraws, [*core, cb, grading, incident, worker])
        self._rngs = [streams.generator(f"{prefix}.{name}") for name, _ in self._specs]
        self._rows: list[CallDraws] = []
        self._next = 0

    @staticmethod
    def _dispatch_fields(add, dispatch: Dispatch) -> list[object]:  # type: ignore[no-untyped-def]
        rate = dispatch.escalation_per_hour
        failure = dispatch.failure_demand
        return [
            add("rural_u", UNIFORM),
            add("travel_s", dispatch.travel_s),
            add("rural_travel_s", dispatch.rural_travel_s),
            [add(f"on_scene.{grade}", dispatch.on_scene_s[grade]) for grade in RESPONSE_GRADES],
            add("suppress_u", UNIFORM),
            add(
                "escalate_s",
                Exponential(dist="exponential", mean=3600.0 / rate) if rate > 0 else None,
            ),
            add("repeat_u", UNIFORM),
            add("repeat_delay_s", failure.resolved_delay_s if failure is not None else None),
            add("allocation_s", dispatch.allocation_s),
        ]

    def _refill(self) -> None:
        """The next block: every stream sampled in the order the draws were added."""
        columns = []
        for (_, dist), rng in zip(self._specs, self._rngs, strict=True):
            if dist is None:
                columns.append(np.zeros(_ATTRIBUTE_BLOCK))
            elif dist == UNIFORM:
                columns.append(rng.random(_ATTRIBUTE_BLOCK))
            else:
                columns.append(dist.sample(rng, _ATTRIBUTE_BLOCK))  # type: ignore[attr-defined]
        self._rows = self._layout.rows([c.tolist() for c in columns], _ATTRIBUTE_BLOCK)
        self._next = 0

    def draw(self) -> CallDraws:
        """The next call's draws."""
        if self._next >= len(self._rows):
            self._refill()
        row = self._rows[self._next]
        self._next += 1
        return row
