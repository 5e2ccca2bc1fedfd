"""What governments see of last period: the arrays their rules read, from the MRIO and accounts.

One home for the bookkeeping between a cleared period and the governments' decisions of the
next (DESIGN.md, "Government": governments read last period's MRIO). Every array is by
country c in the first axis; shares of c's GDP unless stated. The rules that read them are
:func:`gvc_abm.agents.rules.protection_pressure`, :func:`~gvc_abm.agents.rules.instrument_values`
and :func:`~gvc_abm.agents.rules.choose_policy`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gvc_abm.agents import rules

from .config import GovernmentBehaviour
from .instruments import Instruments

__all__ = ["Observations", "observe"]


@dataclass
class Observations:
    """What governments see of last period (all by country, from its MRIO and accounts)."""

    tbi: np.ndarray
    tbi_previous: np.ndarray
    unemployment: np.ndarray
    jobs_change: np.ndarray  # relative change of manufacturing employment
    penetration: np.ndarray  # (G, S) rise of the import share of domestic use since period 0 (pressure)
    va_balance: np.ndarray  # (G, G) VA exported to minus imported from each partner; +inf own
    targeted_by: np.ndarray  # (G, G)
    in_bloc: np.ndarray
    bloc_available: np.ndarray
    has_measures: np.ndarray  # (G,) any measure left to unwind (Instruments.has_measures)
    imports: np.ndarray  # (G, S) imports of sector-s goods (intermediate and final) / GDP
    import_level: np.ndarray  # (G, S) import share of c's use of sector-s goods
    input_imports: np.ndarray  # (G, S) imports of sector-s goods by c's firms (intermediates) / GDP
    input_penetration: np.ndarray  # (G, S) import share of c's firms' purchases of sector-s goods
    labour_share: np.ndarray  # (G, S) labour income / gross output
    floor: np.ndarray  # (G, S) minimum domestic share in force, max(local content, 1 - investment limit)
    tariff_room: np.ndarray  # (G, S) mean tariff rise a sector tariff can still make (step, to the ceiling)
    subsidy_room: np.ndarray  # (G, S) subsidy rise still possible (step, to 0.5)
    imports_from: np.ndarray  # (G, G) imports of c from j / GDP_c; 0 own
    exports_to: np.ndarray  # (G, G) exports of c to j / GDP_c; 0 own
    power: np.ndarray  # (G, G) relative size GDP_j / (GDP_j + GDP_c); 0 own
    partner_room: np.ndarray  # (G, G) mean tariff rise a targeted tariff on j can still make
    same_bloc: np.ndarray  # (G, G) bool, j in c's bloc
    bloc_tariff: np.ndarray  # (G,) mean statutory tariff c levies on its bloc partners outside the bloc
    final_imports: np.ndarray  # (G,) final-goods imports / GDP
    final_import_share: np.ndarray  # (G,) import share of final spending
    import_share: np.ndarray  # (G,) import share of c's total use
    campaign_room: np.ndarray  # (G,) log points a campaign can still add to home bias


def _share(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.divide(a, b, out=np.zeros(np.broadcast(a, b).shape), where=b > 0)


def observe(
    Z: np.ndarray,
    Y: np.ndarray,
    x: np.ndarray,
    labour_income: np.ndarray,
    gdp: np.ndarray,
    ins: Instruments,
    params: GovernmentBehaviour,
    home_shift_room: np.ndarray,
    regions: tuple[str, ...],
    **pressure_inputs: np.ndarray,
) -> Observations:
    """The observations of one cleared period (module docstring).

    ``Z`` (n, n), ``Y`` (n, G), ``x`` and ``labour_income`` (n,) are the period's MRIO in
    country-major order (n = G S), ``gdp`` (G,); ``home_shift_room`` (G,) is the log home bias
    the households' cap still leaves; ``pressure_inputs`` are the fields the pressure reads
    (tbi, tbi_previous, unemployment, jobs_change, penetration, va_balance), passed through.
    """
    G = gdp.shape[0]
    S = x.shape[0] // G
    own = np.eye(G, dtype=bool)
    inputs = Z.reshape(G, S, G, S).sum(axis=3)  # [origin, sector, buying country]
    use = inputs + Y.reshape(G, S, G)  # [origin, sector, user]
    foreign = np.where(own[:, None, :], 0.0, use)
    imports_value = foreign.sum(axis=0).T  # [user, sector]
    bilateral = foreign.sum(axis=1).T  # [user, origin]: imports of c from o
    final = Y.reshape(G, S, G)
    final_foreign = np.where(own[:, None, :], 0.0, final).sum(axis=(0, 1))
    stat, cap, step = ins.statutory, params.max_tariff, params.tariff_step
    room = np.clip(np.minimum(step, cap - stat), 0.0, None)  # (G, G, S)
    room[own] = 0.0
    same = (ins.bloc_of[:, None] == ins.bloc_of[None, :]) & (ins.bloc_of[:, None] >= 0) & ~own
    partners = same.sum(axis=1)
    bloc_tariff = np.divide(np.where(same[:, :, None], stat, 0.0).sum(axis=(1, 2)), partners * stat.shape[2],
                            out=np.zeros(G), where=partners > 0)  # mean statutory tariff on bloc partners
    in_bloc = ins.bloc_of >= 0
    region = np.asarray(regions, dtype=object)
    same_region = (region[:, None] == region[None, :]) & ~own
    available = ~in_bloc & (same_region & in_bloc[None, :]).any(axis=1)  # a bloc in its region to join
    power = gdp[None, :] / (gdp[None, :] + gdp[:, None])
    power[own] = 0.0
    return Observations(
        targeted_by=ins.targeted_by.copy(),
        in_bloc=in_bloc,
        bloc_available=available,
        has_measures=ins.measures_left(),
        imports=imports_value / gdp[:, None],
        import_level=_share(imports_value, use.sum(axis=0).T),
        input_imports=np.where(own[:, None, :], 0.0, inputs).sum(axis=0).T / gdp[:, None],
        input_penetration=_share(np.where(own[:, None, :], 0.0, inputs).sum(axis=0).T, inputs.sum(axis=0).T),
        labour_share=_share(labour_income, x).reshape(G, S),
        floor=rules.minimum_domestic_share(ins.local_content, ins.investment_limit),
        tariff_room=room.sum(axis=1) / max(G - 1, 1),
        subsidy_room=np.clip(np.minimum(params.subsidy_step, 0.5 - ins.subsidy), 0.0, None),
        imports_from=bilateral / gdp[:, None],
        exports_to=bilateral.T / gdp[:, None],
        power=power,
        partner_room=room.mean(axis=2),
        same_bloc=same,
        bloc_tariff=bloc_tariff,
        final_imports=final_foreign / gdp,
        final_import_share=_share(final_foreign, final.sum(axis=(0, 1))),
        import_share=_share(imports_value.sum(axis=1), use.sum(axis=(0, 1))),
        campaign_room=np.clip(np.minimum(params.buy_local_step, home_shift_room), 0.0, None),
        **pressure_inputs,
    )
