"""Which file (or override) set each key path of a scenario, so that an error names the place
where the bad value was written, not a base it was merged onto.

The origins are a table from key path to where it was set (a file's name, or the
:class:`.errors.Param` of an override), kept in the order the layers were applied: a base's
paths before its child's, overrides last. A key the whole model is checked against (two
sections that do not go together) is named after the last layer that set any of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path as FilePath
from typing import Any

from .errors import Part

Path = tuple[str, ...]


class Origins(dict[Path, Part]):
    """Key path -> the file or override that set it, in the order the layers were applied.

    ``written_as`` maps a key path set by a shift line's name to the key as the user wrote it
    (``("shift_lines", "Late 999", "count")``) and who wrote it, so the error names that key.
    ``files`` lists the files read besides scenario files (rota files), in the order read.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.written_as: dict[Path, tuple[Path, Part]] = {}
        self.files: list[FilePath] = []


def _nearest(loc: Path, origins: dict[Path, Part]) -> tuple[int, Part] | None:
    """The last-applied origin at ``loc``, under it, or at the nearest table above it that has
    any, with its place in the order; None when no layer set anything of its section."""
    for length in range(len(loc), 0, -1):
        prefix = loc[:length]
        hits = [(i, f) for i, (path, f) in enumerate(origins.items()) if path[:length] == prefix]
        if hits:
            return hits[-1]
    return None


def origin_of(loc: Path, origins: dict[Path, Part]) -> Part | None:
    """The file (or override) that last set ``loc``, something under it, or the nearest table
    above it; None when no file sets anything of its top-level section (then the scenario file
    itself is named)."""
    hit = _nearest(loc, origins)
    return None if hit is None else hit[1]


def latest_of(locs: Sequence[Path], origins: dict[Path, Part]) -> Path:
    """Of several key paths that make a problem together, the first of those set by the last
    layer that set any of them (the first when no layer set any)."""
    hits = [(loc, _nearest(loc, origins)) for loc in locs]
    found = [(hit[0], hit[1]) for _, hit in hits if hit is not None]
    if not found:
        return locs[0]
    last = max(found, key=lambda h: h[0])[1]
    return next(loc for loc, hit in hits if hit is not None and hit[1] == last)


def written_key(loc: Path, origins: dict[Path, Part], source: Part) -> Path:
    """``loc`` as the user wrote it: a key set by a shift line's name (or the line itself) is
    named by that name when the error names the file (or override) that wrote it so, and
    nothing later set it (or anything of the line) again."""
    written_as = getattr(origins, "written_as", {})
    for length in range(len(loc), 0, -1):
        entry = written_as.get(loc[:length])
        if entry is not None and entry[1] == source == origin_of(loc[:length], origins):
            return (*entry[0], *loc[length:])
    return loc


def set_origin(origins: dict[Path, Part], data: Any, path: Path, source: Part) -> None:
    """``source`` now owns ``path`` and everything under it (it comes last in the order).

    When the origin known for ``path`` is an array above it that one layer wrote whole (such as
    ``handlers``), that entry is first split, in its place, into one entry per value under the
    array, so the rest of the array still names the layer that wrote it.
    """
    _refine(origins, data, path)
    for owned in [p for p in origins if p[: len(path)] == path]:
        del origins[owned]
    origins[path] = source


def _refine(origins: dict[Path, Part], data: Any, path: Path) -> None:
    coarse = [p for p in origins if len(p) < len(path) and path[: len(p)] == p]
    if not coarse:
        return
    top = min(coarse, key=len)
    node = data
    for part in top:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return
    entries = list(origins.items())
    origins.clear()
    for key, source in entries:
        if key == top:
            origins.update(dict.fromkeys(_all_leaves(node, top), source))
        else:
            origins[key] = source


def _all_leaves(value: Any, prefix: Path) -> Iterable[Path]:
    """Key paths of every value under ``value``, through tables and arrays alike."""
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from _all_leaves(item, (*prefix, str(key)))
    elif isinstance(value, list) and value:
        for i, item in enumerate(value):
            yield from _all_leaves(item, (*prefix, str(i)))
    else:
        yield prefix
