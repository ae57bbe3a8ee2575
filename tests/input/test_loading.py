"""Tests for controlroom_sim.config.loading: what a scenario file, its ``extends`` chain, ``--set``
overrides and profile CSVs turn into.

Bad input (the one-line errors) is covered in ``test_bad_input.py``; this file pins the positive
behaviour, plus the two error cases whose point is *which* file gets named.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from controlroom_sim.cli.main import main
from controlroom_sim.config.distributions import Exponential, Fixed, LogNormal
from controlroom_sim.config.files import ScenarioError, builtin_baseline_path
from controlroom_sim.config.loading import load_scenario
from controlroom_sim.config.schema import Scenario
from controlroom_sim.config.vocabulary import INTERVALS_PER_WEEK, WEEKDAYS

MINIMAL = """\
[scenario]
name = "minimal"

[channels.999]
calls_per_day = 100
talk_s = { dist = "exponential", mean = 60 }

[[handlers]]
name = "contact"
skills = ["999"]
count = 2
"""

BASE = """\
[scenario]
name = "base"
description = "the base"
days = 0.05
warmup_hours = 0
replications = 1
seed = 7

[channels.999]
calls_per_day = 700
talk_s = { dist = "lognormal", mean = 330, sd = 160 }
patience_s = { dist = "exponential", mean = 180 }
redial_probability = 0.85

[channels.101]
calls_per_day = 1400
talk_s = { dist = "lognormal", mean = 420, sd = 240 }

[[handlers]]
name = "contact"
skills = ["999", "101"]
count = 12

