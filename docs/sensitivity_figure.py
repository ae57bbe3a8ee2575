"""Tornado table and figure from one-at-a-time sensitivity sweeps of the baseline.

Usage (from the repository root), after running the sweeps in docs/validation.md section 6:

    python docs/sensitivity_figure.py SWEEP_DIR [SWEEP_DIR ...] [--png docs/images/sensitivity.png]

Each SWEEP_DIR is the ``--out`` folder of a ``controlroom-sim sweep`` that varied one key over
three values, one of them the baseline's own value (read from scenarios/baseline.toml). The
script reads each folder's ``kpis.csv`` (one value per replication, variant and KPI). Because a
sweep runs its variants with common random numbers, replication r of every variant sees the
same callers, so the change against the baseline is taken per replication and its 95%
interval is a paired Student t interval over the replications.

It prints a markdown table (the low and high value of each assumption and the change in each
headline KPI, with the paired interval; ``*`` marks an interval that excludes zero), then the
assumptions ranked by the swing (high minus low) of each KPI, and writes a tornado figure.
"""

from __future__ import annotations

import argparse
import math
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.toml"

# KPI, label, scale (shares in percentage points), unit
KPIS = [
    ("answered_within_10s_999", "999 answered < 10 s", 100.0, "pp"),
    ("answered_60s_plus_999", "999 answered at 60 s or more", 100.0, "pp"),
    ("abandon_rate_101", "101 abandonment", 100.0, "pp"),
]

LABELS = {
    "channels.999.talk_s.mean": "999 talk time mean (s)",
    "channels.101.talk_s.mean": "101 talk time mean (s)",
    "channels.999.patience_s.mean": "999 patience mean (s)",
    "channels.101.patience_s.mean": "101 patience mean (s)",
    "channels.999.bt_connect_s.mean": "BT connection mean (s)",
}


def lookup(data: object, key: str) -> object:
    for part in key.split("."):
        data = data[int(part)] if isinstance(data, list) else data[part]  # type: ignore[index]
    return data


