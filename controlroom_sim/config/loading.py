"""Reading scenario files: TOML, ``extends``, ``--set`` overrides, profile CSVs, clear errors.

Every problem becomes a :class:`ScenarioError` whose message is one line naming the file, the key
path, what was expected and what was found, e.g.::

    scenarios/x.toml: channels.999.calls_per_day: expected a number >= 0, found -5

The model never reads files: this module turns files into a validated :class:`Scenario`.
"""

from __future__ import annotations

import copy
import csv
import io
import math
import tomllib
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .distributions import DIST_NAMES
from .errors import ControlroomError
from .schema import KeyedError, Scenario
from .vocabulary import INTERVALS_PER_WEEK, WEEKDAYS, clock_to_seconds

BUILTIN_BASELINE = "baseline"
ModelT = TypeVar("ModelT", bound=BaseModel)


class ScenarioError(ControlroomError, ValueError):
    """A scenario (or one of its files) is wrong; the message is one line for the user."""


# -- public API ---------------------------------------------------------------------------------


def builtin_baseline_path() -> Path:
    """The path of the packaged baseline scenario (the same as ``scenarios/baseline.toml``)."""
    return Path(str(resources.files("controlroom_sim") / "data" / "baseline.toml"))


def load_scenario(
    path: str | Path | None = None, overrides: Iterable[str] = (), vary: Iterable[str] = ()
) -> Scenario:
    """Read, merge, override and validate a scenario.

    Parameters
    ----------
    path:
        A TOML file; ``None`` (or ``"baseline"`` when no such file exists) means the
        built-in baseline.
    overrides:
        ``KEY=VALUE`` strings applied after ``extends`` is resolved, for example
        ``"channels.999.calls_per_day=900"`` or ``"handlers.0.count=14"``. The value is read
        as a TOML value, or as a plain string when it is not one.
    vary:
        ``KEY=VALUE`` strings of one point of a sweep, applied after ``overrides``, the same
        way; errors in them name ``--vary``.
    """
    file = _resolve_path(path)
    data, origins = _read_with_extends(file, stack=())
    for text in overrides:
        _apply_override(data, origins, text)
    for text in vary:
        _apply_override(data, origins, text, option="--vary")
    return _validate(data, origins, file)


def scenario_files(path: str | Path | None = None) -> list[Path]:
    """The files a scenario is made of (itself, its ``extends`` chain and profile CSVs)."""
    file = _resolve_path(path)
    data, origins = _read_with_extends(file, stack=())
    files = {Path(f) for f in origins.values() if not f.startswith(("--set", "--vary"))}
    files |= {file}
    for channel in (data.get("channels") or {}).values():
        if isinstance(channel, dict) and isinstance(channel.get("profile"), str):
            files.add(Path(channel["profile"]))
    return sorted(files)


def load_model(path: str | Path, model: type[ModelT], what: str) -> ModelT:
    """Read a TOML file other than a scenario (e.g. shift patterns) into a pydantic ``model``.

    Errors are one line naming the file, the key and what was expected, as for scenarios;
    ``what`` names the kind of file in the message for a missing file.
    """
    file = Path(path)
    if not file.exists():
        raise ScenarioError(f"{path}: no such {what} file")
    if file.is_dir():
        raise ScenarioError(f"{path}: expected a {what} file (.toml), found a folder")
    data = _read_toml(file)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_format_validation_error(exc, {}, file)) from None


# -- files and merging --------------------------------------------------------------------------


def _resolve_path(path: str | Path | None) -> Path:
    if path is None:
        return builtin_baseline_path()
    candidate = Path(path)
    if str(path) == BUILTIN_BASELINE and not candidate.exists():
        return builtin_baseline_path()
    if not candidate.exists():
        raise ScenarioError(f"{path}: no such scenario file")
    if candidate.is_dir():
        raise ScenarioError(f"{path}: expected a scenario file (.toml), found a folder")
    return candidate


_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)
INT64 = (-(2**63), 2**63 - 1)
"""TOML's integers: a value outside this range "must" be an error (TOML 1.0), though
``tomllib`` reads it."""
MAX_EXTENDS = 64
"""The longest ``extends`` chain read (a longer one is a mistake, not a design)."""


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


