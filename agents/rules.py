"""Decision rules of firms and governments: one definition for both engines.

Every rule is a plain function of arrays and scalars (state and pre-drawn random numbers
in, results written to ``out`` arrays or returned), written in the subset of Python that
numba compiles. The Mesa engine calls them per agent; the fast engine compiles the same
functions with ``numba.njit`` and loops over all agents in a kernel. No rule draws random
numbers: draws are made before the decisions (DESIGN.md, "Two engines, one rule"), so the
order agents act in cannot change results. ``register_jitable`` leaves each function an
ordinary Python function when called from Python and compiles it inline when a numba
kernel calls it, so rules may call each other in both engines.

The firms' rules decide with the technology of :mod:`gvc_abm.agents.technology`, the one the
clearing prices, so no decision changes a cost except through prices.

Sources: DESIGN.md "Agents and their decisions"; Qu & Yang (2023) Proposition 4 for the
insourcing channel; Gao, Li & Zhu (2021) eq. 1 and hypothesis 3 for the protection pressure
and the instruments a government weighs (their split by development group is an outcome of
the costs and observations, not a rule).
"""

from __future__ import annotations

import numpy as np
from numba.extending import register_jitable

from . import technology as T

__all__ = [
    "effective_cost",
    "review_supplier_group",
    "local_content_slot",
    "pick_index",
    "step_toward",
    "update_risk_premium",
    "firm_review",
    "firm_log_input_index",
    "firm_automate",
    "firm_diffusion",
    "protection_pressure",
    "home_taste",
    "INSTRUMENTS",
    "KINDS",
    "RESTRICTIVE",
    "WEIGHED",
    "displaced_share",
    "tariff_equivalent",
    "measure_value",
    "instrument_values",
    "best_instrument",
    "choose_policy",
    "minimum_domestic_share",
]


# --------------------------------------------------------------------------- firms: sourcing


@register_jitable
def effective_cost(price: float, tariff: float, trade_cost: float, risk_premium: float, subsidy: float) -> float:
    """Perceived unit cost of buying from a supplier.

    ``c = p_g (1 + tau) t (1 + rho_o) (1 - s)``: the landed cost ``p (1 + tau) t`` the
    technology prices (DESIGN.md; tariff tau of the buyer's country on the supplier's origin
    and sector, iceberg trade cost t), marked up by the perceived risk premium rho_o of the
    origin (learned from its past disruptions) and cut by the domestic-supplier subsidy s the
    buyer's government pays (0 for foreign suppliers).
    """
    return price * (1.0 + tariff) * trade_cost * (1.0 + risk_premium) * (1.0 - subsidy)


@register_jitable
def review_supplier_group(
    suppliers: np.ndarray,
    weights: np.ndarray,
    reference_costs: np.ndarray,
    log_relative: np.ndarray,
    candidate: int,
    candidate_reference_cost: float,
    candidate_log_relative: float,
    sigma: float,
    switching_cost: float,
) -> int:
    """One firm's review of its suppliers of one input sector (the extensive margin), in place.

    The sector's input price is the technology's CES index
    (:func:`~gvc_abm.agents.technology.ces_log_index`) of the suppliers' perceived costs relative
    to their benchmark costs, ``r_g = c_g / cref_g``, with the slots' weights Lambda. The sampled
    ``candidate`` takes over the slot whose replacement lowers that index most, keeping the slot's
    weight and bringing its own benchmark cost, if it is not already a supplier and the new index
    is below the current one by more than the switching cost: ``P_new (1 + switching_cost) < P``.
    So a switch changes the firm's cost only through prices: at the benchmark every r is 1 and
    nothing switches; a tariff, a trade cost, a disruption's risk premium, a subsidy or a
    supplier's productivity moves r. (The intensive margin is the clearing's CES shares.)
    Returns the slot replaced, or -1.
    """
    k = suppliers.shape[0]
    if k == 0 or candidate < 0:
        return -1
    for i in range(k):
        if suppliers[i] == candidate:
            return -1
    current = T.ces_log_index(weights, log_relative, sigma)
    best = -1
    best_value = current - np.log(1.0 + switching_cost)
    for i in range(k):
        keep = log_relative[i]
        log_relative[i] = candidate_log_relative
        value = T.ces_log_index(weights, log_relative, sigma)
        log_relative[i] = keep
        if value < best_value:
            best = i
            best_value = value
    if best >= 0:
        suppliers[best] = candidate
        reference_costs[best] = candidate_reference_cost
        log_relative[best] = candidate_log_relative
    return best


