"""``[staffing]``: what the people on the rotas cost and how many posts they take.

A rota says who is on duty; a force pays for more than that. Every person's paid time includes
annual leave, sickness, training and other abstractions ("shrinkage"), so the posts a rota needs
are its rostered hours grossed up for shrinkage, divided by a full-time post's contract hours.
Cost is paid hours at each role's hourly cost plus employer's on-costs, and overtime at the
overtime rate. People also go sick on the day: with ``absence_on_the_day``, each rostered
person on each shift is absent with that probability (see :mod:`controlroom_sim.model.staffing`).

Roles are the scenario's kinds of staff: ``handlers``, ``dispatchers``, ``officers`` and
``support_workers``. The numbers of the baseline, and where they come from, are in
``controlroom_sim/data/baseline.toml``; the defaults here leave cost out (no hourly cost) and
absence off.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from .base import NonNegativeFloat, Probability, _Strict

ROLES: tuple[str, ...] = ("handlers", "dispatchers", "officers", "support_workers")
"""The kinds of staff of a scenario, as its sections name them."""

Share = Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)]
WeekHours = Annotated[float, Field(gt=0, le=168, allow_inf_nan=False)]


class _PerRole(_Strict):
    """A number for each role (the fields are the roles)."""

    def of(self, role: str) -> float:
        return getattr(self, role)


class ByRole(_PerRole):
    """An hourly cost for each role; a role left out has none (hours and posts only)."""

    handlers: NonNegativeFloat | None = None
    dispatchers: NonNegativeFloat | None = None
    officers: NonNegativeFloat | None = None
    support_workers: NonNegativeFloat | None = None


class HoursByRole(_PerRole):
    """Contract hours a week of a full-time post, by role."""

    handlers: WeekHours = 37.0
    dispatchers: WeekHours = 37.0
    officers: WeekHours = 40.0
    support_workers: WeekHours = 37.0


class AbsenceByRole(_PerRole):
    """The probability that a rostered person is absent from a shift on the day, by role."""

    handlers: Probability = 0.0
    dispatchers: Probability = 0.0
    officers: Probability = 0.0
    support_workers: Probability = 0.0


class Shrinkage(_Strict):
    """Shares of paid time not on the rota, by reason."""

    annual_leave: Share = 0.0
    sickness: Share = 0.0
    training: Share = 0.0
    other: Share = 0.0

    @model_validator(mode="after")
    def _below_one(self) -> Shrinkage:
        if self.total >= 1.0:
            raise ValueError(
                f"expected the shares of paid time to add up to less than 1, found {self.total:g}"
            )
        return self

    @property
    def total(self) -> float:
        return self.annual_leave + self.sickness + self.training + self.other


class Staffing(_Strict):
    """``[staffing]``: contract hours, shrinkage, costs and absence on the day."""

    hours_per_week: HoursByRole = HoursByRole()
    """A full-time post's contract hours a week (``[staffing.hours_per_week]``)."""
    shrinkage: Shrinkage = Shrinkage()
    hourly_cost: ByRole = ByRole()
    """Pay for an hour of paid time, allowances included, before on-costs (£)."""
    on_costs: Annotated[float, Field(ge=0, le=5, allow_inf_nan=False)] = 0.0
    """Employer's costs on top of pay (national insurance, pension), as a share of pay."""
    overtime_rate: Annotated[float, Field(ge=1, le=5, allow_inf_nan=False)] = 1.5
    """An overtime hour is paid at this multiple of the hourly cost."""
    absence_on_the_day: AbsenceByRole = AbsenceByRole()
    currency: Annotated[str, Field(min_length=1, max_length=3)] = "£"

    def posts(self, role: str, rostered_hours_week: float) -> float:
        """Full-time posts (FTE) that cover ``rostered_hours_week`` after shrinkage."""
        return self.paid_hours(rostered_hours_week) / self.hours_per_week.of(role)

    def cost_week(
        self, role: str, paid_hours_week: float, overtime_hours_week: float = 0.0
    ) -> float | None:
        """What ``paid_hours_week`` and ``overtime_hours_week`` of ``role`` cost a week, with
        on-costs; None without the role's hourly cost."""
        rate = self.hourly_cost.of(role)
        if rate is None:
            return None
        hours = paid_hours_week + overtime_hours_week * self.overtime_rate
        return hours * rate * (1.0 + self.on_costs)

    def paid_hours(self, rostered_hours_week: float) -> float:
        """Paid hours a week for ``rostered_hours_week`` on the rota (grossed up)."""
        return rostered_hours_week / (1.0 - self.shrinkage.total)
