"""The household agent: one per country, spending on final goods with a home bias policy moves."""

from __future__ import annotations

import mesa

from . import rules


class Household(mesa.Agent):
    """The households of country ``index`` (DESIGN.md, "Household").

    They spend E_c over sectors (beta) and origins (Armington CES inside the clearing);
    their decision is the preference weight for home goods: the period-0 weight times
    ``exp(h_c)``, with h_c the "buy local" shift their government's campaigns built up plus
    the scenario's exogenous local preference, capped at ``max_home_bias`` log points.
    """

    def __init__(self, model: mesa.Model, index: int):
        super().__init__(model)
        self.index = index

    def step(self) -> None:
        m = self.model
        c = self.index
        cap = m.agents_config.households.max_home_bias
        for s in range(m.world.S):
            m.world.policy.taste[c, c, s] = rules.home_taste(m.initial_taste[c, c, s], m.household_shift[c], cap)
