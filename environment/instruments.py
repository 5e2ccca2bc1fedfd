"""Policy instruments the governments move, and how a move changes them.

The state the agents' decisions act on beyond :class:`~gvc_abm.environment.state.Policy`:

- ``statutory`` (G, G, S) tariffs each importer would levy on each origin and sector's
  intermediate inputs bought by its firms, ``final_statutory`` (G, G, S) the same on final goods
  bought by its households; the applied tariff is zero inside a bloc (``effective_tariffs``).
  Governments' measures and bloc rules act on both alike; only a decree (a driver with
  ``goods: intermediate`` or ``final``) sets one without the other;
- ``bloc_of`` (G,) the bloc each country belongs to (-1: none); a bloc is a customs union:
  zero tariffs inside, a common external tariff (CET) outside, adopted on joining;
- ``local_content`` (G, S) minimum domestic share of a sector's inputs for firms of a
  country, ``subsidy`` (G, S) the domestic-supplier subsidy (fraction of the price),
  ``investment_limit`` (G, S) the cap on the foreign share of sector s's inputs bought by
  country c's firms (1: no limit);
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

__all__ = ["Instruments", "effective_tariffs", "apply_move", "apply_tariff_shock", "apply_decrees", "join_bloc"]


@dataclass
class Instruments:
    """Governments' instruments (module docstring); all arrays, country-major."""

    statutory: np.ndarray  # (G, G, S)
    bloc_of: np.ndarray  # (G,) int, -1 for none
    bloc_names: tuple[str, ...]
    local_content: np.ndarray  # (G, S)
    subsidy: np.ndarray  # (G, S)
    home_bias: np.ndarray  # (G,) log shift of the home taste weight
    risk: np.ndarray  # (G,)
    targeted_by: np.ndarray  # (G, G)
    final_statutory: np.ndarray = None  # (G, G, S) tariffs on final goods; default: the statutory ones
    investment_limit: np.ndarray = None  # (G, S) max foreign share of inputs, 1 = no limit

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
            bloc_of=np.asarray(bloc_of, dtype=np.int64).copy(),
            bloc_names=tuple(bloc_names),
            local_content=np.zeros((G, S)),
            subsidy=np.zeros((G, S)),
            home_bias=np.zeros(G),
            risk=np.zeros(G),
            targeted_by=np.zeros((G, G)),
        )


def effective_tariffs(statutory: np.ndarray, bloc_of: np.ndarray) -> np.ndarray:
    """Applied tariffs ``tau[c, o, s]``: 0 on the diagonal and between members of one bloc,
    the statutory rate otherwise."""
    same = (bloc_of[:, None] == bloc_of[None, :]) & (bloc_of[:, None] >= 0)
    np.fill_diagonal(same, True)
    return np.where(same[:, :, None], 0.0, statutory)


def join_bloc(ins: Instruments, country: int, bloc: int) -> None:
    """``country`` joins ``bloc`` and adopts its common external tariff.

    The CET on each (origin, sector) outside the bloc is the mean statutory tariff of the
    current members; with no members yet the joiner keeps its own tariffs.
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
) -> int | None:
    """Carry out the policy move ``name`` of ``country`` on ``target`` (a country) and ``sector``.

    Returns the target the move ended up with (the bloc index for ``join_bloc``; -1 where
    none applies), or None when nothing could be done. Tariffs are capped at
    ``params.max_tariff``, local-content shares at 1, subsidies at 0.5.
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
        ins.local_content[country, sector] = min(1.0, ins.local_content[country, sector] + params.local_content_step)
    elif name == "import_substitution":
        ins.subsidy[country, sector] = min(0.5, ins.subsidy[country, sector] + params.subsidy_step)
    elif name in ("targeted_tariff", "retaliation"):
        for stat in ins.tariff_arrays():
            stat[country, target, :] = np.minimum(stat[country, target, :] + step, cap)
        ins.targeted_by[target, country] = step
    elif name == "leave_bloc":
        ins.bloc_of[country] = -1
    elif name == "buy_local":
        ins.home_bias[country] += params.buy_local_step
    elif name == "liberalize":
        keep = 1.0 - params.liberalize_step
        for stat in ins.tariff_arrays():
            stat[country] *= keep
        ins.local_content[country] *= keep
        ins.subsidy[country] *= keep
    elif name == "join_bloc":
        bloc = regional_bloc(ins, country, regions)
        if bloc < 0:
            return None
        join_bloc(ins, country, bloc)
        target = bloc
    else:
        raise ValueError(f"unknown policy instrument {name!r}")
    return target


def apply_tariff_shock(ins: Instruments, importers: np.ndarray, exporters: np.ndarray, sectors: np.ndarray, rate: float,
                       goods: str = "all") -> None:
    """Set statutory tariffs by decree on the given importer, exporter and sector masks, on intermediates
    (``goods="intermediate"``), final goods (``"final"``) or both (``"all"``); never on a country's own goods."""
    arrays = {"all": ins.tariff_arrays(), "intermediate": (ins.statutory,), "final": (ins.final_statutory,)}[goods]
    block = np.ix_(importers, exporters, sectors)
    G = ins.statutory.shape[0]
    for stat in arrays:
        stat[block] = rate
        stat[np.arange(G), np.arange(G), :] = 0.0


def apply_decrees(ins: Instruments, local_content: np.ndarray, subsidy: np.ndarray, investment_limit: np.ndarray) -> None:
    """Set the rules a driver decrees this period, (G, S) each with NaN where nothing is decreed: the
    minimum domestic input share, the domestic-supplier subsidy and the cap on the foreign input share.
    Governments' own measures move them from there (a decree is a level, not a floor kept each period)."""
    for arr, value in ((ins.local_content, local_content), (ins.subsidy, subsidy),
                       (ins.investment_limit, investment_limit)):
        np.copyto(arr, value, where=~np.isnan(value))
