"""Exogenous drivers of a scenario: time paths the agents react to (DESIGN.md, last list).

A *schedule* (:class:`~gvc_abm.environment.config.Schedule`) is ``{period: value}``: a step
function, the value of the latest key at or before the period; with ``linear: true`` the value
is interpolated linearly between keys, ``v(t) = v_a + (v_b - v_a)(t - a)/(b - a)`` for keys
``a <= t <= b``. Before the first key a driver has its no-change default (1 for the world-wide
multipliers, 0 for growth rates and the home-bias shift), after the last key the last value.
World-wide levels are multipliers of the world's own values at period 0, so ``robot_price:
{10: 0.5}`` reads "robot price at half its initial level from period 10 on".

Per-country drivers are ``{WHO: schedule}`` (a bare number: the value from period 0) with WHO a
country, ``"region:NAME"``, ``"group:NAME"`` (development group) or ``"*"``. Each country
follows the whole schedule of the most specific entry naming it: country, then region, then
group, then ``"*"`` (:func:`country_schedules`).

Rules set by decree (``tariff_shocks``, ``tariffs``, ``local_content``, ``supplier_subsidy``,
``investment_limits``) act when their value is set: at a schedule's first key and at every
period where its value changes (:func:`decree`) the instrument is set to the driver's value;
between changes it stays where governments' own measures move it, as after a tariff shock.

:func:`drivers_at` evaluates everything for one period into a :class:`PeriodDrivers` of plain
numbers and arrays, which the Model applies to the state before agents decide;
:func:`check_names` checks every name a driver uses against the world.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import DriversConfig, Schedule, as_schedule

__all__ = [
    "PeriodDrivers",
    "TariffDecree",
    "schedule_value",
    "decree",
    "members",
    "country_schedules",
    "drivers_at",
    "check_names",
]


def schedule_value(schedule: Schedule | dict[int, float], period: int, default: float = 1.0,
                   linear: bool | None = None) -> float:
    """Value of a schedule at ``period`` (module docstring): step, or linear between keys; ``default``
    before the first key, the last value after the last key. A plain dict is a step schedule."""
    if isinstance(schedule, Schedule):
        points, linear = schedule.points, schedule.linear if linear is None else linear
    else:
        points, linear = schedule, bool(linear)
    before = [k for k in points if k <= period]
    if not before:
        return default
    a = max(before)
    after = [k for k in points if k > period]
    if not linear or not after:
        return float(points[a])
    b = min(after)
    return float(points[a] + (points[b] - points[a]) * (period - a) / (b - a))


def decree(schedule: Schedule, period: int) -> float | None:
    """The value a rule set by decree takes at ``period``: the schedule's value at its first key and
    wherever it differs from last period's, else None (the instrument is left alone)."""
    if not schedule.points:
        return None
    first = min(schedule.points)
    if period < first:
        return None
    value = schedule_value(schedule, period)
    if period == first or value != schedule_value(schedule, period - 1):
        return value
    return None


def members(who: str, countries: tuple[str, ...], regions: tuple[str, ...], groups: tuple[str, ...],
            where: str) -> np.ndarray:
    """Boolean mask (G,) of the countries ``who`` names: a country, '*', 'region:NAME' or 'group:NAME'.

    Raises ``ValueError`` naming ``where`` (the field path) for a name the world does not have.
    """
    if who == "*":
        return np.ones(len(countries), dtype=bool)
    for prefix, labels, what in (("region:", regions, "region"), ("group:", groups, "group")):
        if who.startswith(prefix):
            name = who[len(prefix):]
            mask = np.array([x == name for x in labels], dtype=bool)
            if not mask.any():
                known = ", ".join(sorted(set(labels)))
                raise ValueError(f"{where}: unknown {what} {name!r} (this world has {known})")
            return mask
    mask = np.array([c == who for c in countries], dtype=bool)
    if not mask.any():
        raise ValueError(f"{where}: unknown country {who!r}")
    return mask


def _specificity(who: str) -> int:
    """Precedence of a WHO key: country 3, region 2, group 1, '*' 0."""
    if who == "*":
        return 0
    if who.startswith("group:"):
        return 1
    if who.startswith("region:"):
        return 2
    return 3


