"""Text files as the loader reads them: UTF-8, with or without a byte-order mark; any other
encoding is a one-line :class:`ScenarioError` saying what the bytes look like."""

from __future__ import annotations

from pathlib import Path

from .errors import ScenarioError

_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def decode_text(raw: bytes, where: str | Path) -> str:
    """UTF-8 text (a UTF-8 byte-order mark is dropped), else a one-line :class:`ScenarioError`
    saying what the bytes look like."""
    for bom, name in _BOMS:
        if raw.startswith(bom):
            raise ScenarioError(
                f"{where}: expected UTF-8 text, found {name} (a byte-order mark); "
                "save the file as UTF-8"
            )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"{where}: expected UTF-8 text, found a byte that is not UTF-8 at offset {exc.start}"
        ) from None
