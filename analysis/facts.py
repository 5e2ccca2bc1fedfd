"""The stylized facts of the seed papers, and how a batch of simulated runs is held against each.

One :class:`Fact` per row of the project's fact list (ids and sources as the design documents
give them): what the paper says, the criterion, which measure the verdict uses and whether the
fact is *emergent* (nothing in the agents' rules states it) or *assumed* (a rule or a driver
encodes it; such a pass is no evidence and does not count toward the total). Each
``evaluate_<fact>`` is a pure function of the tidy tables of one or more experiments
(:class:`Experiment`: the batch's run, global, regions and flows tables with each run's design
point and replicate) and returns a :class:`FactResult`: the estimate, its 95 % interval across
seeds (Student's t over replicates, :func:`mean_interval`), the verdict on the stated criterion,
for levels how far off (a ratio or a difference in ``detail``), and the series a figure draws.

Criteria (the fact list's rule): a fact about a sign or an ordering passes when the whole
interval has the right sign; a level is compared as a ratio or a difference and says how far it
is. Which participation measure: QY-* facts use Qu & Yang's eq. 13 (``gvcp_qy``), Z-* facts
KWW's ``(DVX + FVA) / Ex`` (``gvcp_kww``); both are reported where a fact is about participation.
Welfare is the expenditure-weighted mean of log real-income changes against the same seed
without the shock (:func:`~.welfare.world_welfare_change`). Periods of the historical scenario
are years ``2000 + t``. Nothing here imports the simulation.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .econometrics import QY_REGRESSORS, glz_regression, growth_gap, kof_trade_index, qy_levels, qy_threshold
from .examples import qu_yang_R_T
from .panel import EconometricsError
from .welfare import world_welfare_change

__all__ = ["Fact", "FACTS", "FACT_IDS", "Experiment", "FactResult", "mean_interval", "EVALUATORS", "evaluate",
           "HISTORICAL_START", "TABLE_INDICATORS", "real_beside_simulated", "historical_against_seeds", "regression_tables", "results_json", "kof_panel"]

#: Year of period 0 of the historical scenario (one period a year).
HISTORICAL_START = 2000


@dataclass(frozen=True)
class Fact:
    """One stylized fact: id, seed file, the paper's claim, the criterion, measure and emergent or assumed."""

    id: str
    source: str  # seed file id (000-004) and table or figure
    claim: str  # what the paper says (its numbers)
    criterion: str  # what passes, on what
    measure: str  # the statistic the estimate is
    emergent: bool
    why: str  # why emergent or assumed


FACTS: tuple[Fact, ...] = (
    Fact("QY-closed", "001", "symmetric N-country economy: V(I-A)^-1 has diagonal R, off-diagonal T (eq. 11); "
         "GVCP_i = T sum_{j!=i} Ex_j/Ex_i + (N-1) T (eq. 13)",
         "max |GVCP_i - eq. 13| <= 1e-9 over several (N, mu, nu, omega), every country and period",
         "max abs error of eq. 13", False,
         "accounting identity of the paper world, whose shares mu, nu, omega are fixed by construction"),
    Fact("QY-P1", "001", "home share of final goods omega up -> GVC participation down",
         "one country's home bias raised (the others' fixed): its GVCP_qy change below 0 (whole interval)",
         "change of GVCP_qy, own country, last period", True,
         "households' home bias is the lever; participation follows from the clearing and the firms' sourcing"),
    Fact("QY-P2", "001", "home share of intermediates mu up -> GVC participation down when omega > 1/N; stronger "
         "above omega = 0.35 (threshold regression)",
         "one country's intermediate imports taxed: mu rises and its GVCP_qy change is below 0 (whole interval)",
         "change of GVCP_qy, own country, last period", True,
         "the tariff is the lever; mu and participation move through the firms' supplier choices"),
    Fact("QY-P3", "001", "growth below the world average -> GVC participation down (when omega > 1/N), above -> up",
         "slope of a country's GVCP_qy change on its mean growth gap across countries above 0 (whole interval)",
         "cross-country slope dGVCP_qy / mean growth gap", True,
         "growth paths are drivers; participation's response is not in any rule"),
    Fact("QY-P4", "001", "technology raising the value-added ratio nu -> GVC participation down when "
         "omega > max(mu, 1/N) (technology backfire)",
         "robot prices fall: GVCP_qy change of the countries with omega > max(mu, 1/N) below 0 (whole interval)",
         "change of GVCP_qy, qualifying countries, last period", True,
         "automation follows the task model's cost comparison; nu and participation are consequences"),
    Fact("QY-T1", "001 Table 1", "panel regression of GVCP on omega, mu, nu, gr with country and time effects: all "
         "four coefficients negative (standardized: -0.5244, -0.5025, -0.7903, -0.6836; R2 0.75)",
         "each of the four standardized coefficients below 0 (whole interval across seeds)",
         "largest of the four mean coefficients (eq. 16, GVCP_qy)", True,
         "a regression on simulated outcomes; no rule targets these partial correlations"),
    Fact("QY-conc", "001 Fig. 3", "fewer trading countries -> lower GVC participation: GVCP proportional to T(N-1), "
         "N = 7, 20, 50",
         "paper world with equal sizes: GVCP_qy = 2 T (N-1) to 1e-9 for N = 7, 20, 50, rising in N; and in the "
         "full model, the mean GVCP_qy of the countries still trading falls when 3 and then 6 others are cut off "
         "by 100 % tariffs both ways (whole intervals below 0, larger fall with fewer countries)",
         "max |GVCP_qy / (2 T (N-1)) - 1| (paper world); the full model's changes are in detail", False,
         "closed form of the paper world's fixed shares (the full-model half is emergent)"),
    Fact("QY-HHI", "001 Table 4", "import substitution and growth of emerging economies raise the HHI of world export "
         "markets: intermediates 8.13 % -> 9.64 %, final goods 9.12 % -> 11.06 %; China's share of final goods "
         "5.02 % -> 19.74 %",
         "catch-up scenario: both HHIs and China's share of world final-goods exports rise (whole intervals)",
         "ratio of the final-goods HHI, last to first period (paper 1.213)", True,
         "growth and infant-industry tariffs are drivers; the concentration of export markets is not in any rule"),
    Fact("QY-loc", "001", "China 2004-2015: mu 87.6 % -> 94.1 %, omega 79.7 % -> 84.6 %; US mu 72.39 % (2011) -> "
         "75.53 % (2015); UK 62.09 % -> 69.19 %; US GVCP 2015 = 54.28 %, 7.74 pp below its 2010 peak",
         "historical scenario: the five directions (CHN mu and omega up 2004-15, USA and GBR mu up 2011-15, USA "
         "GVCP_qy 2015 below 2010) with whole intervals",
         "change of China's mu 2004-2015, percentage points (paper 6.5)", True,
         "no decree raises these home shares in the historical scenario; they follow growth and governments"),
    Fact("GLZ-TBI", "003 Table 1", "TBI_i = (VA_i absorbed abroad - foreign VA absorbed in i) / (sum); China 0.106 "
         "(2000) -> 0.243 (2007), US -0.197 -> -0.271 (2005) -> -0.133 (2014), Germany about 0.17",
         "historical scenario: CHN TBI > 0 and rising 2000-2007, USA < 0, DEU > 0 (whole intervals)",
         "China's TBI in 2007 (paper 0.243)", False,
         "the trade balances are Penn World Table's, imposed as drivers; the sign of TBI follows them"),
    Fact("GLZ-policy", "003 Tables 3-6", "falling TBI -> de-globalization: the globalization index falls with TBI "
         "(beta > 0); developing economies respond with tariffs and investment limits, advanced economies with "
         "political withdrawal",
         "historical scenario: beta of the KOF-like index on TBI above 0 (whole interval across seeds)",
         "beta (index points per unit of TBI)", False,
         "the government rule weighs -TBI in its pressure and prices instruments by development group"),
    Fact("Z-trade", "000", "trade/GDP peaks (52.3 % in 2008) then falls (41.7 % in 2022); intermediate share of "
         "trade 67.5 % (2000) -> 58.2 % (2022)",
         "historical scenario: world trade/GDP in 2017 below its peak of 2005-2010, and the intermediate share "
         "of trade lower in 2017 than in 2000 (whole intervals)",
         "world exports / GDP, 2017 minus peak 2005-2010", True,
         "the 2009 crisis is a driver, the decline after it is not"),
    Fact("Z-measures", "000", "trade-restrictive measures 1,340 (2009) -> 5,720 (2022), a 4.3x rise",
         "historical scenario: restrictive measures in force in 2017 more than in 2009 (ratio above 1, whole "
         "interval)",
         "ratio of measures in force, 2017 to 2009 (paper 4.3 by 2022)", True,
         "governments decide measures from their pressure; no rule schedules a backlash"),
    Fact("Z-region", "000", "GVC participation change 2010-2022: East Asia -8.7 pp, Europe -5.2 pp, Africa -13.4 pp",
         "historical scenario: KWW participation of the three regions falls 2010-2017 (whole intervals), Africa "
         "most, Europe least",
         "East Asia's change of GVCP_kww 2010-2017, pp (paper -8.7 by 2022)", True,
         "regional participation is measured from the MRIO; no rule targets it"),
    Fact("Z-RCEP", "000", "cutting internal trade costs among RCEP members raises regional industrial synergy by 17.3 %",
         "bloc cost cut among CHN, JPN, KOR: the intra-bloc share of their intermediate exports rises (whole "
         "interval)",
         "relative change of the intra-bloc intermediate share, % (paper 17.3)", True,
         "the cost cut is the lever; the reallocation of intermediate trade follows from sourcing"),
    Fact("Z-digital", "000", "+1 s.d. of digital services trade barriers -> technology diffusion efficiency -9.2 %",
         "information cost doubled with diffusion on: the cumulative diffusion gain falls (whole interval)",
         "relative change of cumulative diffusion gain, %, per doubling of the information cost", True,
         "diffusion runs through the supplier links the information cost shapes"),
    Fact("Z-length", "000", "10 % shorter GVCs -> manufacturing outflow from developing economies +2.8 %",
         "trade-cost sweep: elasticity of developing economies' share of world manufacturing output to world GVC "
         "production length above 0 (whole interval)",
         "elasticity d log(developing manufacturing share) / d log(GVC length) (paper 0.28)", True,
         "length and location of manufacturing both follow from sourcing under trade costs"),
    Fact("R-PCBR", "004", "efficiency cost of a tariff grows with the square of its rate, redistribution linearly, so "
         "the political cost-benefit ratio of liberalization is highest where barriers are already low",
         "uniform tariff sweep (1-8 %, flexible wages, no initial tariffs): log-log slope of the world welfare "
         "loss in [1.7, 2.3] and of the income shifted (tariff revenue / GDP) in [0.7, 1.3]",
         "log-log slope of the world welfare loss on the rate (theory 2)", True,
         "welfare is measured from the equilibrium; no rule states Harberger's triangle"),
    Fact("B-cost", "002", "falling costs of moving goods concentrate production regionally; falling costs of moving "
         "ideas spread supply chains globally",
         "trade-cost cut: intra-regional share of intermediate trade up; information-cost cut: intra-regional "
         "share down (whole intervals)",
         "change of the intra-regional intermediate share after the trade-cost cut, pp", True,
         "both costs are levers; where firms source is their own choice"),
)

