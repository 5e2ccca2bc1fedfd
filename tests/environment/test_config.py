"""World configuration: frozen, no unknown keys, one-line errors with the field path, YAML round trip."""

from __future__ import annotations

import pytest

from gvc_abm.environment.config import (
    ConfigError,
    DefaultWorldConfig,
    PaperWorldConfig,
    SimulationConfig,
    apply_overrides,
    config_keys,
    load_config,
    validate_config,
)


def test_defaults_are_valid_and_frozen():
    cfg = SimulationConfig()
    assert isinstance(cfg.world, DefaultWorldConfig)
    assert len(cfg.world.countries) == 14 and len(cfg.world.sectors) == 9
    assert len({c.region for c in cfg.world.countries}) == 5
    with pytest.raises(Exception):
        cfg.periods = 3


def test_yaml_round_trip(tmp_path):
    cfg = SimulationConfig(world=PaperWorldConfig(countries=4, mu=0.5, sizes=[1, 2, 3, 4]), periods=3, seed=9)
    path = tmp_path / "run.yaml"
    cfg.to_yaml(path)
    back = load_config(path)
    assert back == cfg
    default = SimulationConfig()
    default.to_yaml(tmp_path / "d.yaml")
    assert load_config(tmp_path / "d.yaml") == default


def test_toml_is_read(tmp_path):
    path = tmp_path / "run.toml"
    path.write_text('periods = 2\nseed = 4\n[world]\nkind = "paper"\ncountries = 3\nmu = 0.5\n')
    cfg = load_config(path)
    assert cfg.world.countries == 3 and cfg.periods == 2


@pytest.mark.parametrize(
    "data,path,problem",
    [
        ({"world": {"kind": "paper", "muu": 0.5}}, "world.muu", "Extra inputs are not permitted"),
        ({"periods": "many"}, "periods", "valid integer"),
        ({"world": {"kind": "paper", "mu": 1.5}}, "world.mu", "less than 1"),
        ({"world": {"kind": "default", "countries": [
            {"name": "A", "region": "R", "group": "advanced", "location": [0, 0], "labour_force": -1},
            {"name": "B", "region": "R", "group": "advanced", "location": [1, 0], "labour_force": 1}]}},
         "world.countries.0.labour_force", "greater than 0"),
        ({"world": {"kind": "default", "sectors": [
            {"name": "s", "value_added_share": 0.4, "input_shares": {"s": 0.7}, "final_demand_share": 1.0}]}},
         "world.sectors.0", "input_shares must sum to 1"),
        ({"world": {"kind": "paper", "countries": 3, "sizes": [1, 2]}}, "world", "sizes has 2 entries"),
    ],
)
def test_bad_config_is_one_line_naming_the_field(data, path, problem):
    with pytest.raises(ConfigError) as exc:
        validate_config(SimulationConfig, data)
    msg = str(exc.value)
    assert "\n" not in msg
    assert msg.startswith(path + ":"), msg
    assert problem in msg


def test_deficits_must_sum_to_zero():
    data = SimulationConfig().to_dict()
    data["world"]["countries"][0]["deficit"] = 0.1
    with pytest.raises(ConfigError, match="deficits must sum to 0"):
        validate_config(SimulationConfig, data)


def test_overrides_are_dotted_paths():
    data = apply_overrides({"world": {"kind": "paper"}}, ["world.countries=5", "world.mu=0.6", "world.sizes=[1, 2, 3, 4, 5]", "seed=3"])
    cfg = validate_config(SimulationConfig, data)
    assert cfg.world.countries == 5 and cfg.world.mu == 0.6 and cfg.world.sizes == [1, 2, 3, 4, 5] and cfg.seed == 3
    base = SimulationConfig().to_dict()
    cfg = validate_config(SimulationConfig, apply_overrides(base, ["world.countries.0.labour_force=5"]))
    assert cfg.world.countries[0].labour_force == 5
    with pytest.raises(ConfigError, match="world.nope: Extra inputs"):
        validate_config(SimulationConfig, apply_overrides({"world": {"kind": "paper"}}, ["world.nope=1"]))
    with pytest.raises(ConfigError, match="expected dotted.key=value"):
        apply_overrides({}, ["world.mu"])


