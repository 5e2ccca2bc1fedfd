"""The papers' econometrics: panel regressions, Hansen (1999) thresholds, the KOF-like index, the tables.

Every synthetic panel is built from known coefficients with country and time effects that
are correlated with the regressors (so pooled OLS would be biased), and with errors that are
serially correlated within a country (so only clustered errors are right).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from linearmodels import PanelOLS
from scipy import stats

from gvc_abm.analysis.econometrics import (
    QY_REGRESSORS, glz_regression, growth_gap, kof_trade_index, paper_table, qy_changes, qy_levels, qy_table1,
    qy_threshold,
)
from gvc_abm.analysis.panel import TABLE_COLUMNS, EconometricsError, panel_regression
from gvc_abm.analysis.threshold import WithinAnnihilator, critical_value, hansen_threshold, threshold_grid

BETA = {"x1": 1.5, "x2": -0.8, "x3": 0.3}


def _effects_panel(seed: int, n: int = 30, T: int = 10, noise: float = 0.5, rho: float = 0.6) -> pd.DataFrame:
    """y = a_i + l_t + sum_j BETA_j x_j + e, x correlated with a_i and l_t, e AR(1) within a country."""
    rng = np.random.default_rng(seed)
    c, t = np.repeat(np.arange(n), T), np.tile(np.arange(T), n)
    a, lt = rng.normal(size=n), rng.normal(size=T)
    df = pd.DataFrame({"country": [f"c{i:02d}" for i in c], "period": t})
    for j, name in enumerate(BETA):
        df[name] = 0.7 * a[c] + 0.5 * lt[t] * (j - 1) + rng.normal(size=n * T)
    shocks = rng.normal(size=(n, T))
    e = np.empty((n, T))
    e[:, 0] = shocks[:, 0]
    for s in range(1, T):
        e[:, s] = rho * e[:, s - 1] + np.sqrt(1 - rho**2) * shocks[:, s]
    df["y"] = 2.0 + 3.0 * a[c] - 2.0 * lt[t] + sum(b * df[k] for k, b in BETA.items()) + noise * e.reshape(-1)
    return df


def _break_panel(seed: int, gamma: float = 0.5, b_low: float = -0.5, b_high: float = -1.5, n: int = 30,
                 T: int = 12, noise: float = 0.5) -> pd.DataFrame:
    """A panel whose slope on x switches from b_low to b_high where q crosses gamma (Hansen 1999, eq. 1)."""
    rng = np.random.default_rng(seed)
    c, t = np.repeat(np.arange(n), T), np.tile(np.arange(T), n)
    a, lt = rng.normal(size=n), rng.normal(size=T)
    q = np.clip(0.5 + 0.15 * a[c] + 0.2 * rng.normal(size=n * T), 0.0, 1.0)
    x = 0.5 * a[c] + rng.normal(size=n * T)
    w = rng.normal(size=n * T)
    y = a[c] + lt[t] + np.where(q <= gamma, b_low, b_high) * x + 0.3 * w + 0.2 * q + noise * rng.normal(size=n * T)
    return pd.DataFrame({"country": [f"c{i:02d}" for i in c], "period": t, "y": y, "x": x, "w": w, "q": q})


def _coef(table: pd.DataFrame, term: str, col: str = "coef") -> float:
    return float(table.loc[table["term"] == term, col].iloc[0])


# ---------------------------------------------------------------------------- panel_regression
def test_noiseless_panel_recovers_coefficients_exactly():
    df = _effects_panel(0, noise=0.0)
    table = panel_regression(df, "y", list(BETA))
    assert list(table.columns) == list(TABLE_COLUMNS)
    assert list(table["term"]) == ["const", *BETA]
    for k, b in BETA.items():
        assert _coef(table, k) == pytest.approx(b, abs=1e-10)
    assert table["r2"].iloc[0] == pytest.approx(1.0, abs=1e-12)
    assert table["ssr"].iloc[0] == pytest.approx(0.0, abs=1e-18)
    assert (table["nobs"] == 300).all() and (table["n_entities"] == 30).all() and (table["n_periods"] == 10).all()


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_noisy_panel_recovers_coefficients_within_three_clustered_errors(seed):
    table = panel_regression(_effects_panel(seed), "y", list(BETA))
    for k, b in BETA.items():
        coef, se = _coef(table, k), _coef(table, k, "std_err")
        assert abs(coef - b) < 3.0 * se, (k, coef, se)
        lo, hi = _coef(table, k, "ci_low"), _coef(table, k, "ci_high")
        dof = 300 - 4 - 29 - 9  # observations - (const + 3 slopes) - entity and time effects
        assert lo < coef < hi and (hi - lo) == pytest.approx(2 * stats.t.ppf(0.975, dof) * se, rel=1e-12)


def test_fixed_effects_matter_pooled_ols_is_biased():
    # the regressors load on the country effect a_i, so without entity effects x1 absorbs part of 3 a_i
    df = _effects_panel(1)
    pooled = panel_regression(df, "y", list(BETA), entity_effects=False, time_effects=False)
    fe = panel_regression(df, "y", list(BETA))
    assert abs(_coef(pooled, "x1") - BETA["x1"]) > 5 * _coef(pooled, "x1", "std_err")
    assert abs(_coef(fe, "x1") - BETA["x1"]) < 3 * _coef(fe, "x1", "std_err")


def test_standardized_coefficients_are_beta_times_sd_ratio():
    # z-scoring is affine: b_std = b sd(x) / sd(y), the constants going into the effects
    df = _effects_panel(2, noise=0.0)
    table = panel_regression(df, "y", list(BETA), standardize_columns=True)
    for k, b in BETA.items():
        assert _coef(table, k) == pytest.approx(b * df[k].std() / df["y"].std(), abs=1e-10)


def test_clustered_errors_differ_from_classical_with_serially_correlated_errors():
    df = _effects_panel(3, rho=0.9)
    kinds = {ct: panel_regression(df, "y", ["x1"], cov_type=ct) for ct in ("clustered", "robust", "unadjusted")}
    coefs = {ct: _coef(t, "x1") for ct, t in kinds.items()}
    assert coefs["clustered"] == coefs["robust"] == coefs["unadjusted"]
    assert _coef(kinds["clustered"], "x1", "std_err") != pytest.approx(_coef(kinds["unadjusted"], "x1", "std_err"), rel=1e-3)


def test_panel_regression_reads_a_multiindex_and_names_bad_input():
    df = _effects_panel(4, noise=0.0)
    table = panel_regression(df.set_index(["country", "period"]), "y", ["x1", "x2", "x3"])
    assert _coef(table, "x2") == pytest.approx(BETA["x2"], abs=1e-10)
    with pytest.raises(EconometricsError, match="no column 'zz'"):
        panel_regression(df, "y", ["x1", "zz"])
    with pytest.raises(EconometricsError, match="cov_type"):
        panel_regression(df, "y", ["x1"], cov_type="hac")
    with pytest.raises(EconometricsError, match="duplicated"):
        panel_regression(pd.concat([df, df.iloc[:1]]), "y", ["x1"])
    with pytest.raises(EconometricsError, match="no variation"):
        panel_regression(df.assign(k=1.0), "y", ["x1", "k"], standardize_columns=True)
    with pytest.raises(EconometricsError, match="absorbed"):
        panel_regression(df.assign(k=df["country"].str[1:].astype(float)), "y", ["x1", "k"])


# ---------------------------------------------------------------------------- Qu & Yang eq. 16-18
def _qy_panel(seed: int, n: int = 21, T: int = 16, noise: float = 0.0) -> tuple[pd.DataFrame, dict]:
    """21 countries x 16 years like Qu & Yang's panel; gvcp from known slopes on omega, mu, nu, gr."""
    rng = np.random.default_rng(seed)
    c, t = np.repeat(np.arange(n), T), np.tile(np.arange(T), n)
    a = rng.normal(size=n)
    df = pd.DataFrame({"country": [f"C{i:02d}" for i in c], "period": t})
    df["omega"] = np.clip(0.6 + 0.1 * a[c] + 0.05 * rng.normal(size=n * T), 0.05, 0.99)
    df["mu"] = np.clip(0.7 + 0.05 * rng.normal(size=n * T) + 0.05 * a[c], 0.05, 0.99)
    df["nu"] = 0.35 + 0.03 * rng.normal(size=n * T)
    growth = 0.02 + 0.01 * a[c] + 0.02 * rng.normal(size=n * T)
    df["gdp"] = np.exp(np.log(100.0 + 50 * np.abs(a))[c] + pd.Series(growth).groupby(c).cumsum().to_numpy())
    df["gr"] = growth_gap(df)
    slopes = {"omega": -0.9, "mu": -0.6, "nu": -1.2, "gr": -0.4}
    df["gvcp_qy"] = 0.5 + 0.2 * a[c] + 0.01 * t + sum(b * df[k] for k, b in slopes.items()) + noise * rng.normal(size=n * T)
    return df, slopes


