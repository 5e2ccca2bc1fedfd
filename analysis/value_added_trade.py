"""Trade in value added: the absorption matrix V B Y and the Trade Benefit Index.

``VA[i, j] = sum_{k in i} v_k (B Y)_{k, j}``: value added created in country i and
absorbed in final demand of country j (Johnson & Noguera 2012; Gao, Li & Zhu 2021,
eq. 1 and the matrix ``V^ B Y`` above it). Its grand total is world GDP and its row
sums are each country's GDP when ``x = Z 1 + Y 1``.
"""

from __future__ import annotations

import numpy as np

from .leontief import leontief_system, safe_divide, value_added_multipliers
from .mrio import MRIO, as_mrio

__all__ = ["value_added_absorption", "value_added_trade_matrix", "trade_benefit_index"]


def value_added_absorption(W: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """``VA = W Y``, shape (G, G), from the multipliers ``W = S diag(v) B`` and final demand Y (n, G)."""
    return W @ Y


def value_added_trade_matrix(m: MRIO) -> np.ndarray:
    """``VA = S diag(v) B Y`` of a table (MRIO or pymrio.IOSystem): (G, G), source x absorber."""
    m = as_mrio(m)
    A, v, solver = leontief_system(m)
    return value_added_absorption(value_added_multipliers(v, solver, m.G), m.Y)


def trade_benefit_index(VA: np.ndarray) -> np.ndarray:
    """Trade Benefit Index of every country (Gao, Li & Zhu 2021, eq. 1).

    ``TBI_i = (sum_{j!=i} VA_ij - sum_{j!=i} VA_ji) / (sum_{j!=i} VA_ij + sum_{j!=i} VA_ji)``:
    the value-added trade balance over value-added trade. Positive for a country whose
    value added absorbed abroad exceeds the foreign value added it absorbs (China 0.243
    in 2007, the US -0.271 in 2005 in their Table 1). 0 for a country with no trade.
    """
    off = np.asarray(VA, dtype=float).copy()
    np.fill_diagonal(off, 0.0)
    exported = off.sum(axis=1)
    imported = off.sum(axis=0)
    return safe_divide(exported - imported, exported + imported)
