"""Scenario files on disk: the built-in baseline, TOML read as UTF-8 with 64-bit integers, and
``extends`` chains merged into one table that remembers which file set each key path.

Every problem is a :class:`ScenarioError` whose message is one line naming the file.
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from .encoding import decode_text
from .error_wording import first_line
from .errors import Part, ScenarioError, named
from .origins import Origins
from .rota_scenario import KEY as ROTA
from .rota_scenario import apply_rota
from .shift_lines import KEY as SHIFT_LINES
from .shift_lines import apply_shift_lines, by_place_error
from .vocabulary import WEEKDAYS

BUILTIN_BASELINE = "baseline"


def builtin_baseline_path() -> Path:
    """The path of the packaged baseline scenario (the same as ``scenarios/baseline.toml``)."""
    return Path(str(resources.files("controlroom_sim") / "data" / "baseline.toml"))


INT64 = (-(2**63), 2**63 - 1)
"""TOML's integers: a value outside this range "must" be an error (TOML 1.0), though
``tomllib`` reads it."""
MAX_EXTENDS = 64
"""The longest ``extends`` chain read (a longer one is a mistake, not a design)."""


def check_integers(data: Any, where: Part, prefix: tuple[str, ...] = ()) -> None:
    """Every whole number in ``data`` is a 64-bit one, as TOML requires; ``where`` (a file,
    or the parameter that gave ``data``) begins the message."""
    if isinstance(data, dict):
        for key, value in data.items():
            check_integers(value, where, (*prefix, str(key)))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            check_integers(value, where, (*prefix, str(i)))
    elif isinstance(data, int) and not INT64[0] <= data <= INT64[1]:
        key = ".".join(prefix) or "(top level)"
        raise named(
            ScenarioError,
            where,
            f": {key}: expected a whole number from -2**63 to 2**63-1, found one "
            f"of {len(str(abs(data)))} digits",
        )


def read_toml(file: Path) -> dict[str, Any]:
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise ScenarioError(f"{file}: cannot be read ({exc.strerror or exc})") from None
    text = decode_text(raw, file)
    try:
        data = tomllib.loads(text)
    except ValueError as exc:  # TOMLDecodeError, or a number of over 4300 digits
        raise ScenarioError(f"{file}: not valid TOML: {first_line(exc)}") from None
    check_integers(data, str(file))
    return data


def read_with_extends(file: Path, stack: tuple[Path, ...]) -> tuple[dict[str, Any], Origins]:
    """The merged data of ``file`` and its bases, and which file set each key path (the
    origins: a file's name here; overrides add the :class:`Param` that set a key). A file's
    ``[rota]`` file, then its ``[shift_lines]`` changes, apply to its base merged with it."""
    resolved = file.resolve()
    if resolved in stack:
        chain = " -> ".join(p.name for p in (*stack, resolved))
        raise ScenarioError(f"{file}: extends: expected a chain without cycles, found {chain}")
    if len(stack) >= MAX_EXTENDS:
        raise ScenarioError(
            f"{stack[-1]}: extends: expected a chain of at most {MAX_EXTENDS} files, "
            "found a longer one"
        )
    data = read_toml(file)
    _absolutise_profiles(data, file)
    base_name = data.pop("extends", None)
    by_name = data.pop(SHIFT_LINES, None)
    rota = data.pop(ROTA, None)
    own_provenance = data.get("provenance") if isinstance(data.get("provenance"), dict) else {}
    own_origins: dict[tuple[str, ...], Part] = {path: str(file) for path in _leaf_paths(data)}
    # An empty table sets nothing, but a mistake inside it (a key left out) is this file's,
    # unless a base sets something there.
    empty = list(_empty_tables(data))
    if base_name is None:
        origins = Origins({**dict.fromkeys(empty, str(file)), **own_origins})
        if rota is not None:
            apply_rota(data, origins, rota, str(file), file.parent, own_provenance)
        if by_name is not None:
            apply_shift_lines(data, origins, by_name, str(file))
        return data, origins
    base_file = _base_file(file, base_name)
    base, origins = read_with_extends(base_file, (*stack, resolved))
    for section, value in data.items():
        if isinstance(value, dict) and isinstance(base.get(section), list):
            raise by_place_error(str(file), str(base_file), base, section, value)
    merged = _deep_merge(base, data)
    _drop_replaced_provenance(merged, data)
    # Keys the child sets (or replaces wholesale, as arrays or values) now belong to the child.
    for path in list(origins):
        if any(path[: len(own)] == own or own[: len(path)] == path for own in own_origins):
            del origins[path]
    origins.update(own_origins)
    for path in empty:
        if not any(p[: len(path)] == path for p in origins):
            origins[path] = str(file)
    if rota is not None:
        apply_rota(merged, origins, rota, str(file), file.parent, own_provenance)
    if by_name is not None:
        apply_shift_lines(merged, origins, by_name, str(file))
    return merged, origins


def _base_file(file: Path, base_name: Any) -> Path:
    """The file that ``file``'s ``extends = base_name`` names."""
    if not isinstance(base_name, str):
        raise ScenarioError(
            f"{file}: extends: expected a file name, found {type(base_name).__name__}"
        )
    base_file = (file.parent / base_name) if not Path(base_name).is_absolute() else Path(base_name)
    if base_name == BUILTIN_BASELINE and not base_file.exists():
        base_file = builtin_baseline_path()
    if not base_file.exists():
        raise ScenarioError(f"{file}: extends: no such file {base_name!r}")
    if base_file.is_dir():
        raise ScenarioError(
            f"{file}: extends: expected a scenario file, found a folder {base_name!r}"
        )
    return base_file


def _drop_replaced_provenance(merged: dict[str, Any], child: Mapping[str, Any]) -> None:
    """A base's provenance entries under an array the child replaces go with the array.

    ``handlers.1.skills`` in the base describes the base's second handler group; once a
    variant restates ``handlers``, that entry would name something else or nothing.
    """
    provenance = merged.get("provenance")
    if not isinstance(provenance, dict):
        return
    own = child.get("provenance") if isinstance(child.get("provenance"), dict) else {}
    replaced = [
        ".".join(path)
        for path in _leaf_paths(child)
        if path and path[0] != "provenance" and isinstance(_at(child, path), list)
    ]
    for key in list(provenance):
        if key in own:
            continue
        if any(key == r or key.startswith(r + ".") for r in replaced):
            del provenance[key]


def _at(data: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = data
    for part in path:
        node = node[part]
    return node


def _absolutise_profiles(data: dict[str, Any], file: Path) -> None:
    """Profile paths relative to ``file``: channels' and the calendar's (a calendar profile
    may be a weekday name instead, left as it is)."""
    channels = data.get("channels")
    tables = list(channels.values()) if isinstance(channels, dict) else []
    calendar = data.get("calendar")
    keys = [(table, "profile") for table in tables]
    if isinstance(calendar, dict):
        keys.append((calendar, "bank_holiday_profile"))
        named = calendar.get("named_days")
        keys += [(day, "profile") for day in (named if isinstance(named, list) else [])]
    for table, key in keys:
        if isinstance(table, dict) and isinstance(table.get(key), str):
            if table[key].strip().lower() in WEEKDAYS:
                continue
            profile = Path(table[key])
            if not profile.is_absolute():
                table[key] = str(resolved_path(file.parent / profile))


def resolved_path(path: Path) -> Path:
    """``path.resolve()``, or ``path`` itself when it cannot be resolved (a NUL in the name):
    reading it then says there is no such file."""
    try:
        return path.resolve()
    except (OSError, ValueError):
        return path


def _deep_merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Tables merge key by key; everything else (values, arrays of tables) is replaced. A
    distribution (a table with a ``dist`` key) is a value: one the override gives replaces the
    base's whole, so a variant can change its family (a lognormal's ``sd`` is not left behind
    under an exponential)."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and "dist" not in value and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _empty_tables(data: Any, prefix: tuple[str, ...] = ()) -> Iterable[tuple[str, ...]]:
    """Key paths of the empty tables in a file."""
    if isinstance(data, dict):
        if not data and prefix:
            yield prefix
        for key, value in data.items():
            yield from _empty_tables(value, (*prefix, str(key)))


def _leaf_paths(data: Any, prefix: tuple[str, ...] = ()) -> Iterable[tuple[str, ...]]:
    """Key paths of the values a file sets (an empty table sets nothing)."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _leaf_paths(value, (*prefix, str(key)))
    else:
        yield prefix