def test_growth_gap_by_hand():
    df = pd.DataFrame({"country": ["A"] * 3 + ["B"] * 3, "period": [0, 1, 2] * 2,
                       "gdp": [100.0, 110.0, 121.0, 100.0, 100.0, 90.0]})
    gr = growth_gap(df)
    world2 = 211.0 / 210.0 - 1.0  # world GDP 200 -> 210 -> 211
    np.testing.assert_allclose(gr.to_numpy(), [np.nan, 0.05, 0.10 - world2, np.nan, -0.05, -0.10 - world2], atol=1e-15)
    mean = growth_gap(df, world="mean")  # mean of the rates: 0.05 in period 1, 0 in period 2
    np.testing.assert_allclose(mean.to_numpy(), [np.nan, 0.05, 0.10, np.nan, -0.05, -0.10], atol=1e-15)
    with pytest.raises(EconometricsError, match="duplicated"):
        growth_gap(pd.concat([df, df.iloc[:1]]))


def test_growth_gap_weighted_by_last_gdp_sums_to_zero():
    # sum_i GDP_i,t-1 (g_it - g_world_t) = sum_i GDP_it - (1 + g_world) sum_i GDP_i,t-1 = 0
    df, _ = _qy_panel(7)
    lag = df.groupby("country")["gdp"].shift(1)
    sums = (lag * df["gr"]).groupby(df["period"]).sum().iloc[1:]
    np.testing.assert_allclose(sums.to_numpy(), 0.0, atol=1e-9)


