"""Erlang A: the M/M/c+M queue (Palm's queue), exact, from its birth–death chain.

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
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from ...config.errors import Param, named
from .erlang_c import erlang_c_metrics
from .queue_metrics import (
    ErlangInputError,
    QueueMetrics,
    check_load,
    check_positive,
    check_servers,
    check_target,
    patience_rate,
)

# Relative tail mass below which the Erlang-A stationary distribution is truncated.
_TAIL_TOL = 1e-17
# Hard cap on the number of queue states kept (guards absurd inputs such as an overloaded
# system with a patience millions of times the service time).
_MAX_QUEUE_STATES = 5_000_000


@dataclass(frozen=True)
class _ErlangADistribution:
    """Normalised stationary distribution of the M/M/c+M number in system.

    ``below[n] = π_n`` for ``n = 0..c-1`` and ``queue[j] = π_{c+j}`` for ``j = 0..J``.
    """

    below: np.ndarray
    queue: np.ndarray


def _too_patient(lam: float, cmu: float, theta: float, servers: int) -> ErlangInputError:
    """Callers so patient that an overloaded queue grows beyond what is computed exactly."""
    longest = (_MAX_QUEUE_STATES / 4) / (lam - cmu) if lam > cmu else None
    within = f"at most about {longest:.4g}" if longest is not None else "a shorter one"
    return named(
        ErlangInputError,
        Param("mean_patience", float(f"{1.0 / theta:.6g}")),
        f": too long to compute Erlang A exactly with {servers} servers, which the calls "
        f"overload (the queue would hold millions of callers); expected {within}, or no "
        "patience (Erlang C)",
    )


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
            raise _too_patient(lam, cmu, theta, c)
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
    theta = patience_rate(mean_patience)
    if theta == 0.0:
        return erlang_c_metrics(arrival_rate, mean_service, servers, target)
    lam = check_positive("arrival_rate", arrival_rate)
    s = check_positive("mean_service", mean_service)
    check_load(lam, s)
    c = check_servers(servers, 1)
    t = check_target(target)
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
