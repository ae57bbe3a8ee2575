"""The fitting commands: ``fit-check`` (an export read with its mapping, and what it holds),
``fit`` (a scenario fitted from an export, and its back-test), and ``run --arrivals`` (a
trace-driven run)."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from pydantic import ValidationError

from ...config.errors import Param, named
from ...experiments.inputs import LoadedScenario
from ...fitting.backtest import Backtest
from ...fitting.export import Export, read_export
from ...fitting.fit import Fit
from ...fitting.mapping import Mapping, MappingError, Times, load_mapping
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
        f"fit-check: {calls:,} call{'s' if calls != 1 else ''} usable of {rejections.rows_read:,} "
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


def command_fit(args: argparse.Namespace) -> int:
    """Fit, write the scenario, back-test, write fit.json, backtest.csv and report.html."""
    from ...app.fit_run import fit_folder
    from ...fitting.fit import FitSettings

    mapping = with_timezone(load_mapping(args.mapping), args.timezone)
    settings = FitSettings(
        short_abandon_s=args.short_abandon_s,
        exclude_short_abandons=args.exclude_short_abandons,
        follow_up_window_s=args.follow_up_window_s,
    )
    outcome = fit_folder(
        args.exports,
        args.mapping,
        mapping,
        args.out,
        base=args.base,
        holdout_weeks=args.holdout_weeks,
        rota=args.rota,
        settings=settings,
        replications=args.replications,
    )
    print("\n\n".join(fit_text(outcome.fit, outcome.backtest, args.out)))
    return 0


def with_timezone(mapping: Mapping, zone: str | None) -> Mapping:
    """``mapping`` with its time zone replaced by ``--timezone`` when given."""
    if zone is None:
        return mapping
    try:
        times = Times.model_validate({**mapping.times.model_dump(), "timezone": zone})
    except ValidationError as exc:
        reason = exc.errors()[0]["msg"].removeprefix("Value error, ")
        raise MappingError(f"--timezone: {reason}") from None
    return mapping.model_copy(update={"times": times})


def fit_text(fit: Fit, backtest: Backtest, out: Path) -> list[str]:
    """What the fit prints: per channel the fitted values, then the back-test's summary."""
    rows = []
    for name, channel in fit.channels.items():
        rows.append((f"{name} calls a day", f"{channel.arrivals.calls_per_day:,.1f}"))
        for key, (distribution, _) in channel.distributions().items():
            rows.append((f"{name} {key}", distribution.describe()))
        if channel.redials is not None and channel.linked and channel.redials.probability:
            rows.append((f"{name} redial_probability", f"{channel.redials.probability:.3f}"))
    head = (
        f"fit: {len(fit.export.calls):,} calls, {fit.grid.first_day} to {fit.grid.last_day} "
        f"({fit.days} days)"
    )
    parts = [head, render(rows, ("fitted", "value"), (False, False))]
    summary = backtest.summary()
    lines = [
        f"back-test ({backtest.kind}, {backtest.days} days from {backtest.first_day}, "
        f"{backtest.replications} replications; handlers: {backtest.rota}):"
    ]
    for name, values in summary.items():
        mae = values.get("hourly_mae_answered_within_10s")
        words = (
            f"  {name}: {values['weekly_inside']} of {values['weekly_compared']} weekly KPIs "
            "inside the 95% prediction interval"
        )
        if mae is not None:
            floor = values.get("hourly_mae_answered_within_10s_noise_floor")
            words += f"; hourly 10-second rate off by {mae:.1f} pp on average"
            if floor is not None:
                words += f" (one replication against the others: {floor:.1f} pp)"
        lines.append(words)
    if backtest.callbacks:
        lines.append(
            "  note: the base has 101 callbacks on, which an export cannot show; the simulated "
            "101 figures include callbacks the export's calls did not have"
        )
    parts.append("\n".join(lines))
    parts.append(
        f"wrote {out / 'scenario.toml'}, fit.json, backtest.csv, report.html\n"
        f"run it: controlroom-sim run {out / 'scenario.toml'}"
    )
    return parts


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