def _check_integers(data: Any, where: str, prefix: tuple[str, ...] = ()) -> None:
    """Every whole number in ``data`` is a 64-bit one, as TOML requires."""
    if isinstance(data, dict):
        for key, value in data.items():
            _check_integers(value, where, (*prefix, str(key)))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            _check_integers(value, where, (*prefix, str(i)))
    elif isinstance(data, int) and not INT64[0] <= data <= INT64[1]:
        key = ".".join(prefix) or "(top level)"
        raise ScenarioError(
            f"{where}: {key}: expected a whole number from -2**63 to 2**63-1, found one "
            f"of {len(str(abs(data)))} digits"
        )


def _read_toml(file: Path) -> dict[str, Any]:
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise ScenarioError(f"{file}: cannot be read ({exc.strerror or exc})") from None
    text = decode_text(raw, file)
    try:
        data = tomllib.loads(text)
    except ValueError as exc:  # TOMLDecodeError, or a number of over 4300 digits
        raise ScenarioError(f"{file}: not valid TOML: {_first_line(exc)}") from None
    _check_integers(data, str(file))
    return data


def _read_with_extends(
    file: Path, stack: tuple[Path, ...]
) -> tuple[dict[str, Any], dict[tuple[str, ...], str]]:
    """The merged data of ``file`` and its bases, and which file set each key path."""
    resolved = file.resolve()
    if resolved in stack:
        chain = " -> ".join(p.name for p in (*stack, resolved))
        raise ScenarioError(f"{file}: extends: expected a chain without cycles, found {chain}")
    if len(stack) >= MAX_EXTENDS:
        raise ScenarioError(
            f"{stack[-1]}: extends: expected a chain of at most {MAX_EXTENDS} files, "
            "found a longer one"
        )
    data = _read_toml(file)
    _absolutise_profiles(data, file)
    base_name = data.pop("extends", None)
    own_origins = {path: str(file) for path in _leaf_paths(data)}
    # An empty table sets nothing, but a mistake inside it (a key left out) is this file's,
    # unless a base sets something there.
    empty = list(_empty_tables(data))
    if base_name is None:
        return data, {**dict.fromkeys(empty, str(file)), **own_origins}
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
    base, origins = _read_with_extends(base_file, (*stack, resolved))
    merged = _deep_merge(base, data)
    _drop_replaced_provenance(merged, data)
    # Keys the child sets (or replaces wholesale, as arrays) now belong to the child.
    for path in list(origins):
        if any(path[: len(own)] == own for own in own_origins):
            del origins[path]
    origins.update(own_origins)
    for path in empty:
        if not any(p[: len(path)] == path for p in origins):
            origins[path] = str(file)
    return merged, origins


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
    channels = data.get("channels")
    if not isinstance(channels, dict):
        return
    for channel in channels.values():
        if isinstance(channel, dict) and isinstance(channel.get("profile"), str):
            profile = Path(channel["profile"])
            if not profile.is_absolute():
                channel["profile"] = str(_resolved(file.parent / profile))


def _resolved(path: Path) -> Path:
    """``path.resolve()``, or ``path`` itself when it cannot be resolved (a NUL in the name):
    reading it then says there is no such file."""
    try:
        return path.resolve()
    except (OSError, ValueError):
        return path


def _deep_merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Tables merge key by key; everything else (values, arrays of tables) is replaced."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
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


# -- overrides ----------------------------------------------------------------------------------


def _parse_value(text: str) -> Any:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except ValueError:  # TOMLDecodeError, or a number of over 4300 digits
        return text


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _apply_override(
    data: dict[str, Any],
    origins: dict[tuple[str, ...], str],
    text: str,
    option: str = "--set",
) -> None:
    where = f"{option} {text}"
    if "=" not in text:
        raise ScenarioError(f"{where}: expected KEY=VALUE, found no '='")
    key, _, value_text = text.partition("=")
    parts = key.strip().split(".")
    if not key.strip() or any(not p for p in parts):
        raise ScenarioError(f"{where}: expected a dotted key such as channels.999.calls_per_day")
    node: Any = data
    for depth, part in enumerate(parts[:-1]):
        node = _step(node, part, parts[: depth + 1], where)
    if not isinstance(node, dict | list):
        raise ScenarioError(
            f"{where}: {'.'.join(parts[:-1])}: expected a table to set {parts[-1]!r} in, "
            f"found the value {_show(node)}"
        )
    value = _parse_value(value_text.strip())
    _check_integers(value, where, tuple(parts))
    if parts[-1] == "profile" and isinstance(value, str):
        value = str(_resolved(Path(value)))
    if isinstance(value, dict) and isinstance(value.get("profile"), str):
        value["profile"] = str(_resolved(Path(value["profile"])))
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
    for owned in [p for p in origins if p[: len(path)] == path]:
        del origins[owned]
    origins[path] = where


