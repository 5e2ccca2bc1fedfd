"""The government agent: reads last period's MRIO through the model, decides policy moves."""

from __future__ import annotations

import mesa
import numpy as np

from . import rules


class Government(mesa.Agent):
    """The government of country ``index``; ``group`` 0 advanced, 1 emerging, 2 developing.

    ``step`` computes its protection pressure (:func:`~gvc_abm.agents.rules.protection_pressure`)
    from the model's observations of last period, the net value of each instrument open to it
    at its group's costs (:func:`~gvc_abm.agents.rules.instrument_values`) and writes its moves
    (:func:`~gvc_abm.agents.rules.choose_policy`) into its row of ``model.moves``; the model
    carries the moves out after every government has decided, so order cannot matter.
    """

    def __init__(self, model: mesa.Model, index: int, group: int):
        super().__init__(model)
        self.index = index
        self.group = group
        self.pressure = 0.0
        K = len(rules.INSTRUMENTS)
        self.values = np.empty(K)
        self.sectors = np.empty(K, dtype=np.int64)
        self.targets = np.empty(K, dtype=np.int64)
        self.levels = np.empty(K)

    def step(self) -> None:
        m = self.model
        c = self.index
        o = m.observations
        self.pressure = rules.protection_pressure(
            o.tbi[c], o.tbi_previous[c], o.unemployment[c], o.jobs_change[c], o.penetration[c].max(), *m.pressure_weights
        )
        m.pressure[c] = self.pressure
        rules.instrument_values(
            self.pressure, o.imports[c], o.import_level[c], o.input_imports[c], o.input_penetration[c],
            o.labour_share[c], o.floor[c], o.tariff_room[c], o.subsidy_room[c], o.imports_from[c], o.exports_to[c],
            o.power[c], o.va_balance[c], o.partner_room[c], o.same_bloc[c], o.bloc_tariff[c], o.final_imports[c],
            o.final_import_share[c], o.import_share[c],
            o.campaign_room[c], m.instrument_costs[self.group], float(m.world.policy.sigma), *m.instrument_steps,
            self.values, self.sectors, self.targets, self.levels,
        )
        rules.choose_policy(
            self.pressure, *m.thresholds, self.values, self.sectors, self.targets, self.levels, o.targeted_by[c],
            bool(o.in_bloc[c]), bool(o.bloc_available[c]), bool(o.has_measures[c]), m.draws.u_government[c], m.moves[c],
        )
