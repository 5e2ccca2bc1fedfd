"""WWZ (2013) eq. 37: literal formula term by term, adding-up, KWW aggregation, closed forms."""

from __future__ import annotations

import numpy as np
import pytest

from gvc_abm.analysis.examples import qu_yang_R_T, qu_yang_table
from gvc_abm.analysis.kww import kww_decomposition
from gvc_abm.analysis.mrio import mrio_from_arrays, read_table
from gvc_abm.analysis.wwz import WWZ_TERMS, WWZ_TO_KWW, wwz_decomposition

from ..conftest import ExplicitBlocks, random_table


def literal_wwz(m) -> dict[tuple[int, int], np.ndarray]:
    """Eq. (37) written block by block with explicit B, L (slow, obvious): {(s, r): (N, 16)}."""
    G, N = m.G, m.N
    b = ExplicitBlocks(m)
    x, blk = b.x, b.blk
    Ab, Bb, Yb, V, L, E = b.A, b.B, b.Y, b.V, b.L, b.E
    zero = np.zeros(N)
    out = {}
    for s in range(G):
        VB, VL = V(s) @ Bb(s, s), V(s) @ L[s]
        for r in range(G):
            if r == s:
                continue
            third = [t for t in range(G) if t not in (s, r)]
            VrB = V(r) @ Bb(r, s)
            VtB = sum((V(t) @ Bb(t, s) for t in third), zero)
            a = Ab(s, r)
            cols = [
                VB * Yb(s, r),
                VL * (a @ Bb(r, r) @ Yb(r, r)),
                VL * (a @ sum((Bb(r, t) @ Yb(t, t) for t in third), zero)),
                VL * (a @ Bb(r, r) @ sum((Yb(r, t) for t in third), zero)),
                VL * (a @ sum((Bb(r, t) @ Yb(t, u) for t in third for u in range(G) if u not in (s, t)), zero)),
                VL * (a @ Bb(r, s) @ Yb(s, s)),
                VL * (a @ Bb(r, r) @ Yb(r, s)),
                VL * (a @ sum((Bb(r, t) @ Yb(t, s) for t in third), zero)),
                VtB * Yb(s, r),
                VrB * Yb(s, r),
                VtB * (a @ L[r] @ Yb(r, r)),
                VrB * (a @ L[r] @ Yb(r, r)),
                VL * (a @ Bb(r, s) @ sum(Yb(s, t) for t in range(G) if t != s)),
                (VB - VL) * (a @ x[blk[r]]),
                VtB * (a @ L[r] @ E[r]),
                VrB * (a @ L[r] @ E[r]),
            ]
            out[(s, r)] = np.column_stack(cols)
    return out


@pytest.fixture(scope="module")
def table():
    return random_table(4, 3, seed=11)


def test_each_term_equals_the_literal_formula(table):
    df = wwz_decomposition(table)
    lit = literal_wwz(table)
    for (s, r), expected in lit.items():
        got = df.xs((table.countries[s], table.countries[r]), level=("exporter", "importer"))
        np.testing.assert_allclose(got[list(WWZ_TERMS)].to_numpy(), expected, rtol=1e-10, atol=1e-12)


def test_sixteen_terms_add_up_to_bilateral_sector_exports(table):
    df = wwz_decomposition(table)
    total = df[list(WWZ_TERMS)].sum(axis=1)
    np.testing.assert_allclose(total, df["EXGR"], rtol=1e-12)
    # EXGR is the table's own bilateral sector exports: Z to r's sectors plus Y to r.
    G, N = table.G, table.N
    Z4 = table.Z.reshape(G, N, G, N).sum(axis=3)
    s, r = 1, 3
    expected = Z4[s, :, r] + table.Y[table.block(s), r]
    got = df.xs((table.countries[s], table.countries[r]), level=("exporter", "importer"))["EXGR"]
    np.testing.assert_allclose(got.to_numpy(), expected, rtol=1e-13)
    assert len(df) == G * N * (G - 1)


def test_sum_over_importers_and_sectors_gives_kww_nine_terms():
    m = random_table(5, 4, seed=3)
    per_exporter = wwz_decomposition(m).groupby(level="exporter", sort=False).sum()
    kww = kww_decomposition(m)
    for k, (name, parts) in enumerate(WWZ_TO_KWW.items()):
        np.testing.assert_allclose(per_exporter[list(parts)].sum(axis=1), kww.terms[:, k], rtol=1e-10, err_msg=name)
    np.testing.assert_allclose(per_exporter["EXGR"], kww.exports, rtol=1e-12)