def test_qy_levels_eq16_recovers_standardized_slopes_exactly():
    df, slopes = _qy_panel(0)
    table = qy_levels(df.drop(columns="gr"))  # the growth gap is rebuilt from gdp
    assert set(table["spec"]) == {"eq16"} and table["nobs"].iloc[0] == 21 * 15
    sample = df.dropna()
    for k, b in slopes.items():
        assert _coef(table, k) == pytest.approx(b * sample[k].std() / sample["gvcp_qy"].std(), abs=1e-9)


def test_qy_levels_eq17_with_controls_and_kww_measure():
    df, slopes = _qy_panel(1)
    df["log_pop"] = np.log(1.0 + df["gdp"]) ** 0.5 + np.sin(df["period"] + df.index)  # varies within country
    df["gvcp_kww"] = df["gvcp_qy"] + 0.25 * df["log_pop"]
    table = qy_levels(df, y="gvcp_kww", controls=["log_pop"])
    assert set(table["spec"]) == {"eq17"}
    sample = df.dropna()
    assert _coef(table, "mu") == pytest.approx(slopes["mu"] * sample["mu"].std() / sample["gvcp_kww"].std(), abs=1e-9)
    assert _coef(table, "log_pop") == pytest.approx(0.25 * sample["log_pop"].std() / sample["gvcp_kww"].std(), abs=1e-9)


@pytest.mark.parametrize("k", [2, 4])
def test_qy_changes_eq18(k):
    df, slopes = _qy_panel(2)
    table = qy_changes(df, k)
    sample = df.dropna()  # levels are z-scored over this sample, then differenced
    assert set(table["spec"]) == {f"eq18_d{k}"}
    assert table["nobs"].iloc[0] == 21 * (15 - k)
    for key, b in slopes.items():
        assert _coef(table, key) == pytest.approx(b * sample[key].std() / sample["gvcp_qy"].std(), abs=1e-9)


