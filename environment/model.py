"""The Mesa model: the one place that wires the agents to the world, and the run function.

One period, in HARK's order (STYLE.md section 3; DESIGN.md "Agents and their decisions"):

1. the exogenous drivers of the period are applied (:mod:`~gvc_abm.environment.drivers`);
2. every random number of the period is drawn from ``model.rng`` in a fixed order;
3. governments decide from last period's MRIO (pressure, then moves), and the moves are
   carried out in country order and logged (:mod:`~gvc_abm.environment.instruments`);
4. households set their home bias; firms learn from their suppliers (technology diffusion,
   all gains from the period's starting productivities, then applied), review suppliers and automate;
5. the policy is published (applied tariffs) and the market clears
   (:func:`~gvc_abm.environment.clearing.clear`);
6. the period's MRIO is aggregated (:func:`~gvc_abm.environment.aggregate.aggregate`), its
   tables recorded (:mod:`~gvc_abm.environment.records`); what governments will read next period
   is recorded; sticky wages fall by partial adjustment (``w_c <- w_c (N_c / L_c)^theta``,
   N_c <= L_c) and the perceived risk premia adjust.

Two engines run the same rules (:mod:`gvc_abm.agents.rules`): ``numba`` compiles them into
the loops over all agents below and clears with the numba kernels; ``mesa`` (alias
``reference``) steps the Mesa agents with ``AgentSet.shuffle_do`` and runs the same clearing
functions as plain Python. Decisions read only last period's prices and write only the
agent's own state, and all draws are made before anyone acts, so the shuffled order
cannot change results. The decision loops live here, not with the clearing kernels,
because this module is the one that wires agents to the environment (DESIGN.md, layout).

:func:`run_simulation` builds a model from ``(config, seed)`` and runs it to a
:class:`RunResult` of tidy frames; it is top-level, takes data only and keeps no global
state, so a batch runner can pickle it.
"""

from __future__ import annotations

import random
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path

import mesa
import numpy as np
import pandas as pd
from numba import njit, prange

from gvc_abm.agents import rules
from gvc_abm.agents.firm import Firm
from gvc_abm.agents.government import Government
from gvc_abm.agents.household import Household
from gvc_abm.analysis.trade import import_penetration

from .aggregate import PeriodTable, aggregate
from .builders import build_calibrated_world, build_default_world, build_paper_world, set_benchmark
from .clearing import ClearingResult, ClearingWarning, clear
from .config import (
    AgentsConfig,
    ConfigError,
    CalibratedWorldConfig,
    DefaultWorldConfig,
    DriversConfig,
    PaperWorldConfig,
    SimulationConfig,
)
from .drivers import PeriodDrivers, check_names, drivers_at
from .instruments import Instruments, apply_decrees, apply_move, apply_tariff_shock, effective_tariffs, join_bloc
from .observations import Observations, observe
from .productivity import output_weighted_mean
from .records import Records, world_rows
from .state import World

__all__ = ["GVCModel", "RunResult", "run_simulation", "build_world_for", "world_rows", "GROUP_CODES"]

#: Development groups as the rules code them (Gao, Li & Zhu 2021: advanced vs developing).
GROUP_CODES = {"advanced": 0, "emerging": 1, "developing": 2}

def build_world_for(
    config: SimulationConfig, seed: int | None = None, *, rng: np.random.Generator | None = None
) -> World:
    """The world a simulation config describes, drawn from ``rng`` (default ``default_rng(seed)``).

    The model builds its world from its own ``model.rng`` seeded the same way, so the world
    ``gvc world describe`` shows for a seed is the one a run with that seed starts from.
    """
    if rng is None:
        rng = np.random.default_rng(config.seed if seed is None else seed)
    wc = config.world
    fb = config.agents.firms
    technology = {"insourcing": fb.insourcing, "eta_robot": fb.automation_elasticity,
                  "eta_make": fb.insourcing_elasticity}
    if isinstance(wc, DefaultWorldConfig):
        return build_default_world(wc, rng, numeraire=config.labour.numeraire, tol=config.clearing.tol, **technology)
    if isinstance(wc, CalibratedWorldConfig):
        world = build_calibrated_world(wc, rng, **technology)
    elif isinstance(wc, PaperWorldConfig):
        world = build_paper_world(wc, rng, **technology)
    else:  # pragma: no cover - the discriminated union admits nothing else
        raise TypeError(type(wc).__name__)
    if config.labour.numeraire is not None:
        # a change of currency unit: wages, rentals, outputs and prices by k, the technology
        # recalibrated to that benchmark (so every price is k and every cref is in the new unit)
        k = config.labour.numeraire / world.numeraire
        world.country_state.wage *= k
        world.country_state.rental *= k
        world.firms.output *= k
        set_benchmark(world, 0.0 if world.kind == "paper" else fb.insourcing, target_price=k)
        world.numeraire = float(config.labour.numeraire)
    return world


