"""All numba kernels of the market clearing, in one module (STYLE.md section 3).

Every kernel is ``@njit(cache=True)``, private (``_name``), takes plain arrays and writes its
results into ``out`` arrays it is given; scalars it returns are iteration counts and residuals.
Randomness never enters here. The public wrapper is :func:`gvc_abm.environment.clearing.clear`.
The same equations, as plain Python loops, are in :mod:`gvc_abm.environment.reference`.

The economy (DESIGN.md, "The economy, one period"; Qu & Yang 2023 eq. 1 at the firm level):

Prices (log-linear dual of Cobb-Douglas unit cost). With value-added share nu_f, automation
share k_f = kappa_s a_f of value added, supplier spending shares share_fg (sum 1)::

    log p_f = -log(A_c z_f) + nu_f (log cVA_f - log nu_f)
              + (1 - nu_f) sum_g share_fg (log p_g + log wedge_fg - log((1 - nu_f) share_fg))
    cVA_f   = (w_c / (1 - k_f))^(1 - k_f) (r_c / k_f)^k_f,    wedge_fg = (1 + tau_{c,o,s}) t_{c,o,s}

with c = c(f), o = c(g), s = s(g) and 0 log 0 = 0. It is a linear system in log p with
spectral radius <= max(1 - nu_f) < 1, solved by Gauss-Seidel sweeps over the CSR rows.

Final demand (Armington CES over origins with preference weights b_{c,o,s}, and across the
firms of an origin by price, one elasticity sigma)::

    theta_g   = lambda_g p_g^(1-sigma) / S_os,          S_os = sum_{g in (o,s)} lambda_g p_g^(1-sigma)
    pi_{c,o,s} = b_{c,o,s} wedge_{c,o,s}^(1-sigma) S_os / sum_o' b_{c,o',s} wedge_{c,o',s}^(1-sigma) S_o's
    P_{c,s}   = (sum_o b_{c,o,s} wedge^(1-sigma) S_os / sum_o b_{c,o,s} Lambda_os)^(1/(1-sigma))

(Lambda_os = sum_g lambda_g; for sigma = 1 the Cobb-Douglas limits: pi = b Lambda / sum b Lambda,
log P = sum of normalized weights times log landed price). P_{c,s} is the exact CES price index.

Values (the nominal system, linear within a period). Seller g receives, per unit of buyer
output, ``(1 - nu_f) share_fg / (1 + tau)``; the rest of the tariff-inclusive spending is
tariff revenue of the buyer's country::

    X_g = sum_f (1 - nu_f) share_fg X_f / (1 + tau_fg) + theta_g sum_c E_c (beta_cs pi_cos + e_cos) / (1 + tau_cos)
    E_c = (GDP_c + T^int_c + d_c GDP_world) / (1 - tf_c),   GDP_c = sum_{f in c} nu_f X_f

where tf_c = sum_{o,s} (beta pi + e) tau / (1 + tau) is the tariff share of c's final spending
(so E_c = GDP_c + tariff revenue_c + D_c). The system is homogeneous of degree one in X
(all income is spent), so its level is fixed by the anchor ``sum_c labour income_c =
sum_c w_c L_c``: the world as a whole is at full employment and unemployment is a matter of
relative wages. Scaling every wage and rental scales every price and value and leaves real
quantities unchanged (homogeneity). Each iteration is one power step, a gather over the
seller-major copy of the network rescaled to the anchor, whose flows also give the system
aggregated to country-sector cells; that small system is solved exactly to correct the cell
totals (aggregation-disaggregation), which removes the slow between-country modes of
home-biased economies. The residual is the power step's ``|X_new - X|_1 / |X_new|_1``.

Wages. Employment ``N_c = sum_{f in c} nu_f (1 - k_f) X_f / w_c``. In the flexible mode
the clearing iterates ``w_c <- w_c (N_c / L_c)^step`` (tatonnement), rescaled so that
``sum_c w_c L_c`` equals the numeraire, until ``max_c |log(N_c / L_c)| <= tol``; the step is
halved whenever the largest excess demand for labour does not fall (damped tatonnement).
"""