def paired(diff: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean of the paired differences and its Student t interval."""
    n = len(diff)
    mean = float(diff.mean())
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * float(diff.std(ddof=1)) / math.sqrt(n)
    return mean, mean - half, mean + half


def read_sweep(folder: Path, baseline: dict) -> dict:
    """Key, baseline/low/high values, and the paired changes of each KPI."""
    kpis = pd.read_csv(folder / "kpis.csv")
    split = kpis["scenario"].str.rsplit("=", n=1, expand=True)
    kpis["key"], kpis["value_of_key"] = split[0], split[1].astype(float)
    keys = kpis["key"].unique()
    if len(keys) != 1:
        raise SystemExit(f"{folder}: expected a sweep of one key, found {list(keys)}")
    key = str(keys[0])
    base_value = float(lookup(baseline, key))  # type: ignore[arg-type]
    values = sorted(kpis["value_of_key"].unique())
    if base_value not in values:
        raise SystemExit(f"{folder}: the baseline's value {base_value:g} of {key} was not run")
    low, high = values[0], values[-1]
    out = {"key": key, "base": base_value, "low": low, "high": high, "changes": {}}
    for kpi, _, scale, _ in KPIS:
        table = kpis[kpis["kpi"] == kpi].pivot_table(
            index="replication", columns="value_of_key", values="value", aggfunc="first"
        )
        base = table[base_value].to_numpy()
        out["changes"][kpi] = {
            "base_mean": float(base.mean()) * scale,
            "low": paired((table[low].to_numpy() - base) * scale),
            "high": paired((table[high].to_numpy() - base) * scale),
            "n": len(base),
        }
    return out


def fmt(change: tuple[float, float, float]) -> str:
    mean, lo, hi = change
    star = "*" if lo > 0 or hi < 0 else ""
    digits = 2 if max(abs(lo), abs(hi)) < 0.5 or min(abs(lo), abs(hi)) < 0.05 else 1
    return f"{mean:+.{digits}f}{star} ({lo:+.{digits}f} to {hi:+.{digits}f})"


def number(x: float) -> str:
    return f"{x:g}"


def markdown(rows: list[dict]) -> str:
    """A row per assumption and end (low, high), ordered by the swing of the first KPI."""
    header = ["assumption", "value (baseline)"]
    header += [f"{label} ({unit})" for _, label, _, unit in KPIS]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in sorted(rows, key=lambda r: -swing(r, KPIS[0][0])):
        for end in ("low", "high"):
            cells = [LABELS.get(r["key"], r["key"]), f"{number(r[end])} ({number(r['base'])})"]
            cells += [fmt(r["changes"][kpi][end]) for kpi, *_ in KPIS]
            lines.append("| " + " | ".join(cells) + " |")
    base = "; ".join(
        f"{label} {rows[0]['changes'][kpi]['base_mean']:.1f}%" for kpi, label, _, _ in KPIS
    )
    lines.append("")
    lines.append(f"Baseline means: {base}.")
    return "\n".join(lines)


def swing(r: dict, kpi: str) -> float:
    c = r["changes"][kpi]
    return abs(c["high"][0] - c["low"][0])


def ranking(rows: list[dict]) -> str:
    lines = []
    for kpi, label, _, unit in KPIS:
        ranked = sorted(rows, key=lambda r: -swing(r, kpi))
        parts = [f"{LABELS.get(r['key'], r['key'])} {swing(r, kpi):.1f} {unit}" for r in ranked]
        lines.append(f"- {label} (swing high minus low): " + "; ".join(parts))
    return "\n".join(lines)


def figure(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(KPIS), figsize=(4.2 * len(KPIS), 3.4), sharey=False)
    for ax, (kpi, label, _, unit) in zip(axes, KPIS, strict=True):
        ranked = sorted(rows, key=lambda r: swing(r, kpi))  # largest at the top
        names = [LABELS.get(r["key"], r["key"]) for r in ranked]
        y = np.arange(len(ranked))
        for i, r in enumerate(ranked):
            c = r["changes"][kpi]
            for end, colour in (("low", "tab:blue"), ("high", "tab:orange")):
                mean, lo, hi = c[end]
                ax.barh(i, mean, color=colour, alpha=0.8, height=0.6)
                ax.errorbar(mean, i, xerr=[[mean - lo], [hi - mean]], color="black", capsize=2)
                ax.annotate(
                    number(r[end]),
                    (hi if mean >= 0 else lo, i),
                    xytext=(4 if mean >= 0 else -4, 0),
                    textcoords="offset points",
                    ha="left" if mean >= 0 else "right",
                    va="center",
                    fontsize=7,
                )
        base = ranked[0]["changes"][kpi]["base_mean"]
        ax.axvline(0, color="grey", linewidth=0.8)
        ax.margins(x=0.12)
        ax.set_yticks(y, names, fontsize=8)
        ax.set_title(f"{label}\n(baseline {base:.1f}%)", fontsize=9)
        ax.set_xlabel(f"change from the baseline ({unit})", fontsize=8)
        ax.tick_params(axis="x", labelsize=8)
    handles = [
        plt.Rectangle((0, 0), 1, 1, color="tab:blue", alpha=0.8),
        plt.Rectangle((0, 0), 1, 1, color="tab:orange", alpha=0.8),
    ]
    fig.legend(handles, ["low value", "high value"], loc="lower center", ncol=2, fontsize=8)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=130)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sweeps", nargs="+", type=Path)
    parser.add_argument("--png", type=Path, default=None, help="write the tornado figure here")
    args = parser.parse_args()
    with BASELINE.open("rb") as f:
        baseline = tomllib.load(f)
    rows = [read_sweep(folder, baseline) for folder in args.sweeps]
    n = {c["n"] for r in rows for c in r["changes"].values()}
    print(markdown(rows))
    print()
    print(
        f"Change = variant minus baseline, paired over {'/'.join(map(str, sorted(n)))} "
        "replications (common random numbers); 95% t interval in brackets; "
        "* the interval excludes zero."
    )
    print()
    print(ranking(rows))
    if args.png is not None:
        figure(rows, args.png)
        print(f"\nfigure: {args.png}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
