"""Typed column buffers: how a replication keeps its records compact while it runs.

A year of a large force makes millions of calls, incidents and handler stints. Kept as Python
objects (or tuples) to the end, each row costs a kilobyte or more, and the tables built from
them at the end double the peak. Here every value goes, once final, into a typed buffer (8
bytes for a number, 1 or 2 for a flag or a code), and the DataFrames are made from the buffers
without a second copy of the table.

:class:`Rows` grows a row at a time, in the order rows are made (handler work, dispatcher
tasks), in :mod:`array` buffers that become the table's columns as they are. :class:`Slots`
takes each row at its index (a call's or an incident's id), in whatever order the rows become
final, in fixed-size chunks, each column of a chunk in memory mapped for it alone; a column is
gathered from its chunks, and they are given back to the system before the next is made.
"""

from __future__ import annotations

import mmap
from array import array
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

TYPECODES = {"int64": "q", "float64": "d", "int16": "h", "int8": "b"}
"""The :mod:`array` type code that holds each dtype :class:`Rows` takes."""

CHUNK_BITS = 16
CHUNK = 1 << CHUNK_BITS
"""Rows per chunk of a :class:`Slots` (65,536)."""
MASK = CHUNK - 1
# Private where the platform has the flag (POSIX); an anonymous mapping elsewhere is private.
_MAP_FLAGS = {"flags": mmap.MAP_PRIVATE} if hasattr(mmap, "MAP_PRIVATE") else {}


def _zeros(n: int, dtype: str) -> np.ndarray:
    """``n`` zeros of ``dtype`` in memory mapped for them alone: the system zeroes the pages,
    they take memory only once written (a short run pays little for a chunk), and they go back
    to the system as soon as the array is freed. (From the C library's heap, freed chunks
    would stay with the process, in holes between live blocks, while the tables are built.)"""
    size = n * np.dtype(dtype).itemsize
    return np.frombuffer(mmap.mmap(-1, size, **_MAP_FLAGS), dtype=dtype)


def as_frame(columns: Iterable[tuple[str, np.ndarray]]) -> pd.DataFrame:
    """A DataFrame with these arrays as its columns, in order, not copied (and not stacked
    into 2-D blocks, which would copy them)."""
    return pd.DataFrame(dict(columns), copy=False)


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
        """The table, with the columns' dtypes: its columns are the buffers themselves, so the
        buffers start again empty."""
        buffers = self._buffers
        self._buffers = [array(TYPECODES[d]) for d in self.dtypes.values()]
        self._appends = tuple(b.append for b in self._buffers)
        return as_frame(
            (name, np.frombuffer(buffer, dtype=dtype))
            for (name, dtype), buffer in zip(self.dtypes.items(), buffers, strict=True)
        )


class Slots:
    """A table whose row ``i`` is written at its index, in any order, into chunks of
    :data:`CHUNK` rows: :meth:`chunk` gives the column arrays holding row ``i``, at position
    ``i & MASK``."""

    __slots__ = ("_chunks", "dtypes")

    def __init__(self, dtypes: Mapping[str, str]) -> None:
        self.dtypes = dict(dtypes)
        self._chunks: list[list[np.ndarray]] = []

    def chunk(self, i: int) -> list[np.ndarray]:
        """The column arrays of the chunk holding row ``i`` (made, zeroed, on first use)."""
        k = i >> CHUNK_BITS
        chunks = self._chunks
        while len(chunks) <= k:
            chunks.append([_zeros(CHUNK, dtype) for dtype in self.dtypes.values()])
        return chunks[k]

    def column(self, name: str, n: int) -> np.ndarray:
        """Rows ``0 .. n-1`` of one column, as a new array; its chunks are let go."""
        k = list(self.dtypes).index(name)
        out = np.empty(n, dtype=self.dtypes[name])
        for c, chunk in enumerate(self._chunks):
            part, chunk[k] = chunk[k], None  # type: ignore[call-overload]
            start = c << CHUNK_BITS
            if start < n:
                stop = min(start + CHUNK, n)
                out[start:stop] = part[: stop - start]
            del part
        return out
