"""The MRIO table as plain arrays, and the adapters that fill it from pymrio.

Every indicator in ``gvc_abm.analysis`` takes an :class:`MRIO`: a country-major
(pymrio order) table of ``n = G * N`` rows, G countries times N sectors, with

- ``Z``  (n, n) intermediate flows, row = selling country-sector, column = buying one,
- ``Y``  (n, G) final demand of each destination country (categories summed),
- ``x``  (n,)   gross output, by default ``x = Z 1 + Y 1``,
- ``va`` (n,)   value added, the balancing item ``va = x - 1'Z``.

Conversion happens once, here, at the edge; the indicator functions never branch on
DataFrames. Bad tables raise :class:`TableError`, whose message is one line naming
the source and the problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["MRIO", "TableError", "as_mrio", "mrio_from_arrays", "mrio_from_iosystem", "read_table", "TABLE_FORMATS"]


class TableError(ValueError):
    """A table that cannot be used; the message names the source and the problem."""


@dataclass(frozen=True)
class MRIO:
    """A multi-regional input-output table in country-major order (see module docstring)."""

    Z: np.ndarray
    Y: np.ndarray
    x: np.ndarray
    va: np.ndarray
    countries: tuple[str, ...]
    sectors: tuple[str, ...]

    @property
    def G(self) -> int:
        """Number of countries."""
        return len(self.countries)

    @property
    def N(self) -> int:
        """Number of sectors per country."""
        return len(self.sectors)

    @property
    def n(self) -> int:
        """Number of country-sector rows, ``G * N``."""
        return self.G * self.N

    def block(self, r: int) -> slice:
        """Row (or column) slice of country ``r``'s sectors."""
        return slice(r * self.N, (r + 1) * self.N)

    @property
    def country_of_row(self) -> np.ndarray:
        """Country index of every row, shape (n,)."""
        return np.repeat(np.arange(self.G), self.N)

    def row_labels(self) -> pd.MultiIndex:
        """The (region, sector) labels of the rows, as pymrio writes them."""
        return pd.MultiIndex.from_product([list(self.countries), list(self.sectors)], names=["region", "sector"])


def _fail(source: str, problem: str) -> TableError:
    return TableError(f"{source}: {problem}" if source else problem)


def mrio_from_arrays(
    Z,
    Y,
    countries,
    sectors,
    x=None,
    *,
    source: str = "",
) -> MRIO:
    """Validate arrays and build an :class:`MRIO`.

    Parameters
    ----------
    Z : array (n, n)
        Intermediate flows, country-major.
    Y : array (n, G)
        Final demand by destination country.
    countries, sectors : sequences of str
        Labels; ``n`` must equal ``len(countries) * len(sectors)``.
    x : array (n,), optional
        Gross output to use instead of ``Z 1 + Y 1`` (the table's own, published x).
        Value added is then ``x - 1'Z``, so ``x = 1'Z + va`` holds either way.
    source : str
        Name of the file or object, used in error messages.
    """
    Z = np.asarray(Z, dtype=float)
    Y = np.asarray(Y, dtype=float)
    countries = tuple(str(c) for c in countries)
    sectors = tuple(str(s) for s in sectors)
    G, N = len(countries), len(sectors)
    if G == 0 or N == 0:
        raise _fail(source, "the table has no countries or no sectors")
    if Z.ndim != 2 or Z.shape[0] != Z.shape[1]:
        raise _fail(source, f"Z must be square, got shape {Z.shape}")
    n = Z.shape[0]
    if n != G * N:
        raise _fail(source, f"Z has {n} rows but {G} countries x {N} sectors = {G * N} labels")
    if Y.ndim != 2 or Y.shape != (n, G):
        raise _fail(source, f"Y must have shape ({n}, {G}) (rows x destination countries), got {Y.shape}")
    if len(set(countries)) != G or len(set(sectors)) != N:
        raise _fail(source, "country or sector labels are not unique")
    for name, arr in (("Z", Z), ("Y", Y)):
        bad = ~np.isfinite(arr)
        if bad.any():
            i, j = np.argwhere(bad)[0]
            raise _fail(source, f"{name} has {int(bad.sum())} missing or infinite values (first at row {i}, column {j})")
    if x is None:
        x = Z.sum(axis=1) + Y.sum(axis=1)
    else:
        x = np.asarray(x, dtype=float).reshape(-1)
        if x.shape != (n,):
            raise _fail(source, f"x must have {n} entries, got {x.shape[0]}")
        if not np.isfinite(x).all():
            raise _fail(source, "x has missing or infinite values")
    if (x < 0).any():
        i = int(np.argmax(x < 0))
        raise _fail(
            source,
            f"negative gross output {x[i]:.6g} in {countries[i // N]}/{sectors[i % N]}",
        )
    va = x - Z.sum(axis=0)
    return MRIO(Z=Z, Y=Y, x=x, va=va, countries=countries, sectors=sectors)


