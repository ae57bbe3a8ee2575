"""``python -m controlroom_sim``: the same as the ``controlroom-sim`` command."""

import sys

from .cli.main import main

sys.exit(main())
