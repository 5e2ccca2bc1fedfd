"""Hansen (1999) single-threshold regression for fixed-effects panels.

The model (Hansen 1999, eq. 1; Qu & Yang 2023, eq. 19-20)::

    y_it = a_i + l_t + b1' x_it 1(q_it <= g) + b2' x_it 1(q_it > g) + c' w_it + e_it

has regime-dependent regressors ``x``, regime-independent ones ``w``, a threshold variable
``q`` and entity effects ``a_i`` removed by the within transformation (eq. 4-6); time effects
``l_t`` enter as time dummies among the ``w`` (Hansen 1999, section 2). For a fixed ``g`` the
model is linear, so the estimate of ``g`` minimizes the concentrated sum of squared residuals
``S1(g)`` over a grid (eq. 8), ``sigma^2 = S1(g_hat) / (n (T - 1))`` (eq. 9), and

- no threshold is tested by ``F1 = (S0 - S1(g_hat)) / sigma^2`` (eq. 11), ``S0`` the sum of
  squares of the linear model, with a p-value from the fixed-regressor bootstrap of
  section 3.1: regressors and ``q`` held fixed, the threshold model's residuals resampled by
  entity (each entity's whole time series), ``F1`` recomputed on each sample;
- ``g`` has the confidence set ``{g : LR(g) <= c(alpha)}``, ``LR(g) = (S1(g) - S1(g_hat)) /
  sigma^2`` (eq. 12), ``c(alpha) = -2 log(1 - sqrt(1 - alpha))`` (eq. 16; 7.35 at 95 %);
- the slopes at ``g_hat`` are those of the linear model with the split regressors, whose
  errors may treat ``g_hat`` as known (Hansen 1999, section 3.3 / Chan 1993).

Computation (vectorized over the grid). Let ``M`` be the annihilator of the entity means,
the time dummies, ``w`` and ``x`` itself. Since span{x 1(q<=g), x 1(q>g)} = span{x,
x 1(q<=g)}, with ``u_g = M (x 1(q <= g))`` and ``e0 = M y``::

    S0 = e0'e0,    S0 - S1(g) = (u_g'e0)' (u_g'u_g)^{-1} (u_g'e0)     (Frisch-Waugh-Lovell)

so each grid point costs one k x k solve, and a bootstrap sample only a new ``e0``.
``F1`` does not depend on the null model's slopes, so a bootstrap sample is its resampled
residuals alone.

References
----------
1. Hansen, B. E. (1999). Threshold effects in non-dynamic panels: Estimation, testing, and
   inference. *Journal of Econometrics* 93(2), 345-368.
2. Hansen, B. E. (2000). Sample splitting and threshold estimation. *Econometrica* 68(3),
   575-603 (the likelihood-ratio confidence set, eq. 16 of the 1999 paper).
3. Qu, Y. & Yang, J. (2023), seed ``001_584fa2df9655eb41.txt``, eq. 19-20 and Tables 2-3.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from .panel import COV_TYPES, EconometricsError, panel_regression, tidy_panel

__all__ = ["ThresholdResult", "WithinAnnihilator", "critical_value", "hansen_threshold", "threshold_grid", "regime_terms"]

_BOOT_CHUNK = 64  # bootstrap samples per vectorized block (memory ~ grid x k x chunk)


def critical_value(alpha: float) -> float:
    """``c(alpha) = -2 log(1 - sqrt(1 - alpha))``: Hansen (1999) eq. 16; 7.35 for alpha = 0.95.

    ``alpha`` is the confidence level (0.95 for a 95 % set), as in Hansen's Table 1 notation
    ``c(0.95)``. Raises :class:`EconometricsError` outside (0, 1).
    """
    if not 0.0 < alpha < 1.0:
        raise EconometricsError(f"critical_value: level {alpha} is not in (0, 1)")
    return float(-2.0 * np.log(1.0 - np.sqrt(alpha)))


def regime_terms(name: str) -> tuple[str, str]:
    """Names of a regime-dependent regressor's two coefficients: ``name_below`` (q <= g) and ``name_above``."""
    return f"{name}_below", f"{name}_above"


