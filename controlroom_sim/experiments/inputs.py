"""The scenarios of a run as loaded: each :class:`LoadedScenario` with the files it was read
from (recorded in the manifest), loaded once, by the command line or by the public functions,
and a sweep's :class:`Grid` of variants."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..analysis.comparison import parse_vary, sweep_grid, toml_literal
from ..config.loading import load_scenario, scenario_files
from ..config.schema import Scenario

ScenarioLike = str | Path | Scenario | None


@dataclass(frozen=True)
class LoadedScenario:
    """A scenario and where it came from: ``files`` (the file and those it extends) and
    ``source`` (the file as given; None for the built-in baseline or a Scenario object)."""

    scenario: Scenario
    files: tuple[Path, ...] = ()
    source: str | Path | None = None


@dataclass(frozen=True)
class Grid:
    """A sweep: one loaded variant per grid point (``points`` maps each varied key to its
    value, as read from ``KEY=V1,V2,...``)."""

    points: list[dict[str, str]]
    variants: list[LoadedScenario] = field(default_factory=list)

    @property
    def keys(self) -> list[str]:
        return list(self.points[0]) if self.points else []


def load(scenario: ScenarioLike, overrides: Sequence[str] = ()) -> LoadedScenario:
    """Load a scenario file (None: the built-in baseline), or take a Scenario as it is."""
    if isinstance(scenario, Scenario):
        if overrides:
            raise ValueError("overrides need a scenario file, not a Scenario object")
        return LoadedScenario(scenario)
    loaded = load_scenario(scenario, overrides)
    return LoadedScenario(loaded, tuple(scenario_files(scenario)), scenario)


def vary_pairs(vary: Mapping[str, Sequence[Any]] | Sequence[str]) -> list[tuple[str, list[str]]]:
    """The keys a sweep varies and their values (TOML literals), from a mapping of lists or
    ``KEY=V1,V2,...`` texts; ValueError if there are none."""
    if isinstance(vary, Mapping):
        pairs = [(k, [toml_literal(v) for v in values]) for k, values in vary.items()]
    else:
        pairs = [parse_vary(text) for text in vary]
    if not pairs:
        raise ValueError("sweep needs at least one key to vary")
    return pairs


def load_grid(
    scenario: str | Path | None,
    pairs: Sequence[tuple[str, list[str]]],
    overrides: Sequence[str] = (),
) -> Grid:
    """Load every grid point of a sweep (each checked before any simulation runs)."""
    points = sweep_grid(list(pairs))
    loaded = [
        load_scenario(scenario, overrides, vary=[f"{k}={v}" for k, v in point.items()])
        for point in points
    ]
    files = tuple(scenario_files(scenario))
    return Grid(points, [LoadedScenario(s, files, scenario) for s in loaded])


def unique_labels(sources: Sequence[LoadedScenario]) -> list[str]:
    """Each scenario's name in tables: its own, with its file's name (or a number) added when
    two scenarios share a name."""
    labels: list[str] = []
    for loaded in sources:
        label = loaded.scenario.scenario.name
        if label in labels and isinstance(loaded.source, str | Path):
            label = f"{label} ({Path(loaded.source).stem})"
        base, k = label, 2
        while label in labels:
            label, k = f"{base} ({k})", k + 1
        labels.append(label)
    return labels
