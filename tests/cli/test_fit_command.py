"""``controlroom-sim fit`` as a user meets it: who was on duty (``--rota`` as a rota file or a
scenario), an export without calling numbers, a tiny export where little can be fitted, the
short-abandon option, and bad input as one-line errors naming the file or option."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from controlroom_sim.cli.main import main
from controlroom_sim.config.loading import load_scenario
from controlroom_sim.fitting.synthetic import MAPPING, write_export
from controlroom_sim.model.simulate import simulate
from tests.fitting.exports import write as write_hand_export
from tests.helpers.cli import assert_one_line_error
from tests.helpers.fits import run_fit
from tests.helpers.paths import SCENARIOS

START = pd.Timestamp("2026-06-08 00:00", tz="Europe/London")


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> tuple[Path, Path]:
    """Two days of the baseline (callbacks off) as an export, and its mapping."""
    folder = tmp_path_factory.mktemp("fit_command")
    scenario = load_scenario(
        None, overrides=["scenario.days=2", "scenario.warmup_hours=6", "callback.enabled=false"]
    )
    records = simulate(scenario, 0)
    file = folder / "calls.csv"
    write_export(records.measured_calls, file, START, origin_s=records.warmup_s, clock="wall")
    mapping = folder / "mapping.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return file, mapping


def fit(export: tuple[Path, Path], out: Path, *extra: str) -> tuple[dict, str]:
    return run_fit(export[0], export[1], out, *extra)


def test_a_rota_file_is_named_in_the_fitted_scenario(export, tmp_path: Path) -> None:
    rota = SCENARIOS / "rotas" / "two_more_evening.csv"
    document, stdout = fit(export, tmp_path / "fit", "--rota", str(rota))
    text = (tmp_path / "fit" / "scenario.toml").read_text(encoding="utf-8")
    assert "[rota]" in text
    scenario = load_scenario(tmp_path / "fit" / "scenario.toml")
    lines = {s.name: s.count for g in scenario.handlers for s in g.shifts}
    assert lines["Evening contact"] == 5  # the rota file's two more
    assert f"handlers: the rota file {rota}" in stdout
    assert document["backtest"]["rota"] == f"the rota file {rota}"


def test_a_scenarios_handlers_are_written_in(export, tmp_path: Path) -> None:
    rota = SCENARIOS / "variants" / "two_more_evening.toml"
    fit(export, tmp_path / "fit", "--rota", str(rota))
    scenario = load_scenario(tmp_path / "fit" / "scenario.toml")
    assert scenario.handlers == load_scenario(rota).handlers
    assert scenario.provenance["handlers"] == f"rota: the handlers of {rota}"


def test_without_calling_numbers_redials_stay_in_the_calls_and_the_model_does_not_redial(
    export, tmp_path: Path
) -> None:
    mapping = tmp_path / "no_caller.toml"
    mapping.write_text(MAPPING.replace('caller = "CLI"\n', ""), encoding="utf-8")
    document, _ = fit((export[0], mapping), tmp_path / "fit")
    scenario = load_scenario(tmp_path / "fit" / "scenario.toml")
    for channel in ("999", "101"):
        assert (
            document["channels"][channel]["first_calls"] == document["channels"][channel]["calls"]
        )
        assert scenario.channels[channel].redial_probability == 0.0
        assert "no caller links" in scenario.provenance[f"channels.{channel}.redial_probability"]
    assert scenario.channels["101"].abandon_to_999_probability == 0.0


def test_short_abandons_can_be_left_out(export, tmp_path: Path) -> None:
    kept, _ = fit(export, tmp_path / "kept", "--short-abandon-s", "20")
    left, _ = fit(export, tmp_path / "left", "--short-abandon-s", "20", "--exclude-short-abandons")
    for document, excluded in ((kept, False), (left, True)):
        patience = document["channels"]["999"]["patience_s"]
        assert patience["excluded"] is excluded
        assert patience["short_s"] == 20.0
    # 999 patience is exponential (mean 180 s): about one abandon in ten within 20 s.
    short = kept["channels"]["999"]["patience_s"]["short_abandons"]
    assert short > 0
    kept_n = kept["channels"]["999"]["patience_s"]["n"]
    assert left["channels"]["999"]["patience_s"]["n"] == kept_n - short


def test_a_tiny_export_fits_what_it_can_and_says_what_it_cannot(tmp_path: Path) -> None:
    """The hand-written export of tests/fitting/exports.py: a few usable calls over five months.
    Talk times are not fitted from so few (the base's stay, and the notes say so); nothing
    breaks."""
    file, mapping = write_hand_export(tmp_path)
    document, _ = fit((file, mapping), tmp_path / "fit")
    notes = document["channels"]["999"]["notes"]
    assert any(note.startswith("talk_s:") and "the base's kept" in note for note in notes)
    base = load_scenario(None)
    scenario = load_scenario(tmp_path / "fit" / "scenario.toml")
    assert scenario.channels["999"].talk_s == base.channels["999"].talk_s
    assert document["rows"]["not_used"] > 0


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--timezone", "Mars/Olympus"], "error: --timezone: expected an IANA time zone"),
        (["--rota", "rota.txt"], "error: rota.txt: --rota: expected a rota file (.csv or .xlsx)"),
        (["--rota", "nowhere.csv"], "error: nowhere.csv: cannot be read"),
        (["--base", "nowhere.toml"], "error: nowhere.toml: no such scenario file"),
    ],
)
def test_bad_options_are_one_line_errors(export, tmp_path: Path, capsys, extra, expected) -> None:
    status = main(
        ["fit", str(export[0]), "--mapping", str(export[1]), "--out", str(tmp_path / "o"), *extra]
    )
    line = assert_one_line_error(capsys, status)
    assert line.startswith(expected), line


def test_an_export_with_no_usable_calls_is_a_one_line_error(tmp_path: Path, capsys) -> None:
    file, mapping = write_hand_export(tmp_path, rows=[",EMERGENCY,,26/10/2025 11:00:00,,,,,"])
    status = main(["fit", str(file), "--mapping", str(mapping), "--out", str(tmp_path / "o")])
    line = assert_one_line_error(capsys, status)
    assert line == (
        f"error: {file}: expected usable calls, found none of 1 rows (run fit-check for the "
        "reasons)"
    )


def test_a_base_without_a_channel_the_export_has_is_a_one_line_error(
    export, tmp_path: Path, capsys
) -> None:
    base = tmp_path / "only_999.toml"
    base.write_text('extends = "baseline"\n[channels.101]\ncalls_per_day = 0\n', encoding="utf-8")
    only = load_scenario(base)
    assert "101" in only.channels  # a channel with no calls is still a channel
    lacking = tmp_path / "lacking.toml"
    lacking.write_text(
        """\
[scenario]
name = "999 only"

[channels.999]
calls_per_day = 600
talk_s = { dist = "exponential", mean = 200 }

[[handlers]]
name = "desk"
skills = ["999"]
count = 5
""",
        encoding="utf-8",
    )
    status = main(
        ["fit", str(export[0]), "--mapping", str(export[1]), "--out", str(tmp_path / "o"),
         "--base", str(lacking)]
    )  # fmt: skip
    line = assert_one_line_error(capsys, status)
    assert line.startswith(f"error: {lacking}: expected a [channels] entry for every channel")
    assert "found none for 101 (" in line