@register_jitable
def local_content_slot(shares: np.ndarray, domestic: np.ndarray, minimum: float) -> int:
    """The slot a firm must give to a domestic supplier under a local-content rule, or -1.

    The rule binds when the domestic part of the sector's spending, ``D / total`` (last period's
    shares), is below ``minimum``; the firm then replaces its foreign supplier with the largest
    share by a domestic one (compliance, whatever it costs: the cost is the technology's, through
    prices). Returns -1 when the rule does not bind or every supplier is domestic.
    """
    total = 0.0
    dom = 0.0
    for i in range(shares.shape[0]):
        total += shares[i]
        if domestic[i]:
            dom += shares[i]
    if total <= 0.0 or dom >= minimum * total:
        return -1
    best = -1
    for i in range(shares.shape[0]):
        if not domestic[i] and (best < 0 or shares[i] > shares[best]):
            best = i
    return best


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


@register_jitable(inline="always")
def firm_review(
    f: int,
    firm_country: np.ndarray,
    firm_sector: np.ndarray,
    firm_groups: np.ndarray,
    group_ptr: np.ndarray,
    supplier: np.ndarray,
    link_weight: np.ndarray,
    reference_cost: np.ndarray,
    share: np.ndarray,
    price: np.ndarray,
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
    switching_cost: float,
    group_log_relative: np.ndarray,
    group_domestic: np.ndarray,
) -> int:
    """Firm f reviews the suppliers of each input sector it buys, in place; returns the switches.

    For the group of input sector s, with probability ``review_rate`` (``u_review[s] < review_rate``):
    a candidate seller is sampled — its origin by inverse CDF of ``reach_cdf[c, s]`` (the
    period-0 sourcing pattern scaled by information barriers; home only while a local-content
    rule binds), the seller uniformly within the origin's cell (``cell_start`` is the CSR of
    firms by country-major cell). If a local-content rule of f's country binds in s
    (:func:`local_content_slot`) the domestic candidate takes the foreign slot with the largest
    share; otherwise :func:`review_supplier_group` decides at :func:`effective_cost` relative to
    the benchmark cost (``reference_price`` of the seller times ``reference_wedge`` (G, G, S:
    buyer country, origin, sector), the landed-cost wedge then). Draws ``u_*`` are f's pre-drawn
    uniforms, one per input sector. ``tariff``, ``trade_cost`` are (G, G, S) importer x origin
    x sector, ``subsidy`` and ``local_content`` (G, S) by the buyer's country; the ``group_*``
    arrays are work space at least as long as f's largest group. ``local_content`` is the floor
    on the domestic share the model passes, :func:`minimum_domestic_share` of the local-content
    rule and the investment limit (the binding one). Jitted callers get the rule inlined (a
    per-firm call with twenty array arguments costs more than the review), so they must pass the
    arguments explicitly, not as ``*args``.
    """
    c = firm_country[f]
    S = local_content.shape[1]
    switches = 0
    for q in range(firm_groups[f], firm_groups[f + 1]):
        j0, j1 = group_ptr[q], group_ptr[q + 1]
        s = firm_sector[supplier[j0]]
        if u_review[s] >= review_rate:
            continue
        k = j1 - j0
        for i in range(k):
            g = supplier[j0 + i]
            o = firm_country[g]
            domestic = o == c
            group_domestic[i] = domestic
            cost = effective_cost(price[g], tariff[c, o, s], trade_cost[c, o, s], risk[o], subsidy[c, s] if domestic else 0.0)
            group_log_relative[i] = np.log(cost) - np.log(reference_cost[j0 + i])
        forced = -1
        if local_content[c, s] > 0.0:
            forced = local_content_slot(share[j0:j1], group_domestic[:k], local_content[c, s])
        origin = c if forced >= 0 else pick_index(reach_cdf[c, s], u_origin[s])
        cell = origin * S + s
        count = cell_start[cell + 1] - cell_start[cell]
        if count <= 0:
            continue
        candidate = cell_start[cell] + min(int(u_firm[s] * count), count - 1)
        if candidate == f:
            continue
        cref = reference_price[candidate] * reference_wedge[c, origin, s]
        dom = origin == c
        cost = effective_cost(price[candidate], tariff[c, origin, s], trade_cost[c, origin, s], risk[origin],
                              subsidy[c, s] if dom else 0.0)
        if forced >= 0:
            already = False
            for i in range(k):
                if supplier[j0 + i] == candidate:
                    already = True
            if not already:
                supplier[j0 + forced] = candidate
                reference_cost[j0 + forced] = cref
                switches += 1
            continue
        slot = review_supplier_group(
            supplier[j0:j1], link_weight[j0:j1], reference_cost[j0:j1], group_log_relative[:k], candidate, cref,
            np.log(cost) - np.log(cref), sigma, switching_cost,
        )
        if slot >= 0:
            switches += 1
    return switches


