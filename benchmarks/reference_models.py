"""Reference M/M/n+M implementations used to benchmark the ``controlroom_sim`` engine.

Two independent implementations of the same Erlang A model (Poisson arrivals,
exponential service, exponential patience, ``n`` servers, FIFO, callers
abandon when their patience runs out while still queueing):

* :func:`plain_simpy_mmn_plus_m` -- the idiomatic plain SimPy model a
  competent user would write (one process per call, ``request | timeout``).
* :func:`ciw_mmn_plus_m` -- the same model in Ciw 3.x.

Both take the same arguments and return the same summary dictionary, so a
benchmark script can run them beside the project's engine.  Neither imports
anything from ``controlroom_sim``.

Outcome accounting (identical for both)
---------------------------------------
The run covers ``[0, horizon)``.  ``offered`` counts every call arriving in
that window.  ``answered`` counts calls whose service *completed* before the
run stopped and ``abandoned`` counts calls that hung up before the run
stopped; calls still queueing or in service at ``horizon`` are only offered.
Derived rates use resolved calls as denominator:

* ``p_abandon = abandoned / (answered + abandoned)``
* ``mean_wait_answered`` -- mean queueing time of answered calls
* ``share_answered_within_target`` -- share of *answered* calls whose wait was
  at most ``target`` seconds

Run this module as a script for a self-check against exact Erlang A values::

    python benchmarks/reference_models.py --calls 200000
"""

from __future__ import annotations

import math
from collections.abc import Generator, Sequence
from typing import Any, TypedDict

import numpy as np
import simpy

__all__ = ["MMNPlusMResult", "ciw_mmn_plus_m", "plain_simpy_mmn_plus_m"]


class MMNPlusMResult(TypedDict):
    """Summary statistics returned by both reference models."""

    offered: int
    answered: int
    abandoned: int
    mean_wait_answered: float
    p_abandon: float
    share_answered_within_target: float


def _summarise(
    offered: int,
    answered_waits: Sequence[float],
    abandoned: int,
    target: float,
) -> MMNPlusMResult:
    """Build the common result dictionary from raw outcome data.

    Parameters
    ----------
    offered : int
        Number of calls that arrived in ``[0, horizon)``.
    answered_waits : sequence of float
        Queueing time of every answered (service completed) call.
    abandoned : int
        Number of calls that abandoned before the run stopped.
    target : float
        Answer-time target in seconds.

    Returns
    -------
    MMNPlusMResult
        Summary dictionary; rates are ``nan`` when their denominator is zero.
    """
    answered = len(answered_waits)
    resolved = answered + abandoned
    if answered:
        mean_wait = math.fsum(answered_waits) / answered
        within = sum(1 for w in answered_waits if w <= target) / answered
    else:
        mean_wait = math.nan
        within = math.nan
    return {
        "offered": offered,
        "answered": answered,
        "abandoned": abandoned,
        "mean_wait_answered": mean_wait,
        "p_abandon": abandoned / resolved if resolved else math.nan,
        "share_answered_within_target": within,
    }


