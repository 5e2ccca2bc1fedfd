"""The firm's technology: one unit-cost function, and the shares Shephard's lemma derives from it.

Every firm has one production technology with fixed parameters; the price dual of the
clearing (:mod:`gvc_abm.environment.kernels`), the plain-Python reference engine and the
agents' rules (:mod:`gvc_abm.agents.rules`) all call the functions here, so prices and
choices cannot come from two different technologies (DESIGN.md, "One technology, fixed
parameters"). Each function is ``register_jitable``: plain Python when called from Python,
compiled inline when a numba kernel calls it.

Firm f in country c, with TFP ``A_c z_f`` (Hicks-neutral), combines value added and an
intermediate bundle Cobb-Douglas with fixed exponents ``nu0_f`` and ``1 - nu0_f``::

    log p_f = -log(A_c z_f) + nu0 (log cVA_f - log nu0) + (1 - nu0)(log C_f - log(1 - nu0))

*Value added* is a task model (Acemoglu & Restrepo 2018): a continuum of tasks, the share
``kappa_s`` automatable; robot productivity on the automatable tasks falls along them as
``phi_R x^(-1/eta_R)`` (x in (0, 1], a Pareto tail), labour productivity is 1. Automating the
first ``a`` of them (in units of kappa_s)::

    log cVA(a) = (1 - kappa a) log w + kappa a (log r - log phi_R) + (kappa / eta_R)(a log a - a)

is minimized at ``a* = min(1, (phi_R w / r)^eta_R)``: a task is automated where the robot's
cost per unit, ``r / phi``, is below the wage. Labour's share of value added is ``1 - kappa a``.

*The intermediate bundle* is a make-or-buy choice over a continuum of tasks i in [0, 1]: task
i costs ``cVA / phi_M(i)`` made in house, with ``phi_M(i) = phi_M (1 - i)^(1/eta_M)``, or
``P_f`` bought, the Cobb-Douglas index of the input sectors' prices. Making the first m::

    log C(m) = m (log cVA - log phi_M) + ((1 - m) log(1 - m) + m) / eta_M + (1 - m) log P_f
    log P_f  = sum_s alpha_fs (log P_fs - log alpha_fs)

is minimized at ``m* = max(0, 1 - (cVA / (phi_M P_f))^eta_M)``: a task moves in house only
when making it is cheaper than buying it (nothing is made when ``cVA >= phi_M P_f``;
``phi_M = 0`` switches making off). The measured value-added share is
``nu_f = nu0 + (1 - nu0) m``: insourcing raises it as a consequence of prices (Qu & Yang
2023, Proposition 4, "technology backfire").

*Each input sector* s is a CES over the firm's current suppliers g with elasticity sigma and
slot weights ``Lambda_g`` (sum 1 in the sector)::

    P_fs = (sum_g Lambda_g (c_g / cref_g)^(1 - sigma))^(1 / (1 - sigma)),   c_g = p_g (1 + tau) t

(``log P_fs = sum_g Lambda_g log(c_g / cref_g)`` for sigma = 1): the CES weight of link fg is
``lambda_fg = Lambda_g cref_g^(sigma - 1)``, with ``cref_g`` the landed cost of g at the
benchmark (period 0), so period 0 reproduces the benchmark's shares exactly (Baqaee & Farhi
2019; Atalay 2017; a benchmark calibration, Shoven & Whalley 1992). A new supplier takes over
a slot's weight with its own benchmark cost, so changing a supplier changes cost only through
prices. The spending shares within the sector are ``w_g = Lambda_g (c_g/cref_g)^(1-sigma) /
P_fs^(1-sigma)``, of f's output value ``(1 - nu0)(1 - m) alpha_fs w_g``.

No change of a share, an exponent or automation changes a cost except through the prices of
what it substitutes: at the chosen a* and m* the cost is minimal and, by the envelope theorem,
a small change of a or m changes it only to second order.
"""

from __future__ import annotations

import numpy as np
from numba.extending import register_jitable

__all__ = [
    "xlogx",
    "log_va_cost",
    "automation_target",
    "labour_share",
    "log_bundle_cost",
    "insourcing_target",
    "value_added_share",
    "purchase_share",
    "log_unit_cost",
    "log_intermediate_index",
    "ces_log_index",
    "ces_shares",
    "robot_productivity_for",
    "make_productivity_for",
]


@register_jitable
def xlogx(x: float) -> float:
    """``x log x`` with ``0 log 0 = 0``."""
    if x <= 0.0:
        return 0.0
    return x * np.log(x)


@register_jitable
def log_va_cost(log_wage: float, log_rental: float, kappa: float, automation: float, log_phi_robot: float,
                eta_robot: float) -> float:
    """log cVA(a) of the task model (module docstring; Acemoglu & Restrepo 2018)."""
    k = kappa * automation
    out = (1.0 - k) * log_wage
    if k > 0.0:
        out += k * (log_rental - log_phi_robot) + kappa / eta_robot * (xlogx(automation) - automation)
    return out


@register_jitable
def automation_target(wage: float, rental: float, phi_robot: float, eta_robot: float) -> float:
    """Cost-minimizing automation ``a* = min(1, (phi_R w / r)^eta_R)``; 0 when ``phi_R = 0``."""
    if phi_robot <= 0.0:
        return 0.0
    ratio = phi_robot * wage / rental
    if ratio >= 1.0:
        return 1.0
    return ratio**eta_robot


