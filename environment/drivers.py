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

from .config import DriversConfig

__all__ = ["PeriodDrivers", "schedule_value", "drivers_at"]


def schedule_value(schedule: dict[int, float], period: int, default: float = 1.0) -> float:
    """Value of a step schedule at ``period``: the latest key ``<= period``, else ``default``."""
    keys = [k for k in schedule if k <= period]
    return float(schedule[max(keys)]) if keys else default


@dataclass(frozen=True)
class PeriodDrivers:
    """The drivers evaluated at one period, in the world's country/sector order."""

    period: int
    robot_price: float  # multiplier of the period-0 robot price
    trade_cost: float  # multiplier of period-0 iceberg margins
    info_cost: float  # multiplier of the firms' information cost
    capacity: np.ndarray  # (G, S) productivity multiplier, 1 - loss where disrupted
    extra_deficit: np.ndarray  # (G,) easing pushes as shares of world GDP, summing to 0
    deficit: np.ndarray  # (G,) scheduled deficits, NaN where the configured one holds
    labour_growth: np.ndarray  # (G,) growth this period
    technology_growth: np.ndarray  # (G,)
    home_bias: np.ndarray  # (G,) log shift of households' home preference


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
    deficit = np.full(G, np.nan)
    keys = [k for k in cfg.deficits if k <= period]
    if keys:
        index = {c: i for i, c in enumerate(countries)}
        for name, value in cfg.deficits[max(keys)].items():
            if name not in index:
                raise ValueError(f"drivers.deficits.{max(keys)}.{name}: unknown country")
            deficit[index[name]] = value
    return PeriodDrivers(
        period=period,
        deficit=deficit,
        robot_price=schedule_value(cfg.robot_price, period),
        trade_cost=schedule_value(cfg.trade_cost, period),
        info_cost=schedule_value(cfg.info_cost, period),
        capacity=capacity,
        extra_deficit=extra,
        labour_growth=_country_values(cfg.labour_growth, countries, "labour_growth"),
        technology_growth=_country_values(cfg.technology_growth, countries, "technology_growth"),
        home_bias=_country_values(cfg.home_bias, countries, "home_bias"),
    )
