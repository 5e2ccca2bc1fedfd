"""The dashboard: a Mesa ``SolaraViz`` page that steps a scenario and draws it every period.

``gvc dashboard [SCENARIO]`` serves it; the equivalent ``solara run`` command is::

    SOLARA_TELEMETRY_MIXPANEL_ENABLE=False GVC_DASHBOARD_SCENARIO=trade-war \\
        solara run gvc_abm.experiments.dashboard:Page --host 127.0.0.1 --port 8765 --no-open

(``GVC_DASHBOARD_SEED``, ``GVC_DASHBOARD_FIRMS`` and ``GVC_DASHBOARD_PERIODS`` set the other
starting values). :class:`DashboardModel` is a :class:`~gvc_abm.environment.model.GVCModel`
built from keyword arguments only, since the page's Reset rebuilds it from them: the scenario,
the seed (a text box, so it may arrive as a string) and the levers, which become drivers of the
config (:func:`dashboard_config`). The panels draw the views of :mod:`gvc_abm.analysis.plots`
from the model's result tables (:meth:`DashboardModel.tables`), so the page shows the numbers
``gvc plot`` writes; they are matplotlib components, since Mesa's Altair ones load Vega from a
CDN.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import solara
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from gvc_abm.analysis import plots
from gvc_abm.analysis.results import RunTables
from gvc_abm.analysis.value_added_trade import value_added_trade_matrix
from gvc_abm.environment.config import ConfigError, SimulationConfig, validate_config
from gvc_abm.environment.model import GVCModel, build_world_for

from .scenarios import SCENARIOS, make_config

__all__ = ["DashboardModel", "dashboard_config", "scenario_choices", "model_params", "page_defaults", "Page",
           "BLOC_NAME"]

#: Name of the bloc the bloc-membership lever forms.
BLOC_NAME = "dashboard bloc"
#: Resolution of the figures on the page, dots per inch.
DPI = 80


def parse_seed(seed) -> tuple[int, str | None]:
    """A seed from a number or the text box's string; 0 and a note for anything else."""
    text = str(seed).strip()
    try:
        value = int(text)
    except ValueError:
        return 0, f"seed {text!r} is not a whole number: seed 0 used"
    if value < 0:
        return 0, f"seed {value} is negative: seed 0 used"
    return value, None


def _members(text: str) -> list[str]:
    return [m for m in str(text or "").replace(",", " ").split() if m]


def country_names(cfg: SimulationConfig) -> list[str]:
    """The countries of the config's world (a world without a country list is built to see them)."""
    if cfg.world.kind == "default":
        return [c.name for c in cfg.world.countries]
    return list(build_world_for(cfg).countries)