@dataclass
class RunResult:
    """Tidy results of a run (:mod:`~gvc_abm.environment.records`): indicators and world by
    (period, country), the event log, and the tables ``global_`` (period), ``regions`` (period,
    region or bloc), ``flows`` (period, exporter, importer) and ``sectors`` (period, country, sector)."""

    indicators: pd.DataFrame
    world: pd.DataFrame
    convergence: list[dict]
    events: pd.DataFrame
    tables: list[PeriodTable] = field(default_factory=list)
    global_: pd.DataFrame = field(default_factory=pd.DataFrame)
    regions: pd.DataFrame = field(default_factory=pd.DataFrame)
    flows: pd.DataFrame = field(default_factory=pd.DataFrame)
    sectors: pd.DataFrame = field(default_factory=pd.DataFrame)


#: Firms are decided in this many fixed blocks, spread over the threads (numba's ``prange``). A firm's
#: decisions read the period's prices, its own links and its own pre-drawn numbers and write only its own
#: state, so neither the blocks' order nor the thread count can change a result; each block has its own
#: work space and its own switch count, summed in block order.
DECISION_BLOCKS = 64


@njit(cache=True, parallel=True)
def _decide_firms(F, head, u_review, u_origin, u_firm, tail, automate):
    """Fast engine: every firm reviews its suppliers and automates (the rules, compiled), on all threads."""
    # the tuples unpacked by name so that numba inlines the rules into this loop (a call with some twenty
    # array arguments per firm would cost more than the decisions themselves)
    (country, sector, firm_groups, group_ptr, supplier, link_weight, reference_cost, share, price, reference_price,
     reference_wedge, tariff, trade_cost, risk, subsidy, local_content, cell_start, reach_cdf) = head
    review_rate, sigma, switching_cost, work_cost, _ = tail
    (a_country, a_sector, automation, insourcing, nu, nu0, robot_productivity, make_productivity, kappa, wage, rental,
     eta_robot, eta_make, automation_speed, insourcing_speed, a_groups, a_ptr, group_alpha, a_supplier, a_weight,
     a_reference_cost, a_price, a_tariff, a_trade_cost, a_sigma, work) = automate
    K = max(work_cost.shape[0], work.shape[0])
    size = (F + DECISION_BLOCKS - 1) // DECISION_BLOCKS
    switches = np.zeros(DECISION_BLOCKS, dtype=np.int64)
    for block in prange(DECISION_BLOCKS):
        block_cost = np.empty(K)
        block_domestic = np.empty(K, dtype=np.bool_)
        block_work = np.empty(K)
        n = 0
        for f in range(block * size, min(F, (block + 1) * size)):
            n += rules.firm_review(
                f, country, sector, firm_groups, group_ptr, supplier, link_weight, reference_cost, share, price,
                reference_price, reference_wedge, tariff, trade_cost, risk, subsidy, local_content, cell_start,
                reach_cdf, u_review[f], u_origin[f], u_firm[f], review_rate, sigma, switching_cost, block_cost,
                block_domestic,
            )
            rules.firm_automate(
                f, a_country, a_sector, automation, insourcing, nu, nu0, robot_productivity, make_productivity, kappa,
                wage, rental, eta_robot, eta_make, automation_speed, insourcing_speed, a_groups, a_ptr, group_alpha,
                a_supplier, a_weight, a_reference_cost, a_price, a_tariff, a_trade_cost, a_sigma, block_work,
            )
        switches[block] = n
    total = 0
    for block in range(DECISION_BLOCKS):
        total += switches[block]
    return total


@njit(cache=True, parallel=True)
def _diffuse_firms(F, indptr, supplier, share, country, log_productivity, reach, rate, gain):
    """Fast engine: every firm's log-productivity gain from its suppliers (the rule, compiled), into ``gain``;
    each firm's gain is its own, so the threads cannot change it."""
    for f in prange(F):
        gain[f] = rules.firm_diffusion(f, indptr, supplier, share, country, log_productivity, reach, rate)


@njit(cache=True)
def _decide_governments(groups, weights, thresholds, costs, steps, sigma, obs, u, moves, pressure, values, sectors,
                        targets, levels):
    """Fast engine: every government's pressure, instrument values and moves (the rules, compiled)."""
    # the fields of Observations in their order
    (tbi, tbi_previous, unemployment, jobs_change, penetration, va_balance, targeted_by, in_bloc, bloc_available,
     has_measures, imports, import_level, input_imports, input_penetration, labour_share, floor, tariff_room,
     subsidy_room, imports_from, exports_to, power, partner_room, same_bloc, bloc_tariff, final_imports,
     final_import_share, import_share, campaign_room) = obs
    for c in range(groups.shape[0]):
        pressure[c] = rules.protection_pressure(
            tbi[c], tbi_previous[c], unemployment[c], jobs_change[c], penetration[c].max(),
            weights[0], weights[1], weights[2], weights[3], weights[4],
        )
        rules.instrument_values(
            pressure[c], imports[c], import_level[c], input_imports[c], input_penetration[c], labour_share[c], floor[c],
            tariff_room[c], subsidy_room[c], imports_from[c], exports_to[c], power[c], va_balance[c], partner_room[c],
            same_bloc[c], bloc_tariff[c], final_imports[c], final_import_share[c], import_share[c], campaign_room[c],
            costs[groups[c]], sigma,
            steps[0], steps[1], values, sectors, targets, levels,
        )
        rules.choose_policy(pressure[c], thresholds[0], thresholds[1], thresholds[2], values, sectors, targets, levels,
                            targeted_by[c], in_bloc[c], bloc_available[c], has_measures[c], u[c], moves[c])


