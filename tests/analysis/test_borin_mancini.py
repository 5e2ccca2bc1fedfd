"""Borin & Mancini (2019): source and sink decompositions against literal formulas and identities."""

from __future__ import annotations

import numpy as np
import pytest

from gvc_abm.analysis.borin_mancini import BM_TERMS, bm_decomposition, gvc_shares
from gvc_abm.analysis.kww import kww_decomposition
from gvc_abm.analysis.mrio import mrio_from_arrays, read_table

from ..conftest import random_table


def literal_parts(m, s: int, r: int) -> dict[str, np.ndarray]:
    """Source- and sink-based pieces for one pair, with the extraction inverse formed explicitly."""
    G, N = m.G, m.N
    x = m.x
    A = np.divide(m.Z, x[None, :], out=np.zeros_like(m.Z), where=x[None, :] != 0)
    v = np.divide(m.va, x, out=np.zeros_like(x), where=x != 0)
    I = np.eye(m.n)
    B = np.linalg.inv(I - A)
    bs, br = m.block(s), m.block(r)
    nots = np.ones(m.n, dtype=bool)
    nots[bs] = False
    As = A.copy()
    As[np.ix_(np.arange(m.n)[bs], np.flatnonzero(nots))] = 0.0  # s exports no intermediates
    Bs = np.linalg.inv(I - As)
    Lss = np.linalg.inv(np.eye(N) - A[bs, bs])
    Lrr = np.linalg.inv(np.eye(N) - A[br, br])
    Esr = A[bs, br] @ x[br] + m.Y[bs, r]
    Es = sum(A[bs, m.block(t)] @ x[m.block(t)] + m.Y[bs, t] for t in range(G) if t != s)
    VsLss = v[bs] @ Lss
    VsBss = v[bs] @ B[bs, bs]
    foreign_src = sum(v[m.block(t)] @ Bs[m.block(t), bs] for t in range(G) if t != s)
    foreign_B = sum(v[m.block(t)] @ B[m.block(t), bs] for t in range(G) if t != s)
    # Sink: the part of E_sr that returns to s to make s's exports.
    Am = A.copy()
    for t in range(G):
        Am[m.block(t), m.block(t)] = 0.0
    g = Bs[:, bs] @ Es
    ddc_base = A[bs, br] @ Lrr @ (Am @ g)[br]
    davax_base = m.Y[bs, r] + A[bs, br] @ Lrr @ m.Y[br, r]
    return {
        "src_DVA": VsLss * Esr,
        "src_DDC": (VsBss - VsLss) * Esr,
        "src_FVA": foreign_src * Esr,
        "src_DAVAX": VsLss * davax_base,
        "snk_DDC": VsBss * ddc_base,
        "snk_FDC": foreign_B * ddc_base,
        "snk_FVA": foreign_B * (Esr - ddc_base),
        "snk_DAVAX": VsBss * davax_base,
    }


@pytest.fixture(scope="module")
def table():
    return random_table(4, 3, seed=21)


@pytest.mark.parametrize("approach", ["source", "sink"])
def test_six_parts_add_up_to_bilateral_sector_exports(table, approach):
    df = bm_decomposition(table, approach)
    np.testing.assert_allclose(df[list(BM_TERMS)].sum(axis=1), df["EXGR"], rtol=1e-12)
    np.testing.assert_allclose(df["DVA"], df[["DAVAX", "VAX_GVC", "REF"]].sum(axis=1), rtol=1e-13)
    assert (df[list(BM_TERMS)].to_numpy() > -1e-12).all()


def test_terms_equal_the_literal_formulas_with_explicit_extraction_inverse(table):
    src, snk = bm_decomposition(table, "source"), bm_decomposition(table, "sink")
    for s, r in [(0, 1), (2, 3), (3, 0)]:
        lit = literal_parts(table, s, r)
        key = (table.countries[s], table.countries[r])
        a = src.xs(key, level=("exporter", "importer"))
        b = snk.xs(key, level=("exporter", "importer"))
        np.testing.assert_allclose(a["DVA"], lit["src_DVA"], rtol=1e-10)
        np.testing.assert_allclose(a["DDC"], lit["src_DDC"], rtol=1e-10)
        np.testing.assert_allclose(a["FVA"], lit["src_FVA"], rtol=1e-10)
        np.testing.assert_allclose(a["DAVAX"], lit["src_DAVAX"], rtol=1e-10)
        np.testing.assert_allclose(b["DDC"], lit["snk_DDC"], rtol=1e-10)
        np.testing.assert_allclose(b["FDC"], lit["snk_FDC"], rtol=1e-10)
        np.testing.assert_allclose(b["FVA"], lit["snk_FVA"], rtol=1e-10)
        np.testing.assert_allclose(b["DAVAX"], lit["snk_DAVAX"], rtol=1e-10)


