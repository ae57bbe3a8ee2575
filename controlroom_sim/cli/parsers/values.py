"""The value types of the command line's options: whole numbers in a range, seeds, jobs,
lists of names. Each raises ``argparse.ArgumentTypeError`` with a one-line reason."""

from __future__ import annotations

import argparse
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


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, found {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, found {text!r}")
    return value


def _jobs(text: str) -> int:
    if text == "all":
        return os.cpu_count() or 1
    return _whole_number(text, 1, 4096, "a number of worker processes >= 1, or 'all'")


def _names(text: str) -> list[str]:
    """A comma-separated list of names (KPIs, forces), blanks dropped."""
    return [name.strip() for name in text.split(",") if name.strip()]
