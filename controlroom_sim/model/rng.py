"""Named random streams.

Every source of randomness in a replication has its own numpy ``Generator``, seeded from
``(seed, replication, stream name)`` alone. The scenario never enters the seed, so two scenarios
run with the same seed see the same callers (common random numbers), and adding a new stream
leaves every other stream unchanged. ``zlib.crc32`` gives a stable key for a name (Python's
``hash`` of a string is salted per process).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np


@dataclass
class RandomStreams:
    """The generators of one replication, created on first use and cached by name.

    Parameters
    ----------
    seed:
        The experiment's base seed (``[scenario] seed``).
    replication:
        The replication index, from 0.
    """

    seed: int
    replication: int
    _cache: dict[str, np.random.Generator] = field(default_factory=dict, repr=False)

    def generator(self, name: str) -> np.random.Generator:
        """The generator of stream ``name`` (for example ``"arrivals.999"``)."""
        rng = self._cache.get(name)
        if rng is None:
            key = (self.replication, zlib.crc32(name.encode("utf-8")))
            rng = np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=key))
            self._cache[name] = rng
        return rng
