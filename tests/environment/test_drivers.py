"""Exogenous drivers: step schedules, disruptions, easing that keeps deficits summing to zero."""

from __future__ import annotations

import numpy as np
import pytest

from gvc_abm.environment.config import AgentsConfig, GovernmentBehaviour
from gvc_abm.environment.config import ConfigError, validate_config
from gvc_abm.environment.config import DriversConfig
from gvc_abm.environment.drivers import drivers_at, schedule_value

COUNTRIES = ("US", "CN", "DE")
REGIONS = ("Americas", "Asia", "Europe")
SECTORS = ("farm", "manuf")


def test_step_schedule():
    s = {5: 0.8, 10: 0.5}
    assert [schedule_value(s, t) for t in (0, 4, 5, 9, 10, 50)] == [1.0, 1.0, 0.8, 0.8, 0.5, 0.5]


def test_drivers_at_a_period():
    cfg = DriversConfig.model_validate({
        "robot_price": {3: 0.5},
        "labour_growth": {"*": 0.01, "CN": 0.03},
        "disruptions": [{"start": 2, "end": 4, "country": "region:Asia", "sector": "manuf", "loss": 0.25}],
        "easing": [{"start": 0, "end": 1, "country": "US", "push": 0.02}],
    })
    gdp = np.array([0.5, 0.3, 0.2])
    d0 = drivers_at(cfg, 0, COUNTRIES, REGIONS, SECTORS, gdp)
    assert d0.robot_price == 1.0
    np.testing.assert_array_equal(d0.capacity, 1.0)
    np.testing.assert_allclose(d0.extra_deficit, [0.02, -0.02 * 0.6, -0.02 * 0.4])
    assert d0.extra_deficit.sum() == pytest.approx(0.0, abs=1e-15)
    np.testing.assert_allclose(d0.labour_growth, [0.01, 0.03, 0.01])
    d3 = drivers_at(cfg, 3, COUNTRIES, REGIONS, SECTORS, gdp)
    assert d3.robot_price == 0.5
    np.testing.assert_array_equal(d3.capacity, [[1, 1], [1, 0.75], [1, 1]])
    np.testing.assert_array_equal(d3.extra_deficit, 0.0)


def test_unknown_country_in_a_driver_is_named():
    cfg = DriversConfig.model_validate({"disruptions": [{"start": 0, "end": 1, "country": "FR", "loss": 0.1}]})
    with pytest.raises(ValueError, match=r"drivers.disruptions.0.country: unknown country 'FR'"):
        drivers_at(cfg, 0, COUNTRIES, REGIONS, SECTORS, np.ones(3) / 3)


def test_bad_driver_and_behaviour_configs_are_one_line():
    with pytest.raises(ConfigError, match=r"^drivers.disruptions.0: end must not be before start$"):
        validate_config(DriversConfig, {"disruptions": [{"start": 5, "end": 1, "country": "US", "loss": 0.1}]}, prefix="drivers")
    with pytest.raises(ConfigError, match=r"^agents.firms.review_rate: Input should be less than or equal to 1"):
        validate_config(AgentsConfig, {"firms": {"review_rate": 2}}, prefix="agents")
    with pytest.raises(ConfigError, match=r"^agents.firms.inertia: Extra inputs are not permitted"):
        validate_config(AgentsConfig, {"firms": {"inertia": 0.3}}, prefix="agents")  # gone: the clearing's CES
    with pytest.raises(ConfigError, match="thresholds must satisfy"):
        validate_config(GovernmentBehaviour, {"protect_threshold": 0.1})


# --------------------------------------------------------------------------- schedules as time paths

from gvc_abm.environment.config import Schedule, SimulationConfig, load_config  # noqa: E402
from gvc_abm.environment.drivers import check_names, country_schedules, decree  # noqa: E402
from gvc_abm.analysis.welfare import world_welfare_change  # noqa: E402
from gvc_abm.environment.model import GVCModel, run_simulation  # noqa: E402

