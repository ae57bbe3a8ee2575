"""Every saved part is recorded in the manifest with its size and SHA-256, and checked before
it is trusted again.

A run of six short replications (one day each, with call records) is stopped after three
(``RunStore.save`` raises KeyboardInterrupt once the third is saved, as Ctrl-C would). Then a
part is truncated, edited or made unreadable, and ``--resume`` must refuse it before any
replication is simulated, naming the file and saying to delete it; once it is deleted, the
resume runs that replication and the three missing ones, and the final tables are byte for
byte those of an uninterrupted run. A complete folder whose results were changed is refused by
``report`` and ``replay``. A folder that is not complete is reported and replayed as far as it
is complete: the replications the manifest records, with a banner that says so.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from controlroom_sim.cli.main import main
from controlroom_sim.experiments import store as store_module
from controlroom_sim.experiments.folder_lock import owning
from controlroom_sim.reporting.replay import replay_data
from controlroom_sim.reporting.report_data import load_results
from tests.helpers.cli import count_replications, run_main

REPLICATIONS = 6
STOP_AFTER = 3
ARGS = ["run", "--replications", str(REPLICATIONS), "--seed", "7", "--quiet"]
ARGS += ["--set", "scenario.days=1", "--set", "scenario.warmup_hours=2"]
TABLES = ["calls.parquet", "incidents.parquet", "intervals.csv", "kpis.csv", "summary.json"]


def _stop_after(monkeypatch: pytest.MonkeyPatch, count: int) -> None:
    real = store_module.RunStore.save
    seen = [0]

    def save(self, scenario, result):  # type: ignore[no-untyped-def]
        real(self, scenario, result)
        seen[0] += 1
        if seen[0] == count:
            raise KeyboardInterrupt

    monkeypatch.setattr(store_module.RunStore, "save", save)


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("whole") / "run"
    status, _, err = run_main([*ARGS, "--out", str(folder)])
    assert status == 0, err
    return folder


@pytest.fixture(scope="module")
def stopped_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("stopped") / "run"
    with pytest.MonkeyPatch.context() as patch:
        _stop_after(patch, STOP_AFTER)
        status, _, err = run_main([*ARGS, "--out", str(folder)])
    assert status == 130, err
    return folder


@pytest.fixture
def stopped(stopped_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of a run stopped after three replications."""
    folder = tmp_path / "run"
    shutil.copytree(stopped_template, folder)
    return folder


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def _part(folder: Path, replication: int, suffix: str) -> Path:
    return folder / "replications" / "00" / f"rep-{replication:05d}{suffix}"


def _resume(folder: Path) -> list[str]:
    return [*ARGS, "--out", str(folder), "--resume"]


def _assert_same_tables(folder: Path, whole: Path) -> None:
    for name in TABLES:
        assert (folder / name).read_bytes() == (whole / name).read_bytes(), name
    assert not (folder / "replications").exists()


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Traceback" not in captured.err
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    return lines[0]


# -- what the manifest records --------------------------------------------------------------------


