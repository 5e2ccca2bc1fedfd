"""Time and memory of the gross-exports decompositions on a synthetic G x N table."""

from __future__ import annotations

import resource
import sys
import time
import tracemalloc

import numpy as np

from gvc_abm.analysis.borin_mancini import bm_decomposition
from gvc_abm.analysis.mrio import MRIO, mrio_from_arrays
from gvc_abm.analysis.wwz import wwz_decomposition

__all__ = ["DECOMPOSE_METHODS", "synthetic_table", "bench_decomposition"]

#: Methods :func:`bench_decomposition` can time.
DECOMPOSE_METHODS = ("wwz", "bm-source", "bm-sink")


def synthetic_table(G: int, N: int, seed: int = 0) -> MRIO:
    """A random but well-behaved G x N table: home bias, value-added share about 0.45.

    Intermediate flows are drawn uniform, the home block weighted 5x, columns scaled so
    inputs are 55 % of output; final demand likewise with 5x home bias. Seeded.
    """
    rng = np.random.default_rng(seed)
    n = G * N
    home = np.kron(np.eye(G), np.ones((N, N)))
    A = rng.uniform(0.0, 1.0, (n, n)) * (1.0 + 4.0 * home)
    A *= 0.55 / A.sum(axis=0, keepdims=True)
    Yw = rng.uniform(0.0, 1.0, (n, G)) * (1.0 + 4.0 * np.kron(np.eye(G), np.ones((N, 1))))
    Y = Yw * rng.uniform(50.0, 150.0, (1, G))
    x = np.linalg.solve(np.eye(n) - A, Y.sum(axis=1))
    Z = A * x[None, :]
    return mrio_from_arrays(Z, Y, [f"C{g:02d}" for g in range(G)], [f"S{k:02d}" for k in range(N)])


def _peak_rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024.0 if sys.platform != "darwin" else kb / 1024.0**2


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
        "method": method,
        "G": G,
        "N": N,
        "rows": G * N,
        "seconds": seconds,
        "peak_traced_mb": peak / 1024.0**2,
        "peak_rss_mb": _peak_rss_mb(),
        "max_abs_adding_up_error": float(np.abs(parts - df["EXGR"]).max()),
    }
