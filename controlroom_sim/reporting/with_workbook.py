"""The library's :func:`run`, :func:`compare` and :func:`sweep` as the command line runs them:
those of :mod:`controlroom_sim.experiments.api`, and, when they write a results folder, its
Excel workbook (``results.xlsx``, :mod:`.workbook`) as the last file, as the command line does.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from ..experiments import api
from .workbook import write_workbook

T = TypeVar("T")


def _with_workbook(function: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(function)
    def wrapped(*args: Any, **kwargs: Any) -> T:
        result = function(*args, **kwargs)
        folder: Path | None = getattr(result, "folder", None)
        if folder is not None:
            write_workbook(folder)
        return result

    return wrapped


run = _with_workbook(api.run)
compare = _with_workbook(api.compare)
sweep = _with_workbook(api.sweep)
