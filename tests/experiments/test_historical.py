"""The historical scenario's own mechanics: China behind its tariff wall in 2000, the accession's cuts as
commitments, world spending along its path with the crisis' dip; its numbers are PWT's (tests/analysis/test_calibration.py)."""

from __future__ import annotations

import numpy as np
import pytest

from gvc_abm.analysis.calibration import WORLD_VALUE_ADDED_SHARE
from gvc_abm.environment.model import GVCModel
from gvc_abm.experiments.scenarios import make_config


@pytest.fixture(scope="module")
def model():
    """The scenario with 200 firms, stepped through 2000-2002 (periods 0-2)."""
    m = GVCModel(make_config("historical", firms=200, seed=1))
    return m


def test_china_joins_the_wto_in_2002_and_its_cuts_are_what_unwinding_returns_to(model):
    m, ins = model, model.instruments
    chn, usa = m.world.countries.index("CHN"), m.world.countries.index("USA")
    others = np.arange(m.world.G) != chn
    m.step()  # 2000
    np.testing.assert_array_equal(ins.mfn[chn, others], 0.153)
    np.testing.assert_array_equal(ins.mfn[usa, chn], 0.13)
    assert ins.mfn[np.ix_(others & (np.arange(m.world.G) != usa), ~others)].max() == 0.0  # nobody else taxes China
    m.step()  # 2001: the decree's first key repeats the rate
    m.step()  # 2002: a quarter of the way from 15.3 % to 9.9 %, and the USA's tariff gone
    np.testing.assert_allclose(ins.mfn[chn, others], 0.153 + (0.099 - 0.153) / 4, rtol=1e-15)
    assert np.all(ins.statutory[chn, others] >= ins.mfn[chn, others])  # governments may add, not cut below
    assert ins.mfn[usa, chn].max() == 0.0
    decreed = [e for e in m.events if e["source"] == "driver"]
    assert {e["country"] for e in decreed} == {"CHN", "USA"} and not any(e["restrictive"] for e in decreed)


def test_world_spending_follows_the_demand_path_and_dips_in_2009():
    """World nominal GDP is the anchor (the labour force at 2000's wages) times the demand driver, which grows
    with PWT's real output and falls in 2009, the crisis year, below both its neighbours."""
    cfg = make_config("historical", firms=200, seed=2)
    demand = cfg.drivers.demand.points
    assert demand[9] < demand[8] < demand[10]
    m = GVCModel(cfg)
    for _ in range(11):
        m.step()
    w = m.world_frame()
    wage0 = w[w.period == 0].set_index("country")["wage"]
    for period in (1, 8, 9, 10):
        now = w[w.period == period].set_index("country")
        path = m.world.numeraire * (wage0 * now["labour_force"]).sum() / float(m.initial_labour_value)
        assert now["gdp"].sum() == pytest.approx(demand[period] * path, rel=1e-9)
    assert m.trade_cost_multiplier == 1.0  # the trade-credit shock is over in 2010
    assert w[w.period == 9]["unemployment"].mean() > w[w.period == 8]["unemployment"].mean()


def test_the_world_value_added_share_is_the_default_worlds():
    """Technology growth is scaled by the world's value-added share; the default world's period 0 has it."""
    m = GVCModel(make_config("baseline", firms=400, seed=0, periods=1))
    m.step()
    t = m.last_table
    va = t.x.sum() - t.Z.sum()
    assert va / t.x.sum() == pytest.approx(WORLD_VALUE_ADDED_SHARE, abs=0.005)
