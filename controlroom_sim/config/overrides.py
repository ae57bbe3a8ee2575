"""Overrides (``--set``, ``--vary`` on the command line): ``KEY=VALUE`` applied to a scenario's
merged table.

The value is read as a TOML value, or as a plain string when it is not one; the override then
owns its key path (for error messages, which name it as the parameter that gave it, e.g.
``overrides='handlers.0.count=-1'``) and takes any provenance under a replaced array along.
``shift_lines.NAME.KEY=VALUE`` sets KEY of the shift line called NAME (:mod:`.shift_lines`).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from .error_wording import show_value
from .errors import Param, Part, named
from .files import ScenarioError, check_integers, resolved_path
from .origins import Origins, set_origin
from .shift_lines import KEY as SHIFT_LINES
from .shift_lines import override_path
from .vocabulary import WEEKDAYS

# -- overrides ----------------------------------------------------------------------------------


def _parse_value(text: str) -> Any:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except ValueError:  # TOMLDecodeError, or a number of over 4300 digits
        return text


def apply_override(
    data: dict[str, Any],
    origins: dict[tuple[str, ...], Part],
    text: str,
    param: str = "overrides",
) -> None:
    """Apply ``text`` (``KEY=VALUE``), given in the parameter ``param`` (``overrides`` or
    ``vary``): errors, and later errors about the key it sets, name ``param`` and ``text``."""
    where = Param(param, text, quote=" " in text)  # spelled --set 'a b=1' when it has a space
    if "=" not in text:
        raise named(ScenarioError, where, ": expected KEY=VALUE, found no '='")
    key, _, value_text = text.partition("=")
    parts = key.strip().split(".")
    if not key.strip() or any(not p for p in parts):
        raise named(
            ScenarioError, where, ": expected a dotted key such as channels.999.calls_per_day"
        )
    written = None
    if parts[0] == SHIFT_LINES:  # shift_lines.NAME.KEY: the named line's KEY
        written, parts = tuple(parts), override_path(data, parts, where)
    node: Any = data
    for depth, part in enumerate(parts[:-1]):
        node = _step(node, part, parts[: depth + 1], where)
    if not isinstance(node, dict | list):
        raise named(
            ScenarioError,
            where,
            f": {'.'.join(parts[:-1])}: expected a table to set {parts[-1]!r} in, "
            f"found the value {show_value(node)}",
        )
    value = _parse_value(value_text.strip())
    check_integers(value, where, tuple(parts))
    if parts[-1] == "profile" and isinstance(value, str) and value.lower() not in WEEKDAYS:
        value = str(resolved_path(Path(value)))
    if isinstance(value, dict) and isinstance(value.get("profile"), str):
        value["profile"] = str(resolved_path(Path(value["profile"])))
    if isinstance(node, list):
        node[_index(parts[-1], len(node), parts, where)] = value
    else:
        node[parts[-1]] = value
    if isinstance(value, list) and parts[0] != "provenance":
        # A replaced array takes the provenance entries under it along (as with extends).
        provenance = data.get("provenance")
        if isinstance(provenance, dict):
            dotted = ".".join(parts)
            for key in [k for k in provenance if k == dotted or k.startswith(dotted + ".")]:
                del provenance[key]
    # The override now owns its key path and everything under it.
    path = tuple(parts)
    set_origin(origins, data, path, where)
    if written is not None and isinstance(origins, Origins):
        origins.written_as[path] = (written, where)
        origins.written_as[path[:4]] = (written[:2], where)  # the line itself


def _step(node: Any, part: str, path: list[str], where: Param) -> Any:
    if isinstance(node, list):
        return node[_index(part, len(node), path, where)]
    if not isinstance(node, dict):
        raise named(
            ScenarioError,
            where,
            f": {'.'.join(path[:-1])}: expected a table, found the value {show_value(node)}",
        )
    if part not in node:
        node[part] = {}
    return node[part]


def _index(part: str, length: int, path: list[str], where: Param) -> int:
    if not part.isdigit() or int(part) >= length:
        raise named(
            ScenarioError,
            where,
            f": {'.'.join(path)}: expected an index from 0 to {length - 1}, found {part!r}",
        )
    return int(part)
