"""The bundled scenario library: documented data files that validate, run and converge."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from gvc_abm.environment.config import ConfigError, SimulationConfig
from gvc_abm.environment.model import run_simulation
from gvc_abm.experiments.scenarios import DOC_KEYS, LIBRARY, SCENARIOS, library, make_config, scenario, scenario_data

FACTS = Path(__file__).resolve().parents[2].parent / "shared" / "FACTS.md"
WIOD = FACTS.parent / "data" / "wiod_7x35" / "pymrio"
NAMES = ["baseline", "paper", "calibrated", "trade-war", "automation-wave", "bloc", "digital-barriers", "disruption",
         "qe-protectionism", "catch-up", "transport-vs-ideas", "historical"]
#: Fact ids of FACTS.md (its first table column), e.g. QY-P1, GLZ-policy, Z-digital, B-cost.
FACT_ID = re.compile(r"\b(QY|GLZ|Z|R|B)-[A-Za-z0-9]+\b")


def test_the_library_holds_the_issue_scenarios_in_order_and_the_old_names_still_work():
    assert list(library()) == NAMES
    assert set(NAMES) | {"east-asia-bloc"} == set(SCENARIOS)
    assert scenario("east-asia-bloc").name == "bloc"
    assert scenario_data("east-asia-bloc") == scenario_data("bloc")
    assert [p.suffix for p in LIBRARY.iterdir() if p.is_file()] == [".yaml"] * len(NAMES)  # sweeps/ beside them


@pytest.mark.parametrize("name", NAMES)
def test_each_file_names_its_seed_paper_and_facts(name):
    s = scenario(name)
    raw = yaml.safe_load(s.text)
    assert raw["summary"] == s.summary and "\n" not in s.summary and len(s.summary) < 120
    assert re.search(r"\bseed 00[0-4]\b", s.description, re.I), "the description names a seed paper"
    ids = set(m.group(0) for m in FACT_ID.finditer(s.description))
    assert ids, "the description names at least one fact of FACTS.md"
    if FACTS.exists():
        known = set(re.findall(r"^\| ([A-Z]+-[A-Za-z0-9]+) \|", FACTS.read_text(encoding="utf-8"), re.M))
        assert ids <= known, ids - known
    assert not set(DOC_KEYS) & set(s.data), "documentation keys are not config"


@pytest.mark.parametrize("name", [n for n in NAMES if n != "calibrated"])
def test_each_scenario_is_a_valid_config_whose_drivers_act(name):
    cfg = make_config(name)
    assert isinstance(cfg, SimulationConfig)
    # a copy of the file is a config file that gives the same config
    assert SimulationConfig.model_validate({k: v for k, v in yaml.safe_load(scenario(name).text).items()
                                            if k not in DOC_KEYS}) == cfg


def test_calibrated_asks_for_its_table():
    with pytest.raises(ConfigError, match="world.table: Field required"):
        make_config("calibrated")


def _last_driver_period(cfg: SimulationConfig) -> int:
    return max((period for _, period in cfg.drivers.dated()), default=0)


@pytest.mark.parametrize("name", NAMES)
def test_every_scenario_runs_a_seeded_few_periods_past_its_last_driver_and_converges(name):
    overrides = []
    if name == "calibrated":
        if not WIOD.exists():
            pytest.skip(f"shared WIOD 7x35 table not found at {WIOD}")
        overrides.append(f"world.table={WIOD}")
    cfg = make_config(name, overrides)
    periods = min(cfg.periods, _last_driver_period(cfg) + 2)
    cfg = make_config(name, overrides, periods=periods, firms=200 if name != "paper" else None, seed=3)
    res = run_simulation(cfg)
    assert sorted(res.world.period.unique()) == list(range(periods))
    assert res.world["converged"].all() and all(c["converged"] for c in res.convergence)
    u = res.world["unemployment"].to_numpy()
    assert np.all((u >= 0) & (u < 1))
    assert np.isfinite(res.indicators.select_dtypes("number").to_numpy()).all()


def test_automation_wave_starts_from_baseline():
    """Every change of automation-wave is a driver from period 2: periods 0-1 are baseline's, bit for bit."""
    runs = [run_simulation(make_config(name, periods=3, firms=200, seed=4)) for name in ("baseline", "automation-wave")]
    (bw, bi), (ww, wi) = [(r.world, r.indicators) for r in runs]
    pd.testing.assert_frame_equal(bw[bw.period < 2], ww[ww.period < 2], check_exact=True)
    pd.testing.assert_frame_equal(bi[bi.period < 2], wi[wi.period < 2], check_exact=True)
    late = bi[bi.period == 2].select_dtypes("number").to_numpy(), wi[wi.period == 2].select_dtypes("number").to_numpy()
    assert not np.array_equal(*late)
    omega = [r.indicators[r.indicators.period == 2]["omega"].to_numpy() for r in runs]
    assert np.all(omega[1] > omega[0])  # households favour home goods from period 2
