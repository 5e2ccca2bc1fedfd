"""Welfare: each country's real income, nominal expenditure deflated by the exact CES price index.

Households of c have utility U_c = prod_s C_{c,s}^(bhat_cs) with bhat_cs = beta_cs / sum_s beta_cs
(Cobb-Douglas across sectors) and C_{c,s} a CES aggregate of all firms' varieties with elasticity
sigma and weights b_{c,o,s} lambda_g (Armington with home bias). The exact price index of the
basket (the unit expenditure function) is

    P_c = prod_s (P_{c,s} / bhat_cs)^bhat_cs,
    P_{c,s} = (sum_g W_g landed_{c,g}^(1-sigma))^(1/(1-sigma)),   W_g = b lambda_g / sum b lambda

(Cobb-Douglas limit for sigma = 1; landed prices carry the tariff on final goods,
``Policy.final()``), and real income ``E_c sum_s beta_cs / P_c`` equals the
utility U_c reached (Feenstra 1994; Arkolakis, Costinot & Rodriguez-Clare 2012 use the same
index). The part of expenditure outside the basket (exogenous final demand such as inventory
changes in a calibrated table) is not deflated into welfare.
"""

from __future__ import annotations

import numpy as np

from .clearing import ClearingResult
from .state import World

__all__ = ["price_index", "real_income"]


def price_index(world: World, result: ClearingResult) -> np.ndarray:
    """P_c, the exact price index of each country's final basket, shape (G,)."""
    beta = world.policy.beta
    tot = beta.sum(axis=1, keepdims=True)
    bhat = np.divide(beta, tot, out=np.zeros_like(beta), where=tot > 0)
    logb = np.log(np.where(bhat > 0, bhat, 1.0))
    return np.exp((bhat * (result.log_pindex - logb)).sum(axis=1))


def real_income(world: World, result: ClearingResult) -> np.ndarray:
    """Real income ``E_c sum_s beta_cs / P_c`` of each country (utility units), shape (G,)."""
    return result.expenditure * world.policy.beta.sum(axis=1) / price_index(world, result)
