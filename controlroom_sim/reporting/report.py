"""A self-contained HTML report of a results folder (a run, a comparison or a sweep).

The report opens offline: its figures are PNGs embedded in the page (and saved beside it), its
style is inline, and it links to nothing. It reads only what ``run``, ``compare`` and ``sweep``
write (``manifest.json``, ``summary.json`` / ``summary.csv``, ``kpis.csv``, ``intervals.csv`` and,
when kept, ``calls.parquet`` and ``incidents.parquet``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..analysis.confidence import few_replications_warning
from ..analysis.kpis import KPI_DESCRIPTIONS
from ..config.version import __version__
from ..experiments.run_folder import write_atomic
from . import compare_figures, sweep_page
from . import report_figures as figures
from .compare_page import lead_section
from .display import HEADLINE, format_value, interval_text
from .page_parts import esc, figure, scroll_box
from .report_data import ReportError as ReportError  # re-exported: the report's error
from .report_data import Results, RunData, load_results

# -- the page -------------------------------------------------------------------------------------

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem auto;
       max-width: 1100px; color: #1b1b1b; line-height: 1.45; padding: 0 1rem; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; }
h2 { margin-top: 2.2rem; border-bottom: 1px solid #ccc; }
.meta { color: #555; } table { border-collapse: collapse; margin: .8rem 0; font-size: .92rem; }
th, td { border-bottom: 1px solid #ddd; padding: .3rem .6rem; text-align: left;
         vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 1.2rem 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #444; font-size: .92rem; } .assumption { color: #8a4b00; }
details summary { cursor: pointer; }
.progress, .warning { background: #fff4d6; border-left: 4px solid #b07800; padding: .6rem .8rem; }
.scroll { max-width: 100%; max-height: 80vh; overflow: auto; margin: .8rem 0; }
.scroll table { margin: 0; }
.scroll thead th { position: sticky; top: 0; background: #fff; z-index: 2;
         box-shadow: inset 0 -1px #999; }
.scroll tr > :first-child { position: sticky; left: 0; background: #fff; z-index: 1; }
.scroll thead tr > :first-child { z-index: 3; }
.side { display: flex; flex-wrap: wrap; gap: 0 1.5rem; align-items: flex-start; }
.side figure { flex: 1 1 560px; min-width: 0; }
.costs { flex: 1 1 340px; min-width: 0; overflow-x: auto; }
.costs table { font-size: .88rem; } .costs th { font-weight: normal; }
.costs thead th { font-weight: bold; } .ci { color: #555; font-size: .85em; }
.short { font-size: 1.05rem; }
.sweep tbody th { font-weight: normal; min-width: 12em; max-width: 18em; }
.meaning { color: #555; font-size: .8rem; } .sweep td.num { vertical-align: top; }
section.variant { margin-bottom: 1.5rem; }
"""


