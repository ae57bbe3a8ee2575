"""Guards before and around a run: the size estimate and its refusal, an output folder that
cannot be written, files written whole, and one line whatever the message holds."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from controlroom_sim.cli.commands import size_guard
from controlroom_sim.cli.main import main
from controlroom_sim.config.loading import load_scenario
from controlroom_sim.experiments import api, files
from controlroom_sim.experiments import runner as experiment
from controlroom_sim.experiments.estimate import CALLS_PER_SECOND, estimate_run
from controlroom_sim.experiments.run_folder import write_atomic
from tests.helpers.cli import few_replications_stderr
from tests.helpers.paths import BASELINE

SMALL = """\
[scenario]
name = "small"
days = 0.02
warmup_hours = 0
cooldown_hours = 0
replications = 2

[channels.999]
calls_per_day = 500
talk_s = { dist = "exponential", mean = 60 }

[[handlers]]
name = "h"
skills = ["999"]
count = 2
"""


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.toml"
    path.write_text(SMALL, encoding="utf-8")
    return path


@pytest.fixture
def no_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any replication that starts fails the test: the guards act before the run."""

    def refuse(*args: object) -> None:
        raise AssertionError("a replication ran")

    monkeypatch.setattr(experiment, "run_replication", refuse)


def one_line_error(capsys: pytest.CaptureFixture[str], status: int) -> str:
    captured = capsys.readouterr()
    assert status == 2, captured.err
    assert captured.out == ""
    assert "Traceback" not in captured.err
    assert captured.err.startswith("error: ") and captured.err.count("\n") == 1, captured.err
    return captured.err.rstrip("\n")


# -- the size estimate --------------------------------------------------------------------------


def test_a_very_large_run_is_refused_with_one_line_naming_yes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_simulation: None
) -> None:
    """Ten replications of the baseline over 3,000 days (about 74 million calls): refused
    before any folder is made, naming the estimate, the limit and how to go ahead."""
    out = tmp_path / "out"
    status = main(["run", "--set", "scenario.days=3000", "--out", str(out), "--quiet"])
    line = one_line_error(capsys, status)
    assert line.startswith("error: baseline: too large to start without --yes: about ")
    assert "calls over 10 replications of 3,001 simulated days" in line
    assert f"at {CALLS_PER_SECOND:,} calls/s per worker" in line
    assert line.endswith("the limit is 50,000,000 calls (--max-calls)")
    assert not out.exists()


