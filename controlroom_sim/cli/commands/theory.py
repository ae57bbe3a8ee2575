"""The ``erlang`` and ``validate`` commands: queueing theory alone, and beside simulation."""

from __future__ import annotations

import argparse
from pathlib import Path

from ...analysis.erlang import erlang_a_metrics, erlang_b, erlang_c_metrics, staff_for_target
from ...analysis.erlang.queue_metrics import MAX_LOAD_ERLANGS, MAX_SERVERS
from ...analysis.validation import NotAnErlangCase, compare, describe_case, expected_kpis
from ...config.loading import ScenarioError, load_scenario
from ...experiments import api
from ...experiments.runner import with_run_settings
from ...reporting.display import render, validation_table
from ..usage import UsageError
from .size_guard import _check_size

EXIT_VALIDATION_FAILED = 1


def command_erlang(args: argparse.Namespace) -> int:
    if not 0 < args.service_level < 1:
        raise UsageError(
            f"--service-level: expected a share between 0 and 1, found {args.service_level}"
        )
    if args.target_s < 0:
        raise UsageError(f"--target-s: expected a number >= 0, found {args.target_s}")
    rate = args.calls_per_hour / 3600.0
    load = rate * args.aht_s
    if not load <= MAX_LOAD_ERLANGS:
        raise UsageError(
            f"--calls-per-hour × --aht-s / 3600: expected an offered load of at most "
            f"{MAX_LOAD_ERLANGS:,.0f} Erlangs (e.g. 3,600,000 calls an hour of 100 s), "
            f"found {load:.10g}"
        )
    if args.handlers is not None and args.handlers > MAX_SERVERS:
        raise UsageError(f"--handlers: expected at most {MAX_SERVERS:,}, found {args.handlers:,}")
    model = "Erlang A" if args.patience_s else "Erlang C"
    needed = staff_for_target(
        rate, args.aht_s, args.target_s, args.service_level, mean_patience=args.patience_s
    )
    print(
        f"{model}: {args.calls_per_hour:g} calls/h, mean handling {args.aht_s:g} s"
        + (f", mean patience {args.patience_s:g} s" if args.patience_s else "")
        + f"; offered load {load:.2f} Erlangs"
    )
    print(
        f"handlers needed for {args.service_level:.0%} of offered calls answered within "
        f"{args.target_s:g} s: {needed}"
    )
    if args.handlers is not None:
        handlers = [args.handlers]
    else:
        low = max(1, needed - 3)
        handlers = list(range(low, needed + 4))
    rows = []
    for n in handlers:
        if args.patience_s:
            m = erlang_a_metrics(rate, args.aht_s, args.patience_s, n, args.target_s)
        else:
            m = erlang_c_metrics(rate, args.aht_s, n, args.target_s)
        rows.append(
            [
                str(n),
                f"{erlang_b(n, load):.4f}",
                f"{m.p_wait:.4f}",
                f"{m.p_abandon:.4f}",
                f"{m.service_level_answered:.4f}",
                f"{m.service_level_offered:.4f}",
                "inf" if m.mean_wait_answered == float("inf") else f"{m.mean_wait_answered:.2f}",
                f"{m.occupancy:.4f}",
            ]
        )
    print(
        render(
            rows,
            [
                "handlers",
                "Erlang B",
                "P(wait)",
                "P(abandon)",
                f"SL{args.target_s:g} answered",
                f"SL{args.target_s:g} offered",
                "mean answer s",
                "occupancy",
            ],
            [True] * 8,
        )
    )
    return 0


def command_validate(args: argparse.Namespace) -> int:
    if not 0 < args.confidence < 1:
        raise UsageError(f"--confidence: expected a level between 0 and 1, found {args.confidence}")
    files = args.scenarios or sorted(Path("scenarios/validation").glob("*.toml"))
    if not files:
        raise UsageError("validate: no scenario files given and none in scenarios/validation/")
    all_inside = True
    scenarios = []
    for file in files:
        scenario = with_run_settings(load_scenario(file), args.replications, args.seed)
        try:
            expected_kpis(scenario)  # checked before the (long) simulation
        except NotAnErlangCase as exc:
            raise ScenarioError(f"{file}: {exc}") from None
        _check_size(args, [scenario], [file], scenario.scenario.replications)
        scenarios.append(scenario)
    for file, scenario in zip(files, scenarios, strict=True):
        result = api.run(scenario, jobs=args.jobs, progress=not args.quiet)
        frame = compare(scenario, result.kpis, args.confidence)
        print(
            f"{file}: {scenario.scenario.name}: {describe_case(scenario)}, "
            f"{len(result.replications)} replications of {scenario.scenario.days:g} days"
        )
        print(validation_table(frame, args.confidence))
        print()
        all_inside &= bool(frame["inside"].all())
    print("theory inside every interval" if all_inside else "theory outside at least one interval")
    return 0 if all_inside else EXIT_VALIDATION_FAILED
