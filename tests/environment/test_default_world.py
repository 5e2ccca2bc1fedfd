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
    K.row_order(indptr, sec, supplier, order)
    np.testing.assert_array_equal(order, np.argsort((buyer * S + sec) * F + supplier, kind="stable"))
