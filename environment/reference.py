"""The reference engine: the market clearing as plain Python loops over firms.

It is written independently of :mod:`gvc_abm.environment.kernels` from the same equations
(that module's docstring; DESIGN.md, "The economy, one period", "Two engines, one rule"), so
that tests comparing the two check the equations as well as the compilation. It is deliberately
plain: one firm and one link at a time, ``math`` scalars, no numba. :func:`_clear`
has the kernel's signature so :func:`gvc_abm.environment.clearing.clear` can run either.
"""

from __future__ import annotations

import math

import numpy as np

from .kernels import (
    INFO_CONVERGED,
    INFO_PRICE_IT,
    INFO_PRICE_RES,
    INFO_RESIDUAL,
    INFO_VALUE_IT,
    INFO_VALUE_RES,
    INFO_WAGE_IT,
    INFO_WAGE_RES,
)


def _plogp(x: float) -> float:
    return x * math.log(x) if x > 0.0 else 0.0


def unit_cost_constant(f, country, sector, z, a, nu, indptr, supplier, share, wage, rental, tech, tariff, tcost, kappa):
    """log of f's Cobb-Douglas unit cost at supplier prices 1 (eq. 1 of Qu & Yang 2023, firm level):
    -log(A z) + nu log(cVA/nu) + sum_g (1-nu) share log(wedge / ((1-nu) share))."""
    c = int(country[f])
    k = float(kappa[sector[f]] * a[f])
    log_cva = (1.0 - k) * math.log(wage[c]) - _plogp(1.0 - k) + (k * math.log(rental[c]) - _plogp(k) if k > 0 else 0.0)
    v = float(nu[f])
    total = -math.log(tech[c] * z[f]) + v * log_cva - _plogp(v)
    for j in range(indptr[f], indptr[f + 1]):
        g = supplier[j]
        gamma = (1.0 - v) * share[j]
        wedge = (1.0 + tariff[c, country[g], sector[g]]) * tcost[c, country[g], sector[g]]
        total += gamma * math.log(wedge) - _plogp(gamma)
    return total


def solve_prices(const, indptr, supplier, share, nu, logp, tol, max_iter):
    """Gauss-Seidel sweeps, in firm order, of log p_f = const_f + (1 - nu_f) sum_g share_fg log p_g."""
    F = len(const)
    it, resid = 0, math.inf
    while it < max_iter:
        it += 1
        resid = 0.0
        for f in range(F):
            s = 0.0
            for j in range(indptr[f], indptr[f + 1]):
                s += share[j] * logp[supplier[j]]
            value = const[f] + (1.0 - nu[f]) * s
            resid = max(resid, abs(value - logp[f]))
            logp[f] = value
        if resid <= tol:
            break
    return it, resid


def demand_shares(country, sector, weight, logp, tariff, tcost, taste, sigma, theta, pi, log_pindex):
    """theta_g (within origin-sector), pi_{c,o,s} (Armington) and log P_{c,s} (exact CES index)."""
    G, _, S = pi.shape
    F = len(country)
    cd = abs(1.0 - sigma) < 1e-12
    lam = [[0.0] * S for _ in range(G)]
    attraction = [0.0] * F  # lambda_g p_g^(1-sigma)
    for g in range(F):
        lam[country[g]][sector[g]] += weight[g]
    # Scale attractions by each cell's largest one to stay in range.
    top = [[-math.inf] * S for _ in range(G)]
    for g in range(F):
        if weight[g] > 0:
            e = math.log(weight[g]) + (1.0 - sigma) * logp[g]
            top[country[g]][sector[g]] = max(top[country[g]][sector[g]], e)
    cell_sum = [[0.0] * S for _ in range(G)]
    for g in range(F):
        if weight[g] > 0:
            o, s = country[g], sector[g]
            attraction[g] = weight[g] if cd else math.exp(math.log(weight[g]) + (1.0 - sigma) * logp[g] - top[o][s])
            cell_sum[o][s] += attraction[g]
    for g in range(F):
        o, s = country[g], sector[g]
        theta[g] = attraction[g] / cell_sum[o][s] if cell_sum[o][s] > 0 else 0.0
    for c in range(G):
        for s in range(S):
            norm = sum(taste[c, o, s] * lam[o][s] for o in range(G))
            if norm <= 0:
                for o in range(G):
                    pi[c, o, s] = 0.0
                log_pindex[c, s] = 0.0
                continue
            if cd:
                lp = 0.0
                for o in range(G):
                    pi[c, o, s] = taste[c, o, s] * lam[o][s] / norm
                for g in range(F):
                    if sector[g] == s and weight[g] > 0:
                        o = country[g]
                        share_g = taste[c, o, s] * weight[g] / norm
                        lp += share_g * (math.log((1.0 + tariff[c, o, s]) * tcost[c, o, s]) + logp[g])
                log_pindex[c, s] = lp
            else:
                # D = sum_g b lambda_g landed^(1-sigma), in logs with a common shift
                logs = []
                for o in range(G):
                    if taste[c, o, s] > 0 and cell_sum[o][s] > 0:
                        logs.append(math.log(taste[c, o, s]) + (1.0 - sigma) * math.log((1.0 + tariff[c, o, s]) * tcost[c, o, s])
                                    + top[o][s] + math.log(cell_sum[o][s]))
                    else:
                        logs.append(-math.inf)
                mx = max(logs)
                tot = sum(math.exp(e - mx) for e in logs if e > -math.inf)
                for o in range(G):
                    pi[c, o, s] = math.exp(logs[o] - mx) / tot if logs[o] > -math.inf else 0.0
                log_pindex[c, s] = (mx + math.log(tot) - math.log(norm)) / (1.0 - sigma)