FACT_IDS: tuple[str, ...] = tuple(f.id for f in FACTS)
_BY_ID = {f.id: f for f in FACTS}


@dataclass
class Experiment:
    """The tidy tables of one experiment's batch, each row tagged with ``point`` (design-point label) and
    ``replicate``; ``values`` maps each label to the point's varied value; ``settings`` holds what the
    experiment fixed (plain data)."""

    name: str
    labels: tuple[str, ...]
    countries: pd.DataFrame
    global_: pd.DataFrame
    regions: pd.DataFrame
    flows: pd.DataFrame
    values: Mapping[str, object] = field(default_factory=dict)
    settings: Mapping[str, object] = field(default_factory=dict)

    def at(self, label: str, table: str = "countries") -> pd.DataFrame:
        frame = getattr(self, "global_" if table == "global" else table)
        return frame[frame["point"] == label]

    @property
    def last(self) -> int:
        return int(self.countries["period"].max())


@dataclass
class FactResult:
    """A fact's verdict: estimate and 95 % interval across seeds, pass or fail, and how it was measured."""

    id: str
    estimate: float
    ci_low: float
    ci_high: float
    passed: bool
    detail: str
    n: int = 0
    target: float | None = None  # the paper's number on the estimate's scale, when there is one
    series: pd.DataFrame | None = None  # columns x, mean, low, high, label (a figure's lines and bands)
    xlabel: str = "period"
    ylabel: str = ""
    reference: float | None = None  # a horizontal line (0 for signs, the target for levels)
    kind: str = "line"  # line | points
    slope: float | None = None  # draw on log-log axes with a reference line of this slope (Harberger: 2)

    def row(self) -> dict:
        fact = _BY_ID[self.id]
        return {"id": self.id, "source": fact.source, "target": fact.claim, "estimate": _num(self.estimate),
                "ci_low": _num(self.ci_low), "ci_high": _num(self.ci_high), "passed": bool(self.passed),
                "emergent": fact.emergent, "measure": fact.measure, "detail": self.detail}


def _num(x) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


def mean_interval(values, level: float = 0.95) -> tuple[float, float, float, int]:
    """``(mean, low, high, n)``: Student's ``mean +/- t_{(1+level)/2, n-1} s / sqrt(n)`` over finite values
    (the interval is the mean itself for one value; all NaN for none)."""
    from scipy import stats

    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    n = int(v.size)
    if n == 0:
        return np.nan, np.nan, np.nan, 0
    m = float(v.mean())
    if n == 1:
        return m, m, m, 1
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * v.std(ddof=1) / np.sqrt(n))
    return m, m - half, m + half, n


def _pct(x: float) -> str:
    return "nan" if not np.isfinite(x) else f"{100 * x:.2f}"


def _iv(m, lo, hi, scale: float = 1.0, digits: int = 3) -> str:
    return f"{m * scale:.{digits}f} [{lo * scale:.{digits}f}, {hi * scale:.{digits}f}]"


def _failed(fact_id: str, why: str) -> FactResult:
    return FactResult(fact_id, np.nan, np.nan, np.nan, False, why)


def _band(frame: pd.DataFrame, x: str, y: str, label: str) -> pd.DataFrame:
    """Mean and 95 % interval across replicates of ``y`` at each ``x``."""
    rows = []
    for xv, g in frame.groupby(x, sort=True):
        m, lo, hi, _ = mean_interval(g[y])
        rows.append({"x": xv, "mean": m, "low": lo, "high": hi, "label": label})
    return pd.DataFrame(rows)


def _country_value(exp: Experiment, label: str, column: str, country: str, period: int) -> pd.Series:
    """Per replicate: ``column`` of ``country`` at ``period`` in design point ``label``."""
    df = exp.at(label)
    sel = df[(df["country"] == country) & (df["period"] == period)]
    return sel.set_index("replicate")[column].sort_index()


def _paired(exp: Experiment, label: str, ref: str, column: str, country: str, period: int) -> pd.Series:
    return (_country_value(exp, label, column, country, period) - _country_value(exp, ref, column, country, period)).dropna()


def _paired_path(exp: Experiment, label: str, ref: str, column: str, country: str) -> pd.DataFrame:
    """Per (replicate, period): the point's ``column`` minus the reference's, for one country."""
    keys = ["replicate", "period"]
    a = exp.at(label)
    b = exp.at(ref)
    a = a[a["country"] == country].set_index(keys)[column]
    b = b[b["country"] == country].set_index(keys)[column]
    return (a - b).dropna().rename("diff").reset_index()


# ------------------------------------------------------------------------------- Qu & Yang
def qy_eq13(exports: np.ndarray, T: float) -> np.ndarray:
    """Qu & Yang eq. 13: ``GVCP_i = T sum_{j!=i} Ex_j / Ex_i + (N - 1) T``."""
    ex = np.asarray(exports, dtype=float)
    return T * (ex.sum() - ex) / ex + (ex.size - 1) * T


def _paper_values(value: object) -> tuple[int, float, float]:
    w = dict(value)  # a paper world's config
    return int(w.get("countries", 5)), float(w.get("mu", 0.6)), float(w.get("nu", 0.45))


