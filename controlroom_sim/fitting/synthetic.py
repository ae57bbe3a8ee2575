"""A simulated force's calls written as a telephony export: for trying ``fit`` and
``run --arrivals`` without a force's data, and for round-trip tests.

The export is written the way an ACD system might write it, in a format unlike the project's own
(other column names, UK day-first local wall-clock times, with the clock changes of the zone):
``Ref``, ``Service`` (``EMERGENCY`` or ``NON EMERGENCY``), ``Dialled`` (made), ``Presented``
(offered), ``Answered``, ``Cleared`` (ended, or when an unanswered caller hung up),
``WrapEnd``, ``Agent`` and ``CLI`` (the calling number, the same for a caller's redials).
:data:`MAPPING` is its mapping file. Calls still open when the run ends are left out (an export
lists calls that finished), and so are callbacks, which an export cannot carry: simulate a
scenario with them off.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

SERVICE = {"999": "EMERGENCY", "101": "NON EMERGENCY"}
MAPPING = """\
[columns]
call_id = "Ref"
channel = "Service"
offered_at = "Presented"
made_at = "Dialled"
answered_at = "Answered"
ended_at = "Cleared"
wrap_end_at = "WrapEnd"
caller = "CLI"
handler = "Agent"

[channels]
"999" = ["EMERGENCY"]
"101" = ["NON EMERGENCY"]

[times]
format = "%d/%m/%Y %H:%M:%S.%f"
timezone = "Europe/London"
"""
"""The mapping file of :func:`write_export`'s files."""


def write_export(
    calls: pd.DataFrame,
    file: Path,
    start: pd.Timestamp,
    origin_s: float = 0.0,
    clock: str = "elapsed",
) -> int:
    """Write ``calls`` (a run's calls table) to ``file`` (CSV) in offered order: simulation time
    ``origin_s`` is the local moment ``start`` (timezone-aware). Returns the calls written.

    ``clock`` says how simulation time becomes the export's local times: ``elapsed`` (real
    time: after a clock change the simulated day runs an hour off the local clock, and every
    time is exact) or ``wall`` (the simulation's clock is the local wall clock, as a force's
    demand follows it: its weekly profile is the local one; a time in the spring gap is written
    as it is, and the export's reader counts that row as ``spring_gap``)."""
    if clock not in ("elapsed", "wall"):
        raise ValueError(f"expected clock 'elapsed' or 'wall', found {clock!r}")
    zone = str(start.tz)
    calls = calls[calls["outcome"].isin(["answered", "abandoned"])]
    calls = calls.sort_values("force_s", kind="stable")
    answered = calls["outcome"] == "answered"
    ended = calls["end_s"].where(answered, calls["abandoned_s"])

    def local(seconds: pd.Series) -> pd.Series:
        offset = pd.to_timedelta(seconds - origin_s, unit="s")
        if clock == "wall":
            moments = start.tz_localize(None) + offset
        else:
            moments = (start.tz_convert("UTC") + offset).dt.tz_convert(zone)
        text = moments.dt.strftime("%d/%m/%Y %H:%M:%S.%f")
        return text.where(seconds.notna(), "")

    pd.DataFrame(
        {
            "Ref": "C" + calls["call_id"].astype(str),
            "Service": calls["channel"].astype(str).map(SERVICE),
            "Dialled": local(calls["arrival_s"]),
            "Presented": local(calls["force_s"]),
            "Answered": local(calls["answered_s"]),
            "Cleared": local(ended),
            "WrapEnd": local(calls["wrap_end_s"]),
            "Agent": calls["handler_id"]
            .where(answered)
            .map(lambda h: "" if pd.isna(h) else f"H{int(h)}"),
            "CLI": "07700" + calls["caller_id"].astype(str),
        }
    ).to_csv(file, index=False)
    return len(calls)
