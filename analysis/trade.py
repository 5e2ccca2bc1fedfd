"""Gross trade flows of an MRIO table: exports, imports, the bilateral trade matrix.

A flow is an export when the selling country differs from the buying one (KWW 2014,
eq. 6): ``E_r* = sum_{s != r} (A_rs x_s + Y_rs)``. Intermediate exports are the off-
diagonal blocks of ``Z``; final exports the off-diagonal columns of ``Y``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .leontief import safe_divide
from .mrio import MRIO

__all__ = ["TradeFlows", "trade_flows", "openness", "intermediate_share_of_trade", "import_penetration"]


@dataclass(frozen=True)
class TradeFlows:
    """Gross trade of every country, all in the table's currency.

    Attributes
    ----------
    intermediate : (G, G) array
        ``T_int[r, s] = sum_{i in r, j in s} Z_ij`` for ``r != s``; zero diagonal.
    final : (G, G) array
        ``T_fin[r, s] = sum_{i in r} Y_is`` for ``r != s``; zero diagonal.
    sector_exports_intermediate, sector_exports_final : (n,) arrays
        Each country-sector's exports to all other countries (the vector ``E_r*``
        split into intermediate and final parts).
    """

    intermediate: np.ndarray
    final: np.ndarray
    sector_exports_intermediate: np.ndarray
    sector_exports_final: np.ndarray

    @property
    def bilateral(self) -> np.ndarray:
        """Bilateral gross trade ``T[r, s]`` (exporter r, importer s), intermediate + final."""
        return self.intermediate + self.final

    @property
    def sector_exports(self) -> np.ndarray:
        """``E_r*`` by exporting country-sector, shape (n,) (KWW 2014, eq. 6)."""
        return self.sector_exports_intermediate + self.sector_exports_final

    @property
    def exports_intermediate(self) -> np.ndarray:
        return self.intermediate.sum(axis=1)

    @property
    def exports_final(self) -> np.ndarray:
        return self.final.sum(axis=1)

    @property
    def exports(self) -> np.ndarray:
        """Gross exports by country, ``Ex_r = sum_s T[r, s]``."""
        return self.bilateral.sum(axis=1)

    @property
    def imports_intermediate(self) -> np.ndarray:
        return self.intermediate.sum(axis=0)

    @property
    def imports_final(self) -> np.ndarray:
        return self.final.sum(axis=0)

    @property
    def imports(self) -> np.ndarray:
        """Gross imports by country, ``Im_s = sum_r T[r, s]``."""
        return self.bilateral.sum(axis=0)


def _off_diagonal(M: np.ndarray) -> np.ndarray:
    out = M.copy()
    np.fill_diagonal(out, 0.0)
    return out


def trade_flows(m: MRIO) -> TradeFlows:
    """Bilateral and sectoral gross trade of table ``m`` (see :class:`TradeFlows`)."""
    G, N = m.G, m.N
    # Z summed over the buying country's sectors: (n, G); then over the seller's: (G, G).
    z_to_country = m.Z.reshape(m.n, G, N).sum(axis=2)
    z_bilateral = z_to_country.reshape(G, N, G).sum(axis=1)
    y_bilateral = m.Y.reshape(G, N, G).sum(axis=1)
    own = m.country_of_row
    foreign = np.ones((m.n, G), dtype=bool)
    foreign[np.arange(m.n), own] = False
    return TradeFlows(
        intermediate=_off_diagonal(z_bilateral),
        final=_off_diagonal(y_bilateral),
        sector_exports_intermediate=np.where(foreign, z_to_country, 0.0).sum(axis=1),
        sector_exports_final=np.where(foreign, m.Y, 0.0).sum(axis=1),
    )


def openness(exports: np.ndarray, imports: np.ndarray, gdp: np.ndarray) -> np.ndarray:
    """Trade openness ``(Ex + Im) / GDP`` (the World Bank's trade-to-GDP ratio; seed 000).

    0 where GDP is 0.
    """
    return safe_divide(np.asarray(exports) + np.asarray(imports), gdp)


def intermediate_share_of_trade(flows: TradeFlows) -> float:
    """Intermediate goods' share of world gross trade, ``sum T_int / sum T`` (seed 000).

    Zhang (2024) reports 67.5 % (2000) falling to 58.2 % (2022).
    """
    total = flows.bilateral.sum()
    return float(flows.intermediate.sum() / total) if total != 0 else 0.0


def import_penetration(m: MRIO) -> np.ndarray:
    """Import share of each country's use of each sector's goods, shape (G, N).

    ``m_{c,s} = sum_{o != c} U_{o,s,c} / sum_o U_{o,s,c}`` with ``U_{o,s,c}`` the use of
    sector s goods from origin o in country c, intermediate (Z summed over c's buying
    sectors) plus final (Y). 0 where a country uses none of a sector's goods.
    """
    G, N = m.G, m.N
    use = m.Z.reshape(G, N, G, N).sum(axis=3) + m.Y.reshape(G, N, G)  # [origin, sector, user]
    total = use.sum(axis=0)  # [sector, user]
    home = np.einsum("csc->sc", use)
    return safe_divide(total - home, total).T