from .conftest import small_config  # noqa: E402

#: Four countries for the WHO forms: two in Asia (one advanced, one developing), two advanced elsewhere.
WHO_COUNTRIES = ("US", "CN", "DE", "IN", "JP")
WHO_REGIONS = ("Americas", "Asia", "Europe", "Asia", "Asia")
WHO_GROUPS = ("advanced", "emerging", "advanced", "developing", "advanced")


def test_linear_schedule_is_exact_at_hand_computed_points():
    # keys 2 -> 1.0 and 6 -> 0.5: the value falls by 0.125 a period in between (dyadic, so exact)
    lin = Schedule.model_validate({2: 1.0, 6: 0.5, 8: 0.75, "linear": True})
    got = [schedule_value(lin, t, default=9.0) for t in range(11)]
    assert got == [9.0, 9.0, 1.0, 0.875, 0.75, 0.625, 0.5, 0.625, 0.75, 0.75, 0.75]
    step = Schedule.model_validate({2: 1.0, 6: 0.5, 8: 0.75})
    assert [schedule_value(step, t, default=9.0) for t in range(11)] == [9.0, 9.0, 1, 1, 1, 1, 0.5, 0.5, 0.75, 0.75, 0.75]


def test_schedules_round_trip_through_yaml_in_their_own_form(tmp_path):
    cfg = SimulationConfig.model_validate({
        "periods": 12,
        "drivers": {"robot_price": {"2": 1.0, "10": 0.4, "linear": True}, "trade_cost": {3: 0.7},
                    "home_bias": {"USA": {3: 1.0}, "*": 0.5},
                    "tariffs": [{"importer": "USA", "exporter": "CHN", "goods": "final", "rate": {2: 0.25, 8: 0.0}}]},
    })
    d = cfg.drivers
    assert d.robot_price.points == {2: 1.0, 10: 0.4} and d.robot_price.linear
    assert not d.trade_cost.linear and d.home_bias["*"] == 0.5
    data = cfg.to_dict()["drivers"]
    assert data["robot_price"] == {"2": 1.0, "10": 0.4, "linear": True}  # JSON keys are text
    assert data["trade_cost"] == {"3": 0.7}  # no 'linear' key when stepping
    path = tmp_path / "c.yaml"
    cfg.to_yaml(path)
    assert load_config(path) == cfg


def test_region_and_group_expand_to_their_countries():
    labels = (WHO_COUNTRIES, WHO_REGIONS, WHO_GROUPS)
    asia = country_schedules({"region:Asia": 1.0}, *labels, "drivers.home_bias")
    assert [s is not None for s in asia] == [False, True, False, True, True]
    advanced = country_schedules({"group:advanced": 1.0}, *labels, "drivers.home_bias")
    assert [s is not None for s in advanced] == [True, False, True, False, True]
    cfg = DriversConfig.model_validate({"labour_growth": {"group:developing": {1: 0.02}},
                                        "technology_growth": {"region:Asia": 0.01}})
    d = drivers_at(cfg, 1, WHO_COUNTRIES, WHO_REGIONS, SECTORS, np.ones(5) / 5, groups=WHO_GROUPS)
    np.testing.assert_array_equal(d.labour_growth, [0, 0, 0, 0.02, 0])
    np.testing.assert_array_equal(d.technology_growth, [0, 0.01, 0, 0.01, 0.01])
    d0 = drivers_at(cfg, 0, WHO_COUNTRIES, WHO_REGIONS, SECTORS, np.ones(5) / 5, groups=WHO_GROUPS)
    np.testing.assert_array_equal(d0.labour_growth, 0.0)  # the group's schedule starts at period 1