def threshold_grid(q: np.ndarray, trim: float = 0.10, max_grid: int = 400) -> np.ndarray:
    """Candidate thresholds: the distinct values of ``q`` between its ``trim`` and ``1 - trim`` quantiles.

    ``S1(g)`` changes only where ``g`` crosses an observed ``q``, so these values are the
    whole search (Hansen 1999, section 2.2); trimming keeps a share ``>= trim`` of the
    observations in each regime. With more than ``max_grid`` candidates, ``max_grid`` of them
    evenly spaced in rank are kept (Hansen's application searches 393 quantiles).
    """
    if not 0.0 < trim < 0.5:
        raise EconometricsError(f"threshold: trim {trim} is not in (0, 0.5)")
    if max_grid < 2:
        raise EconometricsError(f"threshold: max_grid {max_grid} is below 2")
    q = np.asarray(q, dtype=float)
    lo, hi = np.quantile(q, trim), np.quantile(q, 1.0 - trim)
    cand = np.unique(q[(q >= lo) & (q <= hi)])
    cand = cand[cand < q.max()]  # g = max(q) leaves the upper regime empty
    if cand.size == 0:
        raise EconometricsError("threshold: the threshold variable has no distinct values inside the trimmed range")
    if cand.size > max_grid:
        cand = cand[np.unique(np.round(np.linspace(0, cand.size - 1, max_grid)).astype(np.int64))]
    return cand


class WithinAnnihilator:
    """``M a = Q a - P (P' Q a)``: entity-demeaning ``Q`` then projecting off the demeaned base columns.

    ``P`` is an orthonormal basis (SVD, rank-revealing) of ``Q [time dummies, base]``, so
    ``M`` is the residual maker of the regression on entity dummies, time dummies and
    ``base`` (Frisch-Waugh-Lovell; Wooldridge 2010, ch. 10.5).
    """

    def __init__(self, entity_codes: np.ndarray, base: np.ndarray, time_codes: np.ndarray | None = None):
        self.codes = np.asarray(entity_codes, dtype=np.int64)
        self.n_groups = int(self.codes.max()) + 1
        self.counts = np.bincount(self.codes, minlength=self.n_groups).astype(float)
        n = len(self.codes)
        self._sum = sparse.csr_matrix((np.ones(n), (self.codes, np.arange(n))), shape=(self.n_groups, n))
        cols = [np.asarray(base, dtype=float).reshape(len(self.codes), -1)]
        if time_codes is not None:
            t = np.asarray(time_codes, dtype=np.int64)
            dummies = np.zeros((len(t), int(t.max()) + 1))
            dummies[np.arange(len(t)), t] = 1.0
            cols.append(dummies[:, 1:])  # one period is absorbed with the entity effects
        qb = self.demean(np.hstack(cols))
        if qb.shape[1]:
            u, s, _ = np.linalg.svd(qb, full_matrices=False)
            tol = s.max() * max(qb.shape) * np.finfo(float).eps if s.size else 0.0
            self.basis = u[:, s > tol]
        else:
            self.basis = np.zeros((len(self.codes), 0))

    def demean(self, a: np.ndarray) -> np.ndarray:
        """``Q a``: each column minus its entity means (Hansen 1999, eq. 4-5)."""
        a = np.asarray(a, dtype=float)
        flat = a.reshape(len(self.codes), -1)
        sums = self._sum @ flat
        return (flat - (sums / self.counts[:, None])[self.codes]).reshape(a.shape)

    def __call__(self, a: np.ndarray) -> np.ndarray:
        qa = self.demean(a)
        flat = qa.reshape(len(self.codes), -1)
        return (flat - self.basis @ (self.basis.T @ flat)).reshape(qa.shape)


