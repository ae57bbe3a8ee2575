"""controlroom-sim: a discrete-event simulator of a UK police control room."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("controlroom-sim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

from .api import Comparison, RunInterrupted, RunStopped, Sweep, compare, run, sweep
from .planner import roster, staff

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
