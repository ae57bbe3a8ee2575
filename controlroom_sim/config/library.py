"""The scenario library: every scenario file under a folder, with one line about each."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from .files import ScenarioError, builtin_baseline_path
from .loading import load_scenario


@dataclass(frozen=True)
class Entry:
    """One scenario file of the library (``error`` set if it does not load)."""

    path: Path
    name: str = ""
    description: str = ""
    days: float = 0.0
    calls_per_day: tuple[float, float] = (0.0, 0.0)
    error: str | None = None


def _is_scenario(path: Path) -> bool:
    """Pattern files (``[[patterns]]``) and other TOML that is not a scenario are left out."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return True  # listed, so its error shows
    return "patterns" not in data


def scenario_paths(folder: Path | None) -> list[Path]:
    """The scenario files under ``folder`` (sorted), or the built-in baseline without one."""
    if folder is None:
        return [builtin_baseline_path()]
    if not folder.is_dir():
        raise ScenarioError(f"{folder}: no such folder of scenarios")
    return sorted(p for p in folder.rglob("*.toml") if _is_scenario(p))


def library(folder: Path | None) -> list[Entry]:
    """Every scenario under ``folder``, loaded (with ``extends``) and described."""
    entries = []
    for path in scenario_paths(folder):
        try:
            scenario = load_scenario(path)
        except ScenarioError as exc:
            entries.append(Entry(path=path, error=str(exc)))
            continue
        volume = tuple(
            scenario.channels[c].calls_per_day if c in scenario.channels else 0.0
            for c in ("999", "101")
        )
        entries.append(
            Entry(
                path=path,
                name=scenario.scenario.name,
                description=scenario.scenario.description,
                days=scenario.scenario.days,
                calls_per_day=volume,  # type: ignore[arg-type]
            )
        )
    return entries