def test_the_manifest_records_every_part_and_every_table(stopped: Path, whole: Path) -> None:
    import hashlib

    parts = _manifest(stopped)["parts"]
    for rep in range(STOP_AFTER):
        for suffix in (".json", ".intervals.parquet", ".calls.parquet", ".incidents.parquet"):
            path = _part(stopped, rep, suffix)
            entry = parts[path.relative_to(stopped).as_posix()]
            data = path.read_bytes()
            assert entry == {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    assert not any(f"rep-{r:05d}" in name for name in parts for r in range(3, 6))
    files = _manifest(whole)["files"]
    assert sorted(files) == sorted(TABLES)
    for name in TABLES:
        data = (whole / name).read_bytes()
        assert files[name] == {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


# -- resume checks every part before it simulates anything ----------------------------------------


def _truncate(path: Path) -> str:
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.truncate(100)
    return f"100 bytes where the run wrote {size:,}"


def _edit_json(path: Path) -> str:
    """A KPI value changed, the file's size kept: still valid JSON."""
    doc = json.loads(path.read_text())
    text = path.read_text()
    value = doc["kpis"]["offered_999"]
    old = f'"offered_999": {value}'
    new = f'"offered_999": {value + 1 if value < 9 else value - 1}'
    assert old in text and len(new) == len(old)
    path.write_text(text.replace(old, new))
    return "its contents changed since the run wrote it (its SHA-256 differs)"


def _scramble(path: Path) -> str:
    path.write_bytes(bytes(reversed(path.read_bytes())))
    return "its contents changed since the run wrote it (its SHA-256 differs)"


@pytest.mark.parametrize(
    ("suffix", "damage"),
    [
        (".calls.parquet", _truncate),
        (".json", _edit_json),
        (".intervals.parquet", _scramble),
        (".incidents.parquet", _truncate),
    ],
    ids=["truncated calls", "edited KPI", "scrambled intervals", "truncated incidents"],
)
def test_a_damaged_part_is_refused_before_any_replication_runs(
    stopped: Path,
    whole: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    suffix: str,
    damage,  # type: ignore[no-untyped-def]
) -> None:
    path = _part(stopped, 1, suffix)
    reason = damage(path)
    before = _manifest(stopped)
    ran = count_replications(monkeypatch)
    assert main(_resume(stopped)) == 2
    line = _one_line_error(capsys)
    assert line == (
        f"error: {path}: {reason}; delete it to run that replication again, then resume"
    )
    assert ran == set(), "replications ran before the damaged part was found"
    assert _manifest(stopped) == before
    # as told: delete it, resume; that replication and the missing ones run, nothing else
    path.unlink()
    assert main(_resume(stopped)) == 0
    assert ran == {1, 3, 4, 5}
    _assert_same_tables(stopped, whole)


def test_parts_written_but_not_recorded_are_run_again(
    stopped: Path, whole: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run killed after writing a replication's files but before the manifest recorded them
    left files the manifest does not know: they are not trusted, but run again."""
    manifest = _manifest(stopped)
    manifest["parts"] = {k: v for k, v in manifest["parts"].items() if "rep-00002" not in k}
    (stopped / "manifest.json").write_text(json.dumps(manifest))
    assert _part(stopped, 2, ".json").exists()
    ran = count_replications(monkeypatch)
    assert main(_resume(stopped)) == 0
    assert ran == {2, 3, 4, 5}
    _assert_same_tables(stopped, whole)


def test_an_interrupted_run_without_recorded_parts_still_resumes(
    stopped: Path, whole: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder left by a version that did not record parts: its finished replications (their
    JSON file written last) are fingerprinted as found, and kept."""
    manifest = _manifest(stopped)
    del manifest["parts"]
    (stopped / "manifest.json").write_text(json.dumps(manifest))
    ran = count_replications(monkeypatch)
    assert main(_resume(stopped)) == 0
    assert ran == {3, 4, 5}
    _assert_same_tables(stopped, whole)


def test_parts_are_recorded_in_batches_and_none_is_lost(
    tmp_path: Path, whole: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the manifest written rarely (a long pace), a stopped run still records every
    replication it saved before it reports them (the manifest is written as it stops)."""
    monkeypatch.setattr(store_module, "_PACE", 1e9)
    folder = tmp_path / "run"
    recorded_while_running = []
    real = store_module.RunStore.save

    def watching(self, scenario, result):  # type: ignore[no-untyped-def]
        real(self, scenario, result)
        recorded_while_running.append(len(_finished(folder)))

    monkeypatch.setattr(store_module.RunStore, "save", watching)
    _stop_after(monkeypatch, 4)
    assert run_main([*ARGS, "--out", str(folder)])[0] == 130
    assert recorded_while_running == [0, 0, 0, 0]  # batched: not yet written
    assert _finished(folder) == {f"replications/00/rep-{r:05d}.json" for r in range(4)}


def _finished(folder: Path) -> set[str]:
    return {k for k in _manifest(folder)["parts"] if k.endswith(".json") and "/rep-" in k}


# -- report and replay check a complete folder first -----------------------------------------------


@pytest.fixture
def complete(whole: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "whole"
    shutil.copytree(whole, folder)
    return folder


@pytest.mark.parametrize("name", ["kpis.csv", "calls.parquet", "summary.json"])
@pytest.mark.parametrize("command", ["report", "replay"])
def test_report_and_replay_refuse_changed_results(
    complete: Path, capsys: pytest.CaptureFixture[str], name: str, command: str
) -> None:
    path = complete / name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit
    path.write_bytes(bytes(data))
    assert main([command, str(complete)]) == 2
    assert _one_line_error(capsys) == (
        f"error: {path}: its contents changed since the run wrote it (its SHA-256 differs); "
        "the results there cannot be trusted: restore the file, or run the scenario again"
    )
    assert not (complete / f"{command}.html").exists()


def test_a_missing_results_table_is_named(
    complete: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (complete / "incidents.parquet").unlink()
    assert main(["report", str(complete)]) == 2
    assert _one_line_error(capsys) == (
        f"error: {complete / 'incidents.parquet'}: the run wrote it, but it is gone; the "
        "results there cannot be trusted: restore the file, or run the scenario again"
    )


def test_a_folder_written_before_results_were_recorded_is_still_read(complete: Path) -> None:
    manifest = _manifest(complete)
    del manifest["files"]
    (complete / "manifest.json").write_text(json.dumps(manifest))
    assert load_results(complete).runs[0].replications == REPLICATIONS


def test_a_new_run_in_a_finished_folder_leaves_none_of_its_tables(complete: Path) -> None:
    status, _, err = run_main([*ARGS, "--out", str(complete), "--calls-format", "none"])
    assert status == 0, err
    assert not (complete / "calls.parquet").exists()
    assert not (complete / "incidents.parquet").exists()
    assert sorted(_manifest(complete)["files"]) == ["intervals.csv", "kpis.csv", "summary.json"]


# -- a folder not yet complete is read as far as it is complete ----------------------------------


def test_the_report_of_a_stopped_run_shows_its_finished_replications(
    stopped: Path, whole: Path
) -> None:
    results = load_results(stopped)
    assert results.progress == (
        f"In progress: {STOP_AFTER} of {REPLICATIONS} replications finished (the run stopped "
        f"before it finished; --resume continues it); these results are of those "
        f"{STOP_AFTER} only."
    )
    run = results.runs[0]
    assert run.replications == STOP_AFTER
    kpis = pd.read_csv(whole / "kpis.csv")
    first = kpis[kpis["replication"] < STOP_AFTER]
    means = first.groupby("kpi")["value"].mean()
    summary = run.summary.set_index("kpi")
    assert (summary["n"] == STOP_AFTER).all()
    pd.testing.assert_series_equal(
        summary.loc[means.index, "mean"], means, check_names=False, rtol=1e-12
    )
    calls = pd.read_parquet(whole / "calls.parquet")
    assert len(run.calls) == int((calls["replication"] < STOP_AFTER).sum())
    assert main(["report", str(stopped)]) == 0
    html = (stopped / "report.html").read_text()
    assert "In progress: 3 of 6 replications finished" in html


def test_the_report_of_a_folder_being_written_says_so(stopped: Path) -> None:
    with owning(stopped):
        results = load_results(stopped)
    assert "(a run is writing this folder)" in (results.progress or "")


def test_the_replay_of_a_stopped_run_shows_a_finished_replication(
    stopped: Path, whole: Path
) -> None:
    partial = replay_data(stopped, replication=2)
    complete = replay_data(whole, replication=2)
    assert partial["run"]["replications"] == [0, 1, 2]
    assert partial["run"]["progress"].startswith("In progress: 3 of 6 replications finished")
    for key in ("events", "levels", "series", "window"):
        assert partial[key] == complete[key], key


def test_the_replay_of_an_unfinished_replication_is_refused(
    stopped: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["replay", str(stopped), "--replication", "4"]) == 2
    assert _one_line_error(capsys) == (
        "error: --replication 4: not in the run, which has replication(s) 0 to 2"
    )


def test_a_damaged_part_is_refused_by_the_report_of_a_stopped_run(
    stopped: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _part(stopped, 0, ".calls.parquet")
    reason = _truncate(path)
    assert main(["report", str(stopped)]) == 2
    assert _one_line_error(capsys) == (
        f"error: {path}: {reason}; delete it to run that replication again, then resume"
    )
