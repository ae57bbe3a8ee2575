"""The workbench's compare: the opened baseline against the edited scenario, with common random
numbers, on the app's warm engine (:mod:`.warm`), written to a run folder so that the workbook
and the HTML report are made by ``reporting`` as for ``controlroom-sim compare``; and the
tables the page draws from it (interval series, the weekday-by-hour difference)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import tomli_w

from ..config.schema import Scenario
from ..experiments import api
from ..experiments.inputs import LoadedScenario
from ..experiments.options import RunOptions
from ..experiments.results import Comparison
from ..reporting.compare_figures import weekday_hour_rate
from ..reporting.cost_display import cost_line
from ..reporting.display import comparison_table
from ..reporting.report_data import load_results
from .warm import WarmEngine

SERIES = {
    "answered_within_10s_999": "999 calls answered within 10 s",
    "answered_within_60s_101": "101 calls answered within 60 s",
    "handlers_on_duty": "handlers on duty",
    "handlers_busy": "handlers busy",
    "offered_999": "999 calls offered",
}
"""The interval charts the page offers: a column (or rate) of the interval table, in words."""


@dataclass
class Outcome:
    """A finished compare: the comparison, its run folder, and the CLI's text of it."""

    comparison: Comparison
    folder: Path
    table: str
    in_short: str

    @property
    def baseline(self) -> str:
        return self.comparison.baseline

    @property
    def variant(self) -> str:
        return self.comparison.results[1].name


def run_compare(
    baseline: Scenario,
    edited: Scenario,
    replications: int,
    engine: WarmEngine,
    folder: Path | None = None,
) -> Outcome:
    """Compare ``edited`` with ``baseline`` over ``replications`` (the baseline's seed), write
    the run folder (``folder``, else a new temporary one) and return the CLI's tables."""
    out = folder if folder is not None else Path(tempfile.mkdtemp(prefix="crs-app-compare-"))
    options = RunOptions(
        replications=replications,
        out=out,
        calls_format="none",
        command=["controlroom-sim", "app"],
    )
    renamed = _named_apart(baseline, edited)
    loaded = [LoadedScenario(baseline), LoadedScenario(renamed)]
    comparison = api.compare_loaded(loaded, options, engine=engine)
    differences, summary = comparison.differences, comparison.summary
    variant = comparison.results[1].name
    currency = baseline.staffing.currency if baseline.staffing is not None else "£"
    return Outcome(
        comparison=comparison,
        folder=out,
        table=comparison_table(summary, differences, comparison.baseline, variant, None),
        in_short=cost_line(differences, variant, currency=currency),
    )


def _named_apart(baseline: Scenario, edited: Scenario) -> Scenario:
    """The edited scenario named ``<name> (edited)`` so the tables tell the two apart."""
    name = baseline.scenario.name
    if edited.scenario.name != name:
        return edited
    settings = edited.scenario.model_copy(update={"name": f"{name} (edited)"})
    return edited.model_copy(update={"scenario": settings})


def interval_means(outcome: Outcome, column: str) -> pd.DataFrame:
    """Per scenario and 15-minute interval, the mean over replications of ``column`` (a rate
    of answered calls for the ``answered_within_*`` columns), with the interval's start as
    days since the measured window began: ``scenario, day, weekday, time, value``."""
    frames = []
    for result in outcome.comparison.results:
        table = result.intervals
        channel = column.rsplit("_", 1)[-1] if column[-3:] in ("999", "101") else None
        base = column.rsplit("_", 1)[0] if channel is not None else column
        if channel is not None:
            table = table[table["channel"].astype(str) == channel]
        else:
            table = table[table["channel"] == table["channel"].iloc[0]]
        keys = ["interval", "start_s", "weekday", "time"]
        if base.startswith("answered_within"):
            sums = table.groupby(keys, observed=True)[[base, "answered"]].sum()
            value = sums[base] / sums["answered"].where(sums["answered"] > 0)
        else:
            value = table.groupby(keys, observed=True)[base].mean()
        frame = value.rename("value").reset_index()
        frame["day"] = (frame["start_s"] - result.scenario.warmup_s) / 86400.0
        frame["scenario"] = result.name
        frames.append(frame[["scenario", "day", "weekday", "time", "value"]])
    return pd.concat(frames, ignore_index=True)


def heatmap_difference(outcome: Outcome) -> pd.DataFrame | None:
    """The edited scenario's 10-second rate of 999 calls minus the baseline's, by weekday and
    hour, in percentage points (the report's heatmap): ``weekday, hour, pp``."""
    results = load_results(outcome.folder)
    before, after = (weekday_hour_rate(run) for run in results.runs[:2])
    if before is None or after is None:
        return None
    grid = (after - before) * 100.0
    grid.index.name, grid.columns.name = "weekday", None
    return grid.reset_index().melt(id_vars="weekday", var_name="hour", value_name="pp")


def scenario_toml(scenario: Scenario) -> str:
    """The scenario as one TOML file that needs no other (every key resolved: ``extends``
    and the edits applied; profile files named as the opened scenario names them)."""
    data = scenario.model_dump(by_alias=True, exclude_none=True, mode="json")
    head = (
        "# Written by the controlroom-sim app: the scenario opened in the workbench with the\n"
        "# rota as edited there, every key resolved (no extends).\n\n"
    )
    return head + tomli_w.dumps(data)
