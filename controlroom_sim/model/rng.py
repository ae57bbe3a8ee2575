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

    def uniform_at(self, name: str, label: str, *place: int) -> float:
        """A uniform draw in [0, 1) of stream ``name`` for one place (a text ``label`` and whole
        numbers, which may be negative): the same place always gets the same draw, whatever
        else is drawn and in whatever order, so a change elsewhere leaves it unchanged."""
        key = (
            self.replication,
            zlib.crc32(name.encode("utf-8")),
            zlib.crc32(label.encode("utf-8")),
            *(2 * p if p >= 0 else -2 * p - 1 for p in place),  # whole numbers to naturals
        )
        word = np.random.SeedSequence(self.seed, spawn_key=key).generate_state(1, np.uint64)[0]
        return float(int(word) >> 11) / float(1 << 53)  # the top 53 bits, as a double
