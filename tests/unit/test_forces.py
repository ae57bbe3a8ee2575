"""A room that takes several forces' calls (``[[forces]]``): merged and separate control rooms.

* exact traces with fixed durations: a force's handlers take only its calls; a pooled room
  answers the forces' calls first come first served; follow-up calls keep their force;
* the arrival process: each force's calls are a Poisson process at its share of the channel's
  rate, and a surge on one force raises only its calls (counts against their expectation);
* the scenario schema's one-line errors;
* the library's merging scenarios: the same callers in every arrangement (common random
  numbers), and KPIs per force that add up to the room's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats

from controlroom_sim.analysis.kpis import replication_kpis
from controlroom_sim.cli import main as cli
from controlroom_sim.config.loading import load_scenario
from controlroom_sim.config.schema import Scenario
from controlroom_sim.model import simulate
from controlroom_sim.model.arrivals import expected_count
from tests.helpers.paths import ROOT
from tests.helpers.traces import fixed

MERGING = ROOT / "scenarios" / "merging"


def room(handlers: list[dict[str, Any]], **extra: Any) -> Scenario:
    data: dict[str, Any] = {
        "scenario": {"name": "forces", "days": 1.0, "warmup_hours": 0.0, "cooldown_hours": 0.0},
        "channels": {
            "999": {"calls_per_day": 0, "talk_s": fixed(100.0)},
            "101": {"calls_per_day": 0, "talk_s": fixed(300.0)},
        },
        "forces": [
            {"name": "A", "share": {"999": 0.5, "101": 0.5}},
            {"name": "B", "share": {"999": 0.5, "101": 0.5}},
        ],
        "handlers": handlers,
    }
    data.update(extra)
    return Scenario.model_validate(data)


def trace(records: Any) -> list[tuple[str, str, float, float, int]]:
    calls = records.calls.sort_values("call_id")
    return [
        (str(c.channel), str(c.force), c.arrival_s, c.answered_s, int(c.handler_id))
        for c in calls.itertuples()
    ]


# --- exact traces ----------------------------------------------------------------------------


def test_separate_rooms_take_only_their_own_force() -> None:
    """A's handler is idle while B's caller waits for B's handler: rooms do not share."""
    sc = room(
        [
            {"name": "A room", "skills": ["999"], "forces": ["A"], "count": 1},
            {"name": "B room", "skills": ["999"], "forces": ["B"], "count": 1},
        ]
    )
    r = simulate(sc, arrival_times={"999.A": [0.0], "999.B": [10.0, 20.0]})
    ids = r.handlers.set_index("group")["handler_id"]
    a, b = int(ids["A room"]), int(ids["B room"])
    assert trace(r) == [
        ("999", "A", 0.0, 0.0, a),
        ("999", "B", 10.0, 10.0, b),
        ("999", "B", 20.0, 110.0, b),  # A's handler is free from 100 s but takes only A's calls
    ]


def test_pooled_room_answers_forces_first_come_first_served() -> None:
    """One handler taking both forces: the earliest waiting call first, whatever its force."""
    sc = room([{"name": "pooled", "skills": ["999"], "count": 1}])
    r = simulate(sc, arrival_times={"999.A": [0.0, 30.0], "999.B": [10.0]})
    h = int(r.handlers["handler_id"].iloc[0])
    assert trace(r) == [
        ("999", "A", 0.0, 0.0, h),
        ("999", "B", 10.0, 100.0, h),
        ("999", "A", 30.0, 200.0, h),
    ]


def test_priority_across_forces_999_before_101() -> None:
    """In a pooled room 999 comes first across forces: B's 999 call overtakes A's 101 call."""
    sc = room([{"name": "pooled", "skills": ["999", "101"], "count": 1}])
    r = simulate(sc, arrival_times={"999.A": [0.0], "101.A": [5.0], "999.B": [50.0]})
    h = int(r.handlers["handler_id"].iloc[0])
    assert trace(r) == [
        ("999", "A", 0.0, 0.0, h),
        ("101", "A", 5.0, 200.0, h),
        ("999", "B", 50.0, 100.0, h),
    ]


