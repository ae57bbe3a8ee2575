"""``fit.json``: everything a fit found, as plain JSON.

Top-level keys: ``exports`` (each file with its size and SHA-256), ``mapping``, ``timezone``,
``period`` (the export's), ``fit_period`` (the days fitted), ``holdout`` (the held-out days,
or null), ``settings``, ``rows`` (rows read, used, and not used by reason with the first
examples), ``observed_kpis`` (the fitted period's, by the project's own definitions),
``channels`` (per channel: calls, first calls, arrivals, talk, wrap, patience, BT stage,
redials, notes: each fitted value with its uncertainty and every candidate's goodness of fit),
``handlers_answering`` (mean distinct handlers answering per quarter hour of the week: a lower
bound of staff on duty; null without a handler column), ``backtest`` (its kind, days,
replications, rota and error summary) and ``scenario`` (the file written).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..experiments.integrity import fingerprint
from .backtest import Backtest
from .export import Export
from .fit import Fit


def fit_document(
    fit: Fit,
    whole: Export,
    files: list[Path],
    mapping: Path,
    held_out: Export | None,
    backtest: Backtest,
    scenario: Path,
) -> dict[str, Any]:
    """The whole ``fit.json``."""
    rejections = whole.rejections
    return {
        "exports": [{"file": str(f), **fingerprint(f)} for f in files],
        "mapping": str(mapping),
        "timezone": whole.timezone,
        "period": _period(whole),
        "fit_period": {
            "first_day": fit.grid.first_day.isoformat(),
            "last_day": fit.grid.last_day.isoformat(),
            "days": fit.days,
            "calls": len(fit.export.calls),
        },
        "holdout": _period(held_out) if held_out is not None else None,
        "settings": asdict(fit.settings),
        "rows": {
            "read": rejections.rows_read,
            "used": len(whole.calls),
            "not_used": rejections.total,
            "not_used_by_reason": rejections.counts,
            "examples": rejections.examples,
            "unknown_channel_values": rejections.unknown_channels,
        },
        "observed_kpis": fit.observed,
        "channels": {name: _channel(c) for name, c in fit.channels.items()},
        "handlers_answering": (
            None
            if fit.handlers_answering is None
            else {
                "method": "distinct handlers answering a call in each quarter hour, averaged "
                "over the weeks observed (bank holidays left out): a lower bound of staff on "
                "duty",
                "per_quarter_hour": [
                    None if v != v else round(float(v), 3) for v in fit.handlers_answering
                ],
            }
        ),
        "backtest": {
            "kind": backtest.kind,
            "first_day": backtest.first_day,
            "days": backtest.days,
            "replications": backtest.replications,
            "rota": backtest.rota,
            "bank_holidays": backtest.holidays,
            "callbacks_in_simulation": backtest.callbacks,
            "summary": backtest.summary(),
        },
        "scenario": str(scenario),
    }


def _period(export: Export) -> dict[str, Any] | None:
    period = export.period
    if period is None:
        return None
    zone = export.timezone
    return {
        "first_offered": period.first.tz_convert(zone).isoformat(),
        "last_offered": period.last.tz_convert(zone).isoformat(),
        "days": period.days,
        "whole_weeks": period.weeks,
        "calls": len(export.calls),
    }


def _channel(fitted: Any) -> dict[str, Any]:
    def part(value: Any) -> Any:
        return None if value is None else value.to_json()

    return {
        "calls": fitted.calls,
        "first_calls": fitted.first_calls,
        "linked_by_caller": fitted.linked,
        "arrivals": fitted.arrivals.to_json(),
        "talk_s": part(fitted.talk),
        "wrap_s": part(fitted.wrap),
        "patience_s": part(fitted.patience),
        "bt_connect_s": part(fitted.bt_connect),
        "redials": part(fitted.redials),
        "notes": fitted.notes,
    }
