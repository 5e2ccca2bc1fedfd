"""The decomposition benchmark runs, reports its measurements, and refuses bad arguments."""

from __future__ import annotations

import pytest

from gvc_abm.analysis.examples import synthetic_table
from gvc_abm.experiments.benchmarks import DECOMPOSE_METHODS, bench_decomposition


@pytest.mark.parametrize("method", DECOMPOSE_METHODS)
def test_small_run_reports_time_memory_and_adding_up(method):
    out = bench_decomposition(4, 3, method, seed=1)
    assert (out["method"], out["G"], out["N"], out["rows"]) == (method, 4, 3, 12)
    assert out["seconds"] > 0 and out["peak_traced_mb"] > 0 and out["peak_rss_mb"] > 0
    assert out["max_abs_adding_up_error"] < 1e-9


def test_synthetic_table_is_seeded_and_productive():
    a, b = synthetic_table(3, 2, seed=5), synthetic_table(3, 2, seed=5)
    assert (a.Z == b.Z).all() and (a.Y == b.Y).all()
    assert (a.va > 0).all()


@pytest.mark.parametrize("G,N,method,message", [(4, 3, "leontief", "unknown 'leontief'"), (1, 3, "wwz", "at least 2")])
def test_bad_arguments(G, N, method, message):
    with pytest.raises(ValueError, match=message):
        bench_decomposition(G, N, method)
