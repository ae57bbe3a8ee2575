"""controlroom-sim: a discrete-event simulator of a UK police control room.

The functions a user starts from: :func:`run`, :func:`compare` and :func:`sweep` (experiments
with replications and confidence intervals; a results folder they write gets its Excel workbook
too), :func:`staff` and :func:`roster` (planning), and
lower down :func:`load_scenario` (a scenario file, with ``--set`` style overrides) and
:func:`simulate` (one replication's records). The package is laid out in layers, each a
subpackage (docs/architecture.md): config → model → analysis → experiments → fitting →
reporting → planning → cli.
"""

from .config.errors import ControlroomError
from .config.loading import load_scenario
from .config.version import __version__
from .experiments.api import Comparison, RunInterrupted, RunStopped, Sweep
from .model import simulate
from .planning.planner import roster, staff
from .reporting.with_workbook import compare, run, sweep

__all__ = [
    "Comparison",
    "ControlroomError",
    "RunInterrupted",
    "RunStopped",
    "Sweep",
    "__version__",
    "compare",
    "load_scenario",
    "roster",
    "run",
    "simulate",
    "staff",
    "sweep",
]