def _kpi_rows(summary: pd.DataFrame, scenarios: list[str], kpis: list[str]) -> str:
    head = (
        "<tr><th>KPI</th>"
        + "".join(f"<th>{esc(s)}</th><th>95% CI</th>" for s in scenarios)
        + "<th>meaning</th></tr>"
    )
    rows = [f"<thead>{head}</thead><tbody>"]
    by = summary.set_index(["scenario", "kpi"])
    for kpi in kpis:
        cells = [f"<td>{esc(kpi)}</td>"]
        for name in scenarios:
            if (name, kpi) in by.index:
                row = by.loc[(name, kpi)]
                cells.append(f'<td class="num">{esc(format_value(kpi, row["mean"]))}</td>')
                interval = interval_text(kpi, row["ci_low"], row["ci_high"])
                cells.append(f'<td class="num">{esc(interval)}</td>')
            else:
                cells.append("<td></td><td></td>")
        # Without the channel suffix, or the channel and force (or month) suffixes.
        meaning = next(
            (
                KPI_DESCRIPTIONS[k]
                for k in (kpi, *(kpi.rsplit("_", n)[0] for n in (1, 2, 3)))
                if k in KPI_DESCRIPTIONS
            ),
            "",
        )
        cells.append(f"<td>{esc(meaning)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return scroll_box("<table>" + "".join(rows) + "</tbody></table>", "KPIs")


def _provenance(run: RunData) -> str:
    provenance = run.scenario.get("provenance") or {}
    if not provenance:
        return "<p>The scenario gives no provenance.</p>"
    rows = []
    for key, source in provenance.items():
        cls = ' class="assumption"' if "ASSUMPTION" in source else ""
        rows.append(f"<tr><td><code>{esc(key)}</code></td><td{cls}>{esc(source)}</td></tr>")
    assumptions = sum("ASSUMPTION" in s for s in provenance.values())
    return (
        f"<details><summary>{len(provenance)} parameters with a source, {assumptions} of them "
        "assumptions (in brown)</summary><table><tr><th>key</th><th>source</th></tr>"
        + "".join(rows)
        + "</table></details>"
    )


_KINDS = {"compare": "comparison", "sweep": "sweep"}


def render(results: Results) -> str:
    """The report page (every figure must already be drawn into ``results.figures``)."""
    names = [r.name for r in results.runs]
    first = results.runs[0]
    manifest = results.manifest
    title = (
        f"controlroom-sim report: {first.name}"
        if results.kind == "run"
        else f"controlroom-sim report: {_KINDS.get(results.kind, results.kind)} of "
        f"{len(names)} scenarios"
    )
    description = first.scenario.get("scenario", {}).get("description", "")
    meta = (
        f"{results.kind}; {first.replications} replications each, seed {first.seed}; "
        f"{manifest.get('calls_simulated', 0):,} calls simulated; controlroom-sim "
        f"{manifest.get('version', __version__)}"
        + (f"; made {manifest['created']}" if manifest.get("created") else "")
    )
    parts = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(title)}</title><style>{_STYLE}</style></head><body>",
        f'<h1>{esc(title)}</h1><p class="meta">{esc(meta)}</p>',
    ]
    if results.progress:
        parts.append(f'<p class="progress" role="status">{esc(results.progress)}</p>')
    if description:
        parts.append(f"<p>{esc(description)}</p>")
    if manifest.get("command"):
        parts.append(
            f'<p class="meta">Command: <code>{esc(" ".join(manifest["command"]))}</code></p>'
        )
    parts.append(lead_section(results))
    present = set(results.summary["kpi"])
    headline = [k for k in HEADLINE if k in present]
    rest = sorted(present - set(headline))
    parts.append(
        "<h2>Key figures</h2><p>Means over replications with 95% confidence intervals.</p>"
    )
    few = few_replications_warning(first.replications)
    if few is not None:
        parts.append(f'<p class="warning" role="note">{esc(few[0].upper() + few[1:])}.</p>')
    table = sweep_page.kpi_table if results.kind == "sweep" else _kpi_rows
    parts.append(table(results.summary, names, headline))
    parts.append("<h2>Figures</h2>")
    for fig_title, caption, png in results.figures:
        parts.append(figure(fig_title, caption, png))
    if rest:
        parts.append(
            f"<h2>Every KPI</h2><details><summary>{len(rest)} more KPIs</summary>"
            + table(results.summary, names, rest)
            + "</details>"
        )
    parts.append("<h2>Scenario and provenance</h2>")
    for run in results.runs:
        if len(results.runs) > 1:
            parts.append(f"<h3>{esc(run.name)}</h3>")
        parts.append(_provenance(run))
    parts.append("</body></html>")
    return "".join(parts)


def write_report(folder: str | Path, out: str | Path | None = None) -> Path:
    """Draw the figures (PNG, in ``<folder>/report/``) and write the HTML report."""
    results = load_results(folder)
    target = Path(out) if out is not None else results.folder / "report.html"
    images = target.parent / "report"
    images.mkdir(parents=True, exist_ok=True)
    sweep_page.name_in_words(results)
    results.lead = compare_figures.draw_lead(results, images)
    results.figures = figures.draw_all(results, images)
    text = render(results)
    write_atomic(target, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    return target
