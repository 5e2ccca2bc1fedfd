"""Policy instruments the governments move, and how a move changes them.

The state the agents' decisions act on beyond :class:`~gvc_abm.environment.state.Policy`:

- ``statutory`` (G, G, S) tariffs each importer would levy on each origin and sector's
  intermediate inputs bought by its firms, ``final_statutory`` (G, G, S) the same on final goods
  bought by its households; the applied tariff is zero inside a bloc (``effective_tariffs``).
  Governments' measures, unwinding and bloc rules act on both alike; only a decree (a driver with
  ``goods: intermediate`` or ``final``) sets one without the other;
- ``mfn`` (G, G, S) the level unwinding brings tariffs back to: the period-0 statutory (MFN)
  rates, or the bloc's common external tariff once a country joins one;
- ``bloc_of`` (G,) the bloc each country belongs to (-1: none); a bloc is a customs union:
  zero tariffs inside, a common external tariff (CET) outside, adopted on joining;
- ``local_content`` (G, S) minimum domestic share of a sector's inputs for firms of a
  country, ``subsidy`` (G, S) the domestic-supplier subsidy (fraction of the price);
- ``investment_limit`` (G, S) the maximum foreign share of sector s's inputs bought by
  country c's firms, 1.0 = no limit (firms obey ``max(local_content, 1 - investment_limit)``,
  :func:`gvc_abm.agents.rules.minimum_domestic_share`);
- ``home_bias`` (G,) log shift of households' preference weight for home goods that
  "buy local" campaigns raise;
- ``risk`` (G,) the perceived risk premium of each origin, learned from disruptions;
- ``targeted_by`` (G, G): ``targeted_by[c, o]`` is the tariff o put on c last period by
  a targeted measure (what c may retaliate against).

:func:`apply_move` carries out one policy move, named as in
:data:`gvc_abm.agents.rules.INSTRUMENTS` (the Model translates the rules' codes), and
returns what it did.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import GovernmentBehaviour

__all__ = ["Instruments", "effective_tariffs", "apply_move", "apply_tariff_shock", "apply_decrees", "join_bloc", "unwind",
           "LAPSE"]

#: A measure unwound below this (ad-valorem points of tariff above MFN, share points of a rule or
#: subsidy, log points of home bias) lapses: it is removed rather than decayed forever.
LAPSE = 0.005


@dataclass
class Instruments:
    """Governments' instruments (module docstring); all arrays, country-major."""

    statutory: np.ndarray  # (G, G, S)
    mfn: np.ndarray  # (G, G, S) the level unwinding returns tariffs to
    bloc_of: np.ndarray  # (G,) int, -1 for none
    bloc_names: tuple[str, ...]
    local_content: np.ndarray  # (G, S)
    subsidy: np.ndarray  # (G, S)
    home_bias: np.ndarray  # (G,) log shift of the home taste weight
    risk: np.ndarray  # (G,)
    targeted_by: np.ndarray  # (G, G)
    investment_limit: np.ndarray = None  # (G, S), 1.0 = no limit
    final_statutory: np.ndarray = None  # (G, G, S) tariffs on final goods; default: the statutory ones

    def __post_init__(self):
        if self.final_statutory is None:
            self.final_statutory = self.statutory.copy()
        if self.investment_limit is None:
            self.investment_limit = np.ones_like(self.local_content)

    def tariff_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """The statutory tariffs on intermediates and on final goods (what a measure acts on alike)."""
        return self.statutory, self.final_statutory

    @classmethod
    def initial(cls, statutory: np.ndarray, bloc_of: np.ndarray, bloc_names: tuple[str, ...]) -> "Instruments":
        G, _, S = statutory.shape
        return cls(
            statutory=statutory.astype(float).copy(),
            mfn=statutory.astype(float).copy(),
            bloc_of=np.asarray(bloc_of, dtype=np.int64).copy(),
            bloc_names=tuple(bloc_names),
            local_content=np.zeros((G, S)),
            subsidy=np.zeros((G, S)),
            home_bias=np.zeros(G),
            risk=np.zeros(G),
            targeted_by=np.zeros((G, G)),
            investment_limit=np.ones((G, S)),
        )

    def has_measures(self, country: int) -> bool:
        """Whether ``country`` has any measure left to unwind (:meth:`measures_left`)."""
        return bool(self.measures_left()[country])

    def measures_left(self) -> np.ndarray:
        """(G,) bool: whether each country has any measure left to unwind: a tariff above its MFN level,
        a local-content rule, a subsidy, an investment limit or a campaign's home bias."""
        G = self.home_bias.shape[0]

        def any_by_country(mask: np.ndarray) -> np.ndarray:
            return mask.reshape(G, -1).any(axis=1)

        return (any_by_country(self.statutory > self.mfn + LAPSE) | any_by_country(self.final_statutory > self.mfn + LAPSE)
                | any_by_country(self.local_content > 0) | any_by_country(self.subsidy > 0)
                | any_by_country(self.investment_limit < 1) | (self.home_bias > 0))


