"""Tests for analysis.erlang: published Erlang C / Erlang A values and limiting cases.

The published reference values V1–V6 are in minutes (rates per minute); "SL" is over all
offered calls unless stated. Each test's docstring says what it pins.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import linalg, stats

from controlroom_sim.analysis.erlang import (
    QueueMetrics,
    erlang_a_metrics,
    erlang_b,
    erlang_c,
    erlang_c_metrics,
    staff_for_target,
)

LAM_V1 = 100.0 / 30.0  # 100 calls per 30 minutes, per minute
AHT = 3.0  # minutes
TARGET = 1.0 / 3.0  # 20 seconds, in minutes
PATIENCE = 5.0  # minutes


# --- Erlang B and C -------------------------------------------------------------------------


def test_erlang_b_table_value() -> None:
    """Erlang B pins the table value B(10, 5) = 0.018385."""
    assert erlang_b(10, 5.0) == pytest.approx(0.018385, abs=5e-7)


def test_erlang_b_edge_cases() -> None:
    """Erlang B is 1 with no servers, 0 with no load, and survives 2000 servers at huge load."""
    assert erlang_b(0, 3.0) == 1.0
    assert erlang_b(5, 0.0) == 0.0
    big = erlang_b(2000, 1e6)
    assert 0.99 < big <= 1.0
    assert 0.0 <= erlang_b(2000, 1900.0) <= 1.0


def test_erlang_c_overload_and_formula() -> None:
    """Erlang C is 1 at or above capacity and matches C = cB/(c − A(1 − B)) below it."""
    assert erlang_c(10, 10.0) == 1.0
    assert erlang_c(10, 12.5) == 1.0
    b = erlang_b(10, 8.0)
    assert erlang_c(10, 8.0) == pytest.approx(10 * b / (10 - 8.0 * (1 - b)), rel=1e-14)


# --- Published values -----------------------------------------------------------------------


def test_v1_erlang_c_published() -> None:
    """V1 (Erlang C, 14 servers): SL20 0.88835, occupancy 0.71429, P(wait) 0.17413, ASA 7.84 s."""
    m = erlang_c_metrics(LAM_V1, AHT, 14, TARGET)
    assert m.stable
    assert m.service_level_offered == pytest.approx(0.88835, abs=5e-6)
    assert m.service_level_answered == m.service_level_offered
    assert m.occupancy == pytest.approx(0.71429, abs=5e-6)
    assert m.p_wait == pytest.approx(0.17413, abs=5e-6)
    assert m.mean_wait_answered * 60 == pytest.approx(7.84, abs=0.005)
    assert m.p_abandon == 0.0
    assert m.p_answered == 1.0


def test_v2_erlang_a_published() -> None:
    """V2 (Erlang A, 13 servers): SL 0.85818, occ 0.75003, P(ab) 0.02496, P(wait) 0.22580, ASA.

    The published "ASA" 0.12482 min is the mean wait over all offered calls (abandoners
    counted up to abandonment), i.e. ``mean_wait_offered``; E[W | answered] is 0.11523 min.
    """
    m = erlang_a_metrics(LAM_V1, AHT, PATIENCE, 13, TARGET)
    assert m.service_level_offered == pytest.approx(0.85818, abs=5e-6)
    assert m.occupancy == pytest.approx(0.75003, abs=5e-6)
    assert m.p_abandon == pytest.approx(0.02496, abs=5e-6)
    assert m.p_wait == pytest.approx(0.22580, abs=5e-6)
    assert m.mean_wait_offered == pytest.approx(0.12482, abs=5e-6)
    assert m.mean_wait_answered == pytest.approx(0.11523, abs=5e-6)


def test_v3_erlang_a_published() -> None:
    """V3 (Erlang A, 14 servers): P(wait) 0.14526, P(ab) 0.013984, occ 0.704297, ASA, SL20.

    The published "ASA" 0.069919 min is again ``mean_wait_offered``.
    """
    m = erlang_a_metrics(LAM_V1, AHT, PATIENCE, 14, TARGET)
    assert m.p_wait == pytest.approx(0.14526, abs=5e-6)
    assert m.p_abandon == pytest.approx(0.013984, abs=5e-7)
    assert m.occupancy == pytest.approx(0.704297, abs=5e-7)
    assert m.mean_wait_offered == pytest.approx(0.069919, abs=5e-7)
    assert m.service_level_offered == pytest.approx(0.91679, abs=5e-6)


def test_v4_erlang_c_published() -> None:
    """V4 (Erlang C, λ=3.5/min, 13 servers): E[W] 26.56 s, P(wait) 0.36885, SL20 0.72061."""
    m = erlang_c_metrics(3.5, AHT, 13, TARGET)
    assert m.mean_wait_answered * 60 == pytest.approx(26.56, abs=0.005)
    assert m.mean_wait_offered == m.mean_wait_answered
    assert m.p_wait == pytest.approx(0.36885, abs=5e-6)
    assert m.service_level_offered == pytest.approx(0.72061, abs=5e-6)


def test_v5_erlang_a_published() -> None:
    """V5 (V4 + patience 5 min): E[W] 9.91 s is mean_wait_offered; P(ab) 0.03304; SL20s.

    The published E[W] = 9.91 s is the mean wait over all offered calls; the mean wait of
    answered calls is 9.18 s, which does not match.
    """
    m = erlang_a_metrics(3.5, AHT, PATIENCE, 13, TARGET)
    assert m.mean_wait_offered * 60 == pytest.approx(9.91, abs=0.005)
    assert m.mean_wait_answered * 60 == pytest.approx(9.18, abs=0.005)
    assert m.p_abandon == pytest.approx(0.03304, abs=5e-6)
    assert m.service_level_offered == pytest.approx(0.81631, abs=5e-6)
    assert m.service_level_answered == pytest.approx(0.8442, abs=5e-5)


def test_v6_erlang_a_overloaded_published() -> None:
    """V6 (V5 with 9 servers, A=10.5 > c): E[W] 56.62 s is mean_wait_offered; P(ab) 0.18873."""
    m = erlang_a_metrics(3.5, AHT, PATIENCE, 9, TARGET)
    assert m.stable
    assert m.mean_wait_offered * 60 == pytest.approx(56.62, abs=0.005)
    assert m.mean_wait_answered * 60 == pytest.approx(56.59, abs=0.005)  # not the published one
    assert m.p_abandon == pytest.approx(0.18873, abs=5e-6)
    assert m.occupancy == pytest.approx(10.5 * (1 - m.p_abandon) / 9, rel=1e-12)


def test_staffing_v1_erlang_c() -> None:
    """V1 staffing: Erlang C for SL 0.80 in 20 s needs 14 raw positions."""
    assert staff_for_target(LAM_V1, AHT, TARGET, 0.80) == 14
    assert erlang_c_metrics(LAM_V1, AHT, 13, TARGET).service_level_offered < 0.80


def test_staffing_v2_erlang_a() -> None:
    """V2 staffing: Erlang A (patience 5 min) for SL 0.80 (offered) in 20 s needs 13."""
    assert staff_for_target(LAM_V1, AHT, TARGET, 0.80, mean_patience=PATIENCE) == 13
    assert staff_for_target(LAM_V1, AHT, TARGET, 0.80, mean_patience=math.inf) == 14


def test_staffing_extra_constraints() -> None:
    """Staffing honours max_occupancy and max_abandon and returns the minimal such count."""
    c = staff_for_target(LAM_V1, AHT, TARGET, 0.80, mean_patience=PATIENCE, max_abandon=0.01)
    m = erlang_a_metrics(LAM_V1, AHT, PATIENCE, c, TARGET)
    prev = erlang_a_metrics(LAM_V1, AHT, PATIENCE, c - 1, TARGET)
    assert m.p_abandon <= 0.01 < prev.p_abandon
    c = staff_for_target(LAM_V1, AHT, TARGET, 0.5, max_occupancy=0.6)
    assert c == math.ceil(10.0 / 0.6)
    c = staff_for_target(LAM_V1, AHT, TARGET, 0.80, mean_patience=PATIENCE, measure="answered")
    assert erlang_a_metrics(LAM_V1, AHT, PATIENCE, c, TARGET).service_level_answered >= 0.80
    assert erlang_a_metrics(LAM_V1, AHT, PATIENCE, c - 1, TARGET).service_level_answered < 0.80


def test_staffing_large_centre_is_fast() -> None:
    """Staffing a ~1000-Erlang Erlang-A centre is minimal and takes well under a second."""
    start = time.perf_counter()
    c = staff_for_target(1000 / 240, 240.0, 20.0, 0.9, mean_patience=120.0)
    assert time.perf_counter() - start < 1.0
    assert erlang_a_metrics(1000 / 240, 240.0, 120.0, c, 20.0).service_level_offered >= 0.9
    assert erlang_a_metrics(1000 / 240, 240.0, 120.0, c - 1, 20.0).service_level_offered < 0.9


# --- Limiting cases and internal consistency ------------------------------------------------


def test_long_patience_tends_to_erlang_c() -> None:
    """Erlang A with a very long mean patience converges to Erlang C."""
    c_m = erlang_c_metrics(LAM_V1, AHT, 13, TARGET)
    a_m = erlang_a_metrics(LAM_V1, AHT, 1e9, 13, TARGET)
    assert a_m.p_wait == pytest.approx(c_m.p_wait, rel=1e-8)
    assert a_m.mean_wait_answered == pytest.approx(c_m.mean_wait_answered, rel=1e-7)
    assert a_m.service_level_offered == pytest.approx(c_m.service_level_offered, rel=1e-8)
    assert a_m.mean_queue_length == pytest.approx(c_m.mean_queue_length, rel=1e-7)
    assert a_m.p_abandon < 1e-9


def test_no_patience_delegates_to_erlang_c() -> None:
    """mean_patience None or inf gives exactly the Erlang C metrics."""
    ref = erlang_c_metrics(LAM_V1, AHT, 13, TARGET)
    assert erlang_a_metrics(LAM_V1, AHT, None, 13, TARGET) == ref
    assert erlang_a_metrics(LAM_V1, AHT, math.inf, 13, TARGET) == ref


def test_theta_equals_mu_gives_poisson() -> None:
    """With mean patience = mean service the number in system is Poisson(A): P(wait) = P(N≥c)."""
    for lam, c in [(LAM_V1, 13), (3.5, 9), (3.5, 14), (50.0, 140)]:
        m = erlang_a_metrics(lam, AHT, AHT, c, TARGET)
        a = lam * AHT
        assert m.p_wait == pytest.approx(stats.poisson.sf(c - 1, a), rel=1e-10, abs=1e-15)
        # Every caller leaves the system at rate μ, so E[queue] = E[(N − c)+] for N ~ Poisson.
        n = np.arange(c, int(a + 40 * math.sqrt(a) + 50))
        expected_q = float(np.dot(n - c, stats.poisson.pmf(n, a)))
        assert m.mean_queue_length == pytest.approx(expected_q, rel=1e-9)


@pytest.mark.parametrize(
    ("lam", "servers"), [(LAM_V1, 13), (3.5, 9), (3.5, 16), (30.0, 60), (40.0, 100)]
)
def test_erlang_a_consistency(lam: float, servers: int) -> None:
    """Erlang A: P(answered)+P(abandon)=1 (PASTA vs θE[Q]/λ), Little, occupancy = E[busy]/c."""
    m = erlang_a_metrics(lam, AHT, PATIENCE, servers, TARGET)
    assert m.p_answered + m.p_abandon == pytest.approx(1.0, abs=1e-12)
    assert m.mean_wait_offered == pytest.approx(m.mean_queue_length / lam, rel=1e-12)
    # E[W] over offered calls decomposes into answered and abandoned parts.
    assert m.mean_wait_offered >= m.p_answered * m.mean_wait_answered
    # Occupancy = mean busy servers / c = carried load / c.
    busy = m.occupancy * servers
    assert busy == pytest.approx(lam * m.p_answered * AHT, rel=1e-12)
    assert 0.0 <= m.service_level_offered <= m.p_answered
    assert m.service_level_offered == pytest.approx(
        m.service_level_answered * m.p_answered, rel=1e-12
    )
    assert m.p_wait > 0.0
    # Target 0 gives "answered immediately"; an infinite target gives "answered".
    zero = erlang_a_metrics(lam, AHT, PATIENCE, servers, 0.0)
    assert zero.service_level_offered == pytest.approx(1.0 - m.p_wait, abs=1e-14)
    inf_t = erlang_a_metrics(lam, AHT, PATIENCE, servers, math.inf)
    assert inf_t.service_level_offered == pytest.approx(m.p_answered, abs=1e-14)
    assert inf_t.service_level_answered == pytest.approx(1.0, abs=1e-12)


def _tagged_chain_answered_by(c: int, mu: float, theta: float, ahead: int, t: float) -> float:
    """P(answered within t | `ahead` callers in queue) from expm of the absorbing generator."""
    size = ahead + 1
    q = np.zeros((size + 1, size + 1))
    for k in range(size):
        q[k, k] = -(c * mu + (k + 1) * theta)
        if k > 0:
            q[k, k - 1] = c * mu + k * theta
    q[0, size] = c * mu  # absorption into "answered"
    return float(linalg.expm(q * t)[ahead, size])


def test_wait_distribution_matches_expm_of_tagged_chain() -> None:
    """The incomplete-beta SL equals expm of the tagged caller's absorbing CTMC (V2 setting)."""
    lam, c, t = LAM_V1, 13, 0.4
    mu, theta = 1 / AHT, 1 / PATIENCE
    a = lam / mu
    # Unnormalised stationary distribution, truncated far into the tail.
    weights = [a**n / math.factorial(n) for n in range(c + 1)]
    for j in range(1, 200):
        weights.append(weights[-1] * lam / (c * mu + j * theta))
    pi = np.array(weights) / sum(weights)
    sl = pi[:c].sum() + sum(
        pi[c + j] * _tagged_chain_answered_by(c, mu, theta, j, t) for j in range(60)
    )
    m = erlang_a_metrics(lam, AHT, PATIENCE, c, t)
    assert m.service_level_offered == pytest.approx(sl, abs=1e-12)
    assert m.p_wait == pytest.approx(pi[c:].sum(), abs=1e-13)