def dashboard_config(
    scenario_name: str = "baseline",
    seed: int | str = 0,
    *,
    firms: int | None = None,
    periods: int = 30,
    lever_period: int = 2,
    tariff_importer: str = "USA",
    tariff_exporter: str = "CHN",
    tariff_rate: float = 0.0,
    tariff_both_ways: bool = False,
    home_bias: float = 0.0,
    robot_price: float = 1.0,
    trade_cost: float = 1.0,
    info_cost: float = 1.0,
    bloc_members: str = "",
    bloc_cost_cut: float = 0.3,
) -> tuple[SimulationConfig, list[str]]:
    """The scenario's config with the levers added as drivers, and notes on levers left out.

    A lever at its neutral value (rate 0, multiple 1, no members) adds nothing; the others act
    from ``lever_period``: a tariff by decree
    of ``tariff_importer`` on ``tariff_exporter`` (and back with ``tariff_both_ways``), the
    households' home-bias shift in every country, the robot price and the goods (iceberg margin)
    and information costs as multiples of their period-0 levels, and a bloc of the listed
    countries that cuts their trade-cost margins by ``bloc_cost_cut``.
    """
    value, note = parse_seed(seed)
    notes = [note] if note else []
    try:
        cfg = make_config(scenario_name, periods=int(periods), seed=value, firms=firms)
    except ConfigError:  # a horizon shorter than the scenario's own drivers: run the scenario's periods
        cfg = make_config(scenario_name, seed=value, firms=firms)
        notes.append(f"{periods} periods end before {scenario_name}'s drivers act: its {cfg.periods} periods are run")
    data = cfg.to_dict()
    countries = country_names(cfg)
    t = int(lever_period)
    if t > cfg.periods - 1:
        notes.append(f"levers from period {t}: after the last period {cfg.periods - 1}, moved to it")
        t = cfg.periods - 1
    drivers = data["drivers"]

    def known(names: list[str], what: str) -> list[str]:
        unknown = [n for n in names if n not in countries]
        if unknown:
            notes.append(f"{what}: {', '.join(unknown)} not in this world, left out")
        return [n for n in names if n in countries]

    if tariff_rate > 0:
        pair = known([tariff_importer, tariff_exporter], "tariff")
        if len(pair) < 2:
            pass
        elif tariff_importer == tariff_exporter:
            notes.append(f"tariff: importer and exporter are both {tariff_importer}, left out")
        else:
            shocks = [(tariff_importer, tariff_exporter)] + ([(tariff_exporter, tariff_importer)] if tariff_both_ways else [])
            drivers["tariff_shocks"] = list(drivers.get("tariff_shocks", [])) + [
                {"period": t, "importer": i, "exporter": e, "sector": "*", "rate": float(tariff_rate)} for i, e in shocks
            ]
    if home_bias != 0:
        drivers["home_bias"] = {**drivers.get("home_bias", {}), "*": {t: float(home_bias)}}
    for key, multiple in (("robot_price", robot_price), ("trade_cost", trade_cost), ("info_cost", info_cost)):
        if multiple != 1:
            drivers[key] = {**drivers.get(key, {}), t: float(multiple)}
    members = known(_members(bloc_members), "bloc")
    if len(members) == 1:
        notes.append(f"bloc: one member ({members[0]}) is no bloc, left out")
    elif members:
        drivers["blocs"] = list(drivers.get("blocs", [])) + [
            {"period": t, "bloc": BLOC_NAME, "members": members, "action": "join", "cost_cut": float(bloc_cost_cut)}
        ]
    return validate_config(SimulationConfig, data), notes


class DashboardModel(GVCModel):
    """A :class:`GVCModel` made from the dashboard's keyword arguments (:func:`dashboard_config`).

    After each period it keeps the value-added absorption matrix of the period's MRIO
    (:func:`~gvc_abm.analysis.value_added_trade.value_added_trade_matrix`) for the network and
    heatmap panels, and it stops (``running = False``) after ``periods`` periods.
    """

    def __init__(
        self,
        scenario_name: str = "baseline",
        seed: int | str = 0,
        firms: int | None = None,
        periods: int = 30,
        lever_period: int = 2,
        tariff_importer: str = "USA",
        tariff_exporter: str = "CHN",
        tariff_rate: float = 0.0,
        tariff_both_ways: bool = False,
        home_bias: float = 0.0,
        robot_price: float = 1.0,
        trade_cost: float = 1.0,
        info_cost: float = 1.0,
        bloc_members: str = "",
        bloc_cost_cut: float = 0.3,
    ):
        config, notes = dashboard_config(
            scenario_name, seed, firms=firms, periods=periods, lever_period=lever_period,
            tariff_importer=tariff_importer, tariff_exporter=tariff_exporter, tariff_rate=tariff_rate,
            tariff_both_ways=tariff_both_ways, home_bias=home_bias, robot_price=robot_price, trade_cost=trade_cost,
            info_cost=info_cost, bloc_members=bloc_members, bloc_cost_cut=bloc_cost_cut,
        )
        super().__init__(config, firm_agents=True)  # the firms are there to be looked at
        self.scenario_name = scenario_name  # not `scenario`: Mesa 3.5 keeps its own Scenario there
        self.notes = notes
        self.va_matrices: dict[int, object] = {}

    def step(self) -> None:
        """One period of the model, then the period's value-added matrix."""
        super().step()
        self.va_matrices[self.period - 1] = value_added_trade_matrix(self.last_table.to_mrio())
        if self.period >= self.config.periods:
            self.running = False

    def tables(self) -> RunTables:
        """The run so far as result tables (what ``gvc run`` would write), with the VA matrices."""
        return RunTables.from_frames(self.indicators_frame(), self.world_frame(), self.events_frame(),
                                     self.config.to_dict(), va=self.va_matrices, name=self.scenario_name)


