"""The fact evaluators: the list matches the project's fact list, intervals by hand, verdicts on their criteria.

Synthetic batch tables with known answers: a fact about a sign passes only when the whole
interval has it, a slope criterion reads the slope, and a missing experiment is reported
failed, never dropped.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gvc_abm.analysis.examples import qu_yang_R_T, qu_yang_table
from gvc_abm.analysis.facts import (FACT_IDS, FACTS, Experiment, evaluate, evaluate_qy_conc, evaluate_qy_p1, evaluate_r_pcbr,
                                    evaluate_z_measures, mean_interval, qy_eq13, results_json)
from gvc_abm.analysis.indicators import indicators_table
from gvc_abm.analysis.report import render_html, render_markdown, summary_line

FACTS_MD = Path(__file__).resolve().parents[2].parent / "shared" / "FACTS.md"
JSON_KEYS = {"id", "source", "target", "estimate", "ci_low", "ci_high", "passed", "emergent", "measure", "detail"}


def test_fact_ids_and_sources_are_those_of_the_fact_list():
    if not FACTS_MD.exists():
        pytest.skip(f"the project's fact list not found at ../shared/FACTS.md (looked in {FACTS_MD})")
    rows = re.findall(r"^\| ([A-Z][A-Za-z0-9-]+) \| .*? \| (\d{3}[^|]*?) \| .*\|$", FACTS_MD.read_text(), re.M)
    assert [r[0] for r in rows] == list(FACT_IDS)
    assert [r[1].strip() for r in rows] == [f.source for f in FACTS]


def test_mean_interval_by_hand():
    m, lo, hi, n = mean_interval([1.0, 2.0, 3.0, np.nan])
    half = 4.302652729749464 / np.sqrt(3)  # t_{0.975, 2} s / sqrt(n), s = 1
    assert (m, n) == (2.0, 3)
    assert lo == pytest.approx(2 - half, abs=1e-12) and hi == pytest.approx(2 + half, abs=1e-12)
    assert mean_interval([5.0])[:3] == (5.0, 5.0, 5.0)
    assert np.isnan(mean_interval([])[0])


@pytest.mark.parametrize("N, mu, nu, omega", [(3, 0.5, 0.3, 0.6), (7, 0.75, 0.55, 0.85)])
def test_eq13_is_the_participation_of_the_papers_table(N, mu, nu, omega):
    table = qu_yang_table(N, mu, nu, omega, sizes=np.arange(1.0, N + 1))
    ind = indicators_table(table)
    _, T = qu_yang_R_T(N, mu, nu)
    np.testing.assert_allclose(qy_eq13(ind["exports"].to_numpy(), T), ind["gvcp_qy"].to_numpy(), rtol=0, atol=1e-12)


def _frame(rows) -> pd.DataFrame:
    return pd.DataFrame(rows)


def _experiment(countries, labels, **kw) -> Experiment:
    empty = pd.DataFrame(columns=["point", "replicate", "period"])
    return Experiment("synthetic", tuple(labels), countries, kw.get("global_", empty), empty, empty,
                      settings=kw.get("settings", {}))


def _own_country_panel(changes: dict[int, float]) -> pd.DataFrame:
    rows = []
    for rep, d in changes.items():
        for point in ("reference", "USA"):
            for c in ("USA", "CHN"):
                for t in (0, 1):
                    shocked = point == "USA" and c == "USA" and t == 1
                    rows.append({"point": point, "replicate": rep, "period": t, "country": c,
                                 "gvcp_qy": 0.4 + (d if shocked else 0.0), "gvcp_kww": 0.5,
                                 "omega": 0.8 + (0.02 if shocked else 0.0)})
    return _frame(rows)


def test_a_sign_fact_passes_only_when_the_whole_interval_has_the_sign():
    falls = evaluate_qy_p1(_experiment(_own_country_panel({0: -0.02, 1: -0.03, 2: -0.025}), ["reference", "USA"]))
    assert falls.passed and falls.ci_high < 0
    assert falls.estimate == pytest.approx(-0.025)
    mixed = evaluate_qy_p1(_experiment(_own_country_panel({0: -0.05, 1: 0.01, 2: -0.02}), ["reference", "USA"]))
    assert mixed.estimate < 0 and mixed.ci_high > 0 and not mixed.passed


def _tariff_panel(loss_power: float, revenue_power: float) -> Experiment:
    rates = {"1 %": 0.01, "2 %": 0.02, "4 %": 0.04, "8 %": 0.08}
    rows = []
    for rep in range(3):
        for label, r in [("reference", 0.0), *rates.items()]:
            for c, e in (("A", 1.0), ("B", 3.0)):
                for t in (0, 1):
                    dlog = -(0.5 + 0.1 * rep) * r ** loss_power if (t == 1 and r > 0) else 0.0
                    rows.append({"point": label, "replicate": rep, "period": t, "country": c, "expenditure": e,
                                 "real_income": e * np.exp(dlog), "gdp_accounts": e,
                                 "tariff_revenue": 0.3 * e * r ** revenue_power if r > 0 else 0.0})
    return _experiment(_frame(rows), ["reference", *rates], settings={"rates": rates})


def test_r_pcbr_reads_the_slopes_harberger_passes_a_linear_loss_fails():
    square = evaluate_r_pcbr(_tariff_panel(2.0, 1.0))
    assert square.passed and square.estimate == pytest.approx(2.0, abs=1e-3)
    assert "0.99" in square.detail or "1.00" in square.detail
    linear = evaluate_r_pcbr(_tariff_panel(1.0, 1.0))
    assert not linear.passed and linear.estimate == pytest.approx(1.0, abs=1e-3)


def test_measures_in_force_ratio_by_hand():
    rows = [{"point": "run", "replicate": rep, "period": t, "restrictive_measures": n}
            for rep, counts in enumerate([[0] * 9 + [2] + [1] * 8, [0] * 9 + [4] + [2] * 8])
            for t, n in enumerate(counts)]
    g = _frame(rows)
    countries = _frame([{"point": "run", "replicate": 0, "period": t, "country": "A"} for t in range(18)])
    res = evaluate_z_measures(_experiment(countries, ["run"], global_=g))
    # by 2009 (period 9): 2 and 4; by 2017: 2 + 8 = 10 and 4 + 16 = 20: ratio 5 both
    assert res.estimate == pytest.approx(5.0) and res.passed


def test_every_fact_is_reported_even_when_its_experiment_is_missing():
    results = evaluate({})
    assert [r.id for r in results] == list(FACT_IDS)
    assert not any(r.passed for r in results)
    assert all("did not run" in r.detail for r in results)
    doc = json.loads(results_json(results))
    assert [f["id"] for f in doc["facts"]] == list(FACT_IDS)
    assert all(set(f) == JSON_KEYS for f in doc["facts"])
    assert summary_line(results) == f"0 of {len(FACTS)} facts pass; 0 of those are emergent"
    md = render_markdown(results, {"quick": True})
    assert md.count("| FAIL |") == len(FACTS) and "--quick" in md
    assert render_html(results, {}, {}).count("<section") == len(FACTS)


def test_assumed_passes_are_not_counted_as_evidence():
    results = evaluate({})
    by = {r.id: r for r in results}
    by["QY-closed"].passed = True  # assumed (an identity of the paper world)
    by["R-PCBR"].passed = True  # emergent
    line = summary_line(results)
    assert line.startswith(f"2 of {len(FACTS)} facts pass; 1 of those are emergent") and "QY-closed" in line


def _paper_concentration() -> Experiment:
    rows, values = [], {}
    for N in (3, 5):
        label = f"N={N}"
        values[label] = {"countries": N, "mu": 0.6, "nu": 0.45}
        _, T = qu_yang_R_T(N, 0.6, 0.45)
        rows += [{"point": label, "replicate": 0, "period": 0, "country": f"C{i}", "gvcp_qy": 2 * T * (N - 1)}
                 for i in range(N)]
    exp = _experiment(_frame(rows), values)
    exp.values = values
    return exp


@pytest.mark.parametrize("falls, passes", [((-0.02, -0.05), True), ((-0.05, -0.02), False), ((-0.02, 0.01), False)])
def test_qy_conc_full_model_half_reads_the_core_mean_change(falls, passes):
    """Per seed, the mean over the core of GVCP_qy minus the reference; both intervals below 0 and a larger fall
    with fewer countries pass. The two seeds add -0.001 and +0.001 to every core country's change."""
    rows = []
    for rep, noise in enumerate((-0.001, 0.001)):
        for label, d in zip(("all", "fewer", "fewest"), (0.0, *falls)):
            for c, base in (("A", 0.4), ("B", 0.5)):
                rows.append({"point": label, "replicate": rep, "period": 3, "country": c,
                             "gvcp_qy": base + (d + noise if d else 0.0)})
    full = _experiment(_frame(rows), ("all", "fewer", "fewest"), settings={"core": ("A", "B")})
    res = evaluate_qy_conc(_paper_concentration(), full)
    assert res.passed is passes
    assert res.estimate <= 1e-12  # the paper world's closed form
    m, lo, hi, _ = mean_interval([falls[0] - 0.001, falls[0] + 0.001])
    assert f"fewer: {100 * m:.2f} [{100 * lo:.2f}, {100 * hi:.2f}] pp" in res.detail


