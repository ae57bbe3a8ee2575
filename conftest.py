"""Repository-wide test settings.

The tutorial notebooks in notebooks/ run under pytest through nbmake. Each notebook reads
CONTROLROOM_SMOKE: set to 1 (the default here), it cuts its runs to short horizons and a few
replications, so the whole test command stays quick. Set CONTROLROOM_SMOKE=0 to run the
notebooks at full size under pytest; a person opening them in Jupyter gets the full runs.
"""

import os

os.environ.setdefault("CONTROLROOM_SMOKE", "1")