# --------------------------------------------------------------------------- firms: automation and insourcing


@register_jitable
def step_toward(current: float, target: float, speed: float) -> float:
    """Partial adjustment toward the target: ``x' = x + speed (x* - x)`` (capital and reorganization take time)."""
    return current + speed * (target - current)


@register_jitable
def firm_log_input_index(
    f: int,
    firm_country: np.ndarray,
    firm_sector: np.ndarray,
    firm_groups: np.ndarray,
    group_ptr: np.ndarray,
    group_alpha: np.ndarray,
    supplier: np.ndarray,
    link_weight: np.ndarray,
    reference_cost: np.ndarray,
    price: np.ndarray,
    tariff: np.ndarray,
    trade_cost: np.ndarray,
    sigma: float,
    work: np.ndarray,
) -> float:
    """log P_f, the technology's price of f's bought inputs at the given prices and policy:
    ``sum_k alpha_k (log P_fk - log alpha_k)`` with each P_fk the CES index of landed over benchmark costs."""
    c = firm_country[f]
    acc = 0.0
    for q in range(firm_groups[f], firm_groups[f + 1]):
        j0, j1 = group_ptr[q], group_ptr[q + 1]
        for i in range(j1 - j0):
            g = supplier[j0 + i]
            o = firm_country[g]
            s = firm_sector[g]
            work[i] = np.log(price[g] * (1.0 + tariff[c, o, s]) * trade_cost[c, o, s] / reference_cost[j0 + i])
        lp = T.ces_log_index(link_weight[j0:j1], work[: j1 - j0], sigma)
        acc += group_alpha[q] * lp - T.xlogx(group_alpha[q])
    return acc


