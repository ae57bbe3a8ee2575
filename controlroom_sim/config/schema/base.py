"""The building blocks of the scenario schema: strict models, bounded numbers, force names, and
the error a whole-model check raises at a key path below the model."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from ..errors import ControlroomError

Probability = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
PositiveFloat = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNegativeFloat = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Hours = Annotated[float, Field(ge=0, le=87_600, allow_inf_nan=False)]
"""A time in hours, up to ten years: anything longer overflows the clock arithmetic it feeds."""
PositiveHours = Annotated[float, Field(gt=0, le=87_600, allow_inf_nan=False)]


class KeyedError(ControlroomError, ValueError):
    """A problem found by a whole-model check, at a key path below that model.

    ``also``: other key paths (from the same model) whose values make the problem together with
    ``key``'s; the error names whichever of them the last file (or override) to set any of them
    set, so a variant that breaks a combination its base had right is the one named. The
    message must then read after any of the paths.
    """

    def __init__(self, key: str, message: str, also: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.key = key
        self.also = also


def each_once(values: list[str] | None, what: str) -> list[str] | None:
    """``values`` unchanged if none is given twice; else the error naming the first repeated
    (``what``: "channel", "force")."""
    repeated = sorted({v for v in values if values.count(v) > 1}) if values else []
    if repeated:
        raise ValueError(f"expected each {what} once, found {repeated[0]!r} twice")
    return values


class _Strict(BaseModel):
    # strict: a number in quotes or true/false where a number belongs is an error, not a guess.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


ForceName = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]*$", max_length=40)]
"""A force's name: a letter, then letters, digits, '_' or '-' (it becomes part of KPI names)."""
