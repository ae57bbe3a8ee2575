"""Exact queueing formulas for validating the simulator: Erlang B, Erlang C and Erlang A.

Every function is time-unit agnostic: rates and times may be in any consistent unit (the
simulator uses seconds, the published tables quoted in the tests use minutes). An arrival rate
of ``λ`` calls per unit time, a mean service (handling) time ``1/μ``, a mean patience ``1/θ``
and ``c`` servers (call handlers) give the offered load ``A = λ/μ`` in Erlangs.

Models and sources
------------------
Erlang B and Erlang C
    :mod:`.erlang_c` (with Cobham's priority queue, whose waits are Erlang C's).
Erlang A
    :mod:`.erlang_a`: the exact stationary distribution and the tagged caller's wait.
Staffing for a target
    :mod:`.staffing`: the smallest number of servers meeting a service level.

:mod:`.queue_metrics` holds what every formula returns (:class:`QueueMetrics`) and the checks
of their inputs. This package re-exports the public names, so
``from controlroom_sim.analysis.erlang import erlang_c_metrics`` works as before.

Conventions
-----------
Service levels are ``P(W ≤ target)``. Waits are continuous, so for ``target > 0`` this equals
``P(W < target)``; ``target = 0`` gives the probability of being answered immediately.
"""

from __future__ import annotations

from .erlang_a import erlang_a_metrics
from .erlang_c import erlang_b, erlang_c, erlang_c_metrics, priority_mmc_waits
from .queue_metrics import QueueMetrics
from .staffing import smallest_meeting, staff_for_target

__all__ = [
    "QueueMetrics",
    "erlang_a_metrics",
    "erlang_b",
    "erlang_c",
    "erlang_c_metrics",
    "priority_mmc_waits",
    "smallest_meeting",
    "staff_for_target",
]
