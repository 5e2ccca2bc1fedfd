"""Exogenous drivers of a scenario: time paths the agents react to (DESIGN.md, last list).

A *schedule* is a step function of the period, ``{period: value}``: the value of the
latest key at or before the period, and 1 (no change) before the first key. Levels are
multipliers of the world's own values at period 0, so a schedule reads "robot price at
half its initial level from period 10 on" as ``{10: 0.5}``.

:func:`drivers_at` evaluates everything for one period into a :class:`PeriodDrivers`
of plain numbers and arrays, which the Model applies to the state before agents decide.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydantic import Field, model_validator

from .config import ConfigBase

__all__ = [
    "BlocEvent",
    "TariffShock",
    "Disruption",
    "Easing",
    "DriversConfig",
    "PeriodDrivers",
    "schedule_value",
    "drivers_at",
]

Schedule = dict[int, float]


def schedule_value(schedule: Schedule, period: int, default: float = 1.0) -> float:
    """Value of a step schedule at ``period``: the latest key ``<= period``, else ``default``."""
    keys = [k for k in schedule if k <= period]
    return float(schedule[max(keys)]) if keys else default


class BlocEvent(ConfigBase):
    """A bloc agreement signed (members join) or a member leaving, at a period."""

    period: int = Field(ge=0, description="Period at which the event takes effect.")
    bloc: str = Field(min_length=1, description="Bloc name.")
    members: list[str] = Field(min_length=1, description="Countries joining (action join) or leaving (action leave).")
    action: str = Field(default="join", pattern="^(join|leave)$", description="join or leave.")


class TariffShock(ConfigBase):
    """A tariff set by decree at a period (a trade war), from then on until agents change it."""

    period: int = Field(ge=0, description="Period at which the tariff is set.")
    importer: str = Field(min_length=1, description="Importing country, or '*' for all.")
    exporter: str = Field(min_length=1, description="Exporting country, or '*' for all but the importer.")
    sector: str = Field(default="*", min_length=1, description="Sector, or '*' for all.")
    rate: float = Field(ge=0, le=5, description="Ad valorem rate, fraction.")


class Disruption(ConfigBase):
    """A supply disruption: a country's capacity (productivity) cut for some periods."""

    start: int = Field(ge=0, description="First period of the disruption.")
    end: int = Field(ge=0, description="Last period of the disruption (inclusive).")
    country: str = Field(min_length=1, description="Country hit, or a region name prefixed 'region:'.")
    sector: str = Field(default="*", min_length=1, description="Sector hit, or '*' for all.")
    loss: float = Field(gt=0, lt=1, description="Share of capacity lost: productivity is multiplied by 1 - loss.")

    @model_validator(mode="after")
    def end_not_before_start(self):
        if self.end < self.start:
            raise ValueError("end must not be before start")
        return self


class Easing(ConfigBase):
    """Monetary easing as an investment push: extra spending financed by the rest of the world."""

    start: int = Field(ge=0, description="First period.")
    end: int = Field(ge=0, description="Last period (inclusive).")
    country: str = Field(min_length=1, description="Country that eases.")
    push: float = Field(gt=0, le=0.5, description="Extra spending as a share of world GDP added to its deficit, fraction.")

    @model_validator(mode="after")
    def end_not_before_start(self):
        if self.end < self.start:
            raise ValueError("end must not be before start")
        return self