def test_the_most_specific_entry_wins_and_schedules_are_not_merged():
    """country > region > group > '*': JP is advanced and in Asia, so the region's entry wins."""
    cfg = DriversConfig.model_validate({"home_bias": {"*": 0.1, "group:advanced": 0.2, "region:Asia": 0.3,
                                                      "CN": 0.4, "US": {3: 0.5}}})
    g = lambda t: drivers_at(cfg, t, WHO_COUNTRIES, WHO_REGIONS, SECTORS, np.ones(5) / 5, groups=WHO_GROUPS).home_bias  # noqa: E731
    # US follows its own schedule only: 0 (the default) before its key, not the group's 0.2
    np.testing.assert_array_equal(g(0), [0.0, 0.4, 0.2, 0.3, 0.3])
    np.testing.assert_array_equal(g(3), [0.5, 0.4, 0.2, 0.3, 0.3])
    # the order of the keys does not matter
    flipped = DriversConfig.model_validate({"home_bias": dict(reversed(list(cfg.home_bias.items())))})
    np.testing.assert_array_equal(drivers_at(flipped, 0, WHO_COUNTRIES, WHO_REGIONS, SECTORS, np.ones(5) / 5,
                                             groups=WHO_GROUPS).home_bias, g(0))


def test_a_decree_acts_at_its_first_key_and_wherever_its_value_changes():
    step = Schedule.model_validate({2: 0.3, 5: 0.3, 7: 0.0})
    assert [decree(step, t) for t in range(9)] == [None, None, 0.3, None, None, None, None, 0.0, None]
    lin = Schedule.model_validate({1: 0.0, 3: 0.5, "linear": True})
    assert [decree(lin, t) for t in range(5)] == [None, 0.0, 0.25, 0.5, None]
    cfg = DriversConfig.model_validate({"local_content": {"region:Asia": {2: 0.4}},
                                        "investment_limits": {"IN": 0.5}})
    d2 = drivers_at(cfg, 2, WHO_COUNTRIES, WHO_REGIONS, SECTORS, np.ones(5) / 5, groups=WHO_GROUPS)
    np.testing.assert_array_equal(np.isnan(d2.local_content[:, 0]), [True, False, True, False, False])
    assert np.all(d2.local_content[[1, 3, 4]] == 0.4)
    assert np.isnan(d2.investment_limit).all()  # decreed at period 0 (a bare number), not again
    d0 = drivers_at(cfg, 0, WHO_COUNTRIES, WHO_REGIONS, SECTORS, np.ones(5) / 5, groups=WHO_GROUPS)
    np.testing.assert_array_equal(d0.investment_limit[3], [0.5, 0.5])


@pytest.mark.parametrize("drivers,message", [
    ({"home_bias": {"region:Mars": 1.0}}, "drivers.home_bias.region:Mars: unknown region 'Mars'"),
    ({"labour_growth": {"FR": {2: 0.01}}}, "drivers.labour_growth.FR: unknown country 'FR'"),
    ({"local_content": {"group:emerging": 0.2, "XYZ": 0.1}}, "drivers.local_content.XYZ: unknown country 'XYZ'"),
    ({"disruptions": [{"start": 5, "end": 6, "country": "region:Mars", "loss": 0.1}]},
     "drivers.disruptions.0.country: unknown region 'Mars'"),
    ({"disruptions": [{"start": 5, "end": 6, "country": "US", "sector": "steel", "loss": 0.1}]},
     "drivers.disruptions.0.sector: unknown sector 'steel'"),
    ({"easing": [{"start": 7, "end": 8, "country": "FR", "push": 0.01}]}, "drivers.easing.0.country: unknown country 'FR'"),
    ({"tariffs": [{"importer": "US", "exporter": "region:Mars", "rate": 0.1}]},
     "drivers.tariffs.0.exporter: unknown region 'Mars'"),
    ({"tariff_shocks": [{"period": 3, "importer": "US", "exporter": "CN", "sector": "steel", "rate": 0.1}]},
     "drivers.tariff_shocks.0.sector: unknown sector 'steel'"),
    ({"blocs": [{"period": 2, "bloc": "EU", "members": ["DE"], "action": "leave"}]},
     "drivers.blocs.0.bloc: unknown bloc 'EU'"),
    ({"blocs": [{"period": 2, "bloc": "EU", "members": ["DE", "FR"]}]}, "drivers.blocs.0.members.1: unknown country 'FR'"),
    ({"deficits": {3: {"FR": 0.01}}}, "drivers.deficits.3.FR: unknown country 'FR'"),
])
def test_a_name_the_world_does_not_have_is_named_with_its_field_path_whatever_the_period(drivers, message):
    cfg = DriversConfig.model_validate(drivers)
    with pytest.raises(ValueError) as err:
        check_names(cfg, WHO_COUNTRIES, WHO_REGIONS, WHO_GROUPS, SECTORS)
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


