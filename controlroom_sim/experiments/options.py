"""How ``run``, ``compare`` and ``sweep`` run their scenarios: one frozen :class:`RunOptions`
(replications, seed, overrides, precision targets, engine, output folder, ...), checked once,
where it is made.

The public functions keep their keyword arguments and make a ``RunOptions`` of them; everything
beneath them passes the ``RunOptions``. Errors name the parameters (see
:mod:`controlroom_sim.config.errors`), so the command line can name its flags.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..analysis.precision import DEFAULT_CAP, DEFAULT_INITIAL, DEFAULT_LOOK_AHEAD
from ..config.errors import ControlroomError, Param, named
from .engines import check_scheduler
from .store import ResumeError

CALLS_FORMATS = ("parquet", "csv", "none")

Targets = Mapping[str, float | str] | Iterable[str] | None


class OptionsError(ControlroomError, ValueError):
    """Run options that do not go together; the message is one line naming the parameters."""


@dataclass(frozen=True)
class RunOptions:
    """Everything about a run but its scenarios.

    ``replications`` and ``seed`` replace the (baseline) scenario's; ``overrides`` are
    ``KEY=VALUE`` settings applied to every scenario as it is loaded. ``target_half_width``
    (``KPI=VALUE[%]`` texts; a mapping is accepted and turned into them) replaces a fixed count
    by the replications algorithm, between ``min_replications`` and ``max_replications``,
    looking ``look_ahead`` replications ahead. ``jobs``, ``engine`` and ``scheduler`` say
    where replications run. ``out`` is the run folder (None: nothing written); ``resume``
    continues the run there; ``calls_format`` is the record tables' format; ``keep_records``
    keeps call records in memory (default: when nothing is written); ``progress`` shows a
    bar; ``command`` is recorded in the manifest (default: ``sys.argv``).
    """

    replications: int | None = None
    seed: int | None = None
    overrides: tuple[str, ...] = ()
    target_half_width: tuple[str, ...] = ()
    min_replications: int = DEFAULT_INITIAL
    max_replications: int = DEFAULT_CAP
    look_ahead: int = DEFAULT_LOOK_AHEAD
    jobs: int = 1
    engine: str = "processes"
    scheduler: str | None = None
    out: Path | None = None
    resume: bool = False
    calls_format: str = "parquet"
    keep_records: bool | None = None
    progress: bool = False
    command: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        normal = {
            "overrides": tuple(self.overrides),
            "target_half_width": _target_texts(self.target_half_width),
            "out": Path(self.out) if self.out is not None else None,
            "command": tuple(self.command) if self.command is not None else None,
        }
        for name, value in normal.items():
            object.__setattr__(self, name, value)
        self.check()

    def check(self) -> None:
        """Raise a one-line error naming the parameters if the options do not go together."""
        targets = bool(self.target_half_width)
        low, high = self.min_replications, self.max_replications
        if targets and self.replications is not None:
            raise named(
                OptionsError,
                Param("target_half_width"),
                ": give it or ",
                Param("replications"),
                ", not both",
            )
        if low > high:
            raise named(
                OptionsError,
                Param("min_replications"),
                f" ({low}) is above ",
                Param("max_replications"),
                f" ({high})",
            )
        if targets and low < 2:
            raise named(
                OptionsError,
                Param("min_replications"),
                ": expected 2 or more with ",
                Param("target_half_width"),
            )
        if self.resume and self.out is None:
            raise named(
                ResumeError,
                Param("resume"),
                ": give ",
                Param("out"),
                " with the folder of the run to continue",
            )
        check_scheduler(self.engine, self.scheduler)
        if self.calls_format not in CALLS_FORMATS:
            raise named(
                OptionsError,
                Param("calls_format"),
                f": expected parquet, csv or none, found {self.calls_format!r}",
            )


def _target_texts(targets: Targets | Sequence[str]) -> tuple[str, ...]:
    if not targets:
        return ()
    if isinstance(targets, Mapping):
        return tuple(f"{k}={v}" for k, v in targets.items())
    return tuple(targets)
