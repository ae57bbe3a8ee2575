"""Hypothesis strategies of valid scenarios, shared by the property tests in
tests/properties.

``scenarios()`` draws call handling only (see test_properties.py for what it covers);
``dispatch_scenario_data()`` (and ``dispatch_scenarios``, ``simple_scenarios``) add call types,
grading, dispatch, officers, dispatchers and support workers (see test_dispatch_properties.py).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import strategies as st

from controlroom_sim.config.distributions import DIST_NAMES
from controlroom_sim.config.schema import Scenario
from controlroom_sim.config.vocabulary import RESPONSE_GRADES, RISK_LEVELS, WEEKDAYS

CHANNELS = ("999", "101")


# --- the call side (test_properties.py) ---------------------------------------------------------


def _floats(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


@st.composite
def _spread(draw: st.DrawFn, lo: float, hi: float) -> float:
    """A float in [lo, hi], spread evenly over its orders of magnitude (plain float draws
    crowd at the bounds)."""
    edges = np.geomspace(lo, hi, 5)
    k = draw(st.integers(0, 3))
    return min(hi, max(lo, edges[k] + (edges[k + 1] - edges[k]) * draw(_floats(0.0, 1.0))))


probabilities = st.one_of(st.sampled_from([0.0, 1.0]), _floats(0.0, 1.0))
# Including subnormal ones: see test_tiny_callback_success_probability_does_not_crash.
success_probabilities = st.one_of(st.sampled_from([0.0, 1.0, 1e-320]), _floats(0.0, 1.0))


@st.composite
def distributions(draw: st.DrawFn, lo: float, hi: float) -> dict[str, Any]:
    """Any distribution of the vocabulary, with a mean roughly in [lo, hi] seconds."""
    kind = draw(st.sampled_from(DIST_NAMES))
    if kind == "exponential":
        return {"dist": kind, "mean": draw(_floats(max(lo, 0.01), hi))}
    if kind in ("lognormal", "gamma"):
        mean = draw(_floats(max(lo, 0.01), hi))
        return {"dist": kind, "mean": mean, "sd": mean * draw(_floats(0.1, 2.0))}
    if kind == "fixed":
        return {"dist": kind, "value": draw(st.one_of(st.just(0.0), _floats(lo, hi)))}
    if kind == "uniform":
        low = draw(_floats(0.0, hi))
        return {"dist": kind, "low": low, "high": low + draw(_floats(0.5, hi))}
    if kind == "triangular":
        low = draw(_floats(0.0, hi))
        width = draw(_floats(0.5, hi))
        mode = low + width * draw(_floats(0.0, 1.0))
        return {"dist": kind, "low": low, "mode": mode, "high": low + width}
    values = draw(st.lists(st.one_of(st.just(0.0), _floats(lo, hi)), min_size=1, max_size=5))
    return {"dist": kind, "values": values}


def _maybe(
    draw: st.DrawFn, spec: dict[str, Any], key: str, strategy: st.SearchStrategy, odds: int = 1
) -> None:
    """Set ``spec[key]`` to a draw (``odds`` to 1 on), or leave the key out (the schema
    default applies). Shrinks towards leaving it out."""
    if draw(st.integers(0, odds)) > 0:
        spec[key] = draw(strategy)


@st.composite
def channel_specs(draw: st.DrawFn, name: str, with_999: bool) -> dict[str, Any]:
    busy = draw(st.integers(0, 9)) > 0  # now and then a channel with no calls at all
    spec: dict[str, Any] = {"calls_per_day": draw(_spread(100.0, 4000.0)) if busy else 0.0}
    spec["talk_s"] = draw(distributions(5.0, 600.0))
    _maybe(draw, spec, "priority", st.integers(0, 2))
    _maybe(draw, spec, "bt_connect_s", distributions(0.5, 30.0))
    _maybe(draw, spec, "answer_clock", st.sampled_from(["call", "force"]))
    _maybe(draw, spec, "wrap_s", distributions(0.0, 120.0))
    _maybe(draw, spec, "patience_s", distributions(1.0, 600.0), odds=3)
    _maybe(draw, spec, "redial_probability", probabilities, odds=3)
    _maybe(draw, spec, "redial_delay_s", distributions(1.0, 300.0))
    _maybe(draw, spec, "max_redials", st.integers(0, 3))
    if name == "101" and with_999:
        room = 1.0 - spec.get("redial_probability", 0.0)
        _maybe(
            draw,
            spec,
            "abandon_to_999_probability",
            st.sampled_from([0.0, room]) | _floats(0, room),
            odds=3,
        )
        _maybe(draw, spec, "abandon_to_999_delay_s", distributions(1.0, 120.0))
    if draw(st.integers(0, 4)) == 0:
        # A profile as the loader would fill it in: a daily pattern of a few levels.
        levels = draw(st.lists(_floats(0.0, 5.0), min_size=1, max_size=8))
        levels[0] = max(levels[0], 0.5)
        spec["profile_weights"] = tuple(
            float(levels[(i % 96) * len(levels) // 96]) for i in range(7 * 96)
        )
    return spec


def _clock(draw: st.DrawFn, hours: st.SearchStrategy[int]) -> str:
    return f"{draw(hours):02d}:{draw(st.sampled_from([0, 15, 30, 45])):02d}"


@st.composite
def break_specs(draw: st.DrawFn, hours: float) -> dict[str, Any]:
    minutes = draw(st.sampled_from([m for m in (5, 10, 15, 20, 30, 45, 60) if m <= hours * 60]))
    # Quarter hours keep after + spread + minutes / 60 <= hours exact in floating point.
    room = math.floor((hours - minutes / 60.0) * 4)
    after = draw(st.integers(0, room))
    spread = draw(st.integers(0, room - after))
    spec: dict[str, Any] = {"after_hours": after / 4.0, "minutes": float(minutes)}
    if spread or draw(st.booleans()):
        spec["spread_hours"] = spread / 4.0
    return spec


@st.composite
def shift_specs(draw: st.DrawFn) -> dict[str, Any]:
    hours = draw(st.integers(4, 48)) / 4.0
    spec: dict[str, Any] = {
        "start": _clock(draw, st.integers(0, 23)),
        "hours": hours,
        "count": draw(st.integers(0, 3)),
    }
    _maybe(
        draw,
        spec,
        "days",
        st.sampled_from(["daily", "weekdays", "weekends"])
        | st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True),
    )
    _maybe(draw, spec, "breaks", st.lists(break_specs(hours), min_size=1, max_size=2))
    return spec


@st.composite
def handler_groups(
    draw: st.DrawFn, name: str, required: list[str], staffed: bool
) -> dict[str, Any]:
    """A group with at least the ``required`` skills; ``staffed``: headcount > 0."""
    extra = draw(st.lists(st.sampled_from(CHANNELS), unique=True, max_size=2))
    skills = required + [s for s in extra if s not in required]
    if not skills:
        skills = [draw(st.sampled_from(CHANNELS))]
    skills = draw(st.permutations(skills))
    spec: dict[str, Any] = {"name": name, "skills": skills}
    if draw(st.booleans()):
        spec["count"] = draw(st.integers(1 if staffed else 0, 5))
        return spec
    shifts = draw(st.lists(shift_specs(), min_size=1, max_size=3))
    if staffed and sum(s["count"] for s in shifts) == 0:
        shifts[0]["count"] = draw(st.integers(1, 3))
    spec["shifts"] = shifts
    return spec


@st.composite
def callback_specs(draw: st.DrawFn) -> dict[str, Any]:
    spec: dict[str, Any] = {"accept_probability": draw(probabilities)}
    _maybe(draw, spec, "enabled", st.booleans())
    _maybe(draw, spec, "offer_after_wait_s", st.just(0.0) | _floats(0.0, 300.0))
    _maybe(draw, spec, "offer_rule", st.sampled_from(["waited", "predicted"]))
    _maybe(draw, spec, "attempt_success_probability", success_probabilities)
    _maybe(draw, spec, "max_attempts", st.integers(1, 3))
    _maybe(draw, spec, "attempt_s", distributions(1.0, 60.0))
    _maybe(draw, spec, "retry_after_s", distributions(1.0, 900.0))
    return spec


@st.composite
def surge_specs(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "channels": draw(st.lists(st.sampled_from(CHANNELS), min_size=1, max_size=2, unique=True)),
        "day": draw(st.integers(1, 2)),
        "start": _clock(draw, st.integers(0, 13)),
        "hours": draw(_floats(0.25, 6.0)),
        "multiplier": draw(st.just(0.0) | _floats(0.0, 3.0)),
    }


def _covering_groups(
    draw: st.DrawFn, names: tuple[str, ...], channels: dict[str, Any], n_groups: int
) -> list[dict[str, Any]]:
    """``n_groups`` handler groups; every channel with calls gets a group with its skill and
    someone on it."""
    needing = [n for n in names if channels[n]["calls_per_day"] > 0]
    cover = {n: draw(st.integers(0, n_groups - 1)) for n in needing}
    groups = []
    for i in range(n_groups):
        required = [n for n in needing if cover[n] == i]
        staffed = bool(required) or (i == 0 and not needing)
        groups.append(draw(handler_groups(f"group{i}", required, staffed)))
    return groups


def _scenario_section(draw: st.DrawFn, name: str) -> dict[str, Any]:
    """The [scenario] table: under a day, warm-up and cool-down of a few hours or none, any
    start weekday, one replication, any seed."""
    return {
        "name": name,
        "days": draw(_spread(0.05, 0.5)),
        "warmup_hours": draw(st.just(0.0) | _floats(0.0, 2.0)),
        "cooldown_hours": draw(st.just(0.0) | _floats(0.0, 1.0)),
        "start_weekday": draw(st.sampled_from(WEEKDAYS)),
        "replications": 1,
        "seed": draw(st.integers(0, 2**63 - 1)),
    }


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """A small valid scenario: at most a few thousand calls, under a day of simulated time."""
    names = draw(st.sampled_from([("999",), ("101",), ("999", "101"), ("101", "999")]))
    channels = {name: draw(channel_specs(name, "999" in names)) for name in names}
    groups = _covering_groups(draw, names, channels, draw(st.integers(1, 3)))
    data: dict[str, Any] = {
        "scenario": _scenario_section(draw, "property"),
        "channels": channels,
        "handlers": groups,
    }
    _maybe(draw, data, "callback", callback_specs(), odds=2)
    _maybe(draw, data, "surges", st.lists(surge_specs(), max_size=2))
    return Scenario.model_validate(data)


replications = st.integers(0, 3)


# --- call types and dispatch (test_dispatch_properties.py) -------------------------------------


def _exact_shares(draw: st.DrawFn, n: int) -> list[float]:
    """``n`` probabilities (some exactly 0, sometimes one exactly 1) that sum to 1: normalised
    weights with the largest fixed up so the sum is 1 up to rounding."""
    weights = draw(
        st.lists(st.just(0.0) | st.just(1.0) | _floats(0.0, 1.0), min_size=n, max_size=n)
    )
    if sum(weights) <= 0.0:
        weights[draw(st.integers(0, n - 1))] = 1.0
    total = sum(weights)
    shares = [w / total for w in weights]
    top = int(np.argmax(shares))
    shares[top] = 0.0
    shares[top] = 1.0 - sum(shares)
    return shares


@st.composite
def call_type_specs(draw: st.DrawFn, channels: tuple[str, ...]) -> list[dict[str, Any]]:
    n = draw(st.integers(2, 4))
    shares = {name: _exact_shares(draw, n) for name in channels}
    types = []
    for i in range(n):
        share = {
            name: shares[name][i] for name in channels if shares[name][i] > 0 or draw(st.booleans())
        }
        if not share:
            share = {channels[0]: shares[channels[0]][i]}
        levels = draw(st.permutations(RISK_LEVELS))[: draw(st.integers(1, 4))]
        risk = dict(zip(levels, _exact_shares(draw, len(levels)), strict=True))
        spec: dict[str, Any] = {"name": f"type{i}", "share": share, "risk": risk}
        _maybe(draw, spec, "vulnerable_probability", probabilities)
        _maybe(draw, spec, "repeat_victim_probability", probabilities)
        _maybe(draw, spec, "refer_probability", probabilities)
        types.append(spec)
    return types


@st.composite
def thrive_specs(draw: st.DrawFn) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    for name in ("repeat_check", "vulnerability_check", "risk_assessment", "advice"):
        if draw(st.integers(0, 2)) > 0:
            check: dict[str, Any] = {"time_s": draw(distributions(1.0, 120.0))}
            _maybe(draw, check, "skip_probability", probabilities, odds=3)
            spec[name] = check
    _maybe(draw, spec, "miss_probability", probabilities)
    return spec


@st.composite
def rota_groups(draw: st.DrawFn, name: str, most: int) -> dict[str, Any]:
    """A rota group (officers, dispatchers, support workers): mostly a count (around the
    clock), sometimes shifts with breaks."""
    if draw(st.integers(0, 2)) > 0:
        return {"name": name, "count": draw(st.integers(0, most))}
    return {"name": name, "shifts": draw(st.lists(shift_specs(), min_size=1, max_size=2))}


@st.composite
def staffed_groups(draw: st.DrawFn, prefix: str, most: int) -> list[dict[str, Any]]:
    """One or two rota groups with someone in them."""
    groups = [draw(rota_groups(f"{prefix}{i}", most)) for i in range(draw(st.integers(1, 2)))]
    first = groups[0]
    if "count" in first:
        first["count"] = max(first["count"], 1)
    elif sum(s["count"] for s in first["shifts"]) == 0:
        first["shifts"][0]["count"] = draw(st.integers(1, 3))
    return groups


@st.composite
def dispatch_specs(draw: st.DrawFn, with_101: bool, simple: bool) -> dict[str, Any]:
    """A [dispatch] section; ``simple``: no diversion, appointments or reassessment."""
    spec: dict[str, Any] = {
        "travel_s": draw(distributions(0.0, 1200.0)),
        "on_scene_s": {g: draw(distributions(0.0, 3600.0)) for g in RESPONSE_GRADES},
    }
    _maybe(draw, spec, "rural_share", probabilities)
    if spec.get("rural_share", 0.0) > 0 or draw(st.booleans()):
        spec["rural_travel_s"] = draw(distributions(0.0, 2400.0))
    targets = st.dictionaries(st.sampled_from(RESPONSE_GRADES), _floats(1.0, 240.0), max_size=3)
    _maybe(draw, spec, "targets_min", targets, odds=2)
    _maybe(draw, spec, "rural_targets_min", targets, odds=2)
    _maybe(draw, spec, "escalation_per_hour", st.just(0.0) | _spread(0.01, 20.0))
    _maybe(
        draw,
        spec,
        "suppression",
        st.fixed_dictionaries(
            {"backlog_threshold": st.integers(0, 5), "share": probabilities},
            optional={"enabled": st.booleans()},
        ),
    )
    if with_101:
        _maybe(
            draw,
            spec,
            "failure_demand",
            st.fixed_dictionaries(
                {},
                optional={
                    "after_wait_hours": _spread(0.01, 2.0),
                    "waiting_probability": probabilities,
                    "resolved_probability": probabilities,
                    "resolved_delay_s": distributions(0.0, 3600.0),
                },
            ),
        )
    if not simple:
        _maybe(draw, spec, "divert", st.booleans(), odds=3)
        _maybe(
            draw,
            spec,
            "appointments",
            st.fixed_dictionaries(
                {"per_slot": st.integers(1, 3)},
                optional={
                    "earliest_hours": st.just(0.0) | _floats(0.0, 2.0),
                    "slot_hours": _spread(0.05, 2.0),
                    "target_hours": _spread(0.05, 2.0),
                },
            ),
        )
        _maybe(
            draw,
            spec,
            "reassessment",
            st.fixed_dictionaries(
                {"every_hours": _spread(0.05, 2.0)},
                optional={"review_s": distributions(1.0, 600.0)},
            ),
        )
    return spec


@st.composite
def support_specs(draw: st.DrawFn, type_names: list[str]) -> list[dict[str, Any]]:
    groups = []
    for i in range(draw(st.integers(1, 2))):
        group = draw(rota_groups(f"support{i}", 2))
        if group.get("count") == 0 and draw(st.integers(0, 3)) > 0:
            group["count"] = 1
        group["call_types"] = draw(
            st.lists(st.sampled_from(type_names), min_size=1, max_size=len(type_names), unique=True)
        )
        group["talk_s"] = draw(distributions(1.0, 3600.0))
        _maybe(draw, group, "handover_s", distributions(0.0, 120.0))
        _maybe(draw, group, "attendance_probability", probabilities, odds=3)
        groups.append(group)
    return groups


@st.composite
def dispatch_scenario_data(draw: st.DrawFn, simple: bool = False) -> dict[str, Any]:
    """The data of a small valid scenario with call types and dispatch (see the module
    docstring); ``simple``: no diversion, appointments or reassessment."""
    names = draw(st.sampled_from([("999",), ("101",), ("999", "101"), ("101", "999")]))
    channels = {name: draw(channel_specs(name, "999" in names)) for name in names}
    if all(spec["calls_per_day"] == 0 for spec in channels.values()):
        channels[names[0]]["calls_per_day"] = draw(_spread(100.0, 4000.0))
    for spec in channels.values():
        spec["calls_per_day"] *= VOLUME
    # Mostly a group on around the clock that takes every channel (so that calls are
    # answered and graded), sometimes groups with shifts and breaks.
    if draw(st.integers(0, 3)) > 0:
        handlers = [{"name": "group0", "skills": list(names), "count": draw(st.integers(1, 6))}]
    else:
        handlers = _covering_groups(draw, names, channels, draw(st.integers(1, 2)))
    types = draw(call_type_specs(names))
    dispatch = draw(dispatch_specs("101" in names, simple))
    data: dict[str, Any] = {
        "scenario": _scenario_section(draw, "dispatch-property"),
        "channels": channels,
        "handlers": handlers,
        "call_types": types,
        "dispatch": dispatch,
        "officers": draw(staffed_groups("officers", 4)),
    }
    _maybe(draw, data, "callback", callback_specs(), odds=2)
    if draw(st.integers(0, 2)) > 0:
        data["thrive"] = draw(thrive_specs())
    if draw(st.booleans()):
        dispatch["allocation_s"] = draw(distributions(0.0, 300.0))
        data["dispatchers"] = draw(staffed_groups("dispatchers", 2))
    if draw(st.booleans()):
        data["support_workers"] = draw(support_specs([t["name"] for t in types]))
    return data


VOLUME = 1.0
"""Scale of the call side's volumes (100 to 4000 calls a day in ``scenarios()``)."""

dispatch_scenarios = dispatch_scenario_data().map(Scenario.model_validate)
simple_scenarios = dispatch_scenario_data(simple=True).map(Scenario.model_validate)
