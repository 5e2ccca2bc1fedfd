"""``gvc report``: every stylized fact's experiment through the batch runner, then the verdicts.

Each experiment (:func:`experiments`) is a sweep (:mod:`.sweeps`): a base scenario, fixed
settings, one varied path whose values are the experiment's design points, and seeds. It runs
with :func:`~.batch.run_batch` into ``DIR/batches/<name>``, so it parallelises over the
embedded Dask cluster (or a scheduler) and a rerun resumes: only missing runs are run. The
verdicts are :func:`gvc_abm.analysis.facts.evaluate` of the loaded tables; the report
(:mod:`gvc_abm.analysis.report`) is written to ``DIR/report.md``, ``DIR/report.html`` (the
figures inline) and ``DIR/figures/<fact>.png``, and with ``json`` to that file, each
atomically.

What every experiment holds fixed (the propositions' *ceteris paribus*): the default world
with ``size`` firms, the governments passive (``agents.governments.active: false``) except
in the historical and catch-up scenarios, where the governments' reactions are part of what
is tested; seeds are common random numbers across an experiment's points, so each point is
compared with the reference run of the same seed. ``quick`` runs two seeds, fewer firms and
shorter runs (the historical scenario keeps its 18 years), and the report says so.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = ["ReportSize", "ExperimentSpec", "experiments", "run_report", "SIZES"]


@dataclass(frozen=True)
class ReportSize:
    """How big the report's runs are: seeds per point, firms of the default world, periods of a sweep's run."""

    seeds: int
    firms: int
    periods: int
    catch_up_periods: int
    label: str


SIZES = {
    "full": ReportSize(seeds=10, firms=1000, periods=16, catch_up_periods=30, label="full"),
    "quick": ReportSize(seeds=2, firms=300, periods=8, catch_up_periods=12, label="quick"),
}


@dataclass(frozen=True)
class ExperimentSpec:
    """One experiment: a sweep with one varied path whose values are labelled design points."""

    name: str
    what: str
    scenario: str
    fixed: dict[str, Any]
    path: str | None  # the varied config path (None: one point, the scenario itself)
    points: dict[str, Any]  # label -> value of ``path`` (``{"run": None}`` when path is None)
    seeds: int
    settings: dict[str, Any]

    def sweep_data(self, master_seed: int) -> dict:
        data: dict[str, Any] = {"scenario": self.scenario, "set": dict(self.fixed), "seeds": self.seeds,
                                "seed": master_seed}
        if self.path is not None:
            data["vary"] = {self.path: list(self.points.values())}
        return data


PASSIVE = {"agents.governments.active": False}


def _tariffs(importer: str, rate: float, period: int) -> list[dict]:
    return [{"importer": importer, "exporter": "*", "goods": "intermediate", "rate": {period: rate}}]


#: QY-conc in the full model: the countries cut off (in this order), and those trading at every point
CUT_OFF = ("IND", "ZAF", "NGA", "BRA", "MEX", "POL")
CORE = ("USA", "CAN", "DEU", "FRA", "GBR", "CHN", "JPN", "KOR")


def _cut_off(countries, rate: float, period: int) -> list[dict]:
    """Tariff paths that tax every good of ``countries`` into the rest, and the rest's into them, at ``rate``."""
    return [r for c in countries for r in ({"importer": c, "exporter": "*", "rate": {period: rate}},
                                          {"importer": "*", "exporter": c, "rate": {period: rate}})]


def _no_mfn() -> dict[str, float]:
    from gvc_abm.environment.config import DefaultWorldConfig

    return {f"world.countries.{i}.mfn_tariff": 0.0 for i in range(len(DefaultWorldConfig().countries))}