def effective_tariffs(statutory: np.ndarray, bloc_of: np.ndarray) -> np.ndarray:
    """Applied tariffs ``tau[c, o, s]``: 0 on the diagonal and between members of one bloc,
    the statutory rate otherwise."""
    same = (bloc_of[:, None] == bloc_of[None, :]) & (bloc_of[:, None] >= 0)
    np.fill_diagonal(same, True)
    return np.where(same[:, :, None], 0.0, statutory)


def join_bloc(ins: Instruments, country: int, bloc: int) -> None:
    """``country`` joins ``bloc`` and adopts its common external tariff.

    The CET on each (origin, sector) outside the bloc is the mean statutory tariff of the
    current members; with no members yet the joiner keeps its own tariffs. The members' mean MFN
    level becomes the level its external tariffs unwind to (``mfn``): liberalizing in a bloc may
    take a tariff below the country's own period-0 rate, unwinding alone never does.
    """
    members = np.flatnonzero(ins.bloc_of == bloc)
    members = members[members != country]
    ins.bloc_of[country] = bloc
    for stat in ins.tariff_arrays():
        if len(members):
            outside = ins.bloc_of != bloc
            cet = stat[members].mean(axis=0)  # (G, S)
            stat[country, outside, :] = cet[outside, :]
        stat[country, country, :] = 0.0
    if len(members):
        outside = ins.bloc_of != bloc
        ins.mfn[country, outside, :] = ins.mfn[members].mean(axis=0)[outside, :]


def regional_bloc(ins: Instruments, country: int, regions: tuple[str, ...]) -> int:
    """The bloc with the most members in ``country``'s region (-1 if no such bloc)."""
    best, best_count = -1, 0
    for b in range(len(ins.bloc_names)):
        count = sum(1 for k, r in enumerate(regions) if ins.bloc_of[k] == b and r == regions[country] and k != country)
        if count > best_count:
            best, best_count = b, count
    return best


def apply_move(
    ins: Instruments,
    country: int,
    name: str,
    target: int,
    sector: int,
    params: GovernmentBehaviour,
    regions: tuple[str, ...],
    level: float = 0.0,
) -> int | None:
    """Carry out the policy move ``name`` of ``country`` on ``target`` (a country) and ``sector``.

    ``level`` is the new floor of a ``local_content`` rule or the new cap of an
    ``investment_limit`` as the rule chose it (:func:`gvc_abm.agents.rules.instrument_values`);
    without one (0) the rule tightens by its step. Returns the target the move ended up with
    (the bloc index for ``join_bloc``; -1 where none applies), or None when nothing could be
    done. Tariffs are capped at ``params.max_tariff``, local-content shares at 1, subsidies at
    0.5, investment limits at 0 (no foreign inputs); ``liberalize`` is :func:`unwind`.
    """
    if name == "none":
        return None
    G = ins.statutory.shape[0]
    step, cap = params.tariff_step, params.max_tariff
    others = np.arange(G) != country
    if name == "sector_tariff":
        for stat in ins.tariff_arrays():
            stat[country, others, sector] = np.minimum(stat[country, others, sector] + step, cap)
    elif name == "local_content":
        new = level if level > 0.0 else ins.local_content[country, sector] + params.local_content_step
        ins.local_content[country, sector] = min(1.0, max(ins.local_content[country, sector], new))
    elif name == "investment_limit":
        new = level if level > 0.0 else ins.investment_limit[country, sector] - params.investment_step
        ins.investment_limit[country, sector] = max(0.0, min(ins.investment_limit[country, sector], new))
    elif name == "import_substitution":
        ins.subsidy[country, sector] = min(0.5, ins.subsidy[country, sector] + params.subsidy_step)
    elif name in ("targeted_tariff", "retaliation"):
        for stat in ins.tariff_arrays():
            stat[country, target, :] = np.minimum(stat[country, target, :] + step, cap)
        ins.targeted_by[target, country] = step
    elif name == "leave_bloc":
        if ins.bloc_of[country] < 0:
            return None
        ins.bloc_of[country] = -1
    elif name == "buy_local":
        ins.home_bias[country] += params.buy_local_step
    elif name == "liberalize":
        if not ins.has_measures(country):
            return None
        unwind(ins, country, params.liberalize_step)
    elif name == "join_bloc":
        bloc = regional_bloc(ins, country, regions)
        if bloc < 0:
            return None
        join_bloc(ins, country, bloc)
        target = bloc
    else:
        raise ValueError(f"unknown policy instrument {name!r}")
    return target


