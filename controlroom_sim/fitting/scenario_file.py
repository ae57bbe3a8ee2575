"""The fitted scenario as a file: ``scenario.toml`` that ``extends`` the base and overrides what
was fitted, with a weekly profile CSV per channel beside it and a provenance entry for every
fitted value (the export, the period, the number of calls and the method).

What else the fitted scenario changes in the base, and why (each has a provenance entry too):

* The export's talk time is the whole conversation, the THRIVE checks done in it included, so
  the base's THRIVE check times (added to a call as they are done) are set to zero; their skip
  rates stay.
* The export's demand holds every repeat call a caller made, so the base's failure-demand loop
  (repeat 101 calls the model makes itself) is switched off and those calls are in
  ``calls_per_day``.
* Without caller links, redials and 101 callers ringing 999 cannot be told from first calls:
  they stay in ``calls_per_day`` and the model's own are switched off.
* ``--rota``: a rota file is copied beside the scenario and named in ``[rota]``; a scenario's
  handler groups are written in.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
from pathlib import Path
from typing import Any

import tomli_w

from ..config.files import BUILTIN_BASELINE
from ..config.schema import Scenario
from .fit import Fit

PROFILE_FILE = "profile_{channel}.csv"


def period_words(fit: Fit) -> str:
    """The export and period a fit comes from, for provenance."""
    files = sorted({Path(f).name for f in fit.export.calls["file"].unique()})
    return (
        f"fit to data: {', '.join(files)}, {fit.grid.first_day.isoformat()} to "
        f"{fit.grid.last_day.isoformat()} ({fit.days} days, {len(fit.export.calls):,} calls)"
    )


def scenario_document(
    fit: Fit,
    base: Scenario,
    base_name: str,
    rota: dict[str, Any] | None = None,
    name: str = "fitted",
) -> tuple[dict[str, Any], dict[str, str]]:
    """The scenario file's table and, beside it, the profile CSVs' text by file name.

    ``base_name`` is what ``extends`` names (a path relative to the scenario, or
    ``baseline``); ``rota`` the table a rota gives (``{"rota": {...}}`` or ``{"handlers":
    [...]}``) with its provenance words under ``"provenance"``."""
    where = period_words(fit)
    provenance: dict[str, str] = {}
    channels: dict[str, dict[str, Any]] = {}
    profiles: dict[str, str] = {}
    for channel, fitted in fit.channels.items():
        if channel not in base.channels:
            continue
        table: dict[str, Any] = {}
        arrivals = fitted.arrivals
        first = "first calls" if fitted.linked else "calls, redials included"
        table["calls_per_day"] = round(arrivals.calls_per_day, 3)
        provenance[f"channels.{channel}.calls_per_day"] = (
            f"{where}: {first}, {arrivals.method(fit.days)}; standard error "
            f"{arrivals.calls_per_day_se:.3g}"
        )
        profile = PROFILE_FILE.format(channel=channel)
        table["profile"] = profile
        profiles[profile] = _profile_csv(arrivals.profile_rows())
        provenance[f"channels.{channel}.profile"] = f"{where}: {arrivals.method(fit.days)}"
        for key, (distribution, method) in fitted.distributions().items():
            table[key] = distribution.model_dump()
            provenance[f"channels.{channel}.{key}"] = f"{where}: {method}"
        redials = fitted.redials
        if fitted.linked and redials is not None and redials.probability is not None:
            table["redial_probability"] = round(redials.probability, 4)
            provenance[f"channels.{channel}.redial_probability"] = (
                f"{where}: {redials.redialled:,} of {redials.abandoned:,} abandoned calls "
                f"followed by the same caller's call on {channel} within "
                f"{redials.window_s:g} s (callers linked by the calling number)"
            )
            if redials.max_redials:
                table["max_redials"] = redials.max_redials
                provenance[f"channels.{channel}.max_redials"] = (
                    f"{where}: the most redials one caller made in a row after abandoning"
                )
            if redials.delay is not None and redials.delay.distribution is not None:
                table["redial_delay_s"] = redials.delay.distribution.model_dump()
                provenance[f"channels.{channel}.redial_delay_s"] = (
                    f"{where}: {redials.delay.method}"
                )
            to_999 = redials.to_999_probability
            if channel == "101" and to_999 is not None and "999" in base.channels:
                table["abandon_to_999_probability"] = round(to_999, 4)
                provenance[f"channels.{channel}.abandon_to_999_probability"] = (
                    f"{where}: {redials.to_999:,} of {redials.abandoned:,} abandoned 101 calls "
                    f"followed by the same caller's 999 call within {redials.window_s:g} s"
                )
        elif not fitted.linked:
            table["redial_probability"] = 0.0
            provenance[f"channels.{channel}.redial_probability"] = (
                f"{where}: no caller links in the export, so redials are in calls_per_day "
                "and the model's own are off"
            )
            if channel == "101":
                table["abandon_to_999_probability"] = 0.0
                provenance[f"channels.{channel}.abandon_to_999_probability"] = (
                    f"{where}: no caller links in the export, so 101 callers ringing 999 are "
                    "in 999's calls_per_day and the model's own are off"
                )
        channels[channel] = table
    document: dict[str, Any] = {
        "extends": base_name,
        "scenario": {
            "name": name,
            "description": f"{base.scenario.description or base.scenario.name}, with demand "
            f"and caller behaviour fitted to {where.removeprefix('fit to data: ')}",
        },
        "channels": channels,
    }
    document.update(_base_changes(base, where, provenance))
    if rota is not None:
        rota = dict(rota)
        provenance.update(rota.pop("provenance", {}))
        document.update(rota)
    document["provenance"] = provenance
    return document, profiles


def _base_changes(base: Scenario, where: str, provenance: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if base.thrive is not None:
        checks = {}
        for name in ("repeat_check", "vulnerability_check", "risk_assessment", "advice"):
            if getattr(base.thrive, name) is not None:
                checks[name] = {"time_s": {"dist": "fixed", "value": 0.0}}
                provenance[f"thrive.{name}.time_s"] = (
                    f"{where}: the export's talk time is the whole call, THRIVE checks included, "
                    "so they add no time of their own (skip rates kept from the base)"
                )
        out["thrive"] = checks
    dispatch = base.dispatch
    if dispatch is not None and dispatch.failure_demand is not None:
        out["dispatch"] = {
            "failure_demand": {"waiting_probability": 0.0, "resolved_probability": 0.0}
        }
        provenance["dispatch.failure_demand"] = (
            f"{where}: the export's demand holds every repeat call, so the model's own "
            "failure-demand loop is off (repeat calls are in calls_per_day)"
        )
    return out


def write_scenario(
    folder: Path,
    document: dict[str, Any],
    profiles: dict[str, str],
    header: list[str],
    copy: dict[str, Path] | None = None,
) -> Path:
    """Write ``scenario.toml``, its profile CSVs and any files it names (``copy``: name ->
    source) into ``folder``; returns the scenario's path."""
    from ..experiments.files import write_atomic

    for name, text in profiles.items():
        write_atomic(folder / name, lambda p, t=text: p.write_text(t, encoding="utf-8"))
    for name, source in (copy or {}).items():
        write_atomic(folder / name, lambda p, s=source: shutil.copyfile(s, p))
    text = "\n".join(f"# {line}" for line in header) + "\n\n" + tomli_w.dumps(document)
    path = folder / "scenario.toml"
    write_atomic(path, lambda p: p.write_text(text, encoding="utf-8"))
    return path


def extends_name(base: Path | None, folder: Path) -> str:
    """What the fitted scenario's ``extends`` names: the base relative to ``folder`` (absolute
    when on another drive), or the built-in baseline."""
    if base is None:
        return BUILTIN_BASELINE
    try:
        return Path(os.path.relpath(base.resolve(), folder.resolve())).as_posix()
    except ValueError:
        return base.resolve().as_posix()


def _profile_csv(rows: list[tuple[str, str, float]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["weekday", "start", "weight"])
    for weekday, start, weight in rows:
        writer.writerow([weekday, start, f"{weight:.6g}"])
    return out.getvalue()
