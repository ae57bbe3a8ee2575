"""Print the coverage table of docs/validation.md section 4.4: how often a 95% interval holds
the true mean, for the t interval cut at the KPI's bounds (what the summaries use) and for a t
interval on the logit (share) or log (amount) scale transformed back, which falls back to the
cut t interval when a replication sits on a bound.

Usage (from the repository root):

    python docs/interval_coverage.py [SETS]

SETS (default 20,000) independent sets of n = 3, 10 and 50 replications are drawn with numpy
from each distribution (seed 1); a few seconds.
"""

from __future__ import annotations

import sys

import numpy as np
from scipy import special

RNG = np.random.default_rng(1)


def t_interval(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The 95% t interval of each row of ``x``."""
    n = x.shape[1]
    half = special.stdtrit(n - 1, 0.975) * x.std(axis=1, ddof=1) / np.sqrt(n)
    return x.mean(axis=1) - half, x.mean(axis=1) + half


def cut(x: np.ndarray, low: float, high: float) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = t_interval(x)
    return np.clip(lo, low, high), np.clip(hi, low, high)


def transformed(x: np.ndarray, share: bool) -> tuple[np.ndarray, np.ndarray]:
    """The t interval on the logit (share) or log (amount) scale, transformed back; the cut t
    interval for a set with a replication on a bound."""
    inside = ((x > 0) & (x < 1)).all(axis=1) if share else (x > 0).all(axis=1)
    safe = np.where(inside[:, None], x, 0.5)
    y = special.logit(safe) if share else np.log(safe)
    lo, hi = t_interval(y)
    back = special.expit if share else np.exp
    with np.errstate(over="ignore"):
        lo, hi = back(lo), back(hi)
    clo, chi = cut(x, 0.0, 1.0 if share else np.inf)
    return np.where(inside, lo, clo), np.where(inside, hi, chi)


def beta(mean: float, sd: float):  # type: ignore[no-untyped-def]
    k = mean * (1 - mean) / sd**2 - 1
    return lambda size: RNG.beta(mean * k, (1 - mean) * k, size)


CASES = [
    ("share: Binomial(200, 0.98) / 200", lambda size: RNG.binomial(200, 0.98, size) / 200, 0.98),
    ("share: Beta, mean 0.9, sd 0.05", beta(0.9, 0.05), 0.9),
    ("share: Beta(0.5, 5)", lambda size: RNG.beta(0.5, 5, size), 0.5 / 5.5),
    ("amount: Gamma, shape 2", lambda size: RNG.gamma(2.0, 1.0, size), 2.0),
    ("amount: lognormal, σ = 1", lambda size: RNG.lognormal(0.0, 1.0, size), np.exp(0.5)),
    ("amount: Poisson(1)", lambda size: RNG.poisson(1.0, size).astype(float), 1.0),
]


def main(sets: int) -> None:
    print("| replications drawn from | n | t, cut at the bounds | logit / log scale |")
    print("|---|---|---|---|")
    for name, draw, truth in CASES:
        share = name.startswith("share")
        plain, other = [], []
        for n in (3, 10, 50):
            x = draw((sets, n))
            for out, (lo, hi) in (
                (plain, cut(x, 0.0, 1.0 if share else np.inf)),
                (other, transformed(x, share)),
            ):
                out.append(f"{((lo <= truth) & (truth <= hi)).mean():.1%}")
        print(f"| {name} | 3 / 10 / 50 | {' / '.join(plain)} | {' / '.join(other)} |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
