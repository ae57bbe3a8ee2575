"""The command line loads each scenario once: it checks and sizes what it loaded, then hands
the loaded scenarios to the API (run, compare, sweep) or the planner (staff)."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from controlroom_sim.cli.main import main
from controlroom_sim.config import loading

ROOT = Path(__file__).resolve().parents[2]
LIGHT = str(ROOT / "scenarios" / "validation" / "erlang_c_light.toml")
QUICK = ["--replications", "2", "--set", "scenario.days=0.25", "--quiet"]
LOADERS = (
    "controlroom_sim.experiments.inputs.load_scenario",
    "controlroom_sim.cli.commands.planning.load_scenario",
    "controlroom_sim.planning.planner_inputs.load_scenario",
)


def count_loads(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    loads: list[object] = []

    def counting(source, *args, **kwargs):  # type: ignore[no-untyped-def]
        loads.append(source)
        return loading.load_scenario(source, *args, **kwargs)

    for target in LOADERS:
        monkeypatch.setattr(target, counting)
    return loads


def quiet_main(argv: list[str]) -> int:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return main(argv)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["run", LIGHT, "--calls-format", "none"], 1),
        (["compare", LIGHT, LIGHT, "--calls-format", "none"], 2),
        (["sweep", LIGHT, "--vary", "handlers.0.count=8,9", "--calls-format", "none"], 2),
        (["staff", LIGHT, "--erlang-only"], 1),
    ],
    ids=["run", "compare", "sweep", "staff"],
)
def test_each_scenario_is_loaded_once(
    command: list[str], expected: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads = count_loads(monkeypatch)
    assert quiet_main([*command, *QUICK, "--out", str(tmp_path / "out")]) == 0
    assert len(loads) == expected
