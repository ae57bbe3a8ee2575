"""Exact queueing formulas for validating the simulator: Erlang B, Erlang C and Erlang A.

Every function is time-unit agnostic: rates and times may be in any consistent unit (the
simulator uses seconds, the published tables quoted in the tests use minutes). An arrival rate
of ``λ`` calls per unit time, a mean service (handling) time ``1/μ``, a mean patience ``1/θ``
and ``c`` servers (call handlers) give the offered load ``A = λ/μ`` in Erlangs.

Models and sources
------------------
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
Erlang A (M/M/c+M, Palm's queue: exponential patience, abandonment from the queue)
    Palm (1943, 1957); Garnett, Mandelbaum & Reiman, "Designing a call center with impatient
    customers", *Manufacturing & Service Operations Management* 4(3), 2002, 208–227;
    Mandelbaum & Zeltyn, "Service engineering in action: the Palm/Erlang-A queue, with
    applications to call centers", in *Advances in Services Innovations*, Springer, 2007,
    17–45 (and their technical note "The Palm/Erlang-A queue, with applications to call
    centers", 2005, whose numerical examples the tests reproduce).

    The number in system is a birth–death chain with birth rate ``λ`` and death rate
    ``min(n, c)μ + max(n − c, 0)θ``. Its stationary distribution is computed *exactly* (not
    by the Halfin–Whitt diffusion approximation) in log space, truncated where the
    remaining tail mass is below about ``1e-16``. By PASTA an arrival finds ``n`` in system
    with the stationary probability ``π_n``. An arrival that finds ``n = c + j`` (``j ≥ 0``
    callers ahead of it, FIFO) then sees an absorbing CTMC: the number ahead falls from
    ``k`` to ``k − 1`` at rate ``cμ + kθ`` (a service completion or an abandonment ahead),
    from ``k = 0`` a service completion (rate ``cμ``) answers the tagged call, and in every
    state the tagged caller abandons at rate ``θ``. The sojourn in state ``k`` is therefore
    exponential with rate ``r_k = cμ + (k + 1)θ`` independently of how it ends, which gives
    the closed forms used here:

    * ``P(answered | j) = cμ / (cμ + (j + 1)θ)`` (the product telescopes);
    * ``E[W·1{answered} | j] = P(answered | j) · Σ_{k=0..j} 1/r_k``;
    * ``E[W | j] = (j + 1) / (cμ + (j + 1)θ)`` (time in queue, abandoners up to abandonment);
    * ``P(answered, W ≤ t | j) = P(answered | j) · P(Σ_{k=0..j} Exp(r_k) ≤ t)``, and since the
      rates form the arithmetic progression ``a + kθ`` with ``a = cμ + θ``, the hypoexponential
      sum ``S`` satisfies ``exp(−θS) ~ Beta(a/θ, j + 1)`` (compare Laplace transforms), so
      ``P(S ≤ t) = I_{1 − exp(−θt)}(j + 1, a/θ)``, a regularised incomplete beta function.

    This is the same distribution Mandelbaum & Zeltyn express with incomplete gamma
    functions; it is exact, equals what ``scipy.linalg.expm`` of the transient generator
    gives (the tests check this), and costs one vectorised ``scipy.special.betainc`` call, so
    it stays fast for ``c`` in the thousands and for heavily overloaded systems (which are
    stable in Erlang A because of abandonment). The abandonment probability is
    ``θ·E[queue]/λ`` (rate conservation) and the mean wait over all offered calls is
    ``E[queue]/λ`` (Little's law).

Conventions
-----------
Service levels are ``P(W ≤ target)``. Waits are continuous, so for ``target > 0`` this equals
``P(W < target)``; ``target = 0`` gives the probability of being answered immediately.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import special

__all__ = [
    "QueueMetrics",
    "erlang_a_metrics",
    "erlang_b",
    "erlang_c",
    "erlang_c_metrics",
    "staff_for_target",
]

# Relative tail mass below which the Erlang-A stationary distribution is truncated.
_TAIL_TOL = 1e-17
# Hard cap on the number of queue states kept (guards absurd inputs such as an overloaded
# system with a patience millions of times the service time).
_MAX_QUEUE_STATES = 5_000_000
# Upper limit of the staffing search.
_MAX_STAFF = 1_000_000


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


def _check_servers(servers: int, minimum: int) -> int:
    if isinstance(servers, bool) or not isinstance(servers, int | np.integer):
        raise TypeError(f"servers must be an int, got {type(servers).__name__}")
    if servers < minimum:
        raise ValueError(f"servers must be >= {minimum}, got {servers}")
    return int(servers)


def _check_positive(name: str, value: float) -> float:
    value = float(value)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be positive and finite, got {value}")
    return value


def _check_target(target: float) -> float:
    target = float(target)
    if math.isnan(target) or target < 0:
        raise ValueError(f"target must be >= 0, got {target}")
    return target


def _patience_rate(mean_patience: float | None) -> float:
    """Abandonment rate ``θ``; 0.0 when callers never abandon."""
    if mean_patience is None:
        return 0.0
    mean_patience = float(mean_patience)
    if math.isnan(mean_patience) or mean_patience <= 0:
        raise ValueError(f"mean_patience must be positive, None or inf, got {mean_patience}")
    return 0.0 if math.isinf(mean_patience) else 1.0 / mean_patience


# --------------------------------------------------------------------------------------------
# Erlang B and C
# --------------------------------------------------------------------------------------------


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
    c = _check_servers(servers, 0)
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
    c = _check_servers(servers, 1)
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
    lam = _check_positive("arrival_rate", arrival_rate)
    s = _check_positive("mean_service", mean_service)
    c = _check_servers(servers, 1)
    t = _check_target(target)
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


# --------------------------------------------------------------------------------------------
# Erlang A
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _ErlangADistribution:
    """Normalised stationary distribution of the M/M/c+M number in system.

    ``below[n] = π_n`` for ``n = 0..c-1`` and ``queue[j] = π_{c+j}`` for ``j = 0..J``.
    """

    below: np.ndarray
    queue: np.ndarray


def _erlang_a_distribution(lam: float, mu: float, theta: float, c: int) -> _ErlangADistribution:
    """Stationary distribution of the Erlang-A birth–death chain, computed in log space.

    ``log π_n − log π_0`` is the running sum of the log birth/death ratios
    ``log(λ/(nμ))`` for ``n ≤ c`` and ``log(λ/(cμ + jθ))`` for ``n = c + j``. The sum is
    accumulated, and its maximum subtracted, in extended precision (``np.longdouble`` where the
    platform has it): the log weights reach thousands for large or overloaded centres, and
    doing this in float64 would leave relative errors of ~1e-12 in ``π``. The queue part is
    extended (by doubling) until the ratio ``λ/(cμ + (J+1)θ)`` is below 1 and the geometric
    bound on the remaining tail mass is below ``_TAIL_TOL`` relative to the total.
    """
    ext = np.longdouble
    lam_x = ext(lam)
    mu_x = ext(mu)
    theta_x = ext(theta)
    cmu = c * mu
    k = np.arange(1, c + 1, dtype=ext)
    log_low = np.empty(c + 1, dtype=ext)  # n = 0..c
    log_low[0] = 0.0
    log_low[1:] = np.cumsum(np.log(lam_x / (k * mu_x)))
    log_pc = log_low[-1]
    # First guess at the truncation point: the queue part rises while λ > cμ + jθ, then decays
    # like a Poisson of variance about λ/θ, and no slower than geometrically with ratio λ/(cμ)
    # when λ < cμ (only a start: the loop below doubles it until the tail bound holds).
    j_mode = max(0.0, (lam - cmu) / theta)
    width = 12.0 * math.sqrt(lam / theta)
    if lam < cmu:
        width = min(width, 40.0 / -math.log(lam / cmu))
    j_max = int(min(_MAX_QUEUE_STATES, j_mode + width + 64.0))
    while True:
        i = np.arange(1, j_max + 1, dtype=ext)
        log_q = np.empty(j_max + 1, dtype=ext)
        log_q[0] = log_pc
        log_q[1:] = log_pc + np.cumsum(np.log(lam_x / (c * mu_x + i * theta_x)))
        log_max = max(log_low.max(), log_q.max())
        below = np.exp((log_low[:-1] - log_max).astype(float))
        queue = np.exp((log_q - log_max).astype(float))
        total = float(below.sum()) + float(queue.sum())
        ratio = lam / (cmu + (j_max + 1) * theta)
        if ratio < 1.0 and queue[-1] / total * ratio / (1.0 - ratio) < _TAIL_TOL:
            break
        if j_max >= _MAX_QUEUE_STATES:
            raise ValueError(
                "Erlang-A queue too long to evaluate exactly (patience far longer than the "
                "time to clear the overload); use a shorter mean_patience or erlang_c_metrics"
            )
        j_max = min(_MAX_QUEUE_STATES, 2 * j_max)
    return _ErlangADistribution(below=below / total, queue=queue / total)


def erlang_a_metrics(
    arrival_rate: float,
    mean_service: float,
    mean_patience: float | None,
    servers: int,
    target: float,
) -> QueueMetrics:
    """Exact steady-state metrics of the M/M/c+M (Erlang A, Palm) queue.

    Parameters
    ----------
    arrival_rate : float
        Poisson arrival rate ``λ`` (calls per unit time).
    mean_service : float
        Mean exponential service time ``1/μ`` (same time unit).
    mean_patience : float or None
        Mean exponential patience ``1/θ`` (same time unit). ``None`` or ``inf`` means no
        abandonment, and the call is delegated to :func:`erlang_c_metrics`.
    servers : int
        Number of servers ``c`` (``≥ 1``).
    target : float
        Service-level threshold on the wait in queue (same time unit).

    Returns
    -------
    QueueMetrics
        Exact values from the stationary distribution ``π`` of the number in system and the
        tagged-caller absorbing chain described in the module docstring:

        * ``p_wait = Σ_{n≥c} π_n`` (PASTA);
        * ``p_abandon = θ·E[queue]/λ``; ``p_answered = Σ_{n<c} π_n + Σ_j π_{c+j}·cμ/(cμ+(j+1)θ)``
          (the two sum to 1 up to rounding);
        * ``mean_wait_offered = E[queue]/λ``; ``mean_wait_answered = E[W·1{answered}]/p_answered``;
        * ``service_level_offered = P(answered, W ≤ target)`` via the incomplete beta form;
          ``service_level_answered`` is that divided by ``p_answered``;
        * ``occupancy = λ·p_answered/(cμ)``; ``mean_queue_length = E[queue]``.

        Always ``stable=True``: abandonment keeps the queue finite even when ``λ/μ > c``.
    """
    theta = _patience_rate(mean_patience)
    if theta == 0.0:
        return erlang_c_metrics(arrival_rate, mean_service, servers, target)
    lam = _check_positive("arrival_rate", arrival_rate)
    s = _check_positive("mean_service", mean_service)
    c = _check_servers(servers, 1)
    t = _check_target(target)
    mu = 1.0 / s
    cmu = c * mu

    dist = _erlang_a_distribution(lam, mu, theta, c)
    q = dist.queue
    j = np.arange(q.size, dtype=float)
    rate = cmu + (j + 1.0) * theta  # r_j: total exit rate with j ahead
    p_below = float(dist.below.sum())
    p_wait = float(q.sum())
    mean_queue = float(np.dot(j, q))

    p_ans_given_j = cmu / rate
    p_answered = p_below + float(np.dot(q, p_ans_given_j))
    p_abandon = theta * mean_queue / lam

    # E[W·1{answered} | j] = P(answered | j)·Σ_{k≤j} 1/r_k.
    cum_mean = np.cumsum(1.0 / rate)
    wait_answered_mass = float(np.dot(q, p_ans_given_j * cum_mean))
    mean_wait_answered = wait_answered_mass / p_answered if p_answered > 0 else math.inf
    mean_wait_offered = mean_queue / lam

    # P(S_j ≤ t) for S_j = Σ_{k=0..j} Exp(cμ + (k+1)θ): exp(−θS_j) ~ Beta((cμ+θ)/θ, j+1).
    x = -math.expm1(-theta * t)  # 1 − exp(−θt), in [0, 1]
    alpha = (cmu + theta) / theta
    if x <= 0.0:
        p_fast = np.zeros_like(q)
    elif x >= 1.0:
        p_fast = np.ones_like(q)
    else:
        p_fast = special.betainc(j + 1.0, alpha, x)
    sl_offered = min(1.0, p_below + float(np.dot(q, p_ans_given_j * p_fast)))
    sl_answered = min(1.0, sl_offered / p_answered) if p_answered > 0 else 0.0

    return QueueMetrics(
        servers=c,
        arrival_rate=lam,
        mean_service=s,
        mean_patience=1.0 / theta,
        target=t,
        p_wait=min(1.0, p_wait),
        p_abandon=min(1.0, p_abandon),
        p_answered=min(1.0, p_answered),
        mean_wait_answered=mean_wait_answered,
        mean_wait_offered=mean_wait_offered,
        service_level_answered=sl_answered,
        service_level_offered=sl_offered,
        occupancy=min(1.0, lam * p_answered / cmu),
        mean_queue_length=mean_queue,
        stable=True,
    )


# --------------------------------------------------------------------------------------------
# Staffing
# --------------------------------------------------------------------------------------------


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
    lam = _check_positive("arrival_rate", arrival_rate)
    s = _check_positive("mean_service", mean_service)
    t = _check_target(target)
    theta = _patience_rate(mean_patience)
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
    servers = _check_servers(servers, 1)
    mean_service = _check_positive("mean_service", mean_service)
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
