"""The remaining indicators: hand-computed cases, identities, and the real WIOD table."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from gvc_abm.analysis.concentration import export_hhi, herfindahl
from gvc_abm.analysis.examples import qu_yang_table
from gvc_abm.analysis.indicators import COUNTRY_FIELDS, KWW_FIELDS, WORLD_FIELDS, compute_indicators, indicators_table
from gvc_abm.analysis.leontief import leontief_system, value_added_multipliers
from gvc_abm.analysis.length import downstreamness, production_lengths, upstreamness
from gvc_abm.analysis.mrio import mrio_from_arrays, mrio_from_iosystem
from gvc_abm.analysis.regionalization import (
    intra_regional_share,
    region_intra_shares,
    modularity,
    partition_modularity,
    trade_communities,
    value_added_network,
)
from gvc_abm.analysis.trade import intermediate_share_of_trade, openness, trade_flows
from gvc_abm.analysis.value_added_trade import trade_benefit_index, value_added_absorption

from ..conftest import random_table


def three_country_table():
    """Hand-made 3-country, 1-sector table (values chosen to make sums easy)."""
    Z = np.array([[10.0, 2.0, 1.0], [3.0, 20.0, 0.0], [0.0, 4.0, 30.0]])
    Y = np.array([[50.0, 5.0, 2.0], [1.0, 60.0, 0.0], [6.0, 0.0, 40.0]])
    return mrio_from_arrays(Z, Y, ["a", "b", "c"], ["goods"])


def test_trade_flows_by_hand():
    m = three_country_table()
    f = trade_flows(m)
    np.testing.assert_array_equal(f.intermediate, [[0, 2, 1], [3, 0, 0], [0, 4, 0]])
    np.testing.assert_array_equal(f.final, [[0, 5, 2], [1, 0, 0], [6, 0, 0]])
    np.testing.assert_array_equal(f.exports, [10, 4, 10])
    np.testing.assert_array_equal(f.imports, [10, 11, 3])
    np.testing.assert_array_equal(f.sector_exports, f.exports)  # one sector
    assert intermediate_share_of_trade(f) == pytest.approx(10 / 24)
    gdp = m.va
    np.testing.assert_allclose(openness(f.exports, f.imports, gdp), (f.exports + f.imports) / gdp)


def test_herfindahl_by_hand():
    assert herfindahl([1, 1, 1, 1]) == pytest.approx(0.25)
    assert herfindahl([3, 1]) == pytest.approx(0.75**2 + 0.25**2)
    assert herfindahl([0, 0]) == 0.0
    f = trade_flows(three_country_table())
    hi, hf = export_hhi(f)
    assert hi == pytest.approx((3**2 + 3**2 + 4**2) / 10**2)
    assert hf == pytest.approx((7**2 + 1**2 + 6**2) / 14**2)


def test_partner_hhi_by_hand():
    from gvc_abm.analysis.concentration import partner_hhi

    T = np.array([[0.0, 3.0, 1.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
    # importer a buys 1 from b only -> 1; importer b buys 3 from a, 1 from c -> 0.625; c buys 1 and 1 -> 0.5
    np.testing.assert_allclose(partner_hhi(T), [1.0, 0.625, 0.5])
    np.testing.assert_allclose(partner_hhi(T, by="exporter"), [0.625, 0.5, 1.0])


def test_absorption_totals_world_gdp_and_country_gdp():
    m = random_table(4, 3, seed=11)
    A, v, solver = leontief_system(m)
    VA = value_added_absorption(value_added_multipliers(v, solver, m.G), m.Y)
    assert VA.sum() == pytest.approx(m.va.sum(), rel=1e-12)
    np.testing.assert_allclose(VA.sum(axis=1), m.va.reshape(m.G, m.N).sum(axis=1), rtol=1e-12)
    # ... and column sums are each country's final expenditure
    np.testing.assert_allclose(VA.sum(axis=0), m.Y.sum(axis=0), rtol=1e-12)


def test_tbi_by_hand_and_zero_in_symmetric_world():
    VA = np.array([[5.0, 3.0, 1.0], [1.0, 4.0, 1.0], [0.0, 2.0, 6.0]])
    # a: exported 4, imported 1 -> 3/5; b: exported 2, imported 5 -> -3/7; c: exported 2, imported 2 -> 0
    np.testing.assert_allclose(trade_benefit_index(VA), [0.6, -3 / 7, 0.0])
    sym = compute_indicators(qu_yang_table(4, 0.6, 0.45, 0.7))
    np.testing.assert_allclose([c["tbi"] for c in sym["countries"].values()], 0.0, atol=1e-12)


def test_lengths_against_their_definitions():
    m = random_table(3, 3, seed=5)
    A, v, solver = leontief_system(m)
    B = np.linalg.inv(np.eye(m.n) - A)
    U = upstreamness(solver, m.x)
    delta = m.Z / m.x[:, None]
    np.testing.assert_allclose(U, 1 + delta @ U, rtol=1e-12)  # Antras et al. (2012), eq. 5
    np.testing.assert_allclose(downstreamness(solver), B.sum(axis=0), rtol=1e-12)
    y = m.Y.sum(axis=1)
    plv, ply = production_lengths(solver, v, m.va, m.x, y, m.G)
    vBBy = v * (B @ B @ y)  # WWZ (2017): PLv_i = V B B Y / V B Y by sector, = U_i when x = B y
    vBy = v * (B @ y)
    np.testing.assert_allclose(vBBy / vBy, U, rtol=1e-12)
    np.testing.assert_allclose(plv, (vBBy.reshape(3, 3).sum(1)) / vBy.reshape(3, 3).sum(1), rtol=1e-12)
    vB, vBB = v @ B, v @ B @ B
    np.testing.assert_allclose(ply, (vBB * y).reshape(3, 3).sum(1) / (vB * y).reshape(3, 3).sum(1), rtol=1e-12)
    assert (plv >= 1).all() and (ply >= 1).all()


def test_regionalization_finds_the_blocs():
    # Two blocs {a, b} and {c, d} trading mostly inside.
    VA = np.array([[0, 9, 1, 0], [8, 0, 0, 1], [1, 0, 0, 7], [0, 1, 9, 0]], dtype=float)
    regions = ["east", "east", "west", "west"]
    assert intra_regional_share(VA, regions) == pytest.approx(33 / 37)
    assert region_intra_shares(VA, regions) == pytest.approx({"east": 17 / 19, "west": 16 / 18})
    graph = value_added_network(VA, ["a", "b", "c", "d"])
    communities, q = trade_communities(graph, seed=1)
    assert sorted(communities) == [["a", "b"], ["c", "d"]]
    # Newman: Q = sum_c L_c / m - (d_c / 2m)^2; edges a-b 17, c-d 16, a-c 2, b-d 2, m = 37
    assert q == pytest.approx(33 / 37 - (38**2 + 36**2) / 74**2, rel=1e-12)
    assert partition_modularity(graph, ["a", "b", "c", "d"], regions) == pytest.approx(q, rel=1e-12)


def test_modularity_equals_networkx_on_random_graphs_and_partitions():
    """The matrix form of Newman's Q equals networkx's modularity (weighted, with self-loops and an
    isolated node, several resolutions), and Louvain's partition scores what trade_communities reports."""
    import networkx as nx

    rng = np.random.default_rng(8)
    for n in (2, 5, 14):
        W = np.triu(rng.random((n, n)) * (rng.random((n, n)) < 0.6), 1)
        graph = nx.Graph()
        graph.add_nodes_from(range(n + 1))  # node n isolated
        graph.add_weighted_edges_from((i, j, W[i, j]) for i in range(n) for j in range(n) if W[i, j] > 0)
        graph.add_edge(0, 0, weight=0.7)
        full = np.zeros((n + 1, n + 1))
        full[:n, :n] = W + W.T
        full[0, 0] = 1.4
        for _ in range(3):
            labels = rng.integers(0, 3, n + 1)
            parts = [set(np.flatnonzero(labels == k).tolist()) for k in np.unique(labels)]
            for gamma in (0.5, 1.0, 2.0):
                want = nx.community.modularity(graph, parts, weight="weight", resolution=gamma)
                assert modularity(full, labels, resolution=gamma) == pytest.approx(want, rel=1e-12, abs=1e-15)
    VA = rng.random((14, 14))
    graph = value_added_network(VA, list(range(14)))
    communities, q = trade_communities(graph, seed=0)
    parts = [set(int(c) for c in p) for p in communities]
    assert q == pytest.approx(nx.community.modularity(graph, parts, weight="weight"), rel=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_value_added_weights_are_the_network_weight_matrix_to_the_bit(seed):
    """The records pass the value-added network's weight matrix to trade_communities instead of rebuilding it
    from the edges: the same matrix bit for bit (negative flows clipped, a zero pair with no edge), so the
    same communities and the same Q, and the region map's Q equals partition_modularity's."""
    from gvc_abm.analysis.regionalization import _weight_matrix, value_added_weights

    rng = np.random.default_rng(seed)
    VA = rng.random((14, 14)) * rng.lognormal(0, 2, (14, 14))
    VA[0, 1] = -0.3  # clipped
    VA[2, 3] = VA[3, 2] = 0.0  # no edge
    graph = value_added_network(VA, list(range(14)))
    W = value_added_weights(VA)
    assert np.array_equal(W, _weight_matrix(graph)) and W[2, 3] == 0.0 and not graph.has_edge(2, 3)
    assert trade_communities(graph, seed=0, weights=W) == trade_communities(graph, seed=0)
    regions = [str(r) for r in rng.integers(0, 4, 14)]
    assert modularity(W, np.array(regions, dtype=object)) == partition_modularity(graph, list(range(14)), regions)


def test_modularity_is_the_same_bits_whatever_the_string_hashing():
    """networkx sums over sets of nodes; with country names as nodes the order, and so the last bits, followed
    Python's per-process string hashing (PYTHONHASHSEED), breaking bit-identical runs."""
    import os
    import subprocess
    import sys

    code = (
        "import numpy as np\n"
        "from gvc_abm.analysis.regionalization import partition_modularity, trade_communities, value_added_network\n"
        "VA = np.random.default_rng(3).random((14, 14))\n"
        "names = ['USA', 'CAN', 'MEX', 'BRA', 'DEU', 'FRA', 'GBR', 'POL', 'CHN', 'JPN', 'KOR', 'IND', 'ZAF', 'NGA']\n"
        "g = value_added_network(VA, names)\n"
        "print(repr(trade_communities(g, seed=0)), repr(partition_modularity(g, names, [n[0] for n in names])))\n"
    )
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": str(h)}).stdout for h in (1, 2, 3)}
    assert len(outs) == 1, outs


def test_json_block_has_the_fields_the_issue_names():
    result = compute_indicators(qu_yang_table(3, 0.6, 0.45, 0.7), regions={"C1": "x", "C2": "x", "C3": "y"})
    assert set(result) == {"meta", "world", "countries", "regions"}
    needed = {
        "gdp", "gross_output", "exports", "imports", "exports_intermediate", "exports_final", "openness",
        "gvcp_kww", "gvcp_kww_forward", "gvcp_kww_backward", "gvcp_qy", "gvcp_qy_forward", "gvcp_qy_backward",
        "omega", "mu", "nu", "tbi", "production_length_plv", "production_length_ply", "kww",
    }
    for c in result["countries"].values():
        assert needed <= set(c)
        assert set(c["kww"]) == set(KWW_FIELDS) >= {"T1", "T9", "VAX", "DVA", "RDV", "FVA", "PDC", "DVX"}
        assert c["gvcp_kww"] == pytest.approx(c["gvcp_kww_forward"] + c["gvcp_kww_backward"])
        assert c["gvcp_kww"] == pytest.approx((c["kww"]["DVX"] + c["kww"]["FVA"]) / c["exports"])
        assert c["gvcp_kww_vs"] == pytest.approx(c["gvcp_kww"] + c["kww"]["T9"] / c["exports"])
    assert {"world_gdp", "world_exports", "hhi_exports_intermediate", "hhi_exports_final",
            "intermediate_share_world_trade", "gvcp_kww_world"} <= set(result["world"])
    json.dumps(result, allow_nan=False)


def test_wiod_goes_through_without_nan_or_warnings(wiod_io):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for use_table_x in (False, True):
            m = mrio_from_iosystem(wiod_io, use_table_x=use_table_x)
            assert (wiod_io.Y.to_numpy() < 0).sum() == 48 and (m.Y < 0).any() and (m.x == 0).sum() == 2  # quirks present
            result = compute_indicators(m, regions={c: c for c in m.countries})
            json.dumps(result, allow_nan=False)  # raises on NaN or inf
            table = indicators_table(m)
            assert table.shape == (7, len(COUNTRY_FIELDS) + len(KWW_FIELDS))
            assert np.isfinite(table.to_numpy()).all()
    w = result["world"]
    assert set(WORLD_FIELDS) == set(w)
    # World value added equals world final demand when x = Z1 + Y1 (and approximately otherwise).
    assert w["world_gdp"] == pytest.approx(wiod_io.Y.to_numpy().sum(), rel=2e-3)
    china = result["countries"]["China"]
    assert 0.5 < china["omega"] < 1 and 0.5 < china["mu"] < 1 and 0 < china["nu"] < 1
    assert china["tbi"] > 0 > result["countries"]["NAFTA"]["tbi"]  # GLZ Table 1: China gains, the US loses


def test_functions_accept_a_pymrio_iosystem_directly(wiod_io):
    from gvc_abm.analysis.kww import kww_decomposition

    m = mrio_from_iosystem(wiod_io)
    assert compute_indicators(wiod_io)["countries"] == compute_indicators(m)["countries"]
    np.testing.assert_array_equal(kww_decomposition(wiod_io).terms, kww_decomposition(m).terms)
    with pytest.raises(TypeError, match="MRIO or a pymrio.IOSystem"):
        compute_indicators(np.zeros((2, 2)))


def test_value_added_trade_matrix_gives_the_reported_tbi():
    from gvc_abm.analysis.value_added_trade import value_added_trade_matrix

    m = random_table(4, 2, seed=9)
    VA = value_added_trade_matrix(m)
    tbi = [c["tbi"] for c in compute_indicators(m)["countries"].values()]
    np.testing.assert_allclose(trade_benefit_index(VA), tbi, rtol=1e-12)


def test_import_penetration_by_hand():
    from gvc_abm.analysis.trade import import_penetration

    m = three_country_table()
    # country a uses Z[:, a] = 10, 3, 0 and Y[:, a] = 50, 1, 6: imports (3 + 1) + (0 + 6) = 10 of 70
    np.testing.assert_allclose(import_penetration(m)[:, 0], [10 / 70, (2 + 5 + 4) / 91, (1 + 2 + 0) / 73])


def test_flat_table_and_json_block_agree():
    from gvc_abm.analysis.indicators import table_from_indicators

    m = random_table(4, 3, seed=2)
    pd.testing.assert_frame_equal(indicators_table(m), table_from_indicators(compute_indicators(m)), check_exact=True)
