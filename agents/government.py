"""The government agent: reads last period's MRIO through the model, decides policy moves."""

from __future__ import annotations

import mesa

from . import rules


class Government(mesa.Agent):
    """The government of country ``index``; ``group`` 0 advanced, 1 emerging, 2 developing.

    ``step`` computes its protection pressure (:func:`~gvc_abm.agents.rules.protection_pressure`)
    from the model's observations of last period and writes its moves
    (:func:`~gvc_abm.agents.rules.choose_policy`) into its row of ``model.moves``; the model
    carries the moves out after every government has decided, so order cannot matter.
    """

    def __init__(self, model: mesa.Model, index: int, group: int):
        super().__init__(model)
        self.index = index
        self.group = group
        self.pressure = 0.0

    def step(self) -> None:
        m = self.model
        c = self.index
        o = m.observations
        self.pressure = rules.protection_pressure(
            o.tbi[c], o.tbi_previous[c], o.unemployment[c], o.jobs_change[c], o.penetration[c].max(), *m.pressure_weights
        )
        m.pressure[c] = self.pressure
        rules.choose_policy(
            self.group, self.pressure, *m.thresholds, o.penetration[c], o.va_balance[c], o.targeted_by[c],
            bool(o.in_bloc[c]), bool(o.bloc_available[c]), bool(o.has_tariffs[c]), m.draws.u_government[c], m.moves[c],
        )
