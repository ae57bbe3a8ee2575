"""``python -m controlroom_sim``: the same as the ``controlroom-sim`` command."""

import sys

from .cli import main

sys.exit(main())
