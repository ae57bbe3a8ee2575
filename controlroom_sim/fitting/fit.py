"""Fitting a scenario's demand and caller behaviour from an export: the whole fit, per channel.

What is fitted, per channel, from the calls of the fit period (the export less any held-out
weeks):

* arrivals (:mod:`.profile`): ``calls_per_day`` and the weekly 15-minute ``profile``, of first
  calls only when the export links calls by caller (:mod:`.follow_ups`);
* ``talk_s`` (answered to ended) and ``wrap_s`` (ended to wrap end, when the export has it),
  by :mod:`.durations`;
* ``patience_s`` from the waits of answered (censored) and abandoned (observed) calls, by
  :mod:`.patience`;
* ``bt_connect_s`` (made to offered) when the export has made times and the channel has calls
  with both;
* ``redial_probability``, ``redial_delay_s`` and, for 101, ``abandon_to_999_probability``
  from the caller links (:mod:`.redials`). Without caller links the follow-ups cannot be told
  from first calls: they stay in ``calls_per_day`` and the fitted scenario switches the
  model's own follow-ups off, so nothing is counted twice.

Beside them: the export's observed KPIs (by the project's own definitions), the number of
distinct handlers answering in each quarter hour (a lower bound of the staff on duty), and the
rows not used.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..config.distributions import Distribution
from .candidates import DistributionFit
from .durations import fit_duration
from .export import Export, subset
from .follow_ups import FOLLOW_UP_WINDOW_S, follow_ups
from .observed import observed_kpis
from .patience import SHORT_ABANDON_S, PatienceFit, fit_patience
from .profile import SLOTS_PER_DAY, ArrivalFit, Grid, fit_arrivals, period_grid
from .redials import RedialFit, fit_redials

MIN_CALLS = 30
"""The fewest calls a duration is fitted from; with fewer the base's value is kept (assumption)."""


@dataclass(frozen=True)
class FitSettings:
    """The choices a user can make about a fit."""

    short_abandon_s: float = SHORT_ABANDON_S
    exclude_short_abandons: bool = False
    follow_up_window_s: float = FOLLOW_UP_WINDOW_S


@dataclass
class ChannelFit:
    """Everything fitted for one channel; None where it could not be fitted (the reason is in
    ``notes``)."""

    channel: str
    calls: int
    first_calls: int
    arrivals: ArrivalFit
    talk: DistributionFit | None
    wrap: DistributionFit | None
    patience: PatienceFit | None
    bt_connect: DistributionFit | None
    redials: RedialFit | None
    linked: bool
    """Whether the export links calls by caller (follow-ups told from first calls)."""
    notes: list[str] = field(default_factory=list)

    def fits(self) -> dict[str, DistributionFit]:
        """Each fitted time distribution's whole fit, by scenario key."""
        patience = self.patience.fit if self.patience is not None else None
        pairs = (
            ("talk_s", self.talk),
            ("wrap_s", self.wrap),
            ("bt_connect_s", self.bt_connect),
            ("patience_s", patience),
        )
        return {key: fit for key, fit in pairs if fit is not None and fit.distribution is not None}

    def distributions(self) -> dict[str, tuple[Distribution, str]]:
        """The fitted time distributions as scenario keys: key -> (distribution, method)."""
        return {key: (fit.distribution, fit.method) for key, fit in self.fits().items()}


@dataclass
class Fit:
    """A whole fit: per channel, and what the export held."""

    export: Export
    grid: Grid
    channels: dict[str, ChannelFit]
    observed: dict[str, float]
    handlers_answering: np.ndarray | None
    """Mean distinct handlers answering per quarter hour of the week (None: no handler column)."""
    settings: FitSettings

    @property
    def days(self) -> int:
        return (self.grid.last_day - self.grid.first_day).days + 1


