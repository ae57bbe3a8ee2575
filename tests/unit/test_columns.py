"""The typed column buffers behind a replication's records (controlroom_sim.model.columns)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from controlroom_sim.model.columns import CHUNK, MASK, Rows, Slots, _is_mapped, _values, in_memory
from tests.helpers.paths import ROOT

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


def _fill(slots: Slots, rows: list[int]) -> None:
    for i in rows:
        ids, x, code, small = slots.chunk(i)
        j = i & MASK
        ids[j] = i
        x[j] = i / 7
        code[j] = i % 100
        small[j] = i % 30000


def test_rows_stream_to_disk_every_chunk_and_come_back_exactly() -> None:
    rows = Rows(DTYPES)
    n = 3 * CHUNK + 17
    for i in range(n):
        rows.append(i, i / 3, i % 5 - 2, -(i % 30000))
        assert rows.held <= CHUNK  # never more than one buffer in memory
    assert rows.held == 17 and len(rows) == n
    frame = rows.frame()
    assert np.array_equal(frame["id"].to_numpy(), np.arange(n))
    assert np.array_equal(frame["x"].to_numpy(), np.arange(n) / 3)
    assert np.array_equal(frame["code"].to_numpy(), (np.arange(n) % 5 - 2).astype(np.int8))
    assert np.array_equal(frame["small"].to_numpy(), -(np.arange(n) % 30000).astype(np.int16))
    assert list(frame.dtypes.astype(str)) == list(DTYPES.values())
    frame.loc[0, "x"] = -1.0  # mapped copy-on-write: the table can still be changed
    assert frame.loc[0, "x"] == -1.0
    assert len(rows) == 0 and rows.held == 0


def test_complete_chunks_of_slots_go_to_disk_and_an_incomplete_one_waits() -> None:
    slots = Slots(DTYPES)
    late = 5  # row 5 stays unwritten while later chunks fill, as a long call would
    _fill(slots, [i for i in range(CHUNK) if i != late])
    _fill(slots, range(CHUNK, 2 * CHUNK))
    _fill(slots, [2 * CHUNK])  # a third chunk is made: the second, complete, goes to disk
    assert slots.held == 2 * CHUNK  # the first (incomplete) and the third
    _fill(slots, [late])  # the first is complete now ...
    _fill(slots, range(2 * CHUNK + 1, 3 * CHUNK + 10))  # ... and goes when the fourth is made
    assert slots.held == CHUNK  # the fourth; the third, complete too, went with the first
    n = 3 * CHUNK + 10
    everything = np.arange(n)
    assert np.array_equal(slots.column("id", n), everything)
    assert np.array_equal(slots.column("x", n), everything / 7)
    assert np.array_equal(slots.column("code", n), everything % 100)
    small = slots.column("small", n)
    assert small.dtype == np.int16 and np.array_equal(small, everything % 30000)


def test_slots_rows_never_written_read_as_zero_from_disk() -> None:
    slots = Slots(DTYPES)
    _fill(slots, range(CHUNK))
    _fill(slots, [CHUNK + 3])  # the first chunk goes to disk; rows CHUNK.. CHUNK+2 never come
    n = CHUNK + 4
    x = slots.column("x", n)
    assert np.array_equal(x[:CHUNK], np.arange(CHUNK) / 7)
    assert np.array_equal(x[CHUNK:], [0.0, 0.0, 0.0, (CHUNK + 3) / 7])


def test_files_of_streamed_columns_are_never_seen_in_the_temporary_folder(
    tmp_path, monkeypatch
) -> None:
    """Unnamed files: nothing is left behind even if the process is killed."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    rows = Rows(DTYPES)
    for i in range(2 * CHUNK):
        rows.append(i, 0.0, 0, 0)
    slots = Slots(DTYPES)
    _fill(slots, range(2 * CHUNK + 1))
    assert rows.held == 0 and slots.held == CHUNK  # two buffers and two chunks on disk
    assert list(tmp_path.iterdir()) == []
    frame = rows.frame()
    assert frame["id"].iloc[-1] == 2 * CHUNK - 1
    assert slots.column("id", 2 * CHUNK + 1)[-1] == 2 * CHUNK
    assert list(tmp_path.iterdir()) == []


def test_in_memory_reads_columns_mapped_from_disk_and_leaves_others() -> None:
    rows = Rows(DTYPES)
    for i in range(CHUNK + 1):
        rows.append(i, i / 2, 1, 2)
    mapped = rows.frame()
    mapped["label"] = pd.Categorical.from_codes(mapped["code"].to_numpy(), ["a", "b"])
    kept = in_memory(mapped)
    pd.testing.assert_frame_equal(kept, mapped, check_exact=True)
    assert not any(_is_mapped(_values(column)) for _, column in kept.items())
    assert _is_mapped(_values(mapped["x"]))  # the original is untouched
    small = Rows(DTYPES)
    small.append(1, 2.0, 3, 4)
    frame = small.frame()
    assert in_memory(frame) is frame  # nothing went to disk: nothing to copy


def test_records_streamed_to_disk_equal_records_kept_in_memory(monkeypatch) -> None:
    """Five weeks of the baseline (about 85,000 calls, 37,000 incidents: every table of more
    than a chunk goes to disk) gives the same records, to the bit, when nothing is streamed."""
    from controlroom_sim.config.loading import load_scenario
    from controlroom_sim.model.room import ControlRoom

    scenario = load_scenario(ROOT / "scenarios" / "baseline.toml", ["scenario.days=36"])

    def tables(room: ControlRoom) -> dict[str, pd.DataFrame]:
        records = room.run()
        spilled = {
            "calls": room.call_rows.slots._spills is not None,
            "incidents": room.desk.rows.slots._spills is not None,
        }
        out = {
            name: value.copy(deep=True)
            for name, value in vars(records).items()
            if isinstance(value, pd.DataFrame)
        }
        return out, spilled

    streamed, spilled = tables(ControlRoom(scenario, 3))
    assert spilled == {"calls": True, "incidents": True}
    assert len(streamed["calls"]) > 3 * CHUNK and len(streamed["work"]) > 2 * CHUNK
    assert len(streamed["dispatcher_work"]) > CHUNK
    with monkeypatch.context() as m:
        m.setattr(Slots, "_spill", lambda self, c: None)
        m.setattr(Rows, "_spill", lambda self: None)
        kept, spilled = tables(ControlRoom(scenario, 3))
    assert spilled == {"calls": False, "incidents": False}
    assert streamed.keys() == kept.keys()
    for name, table in streamed.items():
        pd.testing.assert_frame_equal(table, kept[name], check_exact=True, obj=name)
