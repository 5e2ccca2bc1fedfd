"""The Mesa model with its agents: stationarity, reproducibility, engine equality, emergent effects."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

from gvc_abm.agents.firm import Firm
from gvc_abm.agents.government import Government
from gvc_abm.analysis.concentration import partner_hhi
from gvc_abm.analysis.regionalization import intra_regional_share
from gvc_abm.agents import rules
from gvc_abm.environment.config import ConfigError, DefaultWorldConfig, FirmsConfig, GovernmentBehaviour, SimulationConfig
from gvc_abm.environment.model import GVCModel, run_simulation

from .conftest import small_config

#: Governments that neither protect nor liberalize: isolates the firms' response to a shock.
PASSIVE = {"governments": {"liberalize_threshold": 0.0, "retaliate_threshold": 50.0, "protect_threshold": 100.0},
           "households": {"max_home_bias": 5.0}}
#: Governments that act on any pressure.
JUMPY = {"governments": {"liberalize_threshold": 0.0, "retaliate_threshold": 0.001, "protect_threshold": 0.002}}
SHOCKS = {
    "tariff_shocks": [{"period": 1, "importer": "A", "exporter": "C", "rate": 0.3}],
    "robot_price": {2: 0.6},
    "disruptions": [{"start": 3, "end": 4, "country": "B", "loss": 0.2}],
}


def small(periods=8, firms=150, **extra) -> SimulationConfig:
    return SimulationConfig.model_validate({"world": small_config(firms=firms).to_dict(), "periods": periods} | extra)


def default(periods=10, firms=1200, **extra) -> SimulationConfig:
    world = DefaultWorldConfig(firms=FirmsConfig(count=firms)).to_dict()
    return SimulationConfig.model_validate({"world": world, "periods": periods} | extra)


def numbers(frame: pd.DataFrame) -> np.ndarray:
    return frame.select_dtypes("number").to_numpy()


def test_model_is_a_mesa_model_with_one_agent_per_firm_government_and_household():
    m = GVCModel(small(engine="mesa"))
    assert len(m.agents_by_type[Firm]) == m.world.F
    assert [a.index for a in m.agents_by_type[Firm]] == list(range(m.world.F))
    assert len(m.agents_by_type[Government]) == m.world.G
    assert [a.group for a in m.agents_by_type[Government]] == [0, 1, 2]


def test_firm_agents_only_where_something_steps_them():
    fast = GVCModel(small())  # numba: decisions over the state arrays, no per-firm agents
    assert Firm not in fast.agents_by_type and len(fast.agents_by_type[Government]) == fast.world.G
    shown = GVCModel(small(), firm_agents=True)  # the dashboard's choice
    assert len(shown.agents_by_type[Firm]) == shown.world.F
    for m in (fast, shown):
        m.step()
    np.testing.assert_array_equal(fast.world.firms.output, shown.world.firms.output)
    import mesa

    registry = getattr(mesa.Agent, "_ids", None)
    before = len(registry) if isinstance(registry, dict) else 0
    with pytest.raises(ValueError, match="firm_agents"):
        GVCModel(small(engine="mesa"), firm_agents=False)
    # the refused model never joined Mesa's registry, and releasing finished models still works
    assert (len(registry) if isinstance(registry, dict) else 0) == before
    assert GVCModel.release_finished() >= 0


def test_release_finished_frees_a_model_whose_construction_failed():
    import mesa

    registry = getattr(mesa.Agent, "_ids", None)
    if not isinstance(registry, dict):
        pytest.skip("this Mesa keeps no class-level id registry")

    class Broken(GVCModel):  # fails after its governments joined the registry, before ``period``
        def _calibrate_sourcing(self):
            super()._calibrate_sourcing()
            Government(self, 0, 0)
            raise RuntimeError("broken on purpose")

    with pytest.raises(RuntimeError, match="on purpose"):
        Broken(small())
    assert any(type(m) is Broken for m in list(registry))
    GVCModel.release_finished()
    assert not any(type(m) is Broken for m in list(registry))


def test_without_shocks_the_agents_leave_the_benchmark_as_it_is():
    res = run_simulation(default(periods=6, firms=600), seed=3)
    assert res.events.empty
    assert (res.world["switches"] == 0).all()
    first = numbers(res.indicators[res.indicators.period == 0].drop(columns="period"))
    last = numbers(res.indicators[res.indicators.period == 5].drop(columns="period"))
    np.testing.assert_allclose(last, first, rtol=1e-9, atol=1e-9)


def test_same_seed_same_numbers_and_the_run_function_pickles():
    c = small(drivers=SHOCKS, agents=JUMPY)
    a = run_simulation(c, seed=7)
    b = pickle.loads(pickle.dumps(run_simulation))(c, seed=7)
    pd.testing.assert_frame_equal(a.indicators, b.indicators, check_exact=True)
    pd.testing.assert_frame_equal(a.events, b.events, check_exact=True)
    assert not a.events.empty and (a.world["switches"] > 0).any()


def test_agent_order_changes_nothing_in_the_mesa_engine():
    c = small(periods=5, firms=80, engine="mesa", drivers=SHOCKS, agents=JUMPY)
    runs = []
    for shuffle_seed in (1, 2):
        m = GVCModel(c, seed=5, shuffle_seed=shuffle_seed)
        for _ in range(c.periods):
            m.step()
        runs.append((m.indicators_frame(), m.events_frame(), m.world.network.share.copy()))
    pd.testing.assert_frame_equal(runs[0][0], runs[1][0], check_exact=True)
    pd.testing.assert_frame_equal(runs[0][1], runs[1][1], check_exact=True)
    np.testing.assert_array_equal(runs[0][2], runs[1][2])


def test_numba_and_mesa_engines_give_the_same_indicators_over_twenty_periods():
    cfg = dict(periods=20, firms=200, drivers=SHOCKS, agents=JUMPY)
    fast = run_simulation(small(engine="numba", **cfg), seed=11)
    slow = run_simulation(small(engine="mesa", **cfg), seed=11)
    assert len(fast.events) > 0 and fast.world["switches"].sum() > 0
    pd.testing.assert_frame_equal(fast.events, slow.events)
    np.testing.assert_allclose(numbers(fast.indicators), numbers(slow.indicators), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(numbers(fast.world), numbers(slow.world), rtol=1e-9, atol=1e-9)


def test_governments_log_every_measure_with_its_kind():
    res = run_simulation(small(periods=8, drivers=SHOCKS, agents=JUMPY), seed=2)
    gov = res.events[res.events.source == "government"]
    assert not gov.empty and res.events["restrictive"].any()
    kinds = dict(zip(rules.INSTRUMENTS, rules.KINDS))
    assert (gov.kind == gov.instrument.map(kinds)).all()
    assert (gov.restrictive == gov.kind.isin(["economic", "political", "retaliation"])).all()
    assert (res.events[res.events.source == "driver"].kind == "").all()


#: Every group with the same costs (the emerging economies' defaults).
EQUAL_COSTS = {g: GovernmentBehaviour().costs.emerging.to_dict() for g in ("advanced", "emerging", "developing")}


def _split(seed, costs=None, swap=False, periods=6):
    """Events of the default world under a 15 % uniform tariff from period 1 with governments that act on any
    pressure, and the economic share of the weighed measures of advanced vs other economies (by config label)."""
    world = DefaultWorldConfig(firms=FirmsConfig(count=300)).to_dict()
    if swap:  # advanced economies relabelled developing and the others advanced
        for c in world["countries"]:
            c["group"] = "developing" if c["group"] == "advanced" else "advanced"
    gov = {"liberalize_threshold": 0.0, "retaliate_threshold": 0.05, "protect_threshold": 0.05}
    if costs is not None:
        gov["costs"] = costs
    cfg = SimulationConfig.model_validate({
        "world": world, "periods": periods, "agents": {"governments": gov},
        "drivers": {"tariff_shocks": [{"period": 1, "importer": "*", "exporter": "*", "rate": 0.15}]}})
    ev = run_simulation(cfg, seed).events
    weighed = ev[ev.kind.isin(["economic", "political"])]
    advanced = weighed.country.map({c["name"]: c["group"] == "advanced" for c in world["countries"]})
    economic = weighed.kind == "economic"
    return ev, float(economic[advanced].mean()), float(economic[~advanced].mean())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_with_group_costs_developing_economies_lean_on_economic_tools(seed):
    """Gao, Li & Zhu (2021) hypothesis 3 as an outcome: the default costs (WTO bindings and TRIMs on advanced
    economies' tariffs and sourcing rules, political leverage; binding overhang, limited fiscal capacity and
    voice for developing ones) make the economic share higher outside the advanced economies."""
    _, advanced, others = _split(seed)
    assert others > advanced, (advanced, others)


def test_the_instrument_split_follows_the_costs_not_the_countries():
    # relabel the groups (advanced economies called developing, the others advanced): the split moves with the
    # labels, i.e. with the costs, not with the countries' structure
    _, advanced, others = _split(1, swap=True)
    assert others > advanced, (advanced, others)
    # with equal costs the group label enters nothing: relabelled, every measure is the same
    same, _, _ = _split(1, costs=EQUAL_COSTS)
    relabelled, _, _ = _split(1, costs=EQUAL_COSTS, swap=True)
    assert len(same) > 0
    pd.testing.assert_frame_equal(same, relabelled)


def test_after_a_war_low_pressure_brings_tariffs_back_to_mfn():
    war = {"tariff_shocks": [{"period": 2, "importer": a, "exporter": b, "rate": 0.25}
                             for a, b in (("USA", "CHN"), ("CHN", "USA"))]}
    gov = {"liberalize_threshold": 0.3, "retaliate_threshold": 0.6, "protect_threshold": 0.8}
    m = GVCModel(default(periods=9, firms=300, drivers=war, agents={"governments": gov}), seed=1)
    usa, chn = m.world.countries.index("USA"), m.world.countries.index("CHN")
    # CHN, in surplus, is under low pressure after the war (the USA, in deficit, stays above the threshold)
    mfn = m.instruments.mfn[chn, usa].copy()
    path, pressure = [], []
    for _ in range(9):
        m.step()
        path.append(m.instruments.statutory[chn, usa] - mfn)
        pressure.append(m.pressure[chn])
    assert max(pressure[5:]) < gov["liberalize_threshold"]  # once the war's shock has passed
    path = np.array(path)  # (period, sector): the war tariff's excess over MFN
    assert np.all(path[2] == pytest.approx(0.25 - mfn))
    assert np.all(np.diff(path[2:], axis=0) <= 1e-15) and np.all(path[-1] < path[2])  # unwound, period by period
    assert np.all(path >= -1e-15)  # never below MFN
    ev = m.events_frame()
    unwind = ev[(ev.instrument == "liberalize") & (ev.country == "CHN")]
    assert len(unwind) >= 3 and not unwind.restrictive.any()


def test_firms_obey_an_investment_limit_in_their_supplier_review():
    cfg = small(periods=6, firms=200, agents={"governments": {"active": False}, "firms": {"review_rate": 1.0}})
    m = GVCModel(cfg, seed=3)

    def foreign_share(s, c=0):
        inputs = m.last_table.Z.reshape(m.world.G, m.world.S, m.world.G, m.world.S)[:, s, c, :].sum(axis=1)
        return 1.0 - inputs[c] / inputs.sum()

    m.step()
    before = foreign_share(0)
    cap = before / 2
    m.instruments.investment_limit[0, 0] = cap  # A's firms may buy at most half their foreign share of goods abroad
    for _ in range(4):
        m.step()
    assert foreign_share(0) <= cap
    assert foreign_share(1) > 0.0  # the other sector is free


def _last(res, what):
    return res.indicators[res.indicators.period == res.indicators.period.max()].set_index("country")[what]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_bilateral_trade_war_cuts_the_pairs_trade_and_raises_hhi_and_omega(seed):
    """DEU and JPN tax each other's goods 30 %: their mutual trade collapses, each buys more at
    home (omega) and its remaining import sources are more concentrated (HHI of import
    partners: dropping a partner with share below about 2 HHI raises it)."""
    war = {"tariff_shocks": [{"period": 2, "importer": "DEU", "exporter": "JPN", "rate": 0.3},
                             {"period": 2, "importer": "JPN", "exporter": "DEU", "rate": 0.3}]}
    base = run_simulation(default(agents=PASSIVE), seed=seed, keep_tables=True)
    shock = run_simulation(default(agents=PASSIVE, drivers=war), seed=seed, keep_tables=True)

    def bilateral(res):
        t = res.tables[-1]
        G, S = len(t.countries), len(t.sectors)
        flows = t.Z.reshape(G, S, G, S).sum(axis=(1, 3)) + t.Y.reshape(G, S, G).sum(axis=1)
        return flows, t.countries.index("DEU"), t.countries.index("JPN")

    (fb, d, j), (fs, _, _) = bilateral(base), bilateral(shock)
    assert fs[d, j] + fs[j, d] < 0.5 * (fb[d, j] + fb[j, d])
    hhi_base, hhi_war = partner_hhi(fb), partner_hhi(fs)
    for c, k in (("DEU", d), ("JPN", j)):
        assert _last(shock, "omega")[c] > _last(base, "omega")[c]
        assert hhi_war[k] > hhi_base[k]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_bloc_that_cuts_internal_costs_raises_its_intra_bloc_share_of_intermediate_trade(seed):
    members = ["DEU", "FRA", "POL"]
    bloc = {"blocs": [{"period": 2, "bloc": "EU", "members": members, "cost_cut": 0.5}]}
    shares = []
    for drivers in ({}, bloc):
        res = run_simulation(default(agents=PASSIVE, drivers=drivers), seed=seed, keep_tables=True)
        t = res.tables[-1]
        G, S = len(t.countries), len(t.sectors)
        z = t.Z.reshape(G, S, G, S).sum(axis=(1, 3))
        shares.append(intra_regional_share(z, ["EU" if c in members else c for c in t.countries]))
        if drivers:
            assert (res.events.instrument == "bloc_join").sum() == 3
    assert shares[1] > shares[0]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_an_automation_wave_with_strong_home_bias_lowers_gvc_participation(seed):
    """Qu & Yang (2023) Proposition 4: with omega > max(mu, 1/N), a rising nu lowers GVCP."""
    res = {}
    local = {"home_bias": {"*": 2.5}}  # households prefer home goods much more than firms do
    for name, drivers in (("base", local), ("wave", local | {"robot_price": {2: 0.4}})):
        res[name] = run_simulation(default(agents=PASSIVE, drivers=drivers), seed=seed)
    omega, mu = _last(res["base"], "omega"), _last(res["base"], "mu")
    assert (omega > np.maximum(mu, 1 / len(omega))).all()
    assert _last(res["wave"], "nu").mean() > _last(res["base"], "nu").mean()
    assert _last(res["wave"], "gvcp_kww").mean() < _last(res["base"], "gvcp_kww").mean()


def test_unknown_names_in_drivers_are_config_errors_naming_the_field():
    with pytest.raises(ConfigError, match=r"^drivers.blocs.0.members.1: unknown country 'ZZ'$"):
        GVCModel(small(drivers={"blocs": [{"period": 1, "bloc": "X", "members": ["A", "ZZ"]}]}))
    with pytest.raises(ConfigError, match=r"^drivers.tariff_shocks.0.sector: unknown sector 'steel'$"):
        GVCModel(small(drivers={"tariff_shocks": [{"period": 1, "importer": "A", "exporter": "B", "sector": "steel", "rate": 0.1}]}))


def test_a_deficit_path_moves_the_value_added_balance_and_must_sum_to_zero():
    path = {"deficits": {2: {"A": 0.01, "C": -0.01}}}
    res = run_simulation(small(periods=4, drivers=path, agents=PASSIVE), seed=1)
    tbi = res.indicators.pivot(index="period", columns="country", values="tbi")
    assert tbi.loc[3, "A"] < tbi.loc[1, "A"] - 0.01 and tbi.loc[3, "C"] > tbi.loc[1, "C"] + 0.01
    with pytest.raises(ConfigError, match=r"^drivers.deficits.2: deficits must sum to 0, got 0.01$"):
        GVCModel(small(drivers={"deficits": {2: {"A": 0.01}}}))


def test_a_calibrated_world_takes_development_groups_for_its_governments():
    from .conftest import WIOD

    if not (WIOD / "file_parameters.json").exists():
        pytest.skip(f"real WIOD table not found at {WIOD}")
    world = {"kind": "calibrated", "table": str(WIOD), "firms": 300, "groups": {"China": "emerging", "BRIIAT": "developing"}}
    m = GVCModel(SimulationConfig.model_validate({"world": world, "periods": 1}))
    assert dict(zip(m.world.countries, m.groups.tolist())) == {
        "Euro-zone": 0, "Other EU": 0, "NAFTA": 0, "China": 1, "East Asia": 0, "BRIIAT": 2, "RoW": 0}
    with pytest.raises(ConfigError, match="^world.groups: countries not in the table: Mars$"):
        GVCModel(SimulationConfig.model_validate({"world": world | {"groups": {"Mars": "developing"}}, "periods": 1}))


def test_each_kind_of_agent_can_be_made_passive():
    shocks = {"tariff_shocks": [{"period": 1, "importer": "A", "exporter": "C", "rate": 0.3}], "robot_price": {1: 0.5},
              "home_bias": {"A": 1.0}}
    base = dict(periods=5, firms=150, drivers=shocks)
    # firms passive: no switches, automation and insourcing as they were
    m = GVCModel(small(agents=JUMPY | {"firms": {"active": False}}, **base))
    a0, m0, s0 = m.world.firms.automation.copy(), m.world.firms.insourcing.copy(), m.world.network.supplier.copy()
    for _ in range(5):
        m.step()
    assert (m.world_frame()["switches"] == 0).all()
    np.testing.assert_array_equal(m.world.firms.automation, a0)
    np.testing.assert_array_equal(m.world.firms.insourcing, m0)
    np.testing.assert_array_equal(m.world.network.supplier, s0)
    # governments passive: no policy events though pressure is high; households passive: tastes fixed
    m = GVCModel(small(agents=JUMPY | {"governments": {"active": False}, "households": {"active": False}}, **base))
    taste0 = m.world.policy.taste.copy()
    for _ in range(5):
        m.step()
    assert (m.events_frame()["source"] != "government").all()
    np.testing.assert_array_equal(m.world.policy.taste, taste0)
    # active firms do react to the same shocks
    m = GVCModel(small(agents=JUMPY, **base))
    for _ in range(5):
        m.step()
    assert m.world_frame()["switches"].sum() > 0 and not np.array_equal(m.world.firms.automation, a0)


def test_the_paper_worlds_governments_are_passive_unless_a_config_turns_them_on():
    from gvc_abm.environment.config import PaperWorldConfig

    m = GVCModel(SimulationConfig(world=PaperWorldConfig(countries=4, firms_per_country=3), periods=2))
    assert not m.active["governments"]
    on = SimulationConfig.model_validate({"world": {"kind": "paper", "countries": 4, "firms_per_country": 3},
                                          "agents": {"governments": {"active": True}}})
    assert GVCModel(on).active["governments"]


def test_a_government_leaving_its_bloc_loses_the_blocs_trade_cost_cut(monkeypatch):
    """A bloc signed by a driver with a 50 % cut of trade-cost margins between members; when a member's
    government chooses to leave, its margins with the others return to the period-0 ones in that period,
    as after a driver's exit, and the other members keep theirs."""
    import gvc_abm.environment.model as model_module

    bloc = {"blocs": [{"period": 0, "bloc": "ab", "members": ["A", "B"], "cost_cut": 0.5}]}
    m = GVCModel(small(periods=3, drivers=bloc), seed=1)
    m.step()
    a, b = m.world.countries.index("A"), m.world.countries.index("B")
    t0 = m.initial_trade_cost
    np.testing.assert_allclose(m.world.policy.trade_cost[a, b] - 1.0, 0.5 * (t0[a, b] - 1.0))
    leave = rules.INSTRUMENTS.index("leave_bloc")

    def decide(groups, weights, thresholds, costs, steps, sigma, obs, u, moves, pressure, *rest):
        moves[:] = 0.0
        moves[a, 0] = (leave, -1, -1, 0.0)

    monkeypatch.setattr(model_module, "_decide_governments", decide)
    m.step()
    assert m.instruments.bloc_of[a] == -1
    np.testing.assert_array_equal(m.world.policy.trade_cost[a, b], t0[a, b])
    np.testing.assert_array_equal(m.world.policy.trade_cost[b, a], t0[b, a])
    assert "leave_bloc" in set(m.events_frame().instrument)
