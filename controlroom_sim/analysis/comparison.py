"""Comparing scenarios run with common random numbers, and the grids of a parameter sweep.

Scenarios compared or swept share their seed and replication indices, so replication ``r`` of
every scenario sees the same callers (arrival times and per-call attributes are drawn from the
same named streams). The difference ``variant - baseline`` is then taken *per replication*
and its t interval is usually much narrower than the interval of the difference of two
independent means (Welch), which is also reported so the gain can be seen.
"""

from __future__ import annotations

import itertools
import json
import math
import numbers
import tomllib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import special  # stdtrit is Student's t quantile; scipy.stats is slow to import

from ..config.errors import ControlroomError, Param, named
from .confidence import confidence_interval

DIFFERENCE_COLUMNS = [
    "scenario",
    "baseline",
    "kpi",
    "baseline_mean",
    "mean",
    "diff",
    "diff_sd",
    "ci_low",
    "ci_high",
    "n",
    "unpaired_ci_low",
    "unpaired_ci_high",
]


class SweepError(ControlroomError, ValueError):
    """A ``vary`` value (``--vary``) is malformed; the message is one line naming the
    parameter."""


def welch_interval(a: np.ndarray, b: np.ndarray, confidence: float = 0.95) -> tuple[float, float]:
    """Interval of ``mean(b) - mean(a)`` for independent samples (Welch-Satterthwaite)."""
    if len(a) < 2 or len(b) < 2:
        return math.nan, math.nan
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    diff = float(b.mean() - a.mean())
    se = math.sqrt(va + vb)
    if se == 0:
        return diff, diff
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = float(special.stdtrit(df, 0.5 + confidence / 2)) * se
    return diff - half, diff + half


def paired_differences(kpis: pd.DataFrame, baseline: str, confidence: float = 0.95) -> pd.DataFrame:
    """``variant - baseline`` per KPI for every other scenario in ``kpis``.

    ``kpis`` is the long table ``scenario, replication, kpi, value``. Pairs are matched on
    the replication index; a replication where either value is undefined (NaN) is left out
    of the pair and ``n`` counts the pairs used.
    """
    wide = kpis.pivot_table(
        index=["kpi", "replication"],
        columns="scenario",
        values="value",
        dropna=False,
        sort=False,
    )
    rows = []
    scenarios = list(dict.fromkeys(kpis["scenario"]))
    kpi_names = list(dict.fromkeys(kpis["kpi"]))
    for variant in scenarios:
        if variant == baseline:
            continue
        for kpi in kpi_names:
            if kpi not in wide.index.get_level_values(0):
                continue
            block = wide.loc[kpi]
            base = block[baseline].to_numpy(dtype=float) if baseline in block else None
            other = block[variant].to_numpy(dtype=float) if variant in block else None
            if base is None or other is None:
                continue
            both = ~np.isnan(base) & ~np.isnan(other)
            diff = confidence_interval(other[both] - base[both], confidence)
            low, high = welch_interval(base[~np.isnan(base)], other[~np.isnan(other)], confidence)
            rows.append(
                {
                    "scenario": variant,
                    "baseline": baseline,
                    "kpi": kpi,
                    "baseline_mean": float(np.nanmean(base))
                    if (~np.isnan(base)).any()
                    else math.nan,
                    "mean": float(np.nanmean(other)) if (~np.isnan(other)).any() else math.nan,
                    "diff": diff["mean"],
                    "diff_sd": diff["sd"],
                    "ci_low": diff["ci_low"],
                    "ci_high": diff["ci_high"],
                    "n": diff["n"],
                    "unpaired_ci_low": low,
                    "unpaired_ci_high": high,
                }
            )
    return pd.DataFrame(rows, columns=DIFFERENCE_COLUMNS)


# -- sweeps -------------------------------------------------------------------------------------


def split_values(text: str) -> list[str]:
    """Split ``V1,V2,...`` on the commas that are not inside brackets, braces or quotes."""
    parts, depth, quote, current = [], 0, "", []
    escaped = False
    for ch in text:
        if quote:
            current.append(ch)
            if escaped:
                escaped = False
            elif ch == "\\" and quote == '"':
                escaped = True  # TOML basic strings escape with a backslash
            elif ch == quote:
                quote = ""
            continue
        if ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    parts.append("".join(current).strip())
    return parts


def parse_vary(text: str) -> tuple[str, list[str]]:
    """``KEY=V1,V2,...`` into the key and the values' texts (each read like ``--set``)."""
    where = Param("vary", text)
    key, sep, values = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise named(SweepError, where, ": expected KEY=V1,V2,... such as handlers.0.count=8,10,12")
    items = split_values(values)
    if any(not item for item in items):
        raise named(SweepError, where, ": expected comma-separated values, found an empty one")
    if len(set(items)) != len(items):
        raise named(SweepError, where, ": a value is repeated")
    return key, items


def toml_literal(value: Any) -> str:
    """A Python value as TOML text, for sweeps given in Python (``sweep(vary={...})``)."""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        number = float(value)
        if not math.isfinite(number):
            return "inf" if number > 0 else ("-inf" if number < 0 else "nan")
        return repr(number)
    if isinstance(value, str):
        # a TOML basic string: JSON's escapes are TOML's, but characters beyond U+FFFF are
        # written as themselves (JSON would write surrogate pairs), and DEL is escaped
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007F")
    if isinstance(value, Mapping):
        inner = ", ".join(f"{json.dumps(str(k))} = {toml_literal(v)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, Sequence | np.ndarray):
        return "[" + ", ".join(toml_literal(v) for v in value) + "]"
    raise SweepError(f"cannot write {value!r} as a scenario value")


def _display(text: str) -> Any:
    """The value a ``--vary`` text stands for, for the sweep table's columns."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except ValueError:  # not a TOML value (TOMLDecodeError), or an integer too long to read
        return text


def sweep_grid(vary: Sequence[tuple[str, Sequence[str]]]) -> list[dict[str, str]]:
    """Every combination of the varied keys' values, the last key varying fastest."""
    keys = [k for k, _ in vary]
    if len(set(keys)) != len(keys):
        raise named(SweepError, Param("vary"), ": a key is varied twice")
    grid = itertools.product(*(values for _, values in vary))
    return [dict(zip(keys, combo, strict=True)) for combo in grid]


def variant_label(point: Mapping[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in point.items())


def sweep_table(
    summary: pd.DataFrame, points: Sequence[Mapping[str, str]], labels: Sequence[str]
) -> pd.DataFrame:
    """The tidy sweep table: ``scenario``, one column per varied key, then the summary columns."""
    keys = list(points[0]) if points else []
    columns = {label: point for label, point in zip(labels, points, strict=True)}
    out = summary.copy()
    for position, key in enumerate(keys, start=1):
        values = [_display(columns[label][key]) for label in out["scenario"]]
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            series = pd.Series(values, index=out.index)
        else:
            series = pd.Series([str(v) for v in values], index=out.index, dtype=object)
        out.insert(position, key, series)
    return out