# ---------------------------------------------------------------------------- page set-up
def scenario_choices(current: str) -> list[str]:
    """Bundled scenarios whose config builds as they are, plus ``current`` (a file, say)."""
    try:
        from .scenarios import library

        names = list(library())
    except ImportError:  # the first scenario table, before the library
        names = list(SCENARIOS)
    out = []
    for name in names:
        try:
            make_config(name)
        except ConfigError:  # e.g. a calibrated world waiting for its table
            continue
        out.append(name)
    return out if current in out else [current, *out]


def page_defaults(env: Mapping[str, str] | None = None) -> dict:
    """The starting scenario, seed, firms and horizon, from ``GVC_DASHBOARD_*`` variables."""
    env = os.environ if env is None else env
    firms = env.get("GVC_DASHBOARD_FIRMS", "")
    return {
        "scenario_name": env.get("GVC_DASHBOARD_SCENARIO", "baseline"),
        "seed": env.get("GVC_DASHBOARD_SEED", "0"),
        "firms": int(firms) if firms else None,
        "periods": int(env.get("GVC_DASHBOARD_PERIODS", "30")),
    }


def model_params(defaults: Mapping) -> dict:
    """SolaraViz's ``model_params``: the inputs of every keyword of :class:`DashboardModel`."""
    countries = country_names(make_config(defaults["scenario_name"], firms=defaults["firms"]))

    def country(value: str, fallback: int, label: str) -> dict:
        value = value if value in countries else countries[min(fallback, len(countries) - 1)]
        return {"type": "Select", "value": value, "values": countries, "label": label}

    def fslider(value: float, lo: float, hi: float, step: float, label: str) -> dict:
        return {"type": "SliderFloat", "value": value, "min": lo, "max": hi, "step": step, "label": label}

    return {
        "scenario_name": {"type": "Select", "value": defaults["scenario_name"],
                          "values": scenario_choices(defaults["scenario_name"]), "label": "scenario"},
        "seed": {"type": "InputText", "value": str(defaults["seed"]), "label": "seed (whole number)"},
        "firms": defaults["firms"],
        "periods": {"type": "SliderInt", "value": defaults["periods"], "min": 2, "max": 100, "step": 1,
                    "label": "periods to run"},
        "lever_period": {"type": "SliderInt", "value": 2, "min": 0, "max": 50, "step": 1,
                         "label": "levers act from period"},
        "tariff_importer": country("USA", 0, "tariff: importer"),
        "tariff_exporter": country("CHN", 1, "tariff: exporter"),
        "tariff_rate": fslider(0.0, 0.0, 1.0, 0.05, "tariff rate (ad valorem fraction)"),
        "tariff_both_ways": {"type": "Checkbox", "value": False, "label": "tariff both ways"},
        "home_bias": fslider(0.0, 0.0, 3.0, 0.1, "home bias, all households (log points)"),
        "robot_price": fslider(1.0, 0.2, 2.0, 0.05, "robot price (multiple of period 0)"),
        "trade_cost": fslider(1.0, 0.0, 3.0, 0.1, "goods trade costs (multiple of period 0)"),
        "info_cost": fslider(1.0, 0.0, 3.0, 0.1, "information costs (multiple of period 0)"),
        "bloc_members": {"type": "InputText", "value": "", "label": "bloc members (e.g. CHN JPN KOR)"},
        "bloc_cost_cut": fslider(0.3, 0.0, 0.9, 0.05, "bloc trade-cost cut (fraction)"),
    }


def initial_kwargs(params: Mapping) -> dict:
    """The keyword arguments the page's inputs start at (what Reset passes before any change)."""
    return {k: (v["value"] if isinstance(v, dict) and "type" in v else v) for k, v in params.items()}


