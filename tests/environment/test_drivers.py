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
