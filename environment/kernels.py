"""The market clearing of one period, written once for both engines (STYLE.md section 3).

Every function here is ``register_jitable``: the numba engine calls the compiled entry points
at the bottom (``_clear``, ``own_terms``, ...: ``njit(cache=True)`` of the same functions),
the reference engine (:mod:`gvc_abm.environment.reference`) runs the very same functions as
plain Python. Arrays in, results written into ``out`` arrays; scalars returned are iteration
counts and residuals. Randomness never enters here. The firms' technology (unit cost and
Shephard shares) is :mod:`gvc_abm.agents.technology`; this module only iterates it.

The economy (DESIGN.md, "The economy, one period"):

Prices (the technology's dual). For firm f with input-sector groups k (Cobb-Douglas exponents
alpha_k, sum 1) and links j in each group (slot weights Lambda_j, sum 1; benchmark landed
costs cref_j)::

    log p_f   = b_f(w) + (1 - nu0_f)(1 - m_f) sum_k alpha_k log P_fk
    P_fk^(1-sigma) = sum_{j in k} c_j q_g,   c_j = Lambda_j (wedge_j / cref_j)^(1-sigma),  q_g = p_g^(1-sigma)

where b_f collects TFP, the value-added cost of the task model and the make-or-buy terms
(:func:`_own_terms`), and wedge_j = (1 + tau_{c,o,s}) t_{c,o,s} with tau the tariff on intermediates. The ``c_j`` change only
between periods, so they are computed once a period, and the links are split once a period
(:func:`_price_links`): a sector bought from one supplier, and every sector when sigma = 1
(``log P_fk = sum_j Lambda_j (log p_g + log wedge_j/cref_j)``), is linear in log p, a plain CSR
row plus a constant; only groups of several suppliers keep the CES form, laid out contiguously.
A sweep then costs a mat-vec row per firm, one log per CES group and one exp per firm that
supplies a CES group. The map is monotone with row sums ``1 - nu_f < 1`` in log p: a
contraction, solved by Gauss-Seidel sweeps in firm order (in parallel worlds, :data:`PARALLEL_FIRMS`, by
Jacobi sweeps over fixed blocks of firms).

Spending shares (Shephard's lemma, at this iteration's prices): f spends the fraction
``share_j = alpha_k c_j q_g / P_fk^(1-sigma)`` of its purchases on link j, and ``1 - nu_f =
(1 - nu0)(1 - m)`` of its output value on purchases.

Final demand (Armington CES over origins with preference weights b_{c,o,s}, and across the
firms of an origin by price, one elasticity sigma)::

    theta_g   = lambda_g p_g^(1-sigma) / S_os,          S_os = sum_{g in (o,s)} lambda_g p_g^(1-sigma)
    pi_{c,o,s} = b_{c,o,s} wedge_{c,o,s}^(1-sigma) S_os / sum_o' b_{c,o',s} wedge_{c,o',s}^(1-sigma) S_o's
    P_{c,s}   = (sum_o b_{c,o,s} wedge^(1-sigma) S_os / sum_o b_{c,o,s} Lambda_os)^(1/(1-sigma))

P_{c,s} is the exact CES price index (Cobb-Douglas limits for sigma = 1). Here wedge_{c,o,s} =
(1 + tau^F_{c,o,s}) t_{c,o,s} with tau^F the tariff on final goods, which also divides final sales
below (``1 + tau_cos``); it equals the intermediate tariff unless a decree sets one alone.

Values (nominal, linear within a price iteration). Seller g receives per unit of buyer output
``(1 - nu_f) share_fg / (1 + tau)``; the rest of the tariff-inclusive spending is tariff
revenue of the buyer's country::

    X_g = sum_f (1 - nu_f) share_fg X_f / (1 + tau_fg) + theta_g sum_c E_c (beta_cs pi_cos + e_cos) / (1 + tau_cos)
    E_c = (GDP_c + T^int_c + d_c GDP_world) / (1 - tf_c),   GDP_c = sum_{f in c} nu_f X_f

All income is spent, so the system is homogeneous of degree one in X; its level is the
nominal anchor ``GDP_world = M`` (the numeraire, DESIGN.md). Each iteration is one power step
over the seller-major copy of the network, rescaled to the anchor, corrected by the exact
solution of the system aggregated to country-sector cells (aggregation-disaggregation).

Labour. Employment is labour income over the wage, ``N_c = sum_{f in c} (1 - kappa a_f)
nu_f X_f / w_c``. With the nominal anchor the wage level matters. The factor-price loop solves
``F(x) = 0`` for x = (log w, log r) and F the log excess demands ``log(N_c / L_c)``,
``log(K^d_c / K_c)`` of the markets that move, by Broyden's method (Broyden 1965) started at the
Jacobian of the economy aggregated to country x sector cells at the period's first point
(:func:`_factor_jacobian`: exact to first order for price changes uniform within a cell; it
contracts the error by a factor of about 0.04 a step on the default world), recomputed when the
residual jumps, each step at most 0.5 log points:

- ``WAGES_FIXED``: no loop (wages and rentals as given);
- ``WAGES_STICKY``: wages never below the period's starting wage w0_c and rise where labour
  demand would exceed the labour force: the fixed point has ``N_c <= L_c`` everywhere and
  ``N_c = L_c`` wherever ``w_c > w0_c`` (wages sticky downward; unemployment ``1 - N/L`` in [0, 1));
- ``WAGES_FLEXIBLE``: both ways until ``|log(N_c / L_c)| <= tol`` (full employment).

Robot capital. Robots are an endowment ``K_c`` of each country, rented to its firms; the
rental clears its market in the sticky and flexible modes, ``K^d_c = sum_{f in c} kappa a_f
nu_f X_f / r_c = K_c``, so robot income is factor income like labour's, not income created by
a price held fixed. (A country with ``K_c = 0`` has no robots to rent and keeps its rental.)
"""

from __future__ import annotations

import types

import numpy as np
import scipy.linalg
from numba import njit, prange
from numba.extending import overload, register_jitable

from gvc_abm.agents import technology as T

# Result slots of _clear's ``info`` array.
INFO_CONVERGED, INFO_PRICE_IT, INFO_VALUE_IT, INFO_WAGE_IT, INFO_RESIDUAL, INFO_PRICE_RES, INFO_VALUE_RES, INFO_WAGE_RES = range(8)
INFO_SIZE = 8

#: Wage modes of :func:`clear_period`.
WAGES_FIXED, WAGES_STICKY, WAGES_FLEXIBLE = 0, 1, 2


#: Worlds with at least this many firms run the clearing's passes over the firms in parallel, in fixed
#: blocks (:data:`BLOCKS`) spread over numba's threads (``prange``); smaller worlds run the same code
#: serially (a parallel region costs more than it saves there). Either way each block writes only its
#: own entries and partial sums are added in block order, so results do not depend on the thread count.
#: Measured on two cores (the clearings of three periods of the benchmark's tariff war, two threads):
#: parallel blocks against serial Gauss-Seidel even at 500 firms, 12 % faster at 1,000, 13 % at 2,000,
#: 16 % at 5,000 and 35 % at 10,000, although the Jacobi sweeps need more iterations; on one thread (a batch
#: worker's) the parallel path is 4-17 % slower at these sizes (a 20-period trade-war run of the default
#: 3,000-firm world: 0.89 s against 0.82 s serially; on two threads 0.64 s against 0.76 s). The Jacobi sweeps
#: are what gains: the other passes in blocks with Gauss-Seidel sweeps kept serial were no faster.
PARALLEL_FIRMS = 1_000
BLOCKS = 16
#: The factor loop's inexact-Newton forcing term (Dembo, Eisenstat & Steihaug 1982; Eisenstat & Walker
#: 1996): each step's inner price and value fixed points are solved to FORCING times the factor markets'
#: residual. The inner solves' error then sets the loop's rate (a residual ratio of 0.1-0.15 a step, 11-17
#: steps after a tariff shock at 2,000 firms); at 1e-3 the ratio is 0.02-0.07 (7-9 steps), but the inner
#: iterations, most of a clearing's time, are as many or more (2,000 and 100,000 firms): no faster.
FORCING = 1e-2

#: Seller ranges the parallel seller-major copy of the network is made in (:func:`_transpose`): one per core
#: here; each range costs a pass over all links, and the copy does not depend on the number.
TRANSPOSE_BLOCKS = 2


def _unsigned(i):
    """An array index as an unsigned integer in numba, so that it skips its negative-index checks (1.7x on a
    CSR mat-vec); the index itself in plain Python."""
    return i


@overload(_unsigned)
def _unsigned_numba(i):
    return lambda i: np.uint64(i)


def _serial_twin(fn):
    """``fn`` registered as a parallel numba function, and a twin of it (same code, another name)
    registered serial, for worlds below :data:`PARALLEL_FIRMS`; returns the twin. In plain Python both
    are the same function (``prange`` is ``range``)."""
    register_jitable(parallel=True)(fn)
    twin = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__ + "_serial", fn.__defaults__, fn.__closure__)
    twin.__doc__ = fn.__doc__
    return register_jitable(twin)


@register_jitable
def _log_wedges(tariff, tcost):
    """``log((1 + tau_cos) d_cos)``, the log wedge between a seller's price and the landed price, for every
    (importer, origin, sector) cell."""
    G = tariff.shape[0]
    S = tariff.shape[2]
    out = np.empty((G, G, S))
    for c in range(G):
        for o in range(G):
            for s in range(S):
                out[c, o, s] = np.log((1.0 + tariff[c, o, s]) * tcost[c, o, s])
    return out


def _link_terms(country, sector, indptr, supplier, reference_cost, tariff, tcost, logrel, inv):
    """Per link j of buyer f and seller g: ``logrel_j = log(wedge_j / cref_j)`` and ``inv_j = 1/(1 + tau)``.
    The wedge's log (:func:`_log_wedges`) and the tariff factor are taken once per (importer, origin, sector) cell."""
    F = country.shape[0]
    lwedge = _log_wedges(tariff, tcost)
    tinv = 1.0 / (1.0 + tariff)
    for f in prange(F):
        c = country[f]
        for j in range(indptr[f], indptr[f + 1]):
            g = supplier[j]
            logrel[j] = lwedge[c, country[g], sector[g]] - np.log(reference_cost[j])
            inv[j] = tinv[c, country[g], sector[g]]


_link_terms_serial = _serial_twin(_link_terms)


@register_jitable
def _firm_base_input_index(f, firm_groups, group_alpha):
    """``log P_f`` of firm f's input bundle at sector indices P_fk = 1: ``-sum_k alpha_k log alpha_k``."""
    acc = 0.0
    for k in range(firm_groups[f], firm_groups[f + 1]):
        acc -= T.xlogx(group_alpha[k])
    return acc