@register_jitable(inline="always")
def firm_automate(
    f: int,
    firm_country: np.ndarray,
    firm_sector: np.ndarray,
    automation: np.ndarray,
    insourcing: np.ndarray,
    nu: np.ndarray,
    nu0: np.ndarray,
    robot_productivity: np.ndarray,
    make_productivity: np.ndarray,
    kappa: np.ndarray,
    wage: np.ndarray,
    rental: np.ndarray,
    eta_robot: float,
    eta_make: float,
    automation_speed: float,
    insourcing_speed: float,
    firm_groups: np.ndarray,
    group_ptr: np.ndarray,
    group_alpha: np.ndarray,
    supplier: np.ndarray,
    link_weight: np.ndarray,
    reference_cost: np.ndarray,
    price: np.ndarray,
    tariff: np.ndarray,
    trade_cost: np.ndarray,
    sigma: float,
    work: np.ndarray,
) -> None:
    """Firm f moves automation and insourcing toward their cost-minimizing levels, in place.

    ``a <- a + speed_a (a*(w_c, r_c) - a)`` with the task model's
    :func:`~gvc_abm.agents.technology.automation_target`, then, at the new value-added cost and
    the price of bought inputs at last period's prices (:func:`firm_log_input_index`),
    ``m <- m + speed_m (m* - m)`` with :func:`~gvc_abm.agents.technology.insourcing_target`: a task
    moves in house only when making it is cheaper than buying it. The measured value-added share
    follows, ``nu_f = nu0 + (1 - nu0) m`` (Qu & Yang 2023, Proposition 4, as a price effect).
    Inlined into jitted callers like :func:`firm_review` (pass the arguments explicitly).
    """
    c = firm_country[f]
    target = T.automation_target(wage[c], rental[c], robot_productivity[f], eta_robot)
    automation[f] = step_toward(automation[f], target, automation_speed)
    if make_productivity[f] <= 0.0 or firm_groups[f + 1] == firm_groups[f]:
        return
    lphr = np.log(robot_productivity[f]) if robot_productivity[f] > 0.0 else 0.0
    lcva = T.log_va_cost(np.log(wage[c]), np.log(rental[c]), kappa[firm_sector[f]], automation[f], lphr, eta_robot)
    lpint = firm_log_input_index(f, firm_country, firm_sector, firm_groups, group_ptr, group_alpha, supplier,
                                 link_weight, reference_cost, price, tariff, trade_cost, sigma, work)
    m_target = T.insourcing_target(lcva, lpint, make_productivity[f], eta_make)
    insourcing[f] = step_toward(insourcing[f], m_target, insourcing_speed)
    nu[f] = T.value_added_share(nu0[f], insourcing[f])


# --------------------------------------------------------------------------- firms: technology diffusion


@register_jitable
def firm_diffusion(
    f: int,
    indptr: np.ndarray,
    supplier: np.ndarray,
    share: np.ndarray,
    firm_country: np.ndarray,
    log_productivity: np.ndarray,
    reach: np.ndarray,
    rate: float,
) -> float:
    """Firm f's log-productivity gain of the period from its suppliers' know-how (technology diffusion).

    ``dlog z_f = lambda sum_g w_fg max(0, log z_g - log z_f) exp(-iota m d_fg)``: the buyer learns
    a fraction lambda (``rate``) of the gap to each supplier that is ahead of it, weighted by the
    link's spending share ``w_fg`` (``share``, last clearing's, sum 1 over f's links) and damped by
    the cost of moving ideas between their countries, ``reach[c(f), c(g)] = exp(-iota m d_fg)``
    (iota the information cost per 1000 km, m the period's information-cost driver, d_fg the
    effective distance: 1 + distance abroad, 0 at home, as in the sourcing barrier, so reach is 1 at
    home and 0 abroad when the information cost is infinite). Suppliers behind f teach nothing
    (max(0, .)); with lambda <= 1 the gain never carries f past its best supplier. Digital-services
    barriers cut technology diffusion (Zhang 2024, seed 000: -9.2 % of diffusion efficiency per
    s.d.); falling costs of moving ideas spread know-how along supply chains (Baldwin, seed 002).
    ``log_productivity`` is every firm's log z at the start of the period; callers compute all
    gains before applying any, so the order firms act in cannot matter.
    """
    lz = log_productivity[f]
    c = firm_country[f]
    acc = 0.0
    for j in range(indptr[f], indptr[f + 1]):
        g = supplier[j]
        gap = log_productivity[g] - lz
        if gap > 0.0:
            acc += share[j] * gap * reach[c, firm_country[g]]
    return rate * acc


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