@pytest.mark.parametrize(
    "drivers,message",
    [
        ({"home_bias": {"USA": {30: 1.0}}},
         "drivers.home_bias.USA.30: period 30 is after the last period of the run, 19"),
        ({"local_content": {"region:East Asia": {2: 0.2, 25: 0.5, "linear": True}}},
         "drivers.local_content.region:East Asia.25: period 25 is after the last period of the run, 19"),
        ({"tariffs": [{"importer": "USA", "exporter": "CHN", "rate": {2: 0.25, 20: 0.0}}]},
         "drivers.tariffs.0.rate.20: period 20 is after the last period of the run, 19"),
        ({"robot_price": {"2": 0.5, "40": 0.2, "linear": True}},
         "drivers.robot_price.40: period 40 is after the last period of the run, 19"),
        ({"deficits": {21: {"USA": 0.0}}}, "drivers.deficits.21: period 21 is after the last period"),
        ({"easing": [{"start": 20, "end": 22, "country": "USA", "push": 0.01}]}, "drivers.easing.0.start: period 20"),
        ({"investment_limits": {"IND": 1.5}}, "drivers.investment_limits.IND: 1.5 is outside [0, 1]"),
        ({"supplier_subsidy": {"*": {3: 0.8}}}, "drivers.supplier_subsidy.*.3: 0.8 is outside [0, 0.5]"),
        ({"home_bias": {"group:rich": 1.0}}, "drivers.home_bias.group:rich: unknown group 'rich'"),
        ({"tariffs": [{"importer": "USA", "exporter": "CHN", "rate": {3: 7.0}}]},
         "drivers.tariffs.0.rate.3: a tariff must lie in [0, 5], got 7"),
        ({"tariffs": [{"importer": "USA", "exporter": "CHN", "goods": "services", "rate": 0.1}]},
         "drivers.tariffs.0.goods: Input should be 'all', 'intermediate' or 'final'"),
        ({"trade_cost": {"soon": 0.5}}, "drivers.trade_cost: key 'soon' is neither a period (a whole number) nor 'linear'"),
        ({"info_cost": {3: 2.0, "linear": "yes"}}, "drivers.info_cost: linear must be true or false, got 'yes'"),
        ({"easing": [{"start": 1, "end": 2, "country": "*", "push": 0.01}]}, "drivers.easing.0.country: '*' leaves"),
    ],
)
def test_bad_drivers_are_one_line_naming_the_field(drivers, message):
    with pytest.raises(ConfigError) as exc:
        validate_config(SimulationConfig, {"periods": 20, "drivers": drivers})
    msg = str(exc.value)
    assert "\n" not in msg
    assert msg.startswith(message), msg


def test_bare_numbers_and_plain_schedules_keep_their_meaning():
    """Today's forms: a bare number per country is the value from period 0, a plain mapping a step schedule."""
    cfg = validate_config(SimulationConfig, {"drivers": {"home_bias": {"USA": 0.5}, "robot_price": {3: 0.5},
                                                          "labour_growth": {"*": 0.01}}})
    assert cfg.drivers.home_bias == {"USA": 0.5} and cfg.drivers.labour_growth == {"*": 0.01}
    assert cfg.drivers.robot_price.points == {3: 0.5} and not cfg.drivers.robot_price.linear
    keys = {k.path: k for k in config_keys("drivers")}
    for name in ("local_content", "supplier_subsidy", "investment_limits", "tariffs", "tariffs.<i>.goods",
                 "tariffs.<i>.rate", "tariff_shocks.<i>.goods"):
        assert f"drivers.{name}" in keys and keys[f"drivers.{name}"].description
    for name in ("local_content", "supplier_subsidy", "investment_limits", "home_bias", "robot_price"):
        assert keys[f"drivers.{name}"].unit, name