from __future__ import annotations

import numpy as np
from numba import njit

# Result slots of _clear's ``info`` array.
INFO_CONVERGED, INFO_PRICE_IT, INFO_VALUE_IT, INFO_WAGE_IT, INFO_RESIDUAL, INFO_PRICE_RES, INFO_VALUE_RES, INFO_WAGE_RES = range(8)
INFO_SIZE = 8


@njit(cache=True)
def _xlogx(x):
    if x <= 0.0:
        return 0.0
    return x * np.log(x)


@njit(cache=True)
def _log_wedge_table(tariff, tcost):
    """log((1 + tau_{c,o,s}) t_{c,o,s}) as a (G, G*S) table indexed by [buyer country, seller cell]."""
    G = tariff.shape[0]
    S = tariff.shape[2]
    out = np.empty((G, G * S))
    for c in range(G):
        for o in range(G):
            for s in range(S):
                out[c, o * S + s] = np.log((1.0 + tariff[c, o, s]) * tcost[c, o, s])
    return out


@njit(cache=True)
def _price_link_terms(country, sector, nu, indptr, supplier, share, tariff, tcost, out):
    """The wage-independent link part of b_f: (1-nu_f) sum_g share_fg log wedge_fg - sum_g gamma log gamma,
    gamma = (1-nu_f) share_fg (the Cobb-Douglas constant of the intermediate inputs)."""
    F = country.shape[0]
    S = tariff.shape[2]
    lw = _log_wedge_table(tariff, tcost)
    cell = np.empty(F, dtype=np.uint32)
    for f in range(F):
        cell[f] = country[f] * S + sector[f]
    for f in range(F):
        c = country[f]
        m = 1.0 - nu[f]
        acc = 0.0
        for j in range(indptr[f], indptr[f + 1]):
            w = share[j]
            acc += m * w * lw[c, cell[supplier[j]]] - _xlogx(m * w)
        out[f] = acc


@njit(cache=True)
def _price_firm_terms(country, sector, z, a, nu, wage, rental, tech, kappa, link_terms, out_b):
    """b_f = -log(A_c z_f) + nu_f (log cVA_f - log nu_f) + link_terms_f, with
    log cVA_f = (1-k)(log w - log(1-k)) + k (log r - log k), k = kappa_s a_f."""
    for f in range(country.shape[0]):
        c = country[f]
        k = kappa[sector[f]] * a[f]
        lva = (1.0 - k) * np.log(wage[c]) - _xlogx(1.0 - k)
        if k > 0.0:
            lva += k * np.log(rental[c]) - _xlogx(k)
        v = nu[f]
        out_b[f] = -np.log(tech[c] * z[f]) + v * lva - _xlogx(v) + link_terms[f]


@njit(cache=True)
def _price_rhs(country, sector, z, a, nu, indptr, supplier, share, wage, rental, tech, tariff, tcost, kappa, out_b):
    """b_f: every term of log p_f except the (1-nu_f) sum share log p_g part (module docstring)."""
    links = np.empty(country.shape[0])
    _price_link_terms(country, sector, nu, indptr, supplier, share, tariff, tcost, links)
    _price_firm_terms(country, sector, z, a, nu, wage, rental, tech, kappa, links, out_b)


@njit(cache=True)
def _solve_prices(indptr, supplier, share, nu, b, logp, tol, max_iter):
    """Gauss-Seidel iteration of log p = b + M log p, M_fg = (1 - nu_f) share_fg, in firm order;
    logp is updated in place. Returns (iterations, residual), residual = max_f |change of log p_f|
    in the last sweep (a relative price change). Converges since M >= 0 has row sums <= max(1 - nu) < 1.
    """
    F = b.shape[0]
    resid = np.inf
    it = 0
    while it < max_iter:
        it += 1
        resid = 0.0
        for f in range(F):
            acc = 0.0
            for j in range(indptr[f], indptr[f + 1]):
                acc += share[j] * logp[supplier[j]]
            val = b[f] + (1.0 - nu[f]) * acc
            d = abs(val - logp[f])
            if d > resid:
                resid = d
            logp[f] = val
        if resid <= tol:
            break
    return it, resid


