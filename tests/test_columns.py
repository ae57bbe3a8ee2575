"""The typed column buffers behind a replication's records (controlroom_sim.columns)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from controlroom_sim.columns import CHUNK, MASK, Rows, Slots

DTYPES = {"id": "int64", "x": "float64", "code": "int8", "small": "int16"}


def test_rows_become_a_frame_with_their_dtypes() -> None:
    rows = Rows(DTYPES)
    for i in range(1000):
        rows.append(i, i / 3, i % 5 - 2, -i)
    assert len(rows) == 1000
    frame = rows.frame()
    expected = pd.DataFrame(
        {
            "id": np.arange(1000, dtype=np.int64),
            "x": np.arange(1000) / 3,
            "code": (np.arange(1000) % 5 - 2).astype(np.int8),
            "small": (-np.arange(1000)).astype(np.int16),
        }
    )
    pd.testing.assert_frame_equal(frame, expected, check_exact=True)
    assert len(rows) == 0  # the buffers became the frame's columns
    empty = Rows(DTYPES).frame()
    assert len(empty) == 0 and list(empty.dtypes.astype(str)) == list(DTYPES.values())


def test_slots_take_rows_in_any_order_across_chunks() -> None:
    n = 2 * CHUNK + 123  # three chunks, the last one partly filled
    order = np.random.default_rng(8).permutation(n)
    slots = Slots({**DTYPES, "flag": "bool"})
    for i in order.tolist():
        ids, x, code, small, flag = slots.chunk(i)
        j = i & MASK
        ids[j] = i
        x[j] = i / 7
        code[j] = i % 100
        small[j] = i % 30000
        flag[j] = i % 3 == 0
    everything = np.arange(n)
    assert np.array_equal(slots.column("id", n), everything)
    assert np.array_equal(slots.column("x", n), everything / 7)
    code = slots.column("code", n - 5)  # the first n - 5 rows
    assert code.dtype == np.int8 and np.array_equal(code, everything[:-5] % 100)
    assert np.array_equal(slots.column("small", n), everything % 30000)
    flag = slots.column("flag", n)
    assert flag.dtype == np.bool_ and np.array_equal(flag, everything % 3 == 0)


def test_slots_with_no_rows_give_empty_columns() -> None:
    slots = Slots(DTYPES)
    column = slots.column("x", 0)
    assert column.dtype == np.float64 and len(column) == 0
