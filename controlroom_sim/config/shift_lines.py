"""Shift lines changed by name: ``[shift_lines."Late 999"]`` in a file, ``--set
'shift_lines.Late 999.count=4'`` on the command line.

A shift line with a ``name`` (any rota: handlers, dispatchers, officers, support workers) can
be changed by a variant without restating its group's list: the keys under its name replace
that line's keys and leave the rest of it, and every other line, as the base has them. The
changes of a file apply to the scenario as it stands after that file (its base merged with it);
an override's, in its turn among the overrides. Errors name the file or override that wrote
the change, and the key as written there (``shift_lines.Late 999.count``).
"""

from __future__ import annotations

import copy
import difflib
from typing import Any

from .error_wording import show_value
from .errors import Part, ScenarioError, named
from .origins import Origins, set_origin
from .schema.rotas import ROTA_SECTIONS

KEY = "shift_lines"
"""The top-level key (in a file) and first part of an override's key."""


def named_lines(data: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """Each named shift line's key path in ``data``, e.g. ``"Late 999"`` ->
    ``("handlers", "0", "shifts", "1")`` (the first line of a name given twice)."""
    out: dict[str, tuple[str, ...]] = {}
    desk = data.get("front_desk")
    places = [((section,), data.get(section)) for section in ROTA_SECTIONS]
    if isinstance(desk, dict):  # the front desk's operators (schema/front_desk.py)
        places.append((("front_desk", "operators"), desk.get("operators")))
    for where, groups in places:
        for i, group in enumerate(groups if isinstance(groups, list) else []):
            shifts = group.get("shifts") if isinstance(group, dict) else None
            for j, line in enumerate(shifts if isinstance(shifts, list) else []):
                name = line.get("name") if isinstance(line, dict) else None
                if isinstance(name, str):
                    out.setdefault(name, (*where, str(i), "shifts", str(j)))
    return out


def line_path(data: dict[str, Any], name: str, where: Part) -> tuple[str, ...]:
    """The key path of the shift line called ``name``, else a one-line error naming ``where``
    that lists the names there are (and the nearest, if one is near)."""
    lines = named_lines(data)
    if name in lines:
        return lines[name]
    if not lines:
        raise named(
            ScenarioError,
            where,
            f": {KEY}.{name}: expected the name of a shift line, found {name!r}, and no shift "
            'line has a name (give one a name, e.g. { name = "Late 999", start = "15:00", ... })',
        )
    near = difflib.get_close_matches(name, list(lines), n=1)
    hint = f"; did you mean {near[0]!r}?" if near else ""
    raise named(
        ScenarioError,
        where,
        f": {KEY}.{name}: expected the name of a shift line ({', '.join(lines)}), "
        f"found {name!r}{hint}",
    )


def apply_shift_lines(data: dict[str, Any], origins: Origins, changes: Any, where: str) -> None:
    """Apply a file's ``[shift_lines]`` table (``changes``) to ``data``, the scenario as it
    stands after that file; ``where`` (the file) then owns the keys it set."""
    if not isinstance(changes, dict):
        raise named(
            ScenarioError,
            where,
            f": {KEY}: expected tables of keys by line name, such as "
            f'[{KEY}."Late 999"], found {show_value(changes)}',
        )
    for name, keys in changes.items():
        path = line_path(data, name, where)
        if not isinstance(keys, dict):
            raise named(
                ScenarioError,
                where,
                f": {KEY}.{name}: expected a table of the line's keys to change, such as "
                f"count = 4, found {show_value(keys)}",
            )
        *section, i, _, j = path
        groups: Any = data
        for key in section:  # ("handlers",), or ("front_desk", "operators")
            groups = groups[key]
        line = groups[int(i)]["shifts"][int(j)]
        origins.written_as[path] = ((KEY, name), where)
        for key, value in keys.items():
            line[key] = copy.deepcopy(value)
            set_origin(origins, data, (*path, key), where)
            origins.written_as[(*path, key)] = ((KEY, name, key), where)


def override_path(data: dict[str, Any], parts: list[str], where: Part) -> list[str]:
    """The key path an override's ``shift_lines.NAME.KEY...`` sets."""
    if len(parts) < 3:
        raise named(
            ScenarioError,
            where,
            f": {'.'.join(parts)}: expected {KEY}.NAME.KEY=VALUE, such as "
            f"{KEY}.Late 999.count=4, found no key of the line",
        )
    return [*line_path(data, parts[1], where), *parts[2:]]


def by_place_error(
    where: str, base_where: str, base: dict[str, Any], section: str, child: dict[str, Any]
) -> ScenarioError:
    """The error for a variant's table that changes an item of the base's list ``section``
    by its place (``[handlers.1.shifts.3]``): lists are replaced whole, and a shift line is
    changed by name; the message gives the line's name when it has one."""
    index = next(iter(child), "")
    key = f"{section}.{index}"
    item = child.get(index)
    shifts = item.get("shifts") if isinstance(item, dict) else None
    if section not in ROTA_SECTIONS:
        return ScenarioError(
            f"{where}: {key}: expected [[{section}]] tables, which replace the base's list "
            "whole, found a table changing one item by its place"
        )
    if not isinstance(shifts, dict) or not shifts:
        return ScenarioError(
            f"{where}: {key}: expected [[{section}]] tables, which replace the base's list "
            f"whole, found a table changing one item by its place (a shift line is changed by "
            f'its name: [{KEY}."NAME"])'
        )
    number = next(iter(shifts))
    key = f"{key}.shifts.{number}"
    line = _item(_item(_item(base.get(section), index), "shifts"), number)
    name = line.get("name") if isinstance(line, dict) else None
    if isinstance(name, str):
        wanted = f'[{KEY}."{name}"]'
    else:
        wanted = f'[{KEY}."NAME"], once the line has a name in {base_where}'
    return ScenarioError(
        f"{where}: {key}: expected a shift line changed by its name, {wanted}, found a table "
        "changing it by its place in the list"
    )


def _item(node: Any, key: str) -> Any:
    if isinstance(node, list) and key.isdigit() and int(key) < len(node):
        return node[int(key)]
    if isinstance(node, dict):
        return node.get(key)
    return None