@njit(cache=True)
def _demand_shares(country, sector, weight, logp, tariff, tcost, taste, sigma, theta, pi, log_pindex):
    """theta_g, pi_{c,o,s} and log P_{c,s} (module docstring, final demand)."""
    F = country.shape[0]
    G = pi.shape[0]
    S = pi.shape[2]
    one = 1.0 - sigma
    cd = abs(one) < 1e-12
    # log S_os with a max shift, and Lambda_os
    shift = np.full((G, S), -np.inf)
    lam = np.zeros((G, S))
    for g in range(F):
        o = country[g]
        s = sector[g]
        lam[o, s] += weight[g]
        if weight[g] > 0.0:
            e = np.log(weight[g]) + one * logp[g]
            if e > shift[o, s]:
                shift[o, s] = e
    ssum = np.zeros((G, S))
    mean_logp = np.zeros((G, S))  # sum_g lambda_g log p_g / Lambda_os (sigma = 1)
    for g in range(F):
        o = country[g]
        s = sector[g]
        if weight[g] > 0.0:
            if cd:
                ssum[o, s] += weight[g]
            else:
                ssum[o, s] += np.exp(np.log(weight[g]) + one * logp[g] - shift[o, s])
            mean_logp[o, s] += weight[g] * logp[g]
    for o in range(G):
        for s in range(S):
            if lam[o, s] > 0.0:
                mean_logp[o, s] /= lam[o, s]
    for g in range(F):
        o = country[g]
        s = sector[g]
        if ssum[o, s] > 0.0 and weight[g] > 0.0:
            if cd:
                theta[g] = weight[g] / ssum[o, s]
            else:
                theta[g] = np.exp(np.log(weight[g]) + one * logp[g] - shift[o, s]) / ssum[o, s]
        else:
            theta[g] = 0.0
    terms = np.empty(G)
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
                        lp += wgt / norm * (np.log((1.0 + tariff[c, o, s]) * tcost[c, o, s]) + mean_logp[o, s])
                log_pindex[c, s] = lp
            else:
                mx = -np.inf
                for o in range(G):
                    if taste[c, o, s] > 0.0 and ssum[o, s] > 0.0:
                        terms[o] = (
                            np.log(taste[c, o, s])
                            + one * np.log((1.0 + tariff[c, o, s]) * tcost[c, o, s])
                            + shift[o, s]
                            + np.log(ssum[o, s])
                        )
                        if terms[o] > mx:
                            mx = terms[o]
                    else:
                        terms[o] = -np.inf
                tot = 0.0
                for o in range(G):
                    if terms[o] > -np.inf:
                        tot += np.exp(terms[o] - mx)
                for o in range(G):
                    pi[c, o, s] = np.exp(terms[o] - mx) / tot if terms[o] > -np.inf else 0.0
                log_pindex[c, s] = (mx + np.log(tot) - np.log(norm)) / one


@njit(cache=True)
def _value_coefficients(country, sector, nu, indptr, supplier, share, tariff, t_indptr, t_buyer, t_cell, t_coef, tint):
    """Seller-major copy of the network: for seller g its buyers ``t_buyer``, their cells ``t_cell``
    and coefficients (1-nu_f) share_fg / (1+tau), the value g receives per unit of f's output; and
    tint_f = (1 - nu_f) sum_g share_fg tau/(1+tau), the tariff f pays per unit of its output."""
    F = country.shape[0]
    G = tariff.shape[0]
    S = tariff.shape[2]
    nnz = supplier.shape[0]
    cell = np.empty(F, dtype=np.int32)
    for f in range(F):
        cell[f] = country[f] * S + sector[f]
    inv = np.empty((G, G * S))
    frac = np.empty((G, G * S))
    for c in range(G):
        for o in range(G):
            for s in range(S):
                tau = tariff[c, o, s]
                inv[c, o * S + s] = 1.0 / (1.0 + tau)
                frac[c, o * S + s] = tau / (1.0 + tau)
    counts = np.zeros(F, dtype=np.uint64)
    one = np.uint64(1)
    for j in range(nnz):
        counts[supplier[j]] += one
    t_indptr[0] = 0
    for g in range(F):
        t_indptr[g + 1] = t_indptr[g] + counts[g]
    fill = t_indptr[:-1].copy()
    for f in range(F):
        c = country[f]
        m = 1.0 - nu[f]
        cf = cell[f]
        tsum = 0.0
        for j in range(indptr[f], indptr[f + 1]):
            g = supplier[j]
            cg = cell[g]
            pos = fill[g]
            t_buyer[pos] = f
            t_cell[pos] = cf
            t_coef[pos] = m * share[j] * inv[c, cg]
            fill[g] = pos + one
            tsum += share[j] * frac[c, cg]
        tint[f] = m * tsum


