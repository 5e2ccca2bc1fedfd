"""Speed and memory measurements behind ``gvc bench`` (never asserted in unit tests)."""

from __future__ import annotations

import resource
import sys
import time

from gvc_abm.analysis.examples import synthetic_table
from gvc_abm.analysis.indicators import compute_indicators

__all__ = ["peak_rss_mb", "bench_indicators"]


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
