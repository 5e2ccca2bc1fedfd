"""The firm agent: an identity and an index into the firm arrays; it decides with the shared rules."""

from __future__ import annotations

import mesa

from . import rules


class Firm(mesa.Agent):
    """A firm of the world's state arrays (``index``), stepped by the Mesa engine.

    ``step`` learns from its suppliers when diffusion is on (its gain,
    :func:`~gvc_abm.agents.rules.firm_diffusion`, from last period's links, before it reviews
    them; the model applies all gains after every firm has stepped), reviews its suppliers
    (:func:`~gvc_abm.agents.rules.firm_review`) and moves its automation
    (:func:`~gvc_abm.agents.rules.firm_automate`) with the arguments the model publishes for the
    period, and with its own pre-drawn numbers. It writes only its own row of the supplier
    network, its own gain, automation and nu, and reads prices set by the last clearing, so the
    order firms act in cannot change the result.
    """

    def __init__(self, model: mesa.Model, index: int):
        super().__init__(model)
        self.index = index

    def step(self) -> None:
        m = self.model
        d = m.draws
        i = self.index
        if m.diffusion_args is not None:
            m.diffusion_gain[i] = rules.firm_diffusion(i, *m.diffusion_args)
        m.switches += rules.firm_review(i, *m.review_head, d.u_review[i], d.u_origin[i], d.u_firm[i], *m.review_tail)
        rules.firm_automate(i, *m.automate_args)