def evaluate_qy_closed(exp: Experiment) -> FactResult:
    errors, rows = [], []
    for label in exp.labels:
        N, mu, nu = _paper_values(exp.values[label])
        _, T = qu_yang_R_T(N, mu, nu)
        for (_, _), g in exp.at(label).groupby(["replicate", "period"], sort=True):
            err = np.abs(g["gvcp_qy"].to_numpy() - qy_eq13(g["exports"].to_numpy(), T)).max()
            errors.append(err)
            rows.append({"x": label, "mean": err, "low": err, "high": err, "label": "max |GVCP - eq. 13|"})
    if not errors:
        return _failed("QY-closed", "no runs")
    worst = float(np.max(errors))
    return FactResult("QY-closed", worst, float(np.min(errors)), worst, worst <= 1e-9,
                      f"max |GVCP_qy - eq. 13| = {worst:.2e} over {len(exp.labels)} (N, mu, nu, omega) and "
                      f"{len(errors)} (run, period) tables (range across them in the interval); criterion 1e-9",
                      n=len(errors), series=pd.DataFrame(rows), xlabel="(N, mu, nu, omega)", ylabel="max abs error",
                      kind="points", reference=1e-9)


def evaluate_qy_conc(exp: Experiment, full: Experiment | None = None) -> FactResult:
    rows, devs, means = [], [], []
    for label in exp.labels:
        N, mu, nu = _paper_values(exp.values[label])
        _, T = qu_yang_R_T(N, mu, nu)
        g = exp.at(label)["gvcp_qy"].to_numpy()
        devs.append(float(np.abs(g / (2 * T * (N - 1)) - 1).max()))
        means.append(float(g.mean()))
        rows.append({"x": N, "mean": float(g.mean()), "low": float(g.min()), "high": float(g.max()), "label": "GVCP_qy"})
        rows.append({"x": N, "mean": 2 * T * (N - 1), "low": 2 * T * (N - 1), "high": 2 * T * (N - 1),
                     "label": "2 T (N-1), eq. 13"})
    worst = float(np.max(devs))
    rising = bool(np.all(np.diff(means) > 0))
    ns = [(_paper_values(exp.values[lab])[0], m) for lab, m in zip(exp.labels, means)]
    detail = ("paper world, GVCP_qy by N: " + ", ".join(f"N={n}: {m:.4f}" for n, m in ns) +
              f"; max |GVCP / (2 T (N-1)) - 1| = {worst:.2e}; rising in N: {rising}")
    passed = worst <= 1e-9 and rising
    if full is not None:
        full_ok, full_detail = _fewer_trading(full)
        detail += "; full model: " + full_detail
        passed = passed and full_ok
    return FactResult("QY-conc", worst, float(np.min(devs)), worst, passed, detail, n=len(devs),
                      series=pd.DataFrame(rows), xlabel="countries N", ylabel="GVC participation (Qu & Yang)",
                      kind="points")


def _fewer_trading(exp: Experiment) -> tuple[bool, str]:
    """Full-model half of QY-conc: per seed, the change (against the reference point, last period) of the mean
    GVCP_qy over the countries that trade at every point (``settings["core"]``); passes when every interval is
    below 0 and the fall is larger the fewer countries trade (points in ``exp.labels`` order, reference first)."""
    ref, t, core = exp.labels[0], exp.last, exp.settings["core"]
    parts, means, ok = [], [], True
    for label in exp.labels[1:]:
        d = pd.concat([_paired(exp, label, ref, "gvcp_qy", c, t) for c in core], axis=1).mean(axis=1)
        m, lo, hi, _ = mean_interval(d)
        means.append(m)
        ok = ok and bool(hi < 0)
        parts.append(f"{label}: {_iv(m, lo, hi, 100, 2)} pp")
    falling = bool(np.all(np.diff(means) < 0))
    return ok and falling, (f"mean GVCP_qy change of the {len(core)} countries trading throughout ("
                            + ", ".join(core) + "): " + "; ".join(parts) + f"; larger with fewer countries: {falling}")


def _own_country_effect(fact_id: str, exp: Experiment, ref: str, lever: str, lever_name: str) -> FactResult:
    """The change of GVCP_qy of the country a point acts on (the label is its name), last period."""
    t = exp.last
    changes, kww, levers, omega_ok, series = [], [], [], [], []
    for label in exp.labels:
        if label == ref:
            continue
        d = _paired(exp, label, ref, "gvcp_qy", label, t)
        changes += list(d)
        kww += list(_paired(exp, label, ref, "gvcp_kww", label, t))
        levers += list(_paired(exp, label, ref, lever, label, t))
        N = exp.countries["country"].nunique()
        omega_ok.append(bool((_country_value(exp, ref, "omega", label, 0) > 1 / N).all()))
        path = _paired_path(exp, label, ref, "gvcp_qy", label)
        series.append(_band(path, "period", "diff", f"{label}: GVCP_qy change"))
    if not changes:
        return _failed(fact_id, "no shocked point")
    m, lo, hi, n = mean_interval(changes)
    lm, llo, lhi, _ = mean_interval(levers)
    km, klo, khi, _ = mean_interval(kww)
    passed = bool(hi < 0 and llo > 0)
    detail = (f"GVCP_qy change {_iv(m, lo, hi, 100, 2)} pp (QY eq. 13, the verdict), KWW {_iv(km, klo, khi, 100, 2)} pp; "
              f"{lever_name} change {_iv(lm, llo, lhi, 100, 2)} pp (must be > 0); countries {', '.join(l for l in exp.labels if l != ref)}, "
              f"omega > 1/N at period 0: {all(omega_ok)}; {n} (country, seed) pairs")
    return FactResult(fact_id, m, lo, hi, passed, detail, n=n, series=pd.concat(series, ignore_index=True),
                      ylabel="GVCP_qy change against the same seed", reference=0.0)


def evaluate_qy_p1(exp: Experiment) -> FactResult:
    return _own_country_effect("QY-P1", exp, "reference", "omega", "omega")


def evaluate_qy_p2(exp: Experiment, panel: Experiment | None = None) -> FactResult:
    res = _own_country_effect("QY-P2", exp, "reference", "mu", "mu")
    if panel is not None:
        try:
            first = panel.countries[panel.countries["replicate"] == panel.countries["replicate"].min()]
            thr = qy_threshold(first, regime="mu", n_boot=99, seed=0, max_grid=200)
            tab = thr.table.set_index("term")["coef"]
            res.detail += (f"; threshold regression (eq. 19, catch-up panel, first seed): omega threshold "
                           f"{thr.gamma:.3f} [{thr.ci_low:.3f}, {thr.ci_high:.3f}], bootstrap p {thr.p_value:.2f} "
                           f"(paper 0.3454, p 0.034), mu slope below {tab.get('mu_below', np.nan):.3f}, above "
                           f"{tab.get('mu_above', np.nan):.3f} (paper -0.504, -0.712)")
        except (EconometricsError, ValueError, np.linalg.LinAlgError) as exc:
            res.detail += f"; threshold regression not estimable: {exc}"
    return res


def _per_replicate(df: pd.DataFrame) -> dict[int, pd.DataFrame]:
    return {int(r): g for r, g in df.groupby("replicate", sort=True)}


def evaluate_qy_p3(exp: Experiment) -> FactResult:
    slopes, pts = [], []
    for r, g in _per_replicate(exp.countries).items():
        g = g.copy()
        g["gr"] = growth_gap(g, gdp="gdp")
        first, last = int(g["period"].min()), int(g["period"].max())
        by = g.groupby("country")
        gap = by["gr"].mean()
        d = (g[g["period"] == last].set_index("country")["gvcp_qy"] - g[g["period"] == first].set_index("country")["gvcp_qy"])
        x, y = gap.reindex(d.index).to_numpy(), d.to_numpy()
        slopes.append(float(np.polyfit(x, y, 1)[0]))
        pts.append(pd.DataFrame({"x": x, "mean": y, "low": y, "high": y, "label": f"seed {r}"}))
    m, lo, hi, n = mean_interval(slopes)
    detail = (f"slope of the GVCP_qy change (first to last period) on the mean growth gap across countries: "
              f"{_iv(m, lo, hi)} over {n} seeds; Proposition 3 wants > 0, Table 1's negative growth coefficient "
              "(QY-T1) the opposite: the simulation sides with " + ("Proposition 3" if lo > 0 else "Table 1" if hi < 0
                                                                    else "neither (interval spans 0)"))
    return FactResult("QY-P3", m, lo, hi, bool(lo > 0), detail, n=n, series=pd.concat(pts, ignore_index=True),
                      xlabel="mean growth gap (per period)", ylabel="GVCP_qy change, first to last period",
                      kind="points", reference=0.0)