def _own_terms(country, sector, z, a, nu0, make, phi_robot, phi_make, wage, rental, tech, kappa, eta_robot, eta_make,
               firm_groups, group_alpha, out_b, out_beta, out_nu, out_labour):
    """Per firm: ``b_f`` (log unit cost at sector indices P_fk = 1, :func:`~gvc_abm.agents.technology.log_unit_cost`),
    the purchase share ``beta_f = (1 - nu0)(1 - m)`` multiplying ``sum_k alpha_k log P_fk``, the measured
    value-added share ``nu_f = 1 - beta_f`` and labour's share of value added ``1 - kappa a_f``."""
    for f in prange(country.shape[0]):
        c = country[f]
        k = kappa[sector[f]]
        lphr = np.log(phi_robot[f]) if phi_robot[f] > 0.0 else 0.0
        lcva = T.log_va_cost(np.log(wage[c]), np.log(rental[c]), k, a[f], lphr, eta_robot)
        lpint = _firm_base_input_index(f, firm_groups, group_alpha)
        lphm = np.log(phi_make[f]) if phi_make[f] > 0.0 else 0.0
        lbundle = T.log_bundle_cost(make[f], lcva, lpint, lphm, eta_make)
        out_b[f] = T.log_unit_cost(np.log(tech[c] * z[f]), nu0[f], lcva, lbundle)
        beta = T.purchase_share(nu0[f], make[f]) if firm_groups[f + 1] > firm_groups[f] else 0.0
        out_beta[f] = beta
        out_nu[f] = 1.0 - beta
        out_labour[f] = T.labour_share(k, a[f])


_own_terms_serial = _serial_twin(_own_terms)


def _price_links(firm_groups, group_ptr, group_alpha, supplier, link_weight, logrel, sigma):
    """The price dual's links split once a period into a linear part and the CES groups, each laid out
    contiguously in firm order (a sweep then streams through memory).

    A sector bought from one supplier (slot weight 1) enters ``log p_f`` linearly,
    ``alpha_k (log p_g + logrel_j)``, and so does every link when sigma = 1
    (``alpha_k Lambda_j (log p_g + logrel_j)``): these become a plain CSR row per firm, weights
    ``lin_weight`` on ``log p`` of ``lin_supplier`` plus the constant ``lin_const_f = sum w_j logrel_j``
    (the wedges change only between periods). The other groups keep the CES form
    ``alpha_k log(sum_j c_j q_g) / (1 - sigma)``: firm f's are ``multi_ptr[f]:multi_ptr[f+1]``, group i has
    weight ``multi_alpha[i]`` and links ``multi_gptr[i]:multi_gptr[i+1]`` into ``multi_supplier``,
    ``multi_coef`` (``c_j = Lambda_j exp((1 - sigma) logrel_j)``, the only links that need it) and
    ``multi_link`` (the link's index j). ``needs_q`` marks the firms that supply
    a CES group, the only ones whose ``q = p^(1-sigma)`` is ever read. Returns a tuple of these eleven arrays.
    """
    F = firm_groups.shape[0] - 1
    one = 1.0 - sigma
    cd = abs(one) < 1e-12
    # each firm's counts, their running sums (the row pointers), then each firm fills its own rows
    lin_ptr = np.zeros(F + 1, dtype=np.int64)
    multi_ptr = np.zeros(F + 1, dtype=np.int64)
    mlink_ptr = np.zeros(F + 1, dtype=np.int64)
    for f in prange(F):
        n_lin = 0
        n_multi = 0
        n_mlinks = 0
        for k in range(firm_groups[f], firm_groups[f + 1]):
            n = group_ptr[k + 1] - group_ptr[k]
            if cd or n == 1:
                n_lin += n
            else:
                n_multi += 1
                n_mlinks += n
        lin_ptr[f + 1] = n_lin
        multi_ptr[f + 1] = n_multi
        mlink_ptr[f + 1] = n_mlinks
    for f in range(F):
        lin_ptr[f + 1] += lin_ptr[f]
        multi_ptr[f + 1] += multi_ptr[f]
        mlink_ptr[f + 1] += mlink_ptr[f]
    n_lin = lin_ptr[F]
    n_multi = multi_ptr[F]
    n_mlinks = mlink_ptr[F]
    lin_supplier = np.empty(n_lin, dtype=np.int32)
    lin_weight = np.empty(n_lin)
    lin_const = np.zeros(F)
    multi_alpha = np.empty(n_multi)
    multi_gptr = np.empty(n_multi + 1, dtype=np.int64)
    multi_supplier = np.empty(n_mlinks, dtype=np.int32)
    multi_coef = np.empty(n_mlinks)
    multi_link = np.empty(n_mlinks, dtype=np.int64)
    needs_q = np.zeros(F, dtype=np.bool_)
    multi_gptr[0] = 0
    for f in prange(F):
        i_lin = lin_ptr[f]
        i_multi = multi_ptr[f]
        i_ml = mlink_ptr[f]
        const = 0.0
        for k in range(firm_groups[f], firm_groups[f + 1]):
            j0 = group_ptr[k]
            j1 = group_ptr[k + 1]
            if cd or j1 - j0 == 1:
                for j in range(j0, j1):
                    wj = group_alpha[k] * link_weight[j] if cd else group_alpha[k]
                    lin_supplier[i_lin] = supplier[j]
                    lin_weight[i_lin] = wj
                    const += wj * logrel[j]
                    i_lin += 1
            else:
                multi_alpha[i_multi] = group_alpha[k]
                for j in range(j0, j1):
                    multi_supplier[i_ml] = supplier[j]
                    multi_coef[i_ml] = link_weight[j] * np.exp(one * logrel[j])
                    multi_link[i_ml] = j
                    i_ml += 1
                i_multi += 1
                multi_gptr[i_multi] = i_ml
        lin_const[f] = const
    for m in range(n_mlinks):
        needs_q[multi_supplier[m]] = True
    return (lin_ptr, lin_supplier, lin_weight, lin_const, multi_ptr, multi_alpha, multi_gptr, multi_supplier,
            multi_coef, multi_link, needs_q)


_price_links_serial = _serial_twin(_price_links)


def _init_q(needs_q, one, logp, q):
    """``q_f = p_f^(1-sigma)`` where a CES group reads it (``needs_q``)."""
    for f in prange(logp.shape[0]):
        if needs_q[f]:
            q[f] = np.exp(one * logp[f])


_init_q_serial = _serial_twin(_init_q)


def _predict_prices(country, sector, nu, labour_frac, R, LV, KV, cell_dp, dx, needs_q, one, logp, q):
    """Move log prices by their first-order response to a step ``dx`` of (log w, log r): a firm's own
    factor costs ``nu_f (l_f dlog w_c + (1 - l_f) dlog r_c)`` plus its cell's response through its
    suppliers (the cell's price response ``(cell_dp dx)_a`` of :func:`_factor_jacobian`, at the period's
    first point, less the cell's own factor costs ``(LV_a dlog w_c + KV_a dlog r_c) / R_a``); ``q`` follows.
    A start for the price sweeps only (it moves no fixed point): it spares about 40 % of them."""
    G = dx.shape[0] // 2
    n = R.shape[0]
    S = n // G
    indirect = np.zeros(n)
    for a in range(n):
        if R[a] > 0.0:
            c = a // S
            dp = 0.0
            for i in range(2 * G):
                dp += cell_dp[a, i] * dx[i]
            indirect[a] = dp - (LV[a] * dx[c] + KV[a] * dx[G + c]) / R[a]
    for f in prange(logp.shape[0]):
        c = country[f]
        own = nu[f] * (labour_frac[f] * dx[c] + (1.0 - labour_frac[f]) * dx[G + c])
        lp = logp[f] + own + indirect[c * S + sector[f]]
        logp[f] = lp
        if needs_q[f]:
            q[f] = np.exp(one * lp)


_predict_prices_serial = _serial_twin(_predict_prices)


def _sweep(lin_ptr, lin_supplier, lin_weight, lin_const, multi_ptr, multi_alpha, multi_gptr, multi_supplier, multi_coef,
           needs_q, one, b, beta, logp, q, new_logp, new_q, block_resid):
    """One sweep of ``log p_f = b_f + beta_f (lin_f + sum_k alpha_k log(sum_j c_j q_g) / (1 - sigma))`` over the
    links of :func:`_price_links` in :data:`BLOCKS` blocks of firms: reads ``logp`` and ``q``, writes
    ``new_logp`` and (where read) ``new_q``. With separate arrays a Jacobi sweep (run in parallel); called
    serially with ``new_logp is logp`` and ``new_q is q``, a Gauss-Seidel sweep in firm order. Returns the
    largest change of a log price."""
    F = b.shape[0]
    nb = BLOCKS
    size = (F + nb - 1) // nb
    for blk in prange(nb):
        resid = 0.0
        for f in range(blk * size, min(F, (blk + 1) * size)):
            acc = lin_const[f]
            for j in range(lin_ptr[f], lin_ptr[f + 1]):
                u = _unsigned(j)
                acc += lin_weight[u] * logp[_unsigned(lin_supplier[u])]
            if multi_ptr[f + 1] > multi_ptr[f]:
                ces = 0.0
                for i in range(multi_ptr[f], multi_ptr[f + 1]):
                    s = 0.0
                    for j in range(multi_gptr[i], multi_gptr[i + 1]):
                        u = _unsigned(j)
                        s += multi_coef[u] * q[_unsigned(multi_supplier[u])]
                    ces += multi_alpha[i] * np.log(s)
                acc += ces / one
            val = b[f] + beta[f] * acc
            d = abs(val - logp[f])
            if d > resid:
                resid = d
            new_logp[f] = val
            if needs_q[f]:
                new_q[f] = np.exp(one * val)
        block_resid[blk] = resid
    resid = 0.0
    for blk in range(nb):
        if block_resid[blk] > resid:
            resid = block_resid[blk]
    return resid


_sweep_serial = _serial_twin(_sweep)


@register_jitable
def _solve_prices(links, sigma, b, beta, logp, q, other_logp, other_q, tol, max_iter, parallel):
    """Sweeps (:func:`_sweep`) of ``log p_f = b_f + beta_f sum_k alpha_k log P_fk(p)`` over ``links``, the
    tuple of :func:`_price_links`, until the largest change of a log price is at most ``tol``: Gauss-Seidel
    in firm order, or with ``parallel`` Jacobi sweeps in parallel, alternating with the buffers ``other_logp``,
    ``other_q``. ``logp`` and, where read, ``q = p^(1-sigma)`` (consistent with ``logp`` on entry) are
    updated in place. Returns (iterations, residual). The map is a contraction (row sums ``beta_f < 1`` in
    log p)."""
    lin_ptr, lin_supplier, lin_weight, lin_const, multi_ptr, multi_alpha, multi_gptr, multi_supplier, multi_coef, _, \
        needs_q = links
    one = 1.0 - sigma
    block_resid = np.zeros(BLOCKS)
    resid = np.inf
    it = 0
    if not parallel:
        while it < max_iter:
            it += 1
            resid = _sweep_serial(lin_ptr, lin_supplier, lin_weight, lin_const, multi_ptr, multi_alpha, multi_gptr,
                                  multi_supplier, multi_coef, needs_q, one, b, beta, logp, q, logp, q, block_resid)
            if resid <= tol:
                break
        return it, resid
    while it < max_iter:
        it += 1
        if it % 2 == 1:
            resid = _sweep(lin_ptr, lin_supplier, lin_weight, lin_const, multi_ptr, multi_alpha, multi_gptr,
                           multi_supplier, multi_coef, needs_q, one, b, beta, logp, q, other_logp, other_q, block_resid)
        else:
            resid = _sweep(lin_ptr, lin_supplier, lin_weight, lin_const, multi_ptr, multi_alpha, multi_gptr,
                           multi_supplier, multi_coef, needs_q, one, b, beta, other_logp, other_q, logp, q, block_resid)
        if resid <= tol:
            break
    if it % 2 == 1:
        logp[:] = other_logp
        q[:] = other_q
    return it, resid