def _historical_panel(sign: float) -> Experiment:
    """18 years (2000-2017), 3 seeds; every series a straight line through the seeds' numbers (times ``sign``
    for the changes), so each comparison's answer is known: ratio 1 and direction same with sign 1."""
    from gvc_abm.analysis.facts import SEED_NUMBERS

    years = np.arange(2000, 2018)
    tbi = {"CHN": np.interp(years, [2000, 2007], [0.106, 0.106 + sign * 0.137]),
           "USA": np.interp(years, [2000, 2005, 2014], [-0.197, -0.271, -0.271 + sign * 0.138]),
           "DEU": np.full(years.size, 0.17)}
    chn_final = np.interp(years, [2001, 2013], [0.0834, 0.0834 + sign * 0.1074])
    chn_int = np.interp(years, [2001, 2013], [0.0420, 0.0420 + sign * 0.0461])
    countries, glob = [], []
    for rep in range(3):
        noise = 1e-4 * (rep - 1)
        for t, y in enumerate(years):
            for c in ("CHN", "USA", "DEU"):
                share_f = chn_final[t] if c == "CHN" else (1 - chn_final[t]) / 2
                share_i = chn_int[t] if c == "CHN" else (1 - chn_int[t]) / 2
                countries.append({"point": "run", "replicate": rep, "period": t, "country": c, "tbi": tbi[c][t] + noise,
                                  "exports_final": 10 * share_f, "exports_intermediate": 7 * share_i})
            glob.append({"point": "run", "replicate": rep, "period": t,
                         "world_openness": np.interp(y, [2000, 2008, 2017], [0.45, 0.523, 0.523 - sign * 0.106]) + noise,
                         "intermediate_share_world_trade": np.interp(y, [2000, 2017], [0.675, 0.675 - sign * 0.093]),
                         "restrictive_measures": 10 if y == 2000 else (0 if y <= 2009 else
                                                                       (sign * (5720 / 1340 - 1) * 10 / 8 if sign > 0 else 0)),
                         "hhi_exports_final": np.interp(y, [2001, 2013], [0.0878, 0.0878 + sign * 0.0198]),
                         "hhi_exports_intermediate": np.interp(y, [2001, 2013], [0.0789, 0.0789 + sign * 0.014])})
    assert len(SEED_NUMBERS) == 17
    return _experiment(_frame(countries), ["run"], global_=_frame(glob))


