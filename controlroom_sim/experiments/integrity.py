"""What a run wrote, and whether it is still that: the size and SHA-256 of every file a run
saves (each finished replication's JSON and tables while it runs, every results table when it
is complete), recorded in ``manifest.json`` as the file is written, and checked before the
file is trusted again (by ``--resume``, ``report`` and ``replay``).

A fingerprint is ``{"bytes": n, "sha256": hex}``; a listing maps a path relative to the folder
(with ``/``) to its fingerprint. A file that is not as it was written (truncated, edited,
replaced) is refused with one line naming it and saying what to do; a listed file that is gone
is reported to the caller, which decides (a missing replication part means "run that
replication again").
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..config.errors import ControlroomError

_CHUNK = 1 << 20


class AlteredFile(ControlroomError, ValueError):
    """A saved file is not as its run wrote it; the message is one line naming it."""


def fingerprint(path: Path) -> dict[str, Any]:
    """``{"bytes": size, "sha256": hex digest}`` of the file at ``path``."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return {"bytes": size, "sha256": digest.hexdigest()}


def listing(root: Path, paths: Iterable[Path]) -> dict[str, dict[str, Any]]:
    """The fingerprints of ``paths`` keyed by their path relative to ``root``."""
    return {Path(p).relative_to(root).as_posix(): fingerprint(Path(p)) for p in paths}


def difference(path: Path, expected: dict[str, Any]) -> str | None:
    """How the file at ``path`` differs from its recorded fingerprint: None if it does not,
    ``"missing"`` if it is gone, else what differs (its size, or its contents)."""
    if not path.is_file():
        return "missing"
    try:
        found = fingerprint(path)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    want_bytes = expected.get("bytes")
    if found["bytes"] != want_bytes:
        return f"{found['bytes']:,} bytes where the run wrote {_count(want_bytes)}"
    if found["sha256"] != expected.get("sha256"):
        return "its contents changed since the run wrote it (its SHA-256 differs)"
    return None


def _count(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else repr(value)


def is_fingerprint(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("bytes"), int)
        and isinstance(value.get("sha256"), str)
    )


def check_listing(
    root: Path, files: dict[str, Any], advice: str, skip_missing: bool = False
) -> list[str]:
    """Check every file of ``files`` (a listing relative to ``root``), in name order.

    A file that differs raises :class:`AlteredFile` with ``advice`` (what to do); a missing
    file raises too unless ``skip_missing``, when the names of the missing files are returned.
    """
    missing = []
    for name in sorted(files):
        expected = files[name]
        path = root / name
        if not is_fingerprint(expected):
            raise AlteredFile(
                f"{root / 'manifest.json'}: files.{name}: expected a size and SHA-256, "
                f"found {expected!r}"
            )
        found = difference(path, expected)
        if found is None:
            continue
        if found == "missing" and skip_missing:
            missing.append(name)
            continue
        if found == "missing":
            found = "the run wrote it, but it is gone"
        raise AlteredFile(f"{path}: {found}; {advice}")
    return missing
