"""Decision rules of firms and governments: one definition for both engines.

Every rule is a plain function of arrays and scalars (state and pre-drawn random numbers
in, results written to ``out`` arrays or returned), written in the subset of Python that
numba compiles. The Mesa engine calls them per agent; the fast engine compiles the same
functions with ``numba.njit`` and loops over all agents in a kernel. No rule draws random
numbers: draws are made before the decisions (DESIGN.md, "Two engines, one rule"), so the
order agents act in cannot change results. ``register_jitable`` leaves each function an
ordinary Python function when called from Python and compiles it inline when a numba
kernel calls it, so rules may call each other in both engines.

Sources: DESIGN.md "Agents and their decisions"; Qu & Yang (2023) Proposition 4 for the
automation channel; Gao, Li & Zhu (2021) hypothesis 3 for the protection response.
"""

from __future__ import annotations

import numpy as np
from numba.extending import register_jitable

__all__ = [
    "effective_cost",
    "ces_target_shares",
    "review_supplier_group",
    "enforce_local_content",
    "pick_index",
    "automation_target",
    "step_automation",
    "firm_value_added_share",
    "update_risk_premium",
    "firm_review",
    "firm_automate",
    "protection_pressure",
    "home_taste",
    "INSTRUMENTS",
    "RESTRICTIVE",
    "choose_policy",
]


# --------------------------------------------------------------------------- firms: sourcing


@register_jitable
def effective_cost(price: float, tariff: float, trade_cost: float, risk_premium: float, subsidy: float) -> float:
    """Perceived unit cost of buying from a supplier.

    ``c = p_g (1 + tau) t (1 + rho_o) (1 - s)``: the landed cost ``p (1 + tau) t`` of
    DESIGN.md (tariff tau of the buyer's country on the supplier's origin and sector,
    iceberg trade cost t), marked up by the perceived risk premium rho_o of the origin
    (learned from its past disruptions) and cut by the domestic-supplier subsidy s the
    buyer's government pays (0 for foreign suppliers).
    """
    return price * (1.0 + tariff) * trade_cost * (1.0 + risk_premium) * (1.0 - subsidy)


@register_jitable
def ces_target_shares(costs: np.ndarray, weights: np.ndarray, total: float, sigma: float, out: np.ndarray) -> None:
    """Cost-minimizing spending shares of a CES input bundle:
    ``w*_g = total lambda_g c_g^(1-sigma) / sum_h lambda_h c_h^(1-sigma)``.

    The expenditure shares of a CES aggregate of supplier varieties with weights lambda
    and elasticity sigma (Armington 1969; the same sigma as
    the clearing's demand system). With sigma = 1 (Cobb-Douglas) they do not depend on
    cost. Written to ``out``.
    """
    k = costs.shape[0]
    cmin = costs.min()  # scale for numerical safety: shares are scale-free
    denom = 0.0
    for i in range(k):
        out[i] = weights[i] * (costs[i] / cmin) ** (1.0 - sigma)
        denom += out[i]
    for i in range(k):
        out[i] = total * out[i] / denom


