"""A progress bar for long runs: replications done, calls simulated, time left."""

from __future__ import annotations

import sys
import time

from .runner import RunState


class ProgressBar:
    """A tqdm bar on standard error; silent when disabled or when standard error is not a
    terminal."""

    def __init__(
        self,
        label: str,
        total: int,
        initial: int = 0,
        enabled: bool = True,
    ) -> None:
        from tqdm import tqdm

        self._started = time.perf_counter()
        self._bar = tqdm(
            total=total,
            initial=initial,
            desc=label,
            unit="rep",
            file=sys.stderr,
            leave=False,
            dynamic_ncols=True,
            disable=None if enabled else True,
        )

    def update(self, state: RunState) -> None:
        bar = self._bar
        if state.total != bar.total:
            bar.total = state.total
        elapsed = max(time.perf_counter() - self._started, 1e-9)
        rate = state.calls / elapsed
        bar.set_postfix_str(f"{state.calls:,} calls, {rate:,.0f} calls/s", refresh=False)
        bar.update(state.done - bar.n)

    def close(self) -> None:
        self._bar.close()