# ---------------------------------------------------------------------------- components
def _draw_panel(model: DashboardModel, draw, size: tuple[float, float], margins: Mapping[str, float]) -> Figure:
    """A fixed-layout figure of the model's tables so far (a fixed layout draws faster than a constrained one)."""
    fig = Figure(figsize=size)
    if not model.period:
        ax = fig.subplots()
        ax.axis("off")
        ax.text(0.5, 0.5, "press Step or Play", ha="center", va="center")
        return fig
    draw(fig, model.tables())
    fig.subplots_adjust(**margins)
    return fig


def _panel(model: DashboardModel, draw, size: tuple[float, float], css: str, **margins) -> None:
    """A matplotlib panel, drawn once per period and again when Reset replaces the model."""
    update_counter.get()
    key = [id(model), model.steps]
    fig = solara.use_memo(lambda: _draw_panel(model, draw, size, margins), key)
    with solara.Column(classes=[css]):
        solara.FigureMatplotlib(fig, format="png", dpi=DPI, dependencies=key)


@solara.component
def StatusNetworkPanel(model: DashboardModel):
    """The step, the period cleared, notes on the levers; the value-added trade network of the last period."""
    update_counter.get()
    with solara.Column(classes=["gvc-status"], gap="2px"):
        solara.Text(f"Step {model.steps} of {model.config.periods}", classes=["gvc-step"])
        if model.convergence:
            last = model.convergence[-1]
            state = "converged" if last["converged"] else "NOT converged"
            solara.Text(f"{model.scenario_name}, seed {model.seed}, {model.world.F} firms: period {last['period']} "
                        f"cleared, {state}; {len(model.events)} policy events so far")
        else:
            solara.Text(f"{model.scenario_name}, seed {model.seed}, {model.world.F} firms: no period cleared yet")
        for note in model.notes:
            solara.Warning(note, dense=True)
    _panel(model, lambda fig, run: plots.draw_network(fig.subplots(), run), (7.4, 4.1), "gvc-network",
           left=0.09, right=0.98, bottom=0.12, top=0.92)


def _two(first, second):
    def draw(fig, run):
        a, b = fig.subplots(1, 2)
        first(a, run)
        second(b, run)

    return draw


@solara.component
def ParticipationPanel(model: DashboardModel):
    """GVC participation (KWW) by region and export HHI over the periods so far."""
    _panel(model, _two(plots.draw_participation, plots.draw_hhi), (8.6, 3.7), "gvc-series",
           left=0.08, right=0.98, bottom=0.14, top=0.9, wspace=0.3)


@solara.component
def RegionalPanel(model: DashboardModel):
    """Intra-regional shares of value-added trade and TBI by country over the periods so far."""
    _panel(model, _two(plots.draw_regional_shares, plots.draw_tbi), (8.6, 3.7), "gvc-regional",
           left=0.08, right=0.96, bottom=0.14, top=0.9, wspace=0.3)


@solara.component
def HeatmapPanel(model: DashboardModel):
    """Bilateral value-added trade of the last period, countries by region."""
    _panel(model, lambda fig, run: plots.draw_heatmap(fig.subplots(), run), (6.2, 4.6), "gvc-heatmap",
           left=0.12, right=0.98, bottom=0.16, top=0.93)


@solara.component
def TimelinePanel(model: DashboardModel):
    """The policy events so far."""
    _panel(model, lambda fig, run: plots.draw_timeline(fig.subplots(), run), (8.6, 3.7), "gvc-timeline",
           left=0.07, right=0.8, bottom=0.14, top=0.9)


COMPONENTS = [StatusNetworkPanel, HeatmapPanel, ParticipationPanel, RegionalPanel, TimelinePanel]


@solara.component
def Page():
    """The page: one model per browser session, built from the page's starting inputs."""
    params = solara.use_memo(lambda: model_params(page_defaults()), [])
    model = solara.use_memo(lambda: DashboardModel(**initial_kwargs(params)), [])
    # components by keyword: SolaraViz's second positional argument is the space renderer
    SolaraViz(model, components=COMPONENTS, model_params=params, name="gvc-abm: global value chains",
              play_interval=300)