def solve_values(country, sector, nu, labour_frac, indptr, supplier, share, tariff, theta, fd, tfin, deficit,
                 anchor, X, tol, max_iter):
    """The value system X = K X under the anchor (world labour income = anchor), as in the kernel.

    Each iteration: the power step Y = K X, i.e. X_g = sum_f (1-nu_f) share_fg X_f/(1+tau) +
    theta_g sum_c E_c fd_cos with E_c = (GDP_c + T^int_c + d_c GDP_w)/(1 - tf_c), rescaled to the
    anchor; stop when |Y - X|_1/|Y|_1 <= tol. Otherwise the cell-level system s = A s with
    A_ab = sum_{g in a, f in b} K_gf X_f / S_b is solved under the anchor and X_f = Y_f s_b / Y_b
    (aggregation-disaggregation, Koury, McAllister & Stewart 1984). X is updated in place.
    """
    F = len(X)
    G, _, S = fd.shape
    n = G * S
    cell = [country[f] * S + sector[f] for f in range(F)]
    it, resid = 0, math.inf
    while it < max_iter:
        it += 1
        Sb, gdpb, tib, labb = [0.0] * n, [0.0] * n, [0.0] * n, [0.0] * n
        sells_final = [False] * n
        gdp, tint = [0.0] * G, [0.0] * G
        flows = np.zeros((n, n))  # flows[a, b]: intermediate sales of cell a to buyers in cell b
        new = [0.0] * F
        for f in range(F):
            c, b = country[f], cell[f]
            Sb[b] += X[f]
            if theta[f] > 0:
                sells_final[b] = True
            gdp[c] += nu[f] * X[f]
            gdpb[b] += nu[f] * X[f]
            labb[b] += labour_frac[f] * nu[f] * X[f]
            spend = (1.0 - nu[f]) * X[f]
            for j in range(indptr[f], indptr[f + 1]):
                g = supplier[j]
                tau = tariff[c, country[g], sector[g]]
                new[g] += spend * share[j] / (1.0 + tau)
                flows[cell[g], b] += spend * share[j] / (1.0 + tau)
                tint[c] += spend * share[j] * tau / (1.0 + tau)
                tib[b] += spend * share[j] * tau / (1.0 + tau)
        world = sum(gdp)
        E = [(gdp[c] + tint[c] + deficit[c] * world) / (1.0 - tfin[c]) for c in range(G)]
        for g in range(F):
            o, s = country[g], sector[g]
            new[g] += theta[g] * sum(E[c] * fd[c, o, s] for c in range(G))
        Nb = [0.0] * n
        for g in range(F):
            Nb[cell[g]] += new[g]
        scale = anchor / sum(labour_frac[f] * nu[f] * new[f] for f in range(F))
        scaled = [v * scale for v in new]
        num = sum(abs(scaled[f] - X[f]) for f in range(F))
        den = sum(abs(v) for v in scaled)
        resid = num / den if den > 0 else 0.0
        if resid <= tol or it >= max_iter:
            X[:] = scaled
            break
        # cell-level matrix: intermediate flows plus households' spending of each cell's income
        A = flows.copy()
        for b in range(n):
            if Sb[b] <= 0:
                continue
            for d in range(G):
                spend = deficit[d] * gdpb[b] + (gdpb[b] + tib[b] if d == b // S else 0.0)
                spend /= 1.0 - tfin[d]
                for a in range(n):
                    if sells_final[a]:
                        A[a, b] += fd[d, a // S, a % S] * spend
            A[:, b] /= Sb[b]
        live = [b for b in range(n) if Sb[b] > 0]
        M = A - np.eye(n)
        for b in range(n):
            if Sb[b] <= 0:
                M[b, :] = 0.0
                M[:, b] = 0.0
                M[b, b] = 1.0
        last = live[-1]
        M[last, :] = [labb[b] / Sb[b] if Sb[b] > 0 else 0.0 for b in range(n)]
        rhs = np.zeros(n)
        rhs[last] = anchor
        cells = np.linalg.solve(M, rhs)
        if all(cells[b] > 0 and Nb[b] > 0 for b in live):
            X[:] = [new[f] * cells[cell[f]] / Nb[cell[f]] for f in range(F)]
        else:
            X[:] = scaled
    return it, resid


def _clear(country, sector, z, a, nu, weight, indptr, supplier, share,
           wage, rental, tech, deficit, labour_force, tariff, tcost, taste, beta, exo, sigma, kappa,
           flexible, numeraire, wage_step, tol, max_iter, max_wage_iter,
           logp, X, theta, pi, log_pindex, fd, tfin, tint, labour_frac, info):
    """The reference clearing, same signature and outputs as ``kernels._clear``."""
    F, G = len(country), len(wage)
    S = pi.shape[2]
    for f in range(F):
        labour_frac[f] = 1.0 - kappa[sector[f]] * a[f]
        c = country[f]
        t = 0.0
        for j in range(indptr[f], indptr[f + 1]):
            g = supplier[j]
            tau = tariff[c, country[g], sector[g]]
            t += share[j] * tau / (1.0 + tau)
        tint[f] = (1.0 - nu[f]) * t
    p_total = v_total = w_it = 0
    p_res = v_res = w_res = 0.0
    prev_res = math.inf
    inner = max(tol * 1e-2, 1e-15) if flexible else tol
    while True:
        const = [unit_cost_constant(f, country, sector, z, a, nu, indptr, supplier, share, wage, rental, tech, tariff, tcost, kappa)
                 for f in range(F)]
        p_it, p_res = solve_prices(const, indptr, supplier, share, nu, logp, inner, max_iter)
        p_total += p_it
        demand_shares(country, sector, weight, logp, tariff, tcost, taste, sigma, theta, pi, log_pindex)
        for c in range(G):
            tfin[c] = 0.0
            for o in range(G):
                for s in range(S):
                    spend = beta[c, s] * pi[c, o, s] + exo[c, o, s]
                    fd[c, o, s] = spend / (1.0 + tariff[c, o, s])
                    tfin[c] += spend * tariff[c, o, s] / (1.0 + tariff[c, o, s])
        anchor = sum(wage[c] * labour_force[c] for c in range(G))
        v_it, v_res = solve_values(country, sector, nu, labour_frac, indptr, supplier, share, tariff, theta, fd, tfin,
                                   deficit, anchor, X, inner, max_iter)
        v_total += v_it
        if not flexible:
            break
        emp = [0.0] * G
        for f in range(F):
            emp[country[f]] += labour_frac[f] * nu[f] * X[f]
        emp = [emp[c] / wage[c] for c in range(G)]
        w_res = max((abs(math.log(emp[c] / labour_force[c])) if emp[c] > 0 else math.inf) for c in range(G))
        if w_res <= tol or w_it >= max_wage_iter:
            break
        if w_res >= prev_res and w_res > 100.0 * tol:
            wage_step *= 0.5
        prev_res = w_res
        w_it += 1
        for c in range(G):
            ratio = emp[c] / labour_force[c] if emp[c] > 0 else 0.5 ** (1.0 / wage_step)
            wage[c] *= ratio ** wage_step
        bill = sum(wage[c] * labour_force[c] for c in range(G))
        for c in range(G):
            wage[c] *= numeraire / bill
    converged = p_res <= tol and v_res <= tol and (not flexible or w_res <= tol)
    info[INFO_CONVERGED] = 1.0 if converged else 0.0
    info[INFO_PRICE_IT] = p_total
    info[INFO_VALUE_IT] = v_total
    info[INFO_WAGE_IT] = w_it
    info[INFO_PRICE_RES] = p_res
    info[INFO_VALUE_RES] = v_res
    info[INFO_WAGE_RES] = w_res
    info[INFO_RESIDUAL] = max(p_res, v_res, w_res) if not any(map(math.isnan, (p_res, v_res, w_res))) else math.inf