def _step(node: Any, part: str, path: list[str], where: str) -> Any:
    if isinstance(node, list):
        return node[_index(part, len(node), path, where)]
    if not isinstance(node, dict):
        raise ScenarioError(
            f"{where}: {'.'.join(path[:-1])}: expected a table, found the value {_show(node)}"
        )
    if part not in node:
        node[part] = {}
    return node[part]


def _index(part: str, length: int, path: list[str], where: str) -> int:
    if not part.isdigit() or int(part) >= length:
        raise ScenarioError(
            f"{where}: {'.'.join(path)}: expected an index from 0 to {length - 1}, found {part!r}"
        )
    return int(part)


# -- validation ---------------------------------------------------------------------------------


def _validate(data: dict[str, Any], origins: dict[tuple[str, ...], str], file: Path) -> Scenario:
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_format_validation_error(exc, origins, file)) from None
    channels = {}
    for name, channel in scenario.channels.items():
        if channel.profile is not None:
            key = f"channels.{name}.profile"
            source = _origin_of(tuple(key.split(".")), origins) or str(file)
            weights = read_profile(Path(channel.profile), f"{source}: {key}")
            channel = channel.model_copy(update={"profile_weights": weights})
        channels[name] = channel
    scenario = scenario.model_copy(update={"channels": channels})
    _check_provenance(scenario, origins, file)
    return scenario


def _format_validation_error(
    exc: ValidationError, origins: dict[tuple[str, ...], str], file: Path
) -> str:
    errors = exc.errors(include_url=False)
    first = errors[0]
    loc = tuple(str(p) for p in first["loc"] if str(p) not in DIST_NAMES)
    found_key = None
    if loc and loc[-1] == "[key]":  # a table key that is not allowed, e.g. channels.998
        loc, found_key = loc[:-1], loc[-2]
    error = (first.get("ctx") or {}).get("error")
    if isinstance(error, KeyedError):
        loc = (*loc, *error.key.split("."))
    key = ".".join(loc) or "(top level)"
    source = _origin_of(loc, origins) or str(file)
    if found_key is not None:
        message = f"expected one of {first['ctx']['expected']}, found {found_key!r}"
    else:
        message = _describe(first)
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return f"{source}: {key}: {message}" + (more if len(errors) > 1 else "")


def _origin_of(loc: tuple[str, ...], origins: dict[tuple[str, ...], str]) -> str | None:
    """The file (or ``--set``) that set ``loc`` or the nearest table above it; None when no
    file sets anything of its top-level section (then the scenario file itself is named)."""
    for length in range(len(loc), 0, -1):
        prefix = loc[:length]
        hits = [f for path, f in origins.items() if path[:length] == prefix]
        if hits:
            return hits[0]
    return None


_EXPECT = {
    "missing": "expected this key, found it missing",
    "extra_forbidden": "unknown key",
    "int_parsing": "expected a whole number",
    "int_type": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_parsing": "expected a number",
    "float_type": "expected a number",
    "finite_number": "expected a finite number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "string_type": "expected text in quotes",
    "list_type": "expected a list [...]",
    "dict_type": "expected a table",
    "model_type": "expected a table",
    "model_attributes_type": "expected a table",
    "union_tag_not_found": "expected a 'dist' key naming one of " + ", ".join(DIST_NAMES),
}