def unwind(ins: Instruments, country: int, rate: float) -> None:
    """Measures do not ratchet: one unwinding step of ``country``'s measures by the fraction ``rate``.

    - tariffs above their MFN level move back toward it, ``tau <- mfn + (1 - rate)(tau - mfn)``,
      never below it (tariffs at or under MFN, e.g. inside a bloc, are left alone), on
      intermediates and final goods alike;
    - local-content rules, subsidies and campaigns' home bias decay, ``x <- (1 - rate) x``;
    - investment limits relax, ``k <- 1 - (1 - rate)(1 - k)``;

    and whatever has decayed to within :data:`LAPSE` of its free level lapses (is removed).
    """
    c, keep = country, 1.0 - rate
    for stat in ins.tariff_arrays():
        excess = stat[c] - ins.mfn[c]
        above = excess > 0
        kept = np.where(excess * keep > LAPSE, excess * keep, 0.0)
        stat[c] = np.where(above, ins.mfn[c] + kept, stat[c])
    for arr in (ins.local_content, ins.subsidy):
        arr[c] = np.where(arr[c] * keep > LAPSE, arr[c] * keep, 0.0)
    gap = (1.0 - ins.investment_limit[c]) * keep
    ins.investment_limit[c] = np.where(gap > LAPSE, 1.0 - gap, 1.0)
    ins.home_bias[c] = ins.home_bias[c] * keep if ins.home_bias[c] * keep > LAPSE else 0.0


def apply_tariff_shock(ins: Instruments, importers: np.ndarray, exporters: np.ndarray, sectors: np.ndarray, rate: float,
                       goods: str = "all") -> np.ndarray:
    """Set statutory tariffs by decree on the given importer, exporter and sector masks, on intermediates
    (``goods="intermediate"``), final goods (``"final"``) or both (``"all"``); never on a country's own goods.

    A decree on all goods below the MFN level is a liberalization commitment (a WTO accession's
    bound cuts): the MFN level falls with it, ``mfn <- min(mfn, rate)``, so that unwinding later
    measures returns them to the new rate rather than to the old one. A decree above MFN (a trade
    war) leaves it, and unwinding may take the decree back. Returns (G,) bool: which importers'
    decree raised some tariff (a trade-restrictive measure; a cut is not).
    """
    arrays = {"all": ins.tariff_arrays(), "intermediate": (ins.statutory,), "final": (ins.final_statutory,)}[goods]
    block = np.ix_(importers, exporters, sectors)
    G = ins.statutory.shape[0]
    own = np.eye(G, dtype=bool)[:, :, None]
    raised = np.zeros(G, dtype=bool)
    for stat in arrays:
        before = stat.copy()
        stat[block] = rate
        stat[np.arange(G), np.arange(G), :] = 0.0
        raised |= ((stat > before) & ~own).any(axis=(1, 2))
    if goods == "all":  # own goods' MFN level is 0 already, so the diagonal stays 0
        ins.mfn[block] = np.minimum(ins.mfn[block], rate)
    return raised


def apply_decrees(ins: Instruments, local_content: np.ndarray, subsidy: np.ndarray, investment_limit: np.ndarray) -> None:
    """Set the rules a driver decrees this period, (G, S) each with NaN where nothing is decreed: the
    minimum domestic input share, the domestic-supplier subsidy and the cap on the foreign input share.
    Governments' own measures move them from there (a decree is a level, not a floor kept each period)."""
    for arr, value in ((ins.local_content, local_content), (ins.subsidy, subsidy),
                       (ins.investment_limit, investment_limit)):
        np.copyto(arr, value, where=~np.isnan(value))