def test_a_bloc_that_joins_before_it_is_left_is_known():
    cfg = DriversConfig.model_validate({"blocs": [{"period": 4, "bloc": "EU", "members": ["DE"], "action": "leave"},
                                                  {"period": 2, "bloc": "EU", "members": ["DE", "US"]}]})
    check_names(cfg, WHO_COUNTRIES, WHO_REGIONS, WHO_GROUPS, SECTORS)


def test_the_model_checks_names_before_the_first_period():
    cfg = SimulationConfig.model_validate({"world": small_config().to_dict(), "periods": 8,
                                           "drivers": {"home_bias": {"group:developing": 0.5, "region:R3": {6: 1.0}}}})
    with pytest.raises(ConfigError, match=r"^drivers.home_bias.region:R3: unknown region 'R3' \(this world has R1, R2\)$"):
        GVCModel(cfg)


# --------------------------------------------------------------------------- each driver acts from its period

PASSIVE = {"governments": {"active": False}}


def _fingerprints(drivers: dict, periods: int = 3, seed: int = 1) -> list[np.ndarray]:
    """Per period, every number a driver could move: accounts, indicators, instruments and firms' search reach."""
    cfg = SimulationConfig.model_validate({"world": small_config(firms=150).to_dict(), "periods": periods,
                                           "drivers": drivers, "agents": PASSIVE})
    m = GVCModel(cfg, seed=seed)
    out = []
    for _ in range(periods):
        m.step()
        ins = m.instruments
        parts = [m.world_frame().select_dtypes("number").to_numpy()[-m.world.G:].ravel(),
                 m.indicators_frame().select_dtypes("number").to_numpy()[-m.world.G:].ravel(),
                 ins.statutory.ravel(), ins.final_statutory.ravel(), ins.local_content.ravel(), ins.subsidy.ravel(),
                 ins.investment_limit.ravel(), m.review_head[-1].ravel(), m.world.network.supplier.astype(float)]
        out.append(np.concatenate(parts))
    return out


@pytest.fixture(scope="module")
def undriven():
    return _fingerprints({})


@pytest.mark.parametrize("drivers", [
    {"labour_growth": {"B": {2: 0.05}}},
    {"technology_growth": {"*": {2: 0.02}}},
    {"home_bias": {"A": {2: 1.0}}},
    {"home_bias": {"region:R1": {1: 0.0, 2: 0.5, "linear": True}}},  # 0 at its first key, like no driver
    {"local_content": {"C": {2: 0.6}}},
    {"supplier_subsidy": {"group:emerging": {2: 0.3}}},
    {"investment_limits": {"A": {2: 0.2}}},
    {"robot_price": {2: 0.5}},
    {"trade_cost": {2: 0.5}},
    {"info_cost": {2: 0.0}},
    {"tariffs": [{"importer": "A", "exporter": "C", "rate": {2: 0.3}}]},
    {"tariffs": [{"importer": "group:advanced", "exporter": "*", "goods": "final", "rate": {2: 0.2}}]},
    {"deficits": {2: {"A": 0.01, "B": -0.01}}},
    {"demand": {2: 0.9}},
])
def test_each_driver_changes_nothing_before_its_period_and_something_from_it(drivers, undriven):
    driven = _fingerprints(drivers)
    for t in (0, 1):
        np.testing.assert_array_equal(driven[t], undriven[t])
    assert not np.array_equal(driven[2], undriven[2])


