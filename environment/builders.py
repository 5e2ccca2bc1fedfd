"""Three seeded ways to build a :class:`~gvc_abm.environment.state.World`.

- :func:`build_default_world`: the built-in 14-country, 5-region, 9-sector world (or any
  :class:`DefaultWorldConfig`): firms with lognormal sizes and productivities, supplier links
  drawn by input shares alpha, home bias and trade costs growing with distance.
- :func:`build_calibrated_world`: from any MRIO table; firms split each country-sector and the
  period-0 aggregated MRIO reproduces the table's Z, Y and value added (:func:`world_from_mrio`).
- :func:`build_paper_world`: Qu & Yang (2023) section 4 (one sector, fixed mu, omega, nu,
  foreign shares split equally, unequal country sizes), built as the closed-form table of
  eq. (9)-(10) (:func:`paper_mrio`) and then calibrated like any table.

Every random number comes from the ``numpy.random.Generator`` seeded by the caller.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from gvc_abm.analysis.examples import qu_yang_table
from gvc_abm.analysis.mrio import MRIO, TableError, read_table

from . import kernels as K
from .config import CalibratedWorldConfig, ConfigError, DefaultWorldConfig, PaperWorldConfig
from .state import Countries, FirmState, Policy, SupplierNetwork, World

__all__ = [
    "build_world",
    "build_default_world",
    "build_calibrated_world",
    "build_paper_world",
    "world_from_mrio",
    "paper_mrio",
    "trade_costs",
    "allocate",
    "set_benchmark",
    "equilibrate_benchmark",
    "run_memory_bytes",
    "available_memory",
    "check_memory",
]

#: Memory of the interpreter, its libraries and the compiled kernels before any world, bytes.
BASE_BYTES = 270 * 2**20


def run_memory_bytes(firms: int, links: int, sectors: int) -> int:
    """Peak memory of building a world and running it, bytes: about 8 (36 + 6 S) per firm and
    8 x 23 per supplier link, plus :data:`BASE_BYTES`.

    Per firm: its state arrays, the three (F, S) draws of a period, its supplier groups and its
    Mesa agent. Per link: the network's arrays and their seller-major copies, and the builder's
    per-link work arrays (buyers, sectors, draws, origins, sellers, sort keys). The build is the
    peak (a period needs less). Measured on the default world (G = 12, S = 8) with 20,000 to
    80,000 firms and 5 to 20 links each: within 5 % of the peak resident memory; on the 14 x 9
    default world, model built and two periods run, 319 / 493 / 458 MB peak against 319 / 465 /
    438 MB estimated at 20,000 x 10, 80,000 x 10 and 40,000 x 20 (within 6 %).
    """
    return int(BASE_BYTES + 8 * (36 + 6 * sectors) * firms + 8 * 23 * links)


def available_memory() -> int | None:
    """Bytes this process may still use: ``MemAvailable`` of /proc/meminfo (else the free
    physical pages), capped by a cgroup memory limit; None where the system does not say."""
    avail = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                avail = int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    if avail is None:
        try:
            avail = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError, AttributeError):
            return None
    for limit, usage in (("memory.max", "memory.current"), ("memory/memory.limit_in_bytes", "memory/memory.usage_in_bytes")):
        try:
            cap = Path("/sys/fs/cgroup", limit).read_text().strip()
            if cap.isdigit():
                avail = min(avail, int(cap) - int(Path("/sys/fs/cgroup", usage).read_text()))
        except (OSError, ValueError):
            pass
    return max(avail, 0)


def _bytes(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if n < 1000 or unit == "PB":
            return f"{n:.3g} {unit}"
        n /= 1000
    return ""  # pragma: no cover


def check_memory(cfg, available: int | None = None) -> int:
    """Refuse, with a :class:`ConfigError` naming the firm-count field, a world that cannot fit in memory.

    The estimate is :func:`run_memory_bytes`; a calibrated world's links are known only from its
    table, so its estimate (one link per firm) is a lower bound. ``available`` defaults to
    :func:`available_memory`; where that is unknown nothing is refused. Returns the estimate.
    """
    if isinstance(cfg, DefaultWorldConfig):
        field, F = "world.firms.count", cfg.firms.count
        S, links, bound = len(cfg.sectors), cfg.firms.count * cfg.firms.links, "about"
    elif isinstance(cfg, PaperWorldConfig):  # transport plans: a buyer cell and a seller cell share at most nb + ns links
        field, F = "world.firms_per_country", cfg.countries * cfg.firms_per_country
        S, links, bound = 1, 2 * F * cfg.countries, "about"
    elif isinstance(cfg, CalibratedWorldConfig):
        field, F, S, links, bound = "world.firms", cfg.firms, 1, cfg.firms, "at least"
    else:  # pragma: no cover - the discriminated union admits nothing else
        raise TypeError(type(cfg).__name__)
    need = run_memory_bytes(F, links, S)
    have = available_memory() if available is None else available
    if have is not None and need > have:
        raise ConfigError(f"{field}: {F:,} firms with {links:,} supplier links need {bound} {_bytes(need)} of memory, "
                          f"more than the {_bytes(have)} available; use fewer firms")
    return need


def allocate(total: int, weights: np.ndarray, minimum: int = 1) -> np.ndarray:
    """Integer counts summing to ``max(total, minimum * len)`` with at least ``minimum`` each,
    the rest proportional to ``weights`` (largest remainder)."""
    w = np.asarray(weights, dtype=float)
    k = len(w)
    base = np.full(k, minimum, dtype=np.int64)
    rest = max(int(total) - minimum * k, 0)
    if rest == 0 or w.sum() <= 0:
        return base
    q = rest * w / w.sum()
    fl = np.floor(q).astype(np.int64)
    left = rest - fl.sum()
    order = np.argsort(-(q - fl), kind="stable")
    fl[order[:left]] += 1
    return base + fl


def trade_costs(locations: np.ndarray, delta: np.ndarray, border: float) -> np.ndarray:
    """Iceberg trade costs ``t_{c,o,s} = (1 + border)(1 + d_co)^delta_s`` for c != o and 1 at home.

    d_co is the Euclidean distance in thousands of km; delta_s the distance elasticity of sector s
    (gravity: trade costs rise with distance, Head & Mayer 2014). Shape (G, G, S).
    """
    loc = np.asarray(locations, dtype=float)
    d = np.sqrt(((loc[:, None, :] - loc[None, :, :]) ** 2).sum(-1))
    t = (1.0 + border) * (1.0 + d[:, :, None]) ** np.asarray(delta)[None, None, :]
    G = loc.shape[0]
    t[np.arange(G), np.arange(G), :] = 1.0
    return t


def set_benchmark(world: World, insourcing: float = 0.0, *, target_price: float | None = None) -> None:
    """Calibrate the firms' technology so that the current state is its cost-minimizing benchmark.

    With the measured value-added shares ``nu_f``, automation ``a_f``, wages, rentals and the
    network's benchmark spending shares (``weight``, ``group_alpha``) given:

    - insourcing ``m_f = min(insourcing, nu_f)`` (0 for firms that buy nothing), value-added
      exponent ``nu0 = (nu - m) / (1 - m)``, so that measured ``nu0 + (1 - nu0) m = nu``;
    - robot productivity ``phi_R = a^(1/eta_R) r / w`` and make productivity
      ``phi_M = cVA / (P_f (1 - m)^(1/eta_M))``, so that a and m are the cost-minimizing choices
      (:mod:`gvc_abm.agents.technology`);
    - benchmark prices: with every sector index P_fk = 1, ``log p_f = b_f`` explicitly; with
      ``target_price`` the productivities z_f are rescaled so that every price is that (units
      choice: base-year prices are 1, as in any calibrated CGE model), else p_f = exp(b_f);
    - benchmark landed costs ``cref_j = p_g (1 + tau) t`` at the current policy, so that the
      clearing finds P_fk = 1 and the benchmark shares again.
    """
    from gvc_abm.agents import technology as T

    fs, net, cs, pol = world.firms, world.network, world.country_state, world.policy
    F = world.F
    has = np.diff(net.firm_groups) > 0
    nu = np.clip(fs.nu, 0.0, 1.0)
    m = np.where(has, np.minimum(insourcing, nu), 0.0)
    fs.insourcing[:] = m
    fs.nu0[:] = np.where(has, (nu - m) / (1.0 - m), 1.0)
    w = cs.wage[fs.country]
    r = cs.rental[fs.country]
    a = fs.automation
    k = world.kappa[fs.sector] * a
    eta_r, eta_m = float(world.eta_robot), float(world.eta_make)
    fs.robot_productivity[:] = np.where(a > 0, np.power(np.where(a > 0, a, 1.0), 1.0 / eta_r) * r / w, 0.0)
    # log cVA at the optimum: log w - kappa a / eta_R (the robot terms at phi_R above)
    lcva = np.log(w) - k / eta_r
    lpint = np.empty(F)
    K.base_input_index(net.firm_groups, net.group_alpha, lpint)
    with np.errstate(divide="ignore"):
        fs.make_productivity[:] = np.where(m > 0, np.exp(lcva - lpint - np.log1p(-m) / eta_m), 0.0)
    b = np.empty(F)
    beta = np.empty(F)
    nu_out = np.empty(F)
    lab = np.empty(F)
    K.own_terms(fs.country, fs.sector, fs.productivity, fs.automation, fs.nu0, fs.insourcing, fs.robot_productivity,
                fs.make_productivity, cs.wage, cs.rental, cs.technology, world.kappa, eta_r, eta_m,
                net.firm_groups, net.group_alpha, b, beta, nu_out, lab)
    if target_price is not None:
        fs.productivity[:] = fs.productivity * np.exp(b - np.log(target_price))
        b[:] = np.log(target_price)
    fs.price[:] = np.exp(b)
    fs.nu[:] = nu_out
    K.landed_costs(fs.country, fs.sector, net.indptr, net.supplier, fs.price, pol.tariff, pol.trade_cost,
                   net.reference_cost)
    K.benchmark_link_shares(net.group_ptr, net.group_alpha, net.weight, net.share)


def _northwest_corner(a: np.ndarray, b: np.ndarray):
    """Sparse transport plan with row sums a and column sums b (equal totals), at most
    len(a)+len(b)-1 entries (north-west corner rule, Hitchcock 1941). Yields (i, j, flow)."""
    i = j = 0
    ra, rb = float(a[0]), float(b[0])
    out = []
    na, nb = len(a), len(b)
    while i < na and j < nb:
        if i == na - 1:  # the last row takes what is left of every column
            f = rb
        elif j == nb - 1:
            f = ra
        else:
            f = min(ra, rb)
        if f > 0:
            out.append((i, j, f))
        ra -= f
        rb -= f
        if j == nb - 1 and i < na - 1:
            i += 1
            ra = float(a[i])
            continue
        if i == na - 1 and j < nb - 1:
            j += 1
            rb = float(b[j])
            continue
        if i == na - 1 and j == nb - 1:
            break
        if ra <= rb:
            i += 1
            ra = float(a[i])
        else:
            j += 1
            rb = float(b[j])
    return out


def world_from_mrio(
    m: MRIO,
    *,
    firms: int,
    size_dispersion: float,
    sigma: float,
    automatability: float,
    automation: float,
    rng: np.random.Generator,
    kind: str = "calibrated",
    source: str = "",
    counts: np.ndarray | None = None,
    insourcing: float = 0.0,
    eta_robot: float = 2.0,
    eta_make: float = 2.0,
) -> World:
    """A world whose period-0 equilibrium aggregates back to ``m`` (Z, Y, va) exactly.

    Each country-sector cell i with output splits into n_i >= 1 firms with lognormal output
    shares theta_f (sum 1 in the cell); X_f = theta_f x_i and nu_f = va_i / x_i. For every
    pair (buyer cell i, seller cell j) with Z_ji > 0 the flow is split over buyer and seller
    firms by a north-west-corner transport plan with margins theta_f Z_ji and theta_g Z_ji, so
    every buyer spends the table's input structure and every seller sells theta_g of its cell.
    Final demand: E_c = sum_i Y_ic; positive entries form the CES basket (beta_cs = sum_o
    Y+_(o,s),c / E_c; tastes set so pi equals the table's origin shares at unit prices);
    negative entries (inventory draw-downs) are kept as exogenous shares e_cos = Y-/E_c of E_c.
    Deficits d_c = (E_c - va_c) / sum va. Wages, rentals and technology are 1, labour forces
    are the labour incomes, and the technology is calibrated to this benchmark with every price 1
    (:func:`set_benchmark`, with ``insourcing`` the share of bundle tasks made in house).
    Trade costs are 1: the table's flows are at basic prices, trade costs included.

    Firms per cell: ``counts`` if given (at least 1 per active cell), else ``firms`` spread with at
    least one per cell and the rest in proportion to sqrt(x_i). Zero-output cells get no firms;
    they must have empty rows and columns (else TableError).
    """
    G, S, n = m.G, m.N, m.n
    x = m.x
    va = m.va
    active = x > 0
    for i in np.flatnonzero(~active):
        if np.any(m.Z[i] != 0) or np.any(m.Y[i] != 0) or np.any(m.Z[:, i] != 0):
            raise TableError(f"{source or 'table'}: {m.countries[i // S]}/{m.sectors[i % S]} has zero output but nonzero flows")
    if np.any(va[active] < -1e-9 * x[active]):
        i = int(np.flatnonzero(active & (va < -1e-9 * x))[0])
        raise TableError(f"{source or 'table'}: negative value added in {m.countries[i // S]}/{m.sectors[i % S]}")
    E = m.Y.sum(axis=0)
    if np.any(E <= 0):
        c = int(np.argmax(E <= 0))
        raise TableError(f"{source or 'table'}: final demand of {m.countries[c]} is not positive")
    cells = np.flatnonzero(active)
    if counts is None:  # at least one firm per active cell, the rest in proportion to sqrt(x)
        counts = np.zeros(n, dtype=np.int64)
        counts[cells] = allocate(firms, np.sqrt(x[cells]))
    else:
        counts = np.where(active, np.maximum(np.asarray(counts, dtype=np.int64), 1), 0)
    F = int(counts.sum())
    start = np.zeros(n + 1, dtype=np.int64)
    start[1:] = np.cumsum(counts)
    cell_of = np.repeat(np.arange(n), counts)
    raw = rng.lognormal(0.0, size_dispersion, size=F) if size_dispersion > 0 else np.ones(F)
    theta = raw / np.bincount(cell_of, weights=raw, minlength=n)[cell_of]
    # A random order of the firms of each cell for the transport plans.
    order = [rng.permutation(np.arange(start[i], start[i + 1])) for i in range(n)]
    nu_cell = np.where(active, np.clip(va / np.where(active, x, 1.0), 0.0, 1.0), 1.0)
    inter = m.Z.sum(axis=0)  # intermediate spending of each buyer cell
    buyers, sellers, shares = [], [], []
    for i in cells:
        col = m.Z[:, i]
        if inter[i] <= 0:
            continue
        bf = order[i]
        a = theta[bf]
        for j in np.flatnonzero(col > 0):
            sf = order[j]
            for bi, sj, flow in _northwest_corner(a, theta[sf]):
                f = bf[bi]
                buyers.append(f)
                sellers.append(sf[sj])
                shares.append(flow * col[j] / (theta[f] * inter[i]))
    buyers = np.asarray(buyers, dtype=np.int64)
    sellers = np.asarray(sellers, dtype=np.int64)
    shares = np.asarray(shares, dtype=float)
    srt = np.lexsort((sellers, buyers))
    buyers, sellers, shares = buyers[srt], sellers[srt], shares[srt]
    indptr = np.zeros(F + 1, dtype=np.int64)
    indptr[1:] = np.cumsum(np.bincount(buyers, minlength=F))
    # Renormalize rows to 1 against rounding in the transport plans.
    rows = np.add.reduceat(shares, indptr[:-1][np.diff(indptr) > 0]) if len(shares) else np.zeros(0)
    has = np.diff(indptr) > 0
    shares = shares / np.repeat(rows, np.diff(indptr)[has])
    country = cell_of // S
    sector = cell_of % S
    nu = nu_cell[cell_of]
    # Firms of a cell that buys nothing have nu = 1 (pure value added).
    nu = np.where(has, nu, 1.0)
    Ypos = np.maximum(m.Y, 0.0)  # (n, G)
    Yneg = np.minimum(m.Y, 0.0)
    Ypos3 = Ypos.reshape(G, S, G).transpose(2, 0, 1)  # [c, o, s]
    Yneg3 = Yneg.reshape(G, S, G).transpose(2, 0, 1)
    B = Ypos3.sum(axis=1)  # (c, s)
    beta = B / E[:, None]
    exo = Yneg3 / E[:, None, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        taste = np.where(B[:, None, :] > 0, Ypos3 / np.where(B[:, None, :] > 0, B[:, None, :], 1.0), 0.0)
    tariff = np.zeros((G, G, S))
    tcost = np.ones((G, G, S))
    kappa = np.full(S, automatability)
    a_f = np.full(F, automation)
    lab_frac = 1.0 - kappa[sector] * a_f
    X = theta * x[cell_of]
    labour_income = np.bincount(country, weights=lab_frac * nu * X, minlength=G)
    gdp = np.bincount(country, weights=nu * X, minlength=G)
    if np.any(labour_income <= 0):
        c = int(np.argmax(labour_income <= 0))
        raise TableError(f"{source or 'table'}: {m.countries[c]} has no value added")
    deficit = (E - gdp) / gdp.sum()
    world = World(
        countries=tuple(m.countries),
        regions=tuple(m.countries),
        sectors=tuple(m.sectors),
        country_state=Countries(
            wage=np.ones(G), labour_force=labour_income.copy(), technology=np.ones(G), rental=np.ones(G),
            deficit=deficit,
        ),
        firms=FirmState(
            country=country.astype(np.int64), sector=sector.astype(np.int64), productivity=np.ones(F),
            automation=a_f, nu=nu, weight=theta.copy(), price=np.ones(F), output=X,
        ),
        network=SupplierNetwork.from_shares(indptr, sellers, shares, sector),
        policy=Policy(tariff=tariff, trade_cost=tcost, taste=taste, beta=beta, exogenous=exo, sigma=float(sigma)),
        kappa=kappa,
        numeraire=float(gdp.sum()),
        kind=kind,
        meta={"source": source},
        eta_robot=float(eta_robot),
        eta_make=float(eta_make),
    )
    world.network.check(F)
    set_benchmark(world, insourcing, target_price=1.0)
    capital_income = np.bincount(country, weights=(1.0 - lab_frac) * nu * X, minlength=G)
    world.country_state.capital[:] = capital_income / world.country_state.rental
    return world


def paper_mrio(N: int, mu: float, nu: float, omega: float, sizes=None) -> MRIO:
    """The closed-form table of Qu & Yang (2023) section 4 (:func:`~gvc_abm.analysis.examples.qu_yang_table`).

    Country sizes G_c (final demand) default to 1, 2, ..., N and are scaled to sum to 100.
    """
    sizes = np.arange(1.0, N + 1.0) if sizes is None else np.asarray(sizes, dtype=float)
    return qu_yang_table(N, mu, nu, omega, 100.0 * sizes / sizes.sum())


def build_paper_world(cfg: PaperWorldConfig, rng: np.random.Generator, **technology) -> World:
    """Qu & Yang (2023) section 4 world: :func:`paper_mrio` split into firms, sigma = 1 (fixed shares),
    nothing automatable and nothing made in house (the paper's nu is fixed)."""
    check_memory(cfg)
    m = paper_mrio(cfg.countries, cfg.mu, cfg.nu, cfg.omega, cfg.sizes)
    w = world_from_mrio(
        m, firms=cfg.firms_per_country * cfg.countries, size_dispersion=cfg.size_dispersion, sigma=1.0,
        automatability=0.0, automation=0.0, rng=rng, kind="paper", source="paper",
        counts=np.full(cfg.countries, cfg.firms_per_country), insourcing=0.0,
        eta_robot=technology.get("eta_robot", 2.0), eta_make=technology.get("eta_make", 2.0),
    )
    w.meta.update({"mu": cfg.mu, "nu": cfg.nu, "omega": cfg.omega, "N": cfg.countries})
    return w


def build_calibrated_world(cfg: CalibratedWorldConfig, rng: np.random.Generator, **technology) -> World:
    """A world reproducing the table at ``cfg.table`` in period 0 (:func:`world_from_mrio`)."""
    check_memory(cfg)
    m = read_table(cfg.table, cfg.format, cfg.year)
    unknown = sorted(set(cfg.groups) - set(m.countries))
    if unknown:
        raise ConfigError(f"world.groups: countries not in the table: {', '.join(unknown[:5])}")
    world = world_from_mrio(
        m, firms=cfg.firms, size_dispersion=cfg.size_dispersion, sigma=cfg.armington_elasticity,
        automatability=cfg.automatability, automation=cfg.automation, rng=rng, kind="calibrated",
        source=str(cfg.table), **technology,
    )
    world.meta["groups"] = [cfg.groups.get(c, "advanced") for c in m.countries]
    return world


def _tariffs(cfg: DefaultWorldConfig) -> np.ndarray:
    """tau_{c,o,s}: importer's MFN rate on every foreign origin, zero inside blocs, then the rules."""
    names = [c.name for c in cfg.countries]
    secs = [s.name for s in cfg.sectors]
    G, S = len(names), len(secs)
    tau = np.zeros((G, G, S))
    for c, country in enumerate(cfg.countries):
        tau[c, :, :] = country.mfn_tariff
    for bloc in cfg.trade.blocs:
        idx = [names.index(m) for m in bloc.members]
        for c in idx:
            tau[c, idx, :] = 0.0
    for rule in cfg.trade.tariffs:
        ci = range(G) if rule.importer == "*" else [names.index(rule.importer)]
        oi = range(G) if rule.exporter == "*" else [names.index(rule.exporter)]
        si = range(S) if rule.sector == "*" else [secs.index(rule.sector)]
        for c in ci:
            for o in oi:
                for s in si:
                    tau[c, o, s] = rule.rate
    tau[np.arange(G), np.arange(G), :] = 0.0  # no tariff on domestic goods
    return tau


def _final_taste(taste: np.ndarray, final_home: np.ndarray) -> np.ndarray:
    """Households' Armington weights: the firms' ``taste[c, o, s]`` with the home weight times h_s
    (``SectorConfig.final_home_bias``), ``b^Y_{c,c,s} = home_bias_c h_s``, 1 for foreign origins."""
    out = taste.copy()
    G = taste.shape[0]
    out[np.arange(G), np.arange(G), :] *= final_home[None, :]
    return out


def build_default_world(
    cfg: DefaultWorldConfig,
    rng: np.random.Generator,
    *,
    numeraire: float | None = None,
    equilibrate: bool = True,
    tol: float = 1e-10,
    insourcing: float = 0.0,
    eta_robot: float = 2.0,
    eta_make: float = 2.0,
) -> World:
    """The default world from its config (DESIGN.md, "The economy, one period").

    Firms: ``firms.count`` over the G x S cells (at least one each), proportional to
    sqrt(L_c) (1/S + beta_s) / 2; log demand weights ~ N(0, size_dispersion^2), log productivity
    ~ N(0, productivity_dispersion^2), automation a_f ~ U(0.5, 1.5) * mean, clipped to [0, 1].
    Links: each firm buys from every input sector with alpha_{s's} > 0 when it has enough links
    (the rest drawn by alpha), else from ``links`` sectors drawn by alpha; the origin of a link
    is drawn with probability proportional to b_{c,o} t_{c,o,s'}^(1-sigma) n_{o,s'} (Armington at
    equal prices; b = home_bias at home, 1 abroad) and the seller uniformly within the origin cell;
    households weigh home goods of sector s by home_bias h_s (:func:`_final_taste`). Spending shares: alpha
    (renormalized over the sectors bought) split over a sector's links in proportion to
    lambda_g t^(1-sigma). The nominal anchor, world GDP, is ``numeraire`` (default 100); wages
    start proportional to technology A_c; the rental of automation capital is robot_price times
    the mean starting wage. With ``equilibrate`` the world is then brought to its benchmark
    (:func:`equilibrate_benchmark`): wages that clear every labour market, with the technology
    calibrated so that the drawn automation and ``insourcing`` are cost-minimizing there.
    """
    G, S = len(cfg.countries), len(cfg.sectors)
    if cfg.firms.count < G * S:
        raise ConfigError(f"world.firms.count: must be at least countries x sectors = {G * S}, got {cfg.firms.count}")
    check_memory(cfg)
    sec_names = [s.name for s in cfg.sectors]
    alpha = np.zeros((S, S))  # alpha[s', s]
    for s, sec in enumerate(cfg.sectors):
        for name, v in sec.input_shares.items():
            alpha[sec_names.index(name), s] = v
    nu_s = np.array([s.value_added_share for s in cfg.sectors])
    kappa = np.array([s.automatability for s in cfg.sectors])
    delta = np.array([s.distance_elasticity for s in cfg.sectors])
    beta_s = np.array([s.final_demand_share for s in cfg.sectors])
    L = np.array([c.labour_force for c in cfg.countries])
    A = np.array([c.technology for c in cfg.countries])
    loc = np.array([c.location for c in cfg.countries], dtype=float)
    home = np.array([c.home_bias for c in cfg.countries])
    sigma = cfg.trade.armington_elasticity
    tcost = trade_costs(loc, delta, cfg.trade.border_cost)
    tariff = _tariffs(cfg)
    final_home = np.array([s.final_home_bias for s in cfg.sectors])
    taste = np.ones((G, G, S))  # firms' Armington weights b_{c,o}: home_bias at home, 1 abroad
    taste[np.arange(G), np.arange(G), :] = home[:, None]
    # firms per cell
    w_cell = (np.sqrt(L)[:, None] * (1.0 / S + beta_s)[None, :] / 2.0).reshape(-1)
    counts = allocate(cfg.firms.count, w_cell)
    n = G * S
    F = int(counts.sum())
    start = np.zeros(n + 1, dtype=np.int64)
    start[1:] = np.cumsum(counts)
    cell_of = np.repeat(np.arange(n), counts)
    country = cell_of // S
    sector = cell_of % S
    fc = cfg.firms
    weight = rng.lognormal(0.0, fc.size_dispersion, size=F) if fc.size_dispersion > 0 else np.ones(F)
    prod = rng.lognormal(0.0, fc.productivity_dispersion, size=F) if fc.productivity_dispersion > 0 else np.ones(F)
    automation = np.clip(fc.automation * rng.uniform(0.5, 1.5, size=F), 0.0, 1.0)
    # --- link sectors (F, K)
    Kl = fc.links
    link_sec = np.empty((F, Kl), dtype=np.int64)
    for s in range(S):
        fs_idx = np.flatnonzero(sector == s)
        if len(fs_idx) == 0:
            continue
        p = alpha[:, s]
        pos = np.flatnonzero(p > 0)
        if Kl >= len(pos):
            link_sec[np.ix_(fs_idx, np.arange(len(pos)))] = pos[None, :]
            if Kl > len(pos):
                link_sec[fs_idx, len(pos):] = rng.choice(S, size=(len(fs_idx), Kl - len(pos)), p=p)
        else:  # K distinct sectors drawn by alpha without replacement (Gumbel top-k)
            keys = np.where(p > 0, np.log(np.where(p > 0, p, 1.0)), -np.inf)[None, :] + rng.gumbel(size=(len(fs_idx), S))
            link_sec[fs_idx] = np.argsort(-keys, axis=1)[:, :Kl]
    buyer = np.repeat(np.arange(F), Kl)
    lsec = link_sec.reshape(-1)
    bc = country[buyer]
    # --- origin country per link: P(o) ~ b_{c,o} t^(1-sigma) n_{o,s'}
    ncell = counts.reshape(G, S)
    wo = taste * tcost ** (1.0 - sigma) * ncell[None, :, :]  # [c, o, s']
    cdf = np.cumsum(wo, axis=1)
    cdf /= cdf[:, -1:, :]
    u = rng.random(len(buyer))
    origin = np.empty(len(buyer), dtype=np.int64)
    K.draws_below(cdf, bc, lsec, u, origin)
    # --- seller uniform within the origin cell
    seller = np.empty(len(buyer), dtype=np.int64)
    K.uniform_members(origin * S + lsec, start, counts, rng.random(len(buyer)), seller)
    # --- merge duplicate (buyer, seller) links: links come in buyer order, Kl to a buyer, so sorting each
    # buyer's row and dropping repeats gives np.unique's result without sorting all the keys
    rows = np.sort(seller.reshape(F, Kl), axis=1)
    keep = np.ones(rows.shape, dtype=bool)
    keep[:, 1:] = rows[:, 1:] != rows[:, :-1]
    us = rows[keep]
    indptr = np.zeros(F + 1, dtype=np.int64)
    indptr[1:] = np.cumsum(keep.sum(axis=1))
    # spending shares: alpha over the sectors bought, within a sector by the weights lambda_g t^(1-sigma)
    share = np.empty(len(us))
    K.benchmark_spending_shares(indptr, us, country, sector, weight, tcost ** (1.0 - sigma), alpha, share)
    # initial wages and rental
    nume = 100.0 if numeraire is None else float(numeraire)
    wage = A / (A * L).sum() * nume * 0.6
    mean_wage = float(wage @ L) / L.sum()
    rental = np.full(G, cfg.robot_price * mean_wage)
    deficit = np.array([c.deficit for c in cfg.countries])
    X0 = np.full(F, nume / F / nu_s.mean())
    world = World(
        countries=tuple(c.name for c in cfg.countries),
        regions=tuple(c.region for c in cfg.countries),
        sectors=tuple(sec_names),
        country_state=Countries(wage=wage, labour_force=L.astype(float), technology=A.astype(float),
                                rental=rental, deficit=deficit),
        firms=FirmState(country=country.astype(np.int64), sector=sector.astype(np.int64), productivity=prod,
                        automation=automation, nu=nu_s[sector].astype(float), weight=weight,
                        price=np.ones(F), output=X0),
        network=SupplierNetwork.from_shares(indptr, us, share, sector),
        policy=Policy(tariff=tariff, trade_cost=tcost, taste=_final_taste(taste, final_home), beta=np.tile(beta_s, (G, 1)),
                      exogenous=np.zeros((G, G, S)), sigma=float(sigma)),
        kappa=kappa,
        numeraire=nume,
        kind="default",
        meta={"groups": [c.group for c in cfg.countries]},
        eta_robot=float(eta_robot),
        eta_make=float(eta_make),
    )
    world.network.check(F)
    if equilibrate:
        start, jacobian = None, None
        if F >= WARM_START_ABOVE:  # the wage search starts where a world of WARM_START_FIRMS firms ends
            small_cfg = cfg.model_copy(update={"firms": cfg.firms.model_copy(update={"count": WARM_START_FIRMS})})
            small = build_default_world(small_cfg, np.random.default_rng(0), numeraire=numeraire, equilibrate=False,
                                        insourcing=insourcing, eta_robot=eta_robot, eta_make=eta_make)
            equilibrate_benchmark(small, insourcing, tol=tol)
            start = small.country_state.wage.copy()
            jacobian = benchmark_jacobian(small, insourcing, tol=tol)
        equilibrate_benchmark(world, insourcing, tol=tol, start=start, jacobian=jacobian)
    else:
        set_benchmark(world, insourcing)
    return world


def benchmark_jacobian(world: World, insourcing: float = 0.0, *, tol: float = 1e-10, h: float = 1e-5) -> np.ndarray:
    """d log(N_c / L_c) / d log w_k of the benchmark at the current wages, by central differences (2G fixed-wage
    clearings with :func:`set_benchmark` at each point); the world is left at its current wages."""
    from .clearing import clear

    cs = world.country_state
    w0 = cs.wage.copy()
    state = (world.firms.output.copy(), world.firms.price.copy())
    J = np.empty((world.G, world.G))
    for k in range(world.G):
        cols = []
        for sign in (1.0, -1.0):
            cs.wage[:] = w0
            cs.wage[k] *= np.exp(sign * h)
            set_benchmark(world, insourcing)
            res = clear(world, wage_mode="fixed", tol=tol * 1e-3, warn=False)
            cols.append(np.log(res.employment / cs.labour_force))
            world.firms.output[:], world.firms.price[:] = state
        J[:, k] = (cols[0] - cols[1]) / (2.0 * h)
    cs.wage[:] = w0
    set_benchmark(world, insourcing)
    return J


#: A default world of WARM_START_ABOVE firms or more searches its benchmark wages from those of a world of
#: WARM_START_FIRMS firms with the same config (drawn from its own seed, 0), with Broyden's method started at
#: that world's Jacobian by central differences (:func:`benchmark_jacobian`). The small world's wages are
#: some 10 % off (firm sampling), but its Jacobian is nearly the large one's: 7 fixed-wage clearings of the
#: large world instead of some 32 (100,000 firms: build 4.7 s instead of 8.4 s), for about 2 s spent on the
#: small world, which is why smaller worlds search from scratch. The start changes no fixed point, only the
#: way to it (wages equal to 1e-12).
WARM_START_FIRMS = 20_000
WARM_START_ABOVE = 100_000


def equilibrate_benchmark(world: World, insourcing: float = 0.0, *, tol: float = 1e-10, max_iter: int = 200,
                          start: np.ndarray | None = None, jacobian: np.ndarray | None = None) -> int:
    """Period "-1": the wages at which every labour market clears with the technology at its benchmark.

    Broyden's method on the wages: at each wage vector :func:`set_benchmark` calibrates the
    technology (automation and insourcing cost-minimizing, every sector index 1, prices explicit)
    and a fixed-wage clearing gives outputs and labour demand, the robot capital endowment being
    what the benchmark uses; until every ``|log(N_c / L_c)| <= tol/20``. Deficits are
    phased in after an equilibrium without them (a homotopy; the increment halves whenever a
    country's expenditure would not be positive). At the end the world is its own
    cost-minimizing, full-employment benchmark, so sticky wages and the agents only matter once
    something changes. With ``start`` (wages near the benchmark's, e.g. a smaller world's), the search
    begins there with the deficits in full, and falls back to the path above if that fails; ``jacobian``
    (G x G), if given, is Broyden's starting matrix with ``start``. Returns the clearings used; raises
    RuntimeError if it cannot get there.
    """
    from .clearing import clear

    cs = world.country_state
    deficit = cs.deficit.copy()

    def solve(share: float, J0: np.ndarray | None = None) -> tuple[bool, int]:
        """Broyden's method (Broyden 1965) on x = log w, F(x) = log(N / L) of the benchmark at x,
        started at J0 or J = -I (labour demand has unit elasticity to a common wage change at a given
        nominal GDP), steps of at most 0.5 log points."""
        cs.deficit[:] = share * deficit
        G = world.G
        J = -np.eye(G) if J0 is None else J0.copy()
        F_prev = dx = None
        for it in range(1, max_iter + 1):
            set_benchmark(world, insourcing)
            res = clear(world, wage_mode="fixed", tol=tol * 1e-3, warn=False)
            # the inner solves may stop at rounding short of 1e-3 tol on large worlds; only a clearing far
            # from its fixed point, or one with non-positive spending, is a failure
            if not (res.residual <= tol and np.all(res.expenditure > 0) and np.all(res.employment > 0)):
                return False, it
            cs.capital[:] = res.capital_income / cs.rental  # the robot capital the benchmark uses is the endowment
            F = np.log(res.employment / cs.labour_force)
            if np.max(np.abs(F)) <= tol * 0.05:  # within the factor loop's own tolerance: period 0 has nothing to do
                return True, it
            if F_prev is not None:
                J += np.outer(F - F_prev - J @ dx, dx) / float(dx @ dx)
            step = np.linalg.solve(J, -F)
            if not np.all(np.isfinite(step)):
                J = -np.eye(G)
                step = F.copy()
            big = float(np.max(np.abs(step)))
            dx = step * (1.0 if big <= 0.5 else 0.5 / big)
            cs.wage *= np.exp(dx)
            F_prev = F
        return False, max_iter

    total = 0
    if start is not None:
        saved = (cs.wage.copy(), cs.rental.copy(), world.firms.output.copy(), world.firms.price.copy())
        cs.wage[:] = start
        ok, it = solve(1.0, jacobian)
        total += it
        if ok:
            cs.deficit[:] = deficit
            return total
        cs.wage[:], cs.rental[:], world.firms.output[:], world.firms.price[:] = saved
    done, inc = 0.0, 1.0
    ok, it = solve(0.0) if np.any(deficit != 0) else solve(1.0)
    total += it
    if np.any(deficit != 0) and ok:
        while done < 1.0 and inc > 1e-3:
            saved = (cs.wage.copy(), cs.rental.copy(), world.firms.output.copy(), world.firms.price.copy())
            target = min(1.0, done + inc)
            ok, it = solve(target)
            total += it
            if ok:
                done = target
            else:
                cs.wage[:], cs.rental[:], world.firms.output[:], world.firms.price[:] = saved
                inc *= 0.5
        ok = ok and done >= 1.0
    cs.deficit[:] = deficit
    if not ok:
        raise RuntimeError("benchmark wages: the labour markets cannot be cleared at these deficits "
                           "(a country's expenditure would not be positive)")
    return total


def build_world(cfg, seed: int, *, numeraire: float | None = None, **technology) -> World:
    """Build the world a config describes, from ``numpy.random.default_rng(seed)``."""
    rng = np.random.default_rng(seed)
    if isinstance(cfg, DefaultWorldConfig):
        return build_default_world(cfg, rng, numeraire=numeraire, **technology)
    if isinstance(cfg, CalibratedWorldConfig):
        return build_calibrated_world(cfg, rng, **technology)
    if isinstance(cfg, PaperWorldConfig):
        return build_paper_world(cfg, rng, **technology)
    raise TypeError(f"unknown world config {type(cfg).__name__}")