@register_jitable
def review_supplier_group(
    suppliers: np.ndarray,
    shares: np.ndarray,
    costs: np.ndarray,
    relative_costs: np.ndarray,
    weights: np.ndarray,
    candidate: int,
    candidate_cost: float,
    candidate_relative_cost: float,
    sigma: float,
    inertia: float,
    switching_cost: float,
    scratch: np.ndarray,
) -> int:
    """One firm's review of its suppliers of one input sector, in place.

    1. *Switch* (extensive margin): the sampled ``candidate`` replaces the supplier whose
       cost rose most relative to its reference (``relative_costs``: cost now over cost
       at the reference period) if it is not already a supplier and
       ``candidate_relative_cost (1 + switching_cost)`` is below that. Firms react to
       *changes*: the period-0 network is the benchmark they chose (its preferences are
       in the shares), so nothing switches until a tariff, a trade or information cost,
       a disruption's risk premium, a subsidy or a productivity change moves relative
       costs. The candidate takes over the slot's share, with the CES weight that makes
       that share optimal at its cost.
    2. *Shift* (intensive margin): shares move a fraction ``inertia`` of the way to the
       CES cost-minimizing shares ``w*`` (:func:`ces_target_shares`) with the calibrated
       link weights ``weights``; the sector's total share is unchanged.

    The link weights are calibrated (``lambda_fg = w_fg c_fg^(sigma-1)``) so that current
    shares are optimal at the costs they were formed at (a benchmark calibration as in
    applied general equilibrium, Shoven & Whalley 1992): a tariff tau on one origin then
    moves its share by exactly ``inertia (w*(tau) - w)`` with
    ``w*_g ~ w_g (1 + tau)^(1-sigma)``. ``scratch`` is a work array at least as long as
    ``suppliers``. Returns 1 if a supplier was replaced, else 0.
    """
    k = suppliers.shape[0]
    if k == 0:
        return 0
    switched = 0
    if candidate >= 0:
        worst = 0
        already = False
        for i in range(k):
            if relative_costs[i] > relative_costs[worst]:
                worst = i
            if suppliers[i] == candidate:
                already = True
        if not already and candidate_relative_cost * (1.0 + switching_cost) < relative_costs[worst]:
            suppliers[worst] = candidate
            costs[worst] = candidate_cost
            relative_costs[worst] = candidate_relative_cost
            weights[worst] = shares[worst] * candidate_cost ** (sigma - 1.0)
            switched = 1
    total = 0.0
    for i in range(k):
        total += shares[i]
    target = scratch[:k]
    ces_target_shares(costs, weights, total, sigma, target)
    for i in range(k):
        shares[i] = (1.0 - inertia) * shares[i] + inertia * target[i]
    return switched


@register_jitable
def enforce_local_content(shares: np.ndarray, domestic: np.ndarray, minimum: float) -> None:
    """Raise the domestic part of a sector's input shares to ``minimum`` of the total, in place.

    A local-content rule (minimum domestic share in a sector): if the domestic share
    ``D / total`` is below ``minimum`` and the firm has a domestic supplier, domestic
    shares are scaled by ``minimum total / D`` and foreign ones by
    ``(1 - minimum) total / (total - D)``; proportions within each group are kept.
    A firm with no domestic supplier cannot comply until it finds one (the candidate
    draw then looks at home only; see the Model).
    """
    k = shares.shape[0]
    total = 0.0
    dom = 0.0
    for i in range(k):
        total += shares[i]
        if domestic[i]:
            dom += shares[i]
    if total <= 0.0 or dom <= 0.0 or dom >= minimum * total:
        return
    up = minimum * total / dom
    down = (1.0 - minimum) * total / (total - dom) if total > dom else 0.0
    for i in range(k):
        shares[i] *= up if domestic[i] else down


@register_jitable
def pick_index(cumulative: np.ndarray, u: float) -> int:
    """Inverse-CDF draw: the first i with ``u * cumulative[-1] < cumulative[i]`` (u in [0, 1)).

    Used to sample a candidate's origin country with probability proportional to its
    reach (firm count times ``exp(-info_cost * distance)`` abroad).
    """
    target = u * cumulative[cumulative.shape[0] - 1]
    lo, hi = 0, cumulative.shape[0] - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if cumulative[mid] > target:
            hi = mid
        else:
            lo = mid + 1
    return lo


@register_jitable
def update_risk_premium(premium: float, disrupted: float, learning_rate: float) -> float:
    """Perceived risk premium of an origin: ``rho' = (1 - lambda) rho + lambda d``.

    ``d`` is the share of the origin's capacity lost to disruption last period (0 to 1)
    and lambda the learning rate: adaptive expectations, so a one-off shock fades and a
    recurring one sticks.
    """
    return (1.0 - learning_rate) * premium + learning_rate * disrupted


