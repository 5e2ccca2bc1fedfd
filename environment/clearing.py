"""The market clearing of one period: a thin wrapper over the kernels, and its result.

:func:`clear` checks shapes, allocates outputs, runs ``_clear`` of the chosen engine
(:mod:`~gvc_abm.environment.kernels` compiled by numba, or the plain-Python
:mod:`~gvc_abm.environment.reference`), writes prices, outputs and (flexible mode) wages
back into the world's state and returns a :class:`ClearingResult` with ``converged``,
``iterations`` and ``residual`` plus the period's national accounts. Non-convergence is never
silent: the result says so and a :class:`ClearingWarning` is issued.

The equations are in the docstring of :mod:`gvc_abm.environment.kernels` (DESIGN.md,
"The economy, one period").
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import numpy as np

from . import kernels as K
from .state import World

__all__ = ["ClearingResult", "ClearingWarning", "clear", "landed_price", "ENGINES"]

ENGINES = ("numba", "reference")


class ClearingWarning(RuntimeWarning):
    """The clearing stopped at its iteration cap before reaching the tolerance."""


@dataclass(frozen=True)
class ClearingResult:
    """One period's equilibrium (or the best point reached) and its national accounts.

    Arrays by country c (G,), firm (F,), or importer x origin x sector (G, G, S).
    Values are in model currency at basic prices unless said otherwise.
    """

    converged: bool
    iterations: int  # price + value + wage iterations
    residual: float  # max of the final residuals (relative)
    price_iterations: int
    value_iterations: int
    wage_iterations: int
    price: np.ndarray  # p_f
    output: np.ndarray  # X_f
    wage: np.ndarray  # w_c after clearing
    rental: np.ndarray  # r_c after clearing (robot capital)
    theta: np.ndarray  # firm share within its origin-sector's final sales
    pi: np.ndarray  # Armington shares pi_{c,o,s}
    log_pindex: np.ndarray  # (G, S) log of the exact CES price index P_{c,s}
    final_sales: np.ndarray  # (G, G, S) basic-price final sales of (o, s) to households of c
    final_tariffs: np.ndarray  # (G,) tariffs paid on final goods by c's households
    intermediate_tariffs: np.ndarray  # (G,) tariffs paid on intermediates by c's firms
    labour_income: np.ndarray  # (G,)
    capital_income: np.ndarray  # (G,)
    expenditure: np.ndarray  # (G,) E_c = GDP_c + tariff revenue_c + D_c (purchaser prices)
    employment: np.ndarray  # (G,) N_c = min(labour income / wage, L_c) (labour income / wage when fixed)
    labour_share: np.ndarray  # (F,) 1 - kappa_s a_f

    @property
    def gdp(self) -> np.ndarray:
        """GDP at factor cost: labour plus capital income, by country."""
        return self.labour_income + self.capital_income

    @property
    def tariff_revenue(self) -> np.ndarray:
        """Tariff revenue of each importing country (returned to its households)."""
        return self.final_tariffs + self.intermediate_tariffs

    def unemployment_rate(self, labour_force: np.ndarray) -> np.ndarray:
        """u_c = 1 - N_c / L_c, in [0, 1) in the sticky and flexible modes."""
        return 1.0 - self.employment / labour_force


def landed_price(world: World, importer: int, price: np.ndarray | None = None, goods: str = "intermediate") -> np.ndarray:
    """Landed cost in country ``importer`` of every firm's good: ``p_g (1 + tau_{c,o,s}) t_{c,o,s}``.

    ``price`` defaults to the state's producer prices. The wedge is the one the price dual
    (``goods="intermediate"``, firms' purchases) or the Armington shares (``"final"``, households'
    purchases) use (DESIGN.md, "The economy, one period"), shape (F,).
    """
    fs, pol = world.firms, world.policy
    tariff = {"intermediate": pol.tariff, "final": pol.final()}[goods]
    p = fs.price if price is None else np.asarray(price, dtype=float)
    return p * (1.0 + tariff[importer, fs.country, fs.sector]) * pol.trade_cost[importer, fs.country, fs.sector]


def _engine(name: str):
    if name == "numba":
        return K._clear
    if name == "reference":
        return K.clear_period  # the same functions, run as plain Python
    raise ValueError(f"engine: unknown engine {name!r}; expected one of {', '.join(ENGINES)}")


WAGE_MODES = {"fixed": K.WAGES_FIXED, "sticky": K.WAGES_STICKY, "flexible": K.WAGES_FLEXIBLE}


def clear(
    world: World,
    *,
    wage_mode: str = "sticky",
    flexible: bool | None = None,
    anchor: float | None = None,
    tol: float = 1e-10,
    max_iter: int = 10_000,
    max_wage_iter: int = 500,
    wage_step: float = 1.0,
    engine: str = "numba",
    warn: bool = True,
    jacobian: np.ndarray | None = None,
    parallel: bool | None = None,
) -> ClearingResult:
    """Clear one period on ``world`` and write prices, outputs, spending shares and wages back to its state.

    Parameters
    ----------
    wage_mode : "sticky", "flexible" or "fixed"
        sticky: wages given, raised within the period wherever labour demand would exceed the labour
        force (``w <- w (N/L)^step'`` until ``N <= L``), so unemployment lies in [0, 1); flexible:
        the same tatonnement both ways until every labour market clears; fixed: wages as given
        (labour demand may exceed supply; for calibration and tests). The factor prices are found by
        Broyden's method started at the cell-level Jacobian of the factor markets (kernels module docstring);
        ``wage_step`` scales the diagonal step (labour-demand elasticity ``(1 + sigma) / (2 wage_step)``)
        taken only when an update is singular.
    flexible : bool, optional
        Shorthand: True is ``wage_mode="flexible"``, False ``"sticky"``.
    anchor : float, optional
        World nominal GDP ``sum_f nu_f X_f`` (the nominal anchor); default ``world.numeraire``.
    tol, max_iter, max_wage_iter : fixed-point tolerance (relative) and caps.
    engine : "numba" or "reference".
    jacobian : array (2G, 2G), optional
        Receives the factor loop's last Broyden matrix (an output, for diagnostics).
    parallel : bool, optional
        Run the passes over the firms in parallel blocks (Jacobi price sweeps instead of Gauss-Seidel);
        default: from ``kernels.PARALLEL_FIRMS`` firms. Either way the result does not depend on the
        number of threads.
    """
    if flexible is not None:
        wage_mode = "flexible" if flexible else "sticky"
    if wage_mode not in WAGE_MODES:
        raise ValueError(f"wage_mode: unknown mode {wage_mode!r}; expected one of {', '.join(WAGE_MODES)}")
    fn = _engine(engine)
    cs, fs, net, pol = world.country_state, world.firms, world.network, world.policy
    G, S, F = world.G, world.S, world.F
    if any(a.shape != (G, G, S) for a in (pol.tariff, pol.final(), pol.trade_cost, pol.taste)):
        raise ValueError("policy arrays must have shape (countries, countries, sectors)")
    if net.indptr.shape != (F + 1,) or net.indptr[0] != 0 or net.indptr[-1] != net.supplier.shape[0]:
        raise ValueError("supplier network: indptr does not match the number of firms or links")
    # The kernels index without bounds checks: refuse indices that would read outside the arrays.
    if net.supplier.shape[0] and (net.supplier.min() < 0 or net.supplier.max() >= F):
        raise ValueError("supplier network: supplier index out of range")
    if np.any(np.diff(net.indptr) < 0):
        raise ValueError("supplier network: indptr is not non-decreasing")
    if net.firm_groups is None or net.firm_groups.shape != (F + 1,) or net.group_ptr[-1] != net.supplier.shape[0]:
        raise ValueError("supplier network: sector groups do not match the links (build it with from_shares)")
    if fs.country.min() < 0 or fs.country.max() >= G or fs.sector.min() < 0 or fs.sector.max() >= S:
        raise ValueError("firm state: country or sector index out of range")
    wage = np.array(cs.wage, dtype=float)  # working copies (np.array copies once; astype then copy did twice)
    rental = np.array(cs.rental, dtype=float)
    logp = np.log(np.asarray(fs.price, dtype=float))
    X = np.array(fs.output, dtype=float)
    share = np.array(net.share, dtype=float)
    nu = np.zeros(F)
    theta = np.zeros(F)
    pi = np.zeros((G, G, S))
    log_pindex = np.zeros((G, S))
    fd = np.zeros((G, G, S))
    tfin = np.zeros(G)
    tint = np.zeros(F)
    lab = np.zeros(F)
    info = np.zeros(K.INFO_SIZE)
    if jacobian is None:
        jacobian = np.zeros((2 * G, 2 * G))
    elif jacobian.shape != (2 * G, 2 * G):
        raise ValueError("jacobian: must have shape (2 x countries, 2 x countries)")
    step = wage_step * 2.0 / (1.0 + pol.sigma)
    fn(
        fs.country, fs.sector, fs.productivity, fs.automation, fs.nu0, fs.insourcing, fs.robot_productivity,
        fs.make_productivity, fs.weight,
        net.indptr, net.supplier, net.weight, net.reference_cost, net.firm_groups, net.group_ptr, net.group_alpha,
        wage, rental, cs.capital, cs.technology, cs.deficit, cs.labour_force,
        pol.tariff, pol.final(), pol.trade_cost, pol.taste, pol.beta, pol.exogenous,
        float(pol.sigma), world.kappa, float(world.eta_robot), float(world.eta_make),
        WAGE_MODES[wage_mode], float(anchor if anchor is not None else world.numeraire), float(step),
        float(tol), int(max_iter), int(max_wage_iter), bool(F >= K.PARALLEL_FIRMS if parallel is None else parallel),
        logp, X, share, nu, theta, pi, log_pindex, fd, tfin, tint, lab, jacobian, info,
    )
    price = np.exp(logp)
    # National accounts from the cleared arrays (shared by both engines: post-processing).
    va = nu * X
    labour_income = np.bincount(fs.country, weights=lab * va, minlength=G)
    capital_income = np.bincount(fs.country, weights=(1.0 - lab) * va, minlength=G)
    int_tariffs = np.bincount(fs.country, weights=tint * X, minlength=G)
    gdp = labour_income + capital_income
    E = (gdp + int_tariffs + cs.deficit * gdp.sum()) / (1.0 - tfin)
    final_sales = E[:, None, None] * fd
    final_tariffs = E * tfin
    # Labour demand never exceeds the labour force beyond the tolerance outside the fixed mode;
    # employment is reported as min(demand, L) so that rounding cannot push unemployment below 0.
    demand = labour_income / wage
    employment = demand if wage_mode == "fixed" else np.minimum(demand, cs.labour_force)
    result = ClearingResult(
        converged=bool(info[K.INFO_CONVERGED]),
        iterations=int(info[K.INFO_PRICE_IT] + info[K.INFO_VALUE_IT] + info[K.INFO_WAGE_IT]),
        residual=float(info[K.INFO_RESIDUAL]),
        price_iterations=int(info[K.INFO_PRICE_IT]),
        value_iterations=int(info[K.INFO_VALUE_IT]),
        wage_iterations=int(info[K.INFO_WAGE_IT]),
        price=price,
        output=X,
        wage=wage,
        rental=rental,
        theta=theta,
        pi=pi,
        log_pindex=log_pindex,
        final_sales=final_sales,
        final_tariffs=final_tariffs,
        intermediate_tariffs=int_tariffs,
        labour_income=labour_income,
        capital_income=capital_income,
        expenditure=E,
        employment=employment,
        labour_share=lab,
    )
    if result.converged and not np.all(E > 0):
        # A fixed point with non-positive expenditure (deficits larger than a country's income
        # at these wages) is not an equilibrium: report it as not converged.
        result = replace(result, converged=False, residual=float("inf"))
    fs.price[:] = price
    fs.output[:] = X
    fs.nu[:] = nu
    net.share[:] = share
    cs.wage[:] = wage
    cs.rental[:] = rental
    if not result.converged and warn:
        warnings.warn(
            f"market clearing did not converge: residual {result.residual:.3g} after "
            f"{result.iterations} iterations (tolerance {tol:g})"
            + ("" if np.all(E > 0) else "; some country's expenditure is not positive"),
            ClearingWarning,
            stacklevel=2,
        )
    return result