class DriversConfig(ConfigBase):
    """Exogenous time paths of a scenario (all optional: the default is a stationary world)."""

    labour_growth: dict[str, float] = Field(
        default_factory=dict, description="Labour-force growth per period by country ('*' for all), fraction."
    )
    technology_growth: dict[str, float] = Field(
        default_factory=dict, description="Technology A_c growth per period by country ('*' for all), fraction."
    )
    robot_price: Schedule = Field(default_factory=dict, description="Robot price, multiple of its period-0 level.")
    trade_cost: Schedule = Field(
        default_factory=dict, description="Iceberg trade-cost margins (t - 1), multiple of their period-0 level."
    )
    info_cost: Schedule = Field(
        default_factory=dict, description="Information / digital barrier, multiple of agents.firms.info_cost."
    )
    blocs: list[BlocEvent] = Field(default_factory=list, description="Bloc agreements and exits.")
    tariff_shocks: list[TariffShock] = Field(default_factory=list, description="Tariffs set by decree (trade wars).")
    disruptions: list[Disruption] = Field(default_factory=list, description="Supply disruptions.")
    easing: list[Easing] = Field(default_factory=list, description="Monetary easing (investment pushes).")

    @model_validator(mode="after")
    def schedules_positive(self):
        for name in ("robot_price", "trade_cost", "info_cost"):
            sched = getattr(self, name)
            for period, value in sched.items():
                if period < 0 or value < 0:
                    raise ValueError(f"{name}: periods and multipliers must be non-negative (got {period}: {value})")
        return self


@dataclass(frozen=True)
class PeriodDrivers:
    """The drivers evaluated at one period, in the world's country/sector order."""

    period: int
    robot_price: float  # multiplier of the period-0 robot price
    trade_cost: float  # multiplier of period-0 iceberg margins
    info_cost: float  # multiplier of the firms' information cost
    capacity: np.ndarray  # (G, S) productivity multiplier, 1 - loss where disrupted
    extra_deficit: np.ndarray  # (G,) easing pushes as shares of world GDP, summing to 0
    labour_growth: np.ndarray  # (G,) growth this period
    technology_growth: np.ndarray  # (G,)


def _country_values(mapping: dict[str, float], countries: tuple[str, ...], what: str) -> np.ndarray:
    out = np.full(len(countries), float(mapping.get("*", 0.0)))
    index = {c: i for i, c in enumerate(countries)}
    for key, value in mapping.items():
        if key == "*":
            continue
        if key not in index:
            raise ValueError(f"drivers.{what}: unknown country {key!r}")
        out[index[key]] = value
    return out


def _members(name: str, countries: tuple[str, ...], regions: tuple[str, ...], what: str) -> np.ndarray:
    if name.startswith("region:"):
        mask = np.array([r == name[len("region:"):] for r in regions])
    else:
        mask = np.array([c == name for c in countries])
    if not mask.any():
        raise ValueError(f"drivers.{what}: no country or region {name!r}")
    return mask


def drivers_at(
    cfg: DriversConfig,
    period: int,
    countries: tuple[str, ...],
    regions: tuple[str, ...],
    sectors: tuple[str, ...],
    gdp_share: np.ndarray,
) -> PeriodDrivers:
    """Evaluate every driver at ``period`` for a world with these labels.

    ``gdp_share`` (G,) weights how the rest of the world finances an easing country's
    push, so that the deficits still sum to zero.
    """
    G, S = len(countries), len(sectors)
    capacity = np.ones((G, S))
    for k, d in enumerate(cfg.disruptions):
        if d.start <= period <= d.end:
            rows = _members(d.country, countries, regions, f"disruptions.{k}.country")
            cols = np.ones(S, dtype=bool) if d.sector == "*" else np.array([s == d.sector for s in sectors])
            if not cols.any():
                raise ValueError(f"drivers.disruptions.{k}.sector: unknown sector {d.sector!r}")
            capacity[np.ix_(rows, cols)] *= 1.0 - d.loss
    extra = np.zeros(G)
    for k, e in enumerate(cfg.easing):
        if e.start <= period <= e.end:
            who = _members(e.country, countries, regions, f"easing.{k}.country")
            others = np.where(who, 0.0, gdp_share)
            extra += np.where(who, e.push / who.sum(), 0.0) - e.push * others / others.sum()
    return PeriodDrivers(
        period=period,
        robot_price=schedule_value(cfg.robot_price, period),
        trade_cost=schedule_value(cfg.trade_cost, period),
        info_cost=schedule_value(cfg.info_cost, period),
        capacity=capacity,
        extra_deficit=extra,
        labour_growth=_country_values(cfg.labour_growth, countries, "labour_growth"),
        technology_growth=_country_values(cfg.technology_growth, countries, "technology_growth"),
    )
