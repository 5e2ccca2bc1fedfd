"""The arrays every gross-exports decomposition starts from, for countries or country groups.

Wang, Wei & Zhu (2013) and Borin & Mancini (2019) both split the exports of an exporter
``s`` to an importer ``r`` by exporting sector, with the same ingredients: the global
inverse ``B`` and its blocks ``B_st``, the local inverses ``L_rr = (I - A_rr)^-1``, the
value-added coefficients ``V``, final demand ``Y_rt`` and bilateral exports ``E_sr``.
:func:`export_system` computes them once; :mod:`.wwz` and :mod:`.borin_mancini` read them.

A *region* is a country or a group of countries (EU, RCEP, ...). Within a group, trade
is domestic, as when the papers treat a group as one exporter (Borin & Mancini 2019;
exvatools' country groups): the group's domestic block ``A_gg`` holds all
its members' sectors, ``L_gg = (I - A_gg)^-1``, and flows between members are not
exports. Rows are reordered once so that every region is a contiguous block; results are
reported per region and sector (members' rows of a group summed by sector).

The decompositions add up to gross exports exactly when ``x = A x + Y 1``, i.e. when
the table's gross output is ``Z 1 + Y 1`` (the default of :func:`.mrio.read_table`);
with a published x that differs, the gap shows up as a small adding-up error.

Work is block by block: apart from ``A`` and ``B`` (n x n) no array has more than
``n * R`` entries times a small constant, so a 3,465-row table fits in memory.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .leontief import LeontiefSolver, input_coefficients, value_added_coefficients
from .mrio import MRIO

__all__ = [
    "Regions",
    "country_regions",
    "ExportSystem",
    "export_system",
    "through_importer",
    "by_region_sector",
    "decomposition_frame",
]


@dataclass(frozen=True)
class Regions:
    """A partition of a table's G countries into R regions (countries or groups).

    Attributes
    ----------
    labels : the R region names, in order of each region's first country in the table.
    of_country : (G,) region index of every country.
    """

    labels: tuple[str, ...]
    of_country: np.ndarray

    @property
    def R(self) -> int:
        """Number of regions."""
        return len(self.labels)

    def matrix(self) -> np.ndarray:
        """The (G, R) 0/1 matrix mapping countries to regions."""
        C = np.zeros((len(self.of_country), self.R))
        C[np.arange(len(self.of_country)), self.of_country] = 1.0
        return C


def country_regions(m: MRIO, groups: Mapping[str, Sequence[str]] | None = None) -> Regions:
    """Regions of table ``m``: each group of ``groups`` is one region, other countries their own.

    Parameters
    ----------
    groups : mapping from a group name to its member countries (labels of ``m``), e.g.
        ``{"EU": ["DEU", "FRA"], "RCEP": ["CHN", "JPN", "KOR"]}``. A country may belong
        to one group only; a group name may not be the name of a country outside it.

    Raises
    ------
    ValueError
        One line naming the group and the problem.
    """
    countries = list(m.countries)
    region_of: dict[str, str] = {c: c for c in countries}
    if groups:
        seen: dict[str, str] = {}
        for name, members in groups.items():
            name = str(name)
            if isinstance(members, (str, bytes)) or not isinstance(members, Sequence):
                raise ValueError(f"group {name!r}: members must be a list of country labels")
            if len(members) == 0:
                raise ValueError(f"group {name!r} has no members")
            for c in map(str, members):
                if c not in region_of:
                    raise ValueError(f"group {name!r}: {c!r} is not a country of the table")
                if c in seen:
                    raise ValueError(f"country {c!r} is in two groups, {seen[c]!r} and {name!r}")
                seen[c] = name
                region_of[c] = name
            if name in region_of and name not in map(str, members):
                raise ValueError(f"group name {name!r} is also a country outside the group")
    labels: list[str] = []
    for c in countries:
        if region_of[c] not in labels:
            labels.append(region_of[c])
    index = {r: k for k, r in enumerate(labels)}
    return Regions(labels=tuple(labels), of_country=np.array([index[region_of[c]] for c in countries]))


@dataclass(frozen=True)
class ExportSystem:
    """Everything a decomposition needs, rows reordered so regions are contiguous.

    All row-indexed arrays are in the reordered ("region-major") order ``perm``:
    row ``k`` here is row ``perm[k]`` of the table. ``starts`` has R+1 entries; region
    r owns rows ``starts[r]:starts[r+1]``.

    Attributes
    ----------
    A, B : (n, n) input coefficients and global Leontief inverse ``(I - A)^-1``.
    x : (n,) gross output.
    Y : (n, R) final demand by destination region.
    E : (n, R) gross exports ``E_sr`` of each row to each other region (0 to its own).
    AX : (n, R) intermediate exports ``A_sr X_r`` (0 to its own region).
    local : R solvers of ``I - A_rr``.
    W : (R, n) value-added multipliers, ``W[t, i] = sum_{k in t} v_k B_ki``.
    dB, dL : (n,) domestic multipliers ``V_s B_ss`` and ``V_s L_ss`` of each row's region s.
    foreign : (n,) foreign multipliers ``sum_{t != s} V_t B_ts``.
    """

    A: np.ndarray
    B: np.ndarray
    x: np.ndarray
    Y: np.ndarray
    E: np.ndarray
    AX: np.ndarray
    local: list
    W: np.ndarray
    dB: np.ndarray
    dL: np.ndarray
    foreign: np.ndarray
    region_of_row: np.ndarray
    starts: np.ndarray
    perm: np.ndarray
    regions: Regions
    sectors: tuple[str, ...]

    @property
    def n(self) -> int:
        return self.A.shape[0]

    @property
    def R(self) -> int:
        return self.regions.R

    def rows(self, r: int) -> slice:
        """Rows of region r (reordered numbering)."""
        return slice(int(self.starts[r]), int(self.starts[r + 1]))

    def local_solve(self, M: np.ndarray) -> np.ndarray:
        """``L_rr M_r`` for every region r at once: the block-diagonal local inverse times M."""
        out = np.empty_like(M, dtype=float)
        for r in range(self.R):
            b = self.rows(r)
            out[b] = self.local[r].solve(M[b])
        return out


def export_system(m: MRIO, regions: Regions | None = None) -> ExportSystem:
    """Compute the :class:`ExportSystem` of table ``m`` (one LU, one explicit ``B``).

    ``E_sr = sum_{j in r} Z_ij + Y_ir`` for every row i of region s and r != s
    (KWW 2014, eq. 6; WWZ 2013, eq. 1); ``V_s B_ss`` and ``V_s L_ss`` are the
    column sums over s's rows of ``diag(V) B`` and ``diag(V) L`` (WWZ 2013, eq. 37).
    """
    regions = regions if regions is not None else country_regions(m)
    N = m.N
    country_region = regions.of_country
    # Stable reordering: countries grouped by region, sectors kept in order.
    order_c = np.argsort(country_region, kind="stable")
    perm = (order_c[:, None] * N + np.arange(N)[None, :]).reshape(-1)
    region_of_row = np.repeat(country_region[order_c], N)
    sizes = np.bincount(country_region, minlength=regions.R) * N
    starts = np.concatenate([[0], np.cumsum(sizes)])

    Z = m.Z[np.ix_(perm, perm)]
    x = m.x[perm]
    va = m.va[perm]
    C = regions.matrix()
    Y = (m.Y @ C)[perm]
    A = input_coefficients(Z, x)
    v = value_added_coefficients(va, x)
    R = regions.R
    own = np.zeros((m.n, R), dtype=bool)
    own[np.arange(m.n), region_of_row] = True
    Zr = np.add.reduceat(Z, starts[:-1], axis=1)
    del Z
    AX = np.where(own, 0.0, Zr)
    E = AX + np.where(own, 0.0, Y)

    B = LeontiefSolver(A).inverse()
    local = [LeontiefSolver(A[b, b]) for b in (slice(starts[r], starts[r + 1]) for r in range(R))]
    W = np.empty((R, m.n))
    dL = np.empty(m.n)
    for r in range(R):
        b = slice(starts[r], starts[r + 1])
        W[r] = v[b] @ B[b]
        dL[b] = local[r].solve_left(v[b])
    dB = W[region_of_row, np.arange(m.n)]
    foreign = W.sum(axis=0) - dB
    return ExportSystem(
        A=A, B=B, x=x, Y=Y, E=E, AX=AX, local=local, W=W, dB=dB, dL=dL, foreign=foreign,
        region_of_row=region_of_row, starts=starts, perm=perm, regions=regions, sectors=m.sectors,
    )


def through_importer(es: ExportSystem, Q: np.ndarray) -> np.ndarray:
    """``T[i, r, k] = sum_{j in r} A_ij Q[j, s(i), k]`` for r != s(i), else 0.

    The common shape of every intermediate-export term in WWZ (2013, eq. 37) and
    Borin & Mancini (2019): exporter s's intermediates ``A_sr`` times an importer-side
    vector that may depend on s (``Q[:, s, k]``). Q has shape (n, R, K); the result
    (n, R, K). Cost ``n^2 K``, memory ``|s| n`` at a time.
    """
    n, R, K = Q.shape
    out = np.zeros((n, R, K))
    for s in range(R):
        b = es.rows(s)
        As = es.A[b]
        for k in range(K):
            out[b, :, k] = np.add.reduceat(As * Q[:, s, k][None, :], es.starts[:-1], axis=1)
        out[b, s, :] = 0.0
    return out


def by_region_sector(es: ExportSystem, T: np.ndarray) -> np.ndarray:
    """Sum reordered rows (n, ...) to (R, N, ...): members of a group summed by sector."""
    N = len(es.sectors)
    return np.add.reduceat(T.reshape(-1, N, *T.shape[1:]), es.starts[:-1] // N, axis=0)


def decomposition_frame(es: ExportSystem, T: np.ndarray, terms: Sequence[str]) -> pd.DataFrame:
    """Wide frame of terms T (n, R, K): index (exporter, sector, importer), one column per term.

    Rows with exporter == importer (no exports) are left out.
    """
    RS = by_region_sector(es, T)  # (R, N, R, K)
    R, N = es.R, len(es.sectors)
    labels = list(es.regions.labels)
    index = pd.MultiIndex.from_product([labels, list(es.sectors), labels], names=["exporter", "sector", "importer"])
    df = pd.DataFrame(RS.reshape(R * N * R, len(terms)), index=index, columns=list(terms))
    keep = index.get_level_values("exporter") != index.get_level_values("importer")
    return df[keep]
