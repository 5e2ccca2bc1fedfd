"""Parameters of the agents' decision rules (:mod:`gvc_abm.agents.rules`), as config data.

Each default is commented with where it comes from; they are stylized values chosen so
that the mechanisms of DESIGN.md "Agents and their decisions" are visible within tens of
periods, not estimates. Every field can be set from a scenario file or with
``--set agents.firms.inertia=0.5``.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from .config import ConfigBase, Share

__all__ = ["FirmBehaviour", "GovernmentBehaviour", "HouseholdBehaviour", "AgentsConfig"]


class FirmBehaviour(ConfigBase):
    """Supplier review and automation (DESIGN.md, "Firm")."""

    review_rate: Share = Field(
        default=0.25,
        description="Probability that a firm reviews its suppliers of a given input sector in a period, per period "
        "(stylized: relationships last about four periods).",
    )
    inertia: Share = Field(
        default=0.3,
        description="Fraction of the gap to the cost-minimizing CES shares closed at a review (partial adjustment).",
    )
    switching_cost: float = Field(
        default=0.05, ge=0, le=5, description="A candidate must be cheaper than the costliest supplier by this margin, fraction."
    )
    info_cost: float = Field(
        default=0.3,
        ge=0,
        description="Information / digital barrier: foreign reach is exp(-info_cost * distance), per 1000 km "
        "(Baldwin's cost of moving ideas, seed 002; digital barriers, seed 000).",
    )
    risk_learning: Share = Field(
        default=0.3, description="Learning rate of the perceived risk premium of an origin after disruptions."
    )
    automation_elasticity: float = Field(
        default=2.0, gt=0, description="eta: Pareto tail of robot productivity across tasks, a* = min(1, (w/rho)^eta)."
    )
    automation_speed: Share = Field(default=0.2, description="Fraction of the gap to the automation target closed per period.")
    insourcing: Share = Field(
        default=0.5,
        description="chi: share of the inputs an automated task used to buy that is brought in house "
        "(nu_f = nu_s + (1 - nu_s) chi kappa_s a_f; Qu & Yang 2023, Prop. 4).",
    )


class GovernmentBehaviour(ConfigBase):
    """Protection pressure and the policy response (DESIGN.md, "Government"; Gao, Li & Zhu 2021)."""

    weight_tbi: float = Field(default=2.0, ge=0, description="Weight of a value-added trade deficit, -TBI, in pressure.")
    weight_tbi_fall: float = Field(default=10.0, ge=0, description="Weight of a fall in TBI since last period.")
    weight_unemployment: float = Field(default=5.0, ge=0, description="Weight of the unemployment rate.")
    weight_jobs: float = Field(default=5.0, ge=0, description="Weight of the relative loss of manufacturing jobs.")
    weight_penetration: float = Field(default=0.5, ge=0, description="Weight of the highest sectoral import penetration.")
    protect_threshold: float = Field(default=0.6, ge=0, description="Pressure above which a government restricts trade.")
    retaliate_threshold: float = Field(default=0.3, ge=0, description="Pressure above which it retaliates when targeted.")
    liberalize_threshold: float = Field(default=0.15, ge=0, description="Pressure below which it liberalizes or joins a bloc.")
    tariff_step: float = Field(default=0.1, gt=0, le=1, description="Tariff increase of one measure, ad valorem fraction.")
    max_tariff: float = Field(default=1.0, gt=0, le=5, description="Ceiling of any tariff, ad valorem fraction.")
    local_content_step: Share = Field(default=0.1, description="Rise of a minimum domestic input share per measure.")
    subsidy_step: Share = Field(default=0.05, description="Rise of a domestic-supplier subsidy per measure, fraction of cost.")
    buy_local_step: float = Field(default=0.15, gt=0, description="Rise of households' home-bias weight per campaign, log points.")
    liberalize_step: Share = Field(default=0.25, description="Fraction of every tariff removed by one liberalization.")
    manufacturing_sectors: list[str] = Field(
        default_factory=lambda: ["food", "textiles", "chemicals", "machinery", "electronics"],
        description="Sectors whose jobs count as manufacturing jobs (all sectors if none of these exist in the world).",
    )

    @model_validator(mode="after")
    def thresholds_ordered(self):
        if not self.liberalize_threshold <= self.retaliate_threshold <= self.protect_threshold:
            raise ValueError("thresholds must satisfy liberalize_threshold <= retaliate_threshold <= protect_threshold")
        return self


class HouseholdBehaviour(ConfigBase):
    """Households (DESIGN.md, "Household"): Armington CES over origins; policy moves home bias."""

    max_home_bias: float = Field(
        default=3.0, gt=0, description="Ceiling of the log home-bias weight campaigns can reach, log points."
    )


class AgentsConfig(ConfigBase):
    """Whether agents decide at all (off = exogenous drivers only) and their parameters."""

    enabled: bool = Field(default=True, description="Run the agents' decisions between clearings.")
    firms: FirmBehaviour = Field(default_factory=FirmBehaviour)
    governments: GovernmentBehaviour = Field(default_factory=GovernmentBehaviour)
    households: HouseholdBehaviour = Field(default_factory=HouseholdBehaviour)
