"""Trade concentration: Herfindahl-Hirschman index of world export-market shares."""

from __future__ import annotations

import numpy as np

from .trade import TradeFlows

__all__ = ["herfindahl", "export_hhi"]


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
