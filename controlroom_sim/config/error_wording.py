"""The wording of scenario errors: one line naming the file (or the override, by the parameter
that gave it), the key path, what was expected and what was found, e.g.::

    scenarios/x.toml: channels.999.calls_per_day: expected a number >= 0, found -5
    overrides='channels.999.calls_per_day=-5': channels.999.calls_per_day: expected ...

(the command line says ``--set channels.999.calls_per_day=-5: ...``). pydantic's validation
errors are turned into that line here, as the parts of a message (see :func:`.errors.named`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .distributions import DIST_NAMES
from .errors import Part
from .origins import latest_of, origin_of, written_key
from .schema.base import KeyedError
from .schema.interventions import ACTIONS


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def format_validation_error(
    exc: ValidationError, origins: dict[tuple[str, ...], Part], file: Path
) -> tuple[Part, ...]:
    """The message's parts: the origin of the first problem's key, then the key and what is
    wrong (raise it with ``named(ScenarioError, *parts)``)."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    loc = _without_tags(tuple(str(p) for p in first["loc"]))
    found_key = None
    if loc and loc[-1] == "[key]":  # a table key that is not allowed, e.g. channels.998
        loc, found_key = loc[:-1], loc[-2]
    error = (first.get("ctx") or {}).get("error")
    if isinstance(error, KeyedError):
        loc = latest_of([(*loc, *k.split(".")) for k in (error.key, *error.also)], origins)
    source = origin_of(loc, origins) or str(file)
    key = ".".join(written_key(loc, origins, source)) or "(top level)"
    if found_key is not None:
        message = f"expected one of {first['ctx']['expected']}, found {found_key!r}"
    else:
        message = _describe(first)
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return (source, f": {key}: {message}" + (more if len(errors) > 1 else ""))


def _without_tags(loc: tuple[str, ...]) -> tuple[str, ...]:
    """The key path without the tags pydantic puts in it: a distribution's name, and an
    intervention's action (``interventions.0.surge.hours`` is ``interventions.0.hours``)."""
    return tuple(
        part
        for i, part in enumerate(loc)
        if part not in DIST_NAMES
        and not (i >= 2 and loc[i - 2] == "interventions" and part in ACTIONS)
    )


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
    if kind == "union_tag_not_found" and "action" in str(ctx.get("discriminator")):
        return "expected an 'action' key naming one of " + ", ".join(ACTIONS)
    if kind == "union_tag_invalid":
        tag = str(ctx.get("discriminator", "'dist'")).strip("'")
        names = DIST_NAMES if tag == "dist" else ACTIONS
        return f"expected {tag} to be one of {', '.join(names)}, found {ctx.get('tag')!r}"
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
        return f"{base}, found {show_value(found)}"
    return f"{error['msg']}, found {show_value(found)}"


def show_value(value: Any) -> str:
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an empty list" if not value else f"a list of {len(value)}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
