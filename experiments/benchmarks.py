"""Speed and memory measurements behind ``gvc bench`` (never asserted in unit tests)."""

from __future__ import annotations

import resource
import sys
import time
import tracemalloc

import numpy as np

from gvc_abm.analysis.borin_mancini import bm_decomposition
from gvc_abm.analysis.examples import synthetic_table
from gvc_abm.analysis.indicators import compute_indicators
from gvc_abm.analysis.wwz import wwz_decomposition

__all__ = ["DECOMPOSE_METHODS", "peak_rss_mb", "bench_indicators", "bench_decomposition"]

#: Methods :func:`bench_decomposition` can time.
DECOMPOSE_METHODS = ("wwz", "bm-source", "bm-sink")


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024.0 if sys.platform != "darwin" else kb / 1024.0**2


def bench_indicators(G: int, N: int, *, repeat: int = 3, seed: int = 0) -> dict:
    """Time :func:`compute_indicators` (every indicator, with a region map) on a G x N table.

    The table is :func:`synthetic_table` (G, N, seed), built before timing. Returns the
    fastest and the median of ``repeat`` runs in seconds, and the peak RSS.
    """
    m = synthetic_table(G, N, seed)
    regions = {c: f"region{k % 4}" for k, c in enumerate(m.countries)}
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        compute_indicators(m, regions, seed=seed)
        times.append(time.perf_counter() - start)
    times.sort()
    return {
        "benchmark": "indicators",
        "countries": G,
        "sectors": N,
        "rows": G * N,
        "repeat": repeat,
        "seconds_min": times[0],
        "seconds_median": times[len(times) // 2],
        "peak_rss_mb": peak_rss_mb(),
    }


def bench_decomposition(G: int, N: int, method: str, seed: int = 0) -> dict:
    """Run one decomposition on :func:`synthetic_table` (G, N, seed) and measure it.

    Returns ``{"method", "G", "N", "rows", "seconds", "peak_traced_mb", "peak_rss_mb",
    "max_abs_adding_up_error"}``: wall time of the decomposition alone (table built
    beforehand), the peak of memory allocated during it (tracemalloc, numpy arrays
    included), the process's peak resident set size, and how far the terms are from
    adding up to gross exports.
    """
    if method not in DECOMPOSE_METHODS:
        raise ValueError(f"method: unknown {method!r}; expected one of {', '.join(DECOMPOSE_METHODS)}")
    if G < 2 or N < 1:
        raise ValueError(f"table: need at least 2 countries and 1 sector, got {G} x {N}")
    m = synthetic_table(G, N, seed)
    tracemalloc.start()
    t0 = time.perf_counter()
    if method == "wwz":
        df = wwz_decomposition(m)
        parts = df.drop(columns="EXGR").sum(axis=1)
    else:
        df = bm_decomposition(m, method.split("-")[1])
        parts = df[["DAVAX", "VAX_GVC", "REF", "DDC", "FVA", "FDC"]].sum(axis=1)
    seconds = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "benchmark": "decomposition",
        "method": method,
        "G": G,
        "N": N,
        "rows": G * N,
        "seconds": seconds,
        "peak_traced_mb": peak / 1024.0**2,
        "peak_rss_mb": peak_rss_mb(),
        "max_abs_adding_up_error": float(np.abs(parts - df["EXGR"]).max()),
    }
