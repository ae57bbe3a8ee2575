"""Column-store row writing: an object's row written into a :class:`~.columns.Slots` store at
its id, each column taken from the attribute of the same name.

One :class:`SlotRecorder` per table (calls, their grading and support columns, incidents)
replaces the hand-unpacked writes: a column added to a table's layout is written from the
attribute of that name with nothing else to change.
"""

from __future__ import annotations

from collections.abc import Mapping
from operator import attrgetter

from .columns import MASK, Slots


class SlotRecorder:
    """Writes rows of one table into its column store, at the row's id.

    Parameters
    ----------
    columns:
        The store's columns and dtypes, in order.
    sources:
        The attribute a column is read from when it is not the column's own name (dotted for
        an attribute of an attribute, e.g. ``"call.call_id"``).
    spread:
        An attribute holding a tuple whose values fill the last columns, in order (a call's
        THRIVE sub-tasks done), after the columns named.
    """

    __slots__ = ("_get", "_spread", "slots")

    def __init__(
        self,
        columns: Mapping[str, str],
        sources: Mapping[str, str] | None = None,
        spread: str | None = None,
        spread_columns: int = 0,
    ) -> None:
        self.slots = Slots(columns)
        named = list(columns)[: len(columns) - spread_columns]
        sources = sources or {}
        fields = [sources.get(name, name) for name in named]
        if spread is not None:
            fields.append(spread)
        assert len(fields) > 1
        self._get = attrgetter(*fields)
        self._spread = spread is not None

    def write(self, i: int, row: object) -> None:
        """Write ``row``'s values at index ``i`` (each index is written exactly once)."""
        j = i & MASK
        values = self._get(row)
        if self._spread:
            values = values[:-1] + values[-1]
        for column, value in zip(self.slots.chunk(i), values, strict=True):
            column[j] = value
