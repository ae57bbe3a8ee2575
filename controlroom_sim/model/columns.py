"""Typed column buffers: how a replication keeps its records compact, and off the heap, while
it runs.

A year of a large force makes millions of calls, incidents and handler stints. Kept as Python
objects (or tuples) to the end, each row costs a kilobyte or more, and the tables built from
them at the end double the peak. Here every value goes, once final, into a typed buffer (8
bytes for a number, 1 or 2 for a flag or a code), and the buffers stream to disk as they fill,
so the memory a run holds does not grow with its horizon.

:class:`Rows` grows a row at a time, in the order rows are made (handler work, dispatcher
tasks, duty stretches), in :mod:`array` buffers. :class:`Slots` takes each row at its index (a
call's or an incident's id), in whatever order the rows become final, in fixed-size chunks,
each column of a chunk in memory mapped for it alone.

Streaming. Once :data:`CHUNK` rows of a table are complete (a :class:`Rows` buffer is full; a
chunk of a :class:`Slots` has had every row written), they are written to disk, a file per
column, and their memory is given back. The files are unnamed temporary files in the system's
temporary folder (``TMPDIR``, see :func:`tempfile.gettempdir`): the system deletes them when
they are closed, even if the run is killed. At the end, a column that went to disk is mapped
from its file (copy-on-write: the table can be changed, the file is not): its pages are read
as they are used and, being backed by the file, can be dropped again by the system under
memory pressure, instead of being held like the heap. A table that never filled a chunk (a
short run) is gathered in memory, as it was made, and touches no disk.
"""

from __future__ import annotations

import mmap
import os
import tempfile
from array import array
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

TYPECODES = {"int64": "q", "float64": "d", "int16": "h", "int8": "b"}
"""The :mod:`array` type code that holds each dtype :class:`Rows` takes."""

CHUNK_BITS = 14
CHUNK = 1 << CHUNK_BITS
"""Rows per chunk of a :class:`Slots`, and per buffer of a :class:`Rows`, written to disk as
one piece (16,384)."""
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


class SpoolError(RuntimeError):
    """Records could not be written to the temporary folder (full, or not writable)."""


def _spool_failed(exc: OSError) -> SpoolError:
    return SpoolError(
        f"records could not be written to the temporary folder {tempfile.gettempdir()}: "
        f"{exc.strerror or exc} (set TMPDIR to a folder with room for them)"
    )


def in_memory(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with any column mapped from a file (a table that went to disk) read into
    memory: for records kept after the run, which must not hold a file open per column."""
    mapped = [name for name, column in frame.items() if _is_mapped(_values(column))]
    if not mapped:
        return frame
    out = frame.copy(deep=False)
    for name in mapped:
        out[name] = frame[name].copy(deep=True)
    return out


def _values(column: pd.Series) -> np.ndarray:
    """The array holding a column's values (a categorical's codes)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return np.asarray(column.array.codes)
    return column.to_numpy()


def _is_mapped(values: np.ndarray) -> bool:
    base: object = values
    while isinstance(base, np.ndarray) and base.base is not None:
        base = base.base
    if isinstance(base, memoryview):
        base = base.obj
    return isinstance(base, mmap.mmap)


class Spill:
    """One column on disk: values written at their row, in any order, to an unnamed temporary
    file; :meth:`mapped` gives the column back as an array mapped from the file."""

    __slots__ = ("_file", "dtype")

    def __init__(self, dtype: str) -> None:
        self.dtype = np.dtype(dtype)
        try:
            # Open as long as the column is being written, so not in a ``with`` block.
            self._file = tempfile.TemporaryFile(buffering=0)  # noqa: SIM115
        except OSError as exc:
            raise _spool_failed(exc) from None

    def __del__(self) -> None:
        # A column never asked for (a table's unused column) still has its file open.
        file = getattr(self, "_file", None)
        if file is not None:
            file.close()

    def write(self, row: int, values: np.ndarray | array) -> None:
        """Write ``values`` (of this column's dtype) from row ``row`` on."""
        data = memoryview(values).cast("B")
        try:
            self._file.seek(row * self.dtype.itemsize)
            while data:  # an unbuffered write may take part of the data
                data = data[self._file.write(data) or 0 :]
        except OSError as exc:
            raise _spool_failed(exc) from None

    def mapped(self, n: int) -> np.ndarray:
        """Rows ``0 .. n-1``, mapped copy-on-write from the file, which is then closed (the
        mapping keeps it until the array is freed, when the system deletes it)."""
        size = n * self.dtype.itemsize
        try:
            if size == 0:
                return np.empty(0, dtype=self.dtype)
            fd = self._file.fileno()
            if os.fstat(fd).st_size < size:
                os.ftruncate(fd, size)
            return np.frombuffer(mmap.mmap(fd, size, access=mmap.ACCESS_COPY), dtype=self.dtype)
        finally:
            self._file.close()


