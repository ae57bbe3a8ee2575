"""The ``app`` command: the local web app (:mod:`controlroom_sim.app`)."""

from __future__ import annotations

import argparse

from ...app.serve import serve
from ..usage import UsageError


def command_app(args: argparse.Namespace) -> int:
    if args.port > 65535:
        raise UsageError(f"--port {args.port}: expected a port number from 1 to 65535")
    if args.scenarios is not None and not args.scenarios.is_dir():
        raise UsageError(f"--scenarios {args.scenarios}: expected a folder of scenario files")
    return serve(args.port, browser=not args.no_browser, scenarios=args.scenarios)
