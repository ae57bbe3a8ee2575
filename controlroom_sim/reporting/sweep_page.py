"""A sweep's report: its variants named in words ("Evening contact count = 5", not
``handlers.1.shifts.3.count=5``), its KPIs in a table that scrolls in its own box (one column
per variant, the mean with its 95% CI under it), and each headline KPI against the varied
value."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd

from ..analysis.comparison import split_values
from ..analysis.kpis import KPI_DESCRIPTIONS
from .display import SWEEP_DEFAULT, format_value, interval_text, is_share
from .page_parts import esc, scroll_box
from .plots import legend, save_figure

if TYPE_CHECKING:
    from .report_data import Results

Figure = tuple[str, str, Path]

_SECTIONS = {
    "handlers": "handlers",
    "dispatchers": "dispatchers",
    "officers": "officers",
    "support_workers": "support workers",
}
"""The rota sections (``config.schema.rotas.ROTA_SECTIONS``) in words."""


def _item(node: Any, part: str) -> Any:
    if isinstance(node, list) and part.isdigit() and int(part) < len(node):
        return node[int(part)]
    if isinstance(node, dict):
        return node.get(part)
    return None


def _name(node: Any) -> str | None:
    name = node.get("name") if isinstance(node, dict) else None
    return name if isinstance(name, str) and name else None


def _plain(parts: list[str]) -> list[str]:
    return [p.replace("_", " ") for p in parts]


def key_words(key: str, scenario: dict) -> str:
    """A scenario key path in words, by the names in ``scenario`` (the resolved scenario):
    ``handlers.1.shifts.3.count`` -> "Evening contact count", ``handlers.1.count`` ->
    "contact handlers count", ``shift_lines.Late 999.start`` -> "Late 999 start",
    ``channels.999.calls_per_day`` -> "999 calls per day"."""
    parts = key.split(".")
    if parts[0] == "shift_lines" and len(parts) >= 3:
        return " ".join([parts[1], *_plain(parts[2:])])
    if parts[0] in _SECTIONS and len(parts) >= 2 and parts[1].isdigit():
        group = _item(scenario.get(parts[0]), parts[1])
        section = _SECTIONS[parts[0]]
        group_words = (
            f"{_name(group)} {section}" if _name(group) else f"{section} group {int(parts[1]) + 1}"
        )
        if len(parts) >= 4 and parts[2] == "shifts" and parts[3].isdigit():
            line = _name(_item(_item(group, "shifts"), parts[3]))
            line = line or f"{group_words} shift line {int(parts[3]) + 1}"
            return " ".join([line, *_plain(parts[4:])])
        return " ".join([group_words, *_plain(parts[2:])])
    words, node = [], scenario
    for i, part in enumerate(parts):
        child = _item(node, part)
        if isinstance(node, list) and part.isdigit():
            words.append(_name(child) or f"item {int(part) + 1}")
        elif not (i == 0 and part == "channels" and len(parts) > 2):
            words.append(part.replace("_", " "))
        node = child
    return " ".join(words)


def _value(text: str) -> Any:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except ValueError:
        return text


def point_of(label: str) -> dict[str, Any]:
    """A sweep variant's label (``key=value,key=value``, as the sweep names it) as its keys
    and values."""
    point = {}
    for item in split_values(label):
        key, _, text = item.partition("=")
        point[key] = _value(text)
    return point


def variant_words(label: str, scenario: dict) -> str:
    """ "Evening contact count = 5" for ``handlers.1.shifts.3.count=5`` (keys joined by ", ")."""
    return ", ".join(f"{key_words(k, scenario)} = {v}" for k, v in point_of(label).items())


def name_in_words(results: Results) -> None:
    """Rename a sweep's variants, in its runs and tables, by their values in words (and keep
    each one's keys and values in ``results.points``)."""
    if results.kind != "sweep":
        return
    results.points = [point_of(run.name) for run in results.runs]
    names = {}
    for run in results.runs:
        names[run.name] = variant_words(run.name, run.scenario)
        run.summary = run.summary.assign(scenario=run.summary["scenario"].map(names))
    if len(set(names.values())) < len(names):  # two variants alike in words: keep the keys
        return
    for run in results.runs:
        run.name = names[run.name]
    results.summary = results.summary.assign(scenario=results.summary["scenario"].map(names))