def evaluate_qy_p4(exp: Experiment) -> FactResult:
    t, N = exp.last, exp.countries["country"].nunique()
    ref0 = exp.at("reference")
    ref0 = ref0[ref0["period"] == 0].groupby("country")[["omega", "mu"]].mean()
    qualifying = ref0.index[(ref0["omega"] > ref0["mu"]) & (ref0["omega"] > 1 / N)].tolist()
    countries = qualifying or ref0.index.tolist()
    changes, dnu, series = [], [], []
    for c in countries:
        changes += list(_paired(exp, "cheap robots", "reference", "gvcp_qy", c, t))
        dnu += list(_paired(exp, "cheap robots", "reference", "nu", c, t))
    for c in countries[:4]:
        series.append(_band(_paired_path(exp, "cheap robots", "reference", "gvcp_qy", c), "period", "diff", c))
    m, lo, hi, n = mean_interval(changes)
    nm, nlo, nhi, _ = mean_interval(dnu)
    detail = (f"countries with omega > max(mu, 1/N) at period 0: {', '.join(qualifying) or 'none (all shown, fails)'}; "
              f"GVCP_qy change {_iv(m, lo, hi, 100, 2)} pp, nu change {_iv(nm, nlo, nhi, 100, 2)} pp "
              "(the backfire needs nu up)")
    return FactResult("QY-P4", m, lo, hi, bool(qualifying) and bool(hi < 0 and nlo > 0), detail, n=n,
                      series=pd.concat(series, ignore_index=True) if series else None,
                      ylabel="GVCP_qy change against the same seed", reference=0.0)


_PAPER_T1 = {"omega": -0.5244, "mu": -0.5025, "nu": -0.7903, "gr": -0.6836}


def evaluate_qy_t1(exp: Experiment) -> FactResult:
    coefs: dict[str, list[float]] = {k: [] for k in QY_REGRESSORS}
    kww: dict[str, list[float]] = {k: [] for k in QY_REGRESSORS}
    r2 = []
    for _, g in _per_replicate(exp.countries).items():
        try:
            tab = qy_levels(g).set_index("term")
            tk = qy_levels(g, y="gvcp_kww").set_index("term")
        except (EconometricsError, ValueError, np.linalg.LinAlgError):
            continue
        for k in QY_REGRESSORS:
            coefs[k].append(float(tab.loc[k, "coef"]))
            kww[k].append(float(tk.loc[k, "coef"]))
        r2.append(float(tab["r2"].iloc[0]))
    if not r2:
        return _failed("QY-T1", "eq. 16 not estimable on any seed's panel")
    stats = {k: mean_interval(v) for k, v in coefs.items()}
    worst = max(QY_REGRESSORS, key=lambda k: stats[k][0])
    m, lo, hi, n = stats[worst]
    passed = all(s[2] < 0 for s in stats.values())
    detail = ("eq. 16, GVCP_qy, standardized, country and time effects, errors clustered by country, per seed: " +
              "; ".join(f"{k} {_iv(*stats[k][:3])} (paper {_PAPER_T1[k]})" for k in QY_REGRESSORS) +
              f"; R2 {np.mean(r2):.2f} (paper 0.75); with GVCP_kww: " +
              ", ".join(f"{k} {np.mean(v):.3f}" for k, v in kww.items()))
    series = pd.DataFrame([{"x": k, "mean": s[0], "low": s[1], "high": s[2], "label": "simulated"}
                           for k, s in stats.items()] +
                          [{"x": k, "mean": v, "low": v, "high": v, "label": "Qu & Yang Table 1"}
                           for k, v in _PAPER_T1.items()])
    return FactResult("QY-T1", m, lo, hi, passed, detail, n=n, series=series, xlabel="regressor",
                      ylabel="standardized coefficient", kind="points", reference=0.0)


def _world_share(df: pd.DataFrame, column: str, country: str) -> pd.DataFrame:
    tot = df.groupby(["replicate", "period"])[column].sum()
    own = df[df["country"] == country].set_index(["replicate", "period"])[column]
    return (own / tot).rename("share").reset_index()


def evaluate_qy_hhi(exp: Experiment) -> FactResult:
    g = exp.global_
    first, last = int(g["period"].min()), int(g["period"].max())
    w = {p: g[g["period"] == p].set_index("replicate") for p in (first, last)}
    ratio = (w[last]["hhi_exports_final"] / w[first]["hhi_exports_final"]).dropna()
    d_int = (w[last]["hhi_exports_intermediate"] - w[first]["hhi_exports_intermediate"]).dropna()
    d_fin = (w[last]["hhi_exports_final"] - w[first]["hhi_exports_final"]).dropna()
    share = _world_share(exp.countries, "exports_final", "CHN")
    s = {p: share[share["period"] == p].set_index("replicate")["share"] for p in (first, last)}
    d_chn = (s[last] - s[first]).dropna()
    m, lo, hi, n = mean_interval(ratio)
    i = mean_interval(d_int)
    f = mean_interval(d_fin)
    c = mean_interval(d_chn)
    passed = bool(i[1] > 0 and f[1] > 0 and c[1] > 0)
    detail = (f"HHI of final-goods export markets {_pct(w[first]['hhi_exports_final'].mean())} % -> "
              f"{_pct(w[last]['hhi_exports_final'].mean())} % (paper 9.12 -> 11.06), change {_iv(*f[:3], 100, 2)} pp; "
              f"intermediates {_pct(w[first]['hhi_exports_intermediate'].mean())} % -> "
              f"{_pct(w[last]['hhi_exports_intermediate'].mean())} % (paper 8.13 -> 9.64), change {_iv(*i[:3], 100, 2)} pp; "
              f"China's share of world final-goods exports {_pct(s[first].mean())} % -> {_pct(s[last].mean())} % "
              f"(paper 5.02 -> 19.74), change {_iv(*c[:3], 100, 2)} pp; final-HHI ratio {m:.3f} vs paper 1.213 "
              f"({m / 1.2127:.2f} of it)")
    series = pd.concat([_band(g, "period", "hhi_exports_final", "HHI final goods"),
                        _band(g, "period", "hhi_exports_intermediate", "HHI intermediates"),
                        _band(share, "period", "share", "China's share of final-goods exports")], ignore_index=True)
    return FactResult("QY-HHI", m, lo, hi, passed, detail, n=n, target=1.2127, series=series, ylabel="share")


# ------------------------------------------------------------------------------- historical scenario
def _year(period: int) -> int:
    return HISTORICAL_START + int(period)


def _period(exp: Experiment, year: int) -> int:
    """The historical scenario's period of ``year``, clipped to the run (its last period if the run is shorter)."""
    return int(min(max(year - HISTORICAL_START, 0), exp.last))


def _hist_change(exp: Experiment, column: str, country: str, y0: int, y1: int) -> pd.Series:
    df = exp.countries[exp.countries["country"] == country]
    a = df[df["period"] == _period(exp, y0)].set_index("replicate")[column]
    b = df[df["period"] == _period(exp, y1)].set_index("replicate")[column]
    return (b - a).dropna()


def _yearly(frame: pd.DataFrame, y: str, label: str) -> pd.DataFrame:
    out = _band(frame, "period", y, label)
    out["x"] = out["x"].map(_year)
    return out


def evaluate_qy_loc(exp: Experiment) -> FactResult:
    checks = [("CHN mu 2004-15", "mu", "CHN", 2004, 2015, 1, 0.065), ("CHN omega 2004-15", "omega", "CHN", 2004, 2015, 1, 0.049),
              ("USA mu 2011-15", "mu", "USA", 2011, 2015, 1, 0.0314), ("GBR mu 2011-15", "mu", "GBR", 2011, 2015, 1, 0.071),
              ("USA GVCP_qy 2010-15", "gvcp_qy", "USA", 2010, 2015, -1, -0.0774)]
    parts, ok = [], []
    for name, col, c, y0, y1, sign, paper in checks:
        m, lo, hi, _ = mean_interval(_hist_change(exp, col, c, y0, y1))
        good = (lo > 0) if sign > 0 else (hi < 0)
        ok.append(bool(good))
        parts.append(f"{name}: {_iv(m, lo, hi, 100, 2)} pp (paper {100 * paper:+.2f}){'' if good else ' x'}")
    m, lo, hi, n = mean_interval(_hist_change(exp, "mu", "CHN", 2004, 2015))
    chn = exp.countries[exp.countries["country"] == "CHN"]
    series = pd.concat([_yearly(chn, "mu", "CHN mu"), _yearly(chn, "omega", "CHN omega")], ignore_index=True)
    return FactResult("QY-loc", m, lo, hi, all(ok), "; ".join(parts) + f" (years clipped to the run's {_year(exp.last)})",
                      n=n, target=0.065, series=series, xlabel="year", ylabel="home share")