def test_erlang_c_unstable() -> None:
    """Erlang C at or above capacity is flagged unstable with infinite waits and SL 0."""
    m = erlang_c_metrics(3.5, AHT, 10, TARGET)
    assert not m.stable
    assert m.p_wait == 1.0
    assert math.isinf(m.mean_wait_answered)
    assert math.isinf(m.mean_queue_length)
    assert m.service_level_offered == 0.0
    assert m.service_level_answered == 0.0
    assert m.occupancy == 1.0


def test_large_centre_fast_and_valid() -> None:
    """c = 500 at load 490 (and 2× overload) runs well under a second with valid probabilities."""
    start = time.perf_counter()
    results = [
        erlang_a_metrics(490 / 240, 240.0, 60.0, 500, 20.0),
        erlang_a_metrics(980 / 240, 240.0, 60.0, 500, 20.0),
        erlang_c_metrics(490 / 240, 240.0, 500, 20.0),
    ]
    assert time.perf_counter() - start < 0.5
    for m in results:
        assert isinstance(m, QueueMetrics)
        for p in (
            m.p_wait,
            m.p_abandon,
            m.p_answered,
            m.service_level_answered,
            m.service_level_offered,
            m.occupancy,
        ):
            assert 0.0 <= p <= 1.0
        assert math.isfinite(m.mean_wait_answered)
        assert math.isfinite(m.mean_wait_offered)
    overloaded = results[1]
    # Half the offered load cannot be carried by 500 servers: P(abandon) ≈ 1 − 500/980.
    assert overloaded.p_abandon == pytest.approx(1 - 500 / 980, rel=1e-6)


