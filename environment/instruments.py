"""Policy instruments the governments move, and how a move changes them.

The state the agents' decisions act on beyond :class:`~gvc_abm.environment.state.Policy`:

- ``statutory`` (G, G, S) tariffs each importer would levy on each origin and sector; the
  applied tariff is zero inside a bloc (``effective_tariffs``);
- ``bloc_of`` (G,) the bloc each country belongs to (-1: none); a bloc is a customs union:
  zero tariffs inside, a common external tariff (CET) outside, adopted on joining;
- ``local_content`` (G, S) minimum domestic share of a sector's inputs for firms of a
  country, ``subsidy`` (G, S) the domestic-supplier subsidy (fraction of the price);
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

__all__ = ["Instruments", "effective_tariffs", "apply_move", "apply_tariff_shock", "join_bloc"]


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
    if len(members):
        outside = ins.bloc_of != bloc
        cet = ins.statutory[members].mean(axis=0)  # (G, S)
        ins.statutory[country, outside, :] = cet[outside, :]
    ins.statutory[country, country, :] = 0.0


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
        ins.statutory[country, others, sector] = np.minimum(ins.statutory[country, others, sector] + step, cap)
    elif name == "local_content":
        ins.local_content[country, sector] = min(1.0, ins.local_content[country, sector] + params.local_content_step)
    elif name == "import_substitution":
        ins.subsidy[country, sector] = min(0.5, ins.subsidy[country, sector] + params.subsidy_step)
    elif name in ("targeted_tariff", "retaliation"):
        ins.statutory[country, target, :] = np.minimum(ins.statutory[country, target, :] + step, cap)
        ins.targeted_by[target, country] = step
    elif name == "leave_bloc":
        ins.bloc_of[country] = -1
    elif name == "buy_local":
        ins.home_bias[country] += params.buy_local_step
    elif name == "liberalize":
        keep = 1.0 - params.liberalize_step
        ins.statutory[country] *= keep
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


def apply_tariff_shock(ins: Instruments, importers: np.ndarray, exporters: np.ndarray, sectors: np.ndarray, rate: float) -> None:
    """Set statutory tariffs by decree on the given importer, exporter and sector masks."""
    block = np.ix_(importers, exporters, sectors)
    ins.statutory[block] = rate
    G = ins.statutory.shape[0]
    ins.statutory[np.arange(G), np.arange(G), :] = 0.0
