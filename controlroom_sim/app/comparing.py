"""The workbench's compare: the opened baseline against the edited scenario, with common random
numbers, on the app's warm engine (:mod:`.warm`), and the tables the page draws from it
(interval series, the weekday-by-hour difference).

The answer is kept in memory: writing a run folder (parts, tables, manifest) costs more than a
second of a 10-replication compare of a week, so the folder is written only when the planner
asks for the workbook or the HTML report (:func:`write_folder`), by the same compare run again
with an output folder, every replication of which the warm engine still holds."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

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
from .scratch import scratch_folder
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
    """A finished compare: the comparison, its paired differences and summary (computed once),
    the command line's text of it, and what it needs to be run again into a folder."""

    comparison: Comparison
    differences: pd.DataFrame
    summary: pd.DataFrame
    table: str
    in_short: str
    scenarios: tuple[Scenario, Scenario]
    replications: int

    @property
    def baseline(self) -> str:
        return self.comparison.baseline

    @property
    def variant(self) -> str:
        return self.comparison.results[1].name


def _options(replications: int, out: Path | None) -> RunOptions:
    """Records stay in the workers (only KPIs and intervals come back), so an answer in memory
    and a folder written later ask the engine for the same replications."""
    return RunOptions(
        replications=replications,
        out=out,
        calls_format="none",
        keep_records=False,
        command=["controlroom-sim", "app"],
    )


def _loaded(baseline: Scenario, edited: Scenario) -> list[LoadedScenario]:
    return [LoadedScenario(baseline), LoadedScenario(_named_apart(baseline, edited))]


def run_compare(
    baseline: Scenario, edited: Scenario, replications: int, engine: WarmEngine
) -> Outcome:
    """Compare ``edited`` with ``baseline`` over ``replications`` (the baseline's seed) and
    return the command line's tables of it."""
    comparison = api.compare_loaded(
        _loaded(baseline, edited), _options(replications, None), engine=engine
    )
    differences, summary = comparison.differences, comparison.summary
    variant = comparison.results[1].name
    currency = baseline.staffing.currency if baseline.staffing is not None else "£"
    return Outcome(
        comparison=comparison,
        differences=differences,
        summary=summary,
        table=comparison_table(summary, differences, comparison.baseline, variant, None),
        in_short=cost_line(differences, variant, currency=currency),
        scenarios=(baseline, edited),
        replications=replications,
    )


def write_folder(outcome: Outcome, engine: WarmEngine, folder: Path | None = None) -> Path:
    """The compare's run folder, as ``controlroom-sim compare --out`` writes it (``folder``,
    else a new temporary one), for the workbook and the report."""
    out = folder if folder is not None else scratch_folder("compare-")
    api.compare_loaded(
        _loaded(*outcome.scenarios), _options(outcome.replications, out), engine=engine
    )
    return out


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
    before, after = (
        weekday_hour_rate(SimpleNamespace(intervals=result.intervals))  # what it reads of a run
        for result in outcome.comparison.results[:2]
    )
    if before is None or after is None:
        return None
    grid = (after - before) * 100.0
    grid.index.name, grid.columns.name = "weekday", None
    return grid.reset_index().melt(id_vars="weekday", var_name="hour", value_name="pp")


def scenario_toml(scenario: Scenario) -> str:
    """The scenario as one TOML file that extends no other (every key resolved: ``extends``
    and the edits applied; profile CSVs named by the full paths the loaded scenario holds)."""
    data = scenario.model_dump(by_alias=True, exclude_none=True, mode="json")
    head = (
        "# Written by the controlroom-sim app: the scenario opened in the workbench with the\n"
        "# rota as edited there, every key resolved (no extends; profile CSVs by full path).\n\n"
    )
    return head + tomli_w.dumps(data)