@njit(cache=True)
def _decide_households(initial_taste, home_bias, cap, taste):
    """Fast engine: every household's home-goods weight (the rule, compiled)."""
    for c in range(taste.shape[0]):
        for s in range(taste.shape[2]):
            taste[c, c, s] = rules.home_taste(initial_taste[c, c, s], home_bias[c], cap)


@dataclass
class Draws:
    """The period's random numbers, drawn before any decision."""

    u_government: np.ndarray  # (G,)
    u_review: np.ndarray  # (F, S)
    u_origin: np.ndarray  # (F, S)
    u_firm: np.ndarray  # (F, S)


def _manufacturing_mask(sectors: tuple[str, ...], names: list[str]) -> np.ndarray:
    mask = np.array([s in names for s in sectors])
    return mask if mask.any() else np.ones(len(sectors), dtype=bool)


class GVCModel(mesa.Model):
    """Firms, governments and households on the world of a :class:`SimulationConfig`.

    Parameters
    ----------
    config : SimulationConfig
    seed : int, optional
        Overrides ``config.seed``. ``model.rng`` is seeded with it and is the only source of
        randomness: the world is drawn from it first, then each period's numbers.
    agents, drivers : AgentsConfig, DriversConfig, optional
        The agents' parameters and the exogenous drivers (default: the config's).
    shuffle_seed : int, optional
        Seed of the order the Mesa engine steps agents in (it changes nothing; tests use it).
    firm_agents : bool, optional
        Create one Mesa :class:`~gvc_abm.agents.firm.Firm` per firm. None (default): only for the
        Mesa engine, which steps them; the numba engine decides for all firms over the state
        arrays and never steps them (creating them takes 1.3-2.4 s per 100,000 firms). The
        dashboard passes True. Governments and households are always agents.
    """

    def __init__(
        self,
        config: SimulationConfig,
        seed: int | None = None,
        *,
        agents: AgentsConfig | None = None,
        drivers: DriversConfig | None = None,
        shuffle_seed: int | None = None,
        firm_agents: bool | None = None,
    ):
        seed = config.seed if seed is None else int(seed)
        super().__init__(rng=seed)  # model.rng: the one source of randomness (world, then each period's draws)
        if shuffle_seed is not None:
            self.random = random.Random(shuffle_seed)
        self.config = config
        self.seed = seed
        self.agents_config = agents if agents is not None else config.agents
        self.drivers = drivers if drivers is not None else config.drivers
        self.engine = "numba" if config.engine == "numba" else "mesa"
        self.world = build_world_for(config, rng=self.rng)
        w = self.world
        G, S, F = w.G, w.S, w.F
        fb = self.agents_config.firms
        # --- period-0 references the drivers and rules are relative to
        self.initial_taste = w.policy.taste.copy()
        self.initial_trade_cost = w.policy.trade_cost.copy()
        self.bloc_cost_factor = np.ones((G, G))  # multiplies trade-cost margins between bloc members
        # a robot-price driver is a change in the robot's cost per efficiency unit: phi_R / price
        self.base_robot_productivity = w.firms.robot_productivity.copy()
        self.initial_deficit = w.country_state.deficit.copy()
        self.base_productivity = w.firms.productivity.copy()
        # the nominal anchor grows with the labour force valued at period-0 wages (DESIGN.md, labour)
        self.initial_wage = w.country_state.wage.copy()
        self.initial_labour_value = float(self.initial_wage @ w.country_state.labour_force)
        self.demand = 1.0  # the demand driver's multiple of the anchor (drivers.demand)
        # --- instruments, blocs, geography
        bloc_names, bloc_of = self._initial_blocs()
        self.instruments = Instruments.initial(self._initial_statutory(bloc_of), bloc_of, bloc_names)
        self.distance = self._distances()
        self.group_names = tuple(w.meta.get("groups") or ("advanced",) * G)  # development group of each country
        self._check_drivers()
        cell = w.cell()
        self.cell_start = np.searchsorted(cell, np.arange(G * S + 1)).astype(np.int64)
        self.firms_per_cell = np.diff(self.cell_start).reshape(G, S).astype(float)
        self._calibrate_sourcing()
        ac = self.agents_config
        gov_active = ac.governments.active if ac.governments.active is not None else w.kind != "paper"
        self.active = {"governments": ac.enabled and gov_active, "households": ac.enabled and ac.households.active,
                       "firms": ac.enabled and ac.firms.active}
        groups = w.meta.get("groups") or ["advanced"] * G
        self.groups = np.array([GROUP_CODES[g] for g in groups], dtype=np.int64)
        gb = self.agents_config.governments
        self.pressure_weights = (gb.weight_tbi, gb.weight_tbi_fall, gb.weight_unemployment, gb.weight_jobs,
                                 gb.weight_penetration)
        self.thresholds = (gb.protect_threshold, gb.liberalize_threshold, gb.retaliate_threshold)
        self.instrument_costs = np.array(gb.costs.matrix(rules.INSTRUMENTS))  # (group, instrument code)
        self.instrument_steps = (gb.local_content_step, gb.investment_step)
        self.manufacturing = _manufacturing_mask(w.sectors, gb.manufacturing_sectors)
        # --- agents (Mesa); ids follow the state arrays
        self.firm_agents = self.engine == "mesa" if firm_agents is None else bool(firm_agents)
        if self.engine == "mesa" and not self.firm_agents:  # before any agent joins Mesa's registry
            raise ValueError("firm_agents: the Mesa engine steps the firm agents, so it needs them")
        for c in range(G):
            Government(self, c, int(self.groups[c]))
            Household(self, c)
        if self.firm_agents:
            for f in range(F):
                Firm(self, f)
        self.last_result: ClearingResult | None = None
        self.factor_jacobian = np.zeros((2 * G, 2 * G))  # the clearing's last Broyden matrix (diagnostics)
        # --- per-period records
        self.moves = np.zeros((G, 2, 4))
        self.pressure = np.zeros(G)
        self.switches = 0
        self.diffusion = np.zeros(G)  # the period's output-weighted mean log-productivity gain from diffusion
        self.diffusion_gain = np.zeros(F)  # each firm's gain, written by its own rule
        self.diffusion_args: tuple | None = None
        self.events: list[dict] = []
        self.records = Records(self.manufacturing, self.initial_taste)
        self.indicator_rows = self.records.rows["indicators"]  # per period, columns (G,)
        self.world_rows = self.records.rows["world"]
        self.convergence: list[dict] = []
        self.observations: Observations | None = None
        self._history: dict[str, np.ndarray] = {}
        self.reference_penetration: np.ndarray | None = None
        self.period = 0
        self.draws: Draws | None = None
        self.timings: dict[str, float] = {}  # seconds of the last step: decisions, clearing, mrio_indicators

    @staticmethod
    def release_finished() -> int:
        """Free the agents of every model that has run all its periods; return how many.

        Mesa 3.3 keeps each model alive through the class-level id counter ``mesa.Agent._ids``
        (one entry per model; fixed in Mesa 3.4.2, mesa/mesa#3180), so a process that runs many
        models grows with each. This removes finished models' agents and their entries (a
        no-op where Mesa keeps no such registry); models still running are left alone. For
        batch workers: a finished model kept elsewhere loses its agents.
        """
        ids = getattr(mesa.Agent, "_ids", None)
        if not isinstance(ids, dict):
            return 0
        done = [m for m in list(ids) if isinstance(m, GVCModel) and m._finished_or_broken()]
        for m in done:
            m.remove_all_agents()
            ids.pop(m, None)
        return len(done)

    def _finished_or_broken(self) -> bool:
        """True once every period has run, or when the constructor raised after creating agents
        (such a model has no ``period`` yet and can never run)."""
        period = getattr(self, "period", None)
        config = getattr(self, "config", None)
        return period is None or config is None or period >= config.periods

    @property
    def state(self) -> World:
        """A read-only view of the world's state (for a dashboard, or anyone who only reads)."""
        return self.world.view()

    # ------------------------------------------------------------------ set-up helpers
    def _initial_blocs(self) -> tuple[tuple[str, ...], np.ndarray]:
        w = self.world
        names: list[str] = []
        bloc_of = np.full(w.G, -1, dtype=np.int64)
        wc = self.config.world
        if isinstance(wc, DefaultWorldConfig):
            for b in wc.trade.blocs:
                names.append(b.name)
                for member in b.members:
                    k = w.countries.index(member)
                    if bloc_of[k] < 0:
                        bloc_of[k] = len(names) - 1
        for ev in self.drivers.blocs:
            if ev.bloc not in names:
                names.append(ev.bloc)
        return tuple(names), bloc_of

    def _initial_statutory(self, bloc_of: np.ndarray) -> np.ndarray:
        """Period-0 tariffs with the MFN rate restored between bloc members (what leaving brings back)."""
        stat = self.world.policy.tariff.copy()
        wc = self.config.world
        if isinstance(wc, DefaultWorldConfig):
            mfn = np.array([c.mfn_tariff for c in wc.countries])
            same = (bloc_of[:, None] == bloc_of[None, :]) & (bloc_of[:, None] >= 0)
            np.fill_diagonal(same, False)
            stat = np.where(same[:, :, None] & (stat == 0), mfn[:, None, None], stat)
        return stat

    def _check_drivers(self) -> None:
        """Every country, region, group, sector and bloc a driver names exists in this world, and scheduled
        deficits sum to zero (else a one-line ConfigError naming the field), before any output exists."""
        w = self.world
        try:
            check_names(self.drivers, w.countries, w.regions, self.group_names, w.sectors, self._world_bloc_names())
            for period in self.drivers.deficits:
                d = drivers_at(self.drivers, period, w.countries, w.regions, w.sectors, np.full(w.G, 1.0 / w.G),
                               groups=self.group_names)
                total = float(np.where(np.isnan(d.deficit), w.country_state.deficit, d.deficit).sum())
                if abs(total) > 1e-9:
                    raise ValueError(f"drivers.deficits.{period}: deficits must sum to 0, got {total:.6g}")
        except ValueError as exc:
            raise ConfigError(str(exc)) from None

    def _world_bloc_names(self) -> tuple[str, ...]:
        """The blocs the world config itself defines (driver events may add more by joining)."""
        wc = self.config.world
        return tuple(b.name for b in wc.trade.blocs) if isinstance(wc, DefaultWorldConfig) else ()

    def _calibrate_sourcing(self) -> None:
        """The benchmark firms search and judge against (see :func:`~gvc_abm.agents.rules.review_supplier_group`).

        - ``reference_price`` (F,) and ``reference_wedge`` (G, G, S): period-0 prices and landed-cost
          wedges ``(1 + tau) t``; a candidate's benchmark cost is their product, as the technology's
          ``cref`` of the links the world was calibrated with;
        - ``reference_links`` (G, G, S): links from o in sector s held by buyers in c, plus a
          tenth of o's sector-s firm count so unused origins can be discovered: the reach a
          candidate's origin is drawn by, so that search repeats the period-0 pattern until
          information barriers change.
        """
        w = self.world
        fs, net, pol = w.firms, w.network, w.policy
        G, S = w.G, w.S
        buyer = np.repeat(np.arange(w.F), np.diff(net.indptr))
        bc, oc, ss = fs.country[buyer], fs.country[net.supplier], fs.sector[net.supplier]
        self.reference_price = fs.price.copy()
        self.reference_wedge = (1.0 + pol.tariff) * pol.trade_cost
        links = np.zeros((G, G, S))
        np.add.at(links, (bc, oc, ss), 1.0)
        self.reference_links = links + 0.1 * self.firms_per_cell[None, :, :]

    def coordination(self, multiplier: float) -> np.ndarray:
        """Information barrier to sourcing from abroad, (G, G): ``exp(iota m (1 + d_co))``, 1 at home.

        iota is ``agents.firms.info_cost`` per thousand km and m the information-cost driver
        (Baldwin's cost of moving ideas, seed 002; digital trade barriers, seed 000).
        """
        out = np.exp(self.agents_config.firms.info_cost * multiplier * (1.0 + self.distance))
        np.fill_diagonal(out, 1.0)
        return out

    def _distances(self) -> np.ndarray:
        wc = self.config.world
        G = self.world.G
        if isinstance(wc, DefaultWorldConfig):
            loc = np.array([c.location for c in wc.countries], dtype=float)
            return np.sqrt(((loc[:, None, :] - loc[None, :, :]) ** 2).sum(axis=2))
        return np.zeros((G, G))

    # ------------------------------------------------------------------ one period
    def clear(self) -> ClearingResult:
        """Clear the current period with the configured wage mode and tolerances."""
        cc = self.config.clearing
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ClearingWarning)
            result = clear(
                self.world,
                wage_mode=self.config.labour.wage_mode,
                anchor=self.anchor(),
                tol=cc.tol,
                max_iter=cc.max_iter,
                max_wage_iter=cc.max_wage_iter,
                wage_step=cc.wage_step,
                engine="numba" if self.engine == "numba" else "reference",
                jacobian=self.factor_jacobian,
            )
        for w in caught:
            warnings.warn(f"period {self.period}: {w.message}", ClearingWarning, stacklevel=3)
        return result

    def anchor(self) -> float:
        """The nominal anchor of this period, world GDP: ``M_t = D_t M_0 sum_c w_c0 L_ct / sum_c w_c0 L_c0``.

        It grows with the labour force valued at period-0 wages, so labour-force growth needs no
        wage deflation; technology growth lowers prices at a given nominal GDP (real growth).
        ``D_t`` is the demand driver (1 without one): world nominal spending below its path, which
        sticky wages turn into unemployment and flexible ones into lower prices only.
        """
        L = self.world.country_state.labour_force
        return self.demand * self.world.numeraire * float(self.initial_wage @ L) / self.initial_labour_value

    def adjust_wages(self, result: ClearingResult) -> None:
        """Sticky wages fall only between periods: ``w_c <- w_c (N_c / L_c)^theta`` with N_c <= L_c
        (partial adjustment toward full employment; within the period wages only rise)."""
        cs = self.world.country_state
        theta = self.config.labour.wage_adjustment
        ratio = np.where(result.employment > 0, np.minimum(result.employment / cs.labour_force, 1.0), 0.5 ** (1 / theta))
        cs.wage *= ratio**theta

    def step(self) -> None:
        """One period (module docstring)."""
        w = self.world
        G, S, F = w.G, w.S, w.F
        t = self.period
        t0 = time.perf_counter()
        last_gdp = self.world_rows[-1]["gdp"] if self.world_rows else np.ones(G)
        d = drivers_at(self.drivers, t, w.countries, w.regions, w.sectors, last_gdp / last_gdp.sum(),
                       groups=self.group_names)
        self._apply_drivers(d)
        rng = self.rng
        self.draws = Draws(
            u_government=rng.random(G), u_review=rng.random((F, S)), u_origin=rng.random((F, S)), u_firm=rng.random((F, S))
        )
        if self.active["governments"] and self.observations is not None:
            self._governments_decide()
        if self.active["households"]:
            self._households_decide()
        if self.active["firms"]:
            self._firms_decide(d)
        else:
            self.switches = 0
        self._publish_policy()
        t1 = time.perf_counter()
        result = self.clear()
        t2 = time.perf_counter()
        table = aggregate(w, result)
        self.convergence.append({
            "period": t,
            "converged": result.converged,
            "iterations": result.iterations,
            "residual": result.residual,
            "price_iterations": result.price_iterations,
            "value_iterations": result.value_iterations,
            "wage_iterations": result.wage_iterations,
        })
        self._record(result, table, d)
        if self.config.labour.wage_mode == "sticky":
            self.adjust_wages(result)
        self.last_result, self.last_table = result, table
        self.timings = {"decisions": t1 - t0, "clearing": t2 - t1, "mrio_indicators": time.perf_counter() - t2}
        self.period += 1

    def _apply_drivers(self, d: PeriodDrivers) -> None:
        w = self.world
        cs = w.country_state
        ins = self.instruments
        w.firms.robot_productivity[:] = self.base_robot_productivity / d.robot_price
        cs.deficit[:] = np.where(np.isnan(d.deficit), self.initial_deficit, d.deficit) + d.extra_deficit
        if self.period > 0:
            cs.labour_force *= 1.0 + d.labour_growth
            cs.technology *= 1.0 + d.technology_growth
        w.firms.productivity[:] = self.base_productivity * d.capacity[w.firms.country, w.firms.sector]
        self.home_bias_driver = d.home_bias
        for ev in self.drivers.blocs:
            if ev.period == self.period:
                b = ins.bloc_names.index(ev.bloc)
                for member in ev.members:
                    k = w.countries.index(member)
                    if ev.action == "join":
                        join_bloc(ins, k, b)
                        partners = np.flatnonzero((ins.bloc_of == b) & (np.arange(w.G) != k))
                        self.bloc_cost_factor[k, partners] *= 1.0 - ev.cost_cut
                        self.bloc_cost_factor[partners, k] *= 1.0 - ev.cost_cut
                    elif ins.bloc_of[k] == b:
                        ins.bloc_of[k] = -1
                        self.bloc_cost_factor[k, :] = 1.0
                        self.bloc_cost_factor[:, k] = 1.0
                    self.events.append({"period": self.period, "country": member, "instrument": f"bloc_{ev.action}",
                                        "target": ev.bloc, "sector": "", "restrictive": ev.action == "leave",
                                        "source": "driver"})
        for dec in d.tariffs:
            raised = apply_tariff_shock(ins, dec.importers, dec.exporters, dec.sectors, dec.rate, dec.goods)
            for c in np.flatnonzero(dec.importers):
                self.events.append({"period": self.period, "country": w.countries[c], "instrument": "tariff_shock",
                                    "target": dec.exporter, "sector": dec.sector, "restrictive": bool(raised[c]),
                                    "source": "driver"})
        apply_decrees(ins, d.local_content, d.supplier_subsidy, d.investment_limit)
        for name, value, restrictive in (("local_content", d.local_content, d.local_content > 0),
                                         ("import_substitution", d.supplier_subsidy, d.supplier_subsidy > 0),
                                         ("investment_limit", d.investment_limit, d.investment_limit < 1)):
            for c in np.flatnonzero(~np.isnan(value[:, 0])):
                self.events.append({"period": self.period, "country": w.countries[c], "instrument": name,
                                    "target": "", "sector": "", "restrictive": bool(restrictive[c, 0]),
                                    "source": "driver"})
        self.trade_cost_multiplier = d.trade_cost
        self.demand = d.demand
        self._set_trade_cost()

    def _set_trade_cost(self) -> None:
        """Iceberg margins of the period: period-0 margins times the trade-cost driver and the bloc cuts."""
        w = self.world
        w.policy.trade_cost[:] = (1.0 + (self.initial_trade_cost - 1.0) * self.trade_cost_multiplier
                                  * self.bloc_cost_factor[:, :, None])

    def _governments_decide(self) -> None:
        o = self.observations
        self.moves[:] = 0.0
        if self.engine == "numba":
            K = len(rules.INSTRUMENTS)
            obs = tuple(getattr(o, f.name) for f in fields(Observations))
            _decide_governments(self.groups, np.array(self.pressure_weights), np.array(self.thresholds),
                                self.instrument_costs, np.array(self.instrument_steps), float(self.world.policy.sigma),
                                obs, self.draws.u_government, self.moves, self.pressure, np.empty(K),
                                np.empty(K, dtype=np.int64), np.empty(K, dtype=np.int64), np.empty(K))
        else:
            self.agents_by_type[Government].shuffle_do("step")
        ins = self.instruments
        ins.targeted_by[:] = 0.0  # measures of this period are what partners may answer next period
        w = self.world
        for c in range(w.G):
            for code, target, sector, level in self.moves[c]:
                name = rules.INSTRUMENTS[int(code)]
                done = apply_move(ins, c, name, int(target), int(sector), self.agents_config.governments, w.regions,
                                  float(level))
                if done is None:
                    continue
                if name == "leave_bloc":  # the bloc's trade-cost cut ends with membership, as a driver's exit
                    self.bloc_cost_factor[c, :] = 1.0
                    self.bloc_cost_factor[:, c] = 1.0
                    self._set_trade_cost()
                if name == "join_bloc":
                    target_name = ins.bloc_names[done]
                else:
                    target_name = w.countries[done] if done >= 0 else ""
                self.events.append({
                    "period": self.period, "country": w.countries[c], "instrument": name, "target": target_name,
                    "sector": w.sectors[int(sector)] if sector >= 0 else "",
                    "restrictive": int(code) in rules.RESTRICTIVE, "source": "government",
                    "kind": rules.KINDS[int(code)],
                })

    def _households_decide(self) -> None:
        self.household_shift = self.instruments.home_bias + self.home_bias_driver
        if self.engine == "numba":
            _decide_households(self.initial_taste, self.household_shift,
                               self.agents_config.households.max_home_bias, self.world.policy.taste)
        else:
            self.agents_by_type[Household].shuffle_do("step")

    def _firms_decide(self, d: PeriodDrivers) -> None:
        w = self.world
        fs, net, ins, cs = w.firms, w.network, self.instruments, w.country_state
        fb = self.agents_config.firms
        # reach of an origin: the period-0 pattern, scaled like gravity by the change in the
        # information barrier, (barrier_m / barrier_1)^(1 - sigma)
        coord = self.coordination(d.info_cost)
        barrier = (coord / self.coordination(1.0)) ** (1.0 - w.policy.sigma)
        reach = self.reference_links * barrier[:, :, None]  # [c, o, s]
        reach_cdf = np.ascontiguousarray(np.cumsum(reach.transpose(0, 2, 1), axis=2))  # [c, s, o]
        tariff = effective_tariffs(ins.statutory, ins.bloc_of)
        sigma = float(w.policy.sigma)
        K = int(np.diff(net.group_ptr).max()) if len(net.group_ptr) > 1 else 1
        self.review_head = (fs.country, fs.sector, net.firm_groups, net.group_ptr, net.supplier, net.weight,
                            net.reference_cost, net.share, fs.price, self.reference_price, self.reference_wedge,
                            tariff, w.policy.trade_cost, ins.risk, ins.subsidy,
                            rules.minimum_domestic_share(ins.local_content, ins.investment_limit), self.cell_start,
                            reach_cdf)
        self.review_tail = (fb.review_rate, sigma, fb.switching_cost, np.empty(K), np.empty(K, dtype=np.bool_))
        self.automate_args = (fs.country, fs.sector, fs.automation, fs.insourcing, fs.nu, fs.nu0,
                              fs.robot_productivity, fs.make_productivity, w.kappa, cs.wage, cs.rental,
                              float(w.eta_robot), float(w.eta_make), fb.automation_speed, fb.insourcing_speed,
                              net.firm_groups, net.group_ptr, net.group_alpha, net.supplier, net.weight,
                              net.reference_cost, fs.price, tariff, w.policy.trade_cost, sigma, np.empty(K))
        self.switches = 0
        self.diffusion_args = self._diffusion_args(d) if fb.diffusion > 0.0 else None
        if self.engine == "numba":
            if self.diffusion_args is not None:  # before the reviews: gains read last period's links
                _diffuse_firms(w.F, *self.diffusion_args, self.diffusion_gain)
            self.switches = _decide_firms(w.F, self.review_head, self.draws.u_review, self.draws.u_origin,
                                          self.draws.u_firm, self.review_tail, self.automate_args)
        else:
            self.agents_by_type[Firm].shuffle_do("step")
        self._apply_diffusion(d)

    def _diffusion_args(self, d: PeriodDrivers) -> tuple:
        """Arguments of :func:`~gvc_abm.agents.rules.firm_diffusion`: links, shares, the start-of-period
        log know-how (the persistent base, not cut by disruptions) and the reach of ideas
        ``exp(-iota m (1 + d_co))`` abroad, 1 at home (the inverse of :meth:`coordination`)."""
        w = self.world
        net = w.network
        reach = 1.0 / self.coordination(d.info_cost)
        return (net.indptr, net.supplier, net.share, w.firms.country, np.log(self.base_productivity), reach,
                float(self.agents_config.firms.diffusion))

    def _apply_diffusion(self, d: PeriodDrivers) -> None:
        """All gains at once into the persistent productivity ``z_f <- z_f exp(dlog z_f)``, the period's
        productivity re-derived from it, and ``model.diffusion`` the output-weighted mean gain by country."""
        w = self.world
        fs = w.firms
        if self.diffusion_args is None:
            self.diffusion = np.zeros(w.G)
            return
        self.base_productivity *= np.exp(self.diffusion_gain)
        fs.productivity[:] = self.base_productivity * d.capacity[fs.country, fs.sector]
        self.diffusion = output_weighted_mean(self.diffusion_gain, fs.country, fs.output, w.G)

    def _publish_policy(self) -> None:
        ins = self.instruments
        self.world.policy.tariff[:] = effective_tariffs(ins.statutory, ins.bloc_of)
        self.world.policy.final_tariff = effective_tariffs(ins.final_statutory, ins.bloc_of)

    # ------------------------------------------------------------------ records
    def _record(self, result: ClearingResult, table: PeriodTable, d: PeriodDrivers) -> None:
        w = self.world
        ins = self.instruments
        rec = self.records.add(w, result, table, self.period, events=self.events, pressure=self.pressure,
                               switches=self.switches, bloc_of=ins.bloc_of, bloc_names=ins.bloc_names,
                               diffusion=getattr(self, "diffusion", None))
        mrio, wf = rec.mrio, rec.world
        # what governments read next period
        if self.reference_penetration is None:
            self.reference_penetration = import_penetration(mrio)
        tbi = rec.indicators.columns["tbi"]
        VA = rec.indicators.matrices["va_absorption"]
        balance = VA - VA.T
        np.fill_diagonal(balance, np.inf)
        jobs = wf["manufacturing_employment"]
        prev_jobs = self._history.get("jobs", jobs)
        ins = self.instruments
        gb = self.agents_config.governments
        cap_room = self.agents_config.households.max_home_bias - ins.home_bias - self.home_bias_driver
        self.observations = observe(
            table.Z, table.Y, table.x, table.factors[0], result.gdp, ins, gb, cap_room, w.regions,
            tbi=tbi,
            tbi_previous=self._history.get("tbi", tbi),
            unemployment=wf["unemployment"],
            jobs_change=np.divide(jobs - prev_jobs, prev_jobs, out=np.zeros(w.G), where=prev_jobs != 0),
            penetration=np.maximum(import_penetration(mrio) - self.reference_penetration, 0.0),
            va_balance=balance,
        )
        self._history = {"tbi": tbi, "jobs": jobs}
        # perceived risk of each origin learns from the capacity it lost this period
        loss = 1.0 - d.capacity.mean(axis=1)
        ins.risk[:] = rules.update_risk_premium(ins.risk, loss, self.agents_config.firms.risk_learning)

    def indicators_frame(self) -> pd.DataFrame:
        """Tidy indicators so far: one row per (period, country), the indicator library's columns."""
        return self.records.frame("indicators")

    def world_frame(self) -> pd.DataFrame:
        """Tidy accounts so far: one row per (period, country)."""
        return self.records.frame("world")

    def events_frame(self) -> pd.DataFrame:
        """The policy-event log: period, country, instrument, target, sector, restrictive, source, kind.

        ``kind`` is the instrument's kind (:data:`gvc_abm.agents.rules.KINDS`: economic, political,
        retaliation, liberalizing) for governments' moves, empty for the drivers' events.
        """
        cols = ["period", "country", "instrument", "target", "sector", "restrictive", "source", "kind"]
        frame = pd.DataFrame(self.events, columns=cols)
        frame["kind"] = frame["kind"].astype(object).fillna("")
        return frame


def run_simulation(
    config: SimulationConfig,
    seed: int | None = None,
    *,
    mrio_dir: str | Path | None = None,
    keep_tables: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Build a model from ``(config, seed)`` and run ``config.periods`` periods to tidy results.

    With ``mrio_dir`` each period's MRIO is saved to ``mrio_dir/period_0000`` ... (pymrio
    ``save_all``, parquet). ``progress(done, total)`` is called once the world is built (done 0)
    and after each period. Top-level and data-in/data-out, so it pickles for batch runners.
    """
    model = GVCModel(config, seed)
    if progress is not None:
        progress(0, config.periods)
    tables = []
    for _ in range(config.periods):
        period = model.period
        model.step()
        if mrio_dir is not None:
            model.last_table.save(Path(mrio_dir) / f"period_{period:04d}", year=period)
        if keep_tables:
            tables.append(model.last_table)
        if progress is not None:
            progress(model.period, config.periods)
    frames = model.records.frames()
    return RunResult(
        indicators=frames["indicators"],
        world=frames["world"],
        convergence=model.convergence,
        events=model.events_frame(),
        tables=tables,
        global_=frames["global"],
        regions=frames["regions"],
        flows=frames["flows"],
        sectors=frames["sectors"],
    )
