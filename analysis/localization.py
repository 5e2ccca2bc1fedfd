"""Localization of production and absorption: Qu & Yang's omega, mu and nu.

Qu & Yang (2023), section 3 eq. (1) and (4), measured from tables as in section 5.2:

- ``omega_r``: home share of the final goods country r absorbs,
  ``sum_{i in r} Y_ir / sum_i Y_ir``;
- ``mu_r``: home share of the intermediate inputs r's industries use,
  ``sum_{i in r, j in r} Z_ij / sum_{i, j in r} Z_ij``;
- ``nu_r``: value added over gross output, ``sum_{j in r} va_j / sum_{j in r} x_j``.

A country that absorbs or uses nothing gets 0, never NaN.
"""

from __future__ import annotations

import numpy as np

from .leontief import safe_divide
from .mrio import MRIO

__all__ = ["home_share_final", "home_share_intermediate", "value_added_ratio"]


def home_share_final(m: MRIO) -> np.ndarray:
    """``omega_r = sum_{i in r} Y_ir / sum_i Y_ir`` (Qu & Yang 2023, eq. 4 and section 5.2)."""
    by_origin = m.Y.reshape(m.G, m.N, m.G).sum(axis=1)  # [origin, destination]
    return safe_divide(np.diag(by_origin), by_origin.sum(axis=0))


def home_share_intermediate(m: MRIO) -> np.ndarray:
    """``mu_r = sum_{i, j in r} Z_ij / sum_{i; j in r} Z_ij`` (Qu & Yang 2023, eq. 1 and section 5.2)."""
    G, N = m.G, m.N
    by_pair = m.Z.reshape(G, N, G, N).sum(axis=(1, 3))  # [seller country, buyer country]
    return safe_divide(np.diag(by_pair), by_pair.sum(axis=0))


def value_added_ratio(m: MRIO) -> np.ndarray:
    """``nu_r = sum_{j in r} va_j / sum_{j in r} x_j`` (Qu & Yang 2023, eq. 1)."""
    return safe_divide(m.va.reshape(m.G, m.N).sum(axis=1), m.x.reshape(m.G, m.N).sum(axis=1))
