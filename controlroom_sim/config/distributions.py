"""The distribution vocabulary of scenario files.

Each distribution is a frozen pydantic model with a ``dist`` tag, its parameters in the field's
own unit (seconds for durations), an analytic ``mean`` and ``variance``, and a vectorised
``sample(rng, size)`` that draws from a numpy Generator passed in by the caller: distributions
never own a generator (see :mod:`controlroom_sim.rng`).

``mean`` and ``sd`` are those of the distribution itself, not of an underlying normal: a
lognormal with ``mean = 330, sd = 160`` has a sample mean of 330 seconds.
"""

from __future__ import annotations

import math
import warnings
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

_PROBE_DRAWS = 256
MAX_MEAN_S = 1e12
"""The longest mean a time distribution may have: about 31,700 years. Longer ones are
mistakes, and times near the float limit overflow when the model adds them up."""


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    # Every subclass provides ``mean`` and ``variance`` (a field or a property), in the unit of
    # the scenario field that uses it.

    @model_validator(mode="after")
    def _drawable(self) -> _Dist:
        """The parameters go together (:meth:`_params_problem`), and the distribution can be
        drawn from: parameters allowed one by one can still overflow together (a gamma with
        ``sd = 1e200``, a lognormal whose sd is 1e300 times its mean), which would stop a
        run half-way. The mean must be at most :data:`MAX_MEAN_S`, and a few draws from a
        fixed stream finite numbers >= 0."""
        problem = self._params_problem()
        if problem is None:
            try:
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    mean = float(self.mean)  # type: ignore[attr-defined]
                    draws = np.asarray(
                        self.sample(np.random.default_rng(0), _PROBE_DRAWS), dtype=float
                    )
                if not mean <= MAX_MEAN_S:
                    problem = f"expected a mean of at most {MAX_MEAN_S:g} s (about 31,700 years)"
                elif not (np.all(np.isfinite(draws)) and np.all(draws >= 0)):
                    problem = "expected parameters that give finite times >= 0"
            except (ArithmeticError, ValueError):
                problem = "expected parameters that give finite times >= 0"
            if problem is not None:
                problem = f"{problem}, found {self.describe()}"
        if problem is not None:
            raise ValueError(problem)
        return self

    def _params_problem(self) -> str | None:
        """What is wrong with the parameters taken together (each subclass's own rules)."""
        return None

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def describe(self) -> str:
        """A short human-readable form, e.g. ``lognormal(mean=330, sd=160)``."""
        params = ", ".join(
            f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
            for k, v in self.model_dump(exclude={"dist"}).items()
        )
        return f"{self.dist}({params})"  # type: ignore[attr-defined]


PositiveFloat = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNegativeFloat = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class Exponential(_Dist):
    """Exponential with the given mean."""

    dist: Literal["exponential"]
    mean: PositiveFloat

    @property
    def variance(self) -> float:
        return self.mean**2

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.exponential(self.mean, size)

    def describe(self) -> str:
        return f"exponential(mean={self.mean:g})"


class LogNormal(_Dist):
    """Lognormal given by its own mean and standard deviation (not the normal's)."""

    dist: Literal["lognormal"]
    mean: PositiveFloat
    sd: PositiveFloat

    @property
    def variance(self) -> float:
        return self.sd**2

    def _normal_params(self) -> tuple[float, float]:
        sigma2 = math.log1p((self.sd / self.mean) ** 2)
        return math.log(self.mean) - sigma2 / 2, math.sqrt(sigma2)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        mu, sigma = self._normal_params()
        return rng.lognormal(mu, sigma, size)

    def describe(self) -> str:
        return f"lognormal(mean={self.mean:g}, sd={self.sd:g})"


class Gamma(_Dist):
    """Gamma given by its mean and standard deviation."""

    dist: Literal["gamma"]
    mean: PositiveFloat
    sd: PositiveFloat

    @property
    def variance(self) -> float:
        return self.sd**2

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        shape = (self.mean / self.sd) ** 2
        scale = self.sd**2 / self.mean
        return rng.gamma(shape, scale, size)

    def describe(self) -> str:
        return f"gamma(mean={self.mean:g}, sd={self.sd:g})"


class Fixed(_Dist):
    """Always the same value."""

    dist: Literal["fixed"]
    value: NonNegativeFloat

    @property
    def mean(self) -> float:
        return self.value

    @property
    def variance(self) -> float:
        return 0.0

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        # Consume nothing from the stream: a fixed value needs no randomness.
        return np.full(size, self.value, dtype=float)


class Uniform(_Dist):
    """Uniform on [low, high]."""

    dist: Literal["uniform"]
    low: NonNegativeFloat
    high: NonNegativeFloat

    def _params_problem(self) -> str | None:
        if not self.low < self.high:
            return f"expected low < high, found low={self.low:g}, high={self.high:g}"
        return None

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2

    @property
    def variance(self) -> float:
        return (self.high - self.low) ** 2 / 12

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, size)


class Triangular(_Dist):
    """Triangular on [low, high] with the given mode."""

    dist: Literal["triangular"]
    low: NonNegativeFloat
    mode: NonNegativeFloat
    high: NonNegativeFloat

    def _params_problem(self) -> str | None:
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            return (
                "expected low <= mode <= high and low < high, found "
                f"low={self.low:g}, mode={self.mode:g}, high={self.high:g}"
            )
        return None

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3

    @property
    def variance(self) -> float:
        a, c, b = self.low, self.mode, self.high
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.triangular(self.low, self.mode, self.high, size)


class Empirical(_Dist):
    """Resampling with replacement from observed values (each equally likely)."""

    dist: Literal["empirical"]
    values: Annotated[list[NonNegativeFloat], Field(min_length=1)]

    @property
    def mean(self) -> float:
        return float(np.mean(self.values))

    @property
    def variance(self) -> float:
        return float(np.var(self.values))

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.choice(np.asarray(self.values, dtype=float), size)

    def describe(self) -> str:
        return f"empirical({len(self.values)} values, mean={self.mean:g})"


Distribution = Annotated[
    Exponential | LogNormal | Gamma | Fixed | Uniform | Triangular | Empirical,
    Field(discriminator="dist"),
]
"""Any distribution of the vocabulary, chosen by its ``dist`` tag."""

DIST_NAMES = ("exponential", "lognormal", "gamma", "fixed", "uniform", "triangular", "empirical")
