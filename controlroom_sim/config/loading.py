"""Reading scenario files: TOML, ``extends``, overrides, profile CSVs, clear errors.

Every problem becomes a :class:`ScenarioError` whose message is one line naming the file, the key
path, what was expected and what was found, e.g.::

    scenarios/x.toml: channels.999.calls_per_day: expected a number >= 0, found -5

The model never reads files: this module turns files into a validated :class:`Scenario`. Its
steps live in :mod:`.files` (TOML and ``extends``), :mod:`.overrides` (``overrides``, ``vary``),
:mod:`.profiles` (profile CSVs) and :mod:`.error_wording` (the one-line messages).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .error_wording import format_validation_error
from .errors import Param, Part, named
from .files import (
    BUILTIN_BASELINE,
    ScenarioError,
    builtin_baseline_path,
    read_toml,
    read_with_extends,
)
from .origins import origin_of
from .overrides import apply_override
from .profiles import read_profile
from .rota_scenario import KEY as ROTA
from .rota_scenario import apply_rota
from .schema.calendar import Calendar
from .schema.scenario import Scenario
from .shift_lines import KEY as SHIFT_LINES
from .vocabulary import WEEKDAYS

ModelT = TypeVar("ModelT", bound=BaseModel)


# -- public API ---------------------------------------------------------------------------------


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
        as a TOML value, or as a plain string when it is not one. ``"rota.file=rota.xlsx"``
        reads a rota file (relative to the working folder) in its turn among the overrides.
    vary:
        ``KEY=VALUE`` strings of one point of a sweep, applied after ``overrides``, the same
        way; errors in them name ``vary`` (errors in ``overrides`` name ``overrides``).
    """
    file = _resolve_path(path)
    data, origins = read_with_extends(file, stack=())
    for param, texts in (("overrides", overrides), ("vary", vary)):
        for text in texts:
            apply_override(data, origins, text, param=param)
            if ROTA in data:  # rota.file=...: a rota file, relative to the working folder
                where = Param(param, text, quote=" " in text)
                for path in [p for p in origins if p[:1] == (ROTA,)]:
                    del origins[path]
                apply_rota(data, origins, data.pop(ROTA), where, Path())
    return _validate(data, origins, file)


def scenario_files(path: str | Path | None = None) -> list[Path]:
    """The files a scenario is made of (itself, its ``extends`` chain, rota files and profile
    CSVs)."""
    file = _resolve_path(path)
    data, origins = read_with_extends(file, stack=())
    files = {Path(f) for f in origins.values() if isinstance(f, str)}  # not overrides
    files |= {file, *origins.files}
    for channel in (data.get("channels") or {}).values():
        if isinstance(channel, dict) and isinstance(channel.get("profile"), str):
            files.add(Path(channel["profile"]))
    calendar = data.get("calendar")
    if isinstance(calendar, dict):
        named = calendar.get("named_days")
        settings = [calendar.get("bank_holiday_profile")]
        settings += [d.get("profile") for d in (named or []) if isinstance(d, dict)]
        files |= {Path(s) for s in settings if isinstance(s, str) and s.lower() not in WEEKDAYS}
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
    data = read_toml(file)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise named(ScenarioError, *format_validation_error(exc, {}, file)) from None


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


# -- validation ---------------------------------------------------------------------------------


def _validate(data: dict[str, Any], origins: dict[tuple[str, ...], Part], file: Path) -> Scenario:
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise named(ScenarioError, *format_validation_error(exc, origins, file)) from None
    channels = {}
    for name, channel in scenario.channels.items():
        if channel.profile is not None:
            key = f"channels.{name}.profile"
            source = origin_of(tuple(key.split(".")), origins) or str(file)
            weights = read_profile(Path(channel.profile), (source, f": {key}"))
            channel = channel.model_copy(update={"profile_weights": weights})
        channels[name] = channel
    scenario = scenario.model_copy(update={"channels": channels})
    if scenario.calendar is not None:
        scenario = scenario.model_copy(
            update={"calendar": _read_day_profiles(scenario.calendar, origins, file)}
        )
    _check_provenance(scenario, origins, file)
    return scenario


def _read_day_profiles(
    calendar: Calendar, origins: dict[tuple[str, ...], Part], file: Path
) -> Calendar:
    """The calendar with the weights of its CSV day profiles (a weekday name needs none)."""

    def weights(setting: str, key: str) -> tuple[float, ...]:
        source = origin_of(tuple(key.split(".")), origins) or str(file)
        return read_profile(Path(setting), (source, f": {key}"), day_only=True)

    update: dict[str, Any] = {}
    if calendar.bank_holiday_profile not in WEEKDAYS:
        key = "calendar.bank_holiday_profile"
        update["bank_holiday_profile_weights"] = weights(calendar.bank_holiday_profile, key)
    days = []
    for i, day in enumerate(calendar.named_days):
        if day.profile is not None and day.profile not in WEEKDAYS:
            read = weights(day.profile, f"calendar.named_days.{i}.profile")
            day = day.model_copy(update={"profile_weights": read})
        days.append(day)
    return calendar.model_copy(update={**update, "named_days": days})


def _check_provenance(scenario: Scenario, origins: dict[tuple[str, ...], Part], file: Path) -> None:
    """Every provenance key must name a parameter of the scenario (set or defaulted); a shift
    line's may name it by its name, ``shift_lines.Evening contact.count``."""
    lines = {line.name: line for _, line in scenario.shift_lines() if line.name is not None}
    for key in scenario.provenance:
        node: Any = scenario
        parts = key.split(".")
        if parts[0] == SHIFT_LINES and len(parts) > 1 and parts[1] in lines:
            node, parts = lines[parts[1]], parts[2:]
        for part in parts:
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            elif isinstance(node, BaseModel) and part in type(node).model_fields:
                node = getattr(node, part)
            else:
                source = origin_of(("provenance", key), origins) or str(file)
                raise named(
                    ScenarioError,
                    source,
                    f": provenance.{key}: expected the key path of a parameter in "
                    "this scenario, found none",
                )
