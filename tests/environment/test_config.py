"""World configuration: frozen, no unknown keys, one-line errors with the field path, YAML round trip."""

from __future__ import annotations

import pytest

from gvc_abm.environment.config import (
    ConfigError,
    DefaultWorldConfig,
    PaperWorldConfig,
    SimulationConfig,
    apply_overrides,
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