def test_historical_against_seeds_reads_each_number_where_the_paper_puts_it():
    from gvc_abm.analysis.facts import historical_against_seeds

    rows = historical_against_seeds(_historical_panel(1.0)).set_index(["quantity", "kind", "years"])
    # the 2008 peak sits inside 2005-2010 and every series hits the paper's numbers: ratio 1 (2022 read at 2017
    # where the lines end)
    for key in [("world exports / GDP at the 2008 peak", "level", "2008"),
                ("HHI of final-goods export markets", "change", "2001-2013"),
                ("China's share of world intermediate exports", "change", "2001-2013"),
                ("TBI, China", "change", "2000-2007"), ("TBI, United States", "level", "2005"),
                ("TBI, Germany", "level", "2010"), ("intermediate share of world trade", "change", "2000-2022")]:
        assert rows.loc[key, "ratio"] == pytest.approx(1.0, abs=1e-6), key
    assert rows.loc[("restrictive measures in force, ratio to 2009", "ratio", "2009-2022"), "ratio"] == pytest.approx(1.0)
    signed = rows[rows["direction"] != "n/a (a level)"]
    assert (signed["direction"] == "same").all() and (rows["magnitude"] == "same order").all()
    assert rows.loc[("world exports / GDP at the 2008 peak", "level", "2008"), "direction"] == "n/a (a level)"
    flipped = historical_against_seeds(_historical_panel(-1.0)).set_index(["quantity", "kind", "years"])
    changes = flipped.xs("change", level="kind")
    assert (changes["direction"] == "opposite").all()
    assert (changes["magnitude"] == "n/a (sign differs)").all()
    assert flipped.loc[("TBI, United States", "level", "2005"), "direction"] == "same"  # a level before the turn
    # restrictive measures that stop after 2009 stay at their 2009 count: ratio 1, neither side of 1
    assert flipped.loc[("restrictive measures in force, ratio to 2009", "ratio", "2009-2022"), "direction"] == "unclear"


def test_the_report_shows_the_historical_comparison():
    from gvc_abm.analysis.facts import historical_against_seeds

    hist = historical_against_seeds(_historical_panel(1.0))
    meta = {"historical": hist}
    md = render_markdown(evaluate({}), meta)
    assert "## The historical scenario against the seeds' numbers" in md
    assert "Direction as the paper's in 15 of 15 signed numbers; the same order of magnitude in 17 of 17." in md
    assert md.count("| TBI, United States |") == 4
    html_page = render_html(evaluate({}), meta, {})
    assert "against the seeds' numbers</h2>" in html_page and html_page.count("<td>TBI, China</td>") == 3
    assert "was not run" in render_markdown(evaluate({}), {})