def experiments(size: ReportSize, seeds: int | None = None, table: str | Path | None = None) -> dict[str, ExperimentSpec]:
    """The report's experiments at ``size`` (``seeds`` overrides its seed count), by name; with ``table`` (an
    MRIO table folder) also ``calibrated``, the world calibrated from it."""
    n = int(seeds or size.seeds)
    base = {"world.firms.count": size.firms, "periods": size.periods}
    shock = 2  # the period a sweep's lever moves (periods 0-1 are the reference's)
    paper_closed = {f"N={N}, mu={mu}, nu={nu}, omega={om}": {"kind": "paper", "countries": N, "mu": mu, "nu": nu,
                                                            "omega": om, "firms_per_country": 8}
                    for N, mu, nu, om in ((3, 0.5, 0.3, 0.6), (3, 0.75, 0.55, 0.85), (7, 0.5, 0.55, 0.85),
                                          (7, 0.75, 0.3, 0.6), (12, 0.6, 0.45, 0.7), (5, 0.9, 0.2, 0.4))}
    paper_conc = {f"N={N}": {"kind": "paper", "countries": N, "mu": 0.6, "nu": 0.45, "omega": 0.7, "sizes": [1.0] * N,
                             "firms_per_country": 4} for N in (7, 20, 50)}
    rates = {"1 %": 0.01, "2 %": 0.02, "4 %": 0.04, "8 %": 0.08}
    info = {"reference": {}, "ideas cheaper": {shock: 0.3}, "barriers x2": {shock: 2.0}, "barriers x4": {shock: 4.0}}
    out = [
        ExperimentSpec("paper-closed", "paper world at six (N, mu, nu, omega), unequal sizes", "paper",
                       {"periods": 3}, "world", paper_closed, 1, {}),
        ExperimentSpec("paper-concentration", "paper world with N = 7, 20, 50 equal countries", "paper",
                       {"periods": 2}, "world", paper_conc, 1, {}),
        ExperimentSpec("trading-countries", "3, then 6 countries cut off from the rest by 100 % tariffs both ways "
                       "from period 2", "baseline", base | PASSIVE, "drivers.tariffs",
                       {"14 trading": [], "11 trading": _cut_off(CUT_OFF[:3], 1.0, shock),
                        "8 trading": _cut_off(CUT_OFF, 1.0, shock)}, n, {"core": CORE}),
        ExperimentSpec("home-bias", "one country's households favour home goods more from period 2 (log shift 0.5)",
                       "baseline", base | PASSIVE, "drivers.home_bias",
                       {"reference": {}, "USA": {"USA": {shock: 0.5}}, "CHN": {"CHN": {shock: 0.5}},
                        "DEU": {"DEU": {shock: 0.5}}}, n, {}),
        ExperimentSpec("intermediate-tariff", "one country taxes its imports of intermediates at 30 % from period 2",
                       "baseline", base | PASSIVE, "drivers.tariffs",
                       {"reference": [], "USA": _tariffs("USA", 0.3, shock), "CHN": _tariffs("CHN", 0.3, shock),
                        "DEU": _tariffs("DEU", 0.3, shock)}, n, {}),
        ExperimentSpec("catch-up", "emerging economies' catch-up growth and import substitution (bundled scenario)",
                       "catch-up", {"world.firms.count": size.firms, "periods": size.catch_up_periods}, None,
                       {"run": None}, n, {}),
        ExperimentSpec("robot-price", "robot prices fall to 40 % from period 2", "baseline", base | PASSIVE,
                       "drivers.robot_price", {"reference": {}, "cheap robots": {shock: 0.4}}, n, {}),
        ExperimentSpec("historical", "2000-2017 from Penn World Table 9.1 (bundled scenario), governments active",
                       "historical", {"world.firms.count": size.firms}, None, {"run": None}, n, {}),
        ExperimentSpec("bloc-cost-cut", "CHN, JPN and KOR halve their internal trade-cost margins from period 2",
                       "baseline", base | PASSIVE, "drivers.blocs",
                       {"reference": [], "bloc": [{"period": shock, "bloc": "RCEP", "members": ["CHN", "JPN", "KOR"],
                                                   "cost_cut": 0.5}]}, n, {"members": ["CHN", "JPN", "KOR"]}),
        ExperimentSpec("information-cost", "information cost x0.3, x2, x4 from period 2, diffusion on (0.1)",
                       "baseline", base | PASSIVE | {"agents.firms.diffusion": 0.1}, "drivers.info_cost", info, n,
                       {"multipliers": {"reference": 1.0, "ideas cheaper": 0.3, "barriers x2": 2.0, "barriers x4": 4.0}}),
        ExperimentSpec("trade-cost", "trade-cost margins x0.5, x1.25, x1.5 from period 2", "baseline", base | PASSIVE,
                       "drivers.trade_cost", {"reference": {}, "goods cheaper": {shock: 0.5},
                                              "costs x1.25": {shock: 1.25}, "costs x1.5": {shock: 1.5}}, n, {}),
        ExperimentSpec("tariff-sweep", "uniform tariffs of 1, 2, 4, 8 % from period 1, flexible wages, no MFN tariffs",
                       "baseline", {"world.firms.count": size.firms, "periods": 4, "labour.wage_mode": "flexible"}
                       | PASSIVE | _no_mfn(), "drivers.tariff_shocks",
                       {"reference": []} | {k: [{"period": 1, "importer": "*", "exporter": "*", "rate": v}]
                                            for k, v in rates.items()}, n, {"rates": rates}),
    ]
    if table is not None:
        out.append(ExperimentSpec("calibrated", f"the world calibrated from the real table {table}, "
                                  "governments active", "calibrated",
                                  {"world.table": str(Path(table).resolve()), "periods": size.periods}, None,
                                  {"run": None}, n, {}))
    return {e.name: e for e in out}