#: Policy instruments, by code (codes are stable: new instruments are appended). The kind of
#: each follows Gao, Li & Zhu (2021), hypothesis 3 and Tables 5-6 (economic means: tariffs,
#: non-tariff barriers, investment limits; political means: actions aimed at other governments
#: and withdrawal from agreements); which kind a government uses is decided by
#: :func:`instrument_values`, not by its group.
INSTRUMENTS = (
    "none",                 # 0
    "sector_tariff",        # 1 economic: MFN tariff up in one sector
    "local_content",        # 2 economic: minimum domestic share of a sector's inputs
    "import_substitution",  # 3 economic: subsidy to domestic suppliers of a sector
    "targeted_tariff",      # 4 political: tariff on the partner with the largest value-added deficit
    "leave_bloc",           # 5 political: withdraw from the trade bloc
    "buy_local",            # 6 political: campaign raising households' home bias
    "retaliation",          # 7 tariff on a partner that targeted this country last period
    "liberalize",           # 8 unwind: tariffs back toward MFN, rules, subsidies, limits and campaigns lapse
    "join_bloc",            # 9 join the region's bloc
    "investment_limit",     # 10 economic: cap on the foreign share of a sector's inputs
)
#: Kind of each instrument, for the event log and the GLZ-policy fact: "economic", "political",
#: "retaliation" (an answer to a partner's measure, by threshold, not weighed) or "liberalizing".
KINDS = ("", "economic", "economic", "economic", "political", "political", "political", "retaliation",
         "liberalizing", "liberalizing", "economic")
#: Codes that count as new trade-restrictive measures (seed 000: 1,340 in 2009 to 5,720 in 2022).
RESTRICTIVE = (1, 2, 3, 4, 5, 6, 7, 10)
#: Codes a government weighs by :func:`instrument_values` when pressure is high.
WEIGHED = (1, 2, 3, 4, 5, 6, 10)


@register_jitable
def displaced_share(relative_price: float, share: float) -> float:
    """Fraction of a group of sources' spending displaced when their relative price changes.

    Armington CES with elasticity sigma: a group with spending share theta whose price relative
    to the rest is multiplied by ``a^(1/(1-sigma))`` (``relative_price = a``, the factor on its CES
    weight ``p^(1-sigma)``) keeps ``theta' = theta a / (theta a + 1 - theta)``, so
    ``d = 1 - theta'/theta = 1 - a / (theta a + 1 - theta)``, to first order
    ``(sigma - 1)(1 - theta) dlog p`` (Armington 1969; the clearing's own CES, DESIGN.md).
    """
    return 1.0 - relative_price / (share * relative_price + 1.0 - share)


@register_jitable
def tariff_equivalent(displaced: float, share: float, sigma: float) -> float:
    """The ad-valorem wedge t that displaces the fraction ``displaced`` of a group with share theta.

    Inverts :func:`displaced_share`: ``a = (1 - d)(1 - theta) / (1 - theta (1 - d))``,
    ``t = a^(1/(1-sigma)) - 1`` (the tariff equivalent of a quantity rule, as for a quota);
    infinite when everything is displaced.
    """
    if displaced >= 1.0:
        return np.inf
    a = (1.0 - displaced) * (1.0 - share) / (1.0 - share * (1.0 - displaced))
    return a ** (1.0 / (1.0 - sigma)) - 1.0


