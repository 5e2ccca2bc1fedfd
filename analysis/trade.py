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

__all__ = ["TradeFlows", "trade_flows", "openness", "intermediate_share_of_trade", "sector_use", "sector_imports",
           "import_penetration", "AppliedTariffs", "applied_tariffs"]


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


def sector_use(m: MRIO) -> np.ndarray:
    """Use of each origin's sector goods by each country, ``U[o, s, c]``, shape (G, N, G).

    ``U_{o,s,c} = sum_{j in c} Z_{(o,s), j} + Y_{(o,s), c}``: intermediate use (Z summed over
    c's buying sectors) plus final use, at the table's (basic) prices. For ``o != c`` it is
    c's imports of sector-s goods from o, so ``sum_s U[o, s, c] = T[o, c]`` of :class:`TradeFlows`.
    """
    G, N = m.G, m.N
    return m.Z.reshape(G, N, G, N).sum(axis=3) + m.Y.reshape(G, N, G)


def sector_imports(m: MRIO) -> np.ndarray:
    """Imports of each sector's goods by each country, ``Im_{c,s} = sum_{o != c} U_{o,s,c}``, shape (G, N).

    Intermediate plus final, from :func:`sector_use`; summed over sectors it is the country's
    gross imports (KWW 2014, eq. 6, seen from the importer).
    """
    use = sector_use(m)
    return (use.sum(axis=0) - np.einsum("csc->sc", use)).T


def import_penetration(m: MRIO) -> np.ndarray:
    """Import share of each country's use of each sector's goods, shape (G, N).

    ``m_{c,s} = sum_{o != c} U_{o,s,c} / sum_o U_{o,s,c}`` with ``U_{o,s,c}`` the use of
    sector s goods from origin o in country c, intermediate (Z summed over c's buying
    sectors) plus final (Y) (:func:`sector_use`). 0 where a country uses none of a sector's goods.
    """
    use = sector_use(m)
    total = use.sum(axis=0)  # [sector, user]
    home = np.einsum("csc->sc", use)
    return safe_divide(total - home, total).T


@dataclass(frozen=True)
class AppliedTariffs:
    """Trade-weighted applied tariffs (fractions, ad valorem).

    Attributes
    ----------
    bilateral : (G, G) array
        ``tau[o, c]``: the rate importer c applies to exporter o's goods, weighted by c's
        imports of each sector from o; 0 on the diagonal and where o sells c nothing.
    importer : (G,) array
        The rate each importer applies to all its imports, weighted by them; 0 without imports.
    """

    bilateral: np.ndarray
    importer: np.ndarray


def applied_tariffs(m: MRIO, tariff: np.ndarray, final_tariff: np.ndarray | None = None) -> AppliedTariffs:
    """Trade-weighted mean applied tariffs of table ``m`` under the rates ``tariff[c, o, s]``.

    ``tau_{o,c} = sum_s tau_{c,o,s} U_{o,s,c} / sum_s U_{o,s,c}`` (exporter o, importer c) and
    ``tau_c = sum_{o != c, s} tau_{c,o,s} U_{o,s,c} / sum_{o != c, s} U_{o,s,c}``, with ``U`` the
    imports at basic prices of :func:`sector_use` (intermediate and final): the weighted mean
    applied tariff of the World Bank's WDI / WITS (TM.TAX.MRCH.WM.AR.ZS), with the period's
    own imports as weights.

    Parameters
    ----------
    tariff : (G, G, N) array
        Ad valorem rate applied by importer c to sector-s goods from origin o, ``[c, o, s]``.
    final_tariff : (G, G, N) array, optional
        The rate on final goods where it differs from the one on intermediates: then
        intermediate imports (Z) are weighted with ``tariff`` and final imports (Y) with it.
    """
    G, N = m.G, m.N
    tariff = np.asarray(tariff, dtype=float)
    if tariff.shape != (G, G, N):
        raise ValueError(f"tariff: expected shape ({G}, {G}, {N}) (importer, exporter, sector), got {tariff.shape}")
    use = sector_use(m).copy()  # [o, s, c]
    use[np.arange(G), :, np.arange(G)] = 0.0  # domestic use is not trade
    rate = tariff.transpose(1, 2, 0)  # [o, s, c]
    if final_tariff is None:
        paid = (rate * use).sum(axis=1)  # [o, c]
    else:
        final_tariff = np.asarray(final_tariff, dtype=float)
        if final_tariff.shape != (G, G, N):
            raise ValueError(f"final_tariff: expected shape ({G}, {G}, {N}) (importer, exporter, sector), got {final_tariff.shape}")
        final_use = m.Y.reshape(G, N, G).copy()
        final_use[np.arange(G), :, np.arange(G)] = 0.0
        paid = (rate * (use - final_use) + final_tariff.transpose(1, 2, 0) * final_use).sum(axis=1)
    value = use.sum(axis=1)
    return AppliedTariffs(bilateral=safe_divide(paid, value), importer=safe_divide(paid.sum(axis=0), value.sum(axis=0)))
