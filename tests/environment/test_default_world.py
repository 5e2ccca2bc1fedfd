"""The default world: the regions seed 000 reports on, and trade that looks like WIOD 2011's."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from gvc_abm.analysis.trade import intermediate_share_of_trade, trade_flows
from gvc_abm.environment.aggregate import aggregate
from gvc_abm.environment.builders import build_default_world
from gvc_abm.environment.clearing import clear
from gvc_abm.environment.config import DEFAULT_REGIONS, DefaultWorldConfig, FirmsConfig

#: WIOD 2011 aggregates computed from the table (how: see the file's note).
WIOD = json.loads((Path(__file__).resolve().parents[1] / "data" / "wiod_2011.json").read_text())


def test_five_regions_of_seed_000_with_two_african_countries():
    countries = DefaultWorldConfig().countries
    regions = {c.region for c in countries}
    assert regions == set(DEFAULT_REGIONS) == {"East Asia", "Europe", "Africa", "Americas", "South Asia"}
    assert len([c for c in countries if c.region == "Africa"]) >= 2
    by = {c.name: c.region for c in countries}
    assert by["IND"] == "South Asia" and by["CHN"] == by["JPN"] == by["KOR"] == "East Asia"
    assert 12 <= len(countries) <= 15


@pytest.fixture(scope="module", params=[0, 1])
def period0(request):
    w = build_default_world(DefaultWorldConfig(), np.random.default_rng(request.param))
    return aggregate(w, clear(w, wage_mode="fixed")).to_mrio()


def test_intermediate_share_of_world_trade_is_wiods(period0):
    """Intermediate exports over all exports, by the indicator library on the period-0 MRIO, within
    0.05 of WIOD 2011's by the same function (0.676); the old one-services world had 0.48."""
    share = intermediate_share_of_trade(trade_flows(period0))
    assert abs(share - WIOD["intermediate_share_of_trade"]) < 0.05


def test_sector_trade_is_wiods(period0):
    """The fitted frictions (delta_s, h_s) give each sector WIOD's export intensity and its split
    into intermediate and final exports; local services are hardly traded."""
    assert list(period0.sectors) == WIOD["sectors"]
    f = trade_flows(period0)
    G, N = period0.G, period0.N
    ex = f.sector_exports.reshape(G, N).sum(axis=0)
    ratio = ex / period0.x.reshape(G, N).sum(axis=0)
    np.testing.assert_allclose(ratio, WIOD["export_output"], rtol=0.2)
    split = f.sector_exports_intermediate.reshape(G, N).sum(axis=0) / ex
    np.testing.assert_allclose(split, WIOD["intermediate_export_share"], atol=0.1)
    assert ratio[-1] < 0.2 * ratio[:-1].min()  # local services are bought where they are made


def test_a_large_world_searches_its_benchmark_from_a_small_ones_to_the_same_wages(monkeypatch):
    """The warm start of the benchmark wage search (a smaller world's wages and Jacobian) changes the
    way to the benchmark, not the benchmark: wages, prices and outputs equal to rounding, fewer clearings."""
    from gvc_abm.environment import builders as B

    cfg = DefaultWorldConfig(firms=FirmsConfig(count=3000, links=6))
    counts = []
    real = B.equilibrate_benchmark

    def counting(*args, **kwargs):
        n = real(*args, **kwargs)
        counts.append((kwargs.get("start") is not None, n))
        return n

    monkeypatch.setattr(B, "equilibrate_benchmark", counting)
    cold = B.build_default_world(cfg, np.random.default_rng(4))
    monkeypatch.setattr(B, "WARM_START_FIRMS", 600)
    monkeypatch.setattr(B, "WARM_START_ABOVE", 2000)
    warm = B.build_default_world(cfg, np.random.default_rng(4))
    np.testing.assert_allclose(warm.country_state.wage, cold.country_state.wage, rtol=1e-10)
    np.testing.assert_allclose(warm.firms.price, cold.firms.price, rtol=1e-10)
    np.testing.assert_allclose(warm.firms.output, cold.firms.output, rtol=1e-9)
    (was_warm_cold, n_cold), (small_warm, _), (was_warm, n_warm) = counts
    assert not was_warm_cold and not small_warm and was_warm
    assert n_warm < n_cold / 2