@register_jitable
def firm_review(
    f: int,
    firm_country: np.ndarray,
    firm_sector: np.ndarray,
    indptr: np.ndarray,
    supplier: np.ndarray,
    share: np.ndarray,
    price: np.ndarray,
    link_weight: np.ndarray,
    reference_price: np.ndarray,
    reference_wedge: np.ndarray,
    tariff: np.ndarray,
    trade_cost: np.ndarray,
    risk: np.ndarray,
    subsidy: np.ndarray,
    local_content: np.ndarray,
    cell_start: np.ndarray,
    reach_cdf: np.ndarray,
    u_review: np.ndarray,
    u_origin: np.ndarray,
    u_firm: np.ndarray,
    review_rate: float,
    sigma: float,
    inertia: float,
    switching_cost: float,
    slots: np.ndarray,
    group_suppliers: np.ndarray,
    group_shares: np.ndarray,
    group_costs: np.ndarray,
    group_relative: np.ndarray,
    group_weights: np.ndarray,
    group_domestic: np.ndarray,
    scratch: np.ndarray,
) -> int:
    """Firm f reviews the suppliers of each input sector it buys, in place; returns the switches.

    For input sector s, with probability ``review_rate`` (``u_review[s] < review_rate``):
    a candidate seller is sampled — its origin by inverse CDF of ``reach_cdf[c, s]``
    (firm counts times foreign reach; home only while a local-content rule binds and the
    firm has no domestic supplier), the seller uniformly within the origin's cell
    (``cell_start`` is the CSR of firms by country-major cell) — and
    :func:`review_supplier_group` compares it with the current suppliers at
    :func:`effective_cost` relative to what the same supplier cost at the reference
    period (``reference_price`` of the seller times ``reference_wedge`` (G, G, S: buyer
    country, origin, sector), the landed-cost wedge then), with the calibrated CES weights
    ``link_weight`` of f's links (updated in place); then :func:`enforce_local_content`
    applies the rule of f's
    country in s. Draws ``u_*`` are f's pre-drawn uniforms, one per input sector.
    ``tariff``, ``trade_cost`` are (G, G, S) importer x origin x sector, ``subsidy`` and
    ``local_content`` (G, S) by the buyer's country; the other arrays are work space of
    length at least the firm's number of links.
    """
    c = firm_country[f]
    S = local_content.shape[1]
    start, end = indptr[f], indptr[f + 1]
    switches = 0
    for s in range(S):
        if u_review[s] >= review_rate:
            continue
        k = 0
        has_domestic = False
        for j in range(start, end):
            g = supplier[j]
            if firm_sector[g] != s:
                continue
            o = firm_country[g]
            slots[k] = j
            group_suppliers[k] = g
            group_shares[k] = share[j]
            group_weights[k] = link_weight[j]
            domestic = o == c
            group_domestic[k] = domestic
            has_domestic = has_domestic or domestic
            group_costs[k] = effective_cost(
                price[g], tariff[c, o, s], trade_cost[c, o, s], risk[o], subsidy[c, s] if domestic else 0.0
            )
            group_relative[k] = group_costs[k] / (reference_price[g] * reference_wedge[c, o, s])
            k += 1
        if k == 0:
            continue
        if local_content[c, s] > 0.0 and not has_domestic:
            origin = c
        else:
            origin = pick_index(reach_cdf[c, s], u_origin[s])
        cell = origin * S + s
        count = cell_start[cell + 1] - cell_start[cell]
        candidate = -1
        candidate_cost = 0.0
        candidate_relative = 0.0
        if count > 0:
            candidate = cell_start[cell] + min(int(u_firm[s] * count), count - 1)
            if candidate == f:
                candidate = -1
            else:
                dom = origin == c
                candidate_cost = effective_cost(
                    price[candidate], tariff[c, origin, s], trade_cost[c, origin, s], risk[origin],
                    subsidy[c, s] if dom else 0.0,
                )
                candidate_relative = candidate_cost / (reference_price[candidate] * reference_wedge[c, origin, s])
        gs = group_suppliers[:k]
        sw = review_supplier_group(
            gs, group_shares[:k], group_costs[:k], group_relative[:k], group_weights[:k], candidate, candidate_cost,
            candidate_relative, sigma, inertia, switching_cost, scratch,
        )
        if sw:
            for i in range(k):
                group_domestic[i] = firm_country[gs[i]] == c
        switches += sw
        if local_content[c, s] > 0.0:
            enforce_local_content(group_shares[:k], group_domestic[:k], local_content[c, s])
        for i in range(k):
            supplier[slots[i]] = group_suppliers[i]
            share[slots[i]] = group_shares[i]
            link_weight[slots[i]] = group_weights[i]
    return switches


# --------------------------------------------------------------------------- firms: automation


