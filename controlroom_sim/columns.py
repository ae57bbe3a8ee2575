"""Typed column buffers: how a replication keeps its records compact while it runs.

A year of a large force makes millions of calls, incidents and handler stints. Kept as Python
objects (or tuples) to the end, each row costs a kilobyte or more, and the tables built from
them at the end double the peak. Here every value goes, once final, into a typed array (8 bytes
for a number, 1 or 2 for a flag or a code), and each DataFrame is built a column at a time,
each buffer let go as its column is made, so the peak is about one table, not two.

:class:`Rows` grows a row at a time, in the order rows are made (handler work, dispatcher
tasks). :class:`Slots` takes each row at its index (a call's or an incident's id), in whatever
order the rows become final, in fixed-size chunks.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

TYPECODES = {"int64": "q", "float64": "d", "int16": "h", "int8": "b", "bool": "b"}
"""The :mod:`array` type code that holds each dtype (a bool is stored as a 0/1 byte)."""

CHUNK_BITS = 14
CHUNK = 1 << CHUNK_BITS
"""Rows per chunk of a :class:`Slots` (16,384: about 2.5 MB for the calls' columns)."""
MASK = CHUNK - 1


def _view(buffer: array, dtype: str) -> np.ndarray:
    """The buffer's values as a numpy array of ``dtype``, without a copy."""
    return np.frombuffer(buffer, dtype=np.bool_ if dtype == "bool" else dtype)


def build_frame(n: int, columns: Iterable[tuple[str, object]]) -> pd.DataFrame:
    """A DataFrame of ``n`` rows (a RangeIndex) from ``(name, values)`` pairs, added one at a
    time (pandas copies each), so a lazily made column's buffer can be let go before the
    next is made."""
    frame = pd.DataFrame(index=pd.RangeIndex(n))
    for name, values in columns:
        frame[name] = values
    return frame


class Rows:
    """A table that grows a row at a time, in the order its rows are made."""

    __slots__ = ("_appends", "_buffers", "dtypes")

    def __init__(self, dtypes: Mapping[str, str]) -> None:
        self.dtypes = dict(dtypes)
        self._buffers = [array(TYPECODES[d]) for d in self.dtypes.values()]
        self._appends = tuple(b.append for b in self._buffers)

    def __len__(self) -> int:
        return len(self._buffers[0])

    def append(self, *row: float) -> None:
        for add, value in zip(self._appends, row, strict=True):
            add(value)

    def frame(self) -> pd.DataFrame:
        """The table, with the columns' dtypes; the buffers are emptied as it is built."""
        n = len(self)
        buffers = self._buffers
        self._buffers = [array(TYPECODES[d]) for d in self.dtypes.values()]
        self._appends = tuple(b.append for b in self._buffers)

        def columns() -> Iterable[tuple[str, np.ndarray]]:
            for k, (name, dtype) in enumerate(self.dtypes.items()):
                values = _view(buffers[k], dtype)
                buffers[k] = None  # type: ignore[call-overload]
                yield name, values

        return build_frame(n, columns())


class Slots:
    """A table whose row ``i`` is written at its index, in any order, into chunks of
    :data:`CHUNK` rows: :meth:`chunk` gives the column buffers holding row ``i``, at position
    ``i & MASK``."""

    __slots__ = ("_chunks", "_codes", "dtypes")

    def __init__(self, dtypes: Mapping[str, str]) -> None:
        self.dtypes = dict(dtypes)
        self._codes = [TYPECODES[d] for d in self.dtypes.values()]
        self._chunks: list[list[array]] = []

    def chunk(self, i: int) -> list[array]:
        """The column buffers of the chunk holding row ``i`` (made, zeroed, on first use)."""
        k = i >> CHUNK_BITS
        chunks = self._chunks
        while len(chunks) <= k:
            chunks.append(
                [array(code, bytes(array(code).itemsize * CHUNK)) for code in self._codes]
            )
        return chunks[k]

    def column(self, name: str, n: int) -> np.ndarray:
        """Rows ``0 .. n-1`` of one column as a new array; its buffers are let go."""
        k = list(self.dtypes).index(name)
        dtype = self.dtypes[name]
        parts = []
        for chunk in self._chunks:
            parts.append(_view(chunk[k], dtype))
            chunk[k] = None  # type: ignore[call-overload]
        if not parts:
            return np.zeros(0, dtype=bool if dtype == "bool" else dtype)
        return np.concatenate(parts)[:n]