def test_the_builders_compiled_link_passes_equal_their_numpy_forms():
    """The world builder's per-link kernels: landed costs ``p_g (1 + tau) t`` bit-identical to the numpy
    gathers, inverse-CDF draws equal to counting the CDF entries below u, and each CSR row's stable order by
    (sector, supplier) equal to a stable argsort of the (buyer, sector, supplier) keys, duplicates and
    empty rows included."""
    from numba import njit

    from gvc_abm.environment import kernels as K

    rng = np.random.default_rng(5)
    G, S, F = 4, 3, 60
    country, sector = rng.integers(0, G, F), rng.integers(0, S, F)
    counts = rng.integers(0, 7, F)
    counts[[3, 17]] = 0
    indptr = np.concatenate([[0], np.cumsum(counts)])
    supplier = rng.integers(0, 12, indptr[-1])  # few sellers: repeated (sector, supplier) pairs within rows
    price, tariff, tcost = rng.uniform(0.5, 2, F), rng.uniform(0, 0.3, (G, G, S)), rng.uniform(1, 1.5, (G, G, S))
    buyer = np.repeat(np.arange(F), counts)
    bc, oc, ss = country[buyer], country[supplier], sector[supplier]
    got = np.empty(indptr[-1])
    K.landed_costs(country, sector, indptr, supplier, price, tariff, tcost, got)
    np.testing.assert_array_equal(got, price[supplier] * (1.0 + tariff[bc, oc, ss]) * tcost[bc, oc, ss])

    cdf = np.cumsum(rng.random((G, G, S)), axis=1)
    cdf /= cdf[:, -1:, :]
    u = rng.random(500)
    u[:3] = [0.0, 1.0, cdf[1, 2, 0]]  # the edges: nothing below, everything below, a tie
    rows, cols = rng.integers(0, G, 500), rng.integers(0, S, 500)
    draws = np.empty(500, dtype=np.int64)
    K.draws_below(cdf, rows, cols, u, draws)
    np.testing.assert_array_equal(draws, np.minimum((cdf[rows, :, cols] < u[:, None]).sum(axis=1), G - 1))

    sec = sector[supplier]
    order = np.empty(indptr[-1], dtype=np.int64)
    njit(K._row_order)(indptr, sec, supplier, order)
    np.testing.assert_array_equal(order, np.argsort((buyer * S + sec) * F + supplier, kind="stable"))

    cells, start = rng.integers(0, 5, 400), np.array([0, 3, 3, 10, 11])
    n = np.array([3, 0, 7, 1, 4])
    cells[cells == 1] = 2  # no draw from an empty cell
    u = rng.random(400)
    u[:2] = [0.0, np.nextafter(1.0, 0.0)]
    members = np.empty(400, dtype=np.int64)
    K.uniform_members(cells, start, n, u, members)
    np.testing.assert_array_equal(members, start[cells] + np.minimum((u * n[cells]).astype(np.int64), n[cells] - 1))

    # benchmark spending shares: the input-output share of the seller's sector over the sectors bought, split
    # within the sector by lambda_g t^(1 - sigma); the bincount form the builder had
    alpha = rng.random((S, S))
    weight, tw = rng.lognormal(size=F), rng.uniform(0.5, 1.0, (G, G, S))
    shares = np.empty(indptr[-1])
    K.benchmark_spending_shares(indptr, supplier, country, sector, weight, tw, alpha, shares)
    wl = weight[supplier] * tw[country[buyer], country[supplier], sec]
    gsum = np.bincount(buyer * S + sec, weights=wl, minlength=F * S)
    bought = np.flatnonzero(gsum > 0)
    b_firm, b_sec = bought // S, bought % S
    alpha_bought = np.bincount(b_firm, weights=alpha[b_sec, sector[b_firm]], minlength=F)
    expected = alpha[sec, sector[buyer]] / alpha_bought[buyer] * wl / gsum[buyer * S + sec]
    np.testing.assert_array_equal(shares, expected)
    np.testing.assert_allclose(np.bincount(buyer, weights=shares, minlength=F)[counts > 0], 1.0, rtol=1e-12)


def test_sector_groups_equal_sorting_all_links_and_summing_by_group():
    """SupplierNetwork.from_shares groups each row in place (compiled, in parallel); it equals a stable sort of all
    (buyer, sector, seller) keys with group sums by bincount, zero-share groups (weights NaN) and empty rows
    included, on 1 or 2 threads."""
    import numba

    from gvc_abm.environment.state import SupplierNetwork

    rng = np.random.default_rng(9)
    F, S = 300, 4
    sector = rng.integers(0, S, F)
    counts = rng.integers(0, 9, F)
    indptr = np.concatenate([[0], np.cumsum(counts)])
    supplier = rng.integers(0, F, indptr[-1])
    share = rng.random(indptr[-1])
    share[rng.random(indptr[-1]) < 0.2] = 0.0
    buyer = np.repeat(np.arange(F), counts)
    sec = sector[supplier]
    order = np.argsort((buyer * S + sec) * F + supplier, kind="stable")
    b, s, sup, sh = buyer[order], sec[order], supplier[order], share[order]
    new = np.ones(len(b), dtype=bool)
    new[1:] = (b[1:] != b[:-1]) | (s[1:] != s[:-1])
    gid = np.cumsum(new) - 1
    alpha = np.bincount(gid, weights=sh)
    with np.errstate(invalid="ignore", divide="ignore"):
        weight = sh / alpha[gid]
    firm_groups = np.concatenate([[0], np.cumsum(np.bincount(b[new], minlength=F))])
    for threads in (1, min(2, numba.config.NUMBA_NUM_THREADS)):
        numba.set_num_threads(threads)
        try:
            net = SupplierNetwork.from_shares(indptr, supplier, share, sector)
        finally:
            numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        np.testing.assert_array_equal(net.supplier, sup)
        np.testing.assert_array_equal(net.share, sh)
        np.testing.assert_array_equal(net.group_alpha, alpha)
        np.testing.assert_array_equal(net.weight, weight)  # NaN where a group's shares are all 0
        np.testing.assert_array_equal(net.group_ptr, np.append(np.flatnonzero(new), len(b)))
        np.testing.assert_array_equal(net.firm_groups, firm_groups)
