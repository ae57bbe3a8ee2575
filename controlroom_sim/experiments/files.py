"""Writing files whole: every file is written to a temporary name in the same folder and moved
into place with ``os.replace``, so a reader (or an interrupted run) never sees half a file;
JSON without NaN, and tables streamed frame by frame into one Parquet or CSV file."""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..config.errors import ControlroomError


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_current_umask()
"""Temporary files are private (0600); finished files get the user's usual permissions."""


class OutputError(ControlroomError, OSError):
    """The output folder cannot be created or written; the message is one line."""


def prepare_folder(folder: Path) -> Path:
    """Create ``folder`` and check it can be written, before any simulation runs."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".probe-"):
            pass
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise OutputError(f"{folder}: cannot write results there ({reason})") from None
    return folder


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then move it into place."""
    handle, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.chmod(tmp, _FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def write_json(path: Path, data: Any) -> None:
    text = json.dumps(_clean(data), indent=2, allow_nan=False) + "\n"
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_table(path: Path, frames: Iterable[pd.DataFrame]) -> bool:
    """Write ``frames`` one after another into one Parquet or CSV file (by ``path``'s suffix),
    streaming, so only one frame is in memory at a time. Returns False if there were none."""
    wrote = False

    def write(tmp: Path) -> None:
        nonlocal wrote
        if path.suffix == ".parquet":
            writer = None
            try:
                for frame in frames:
                    table = pa.Table.from_pandas(frame, preserve_index=False)
                    if writer is None:
                        writer = pq.ParquetWriter(tmp, table.schema)
                    writer.write_table(table.cast(writer.schema))
                    wrote = True
            finally:
                if writer is not None:
                    writer.close()
        else:
            with open(tmp, "w", encoding="utf-8", newline="") as handle:
                for frame in frames:
                    frame.to_csv(handle, index=False, header=not wrote)
                    wrote = True

    write_atomic(path, write)
    if not wrote:
        path.unlink(missing_ok=True)
    return wrote
