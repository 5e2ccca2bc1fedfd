"""The world's state as plain arrays (structure of arrays), so kernels take arrays only.

- :class:`Countries`: per-country vectors (wage, labour force, technology, rental, deficit).
- :class:`FirmState`: per-firm vectors: identity (country, sector), the technology's fixed
  parameters (productivity z_f, value-added exponent nu0_f, robot and make productivities),
  its decisions (automation a_f, insourcing m_f) and the clearing's results (measured
  value-added share nu_f, price p_f, output value X_f); households' demand weight.
- :class:`SupplierNetwork`: the buyer-major CSR network, links of a firm grouped by input
  sector: the technology's slot weights ``weight`` (Lambda, sum 1 in a group), benchmark
  landed costs ``reference_cost`` and sector exponents ``group_alpha`` (sum 1 per firm), and
  the clearing's result ``share``, the fraction of f's purchases spent on each link (sum 1).
  See :mod:`gvc_abm.agents.technology`.
- :class:`Policy`: importer x exporter x sector arrays: tariffs on intermediates and on final
  goods, iceberg trade costs,
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
    rental: np.ndarray  # r_c, rental of robot capital, model currency per unit (clears its market)
    deficit: np.ndarray  # d_c, trade deficit as share of world GDP, sum 0
    capital: np.ndarray = None  # K_c, robot capital endowment (units); its rental clears the market

    def __post_init__(self):
        if self.capital is None:
            self.capital = np.zeros(self.wage.shape[0])

    @property
    def G(self) -> int:
        return self.wage.shape[0]


@dataclass
class FirmState:
    """Per-firm state, shape (F,) each."""

    country: np.ndarray  # int64
    sector: np.ndarray  # int64
    productivity: np.ndarray  # z_f (technology, fixed; disruptions scale it)
    automation: np.ndarray  # a_f in [0, 1], share of automatable tasks done by robots (decision)
    nu: np.ndarray  # measured value-added share nu_f = nu0 + (1 - nu0) m_f (result)
    weight: np.ndarray  # lambda_f > 0, households' CES demand weight (variety size) of the firm
    price: np.ndarray  # p_f, model currency (result)
    output: np.ndarray  # X_f, output value, model currency (result)
    nu0: np.ndarray = None  # value-added exponent of the technology (fixed)
    insourcing: np.ndarray = None  # m_f in [0, 1), share of bundle tasks made in house (decision)
    robot_productivity: np.ndarray = None  # phi_R of the task model (fixed)
    make_productivity: np.ndarray = None  # phi_M of the make-or-buy model (fixed; 0 = never make)

    def __post_init__(self):
        F = self.country.shape[0]
        if self.nu0 is None:
            self.nu0 = self.nu.astype(float).copy()
        if self.insourcing is None:
            self.insourcing = np.zeros(F)
        if self.robot_productivity is None:
            self.robot_productivity = np.zeros(F)
        if self.make_productivity is None:
            self.make_productivity = np.zeros(F)

    @property
    def F(self) -> int:
        return self.country.shape[0]


@dataclass
class SupplierNetwork:
    """Buyer-major CSR network, each firm's links grouped by the supplier's sector.

    Group k holds links ``group_ptr[k]:group_ptr[k+1]``; firm f's groups are
    ``firm_groups[f]:firm_groups[f+1]``. Build one with :meth:`from_shares`.
    """

    indptr: np.ndarray  # int64 (F+1,)
    supplier: np.ndarray  # int64 (nnz,)
    share: np.ndarray  # float (nnz,): fraction of the buyer's purchases on the link (result, rows sum 1)
    weight: np.ndarray = None  # Lambda_j, slot weight in its sector's CES (technology, sum 1 per group)
    reference_cost: np.ndarray = None  # cref_j, landed cost of the link's supplier at the benchmark
    group_ptr: np.ndarray = None  # int64 (groups+1,)
    firm_groups: np.ndarray = None  # int64 (F+1,)
    group_alpha: np.ndarray = None  # alpha_k, Cobb-Douglas exponent of the group's sector (sum 1 per firm)

    @classmethod
    def from_shares(cls, indptr, supplier, share, seller_sector) -> "SupplierNetwork":
        """A network whose technology reproduces spending ``share`` at the benchmark: links sorted by
        (buyer, seller sector, seller), ``group_alpha`` the sector totals, ``weight`` the shares within
        the sector; ``reference_cost`` is 1 until a benchmark is calibrated."""
        from . import kernels as K

        indptr = np.asarray(indptr, dtype=np.int64)
        supplier, share, weight, group_ptr, firm_groups, alpha = K.sector_groups(
            indptr, np.asarray(supplier, dtype=np.int64), np.asarray(share, dtype=float),
            np.asarray(seller_sector, dtype=np.int64))  # each buyer's row sorted and grouped in place: no global sort
        nnz = supplier.shape[0]
        return cls(indptr=indptr, supplier=supplier, share=share, weight=weight, reference_cost=np.ones(nnz),
                   group_ptr=group_ptr, firm_groups=firm_groups, group_alpha=alpha)

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
        if self.weight is not None and self.group_ptr is not None and self.nnz:
            slots = np.add.reduceat(self.weight, self.group_ptr[:-1])
            if np.max(np.abs(slots - 1.0)) > 1e-9:
                raise ValueError("supplier network: the slot weights of a sector group do not sum to 1")


@dataclass
class Policy:
    """Importer c x origin o x sector s arrays, shape (G, G, S) unless noted."""

    tariff: np.ndarray  # tau_{c,o,s} ad valorem on intermediates bought by c's firms, 0 on the diagonal
    trade_cost: np.ndarray  # t_{c,o,s} >= 1 iceberg, 1 on the diagonal
    taste: np.ndarray  # b_{c,o,s} >= 0, Armington preference weight (home bias)
    beta: np.ndarray  # (G, S) share of c's expenditure on sector s through the CES basket
    exogenous: np.ndarray  # e_{c,o,s}: share of E_c spent on (o, s) outside the CES (e.g. inventories)
    sigma: float  # CES elasticity across origins and firms
    final_tariff: np.ndarray | None = None  # tau^F_{c,o,s} on final goods bought by c's households; None: tariff

    def final(self) -> np.ndarray:
        """The applied tariff on final goods: ``final_tariff``, or ``tariff`` where none is set apart."""
        return self.tariff if self.final_tariff is None else self.final_tariff


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
    numeraire: float  # world nominal GDP of the benchmark, the nominal anchor M_0 (DESIGN.md, labour)
    kind: str = "default"
    meta: dict[str, Any] = field(default_factory=dict)
    eta_robot: float = 2.0  # Pareto tail of robot productivity across tasks (technology)
    eta_make: float = 2.0  # Pareto tail of in-house productivity across bundle tasks (technology)

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