@dataclass(frozen=True)
class ThresholdResult:
    """A single-threshold fit (Hansen 1999). ``table`` has the slopes at ``gamma`` (:data:`~.panel.TABLE_COLUMNS`)."""

    gamma: float  # estimated threshold g_hat (eq. 8)
    ci_low: float  # confidence set {LR(g) <= c(level)} (eq. 16), its lowest ...
    ci_high: float  # ... and highest grid point
    F: float  # F1 = (S0 - S1(g_hat)) / sigma^2 (eq. 11)
    p_value: float  # share of bootstrap F1* exceeding F1 (section 3.1)
    S0: float  # sum of squared residuals without threshold
    S1: float  # S1(g_hat)
    sigma2: float  # S1(g_hat) / (n (T - 1)) (eq. 9)
    critical_value: float  # c(level)
    level: float
    trim: float
    n_boot: int
    grid: np.ndarray  # candidate thresholds
    ssr: np.ndarray  # S1(g) on the grid
    lr: np.ndarray  # LR(g) on the grid (eq. 12)
    boot_F: np.ndarray  # bootstrap F1* (n_boot,)
    table: pd.DataFrame

    def summary(self) -> dict:
        """The scalars, as Qu & Yang's Table 2 reports them (threshold, interval, p-value) and more."""
        return {"gamma": self.gamma, "ci_low": self.ci_low, "ci_high": self.ci_high, "F": self.F,
                "p_value": self.p_value, "S0": self.S0, "S1": self.S1, "sigma2": self.sigma2,
                "critical_value": self.critical_value, "level": self.level, "trim": self.trim,
                "n_boot": self.n_boot, "n_grid": int(self.grid.size)}


def _reductions(U: np.ndarray, Ginv: np.ndarray, e0: np.ndarray) -> np.ndarray:
    """``S0 - S1(g) = b_g' (u_g'u_g)^{-1} b_g`` with ``b_g = u_g' e0``, for e0 of shape (n,) or (n, B)."""
    n, m, k = U.shape
    e = e0.reshape(n, -1)
    b = (U.reshape(n, m * k).T @ e).reshape(m, k, -1)  # (m, k, B)
    red = np.einsum("mib,mij,mjb->mb", b, Ginv, b)
    return red if e0.ndim == 2 else red[:, 0]