def test_qy_table1_lines_up_with_the_papers_table():
    df, _ = _qy_panel(3, noise=0.05)
    df["log_pop"] = np.cos(df.index * 0.37)
    ours = qy_table1(df, controls=["log_pop"])
    paper = paper_table("qy_table1")
    both = paper.merge(ours, on=["spec", "term"], suffixes=("_paper", ""))
    assert len(both) == len(paper) == 16  # every published cell has a simulated estimate beside it
    assert (both["coef"] < 0).all()  # this panel was built with negative slopes, as Table 1 reports


# ---------------------------------------------------------------------------- Hansen (1999)
def test_critical_value_of_hansen():
    assert critical_value(0.95) == pytest.approx(7.35, abs=0.005)  # Hansen (1999) Table 1 / eq. 16
    assert critical_value(0.90) == pytest.approx(-2 * np.log(1 - np.sqrt(0.90)), abs=1e-15)
    assert critical_value(0.99) > critical_value(0.95) > critical_value(0.90)


def test_threshold_grid_respects_trimming():
    q = np.random.default_rng(0).uniform(size=1000)
    grid = threshold_grid(q, trim=0.15)
    assert grid.min() >= np.quantile(q, 0.15) and grid.max() <= np.quantile(q, 0.85)
    assert np.isin(grid, q).all() and np.all(np.diff(grid) > 0)
    assert threshold_grid(q, trim=0.05, max_grid=50).size == 50
    with pytest.raises(EconometricsError, match="trim"):
        threshold_grid(q, trim=0.6)


def test_within_annihilator_matches_panelols():
    # the within estimator (entity demeaning + time dummies) is linearmodels' two-way PanelOLS
    df = _effects_panel(6)
    X = df[list(BETA)].to_numpy()
    M = WithinAnnihilator(np.repeat(np.arange(30), 10), np.zeros((300, 0)), df["period"].to_numpy())
    beta, *_ = np.linalg.lstsq(M(X), M(df["y"].to_numpy()), rcond=None)
    res = PanelOLS(df.set_index(["country", "period"])["y"], df.set_index(["country", "period"])[list(BETA)],
                   entity_effects=True, time_effects=True).fit()
    np.testing.assert_allclose(beta, res.params[list(BETA)].to_numpy(), rtol=1e-10, atol=1e-12)
    resid = M(df["y"].to_numpy()) - M(X) @ beta
    assert resid @ resid == pytest.approx(res.resid_ss, rel=1e-10)


def test_threshold_sums_of_squares_match_panelols():
    # S0 is the linear model's SSR and S1(g_hat) the split model's, both as PanelOLS computes them
    df = _break_panel(0)
    r = hansen_threshold(df, "y", ["x"], "q", ["w", "q"], n_boot=20, seed=0)
    linear = panel_regression(df, "y", ["x", "w", "q"])
    assert r.S0 == pytest.approx(linear["ssr"].iloc[0], rel=1e-10)
    assert r.S1 == pytest.approx(r.table["ssr"].iloc[0], rel=1e-10)
    assert r.S1 == pytest.approx(r.ssr.min(), rel=1e-15) and r.gamma == r.grid[np.argmin(r.ssr)]
    assert r.sigma2 == pytest.approx(r.S1 / (360 - 30), rel=1e-15)  # n (T - 1), Hansen eq. 9
    assert r.F == pytest.approx((r.S0 - r.S1) / r.sigma2, rel=1e-12)
    assert (r.lr >= -1e-9).all() and r.lr[np.argmin(r.ssr)] == 0.0