def plain_simpy_mmn_plus_m(
    arrival_rate: float,
    mean_service: float,
    mean_patience: float,
    servers: int,
    horizon: float,
    seed: int,
    *,
    target: float = 10.0,
) -> MMNPlusMResult:
    """Simulate M/M/n+M with a plain, idiomatic SimPy model.

    An arrival process draws exponential inter-arrival times with
    ``env.timeout``; each call is its own process that draws its patience and
    service time at arrival, waits on ``request | timeout(patience)`` and, if
    answered, holds the server for ``timeout(service)``.  Waits are kept in
    plain Python lists.

    Parameters
    ----------
    arrival_rate : float
        Poisson arrival rate (calls per second).
    mean_service : float
        Mean of the exponential service (handling) time, seconds.
    mean_patience : float
        Mean of the exponential patience, seconds.
    servers : int
        Number of call handlers.
    horizon : float
        Simulated time at which the run stops, seconds.
    seed : int
        Seed for :func:`numpy.random.default_rng`.
    target : float, optional
        Answer-time target in seconds for ``share_answered_within_target``.

    Returns
    -------
    MMNPlusMResult
        See the module docstring for the exact accounting rules.
    """
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    handlers = simpy.Resource(env, capacity=servers)
    mean_interarrival = 1.0 / arrival_rate
    answered_waits: list[float] = []
    abandoned_waits: list[float] = []
    offered = 0

    def call(patience: float, service: float) -> Generator[simpy.Event, Any, None]:
        arrived = env.now
        with handlers.request() as req:
            result = yield req | env.timeout(patience)
            wait = env.now - arrived
            if req not in result:
                abandoned_waits.append(wait)
                return
            yield env.timeout(service)
            answered_waits.append(wait)

    def arrivals() -> Generator[simpy.Event, Any, None]:
        nonlocal offered
        while True:
            yield env.timeout(rng.exponential(mean_interarrival))
            offered += 1
            patience = rng.exponential(mean_patience)
            service = rng.exponential(mean_service)
            env.process(call(patience, service))

    env.process(arrivals())
    env.run(until=horizon)
    return _summarise(offered, answered_waits, len(abandoned_waits), target)


def ciw_mmn_plus_m(
    arrival_rate: float,
    mean_service: float,
    mean_patience: float,
    servers: int,
    horizon: float,
    seed: int,
    *,
    target: float = 10.0,
) -> MMNPlusMResult:
    """Simulate M/M/n+M with Ciw 3.x.

    Ciw declares abandonment as reneging: ``reneging_time_distributions``
    gives each customer a reneging date drawn on arrival at the node, and the
    customer leaves only if still queueing (never once in service) when that
    date is reached.  Ciw is imported lazily so that merely importing this
    module does not load Ciw (and its dependencies) into a process measured
    for memory.

    Parameters
    ----------
    arrival_rate : float
        Poisson arrival rate (calls per second).
    mean_service : float
        Mean of the exponential service (handling) time, seconds.
    mean_patience : float
        Mean of the exponential patience, seconds.
    servers : int
        Number of call handlers.
    horizon : float
        Simulated time at which the run stops, seconds.
    seed : int
        Passed to :func:`ciw.seed`, which reseeds the *global* :mod:`random`
        module (Ciw samples exponentials with :func:`random.expovariate`).
    target : float, optional
        Answer-time target in seconds for ``share_answered_within_target``.

    Returns
    -------
    MMNPlusMResult
        See the module docstring for the exact accounting rules.
    """
    import ciw

    ciw.seed(seed)
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=arrival_rate)],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / mean_service)],
        number_of_servers=[servers],
        reneging_time_distributions=[ciw.dists.Exponential(rate=1.0 / mean_patience)],
    )
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(horizon)
    # Completed records are "service" and "renege"; "incomplete" records are
    # synthesised for customers still in the node at the end of the run.
    records = sim.get_all_records(include_incomplete=True)
    answered_waits = [r.waiting_time for r in records if r.record_type == "service"]
    abandoned = sum(1 for r in records if r.record_type == "renege")
    return _summarise(len(records), answered_waits, abandoned, target)


