"""Guard rails of the command line (issue 18): a callback switched off needs nothing else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from controlroom_sim.cli.main import main
from controlroom_sim.config.files import builtin_baseline_path
from controlroom_sim.config.loading import load_scenario
from controlroom_sim.experiments.runner import kpi_names
from tests.helpers.paths import ROOT

BASELINE_KPIS = len(kpi_names(load_scenario(None)))
"""111: 84 of service and 27 of staffing and cost."""

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


# -- KPI names are checked before anything runs --------------------------------------------------


@pytest.fixture
def nothing_runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The replications simulated (none, when a name is refused before anything runs)."""
    from controlroom_sim.experiments import runner

    ran: list[int] = []
    real = runner.run_replication

    def counted(scenario, replication, records=True):  # type: ignore[no-untyped-def]
        ran.append(replication)
        return real(scenario, replication, records)

    monkeypatch.setattr(runner, "run_replication", counted)
    return ran


def _one_line(err: str) -> str:
    assert err.endswith("\n") and err.count("\n") == 1, err
    return err[:-1]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["compare", "baseline", str(ERLANG_C), "--show", "offered_999,answred_within_10s_999"],
            "error: --show answred_within_10s_999: no such KPI; did you mean "
            "answered_within_10s_999?",
        ),
        (
            ["sweep", "--vary", "channels.999.calls_per_day=600,700", "--show", "abandon_rate_99"],
            "error: --show abandon_rate_99: no such KPI; did you mean abandon_rate_999?",
        ),
        (
            ["sweep", "--vary", "channels.999.calls_per_day=600,700", "--show", "zzz"],
            f"error: --show zzz: no such KPI; expected one of the {BASELINE_KPIS} KPIs of the "
            "scenario (offered_999, answered_999, abandoned_999, ...), which depend on its "
            "features (callbacks, dispatch, call types, forces, support workers, staffing)",
        ),
        (
            ["run", "--target-half-width", "answred_within_10s_999=0.01"],
            "error: --target-half-width answred_within_10s_999: no such KPI; did you mean "
            "answered_within_10s_999?",
        ),
        (
            # a KPI of the baseline (which has callbacks) but not of the variant
            ["compare", "baseline", str(ERLANG_C), "--target-half-width", "mean_reach_s_101=1"],
            "error: --target-half-width mean_reach_s_101: not a KPI of scenario "
            "'erlang_c_light', expected a KPI of every scenario",
        ),
        (
            ["staff", "--erlang-only", "--target", "answred_within_10s_999=0.9"],
            "error: --target 'answred_within_10s_999=0.9': expected a KPI among "
            "answered_within_10s_<channel>, answered_within_10s_of_offered_<channel>, "
            "answered_within_60s_<channel>, abandon_rate_<channel>, mean_answer_s_<channel>; "
            "did you mean answered_within_10s_999?",
        ),
    ],
    ids=["compare-show", "sweep-show", "sweep-show-far", "run-target", "compare-target", "staff"],
)
def test_a_misspelt_kpi_is_refused_before_anything_runs(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    nothing_runs: list[int],
    argv: list[str],
    expected: str,
) -> None:
    """Exit 2, one line naming the flag and the name, with the nearest KPI for a near miss;
    no replication simulated and no folder made."""
    out = tmp_path / "out"
    status, printed, err = _run([*argv, "--out", str(out), *SMALL], capsys)
    assert status == 2, err
    assert _one_line(err) == expected
    assert printed == ""
    assert nothing_runs == []
    assert not out.exists()


def test_a_kpi_of_one_feature_is_shown_when_a_scenario_has_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], nothing_runs: list[int]
) -> None:
    """--show accepts a KPI that only some scenarios have (callbacks in the baseline, not in
    the Erlang C room) and prints it; the same KPI is refused where no scenario has it."""
    kpi = "callback_requested_rate_101"
    argv = ["compare", "baseline", "baseline", "--show", f"{kpi},offered_999"]
    status, printed, err = _run(
        [*argv, "--replications", "2", "--out", str(tmp_path / "a"), *SMALL], capsys
    )
    assert status == 0, err
    assert kpi in printed and "offered_999" in printed
    assert sorted(nothing_runs) == [0, 0, 1, 1]  # the counter sees replications that run
    nothing_runs.clear()
    off = ["--set", "callback.enabled=false"]
    status, _, err = _run([*argv, *off, "--out", str(tmp_path / "b"), *SMALL], capsys)
    assert status == 2
    line = _one_line(err)
    assert line.startswith(f"error: --show {kpi}: no such KPI; expected one of the ")
    assert line.endswith(
        "which depend on its features (callbacks, dispatch, call types, forces, support "
        "workers, staffing)"
    )  # no misleading near miss (abandon_rate_101)
    assert nothing_runs == []