def test_threshold_found_in_panels_with_a_break():
    z = []
    for seed in (0, 1, 2):
        r = hansen_threshold(_break_panel(seed), "y", ["x"], "q", ["w", "q"], n_boot=100, seed=seed)
        assert r.p_value < 0.05, seed
        assert r.ci_low <= 0.5 <= r.ci_high, seed  # the LR set covers the true threshold
        assert r.ci_low <= r.gamma <= r.ci_high and r.ci_high - r.ci_low < 0.1, seed
        z += [(_coef(r.table, term) - b) / _coef(r.table, term, "std_err")
              for term, b in (("x_below", -0.5), ("x_above", -1.5), ("w", 0.3))]
    # slopes at g_hat: z-scores of a correct estimator with correct errors. Seed 2's x_above is a
    # 3.5 s.e. draw (the same at the true threshold: it is the sample, not g_hat), so each draw is
    # bounded at 4 and the nine together by their root mean square (about 1; above 2 has chi2(9) p = 4e-5)
    z = np.array(z)
    assert np.abs(z).max() < 4.0 and np.sqrt(np.mean(z**2)) < 2.0, z


def test_no_threshold_in_a_panel_without_one():
    # under the null the bootstrap p-value is about uniform: over 10 panels, p > 0.1 in most
    # (at most 3 of 10 below 0.1 has probability 0.987 if the test has its size) and about 0.5 on average
    ps = np.array([hansen_threshold(_break_panel(s, b_high=-0.5), "y", ["x"], "q", ["w", "q"], n_boot=100,
                                    seed=s).p_value for s in range(10, 20)])
    assert (ps <= 0.1).sum() <= 3, ps
    assert 0.25 < ps.mean() < 0.75, ps


def test_threshold_is_deterministic_for_a_seed():
    df = _break_panel(3, b_high=-0.7)
    a = hansen_threshold(df, "y", ["x"], "q", ["w"], n_boot=60, seed=11)
    b = hansen_threshold(df, "y", ["x"], "q", ["w"], n_boot=60, seed=np.random.default_rng(11))
    c = hansen_threshold(df, "y", ["x"], "q", ["w"], n_boot=60, seed=12)
    np.testing.assert_array_equal(a.boot_F, b.boot_F)
    assert a.p_value == b.p_value and a.gamma == c.gamma and a.F == c.F
    assert not np.array_equal(a.boot_F, c.boot_F)


def test_threshold_rejects_unbalanced_panels():
    df = _break_panel(0).iloc[1:]
    with pytest.raises(EconometricsError, match="unbalanced"):
        hansen_threshold(df, "y", ["x"], "q", n_boot=10)


def test_qy_threshold_eq19_finds_the_omega_break():
    df, _ = _qy_panel(4)
    rng = np.random.default_rng(4)
    phi = float(df["omega"].median())
    df["gvcp_qy"] = (df["gvcp_qy"] + np.where(df["omega"] > phi, -0.8, 0.0) * df["mu"] / df["mu"].std()
                     + 0.05 * rng.normal(size=len(df)))
    r = qy_threshold(df, "mu", n_boot=50, seed=4)
    assert r.table["spec"].iloc[0] == "eq19"
    assert set(r.table["term"]) == {"const", "mu_below", "mu_above", "omega", "nu", "gr"}
    assert r.p_value < 0.05 and r.ci_low <= phi <= r.ci_high
    assert _coef(r.table, "mu_above") < _coef(r.table, "mu_below")  # steeper above the threshold, as Table 3


# ---------------------------------------------------------------------------- Gao, Li & Zhu eq. 2-3
def test_kof_trade_index_moves_the_right_way():
    base = kof_trade_index([0.05, 0.10, 0.20], [1, 1, 1], [2, 2, 2], tariff_max=0.4, restrictions_max=10)
    assert np.all(np.diff(base) < 0)  # higher tariffs, lower index
    blocs = kof_trade_index([0.1, 0.1], [0, 1], [2, 2], tariff_max=0.4, restrictions_max=10)
    assert blocs[1] > blocs[0]
    measures = kof_trade_index([0.1, 0.1], [1, 1], [0, 5], tariff_max=0.4, restrictions_max=10)
    assert measures[1] < measures[0]
    # by hand: T = 100 (1 - 0.1/0.4) = 75, A = 100, R = 100 (1 - 5/10) = 50 -> mean 75
    assert measures[1] == pytest.approx(75.0, abs=1e-12)
    assert kof_trade_index(0.0, 1.0, 0.0) == pytest.approx(100.0)
    assert kof_trade_index([0.0, 0.3], [1, 0], [0, 4])[1] == pytest.approx(0.0)  # the worst on every count


