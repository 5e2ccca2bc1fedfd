"""Bilateral views: KWW terms per partner, levels adding up to gross trade, bilateral TBI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gvc_abm.analysis.bilateral import aggregate, bilateral_tbi, kww_bilateral, to_long
from gvc_abm.analysis.borin_mancini import BM_TERMS, bm_decomposition
from gvc_abm.analysis.kww import KWW_TERMS, kww_decomposition
from gvc_abm.analysis.leontief import leontief_system, value_added_multipliers
from gvc_abm.analysis.mrio import mrio_from_arrays
from gvc_abm.analysis.trade import trade_flows
from gvc_abm.analysis.value_added_trade import trade_benefit_index, value_added_absorption
from gvc_abm.analysis.wwz import WWZ_TERMS, wwz_decomposition

from ..conftest import random_table


@pytest.fixture(scope="module")
def table():
    return random_table(4, 3, seed=31)


def test_bilateral_kww_sums_to_country_kww_and_its_aggregates(table):
    bil = kww_bilateral(table)
    country = aggregate(bil, "country")
    kww = kww_decomposition(table)
    np.testing.assert_allclose(country[list(KWW_TERMS)].to_numpy(), kww.terms, rtol=1e-10)
    np.testing.assert_allclose(country["VAX"], kww.VAX, rtol=1e-10)
    np.testing.assert_allclose(country["DVA"], kww.DVA, rtol=1e-10)
    np.testing.assert_allclose(country["FVA"], kww.FVA, rtol=1e-10)
    np.testing.assert_allclose(country["PDC"], kww.PDC, rtol=1e-10)
    np.testing.assert_allclose(bil[list(KWW_TERMS)].sum(axis=1), bil["EXGR"], rtol=1e-12)


@pytest.mark.parametrize("level", ["country", "bilateral", "sector"])
def test_every_level_adds_up_to_the_tables_gross_trade(table, level):
    flows = trade_flows(table)
    wwz = aggregate(wwz_decomposition(table), level)
    src = aggregate(bm_decomposition(table, "source"), level)
    np.testing.assert_allclose(wwz[list(WWZ_TERMS)].sum(axis=1), wwz["EXGR"], rtol=1e-12)
    np.testing.assert_allclose(src[list(BM_TERMS)].sum(axis=1), src["EXGR"], rtol=1e-12)
    if level == "country":
        np.testing.assert_allclose(wwz["EXGR"], flows.exports, rtol=1e-12)
    elif level == "bilateral":
        c = list(table.countries)
        expected = [flows.bilateral[c.index(s), c.index(r)] for s, r in wwz.index]
        np.testing.assert_allclose(wwz["EXGR"], expected, rtol=1e-12)
        assert list(wwz.index.names) == ["exporter", "importer"]
    else:
        np.testing.assert_allclose(
            wwz["EXGR"].groupby(level="exporter", sort=False).sum(), flows.exports, rtol=1e-12
        )


def test_unknown_level_is_refused(table):
    with pytest.raises(ValueError, match="level"):
        aggregate(wwz_decomposition(table), "planet")


def test_bilateral_tbi_two_country_closed_form():
    # A = [[a, b], [b, a]], Y = [[h1, f1], [f2, h2]]: VA_HF = v (B_HH f1 + B_HF h2)
    # = ((1-a) f1 + b h2) / (1 - a + b), and symmetrically for VA_FH.
    a, b, h1, f1, f2, h2 = 0.3, 0.2, 2.0, 1.5, 0.5, 3.0
    A = np.array([[a, b], [b, a]])
    Y = np.array([[h1, f1], [f2, h2]])
    x = np.linalg.solve(np.eye(2) - A, Y.sum(axis=1))
    m = mrio_from_arrays(A * x[None, :], Y, ["H", "F"], ["all"])
    c = 1 - a + b
    va_hf = ((1 - a) * f1 + b * h2) / c
    va_fh = ((1 - a) * f2 + b * h1) / c
    got = bilateral_tbi(m)
    assert got.loc[("H", "F"), "VA_exported"] == pytest.approx(va_hf, rel=1e-12)
    assert got.loc[("H", "F"), "VA_imported"] == pytest.approx(va_fh, rel=1e-12)
    assert got.loc[("H", "F"), "TBI"] == pytest.approx((va_hf - va_fh) / (va_hf + va_fh), rel=1e-12)
    assert got.loc[("F", "H"), "TBI"] == pytest.approx(-got.loc[("H", "F"), "TBI"], rel=1e-12)


def test_bilateral_tbi_sums_to_country_tbi(table):
    pairs = bilateral_tbi(table)
    per = pairs.groupby(level="exporter", sort=False)[["VA_exported", "VA_imported"]].sum()
    tbi_from_pairs = (per["VA_exported"] - per["VA_imported"]) / (per["VA_exported"] + per["VA_imported"])
    _, v, solver = leontief_system(table)
    W = value_added_multipliers(v, solver, table.G)
    np.testing.assert_allclose(tbi_from_pairs, trade_benefit_index(value_added_absorption(W, table.Y)), rtol=1e-12)


def test_bilateral_tbi_with_a_group_counts_its_internal_absorption_as_domestic(table):
    pairs = bilateral_tbi(table, {"BLOC": ["R0", "R2"]})
    assert ("BLOC", "R1") in pairs.index and ("R0", "R1") not in pairs.index
    plain = bilateral_tbi(table)
    expected = plain.loc[("R0", "R1"), "VA_exported"] + plain.loc[("R2", "R1"), "VA_exported"]
    assert pairs.loc[("BLOC", "R1"), "VA_exported"] == pytest.approx(expected, rel=1e-12)


def test_long_table_keeps_the_labels_and_every_value(table):
    wide = aggregate(wwz_decomposition(table), "bilateral")
    long = to_long(wide)
    assert list(long.columns) == ["exporter", "importer", "term", "value"]
    assert len(long) == wide.size
    back = long.pivot_table(index=["exporter", "importer"], columns="term", values="value", sort=False)
    pd.testing.assert_frame_equal(back[wide.columns].rename_axis(columns=None), wide, check_like=True)


def test_functions_accept_a_pymrio_iosystem(wiod_io):
    from gvc_abm.analysis.mrio import mrio_from_iosystem

    m = mrio_from_iosystem(wiod_io)
    pd.testing.assert_frame_equal(kww_bilateral(wiod_io), kww_bilateral(m))
    pd.testing.assert_frame_equal(bilateral_tbi(wiod_io), bilateral_tbi(m))
    pd.testing.assert_frame_equal(bm_decomposition(wiod_io, "sink"), bm_decomposition(m, "sink"))
