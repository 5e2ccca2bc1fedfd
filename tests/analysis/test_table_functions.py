"""The library functions a run's tables use: sector imports, applied tariffs, the world
production length, group participation and group intra-regional shares."""

from __future__ import annotations

import numpy as np
import pytest

from gvc_abm.analysis.indicators import compute_indicators, indicator_set
from gvc_abm.analysis.participation import group_kww_participation
from gvc_abm.analysis.regionalization import group_intra_share, groups_intra_shares, region_intra_shares
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


def test_many_groups_at_once_equal_one_group_at_a_time():
    """A period's regions and blocs go through the (K, G) forms at once: the same shares and KWW
    participation as group by group, empty groups included (0)."""
    rng = np.random.default_rng(4)
    G = 7
    T = rng.random((G, G))
    dvx, fva, ex = rng.random(G), rng.random(G), rng.random(G) + 0.5
    members = rng.random((5, G)) < 0.4
    members[0] = False
    members[1] = True
    shares = groups_intra_shares(T, members)
    part = group_kww_participation(dvx, fva, ex, members)
    for k in range(len(members)):
        assert shares[k] == pytest.approx(group_intra_share(T, members[k]), rel=1e-14)
        one = group_kww_participation(dvx, fva, ex, members[k])
        assert part.forward[k] == pytest.approx(float(one.forward), rel=1e-14)
        assert part.backward[k] == pytest.approx(float(one.backward), rel=1e-14)
        if members[k].any():
            off = T[np.ix_(members[k], members[k])]
            inside = off.sum() - np.trace(off)
            assert shares[k] == pytest.approx(inside / (T[members[k]].sum() - np.trace(T[np.ix_(members[k], members[k])])), rel=1e-12)
            assert part.forward[k] == pytest.approx(dvx[members[k]].sum() / ex[members[k]].sum(), rel=1e-12)
    assert shares[0] == 0.0 and part.forward[0] == 0.0 and part.backward[0] == 0.0


def test_gvc_production_length_by_hand_and_its_decomposition_adds_up():
    """Two countries, one sector each: A's value added goes abroad only as B's input, so its GVC value
    added passes exactly two stages (A's, then B's); and on a random table the GVC part's induced output
    plus the purely domestic and traditional-trade parts' equals the total, V L L Y^D + V L L Y^F + Xv_GVC = V B B Y."""
    from gvc_abm.analysis.examples import synthetic_table
    from gvc_abm.analysis.leontief import LeontiefSolver, input_coefficients, value_added_coefficients, local_inverses
    from gvc_abm.analysis.length import gvc_production_length

    A = np.array([[0.0, 0.5], [0.0, 0.0]])  # A's good is half of B's cost; B buys nothing from A's home
    v = np.array([1.0, 1.0])  # unit value added coefficients (rows of a simple chain)
    y = np.array([0.0, 1.0])  # only B's good is final
    by_country, world = gvc_production_length(A, LeontiefSolver(A), v, y, 2)
    assert by_country[0] == pytest.approx(2.0) and by_country[1] == 0.0 and world == pytest.approx(2.0)

    m = synthetic_table(4, 3, seed=2)
    G, N = 4, 3
    A = input_coefficients(m.Z, m.x)
    v = value_added_coefficients(m.va, m.x)
    solver = LeontiefSolver(A)
    y = m.Y.sum(axis=1)
    Yc = m.Y.reshape(G * N, G)
    yd = np.array([Yc[k, k // N] for k in range(G * N)])  # domestic final use
    local = local_inverses(A, G)

    def L(z):
        return np.concatenate([local[r].solve(z[r * N:(r + 1) * N]) for r in range(G)])

    total = (v * solver.solve(solver.solve(y))).sum()
    domestic, traditional = (v * L(L(yd))).sum(), (v * L(L(y - yd))).sum()
    by_country, world = gvc_production_length(A, solver, v, y, G)
    foreign = A.copy()
    for r in range(G):
        foreign[r * N:(r + 1) * N, r * N:(r + 1) * N] = 0.0
    v_gvc = (v * L(foreign @ solver.solve(y))).sum()
    assert domestic + traditional + world * v_gvc == pytest.approx(total, rel=1e-10)
    assert np.all(by_country > 1.0) and world > 1.0