@pytest.mark.parametrize("groups", [None, {"BLOC": ["R1", "R3"]}])
def test_source_and_sink_agree_on_each_exporters_totals(groups):
    m = random_table(5, 3, seed=4)
    src = bm_decomposition(m, "source", groups).groupby(level="exporter", sort=False).sum()
    snk = bm_decomposition(m, "sink", groups).groupby(level="exporter", sort=False).sum()
    for col in ("DVA", "FVA", "DDC", "FDC", "REF", "EXGR"):
        np.testing.assert_allclose(src[col], snk[col], rtol=1e-10, err_msg=col)
    # ...but not on the bilateral attribution (else the two approaches would be one).
    a = bm_decomposition(m, "source", groups)["DVA"]
    b = bm_decomposition(m, "sink", groups)["DVA"]
    assert np.abs(a - b).max() > 1e-6 * np.abs(a).max()


def test_country_dva_and_double_counting_match_kww():
    # Source-based DVA = V_s L_ss E_s* = KWW T1..T5 and DDC = V_s (B_ss - L_ss) E_s* = T6.
    m = random_table(4, 3, seed=8)
    src = bm_decomposition(m, "source").groupby(level="exporter", sort=False).sum()
    kww = kww_decomposition(m)
    np.testing.assert_allclose(src["DVA"], kww.DVA, rtol=1e-10)
    np.testing.assert_allclose(src["DDC"], kww.terms[:, 5], rtol=1e-10)
    np.testing.assert_allclose(src["FVA"] + src["FDC"], kww.terms[:, 6:9].sum(axis=1), rtol=1e-10)


def test_two_country_one_sector_closed_forms():
    # A = [[a, b], [b, a]], Y = [[h, f], [f, h]], x = (h + f) / (1 - a - b), E = b x + f;
    # L = 1/(1-a), B_ss = (1-a)/D, B_rs = b/D with D = (1-a)^2 - b^2, c = 1 - a + b.
    a, b, h, f = 0.3, 0.2, 2.0, 1.0
    x = (h + f) / (1 - a - b)
    m = mrio_from_arrays(np.array([[a, b], [b, a]]) * x, np.array([[h, f], [f, h]]), ["H", "F"], ["all"])
    E = b * x + f
    d, c, nu = 1 - a, 1 - a + b, 1 - a - b
    src = bm_decomposition(m, "source").loc[("H", "all", "F")]
    snk = bm_decomposition(m, "sink").loc[("H", "all", "F")]
    assert src["DVA"] == pytest.approx(nu / d * E, rel=1e-12)
    assert src["DDC"] == pytest.approx(b**2 / (d * c) * E, rel=1e-12)
    # Extraction inverse: B^(s)_rs = L_rr A_rs L_ss = b / (1-a)^2.
    assert src["FVA"] == pytest.approx(nu * b / d**2 * E, rel=1e-12)
    assert src["DAVAX"] == pytest.approx(nu / d * (f + b * h / d), rel=1e-12)
    # Sink: DDC = V_s B_ss A_sr L_rr A_rs L_ss E_s = (1-a)/c * b^2 / (1-a)^2 * E.
    assert snk["DDC"] == pytest.approx(b**2 / (d * c) * E, rel=1e-12)
    assert snk["DAVAX"] == pytest.approx(d / c * (f + b * h / d), rel=1e-12)
    assert src["GVC"] == pytest.approx(E - src["DAVAX"], rel=1e-12)