def _describe(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    found = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        return "unknown key (check its spelling, or see the scenario reference in the README)"
    if kind == "union_tag_invalid":
        return f"expected dist to be one of {', '.join(DIST_NAMES)}, found {ctx.get('tag')!r}"
    if kind == "literal_error":
        return f"expected one of {ctx.get('expected')}, found {found!r}"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        sign = {
            "greater_than": ">",
            "greater_than_equal": ">=",
            "less_than": "<",
            "less_than_equal": "<=",
        }[kind]
        bound = next(iter(ctx.values()))
        return f"expected a number {sign} {bound}, found {found!r}"
    if kind in ("too_short", "too_long"):
        return f"expected {error['msg'].lower()}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind in _EXPECT:
        base = _EXPECT[kind]
        if kind == "missing":
            return base
        return f"{base}, found {_show(found)}"
    return f"{error['msg']}, found {_show(found)}"


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an empty list" if not value else f"a list of {len(value)}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_provenance(scenario: Scenario, origins: dict[tuple[str, ...], str], file: Path) -> None:
    """Every provenance key must name a parameter of the scenario (set or defaulted)."""
    for key in scenario.provenance:
        node: Any = scenario
        for part in key.split("."):
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            elif isinstance(node, BaseModel) and part in type(node).model_fields:
                node = getattr(node, part)
            else:
                source = _origin_of(("provenance", key), origins) or str(file)
                raise ScenarioError(
                    f"{source}: provenance.{key}: expected the key path of a parameter in "
                    "this scenario, found none"
                )


# -- profiles -----------------------------------------------------------------------------------


def read_profile(file: Path, key: str) -> tuple[float, ...]:
    """Read a profile CSV into 672 weights (Monday 00:00 first), one per 15 minutes of a week.

    ``key`` says where the profile was named (``"scenario.toml: channels.999.profile"``) for
    errors about the file as a whole; errors inside it name the CSV, row and column.

    Two layouts are accepted: ``weekday,start,weight`` with 672 rows (a week) or
    ``start,weight`` with 96 rows (a day, repeated on every weekday). Weights are relative:
    only their shape matters, since ``calls_per_day`` sets the volume.
    """
    where = f"{file}"
    if file.is_dir():
        raise ScenarioError(f"{key}: expected a CSV file, found a folder {str(file)!r}")
    try:
        raw = file.read_bytes()
    except (FileNotFoundError, ValueError):  # ValueError: a NUL in the name
        raise ScenarioError(f"{key}: no such profile file {str(file)!r}") from None
    except OSError as exc:
        raise ScenarioError(f"{where}: cannot be read ({exc.strerror or exc})") from None
    text = decode_text(raw, where)
    reader = csv.reader(io.StringIO(text))
    try:
        rows = list(reader)
    except csv.Error as exc:  # e.g. a field longer than the csv module's limit
        raise ScenarioError(f"{where}: line {reader.line_num}: not valid CSV ({exc})") from None
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise ScenarioError(f"{where}: expected a header and rows of weights, found an empty file")
    header = [cell.strip().lower() for cell in rows[0]]
    if header == ["weekday", "start", "weight"]:
        expected, weekly = INTERVALS_PER_WEEK, True
    elif header == ["start", "weight"]:
        expected, weekly = 96, False
    else:
        raise ScenarioError(
            f"{where}: header: expected 'weekday,start,weight' or 'start,weight', "
            f"found {','.join(rows[0])!r}"
        )
    weights: dict[int, float] = {}
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise ScenarioError(
                f"{where}: row {number}: expected {len(header)} columns, found {len(row)}"
            )
        cells = [c.strip() for c in row]
        day = 0
        if weekly:
            if cells[0].lower() not in WEEKDAYS:
                raise ScenarioError(
                    f"{where}: row {number}: weekday: expected monday..sunday, found {cells[0]!r}"
                )
            day = WEEKDAYS.index(cells[0].lower())
        try:
            seconds = clock_to_seconds(cells[-2])
        except ValueError as exc:
            raise ScenarioError(f"{where}: row {number}: start: {exc}") from None
        if seconds % 900:
            raise ScenarioError(
                f"{where}: row {number}: start: expected a quarter hour (:00, :15, :30, :45), "
                f"found {cells[-2]!r}"
            )
        try:
            weight = float(cells[-1])
        except ValueError:
            raise ScenarioError(
                f"{where}: row {number}: weight: expected a number, found {cells[-1]!r}"
            ) from None
        if not math.isfinite(weight) or weight < 0:
            raise ScenarioError(
                f"{where}: row {number}: weight: expected a finite number >= 0, found {cells[-1]!r}"
            )
        index = day * 96 + int(seconds // 900)
        if index in weights:
            raise ScenarioError(
                f"{where}: row {number}: expected each interval once, found a repeat"
            )
        weights[index] = weight
    if len(weights) != expected:
        raise ScenarioError(
            f"{where}: expected {expected} rows (every 15 minutes of a "
            f"{'week' if weekly else 'day'}), found {len(weights)}"
        )
    values = [weights[i] for i in range(expected)]
    if not weekly:
        values = values * 7
    if sum(values) <= 0:
        raise ScenarioError(f"{where}: weight: expected some weight above 0, found all zero")
    if not math.isfinite(sum(values)):  # only their shape matters, but they must add up
        raise ScenarioError(
            f"{where}: weight: expected weights that add up to a finite number, found a sum "
            "too large for a float (scale them down)"
        )
    return tuple(values)
