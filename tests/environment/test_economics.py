"""The economy tested as economists test it: no free lunch, Harberger, Hulten, labour in its range.

World welfare is :func:`gvc_abm.analysis.welfare.world_welfare_change` (expenditure-weighted mean
of log real-income changes against the same seed without the shock). Several seeds each.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gvc_abm.analysis.welfare import log_real_income_change, world_welfare_change
from gvc_abm.environment.config import DefaultWorldConfig, FirmsConfig, SimulationConfig
from gvc_abm.environment.model import run_simulation

from .conftest import small_config

PASSIVE_GOVERNMENTS = {"governments": {"active": False}}
SEEDS = (1, 2)


def default(periods=8, firms=600, mode="sticky", drivers=None, agents=None, mfn=None) -> SimulationConfig:
    world = DefaultWorldConfig(firms=FirmsConfig(count=firms)).to_dict()
    if mfn is not None:
        for c in world["countries"]:
            c["mfn_tariff"] = mfn
    return SimulationConfig.model_validate({
        "world": world, "periods": periods, "labour": {"wage_mode": mode},
        "agents": agents or PASSIVE_GOVERNMENTS, "drivers": drivers or {},
    })


def welfare(shocked: SimulationConfig, base: SimulationConfig, seed: int) -> np.ndarray:
    return world_welfare_change(run_simulation(shocked, seed).world, run_simulation(base, seed).world).to_numpy()


def uniform_tariff(rate, period=1):
    return {"tariff_shocks": [{"period": period, "importer": "*", "exporter": "*", "rate": rate}]}


def war(start=2, end=None, rate=0.25):
    shocks = [{"period": start, "importer": a, "exporter": b, "rate": rate} for a, b in (("USA", "CHN"), ("CHN", "USA"))]
    if end is not None:
        shocks += [{"period": end, "importer": a, "exporter": b, "rate": 0.0} for a, b in (("USA", "CHN"), ("CHN", "USA"))]
    return {"tariff_shocks": shocks}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name, drivers, start", [
    ("tariff 5%", uniform_tariff(0.05), 1),
    ("tariff 20%", uniform_tariff(0.2), 1),
    ("USA-CHN war", war(), 2),
    ("trade costs x1.5", {"trade_cost": {1: 1.5}}, 1),
])
def test_no_free_lunch_a_distortion_lowers_world_welfare_in_every_period_after_it(seed, name, drivers, start):
    """Governments passive, firms (suppliers, automation, insourcing) active, sticky wages."""
    dw = welfare(default(drivers=drivers), default(), seed)
    assert np.all(dw[:start] == 0.0), name  # same seed, same path until the shock
    assert np.all(dw[start:] < 0.0), (name, dw)


#: Governments that weigh and unwind measures (default thresholds and costs); households' tastes fixed.
ACTIVE_GOVERNMENTS = {"governments": {"active": True}, "households": {"active": False}}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name, drivers, start", [
    ("tariff 20%", uniform_tariff(0.2), 1),
    ("USA-CHN war", war(), 2),
])
def test_no_free_lunch_with_active_governments(seed, name, drivers, start):
    """The same distortion against the same seed, governments active in both runs: their measures and their
    unwinding (back to MFN, never below) cannot turn a distortion into a gain. Households' tastes are held
    fixed: a buy-local campaign changes preferences, and real income under other preferences is no welfare
    comparison (the price index with shifted home weights reads a move toward home goods as a gain)."""
    shocked = run_simulation(default(drivers=drivers, agents=ACTIVE_GOVERNMENTS), seed)
    base = run_simulation(default(agents=ACTIVE_GOVERNMENTS), seed)
    assert (shocked.events.source == "government").any(), name  # the governments did respond
    dw = world_welfare_change(shocked.world, base.world).to_numpy()
    assert np.all(dw[:start] == 0.0), name
    assert np.all(dw[start:] < 0.0), (name, dw)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_temporary_war_leaves_world_welfare_no_higher_than_without_it(seed):
    dw = welfare(default(periods=14, drivers=war(2, 6)), default(periods=14), seed)
    assert np.all(dw[2:] <= 1e-12), dw
    assert dw[2] < 0.0


@pytest.mark.parametrize("seed", SEEDS)
def test_harberger_the_loss_of_a_small_uniform_tariff_is_second_order(seed):
    """Flexible wages, no initial tariffs: log-log slope of the world welfare loss on the rate in [1.7, 2.3]
    for rates of 1-5 % (Harberger 1964; Rodrik's efficiency cost growing with the square of the rate)."""
    rates = np.array([0.01, 0.02, 0.03, 0.05])
    base = default(periods=4, mode="flexible", mfn=0.0)
    losses = np.array([-welfare(default(periods=4, mode="flexible", mfn=0.0, drivers=uniform_tariff(r)), base, seed)[-1]
                       for r in rates])
    assert np.all(losses > 0)
    slope = np.polyfit(np.log(rates), np.log(losses), 1)[0]
    assert 1.7 <= slope <= 2.3, (slope, losses)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("country", ["CHN", "DEU"])
def test_hulten_a_technology_rise_is_worth_its_domar_weight(seed, country):
    """Flexible wages: d log W = (gross output_c / world GDP) d log A_c to first order (Hulten 1978), within
    25 % for a 1 % rise; the country's own real income rises by no more than its own Domar weight allows,
    gross output_c / E_c d log A_c: real income is expenditure E_c = GDP_c + D_c over the price index, and
    with the deficit D_c fixed in the numeraire a surplus country's expenditure moves by GDP_c / E_c > 1
    times its GDP (a deficit country's by less), the terms of trade taking some of it back."""
    base = default(periods=2, mode="flexible")
    base_run = run_simulation(base, seed)
    shocked = run_simulation(default(periods=2, mode="flexible", drivers={"technology_growth": {country: 0.01}}), seed)
    dlogA = np.log(1.01)
    w1 = base_run.world[base_run.world.period == 1]
    ind = base_run.indicators[base_run.indicators.period == 1].set_index("country")
    domar_world = ind.loc[country, "gross_output"] / w1["gdp"].sum()
    domar_own = ind.loc[country, "gross_output"] / float(w1.loc[w1.country == country, "expenditure"].iloc[0])
    dw = world_welfare_change(shocked.world, base_run.world).loc[1]
    assert dw == pytest.approx(domar_world * dlogA, rel=0.25)
    own = log_real_income_change(shocked.world, base_run.world)
    own = float(own[(own.period == 1) & (own.country == country)].dlog_real_income.iloc[0])
    assert 0 < own <= domar_own * dlogA * (1 + 1e-9)


# --------------------------------------------------------------------------- labour stays possible

periods_st = st.integers(min_value=1, max_value=4)
driver_paths = st.fixed_dictionaries({}, optional={
    "tariff_shocks": st.lists(st.fixed_dictionaries({
        "period": periods_st, "importer": st.sampled_from(["A", "B", "C", "*"]),
        "exporter": st.sampled_from(["A", "B", "C", "*"]), "rate": st.floats(0.0, 1.0)}), max_size=3),
    "technology_growth": st.dictionaries(st.sampled_from(["A", "B", "C"]), st.floats(-0.1, 0.2), max_size=3),
    "labour_growth": st.dictionaries(st.sampled_from(["A", "B", "C"]), st.floats(-0.1, 0.2), max_size=3),
    "robot_price": st.dictionaries(periods_st, st.floats(0.2, 3.0), max_size=2),
    "trade_cost": st.dictionaries(periods_st, st.floats(0.5, 3.0), max_size=2),
    "disruptions": st.lists(st.fixed_dictionaries({
        "start": periods_st, "end": periods_st, "country": st.sampled_from(["A", "B", "C"]),
        "loss": st.floats(0.05, 0.8)}), max_size=2),
})


def _valid(drivers: dict) -> dict:
    out = dict(drivers)
    out["tariff_shocks"] = [s for s in drivers.get("tariff_shocks", []) if s["importer"] != s["exporter"] or s["importer"] == "*"]
    out["disruptions"] = [d | {"end": max(d["start"], d["end"])} for d in drivers.get("disruptions", [])]
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drivers=driver_paths, mode=st.sampled_from(["sticky", "flexible"]), seed=st.integers(0, 50))
def test_unemployment_stays_in_its_possible_range_over_random_driver_paths(drivers, mode, seed):
    cfg = SimulationConfig.model_validate({
        "world": small_config(firms=90).to_dict(), "periods": 5, "labour": {"wage_mode": mode},
        "drivers": _valid(drivers),
        "agents": {"governments": {"liberalize_threshold": 0.0, "retaliate_threshold": 0.01, "protect_threshold": 0.02}},
    })
    res = run_simulation(cfg, seed)
    u = res.world["unemployment"].to_numpy()
    assert np.all(u >= 0.0) and np.all(u < 1.0), u
    assert np.all(res.world["employment"] <= res.world["labour_force"])
    assert res.world["converged"].all()


@pytest.mark.parametrize("name", ["baseline", "paper", "trade-war", "automation-wave", "east-asia-bloc", "disruption",
                                  "calibrated"])
@pytest.mark.parametrize("mode", ["sticky", "flexible"])
def test_every_bundled_scenario_keeps_unemployment_in_its_possible_range(name, mode):
    from gvc_abm.experiments.scenarios import make_config

    from .conftest import WIOD

    overrides = [f"labour.wage_mode={mode}"]
    if name == "calibrated":
        if not WIOD.exists():
            pytest.skip(f"shared WIOD 7x35 table not found at {WIOD}")
        overrides.append(f"world.table={WIOD}")
    cfg = make_config(name, overrides, periods=8, firms=400)
    res = run_simulation(cfg, 1)
    u = res.world["unemployment"].to_numpy()
    assert np.all(u >= 0.0) and np.all(u < 1.0), (name, u.min(), u.max())
    assert np.all(res.world["employment"] <= res.world["labour_force"])
    assert res.world["converged"].all()
