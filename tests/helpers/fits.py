"""Running ``controlroom-sim fit`` in-process for the tests, and reading what it wrote."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers.cli import run_main


def run_fit(
    export: Path, mapping: Path, out: Path, *extra: str, replications: int = 2
) -> tuple[dict, str]:
    """``fit EXPORT --mapping MAPPING --out OUT --replications N *extra``, which must succeed:
    its fit.json and what it printed."""
    status, stdout, stderr = run_main(
        ["fit", str(export), "--mapping", str(mapping), "--out", str(out),
         "--replications", str(replications), *extra]
    )  # fmt: skip
    assert status == 0, stderr
    return json.loads((out / "fit.json").read_text(encoding="utf-8")), stdout
