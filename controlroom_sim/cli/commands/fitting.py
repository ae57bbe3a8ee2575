"""``fit-check``: a force's telephony export read with its mapping file, and what it holds."""

from __future__ import annotations

import argparse
import dataclasses

from ...config.errors import Param, named
from ...experiments.inputs import LoadedScenario
from ...fitting.export import Export, read_export
from ...fitting.mapping import load_mapping
from ...fitting.observed import observed_kpis
from ...fitting.trace import build_trace, check_scenario, trace_scenario
from ...reporting.display import format_value, render
from ..usage import UsageError

KPIS = (
    "offered",
    "answered",
    "abandoned",
    "abandon_rate",
    "answered_within_10s",
    "answered_within_60s",
    "mean_answer_s",
    "p90_answer_s",
)
"""The KPIs printed per channel."""
COUNTS = ("offered", "answered", "abandoned")


def command_fit_check(args: argparse.Namespace) -> int:
    mapping = load_mapping(args.mapping)
    export = read_export(args.exports, mapping)
    print("\n\n".join(check_text(export, len(args.exports))))
    return 0


def check_text(export: Export, files: int) -> list[str]:
    """The report's paragraphs: what was read, the rows not used, the KPIs per channel."""
    rejections = export.rejections
    calls = len(export.calls)
    head = (
        f"fit-check: {calls} call{'s' if calls != 1 else ''} usable of {rejections.rows_read} "
        f"row{'s' if rejections.rows_read != 1 else ''} in {files} file{'s' if files != 1 else ''}"
    )
    period = export.period
    if period is None:
        head += "\nperiod: none (no usable calls)"
    else:
        zone = export.timezone
        first, last = (
            t.tz_convert(zone).strftime("%Y-%m-%d %H:%M:%S") for t in (period.first, period.last)
        )
        head += (
            f"\nperiod: {first} to {last} {zone} ({period.days} day"
            f"{'s' if period.days != 1 else ''}, {period.weeks} whole week"
            f"{'s' if period.weeks != 1 else ''})"
        )
    parts = [head, *rejection_text(export)]
    if calls:
        kpis = observed_kpis(export)
        channels = [c for c in ("999", "101") if f"offered_{c}" in kpis]
        table = [(kpi, *(_value(kpi, kpis[f"{kpi}_{c}"]) for c in channels)) for kpi in KPIS]
        parts.append(render(table, ("KPI", *channels), (False, *[True] * len(channels))))
    return parts


def rejection_text(export: Export) -> list[str]:
    """The rows not used, counted by reason with the first examples, and the unknown channel
    values (``fit-check`` and ``run --arrivals`` print them alike)."""
    rejections = export.rejections
    rows = [(reason, f"{n:,}") for reason, n in rejections.counts.items()]
    parts = [render(rows, ("rows not used", "count"), (False, True))]
    examples = [f"  {r}: {e}" for r, found in rejections.examples.items() for e in found]
    if examples:
        parts[-1] += "\nfirst examples:\n" + "\n".join(examples)
    if rejections.unknown_channels:
        values = ", ".join(f"{v!r} ({n})" for v, n in rejections.unknown_channels.items())
        parts.append(f"unknown channel values: {values}")
    return parts


def _value(kpi: str, value: float) -> str:
    """A count as a whole number, anything else as the run's KPI table writes it."""
    return f"{int(value):,}" if kpi in COUNTS else format_value(kpi, value)


def trace_driven(
    args: argparse.Namespace, loaded: LoadedScenario
) -> tuple[LoadedScenario, str | None]:
    """``run --arrivals EXPORT ... --mapping MAPPING``: the loaded scenario driven by the
    export's arrival times (:mod:`controlroom_sim.fitting.trace`), every problem a one-line
    error before anything runs, and the text the command prints with its results (the rows not
    used, as ``fit-check`` prints them, and what the trace changed). Without either option,
    the scenario as it is and no text."""
    arrivals, mapping_file = args.arrivals, args.mapping
    if not arrivals and mapping_file is None:
        return loaded, None
    if not arrivals:
        raise named(
            UsageError,
            Param("mapping", mapping_file),
            ": expected ",
            Param("arrivals", "EXPORT"),
            " with it (the export to read), found none",
        )
    if mapping_file is None:
        raise named(
            UsageError,
            Param("arrivals", " ".join(str(a) for a in arrivals)),
            ": expected ",
            Param("mapping", "MAPPING.toml"),
            " with it (how to read the export), found none",
        )
    mapping = load_mapping(mapping_file)
    export = read_export(arrivals, mapping)
    trace = build_trace(export, mapping, arrivals, mapping_file)
    check_scenario(loaded.scenario, trace, export)
    scenario, notes = trace_scenario(loaded.scenario, trace)
    rejected = export.rejections
    head = (
        f"trace-driven: {trace.calls:,} calls fed of {len(export.calls):,} usable in "
        f"{rejected.rows_read:,} rows of {len(arrivals)} file{'s' if len(arrivals) != 1 else ''}"
    )
    text = "\n\n".join([head, *rejection_text(export), "\n".join(notes)])
    traced = dataclasses.replace(loaded, scenario=scenario, files=(*loaded.files, mapping_file))
    return traced, text