def evaluate_glz_tbi(exp: Experiment) -> FactResult:
    df = exp.countries

    def at(c, y):
        return df[(df["country"] == c) & (df["period"] == _period(exp, y))].set_index("replicate")["tbi"]

    chn07, chn00 = at("CHN", 2007), at("CHN", 2000)
    m, lo, hi, n = mean_interval(chn07)
    rise = mean_interval((chn07 - chn00).dropna())
    usa = mean_interval(pd.concat([at("USA", y) for y in (2000, 2005, 2014)]))
    deu = mean_interval(at("DEU", 2010))
    c00 = mean_interval(chn00)
    passed = bool(c00[1] > 0 and lo > 0 and rise[1] > 0 and usa[2] < 0 and deu[1] > 0)
    detail = (f"CHN TBI 2000 {_iv(*c00[:3])} (paper 0.106), 2007 {_iv(m, lo, hi)} (paper 0.243, ratio "
              f"{m / 0.243:.2f}), rise {_iv(*rise[:3])}; USA 2000/2005/2014 {_iv(*usa[:3])} (paper -0.197/-0.271/-0.133); "
              f"DEU 2010 {_iv(*deu[:3])} (paper about 0.17)")
    series = pd.concat([_yearly(df[df["country"] == c], "tbi", c) for c in ("CHN", "USA", "DEU")], ignore_index=True)
    return FactResult("GLZ-TBI", m, lo, hi, passed, detail, n=n, target=0.243, series=series, xlabel="year",
                      ylabel="TBI", reference=0.0)


def kof_panel(countries: pd.DataFrame) -> pd.DataFrame:
    """A country panel with the KOF-like index (:func:`~.econometrics.kof_trade_index`) from the run table:
    the applied tariff, no bloc flag beyond what ``bloc_member`` gives (0 without it) and the restrictive
    measures a country has taken so far (cumulative ``restrictive_events``), scaled over the panel."""
    df = countries.sort_values(["country", "period"]).copy()
    restrictions = df.groupby("country")["restrictive_events"].cumsum()
    blocs = df["bloc_member"] if "bloc_member" in df.columns else pd.Series(0.0, index=df.index)
    df["kof_trade"] = kof_trade_index(df["applied_tariff"].clip(lower=0), blocs.astype(float), restrictions.astype(float))
    return df


def evaluate_glz_policy(exp: Experiment) -> FactResult:
    betas, by_group = [], {}
    for _, g in _per_replicate(exp.countries).items():
        try:
            tab = glz_regression(kof_panel(g))
        except (EconometricsError, ValueError, np.linalg.LinAlgError):
            continue
        tb = tab[tab["term"] == "tbi"]
        for _, row in tb.iterrows():
            (betas if row["sample"] == "all" else by_group.setdefault(row["sample"], [])).append(float(row["coef"]))
    if not betas:
        return _failed("GLZ-policy", "the GLZ regression is not estimable on any seed (no policy variation)")
    m, lo, hi, n = mean_interval(betas)
    events = exp.countries.groupby(["group"])["restrictive_events"].sum() / max(exp.countries["replicate"].nunique(), 1)
    g = exp.global_
    measures = [c for c in g.columns if c.startswith("measures_")]
    tot = (g[measures].sum() / max(g["replicate"].nunique(), 1)).sort_values(ascending=False)
    detail = (f"beta on TBI (all countries) {_iv(m, lo, hi, 1, 2)} (paper Table 3: 11.55); by group: " +
              ", ".join(f"{k} {np.mean(v):.2f}" for k, v in sorted(by_group.items())) +
              "; restrictive measures per run by group: " + ", ".join(f"{k} {v:.1f}" for k, v in events.items()) +
              "; by instrument: " + ", ".join(f"{k[9:]} {v:.1f}" for k, v in tot.items() if v > 0))
    series = pd.DataFrame([{"x": k, "mean": np.mean(v), "low": mean_interval(v)[1], "high": mean_interval(v)[2],
                            "label": "beta by group"} for k, v in sorted(by_group.items())] +
                          [{"x": "all", "mean": m, "low": lo, "high": hi, "label": "beta by group"}])
    return FactResult("GLZ-policy", m, lo, hi, bool(lo > 0), detail, n=n, series=series, xlabel="sample",
                      ylabel="beta: KOF-like index on TBI", kind="points", reference=0.0)


def evaluate_z_trade(exp: Experiment) -> FactResult:
    g = exp.global_
    p17, p00 = _period(exp, 2017), _period(exp, 2000)
    window = g[(g["period"] >= _period(exp, 2005)) & (g["period"] <= _period(exp, 2010))]
    peak = window.groupby("replicate")["world_openness"].max()
    end = g[g["period"] == p17].set_index("replicate")["world_openness"]
    diff = (end - peak).dropna()
    m, lo, hi, n = mean_interval(diff)
    i0 = g[g["period"] == p00].set_index("replicate")["intermediate_share_world_trade"]
    i1 = g[g["period"] == p17].set_index("replicate")["intermediate_share_world_trade"]
    di = mean_interval((i1 - i0).dropna())
    peak_year = window.loc[window.groupby("replicate")["world_openness"].idxmax(), "period"].map(_year)
    passed = bool(hi < 0 and di[2] < 0)
    detail = (f"world exports/GDP: peak {_pct(peak.mean())} % in {', '.join(map(str, sorted(set(peak_year))))} "
              f"(paper 52.3 % in 2008), 2017 {_pct(end.mean())} % (paper 41.7 % in 2022): 2017 minus peak "
              f"{_iv(m, lo, hi, 100, 2)} pp; intermediate share of trade {_pct(i0.mean())} % -> {_pct(i1.mean())} % "
              f"(paper 67.5 -> 58.2), change {_iv(*di[:3], 100, 2)} pp")
    series = pd.concat([_yearly(g, "world_openness", "world exports / GDP"),
                        _yearly(g, "intermediate_share_world_trade", "intermediate share of trade")], ignore_index=True)
    return FactResult("Z-trade", m, lo, hi, passed, detail, n=n, series=series, xlabel="year", ylabel="share")


def evaluate_z_measures(exp: Experiment) -> FactResult:
    g = exp.global_.sort_values(["replicate", "period"]).copy()
    g["in_force"] = g.groupby("replicate")["restrictive_measures"].cumsum()
    a = g[g["period"] == _period(exp, 2009)].set_index("replicate")["in_force"]
    b = g[g["period"] == _period(exp, 2017)].set_index("replicate")["in_force"]
    ratio = (b / a.where(a > 0)).replace([np.inf], np.nan)
    m, lo, hi, n = mean_interval(ratio)
    detail = (f"restrictive measures taken so far: {a.mean():.1f} by 2009, {b.mean():.1f} by 2017; ratio "
              f"{_iv(m, lo, hi, 1, 2)} (paper 4.3x, 2009 to 2022; {m / 4.3:.2f} of it)" +
              ("" if n == len(a) else f"; {len(a) - n} seed(s) had no measure by 2009"))
    return FactResult("Z-measures", m, lo, hi, bool(n > 0 and lo > 1), detail, n=n, target=4.3,
                      series=_yearly(g, "in_force", "restrictive measures taken so far"), xlabel="year",
                      ylabel="measures (count)")


_Z_REGION = {"East Asia": -0.087, "Europe": -0.052, "Africa": -0.134}


def evaluate_z_region(exp: Experiment) -> FactResult:
    r = exp.regions[exp.regions["kind"] == "region"]
    out, series = {}, []
    for name in _Z_REGION:
        sub = r[r["region"] == name]
        a = sub[sub["period"] == _period(exp, 2010)].set_index("replicate")["gvcp_kww"]
        b = sub[sub["period"] == _period(exp, 2017)].set_index("replicate")["gvcp_kww"]
        out[name] = mean_interval((b - a).dropna())
        series.append(_yearly(sub, "gvcp_kww", name))
    if any(v[3] == 0 for v in out.values()):
        return _failed("Z-region", "a region is missing from the regions table")
    signs = all(v[2] < 0 for v in out.values())
    order = out["Africa"][0] < out["East Asia"][0] < out["Europe"][0]
    m, lo, hi, n = out["East Asia"]
    detail = "; ".join(f"{k}: {_iv(*v[:3], 100, 2)} pp (paper {100 * _Z_REGION[k]:+.1f})" for k, v in out.items())
    detail += f"; all falling: {signs}; ordering Africa < East Asia < Europe: {order} (KWW participation)"
    return FactResult("Z-region", m, lo, hi, bool(signs and order), detail, n=n, target=-0.087,
                      series=pd.concat(series, ignore_index=True), xlabel="year", ylabel="GVC participation (KWW)")