[[handlers]]
name = "emergency"
skills = ["999"]
count = 3
"""

QUARTERS = [f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 15, 30, 45)]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def daily_csv(path: Path, weights: list[float]) -> Path:
    assert len(weights) == 96
    rows = "".join(f"{start},{w}\n" for start, w in zip(QUARTERS, weights, strict=True))
    return write(path, "start,weight\n" + rows)


def weekly_csv(path: Path, weights: list[float]) -> Path:
    assert len(weights) == INTERVALS_PER_WEEK
    cells = [(day, start) for day in WEEKDAYS for start in QUARTERS]
    rows = "".join(f"{d},{s},{w}\n" for (d, s), w in zip(cells, weights, strict=True))
    return write(path, "weekday,start,weight\n" + rows)


# -- a minimal file and its defaults ------------------------------------------------------------


def test_minimal_scenario_gets_the_documented_defaults(tmp_path: Path) -> None:
    """Every mechanism the file does not mention is off; run control has its defaults."""
    scenario = load_scenario(write(tmp_path / "minimal.toml", MINIMAL))

    assert isinstance(scenario, Scenario)
    run = scenario.scenario
    assert run.name == "minimal"
    assert run.description == ""
    assert run.days == 7.0
    assert run.warmup_hours == 24.0
    assert run.start_weekday == "monday"
    assert run.replications == 10
    assert run.seed == 1

    assert set(scenario.channels) == {"999"}  # an absent channel gets no calls
    channel = scenario.channels["999"]
    assert channel.calls_per_day == 100.0
    assert channel.talk_s == Exponential(dist="exponential", mean=60.0)
    assert channel.bt_connect_s is None  # no BT stage
    assert channel.patience_s is None  # nobody abandons
    assert channel.wrap_s is None
    assert channel.redial_probability == 0.0
    assert channel.abandon_to_999_probability == 0.0
    assert channel.answer_clock == "call"
    assert channel.profile is None
    assert channel.profile_weights is None  # flat
    assert scenario.channel_priority("999") == 0

    assert scenario.callback is None  # no callbacks
    assert scenario.surges == []
    assert scenario.provenance == {}
    (group,) = scenario.handlers
    assert group.count == 2
    assert group.shifts is None  # on duty around the clock


def test_flat_channel_rate_sums_to_the_weekly_volume(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path / "minimal.toml", MINIMAL))
    rate = scenario.channels["999"].rate_per_interval()
    assert rate.shape == (INTERVALS_PER_WEEK,)
    assert np.allclose(rate, rate[0])
    assert rate.sum() == pytest.approx(100 * 7 / 900)


# -- extends ------------------------------------------------------------------------------------


def test_extends_merges_tables_key_by_key(tmp_path: Path) -> None:
    write(tmp_path / "base.toml", BASE)
    child = write(
        tmp_path / "child.toml",
        """\
        extends = "base.toml"

        [scenario]
        name = "child"

        [channels.999]
        calls_per_day = 900
        """,
    )
    scenario = load_scenario(child)

    assert scenario.scenario.name == "child"
    # The rest of [scenario] and [channels.999] comes from the base.
    assert scenario.scenario.description == "the base"
    assert scenario.scenario.seed == 7
    assert scenario.scenario.days == 0.05
    c999 = scenario.channels["999"]
    assert c999.calls_per_day == 900.0
    assert c999.talk_s == LogNormal(dist="lognormal", mean=330.0, sd=160.0)
    assert c999.patience_s == Exponential(dist="exponential", mean=180.0)
    assert c999.redial_probability == 0.85
    # Tables the child does not mention are inherited whole.
    assert scenario.channels["101"].calls_per_day == 1400.0
    assert [g.name for g in scenario.handlers] == ["contact", "emergency"]


def test_extends_replaces_a_distribution_whole(tmp_path: Path) -> None:
    """A distribution is a value: a variant that gives one changes its family, and the base's
    parameters of another family are not left behind (a lognormal's sd under an exponential);
    one that gives only some parameters, with no ``dist``, still changes only those."""
    write(tmp_path / "base.toml", BASE)
    child = write(
        tmp_path / "child.toml",
        """\
        extends = "base.toml"

        [channels.999]
        talk_s = { dist = "exponential", mean = 250 }
        patience_s = { dist = "fixed", value = 90 }
        """,
    )
    c999 = load_scenario(child).channels["999"]
    assert c999.talk_s == Exponential(dist="exponential", mean=250.0)
    assert c999.patience_s == Fixed(dist="fixed", value=90.0)
    partial = write(
        tmp_path / "partial.toml",
        """\
        extends = "base.toml"

        [channels.999]
        talk_s = { sd = 100 }
        """,
    )
    assert load_scenario(partial).channels["999"].talk_s == LogNormal(
        dist="lognormal", mean=330.0, sd=100.0
    )


def test_extends_replaces_arrays_of_tables_wholesale(tmp_path: Path) -> None:
    write(tmp_path / "base.toml", BASE)
    child = write(
        tmp_path / "child.toml",
        """\
        extends = "base.toml"

        [[handlers]]
        name = "single"
        skills = ["999", "101"]
        shifts = [{ start = "07:00", hours = 10, count = 20 }]
        """,
    )
    scenario = load_scenario(child)

    (group,) = scenario.handlers  # not merged with the base's two groups
    assert group.name == "single"
    assert group.count is None
    assert group.shifts is not None and group.shifts[0].count == 20


def test_extends_distribution_table_merges_parameters(tmp_path: Path) -> None:
    """A distribution is a table too: the child may change one parameter of it."""
    write(tmp_path / "base.toml", BASE)
    child = write(
        tmp_path / "child.toml",
        """\
        extends = "base.toml"
        [channels.999.talk_s]
        sd = 100
        """,
    )
    talk = load_scenario(child).channels["999"].talk_s
    assert talk == LogNormal(dist="lognormal", mean=330.0, sd=100.0)


def test_extends_chain_of_two(tmp_path: Path) -> None:
    write(tmp_path / "base.toml", BASE)
    write(
        tmp_path / "middle.toml",
        """\
        extends = "base.toml"
        [scenario]
        name = "middle"
        seed = 11
        [channels.101]
        calls_per_day = 1000
        """,
    )
    top = write(
        tmp_path / "sub" / "top.toml",
        """\
        extends = "../middle.toml"
        [scenario]
        name = "top"
        [channels.999]
        calls_per_day = 500
        """,
    )
    scenario = load_scenario(top)

    assert scenario.scenario.name == "top"  # top wins
    assert scenario.scenario.seed == 11  # from the middle
    assert scenario.scenario.description == "the base"  # from the base
    assert scenario.channels["999"].calls_per_day == 500.0
    assert scenario.channels["999"].redial_probability == 0.85
    assert scenario.channels["101"].calls_per_day == 1000.0
    assert len(scenario.handlers) == 2


def test_extends_is_relative_to_the_file_not_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "scenarios" / "base.toml", BASE)
    child = write(tmp_path / "scenarios" / "child.toml", 'extends = "base.toml"\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert load_scenario(child).scenario.name == "base"


def test_profile_path_in_a_base_file_is_relative_to_the_base_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    weights = [1.0] * 48 + [3.0] * 48
    daily_csv(tmp_path / "bases" / "profiles" / "day.csv", weights)
    write(
        tmp_path / "bases" / "base.toml",
        BASE.replace(
            "calls_per_day = 700\n", 'calls_per_day = 700\nprofile = "profiles/day.csv"\n'
        ),
    )
    child = write(
        tmp_path / "variants" / "child.toml",
        """\
        extends = "../bases/base.toml"
        [scenario]
        name = "child"
        """,
    )
    monkeypatch.chdir(tmp_path / "variants")  # no profiles/ here
    channel = load_scenario(child).channels["999"]

    assert channel.profile is not None
    assert Path(channel.profile) == (tmp_path / "bases" / "profiles" / "day.csv").resolve()
    assert channel.profile_weights == tuple(weights * 7)


@pytest.mark.parametrize(
    "child_text",
    [
        pytest.param(
            'extends = "base.toml"\n[scenario]\nname = "child"\n'
            '[channels.101]\ntalk_s = { dist = "fixed", value = 400 }\n',
            id="child-sets-siblings",
        ),
        pytest.param(
            'extends = "base.toml"\n',
            id="child-only-extends",
        ),
        pytest.param(
            'extends = "base.toml"\n[channels.101]\n',
            id="child-empty-table",
        ),
    ],
)
def test_bad_value_in_a_base_file_names_the_base_file(tmp_path: Path, child_text: str) -> None:
    base = write(tmp_path / "base.toml", BASE.replace("calls_per_day = 1400", "calls_per_day = -3"))
    child = write(tmp_path / "child.toml", child_text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    message = str(info.value)
    assert "\n" not in message
    assert "expected a number >= 0" in message
    assert "found -3" in message
    assert message.startswith(f"{base}: channels.101.calls_per_day: "), message


def test_bad_value_set_in_the_child_names_the_child(tmp_path: Path) -> None:
    write(tmp_path / "base.toml", BASE)
    child = write(
        tmp_path / "child.toml",
        """\
        extends = "base.toml"
        [channels.999]
        redial_probability = 1.5
        """,
    )
    with pytest.raises(ScenarioError, match=r"child\.toml: channels\.999\.redial_probability: "):
        load_scenario(child)


def test_child_can_repair_a_bad_base_value(tmp_path: Path) -> None:
    write(tmp_path / "base.toml", BASE.replace("calls_per_day = 1400", "calls_per_day = -3"))
    child = write(
        tmp_path / "child.toml",
        """\
        extends = "base.toml"
        [channels.101]
        calls_per_day = 10
        """,
    )
    assert load_scenario(child).channels["101"].calls_per_day == 10.0


# -- --set overrides ----------------------------------------------------------------------------


@pytest.fixture
def base_file(tmp_path: Path) -> Path:
    return write(tmp_path / "base.toml", BASE)


def test_set_nested_keys(base_file: Path) -> None:
    scenario = load_scenario(
        base_file,
        ["channels.999.calls_per_day=900", "scenario.seed=42", "channels.999.talk_s.sd=10"],
    )
    assert scenario.channels["999"].calls_per_day == 900.0
    assert scenario.scenario.seed == 42
    assert scenario.channels["999"].talk_s == LogNormal(dist="lognormal", mean=330.0, sd=10.0)
    # Siblings are untouched.
    assert scenario.channels["999"].redial_probability == 0.85
    assert scenario.channels["101"].calls_per_day == 1400.0


def test_set_list_index(base_file: Path) -> None:
    scenario = load_scenario(base_file, ["handlers.0.count=14", "handlers.1.name=backup"])
    assert [(g.name, g.count) for g in scenario.handlers] == [("contact", 14), ("backup", 3)]


@pytest.mark.parametrize(
    ("override", "read"),
    [
        ("scenario.days=0.5", lambda s: s.scenario.days == 0.5),
        ("scenario.replications=3", lambda s: s.scenario.replications == 3),
        ('scenario.name="quoted name"', lambda s: s.scenario.name == "quoted name"),
        ("scenario.name=plain-text", lambda s: s.scenario.name == "plain-text"),
        ("scenario.start_weekday=friday", lambda s: s.scenario.start_weekday == "friday"),
        ("channels.999.calls_per_day=1e3", lambda s: s.channels["999"].calls_per_day == 1000.0),
        ('handlers.1.skills=["101"]', lambda s: s.handlers[1].skills == ["101"]),
        (
            'channels.999.patience_s={dist="fixed",value=30}',
            lambda s: s.channels["999"].patience_s == Fixed(dist="fixed", value=30.0),
        ),
        (
            'channels.999.bt_connect_s = { dist = "lognormal", mean = 5, sd = 3 }',
            lambda s: (
                s.channels["999"].bt_connect_s == LogNormal(dist="lognormal", mean=5.0, sd=3.0)
            ),
        ),
        (
            'handlers=[{name="solo",skills=["999","101"],count=9}]',
            lambda s: [(g.name, g.count) for g in s.handlers] == [("solo", 9)],
        ),
    ],
    ids=[
        "float",
        "int",
        "quoted-string",
        "bare-string",
        "bare-literal",
        "exponent",
        "array",
        "inline-table",
        "inline-table-spaces",
        "replace-array",
    ],
)
def test_set_reads_toml_values(
    base_file: Path, override: str, read: Callable[[Scenario], bool]
) -> None:
    assert read(load_scenario(base_file, [override]))


def test_set_replaces_a_distribution_table_rather_than_merging(base_file: Path) -> None:
    """An inline table given with --set is the whole new value: no parameter of the old
    exponential patience survives into the fixed one (which would be an unknown key)."""
    scenario = load_scenario(base_file, ['channels.999.patience_s={dist="fixed",value=30}'])
    assert scenario.channels["999"].patience_s == Fixed(dist="fixed", value=30.0)


def test_set_can_add_a_table_the_file_lacks(base_file: Path) -> None:
    scenario = load_scenario(base_file, ["callback.accept_probability=0.35"])
    assert scenario.callback is not None
    assert scenario.callback.enabled is True
    assert scenario.callback.accept_probability == 0.35


def test_set_applies_in_order_after_extends(tmp_path: Path) -> None:
    write(tmp_path / "base.toml", BASE)
    child = write(tmp_path / "child.toml", 'extends = "base.toml"\n[scenario]\nseed = 3\n')
    scenario = load_scenario(child, ["scenario.seed=4", "scenario.seed=5"])
    assert scenario.scenario.seed == 5


def test_set_profile_is_relative_to_the_working_directory(
    base_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    daily_csv(tmp_path / "cwd" / "day.csv", [1.0] * 95 + [5.0])
    monkeypatch.chdir(tmp_path / "cwd")
    channel = load_scenario(base_file, ["channels.999.profile=day.csv"]).channels["999"]
    assert channel.profile_weights is not None
    assert channel.profile_weights[95] == 5.0


def test_set_does_not_change_the_file(base_file: Path) -> None:
    before = base_file.read_text(encoding="utf-8")
    load_scenario(base_file, ["channels.999.calls_per_day=1"])
    assert base_file.read_text(encoding="utf-8") == before
    assert load_scenario(base_file).channels["999"].calls_per_day == 700.0


def test_cli_run_applies_set_and_writes_results(base_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    status = main(
        [
            "run",
            str(base_file),
            "--out",
            str(out),
            "--replications",
            "1",
            "--quiet",
            "--set",
            "scenario.name=overridden",
            "--set",
            "channels.999.calls_per_day=200",
        ]
    )
    assert status == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["scenario"] == "overridden"
    assert summary["replications"] == 1
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scenario_resolved"]["channels"]["999"]["calls_per_day"] == 200.0


# -- profile CSVs -------------------------------------------------------------------------------


def _with_profile(tmp_path: Path, csv_name: str, calls_per_day: float = 700) -> Path:
    return write(
        tmp_path / "scenario.toml",
        BASE.replace(
            "calls_per_day = 700\n",
            f'calls_per_day = {calls_per_day}\nprofile = "{csv_name}"\n',
        ),
    )


def test_daily_profile_gives_672_weights_repeated_each_day(tmp_path: Path) -> None:
    weights = [float(i % 7 + 1) for i in range(96)]
    daily_csv(tmp_path / "day.csv", weights)
    channel = load_scenario(_with_profile(tmp_path, "day.csv", 650)).channels["999"]

    assert channel.profile_weights is not None
    assert len(channel.profile_weights) == INTERVALS_PER_WEEK
    assert channel.profile_weights == tuple(weights * 7)
    rate = channel.rate_per_interval()
    assert rate.shape == (INTERVALS_PER_WEEK,)
    assert rate.sum() == pytest.approx(650 * 7 / 900)
    # Only the shape matters: the rates are in proportion to the weights.
    assert rate[1] / rate[0] == pytest.approx(weights[1] / weights[0])


def test_weekly_profile_gives_672_weights_monday_first(tmp_path: Path) -> None:
    weights = [float(i + 1) for i in range(INTERVALS_PER_WEEK)]
    weekly_csv(tmp_path / "week.csv", weights)
    channel = load_scenario(_with_profile(tmp_path, "week.csv")).channels["999"]

    assert channel.profile_weights == tuple(weights)
    rate = channel.rate_per_interval()
    assert rate.sum() == pytest.approx(700 * 7 / 900)
    assert rate[-1] / rate[0] == pytest.approx(INTERVALS_PER_WEEK)  # Sunday 23:45 / Monday 00:00


def test_weekly_profile_rows_may_come_in_any_order(tmp_path: Path) -> None:
    weights = [float(i + 1) for i in range(INTERVALS_PER_WEEK)]
    weekly_csv(tmp_path / "week.csv", weights)
    lines = (tmp_path / "week.csv").read_text(encoding="utf-8").splitlines()
    shuffled = [lines[0], *reversed(lines[1:])]
    (tmp_path / "week.csv").write_text("\n".join(shuffled) + "\n", encoding="utf-8")
    channel = load_scenario(_with_profile(tmp_path, "week.csv")).channels["999"]
    assert channel.profile_weights == tuple(weights)


def test_profile_with_bom_header_case_and_blank_lines(tmp_path: Path) -> None:
    """A CSV saved by a spreadsheet: UTF-8 BOM, capitalised header, CRLF, trailing blank line."""
    rows = "".join(f"{start}, 2\r\n" for start in QUARTERS)
    (tmp_path / "day.csv").write_bytes(("\ufeffStart,Weight\r\n" + rows + "\r\n").encode("utf-8"))
    channel = load_scenario(_with_profile(tmp_path, "day.csv")).channels["999"]
    assert channel.profile_weights == (2.0,) * INTERVALS_PER_WEEK


# -- built-in baseline --------------------------------------------------------------------------


def test_load_scenario_none_is_the_builtin_baseline() -> None:
    path = builtin_baseline_path()
    if not path.is_file():
        pytest.skip(f"{path} does not exist yet")
    scenario = load_scenario(None)
    assert scenario == load_scenario(path)
    assert scenario.scenario.name
    assert {"999", "101"} <= set(scenario.channels)
    for name, channel in scenario.channels.items():
        rate = channel.rate_per_interval()
        assert rate.shape == (INTERVALS_PER_WEEK,)
        assert rate.sum() == pytest.approx(channel.calls_per_day * 7 / 900), name


# -- provenance ---------------------------------------------------------------------------------


def test_provenance_naming_parameters_is_accepted(tmp_path: Path) -> None:
    file = write(
        tmp_path / "scenario.toml",
        BASE
        + """
[provenance]
"channels.999.calls_per_day" = "public figure: force annual report"
"channels.999.talk_s.mean" = "seed: inspection report"
"handlers.0.count" = "assumption"
"scenario" = "assumption"
""",
    )
    provenance = load_scenario(file).provenance
    assert provenance["handlers.0.count"] == "assumption"
    assert len(provenance) == 4


@pytest.mark.parametrize(
    "key",
    ["channels.999.calls_per_dya", "channels.998.calls_per_day", "handlers.5.count", "nothing"],
)
def test_provenance_naming_no_parameter_is_rejected(tmp_path: Path, key: str) -> None:
    file = write(tmp_path / "scenario.toml", BASE + f'\n[provenance]\n"{key}" = "assumption"\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(file)
    message = str(info.value)
    assert message.startswith(f"{file}: provenance.{key}: expected ")
    assert "found" in message
    assert "\n" not in message


def test_provenance_error_in_a_base_file_names_the_base_file(tmp_path: Path) -> None:
    base = write(tmp_path / "base.toml", BASE + '\n[provenance]\n"nothing.here" = "assumption"\n')
    child = write(tmp_path / "child.toml", 'extends = "base.toml"\n[scenario]\nname = "c"\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    assert str(info.value).startswith(f"{base}: provenance.nothing.here: ")


def test_scenario_error_is_a_value_error() -> None:
    """Callers of the Python API can catch it as a ValueError."""
    assert issubclass(ScenarioError, ValueError)


def test_a_set_that_replaces_an_array_drops_the_provenance_under_it() -> None:
    """As with extends: the baseline's provenance of its support workers goes with them."""
    base = load_scenario(None)
    assert any(k.startswith("support_workers.0.") for k in base.provenance)
    scenario = load_scenario(None, ["support_workers=[]"])
    assert scenario.support_workers == []
    assert not any(k.startswith("support_workers") for k in scenario.provenance)
    assert (
        scenario.provenance["channels.999.calls_per_day"]
        == base.provenance["channels.999.calls_per_day"]
    )