def kpi_table(summary: pd.DataFrame, scenarios: list[str], kpis: list[str]) -> str:
    """One row per KPI (its meaning under its name), one column per variant: the mean with
    its 95% CI under it; in a box of its own that scrolls."""
    by = summary.set_index(["scenario", "kpi"])
    head = '<tr><th scope="col">KPI</th>' + "".join(
        f'<th scope="col">{esc(s)}</th>' for s in scenarios
    )
    rows = [f"<thead>{head}</tr></thead><tbody>"]
    for kpi in kpis:
        meaning = next(
            (
                KPI_DESCRIPTIONS[k]
                for k in (kpi, *(kpi.rsplit("_", n)[0] for n in (1, 2)))
                if k in KPI_DESCRIPTIONS
            ),
            "",
        )
        cells = [f'<th scope="row">{esc(kpi)}<br><span class="meaning">{esc(meaning)}</span></th>']
        for name in scenarios:
            if (name, kpi) not in by.index:
                cells.append("<td></td>")
                continue
            row = by.loc[(name, kpi)]
            interval = interval_text(kpi, row["ci_low"], row["ci_high"])
            cells.append(
                f'<td class="num">{esc(format_value(kpi, row["mean"]))}'
                f'<br><span class="ci">{esc(interval)}</span></td>'
            )
        rows.append("<tr>" + "".join(cells) + "</tr>")
    table = '<table class="sweep">' + "".join(rows) + "</tbody></table>"
    return scroll_box(table, "KPIs of every variant")


SWEPT = (*SWEEP_DEFAULT, "posts_total", "cost_year_total")
"""The KPIs drawn against the varied value (the cost ones when the scenario has them)."""


def _scaled(kpi: str, currency: str) -> tuple[float, str]:
    """The scale of a KPI's values in the figure, and their unit."""
    if is_share(kpi):
        return 100.0, "%"
    if kpi.startswith("cost_"):
        return 1e-6, f"{currency} millions a year"
    if kpi.startswith("posts"):
        return 1.0, "full-time posts"
    if "_s_" in kpi:
        return 1.0, "seconds"
    return 1.0, ""


def sweep_figure(results: Results, path: Path) -> Figure | None:
    """Each headline KPI against the first varied key's value, with 95% CI bars (a line per
    combination of the other keys' values)."""
    points = results.points
    if results.kind != "sweep" or not points or len(points) != len(results.runs):
        return None
    keys = list(points[0])
    if not keys:
        return None
    summary = results.summary
    kpis = [k for k in SWEPT if k in set(summary["kpi"])]
    if not kpis:
        return None
    values = [p[keys[0]] for p in points]
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    ticks = list(dict.fromkeys(values))
    x = [float(v) if numeric else ticks.index(v) for v in values]
    scenario = results.runs[0].scenario
    lines: dict[str, list[int]] = {}
    for i, point in enumerate(points):
        rest = ", ".join(f"{key_words(k, scenario)} = {point[k]}" for k in keys[1:])
        lines.setdefault(rest, []).append(i)
    cols = 3
    rows = -(-len(kpis) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(12, 3.0 * rows), squeeze=False)
    names = [r.name for r in results.runs]
    by = summary.set_index(["scenario", "kpi"])
    for ax, kpi in zip(axes.flat, kpis, strict=False):
        scale, unit = _scaled(kpi, str((scenario.get("staffing") or {}).get("currency") or "£"))
        for rest, members in lines.items():
            stats = by.reindex([(names[i], kpi) for i in members])
            mean = stats["mean"].to_numpy(dtype=float) * scale
            low = mean - stats["ci_low"].to_numpy(dtype=float) * scale
            high = stats["ci_high"].to_numpy(dtype=float) * scale - mean
            ax.errorbar(
                [x[i] for i in members],
                mean,
                yerr=[low, high],
                fmt="o-",
                capsize=4,
                label=rest or None,
            )
        ax.set_title(kpi, fontsize=9)
        ax.set_ylabel(unit, fontsize=8)
        ax.set_xlabel(key_words(keys[0], scenario), fontsize=8)
        if not numeric:
            ax.set_xticks(range(len(ticks)), [str(t) for t in ticks], fontsize=8)
        elif len(ticks) <= 15:  # the values swept, not matplotlib's round numbers between
            ax.set_xticks([float(t) for t in ticks], [f"{t:g}" for t in ticks], fontsize=8)
        ax.grid(alpha=0.3)
        if len(lines) > 1:
            legend(ax, fontsize=7)
    for ax in list(axes.flat)[len(kpis) :]:
        ax.axis("off")
    fig.tight_layout()
    return (
        f"The headline KPIs against {key_words(keys[0], scenario)}",
        "Each headline KPI (and the posts and cost a year, where the scenario has staffing) "
        f"at each value of {key_words(keys[0], scenario)}: the mean over replications with "
        "its 95% confidence interval; shares in percent.",
        save_figure(fig, path, dpi=100),
    )