def test_invalid_inputs_rejected() -> None:
    """Non-positive rates, negative targets, zero servers and bad SLs raise ValueError."""
    with pytest.raises(ValueError):
        erlang_c_metrics(0.0, AHT, 10, TARGET)
    with pytest.raises(ValueError):
        erlang_a_metrics(LAM_V1, AHT, -1.0, 10, TARGET)
    with pytest.raises(ValueError):
        erlang_a_metrics(LAM_V1, AHT, PATIENCE, 0, TARGET)
    with pytest.raises(ValueError):
        erlang_c_metrics(LAM_V1, AHT, 10, -1.0)
    with pytest.raises(ValueError):
        staff_for_target(LAM_V1, AHT, TARGET, 1.0)
    with pytest.raises(ValueError):
        staff_for_target(LAM_V1, AHT, TARGET, 0.8, measure="bogus")  # type: ignore[arg-type]


@settings(max_examples=40, deadline=None)
@given(
    load=st.floats(min_value=0.5, max_value=60.0),
    patience_ratio=st.one_of(st.none(), st.floats(min_value=0.1, max_value=20.0)),
    extra=st.integers(min_value=-5, max_value=20),
    target=st.floats(min_value=0.0, max_value=2.0),
    dt=st.floats(min_value=0.01, max_value=1.0),
)
def test_service_level_monotone(
    load: float, patience_ratio: float | None, extra: int, target: float, dt: float
) -> None:
    """SL (offered and answered) does not fall when a server is added or the target grows."""
    servers = max(1, math.floor(load) + 1 + extra)
    patience = None if patience_ratio is None else patience_ratio * AHT
    lam = load / AHT
    m = erlang_a_metrics(lam, AHT, patience, servers, target)
    more = erlang_a_metrics(lam, AHT, patience, servers + 1, target)
    later = erlang_a_metrics(lam, AHT, patience, servers, target + dt)
    tol = 1e-12
    assert more.service_level_offered >= m.service_level_offered - tol
    assert more.service_level_answered >= m.service_level_answered - tol
    assert later.service_level_offered >= m.service_level_offered - tol
    assert later.service_level_answered >= m.service_level_answered - tol
    assert 0.0 <= m.service_level_offered <= 1.0
    assert 0.0 <= m.service_level_answered <= 1.0


