"""The dispatch records: an incident's row written into the column store once it is cleared,
and the ``incidents``, ``reviews`` and ``dispatcher_work`` tables built at the end.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config.vocabulary import GRADES, RESPONSE_GRADES, RISK_LEVELS
from .columns import as_frame
from .incidents import (
    DISPATCHER_TASKS,
    Incident,
)


class DispatchRecords:
    """The part of :class:`~.dispatch.DispatchDesk` that keeps its records."""

    # -- records ------------------------------------------------------------------------------

    def close(self) -> None:
        self.staff.close()
        if self.dispatchers is not None:
            self.dispatchers.close()

    def dispatcher_work_table(self) -> pd.DataFrame:
        """One row per dispatcher task: ``dispatcher_id, incident_id, start_s, end_s, task``
        (``allocation`` or ``review``)."""
        table = self.dispatcher_work.frame()
        table["task"] = pd.Categorical.from_codes(table["task"], categories=list(DISPATCHER_TASKS))
        return table

    def review_table(self) -> pd.DataFrame:
        """One row per review of a waiting incident: ``start_s, incident_id, duration_s,
        dispatcher_id`` (-1 without dispatchers, when a review is instant and only its mean
        time is counted)."""
        return self.reviews.frame()

    def _write(self, incident: Incident) -> None:
        """Write the incident's row into the column store, at its id."""
        self.rows.write(incident.incident_id, incident)

    def incident_table(self) -> pd.DataFrame:
        """One row per incident (see :mod:`controlroom_sim.records`), a column at a time from
        the store: the cleared ones were written as they cleared, the rest are written now."""
        for incident in self.open.values():
            self._write(incident)
        self.open.clear()
        n = self.raised
        rows = self.rows.slots

        def columns():  # type: ignore[no-untyped-def]
            for name in _INCIDENT_TABLE:
                if name == "incident_id":
                    yield name, np.arange(n, dtype=np.int64)
                elif name in ("grade", "original_grade"):
                    yield name, _labelled(rows.column(name, n), GRADES, RESPONSE_GRADES)
                elif name in ("true_risk_at_call", "true_risk"):
                    yield name, _labelled(rows.column(name, n), RISK_LEVELS, RISK_LEVELS)
                else:
                    yield name, rows.column(name, n)

        return as_frame(columns())


_REVIEW_COLUMNS = {
    "start_s": "float64",
    "incident_id": "int64",
    "duration_s": "float64",
    "dispatcher_id": "int64",
}

# The incidents table's columns, in order; all but the id are kept in the column store, the
# grades and risk levels as indices into GRADES and RISK_LEVELS.
_INCIDENT_TABLE = {
    "incident_id": "int64",
    "call_id": "int64",
    "grade": "int8",
    "original_grade": "int8",
    "true_risk_at_call": "int8",
    "true_risk": "int8",
    "vulnerable": "bool",
    "rural": "bool",
    "suppressed": "bool",
    "upgraded": "bool",
    "diversions": "int64",
    "call_s": "float64",
    "created_s": "float64",
    "appointment_s": "float64",
    "allocated_s": "float64",
    "arrived_s": "float64",
    "cleared_s": "float64",
    "escalated_s": "float64",
    "officer_id": "int64",
    "travel_s": "float64",
    "on_scene_s": "float64",
    "target_s": "float64",
    "due_s": "float64",
}
_INCIDENT_COLUMNS = {k: v for k, v in _INCIDENT_TABLE.items() if k != "incident_id"}
# Columns read from the incident's call (its CallFacts), not from the incident itself.
_INCIDENT_SOURCES = {
    "call_id": "call.call_id",
    "true_risk_at_call": "call.true_risk",
    "vulnerable": "call.vulnerable",
}


def _labelled(
    values: np.ndarray, labels: tuple[str, ...], categories: tuple[str, ...]
) -> pd.Categorical:
    """Indices into ``labels`` as a categorical over ``categories`` (NaN for a label that is not
    one of them)."""
    lookup = np.array([categories.index(x) if x in categories else -1 for x in labels])
    return pd.Categorical.from_codes(lookup[values], categories=list(categories))
