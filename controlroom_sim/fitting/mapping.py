"""The mapping file: which column of a force's telephony export is which, how its channels are
spelt, and how its times are written (issue 19's contract)::

    [columns]
    call_id = "CallRef"          # required
    channel = "Line"             # required; values mapped in [channels]
    offered_at = "Presented"     # required: the call reached the force's queue
    made_at = "Dialled"          # optional: the call was made (999: before the BT stage)
    answered_at = "Answered"     # empty when never answered
    ended_at = "Cleared"         # end of the call; unanswered: when the caller hung up
    wrap_end_at = "WrapEnd"      # optional
    caller = "CLI"               # optional: links redials and repeat callers
    handler = "AgentId"          # optional

    [channels]
    "999" = ["EMERGENCY", "999"]
    "101" = ["NON EMERGENCY", "101"]

    [times]
    format = "%d/%m/%Y %H:%M:%S"  # a strftime format, or "iso", or "excel" (serial numbers)
    timezone = "Europe/London"    # local wall-clock times, clock changes handled

Every problem is a :class:`MappingError`: one line naming the mapping file, the key, what was
expected and what was found, as for a scenario file.
"""

from __future__ import annotations

import zoneinfo
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from ..config.errors import ScenarioError
from ..config.loading import load_model
from ..config.schema.base import KeyedError, _Strict
from ..config.vocabulary import CHANNELS

ColumnName = Annotated[str, Field(min_length=1)]

TIME_COLUMNS = ("made_at", "offered_at", "answered_at", "ended_at", "wrap_end_at")
"""The mapped columns that hold times, in the order a call passes them."""


class MappingError(ScenarioError):
    """A mapping file that cannot be used; the message is one line."""


class Columns(_Strict):
    """The export's column for each field (required: call_id, channel, offered_at)."""

    call_id: ColumnName
    channel: ColumnName
    offered_at: ColumnName
    made_at: ColumnName | None = None
    answered_at: ColumnName | None = None
    ended_at: ColumnName | None = None
    wrap_end_at: ColumnName | None = None
    caller: ColumnName | None = None
    handler: ColumnName | None = None

    @model_validator(mode="after")
    def _distinct(self) -> Columns:
        seen: dict[str, str] = {}
        for field, column in self.model_dump(exclude_none=True).items():
            if column in seen:
                raise KeyedError(
                    field,
                    f"expected a column of its own, found {column!r}, already {seen[column]}'s",
                )
            seen[column] = field
        return self


class Times(_Strict):
    """How the export writes its times."""

    format: Annotated[str, Field(min_length=1)]
    timezone: str = "Europe/London"

    @field_validator("format")
    @classmethod
    def _known_format(cls, value: str) -> str:
        if value not in ("iso", "excel") and "%" not in value:
            raise ValueError(
                f"expected a strftime format (with % codes), 'iso' or 'excel', found {value!r}"
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"expected an IANA time zone such as 'Europe/London', found {value!r}"
            ) from None
        return value

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class Mapping(_Strict):
    """A validated mapping file."""

    columns: Columns
    channels: dict[str, list[Annotated[str, Field(min_length=1)]]]
    times: Times

    @field_validator("channels")
    @classmethod
    def _model_channels(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, spellings in value.items():
            if name not in CHANNELS:
                raise ValueError(
                    f"expected the model's channel names {', '.join(CHANNELS)}, found {name!r}"
                )
            if not spellings:
                raise ValueError(f"{name}: expected a list of the export's values, found none")
        values = [v for spellings in value.values() for v in spellings]
        again = sorted({v for v in values if values.count(v) > 1})
        if again:
            raise ValueError(f"expected each export value under one channel, found {again[0]!r}")
        if not value:
            raise ValueError("expected at least one channel, found none")
        return value

    def channel_of(self) -> dict[str, str]:
        """The model's channel of each export value."""
        return {v: name for name, spellings in self.channels.items() for v in spellings}


def load_mapping(path: str | Path) -> Mapping:
    """Read and check a mapping file; errors are one-line :class:`MappingError`\\ s."""
    try:
        return load_model(path, Mapping, "mapping")
    except ScenarioError as exc:
        text = str(exc).replace("the scenario reference in the README", "the mapping in the README")
        raise MappingError(text) from None
