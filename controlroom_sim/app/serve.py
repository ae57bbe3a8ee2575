"""Starting the app: Streamlit's own server on 127.0.0.1, run as a child process
(``python -m streamlit run controlroom_sim/app/main.py``), headless, without usage statistics;
the browser opened on the page once the server answers."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import webbrowser
from pathlib import Path

from ..config.errors import ControlroomError, Param, named

MAIN = Path(__file__).with_name("main.py")
"""The app's script, as Streamlit runs it."""
LIBRARY_ENV = "CONTROLROOM_SIM_APP_SCENARIOS"
"""The environment variable naming the folder of the scenario library the app lists."""
READY_S = 60.0
"""How long to wait for the server to answer before giving up."""


class AppError(ControlroomError, RuntimeError):
    """The app cannot start (no Streamlit, the port taken)."""


def command(port: int) -> list[str]:
    """The command line of the Streamlit server (everything local, nothing sent anywhere)."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(MAIN),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
        "--server.runOnSave",
        "false",
        "--browser.gatherUsageStats",
        "false",
        "--global.developmentMode",
        "false",
        "--client.toolbarMode",
        "minimal",
        "--theme.base",
        "light",
    ]


def url(port: int) -> str:
    return f"http://127.0.0.1:{port}/"


def wait_ready(port: int, process: subprocess.Popen, timeout: float = READY_S) -> None:
    """Until the server answers its health check; AppError if it stops first or never does."""
    deadline = time.monotonic() + timeout
    health = f"{url(port)}_stcore/health"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise named(
                AppError,
                Param("port", port),
                f": the app's server stopped at once (exit status {process.returncode}); is "
                "the port already in use? Give another",
            )
        try:
            with urllib.request.urlopen(health, timeout=1) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise named(
        AppError, Param("port", port), f": the app's server did not answer in {timeout:g} s"
    )


def serve(port: int, browser: bool, scenarios: Path | None = None) -> int:
    """Run the app until Ctrl-C; returns the server's exit status."""
    if importlib.util.find_spec("streamlit") is None:
        raise AppError("the app needs Streamlit: pip install 'controlroom-sim[app]'")
    env = dict(os.environ)
    if scenarios is not None:
        env[LIBRARY_ENV] = str(scenarios.resolve())
    process = subprocess.Popen(command(port), env=env)
    try:
        wait_ready(port, process)
        print(f"controlroom-sim app: {url(port)} (Ctrl-C to stop)", flush=True)
        if browser:
            webbrowser.open(url(port))
        return process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
