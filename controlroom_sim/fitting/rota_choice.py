"""Who was on duty in a fitted scenario: ``fit --rota``.

A rota file (``.csv`` or ``.xlsx``, the ``controlroom-sim rota`` format) is named in the fitted
scenario's ``[rota]`` table, by its path relative to the output folder, so its rows replace the
shift lines of the base's groups they name. A scenario (``.toml``) gives its handler groups,
written into the fitted scenario whole. Without ``--rota`` the base's handlers stay, and the
back-test says so: it then compares the force's data with the base's staffing, not the force's.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..config.errors import ScenarioError
from ..config.loading import load_scenario
from ..config.rota_files import read_rota
from ..config.schema import Scenario

NO_ROTA = "the base's (no --rota given: the back-test compares with the base's staffing)"


def rota_table(
    rota: Path | None, folder: Path, base: Scenario
) -> tuple[dict[str, Any] | None, dict[str, Path], str]:
    """The fitted scenario's rota part (with its provenance under ``"provenance"``), the
    files to copy beside it (none today), and words for the back-test."""
    if rota is None:
        return None, {}, NO_ROTA
    suffix = rota.suffix.lower()
    if suffix == ".toml":
        scenario = load_scenario(rota)
        handlers = [group.model_dump(exclude_defaults=True) for group in scenario.handlers]
        words = f"the handlers of {rota}"
        return {"handlers": handlers, "provenance": {"handlers": f"rota: {words}"}}, {}, words
    if suffix in (".csv", ".xlsx"):
        rows = read_rota(rota)  # errors name the user's file, before anything is fitted
        try:
            name = Path(os.path.relpath(rota.resolve(), folder.resolve())).as_posix()
        except ValueError:
            name = rota.resolve().as_posix()
        words = f"the rota file {rota}"
        groups = [g.name for g in base.handlers]
        provenance = {
            f"handlers.{groups.index(group)}.shifts": f"rota: {words}"
            for group in dict.fromkeys(
                r.group for r in rows if (r.role or "handlers") == "handlers"
            )
            if group in groups
        }
        return {"rota": {"file": name}, "provenance": provenance}, {}, words
    raise ScenarioError(
        f"{rota}: --rota: expected a rota file (.csv or .xlsx) or a scenario (.toml), "
        f"found {suffix or 'no suffix'!r}"
    )