def test_a_linear_robot_price_is_interpolated_in_the_model():
    cfg = SimulationConfig.model_validate({"world": small_config(firms=150).to_dict(), "periods": 4,
                                           "drivers": {"robot_price": {1: 1.0, 3: 0.5, "linear": True}}})
    m = GVCModel(cfg, seed=2)
    base = m.base_robot_productivity.copy()
    for multiplier in (1.0, 1.0, 0.75, 0.5):
        m.step()
        np.testing.assert_array_equal(m.world.firms.robot_productivity, base / multiplier)


# --------------------------------------------------------------------------- tariffs on intermediates or final goods

def _tariff_run(goods: str, rate: float = 0.3, engine: str = "numba"):
    cfg = SimulationConfig.model_validate({
        "world": small_config(firms=150).to_dict(), "periods": 2, "engine": engine, "agents": PASSIVE,
        "drivers": {"tariffs": [{"importer": "A", "exporter": "C", "goods": goods, "rate": {1: rate}}]},
    })
    m = GVCModel(cfg, seed=4)
    m.step()
    before = (m.world.policy.tariff.copy(), m.world.policy.final().copy(), m.last_result)
    m.step()
    return m, before


def test_a_tariff_on_intermediates_leaves_final_goods_untaxed_and_vice_versa():
    A, C = 0, 2
    for goods, taxed, untaxed in (("intermediate", "tariff", "final"), ("final", "final", "tariff")):
        m, (tariff0, final0, r0) = _tariff_run(goods)
        pol, r = m.world.policy, m.last_result
        arrays = {"tariff": pol.tariff, "final": pol.final()}
        np.testing.assert_array_equal(arrays[taxed][A, C], 0.3)
        np.testing.assert_array_equal(arrays[untaxed], 0.0)  # the small world has no tariffs of its own
        assert r0.tariff_revenue.sum() == 0.0
        revenue = {"tariff": r.intermediate_tariffs, "final": r.final_tariffs}
        assert revenue[taxed][A] > 0 and np.all(revenue[untaxed] == 0)
        np.testing.assert_array_equal(revenue[taxed][1:], 0.0)  # only A levies it
        # tariff revenue accounting: what A's firms pay on links from C, and what A's households pay on C's goods
        t = m.last_table
        np.testing.assert_allclose(t.factors[2].reshape(3, 2)[A].sum(), r.intermediate_tariffs[A], rtol=1e-12)
        np.testing.assert_allclose(t.final_tariffs, r.final_tariffs, rtol=0, atol=0)
        if goods == "final":  # households' landed prices of C's goods rise by 1 + tau, firms' do not
            from gvc_abm.environment.clearing import landed_price

            hit = m.world.firms.country == C
            ratio = landed_price(m.world, A, goods="final") / landed_price(m.world, A, goods="intermediate")
            np.testing.assert_allclose(ratio[hit], 1.3, rtol=1e-15)
            np.testing.assert_array_equal(ratio[~hit], 1.0)


def test_a_final_goods_tariff_costs_the_importer_real_income_through_its_price_index():
    m0, _ = _tariff_run("final", rate=0.0)
    m1, _ = _tariff_run("final", rate=0.3)
    p0 = m0.world_frame().query("period == 1").set_index("country")["price_index"]
    p1 = m1.world_frame().query("period == 1").set_index("country")["price_index"]
    w0 = m0.world_frame().query("period == 1").set_index("country")
    w1 = m1.world_frame().query("period == 1").set_index("country")
    assert p1["A"] > p0["A"]
    # world welfare falls (no free lunch): expenditure-weighted mean of log real-income changes
    weights = w0["expenditure"] / w0["expenditure"].sum()
    assert float((weights * np.log(w1["real_income"] / w0["real_income"])).sum()) < 0


