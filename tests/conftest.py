"""Shared fixtures: the real WIOD table beside the project, and small random tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gvc_abm.analysis.mrio import MRIO, mrio_from_arrays

#: Real data sits beside the repository, never inside it (see the data README).
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
WIOD_DIR = SHARED_DATA / "wiod_7x35" / "pymrio"


@pytest.fixture(scope="session")
def wiod_path() -> Path:
    """Folder of the WIOD 7 x 35 table (pymrio save_all format); skips when it is absent."""
    if not (WIOD_DIR / "file_parameters.json").exists():
        pytest.skip(f"real WIOD table not found at ../shared/data/wiod_7x35/pymrio (looked in {WIOD_DIR})")
    return WIOD_DIR


@pytest.fixture(scope="session")
def wiod_io(wiod_path):
    import pymrio

    return pymrio.load_all(wiod_path)


def random_table(G: int, N: int, seed: int = 0, *, zero_sector: bool = False) -> MRIO:
    """A random but well-behaved MRIO (column sums of A well below 1), seeded."""
    rng = np.random.default_rng(seed)
    n = G * N
    Z = rng.uniform(0.0, 1.0, (n, n)) * rng.uniform(0.5, 2.0, n)[None, :]
    Y = rng.uniform(1.0, 3.0, (n, G)) * n / 4
    # Home bias: domestic blocks and own final demand larger.
    for r in range(G):
        b = slice(r * N, (r + 1) * N)
        Z[b, b] *= 4
        Y[b, r] *= 4
    if zero_sector:
        Z[1, :] = 0
        Z[:, 1] = 0
        Y[1, :] = 0
    return mrio_from_arrays(Z, Y, [f"R{r}" for r in range(G)], [f"s{i}" for i in range(N)], source="random table")