def hansen_threshold(
    df: pd.DataFrame,
    y: str,
    regime: Sequence[str],
    threshold: str,
    fixed: Sequence[str] = (),
    entity: str = "country",
    time: str = "period",
    *,
    time_effects: bool = True,
    trim: float = 0.10,
    max_grid: int = 400,
    n_boot: int = 300,
    level: float = 0.95,
    seed: int | np.random.Generator = 0,
    cov_type: str = "clustered",
    spec: str = "",
) -> ThresholdResult:
    """Single-threshold fixed-effects panel regression, test and confidence set (Hansen 1999).

    Parameters
    ----------
    df : balanced tidy panel with ``entity``, ``time``, ``y``, the ``regime`` regressors (whose
        slopes switch at the threshold), the ``fixed`` regressors and the ``threshold``
        variable ``q`` (which may also be among ``fixed``); columns are used as given
        (standardize before, as :func:`~gvc_abm.analysis.econometrics.qy_threshold` does).
    time_effects : include time dummies (Qu & Yang's ``eta_t``).
    trim : share of the lowest and of the highest ``q`` left out of the search (0 < trim < 0.5).
    max_grid : at most this many candidate thresholds (:func:`threshold_grid`).
    n_boot : bootstrap replications for the p-value of ``F1`` (Qu & Yang use 500).
    level : confidence level of the set for ``g``; critical value :func:`critical_value`.
    seed : an int or a numpy ``Generator``; the same seed gives the same p-value.
    cov_type : errors of the slopes at ``g_hat`` (:func:`~.panel.panel_regression`).

    Returns
    -------
    :class:`ThresholdResult`; its ``table`` names the split slopes ``x_below`` (q <= g_hat)
    and ``x_above`` (:func:`regime_terms`).
    """
    regime, fixed = list(regime), list(fixed)
    if not regime:
        raise EconometricsError("threshold: no regime-dependent regressor")
    if n_boot < 1:
        raise EconometricsError(f"threshold: n_boot {n_boot} is below 1")
    if cov_type not in COV_TYPES:
        raise EconometricsError(f"threshold: cov_type {cov_type!r} is not one of {', '.join(COV_TYPES)}")
    crit = critical_value(level)
    data = tidy_panel(df, entity, time, [y, *regime, *fixed, threshold])
    sizes = data.groupby(entity, sort=False)[time].agg(["size"])
    periods = np.sort(data[time].unique())
    if (sizes["size"] != periods.size).any():
        short = sizes.index[sizes["size"] != periods.size][0]
        raise EconometricsError(
            f"threshold: the panel is unbalanced ({entity} {short!r} has {sizes.loc[short, 'size']} of {periods.size} "
            f"periods); Hansen's bootstrap resamples whole entities"
        )
    n_ent, n_t = len(sizes), periods.size
    n = len(data)
    ent_codes = np.repeat(np.arange(n_ent), n_t)  # rows sorted by (entity, time)
    time_codes = np.searchsorted(periods, data[time].to_numpy()) if time_effects else None
    yv = data[y].to_numpy(dtype=float)
    X = data[regime].to_numpy(dtype=float)
    W = data[fixed].to_numpy(dtype=float) if fixed else np.zeros((n, 0))
    q = data[threshold].to_numpy(dtype=float)

    grid = threshold_grid(q, trim, max_grid)
    M = WithinAnnihilator(ent_codes, np.hstack([W, X]), time_codes)
    e0 = M(yv)
    S0 = float(e0 @ e0)
    below = q[:, None] <= grid[None, :]  # (n, m)
    U = M(X[:, None, :] * below[:, :, None])  # (n, m, k)
    UtU = np.einsum("nmi,nmj->mij", U, U)
    Ginv = np.linalg.pinv(UtU, hermitian=True)
    red = _reductions(U, Ginv, e0)
    ssr = S0 - red
    j = int(np.argmin(ssr))
    S1 = float(ssr[j])
    dof = n - n_ent  # n (T - 1), Hansen (1999) eq. 9
    sigma2 = S1 / dof
    lr = (ssr - S1) / sigma2 if sigma2 > 0 else np.where(ssr > S1, np.inf, 0.0)
    inside = grid[lr <= crit]
    F = (S0 - S1) / sigma2 if sigma2 > 0 else np.inf

    # fixed-regressor bootstrap (section 3.1): the threshold model's residuals, resampled by entity
    b_hat = Ginv[j] @ (U[:, j, :].T @ e0)
    resid = (e0 - U[:, j, :] @ b_hat).reshape(n_ent, n_t)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    draws = rng.integers(0, n_ent, size=(n_boot, n_ent))
    boot_F = np.empty(n_boot)
    for start in range(0, n_boot, _BOOT_CHUNK):
        idx = draws[start:start + _BOOT_CHUNK]
        E = resid[idx].reshape(len(idx), n).T  # (n, B): sample b gives entity i the residuals of entity idx[b, i]
        e0b = M(E)
        red_b = _reductions(U, Ginv, e0b)
        top = red_b.max(axis=0)
        s1b = (e0b * e0b).sum(axis=0) - top
        with np.errstate(divide="ignore", invalid="ignore"):
            boot_F[start:start + len(idx)] = np.where(s1b > 0, top / (s1b / dof), np.inf)
    p_value = float(np.mean(boot_F > F)) if np.isfinite(F) else 0.0

    gamma = float(grid[j])
    split = data.copy()
    terms = []
    for c in regime:
        lo_name, hi_name = regime_terms(c)
        split[lo_name] = np.where(q <= gamma, split[c], 0.0)
        split[hi_name] = np.where(q > gamma, split[c], 0.0)
        terms += [lo_name, hi_name]
    table = panel_regression(split, y, [*terms, *fixed], entity, time, time_effects=time_effects,
                             cov_type=cov_type, spec=spec)
    return ThresholdResult(
        gamma=gamma, ci_low=float(inside.min()), ci_high=float(inside.max()), F=float(F), p_value=p_value,
        S0=S0, S1=S1, sigma2=float(sigma2), critical_value=crit, level=level, trim=trim, n_boot=n_boot,
        grid=grid, ssr=ssr, lr=lr, boot_F=boot_F, table=table,
    )