@register_jitable
def automation_target(wage: float, robot_price: float, elasticity: float, scale: float = 1.0) -> float:
    """Cost-minimizing share of automatable tasks to automate: ``a* = min(1, (phi_0 w / rho)^eta)``.

    Tasks differ in robot productivity phi ~ Pareto(eta) with minimum phi_0 (``scale``;
    Acemoglu & Restrepo 2018 task model); a task is automated when its robot cost per
    effective unit ``rho / phi`` is below the wage w, i.e. with probability
    ``P(phi > rho / w) = (phi_0 w / rho)^eta`` when ``rho > phi_0 w``. The target rises
    with the wage / robot-price ratio. A firm observed at automation a_0 with wage w_0 and
    robot price rho_0 has ``phi_0 = a_0^(1/eta) rho_0 / w_0``, so a* = a_0 until prices move.
    """
    ratio = scale * wage / robot_price
    if ratio >= 1.0:
        return 1.0
    return ratio**elasticity


@register_jitable
def step_automation(current: float, target: float, speed: float) -> float:
    """Partial adjustment toward the target: ``a' = a + speed (a* - a)`` (capital takes time)."""
    return current + speed * (target - current)


@register_jitable
def firm_value_added_share(nu_sector: float, kappa: float, automation: float, insourcing: float) -> float:
    """Firm value-added share ``nu_f = nu_s + (1 - nu_s) chi kappa_s a_f``.

    Automating the share ``kappa_s a_f`` of tasks brings the fraction chi ("insourcing")
    of the matching bought-in inputs in house, so value added rises with automation
    (the "technology backfire" channel of Qu & Yang 2023, Proposition 4: technology
    raises nu, and with omega > max(mu, 1/N) GVC participation falls).
    """
    return nu_sector + (1.0 - nu_sector) * insourcing * kappa * automation


@register_jitable
def firm_automate(
    f: int,
    firm_country: np.ndarray,
    firm_sector: np.ndarray,
    automation: np.ndarray,
    nu: np.ndarray,
    nu_base: np.ndarray,
    automation_scale: np.ndarray,
    kappa: np.ndarray,
    wage: np.ndarray,
    robot_price: float,
    elasticity: float,
    speed: float,
    insourcing: float,
) -> None:
    """Firm f moves its automation toward the cost-minimizing target and updates nu_f, in place.

    ``a_f <- a_f + speed (a*(w_c, rho) - a_f)`` with :func:`automation_target` (scale
    ``automation_scale[f]``), then ``nu_f = nu_base_f + (1 - nu_base_f) chi kappa_s a_f``
    (:func:`firm_value_added_share`).
    """
    c = firm_country[f]
    target = automation_target(wage[c], robot_price, elasticity, automation_scale[f])
    automation[f] = step_automation(automation[f], target, speed)
    nu[f] = firm_value_added_share(nu_base[f], kappa[firm_sector[f]], automation[f], insourcing)


# --------------------------------------------------------------------------- governments


@register_jitable
def protection_pressure(
    tbi: float,
    tbi_previous: float,
    unemployment: float,
    manufacturing_job_change: float,
    penetration_rise: float,
    w_tbi: float,
    w_tbi_fall: float,
    w_unemployment: float,
    w_jobs: float,
    w_penetration: float,
) -> float:
    """Protection pressure of a government from last period's MRIO and labour market.

    ``P = w_tbi max(0, -TBI) + w_fall max(0, TBI_{t-1} - TBI_t) + w_u max(0, u)
    + w_jobs max(0, -dM/M) + w_pen dm``, with TBI the value-added trade benefit index
    (Gao, Li & Zhu 2021, eq. 1: losses from value-added trade feed de-globalization,
    their Tables 3-6), u the unemployment rate, dM/M the relative change in
    manufacturing employment and dm the largest rise of a sector's import penetration
    since the reference period (an import surge, not a small economy's openness).
    Pressure is non-negative; the weights are parameters of the scenario.
    """
    return (
        w_tbi * max(0.0, -tbi)
        + w_tbi_fall * max(0.0, tbi_previous - tbi)
        + w_unemployment * max(0.0, unemployment)
        + w_jobs * max(0.0, -manufacturing_job_change)
        + w_penetration * max(0.0, penetration_rise)
    )


