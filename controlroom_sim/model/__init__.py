"""The model layer: one replication of the control room on SimPy."""

from .room import ControlRoom, simulate

__all__ = ["ControlRoom", "simulate"]