def country_schedules(mapping: dict, countries: tuple[str, ...], regions: tuple[str, ...], groups: tuple[str, ...],
                      what: str) -> list[Schedule | None]:
    """The schedule each country follows under a per-country driver ``{WHO: schedule}``, or None.

    The most specific entry naming a country wins (country > region > group > '*'); two entries
    of the same rank naming one country (a country in two named groups cannot happen) keep the
    later one. ``what`` is the driver's field path, for error messages.
    """
    out: list[Schedule | None] = [None] * len(countries)
    rank = [-1] * len(countries)
    for who, value in mapping.items():
        mask = members(who, countries, regions, groups, f"{what}.{who}")
        r = _specificity(who)
        sched = as_schedule(value)
        for c in np.flatnonzero(mask):
            if r >= rank[c]:
                out[c], rank[c] = sched, r
    return out


@dataclass(frozen=True)
class TariffDecree:
    """A tariff set by decree this period on importer x exporter x sector masks, for some goods."""

    importers: np.ndarray  # (G,) bool
    exporters: np.ndarray  # (G,) bool
    sectors: np.ndarray  # (S,) bool
    goods: str  # all | intermediate | final
    rate: float
    exporter: str  # the exporter as configured (for the event log)
    sector: str


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
    local_content: np.ndarray | None = None  # (G, S) decreed minimum domestic input share, NaN: no decree
    supplier_subsidy: np.ndarray | None = None  # (G, S) decreed domestic-supplier subsidy, NaN: no decree
    investment_limit: np.ndarray | None = None  # (G, S) decreed cap on the foreign input share, NaN: no decree
    tariffs: tuple[TariffDecree, ...] = ()  # tariff shocks and tariff paths decreed this period, in order
    demand: float = 1.0  # multiplier of the nominal anchor (world spending)


def _country_values(mapping: dict, countries, regions, groups, period: int, what: str) -> np.ndarray:
    """(G,) value of a per-country driver at ``period``, 0 where no schedule or before it starts."""
    scheds = country_schedules(mapping, countries, regions, groups, what)
    return np.array([0.0 if s is None else schedule_value(s, period, default=0.0) for s in scheds])


def _country_decrees(mapping: dict, countries, regions, groups, S: int, period: int, what: str) -> np.ndarray:
    """(G, S) decreed value of a per-country rule at ``period`` (every sector), NaN where none is decreed."""
    out = np.full((len(countries), S), np.nan)
    for c, sched in enumerate(country_schedules(mapping, countries, regions, groups, what)):
        value = None if sched is None else decree(sched, period)
        if value is not None:
            out[c, :] = value
    return out


def _sector_mask(sector: str, sectors: tuple[str, ...], where: str) -> np.ndarray:
    if sector == "*":
        return np.ones(len(sectors), dtype=bool)
    mask = np.array([s == sector for s in sectors], dtype=bool)
    if not mask.any():
        raise ValueError(f"{where}: unknown sector {sector!r}")
    return mask


def _tariff_decrees(cfg: DriversConfig, period: int, countries, regions, groups, sectors) -> tuple[TariffDecree, ...]:
    out = []
    rules = [(f"tariff_shocks.{k}", r, r.rate if r.period == period else None) for k, r in enumerate(cfg.tariff_shocks)]
    rules += [(f"tariffs.{k}", r, decree(as_schedule(r.rate), period)) for k, r in enumerate(cfg.tariffs)]
    for where, rule, rate in rules:
        if rate is None:
            continue
        out.append(TariffDecree(
            importers=members(rule.importer, countries, regions, groups, f"drivers.{where}.importer"),
            exporters=members(rule.exporter, countries, regions, groups, f"drivers.{where}.exporter"),
            sectors=_sector_mask(rule.sector, sectors, f"drivers.{where}.sector"),
            goods=rule.goods, rate=float(rate), exporter=rule.exporter, sector=rule.sector,
        ))
    return tuple(out)