def mrio_from_iosystem(io, *, use_table_x: bool = False, source: str = "") -> MRIO:
    """Build an :class:`MRIO` from a ``pymrio.IOSystem`` (its Z, Y and optionally x).

    Final-demand categories are summed per destination country (the first level of Y's
    columns). With ``use_table_x`` the table's own ``x`` is used instead of ``Z 1 + Y 1``.
    """
    source = source or str(getattr(io, "name", "") or "IOSystem")
    Zdf, Ydf = getattr(io, "Z", None), getattr(io, "Y", None)
    if not isinstance(Zdf, pd.DataFrame) or not isinstance(Ydf, pd.DataFrame):
        raise _fail(source, "the table has no Z or no Y")
    if Zdf.shape[0] != Zdf.shape[1]:
        raise _fail(source, f"Z must be square, got shape {Zdf.shape}")
    if not isinstance(Zdf.index, pd.MultiIndex) or Zdf.index.nlevels != 2:
        raise _fail(source, "Z rows must be labelled (region, sector)")
    if not Zdf.index.equals(Zdf.columns):
        raise _fail(source, "Z row labels and column labels differ")
    if not Zdf.index.equals(Ydf.index):
        raise _fail(source, "Y row labels differ from Z row labels")
    regions = list(dict.fromkeys(Zdf.index.get_level_values(0)))
    sectors = list(dict.fromkeys(Zdf.index.get_level_values(1)))
    expected = pd.MultiIndex.from_product([regions, sectors])
    if len(expected) != len(Zdf.index) or not (
        np.array_equal(expected.get_level_values(0), Zdf.index.get_level_values(0))
        and np.array_equal(expected.get_level_values(1), Zdf.index.get_level_values(1))
    ):
        raise _fail(source, "Z rows are not country-major with the same sectors in every country")
    dest = Ydf.columns.get_level_values(0) if isinstance(Ydf.columns, pd.MultiIndex) else Ydf.columns
    unknown = sorted(set(map(str, dest)) - set(map(str, regions)))
    if unknown:
        raise _fail(source, f"Y has final demand for regions not in Z: {', '.join(unknown[:5])}")
    Yvals = Ydf.to_numpy(dtype=float)
    Yc = np.zeros((len(Zdf), len(regions)))
    dest_idx = {str(r): k for k, r in enumerate(regions)}
    for col, d in enumerate(map(str, dest)):
        Yc[:, dest_idx[d]] += Yvals[:, col]
    x = None
    if use_table_x:
        xdf = getattr(io, "x", None)
        if xdf is None:
            raise _fail(source, "use_table_x was asked for but the table has no x")
        x = np.asarray(xdf.reindex(Zdf.index).to_numpy(dtype=float)).reshape(-1)
    return mrio_from_arrays(Zdf.to_numpy(dtype=float), Yc, regions, sectors, x=x, source=source)


def as_mrio(table) -> MRIO:
    """``table`` as an :class:`MRIO`: an MRIO passes through, a ``pymrio.IOSystem`` is converted.

    The one place where the public functions accept either type (x = Z1 + Y1; call
    :func:`mrio_from_iosystem` directly for the table's own x).
    """
    if isinstance(table, MRIO):
        return table
    if hasattr(table, "Z") and hasattr(table, "Y"):
        return mrio_from_iosystem(table)
    raise TypeError(f"expected an MRIO or a pymrio.IOSystem, got {type(table).__name__}")


#: ``--format`` names and the pymrio parser behind each.
TABLE_FORMATS = {
    "wiod2013": "parse_wiod",
    "oecd": "parse_oecd",
    "exiobase3": "parse_exiobase3",
    "eora26": "parse_eora26",
}


def load_iosystem(path, fmt: str | None = None, year: int | None = None):
    """Read a table with pymrio: a ``save_all`` folder (txt or parquet) or a raw download.

    ``fmt`` is one of :data:`TABLE_FORMATS`; ``None`` means a folder written by
    ``IOSystem.save_all``. Raises :class:`TableError` with one line naming the path.
    """
    import pymrio

    path = Path(path)
    source = str(path)
    if not path.exists():
        raise _fail(source, "no such file or directory")
    if fmt is None:
        if not path.is_dir() or not (path / "file_parameters.json").exists():
            raise _fail(
                source,
                "not a folder written by pymrio's save_all (no file_parameters.json); "
                f"for a raw download pass --format one of {', '.join(TABLE_FORMATS)}",
            )
    else:
        if fmt not in TABLE_FORMATS:
            raise _fail(source, f"unknown format {fmt!r}; expected one of {', '.join(TABLE_FORMATS)}")
    kwargs = {"year": year} if fmt in ("wiod2013", "oecd", "eora26") and year is not None else {}
    try:
        io = pymrio.load_all(path) if fmt is None else getattr(pymrio, TABLE_FORMATS[fmt])(path, **kwargs)
    except TableError:
        raise
    except Exception as exc:  # pymrio raises many types for unreadable files
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise _fail(source, f"pymrio could not read the table ({type(exc).__name__}: {msg})") from exc
    return io


def read_table(path, fmt: str | None = None, year: int | None = None, *, use_table_x: bool = False) -> MRIO:
    """Read a table through pymrio and return the validated :class:`MRIO`."""
    io = load_iosystem(path, fmt, year)
    return mrio_from_iosystem(io, use_table_x=use_table_x, source=str(path))
