"""Trade concentration: Herfindahl-Hirschman index of world export-market shares."""

from __future__ import annotations

import numpy as np

from .trade import TradeFlows

__all__ = ["herfindahl", "export_hhi", "partner_hhi"]


def herfindahl(values: np.ndarray) -> float:
    """``HHI = sum_r s_r^2`` with shares ``s_r = values_r / sum values`` (0 when the sum is 0).

    A fraction in (0, 1]; Qu & Yang (2023, Table 4) report it in percent.
    """
    values = np.asarray(values, dtype=float)
    total = values.sum()
    if total == 0:
        return 0.0
    shares = values / total
    return float(shares @ shares)


def export_hhi(flows: TradeFlows) -> tuple[float, float]:
    """HHI of countries' shares in world exports of intermediate and of final goods.

    Qu & Yang (2023), section 6.1 and Table 4: intermediates 8.13 % (1993) to 9.64 %
    (2018), final goods 9.12 % to 11.06 %. Returns ``(hhi_intermediate, hhi_final)``.
    """
    return herfindahl(flows.exports_intermediate), herfindahl(flows.exports_final)


def partner_hhi(T: np.ndarray, by: str = "importer") -> np.ndarray:
    """HHI of each country's trade partners from a bilateral matrix ``T`` (exporter x importer).

    ``by="importer"``: for each importer s, ``sum_r (T_rs / sum_r T_rs)^2`` over its source
    countries (concentration of where it buys); ``by="exporter"``: over each exporter's
    destinations. The diagonal (domestic flows) is ignored; 0 for a country with no trade.
    Losing a partner whose share s_j is below about twice the HHI raises it, since
    ``(H - s_j^2) / (1 - s_j)^2 > H`` iff ``s_j < 2H / (1 + H)``.
    """
    off = np.asarray(T, dtype=float).copy()
    np.fill_diagonal(off, 0.0)
    if by == "exporter":
        off = off.T
    elif by != "importer":
        raise ValueError(f"by: expected 'importer' or 'exporter', got {by!r}")
    total = off.sum(axis=0)
    shares = np.divide(off, total[None, :], out=np.zeros_like(off), where=total[None, :] != 0)
    return (shares**2).sum(axis=0)