class Rows:
    """A table that grows a row at a time, in the order its rows are made; every
    :data:`CHUNK` rows go to disk."""

    __slots__ = ("_appends", "_buffers", "_left", "_spills", "_written", "dtypes")

    def __init__(self, dtypes: Mapping[str, str]) -> None:
        self.dtypes = dict(dtypes)
        self._spills: list[Spill] | None = None
        self._written = 0  # rows on disk
        self._fresh()

    def _fresh(self) -> None:
        self._buffers = [array(TYPECODES[d]) for d in self.dtypes.values()]
        self._appends = tuple(b.append for b in self._buffers)
        self._left = CHUNK

    def __len__(self) -> int:
        return self._written + len(self._buffers[0])

    @property
    def held(self) -> int:
        """Rows in memory (not yet on disk)."""
        return len(self._buffers[0])

    def append(self, *row: float) -> None:
        for add, value in zip(self._appends, row, strict=True):
            add(value)
        self._left -= 1
        if not self._left:
            self._spill()

    def _spill(self) -> None:
        """The buffers to disk, and empty buffers in their place."""
        if self._spills is None:
            self._spills = [Spill(d) for d in self.dtypes.values()]
        for spill, buffer in zip(self._spills, self._buffers, strict=True):
            spill.write(self._written, buffer)
        self._written += len(self._buffers[0])
        self._fresh()

    def frame(self) -> pd.DataFrame:
        """The table, with the columns' dtypes; the table starts again empty. Its columns are
        the buffers themselves, or, if rows went to disk, mapped from the files."""
        if self._spills is None:
            buffers = self._buffers
            columns = [
                np.frombuffer(buffer, dtype=dtype)
                for dtype, buffer in zip(self.dtypes.values(), buffers, strict=True)
            ]
        else:
            n = len(self)
            if len(self._buffers[0]):
                self._spill()
            columns = [spill.mapped(n) for spill in self._spills]
        self._spills = None
        self._written = 0
        self._fresh()
        return as_frame(zip(self.dtypes, columns, strict=True))


class Slots:
    """A table whose row ``i`` is written at its index, in any order, into chunks of
    :data:`CHUNK` rows: :meth:`chunk` gives the column arrays holding row ``i``, at position
    ``i & MASK``. Each row is to be taken exactly once: a chunk whose every row has been taken
    is complete, and goes to disk when the next chunk is made (its last row has been written
    by then)."""

    __slots__ = ("_chunks", "_complete", "_left", "_spills", "dtypes")

    def __init__(self, dtypes: Mapping[str, str]) -> None:
        self.dtypes = dict(dtypes)
        self._chunks: list[list[np.ndarray] | None] = []
        self._left: list[int] = []  # rows of each chunk not taken yet
        self._complete: list[int] = []  # complete chunks still in memory
        self._spills: list[Spill] | None = None

    @property
    def held(self) -> int:
        """Rows in memory: those of the chunks not on disk, written or not."""
        return CHUNK * sum(chunk is not None for chunk in self._chunks)

    def chunk(self, i: int) -> list[np.ndarray]:
        """The column arrays of the chunk holding row ``i``, which the caller writes now (the
        chunk is made, zeroed, on first use)."""
        k = i >> CHUNK_BITS
        chunks = self._chunks
        if len(chunks) <= k:
            self._grow(k)
        left = self._left
        left[k] -= 1
        if not left[k]:
            self._complete.append(k)
        return chunks[k]  # type: ignore[return-value]

    def _grow(self, k: int) -> None:
        """Chunks up to ``k`` made; complete ones written to disk and let go first."""
        for c in self._complete:
            self._spill(c)
        self._complete.clear()
        while len(self._chunks) <= k:
            self._chunks.append([_zeros(CHUNK, dtype) for dtype in self.dtypes.values()])
            self._left.append(CHUNK)

    def _spill(self, c: int) -> None:
        if self._spills is None:
            self._spills = [Spill(d) for d in self.dtypes.values()]
        part = self._chunks[c]
        assert part is not None
        for spill, values in zip(self._spills, part, strict=True):
            spill.write(c << CHUNK_BITS, values)
        self._chunks[c] = None

    def column(self, name: str, n: int) -> np.ndarray:
        """Rows ``0 .. n-1`` of one column; the column's chunks are let go. If the table went
        to disk, the rest of the column joins it there and the column is mapped from the file;
        otherwise it is gathered into a new array."""
        k = list(self.dtypes).index(name)
        spill = self._spills[k] if self._spills is not None else None
        out = np.empty(n, dtype=self.dtypes[name]) if spill is None else None
        for c, chunk in enumerate(self._chunks):
            if chunk is None:
                continue
            part, chunk[k] = chunk[k], None  # type: ignore[call-overload]
            start = c << CHUNK_BITS
            if start < n:
                stop = min(start + CHUNK, n)
                if out is not None:
                    out[start:stop] = part[: stop - start]
                else:
                    spill.write(start, part[: stop - start])  # type: ignore[union-attr]
            del part
        return out if out is not None else spill.mapped(n)  # type: ignore[union-attr]