@register_jitable
def labour_share(kappa: float, automation: float) -> float:
    """Labour's share of value added, ``1 - kappa a`` (Shephard's lemma on log cVA)."""
    return 1.0 - kappa * automation


@register_jitable
def log_bundle_cost(make: float, log_cva: float, log_pint: float, log_phi_make: float, eta_make: float) -> float:
    """log C(m) of the make-or-buy bundle (module docstring); ``m = 0`` is buying everything."""
    if make <= 0.0:
        return log_pint
    return make * (log_cva - log_phi_make) + (xlogx(1.0 - make) + make) / eta_make + (1.0 - make) * log_pint


@register_jitable
def insourcing_target(log_cva: float, log_pint: float, phi_make: float, eta_make: float) -> float:
    """Cost-minimizing share of bundle tasks made in house, ``m* = max(0, 1 - (cVA/(phi_M P))^eta_M)``."""
    if phi_make <= 0.0:
        return 0.0
    x = eta_make * (log_cva - np.log(phi_make) - log_pint)
    if x >= 0.0:
        return 0.0
    return 1.0 - np.exp(x)


@register_jitable
def value_added_share(nu0: float, make: float) -> float:
    """Measured value-added share ``nu_f = nu0 + (1 - nu0) m`` (Shephard's lemma)."""
    return nu0 + (1.0 - nu0) * make


@register_jitable
def purchase_share(nu0: float, make: float) -> float:
    """Share of output value spent on bought inputs, ``(1 - nu0)(1 - m) = 1 - nu_f``."""
    return (1.0 - nu0) * (1.0 - make)


@register_jitable
def log_unit_cost(log_tfp: float, nu0: float, log_cva: float, log_bundle: float) -> float:
    """``log p_f = -log(A z) + nu0 (log cVA - log nu0) + (1 - nu0)(log C - log(1 - nu0))``."""
    out = -log_tfp
    if nu0 > 0.0:
        out += nu0 * log_cva - xlogx(nu0)
    if nu0 < 1.0:
        out += (1.0 - nu0) * log_bundle - xlogx(1.0 - nu0)
    return out


@register_jitable
def log_intermediate_index(alpha: np.ndarray, log_sector_index: np.ndarray) -> float:
    """``log P_f = sum_s alpha_s (log P_fs - log alpha_s)``: Cobb-Douglas over input sectors."""
    out = 0.0
    for k in range(alpha.shape[0]):
        if alpha[k] > 0.0:
            out += alpha[k] * log_sector_index[k] - xlogx(alpha[k])
    return out


@register_jitable
def ces_log_index(weights: np.ndarray, log_relative_cost: np.ndarray, sigma: float) -> float:
    """``log P = log (sum_g Lambda_g r_g^(1-sigma)) / (1 - sigma)``, r_g = c_g / cref_g (sigma = 1:
    ``sum_g Lambda_g log r_g``). With weights summing to 1 and equal r, it is log r whatever the weights;
    a sector bought from one supplier at weight 1 is ``log r`` exactly (as the price dual takes it)."""
    n = weights.shape[0]
    if n == 1 and weights[0] == 1.0:
        return log_relative_cost[0]
    one = 1.0 - sigma
    if abs(one) < 1e-12:
        out = 0.0
        for i in range(n):
            out += weights[i] * log_relative_cost[i]
        return out
    mx = -np.inf
    for i in range(n):
        if weights[i] > 0.0 and one * log_relative_cost[i] > mx:
            mx = one * log_relative_cost[i]
    tot = 0.0
    for i in range(n):
        if weights[i] > 0.0:
            tot += weights[i] * np.exp(one * log_relative_cost[i] - mx)
    return (mx + np.log(tot)) / one


@register_jitable
def ces_shares(weights: np.ndarray, log_relative_cost: np.ndarray, sigma: float, out: np.ndarray) -> None:
    """Cost-minimizing spending shares ``w_g = Lambda_g r_g^(1-sigma) / sum_h Lambda_h r_h^(1-sigma)``
    (Shephard's lemma on :func:`ces_log_index`), written to ``out``."""
    n = weights.shape[0]
    lp = ces_log_index(weights, log_relative_cost, sigma)
    one = 1.0 - sigma
    for i in range(n):
        if abs(one) < 1e-12:
            out[i] = weights[i]
        elif weights[i] > 0.0:
            out[i] = weights[i] * np.exp(one * (log_relative_cost[i] - lp))
        else:
            out[i] = 0.0


@register_jitable
def robot_productivity_for(automation: float, wage: float, rental: float, eta_robot: float) -> float:
    """The phi_R that makes ``automation`` cost-minimizing at (w, r): ``a^(1/eta_R) r / w`` (benchmark)."""
    if automation <= 0.0:
        return 0.0
    return automation ** (1.0 / eta_robot) * rental / wage


@register_jitable
def make_productivity_for(make: float, log_cva: float, log_pint: float, eta_make: float) -> float:
    """The phi_M that makes ``make`` cost-minimizing: ``cVA / (P (1 - m)^(1/eta_M))``; 0 (off) when m = 0."""
    if make <= 0.0:
        return 0.0
    return np.exp(log_cva - log_pint - np.log(1.0 - make) / eta_make)
