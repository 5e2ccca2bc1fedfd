"""MRIO aggregation of a cleared period: firm flows summed to country x sector cells.

For firm f in cell j = (c, s) and supplier g in cell i = (o, s'):

- ``Z_ij = sum (1 - nu_f) share_fg X_f / (1 + tau_{c,o,s'})``: intermediate flows at basic
  prices (the tariff is paid by the buyer to its own government),
- ``Y_ic = E_c (beta_cs' pi_{c,o,s'} + e_{c,o,s'}) / (1 + tau^F_{c,o,s'})``: final sales of cell i to c
  (tau^F the tariff on final goods, ``Policy.final()``; tau in Z is the one on intermediates),
- ``x_j = sum_{f in j} X_f``,
- factor inputs of cell j: labour income ``sum nu_f (1 - k_f) X_f``, capital (automation) income
  ``sum nu_f k_f X_f`` and tariffs paid on intermediates ``sum (1 - nu_f) share tau/(1+tau) X_f``;
  tariffs paid by households on final goods are the final-demand part (``F_Y``).

Column identity ``x = 1'Z + factor inputs`` holds to rounding (each firm spends exactly its
output); the row identity ``x = Z 1 + Y 1`` is the market-clearing condition and holds to the
clearing tolerance. Together they give ``world value added + tariff revenue = world final
expenditure`` and each country's trade deficit ``imports - exports = d_c GDP_world``.
The IOSystem follows pymrio's layout (Z, Y, x with column ``indout``, an extension
``factor_inputs``) and leaves L and the rest to pymrio's ``calc_*`` (STYLE.md section 3).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from gvc_abm.analysis.mrio import MRIO, mrio_from_arrays

from . import kernels as K
from .clearing import ClearingResult
from .state import World

__all__ = ["PeriodTable", "aggregate", "FACTOR_ROWS"]

#: Rows of the factor-input extension.
FACTOR_ROWS = ("labour income", "capital income", "tariffs paid")


@dataclass(frozen=True)
class PeriodTable:
    """One period's MRIO arrays (country-major, n = G * S) and its factor-input extension."""

    Z: np.ndarray  # (n, n)
    Y: np.ndarray  # (n, G)
    x: np.ndarray  # (n,)
    factors: np.ndarray  # (3, n): labour income, capital income, tariffs paid on intermediates
    final_tariffs: np.ndarray  # (G,) tariffs paid by each country's households
    countries: tuple[str, ...]
    sectors: tuple[str, ...]

    def to_mrio(self) -> MRIO:
        """The table as the indicator library's :class:`MRIO` (x = firm outputs, va = x - 1'Z)."""
        return mrio_from_arrays(self.Z, self.Y, self.countries, self.sectors, x=self.x, source="simulation")

    def to_iosystem(self, name: str = "gvc-abm", year: int | None = None):
        """A ``pymrio.IOSystem`` with Z, Y, x and the extension ``factor_inputs`` (F and F_Y)."""
        import pymrio

        idx = pd.MultiIndex.from_product([list(self.countries), list(self.sectors)], names=["region", "sector"])
        ycols = pd.MultiIndex.from_product([list(self.countries), ["final_demand"]], names=["region", "category"])
        Z = pd.DataFrame(self.Z, index=idx, columns=idx)
        Y = pd.DataFrame(self.Y, index=idx, columns=ycols)
        x = pd.DataFrame(self.x, index=idx, columns=["indout"])
        rows = pd.Index(list(FACTOR_ROWS), name="stressor")
        F = pd.DataFrame(self.factors, index=rows, columns=idx)
        FY = pd.DataFrame(np.zeros((3, len(self.countries))), index=rows, columns=ycols)
        FY.iloc[2, :] = self.final_tariffs
        ext = pymrio.Extension(
            name="factor_inputs", F=F, F_Y=FY,
            unit=pd.DataFrame({"unit": ["model currency"] * 3}, index=rows),
        )
        io = pymrio.IOSystem(Z=Z, Y=Y, x=x, name=name, year=year, unit=pd.DataFrame({"unit": ["model currency"] * len(idx)}, index=idx))
        io.factor_inputs = ext
        return io

    def save(self, path: str | Path, name: str = "gvc-abm", year: int | None = None) -> None:
        """``IOSystem.save_all(path, table_format="parquet")``, readable by ``pymrio.load_all``."""
        self.to_iosystem(name=name, year=year).save_all(Path(path), table_format="parquet")


def aggregate(world: World, result: ClearingResult) -> PeriodTable:
    """Aggregate the cleared firm flows of ``world`` to a :class:`PeriodTable` (module docstring)."""
    fs, net, pol = world.firms, world.network, world.policy
    G, S = world.G, world.S
    n = G * S
    X = result.output
    Z = np.empty((n, n))
    tpaid = np.empty(n)
    K.cell_flows(fs.country, fs.sector, fs.nu, net.indptr, net.supplier, net.share, pol.tariff, X, S, Z, tpaid)
    cell = world.cell()
    x = np.bincount(cell, weights=X, minlength=n)
    va = fs.nu * X
    lab = np.bincount(cell, weights=result.labour_share * va, minlength=n)
    cap = np.bincount(cell, weights=(1.0 - result.labour_share) * va, minlength=n)
    # final_sales[c, o, s] -> Y[(o, s), c]
    Y = result.final_sales.transpose(1, 2, 0).reshape(n, G)
    return PeriodTable(
        Z=Z, Y=Y, x=x, factors=np.vstack([lab, cap, tpaid]), final_tariffs=result.final_tariffs.copy(),
        countries=world.countries, sectors=world.sectors,
    )