def drivers_at(
    cfg: DriversConfig,
    period: int,
    countries: tuple[str, ...],
    regions: tuple[str, ...],
    sectors: tuple[str, ...],
    gdp_share: np.ndarray,
    groups: tuple[str, ...] | None = None,
) -> PeriodDrivers:
    """Evaluate every driver at ``period`` for a world with these labels.

    ``gdp_share`` (G,) weights how the rest of the world finances an easing country's
    push, so that the deficits still sum to zero. ``groups`` are the countries' development
    groups (default: all advanced, as the model assumes where a world names none).
    """
    G, S = len(countries), len(sectors)
    groups = tuple(groups) if groups is not None else ("advanced",) * G
    capacity = np.ones((G, S))
    for k, d in enumerate(cfg.disruptions):
        if d.start <= period <= d.end:
            rows = members(d.country, countries, regions, groups, f"drivers.disruptions.{k}.country")
            cols = _sector_mask(d.sector, sectors, f"drivers.disruptions.{k}.sector")
            capacity[np.ix_(rows, cols)] *= 1.0 - d.loss
    extra = np.zeros(G)
    for k, e in enumerate(cfg.easing):
        if e.start <= period <= e.end:
            who = members(e.country, countries, regions, groups, f"drivers.easing.{k}.country")
            others = np.where(who, 0.0, gdp_share)
            extra += np.where(who, e.push / who.sum(), 0.0) - e.push * others / others.sum()
    deficit = np.full(G, np.nan)
    keys = [k for k in cfg.deficits if k <= period]
    if keys:
        index = {c: i for i, c in enumerate(countries)}
        for name, value in cfg.deficits[max(keys)].items():
            if name not in index:
                raise ValueError(f"drivers.deficits.{max(keys)}.{name}: unknown country {name!r}")
            deficit[index[name]] = value
    labels = (countries, regions, groups)
    return PeriodDrivers(
        period=period,
        deficit=deficit,
        robot_price=schedule_value(cfg.robot_price, period),
        trade_cost=schedule_value(cfg.trade_cost, period),
        info_cost=schedule_value(cfg.info_cost, period),
        demand=schedule_value(cfg.demand, period),
        capacity=capacity,
        extra_deficit=extra,
        labour_growth=_country_values(cfg.labour_growth, *labels, period, "drivers.labour_growth"),
        technology_growth=_country_values(cfg.technology_growth, *labels, period, "drivers.technology_growth"),
        home_bias=_country_values(cfg.home_bias, *labels, period, "drivers.home_bias"),
        local_content=_country_decrees(cfg.local_content, *labels, S, period, "drivers.local_content"),
        supplier_subsidy=_country_decrees(cfg.supplier_subsidy, *labels, S, period, "drivers.supplier_subsidy"),
        investment_limit=_country_decrees(cfg.investment_limits, *labels, S, period, "drivers.investment_limits"),
        tariffs=_tariff_decrees(cfg, period, *labels, sectors),
    )


def check_names(cfg: DriversConfig, countries: tuple[str, ...], regions: tuple[str, ...], groups: tuple[str, ...],
                sectors: tuple[str, ...], blocs: tuple[str, ...] = ()) -> None:
    """Every country, region, group, sector and bloc any driver names exists in the world, whatever its period.

    ``blocs`` are the world's own blocs; a bloc event may create a new bloc by a join, but a
    ``leave`` must name a bloc the world or an earlier join has. Raises ``ValueError`` whose
    message is one line starting with the field path.
    """
    labels = (countries, regions, groups)
    for name in ("labour_growth", "technology_growth", "home_bias", "local_content", "supplier_subsidy",
                 "investment_limits"):
        country_schedules(getattr(cfg, name), *labels, f"drivers.{name}")
    for k, d in enumerate(cfg.disruptions):
        members(d.country, *labels, f"drivers.disruptions.{k}.country")
        _sector_mask(d.sector, sectors, f"drivers.disruptions.{k}.sector")
    for k, e in enumerate(cfg.easing):
        who = members(e.country, *labels, f"drivers.easing.{k}.country")
        if who.all():
            raise ValueError(f"drivers.easing.{k}.country: {e.country!r} names every country, leaving no one to "
                             "finance the push")
    for where, rules in (("tariff_shocks", cfg.tariff_shocks), ("tariffs", cfg.tariffs)):
        for k, rule in enumerate(rules):
            for key in ("importer", "exporter"):
                members(getattr(rule, key), *labels, f"drivers.{where}.{k}.{key}")
            _sector_mask(rule.sector, sectors, f"drivers.{where}.{k}.sector")
    known = set(blocs)
    for index, ev in sorted(enumerate(cfg.blocs), key=lambda item: item[1].period):
        for j, member in enumerate(ev.members):
            if member not in countries:
                raise ValueError(f"drivers.blocs.{index}.members.{j}: unknown country {member!r}")
        if ev.action == "join":
            known.add(ev.bloc)
        elif ev.bloc not in known:
            raise ValueError(f"drivers.blocs.{index}.bloc: unknown bloc {ev.bloc!r} (no bloc of the world or earlier "
                             "join has that name)")
    for period, row in cfg.deficits.items():
        for name in row:
            if name not in countries:
                raise ValueError(f"drivers.deficits.{period}.{name}: unknown country {name!r}")
