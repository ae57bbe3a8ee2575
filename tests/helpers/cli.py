"""Running the command line in-process and checking what it printed."""

from __future__ import annotations

import contextlib
import io

import pytest

from controlroom_sim.cli.main import main


def run_main(argv: list[str]) -> tuple[int, str, str]:
    """``main(argv)`` with stdout and stderr captured (for module-scoped fixtures, where
    ``capsys`` is not available): the exit status, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    return status, out.getvalue(), err.getvalue()


def assert_one_line_error(
    capsys: pytest.CaptureFixture[str], status: int, *, empty_stdout: bool = True
) -> str:
    """Exit status 2, one ``error: ...`` line on stderr, no traceback, and (``empty_stdout``)
    nothing on stdout; returns the line (without its newline)."""
    captured = capsys.readouterr()
    err = captured.err
    assert "Traceback" not in err, err
    assert "internal error" not in err, err
    assert status == 2, f"exit status {status}, stderr {err!r}"
    assert err.startswith("error: "), repr(err)
    assert err.endswith("\n") and err.count("\n") == 1, f"not one line: {err!r}"
    if empty_stdout:
        assert captured.out == "", f"stdout on bad input: {captured.out!r}"
    return err.rstrip("\n")


def assert_run_refuses(
    tmp_path, capsys: pytest.CaptureFixture[str], text: str, key: str, fragment: str
) -> None:  # type: ignore[no-untyped-def]
    """``run`` on a scenario file holding ``text``: exit 2, one line ``error: <file>: <key>``
    saying ``fragment``, no traceback, and no results written."""
    file = tmp_path / "bad.toml"
    file.write_text(text, encoding="utf-8")
    status = main(["run", str(file), "--out", str(tmp_path / "out"), "--quiet"])
    err = assert_one_line_error(capsys, status)
    assert err.startswith(f"error: {file}: {key}"), err
    assert fragment in err, err
    assert not (tmp_path / "out" / "summary.json").exists()


def few_replications_stderr(replications: int) -> str:
    """What a successful run, compare or sweep prints on stderr with ``--quiet``: nothing, or
    below 5 replications the one warning line that its intervals are unreliable."""
    if replications >= 5:
        return ""
    return (
        f"warning: only {replications} replication{'s' if replications != 1 else ''}: the 95% "
        "confidence intervals are unreliable with fewer than 5\n"
    )


def count_replications(monkeypatch) -> set[int]:  # type: ignore[no-untyped-def]
    """From now on, the replication indices this process simulates (filled as they run)."""
    from controlroom_sim.experiments import runner

    ran: set[int] = set()
    real = runner.run_replication

    def counting(scenario, replication, *rest):  # type: ignore[no-untyped-def]
        ran.add(replication)
        return real(scenario, replication, *rest)

    monkeypatch.setattr(runner, "run_replication", counting)
    return ran