@register_jitable
def measure_value(pressure: float, labour_share: float, displaced_home: float, exports_lost: float, wedge: float,
                  displaced: float, cost: float) -> float:
    """Net value of a measure to a government, in shares of its GDP.

    ``V = P (1 + l) (dM_home - dX) - t dM / 2 - kappa``:

    - ``(1 + l)(dM_home - dX)``: imports displaced toward home producers less exports expected
      lost, each unit worth its domestic value added in the value-added trade balance (Gao, Li
      & Zhu 2021, eq. 1: the TBI their hypotheses 1-3 tie to de-globalization) plus the labour
      income (jobs) it carries, l the labour share of the sector's output; weighted by the
      protection pressure P, the political demand the same observations raised
      (:func:`protection_pressure`);
    - ``t dM / 2``: the real-income cost, the Harberger (1964) triangle of the wedge t on the
      quantity it displaces (efficiency cost quadratic in the rate, Rodrik, seed 004);
    - kappa: the instrument's political, fiscal and legal cost for the government's
      development group (``agents.governments.costs``).
    """
    return pressure * (1.0 + labour_share) * (displaced_home - exports_lost) - 0.5 * wedge * displaced - cost


@register_jitable
def instrument_values(
    pressure: float,
    imports: np.ndarray,
    penetration: np.ndarray,
    input_imports: np.ndarray,
    input_penetration: np.ndarray,
    labour_share: np.ndarray,
    floor: np.ndarray,
    tariff_room: np.ndarray,
    subsidy_room: np.ndarray,
    imports_from: np.ndarray,
    exports_to: np.ndarray,
    power: np.ndarray,
    va_balance: np.ndarray,
    partner_room: np.ndarray,
    same_bloc: np.ndarray,
    bloc_tariff: float,
    final_imports: float,
    final_import_share: float,
    import_share: float,
    campaign_room: float,
    costs: np.ndarray,
    sigma: float,
    local_content_step: float,
    investment_step: float,
    values: np.ndarray,
    sectors: np.ndarray,
    targets: np.ndarray,
    levels: np.ndarray,
) -> None:
    """Expected net value (:func:`measure_value`) of each instrument a government may use, from
    last period's MRIO and accounts; written to ``values`` (-inf where an instrument is closed),
    with the sector, target country and new level each would take.

    Observations of country c (by sector s, by partner j, shares of c's GDP unless stated):
    ``imports`` M_s (intermediate and final), ``penetration`` m_s (import share of c's use of s),
    the same for c's firms' purchases alone (``input_imports`` M^I_s, ``input_penetration`` m^I_s:
    what a sourcing rule reaches), ``labour_share`` l_s, ``floor`` the minimum domestic share in
    force (max of local content and 1 - investment limit), ``tariff_room``/``subsidy_room`` the rise one measure can still make,
    ``imports_from``/``exports_to`` bilateral trade, ``power`` the partner's relative size
    Y_j / (Y_j + Y_c), ``va_balance`` VA exported to minus imported from j (own entry +inf),
    ``partner_room`` the tariff rise still possible on j, ``same_bloc``, ``bloc_tariff`` the
    tariff c would levy on bloc partners outside the bloc, final-goods imports and their share
    f of final spending, the import share m of c's total use, and ``campaign_room`` (log points a
    campaign can still add). ``costs`` is kappa by instrument code; sigma the Armington
    elasticity. Displacement d from :func:`displaced_share`:

    - sector tariff t in s: ``a = (1+t)^(1-sigma)``, theta = m_s, dM = d M_s, all toward home;
    - import-substitution subsidy b: home price times (1-b), ``a = (1-b)^(sigma-1)``, t = b/(1-b);
    - local content (investment limit) on firms' inputs: the floor rises to
      ``F' = min(1, max(F, 1-m^I_s) + step)`` (the cap to 1 - F'), displacing
      ``d = (F' - (1 - m^I_s)) / m^I_s`` of input imports M^I_s; its wedge is the
      :func:`tariff_equivalent`. A cap on the foreign share is a floor on the home share, so
      the two rules have the same effect; they differ in cost (TRIMs vs capital-account rules);
    - targeted tariff on j* = argmin VA balance (< 0): theta_j = m M_j / sum M, dM = d M_j of
      which the home part ``(1 - m)/(1 - theta_j)`` (the rest is diverted to other partners),
      and the retaliation risk ``dX = power_j (1 - (1+t)^(1-sigma)) X_j``: a partner answers in
      kind with a probability rising with its market power (Johnson 1953, tariff wars);
    - leaving the bloc: the same with all bloc partners and the MFN rate, and the loss of
      preferential access to their markets certain, ``dX = (1 - (1+t)^(1-sigma)) X_bloc``;
    - buy-local campaign of b log points on final goods: ``a = e^(-b)``, theta = f, wedge
      ``e^(b/(sigma-1)) - 1`` (the tariff with the same effect on spending shares).

    Sector instruments take the sector of highest value (lowest index on ties); political ones
    use the import-weighted mean labour share.
    """
    K = values.shape[0]
    for k in range(K):
        values[k] = -np.inf
        sectors[k] = -1
        targets[k] = -1
        levels[k] = 0.0
    S = imports.shape[0]
    total_imports = 0.0
    weighted_labour = 0.0
    for s in range(S):
        total_imports += imports[s]
        weighted_labour += imports[s] * labour_share[s]
    mean_labour = weighted_labour / total_imports if total_imports > 0.0 else 0.0
    for s in range(S):
        m = penetration[s]
        if imports[s] <= 0.0 or m <= 0.0 or m >= 1.0:
            continue
        t = tariff_room[s]
        if t > 0.0:
            d = displaced_share((1.0 + t) ** (1.0 - sigma), m)
            v = measure_value(pressure, labour_share[s], d * imports[s], 0.0, t, d * imports[s], costs[1])
            if v > values[1]:
                values[1], sectors[1] = v, s
        b = subsidy_room[s]
        if b > 0.0:
            d = displaced_share((1.0 - b) ** (sigma - 1.0), m)
            v = measure_value(pressure, labour_share[s], d * imports[s], 0.0, b / (1.0 - b), d * imports[s], costs[3])
            if v > values[3]:
                values[3], sectors[3] = v, s
        mi = input_penetration[s]
        if input_imports[s] <= 0.0 or mi <= 0.0 or mi >= 1.0:
            continue
        for code in (2, 10):
            step = local_content_step if code == 2 else investment_step
            new_floor = min(1.0, max(floor[s], 1.0 - mi) + step)
            d = (new_floor - (1.0 - mi)) / mi
            if d <= 0.0 or d >= 1.0:
                continue
            dM = d * input_imports[s]
            v = measure_value(pressure, labour_share[s], dM, 0.0, tariff_equivalent(d, mi, sigma), dM, costs[code])
            if v > values[code]:
                values[code], sectors[code] = v, s
                levels[code] = new_floor if code == 2 else 1.0 - new_floor
    partner_total = 0.0
    for j in range(imports_from.shape[0]):
        partner_total += imports_from[j]
    if partner_total > 0.0:
        j = int(np.argmin(va_balance))
        t = partner_room[j]
        if va_balance[j] < 0.0 and t > 0.0 and imports_from[j] > 0.0:
            theta = import_share * imports_from[j] / partner_total
            d = displaced_share((1.0 + t) ** (1.0 - sigma), theta)
            dM = d * imports_from[j]
            lost = power[j] * displaced_share((1.0 + t) ** (1.0 - sigma), 0.0) * exports_to[j]
            values[4] = measure_value(pressure, mean_labour, dM * (1.0 - import_share) / (1.0 - theta), lost, t, dM,
                                      costs[4])
            targets[4] = j
        bloc_imports = 0.0
        bloc_exports = 0.0
        for k in range(imports_from.shape[0]):
            if same_bloc[k]:
                bloc_imports += imports_from[k]
                bloc_exports += exports_to[k]
        if bloc_imports > 0.0 and bloc_tariff > 0.0:
            theta = import_share * bloc_imports / partner_total
            a = (1.0 + bloc_tariff) ** (1.0 - sigma)
            dM = displaced_share(a, theta) * bloc_imports
            lost = displaced_share(a, 0.0) * bloc_exports
            values[5] = measure_value(pressure, mean_labour, dM * (1.0 - import_share) / (1.0 - theta), lost,
                                      bloc_tariff, dM, costs[5])
    if campaign_room > 0.0 and final_imports > 0.0 and 0.0 < final_import_share < 1.0:
        d = displaced_share(np.exp(-campaign_room), final_import_share)
        values[6] = measure_value(pressure, mean_labour, d * final_imports, 0.0,
                                  np.exp(campaign_room / (sigma - 1.0)) - 1.0, d * final_imports, costs[6])