def test_goods_all_is_the_tariff_shock_and_the_two_halves_together():
    """A tariff path with goods: all is a tariff shock at its key, and equals one decree on intermediates plus
    one on final goods: the same numbers, bit for bit."""
    rule = {"importer": "A", "exporter": "C", "sector": "goods"}
    variants = [
        {"tariff_shocks": [rule | {"period": 2, "rate": 0.3}]},
        {"tariffs": [rule | {"rate": {2: 0.3}}]},
        {"tariffs": [rule | {"goods": "intermediate", "rate": {2: 0.3}}, rule | {"goods": "final", "rate": {2: 0.3}}]},
    ]
    runs = [_fingerprints(v, periods=4) for v in variants]
    for other in runs[1:]:
        for a, b in zip(runs[0], other):
            np.testing.assert_array_equal(a, b)


def test_the_engines_agree_on_a_final_goods_tariff():
    fast, _ = _tariff_run("final", engine="numba")
    slow, _ = _tariff_run("final", engine="mesa")
    np.testing.assert_allclose(fast.world_frame().select_dtypes("number").to_numpy(),
                               slow.world_frame().select_dtypes("number").to_numpy(), rtol=1e-9, atol=1e-9)


# --------------------------------------------------------------------------- a world demand shortfall

def _demand_run(demand: float, wage_mode: str):
    """Two periods of the small world, governments passive, world spending ``demand`` times its path in period 1."""
    cfg = SimulationConfig.model_validate({
        "world": small_config(firms=150).to_dict(), "periods": 2, "agents": PASSIVE,
        "labour": {"wage_mode": wage_mode}, "drivers": {"demand": {1: demand}} if demand != 1.0 else {},
    })
    return run_simulation(cfg, seed=5).world.query("period == 1")


def test_a_demand_shortfall_with_flexible_wages_only_lowers_prices():
    """With flexible wages the clearing is homogeneous of degree 0 in nominal values: 10 % less world spending
    scales every nominal number by 0.9 and leaves real incomes and employment where they were."""
    base, shock = (_demand_run(d, "flexible").set_index("country") for d in (1.0, 0.9))
    np.testing.assert_allclose(shock["gdp"].sum(), 0.9 * base["gdp"].sum(), rtol=1e-9)
    np.testing.assert_allclose(shock["wage"], 0.9 * base["wage"], rtol=1e-6)
    np.testing.assert_allclose(shock["real_income"], base["real_income"], rtol=1e-6)
    np.testing.assert_allclose(shock["unemployment"], base["unemployment"], atol=1e-9)


def test_a_demand_shortfall_with_sticky_wages_costs_jobs_and_world_welfare():
    """Wages do not fall within the period, so 10 % less spending is 10 % less labour income at the same wage:
    employment falls, and the world's welfare (expenditure-weighted log real income) with it."""
    base, shock = _demand_run(1.0, "sticky"), _demand_run(0.9, "sticky")
    welfare = float(world_welfare_change(shock, base).iloc[0])
    base, shock = base.set_index("country"), shock.set_index("country")
    np.testing.assert_allclose(shock["gdp"].sum(), 0.9 * base["gdp"].sum(), rtol=1e-9)
    assert np.all(shock["wage"] >= base["wage"] * (1 - 1e-9))  # wages are sticky downward within the period
    assert np.all(shock["unemployment"] > base["unemployment"] + 0.05)
    assert welfare < -0.05


def test_demand_must_stay_positive():
    with pytest.raises(ValueError, match=r"drivers.demand.3: world spending must stay positive, got 0"):
        DriversConfig.model_validate({"demand": {3: 0.0}})