def _load(spec: ExperimentSpec, sweep, folder: Path):
    """The batch in ``folder`` as an :class:`~gvc_abm.analysis.facts.Experiment` (point labels, replicates)."""
    import pandas as pd

    from gvc_abm.analysis.batch import load_batch
    from gvc_abm.analysis.facts import Experiment

    labels = list(spec.points)
    by_run = {p["run_id"]: (labels[p["point"]], p["replicate"]) for p in sweep.points}

    def tag(df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy()
        df["point"] = df["run_id"].map(lambda r: by_run[r][0])
        df["replicate"] = df["run_id"].map(lambda r: by_run[r][1])
        return df

    return Experiment(spec.name, tuple(labels), tag(load_batch(folder)), tag(load_batch(folder, table="global")),
                      tag(load_batch(folder, table="regions")), tag(load_batch(folder, table="flows")),
                      values=dict(spec.points), settings=spec.settings)


def run_report(out: str | Path, *, quick: bool = False, seeds: int | None = None, json_path: str | Path | None = None,
               workers: int | None = None, scheduler: str | None = None, serial: bool = False,
               only: list[str] | None = None, table: str | Path | None = None, progress: bool = True,
               log=print) -> list:
    """Run (or resume) every experiment into ``out/batches``, evaluate every fact, write the report.

    Returns the :class:`~gvc_abm.analysis.facts.FactResult` list. ``only`` restricts the
    experiments run (the facts of the others are reported as not run). A batch with failed
    runs is evaluated on its done runs and the report names it.
    """
    from gvc_abm.analysis.facts import evaluate, results_json

    from .batch import batch_client, run_batch
    from .outputs import atomic_path
    from .sweeps import parse_sweep

    out = Path(out)
    size = SIZES["quick" if quick else "full"]
    specs = experiments(size, seeds, table)
    if only:
        specs = {k: v for k, v in specs.items() if k in only}
    t0 = time.perf_counter()
    loaded, notes = {}, []
    folder = out / "batches"
    sweeps = {}  # every experiment is validated before anything runs
    for name, spec in specs.items():
        data = spec.sweep_data(master_seed=0)
        sweeps[name] = parse_sweep(data, folder / f"{name}.yaml", yaml.safe_dump(data, sort_keys=False))
    with batch_client(workers, scheduler, serial) as client:  # one cluster for every experiment
        for name, spec in specs.items():
            sweep = sweeps[name]
            t = time.perf_counter()
            counts = run_batch(sweep, folder / name, serial=serial, progress=progress, client=client)
            log(f"{name}: {counts['runs']} runs ({counts['ran']} run now, {counts['failed']} failed) in "
                f"{time.perf_counter() - t:.1f} s")
            if counts["failed"]:
                notes.append(f"{name}: {counts['failed']} of {counts['runs']} runs failed (see its manifest)")
            if counts["done"]:
                loaded[name] = _load(spec, sweep, folder / name)
                g = loaded[name].global_
                if "converged" in g.columns and not g["converged"].all():
                    notes.append(f"{name}: the clearing did not converge in {int((~g['converged'].astype(bool)).sum())} "
                                 f"of {len(g)} run-periods (their numbers are the last iterate)")
    results = evaluate(loaded)
    meta = {"size_label": size.label, "quick": quick, "seeds": int(seeds or size.seeds), "firms": size.firms,
            "periods": size.periods, "experiments": {k: v.what for k, v in specs.items()}, "notes": notes,
            "seconds": time.perf_counter() - t0}
    from gvc_abm.analysis.facts import regression_tables

    meta["regressions"] = regression_tables({k: loaded[k] for k in ("catch-up", "historical") if k in loaded})
    if "historical" in loaded:
        from gvc_abm.analysis.facts import historical_against_seeds

        meta["historical"] = historical_against_seeds(loaded["historical"])
    if "calibrated" in loaded:
        from gvc_abm.analysis.facts import real_beside_simulated
        from gvc_abm.analysis.indicators import indicators_table
        from gvc_abm.analysis.mrio import read_table

        meta["real_table"] = real_beside_simulated(indicators_table(read_table(table)), loaded["calibrated"])
        meta["real_table_name"] = str(table)
    write_report(out, results, meta)
    if json_path is not None:
        with atomic_path(json_path, "--json") as tmp:
            tmp.write_text(results_json(results), encoding="utf-8")
    return results


def write_report(out: Path, results: list, meta: dict) -> None:
    """``out/figures/<id>.png``, ``out/report.md`` and ``out/report.html``, each written atomically."""
    from gvc_abm.analysis.report import fact_figure, figure_png, render_html, render_markdown

    from .outputs import atomic_path

    images = {}
    for r in results:
        images[r.id] = figure_png(fact_figure(r))
        with atomic_path(out / "figures" / f"{r.id}.png", "--out") as tmp:
            tmp.write_bytes(images[r.id])
    with atomic_path(out / "report.md", "--out") as tmp:
        tmp.write_text(render_markdown(results, meta) + "\n", encoding="utf-8")
    with atomic_path(out / "report.html", "--out") as tmp:
        tmp.write_text(render_html(results, meta, images), encoding="utf-8")