@register_jitable
def best_instrument(values: np.ndarray, u: float) -> int:
    """The code of highest value above zero (0 if none); ties within 1e-12 broken by the draw u in [0, 1)."""
    best = 0.0
    for k in range(values.shape[0]):
        if values[k] > best:
            best = values[k]
    if best <= 0.0:
        return 0
    ties = 0
    for k in range(values.shape[0]):
        if values[k] >= best - 1e-12:
            ties += 1
    pick = min(int(u * ties), ties - 1)
    for k in range(values.shape[0]):
        if values[k] >= best - 1e-12:
            if pick == 0:
                return k
            pick -= 1
    return 0


@register_jitable
def choose_policy(
    pressure: float,
    protect_threshold: float,
    liberalize_threshold: float,
    retaliate_threshold: float,
    values: np.ndarray,
    sectors: np.ndarray,
    targets: np.ndarray,
    levels: np.ndarray,
    targeted_by: np.ndarray,
    in_bloc: bool,
    bloc_available: bool,
    has_measures: bool,
    u: float,
    out: np.ndarray,
) -> int:
    """A government's policy moves this period, written to ``out`` (2 rows of
    ``[instrument, target country, sector, level]``; unused rows get instrument 0).

    - ``pressure > protect_threshold``: the instrument of highest net value above zero
      (:func:`instrument_values`, :func:`best_instrument`; none if no value is positive), with its
      sector, target and level (the new local-content floor or investment cap). Whether that is
      an economic or a political instrument follows from the observations and the group's costs
      (Gao, Li & Zhu 2021, hypothesis 3, as an outcome).
    - ``pressure < liberalize_threshold``: measures do not ratchet. If any is in force
      (``has_measures``) they are unwound (``liberalize``: tariffs back toward their MFN level,
      rules, subsidies, limits and campaigns decay); with none left, join the region's bloc if
      ``bloc_available`` and not ``in_bloc``.
    - In addition, with ``pressure > retaliate_threshold``, retaliate against the partner that
      targeted this country with the largest tariff (``targeted_by[j] > 0``).

    Returns the number of moves (0 to 2). Target and sector are -1 where they do not apply.
    """
    for r in range(out.shape[0]):
        out[r, 0] = 0
        out[r, 1] = -1
        out[r, 2] = -1
        out[r, 3] = 0
    moves = 0
    if pressure > protect_threshold:
        k = best_instrument(values, u)
        if k > 0:
            out[0, 0] = k
            out[0, 1] = targets[k]
            out[0, 2] = sectors[k]
            out[0, 3] = levels[k]
            moves = 1
    elif pressure < liberalize_threshold:
        if has_measures:
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


def minimum_domestic_share(local_content: np.ndarray, investment_limit: np.ndarray) -> np.ndarray:
    """The domestic-share floor firms obey in their supplier review (:func:`local_content_slot`).

    ``floor = max(local content, 1 - investment limit)``: a cap k on the foreign share of a
    sector's inputs is a minimum domestic share 1 - k, and the binding one of the two rules is
    the higher floor (seed 003: investment limits beside tariffs as economic means).
    """
    return np.maximum(local_content, 1.0 - investment_limit)
