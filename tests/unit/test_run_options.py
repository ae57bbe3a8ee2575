"""RunOptions: made once from the keywords of run, compare and sweep, checked where it is made,
with errors that name the parameters (the command line names its flags instead)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import controlroom_sim as crs
from controlroom_sim.cli.usage import error_text
from controlroom_sim.config.errors import ControlroomError
from controlroom_sim.experiments import api
from controlroom_sim.experiments.engines import EngineError
from controlroom_sim.experiments.options import OptionsError, RunOptions
from controlroom_sim.experiments.store import ResumeError
from tests.helpers.paths import ROOT

LIGHT = ROOT / "scenarios" / "validation" / "erlang_c_light.toml"


@pytest.mark.parametrize(
    ("keywords", "kind", "library", "cli"),
    [
        (
            {"target_half_width": {"offered_999": 0.1}, "replications": 5},
            OptionsError,
            "target_half_width: give it or replications, not both",
            "--target-half-width: give it or --replications, not both",
        ),
        (
            {"min_replications": 6, "max_replications": 5},
            OptionsError,
            "min_replications (6) is above max_replications (5)",
            "--min-replications (6) is above --max-replications (5)",
        ),
        (
            {"target_half_width": ["offered_999=5%"], "min_replications": 1},
            OptionsError,
            "min_replications: expected 2 or more with target_half_width",
            "--min-replications: expected 2 or more with --target-half-width",
        ),
        (
            {"resume": True},
            ResumeError,
            "resume: give out with the folder of the run to continue",
            "--resume: give --out with the folder of the run to continue",
        ),
        (
            {"scheduler": "tcp://10.0.0.5:8786"},
            EngineError,
            "scheduler: needs engine='dask'",
            "--scheduler: needs --engine dask",
        ),
        (
            {"calls_format": "xlsx"},
            OptionsError,
            "calls_format: expected parquet, csv or none, found 'xlsx'",
            "--calls-format: expected parquet, csv or none, found 'xlsx'",
        ),
    ],
)
def test_bad_options_name_the_parameters(
    keywords: dict[str, object], kind: type[Exception], library: str, cli: str
) -> None:
    with pytest.raises(kind) as caught:
        RunOptions(**keywords)  # type: ignore[arg-type]
    assert isinstance(caught.value, ControlroomError)
    assert str(caught.value) == library
    assert "--" not in str(caught.value)
    assert error_text(caught.value) == cli


def test_the_public_functions_check_their_options_before_loading_anything() -> None:
    with pytest.raises(OptionsError, match=r"^min_replications \(6\) is above"):
        crs.run("no/such/file.toml", min_replications=6, max_replications=5)
    with pytest.raises(ResumeError, match=r"^resume: give out"):
        crs.compare("no/such/file.toml", "other.toml", resume=True)


def test_options_are_normalised_and_frozen(tmp_path: Path) -> None:
    a = RunOptions(target_half_width={"offered_999": "5%"}, out=str(tmp_path), overrides=["x=1"])
    b = RunOptions(target_half_width=["offered_999=5%"], out=tmp_path, overrides=("x=1",))
    assert a == b
    assert a.target_half_width == ("offered_999=5%",) and a.out == tmp_path
    assert RunOptions(target_half_width=None) == RunOptions()
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.jobs = 2  # type: ignore[misc]
    # replacing a field checks again
    with pytest.raises(OptionsError):
        dataclasses.replace(a, min_replications=1)


KEYWORDS: dict[str, object] = {
    "replications": 3,
    "seed": 17,
    "overrides": ["scenario.days=0.25"],
    "jobs": 2,
    "engine": "serial",
    "out": Path("somewhere"),
    "calls_format": "csv",
    "keep_records": True,
    "progress": True,
    "command": ["controlroom-sim", "test"],
}


def test_run_compare_and_sweep_make_the_same_options(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, RunOptions] = {}

    class Stop(Exception):
        pass

    def capture(name: str):  # type: ignore[no-untyped-def]
        def spy(loaded: object, options: RunOptions) -> None:
            seen[name] = options
            raise Stop

        return spy

    for name in ("run_loaded", "compare_loaded", "sweep_loaded"):
        monkeypatch.setattr(api, name, capture(name))
    with pytest.raises(Stop):
        crs.run(LIGHT, **KEYWORDS)  # type: ignore[arg-type]
    with pytest.raises(Stop):
        crs.compare(LIGHT, LIGHT, **KEYWORDS)  # type: ignore[arg-type]
    with pytest.raises(Stop):
        crs.sweep(LIGHT, ["handlers.0.count=8,9"], **KEYWORDS)  # type: ignore[arg-type]
    expected = RunOptions(**KEYWORDS)  # type: ignore[arg-type]
    assert seen == {name: expected for name in ("run_loaded", "compare_loaded", "sweep_loaded")}
    assert expected.out == Path("somewhere") and expected.command == ("controlroom-sim", "test")
