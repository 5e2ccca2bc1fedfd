"""The library functions a run's tables use: sector imports, applied tariffs, the world
production length, group participation and group intra-regional shares."""

from __future__ import annotations

import numpy as np
import pytest

from gvc_abm.analysis.indicators import compute_indicators, indicator_set
from gvc_abm.analysis.participation import group_kww_participation
from gvc_abm.analysis.regionalization import group_intra_share, region_intra_shares
from gvc_abm.analysis.trade import applied_tariffs, import_penetration, sector_imports, sector_use, trade_flows

from ..conftest import ExplicitBlocks, random_table


@pytest.fixture(params=[(3, 2, 0), (4, 3, 1)])
def table(request):
    G, N, seed = request.param
    return random_table(G, N, seed)


def test_sector_imports_sum_to_gross_imports(table):
    m = table
    imp = sector_imports(m)
    assert imp.shape == (m.G, m.N)
    np.testing.assert_allclose(imp.sum(axis=1), trade_flows(m).imports, rtol=1e-12)
    # by hand for country 0, sector 1: Z rows of (o, 1) into 0's columns plus Y of (o, 1) to 0, over o != 0
    G, N = m.G, m.N
    hand = sum(m.Z[o * N + 1, 0:N].sum() + m.Y[o * N + 1, 0] for o in range(1, G))
    assert imp[0, 1] == pytest.approx(hand, rel=1e-12)
    use = sector_use(m)
    np.testing.assert_allclose(import_penetration(m), imp / use.sum(axis=0).T, rtol=1e-12)


def test_uniform_tariff_is_its_own_trade_weighted_mean(table):
    m = table
    G, N = m.G, m.N
    tau = np.full((G, G, N), 0.15)
    tau[np.arange(G), np.arange(G), :] = 0.0
    a = applied_tariffs(m, tau)
    off = ~np.eye(G, dtype=bool)
    np.testing.assert_allclose(a.bilateral[off], 0.15, rtol=1e-12)
    assert np.all(np.diag(a.bilateral) == 0)
    np.testing.assert_allclose(a.importer, 0.15, rtol=1e-12)


def test_tariff_on_one_sector_is_weighted_by_that_sectors_import_share(table):
    m = table
    G, N = m.G, m.N
    tau = np.zeros((G, G, N))
    tau[0, 1, 0] = 0.4  # country 0 taxes sector 0 from country 1 only
    a = applied_tariffs(m, tau)
    use = sector_use(m)  # [o, s, c]
    assert a.bilateral[1, 0] == pytest.approx(0.4 * use[1, 0, 0] / use[1, :, 0].sum(), rel=1e-12)
    assert a.importer[0] == pytest.approx(0.4 * use[1, 0, 0] / sector_imports(m)[0].sum(), rel=1e-12)
    assert np.count_nonzero(a.bilateral) == 1 and np.count_nonzero(a.importer) == 1
    with pytest.raises(ValueError, match="tariff: expected shape"):
        applied_tariffs(m, np.zeros((G, G)))


def test_world_production_length_is_value_added_weighted_upstreamness(table):
    m = table
    e = ExplicitBlocks(m)
    U = (e.B_full @ m.x) / m.x  # upstreamness of every country-sector (Antras et al. 2012)
    w = compute_indicators(m)["world"]
    assert w["production_length_world"] == pytest.approx(float(m.va @ U / m.va.sum()), rel=1e-10)
    assert w["production_length_world"] > 1


def test_group_participation_of_everyone_is_the_worlds(table):
    s = indicator_set(table)
    c = s.columns
    everyone = np.ones(table.G, dtype=bool)
    p = group_kww_participation(c["kww_DVX"], c["kww_FVA"], c["exports"], everyone)
    assert float(p.total) == pytest.approx(s.world["gvcp_kww_world"], rel=1e-12)
    one = np.zeros(table.G, dtype=bool)
    one[1] = True
    p1 = group_kww_participation(c["kww_DVX"], c["kww_FVA"], c["exports"], one)
    assert float(p1.forward) == pytest.approx(c["gvcp_kww_forward"][1], rel=1e-12)
    assert float(p1.backward) == pytest.approx(c["gvcp_kww_backward"][1], rel=1e-12)
    assert float(group_kww_participation(c["kww_DVX"], c["kww_FVA"], c["exports"], ~everyone).total) == 0.0


def test_group_intra_share_by_hand():
    T = np.array([[9.0, 2.0, 1.0, 3.0],
                  [4.0, 9.0, 2.0, 2.0],
                  [1.0, 1.0, 9.0, 6.0],
                  [0.0, 5.0, 3.0, 9.0]])
    g = np.array([True, True, False, False])
    assert group_intra_share(T, g) == pytest.approx((2 + 4) / (2 + 1 + 3 + 4 + 2 + 2))
    assert group_intra_share(T, ~g) == pytest.approx((6 + 3) / (1 + 1 + 6 + 0 + 5 + 3))
    assert group_intra_share(T, np.zeros(4, dtype=bool)) == 0.0
    assert region_intra_shares(T, ["a", "a", "b", "b"]) == {"a": group_intra_share(T, g), "b": group_intra_share(T, ~g)}
