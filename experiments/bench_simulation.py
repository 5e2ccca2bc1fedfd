"""Speed and memory of the simulation behind ``gvc bench --firms N --links K --periods P``.

The world is the default world (12 countries x 8 sectors) with N firms and K supplier links per
firm, built without its initial flexible-wage equilibration. Every period clears from a cold
start (prices 1, equal outputs), the worst case, with sticky wages, and is aggregated to an
MRIO table; ``seconds_per_period`` is clearing plus aggregation, the clearing is also timed alone.
The memory-bound floor is a ``scipy.sparse`` CSR mat-vec on the same network (the price
iteration's matrix ``(1 - nu_f) share_fg``), timed in the same run; the ratio of one clearing
iteration (all clearing time over all fixed-point iterations) to it is reported. Numba compile
time is excluded (a tiny world is cleared first). Nothing here is asserted in unit tests.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

from gvc_abm.environment.aggregate import aggregate
from gvc_abm.environment.builders import build_default_world
from gvc_abm.environment.clearing import clear
from gvc_abm.environment.config import DefaultWorldConfig, FirmsConfig

from .benchmarks import peak_rss_mb

__all__ = ["bench_simulation"]


def _warm_up(engine: str) -> None:
    cfg = DefaultWorldConfig(firms=FirmsConfig(count=200, links=3))
    w = build_default_world(cfg, np.random.default_rng(0), equilibrate=False)
    clear(w, engine="numba", warn=False)
    aggregate(w, clear(w, engine="numba", warn=False))


def _time_periods(world, periods: int, engine: str, start) -> tuple[list[float], list[float], list[int], list[bool]]:
    price0, output0, wage0 = start
    total, clearing, iters, conv, split = [], [], [], [], []
    for _ in range(periods):
        world.firms.price[:] = price0
        world.firms.output[:] = output0
        world.country_state.wage[:] = wage0
        t0 = time.perf_counter()
        res = clear(world, engine=engine, warn=False)
        t1 = time.perf_counter()
        aggregate(world, res)
        t2 = time.perf_counter()
        total.append(t2 - t0)
        clearing.append(t1 - t0)
        iters.append(res.iterations)
        conv.append(res.converged)
        split.append((res.price_iterations, res.value_iterations))
    return total, clearing, iters, conv, split


def _matvec_seconds(world, repeat: int = 20) -> float:
    net, fs = world.network, world.firms
    data = np.repeat(1.0 - fs.nu, np.diff(net.indptr)) * net.share
    M = sp.csr_matrix((data, net.supplier, net.indptr), shape=(world.F, world.F))
    v = np.random.default_rng(0).random(world.F)
    M @ v
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        M @ v
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def bench_simulation(
    firms: int,
    links: int,
    periods: int,
    *,
    engine: str = "numba",
    compare_reference: bool = False,
    seed: int = 0,
) -> dict:
    """Measure ``periods`` cold-start periods of a default world with ``firms`` x ``links`` (module docstring).

    Returns firms, links, periods, seconds_per_period, clearing_seconds_per_period,
    clearing_iterations_per_period, seconds_per_clearing_iteration, peak_rss_mb, the scipy
    mat-vec time and the iteration/mat-vec ratio, all periods' convergence, and with
    ``compare_reference`` the reference engine's seconds per period (one period) and the speedup
    (reference clearing time over this engine's). A clearing iteration is a Gauss-Seidel price
    sweep or a value iteration (one network pass plus the exact cell-level solve); the split is
    reported as price_ and value_iterations_per_period.
    """
    if engine not in ("numba", "reference"):
        raise ValueError(f"engine: unknown engine {engine!r}; expected numba or reference")
    _warm_up(engine)
    cfg = DefaultWorldConfig(firms=FirmsConfig(count=firms, links=links))
    t0 = time.perf_counter()
    world = build_default_world(cfg, np.random.default_rng(seed), equilibrate=False)
    build_seconds = time.perf_counter() - t0
    start = (world.firms.price.copy(), world.firms.output.copy(), world.country_state.wage.copy())
    total, clearing, iters, conv, split = _time_periods(world, periods, engine, start)
    n_iter = float(np.mean(iters))
    clear_s = float(np.mean(clearing))
    matvec = _matvec_seconds(world)
    out = {
        "benchmark": "simulation",
        "engine": engine,
        "firms": int(world.F),
        "links": int(links),
        "nnz": int(world.network.nnz),
        "periods": int(periods),
        "build_seconds": build_seconds,
        "seconds_per_period": float(np.mean(total)),
        "clearing_seconds_per_period": clear_s,
        "clearing_iterations_per_period": n_iter,
        "price_iterations_per_period": float(np.mean([p for p, _ in split])),
        "value_iterations_per_period": float(np.mean([v for _, v in split])),
        "seconds_per_clearing_iteration": clear_s / n_iter,
        "scipy_csr_matvec_seconds": matvec,
        "iteration_over_matvec": clear_s / n_iter / matvec,
        "converged": bool(all(conv)),
        "peak_rss_mb": 0.0,
    }
    if compare_reference:
        r_total, r_clear, r_iters, r_conv, _ = _time_periods(world, 1, "reference", start)
        out["reference_seconds_per_period"] = float(np.mean(r_total))
        out["reference_clearing_seconds_per_period"] = float(np.mean(r_clear))
        out["speedup"] = float(np.mean(r_clear)) / clear_s
        out["reference_iterations_per_period"] = float(np.mean(r_iters))
    out["peak_rss_mb"] = peak_rss_mb()
    return out
