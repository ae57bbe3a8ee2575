"""What every queueing formula returns (:class:`QueueMetrics`), and the checks of their inputs.

Times are in the unit of the inputs; rates in its reciprocal (see the package docstring).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ...config.errors import ControlroomError


class ErlangInputError(ControlroomError, ValueError):
    """A queueing formula's input is outside the range it can be computed for; one line."""


@dataclass(frozen=True)
class QueueMetrics:
    """Steady-state performance of an M/M/c (Erlang C) or M/M/c+M (Erlang A) queue.

    All times are in the unit of the inputs (the reciprocal of the rate unit).

    Attributes
    ----------
    servers : int
        Number of servers (call handlers) ``c``.
    arrival_rate : float
        Poisson arrival rate ``λ`` (calls per unit time).
    mean_service : float
        Mean of the exponential service (handling) time ``1/μ``.
    mean_patience : float or None
        Mean of the exponential patience ``1/θ``; ``None`` (or ``inf``) means callers never
        abandon (Erlang C).
    target : float
        Service-level threshold on the wait in queue (same time unit).
    p_wait : float
        Probability that an arrival finds all servers busy (and so has to queue).
    p_abandon : float
        Fraction of offered calls that abandon before being answered.
    p_answered : float
        Fraction of offered calls that are answered, ``1 − p_abandon``.
    mean_wait_answered : float
        Mean wait in queue of answered calls, ``E[W | answered]`` (the "ASA").
    mean_wait_offered : float
        Mean time in queue over all offered calls, abandoners counted up to abandonment
        (``E[queue]/λ`` by Little's law).
    service_level_answered : float
        ``P(W ≤ target | answered)``.
    service_level_offered : float
        ``P(answered and W ≤ target)``; abandoners count as misses.
    occupancy : float
        Carried load per server, ``λ·p_answered·(1/μ)/c``, i.e. the long-run fraction of
        time a server is busy (1.0 for an unstable Erlang C system).
    mean_queue_length : float
        Time-average number of callers waiting (not in service).
    stable : bool
        ``False`` only for Erlang C with ``λ/μ ≥ c``; then waits and queue length are
        ``inf``, service levels 0, ``p_wait`` 1 and occupancy 1.
    """

    servers: int
    arrival_rate: float
    mean_service: float
    mean_patience: float | None
    target: float
    p_wait: float
    p_abandon: float
    p_answered: float
    mean_wait_answered: float
    mean_wait_offered: float
    service_level_answered: float
    service_level_offered: float
    occupancy: float
    mean_queue_length: float
    stable: bool

    @property
    def offered_load(self) -> float:
        """Offered load ``λ/μ`` in Erlangs."""
        return self.arrival_rate * self.mean_service


# --------------------------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------------------------


MAX_LOAD_ERLANGS = 100_000.0
"""The largest offered load (arrival rate × mean service) the formulas are computed for here.

The exact Erlang C and A figures and the staffing search take time in proportion to the number
of servers: at 100,000 Erlangs a figure takes about a second, and an infinite load (a rate and
a time whose product overflows) cannot be computed at all. No control room comes near: a large
force's 999 and 101 desks together offer well under 1,000 Erlangs.
"""
MAX_SERVERS = 200_000
"""The most servers a figure is computed for: twice the largest load (see MAX_LOAD_ERLANGS)."""


def check_servers(servers: int, minimum: int) -> int:
    if isinstance(servers, bool) or not isinstance(servers, int | np.integer):
        raise TypeError(f"servers must be an int, got {type(servers).__name__}")
    if servers < minimum:
        raise ValueError(f"servers must be >= {minimum}, got {servers}")
    if servers > MAX_SERVERS:
        raise ValueError(f"servers must be at most {MAX_SERVERS:,}, got {servers:,}")
    return int(servers)


def check_load(arrival_rate: float, mean_service: float) -> float:
    """The offered load ``λ/μ`` in Erlangs; ValueError beyond :data:`MAX_LOAD_ERLANGS`."""
    load = float(arrival_rate) * float(mean_service)
    if not load <= MAX_LOAD_ERLANGS:
        raise ValueError(
            f"arrival_rate × mean_service: expected an offered load of at most "
            f"{MAX_LOAD_ERLANGS:,.0f} Erlangs, found {load:g}"
        )
    return load


def check_positive(name: str, value: float) -> float:
    value = float(value)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be positive and finite, got {value}")
    return value


def check_target(target: float) -> float:
    target = float(target)
    if math.isnan(target) or target < 0:
        raise ErlangInputError(f"target must be >= 0, got {target}")
    return target


def patience_rate(mean_patience: float | None) -> float:
    """Abandonment rate ``θ``; 0.0 when callers never abandon."""
    if mean_patience is None:
        return 0.0
    mean_patience = float(mean_patience)
    if math.isnan(mean_patience) or mean_patience <= 0:
        raise ValueError(f"mean_patience must be positive, None or inf, got {mean_patience}")
    return 0.0 if math.isinf(mean_patience) else 1.0 / mean_patience