def test_gvc_shares_split_into_backward_and_forward(table):
    df = bm_decomposition(table, "source")
    np.testing.assert_allclose(df["GVC"], df["EXGR"] - df["DAVAX"], rtol=1e-10)
    by_exporter = df.groupby(level="exporter").sum()
    sh = gvc_shares(by_exporter)
    np.testing.assert_allclose(sh["GVC_share"], sh["GVCB_share"] + sh["GVCF_share"], rtol=1e-12)
    assert ((sh["GVC_share"] > 0) & (sh["GVC_share"] < 1)).all()
    with pytest.raises(ValueError, match="source-based"):
        gvc_shares(bm_decomposition(table, "sink"))


def test_unknown_approach_is_refused(table):
    with pytest.raises(ValueError, match="approach"):
        bm_decomposition(table, "middle")


def test_wiod_adds_up_and_source_sink_agree(wiod_path):
    m = read_table(wiod_path)
    src, snk = bm_decomposition(m, "source"), bm_decomposition(m, "sink")
    scale = np.abs(src["EXGR"]).max()
    for df in (src, snk):
        np.testing.assert_allclose(df[list(BM_TERMS)].sum(axis=1), df["EXGR"], rtol=1e-8, atol=1e-12 * scale)
    a = src.groupby(level="exporter", sort=False).sum()
    b = snk.groupby(level="exporter", sort=False).sum()
    for col in ("DVA", "FVA", "DDC", "FDC"):
        np.testing.assert_allclose(a[col], b[col], rtol=1e-8, err_msg=col)
    np.testing.assert_allclose(a["DVA"], kww_decomposition(m).DVA, rtol=1e-8)


def literal_bilateral_perspective(m, s: int, r: int) -> dict[str, np.ndarray]:
    """Source-based bilateral perspective for one pair, with (I - A^(sr))^-1 formed explicitly."""
    x = m.x
    A = np.divide(m.Z, x[None, :], out=np.zeros_like(m.Z), where=x[None, :] != 0)
    v = np.divide(m.va, x, out=np.zeros_like(x), where=x != 0)
    bs, br = m.block(s), m.block(r)
    Asr = A.copy()
    Asr[bs, br] = 0.0  # the flow s -> r of intermediates removed
    Bsr = np.linalg.inv(np.eye(m.n) - Asr)
    B = np.linalg.inv(np.eye(m.n) - A)
    Esr = A[bs, br] @ x[br] + m.Y[bs, r]
    dom = v[bs] @ Bsr[bs, bs]
    foreign = sum(v[m.block(t)] @ Bsr[m.block(t), bs] for t in range(m.G) if t != s)
    return {"DVA": dom * Esr, "DDC": (v[bs] @ B[bs, bs] - dom) * Esr, "FVA": foreign * Esr}


def test_bilateral_perspective_equals_the_literal_formula_and_adds_up(table):
    df = bm_decomposition(table, "source", perspective="bilateral")
    np.testing.assert_allclose(df[list(BM_TERMS)].sum(axis=1), df["EXGR"], rtol=1e-12)
    for s, r in [(0, 2), (3, 1)]:
        lit = literal_bilateral_perspective(table, s, r)
        got = df.xs((table.countries[s], table.countries[r]), level=("exporter", "importer"))
        for col in ("DVA", "DDC", "FVA"):
            np.testing.assert_allclose(got[col], lit[col], rtol=1e-10, err_msg=col)
    # Less is double counted than in the exporter perspective: L_ss <= B^(sr)_ss <= B_ss.
    exporter = bm_decomposition(table, "source")
    assert (df["DVA"] >= exporter["DVA"] - 1e-12).all()
    assert (df["DDC"] <= exporter["DDC"] + 1e-12).all()
    assert (df["DVA"] > exporter["DVA"] + 1e-9).any()


def test_with_two_countries_the_bilateral_perspective_is_the_exporters():
    m = random_table(2, 3, seed=9)
    a = bm_decomposition(m, "source", perspective="bilateral")
    b = bm_decomposition(m, "source")
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("approach,perspective", [("source", "world"), ("sink", "bilateral")])
def test_unknown_or_undefined_perspective_is_refused(table, approach, perspective):
    with pytest.raises(ValueError, match="perspective"):
        bm_decomposition(table, approach, perspective=perspective)