def test_redial_keeps_the_callers_force() -> None:
    """A B caller who abandons and redials is B's again, and only B's handler answers."""
    sc = Scenario.model_validate(
        {
            "scenario": {"name": "redial", "days": 1.0, "warmup_hours": 0.0, "cooldown_hours": 0},
            "channels": {
                "999": {
                    "calls_per_day": 0,
                    "talk_s": fixed(30.0),
                    "patience_s": fixed(20.0),
                    "redial_probability": 1.0,
                    "redial_delay_s": fixed(5.0),
                    "max_redials": 1,
                }
            },
            "forces": [{"name": "A", "share": {"999": 0.5}}, {"name": "B", "share": {"999": 0.5}}],
            "handlers": [
                {"name": "A room", "skills": ["999"], "forces": ["A"], "count": 1},
                {"name": "B room", "skills": ["999"], "forces": ["B"], "count": 1},
            ],
        }
    )
    r = simulate(sc, arrival_times={"999.B": [0.0, 1.0]})
    calls = r.calls.sort_values("call_id")
    # Call 1 (B) waits behind call 0, abandons at 21 s, redials at 26 s and is answered at
    # 30 s by B's handler, though A's handler has been idle all along.
    assert calls["force"].astype(str).tolist() == ["B", "B", "B"]
    assert calls["outcome"].astype(str).tolist() == ["answered", "abandoned", "answered"]
    assert calls["arrival_s"].tolist() == [0.0, 1.0, 26.0]
    assert calls["answered_s"].tolist()[2] == 30.0
    b = int(r.handlers.set_index("group").loc["B room", "handler_id"])
    assert calls["handler_id"].tolist()[2] == b


def test_no_forces_means_no_force_column() -> None:
    sc = Scenario.model_validate(
        {
            "scenario": {"name": "plain", "days": 0.1, "warmup_hours": 0.0},
            "channels": {"999": {"calls_per_day": 500, "talk_s": fixed(60.0)}},
            "handlers": [{"name": "h", "skills": ["999"], "count": 2}],
        }
    )
    r = simulate(sc)
    assert "force" not in r.calls.columns
    assert not any(k.endswith(("_A", "_B")) for k in replication_kpis(r, sc))


# --- arrivals --------------------------------------------------------------------------------


def poisson_ok(count: int, mean: float) -> bool:
    """``count`` inside the central 99.9% of a Poisson(mean) distribution."""
    lo, hi = stats.poisson.ppf([0.0005, 0.9995], mean)
    return lo <= count <= hi


def test_each_force_arrives_at_its_share_and_a_local_surge_stays_local() -> None:
    sc = Scenario.model_validate(
        {
            "scenario": {"name": "surge", "days": 2.0, "warmup_hours": 0.0, "cooldown_hours": 0},
            "channels": {"999": {"calls_per_day": 2000, "talk_s": fixed(1.0)}},
            "forces": [
                {"name": "A", "share": {"999": 0.2}},
                {"name": "B", "share": {"999": 0.8}},
            ],
            "handlers": [{"name": "h", "skills": ["999"], "count": 50}],
            "surges": [
                {
                    "channels": ["999"],
                    "forces": ["A"],
                    "day": 1,
                    "start": "06:00",
                    "hours": 6,
                    "multiplier": 4.0,
                }
            ],
        }
    )
    end = sc.end_s
    mean_a = expected_count(sc, "999", 0.0, end, force="A")
    mean_b = expected_count(sc, "999", 0.0, end, force="B")
    # A: 400 a day for 2 days, plus 3 × 100 extra in the 6-hour surge; B: 1,600 a day.
    assert mean_a == pytest.approx(400 * 2 + 3 * 400 * 6 / 24)
    assert mean_b == pytest.approx(1600 * 2)
    assert expected_count(sc, "999", 0.0, end) == pytest.approx(mean_a + mean_b)
    surge = (6 * 3600.0, 12 * 3600.0)
    inside_a = expected_count(sc, "999", *surge, force="A")
    assert inside_a == pytest.approx(4 * 400 * 6 / 24)
    for replication in range(3):
        calls = simulate(sc, replication).calls
        force = calls["force"].astype(str)
        assert poisson_ok(int((force == "A").sum()), mean_a)
        assert poisson_ok(int((force == "B").sum()), mean_b)
        in_surge = calls["arrival_s"].between(*surge, inclusive="left")
        assert poisson_ok(int(((force == "A") & in_surge).sum()), inside_a)
        assert poisson_ok(int(((force == "B") & in_surge).sum()), 1600 * 6 / 24)