# ------------------------------------------------------------------------------- sweeps
def _bloc_share(flows: pd.DataFrame, members: Sequence[str], column: str = "exports_intermediate") -> pd.DataFrame:
    f = flows[flows["exporter"].isin(members) & (flows["exporter"] != flows["importer"])]
    inside = f[f["importer"].isin(members)].groupby(["replicate", "period"])[column].sum()
    total = f.groupby(["replicate", "period"])[column].sum()
    return (inside / total).rename("share").reset_index()


def evaluate_z_rcep(exp: Experiment) -> FactResult:
    members = list(exp.settings.get("members", ("CHN", "JPN", "KOR")))
    t = exp.last
    a = _bloc_share(exp.at("bloc", "flows"), members)
    b = _bloc_share(exp.at("reference", "flows"), members)
    sa, sb = a[a["period"] == t].set_index("replicate")["share"], b[b["period"] == t].set_index("replicate")["share"]
    rel = (sa / sb - 1).dropna()
    m, lo, hi, n = mean_interval(rel)
    dw = [world_welfare_change(exp.at("bloc")[exp.at("bloc")["replicate"] == r],
                               exp.at("reference")[exp.at("reference")["replicate"] == r]).iloc[-1]
          for r in sorted(exp.countries["replicate"].unique())]
    wm, wlo, whi, _ = mean_interval(dw)
    detail = (f"intra-bloc share of {'/'.join(members)}'s intermediate exports {_pct(sb.mean())} % -> {_pct(sa.mean())} %: "
              f"{_iv(m, lo, hi, 100, 1)} % (paper +17.3 %, ratio {m / 0.173:.2f}); world welfare "
              f"{_iv(wm, wlo, whi, 100, 3)} % (log points x 100)")
    ser = pd.concat([_band(a, "period", "share", "bloc cost cut"), _band(b, "period", "share", "reference")],
                    ignore_index=True)
    return FactResult("Z-RCEP", m, lo, hi, bool(lo > 0), detail, n=n, target=0.173, series=ser,
                      ylabel="intra-bloc share of members' intermediate exports")


def _cumulative_diffusion(df: pd.DataFrame) -> pd.Series:
    """Per replicate: the sum over periods of the GDP-weighted mean diffusion gain of the countries."""
    w = df["gdp_accounts"] if "gdp_accounts" in df.columns else df["gdp"]
    x = (df["diffusion"] * w).groupby([df["replicate"], df["period"]]).sum() / w.groupby([df["replicate"], df["period"]]).sum()
    return x.groupby(level=0).sum()


def evaluate_z_digital(exp: Experiment) -> FactResult:
    ref = _cumulative_diffusion(exp.at("reference"))
    rows, rel2 = [], None
    for label in exp.labels:
        v = _cumulative_diffusion(exp.at(label))
        mult = float(exp.settings.get("multipliers", {}).get(label, 1.0))
        rel = (v / ref - 1).dropna()
        m, lo, hi, _ = mean_interval(rel)
        rows.append({"x": mult, "mean": m, "low": lo, "high": hi, "label": "cumulative diffusion gain, change"})
        if label == "barriers x2":
            rel2 = rel
    if rel2 is None or ref.abs().max() == 0:
        return _failed("Z-digital", "no diffusion in the reference runs (agents.firms.diffusion must be > 0)")
    m, lo, hi, n = mean_interval(rel2)
    series = pd.DataFrame(rows).sort_values("x")
    detail = (f"cumulative diffusion gain, information cost x2 against x1: {_iv(m, lo, hi, 100, 2)} % (paper -9.2 % per "
              "s.d. of the barrier index; the model has no s.d. scale, so the sign is the test); by multiplier: " +
              ", ".join(f"x{r.x:g}: {100 * r.mean:+.2f} %" for r in series.itertuples()))
    return FactResult("Z-digital", m, lo, hi, bool(hi < 0), detail, n=n, series=series,
                      xlabel="information cost (multiple)", ylabel="change of the cumulative diffusion gain",
                      kind="points", reference=0.0)


def _developing_share(df: pd.DataFrame) -> pd.Series:
    tot = df.groupby(["replicate", "period"])["manufacturing_output"].sum()
    dev = df[df["group"] == "developing"].groupby(["replicate", "period"])["manufacturing_output"].sum()
    return (dev / tot).rename("share")


def evaluate_z_length(exp: Experiment) -> FactResult:
    t = exp.last
    ref_len = exp.at("reference", "global").set_index(["replicate", "period"])["production_length_gvc_world"]
    ref_sh = _developing_share(exp.at("reference"))
    el, rows = [], []
    for label in exp.labels:
        if label == "reference":
            continue
        ln = exp.at(label, "global").set_index(["replicate", "period"])["production_length_gvc_world"]
        sh = _developing_share(exp.at(label))
        dl = np.log(ln / ref_len).xs(t, level="period")
        ds = np.log(sh / ref_sh).xs(t, level="period")
        e = (ds / dl).replace([np.inf, -np.inf], np.nan).dropna()
        el += list(e)
        for r in dl.index:
            rows.append({"x": float(dl[r]), "mean": float(ds[r]), "low": float(ds[r]), "high": float(ds[r]), "label": label})
    m, lo, hi, n = mean_interval(el)
    detail = (f"elasticity of developing economies' share of world manufacturing output to world GVC production "
              f"length (trade-cost sweep, last period, against the same seed): {_iv(m, lo, hi, 1, 3)} (paper 0.28: "
              f"10 % shorter, 2.8 % outflow; ratio {m / 0.28:.2f})")
    return FactResult("Z-length", m, lo, hi, bool(lo > 0), detail, n=n, target=0.28, series=pd.DataFrame(rows),
                      xlabel="d log GVC production length", ylabel="d log developing manufacturing share",
                      kind="points", reference=0.0)


def evaluate_r_pcbr(exp: Experiment) -> FactResult:
    rates = dict(exp.settings.get("rates", {}))
    ref = exp.at("reference")
    slopes, shifted, rows = [], [], []
    for r in sorted(exp.countries["replicate"].unique()):
        xs, losses, revenue = [], [], []
        for label, rate in rates.items():
            run = exp.at(label)
            run = run[run["replicate"] == r]
            dw = world_welfare_change(run, ref[ref["replicate"] == r]).iloc[-1]
            last = run[run["period"] == run["period"].max()]
            xs.append(rate)
            losses.append(-dw)
            revenue.append(float(last["tariff_revenue"].sum() / last["gdp_accounts"].sum()))
        xs, losses, revenue = map(np.asarray, (xs, losses, revenue))
        for x, lo_, rv in zip(xs, losses, revenue):
            rows.append({"x": x, "mean": lo_, "low": lo_, "high": lo_, "label": "world welfare loss"})
        if (losses > 0).all():
            slopes.append(float(np.polyfit(np.log(xs), np.log(losses), 1)[0]))
        else:
            slopes.append(np.nan)
        if (revenue > 0).all():
            shifted.append(float(np.polyfit(np.log(xs), np.log(revenue), 1)[0]))
    m, lo, hi, n = mean_interval(slopes)
    sm, slo, shi, _ = mean_interval(shifted)
    bad = int(np.sum(~np.isfinite(slopes)))
    passed = bool(n > 0 and bad == 0 and 1.7 <= lo and hi <= 2.3 and 0.7 <= slo and shi <= 1.3)
    detail = (f"log-log slope of the world welfare loss on the rate: {_iv(m, lo, hi, 1, 2)} (theory 2, criterion "
              f"[1.7, 2.3]); of the income shifted (tariff revenue / world GDP): {_iv(sm, slo, shi, 1, 2)} (theory 1, "
              f"criterion [0.7, 1.3]); rates {', '.join(f'{100 * v:g} %' for v in rates.values())}, flexible wages, "
              "no initial tariffs" + (f"; {bad} seed(s) with a non-positive loss" if bad else ""))
    ser = pd.DataFrame(rows)
    ser = _band(ser.rename(columns={"mean": "y"}), "x", "y", "world welfare loss (log points)")
    return FactResult("R-PCBR", m, lo, hi, passed, detail, n=n, target=2.0, series=ser, xlabel="uniform tariff rate",
                      ylabel="world welfare loss", kind="line", slope=2.0)


def _intra_regional(exp: Experiment, label: str, t: int) -> pd.Series:
    g = exp.at(label, "global")
    return g[g["period"] == t].set_index("replicate")["intra_regional_share_intermediate"]


