"""The app's scratch folders: uploads, fits and compare folders the page goes on using while
the server runs, all inside one temporary folder of the server's process that is removed when
the process ends (it used to leave a ``crs-app-*`` folder behind for every upload and fit)."""

from __future__ import annotations

import tempfile
from pathlib import Path

_ROOT: tempfile.TemporaryDirectory[str] | None = None


def scratch_folder(prefix: str) -> Path:
    """A new empty folder inside the process's scratch folder (made on first use)."""
    global _ROOT
    if _ROOT is None:
        _ROOT = tempfile.TemporaryDirectory(prefix="crs-app-")
    return Path(tempfile.mkdtemp(prefix=prefix, dir=_ROOT.name))


def scratch_root() -> Path | None:
    """The process's scratch folder, None before the first use."""
    return None if _ROOT is None else Path(_ROOT.name)


def clean_up() -> None:
    """Remove the scratch folder and everything in it now (the process's exit does it too)."""
    global _ROOT
    if _ROOT is not None:
        _ROOT.cleanup()
        _ROOT = None