# --- schema ----------------------------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "forces.toml"
    path.write_text(text)
    return path


BASE = """
[scenario]
name = "forces"
days = 0.05
warmup_hours = 0
replications = 1

[channels.999]
calls_per_day = 100
talk_s = {{ dist = "exponential", mean = 60 }}

{forces}

[[handlers]]
name = "h"
skills = ["999"]
count = 2
{handler}
{tail}
"""

FORCES = """
[[forces]]
name = "A"
share = { "999" = 0.4 }

[[forces]]
name = "B"
share = { "999" = 0.6 }
"""


@pytest.mark.parametrize(
    ("forces", "handler", "tail", "key", "expected"),
    [
        (FORCES.replace("0.6", "0.5"), "", "", "forces", "sum to 1, found 0.9"),
        (FORCES, 'forces = ["C"]', "", "handlers.0.forces.0", "expected the name of a force"),
        ("", 'forces = ["A"]', "", "handlers.0.forces", "expected [[forces]]"),
        (FORCES.replace('"B"', '"A"'), "", "", "forces.1.name", "unique name"),
        (FORCES.replace('"B"', '"B room"'), "", "", "forces.1.name", "should match pattern"),
        (
            FORCES.replace('{ "999" = 0.6 }', '{ "999" = 0.6, "101" = 1.0 }'),
            "",
            "",
            "forces.1.share.101",
            "expected a channel of the scenario",
        ),
        (FORCES, 'forces = ["A"]', "", "forces.1", "B's 999 calls"),
        (FORCES, 'forces = ["A", "A"]', "", "handlers.0.forces", "each force once"),
        (
            FORCES,
            "",
            '[[surges]]\nchannels = ["999"]\nforces = ["Z"]\nday = 1\nstart = "00:00"\n'
            "hours = 1\nmultiplier = 2.0",
            "surges.0.forces.0",
            "expected the name of a force",
        ),
    ],
)
def test_bad_forces_get_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    forces: str,
    handler: str,
    tail: str,
    key: str,
    expected: str,
) -> None:
    path = write(tmp_path, BASE.format(forces=forces, handler=handler, tail=tail))
    status = cli.main(["run", str(path), "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert status == 2
    assert len(err.splitlines()) == 1, err
    assert str(path) in err or path.name in err
    assert f": {key}: " in err, err
    assert expected in err, err
    assert not (tmp_path / "out").exists()


# --- the library's merging scenarios ---------------------------------------------------------


def short(name: str) -> Scenario:
    return load_scenario(MERGING / f"{name}.toml", ["scenario.days=0.5", "scenario.warmup_hours=2"])


def test_arrangements_have_the_same_callers_and_the_same_people() -> None:
    """Common random numbers: the three arrangements get identical first calls; the rooms'
    rotas add up to the pooled room's (same handler hours)."""
    scenarios = {name: short(name) for name in ("one_room", "two_rooms", "three_rooms")}
    first = {}
    for name, sc in scenarios.items():
        calls = simulate(sc, 0).calls
        firsts = calls[calls["origin"] == "first"]
        first[name] = firsts[["channel", "force", "arrival_s", "talk_s"]].reset_index(drop=True)
    # Talk time includes THRIVE sub-tasks, drawn at arrival: identical too.
    assert first["one_room"].equals(first["two_rooms"])
    assert first["one_room"].equals(first["three_rooms"])

    def hours(sc: Scenario) -> dict[str, float]:
        out: dict[str, float] = {}
        for g in sc.handlers:
            for skill in ("999", "101"):
                if skill in g.skills:
                    out[skill] = out.get(skill, 0.0) + sum(
                        s.count * s.hours for s in g.shifts or []
                    )
        return out

    assert hours(scenarios["one_room"]) == hours(scenarios["two_rooms"])
    assert hours(scenarios["one_room"]) == hours(scenarios["three_rooms"])


def test_force_kpis_add_up_and_rooms_keep_to_their_forces() -> None:
    sc = short("three_rooms")
    r = simulate(sc, 0)
    kpis = replication_kpis(r, sc)
    for channel in ("999", "101"):
        for count in ("offered", "answered", "abandoned"):
            total = sum(kpis[f"{count}_{channel}_{f}"] for f in sc.force_names)
            assert total == kpis[f"{count}_{channel}"]
    group_of = r.handlers.set_index("handler_id")["group"]
    answered = r.calls[r.calls["handler_id"] >= 0]
    groups = answered["handler_id"].map(group_of)
    forces = answered["force"].astype(str)
    for group, force in zip(groups, forces, strict=True):
        assert group.startswith(force), (group, force)
    # Offered shares of each force near its population share (0.25, 0.32, 0.43).
    offered = np.array([kpis[f"offered_999_{f}"] for f in sc.force_names])
    assert np.all(np.abs(offered / offered.sum() - [0.25, 0.3214, 0.4286]) < 0.06)


# --- one room of several: sizing a room that takes some forces' calls -------------------------


def test_only_forces_cuts_demand_handlers_and_surges_to_the_room() -> None:
    three = load_scenario(MERGING / "three_rooms.toml")
    beds = three.only_forces(["Bedfordshire"])
    assert beds.force_names == ("Bedfordshire",)
    assert beds.forces[0].share == {"999": 1.0, "101": 1.0}
    for channel in ("999", "101"):
        assert beds.channels[channel].calls_per_day == pytest.approx(
            three.channels[channel].calls_per_day * 0.25
        )
        # The weekly profile stays the channel's.
        assert beds.channels[channel].profile_weights == three.channels[channel].profile_weights
    assert [g.name for g in beds.handlers] == ["Bedfordshire 999 desk", "Bedfordshire contact"]
    two = load_scenario(MERGING / "two_rooms.toml").only_forces(["Cambridgeshire", "Hertfordshire"])
    # The Beds-and-Cambs room's groups now take Cambridgeshire's calls only.
    assert {g.name: g.forces for g in two.handlers} == {
        "Beds and Cambs 999 desk": ["Cambridgeshire"],
        "Beds and Cambs contact": ["Cambridgeshire"],
        "Hertfordshire 999 desk": ["Hertfordshire"],
        "Hertfordshire contact": ["Hertfordshire"],
    }
    shares = {f.name: f.share["999"] for f in two.forces}
    assert shares == pytest.approx({"Cambridgeshire": 0.9 / 2.1, "Hertfordshire": 1.2 / 2.1})
    with pytest.raises(KeyError):
        three.only_forces(["Kent"])


def test_staff_for_all_forces_is_the_pooled_room_and_rooms_need_more() -> None:
    """Erlang per interval: a room of every force is the pooled room itself; the three rooms
    sized one by one need more handler hours than the pooled room (the pooling effect)."""
    from controlroom_sim.planning import planner

    one = load_scenario(MERGING / "one_room.toml")
    every = planner.staff(one, forces=list(one.force_names), simulate=False)
    pooled = planner.staff(one, simulate=False)
    assert np.array_equal(every.erlang, pooled.erlang)
    rooms = [planner.staff(one, forces=[f], simulate=False) for f in one.force_names]
    separate = sum(r.hours()["erlang_hours"] for r in rooms)
    assert separate > pooled.hours()["erlang_hours"]
    # In every interval the separate rooms need at least as many as one room.
    assert np.all(sum(r.erlang for r in rooms) >= pooled.erlang)


@pytest.mark.parametrize(
    ("scenario", "forces", "expected"),
    [
        (str(MERGING / "one_room.toml"), "Kent", "--forces: expected names of Bedfordshire"),
        (None, "Kent", "--forces: expected a scenario with [[forces]], found none"),
    ],
)
def test_staff_forces_errors(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    scenario: str | None,
    forces: str,
    expected: str,
) -> None:
    argv = ["staff", *([scenario] if scenario else []), "--forces", forces, "--erlang-only"]
    status = cli.main([*argv, "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip()
    assert status == 2
    assert err.startswith("error: ") and expected in err and len(err.splitlines()) == 1
    assert not (tmp_path / "out").exists()