def test_kof_trade_index_series_in_series_out_and_bad_input():
    idx = pd.Index(["A", "B"], name="country")
    out = kof_trade_index(pd.Series([0.0, 0.2], index=idx), np.array([1, 0]), np.array([0, 3]), weights=(2, 1, 1))
    assert isinstance(out, pd.Series) and out.index.equals(idx)
    assert out["A"] == pytest.approx(100.0) and out["B"] == pytest.approx(0.0)
    with pytest.raises(EconometricsError, match="tariff must be"):
        kof_trade_index([-0.1], [1], [0])
    with pytest.raises(EconometricsError, match="weights"):
        kof_trade_index([0.1], [1], [0], weights=(1, 1))


def test_glz_regression_by_development_group():
    # index = c_i + l_t + b_g TBI: b = 2 for advanced, 10 for developing (Table 4's pattern)
    rng = np.random.default_rng(5)
    n, T = 20, 15
    c, t = np.repeat(np.arange(n), T), np.tile(np.arange(T), n)
    group = np.where(np.arange(n) < 10, "advanced", "developing")[c]
    tbi = rng.normal(scale=0.1, size=n * T)
    df = pd.DataFrame({"country": c, "period": t, "group": group, "tbi": tbi,
                       "kof_trade": 70 + rng.normal(size=n)[c] + rng.normal(size=T)[t]
                       + np.where(group == "advanced", 2.0, 10.0) * tbi})
    table = glz_regression(df)
    assert list(table["sample"].unique()) == ["all", "advanced", "developing"]
    tb = table[table["term"] == "tbi"].set_index("sample")["coef"]
    assert tb["advanced"] == pytest.approx(2.0, abs=1e-10) and tb["developing"] == pytest.approx(10.0, abs=1e-10)
    assert 2.0 < tb["all"] < 10.0
    assert table.loc[table["sample"] == "advanced", "nobs"].iloc[0] == 150
    with pytest.raises(EconometricsError, match="changes within"):
        glz_regression(df.assign(group=np.where(df["period"] < 3, "advanced", df["group"])))


# ---------------------------------------------------------------------------- the papers' tables
def test_paper_tables_hold_the_published_numbers():
    t1 = paper_table("qy_table1").set_index(["spec", "term"])
    # QY-T1 in FACTS.md: -0.5244, -0.5025, -0.7903, -0.6836, R^2 0.75
    assert [t1.loc[("eq16", k), "coef"] for k in QY_REGRESSORS] == [-0.5244, -0.5025, -0.7903, -0.6836]
    assert t1.loc[("eq16", "omega"), "r2"] == 0.7516 and t1.loc[("eq18_d4", "nu"), "stars"] == ""
    t2 = paper_table("qy_table2").set_index(["regime", "thresholds"])
    assert t2.loc[("mu", "single"), "gamma"] == 0.3454 and t2.loc[("nu", "single"), "gamma"] == 0.3785
    assert t2.loc[("mu", "single"), "ci_low"] == 0.3386 and t2.loc[("mu", "single"), "p_value"] == 0.034
    t3 = paper_table("qy_table3").set_index(["spec", "term"])
    assert t3.loc[("eq19", "mu_below"), "coef"] == -0.5041 and t3.loc[("eq19", "mu_above"), "coef"] == -0.7116
    t4 = paper_table("glz_table4").set_index(["spec", "term"])
    assert t4.loc[("glz_t4_4", "tbi"), "coef"] == 17.6526 and t4.loc[("glz_t4_4", "tbi"), "std_err"] == 8.2024
    assert t4.loc[("glz_t4_4", "tbi"), "sample"] == "developing" and t4.loc[("glz_t4_4", "tbi"), "nobs"] == 285
    assert len(paper_table("glz_table3")) == 22
    table = paper_table("qy_table1")
    table.loc[0, "coef"] = 0.0  # a fresh copy: editing it leaves the module's table alone
    assert paper_table("qy_table1").loc[0, "coef"] == -0.5244
    with pytest.raises(EconometricsError, match="unknown table"):
        paper_table("qy_table9")
