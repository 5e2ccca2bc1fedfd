"""The model that steps the world, and the one picklable function that runs it.

:class:`WorldModel` sequences a period in HARK's order (STYLE.md section 3): publish prices and
tariffs (the state's read-only :meth:`view`), agents decide (their own issue: nothing yet, the
exogenous drivers are held fixed), clear (:func:`~gvc_abm.environment.clearing.clear`),
aggregate to an MRIO (:func:`~gvc_abm.environment.aggregate.aggregate`), collect tidy rows, and
then adjust sticky wages for the next period. The economics live in the kernels and rules.

Sticky wages (DESIGN.md, labour): between periods ``w_c <- w_c (N_c / L_c)^theta`` and all
wages are rescaled so that ``sum_c w_c L_c`` stays equal to the numeraire (homogeneity makes the
rescaling neutral for real quantities).

:func:`run_simulation` builds a model from ``(config, seed)`` and runs it to a
:class:`RunResult` of tidy frames; it is top-level, takes data only and keeps no global state,
so a batch runner can pickle it.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .aggregate import PeriodTable, aggregate
from .builders import build_calibrated_world, build_default_world, build_paper_world
from .clearing import ClearingResult, ClearingWarning, clear
from .config import CalibratedWorldConfig, DefaultWorldConfig, PaperWorldConfig, SimulationConfig
from .state import World
from .welfare import price_index, real_income

__all__ = ["WorldModel", "RunResult", "run_simulation", "build_world_for", "world_frame", "world_seeds"]


def world_seeds(seed: int) -> tuple[np.random.Generator, np.random.Generator]:
    """Independent generators for building the world and for the agents' draws, from one seed."""
    a, b = np.random.SeedSequence(seed).spawn(2)
    return np.random.default_rng(a), np.random.default_rng(b)


def build_world_for(config: SimulationConfig, seed: int | None = None) -> World:
    """The world a simulation config describes, seeded reproducibly."""
    seed = config.seed if seed is None else seed
    rng, _ = world_seeds(seed)
    wc = config.world
    if isinstance(wc, DefaultWorldConfig):
        return build_default_world(wc, rng, numeraire=config.labour.numeraire, tol=config.clearing.tol)
    if isinstance(wc, CalibratedWorldConfig):
        world = build_calibrated_world(wc, rng)
    elif isinstance(wc, PaperWorldConfig):
        world = build_paper_world(wc, rng)
    else:  # pragma: no cover - the discriminated union admits nothing else
        raise TypeError(type(wc).__name__)
    if config.labour.numeraire is not None:
        k = config.labour.numeraire / world.numeraire
        world.country_state.wage *= k
        world.country_state.rental *= k
        world.firms.price *= k
        world.firms.output *= k
        world.numeraire = float(config.labour.numeraire)
    return world


def world_frame(world: World, result: ClearingResult, period: int) -> pd.DataFrame:
    """Tidy per-country state of one cleared period (macro accounts and welfare)."""
    cs = world.country_state
    gdp = result.gdp
    return pd.DataFrame(
        {
            "period": np.full(world.G, period, dtype=np.int64),
            "country": list(world.countries),
            "region": list(world.regions),
            "wage": result.wage,
            "labour_force": cs.labour_force,
            "employment": result.employment,
            "unemployment": result.unemployment_rate(cs.labour_force),
            "gdp": gdp,
            "labour_income": result.labour_income,
            "capital_income": result.capital_income,
            "tariff_revenue": result.tariff_revenue,
            "expenditure": result.expenditure,
            "trade_deficit": cs.deficit * gdp.sum(),
            "price_index": price_index(world, result),
            "real_income": real_income(world, result),
            "converged": np.full(world.G, result.converged),
        }
    )


@dataclass
class RunResult:
    """Tidy results of a run: one row per (period, country) in each frame."""

    indicators: pd.DataFrame
    world: pd.DataFrame
    convergence: list[dict]
    tables: list[PeriodTable] = field(default_factory=list)


class WorldModel:
    """Steps a world period by period (module docstring).

    Parameters
    ----------
    config : SimulationConfig
    seed : int, optional
        Overrides ``config.seed``.
    """

    def __init__(self, config: SimulationConfig, seed: int | None = None):
        self.config = config
        self.seed = config.seed if seed is None else int(seed)
        self.world = build_world_for(config, self.seed)
        _, self.rng = world_seeds(self.seed)  # the agents' generator (next issue)
        self.period = 0
        self.convergence: list[dict] = []

    @property
    def state(self) -> World:
        """A read-only view of the world's state (for agents' reads and a dashboard)."""
        return self.world.view()

    def clear(self) -> ClearingResult:
        """Clear the current period with the configured wage mode and tolerances."""
        cc = self.config.clearing
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ClearingWarning)
            result = clear(
                self.world,
                flexible=self.config.labour.wage_mode == "flexible",
                tol=cc.tol,
                max_iter=cc.max_iter,
                max_wage_iter=cc.max_wage_iter,
                wage_step=cc.wage_step,
                engine=self.config.engine,
            )
        for w in caught:
            warnings.warn(f"period {self.period}: {w.message}", ClearingWarning, stacklevel=3)
        return result

    def adjust_wages(self, result: ClearingResult) -> None:
        """Sticky wages: partial adjustment toward full employment, rescaled to the numeraire."""
        cs = self.world.country_state
        theta = self.config.labour.wage_adjustment
        ratio = np.where(result.employment > 0, result.employment / cs.labour_force, 0.5 ** (1 / theta))
        cs.wage *= ratio**theta
        cs.wage *= self.world.numeraire / float(cs.wage @ cs.labour_force)

    def step(self) -> tuple[ClearingResult, PeriodTable]:
        """One period: clear, aggregate, record convergence, adjust sticky wages."""
        result = self.clear()
        table = aggregate(self.world, result)
        self.convergence.append(
            {
                "period": self.period,
                "converged": result.converged,
                "iterations": result.iterations,
                "residual": result.residual,
                "price_iterations": result.price_iterations,
                "value_iterations": result.value_iterations,
                "wage_iterations": result.wage_iterations,
            }
        )
        if self.config.labour.wage_mode == "sticky":
            self.adjust_wages(result)
        self.period += 1
        return result, table


def _indicator_rows(table: PeriodTable, period: int) -> pd.DataFrame:
    from gvc_abm.analysis.indicators import indicators_table

    frame = indicators_table(table.to_mrio()).reset_index()
    frame.insert(0, "period", np.int64(period))
    return frame


def run_simulation(
    config: SimulationConfig,
    seed: int | None = None,
    *,
    mrio_dir: str | Path | None = None,
    keep_tables: bool = False,
) -> RunResult:
    """Build a model from ``(config, seed)`` and run ``config.periods`` periods to tidy results.

    With ``mrio_dir`` each period's MRIO is saved to ``mrio_dir/period_0000`` ... (pymrio
    ``save_all``, parquet). Top-level and data-in/data-out, so it pickles for batch runners.
    """
    model = WorldModel(config, seed)
    ind, wf, tables = [], [], []
    for _ in range(config.periods):
        period = model.period
        result, table = model.step()
        ind.append(_indicator_rows(table, period))
        wf.append(world_frame(model.world, result, period))
        if mrio_dir is not None:
            table.save(Path(mrio_dir) / f"period_{period:04d}", year=period)
        if keep_tables:
            tables.append(table)
    return RunResult(
        indicators=pd.concat(ind, ignore_index=True),
        world=pd.concat(wf, ignore_index=True),
        convergence=model.convergence,
        tables=tables,
    )
