"""Country records of firm productivity: the technology index and output-weighted means.

Bookkeeping only (the diffusion rule itself is :func:`gvc_abm.agents.rules.firm_diffusion`):

- :func:`output_weighted_mean`: ``sum_{f in c} X_f v_f / sum_{f in c} X_f`` by country, the
  aggregate of a firm-level quantity (e.g. the period's log-productivity gain from diffusion);
- :func:`technology_index`: ``T_c = A_c exp(sum_{f in c} X_f log z_f / sum_{f in c} X_f)``,
  the country's TFP level, its technology A_c (Qu & Yang 2023, eq. 1) times the output-weighted
  geometric mean of its firms' productivities (DESIGN.md, "The economy, one period").
"""

from __future__ import annotations

import numpy as np

from .state import World

__all__ = ["output_weighted_mean", "technology_index"]


def output_weighted_mean(values: np.ndarray, country: np.ndarray, output: np.ndarray, G: int) -> np.ndarray:
    """(G,) mean of ``values`` (F,) over each country's firms weighted by output ``X_f``; 0 where a
    country has no output."""
    total = np.bincount(country, weights=output, minlength=G)
    weighted = np.bincount(country, weights=output * values, minlength=G)
    return np.divide(weighted, total, out=np.zeros(G), where=total > 0)


def technology_index(world: World) -> np.ndarray:
    """(G,) ``A_c exp(output-weighted mean of log z_f)`` over country c's firms, with the
    productivities the clearing priced (disruptions included) and the firms' current output values."""
    fs = world.firms
    mean_log_z = output_weighted_mean(np.log(fs.productivity), fs.country, fs.output, world.G)
    return world.country_state.technology * np.exp(mean_log_z)
