"""A scenario that takes its rota from a rota file: ``[rota] file = "rota.xlsx"``.

The key is read where the file that writes it is read: its rows replace the ``shifts`` (or the
around-the-clock ``count``) of the groups they name, in the scenario as it stands after that
file (its base merged with it); the file's own ``[shift_lines]`` changes then apply on top, and
so do later files and overrides. Groups the rota file does not name keep their lines, and
group-level settings (skills, forces, call types) stay in the scenario.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .error_wording import show_value
from .errors import Part, ScenarioError, named
from .origins import Origins, set_origin
from .rota_files import RotaRow, read_rota
from .schema.rotas import ROTA_SECTIONS

KEY = "rota"
"""The scenario's table that names a rota file."""


def apply_rota(
    data: dict[str, Any],
    origins: Origins,
    table: Any,
    where: Part,
    folder: Path,
    own: Iterable[str] = (),
) -> None:
    """Apply a ``[rota]`` table that ``where`` wrote (a scenario file, or an override) to
    ``data``, the scenario as it stands after it; a relative file name is taken from
    ``folder``. The rota file then owns the shifts it set, and is recorded in
    ``origins.files``. The provenance of the lines it replaced goes with them, unless ``where``
    itself gives it (``own``: the keys of its ``[provenance]``)."""
    rota_file = _rota_file(table, where, folder)
    rows = read_rota(rota_file)
    origins.files.append(rota_file)
    places: dict[tuple[str, int], list[RotaRow]] = {}
    for row in rows:
        places.setdefault(_place(data, row, rota_file), []).append(row)
    _check_names(data, places, rota_file)
    for (section, i), group_rows in places.items():
        group = data[section][i]
        group["shifts"] = [row.line for row in group_rows]
        group.pop("count", None)
        path = (section, str(i), "shifts")
        set_origin(origins, data, path, str(rota_file))
        for old in [p for p in origins if p[:3] == (section, str(i), "count")]:
            del origins[old]
        _drop_provenance(data, (f"{section}.{i}.shifts", f"{section}.{i}.count"), set(own))


def _rota_file(table: Any, where: Part, folder: Path) -> Path:
    """The rota file a ``[rota]`` table names, relative to ``folder``."""
    if not isinstance(table, dict) or "file" not in table:
        found = show_value(table) if not isinstance(table, dict) else "no file key"
        raise named(
            ScenarioError,
            where,
            f': {KEY}: expected a table with file = "rota.xlsx" (or .csv), found {found}',
        )
    extra = [k for k in table if k != "file"]
    if extra:
        raise named(ScenarioError, where, f": {KEY}.{extra[0]}: unknown key (expected only file)")
    name = table["file"]
    if not isinstance(name, str) or not name.strip():
        raise named(
            ScenarioError,
            where,
            f": {KEY}.file: expected the name of a .csv or .xlsx file, found {show_value(name)}",
        )
    path = Path(name) if Path(name).is_absolute() else folder / name
    if Path(name).suffix.lower() not in (".csv", ".xlsx"):
        raise named(
            ScenarioError,
            where,
            f": {KEY}.file: expected a file ending .csv or .xlsx, found {name!r}",
        )
    if not path.is_file():
        what = "a file, found a folder" if path.is_dir() else "an existing file, found none at"
        raise named(ScenarioError, where, f": {KEY}.file: expected {what} {str(path)!r}")
    return path


def _place(data: dict[str, Any], row: RotaRow, rota_file: Path) -> tuple[str, int]:
    """The section and index of the group a row names."""
    sections = (row.role,) if row.role is not None else ROTA_SECTIONS
    found = [
        (section, i)
        for section in sections
        for i, group in enumerate(_groups(data, section))
        if isinstance(group, dict) and group.get("name") == row.group
    ]
    if len(found) == 1:
        return found[0]
    where = f"{rota_file}: row {row.number}: group"
    if found:
        both = " and ".join(f"{s}.{i}" for s, i in found)
        raise ScenarioError(
            f"{where}: expected a group name one section has (or a role column saying which), "
            f"found {row.group!r} in {both}"
        )
    names = [
        str(g.get("name"))
        for section in sections
        for g in _groups(data, section)
        if isinstance(g, dict)
    ]
    near = difflib.get_close_matches(row.group, names, n=1)
    hint = f"; did you mean {near[0]!r}?" if near else ""
    among = f" of the {row.role}" if row.role is not None else ""
    raise ScenarioError(
        f"{where}: expected the name of a group{among} in the scenario "
        f"({', '.join(names) or 'none'}), found {row.group!r}{hint}"
    )


def _groups(data: dict[str, Any], section: str | None) -> list[Any]:
    groups = data.get(section) if section is not None else None
    return groups if isinstance(groups, list) else []


def _check_names(
    data: dict[str, Any], places: dict[tuple[str, int], list[RotaRow]], rota_file: Path
) -> None:
    """Each line name once: in the file, and among the lines of the groups it leaves."""
    others: dict[str, str] = {}
    for section in ROTA_SECTIONS:
        for i, group in enumerate(_groups(data, section)):
            shifts = group.get("shifts") if isinstance(group, dict) else None
            if (section, i) in places or not isinstance(shifts, list):
                continue
            for line in shifts:
                if isinstance(line, dict) and isinstance(line.get("name"), str):
                    others.setdefault(line["name"], f"group {group.get('name')!r} ({section})")
    seen: dict[str, int] = {}
    for row in (r for rows in places.values() for r in rows):
        name = row.line.get("name")
        if name is None:
            continue
        where = f"{rota_file}: row {row.number}: line"
        if name in seen:
            raise ScenarioError(
                f"{where}: expected each line's name once, found {name!r} again (row {seen[name]})"
            )
        if name in others:
            raise ScenarioError(
                f"{where}: expected a name no other shift line has, found {name!r}, "
                f"a line of {others[name]}"
            )
        seen[name] = row.number


def _drop_provenance(data: dict[str, Any], replaced: tuple[str, ...], own: set[str]) -> None:
    """The base's word on the lines the rota file replaced goes with them (as with a replaced
    array); the scenario file naming the rota may say where its lines come from."""
    provenance = data.get("provenance")
    if not isinstance(provenance, dict):
        return
    for key in list(provenance):
        if key not in own and any(key == r or key.startswith(r + ".") for r in replaced):
            del provenance[key]
