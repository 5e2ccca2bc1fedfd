"""Fixed-effects panel regressions on tidy frames, one row per (entity, time).

The estimator is linearmodels' ``PanelOLS`` (the two-way within estimator):
``y_it = b' x_it + a_i + l_t + e_it``, with errors clustered by entity (Arellano 1987;
Cameron & Miller 2015) unless asked otherwise. The result is a tidy frame, one row per
coefficient, that carries the fit statistics of its regression, so several specifications
concatenate into one table and line up with a paper's published one (see
:mod:`~gvc_abm.analysis.econometrics`). Nothing here knows about the simulation.

References
----------
1. Wooldridge, J. M. (2010). *Econometric Analysis of Cross Section and Panel Data*, 2nd ed.,
   ch. 10 (fixed-effects estimation).
2. Cameron, A. C., & Miller, D. L. (2015). A practitioner's guide to cluster-robust inference.
   *Journal of Human Resources* 50(2), 317-372.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["TABLE_COLUMNS", "COV_TYPES", "EconometricsError", "panel_regression", "standardize", "tidy_panel"]

#: Columns of every regression table of this package, in order.
TABLE_COLUMNS = (
    "spec", "term", "coef", "std_err", "t", "p", "ci_low", "ci_high",
    "r2", "r2_within", "r2_overall", "nobs", "n_entities", "n_periods", "ssr", "cov_type",
)
#: Covariance estimators: errors clustered by entity, heteroskedasticity-robust (White), classical.
COV_TYPES = ("clustered", "robust", "unadjusted")


class EconometricsError(ValueError):
    """Data or a specification the estimators cannot use; the message names the column or option."""


def tidy_panel(df: pd.DataFrame, entity: str, time: str, columns: Sequence[str]) -> pd.DataFrame:
    """``df`` as a frame with columns ``entity``, ``time`` and ``columns``, sorted, complete rows only.

    ``entity`` and ``time`` may be columns or index levels. Raises :class:`EconometricsError`
    naming a missing column, a duplicated (entity, time) pair, or a sample left empty.
    """
    if not isinstance(df, pd.DataFrame):
        raise EconometricsError(f"panel: expected a pandas DataFrame, got {type(df).__name__}")
    if entity not in df.columns or time not in df.columns:
        df = df.reset_index()
    needed = list(dict.fromkeys([entity, time, *columns]))
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise EconometricsError(f"panel: no column {', '.join(repr(c) for c in missing)}")
    out = df[needed].dropna()
    if out.empty:
        raise EconometricsError(f"panel: no complete rows in {', '.join(needed)}")
    if out.duplicated([entity, time]).any():
        raise EconometricsError(f"panel: duplicated ({entity}, {time}) rows")
    return out.sort_values([entity, time], kind="stable").reset_index(drop=True)


def standardize(values: pd.Series) -> pd.Series:
    """z-score ``(v - mean(v)) / sd(v)`` over the sample (``sd`` with n - 1 degrees of freedom).

    Qu & Yang (2023, section 5.1): "All variables have been standardized", so their
    coefficients are in standard deviations of GVC participation per standard deviation of a
    regressor. Raises :class:`EconometricsError` for a column without variation.
    """
    sd = float(values.std(ddof=1))
    if not np.isfinite(sd) or sd == 0.0:
        raise EconometricsError(f"standardize: column {values.name!r} has no variation")
    return (values - values.mean()) / sd


def panel_regression(
    df: pd.DataFrame,
    y: str,
    x: Sequence[str],
    entity: str = "country",
    time: str = "period",
    *,
    entity_effects: bool = True,
    time_effects: bool = True,
    standardize_columns: Sequence[str] | bool = False,
    cov_type: str = "clustered",
    constant: bool = True,
    level: float = 0.95,
    spec: str = "",
) -> pd.DataFrame:
    """Fixed-effects panel regression ``y_it = c + b' x_it + a_i + l_t + e_it`` (PanelOLS).

    Parameters
    ----------
    df : tidy frame with ``entity``, ``time``, ``y`` and ``x`` (columns or index levels);
        rows with a missing value in any of them are dropped.
    entity_effects, time_effects : include the entity effects ``a_i`` / time effects ``l_t``.
    standardize_columns : columns to z-score (:func:`standardize`) over the estimation sample
        before fitting; ``True`` means ``y`` and every ``x``.
    cov_type : ``"clustered"`` (by entity), ``"robust"`` (White) or ``"unadjusted"``.
    constant : report the intercept ``c`` (with effects it is their sample mean; linearmodels).
    level : coverage of the confidence interval ``coef -/+ q * std_err``, ``q`` the quantile of
        t with the residual degrees of freedom (linearmodels' default small-sample version,
        also used for ``p``).
    spec : label written in the ``spec`` column.

    Returns
    -------
    DataFrame with :data:`TABLE_COLUMNS`, one row per term (``const`` first when present).
    ``r2`` is linearmodels' R^2 of the regression net of the effects (the within R^2 of the
    two-way model), ``r2_within`` the R^2 net of entity means only, ``r2_overall`` the squared
    fit of the levels; ``ssr`` the sum of squared residuals.
    """
    from linearmodels import PanelOLS
    from linearmodels.panel.utility import AbsorbingEffectError

    x = list(x)
    if not x:
        raise EconometricsError("panel_regression: no regressor in x")
    if y in x:
        raise EconometricsError(f"panel_regression: {y!r} is both the dependent variable and a regressor")
    if cov_type not in COV_TYPES:
        raise EconometricsError(f"panel_regression: cov_type {cov_type!r} is not one of {', '.join(COV_TYPES)}")
    if not 0.0 < level < 1.0:
        raise EconometricsError(f"panel_regression: level {level} is not in (0, 1)")
    data = tidy_panel(df, entity, time, [y, *x])
    to_scale = [y, *x] if standardize_columns is True else list(standardize_columns or [])
    for c in to_scale:
        if c not in data.columns:
            raise EconometricsError(f"panel_regression: cannot standardize {c!r}, not in the regression")
        data[c] = standardize(data[c].astype(float))
    data = data.set_index([entity, time])
    exog = data[x].astype(float)
    if constant:
        exog.insert(0, "const", 1.0)
    n_entities = data.index.get_level_values(0).nunique()
    if cov_type == "clustered" and n_entities < 2:
        raise EconometricsError("panel_regression: clustered errors need at least two entities")
    model = PanelOLS(data[y].astype(float), exog, entity_effects=entity_effects, time_effects=time_effects)
    fit_kw = {"cov_type": cov_type, "cluster_entity": True} if cov_type == "clustered" else {"cov_type": cov_type}
    try:
        res = model.fit(**fit_kw)
    except AbsorbingEffectError as exc:
        raise EconometricsError(f"panel_regression: a regressor is absorbed by the fixed effects ({exc})") from exc
    ci = res.conf_int(level)
    terms = list(exog.columns)
    table = pd.DataFrame({
        "spec": spec,
        "term": terms,
        "coef": res.params[terms].to_numpy(),
        "std_err": res.std_errors[terms].to_numpy(),
        "t": res.tstats[terms].to_numpy(),
        "p": res.pvalues[terms].to_numpy(),
        "ci_low": ci["lower"][terms].to_numpy(),
        "ci_high": ci["upper"][terms].to_numpy(),
        "r2": float(res.rsquared),
        "r2_within": float(res.rsquared_within),
        "r2_overall": float(res.rsquared_overall),
        "nobs": int(res.nobs),
        "n_entities": int(n_entities),
        "n_periods": int(data.index.get_level_values(1).nunique()),
        "ssr": float(res.resid_ss),
        "cov_type": cov_type,
    })
    return table[list(TABLE_COLUMNS)]