def evaluate_b_cost(goods: Experiment, ideas: Experiment) -> FactResult:
    t = goods.last
    dg = (_intra_regional(goods, "goods cheaper", t) - _intra_regional(goods, "reference", t)).dropna()
    di = (_intra_regional(ideas, "ideas cheaper", ideas.last) - _intra_regional(ideas, "reference", ideas.last)).dropna()
    m, lo, hi, n = mean_interval(dg)
    im, ilo, ihi, _ = mean_interval(di)

    def length(exp, label, tt):
        g = exp.at(label, "global")
        return g[g["period"] == tt].set_index("replicate")["production_length_gvc_world"]

    lg = mean_interval((length(goods, "goods cheaper", t) / length(goods, "reference", t) - 1).dropna())
    li = mean_interval((length(ideas, "ideas cheaper", ideas.last) / length(ideas, "reference", ideas.last) - 1).dropna())
    passed = bool(lo > 0 and ihi < 0)
    detail = (f"intra-regional share of intermediate trade: goods cheaper {_iv(m, lo, hi, 100, 2)} pp (must be > 0), "
              f"ideas cheaper {_iv(im, ilo, ihi, 100, 2)} pp (must be < 0); GVC production length: goods cheaper "
              f"{_iv(*lg[:3], 100, 2)} %, ideas cheaper {_iv(*li[:3], 100, 2)} %")
    series = pd.concat([
        _band(goods.at("goods cheaper", "global"), "period", "intra_regional_share_intermediate", "goods cheaper"),
        _band(goods.at("reference", "global"), "period", "intra_regional_share_intermediate", "reference"),
        _band(ideas.at("ideas cheaper", "global"), "period", "intra_regional_share_intermediate", "ideas cheaper"),
    ], ignore_index=True)
    return FactResult("B-cost", m, lo, hi, passed, detail, n=n, series=series,
                      ylabel="intra-regional share of intermediate trade")


#: fact id -> (evaluator, the experiments it reads, in argument order).
EVALUATORS: dict[str, tuple[Callable[..., FactResult], tuple[str, ...]]] = {
    "QY-closed": (evaluate_qy_closed, ("paper-closed",)),
    "QY-P1": (evaluate_qy_p1, ("home-bias",)),
    "QY-P2": (evaluate_qy_p2, ("intermediate-tariff", "catch-up")),
    "QY-P3": (evaluate_qy_p3, ("catch-up",)),
    "QY-P4": (evaluate_qy_p4, ("robot-price",)),
    "QY-T1": (evaluate_qy_t1, ("catch-up",)),
    "QY-conc": (evaluate_qy_conc, ("paper-concentration", "trading-countries")),
    "QY-HHI": (evaluate_qy_hhi, ("catch-up",)),
    "QY-loc": (evaluate_qy_loc, ("historical",)),
    "GLZ-TBI": (evaluate_glz_tbi, ("historical",)),
    "GLZ-policy": (evaluate_glz_policy, ("historical",)),
    "Z-trade": (evaluate_z_trade, ("historical",)),
    "Z-measures": (evaluate_z_measures, ("historical",)),
    "Z-region": (evaluate_z_region, ("historical",)),
    "Z-RCEP": (evaluate_z_rcep, ("bloc-cost-cut",)),
    "Z-digital": (evaluate_z_digital, ("information-cost",)),
    "Z-length": (evaluate_z_length, ("trade-cost",)),
    "R-PCBR": (evaluate_r_pcbr, ("tariff-sweep",)),
    "B-cost": (evaluate_b_cost, ("trade-cost", "information-cost")),
}


def evaluate(experiments: Mapping[str, Experiment]) -> list[FactResult]:
    """Every fact of :data:`FACTS`, in order, from the experiments it reads; a fact whose experiment is
    missing or whose evaluation fails on the data is reported failed with the reason, never dropped."""
    out = []
    for fact in FACTS:
        fn, needs = EVALUATORS[fact.id]
        missing = [n for n in needs if n not in experiments]
        if missing:
            out.append(_failed(fact.id, f"experiment {', '.join(missing)} did not run"))
            continue
        try:
            out.append(fn(*(experiments[n] for n in needs)))
        except (KeyError, ValueError, IndexError, ZeroDivisionError, EconometricsError) as exc:
            out.append(_failed(fact.id, f"could not be evaluated: {type(exc).__name__}: {exc}"))
    return out


def regression_tables(panels: Mapping[str, Experiment], n_boot: int = 99) -> pd.DataFrame:
    """The papers' regressions on each simulated panel, per seed, beside the published coefficients.

    Qu & Yang Table 1 (eq. 16, eq. 18 with k = 2 and 4; GVCP_qy, standardized, two-way effects,
    errors clustered by country), Table 3 (eq. 19 and 20: single threshold in omega, Hansen 1999,
    ``n_boot`` bootstrap replications; the threshold ``gamma`` and its p-value as rows), and Gao,
    Li & Zhu eq. 2 (the KOF-like index of :func:`kof_panel` on TBI, all countries and by
    development group; their Table 3 column 1 and Table 4's TBI rows). Returns long rows
    ``panel, spec, sample, term, paper, coef, ci_low, ci_high, seeds`` (mean and 95 % interval
    across seeds of the per-seed estimates); a regression that cannot be estimated on a seed is
    left out of that seed.
    """
    from .econometrics import paper_table, qy_table1

    paper = {(r.spec, "all", r.term): r.coef for r in paper_table("qy_table1").itertuples()}
    paper |= {(r.spec, "all", r.term): r.coef for r in paper_table("qy_table3").itertuples()}
    paper |= {(f"eq{19 if r.regime == 'mu' else 20}", "all", "gamma"): r.gamma
              for r in paper_table("qy_table2").itertuples() if r.thresholds == "single"}
    paper |= {(f"eq{19 if r.regime == 'mu' else 20}", "all", "p_value"): r.p_value
              for r in paper_table("qy_table2").itertuples() if r.thresholds == "single"}
    paper[("glz", "all", "tbi")] = float(paper_table("glz_table3").query("spec == 'glz_t3_1' and term == 'tbi'").coef.iloc[0])
    t4 = paper_table("glz_table4").query("term == 'tbi' and index == 'kof_overall'")
    for r in t4.itertuples():
        paper[("glz", r.sample, "tbi")] = r.coef
    rows = []
    for name, exp in panels.items():
        est: dict[tuple, list[float]] = {}
        for _, g in _per_replicate(exp.countries).items():
            try:
                for r in qy_table1(g).itertuples():
                    est.setdefault((r.spec, "all", r.term), []).append(float(r.coef))
            except (EconometricsError, ValueError, np.linalg.LinAlgError):
                pass
            for regime in ("mu", "nu"):
                try:
                    thr = qy_threshold(g, regime=regime, n_boot=n_boot, seed=0, max_grid=200)
                except (EconometricsError, ValueError, np.linalg.LinAlgError):
                    continue
                spec = thr.table["spec"].iloc[0]
                for r in thr.table.itertuples():
                    est.setdefault((spec, "all", r.term), []).append(float(r.coef))
                est.setdefault((spec, "all", "gamma"), []).append(thr.gamma)
                est.setdefault((spec, "all", "p_value"), []).append(thr.p_value)
            if "restrictive_events" in g.columns and "applied_tariff" in g.columns:
                try:
                    for r in glz_regression(kof_panel(g)).query("term == 'tbi'").itertuples():
                        est.setdefault(("glz", r.sample, "tbi"), []).append(float(r.coef))
                except (EconometricsError, ValueError, np.linalg.LinAlgError):
                    pass
        for key, values in est.items():
            if key[2] == "const":
                continue
            m, lo, hi, n = mean_interval(values)
            rows.append({"panel": name, "spec": key[0], "sample": key[1], "term": key[2],
                         "paper": paper.get(key, np.nan), "coef": m, "ci_low": lo, "ci_high": hi, "seeds": n})
    return pd.DataFrame(rows, columns=["panel", "spec", "sample", "term", "paper", "coef", "ci_low", "ci_high", "seeds"])


