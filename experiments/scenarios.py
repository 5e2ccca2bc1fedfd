"""Named scenarios for ``gvc run``: configs as data (a later issue brings the full library).

A scenario is plain config data for :class:`~gvc_abm.environment.config.SimulationConfig`;
``--set dotted.key=value`` overrides and the ``--periods/--seed/--firms/--engine`` options are
applied to that data and the result is validated once, so every error names its field path.
"""

from __future__ import annotations

import copy
from pathlib import Path

from gvc_abm.environment.config import (
    ConfigError,
    PaperWorldConfig,
    SimulationConfig,
    apply_overrides,
    read_config_data,
    validate_config,
)

__all__ = ["SCENARIOS", "scenario_data", "make_config"]

#: name -> (description, config data)
SCENARIOS: dict[str, tuple[str, dict]] = {
    "baseline": ("the default world: 12 countries in 4 regions x 8 sectors, agents deciding, no shocks", {"world": {"kind": "default"}}),
    "paper": ("Qu & Yang (2023) section 4: one sector, fixed mu, omega, nu (set world.countries/mu/nu/omega/sizes)", {"world": {"kind": "paper"}}),
    "calibrated": ("a world reproducing an MRIO table in period 0 (set world.table=PATH)", {"world": {"kind": "calibrated"}}),
    "trade-war": (
        "USA and CHN put 25 % tariffs on each other in period 2; governments answer (FACTS: GLZ-policy, Z-measures)",
        {"world": {"kind": "default"}, "periods": 20, "drivers": {"tariff_shocks": [
            {"period": 2, "importer": "USA", "exporter": "CHN", "rate": 0.25},
            {"period": 2, "importer": "CHN", "exporter": "USA", "rate": 0.25}]}},
    ),
    "automation-wave": (
        "robot prices fall to 40 % from period 2 while households favour home goods (FACTS: QY-P4, technology backfire)",
        {"world": {"kind": "default"}, "periods": 20,
         "drivers": {"robot_price": {2: 0.4}, "home_bias": {"*": 2.5}},
         "agents": {"households": {"max_home_bias": 5.0}}},
    ),
    "east-asia-bloc": (
        "CHN, JPN and KOR form a bloc in period 2 that halves their trade-cost margins (FACTS: Z-RCEP, B-cost)",
        {"world": {"kind": "default"}, "periods": 20,
         "drivers": {"blocs": [{"period": 2, "bloc": "RCEP", "members": ["CHN", "JPN", "KOR"], "cost_cut": 0.5}]}},
    ),
    "disruption": (
        "East Asia loses 30 % of its capacity in periods 3-5; buyers learn a risk premium (DESIGN: supply disruptions)",
        {"world": {"kind": "default"}, "periods": 20,
         "drivers": {"disruptions": [{"start": 3, "end": 5, "country": "region:East Asia", "loss": 0.3}]}},
    ),
}


def scenario_data(name: str) -> dict:
    """Config data of a named scenario or of a YAML/TOML config file."""
    if name in SCENARIOS:
        return copy.deepcopy(SCENARIOS[name][1])
    path = Path(name)
    if path.suffix.lower() in (".yaml", ".yml", ".toml") or path.exists():
        return read_config_data(path)
    raise ConfigError(f"SCENARIO: unknown scenario {name!r}; expected one of {', '.join(SCENARIOS)} or a YAML/TOML config file")


def make_config(
    name: str,
    overrides: list[str] | None = None,
    *,
    periods: int | None = None,
    seed: int | None = None,
    firms: int | None = None,
    engine: str | None = None,
    save_mrio: bool | None = None,
) -> SimulationConfig:
    """Scenario data + overrides + options, validated into a :class:`SimulationConfig`.

    ``firms`` is the total number of firms: ``world.firms.count`` of the default world,
    ``world.firms`` of a calibrated one, and ``world.firms_per_country = firms // countries``
    (at least 1) of the paper world.
    """
    data = scenario_data(name)
    try:  # materialize the defaults so that overrides can address list items (countries.0...)
        data = validate_config(SimulationConfig, data).to_dict()
    except ConfigError:  # e.g. a calibrated world still waiting for its table: override the raw data
        pass
    data = apply_overrides(data, list(overrides or []))
    for key, value in (("periods", periods), ("seed", seed), ("engine", engine), ("save_mrio", save_mrio)):
        if value is not None:
            data[key] = value
    cfg = validate_config(SimulationConfig, data)
    if firms is not None:
        if firms < 1:
            raise ConfigError(f"--firms: must be at least 1, got {firms}")
        data = cfg.to_dict()
        kind = data["world"]["kind"]
        if kind == "default":
            data["world"]["firms"]["count"] = firms
        elif kind == "calibrated":
            data["world"]["firms"] = firms
        else:
            n = data["world"].get("countries", PaperWorldConfig().countries)
            data["world"]["firms_per_country"] = max(1, firms // n)
        cfg = validate_config(SimulationConfig, data)
    return cfg