def test_loads_and_servers_beyond_the_range_name_the_parameters() -> None:
    """The library refuses an offered load it cannot compute (an overflowing product included)
    and a server count beyond its range, naming the parameters, instead of an OverflowError or
    a loop of 10^13 steps."""
    from controlroom_sim.analysis.erlang.queue_metrics import MAX_LOAD_ERLANGS, MAX_SERVERS

    with pytest.raises(ValueError, match=r"arrival_rate × mean_service: .* found inf"):
        staff_for_target(1e300, 1e300, 10.0, 0.9)
    with pytest.raises(ValueError, match="at most 100,000 Erlangs"):
        erlang_c_metrics(MAX_LOAD_ERLANGS * 1.01, 1.0, 200_000, 10.0)
    with pytest.raises(ValueError, match="servers must be at most 200,000"):
        erlang_a_metrics(1.0, 1.0, 60.0, MAX_SERVERS + 1, 10.0)


def test_a_patience_too_long_to_compute_names_the_range_that_works() -> None:
    """Callers so patient that an overloaded queue would hold millions: refused with a bound,
    and a patience within that bound is computed (and agrees with the fluid limit: the
    overload λ − cμ abandons)."""
    import re

    from controlroom_sim.analysis.erlang import erlang_a_metrics
    from controlroom_sim.analysis.erlang.queue_metrics import ErlangInputError

    rate, service, servers = 100 / 3600, 300.0, 5
    with pytest.raises(ErlangInputError) as caught:
        erlang_a_metrics(rate, service, 1e9, servers, 10.0)
    text = str(caught.value)
    assert text.startswith("mean_patience=1000000000.0: too long to compute Erlang A exactly")
    longest = float(re.search(r"at most about ([0-9.e+]+)", text).group(1))
    metrics = erlang_a_metrics(rate, service, longest, servers, 10.0)
    overload = (rate - servers / service) / rate
    assert metrics.p_abandon == pytest.approx(overload, rel=1e-2)