def _fixed_link_shares(firm_groups, group_ptr, group_alpha, link_weight, sigma, beta, inv, t_pos, share, t_coef,
                       tint_fixed):
    """The spending shares that prices cannot move, written once a period: a sector's only supplier gets
    ``share_j = alpha_k``, and with sigma = 1 every link ``alpha_k Lambda_j``; with them the value system's
    coefficients ``t_coef = (1 - nu_f) share_fg / (1 + tau)`` in seller-major order and ``tint_fixed_f``,
    the tariff f pays on these links per unit of output (see :func:`_ces_link_shares`)."""
    cd = abs(1.0 - sigma) < 1e-12
    for f in prange(firm_groups.shape[0] - 1):
        bf = beta[f]
        paid = 0.0
        for k in range(firm_groups[f], firm_groups[f + 1]):
            j0 = group_ptr[k]
            j1 = group_ptr[k + 1]
            if cd or j1 - j0 == 1:
                for j in range(j0, j1):
                    share[j] = group_alpha[k] * link_weight[j] if cd else group_alpha[k]
                    t_coef[t_pos[j]] = bf * share[j] * inv[j]
                    paid += share[j] * (1.0 - inv[j])
        tint_fixed[f] = bf * paid


_fixed_link_shares_serial = _serial_twin(_fixed_link_shares)


def _ces_link_shares(links, q, beta, inv, t_pos, tint_fixed, share, t_coef, tint):
    """Spending shares of the CES groups of ``links`` (:func:`_price_links`) at the current prices,
    ``share_j = alpha_k c_j q_g / P_fk^(1-sigma)`` (Shephard's lemma; with :func:`_fixed_link_shares` each
    firm's shares sum to 1), their value coefficients ``t_coef``, and ``tint_f = (1 - nu_f) sum_g share_fg
    tau / (1 + tau)``, the tariff f pays per unit of output."""
    multi_ptr, multi_alpha, multi_gptr, multi_supplier, multi_coef, multi_link = links[4:10]
    for f in prange(multi_ptr.shape[0] - 1):
        bf = beta[f]
        paid = 0.0
        for i in range(multi_ptr[f], multi_ptr[f + 1]):
            ak = multi_alpha[i]
            tot = 0.0
            for m in range(multi_gptr[i], multi_gptr[i + 1]):
                tot += multi_coef[m] * q[multi_supplier[m]]
            for m in range(multi_gptr[i], multi_gptr[i + 1]):
                j = multi_link[m]
                share[j] = ak * multi_coef[m] * q[multi_supplier[m]] / tot
                t_coef[t_pos[j]] = bf * share[j] * inv[j]
                paid += share[j] * (1.0 - inv[j])
        tint[f] = tint_fixed[f] + bf * paid


_ces_link_shares_serial = _serial_twin(_ces_link_shares)


def _transpose(country, sector, indptr, supplier, S, t_indptr, t_buyer, t_cell, t_pos, nblocks):
    """Seller-major copy of the network: for seller g its buyers ``t_buyer`` and their cells ``t_cell``
    (buyers in increasing order); ``t_pos[j]`` is the seller-major position of buyer-major link j.
    ``nblocks`` ranges of sellers are copied side by side (in parallel), each by a pass over all links in
    buyer order that keeps its own sellers' links: the copy is the same for any number of blocks."""
    F = country.shape[0]
    counts = np.zeros(F, dtype=np.int64)
    for blk in prange(nblocks):
        lo = blk * F // nblocks
        hi = (blk + 1) * F // nblocks
        for j in range(supplier.shape[0]):
            g = supplier[j]
            if lo <= g < hi:
                counts[g] += 1
    t_indptr[0] = 0
    for g in range(F):
        t_indptr[g + 1] = t_indptr[g] + counts[g]
    for blk in prange(nblocks):
        lo = blk * F // nblocks
        hi = (blk + 1) * F // nblocks
        fill = t_indptr[lo:hi].copy()
        for f in range(F):
            cf = country[f] * S + sector[f]
            for j in range(indptr[f], indptr[f + 1]):
                g = supplier[j]
                if lo <= g < hi:
                    pos = fill[g - lo]
                    t_buyer[pos] = f
                    t_cell[pos] = cf
                    t_pos[j] = pos
                    fill[g - lo] = pos + 1


_transpose_serial = _serial_twin(_transpose)


@register_jitable
def _demand_logs(weight, tariff, tcost, taste):
    """The logs :func:`_demand_shares` reads, fixed within a clearing: ``log lambda_g`` (where positive),
    the log wedges (:func:`_log_wedges`) and ``log a_cos`` (where positive)."""
    log_weight = np.zeros(weight.shape[0])
    for g in range(weight.shape[0]):
        if weight[g] > 0.0:
            log_weight[g] = np.log(weight[g])
    G = taste.shape[0]
    S = taste.shape[2]
    log_taste = np.zeros((G, G, S))
    for c in range(G):
        for o in range(G):
            for s in range(S):
                if taste[c, o, s] > 0.0:
                    log_taste[c, o, s] = np.log(taste[c, o, s])
    return log_weight, _log_wedges(tariff, tcost), log_taste


def _demand_shares(country, sector, weight, log_weight, logp, log_wedge, taste, log_taste, sigma, cell_ptr,
                   cell_firms, theta, pi, log_pindex):
    """theta_g, pi_{c,o,s} and log P_{c,s} (module docstring, final demand); the firms of cell (o, s) are
    ``cell_firms[cell_ptr[o S + s]:cell_ptr[o S + s + 1]]`` (:func:`_cell_blocks`), taken one cell at a time;
    the logs fixed within the clearing come from :func:`_demand_logs`."""
    G = pi.shape[0]
    S = pi.shape[2]
    one = 1.0 - sigma
    cd = abs(one) < 1e-12
    # per origin cell: Lambda_os, log S_os with a max shift, and the firms' shares theta
    shift = np.full((G, S), -np.inf)
    lam = np.zeros((G, S))
    ssum = np.zeros((G, S))
    mean_logp = np.zeros((G, S))  # sum_g lambda_g log p_g / Lambda_os (sigma = 1)
    for a in prange(G * S):
        o = a // S
        s = a % S
        lam_a = 0.0
        shift_a = -np.inf
        for i in range(cell_ptr[a], cell_ptr[a + 1]):
            g = cell_firms[i]
            lam_a += weight[g]
            if weight[g] > 0.0:
                e = log_weight[g] + one * logp[g]
                theta[g] = e
                if e > shift_a:
                    shift_a = e
        ssum_a = 0.0
        mean_a = 0.0
        for i in range(cell_ptr[a], cell_ptr[a + 1]):
            g = cell_firms[i]
            if weight[g] > 0.0:
                if cd:
                    ssum_a += weight[g]
                else:
                    theta[g] = np.exp(theta[g] - shift_a)
                    ssum_a += theta[g]
                mean_a += weight[g] * logp[g]
        for i in range(cell_ptr[a], cell_ptr[a + 1]):
            g = cell_firms[i]
            if ssum_a > 0.0 and weight[g] > 0.0:
                theta[g] = (weight[g] if cd else theta[g]) / ssum_a
            else:
                theta[g] = 0.0
        lam[o, s] = lam_a
        shift[o, s] = shift_a
        ssum[o, s] = ssum_a
        mean_logp[o, s] = mean_a / lam_a if lam_a > 0.0 else 0.0
    terms = np.empty(G)
    log_ssum = np.zeros((G, S))
    for o in range(G):
        for s in range(S):
            if ssum[o, s] > 0.0:
                log_ssum[o, s] = np.log(ssum[o, s])
    for c in range(G):
        for s in range(S):
            norm = 0.0
            for o in range(G):
                norm += taste[c, o, s] * lam[o, s]
            if norm <= 0.0:
                for o in range(G):
                    pi[c, o, s] = 0.0
                log_pindex[c, s] = 0.0
                continue
            if cd:
                lp = 0.0
                for o in range(G):
                    wgt = taste[c, o, s] * lam[o, s]
                    pi[c, o, s] = wgt / norm
                    if wgt > 0.0:
                        lp += wgt / norm * (log_wedge[c, o, s] + mean_logp[o, s])
                log_pindex[c, s] = lp
            else:
                mx = -np.inf
                for o in range(G):
                    if taste[c, o, s] > 0.0 and ssum[o, s] > 0.0:
                        terms[o] = log_taste[c, o, s] + one * log_wedge[c, o, s] + shift[o, s] + log_ssum[o, s]
                        if terms[o] > mx:
                            mx = terms[o]
                    else:
                        terms[o] = -np.inf
                tot = 0.0
                for o in range(G):
                    if terms[o] > -np.inf:
                        terms[o] = np.exp(terms[o] - mx)
                        tot += terms[o]
                    else:
                        terms[o] = 0.0
                for o in range(G):
                    pi[c, o, s] = terms[o] / tot
                log_pindex[c, s] = (mx + np.log(tot) - np.log(norm)) / one


_demand_shares_serial = _serial_twin(_demand_shares)


@register_jitable
def _final_coefficients(tariff, beta, pi, exo, fd, tfin):
    """fd_{c,o,s} = (beta_cs pi_cos + e_cos) / (1 + tau_cos): basic-price sales per unit of E_c;
    tfin_c = sum_{o,s} (beta pi + e) tau / (1 + tau): the tariff share of c's final spending."""
    G = pi.shape[0]
    S = pi.shape[2]
    for c in range(G):
        t = 0.0
        for o in range(G):
            for s in range(S):
                spend = beta[c, s] * pi[c, o, s] + exo[c, o, s]
                tau = tariff[c, o, s]
                fd[c, o, s] = spend / (1.0 + tau)
                t += spend * tau / (1.0 + tau)
        tfin[c] = t


@register_jitable
def _rank_four_update(U, row, l0, l1, l2, l3, start):
    """``row[j] = (((row[j] - l0 U[0, j]) - l1 U[1, j]) - l2 U[2, j]) - l3 U[3, j]`` for j >= start: four pivots'
    eliminations of one row in one pass, each in the order one pivot at a time would apply it (so the result is
    bit-identical); U is a separate buffer and the index unsigned, so the loop vectorizes."""
    u0 = U[0]
    u1 = U[1]
    u2 = U[2]
    u3 = U[3]
    for jj in range(start, row.shape[0]):
        j = _unsigned(jj)
        row[j] = (((row[j] - l0 * u0[j]) - l1 * u1[j]) - l2 * u2[j]) - l3 * u3[j]


def _dense_solve(A, rhs):
    """Solve A x = rhs in place (small dense A): LAPACK through numpy in Python; in numba,
    Gaussian elimination with partial pivoting (:func:`_dense_solve_loop`)."""
    rhs[:] = np.linalg.solve(A, rhs)


def _dense_solve_loop(A, rhs):
    """:func:`_lu_factor_loop` then :func:`_lu_solve_loop`: no BLAS, so the result does not depend on a
    thread count."""
    piv = np.empty(A.shape[0], dtype=np.int32)
    _lu_factor(A, piv)
    _lu_solve(np.ascontiguousarray(A.T), piv, rhs)


@overload(_dense_solve)
def _dense_solve_numba(A, rhs):
    return _dense_solve_loop


