"""Guard rails of the command line (issue 18): a callback switched off needs nothing else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from controlroom_sim.cli.main import main
from controlroom_sim.config.files import builtin_baseline_path
from tests.helpers.paths import ROOT

SMALL = ["--set", "scenario.days=0.5", "--set", "scenario.warmup_hours=2", "--quiet"]
ERLANG_C = ROOT / "scenarios" / "validation" / "erlang_c_light.toml"  # has no [callback]


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_a_callback_switched_off_needs_nothing_else(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``[callback] enabled = false`` alone is a whole section: the variant runs, with no
    callback KPIs, whether it extends the baseline or a scenario without a callback."""
    on_baseline = tmp_path / "off.toml"
    on_baseline.write_text(
        f'extends = "{builtin_baseline_path().as_posix()}"\n'
        '[scenario]\nname = "off"\n[callback]\nenabled = false\n'
    )
    alone = tmp_path / "alone.toml"
    alone.write_text(
        f'extends = "{ERLANG_C.as_posix()}"\n[scenario]\nname = "alone"\n'
        "[callback]\nenabled = false\n"
    )
    for variant in (on_baseline, alone):
        out = tmp_path / f"run-{variant.stem}"
        argv = ["run", str(variant), "--replications", "2", "--out", str(out), *SMALL]
        status, _, err = _run(argv, capsys)
        assert status == 0, err
        kpis = json.loads((out / "summary.json").read_text())["kpis"]
        assert "abandon_rate_999" in kpis
        assert not any(name.startswith("callback_") for name in kpis)


def test_callback_enabled_by_set_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--set callback.enabled=false`` on a scenario without a callback runs; switching one
    on without a take-up is refused, naming the missing key."""

    def argv(out: str, setting: str) -> list[str]:
        return ["run", str(ERLANG_C), "--replications", "2", "--out", out, "--set", setting, *SMALL]

    status, _, err = _run(argv(str(tmp_path / "off"), "callback.enabled=false"), capsys)
    assert status == 0, err
    status, _, err = _run(argv(str(tmp_path / "on"), "callback.enabled=true"), capsys)
    assert status == 2
    assert "callback.accept_probability: expected this key when callbacks are enabled" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "on").exists()


WARNING = (
    "warning: only {n} replications: the 95% confidence intervals are unreliable with fewer than 5"
)


@pytest.mark.parametrize(
    "command",
    [
        ["run", str(ERLANG_C)],
        ["compare", str(ERLANG_C), str(ERLANG_C)],
        ["sweep", str(ERLANG_C), "--vary", "handlers.0.count=19,20"],
    ],
    ids=["run", "compare", "sweep"],
)
def test_few_replications_warn_once_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    """Below 5 replications run, compare and sweep say on stderr, in one line, that the
    intervals are unreliable (the run still succeeds); at 5 they say nothing."""
    for n, warned in ((2, True), (5, False)):
        out = tmp_path / f"{command[0]}-{n}"
        status, printed, err = _run(
            [*command, "--replications", str(n), "--out", str(out), *SMALL], capsys
        )
        assert status == 0, err
        assert "results:" in printed
        lines = err.strip().splitlines()
        assert lines == ([WARNING.format(n=n)] if warned else []), err
