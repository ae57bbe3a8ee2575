"""Print the baseline's provenance table as markdown: one row per entry of ``[provenance]``.

Usage (from the repository root):

    python docs/provenance_table.py [SCENARIO]

SCENARIO defaults to ``scenarios/baseline.toml``. Each row gives the key, its value in the
scenario file (looked up by the key's dotted path; list items by index), the source text of the
provenance entry, and a kind: seed, public figure or assumption, with a qualifier where the
entry mixes them (for example a rate from a seed and a time that is assumed). Only the standard
library is used, so the table can be regenerated anywhere.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path
from typing import Any

DEFAULT = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.toml"


def lookup(data: Any, key: str) -> Any:
    """The value at a dotted key path (``handlers.1.shifts``); list items by index."""
    value = data
    for part in key.split("."):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def number(x: Any) -> str:
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def distribution(d: dict) -> str | None:
    """``lognormal(mean 5, sd 3)``, ``fixed 60``; None if ``d`` is not a distribution."""
    if "dist" not in d:
        return None
    name = d["dist"]
    if name == "fixed":
        return f"fixed {number(d['value'])}"
    args = ", ".join(f"{k} {number(v)}" for k, v in d.items() if k != "dist")
    return f"{name}({args})"


def shifts(lines: list[dict]) -> str:
    """``07:00 x9, 11:00 x5 (10 h, 45-min break)``."""
    parts = []
    for s in lines:
        text = f"{s['start']} ×{s['count']}"
        if s.get("days", "daily") != "daily":
            text += f" {s['days']}"
        parts.append(text)
    hours = {number(s["hours"]) for s in lines}
    breaks = {b["minutes"] for s in lines for b in s.get("breaks", [])}
    tail = f"{'/'.join(sorted(hours))} h"
    if breaks:
        tail += ", " + "/".join(f"{m}-min" for m in sorted(breaks)) + " break"
    return ", ".join(parts) + f" ({tail})"


def render(value: Any) -> str:
    """A short, readable form of a scenario value for a table cell."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return number(value)
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        dist = distribution(value)
        if dist is not None:
            return dist
        return "; ".join(f"{k}: {render(v)}" for k, v in value.items())
    if isinstance(value, list):
        if value and all(isinstance(v, dict) and "start" in v and "hours" in v for v in value):
            return shifts(value)
        if value and all(isinstance(v, dict) and "name" in v for v in value):
            # groups (officers, dispatchers) or call types: name and the gist of each
            items = []
            for v in value:
                if "shifts" in v:
                    items.append(f"{v['name']}: {shifts(v['shifts'])}")
                elif "share" in v:
                    share = ", ".join(f"{ch} {number(s)}" for ch, s in v["share"].items())
                    items.append(f"{v['name']} ({share})")
                else:
                    items.append(v["name"])
            return "; ".join(items)
        return ", ".join(render(v) for v in value)
    return str(value)


def kind(source: str) -> str:
    """Seed, public figure or assumption, with a qualifier when the entry mixes them.

    The entry's text decides: it starts with "seed", "public figure" or "ASSUMPTION". An
    assumption that cites a seed line, an FOI figure or the product brief for the behaviour or
    the range it sits in is marked "(mechanism or range cited)"; one tuned to the national
    figures ("set by hand so ...", "counts calibrated so ...") is marked "calibrated".
    """
    text = source.strip()
    lower = text.lower()
    if lower.startswith("seed") or lower.startswith("skip_probability: seed"):
        base = "seed"
    elif lower.startswith("public figure"):
        base = "public figure"
    elif lower.startswith("assumption"):
        base = "assumption"
    elif lower.startswith("calibrated"):
        return "calibrated to a seed or public figure"
    else:
        base = "other"
    if base != "assumption":
        return f"{base} + assumption" if "ASSUMPTION" in text else base
    if any(m in lower for m in ("set by hand so", "calibrated so", "to be calibrated")):
        return "assumption, calibrated to seed and public figures"
    if re.search(r"seed 00\d", text) or "FOI" in text or "product brief" in lower:
        return "assumption (mechanism or range cited)"
    return "assumption"


def leaves(data: Any, prefix: str = "") -> list[str]:
    """Dotted paths of every leaf value (tables and lists of tables are walked)."""
    if isinstance(data, dict) and "dist" not in data:
        items = data.items()
    elif isinstance(data, list) and data and all(isinstance(v, dict) for v in data):
        items = ((str(i), v) for i, v in enumerate(data))
    else:
        return [prefix]
    out = []
    for k, v in items:
        out.extend(leaves(v, f"{prefix}.{k}" if prefix else k))
    return out


def uncovered(data: dict, provenance: dict) -> list[str]:
    """Model parameters with no provenance entry for them or for a table that holds them.

    The run settings in ``[scenario]`` and the names of groups and call types are not model
    parameters and are left out."""
    out = []
    for path in leaves(
        {k: v for k, v in data.items() if k not in ("scenario", "provenance", "extends")}
    ):
        if path.split(".")[-1] == "name":
            continue
        parts = path.split(".")
        if not any(".".join(parts[:n]) in provenance for n in range(1, len(parts) + 1)):
            out.append(path)
    return out


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT
    with path.open("rb") as f:
        data = tomllib.load(f)
    provenance = data.get("provenance", {})
    print("| # | key | value in the scenario | source | kind |")
    print("|---|---|---|---|---|")
    counts: dict[str, int] = {}
    for i, (key, source) in enumerate(provenance.items(), start=1):
        try:
            value = render(lookup(data, key))
        except (KeyError, IndexError, ValueError):
            value = "(not in the file)"
        k = kind(source)
        counts[k] = counts.get(k, 0) + 1
        print(f"| {i} | `{key}` | {cell(value)} | {cell(source)} | {k} |")
    print()
    print(
        f"{len(provenance)} entries: "
        + ", ".join(f"{n} {k}" for k, n in sorted(counts.items(), key=lambda kv: -kv[1]))
        + "."
    )
    missing = uncovered(data, provenance)
    print()
    print(
        "Model parameters without an entry: "
        + (", ".join(f"`{m}`" for m in missing) if missing else "none")
        + " (run settings in `[scenario]` are experiment settings, not parameters)."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