if __name__ == "__main__":
    import argparse
    import time

    def erlang_a_exact(
        arrival_rate: float,
        mean_service: float,
        mean_patience: float,
        servers: int,
        target: float,
    ) -> dict[str, float]:
        """Exact steady-state Erlang A metrics from a truncated birth-death chain.

        Parameters
        ----------
        arrival_rate, mean_service, mean_patience, servers, target
            As for the simulation functions.

        Returns
        -------
        dict of str to float
            ``p_abandon`` (theta * E[queue] / lambda), ``mean_wait_answered``
            and ``share_answered_within_target`` (both among answered calls).
        """
        lam, mu, theta, n = arrival_rate, 1.0 / mean_service, 1.0 / mean_patience, servers
        # Unnormalised stationary probabilities of k calls in system; stop once
        # the tail is negligible (death rate grows like k * theta past n).
        probs = [1.0]
        k = 0
        while k < n or probs[-1] > 1e-18 * max(probs):
            k += 1
            probs.append(probs[-1] * lam / (min(k, n) * mu + max(k - n, 0) * theta))
        pi = np.array(probs) / math.fsum(probs)
        queue = np.maximum(np.arange(pi.size) - n, 0)
        p_abandon = theta * float(pi @ queue) / lam

        # A tagged arrival (PASTA) that sees k >= n waits with i = k - n calls
        # ahead.  With i ahead it moves up at rate n*mu + i*theta and hangs up
        # at rate theta; competing exponentials make the stage time independent
        # of which event fires.
        ahead = pi[n:]
        advance = n * mu + theta * np.arange(ahead.size)
        total = advance + theta
        survive = np.cumprod(advance / total)  # P(served | i ahead at arrival)
        stage_time = np.cumsum(1.0 / total)  # E[wait | served, i ahead]
        p_served = float(pi[:n].sum() + ahead @ survive)
        mean_wait = float(ahead @ (survive * stage_time)) / p_served

        # P(served and wait <= target) by uniformisation of the tagged chain.
        rate = float(total.max())
        step_down = advance / rate
        stay = 1.0 - total / rate
        state = ahead.copy()
        served_mass = 0.0
        within = float(pi[:n].sum())
        lt = rate * target
        m_max = int(lt + 12.0 * math.sqrt(lt) + 30.0)
        for m in range(m_max + 1):
            weight = math.exp(-lt + m * math.log(lt) - math.lgamma(m + 1)) if lt > 0 else 0.0
            within += weight * served_mass
            served_mass += state[0] * step_down[0]
            nxt = state * stay
            nxt[:-1] += state[1:] * step_down[1:]
            state = nxt
        return {
            "p_abandon": p_abandon,
            "mean_wait_answered": mean_wait,
            "share_answered_within_target": within / p_served,
        }

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=float, default=200_000, help="expected calls offered")
    parser.add_argument("--seed", type=int, default=12345)
    args = parser.parse_args()

    # 60 Erlangs offered to 63 handlers: ~95% load.
    params = {
        "arrival_rate": 0.2,
        "mean_service": 300.0,
        "mean_patience": 180.0,
        "servers": 63,
    }
    target = 10.0
    horizon = args.calls / params["arrival_rate"]
    exact = erlang_a_exact(**params, target=target)

    keys = ["p_abandon", "mean_wait_answered", "share_answered_within_target"]
    print(
        f"M/M/{params['servers']}+M  lambda={params['arrival_rate']}/s  "
        f"E[S]={params['mean_service']:.0f}s  E[patience]={params['mean_patience']:.0f}s  "
        f"load={params['arrival_rate'] * params['mean_service'] / params['servers']:.3f}  "
        f"horizon={horizon:,.0f}s  target={target:.0f}s"
    )
    header = f"{'model':<14}{'offered':>10}{'wall_s':>9}{'calls/s':>10}"
    header += "".join(f"{k:>30}" for k in keys)
    print(header)
    print(f"{'Erlang A':<14}{'':>10}{'':>9}{'':>10}" + "".join(f"{exact[k]:>30.5f}" for k in keys))
    for name, fn in [("plain SimPy", plain_simpy_mmn_plus_m), ("Ciw", ciw_mmn_plus_m)]:
        start = time.perf_counter()
        res = fn(**params, horizon=horizon, seed=args.seed, target=target)
        wall = time.perf_counter() - start
        row = f"{name:<14}{res['offered']:>10,}{wall:>9.2f}{res['offered'] / wall:>10,.0f}"
        row += "".join(f"{res[k]:>30.5f}" for k in keys)
        print(row)
        print(
            f"{'':<14}|p_abandon - exact| = {abs(res['p_abandon'] - exact['p_abandon']):.5f}"
            f"  (answered={res['answered']:,}, abandoned={res['abandoned']:,})"
        )
