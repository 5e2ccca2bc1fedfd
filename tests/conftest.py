"""Shared fixtures: the real WIOD table beside the project, and small random tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings

from gvc_abm.analysis.mrio import MRIO, mrio_from_arrays

# Property tests draw the same examples on every run and machine (the suite is reproducible, as the
# simulation is); a new example is found by changing a test's seed or settings, not by chance in CI.
settings.register_profile("reproducible", derandomize=True, database=None)
settings.load_profile("reproducible")

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


class ExplicitBlocks:
    """The blocks of a table's Leontief system built the slow, obvious way (explicit inverses),
    for tests that write a paper's formula literally: ``A(s, r)``, ``B(s, r)``, ``Y(s, r)``,
    ``V(s)``, local inverses ``L[r]`` and gross exports ``E[r]`` by sector."""

    def __init__(self, m: MRIO):
        x = m.x
        self.m = m
        self.x = x
        self.A_full = np.divide(m.Z, x[None, :], out=np.zeros_like(m.Z), where=x[None, :] != 0)
        self.v = np.divide(m.va, x, out=np.zeros_like(x), where=x != 0)
        self.B_full = np.linalg.inv(np.eye(m.n) - self.A_full)
        self.blk = [m.block(r) for r in range(m.G)]
        self.L = [np.linalg.inv(np.eye(m.N) - self.A(r, r)) for r in range(m.G)]
        self.E = [
            sum(self.A(r, t) @ x[self.blk[t]] + self.Y(r, t) for t in range(m.G) if t != r) for r in range(m.G)
        ]

    def A(self, s: int, r: int) -> np.ndarray:
        return self.A_full[self.blk[s], self.blk[r]]

    def B(self, s: int, r: int) -> np.ndarray:
        return self.B_full[self.blk[s], self.blk[r]]

    def Y(self, s: int, r: int) -> np.ndarray:
        return self.m.Y[self.blk[s], r]

    def V(self, s: int) -> np.ndarray:
        return self.v[self.blk[s]]