@register_jitable
def home_taste(initial: float, shift: float, cap: float) -> float:
    """Households' preference weight for home goods: ``b_cc = b_cc(0) exp(min(h_c, cap))``.

    ``h_c`` is the log shift "buy local" campaigns have built up (DESIGN.md, "Household").
    """
    return initial * np.exp(min(shift, cap))


#: Policy instruments, by code. Economic tools (developing and emerging economies) and
#: political ones (advanced economies) follow Gao, Li & Zhu (2021), hypothesis 3 and
#: Tables 5-6; liberalization and bloc accession answer low pressure (DESIGN.md).
INSTRUMENTS = (
    "none",                 # 0
    "sector_tariff",        # 1 economic: MFN tariff up in the sector of highest import penetration
    "local_content",        # 2 economic: minimum domestic input share (a limit on foreign sourcing)
    "import_substitution",  # 3 economic: subsidy to domestic suppliers in that sector
    "targeted_tariff",      # 4 political: tariff on the partner with the largest value-added deficit
    "leave_bloc",           # 5 political: withdraw from the trade bloc
    "buy_local",            # 6 political: campaign raising households' home bias
    "retaliation",          # 7 tariff on a partner that targeted this country last period
    "liberalize",           # 8 cut tariffs
    "join_bloc",            # 9 join the region's bloc
)
#: Codes that count as new trade-restrictive measures (seed 000: 1,340 in 2009 to 5,720 in 2022).
RESTRICTIVE = (1, 2, 3, 4, 5, 6, 7)


@register_jitable
def choose_policy(
    group: int,
    pressure: float,
    protect_threshold: float,
    liberalize_threshold: float,
    retaliate_threshold: float,
    penetration: np.ndarray,
    va_balance: np.ndarray,
    targeted_by: np.ndarray,
    in_bloc: bool,
    bloc_available: bool,
    has_tariffs: bool,
    u: float,
    out: np.ndarray,
) -> int:
    """A government's policy moves this period, written to ``out`` (2 rows of
    ``[instrument, target country, sector, 0]``; unused rows get instrument 0).

    - ``pressure > protect_threshold``: developing and emerging economies (``group`` 1
      or 2) use an economic tool in the sector where import ``penetration`` rose most:
      sector tariff, local-content rule or import-substitution subsidy, picked by the
      pre-drawn ``u`` in thirds; advanced economies (``group`` 0) a political one:
      a tariff targeted at the partner with the most negative bilateral value-added
      balance ``va_balance`` (exports of VA minus imports of VA; the own entry must be
      +inf), a "buy local" campaign, or leaving their bloc (only if ``in_bloc``), picked
      by ``u``; with no partner in value-added deficit the tariff becomes a campaign
      (Gao, Li & Zhu 2021, hypothesis 3).
    - ``pressure < liberalize_threshold``: cut tariffs if ``has_tariffs``, else join the
      region's bloc if ``bloc_available`` and not ``in_bloc``.
    - In addition, with ``pressure > retaliate_threshold``, retaliate against the
      partner that targeted this country with the largest tariff (``targeted_by[j] > 0``).

    Returns the number of moves (0 to 2). Target and sector are -1 where they do not apply.
    """
    for r in range(out.shape[0]):
        out[r, 0] = 0
        out[r, 1] = -1
        out[r, 2] = -1
        out[r, 3] = 0
    moves = 0
    if pressure > protect_threshold:
        sector = int(np.argmax(penetration))
        if group != 0:
            out[0, 0] = 1 + min(int(u * 3.0), 2)
            out[0, 2] = sector
        else:
            partner = int(np.argmin(va_balance))
            options = 3 if in_bloc else 2
            pick = min(int(u * options), options - 1)
            if pick == 0 and va_balance[partner] < 0.0:
                out[0, 0] = 4
                out[0, 1] = partner
            elif pick == 2:
                out[0, 0] = 5
            else:
                out[0, 0] = 6
        moves = 1
    elif pressure < liberalize_threshold:
        if has_tariffs:
            out[0, 0] = 8
            moves = 1
        elif bloc_available and not in_bloc:
            out[0, 0] = 9
            moves = 1
    if pressure > retaliate_threshold and targeted_by.max() > 0.0:
        out[moves, 0] = 7
        out[moves, 1] = int(np.argmax(targeted_by))
        moves += 1
    return moves
