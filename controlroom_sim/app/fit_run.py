"""The ``fit`` pipeline in one function, for the command line and the app's fit page: read
the export with its mapping, fit (all of it, or all but the last whole weeks), write the
fitted scenario, back-test it, and write ``fit.json``, ``backtest.csv`` and ``report.html``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..config.loading import load_scenario
from ..experiments.files import prepare_folder, write_atomic, write_json
from ..fitting.backtest import Backtest, hold_out, in_sample_stretch, run_backtest
from ..fitting.export import ExportError, read_export
from ..fitting.fit import Fit, FitSettings, fit_export
from ..fitting.fit_document import fit_document
from ..fitting.mapping import Mapping
from ..fitting.rota_choice import rota_table
from ..fitting.scenario_file import extends_name, scenario_document, write_scenario
from ..reporting.fit_page import write_fit_page

STEPS = ("reading the export", "fitting", "back-testing", "writing the report")
"""What :func:`fit_folder` reports to ``step`` as it goes, in order."""


@dataclass
class FitOutcome:
    fit: Fit
    backtest: Backtest
    scenario: Path
    report: Path


def fit_folder(
    exports: Sequence[Path],
    mapping_file: Path,
    mapping: Mapping,
    out: Path,
    *,
    base: Path | None = None,
    holdout_weeks: int = 0,
    rota: Path | None = None,
    settings: FitSettings | None = None,
    replications: int = 10,
    step: Callable[[str], None] | None = None,
) -> FitOutcome:
    """Fit ``exports`` (read with ``mapping``) into the folder ``out``; ``step`` hears each
    of :data:`STEPS` as it starts."""
    say = step or (lambda _: None)
    say(STEPS[0])
    whole = read_export(list(exports), mapping)
    if whole.period is None:
        raise ExportError(
            f"{exports[0]}: expected usable calls, found none of "
            f"{whole.rejections.rows_read} rows (run fit-check for the reasons)"
        )
    base_scenario = load_scenario(base)
    counts = whole.calls["channel"].value_counts()
    lacking = [f"{c} ({n:,} calls)" for c, n in counts.items() if c not in base_scenario.channels]
    if lacking:
        raise ExportError(
            f"{base or 'the built-in baseline'}: expected a [channels] entry for every "
            f"channel the export has, found none for {', '.join(lacking)} (give a --base that "
            "has it)"
        )
    if holdout_weeks:
        fit_part, held = hold_out(whole, holdout_weeks)
        kind = "holdout"
    else:
        fit_part, held, kind = whole, in_sample_stretch(whole), "in-sample"
    folder = prepare_folder(out)
    table, copies, rota_words = rota_table(rota, folder, base_scenario)
    say(STEPS[1])
    fit = fit_export(fit_part, settings or FitSettings())
    document, profiles = scenario_document(fit, base_scenario, extends_name(base, folder), table)
    header = [
        "Fitted by `controlroom-sim fit` from " + ", ".join(str(f) for f in exports),
        f"with the mapping {mapping_file}; fit.json holds every fitted value with its",
        "uncertainty and goodness of fit, report.html the figures and the back-test.",
    ]
    scenario_path = write_scenario(folder, document, profiles, header, copies)
    fitted = load_scenario(scenario_path)
    say(STEPS[2])
    backtest = run_backtest(fitted, held, kind, rota_words, replications)
    write_atomic(folder / "backtest.csv", lambda p: backtest.table().to_csv(p, index=False))
    doc = fit_document(
        fit,
        whole,
        list(exports),
        mapping_file,
        held if kind == "holdout" else None,
        backtest,
        scenario_path,
    )
    write_json(folder / "fit.json", doc)
    say(STEPS[3])
    report = write_fit_page(folder / "report.html", fit, backtest, doc)
    return FitOutcome(fit, backtest, scenario_path, report)
