"""The value types of the command line's options: whole numbers in a range, seeds, jobs,
lists of names. Each raises ``argparse.ArgumentTypeError`` with a one-line reason."""

from __future__ import annotations

import argparse
import math
import os


def _whole_number(text: str, low: int, high: int, label: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, found {text!r}") from None
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"expected {label}, found {text!r}")
    return value


def _positive_int(text: str) -> int:
    return _whole_number(text, 1, 10**9, "a whole number >= 1")


def _non_negative_int(text: str) -> int:
    return _whole_number(text, 0, 10**12, "a whole number >= 0")


def _seed(text: str) -> int:
    return _whole_number(text, 0, 2**63 - 1, "a seed from 0 to 2**63-1")


def _jobs(text: str) -> int:
    if text == "all":
        return os.cpu_count() or 1
    return _whole_number(text, 1, 4096, "a number of worker processes >= 1, or 'all'")


def _names(text: str) -> list[str]:
    """A comma-separated list of names (KPIs, forces), blanks dropped."""
    return [name.strip() for name in text.split(",") if name.strip()]


def _number(low: float, high: float, label: str, low_open: bool = False, high_open: bool = False):
    """A parser of a finite number from ``low`` to ``high`` (each excluded if ``*_open``);
    ``label`` says what is expected, e.g. "seconds from 0.001 to 10,000,000"."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, found {text!r}") from None
        above = value > low if low_open else value >= low
        below = value < high if high_open else value <= high
        if not (math.isfinite(value) and above and below):
            raise argparse.ArgumentTypeError(f"expected {label}, found {text!r}")
        return value

    parse.__name__ = "_number"
    return parse


SECONDS = _number(0.001, 1e7, "a number of seconds from 0.001 to 10,000,000")
"""A duration (handling time, patience, a solver's time limit): 116 days at most."""
TARGET_SECONDS = _number(0.0, 1e7, "a number of seconds from 0 to 10,000,000")
CALLS_PER_HOUR = _number(0.0, 1e8, "calls an hour, more than 0 and at most 100,000,000", True)
SHARE = _number(0.0, 1.0, "a share between 0 and 1 (not 0 or 1)", True, True)
"""A share strictly between 0 and 1 (a service level, a confidence level)."""
SHRINKAGE = _number(0.0, 1.0, "a share from 0 up to (not including) 1", high_open=True)