def _lu_factor(A, piv):
    """LU factors with partial pivoting of A, in place (LAPACK getrf's layout: unit lower L below the
    diagonal, U on and above it; row k swapped with row ``piv[k]`` at step k): LAPACK through scipy in
    Python; in numba, :func:`_lu_factor_loop` (no BLAS: the result does not depend on a thread count)."""
    lu, p = scipy.linalg.lu_factor(A, check_finite=False)
    A[:, :] = lu
    piv[:] = p


def _lu_factor_loop(A, piv):
    """Gaussian elimination with partial pivoting that keeps its multipliers, in panels of four pivots
    (right-looking, blocked as LAPACK's getrf is): a panel's four columns are factored and its rows of U
    finished, then every row below takes the panel's four eliminations in one pass
    (:func:`_rank_four_update`). Every element gets the same operations in the same order as one pivot at
    a time, so the factors are bit-identical to the unblocked elimination (a test checks); the trailing
    update vectorizes and reads each row once per panel instead of once per pivot (283 -> 109 us at
    n = 126)."""
    n = A.shape[0]
    U = np.empty((4, n))
    k0 = 0
    while k0 < n:
        k1 = min(k0 + 4, n)  # the panel: columns k0 .. k1 - 1
        for k in range(k0, k1):
            p = k
            big = abs(A[k, k])
            for i in range(k + 1, n):
                if abs(A[i, k]) > big:
                    big = abs(A[i, k])
                    p = i
            piv[k] = p
            if p != k:
                for j in range(n):
                    tmp = A[k, j]
                    A[k, j] = A[p, j]
                    A[p, j] = tmp
            d = A[k, k]
            for i in range(k + 1, n):  # the multipliers, and this pivot's elimination in the panel's later columns
                fct = A[i, k] / d
                for j in range(k + 1, k1):
                    A[i, j] = A[i, j] - fct * A[k, j]
                A[i, k] = fct
        for k in range(k0 + 1, k1):  # the panel's rows of U right of it: the panel's earlier pivots, in order
            for m in range(k0, k):
                fct = A[k, m]
                for j in range(k1, n):
                    A[k, j] = A[k, j] - fct * A[m, j]
        if k1 - k0 == 4:
            for m in range(4):
                for j in range(k1, n):
                    U[m, j] = A[k0 + m, j]
            for i in range(k1, n):
                row = A[i]
                _rank_four_update(U, row, row[k0], row[k0 + 1], row[k0 + 2], row[k0 + 3], k1)
        else:  # the last, narrower panel
            for i in range(k1, n):
                for m in range(k0, k1):
                    fct = A[i, m]
                    for j in range(k1, n):
                        A[i, j] = A[i, j] - fct * A[m, j]
        k0 = k1


@overload(_lu_factor)
def _lu_factor_numba(A, piv):
    return _lu_factor_loop


def _lu_solve(lut, piv, b):
    """Solve A x = b in place of b from the factors of :func:`_lu_factor`, given transposed (``lut = lu.T``,
    C-contiguous): scipy in Python; in numba a loop of column-oriented substitutions, each a contiguous axpy."""
    b[:] = scipy.linalg.lu_solve((lut.T, piv), b, check_finite=False)


def _lu_solve_loop(lut, piv, b):
    n = lut.shape[0]
    for k in range(n):
        p = piv[k]
        if p != k:
            tmp = b[k]
            b[k] = b[p]
            b[p] = tmp
    for j in range(n):  # L y = b, unit diagonal: column j of L is row j of lut
        bj = b[j]
        col = lut[j]
        for ii in range(j + 1, n):
            i = _unsigned(ii)
            b[i] -= col[i] * bj
    for j in range(n - 1, -1, -1):  # U x = y
        col = lut[j]
        bj = b[j] / col[j]
        b[j] = bj
        for ii in range(j):
            i = _unsigned(ii)
            b[i] -= col[i] * bj


@overload(_lu_solve)
def _lu_solve_numba(lut, piv, b):
    return _lu_solve_loop


def _residual(M, x, rhs, r):
    """``r = rhs - M x``; returns ``|r|_inf``: numpy in Python, :func:`_residual_loop` in numba."""
    r[:] = rhs - M @ x
    return np.abs(r).max()


def _residual_loop(M, x, rhs, r):
    """Four rows at a time (four independent sums)."""
    n = M.shape[0]
    i = 0
    while i + 3 < n:
        r0 = M[i]
        r1 = M[i + 1]
        r2 = M[i + 2]
        r3 = M[i + 3]
        a0 = rhs[i]
        a1 = rhs[i + 1]
        a2 = rhs[i + 2]
        a3 = rhs[i + 3]
        for j in range(n):
            xj = x[j]
            a0 -= r0[j] * xj
            a1 -= r1[j] * xj
            a2 -= r2[j] * xj
            a3 -= r3[j] * xj
        r[i] = a0
        r[i + 1] = a1
        r[i + 2] = a2
        r[i + 3] = a3
        i += 4
    while i < n:
        acc = rhs[i]
        row = M[i]
        for j in range(n):
            acc -= row[j] * x[j]
        r[i] = acc
        i += 1
    rn = 0.0
    for i in range(n):
        if not abs(r[i]) <= rn:
            rn = abs(r[i])
    return rn


@overload(_residual)
def _residual_numba(M, x, rhs, r):
    return _residual_loop


def _row_norm(M):
    """``|M|_inf``, the largest absolute row sum: numpy in Python, a loop in numba."""
    return np.abs(M).sum(axis=1).max()


def _row_norm_loop(M):
    # four rows at a time (four independent sums; each row still summed in column order)
    n = M.shape[0]
    m = M.shape[1]
    norm = 0.0
    i = 0
    while i + 3 < n:
        r0 = M[i]
        r1 = M[i + 1]
        r2 = M[i + 2]
        r3 = M[i + 3]
        a0 = 0.0
        a1 = 0.0
        a2 = 0.0
        a3 = 0.0
        for j in range(m):
            a0 += abs(r0[j])
            a1 += abs(r1[j])
            a2 += abs(r2[j])
            a3 += abs(r3[j])
        norm = max(norm, max(max(a0, a1), max(a2, a3)))
        i += 4
    while i < n:
        row = 0.0
        for j in range(m):
            row += abs(M[i, j])
        if row > norm:
            norm = row
        i += 1
    return norm


@overload(_row_norm)
def _row_norm_numba(M):
    return _row_norm_loop


#: Iterative refinement on earlier LU factors (:func:`_solve_near`) stops at the normwise backward error
#: ``|rhs - M x|_inf <= max(REFINE_TOL, REFINE_SHARE tol) |M|_inf |x|_inf`` (a fresh LU solve reaches 1e-16
#: to 1e-15 here; tol is the caller's tolerance), and gives up for fresh factors after REFINE_MAX steps or
#: a step that does not halve the residual.
REFINE_TOL = 1e-15
REFINE_SHARE = 1e-3
REFINE_MAX = 8


@register_jitable
def _solve_near(M, rhs, lut, piv, lu_state, x, r, tol):
    """Solve ``M x = rhs`` in place of rhs for a matrix M near one whose LU factors (transposed, ``lut``,
    and ``piv``) are kept (``lu_state[0] == 1``): iterative refinement ``x <- x + LU^-1 (rhs - M x)``
    (Wilkinson 1963; Higham 2002, ch. 12), which converges while the factored matrix stays close to M,
    to the backward error of :data:`REFINE_TOL` (at least ``REFINE_SHARE tol``); otherwise M is factored
    afresh. ``x``, ``r`` are work space of length n. Returns the refinement steps, or -1 if M was factored."""
    n = M.shape[0]
    target = max(REFINE_TOL, REFINE_SHARE * tol)
    if lu_state[0] == 1:
        mnorm = _row_norm(M)
        x[:] = rhs
        _lu_solve(lut, piv, x)
        prev = np.inf
        for step in range(REFINE_MAX + 1):
            rn = _residual(M, x, rhs, r)
            xn = 0.0
            for i in range(n):
                if abs(x[i]) > xn:
                    xn = abs(x[i])
            if rn <= target * mnorm * xn:
                rhs[:] = x
                return step
            if not rn <= 0.5 * prev or step == REFINE_MAX:
                break
            prev = rn
            _lu_solve(lut, piv, r)
            x += r
    lu = M.copy()
    _lu_factor(lu, piv)
    lut[:, :] = lu.T
    lu_state[0] = 1
    _lu_solve(lut, piv, rhs)
    return -1


def _add_final_demand(A, Sb, gdpb, tib, deficit, tfin, fd, thsum):
    """Add households' spending of each cell's income to the cell matrix and scale its columns:
    ``A_ab += sum_c fd_{c,a} h_cb`` with ``h_cb = (d_c va_b + [c = c(b)](va_b + T_b)) / (1 - tf_c)``, then
    ``A_ab /= S_b``; rows of cells that sell no final goods get nothing. The sum over c is a rank-2 update,
    ``u_a va_b + fd_{c(b),a} (va_b + T_b) / (1 - tf_{c(b)})`` with ``u_a = sum_c fd_{c,a} d_c / (1 - tf_c)``
    (the deficit-financed spending, shared by all countries' income, and the own country's). Returns the
    last cell with output (-1 if none). numpy in Python; loops in numba (:func:`_add_final_demand_loop`)."""
    G, _, S = fd.shape
    n = G * S
    live = Sb > 0.0
    if not live.any():
        return -1
    fdc = fd.reshape(G, n) * (thsum > 0.0)[None, :]  # (c, a)
    u = (deficit / (1.0 - tfin)) @ fdc
    own = np.arange(n) // S
    w = (gdpb + tib) / (1.0 - tfin[own])
    add = u[:, None] * gdpb[None, :] + fdc[own, :].T * w[None, :]
    A[:, live] += add[:, live]
    A[:, live] /= Sb[live]
    return int(np.flatnonzero(live)[-1])


