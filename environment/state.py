"""The world's state as plain arrays (structure of arrays), so kernels take arrays only.

- :class:`Countries`: per-country vectors (wage, labour force, technology, rental, deficit).
- :class:`FirmState`: per-firm vectors (country, sector, productivity z_f, automation a_f,
  value-added share nu_f, demand weight, price p_f, output value X_f).
- :class:`SupplierNetwork`: the buyer-major CSR network: the suppliers of firm f are
  ``supplier[indptr[f]:indptr[f+1]]`` and ``share`` is the fraction of f's intermediate
  spending that goes to each (alpha_{s's} times w_fg of DESIGN.md); a firm's shares sum to 1.
- :class:`Policy`: importer x exporter x sector arrays: tariffs, iceberg trade costs,
  final-demand preference weights (Armington home bias), sector shares beta and exogenous
  (possibly negative) final demand such as inventory changes.
- :class:`World`: labels plus the four parts; :meth:`World.view` gives a read-only copy-free view.

Source: DESIGN.md, "The economy, one period"; STYLE.md section 3 (environment).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np

__all__ = ["Countries", "FirmState", "SupplierNetwork", "Policy", "World", "readonly"]


def readonly(a: np.ndarray) -> np.ndarray:
    """A read-only view of ``a`` (no copy)."""
    v = a.view()
    v.flags.writeable = False
    return v


def _view(obj):
    kw = {}
    for f in fields(obj):
        v = getattr(obj, f.name)
        kw[f.name] = readonly(v) if isinstance(v, np.ndarray) else v
    return replace(obj, **kw)


@dataclass
class Countries:
    """Per-country state, shape (G,) each."""

    wage: np.ndarray  # w_c, model currency per worker
    labour_force: np.ndarray  # L_c, workers
    technology: np.ndarray  # A_c (eq. 1 of Qu & Yang 2023)
    rental: np.ndarray  # r_c, rental of automation capital, model currency per unit
    deficit: np.ndarray  # d_c, trade deficit as share of world GDP, sum 0

    @property
    def G(self) -> int:
        return self.wage.shape[0]


@dataclass
class FirmState:
    """Per-firm state, shape (F,) each."""

    country: np.ndarray  # int64
    sector: np.ndarray  # int64
    productivity: np.ndarray  # z_f
    automation: np.ndarray  # a_f in [0, 1]
    nu: np.ndarray  # value-added share nu_f in [0, 1]
    weight: np.ndarray  # lambda_f > 0, CES demand weight (variety size) of the firm
    price: np.ndarray  # p_f, model currency
    output: np.ndarray  # X_f, output value, model currency

    @property
    def F(self) -> int:
        return self.country.shape[0]


@dataclass
class SupplierNetwork:
    """Buyer-major CSR network with spending shares (rows sum to 1)."""

    indptr: np.ndarray  # int64 (F+1,)
    supplier: np.ndarray  # int64 (nnz,)
    share: np.ndarray  # float (nnz,)

    @property
    def nnz(self) -> int:
        return self.supplier.shape[0]

    def check(self, F: int) -> None:
        """Raise ``ValueError`` unless the CSR arrays are consistent and rows sum to 1 (or are empty)."""
        if self.indptr.shape != (F + 1,) or self.indptr[0] != 0 or self.indptr[-1] != self.nnz:
            raise ValueError("supplier network: indptr does not match the number of firms or links")
        if np.any(np.diff(self.indptr) < 0):
            raise ValueError("supplier network: indptr is not non-decreasing")
        if self.nnz and (self.supplier.min() < 0 or self.supplier.max() >= F):
            raise ValueError("supplier network: supplier index out of range")
        if np.any(self.share < 0):
            raise ValueError("supplier network: negative share")
        rows = np.add.reduceat(self.share, self.indptr[:-1]) if self.nnz else np.zeros(F)
        has = np.diff(self.indptr) > 0
        rows = np.where(has, rows, 1.0)
        if np.max(np.abs(rows - 1.0)) > 1e-9:
            raise ValueError("supplier network: a firm's supplier shares do not sum to 1")


@dataclass
class Policy:
    """Importer c x origin o x sector s arrays, shape (G, G, S) unless noted."""

    tariff: np.ndarray  # tau_{c,o,s} ad valorem, 0 on the diagonal
    trade_cost: np.ndarray  # t_{c,o,s} >= 1 iceberg, 1 on the diagonal
    taste: np.ndarray  # b_{c,o,s} >= 0, Armington preference weight (home bias)
    beta: np.ndarray  # (G, S) share of c's expenditure on sector s through the CES basket
    exogenous: np.ndarray  # e_{c,o,s}: share of E_c spent on (o, s) outside the CES (e.g. inventories)
    sigma: float  # CES elasticity across origins and firms


@dataclass
class World:
    """A world: labels, static parameters and the mutable state arrays."""

    countries: tuple[str, ...]
    regions: tuple[str, ...]
    sectors: tuple[str, ...]
    country_state: Countries
    firms: FirmState
    network: SupplierNetwork
    policy: Policy
    kappa: np.ndarray  # (S,) automatability
    numeraire: float  # world wage bill sum_c w_c L_c at full employment, the numeraire
    kind: str = "default"
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def G(self) -> int:
        return len(self.countries)

    @property
    def S(self) -> int:
        return len(self.sectors)

    @property
    def F(self) -> int:
        return self.firms.F

    def cell(self) -> np.ndarray:
        """Country-major cell index ``country * S + sector`` of every firm (MRIO row)."""
        return self.firms.country * self.S + self.firms.sector

    def view(self) -> "World":
        """A read-only view of the whole state (no copies): for dashboards and agents' reads."""
        return replace(
            self,
            country_state=_view(self.country_state),
            firms=_view(self.firms),
            network=_view(self.network),
            policy=_view(self.policy),
            kappa=readonly(self.kappa),
            meta=dict(self.meta),
        )

    def copy(self) -> "World":
        """A deep copy of the arrays."""

        def cp(obj):
            return replace(obj, **{f.name: (getattr(obj, f.name).copy() if isinstance(getattr(obj, f.name), np.ndarray) else getattr(obj, f.name)) for f in fields(obj)})

        return replace(
            self,
            country_state=cp(self.country_state),
            firms=cp(self.firms),
            network=cp(self.network),
            policy=cp(self.policy),
            kappa=self.kappa.copy(),
            meta=dict(self.meta),
        )
