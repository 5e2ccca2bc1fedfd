"""The model and run_simulation: reproducible, picklable, sticky and flexible wages, welfare rows."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest

from gvc_abm.environment.clearing import ClearingWarning
from gvc_abm.environment.config import AgentsConfig, ClearingConfig, LabourConfig, PaperWorldConfig, SimulationConfig
from gvc_abm.environment.model import GVCModel, run_simulation

from .conftest import small_config


def cfg(**kw):
    # the world alone, drivers held fixed and no agents deciding (issue 4 semantics)
    return SimulationConfig(world=small_config(firms=150), periods=3, agents=AgentsConfig(enabled=False), **kw)


def test_run_is_reproducible_and_picklable():
    a = run_simulation(cfg(seed=4))
    b = pickle.loads(pickle.dumps(run_simulation))(cfg(seed=4))
    pd.testing.assert_frame_equal(a.indicators, b.indicators, check_exact=True)
    pd.testing.assert_frame_equal(a.world, b.world, check_exact=True)
    c = run_simulation(cfg(seed=5))
    assert not np.array_equal(a.world["gdp"].to_numpy(), c.world["gdp"].to_numpy())
    assert list(a.indicators.columns[:2]) == ["period", "country"]
    assert a.indicators["period"].tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert all(r["converged"] for r in a.convergence)


def test_sticky_wages_move_toward_full_employment_after_a_shock():
    model = GVCModel(cfg(labour=LabourConfig(wage_mode="sticky")))
    L = model.world.country_state.labour_force
    model.step()
    r0 = model.last_result
    np.testing.assert_allclose(r0.employment, L, rtol=1e-8)  # starts in equilibrium
    model.world.country_state.technology[0] *= 1.1  # a productivity shock in A
    gaps = []
    for _ in range(6):
        model.step()
        r = model.last_result
        u = r.unemployment_rate(L)
        assert np.all(u >= 0) and np.all(u < 1)  # employment never exceeds the labour force
        gaps.append(np.max(u))
        # world GDP is the nominal anchor
        np.testing.assert_allclose(r.gdp.sum(), model.anchor(), rtol=1e-9)
    assert gaps[0] > 1e-3  # unemployment exists after the shock
    assert gaps[-1] < 0.15 * gaps[0]  # and shrinks as wages adjust (theta = 0.3: by about a third a period)
    assert np.all(np.diff(gaps) < 0)


def test_flexible_mode_has_no_unemployment():
    res = run_simulation(cfg(labour=LabourConfig(wage_mode="flexible")))
    np.testing.assert_allclose(res.world["unemployment"].to_numpy(), 0.0, atol=1e-8)
    assert (res.world["real_income"] > 0).all()


def test_state_view_is_read_only():
    model = GVCModel(cfg())
    with pytest.raises(ValueError):
        model.state.country_state.wage[0] = 1.0


def test_non_convergence_is_recorded_with_its_period():
    c = SimulationConfig(world=PaperWorldConfig(countries=3, firms_per_country=3), periods=1,
                         labour=LabourConfig(numeraire=7.0), clearing=ClearingConfig(max_iter=1, tol=1e-300))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ClearingWarning)
        res = run_simulation(c)
    assert not res.convergence[0]["converged"]
    assert any("period 0: market clearing did not converge" in str(w.message) for w in caught)
    assert not res.world["converged"].any()