def test_two_country_one_sector_closed_forms():
    # A = [[a, b], [b, a]], Y = [[h, f], [f, h]]: solved by hand with D = (1-a)^2 - b^2,
    # c = 1 - a + b, x = (h + f) / (1 - a - b), E = b x + f.
    a, b, h, f = 0.3, 0.2, 2.0, 1.0
    x = (h + f) / (1 - a - b)
    Z = np.array([[a, b], [b, a]]) * x
    Y = np.array([[h, f], [f, h]])
    m = mrio_from_arrays(Z, Y, ["H", "F"], ["all"])
    got = wwz_decomposition(m).loc[("H", "all", "F")]
    c, d = 1 - a + b, 1 - a
    E = b * x + f
    expected = {
        "DVA_FIN": d / c * f,
        "DVA_INT": b / c * h,
        "RDV_INT": b**2 * h / (d * c),
        "RDV_FIN": b / c * f,
        "MVA_FIN": b / c * f,
        "MVA_INT": b**2 * h / (d * c),
        "DDC_FIN": b**2 * f / (d * c),
        "DDC_INT": b**3 * x / (d * c),
        "MDC": b**2 * E / (d * c),
    }
    for name in WWZ_TERMS:
        assert got[name] == pytest.approx(expected.get(name, 0.0), rel=1e-12, abs=1e-14), name
    assert got["EXGR"] == pytest.approx(E, rel=1e-13)


def test_symmetric_economy_final_goods_terms_follow_qu_yang_R_and_T():
    # V B has R on the diagonal and T off it (Qu & Yang 2023, eq. 11), so final exports
    # Y_sr carry R Y_sr of domestic, T Y_sr of the importer's and (N-2) T Y_sr of others' VA.
    N, mu, nu, omega = 4, 0.6, 0.45, 0.7
    m = qu_yang_table(N, mu, nu, omega, sizes=[1.0, 2.0, 3.0, 4.0])
    R, T = qu_yang_R_T(N, mu, nu)
    df = wwz_decomposition(m)
    Yf = df.index.map(lambda k: m.Y[m.countries.index(k[0]), m.countries.index(k[2])]).to_numpy()
    np.testing.assert_allclose(df["DVA_FIN"], R * Yf, rtol=1e-10)
    np.testing.assert_allclose(df["MVA_FIN"], T * Yf, rtol=1e-10)
    np.testing.assert_allclose(df["OVA_FIN"], (N - 2) * T * Yf, rtol=1e-10)


def test_group_trade_is_domestic_and_exports_add_up():
    m = random_table(5, 3, seed=7)
    groups = {"BLOC": ["R1", "R3"]}
    df = wwz_decomposition(m, groups)
    assert set(df.index.get_level_values("exporter")) == {"R0", "BLOC", "R2", "R4"}
    np.testing.assert_allclose(df[list(WWZ_TERMS)].sum(axis=1), df["EXGR"], rtol=1e-12)
    # The bloc's exports are its members' exports to non-members only.
    single = wwz_decomposition(m)
    members_out = single.query("exporter in ['R1', 'R3'] and importer not in ['R1', 'R3']")["EXGR"].sum()
    assert df.xs("BLOC", level="exporter")["EXGR"].sum() == pytest.approx(members_out, rel=1e-12)
    # A non-member's exports to the bloc are its exports to both members.
    to_bloc = single.query("exporter == 'R0' and importer in ['R1', 'R3']")["EXGR"].sum()
    assert df.xs(("R0", "BLOC"), level=("exporter", "importer"))["EXGR"].sum() == pytest.approx(to_bloc, rel=1e-12)


def test_singleton_group_only_renames_the_country():
    m = random_table(4, 2, seed=5)
    plain = wwz_decomposition(m)
    grouped = wwz_decomposition(m, {"SOLO": ["R2"]}).rename(index={"SOLO": "R2"})
    np.testing.assert_allclose(grouped.loc[plain.index].to_numpy(), plain.to_numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "groups, message",
    [
        ({"X": ["R0", "NOPE"]}, "not a country of the table"),
        ({"X": ["R0"], "Y": ["R0", "R1"]}, "in two groups"),
        ({"R1": ["R0", "R2"]}, "also a country outside"),
        ({"X": []}, "has no members"),
        ({"X": "R0"}, "must be a list"),
    ],
)
def test_bad_groups_raise_one_clear_line(groups, message):
    with pytest.raises(ValueError, match=message):
        wwz_decomposition(random_table(3, 2), groups)


def test_wiod_adds_up_and_matches_kww(wiod_path):
    m = read_table(wiod_path)
    df = wwz_decomposition(m)
    scale = np.abs(df["EXGR"]).max()
    np.testing.assert_allclose(df[list(WWZ_TERMS)].sum(axis=1), df["EXGR"], rtol=1e-8, atol=1e-12 * scale)
    per_exporter = df.groupby(level="exporter", sort=False).sum()
    kww = kww_decomposition(m)
    for k, (name, parts) in enumerate(WWZ_TO_KWW.items()):
        np.testing.assert_allclose(per_exporter[list(parts)].sum(axis=1), kww.terms[:, k], rtol=1e-8, err_msg=name)
    assert list(per_exporter.index) == list(m.countries)
