"""Erlang B and Erlang C: the M/M/c/c loss system and the M/M/c queue, in closed form.

Erlang B (M/M/c/c, blocked calls lost)
    Erlang (1917). Evaluated with the standard stable recursion
    ``B(0, A) = 1``, ``B(k, A) = A·B(k-1, A) / (k + A·B(k-1, A))``, which never overflows and
    is exact to rounding for thousands of servers (e.g. Cooper, *Introduction to Queueing
    Theory*, 2nd ed., 1981, §3.4; Jagerman, *Bell System Tech. J.* 53, 1974).
Erlang C (M/M/c, infinitely patient callers)
    Erlang (1917). ``C(c, A) = B / (1 − (A/c)(1 − B))`` for ``A < c``; the waiting time of an
    arrival is 0 with probability ``1 − C`` and otherwise exponential with rate ``cμ − λ``, so
    ``P(W ≤ t) = 1 − C·exp(−(cμ − λ)t)`` and ``E[W] = C/(cμ − λ)`` (Cooper 1981, §3.5; Gross &
    Harris, *Fundamentals of Queueing Theory*, §2.3).

With several classes answered in priority order, Cobham's formula gives each class's mean wait
from the Erlang C probability (:func:`priority_mmc_waits`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .queue_metrics import QueueMetrics, check_load, check_positive, check_servers, check_target


def erlang_b(servers: int, offered_load: float) -> float:
    """Erlang B blocking probability of an M/M/c/c loss system.

    Parameters
    ----------
    servers : int
        Number of servers ``c`` (``≥ 0``).
    offered_load : float
        Offered load ``A = λ/μ`` in Erlangs (``≥ 0``).

    Returns
    -------
    float
        Probability that an arrival finds all ``c`` servers busy (and is lost), computed by
        the recursion ``b ← A·b/(k + A·b)``, ``k = 1..c``, from ``b = 1``. Stable for any
        ``c`` and any load (no factorials).
    """
    c = check_servers(servers, 0)
    a = float(offered_load)
    if not (math.isfinite(a) and a >= 0):
        raise ValueError(f"offered_load must be finite and >= 0, got {offered_load}")
    b = 1.0
    for k in range(1, c + 1):
        ab = a * b
        b = ab / (k + ab)
    return b


def erlang_c(servers: int, offered_load: float) -> float:
    """Erlang C probability of waiting in an M/M/c queue.

    Parameters
    ----------
    servers : int
        Number of servers ``c`` (``≥ 1``).
    offered_load : float
        Offered load ``A = λ/μ`` in Erlangs (``≥ 0``).

    Returns
    -------
    float
        Probability that an arrival finds all servers busy, ``P(W > 0)``, from
        ``C = B/(1 − (A/c)(1 − B))`` with ``B`` the Erlang B value. Returns 1.0 when
        ``A ≥ c`` (unstable queue: every arrival eventually waits).
    """
    c = check_servers(servers, 1)
    a = float(offered_load)
    b = erlang_b(c, a)
    if a >= c:
        return 1.0
    rho = a / c
    return min(1.0, b / (1.0 - rho * (1.0 - b)))


def erlang_c_metrics(
    arrival_rate: float, mean_service: float, servers: int, target: float
) -> QueueMetrics:
    """Steady-state metrics of the M/M/c (Erlang C) queue, in closed form.

    Parameters
    ----------
    arrival_rate : float
        Poisson arrival rate ``λ`` (calls per unit time).
    mean_service : float
        Mean exponential service time ``1/μ`` (same time unit).
    servers : int
        Number of servers ``c``.
    target : float
        Service-level threshold on the wait in queue (same time unit).

    Returns
    -------
    QueueMetrics
        With ``C`` the Erlang C probability: ``p_wait = C``, ``E[W] = C/(cμ − λ)`` (no one
        abandons, so answered and offered means coincide), service level
        ``1 − C·exp(−(cμ − λ)·target)``, occupancy ``λ/(cμ)``, mean queue length
        ``C·A/(c − A)``. If ``A ≥ c`` the result has ``stable=False``, infinite waits and
        queue, service levels 0, ``p_wait`` 1 and occupancy 1.
    """
    lam = check_positive("arrival_rate", arrival_rate)
    s = check_positive("mean_service", mean_service)
    check_load(lam, s)
    c = check_servers(servers, 1)
    t = check_target(target)
    a = lam * s
    common = {
        "servers": c,
        "arrival_rate": lam,
        "mean_service": s,
        "mean_patience": None,
        "target": t,
        "p_abandon": 0.0,
        "p_answered": 1.0,
    }
    if a >= c:
        return QueueMetrics(
            **common,
            p_wait=1.0,
            mean_wait_answered=math.inf,
            mean_wait_offered=math.inf,
            service_level_answered=0.0,
            service_level_offered=0.0,
            occupancy=1.0,
            mean_queue_length=math.inf,
            stable=False,
        )
    pc = erlang_c(c, a)
    drain = c / s - lam  # cμ − λ
    asa = pc / drain
    sl = 1.0 - pc * math.exp(-drain * t)
    return QueueMetrics(
        **common,
        p_wait=pc,
        mean_wait_answered=asa,
        mean_wait_offered=asa,
        service_level_answered=sl,
        service_level_offered=sl,
        occupancy=a / c,
        mean_queue_length=lam * asa,
        stable=True,
    )


def priority_mmc_waits(
    arrival_rates: Sequence[float], mean_service: float, servers: int
) -> list[float]:
    """Mean wait in queue of each class in a non-preemptive priority M/M/c queue.

    Classes are served in the order given (the first has the highest priority), first come
    first served within a class, and every class has the same exponential service time.
    Cobham's formula (Cobham, "Priority assignment in waiting line problems", *Operations
    Research* 2(1), 1954; Gross & Harris, *Fundamentals of Queueing Theory*, §3.4):
    ``W_k = C(c, a) / (cμ) / ((1 − σ_{k−1})(1 − σ_k))`` with ``σ_k`` the load of classes
    ``1..k`` per server. With one class it is the Erlang C mean wait. ``inf`` for a class
    whose cumulative load reaches 1.
    """
    servers = check_servers(servers, 1)
    mean_service = check_positive("mean_service", mean_service)
    rates = [float(r) for r in arrival_rates]
    if any(r < 0 or not math.isfinite(r) for r in rates):
        raise ValueError(f"arrival rates must be finite and >= 0, got {rates}")
    mu = 1.0 / mean_service
    load = sum(rates) / mu
    wait0 = erlang_c(servers, load) / (servers * mu) if load < servers else math.inf
    waits = []
    sigma = 0.0
    for rate in rates:
        before = sigma
        sigma += rate / (servers * mu)
        if sigma >= 1.0 or not math.isfinite(wait0):
            waits.append(math.inf)
        else:
            waits.append(wait0 / ((1.0 - before) * (1.0 - sigma)))
    return waits
