"""The model's state codes are IntEnums tied to the records' vocabularies: a code is the index
of its label in the table's categories, so the two cannot drift apart."""

from __future__ import annotations

import pytest

from controlroom_sim.model import entities, incidents
from controlroom_sim.model.records import ORIGINS, OUTCOMES, WORK_KINDS


@pytest.mark.parametrize(
    ("enum", "labels"),
    [
        (entities.Outcome, OUTCOMES),
        (entities.Origin, ORIGINS),
        (entities.WorkKind, WORK_KINDS),
        (incidents.DispatcherTask, incidents.DISPATCHER_TASKS),
    ],
)
def test_enum_matches_vocabulary(enum, labels) -> None:
    assert [m.name.lower() for m in enum] == list(labels)
    assert [int(m) for m in enum] == list(range(len(labels)))


@pytest.mark.parametrize(
    ("module", "enum", "aliases"),
    [
        (
            entities,
            entities.Outcome,
            {
                "ANSWERED": "ANSWERED",
                "ABANDONED": "ABANDONED",
                "CALLBACK_ANSWERED": "CALLBACK_ANSWERED",
                "CALLBACK_FAILED": "CALLBACK_FAILED",
                "OPEN": "OPEN",
            },
        ),
        (
            entities,
            entities.Origin,
            {"FIRST": "FIRST", "REDIAL": "REDIAL", "FROM_101": "FROM_101", "REPEAT": "REPEAT"},
        ),
        (
            entities,
            entities.WorkKind,
            {
                "WORK_CALL": "CALL",
                "WORK_CALLBACK": "CALLBACK",
                "WORK_ATTEMPT": "CALLBACK_ATTEMPT",
                "WORK_DIGITAL": "DIGITAL",
            },
        ),
        (entities, entities.CallState, {m.name: m.name for m in entities.CallState}),
        (incidents, incidents.IncidentState, {m.name: m.name for m in incidents.IncidentState}),
        (incidents, incidents.DispatcherTask, {"ALLOCATION": "ALLOCATION", "REVIEW": "REVIEW"}),
    ],
)
def test_hot_path_codes_are_the_enum_values(module, enum, aliases) -> None:
    """The plain-int names the engine uses are the enum's values, as exact ints."""
    for alias, member in aliases.items():
        value = getattr(module, alias)
        assert type(value) is int
        assert value == enum[member]
    assert {enum[m] for m in aliases.values()} == set(enum)
