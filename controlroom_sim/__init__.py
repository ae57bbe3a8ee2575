"""controlroom-sim: a discrete-event simulator of a UK police control room."""

from .config.version import __version__
from .experiments.api import Comparison, RunInterrupted, RunStopped, Sweep, compare, run, sweep
from .planning.planner import roster, staff

__all__ = [
    "Comparison",
    "RunInterrupted",
    "RunStopped",
    "Sweep",
    "__version__",
    "compare",
    "roster",
    "run",
    "staff",
    "sweep",
]
