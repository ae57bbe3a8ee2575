"""The HTML page of a ``staff`` or ``roster`` folder, like a run's report: self-contained (its
figures embedded, its style inline), made from the folder's files alone.

* ``staff``: the targets, handler hours, paid hours, posts and cost for the Erlang curve (and
  the simulated one), the requirement by weekday, and the requirement and service figures.
* ``roster``: the rotas side by side (paid hours, posts, cost a year, people, the solver's
  status, intervals short of the requirement, and the simulated KPIs when simulated), the
  coverage figure, and each rota's tours.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..config.errors import ControlroomError
from ..config.vocabulary import WEEKDAYS
from ..experiments.run_folder import write_atomic
from ..reporting.cost_display import money
from ..reporting.display import format_value
from ..reporting.page_parts import esc as _esc
from ..reporting.page_parts import figure as _figure
from ..reporting.report import _STYLE

STAFF_FILE = "staff.json"
ROSTER_FILE = "patterns.csv"


class PlannerPageError(ControlroomError, ValueError):
    """A planner folder that cannot be made into a page; one line."""


def is_planner_folder(folder: Path) -> bool:
    return (folder / STAFF_FILE).is_file() or (folder / ROSTER_FILE).is_file()


def _table(header: list[str], rows: list[list[str]], numeric_from: int = 1) -> str:
    head = "".join(f"<th>{_esc(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = [
            f'<td class="num">{_esc(c)}</td>' if i >= numeric_from else f"<td>{_esc(c)}</td>"
            for i, c in enumerate(row)
        ]
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path)
    except Exception as exc:  # pandas raises many kinds
        raise PlannerPageError(f"{path}: cannot be read as CSV ({exc})") from None


def _page(title: str, parts: list[str]) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{_esc(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{_esc(title)}</h1>" + "".join(parts) + "</body></html>"
    )


def _staff_page(folder: Path) -> str:
    path = folder / STAFF_FILE
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PlannerPageError(f"{path}: cannot be read as JSON ({exc})") from None
    hours = doc.get("hours_per_week") or {}
    curves = ["erlang", *(["simulated"] if "simulated_hours" in hours else [])]
    targets = ", ".join(
        f"{k} ≥ {format_value(k, v)}" for k, v in (doc.get("targets") or {}).items()
    )
    parts = [
        f'<p class="meta">staff: {_esc(doc.get("group", ""))}; targets {_esc(targets)}; '
        f"controlroom-sim {_esc(doc.get('version', ''))}</p>"
    ]
    if doc.get("command"):
        parts.append(f'<p class="meta">Command: <code>{_esc(" ".join(doc["command"]))}</code></p>')
    rows = [
        ["handler hours a week (taking calls)"]
        + [f"{hours.get(f'{c}_hours', float('nan')):,.1f}" for c in curves],
        [f"paid hours a week ({doc.get('shrinkage', 0):.1%} shrinkage: breaks)"]
        + [f"{hours.get(f'{c}_paid_hours', float('nan')):,.1f}" for c in curves],
    ]
    if f"{curves[0]}_posts" in hours:
        rows.append(
            ["posts (FTE, [staffing] shrinkage)"] + [f"{hours[f'{c}_posts']:,.1f}" for c in curves]
        )
    if f"{curves[0]}_cost_year" in hours:
        rows.append(["cost a year"] + [money(hours[f"{c}_cost_year"]) for c in curves])
    parts.append("<h2>What the requirement takes</h2>")
    parts.append(_table(["", *(c.capitalize() if c == "erlang" else c for c in curves)], rows))
    requirement = folder / "requirement.csv"
    if requirement.is_file():
        table = _read_csv(requirement)
        table = table[table["measured"]] if "measured" in table else table
        by_day = []
        for day in WEEKDAYS:
            own = table[table["weekday"] == day]
            if own.empty:
                continue
            by_day.append(
                [
                    day.capitalize(),
                    f"{own['required'].sum() / 4:,.1f}",
                    f"{own['required'].max():.0f}",
                ]
            )
        parts.append("<h2>By weekday</h2>")
        parts.append(_table(["day", "handler hours", "peak handlers"], by_day))
    parts.append("<h2>Figures</h2>")
    for name, title, caption in (
        ("requirement.png", "Handlers required", "by 15-minute interval over the week"),
        ("service_level.png", "Service in the check", "each interval's KPI with its 95% CI"),
    ):
        if (folder / name).is_file():
            parts.append(_figure(title, caption, folder / name))
    return _page(f"controlroom-sim staff: {doc.get('scenario', folder.name)}", parts)


def _roster_page(folder: Path) -> str:
    table = _read_csv(folder / ROSTER_FILE)
    kpis = [c for c in table.columns if c.endswith("_ci_low")]
    kpis = [c[: -len("_ci_low")] for c in kpis]
    header = ["rota", "paid h/week"]
    header += [h for c, h in (("posts", "posts (FTE)"), ("cost_year", "cost/year")) if c in table]
    header += ["people", "solver", "intervals short", *kpis]
    rows = []
    for r in table.to_dict("records"):
        cells = [str(r["rota"]), f"{r['paid_hours']:,.0f}"]
        if "posts" in table:
            cells.append(f"{r['posts']:,.1f}")
        if "cost_year" in table:
            cells.append(money(r["cost_year"]))
        people = r.get("headcount")
        status = r.get("status")
        cells += ["-" if pd.isna(people) else f"{people:.0f}", "" if pd.isna(status) else status]
        cells.append(str(r.get("intervals_short", "")))
        cells += [format_value(k, r[k]) for k in kpis]
        rows.append(cells)
    parts = ["<h2>The rotas side by side</h2>", _table(header, rows)]
    parts.append("<h2>Figures</h2>")
    for name, title, caption in (
        ("coverage.png", "Requirement and coverage", "handlers on duty under each rota"),
        ("service_level.png", "Service by interval", "simulated, each rota against the target"),
    ):
        if (folder / name).is_file():
            parts.append(_figure(title, caption, folder / name))
    tours = folder / "tours.csv"
    if tours.is_file():
        parts.append("<h2>Tours</h2>")
        frame = _read_csv(tours)
        for pattern, own in frame.groupby("pattern", sort=False):
            rows = [
                [str(t.start), f"{t.hours:g}", str(t.days), f"{t.people:g}", f"{t.paid_hours:,.0f}"]
                for t in own.itertuples()
            ]
            parts.append(
                f"<details><summary>{_esc(pattern)}: {len(rows)} tours</summary>"
                + _table(["start", "hours", "days", "people", "paid h/week"], rows)
                + "</details>"
            )
    return _page(f"controlroom-sim roster: {folder.name}", parts)


def write_planner_page(folder: str | Path, out: str | Path | None = None) -> Path:
    """The page of a ``staff`` or ``roster`` folder (default ``<folder>/report.html``)."""
    root = Path(folder)
    if (root / STAFF_FILE).is_file():
        text = _staff_page(root)
    elif (root / ROSTER_FILE).is_file():
        text = _roster_page(root)
    else:
        raise PlannerPageError(f"{root}: not a folder written by staff or roster")
    target = Path(out) if out is not None else root / "report.html"
    write_atomic(target, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    return target
