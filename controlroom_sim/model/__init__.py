"""The model layer: one replication of the control room on SimPy."""

from .room import ControlRoom
from .simulate import simulate

__all__ = ["ControlRoom", "simulate"]
