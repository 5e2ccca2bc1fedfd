"""Small worlds shared by the environment tests (numba compiles once per session: cache=True)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gvc_abm.environment.config import CountryConfig, DefaultWorldConfig, FirmsConfig, SectorConfig, TradeConfig

#: The shared data folder beside the project (skipped when absent).
DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
WIOD = DATA / "wiod_7x35" / "pymrio"


def small_config(firms: int = 120, links: int = 4, sigma: float = 4.0, **trade) -> DefaultWorldConfig:
    """Three countries on a line (distances 0, 2, 8 thousand km from A) and two sectors."""
    countries = [
        CountryConfig(name="A", region="R1", group="advanced", location=(0.0, 0.0), labour_force=10.0, technology=1.0),
        CountryConfig(name="B", region="R1", group="emerging", location=(2.0, 0.0), labour_force=20.0, technology=0.7),
        CountryConfig(name="C", region="R2", group="developing", location=(8.0, 0.0), labour_force=30.0, technology=0.5),
    ]
    sectors = [
        SectorConfig(name="goods", value_added_share=0.35, input_shares={"goods": 0.6, "services": 0.4},
                     automatability=0.6, distance_elasticity=0.4, final_demand_share=0.4),
        SectorConfig(name="services", value_added_share=0.6, input_shares={"goods": 0.3, "services": 0.7},
                     automatability=0.2, distance_elasticity=0.6, final_demand_share=0.6),
    ]
    return DefaultWorldConfig(
        countries=countries, sectors=sectors, firms=FirmsConfig(count=firms, links=links),
        trade=TradeConfig(armington_elasticity=sigma, **trade),
    )


@pytest.fixture
def small_cfg():
    return small_config()


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)