def fit_export(export: Export, settings: FitSettings | None = None) -> Fit:
    """Fit every channel the export has calls of."""
    settings = settings or FitSettings()
    calls = export.calls
    grid = period_grid(export)
    linked = bool(calls["caller"].notna().any())
    first = ~follow_ups(calls, settings.follow_up_window_s)  # all first calls without callers
    channels = {}
    for channel in sorted(calls["channel"].unique(), key=lambda c: (c != "999", c)):
        mine = (calls["channel"] == channel).to_numpy()
        channels[channel] = _fit_channel(export, grid, channel, mine, first, linked, settings)
    return Fit(
        export=export,
        grid=grid,
        channels=channels,
        observed=observed_kpis(export),
        handlers_answering=_handlers_answering(export, grid),
        settings=settings,
    )


def _fit_channel(
    export: Export,
    grid: Grid,
    channel: str,
    mine: np.ndarray,
    first: np.ndarray,
    linked: bool,
    settings: FitSettings,
) -> ChannelFit:
    calls = export.calls
    notes: list[str] = []
    first_export = subset(export, first)
    arrivals = fit_arrivals(first_export, channel, grid)
    answered = mine & (calls["outcome"] == "answered").to_numpy()
    talk = _duration(calls.loc[answered, "talk_s"], "talk_s", f"answered {channel} calls", notes)
    wrap_values = calls.loc[answered, "wrap_s"].dropna()
    wrap = (
        _duration(wrap_values, "wrap_s", f"answered {channel} calls", notes)
        if len(wrap_values)
        else None
    )
    bt_values = (calls.loc[mine, "offered_at"] - calls.loc[mine, "made_at"]).dt.total_seconds()
    bt_values = bt_values.dropna()
    bt = None
    if len(bt_values) and not (bt_values > 0).any():
        notes.append(
            f"bt_connect_s: every {channel} call was offered when it was made: no BT stage, "
            "none written"
        )
    elif len(bt_values):
        bt = _duration(bt_values, "bt_connect_s", f"{channel} calls made to offered", notes)
    waits = calls.loc[mine, "wait_s"].to_numpy()
    abandoned = (calls.loc[mine, "outcome"] == "abandoned").to_numpy()
    patience = fit_patience(
        waits,
        abandoned,
        short_s=settings.short_abandon_s,
        exclude_short=settings.exclude_short_abandons,
    )
    redials = fit_redials(calls, channel, window_s=settings.follow_up_window_s)
    return ChannelFit(
        channel=channel,
        calls=int(mine.sum()),
        first_calls=int((mine & first).sum()),
        arrivals=arrivals,
        talk=talk,
        wrap=wrap,
        patience=patience,
        bt_connect=bt,
        redials=redials,
        linked=linked,
        notes=notes,
    )


def _duration(
    values: pd.Series, quantity: str, what: str, notes: list[str]
) -> DistributionFit | None:
    values = values.dropna().to_numpy(dtype=float)
    if len(values) < MIN_CALLS:
        notes.append(
            f"{quantity}: {len(values)} {what}, fewer than {MIN_CALLS}: not fitted, the base's kept"
        )
        return None
    return fit_duration(values, quantity, what)


def _handlers_answering(export: Export, grid: Grid) -> np.ndarray | None:
    """Mean number of distinct handlers answering a call in each quarter hour of the week,
    over the times it was observed (bank holidays left out): a lower bound of staff on duty."""
    calls = export.calls
    answered = calls[calls["answered_at"].notna() & calls["handler"].notna()]
    if answered.empty:
        return None
    starts = grid.starts.tz_convert(None).to_numpy().astype("datetime64[ns]").astype(np.int64)
    at = answered["answered_at"].dt.tz_convert(None).to_numpy().astype("datetime64[ns]")
    slot = np.searchsorted(starts, at.astype(np.int64), side="right") - 1
    distinct = pd.DataFrame({"slot": slot, "handler": answered["handler"].to_numpy()})
    per_interval = distinct.drop_duplicates().groupby("slot").size()
    counts = np.zeros(len(grid.starts))
    counts[per_interval.index.to_numpy()] = per_interval.to_numpy()
    ordinary = ~grid.holiday
    week = grid.index[ordinary]
    total = np.bincount(week, weights=counts[ordinary], minlength=7 * SLOTS_PER_DAY)
    seen = np.bincount(week, minlength=7 * SLOTS_PER_DAY)
    return np.divide(total, seen, out=np.full(7 * SLOTS_PER_DAY, np.nan), where=seen > 0)
