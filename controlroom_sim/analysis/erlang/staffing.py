"""Staffing for a target: the smallest number of servers meeting a service level (Erlang C
or Erlang A), and the gallop-and-bisect search it uses."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

from .erlang_a import erlang_a_metrics
from .erlang_c import erlang_c_metrics
from .queue_metrics import check_load, check_positive, check_target, patience_rate

# Upper limit of the staffing search.
_MAX_STAFF = 1_000_000


def staff_for_target(
    arrival_rate: float,
    mean_service: float,
    target: float,
    service_level: float,
    mean_patience: float | None = None,
    measure: Literal["offered", "answered"] = "offered",
    max_occupancy: float | None = None,
    max_abandon: float | None = None,
) -> int:
    """Smallest number of servers meeting a service-level target (Erlang C or Erlang A).

    Parameters
    ----------
    arrival_rate : float
        Poisson arrival rate ``λ`` (calls per unit time).
    mean_service : float
        Mean exponential service time ``1/μ`` (same time unit).
    target : float
        Threshold on the wait in queue (same time unit), e.g. 10 s for a 999 call.
    service_level : float
        Required fraction in ``(0, 1)`` of calls answered within ``target``.
    mean_patience : float or None, optional
        Mean exponential patience ``1/θ``. ``None`` (default) or ``inf`` uses Erlang C
        (which also requires ``c > λ/μ``); otherwise Erlang A.
    measure : {"offered", "answered"}, optional
        ``"offered"`` (default): ``P(answered and W ≤ target)`` over all offered calls,
        abandoners counting as misses. ``"answered"``: ``P(W ≤ target | answered)``. The two
        coincide under Erlang C.
    max_occupancy : float or None, optional
        If given, also require occupancy ``≤ max_occupancy``.
    max_abandon : float or None, optional
        If given, also require ``p_abandon ≤ max_abandon``.

    Returns
    -------
    int
        The minimal number of servers ("raw positions", before shrinkage for breaks,
        training and absence) meeting every constraint.

    Notes
    -----
    The service level, abandonment and occupancy are monotone in the number of servers, so
    the search gallops upward from a lower bound and then bisects.
    """
    if measure not in ("offered", "answered"):
        raise ValueError(f"measure must be 'offered' or 'answered', got {measure!r}")
    sl_req = float(service_level)
    if not 0.0 < sl_req < 1.0:
        raise ValueError(f"service_level must be in (0, 1), got {service_level}")
    if max_occupancy is not None and not 0.0 < max_occupancy <= 1.0:
        raise ValueError(f"max_occupancy must be in (0, 1], got {max_occupancy}")
    if max_abandon is not None and not 0.0 <= max_abandon <= 1.0:
        raise ValueError(f"max_abandon must be in [0, 1], got {max_abandon}")
    lam = check_positive("arrival_rate", arrival_rate)
    s = check_positive("mean_service", mean_service)
    check_load(lam, s)
    t = check_target(target)
    theta = patience_rate(mean_patience)
    a = lam * s

    def meets(c: int) -> bool:
        if theta == 0.0:
            m = erlang_c_metrics(lam, s, c, t)
        else:
            m = erlang_a_metrics(lam, s, 1.0 / theta, c, t)
        if not m.stable:
            return False
        sl = m.service_level_offered if measure == "offered" else m.service_level_answered
        if sl < sl_req:
            return False
        if max_occupancy is not None and m.occupancy > max_occupancy:
            return False
        return max_abandon is None or m.p_abandon <= max_abandon

    lower = math.floor(a) + 1 if theta == 0.0 else 1
    if theta == 0.0 and max_occupancy is not None:
        lower = max(lower, math.ceil(a / max_occupancy))
    return smallest_meeting(lower, meets)


def smallest_meeting(lower: int, meets: Callable[[int], bool]) -> int:
    """Smallest ``c >= lower`` with ``meets(c)``, for a ``meets`` that stays true once true.

    Gallops upward from ``lower`` and then bisects; ValueError past a million servers.
    """
    if meets(lower):
        return lower
    # Gallop: (lo, hi] brackets the answer with meets(lo) False and meets(hi) True.
    lo, step = lower, 1
    hi = lo + step
    while not meets(hi):
        lo = hi
        step *= 2
        hi = lo + step
        if hi > _MAX_STAFF:
            raise ValueError("service-level target not attainable with a realistic staff")
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if meets(mid):
            hi = mid
        else:
            lo = mid
    return hi