@njit(cache=True)
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


@njit(cache=True)
def _dense_solve(A, rhs):
    """Solve A x = rhs in place by Gaussian elimination with partial pivoting (small dense A)."""
    n = A.shape[0]
    for k in range(n):
        piv = k
        big = abs(A[k, k])
        for i in range(k + 1, n):
            if abs(A[i, k]) > big:
                big = abs(A[i, k])
                piv = i
        if piv != k:
            for j in range(n):
                tmp = A[k, j]
                A[k, j] = A[piv, j]
                A[piv, j] = tmp
            tmp = rhs[k]
            rhs[k] = rhs[piv]
            rhs[piv] = tmp
        d = A[k, k]
        for i in range(k + 1, n):
            fct = A[i, k] / d
            if fct != 0.0:
                for j in range(k, n):
                    A[i, j] -= fct * A[k, j]
                rhs[i] -= fct * rhs[k]
    for k in range(n - 1, -1, -1):
        acc = rhs[k]
        for j in range(k + 1, n):
            acc -= A[k, j] * rhs[j]
        rhs[k] = acc / A[k, k]


@njit(cache=True)
def _solve_values(country, sector, nu, labour_frac, tint, t_indptr, t_buyer, t_cell, t_coef, theta, fd, tfin, deficit,
                  anchor, X, tol, max_iter):
    """Solve X = K X (the value system, module docstring) under the anchor; X is updated in place.

    Each iteration is one pass over the seller-major network that computes the power step
    ``Y = K X`` (rescaled to the anchor) and, from the same flows, the cell-level matrix
    ``A_ab = sum_{g in a, f in b} K_gf X_f / S_b`` (cells b = country x sector, S_b = sum_{f in b} X_f;
    its columns sum to 1 because every unit of revenue is spent). If ``|Y - X|_1 / |Y|_1 <= tol``
    the iteration stops with X = Y. Otherwise the cell totals s solving ``s = A s`` under the anchor
    replace Y's (``X_f = Y_f s_b / sum_{g in b} Y_g``): an aggregation-disaggregation step
    (Koury, McAllister & Stewart 1984; Stewart 1994, ch. 6) that removes the slow between-country
    and between-sector modes of home-biased economies, with the in-cell weights of the power step.
    Returns (iterations, residual).
    """
    F = X.shape[0]
    G = fd.shape[0]
    S = fd.shape[2]
    n = G * S
    E = np.empty(G)
    gdp = np.empty(G)
    tic = np.empty(G)
    Yos = np.empty((G, S))
    Sb = np.empty(n)
    gdpb = np.empty(n)
    tib = np.empty(n)
    labb = np.empty(n)
    thsum = np.empty(n)
    Nb = np.empty(n)
    A = np.empty((n, n))
    rhs = np.empty(n)
    new = np.empty(F)
    resid = np.inf
    it = 0
    while it < max_iter:
        it += 1
        # cell and country sums of X
        gdp[:] = 0.0
        tic[:] = 0.0
        Sb[:] = 0.0
        gdpb[:] = 0.0
        tib[:] = 0.0
        labb[:] = 0.0
        thsum[:] = 0.0
        for f in range(F):
            b = country[f] * S + sector[f]
            x = X[f]
            va = nu[f] * x
            ti = tint[f] * x
            Sb[b] += x
            gdpb[b] += va
            tib[b] += ti
            labb[b] += labour_frac[f] * va
            thsum[b] += theta[f]
            gdp[country[f]] += va
            tic[country[f]] += ti
        world = 0.0
        for c in range(G):
            world += gdp[c]
        for c in range(G):
            E[c] = (gdp[c] + tic[c] + deficit[c] * world) / (1.0 - tfin[c])
        for o in range(G):
            for s in range(S):
                acc = 0.0
                for c in range(G):
                    acc += E[c] * fd[c, o, s]
                Yos[o, s] = acc
        # one pass: power step and the intermediate part of A
        A[:, :] = 0.0
        Nb[:] = 0.0
        lab = 0.0
        for g in range(F):
            a = country[g] * S + sector[g]
            acc = 0.0
            for j in range(t_indptr[g], t_indptr[g + 1]):
                v = t_coef[j] * X[t_buyer[j]]
                acc += v
                A[a, t_cell[j]] += v
            val = acc + theta[g] * Yos[country[g], sector[g]]
            new[g] = val
            Nb[a] += val
            lab += labour_frac[g] * nu[g] * val
        scale = anchor / lab if lab > 0.0 else 1.0
        num = 0.0
        den = 0.0
        for g in range(F):
            v = new[g] * scale
            new[g] = v
            num += abs(v - X[g])
            den += abs(v)
        resid = num / den if den > 0.0 else 0.0
        if resid <= tol or it >= max_iter:
            for g in range(F):
                X[g] = new[g]
            break
        # final-demand part of A, column scaling, and the cell-level solve
        last = -1
        for b in range(n):
            if Sb[b] > 0.0:
                last = b
                cb = b // S
                for c in range(G):
                    h = deficit[c] * gdpb[b]
                    if c == cb:
                        h += gdpb[b] + tib[b]
                    h /= 1.0 - tfin[c]
                    if h != 0.0:
                        for a in range(n):
                            if thsum[a] > 0.0:
                                A[a, b] += fd[c, a // S, a % S] * h
                inv = 1.0 / Sb[b]
                for a in range(n):
                    A[a, b] *= inv
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
                A[last, j] = labb[j] / Sb[j] if Sb[j] > 0.0 else 0.0
            rhs[last] = anchor
            _dense_solve(A, rhs)
            for b in range(n):
                if Sb[b] > 0.0 and not (rhs[b] > 0.0 and Nb[b] > 0.0):
                    ok = False  # not a usable aggregate (far from the fixed point): plain power step
        if ok:
            for g in range(F):
                b = country[g] * S + sector[g]
                X[g] = new[g] * rhs[b] / (Nb[b] * scale)
        else:
            for g in range(F):
                X[g] = new[g]
    return it, resid


@njit(cache=True)
def _labour_fraction(sector, a, kappa, out):
    """1 - k_f = 1 - kappa_s a_f: the labour share of f's value added."""
    for f in range(sector.shape[0]):
        out[f] = 1.0 - kappa[sector[f]] * a[f]


@njit(cache=True)
def _employment(country, nu, labour_frac, X, wage, out):
    """N_c = sum_{f in c} nu_f (1 - k_f) X_f / w_c."""
    for c in range(out.shape[0]):
        out[c] = 0.0
    for f in range(X.shape[0]):
        out[country[f]] += labour_frac[f] * nu[f] * X[f]
    for c in range(out.shape[0]):
        out[c] /= wage[c]


@njit(cache=True)
def _clear(country, sector, z, a, nu, weight, indptr, supplier, share,
           wage, rental, tech, deficit, labour_force, tariff, tcost, taste, beta, exo, sigma, kappa,
           flexible, numeraire, wage_step, tol, max_iter, max_wage_iter,
           logp, X, theta, pi, log_pindex, fd, tfin, tint, labour_frac, info):
    """One period's market clearing (module docstring). Updates wage (flexible mode), logp, X,
    theta, pi, log_pindex, fd, tfin, tint, labour_frac in place and writes ``info``."""
    F = country.shape[0]
    G = wage.shape[0]
    nnz = supplier.shape[0]
    b = np.empty(F)
    # unsigned indices: numba then skips the negative-index wraparound in the hot gathers
    t_indptr = np.empty(F + 1, dtype=np.uint64)
    t_buyer = np.empty(nnz, dtype=np.uint32)
    t_cell = np.empty(nnz, dtype=np.uint32)
    t_coef = np.empty(nnz)
    emp = np.empty(G)
    _labour_fraction(sector, a, kappa, labour_frac)
    _value_coefficients(country, sector, nu, indptr, supplier, share, tariff, t_indptr, t_buyer, t_cell, t_coef, tint)
    link_terms = np.empty(F)  # wage-independent: computed once, reused by every wage iteration
    _price_link_terms(country, sector, nu, indptr, supplier, share, tariff, tcost, link_terms)
    p_it_total = 0
    v_it_total = 0
    w_it = 0
    p_res = 0.0
    v_res = 0.0
    w_res = 0.0
    converged = True
    prev_res = np.inf
    # inner fixed points are solved tighter in the flexible mode so the wage loop sees no noise
    inner = max(tol * 1e-2, 1e-15) if flexible else tol
    while True:
        _price_firm_terms(country, sector, z, a, nu, wage, rental, tech, kappa, link_terms, b)
        p_it, p_res = _solve_prices(indptr, supplier, share, nu, b, logp, inner, max_iter)
        p_it_total += p_it
        _demand_shares(country, sector, weight, logp, tariff, tcost, taste, sigma, theta, pi, log_pindex)
        _final_coefficients(tariff, beta, pi, exo, fd, tfin)
        anchor = 0.0
        for c in range(G):
            anchor += wage[c] * labour_force[c]
        v_it, v_res = _solve_values(country, sector, nu, labour_frac, tint, t_indptr, t_buyer, t_cell, t_coef, theta, fd,
                                    tfin, deficit, anchor, X, inner, max_iter)
        v_it_total += v_it
        if not flexible:
            break
        _employment(country, nu, labour_frac, X, wage, emp)
        w_res = 0.0
        for c in range(G):
            d = abs(np.log(emp[c] / labour_force[c])) if emp[c] > 0.0 else np.inf
            if not d <= w_res:
                w_res = d
        if w_res <= tol or w_it >= max_wage_iter:
            break
        if w_res >= prev_res and w_res > 100.0 * tol:  # no progress: halve the step (damped tatonnement)
            wage_step *= 0.5
        prev_res = w_res
        w_it += 1
        bill = 0.0
        for c in range(G):
            ratio = emp[c] / labour_force[c]
            if not ratio > 0.0:  # no positive labour demand (or NaN): halve the wage
                ratio = 0.5 ** (1.0 / wage_step)
            wage[c] *= ratio ** wage_step
            bill += wage[c] * labour_force[c]
        for c in range(G):
            wage[c] *= numeraire / bill
    if not (p_res <= tol and v_res <= tol and ((not flexible) or w_res <= tol)):  # NaN is not converged
        converged = False
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


@njit(cache=True)
def _link_flows(country, sector, nu, indptr, supplier, share, tariff, X, S, out_buyer_cell, out_seller_cell, out_value, out_tariff):
    """Per link: buyer cell, seller cell, basic-price value (1-nu_f) share X_f / (1+tau) and tariff paid."""
    F = country.shape[0]
    for f in range(F):
        c = country[f]
        bc = c * S + sector[f]
        m = (1.0 - nu[f]) * X[f]
        for j in range(indptr[f], indptr[f + 1]):
            g = supplier[j]
            o = country[g]
            s = sector[g]
            tau = tariff[c, o, s]
            spend = m * share[j]
            out_buyer_cell[j] = bc
            out_seller_cell[j] = o * S + s
            out_value[j] = spend / (1.0 + tau)
            out_tariff[j] = spend * tau / (1.0 + tau)


@njit(cache=True)
def _csr_matvec(indptr, indices, data, x, out):
    """out = M x for a CSR matrix (the memory-bound floor the benchmark compares against)."""
    for i in range(indptr.shape[0] - 1):
        acc = 0.0
        for j in range(indptr[i], indptr[i + 1]):
            acc += data[j] * x[indices[j]]
        out[i] = acc
