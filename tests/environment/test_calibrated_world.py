"""Calibrated world: the period-0 aggregated MRIO reproduces the table (Z, Y, VA) to 1e-9."""

from __future__ import annotations

import numpy as np
import pytest

from gvc_abm.analysis.mrio import TableError, mrio_from_arrays, read_table
from gvc_abm.environment.aggregate import aggregate
from gvc_abm.environment.builders import build_calibrated_world, world_from_mrio
from gvc_abm.environment.clearing import clear
from gvc_abm.environment.config import CalibratedWorldConfig

from .conftest import WIOD


def rel(a, b):
    return np.max(np.abs(a - b)) / np.max(np.abs(b))


def check_reproduces(world, m, result):
    t = aggregate(world, result)
    assert rel(t.Z, m.Z) <= 1e-9
    assert rel(t.Y, m.Y) <= 1e-9
    assert rel(t.x, m.x) <= 1e-9
    va = t.x - t.Z.sum(axis=0)
    assert np.max(np.abs(va - m.va)) <= 1e-9 * np.max(np.abs(m.va))
    return t


@pytest.mark.skipif(not WIOD.exists(), reason=f"shared WIOD 7x35 table not found at {WIOD}")
def test_wiod_7x35_is_reproduced():
    cfg = CalibratedWorldConfig(table=WIOD, firms=600)
    world = build_calibrated_world(cfg, np.random.default_rng(0))
    m = read_table(WIOD)
    assert world.F >= 245 - 2  # two zero-output cells get no firms
    assert np.any(world.policy.exogenous < 0)  # negative final demand kept outside the CES basket
    res = clear(world)
    assert res.converged
    check_reproduces(world, m, res)
    # still reproduced after a second period with nothing changed (a true fixed point)
    res2 = clear(world)
    check_reproduces(world, m, res2)
    np.testing.assert_allclose(res2.price, 1.0, rtol=1e-12)


def test_small_table_with_negative_final_demand_and_zero_output_cell():
    # 2 countries x 3 sectors; sector 2 of country 1 produces nothing; one negative Y entry
    Z = np.array([
        [10, 2, 0, 3, 1, 0],
        [4, 8, 0, 1, 2, 0],
        [0, 0, 0, 0, 0, 0],
        [2, 1, 0, 12, 3, 1],
        [1, 3, 0, 2, 9, 2],
        [1, 0, 0, 1, 1, 4],
    ], dtype=float)
    Y = np.array([[20, 5], [15, 4], [0, 0], [6, 30], [2, 25], [-1, 8]], dtype=float)
    m = mrio_from_arrays(Z, Y, ["A", "B"], ["s1", "s2", "s3"])
    world = world_from_mrio(m, firms=20, size_dispersion=1.0, sigma=4.0, automatability=0.5, automation=0.5,
                            rng=np.random.default_rng(1))
    assert not np.any(world.cell() == 2)
    res = clear(world)
    assert res.converged
    check_reproduces(world, m, res)
    # labour + capital income = table value added, by country
    np.testing.assert_allclose(res.gdp, [m.va[:3].sum(), m.va[3:].sum()], rtol=1e-12)


def test_zero_output_cell_with_flows_is_refused():
    Z = np.array([[1.0, 0.0], [0.0, 0.0]])
    Y = np.array([[5.0], [0.0]])
    m = mrio_from_arrays(Z, Y, ["A"], ["s1", "s2"])
    m2 = mrio_from_arrays(np.array([[1.0, 1.0], [0.0, 0.0]]), Y, ["A"], ["s1", "s2"])
    # s2 buys from s1 but has zero output -> impossible
    with pytest.raises(TableError, match="zero output but nonzero flows"):
        world_from_mrio(m2, firms=4, size_dispersion=0.0, sigma=2.0, automatability=0.0, automation=0.0,
                        rng=np.random.default_rng(0))
    world_from_mrio(m, firms=4, size_dispersion=0.0, sigma=2.0, automatability=0.0, automation=0.0,
                    rng=np.random.default_rng(0))


@pytest.mark.skipif(not WIOD.exists(), reason=f"shared WIOD 7x35 table not found at {WIOD}")
def test_wiod_world_answers_a_tariff():
    """NAFTA's 25 % tariff on China: the clearing converges from the calibrated state, NAFTA's imports
    from China fall and China's real income falls (sticky and flexible wages)."""
    from gvc_abm.environment.welfare import real_income

    world = build_calibrated_world(CalibratedWorldConfig(table=WIOD, firms=300), np.random.default_rng(0))
    nafta, china = world.countries.index("NAFTA"), world.countries.index("China")
    r0 = clear(world)
    before = aggregate(world, r0)
    shocked = world.copy()
    shocked.policy.tariff[nafta, china, :] = 0.25
    S = world.S
    rows, cols = slice(china * S, (china + 1) * S), slice(nafta * S, (nafta + 1) * S)
    for flexible in (False, True):
        w = shocked.copy()
        r1 = clear(w, flexible=flexible)
        assert r1.converged
        after = aggregate(w, r1)
        imports = lambda t: t.Z[rows, cols].sum() + t.Y[rows, nafta].sum()  # noqa: E731
        assert imports(after) < 0.9 * imports(before)
        assert real_income(w, r1)[china] < real_income(world, r0)[china]
        assert r1.tariff_revenue[nafta] > 0
