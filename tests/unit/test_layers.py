"""The layers (docs/architecture.md) hold: imports flow one way, no module of a package imports
a sibling that imports it back, and nothing imports the package's ``__init__``.

The contracts are in pyproject.toml (``[tool.importlinter]``); CI runs ``lint-imports`` too. The
second test breaks each contract in a copy of the package and checks that the linter says so,
so a contract that checks nothing cannot pass unnoticed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.paths import ROOT

LINT = [sys.executable, "-c", "from importlinter.cli import lint_imports_command as c; c()"]


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [*LINT, "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_layer_contracts_are_kept() -> None:
    done = _lint(ROOT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "3 kept, 0 broken" in done.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("model/rng.py", "from ..experiments import api as _api", "Layers flow one way"),
        ("experiments/api.py", "from ..fitting import export as _e", "Layers flow one way"),
        ("fitting/export.py", "from ..reporting import display as _d", "Layers flow one way"),
        ("planning/planner.py", "from ..app import rota_grid as _g", "Layers flow one way"),
        ("reporting/display.py", "from .. import __version__ as _v", "Nothing imports"),
        ("config/vocabulary.py", "from . import schema as _s", "No import cycle"),
    ],
)
def test_a_broken_contract_is_reported(tmp_path: Path, module: str, line: str, broken: str) -> None:
    shutil.copytree(ROOT / "controlroom_sim", tmp_path / "controlroom_sim")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "controlroom_sim" / module
    target.write_text(target.read_text() + f"\n{line}  # noqa\n")
    done = _lint(tmp_path)
    assert done.returncode == 1, done.stdout[-3000:]
    assert f"{broken}" in done.stdout.split("Broken contracts")[1]
