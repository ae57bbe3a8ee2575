"""The ``calls`` and ``work`` records of a replication: the column store's layout, a final
call's row written into it, and the ``calls`` table built from it at the end.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..config.vocabulary import CHECKS, GRADES, RISK_LEVELS
from .columns import as_frame
from .entities import (
    Call,
)
from .front_desk import FRONT_DESK_OUTCOMES
from .records import ORIGINS, OUTCOMES


class CallRecorder:
    """The part of :class:`~.room.ControlRoom` that writes calls' rows and builds the
    ``calls`` table."""

    # -- records ------------------------------------------------------------------------------

    def _final(self, call: Call) -> None:
        """The call will not change again: its row is written and the object let go.

        That is when it is abandoned; when its callback fails for the last time; when a
        handler (or a callback) reaches the caller, at once if nothing is raised from it, else
        once ``_raise`` has set its grade at the end of the talk; when a support worker ends
        it. The calls still in the system when the run stops are written by the records."""
        del self.live[call.call_id]
        self._write(call)

    def _write(self, call: Call) -> None:
        """Write the call's row into the column store, at its id."""
        i = call.call_id
        for recorder in self.call_recorders:
            recorder.write(i, call)

    def _grading_columns(self, frame: pd.DataFrame) -> None:
        """Type, true risk and flags of every call; the assessment of calls that were graded
        (answered by a handler or reached by a callback)."""
        rows = self.grading_rows.slots
        assert rows is not None
        n = len(frame)
        typed = np.ones(n, dtype=bool)
        graded = frame["outcome"].isin(["answered", "callback_answered"]).to_numpy()
        names = [t.name for t in self.scenario.call_types]
        frame["call_type"] = _codes(rows.column("call_type", n), names, typed)
        frame["true_risk"] = _codes(rows.column("true_risk", n), RISK_LEVELS, typed)
        frame["vulnerable"] = rows.column("vulnerable", n)
        frame["repeat_victim"] = rows.column("repeat_victim", n)
        frame["assessed_risk"] = _codes(rows.column("assessed_risk", n), RISK_LEVELS, graded)
        frame["grade"] = _codes(rows.column("grade", n), GRADES, graded)
        for name in CHECKS:
            column = pd.array(rows.column(f"{name}_done", n), dtype="boolean")
            column[~graded] = pd.NA
            frame[f"{name}_done"] = column
        frame["checks_s"] = np.where(graded, rows.column("checks_s", n), np.nan)

    def _call_table(self) -> pd.DataFrame:
        """The ``calls`` table, a column at a time from the store (see :mod:`.columns`)."""
        for call in self.live.values():  # open, waiting or in service when the run stopped
            self._write(call)
        self.live.clear()
        n = self.calls_made
        rows = self.call_rows.slots
        frame = as_frame(
            (name, np.arange(n, dtype=np.int64) if name == "call_id" else rows.column(name, n))
            for name in _CALL_DTYPES
        )
        frame["callback_accepted"] = (
            frame["callback_accepted"] & frame["callback_offered_s"].notna()
        )
        frame.insert(3, "origin", _categorical(rows.column("origin", n), ORIGINS))
        frame.insert(4, "channel", _categorical(rows.column("channel", n), self.channel_names))
        frame.insert(11, "outcome", _categorical(rows.column("outcome", n), OUTCOMES))
        if self.force_names:
            frame.insert(5, "force", _categorical(rows.column("force", n), self.force_names))
        if self.scenario.call_types:
            self._grading_columns(frame)
        if self.support_rows is not None:
            for name in _SUPPORT_COLUMNS:
                frame[name] = self.support_rows.slots.column(name, n)
        if self.desk_rows is not None:
            self._front_desk_columns(frame)
        return frame

    def _front_desk_columns(self, frame: pd.DataFrame) -> None:
        """What happened at the front desk (NaN, -1 for a call that never met an operator)."""
        rows = self.desk_rows.slots
        n = len(frame)
        for name in ("front_desk_answered_s", "front_desk_end_s"):
            frame[name] = rows.column(name, n)
        outcome = rows.column("front_desk_outcome", n)
        frame["front_desk_outcome"] = _codes(outcome, FRONT_DESK_OUTCOMES, outcome >= 0)
        route = rows.column("front_desk_route", n)
        frame["front_desk_route"] = _codes(route, self.channel_names, route >= 0)
        frame["front_desk_operator_id"] = rows.column("front_desk_operator_id", n)


_CALL_DTYPES = {
    "call_id": "int64",
    "caller_id": "int64",
    "attempt": "int64",
    "arrival_s": "float64",
    "force_s": "float64",
    "answered_s": "float64",
    "abandoned_s": "float64",
    "end_s": "float64",
    "wrap_end_s": "float64",
    "handler_id": "int64",
    "callback_offered_s": "float64",
    "callback_accepted": "bool",
    "callback_attempts": "int64",
    "patience_s": "float64",
    "talk_s": "float64",
    "wrap_s": "float64",
}
"""The plain columns of the ``calls`` table, in order (the categorical ones are inserted)."""

# The column store of calls, in the order ControlRoom._write unpacks it: the plain columns
# but the id (the row's index), and the codes of the categorical ones.
_CALL_COLUMNS = {
    "caller_id": "int64",
    "attempt": "int64",
    "origin": "int8",
    "channel": "int8",
    "force": "int8",
    "arrival_s": "float64",
    "force_s": "float64",
    "answered_s": "float64",
    "abandoned_s": "float64",
    "end_s": "float64",
    "wrap_end_s": "float64",
    "outcome": "int8",
    "handler_id": "int64",
    "callback_offered_s": "float64",
    "callback_accepted": "bool",
    "callback_attempts": "int64",
    "patience_s": "float64",
    "talk_s": "float64",
    "wrap_s": "float64",
}
_GRADING_COLUMNS = {
    "call_type": "int16",
    "true_risk": "int8",
    "vulnerable": "bool",
    "repeat_victim": "bool",
    "assessed_risk": "int8",
    "grade": "int8",
    "checks_s": "float64",
    **{f"{name}_done": "bool" for name in CHECKS},
}
_SUPPORT_COLUMNS = {
    "support_worker_id": "int64",
    "support_start_s": "float64",
    "support_end_s": "float64",
}
_FRONT_DESK_COLUMNS = {
    "front_desk_answered_s": "float64",
    "front_desk_end_s": "float64",
    "front_desk_outcome": "int8",
    "front_desk_route": "int8",
    "front_desk_operator_id": "int64",
}
_WORK_COLUMNS = {
    "handler_id": "int64",
    "call_id": "int64",
    "start_s": "float64",
    "end_s": "float64",
    "kind": "int8",
}


def _codes(values: np.ndarray, categories: Sequence[str], keep: np.ndarray) -> pd.Categorical:
    codes = np.where(keep, np.asarray(values, dtype=np.int64), -1)
    return pd.Categorical.from_codes(codes, categories=list(categories))


def _categorical(codes: np.ndarray, categories: Sequence[str]) -> pd.Categorical:
    return pd.Categorical.from_codes(codes, categories=list(categories))