def _add_final_demand_loop(A, Sb, gdpb, tib, deficit, tfin, fd, thsum):
    # row by row (contiguous in A): the rank-2 update and the column scaling in one pass over each row,
    # ``A_ab <- A_ab / S_b + u_a (va_b / S_b) + fd_{c(b),a} (w_b / S_b)``
    G = fd.shape[0]
    S = fd.shape[2]
    n = G * S
    last = -1
    va = np.zeros(n)
    w = np.zeros(n)
    inv = np.ones(n)
    dc = deficit / (1.0 - tfin)
    for b in range(n):
        if Sb[b] > 0.0:
            last = b
            inv[b] = 1.0 / Sb[b]
            va[b] = gdpb[b] * inv[b]
            w[b] = (gdpb[b] + tib[b]) / (1.0 - tfin[b // S]) * inv[b]
    f_own = np.empty(n)  # fd_{c(b),a} along row a
    a = 0
    for o in range(G):
        for s in range(S):
            row = A[a]
            if thsum[a] > 0.0:
                u = 0.0
                for c in range(G):
                    u += dc[c] * fd[c, o, s]
                b = 0
                for cb in range(G):
                    f = fd[cb, o, s]
                    for _ in range(S):
                        f_own[b] = f
                        b += 1
                for b in range(n):
                    row[b] = row[b] * inv[b] + (u * va[b] + f_own[b] * w[b])
            else:
                for b in range(n):
                    row[b] *= inv[b]
            a += 1
    return last


@overload(_add_final_demand)
def _add_final_demand_numba(A, Sb, gdpb, tib, deficit, tfin, fd, thsum):
    return _add_final_demand_loop


@register_jitable
def _cell_blocks(country, sector, G, S, t_indptr, nblocks):
    """The firms in cell order and :data:`BLOCKS` blocks of whole cells for :func:`_solve_values`.

    A counting sort: ``cell_firms[cell_ptr[a]:cell_ptr[a + 1]]`` are the firms of cell a = country x S +
    sector (G countries), in firm order; ``block_cells[k]:block_cells[k + 1]`` are the cells of block k,
    contiguous ranges of about equal work (the cells' firms plus the links they sell on). Returns the three
    arrays."""
    F = country.shape[0]
    n = G * S
    cell_ptr = np.zeros(n + 1, dtype=np.int64)
    for f in range(F):
        cell_ptr[country[f] * S + sector[f] + 1] += 1
    for a in range(n):
        cell_ptr[a + 1] += cell_ptr[a]
    fill = cell_ptr[:-1].copy()
    cell_firms = np.empty(F, dtype=np.int64)
    work = np.zeros(n)
    total = 0.0
    for f in range(F):
        a = country[f] * S + sector[f]
        cell_firms[fill[a]] = f
        fill[a] += 1
        w = 1.0 + (t_indptr[f + 1] - t_indptr[f])
        work[a] += w
        total += w
    block_cells = np.full(nblocks + 1, n, dtype=np.int64)
    block_cells[0] = 0
    k = 1
    cum = 0.0
    for a in range(n):
        cum += work[a]
        while k < nblocks and cum >= total * k / nblocks:
            block_cells[k] = a + 1
            k += 1
    return cell_ptr, cell_firms, block_cells


def _solve_values(country, sector, nu, tint, t_indptr, t_buyer, t_cell, t_coef, theta, fd, tfin, deficit,
                  anchor, X, cell_ptr, cell_firms, block_cells, lu, piv, lu_state, tol, max_iter):
    """Solve X = K X (the value system, module docstring) under the anchor ``sum_f nu_f X_f = anchor``;
    X is updated in place.

    Each iteration is one pass over the seller-major network that computes the power step
    ``Y = K X`` (rescaled to the anchor) and, from the same flows, the cell-level matrix
    ``A_ab = sum_{g in a, f in b} K_gf X_f / S_b`` (cells b = country x sector, S_b = sum_{f in b} X_f;
    its columns sum to 1 because every unit of revenue is spent). If ``|Y - X|_1 / |Y|_1 <= tol``
    the iteration stops with X = Y. Otherwise the cell totals s solving ``s = A s`` under the anchor
    replace Y's (``X_f = Y_f s_b / sum_{g in b} Y_g``): an aggregation-disaggregation step
    (Koury, McAllister & Stewart 1984; Stewart 1994, ch. 6) that removes the slow between-country
    and between-sector modes of home-biased economies, with the in-cell weights of the power step.
    The passes run over the blocks of cells of :func:`_cell_blocks` (``cell_ptr``, ``cell_firms``,
    ``block_cells``), in parallel (:func:`_solve_values_serial` is the same run serially). The cell-level
    system changes little from one iteration (and one factor-price step) to the next, so it is solved by
    refinement on the LU factors ``lu``, ``piv`` of an earlier one while they serve (:func:`_solve_near`).
    Returns (iterations, residual).
    """
    F = X.shape[0]
    G = fd.shape[0]
    S = fd.shape[2]
    n = G * S
    nb = block_cells.shape[0] - 1
    E = np.empty(G)
    gdp = np.empty(G)
    tic = np.empty(G)
    Yos = np.empty(n)
    Sb = np.zeros(n)
    gdpb = np.zeros(n)
    tib = np.zeros(n)
    thsum = np.zeros(n)
    Nb = np.zeros(n)
    A = np.empty((n, n))
    rhs = np.empty(n)
    new = np.empty(F)
    work_x = np.empty(n)
    work_r = np.empty(n)
    blk_tot = np.empty(nb)
    blk_num = np.empty(nb)
    blk_den = np.empty(nb)
    resid = np.inf
    # the cells' revenue, value added and tariffs of X (then refreshed as each iteration writes X) and
    # final-demand shares (fixed here)
    for blk in prange(nb):
        for a in range(block_cells[blk], block_cells[blk + 1]):
            sx = 0.0
            sva = 0.0
            sti = 0.0
            sth = 0.0
            for i in range(cell_ptr[a], cell_ptr[a + 1]):
                f = cell_firms[i]
                x = X[f]
                sx += x
                sva += nu[f] * x
                sti += tint[f] * x
                sth += theta[f]
            Sb[a] = sx
            gdpb[a] = sva
            tib[a] = sti
            thsum[a] = sth
    it = 0
    while it < max_iter:
        it += 1
        world = 0.0
        for c in range(G):
            gc = 0.0
            tc = 0.0
            for s in range(S):
                gc += gdpb[c * S + s]
                tc += tib[c * S + s]
            gdp[c] = gc
            tic[c] = tc
            world += gc
        for c in range(G):
            E[c] = (gdp[c] + tic[c] + deficit[c] * world) / (1.0 - tfin[c])
        for o in range(G):
            for s in range(S):
                acc = 0.0
                for c in range(G):
                    acc += E[c] * fd[c, o, s]
                Yos[o * S + s] = acc
        # one pass: power step and the intermediate part of A (block k writes rows of its own cells only)
        for blk in prange(nb):
            tot_b = 0.0
            for a in range(block_cells[blk], block_cells[blk + 1]):
                for j in range(n):
                    A[a, j] = 0.0
                ya = Yos[a]
                nba = 0.0
                for i in range(cell_ptr[a], cell_ptr[a + 1]):
                    g = cell_firms[i]
                    acc = 0.0
                    for j in range(t_indptr[g], t_indptr[g + 1]):
                        u = _unsigned(j)
                        v = t_coef[u] * X[_unsigned(t_buyer[u])]
                        acc += v
                        A[a, _unsigned(t_cell[u])] += v
                    val = acc + theta[g] * ya
                    new[g] = val
                    nba += val
                    tot_b += nu[g] * val
                Nb[a] = nba
            blk_tot[blk] = tot_b
        tot = 0.0
        for blk in range(nb):
            tot += blk_tot[blk]
        scale = anchor / tot if tot > 0.0 else 1.0
        for blk in prange(nb):
            num_b = 0.0
            den_b = 0.0
            for a in range(block_cells[blk], block_cells[blk + 1]):
                for i in range(cell_ptr[a], cell_ptr[a + 1]):
                    g = cell_firms[i]
                    v = new[g] * scale
                    new[g] = v
                    num_b += abs(v - X[g])
                    den_b += abs(v)
            blk_num[blk] = num_b
            blk_den[blk] = den_b
        num = 0.0
        den = 0.0
        for blk in range(nb):
            num += blk_num[blk]
            den += blk_den[blk]
        resid = num / den if den > 0.0 else 0.0
        if resid <= tol or it >= max_iter:
            for g in prange(F):
                X[g] = new[g]
            break
        # final-demand part of A, column scaling, and the cell-level solve
        last = _add_final_demand(A, Sb, gdpb, tib, deficit, tfin, fd, thsum)
        ok = last >= 0
        if ok:
            for b in range(n):
                A[b, b] -= 1.0
                rhs[b] = 0.0
            for b in range(n):
                if Sb[b] <= 0.0:
                    for j in range(n):
                        A[b, j] = 0.0
                        A[j, b] = 0.0
                    A[b, b] = 1.0
            for j in range(n):
                A[last, j] = gdpb[j] / Sb[j] if Sb[j] > 0.0 else 0.0
            rhs[last] = anchor
            _solve_near(A, rhs, lu, piv, lu_state, work_x, work_r, tol)
            for b in range(n):
                if Sb[b] > 0.0 and not (rhs[b] > 0.0 and Nb[b] > 0.0):
                    ok = False  # not a usable aggregate (far from the fixed point): plain power step
        for blk in prange(nb):  # the new X (disaggregated cell totals, or the power step) and its cell sums
            for a in range(block_cells[blk], block_cells[blk + 1]):
                factor = rhs[a] / (Nb[a] * scale) if ok and Nb[a] > 0.0 else 1.0
                sx = 0.0
                sva = 0.0
                sti = 0.0
                for i in range(cell_ptr[a], cell_ptr[a + 1]):
                    g = cell_firms[i]
                    x = new[g] * factor if ok else new[g]
                    X[g] = x
                    sx += x
                    sva += nu[g] * x
                    sti += tint[g] * x
                Sb[a] = sx
                gdpb[a] = sva
                tib[a] = sti
    return it, resid


_solve_values_serial = _serial_twin(_solve_values)


@register_jitable
def _employment(country, nu, labour_frac, X, wage, out):
    """Labour demand N_c = sum_{f in c} (1 - kappa a_f) nu_f X_f / w_c."""
    for c in range(out.shape[0]):
        out[c] = 0.0
    for f in range(X.shape[0]):
        out[country[f]] += labour_frac[f] * nu[f] * X[f]
    for c in range(out.shape[0]):
        out[c] /= wage[c]


@register_jitable
def _capital_demand(country, nu, labour_frac, X, rental, out):
    """Robot capital demand K^d_c = sum_{f in c} kappa a_f nu_f X_f / r_c."""
    for c in range(out.shape[0]):
        out[c] = 0.0
    for f in range(X.shape[0]):
        out[country[f]] += (1.0 - labour_frac[f]) * nu[f] * X[f]
    for c in range(out.shape[0]):
        out[c] /= rental[c]


def _cell_aggregates(country, sector, firm_groups, group_ptr, supplier, share, inv, bet, nu, labour_frac, tint, X, S,
                     cell_ptr, cell_firms, block_cells, R, LV, KV, TV, Z, Qa):
    """Country x sector cell aggregates of this iteration's network, for :func:`_factor_jacobian`:
    revenue ``R_a``, labour and robot income ``LV_a``, ``KV_a``, intermediate tariffs paid ``TV_a``,
    basic-price intermediate sales ``Z_ab`` of cell a to cell b's firms, and ``Qa[a, o]``, the sales of
    cell a weighted by the share of origin o in each buying group (``sum_j v_j s_{o|k(j)}``, with
    ``s_{o|k}`` the part of group k's purchases bought from country o), which carries the CES
    substitution among a group's suppliers to the cell level. Runs over the blocks of buying cells of
    :func:`_cell_blocks`: a block writes its own cells' columns of Z and its own partial Qa, added in
    block order."""
    n = R.shape[0]
    G = Qa.shape[1]
    nb = block_cells.shape[0] - 1
    Qb = np.zeros((nb, n, G))
    for blk in prange(nb):
        for b in range(block_cells[blk], block_cells[blk + 1]):
            for a in range(n):
                Z[a, b] = 0.0
            r = 0.0
            lv = 0.0
            kv = 0.0
            tv = 0.0
            for i in range(cell_ptr[b], cell_ptr[b + 1]):
                f = cell_firms[i]
                x = X[f]
                r += x
                lv += labour_frac[f] * nu[f] * x
                kv += (1.0 - labour_frac[f]) * nu[f] * x
                tv += tint[f] * x
                for k in range(firm_groups[f], firm_groups[f + 1]):
                    j0 = group_ptr[k]
                    j1 = group_ptr[k + 1]
                    tot = 0.0
                    for j in range(j0, j1):
                        tot += share[j]
                    for j in range(j0, j1):
                        g = supplier[j]
                        a = country[g] * S + sector[g]
                        v = bet[f] * share[j] * inv[j] * x
                        Z[a, b] += v
                        if j1 - j0 == 1 or tot <= 0.0:
                            Qb[blk, a, country[g]] += v
                        else:
                            for jj in range(j0, j1):
                                Qb[blk, a, country[supplier[jj]]] += v * share[jj] / tot
            R[b] = r
            LV[b] = lv
            KV[b] = kv
            TV[b] = tv
    for a in range(n):
        for o in range(G):
            acc = 0.0
            for blk in range(nb):
                acc += Qb[blk, a, o]
            Qa[a, o] = acc


_cell_aggregates_serial = _serial_twin(_cell_aggregates)


@register_jitable
def _subtract_multiple(row, f, pivot_row):
    """``row -= f pivot_row`` (contiguous rows, unsigned index: the loop vectorizes)."""
    for cc in range(row.shape[0]):
        c = _unsigned(cc)
        row[c] -= f * pivot_row[c]


def _dense_solve_many(A, B):
    """Solve A X = B in place for a matrix of right-hand sides (small dense A): LAPACK through numpy
    in Python; in numba, Gaussian elimination with partial pivoting (:func:`_dense_solve_many_loop`)."""
    B[:, :] = np.linalg.solve(A, B)


def _dense_solve_many_loop(A, B):
    """:func:`_lu_factor_loop` once, then the substitutions on all right-hand sides at once (row operations on
    B's contiguous rows; each column gets the operations of :func:`_lu_solve_loop` in its order). No BLAS."""
    n = A.shape[0]
    m = B.shape[1]
    piv = np.empty(n, dtype=np.int32)
    _lu_factor(A, piv)
    for k in range(n):
        p = piv[k]
        if p != k:
            for c in range(m):
                tmp = B[k, c]
                B[k, c] = B[p, c]
                B[p, c] = tmp
    for j in range(n):  # L Y = B, unit diagonal
        for i in range(j + 1, n):
            if A[i, j] != 0.0:
                _subtract_multiple(B[i], A[i, j], B[j])
    for j in range(n - 1, -1, -1):  # U X = Y
        bj = B[j]
        d = A[j, j]
        for cc in range(m):
            c = _unsigned(cc)
            bj[c] = bj[c] / d
        for i in range(j):
            if A[i, j] != 0.0:
                _subtract_multiple(B[i], A[i, j], bj)


@overload(_dense_solve_many)
def _dense_solve_many_numba(A, B):
    return _dense_solve_many_loop


@register_jitable
def _factor_jacobian(R, LV, KV, TV, Z, Qa, tariff, final_tariff, beta, pi, fd, tfin, deficit, capital, sigma, J,
                     cell_dp):
    """The factor markets' Jacobian ``J = dF/dx`` (x = log w, log r; F the log excess demands) of the
    economy aggregated to country x sector cells, written to ``J`` (2G x 2G; ``tariff`` on intermediates,
    ``final_tariff`` on final goods): a Newton matrix for the
    factor loop, exact to first order when price changes are uniform within a cell.

    Prices: ``dlog p = (I - C)^-1 D dx`` with C_ba the purchaser-price cost share of cell a in b's unit
    cost and D the factor cost shares (``LV_b / R_b`` on b's wage, ``KV_b / R_b`` on its rental).
    Quantities: the value system ``R = A_tot R`` (intermediate coefficients ``Z_ab / R_b`` plus
    households' spending of each cell's income, as in :func:`_solve_values`) perturbed by the CES
    substitution ``(1 - sigma)`` among a group's suppliers (``Z`` and ``Qa``) and among the origins of
    final goods (Armington shares ``pi``), under the anchor ``sum nu_b dR_b = 0``. Then
    ``dF_c = dLI_c / LI_c - dlog w_c`` (and the same for robot capital). The cells' price responses
    ``dlog p / dx`` (n x 2G) are written to ``cell_dp`` (:func:`_predict_prices`)."""
    G = tariff.shape[0]
    S = tariff.shape[2]
    n = G * S
    m = 2 * G
    one = 1.0 - sigma
    Mp = np.zeros((n, n))
    dP = np.zeros((n, m))
    M = 0.0
    for b in range(n):
        M += LV[b] + KV[b]
    for b in range(n):
        cb = b // S
        Mp[b, b] = 1.0
        if R[b] > 0.0:
            a = 0
            for o in range(G):
                for s in range(S):
                    if Z[a, b] != 0.0:
                        Mp[b, a] -= Z[a, b] * (1.0 + tariff[cb, o, s]) / R[b]
                    a += 1
            dP[b, cb] = LV[b] / R[b]
            dP[b, G + cb] = KV[b] / R[b]
    _dense_solve_many(Mp, dP)
    # right-hand side of the perturbed value system: the revenue each cell gains from substitution
    E = np.zeros(G)
    for b in range(n):
        E[b // S] += LV[b] + KV[b] + TV[b]
    for c in range(G):
        E[c] = (E[c] + deficit[c] * M) / (1.0 - tfin[c])
    avg = np.zeros((G, S, m))  # sum_o' pi_{c,o',s} dlog p_{o',s}
    for c in range(G):
        for s in range(S):
            for o in range(G):
                w = pi[c, o, s]
                if w != 0.0:
                    for i in range(m):
                        avg[c, s, i] += w * dP[o * S + s, i]
    rhs = np.zeros((n, m))
    for a in range(n):
        o_a = a // S
        s_a = a % S
        zrow = 0.0
        for b in range(n):
            zrow += Z[a, b]
        for i in range(m):
            acc = zrow * dP[a, i]
            for o in range(G):
                if Qa[a, o] != 0.0:
                    acc -= Qa[a, o] * dP[o * S + s_a, i]
            rhs[a, i] = one * acc
        for c in range(G):
            sales = E[c] * beta[c, s_a] * pi[c, o_a, s_a] / (1.0 + final_tariff[c, o_a, s_a])
            if sales != 0.0:
                for i in range(m):
                    rhs[a, i] += one * sales * (dP[a, i] - avg[c, s_a, i])
    # I - A_tot, dead cells decoupled, the anchor in the last live cell's row
    # households' spending of b's income on a, sum_c fd_{c,a} h_cb, is the rank-2 form of _add_final_demand
    Mv = np.zeros((n, n))
    u = np.zeros(n)
    for c in range(G):
        dc = deficit[c] / (1.0 - tfin[c])
        a = 0
        for o in range(G):
            for s in range(S):
                u[a] += dc * fd[c, o, s]
                a += 1
    last = -1
    for b in range(n):
        if R[b] > 0.0:
            last = b
            cb = b // S
            nub = (LV[b] + KV[b]) / R[b]
            own = (nub + TV[b] / R[b]) / (1.0 - tfin[cb])
            a = 0
            for o in range(G):
                for s in range(S):
                    Mv[a, b] -= nub * u[a] + fd[cb, o, s] * own + Z[a, b] / R[b]
                    a += 1
    for a in range(n):
        Mv[a, a] += 1.0
        if R[a] <= 0.0:
            for k in range(n):
                Mv[a, k] = 0.0
                Mv[k, a] = 0.0
            Mv[a, a] = 1.0
            for i in range(m):
                rhs[a, i] = 0.0
    if last >= 0:
        for k in range(n):
            Mv[last, k] = (LV[k] + KV[k]) / R[k] if R[k] > 0.0 else 0.0
        for i in range(m):
            rhs[last, i] = 0.0
        _dense_solve_many(Mv, rhs)
    for a in range(n):
        for i in range(m):
            cell_dp[a, i] = dP[a, i]
    for r in range(m):
        for i in range(m):
            J[r, i] = 0.0
    for c in range(G):
        li = 0.0
        ki = 0.0
        for s in range(S):
            li += LV[c * S + s]
            ki += KV[c * S + s]
        for s in range(S):
            a = c * S + s
            if R[a] > 0.0:
                for i in range(m):
                    if li > 0.0:
                        J[c, i] += LV[a] / R[a] * rhs[a, i] / li
                    if ki > 0.0:
                        J[G + c, i] += KV[a] / R[a] * rhs[a, i] / ki
        J[c, c] -= 1.0
        J[G + c, G + c] -= 1.0
        if capital[c] <= 0.0 or ki <= 0.0:
            for i in range(m):
                J[G + c, i] = 0.0
                J[i, G + c] = 0.0
            J[G + c, G + c] = -1.0


@register_jitable
def clear_period(country, sector, z, a, nu0, make, phi_robot, phi_make, weight,
                 indptr, supplier, link_weight, reference_cost, firm_groups, group_ptr, group_alpha,
                 wage, rental, capital, tech, deficit, labour_force, tariff, final_tariff, tcost, taste, beta, exo,
                 sigma, kappa, eta_robot, eta_make,
                 mode, anchor, wage_step, tol, max_iter, max_wage_iter, parallel,
                 logp, X, share, nu, theta, pi, log_pindex, fd, tfin, tint, labour_frac, jacobian, info):
    """One period's market clearing (module docstring). With ``parallel`` the passes over the firms run in
    parallel blocks (:data:`PARALLEL_FIRMS`), with Jacobi price sweeps instead of Gauss-Seidel ones.
    ``jacobian`` (2G x 2G) receives the factor loop's
    last Broyden matrix. ``wage_step`` scales the diagonal step taken if an update is singular. ``tariff``
    applies to firms' intermediate purchases (the links' wedges), ``final_tariff`` to households' final
    purchases (Armington shares, price index, final coefficients). Updates ``wage`` and ``rental`` (sticky and flexible modes),
    ``logp``, ``X``, ``share``, ``nu``, ``theta``, ``pi``, ``log_pindex``, ``fd``, ``tfin``, ``tint`` and
    ``labour_frac`` in place and writes ``info``."""
    F = country.shape[0]
    G = wage.shape[0]
    S = tariff.shape[2]
    nnz = supplier.shape[0]
    b = np.empty(F)
    bet = np.empty(F)
    q = np.zeros(F)  # p^(1-sigma), kept only where a CES group reads it (needs_q), always consistent with logp
    other_logp = np.empty(F)  # the parallel price sweeps' second buffers
    other_q = np.zeros(F)
    logrel = np.empty(nnz)
    inv = np.empty(nnz)
    t_indptr = np.empty(F + 1, dtype=np.int64)
    t_buyer = np.empty(nnz, dtype=np.int32)  # seller-major copies in 32 bits: half the memory traffic
    t_cell = np.empty(nnz, dtype=np.int32)
    t_pos = np.empty(nnz, dtype=np.int32)
    t_coef = np.empty(nnz)
    emp = np.empty(G)
    capd = np.empty(G)
    Fx = np.zeros(2 * G)  # the factor markets' log excess demands
    Fx_prev = np.zeros(2 * G)
    dx = np.zeros(2 * G)
    step_x = np.zeros(2 * G)
    J = np.zeros((2 * G, 2 * G))
    Jw = np.zeros((2 * G, 2 * G))
    acc_x = np.zeros(2 * G)  # the last accepted point of the factor loop, its step and the step's fraction
    full_dx = np.zeros(2 * G)
    lam = 1.0
    n_back = 0
    res_acc = np.inf
    fallback = False
    rechecked = False
    cR = np.empty(G * S)
    cLV = np.empty(G * S)
    cKV = np.empty(G * S)
    cTV = np.empty(G * S)
    cZ = np.empty((G * S, G * S))
    cQa = np.empty((G * S, G))
    active = np.zeros(G, dtype=np.bool_)
    floor = wage.copy()  # sticky wages never fall below their level at the start of the period
    if parallel:
        _link_terms(country, sector, indptr, supplier, reference_cost, tariff, tcost, logrel, inv)
    else:
        _link_terms_serial(country, sector, indptr, supplier, reference_cost, tariff, tcost, logrel, inv)
    if parallel:
        _transpose(country, sector, indptr, supplier, S, t_indptr, t_buyer, t_cell, t_pos, TRANSPOSE_BLOCKS)
    else:
        _transpose_serial(country, sector, indptr, supplier, S, t_indptr, t_buyer, t_cell, t_pos, 1)
    cell_ptr, cell_firms, block_cells = _cell_blocks(country, sector, G, S, t_indptr, BLOCKS)
    lu = np.empty((G * S, G * S))  # LU factors of the value system's cell-level matrix, kept while they serve
    piv = np.empty(G * S, dtype=np.int32)
    lu_state = np.zeros(1, dtype=np.int64)
    if parallel:
        links = _price_links(firm_groups, group_ptr, group_alpha, supplier, link_weight, logrel, sigma)
        _init_q(links[10], 1.0 - sigma, logp, q)
    else:
        links = _price_links_serial(firm_groups, group_ptr, group_alpha, supplier, link_weight, logrel, sigma)
        _init_q_serial(links[10], 1.0 - sigma, logp, q)
    p_it_total = 0
    v_it_total = 0
    w_it = 0
    p_res = 0.0
    v_res = 0.0
    w_res = 0.0
    # inner fixed points are solved tighter when a wage loop runs, so it sees no noise, but only as tight
    # as the factor markets' residual calls for (inexact Newton: FORCING of it), down to 1e-3 tol at the end
    final_inner = max(tol * 1e-3, 1e-15) if mode != WAGES_FIXED else tol
    factor_tol = max(tol * 0.1, 1e-14)
    inner = final_inner if mode == WAGES_FIXED else max(final_inner, 1e-3)
    # b_f is linear in the factor prices of f's country, b_f = b0_f + nu_f ((1 - k_f) log w_c + k_f log r_c)
    # (the cost shares of the task model), so the technology is evaluated once, at w = r = 1
    ones = np.ones(G)
    b0 = np.empty(F)
    if parallel:
        _own_terms(country, sector, z, a, nu0, make, phi_robot, phi_make, ones, ones, tech, kappa, eta_robot, eta_make,
                   firm_groups, group_alpha, b0, bet, nu, labour_frac)
    else:
        _own_terms_serial(country, sector, z, a, nu0, make, phi_robot, phi_make, ones, ones, tech, kappa, eta_robot,
                          eta_make, firm_groups, group_alpha, b0, bet, nu, labour_frac)
    log_weight, log_wedge, log_taste = _demand_logs(weight, final_tariff, tcost, taste)
    tint_fixed = np.empty(F)
    if parallel:
        _fixed_link_shares(firm_groups, group_ptr, group_alpha, link_weight, sigma, bet, inv, t_pos, share, t_coef,
                           tint_fixed)
    else:
        _fixed_link_shares_serial(firm_groups, group_ptr, group_alpha, link_weight, sigma, bet, inv, t_pos, share,
                                  t_coef, tint_fixed)
    log_wage = np.empty(G)
    log_rental = np.empty(G)
    x_solved = np.zeros(2 * G)  # the factor prices at which logp and X were last solved
    cell_dp = np.zeros((G * S, 2 * G))
    step_dx = np.zeros(2 * G)
    predict = False
    while True:
        for c in range(G):
            log_wage[c] = np.log(wage[c])
            log_rental[c] = np.log(rental[c])
        if predict:  # start the price sweeps at the first-order response to the factor-price step
            moved = False
            for c in range(G):
                step_dx[c] = log_wage[c] - x_solved[c]
                step_dx[G + c] = log_rental[c] - x_solved[G + c]
                moved = moved or step_dx[c] != 0.0 or step_dx[G + c] != 0.0
            if moved:
                if parallel:
                    _predict_prices(country, sector, nu, labour_frac, cR, cLV, cKV, cell_dp, step_dx, links[10],
                                    1.0 - sigma, logp, q)
                else:
                    _predict_prices_serial(country, sector, nu, labour_frac, cR, cLV, cKV, cell_dp, step_dx,
                                           links[10], 1.0 - sigma, logp, q)
        for c in range(G):
            x_solved[c] = log_wage[c]
            x_solved[G + c] = log_rental[c]
        for f in range(F):
            c = country[f]
            b[f] = b0[f] + nu[f] * (labour_frac[f] * log_wage[c] + (1.0 - labour_frac[f]) * log_rental[c])
        p_it, p_res = _solve_prices(links, sigma, b, bet, logp, q, other_logp, other_q, inner, max_iter, parallel)
        p_it_total += p_it
        if parallel:
            _ces_link_shares(links, q, bet, inv, t_pos, tint_fixed, share, t_coef, tint)
            _demand_shares(country, sector, weight, log_weight, logp, log_wedge, taste, log_taste, sigma, cell_ptr,
                           cell_firms, theta, pi, log_pindex)
        else:
            _ces_link_shares_serial(links, q, bet, inv, t_pos, tint_fixed, share, t_coef, tint)
            _demand_shares_serial(country, sector, weight, log_weight, logp, log_wedge, taste, log_taste, sigma,
                                  cell_ptr, cell_firms, theta, pi, log_pindex)
        _final_coefficients(final_tariff, beta, pi, exo, fd, tfin)
        if parallel:
            v_it, v_res = _solve_values(country, sector, nu, tint, t_indptr, t_buyer, t_cell, t_coef, theta, fd, tfin,
                                        deficit, anchor, X, cell_ptr, cell_firms, block_cells, lu, piv, lu_state, inner,
                                        max_iter)
        else:
            v_it, v_res = _solve_values_serial(country, sector, nu, tint, t_indptr, t_buyer, t_cell, t_coef, theta, fd,
                                               tfin, deficit, anchor, X, cell_ptr, cell_firms, block_cells, lu, piv,
                                               lu_state, inner, max_iter)
        v_it_total += v_it
        if mode == WAGES_FIXED:
            break
        _employment(country, nu, labour_frac, X, wage, emp)
        _capital_demand(country, nu, labour_frac, X, rental, capd)
        # the factor-market residuals F (log excess demands) of the markets that move; a sticky labour
        # market at its floor with excess supply is settled (unemployment)
        for c in range(G):
            gl = np.log(emp[c] / labour_force[c]) if emp[c] > 0.0 else -50.0
            act = mode == WAGES_FLEXIBLE or gl > 0.0 or wage[c] > floor[c]
            Fx[c] = gl if act else 0.0
            active[c] = act
            if capital[c] > 0.0:
                Fx[G + c] = np.log(capd[c] / capital[c]) if capd[c] > 0.0 else -50.0
            else:
                Fx[G + c] = 0.0
        w_res = 0.0
        for i in range(2 * G):
            if not abs(Fx[i]) <= w_res:
                w_res = abs(Fx[i])
        # the factor markets are solved to a tenth of the tolerance (one more superlinear step, cheap), so that
        # engines whose roundings differ end at the same point far within the tolerance
        if (w_res <= factor_tol and inner <= final_inner) or w_it >= max_wage_iter:
            break
        used = inner
        inner = max(final_inner, min(inner, FORCING * w_res))
        if w_res <= factor_tol:  # converged on loose inner solves: tighten them and look again, without a step
            inner = final_inner
            continue
        if w_it == 0 and inner < 0.1 * used and not rechecked:
            rechecked = True  # the period's first residual is small against its loose inner solves: look again
            continue
        # a step that did not lower the largest residual is halved back toward the last accepted point
        # (a backtracking line search on max |F|; Dennis & Schnabel 1996, section 6.3), at most 4 times
        if w_it > 0 and w_res > res_acc and n_back < 4 and not fallback:
            n_back += 1
            w_it += 1
            lam *= 0.5
            for c in range(G):
                if full_dx[c] != 0.0:
                    lw = acc_x[c] + lam * full_dx[c]
                    wage[c] = floor[c] if mode == WAGES_STICKY and lw <= np.log(floor[c]) else np.exp(lw)
                if full_dx[G + c] != 0.0:
                    rental[c] = np.exp(acc_x[G + c] + lam * full_dx[G + c])
            continue
        # Broyden's method (Broyden 1965, "good" update) on x = (log w, log r) between accepted points:
        # J approximates dF/dx, started at the Jacobian of the economy aggregated to country x sector cells
        # at the current point (_factor_jacobian). Where a line search fails (F is then far from its
        # linearization: strongly non-linear, or kinked by inexact inner solves), the loop falls back for the
        # rest of the period to cautious steps: J restarted at the diagonal of own elasticities (-1/step for
        # labour, -1 for capital at given value added) whenever the residual more than doubles.
        if w_it > 0 and w_res > res_acc and not fallback:
            fallback = True
        if w_it == 0 and not fallback:
            if parallel:
                _cell_aggregates(country, sector, firm_groups, group_ptr, supplier, share, inv, bet, nu, labour_frac,
                                 tint, X, S, cell_ptr, cell_firms, block_cells, cR, cLV, cKV, cTV, cZ, cQa)
            else:
                _cell_aggregates_serial(country, sector, firm_groups, group_ptr, supplier, share, inv, bet, nu,
                                        labour_frac, tint, X, S, cell_ptr, cell_firms, block_cells, cR, cLV, cKV, cTV,
                                        cZ, cQa)
            _factor_jacobian(cR, cLV, cKV, cTV, cZ, cQa, tariff, final_tariff, beta, pi, fd, tfin, deficit, capital, sigma,
                             J, cell_dp)
            predict = True
        elif fallback and (n_back > 0 or w_res > 2.0 * res_acc):
            J[:, :] = 0.0
            for c in range(G):
                J[c, c] = -1.0 / wage_step
                J[G + c, G + c] = -1.0
            n_back = 0
        else:
            den = 0.0
            for i in range(2 * G):
                dx[i] = lam * full_dx[i]
                den += dx[i] * dx[i]
            if den > 0.0:
                for i in range(2 * G):
                    jd = 0.0
                    for k in range(2 * G):
                        jd += J[i, k] * dx[k]
                    u = (Fx[i] - Fx_prev[i] - jd) / den
                    for k in range(2 * G):
                        J[i, k] += u * dx[k]
        w_it += 1
        n_back = 0
        lam = 1.0
        res_acc = w_res
        for c in range(G):
            acc_x[c] = np.log(wage[c])
            acc_x[G + c] = np.log(rental[c])
        for i in range(2 * G):
            Fx_prev[i] = Fx[i]
            for k in range(2 * G):
                Jw[i, k] = J[i, k]
            step_x[i] = -Fx[i]
        for c in range(G):  # markets that do not move: their rows and columns decouple
            if not active[c]:
                for k in range(2 * G):
                    Jw[c, k] = 0.0
                    Jw[k, c] = 0.0
                Jw[c, c] = -1.0
            if capital[c] <= 0.0:
                for k in range(2 * G):
                    Jw[G + c, k] = 0.0
                    Jw[k, G + c] = 0.0
                Jw[G + c, G + c] = -1.0
        _dense_solve(Jw, step_x)
        big = 0.0
        for i in range(2 * G):
            if not abs(step_x[i]) <= big:
                big = abs(step_x[i])
        scale = 1.0 if big <= 0.5 else 0.5 / big  # at most 0.5 log points a step
        if not big < np.inf:  # a singular update: fall back to the diagonal step
            for c in range(G):
                step_x[c] = Fx[c] * wage_step
                step_x[G + c] = Fx[G + c]
            scale = 1.0
        for c in range(G):
            lw = acc_x[c]
            new_lw = lw + scale * step_x[c] if active[c] else lw
            if mode == WAGES_STICKY and new_lw <= np.log(floor[c]):
                new_lw = np.log(floor[c])  # sticky wages never fall below their level at the start of the period
            full_dx[c] = new_lw - lw
            if full_dx[c] != 0.0:
                wage[c] = floor[c] if mode == WAGES_STICKY and new_lw <= np.log(floor[c]) else np.exp(new_lw)
            full_dx[G + c] = scale * step_x[G + c] if capital[c] > 0.0 else 0.0
            if full_dx[G + c] != 0.0:
                rental[c] = np.exp(acc_x[G + c] + full_dx[G + c])
    if mode != WAGES_FIXED and w_it > 0:
        for i in range(2 * G):
            for k in range(2 * G):
                jacobian[i, k] = J[i, k]
    converged = p_res <= tol and v_res <= tol and (mode == WAGES_FIXED or w_res <= tol)  # NaN is not converged
    info[INFO_CONVERGED] = 1.0 if converged else 0.0
    info[INFO_PRICE_IT] = p_it_total
    info[INFO_VALUE_IT] = v_it_total
    info[INFO_WAGE_IT] = w_it
    info[INFO_PRICE_RES] = p_res
    info[INFO_VALUE_RES] = v_res
    info[INFO_WAGE_RES] = w_res
    res = max(p_res, max(v_res, w_res))
    if p_res != p_res or v_res != v_res or w_res != w_res:  # NaN
        res = np.inf
    info[INFO_RESIDUAL] = res


@register_jitable
def _cell_flows(country, sector, nu, indptr, supplier, share, tariff, X, S, Z, tpaid):
    """The firms' intermediate purchases summed to country x sector cells, link by link in link order:
    ``Z[a, b]``, the basic-price value ``(1 - nu_f) share_j X_f / (1 + tau)`` of the links from sellers in
    cell a to buyers f in cell b, and ``tpaid[b]``, the tariffs ``(1 - nu_f) share_j X_f tau / (1 + tau)``
    that b's firms pay. One pass, no per-link arrays."""
    Z[:, :] = 0.0
    tpaid[:] = 0.0
    for f in range(country.shape[0]):
        c = country[f]
        bc = c * S + sector[f]
        m = (1.0 - nu[f]) * X[f]
        for j in range(indptr[f], indptr[f + 1]):
            g = supplier[j]
            o = country[g]
            s = sector[g]
            tau = tariff[c, o, s]
            spend = m * share[j]
            Z[o * S + s, bc] += spend / (1.0 + tau)
            tpaid[bc] += spend * tau / (1.0 + tau)


@register_jitable
def _csr_matvec(indptr, indices, data, x, out):
    """out = M x for a CSR matrix (the memory-bound floor the benchmark compares against)."""
    for i in range(indptr.shape[0] - 1):
        acc = 0.0
        for j in range(indptr[i], indptr[i + 1]):
            acc += data[j] * x[indices[j]]
        out[i] = acc


def _landed_costs(country, sector, indptr, supplier, price, tariff, tcost, out):
    """Per link j of buyer f and seller g, the landed cost ``p_g (1 + tau_{c(f),c(g),s(g)}) t_{c(f),c(g),s(g)}``
    (the benchmark's reference costs, :func:`~gvc_abm.environment.builders.set_benchmark`)."""
    for f in prange(country.shape[0]):
        c = country[f]
        for j in range(indptr[f], indptr[f + 1]):
            g = supplier[j]
            o = country[g]
            s = sector[g]
            out[j] = price[g] * (1.0 + tariff[c, o, s]) * tcost[c, o, s]


def _base_input_index(firm_groups, group_alpha, out):
    """Every firm's :func:`_firm_base_input_index`."""
    for f in prange(firm_groups.shape[0] - 1):
        out[f] = _firm_base_input_index(f, firm_groups, group_alpha)


def _benchmark_link_shares(group_ptr, group_alpha, weight, out):
    """Per link j of sector group k, the benchmark spending share ``weight_j alpha_k``."""
    for k in prange(group_ptr.shape[0] - 1):
        a = group_alpha[k]
        for j in range(group_ptr[k], group_ptr[k + 1]):
            out[j] = weight[j] * a


def _benchmark_spending_shares(indptr, supplier, country, sector, slot_weight, wedge_weight, alpha, out):
    """The default world's benchmark spending share of each link j of buyer f and seller g,
    ``alpha_{s(g),s(f)} / sum_{s in S_f} alpha_{s,s(f)} x wl_j / sum_{k in f, s(k) = s(g)} wl_k`` with
    ``wl_j = lambda_g wedge_weight[c(f), c(g), s(g)]`` (``t^(1 - sigma)``) and S_f the sectors f buys from:
    the input-output share of the seller's sector, renormalized over the sectors bought, split within the
    sector by the links' weights. Sums run in link order, sectors in ascending order."""
    S = alpha.shape[0]
    for f in prange(indptr.shape[0] - 1):
        cf = country[f]
        sf = sector[f]
        gs = np.zeros(S)
        for j in range(indptr[f], indptr[f + 1]):
            g = supplier[j]
            wl = slot_weight[g] * wedge_weight[cf, country[g], sector[g]]
            out[j] = wl
            gs[sector[g]] += wl
        bought = 0.0
        for s in range(S):
            if gs[s] > 0.0:
                bought += alpha[s, sf]
        for j in range(indptr[f], indptr[f + 1]):
            sg = sector[supplier[j]]
            out[j] = alpha[sg, sf] / bought * out[j] / gs[sg]


def _uniform_members(cell, start, counts, u, out):
    """A member drawn uniformly from each cell: ``out_i = start_c + min(floor(u_i n_c), n_c - 1)`` for cell c = cell_i
    with n_c members numbered from start_c."""
    for i in prange(u.shape[0]):
        c = cell[i]
        n = counts[c]
        out[i] = start[c] + min(np.int64(u[i] * n), n - 1)


def _draws_below(cdf, row, col, u, out):
    """Inverse-CDF draws: ``out_i = min(#{o : cdf[row_i, o, col_i] < u_i}, n - 1)`` for a cumulative
    distribution over the n entries of ``cdf``'s middle axis."""
    n = cdf.shape[1]
    for i in prange(u.shape[0]):
        r = row[i]
        c = col[i]
        below = 0
        for o in range(n):
            if cdf[r, o, c] < u[i]:
                below += 1
        out[i] = min(below, n - 1)


def _sector_groups(indptr, supplier, share, seller_sector):
    """A CSR network's links sorted within each row by (seller sector, seller), stably (:func:`_row_order`), and
    grouped by seller sector: returns (supplier, share, weight, group_ptr, firm_groups, group_alpha) with
    ``group_alpha_k`` the sum of group k's shares (in link order) and ``weight_j = share_j / alpha_k``
    (:meth:`~gvc_abm.environment.state.SupplierNetwork.from_shares`)."""
    F = indptr.shape[0] - 1
    nnz = supplier.shape[0]
    sec = np.empty(nnz, dtype=np.int64)
    for j in prange(nnz):
        sec[j] = seller_sector[supplier[j]]
    order = np.empty(nnz, dtype=np.int64)
    _row_order(indptr, sec, supplier, order)
    n_groups = np.zeros(F + 1, dtype=np.int64)
    for f in prange(F):
        n = 0
        for j in range(indptr[f], indptr[f + 1]):
            if j == indptr[f] or sec[order[j]] != sec[order[j - 1]]:
                n += 1
        n_groups[f + 1] = n
    for f in range(F):
        n_groups[f + 1] += n_groups[f]
    firm_groups = n_groups
    n_all = firm_groups[F]
    out_supplier = np.empty(nnz, dtype=np.int64)
    out_share = np.empty(nnz)
    weight = np.empty(nnz)
    group_ptr = np.empty(n_all + 1, dtype=np.int64)
    group_ptr[n_all] = nnz
    alpha = np.zeros(n_all)
    for f in prange(F):
        k = firm_groups[f] - 1
        for j in range(indptr[f], indptr[f + 1]):
            i = order[j]
            if j == indptr[f] or sec[i] != sec[order[j - 1]]:
                k += 1
                group_ptr[k] = j
            out_supplier[j] = supplier[i]
            out_share[j] = share[i]
            alpha[k] += share[i]
        for k in range(firm_groups[f], firm_groups[f + 1]):
            end = group_ptr[k + 1] if k + 1 < firm_groups[f + 1] else indptr[f + 1]  # the next row's start: not ours
            for j in range(group_ptr[k], end):
                weight[j] = out_share[j] / alpha[k]
    return out_supplier, out_share, weight, group_ptr, firm_groups, alpha


@register_jitable(parallel=True)
def _row_order(indptr, key1, key2, order):
    """The permutation that sorts each CSR row's entries by (key1, key2), stably (insertion sort: rows are
    a few links long); rows stay in place, so it equals a stable sort of the (row, key1, key2) keys."""
    for f in prange(indptr.shape[0] - 1):
        lo = indptr[f]
        hi = indptr[f + 1]
        for j in range(lo, hi):
            order[j] = j
        for j in range(lo + 1, hi):
            cur = order[j]
            a = key1[cur]
            b = key2[cur]
            i = j - 1
            while i >= lo and (key1[order[i]] > a or (key1[order[i]] == a and key2[order[i]] > b)):
                order[i + 1] = order[i]
                i -= 1
            order[i + 1] = cur


# Compiled entry points (the numba engine); the reference engine calls the functions above directly.
_clear = njit(cache=True)(clear_period)
own_terms = njit(cache=True)(_own_terms)
cell_flows = njit(cache=True)(_cell_flows)
csr_matvec = njit(cache=True)(_csr_matvec)
# the world builder's per-link passes (each link written by its own row: the same result on any thread count)
landed_costs = njit(cache=True, parallel=True)(_landed_costs)
base_input_index = njit(cache=True, parallel=True)(_base_input_index)
benchmark_link_shares = njit(cache=True, parallel=True)(_benchmark_link_shares)
draws_below = njit(cache=True, parallel=True)(_draws_below)
uniform_members = njit(cache=True, parallel=True)(_uniform_members)
benchmark_spending_shares = njit(cache=True, parallel=True, error_model="numpy")(_benchmark_spending_shares)
sector_groups = njit(cache=True, parallel=True, error_model="numpy")(_sector_groups)  # 0 / 0 is NaN, as in numpy