def test_max_calls_sets_the_limit_and_yes_goes_ahead(
    tmp_path: Path, small: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    argv = ["run", str(small), "--out", str(out), "--quiet", "--calls-format", "none"]
    line = one_line_error(capsys, main([*argv, "--max-calls", "10"]))
    assert line.startswith(f"error: {small}: too large to start without --yes")
    assert "the limit is 10 calls" in line
    assert not out.exists()
    assert main([*argv, "--max-calls", "10", "--yes"]) == 0
    captured = capsys.readouterr()
    assert captured.err == few_replications_stderr(2)
    assert (out / "summary.json").exists()


def test_a_run_that_can_never_finish_is_refused_even_with_yes(
    tmp_path: Path, small: Path, capsys: pytest.CaptureFixture[str], no_simulation: None
) -> None:
    """Volumes or horizons that large are mistakes (they used to crash or hang the run)."""
    for override in ("channels.999.calls_per_day=1e300", "scenario.days=1e306"):
        out = tmp_path / "out"
        argv = ["run", str(small), "--set", override, "--out", str(out), "--yes", "--quiet"]
        line = one_line_error(capsys, main(argv))
        assert line.startswith(f"error: {small}: too large to run: "), line
        assert not out.exists()


def test_compare_names_the_file_that_makes_it_large(
    tmp_path: Path, small: Path, capsys: pytest.CaptureFixture[str], no_simulation: None
) -> None:
    big = tmp_path / "big.toml"
    big.write_text('extends = "small.toml"\n[scenario]\ndays = 1e6\n', encoding="utf-8")
    out = tmp_path / "out"
    line = one_line_error(capsys, main(["compare", str(small), str(big), "--out", str(out)]))
    assert line.startswith(f"error: {big}: too large to start without --yes")
    assert "2 scenarios x 2 replications" in line
    assert not out.exists()


def test_sweep_and_staff_are_guarded_too(
    tmp_path: Path, small: Path, capsys: pytest.CaptureFixture[str], no_simulation: None
) -> None:
    out = tmp_path / "out"
    argv = ["sweep", str(small), "--vary", "scenario.days=1,100000", "--out", str(out)]
    line = one_line_error(capsys, main(argv))
    assert line.startswith(f"error: {small}: too large to start without --yes")
    argv = ["staff", str(small), "--set", "scenario.days=1e7", "--out", str(out)]
    line = one_line_error(capsys, main(argv))
    assert line.startswith(f"error: {small}: too large to start without --yes: at least about")
    assert not out.exists()


def test_bad_max_calls_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    line = one_line_error(capsys, main(["run", "--max-calls", "0"]))
    assert "--max-calls" in line


def test_a_large_run_says_its_estimate_before_it_starts(
    tmp_path: Path, small: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(size_guard, "NOTICE_CALLS", 1)
    out = tmp_path / "out"
    argv = ["run", str(small), "--out", str(out), "--quiet", "--calls-format", "none"]
    assert main(argv) == 0
    estimate, _, rest = capsys.readouterr().err.partition("\n")
    assert estimate.startswith("estimate: about "), estimate
    assert "calls over 2 replications of 0.02 simulated days" in estimate
    assert rest == few_replications_stderr(2)  # nothing else (the warning comes after the run)


def test_the_estimate_is_close_to_the_calls_simulated() -> None:
    """The expected arrivals (profiles, surges, warm-up and cool-down) plus a fifth for
    redials: within 25% of the calls the baseline actually offers."""
    scenario = load_scenario(BASELINE, ["scenario.days=1"])
    estimate = estimate_run([scenario], 2, workers=2)
    result = api.run(scenario, replications=2, keep_records=False)
    assert 0.75 <= estimate.calls / result.calls_simulated <= 1.25, (
        estimate.calls,
        result.calls_simulated,
    )
    assert estimate.cost >= estimate.calls
    assert estimate.seconds == pytest.approx(estimate.cost / (CALLS_PER_SECOND * 2))


def test_the_estimate_of_absurd_scenarios_is_infinite_not_an_error() -> None:
    for override in ("scenario.days=1e306", "channels.999.calls_per_day=1e308"):
        scenario = load_scenario(BASELINE, [override])
        estimate = estimate_run([scenario], 10)
        assert estimate.cost > 1e15


# -- an output folder that cannot be written ----------------------------------------------------


def _unwritable(tmp_path: Path, how: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    if how == "is a file":
        path = tmp_path / "out"
        path.write_text("x")
        return path
    if how == "under a file":
        (tmp_path / "file").write_text("x")
        return tmp_path / "file" / "out"
    # read-only: root may write anywhere, so the probe file is refused as a read-only
    # folder would refuse it
    path = tmp_path / "out"
    path.mkdir()

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files.tempfile, "NamedTemporaryFile", refuse)
    return path


@pytest.mark.parametrize("how", ["is a file", "under a file", "read-only"])
@pytest.mark.parametrize("command", ["run", "compare", "sweep"])
def test_an_unwritable_output_folder_fails_before_the_run(
    tmp_path: Path,
    small: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    no_simulation: None,
    how: str,
    command: str,
) -> None:
    out = _unwritable(tmp_path, how, monkeypatch)
    args = {
        "run": ["run", str(small)],
        "compare": ["compare", str(small), str(small)],
        "sweep": ["sweep", str(small), "--vary", "handlers.0.count=2,3"],
    }[command]
    line = one_line_error(capsys, main([*args, "--out", str(out), "--quiet"]))
    assert line.startswith(f"error: {out}: cannot write results there ("), line


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_a_read_only_folder_fails_before_the_run(
    tmp_path: Path, small: Path, capsys: pytest.CaptureFixture[str], no_simulation: None
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o500)
    try:
        line = one_line_error(capsys, main(["run", str(small), "--out", str(out)]))
    finally:
        out.chmod(0o700)
    assert line.startswith(f"error: {out}: cannot write results there (Permission denied)")


# -- files are written whole --------------------------------------------------------------------


def test_a_write_that_fails_leaves_the_old_file_and_no_temporary_one(tmp_path: Path) -> None:
    path = tmp_path / "kpis.csv"
    path.write_text("old\n")

    def half(tmp: Path) -> None:
        tmp.write_text("new, half writ")
        raise KeyboardInterrupt  # Ctrl-C in the middle of writing

    with pytest.raises(KeyboardInterrupt):
        write_atomic(path, half)
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["kpis.csv"]


def test_a_run_folder_holds_no_temporary_files(tmp_path: Path, small: Path) -> None:
    out = tmp_path / "out"
    assert main(["run", str(small), "--out", str(out), "--quiet"]) == 0
    names = sorted(p.name for p in out.rglob("*"))
    assert not [n for n in names if n.startswith(".") or n.endswith(".tmp")], names
    assert {"summary.json", "kpis.csv", "intervals.csv", "manifest.json"} <= set(names)


# -- one line, whatever the message holds -------------------------------------------------------


def test_a_newline_in_a_key_stays_on_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.toml"
    path.write_text(SMALL.replace("[scenario]\n", '[scenario]\n"na\\nme" = 1\n'))
    line = one_line_error(capsys, main(["run", str(path), "--out", str(tmp_path / "o")]))
    assert line.startswith(f"error: {path}: scenario.na\\nme: unknown key")


def test_an_internal_error_is_one_line(
    tmp_path: Path, small: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("first line\nsecond line")

    monkeypatch.setattr(experiment, "run_replication", broken)
    status = main(["run", str(small), "--out", str(tmp_path / "o"), "--quiet"])
    err = capsys.readouterr().err
    assert status == 1
    assert err.count("\n") == 1 and "first line\\nsecond line" in err, err


# -- records streamed to the temporary folder ---------------------------------------------------


def test_no_room_for_records_in_the_temporary_folder_stops_the_run_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A replication long enough to stream records to disk (40,000 calls), with the temporary
    folder full: the run stops, says which folder and what to do, and how to continue."""
    import errno
    import tempfile

    busy = tmp_path / "busy.toml"
    busy.write_text(SMALL.replace("days = 0.02", "days = 0.2").replace("= 500", "= 200000"))

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(tempfile, "TemporaryFile", full)
    out = tmp_path / "o"
    status = main(["run", str(busy), "--out", str(out), "--quiet", "--replications", "1"])
    err = capsys.readouterr().err
    assert status == 1
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith(
        f"error: records could not be written to the temporary folder {tempfile.gettempdir()}:"
        " No space left on device (set TMPDIR to a folder with room for them); "
        f"0 finished replication(s) saved in {out}; to continue: "
    ), err


def test_the_estimate_of_a_resumed_run_counts_only_the_replications_left(
    tmp_path: Path, small: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(size_guard, "NOTICE_CALLS", 1)
    out = tmp_path / "out"
    argv = ["run", str(small), "--out", str(out), "--quiet", "--replications", "4", "--seed", "3"]
    real = experiment.run_replication
    ran: list[int] = []

    def stop_at_the_second(scenario, replication, *rest):  # type: ignore[no-untyped-def]
        if ran:
            raise KeyboardInterrupt
        ran.append(replication)
        return real(scenario, replication, *rest)

    with monkeypatch.context() as m:
        m.setattr(experiment, "run_replication", stop_at_the_second)
        assert main(argv) == 130
    first = capsys.readouterr().err.splitlines()[0]
    assert main([*argv, "--resume"]) == 0
    again = capsys.readouterr().err.splitlines()[0]
    whole = float(first.split("about ")[1].split(" calls")[0])
    left = float(again.split("about ")[1].split(" calls")[0])
    assert left == pytest.approx(whole * 3 / 4, rel=0.02), (first, again)
    assert again.endswith("for the 3 of 4 replications not saved yet"), again