#: The seeds' numbers the historical scenario is held against (issue: direction, ordering and order of
#: magnitude): quantity, source, kind (``level`` or ``change``), years, the paper's value (shares as
#: fractions). Seed 000: trade/GDP and measures; seed 001 Table 4 (its columns 2001 and 2013, both inside
#: the run): HHI of world export markets and China's shares; seed 003 Table 1: TBI.
SEED_NUMBERS = (
    ("world exports / GDP at the 2008 peak", "000", "level", (2008,), 0.523),
    ("world exports / GDP, peak (2005-2010) to last year", "000", "change", ("peak", 2022), 0.417 - 0.523),
    ("intermediate share of world trade", "000", "change", (2000, 2022), 0.582 - 0.675),
    ("restrictive measures in force, ratio to 2009", "000", "ratio", (2009, 2022), 5720 / 1340),
    ("HHI of final-goods export markets", "001 Table 4", "change", (2001, 2013), 0.1076 - 0.0878),
    ("HHI of intermediate export markets", "001 Table 4", "change", (2001, 2013), 0.0929 - 0.0789),
    ("China's share of world final-goods exports", "001 Table 4", "change", (2001, 2013), 0.1908 - 0.0834),
    ("China's share of world intermediate exports", "001 Table 4", "change", (2001, 2013), 0.0881 - 0.0420),
    ("China's share of world final-goods exports", "001 Table 4", "level", (2013,), 0.1908),
    ("TBI, China", "003 Table 1", "level", (2000,), 0.106),
    ("TBI, China", "003 Table 1", "level", (2007,), 0.243),
    ("TBI, China", "003 Table 1", "change", (2000, 2007), 0.243 - 0.106),
    ("TBI, United States", "003 Table 1", "level", (2000,), -0.197),
    ("TBI, United States", "003 Table 1", "level", (2005,), -0.271),
    ("TBI, United States", "003 Table 1", "level", (2014,), -0.133),
    ("TBI, United States", "003 Table 1", "change", (2005, 2014), -0.133 + 0.271),
    ("TBI, Germany", "003 Table 1", "level", (2010,), 0.17),
)


def _historical_series(exp: Experiment, quantity: str) -> pd.DataFrame:
    """Per (replicate, period) the value of one of :data:`SEED_NUMBERS`' quantities in the historical run."""
    g = exp.global_
    if quantity.startswith("world exports / GDP"):
        return g[["replicate", "period", "world_openness"]].rename(columns={"world_openness": "value"})
    if quantity == "intermediate share of world trade":
        return g[["replicate", "period", "intermediate_share_world_trade"]].rename(
            columns={"intermediate_share_world_trade": "value"})
    if quantity.startswith("restrictive measures"):
        out = g.sort_values(["replicate", "period"])[["replicate", "period", "restrictive_measures"]].copy()
        out["value"] = out.groupby("replicate")["restrictive_measures"].cumsum()
        return out[["replicate", "period", "value"]]
    if quantity.startswith("HHI"):
        col = "hhi_exports_final" if "final" in quantity else "hhi_exports_intermediate"
        return g[["replicate", "period", col]].rename(columns={col: "value"})
    if quantity.startswith("China's share"):
        col = "exports_final" if "final" in quantity else "exports_intermediate"
        return _world_share(exp.countries, col, "CHN").rename(columns={"share": "value"})
    country = {"TBI, China": "CHN", "TBI, United States": "USA", "TBI, Germany": "DEU"}[quantity]
    df = exp.countries[exp.countries["country"] == country]
    return df[["replicate", "period", "tbi"]].rename(columns={"tbi": "value"})


def historical_against_seeds(exp: Experiment) -> pd.DataFrame:
    """The historical scenario (2000-2017) beside the seeds' numbers (:data:`SEED_NUMBERS`), stated plainly.

    One row per number: ``quantity, source, kind, years, paper, simulated, ci_low, ci_high, years_simulated,
    direction, ratio, magnitude, statement``. ``simulated`` is the mean across seeds with a 95 % Student-t
    interval; years after the run's last are read at its last year (``years_simulated`` says which). A
    ``change`` is the later year minus the earlier (``peak``: each seed's highest value of 2005-2010), a
    ``ratio`` the later over the earlier. ``direction`` is ``same`` when the whole interval has the paper's
    sign (for a ratio: the side of 1), ``opposite`` when it has the other, else ``unclear``; ``ratio`` is
    simulated over paper and ``magnitude`` ``same order`` when it lies in [0.1, 10] (for a ratio fact, the
    ratios' excess over 1), else ``smaller`` or ``larger``. Levels of shares are fractions.
    """
    rows = []
    for quantity, source, kind, years, paper in SEED_NUMBERS:
        series = _historical_series(exp, quantity)

        def at(year, frame=series):
            return frame[frame["period"] == _period(exp, year)].set_index("replicate")["value"]

        if kind == "level":
            values = at(years[0])
            read = str(_year(_period(exp, years[0])))
        else:
            if years[0] == "peak":
                window = series[(series["period"] >= _period(exp, 2005)) & (series["period"] <= _period(exp, 2010))]
                start = window.groupby("replicate")["value"].max()
            else:
                start = at(years[0])
            end = at(years[1])
            values = (end / start.where(start > 0)) if kind == "ratio" else (end - start)
            first = "peak 2005-2010" if years[0] == "peak" else str(_year(_period(exp, years[0])))
            read = f"{first} to {_year(_period(exp, years[1]))}"
        m, lo, hi, n = mean_interval(values.replace([np.inf, -np.inf], np.nan).dropna())
        centre = 1.0 if kind == "ratio" else 0.0
        want_up = paper > centre
        if kind == "level" and not quantity.startswith("TBI"):
            direction = "n/a (a level)"  # a share is positive whatever happens: its sign says nothing
        elif n == 0 or not np.isfinite(lo):
            direction = "unclear"
        elif (lo > centre) if want_up else (hi < centre):
            direction = "same"
        elif (hi < centre) if want_up else (lo > centre):
            direction = "opposite"
        else:
            direction = "unclear"
        ratio = (m - centre) / (paper - centre) if paper != centre and np.isfinite(m) else np.nan
        if not np.isfinite(ratio) or ratio <= 0:
            magnitude = "n/a (sign differs)" if np.isfinite(ratio) else "n/a"
        else:
            magnitude = "same order" if 0.1 <= ratio <= 10 else ("smaller" if ratio < 0.1 else "larger")
        label = "-".join(str(y) for y in years)
        scale, unit = (1.0, "") if (kind == "ratio" or quantity.startswith("TBI")) else (100.0, " %" if kind == "level" else " pp")
        statement = (f"{quantity} ({label}): paper {scale * paper:+.3g}{unit}, simulated {scale * m:+.3g}{unit} "
                     f"[{scale * lo:+.3g}, {scale * hi:+.3g}] ({read}); direction {direction}; "
                     f"{'magnitude ' + magnitude if kind != 'level' or quantity.startswith('TBI') else 'level ratio'} "
                     f"{ratio:.2f}x" if np.isfinite(ratio) else f"{quantity}: not measurable in this run")
        rows.append({"quantity": quantity, "source": source, "kind": kind, "years": label, "paper": paper,
                     "simulated": m, "ci_low": lo, "ci_high": hi, "years_simulated": read, "direction": direction,
                     "ratio": ratio, "magnitude": magnitude, "statement": statement})
    return pd.DataFrame(rows)


#: Indicators shown beside a real table's (the issue's list: omega, mu, nu, GVC participation, TBI).
TABLE_INDICATORS = ("omega", "mu", "nu", "gvcp_qy", "gvcp_kww", "tbi")


def real_beside_simulated(real: pd.DataFrame, exp: Experiment, columns: Sequence[str] = TABLE_INDICATORS) -> pd.DataFrame:
    """A real table's indicators (one row per country, ``real``) beside the world calibrated from it:
    its period 0 (mean over seeds), the difference, and its last period (mean over seeds), long format
    ``country, indicator, real, simulated_0, difference_0, simulated_last``."""
    df = exp.countries
    first = df[df["period"] == df["period"].min()].groupby("country")[list(columns)].mean()
    last = df[df["period"] == df["period"].max()].groupby("country")[list(columns)].mean()
    rows = []
    for c in real.index:
        for k in columns:
            r = float(real.loc[c, k])
            s0 = float(first.loc[c, k]) if c in first.index else np.nan
            rows.append({"country": c, "indicator": k, "real": r, "simulated_0": s0, "difference_0": s0 - r,
                         "simulated_last": float(last.loc[c, k]) if c in last.index else np.nan})
    return pd.DataFrame(rows)


def results_json(results: Sequence[FactResult]) -> str:
    """``{"facts": [{id, source, target, estimate, ci_low, ci_high, passed, emergent, measure, detail}]}``."""
    return json.dumps({"facts": [r.row() for r in results]}, indent=2) + "\n"
