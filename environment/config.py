"""World and simulation configuration: frozen pydantic models, configs as data.

Every model forbids unknown keys and is immutable; every field has a constrained type, a
description with its unit, and a default whose source is given in the description (DESIGN.md,
"The economy, one period", or Qu & Yang 2023 for the paper world). A configuration round-trips
through YAML (:meth:`ConfigBase.to_yaml` / :func:`load_config`) and TOML files can be read.

A bad configuration raises :class:`ConfigError`, a ``ValueError`` whose message is ONE line:
the dotted field path and the problem, e.g.
``world.countries.2.labour_force: Input should be greater than 0``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import (BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError, create_model, model_serializer,
                      model_validator)

__all__ = [
    "ConfigError",
    "WIOD_SECTORS",
    "DEFAULT_REGIONS",
    "ConfigBase",
    "CountryConfig",
    "SectorConfig",
    "FirmsConfig",
    "TariffRule",
    "BlocConfig",
    "TradeConfig",
    "DefaultWorldConfig",
    "CalibratedWorldConfig",
    "PaperWorldConfig",
    "WorldConfig",
    "LabourConfig",
    "ClearingConfig",
    "FirmBehaviour",
    "InstrumentCosts",
    "GroupCosts",
    "GovernmentBehaviour",
    "HouseholdBehaviour",
    "AgentsConfig",
    "Schedule",
    "CountrySchedules",
    "WHO_FORMS",
    "BlocEvent",
    "TariffShock",
    "TariffDriver",
    "PeriodRange",
    "Disruption",
    "Easing",
    "DriversConfig",
    "SimulationConfig",
    "load_config",
    "validate_config",
    "apply_overrides",
    "ConfigKey",
    "config_keys",
]

#: Shares (input shares, final-demand shares) must add to one within this tolerance.
SHARE_TOL = 1e-9


class ConfigError(ValueError):
    """A configuration that cannot be used; the message is one line: field path and problem."""


def _format_validation_error(exc: ValidationError, prefix: str = "") -> str:
    """One line naming the dotted field path and the problem (the first of the errors)."""
    errs = exc.errors()
    first = errs[0]
    loc = ".".join(str(p) for p in first.get("loc", ()) if p not in ("default", "paper", "calibrated"))
    path = ".".join(p for p in (prefix, loc) if p)
    msg = first.get("msg", "invalid value").replace("Value error, ", "")
    msg = " ".join(msg.split())
    more = f" (and {len(errs) - 1} more problem{'s' if len(errs) > 2 else ''})" if len(errs) > 1 else ""
    if _LOCATED.match(msg) and (not path or msg.startswith(path + ".")):  # a check that names its own field path
        return f"{msg}{more}"
    if _RELATIVE.match(msg):  # a check that names its field path below the model's, ``.rate.3: ...``
        return f"{path or 'config'}{msg}{more}"
    return f"{path or 'config'}: {msg}{more}"


#: A message that starts with a dotted field path, ``drivers.tariff_shocks.0.period: ...``.
_LOCATED = re.compile(r"^[A-Za-z_][\w]*(\.[\w*-]+(:[\w* -]+)?)+: ")
#: A message that starts with a field path relative to the model it is raised in, ``.rate.3: ...``.
_RELATIVE = re.compile(r"^(\.[\w*-]+(:[\w* -]+)?)+: ")


class ConfigBase(BaseModel):
    """Base of every config: frozen, unknown keys forbidden, every value validated."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-compatible data (the inverse of ``model_validate``)."""
        return self.model_dump(mode="json")

    def to_yaml(self, path: str | Path | None = None) -> str:
        """YAML text of the config; written to ``path`` when given."""
        text = yaml.safe_dump(self.to_dict(), sort_keys=False)
        if path is not None:
            Path(path).write_text(text)
        return text


def unit(name: str) -> dict[str, str]:
    """``json_schema_extra`` of a field whose unit its description does not end with."""
    return {"unit": name}


Share = Annotated[float, Field(ge=0.0, le=1.0)]
OpenShare = Annotated[float, Field(gt=0.0, lt=1.0)]


class CountryConfig(ConfigBase):
    """One country: identity, geography, size, technology and its trade policy."""

    name: str = Field(min_length=1, description="Country name, unique.")
    region: str = Field(min_length=1, description="Region the country belongs to (for regionalization indicators).")
    group: Literal["advanced", "emerging", "developing"] = Field(
        description="Development group; sets the costs of its government's instruments "
        "(agents.governments.costs; DESIGN.md, Government)."
    )
    location: tuple[float, float] = Field(description="Position on a plane, thousands of km.")
    labour_force: float = Field(gt=0, description="Labour force L_c, millions of workers.")
    technology: float = Field(default=1.0, gt=0, description="Technology level A_c (eq. 1 of Qu & Yang 2023), index.")
    deficit: float = Field(
        default=0.0,
        ge=-0.5,
        le=0.5,
        description="Trade deficit D_c as a share of world GDP; the shares must sum to 0 (DESIGN.md).",
        json_schema_extra=unit("share of world GDP"),
    )
    home_bias: float = Field(
        default=3.0,
        gt=0,
        description="Armington weight of home goods relative to any foreign origin (local preference), ratio.",
    )
    mfn_tariff: float = Field(default=0.0, ge=0, le=5.0, description="Most-favoured-nation ad valorem tariff, fraction.")


class SectorConfig(ConfigBase):
    """One sector: technology (eq. 1 shares), automatability, tradability, demand."""

    name: str = Field(min_length=1, description="Sector name, unique.")
    value_added_share: OpenShare = Field(
        description="Value-added share nu_s of gross output (eq. 1, Qu & Yang 2023).",
        json_schema_extra=unit("fraction"),
    )
    input_shares: dict[str, Share] = Field(
        description="alpha_{s's}: share of intermediate spending on each input sector s' (keys = sector names), sum 1.",
        json_schema_extra=unit("fraction"),
    )
    automatability: Share = Field(
        default=0.3, description="kappa_s: share of value added automation can take over.",
        json_schema_extra=unit("fraction"),
    )
    distance_elasticity: float = Field(
        default=0.3, ge=0, description="delta_s: iceberg trade cost t = (1+border)(1+distance)^delta_s, elasticity."
    )
    final_demand_share: Share = Field(
        description="beta_s: share of household spending on this sector, sum 1.", json_schema_extra=unit("fraction")
    )
    final_home_bias: float = Field(
        default=1.0, gt=0,
        description="h_s: households' Armington home weight for this sector's goods relative to firms' "
        "(final demand weighs home goods by home_bias_c * h_s, supplier search by home_bias_c); the "
        "default world's values are fitted to WIOD 2011 (see _default_sectors).",
        json_schema_extra=unit("ratio"),
    )

    @model_validator(mode="after")
    def input_shares_sum_to_one(self) -> "SectorConfig":
        total = sum(self.input_shares.values())
        if abs(total - 1.0) > SHARE_TOL:
            raise ValueError(f"input_shares must sum to 1, got {total:.12g}")
        return self


class FirmsConfig(ConfigBase):
    """How many firms, how unequal, how many supplier links."""

    count: int = Field(
        default=3000, ge=1, description="Total number of firms (spread over country-sectors).",
        json_schema_extra=unit("firms"),
    )
    size_dispersion: float = Field(
        default=1.0, ge=0, description="Standard deviation of log firm demand weights (lognormal sizes), log points."
    )
    productivity_dispersion: float = Field(
        default=0.2, ge=0, description="Standard deviation of log productivity z_f, log points."
    )
    links: int = Field(
        default=10, ge=1, le=1000, description="Supplier links per firm.", json_schema_extra=unit("links per firm")
    )
    automation: Share = Field(default=0.4, description="Mean initial automation a_f, fraction of automatable tasks.")


class TariffRule(ConfigBase):
    """An ad valorem tariff set by ``importer`` on goods of ``exporter`` in ``sector`` ('*' = all)."""

    importer: str = Field(min_length=1, description="Importing country name or '*'.")
    exporter: str = Field(min_length=1, description="Exporting country name or '*'.")
    sector: str = Field(default="*", min_length=1, description="Sector name or '*'.")
    rate: float = Field(ge=0, le=5.0, description="Ad valorem rate tau, fraction.")

    @model_validator(mode="after")
    def not_on_itself(self):
        if self.importer == self.exporter != "*":
            raise ValueError(f"importer and exporter are both {self.importer!r}: a country puts no tariff on its own goods")
        return self


class BlocConfig(ConfigBase):
    """A trade agreement: zero tariffs among members (before explicit tariff rules)."""

    name: str = Field(min_length=1, description="Bloc name.")
    members: list[str] = Field(min_length=2, description="Member country names.")


class TradeConfig(ConfigBase):
    """Trade frictions and preferences."""

    armington_elasticity: float = Field(
        default=4.0,
        gt=0,
        description="sigma: CES elasticity across origins and firms; 4 is a central trade elasticity "
        "(Head & Mayer 2014 survey, median about 5; Simonovska & Waugh 2014 about 4).",
        json_schema_extra=unit("elasticity"),
    )
    border_cost: float = Field(default=0.1, ge=0, description="Iceberg cost of crossing any border, fraction.")
    tariffs: list[TariffRule] = Field(default_factory=list, description="Tariff rules, applied in order.")
    blocs: list[BlocConfig] = Field(default_factory=list, description="Trade blocs (zero internal tariffs).")


#: The default world's nine sectors as groups of the 35 WIOD industries c1..c35 (NACE rev. 1,
#: Timmer et al. 2015). "textiles" is light manufacturing (textiles, leather, wood, paper,
#: n.e.c.), "chemicals" processed materials (coke and petroleum, chemicals, rubber and plastics,
#: non-metallic minerals), "machinery" metals, machinery and transport equipment. Services are
#: split by where they are bought: "services" are the traded ones (wholesale, transport, post and
#: telecoms, finance, business services: 8-39 % of their intermediate use imported in WIOD 2011),
#: "local_services" those bought where they are made (utilities, construction, retail, hotels,
#: real estate, public administration, education, health, other and household services: 0.1-2 %
#: imported, yet 58 % of world final demand). One services sector would trade final services as
#: much as intermediate ones, which the data do not.
WIOD_SECTORS: dict[str, tuple[str, ...]] = {
    "agri": ("c1",),
    "mining": ("c2",),
    "food": ("c3",),
    "textiles": ("c4", "c5", "c6", "c7", "c16"),
    "chemicals": ("c8", "c9", "c10", "c11"),
    "machinery": ("c12", "c13", "c15"),
    "electronics": ("c14",),
    "services": ("c20", "c23", "c24", "c25", "c26", "c27", "c28", "c30"),
    "local_services": ("c17", "c18", "c19", "c21", "c22", "c29", "c31", "c32", "c33", "c34", "c35"),
}


def _default_sectors() -> list[SectorConfig]:
    # Value-added shares nu_s, input shares alpha_{s's} and final-demand shares beta_s: WIOD 2011
    # world totals (the 7-region x 35-industry table) aggregated to WIOD_SECTORS, rounded to three
    # decimals with the residual on the largest share (analysis.calibration.world_sector_shares and
    # rounded_shares; tests/analysis/test_calibration.py recomputes them from the table).
    # Automatability after Acemoglu & Restrepo (2020): high in manufacturing, low in services.
    # Trade frictions by sector, fitted to WIOD 2011's sector trade (targets computed by
    # world_sector_shares, stored in tests/data/wiod_2011.json): distance elasticities delta_s so
    # that each sector's exports over its output, and households' home weights h_s
    # (final_home_bias) so that each sector's intermediate share of its exports, match WIOD's in the
    # period-0 MRIO of this world (mean of seeds 0-2; fixed-point iteration
    # delta += log(model / target) / 6, log h += logit(target) - logit(model), from h = WIOD's
    # final/intermediate home-share odds ratio; mining's h is that ratio, its exports being all
    # intermediates anyway). Consumer services are bought at home (h = 5 and 10), consumer goods
    # imported more by households than by firms (textiles h = 0.29).
    # The intermediate share of world trade (analysis.trade.intermediate_share_of_trade) then
    # follows: about 0.68 in period 0 against WIOD 2011's 0.676 (7 regions, same function); seed 000
    # reports 67.5 % (2000) and 58.2 % (2022). The old 8-sector world (one services sector) had 0.48.
    names = list(WIOD_SECTORS)
    nu = [0.583, 0.586, 0.277, 0.324, 0.281, 0.274, 0.287, 0.577, 0.578]
    beta = [0.030, 0.007, 0.055, 0.033, 0.031, 0.067, 0.029, 0.165, 0.583]
    kappa = [0.3, 0.4, 0.5, 0.5, 0.6, 0.7, 0.7, 0.2, 0.2]
    delta = [0.54, 0.25, 0.59, 0.44, 0.37, 0.31, 0.19, 0.48, 0.84]
    final_home = [2.66, 27.82, 0.78, 0.29, 0.78, 1.08, 1.04, 4.99, 10.05]
    alpha = {  # buyer: {input sector: share}, WIOD 2011 world totals
        "agri": {"agri": 0.305, "mining": 0.013, "food": 0.163, "textiles": 0.012, "chemicals": 0.159,
                 "machinery": 0.031, "electronics": 0.003, "services": 0.201, "local_services": 0.113},
        "mining": {"agri": 0.002, "mining": 0.432, "food": 0.002, "textiles": 0.013, "chemicals": 0.069,
                   "machinery": 0.093, "electronics": 0.017, "services": 0.207, "local_services": 0.165},
        "food": {"agri": 0.378, "mining": 0.008, "food": 0.217, "textiles": 0.032, "chemicals": 0.048,
                 "machinery": 0.021, "electronics": 0.003, "services": 0.202, "local_services": 0.091},
        "textiles": {"agri": 0.078, "mining": 0.014, "food": 0.014, "textiles": 0.413, "chemicals": 0.107,
                     "machinery": 0.052, "electronics": 0.012, "services": 0.206, "local_services": 0.104},
        "chemicals": {"agri": 0.010, "mining": 0.272, "food": 0.010, "textiles": 0.026, "chemicals": 0.350,
                      "machinery": 0.039, "electronics": 0.009, "services": 0.189, "local_services": 0.095},
        "machinery": {"mining": 0.074, "food": 0.003, "textiles": 0.023, "chemicals": 0.068, "machinery": 0.533,
                      "electronics": 0.050, "services": 0.162, "local_services": 0.087},
        "electronics": {"mining": 0.005, "food": 0.003, "textiles": 0.023, "chemicals": 0.101, "machinery": 0.182,
                        "electronics": 0.444, "services": 0.176, "local_services": 0.066},
        "services": {"agri": 0.004, "mining": 0.007, "food": 0.007, "textiles": 0.041, "chemicals": 0.074,
                     "machinery": 0.039, "electronics": 0.031, "services": 0.596, "local_services": 0.201},
        "local_services": {"agri": 0.013, "mining": 0.059, "food": 0.038, "textiles": 0.046, "chemicals": 0.114,
                           "machinery": 0.088, "electronics": 0.032, "services": 0.326, "local_services": 0.284},
    }
    return [
        SectorConfig(name=s, value_added_share=nu[i], input_shares=alpha[s], automatability=kappa[i],
                     distance_elasticity=delta[i], final_demand_share=beta[i], final_home_bias=final_home[i])
        for i, s in enumerate(names)
    ]


#: The regions of the default world: those seed 000 (Zhang 2024, section 2.1) reports GVC
#: participation for ("East Asia", "European" -> "Europe", "Africa") and the two the issue adds.
DEFAULT_REGIONS = ("Americas", "Europe", "East Asia", "South Asia", "Africa")


def _default_countries() -> list[CountryConfig]:
    # Fourteen economies in the five DEFAULT_REGIONS. Labour forces (millions, PWT emp, one
    # decimal), technology (PWT ctfp, USA = 1, two decimals) and trade deficits (share of the
    # fourteen's GDP, four decimals) from Penn World Table 9.1, 2017
    # (analysis.calibration.pwt_country_facts: d_c = -(csh_x + csh_m) rgdpe_c / sum rgdpe, the
    # fourteen's net taken back in proportion to GDP, rounded with rounded_shares so they sum to 0;
    # tests/analysis/test_calibration.py recomputes them from the file). PWT has no ctfp for
    # Pakistan or Bangladesh, so India is South Asia alone; Egypt's ctfp (1.11) is an outlier, so
    # Africa is South Africa and Nigeria. Development groups as in seed 003 (Gao, Li & Zhu 2021:
    # developed economies "advanced", China leading the developing economies with its own
    # "emerging" tools, the rest "developing"). Locations: rough map positions, thousands of km.
    rows = [
        ("USA", "Americas", "advanced", (-9.0, 4.5), 154.4, 1.00, 0.0120),
        ("CAN", "Americas", "advanced", (-8.5, 6.0), 18.7, 0.84, -0.0003),
        ("MEX", "Americas", "emerging", (-10.0, 2.0), 56.2, 0.65, 0.0009),
        ("BRA", "Americas", "emerging", (-4.5, -1.5), 103.5, 0.47, -0.0005),
        ("DEU", "Europe", "advanced", (1.0, 5.5), 43.2, 0.99, -0.0055),
        ("FRA", "Europe", "advanced", (0.2, 5.0), 27.9, 0.97, 0.0014),
        ("GBR", "Europe", "advanced", (-0.1, 5.6), 32.0, 0.80, 0.0050),
        ("POL", "Europe", "emerging", (2.0, 5.8), 16.1, 0.89, 0.0002),
        ("CHN", "East Asia", "emerging", (11.0, 3.5), 791.7, 0.38, -0.0102),
        ("JPN", "East Asia", "advanced", (14.0, 3.8), 68.3, 0.75, -0.0026),
        ("KOR", "East Asia", "advanced", (13.0, 4.0), 26.3, 0.63, -0.0017),
        ("IND", "South Asia", "developing", (8.0, 2.2), 537.8, 0.45, 0.0017),
        ("ZAF", "Africa", "developing", (2.5, -3.0), 18.1, 0.53, 0.0001),
        ("NGA", "Africa", "developing", (0.8, 1.0), 65.2, 0.53, -0.0005),
    ]
    return [
        CountryConfig(name=n, region=r, group=g, location=loc, labour_force=lf, technology=a, deficit=d)
        for n, r, g, loc, lf, a, d in rows
    ]


class _WorldChecks:
    """Cross-field checks shared by world configs with explicit countries."""

    @staticmethod
    def unique(names: list[str], what: str) -> None:
        seen = set()
        for n in names:
            if n in seen:
                raise ValueError(f"{what} name {n!r} appears twice")
            seen.add(n)

    @staticmethod
    def deficits_sum_to_zero(countries: list[CountryConfig]) -> None:
        total = sum(c.deficit for c in countries)
        if abs(total) > SHARE_TOL:
            raise ValueError(f"country deficits must sum to 0, got {total:.12g}")


class DefaultWorldConfig(ConfigBase):
    """The built-in world of the README's main run: 14 countries in 5 regions x 9 sectors (WIOD 2011, PWT 9.1)."""

    kind: Literal["default"] = "default"
    countries: list[CountryConfig] = Field(default_factory=_default_countries, min_length=2)
    sectors: list[SectorConfig] = Field(default_factory=_default_sectors, min_length=1)
    firms: FirmsConfig = Field(default_factory=FirmsConfig)
    trade: TradeConfig = Field(default_factory=TradeConfig)
    robot_price: float = Field(
        default=1.0, gt=0, description="Rental price of automation capital relative to the mean wage, ratio."
    )

    @model_validator(mode="after")
    def consistent(self) -> "DefaultWorldConfig":
        _WorldChecks.unique([c.name for c in self.countries], "country")
        _WorldChecks.unique([s.name for s in self.sectors], "sector")
        _WorldChecks.deficits_sum_to_zero(self.countries)
        sectors = {s.name for s in self.sectors}
        for s in self.sectors:
            unknown = sorted(set(s.input_shares) - sectors)
            if unknown:
                raise ValueError(f"sector {s.name!r} has input_shares for unknown sectors {unknown}")
        cells = len(self.countries) * len(self.sectors)
        if self.firms.count < cells:
            raise ValueError(f"firms.count must be at least countries x sectors = {cells}, got {self.firms.count}")
        beta = sum(s.final_demand_share for s in self.sectors)
        if abs(beta - 1.0) > SHARE_TOL:
            raise ValueError(f"sector final_demand_share must sum to 1, got {beta:.12g}")
        countries = {c.name for c in self.countries}
        for rule in self.trade.tariffs:
            for who in (rule.importer, rule.exporter):
                if who != "*" and who not in countries:
                    raise ValueError(f"tariff rule names unknown country {who!r}")
            if rule.sector != "*" and rule.sector not in sectors:
                raise ValueError(f"tariff rule names unknown sector {rule.sector!r}")
        for bloc in self.trade.blocs:
            unknown = sorted(set(bloc.members) - countries)
            if unknown:
                raise ValueError(f"bloc {bloc.name!r} has unknown members {unknown}")
        return self


class CalibratedWorldConfig(ConfigBase):
    """A world whose period-0 MRIO reproduces a given table (Z, Y, VA)."""

    kind: Literal["calibrated"] = "calibrated"
    table: Path = Field(description="An MRIO table any `gvc indicators` reads (pymrio save_all folder).")
    format: str | None = Field(default=None, description="Raw table format (wiod2013, oecd, ...) or None for save_all.")
    year: int | None = Field(default=None, description="Year for raw multi-year formats.", json_schema_extra=unit("year"))
    firms: int = Field(
        default=500, ge=1, description="Total firms; at least one per country-sector with output.",
        json_schema_extra=unit("firms"),
    )
    size_dispersion: float = Field(default=1.0, ge=0, description="Std. dev. of log firm sizes within a cell, log points.")
    armington_elasticity: float = Field(
        default=4.0, gt=0, description="sigma (see TradeConfig), ratio.", json_schema_extra=unit("elasticity")
    )
    automatability: Share = Field(default=0.5, description="kappa for every sector, fraction.")
    automation: Share = Field(default=0.5, description="Initial automation a_f of every firm, fraction.")
    groups: dict[str, Literal["advanced", "emerging", "developing"]] = Field(
        default_factory=dict,
        description="Development group of the table's countries (regions), for the governments' choice of "
        "tools (Gao, Li & Zhu 2021); countries not listed count as advanced.",
    )


class PaperWorldConfig(ConfigBase):
    """Qu & Yang (2023) section 4: one sector, fixed shares mu, omega, nu, foreign shares equal.

    Intermediates: share mu bought at home and (1-mu)/(N-1) from each foreign country
    (eq. 1); final goods: share omega at home and (1-omega)/(N-1) from each foreign country
    (eq. 4); value-added share nu. Country sizes are final expenditures G_i (eq. 10).
    """

    kind: Literal["paper"] = "paper"
    countries: int = Field(
        default=5, ge=2, le=200, description="N, number of countries.", json_schema_extra=unit("countries")
    )
    mu: OpenShare = Field(default=0.6, description="Home share of intermediates mu (eq. 1), fraction.")
    nu: OpenShare = Field(default=0.45, description="Value-added share nu (eq. 1), fraction.")
    omega: OpenShare = Field(default=0.7, description="Home share of final goods omega (eq. 4), fraction.")
    sizes: list[Annotated[float, Field(gt=0)]] | None = Field(
        default=None, description="Final expenditure G_i per country (relative); default 1, 2, ..., N (unequal).",
        json_schema_extra=unit("relative"),
    )
    firms_per_country: int = Field(default=20, ge=1, description="Firms per country.", json_schema_extra=unit("firms"))
    size_dispersion: float = Field(default=1.0, ge=0, description="Std. dev. of log firm sizes, log points.")

    @model_validator(mode="after")
    def sizes_match(self) -> "PaperWorldConfig":
        if self.sizes is not None and len(self.sizes) != self.countries:
            raise ValueError(f"sizes has {len(self.sizes)} entries but countries is {self.countries}")
        return self


def _world_kind(value: Any) -> str:
    """The ``kind`` of world data; a world that names none is the default world."""
    if isinstance(value, dict):
        return value.get("kind", "default")
    return getattr(value, "kind", "default")


WorldConfig = Annotated[
    Union[
        Annotated[DefaultWorldConfig, Tag("default")],
        Annotated[CalibratedWorldConfig, Tag("calibrated")],
        Annotated[PaperWorldConfig, Tag("paper")],
    ],
    Discriminator(_world_kind),
]


class LabourConfig(ConfigBase):
    """Wage setting (DESIGN.md, "The economy, one period", labour)."""

    wage_mode: Literal["sticky", "flexible"] = Field(
        default="sticky",
        description="sticky: wages rise within the period where labour demand would exceed the labour force and fall "
        "only between periods, by partial adjustment (unemployment in [0, 1)); flexible: every labour market clears "
        "within the period.",
    )
    wage_adjustment: float = Field(
        default=0.3,
        gt=0,
        le=1,
        description="theta: w <- w (employment/labour force)^theta per period, elasticity. Labour demand "
        "responds to the wage with an elasticity e of about sigma or more (Armington), and the gap closes when "
        "theta * e < 2 (without overshooting when < 1).",
        json_schema_extra=unit("elasticity"),
    )
    numeraire: float | None = Field(
        default=None,
        gt=0,
        description="World nominal GDP of period 0 in model currency (the nominal anchor; it grows with the labour "
        "force valued at period-0 wages); None keeps the world's own (100 in the default world).",
        json_schema_extra=unit("model currency"),
    )


class ClearingConfig(ConfigBase):
    """Tolerances of the market clearing (DESIGN.md, "Market clearing")."""

    tol: float = Field(
        default=1e-10, gt=0, lt=1e-2, description="Relative tolerance of every fixed point.",
        json_schema_extra=unit("relative"),
    )
    max_iter: int = Field(
        default=10_000, ge=1, description="Iteration cap of each fixed point.", json_schema_extra=unit("iterations")
    )
    max_wage_iter: int = Field(
        default=500, ge=1, description="Iteration cap of the factor-price loop (sticky and flexible modes).",
        json_schema_extra=unit("iterations"),
    )
    wage_step: float = Field(
        default=1.0, gt=0, le=1,
        description="Caution of the factor-price loop's fallback: when a Broyden update is singular it steps "
        "as if the labour-demand elasticity were (1 + sigma) / (2 wage_step); smaller is more cautious, ratio.",
    )


# --------------------------------------------------------------------------- agents' parameters
# Stylized values chosen so the mechanisms of DESIGN.md "Agents and their decisions" show
# within tens of periods, not estimates; each description says where a default comes from.


class FirmBehaviour(ConfigBase):
    """Supplier review and automation (DESIGN.md, "Firm")."""

    review_rate: Share = Field(
        default=0.25,
        description="Probability that a firm reviews its suppliers of a given input sector in a period, per period "
        "(stylized: relationships last about four periods).",
        json_schema_extra=unit("probability per period"),
    )
    active: bool = Field(default=True, description="Firms review suppliers, automate and insource; false: all stay put.")
    switching_cost: float = Field(
        default=0.05, ge=0, le=5,
        description="A new supplier must lower the sector's CES input price by more than this margin, fraction.",
    )
    info_cost: float = Field(
        default=0.02,
        ge=0,
        description="iota: information barrier to finding a foreign supplier, exp(iota m (1 + distance)) with m "
        "the information-cost driver, per 1000 km; foreign reach scales with it like gravity, (.)^(1 - sigma), "
        "and technology diffusion from a foreign supplier by its inverse (see diffusion) "
        "(Baldwin's cost of moving ideas, seed 002; digital trade barriers, seed 000).",
        json_schema_extra=unit("per 1000 km"),
    )
    diffusion: Share = Field(
        default=0.0,
        description="lambda: speed of technology diffusion through supplier links, the fraction of the "
        "spending-weighted gap to suppliers ahead of the buyer closed per period, damped abroad by the "
        "information barrier: dlog z_f = lambda sum_g w_fg max(0, log z_g - log z_f) exp(-iota m (1 + d)) "
        "(digital barriers cut technology diffusion, seed 000; the cost of moving ideas, seed 002). 0 (off) "
        "keeps the unshocked world stationary; the seeds give no rate, so the scenarios that study the "
        "mechanism use a stylized 0.1 (a buyer of frontier suppliers only closes half its gap in about 7 periods).",
        json_schema_extra=unit("fraction per period"),
    )
    risk_learning: Share = Field(
        default=0.3, description="Learning rate of the perceived risk premium of an origin after disruptions.",
        json_schema_extra=unit("fraction per period"),
    )
    automation_elasticity: float = Field(
        default=2.0, gt=0,
        description="eta_R: Pareto tail of robot productivity across tasks, a* = min(1, (phi_R w / r)^eta_R) "
        "(Acemoglu & Restrepo 2018 task model), ratio.",
    )
    automation_speed: Share = Field(
        default=0.2, description="Fraction of the gap to the automation target closed per period.",
        json_schema_extra=unit("fraction per period"),
    )
    insourcing: float = Field(
        default=0.05, ge=0, lt=1,
        description="m_0: share of the intermediate bundle's tasks made in house at the benchmark (0 switches "
        "make-or-buy off); measured nu_f = nu0 + (1 - nu0) m (Qu & Yang 2023, Prop. 4), fraction.",
    )
    insourcing_elasticity: float = Field(
        default=2.0, gt=0,
        description="eta_M: tail of in-house productivity across bundle tasks, m* = 1 - (cVA / (phi_M P))^eta_M, ratio.",
    )
    insourcing_speed: Share = Field(
        default=0.2, description="Fraction of the gap to the insourcing target closed per period.",
        json_schema_extra=unit("fraction per period"),
    )


#: Default instrument costs by development group, shares of GDP (see InstrumentCosts for reasons).
_DEFAULT_COSTS = {
    "advanced": dict(sector_tariff=0.03, local_content=0.02, import_substitution=0.008, investment_limit=0.02,
                     targeted_tariff=0.002, leave_bloc=0.004, buy_local=0.002),
    "emerging": dict(sector_tariff=0.008, local_content=0.006, import_substitution=0.012, investment_limit=0.004,
                     targeted_tariff=0.012, leave_bloc=0.012, buy_local=0.008),
    "developing": dict(sector_tariff=0.002, local_content=0.003, import_substitution=0.02, investment_limit=0.002,
                       targeted_tariff=0.025, leave_bloc=0.02, buy_local=0.015),
}


class InstrumentCosts(ConfigBase):
    """Political, fiscal and legal cost kappa of one measure of each instrument for one development group.

    It is subtracted from the measure's expected value (jobs and value-added balance regained,
    weighted by pressure, less the Harberger loss; :func:`gvc_abm.agents.rules.measure_value`).
    The defaults differ by group for the reasons each field gives; they are orders of magnitude,
    not estimates. Gao, Li & Zhu (2021, seed 003) explain hypothesis 3 by these differences:
    advanced economies have the larger voice in international politics, developing economies
    little ("人微言轻") and react with economic policy, under WTO special and differential treatment.
    """

    sector_tariff: float = Field(
        default=0.006, ge=0, description="An MFN sector tariff rise. Advanced: high (bound rates equal applied "
        "rates, a rise breaches WTO bindings and invites authorized retaliation); developing: low (a large "
        "binding overhang under special and differential treatment, and tariff revenue is a fiscal asset).",
        json_schema_extra=unit("share of GDP"),
    )
    local_content: float = Field(
        default=0.006, ge=0, description="A local-content rule. Advanced: high (prohibited by the TRIMs "
        "agreement, challenged at once); developing: low (TRIMs transition periods and S&D treatment).",
        json_schema_extra=unit("share of GDP"),
    )
    import_substitution: float = Field(
        default=0.012, ge=0, description="A domestic-supplier subsidy. Fiscal: low for advanced economies (fiscal "
        "capacity, though actionable under the SCM agreement), high for developing ones (limited fiscal capacity).",
        json_schema_extra=unit("share of GDP"),
    )
    investment_limit: float = Field(
        default=0.004, ge=0, description="A cap on the foreign share of a sector's inputs. Advanced: high (OECD "
        "Codes of Liberalisation of Capital Movements, investment treaties); developing: low (investment "
        "limits and capital-account restrictions are their common means, seed 003 Table 2 and Tables 5-6).",
        json_schema_extra=unit("share of GDP"),
    )
    targeted_tariff: float = Field(
        default=0.01, ge=0, description="A tariff aimed at one partner. Advanced: low (political leverage, "
        "security exceptions, seed 003); developing: high (little voice in international politics, seed 003). "
        "The partner's retaliation risk is computed from its market power, not set here.",
        json_schema_extra=unit("share of GDP"),
    )
    leave_bloc: float = Field(
        default=0.012, ge=0, description="Withdrawal from the bloc (Brexit, leaving agreements: seed 003 Table 6). "
        "Advanced: lower (political withdrawal is their answer, seed 003); developing: high (export-led growth "
        "depends on regional market access). The lost access itself is computed, not set here.",
        json_schema_extra=unit("share of GDP"),
    )
    buy_local: float = Field(
        default=0.006, ge=0, description="A buy-local campaign. Advanced: low (public procurement and campaigns "
        "are political means at hand); developing: higher (little budget for campaigns and procurement rules).",
        json_schema_extra=unit("share of GDP"),
    )


def _group_costs(group: str) -> type[InstrumentCosts]:
    """:class:`InstrumentCosts` with the group's defaults (so ``gvc config keys`` shows each group's own)."""
    fields = {
        name: (float, Field(default=value, ge=0, description=InstrumentCosts.model_fields[name].description,
                            json_schema_extra=unit("share of GDP")))
        for name, value in _DEFAULT_COSTS[group].items()
    }
    model = create_model(f"{group.capitalize()}Costs", __base__=InstrumentCosts, __module__=__name__, **fields)
    model.__doc__ = f"Instrument costs of {group} economies (reasons in each field's description)."
    return model


AdvancedCosts = _group_costs("advanced")
EmergingCosts = _group_costs("emerging")
DevelopingCosts = _group_costs("developing")


class GroupCosts(ConfigBase):
    """Instrument costs by development group (Gao, Li & Zhu 2021, hypothesis 3; reasons per instrument).

    Setting the three groups equal removes every group difference from the rule: any split of
    instruments by group is then the observations' doing alone.
    """

    advanced: AdvancedCosts = Field(default_factory=AdvancedCosts,
                                    description="Costs for advanced economies (WTO bindings, TRIMs, OECD codes; "
                                    "political leverage).")
    emerging: EmergingCosts = Field(default_factory=EmergingCosts,
                                    description="Costs for emerging economies (between the other two groups).")
    developing: DevelopingCosts = Field(default_factory=DevelopingCosts,
                                        description="Costs for developing economies (binding overhang, S&D treatment; "
                                        "limited fiscal capacity and political voice).")

    def matrix(self, names: tuple[str, ...]) -> list[list[float]]:
        """Rows advanced, emerging, developing; a column per instrument name (0 where it has no cost)."""
        return [[float(getattr(row, n, 0.0)) for n in names] for row in (self.advanced, self.emerging, self.developing)]


class GovernmentBehaviour(ConfigBase):
    """Protection pressure and the policy response (DESIGN.md, "Government"; Gao, Li & Zhu 2021)."""

    active: bool | None = Field(
        default=None,
        description="Governments read the MRIO and act; false: passive (no measures). Default: true, but false in "
        "the paper world (Qu & Yang 2023 have no policy).",
    )
    weight_tbi: float = Field(
        default=2.0, ge=0, description="Weight of a value-added trade deficit, -TBI, in pressure.",
        json_schema_extra=unit("pressure per unit"),
    )
    weight_tbi_fall: float = Field(
        default=10.0, ge=0, description="Weight of a fall in TBI since last period.",
        json_schema_extra=unit("pressure per unit"),
    )
    weight_unemployment: float = Field(
        default=5.0, ge=0, description="Weight of the unemployment rate.", json_schema_extra=unit("pressure per unit")
    )
    weight_jobs: float = Field(
        default=5.0, ge=0, description="Weight of the relative loss of manufacturing jobs.",
        json_schema_extra=unit("pressure per unit"),
    )
    weight_penetration: float = Field(
        default=0.5, ge=0, description="Weight of the highest sectoral import penetration.",
        json_schema_extra=unit("pressure per unit"),
    )
    protect_threshold: float = Field(
        default=0.6, ge=0, description="Pressure above which a government restricts trade.",
        json_schema_extra=unit("pressure"),
    )
    retaliate_threshold: float = Field(
        default=0.3, ge=0, description="Pressure above which it retaliates when targeted.",
        json_schema_extra=unit("pressure"),
    )
    liberalize_threshold: float = Field(
        default=0.15, ge=0, description="Pressure below which it liberalizes or joins a bloc.",
        json_schema_extra=unit("pressure"),
    )
    tariff_step: float = Field(default=0.1, gt=0, le=1, description="Tariff increase of one measure, ad valorem fraction.")
    max_tariff: float = Field(default=1.0, gt=0, le=5, description="Ceiling of any tariff, ad valorem fraction.")
    local_content_step: Share = Field(
        default=0.1, description="Rise of a minimum domestic input share per measure.",
        json_schema_extra=unit("fraction"),
    )
    subsidy_step: Share = Field(default=0.05, description="Rise of a domestic-supplier subsidy per measure, fraction of cost.")
    buy_local_step: float = Field(default=0.15, gt=0, description="Rise of households' home-bias weight per campaign, log points.")
    liberalize_step: Share = Field(
        default=0.25, description="Fraction of every measure unwound by one liberalization: tariffs move this "
        "fraction of the way back to their MFN level, rules, subsidies, limits and campaigns decay by it.",
        json_schema_extra=unit("fraction"),
    )
    investment_step: Share = Field(
        default=0.1, description="Cut of the cap on the foreign share of a sector's inputs per investment-limit "
        "measure, below the foreign share in force (seed 003: investment limits).",
        json_schema_extra=unit("fraction"),
    )
    costs: GroupCosts = Field(
        default_factory=GroupCosts,
        description="Cost of one measure of each instrument by development group, subtracted from its expected value.",
    )
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

    active: bool = Field(default=True, description="Households follow campaigns and the home-bias driver; false: fixed tastes.")
    max_home_bias: float = Field(
        default=3.0, gt=0, description="Ceiling of the log home-bias weight campaigns can reach, log points."
    )


class AgentsConfig(ConfigBase):
    """Whether agents decide at all (off = exogenous drivers only) and their parameters."""

    enabled: bool = Field(default=True, description="Run the agents' decisions between clearings (false: every kind passive).")
    firms: FirmBehaviour = Field(default_factory=FirmBehaviour)
    governments: GovernmentBehaviour = Field(default_factory=GovernmentBehaviour)
    households: HouseholdBehaviour = Field(default_factory=HouseholdBehaviour)


# --------------------------------------------------------------------------- exogenous drivers
# Every driver is a time path; how a path is evaluated is environment/drivers.py.

#: Who a per-country driver entry names, from the most specific to the least: a country wins
#: over its region, a region over a development group, a group over "*"; a country follows the
#: whole schedule of the most specific entry that names it (schedules are not merged).
WHO_FORMS = ("COUNTRY", "region:NAME", "group:NAME", "*")
_GROUPS = ("advanced", "emerging", "developing")


def _period_key(key: Any) -> int:
    """A schedule key as a period: a whole number >= 0 (YAML may give it as text, ``"3"``)."""
    if isinstance(key, bool):
        raise ValueError(f"{key!r} is not a period")
    if isinstance(key, int):
        period = key
    elif isinstance(key, str) and key.strip().lstrip("-").isdigit():
        period = int(key.strip())
    else:
        raise ValueError(f"key {key!r} is neither a period (a whole number) nor 'linear'")
    if period < 0:
        raise ValueError(f"period {period} is negative")
    return period


class Schedule(BaseModel):
    """A time path ``{PERIOD: VALUE}``, a step function: the value of the latest key at or before the
    period. With ``linear: true`` beside the keys (``{2: 1.0, 12: 0.4, linear: true}``) the value is
    interpolated linearly between keys. Before the first key the driver's default holds (its
    no-change value), after the last key the last value."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    points: dict[int, float] = Field(default_factory=dict, description="Value from each period on.")
    linear: bool = Field(default=False, description="Interpolate linearly between keys.")

    @model_validator(mode="before")
    @classmethod
    def _from_mapping(cls, data: Any) -> Any:
        if isinstance(data, Schedule):
            return data
        if not isinstance(data, dict):
            raise ValueError(f"a schedule is a mapping {{period: value}} (optionally with linear: true), got {data!r}")
        if "points" in data and set(data) <= {"points", "linear"}:  # the model's own field form
            data = {**data["points"], **({"linear": data["linear"]} if "linear" in data else {})}
        points: dict[int, float] = {}
        linear = False
        for key, value in data.items():
            if key == "linear":
                if not isinstance(value, bool):
                    raise ValueError(f"linear must be true or false, got {value!r}")
                linear = value
                continue
            period = _period_key(key)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"the value at period {period} must be a number, got {value!r}")
            points[period] = float(value)
        return {"points": dict(sorted(points.items())), "linear": linear}

    @model_serializer(mode="plain")
    def _to_mapping(self) -> dict:
        out: dict = dict(self.points)
        if self.linear:
            out["linear"] = True
        return out


#: A per-country driver: ``{WHO: schedule}`` (WHO_FORMS), a bare number being the value from period 0.
CountrySchedules = dict[str, Union[float, Schedule]]


def as_schedule(value: float | Schedule) -> Schedule:
    """A bare number as the schedule ``{0: value}``; a schedule unchanged."""
    return value if isinstance(value, Schedule) else Schedule.model_validate({0: float(value)})


def _who_syntax(who: str, where: str) -> None:
    """The form of a WHO key (names are checked against the world when it is built)."""
    if not who or not who.strip():
        raise ValueError(f"{where}: empty name; use a country, '*', 'region:NAME' or 'group:NAME'")
    if who.startswith("group:") and who[len("group:"):] not in _GROUPS:
        raise ValueError(f"{where}: unknown group {who[len('group:'):]!r}; groups are {', '.join(_GROUPS)}")
    if who.startswith("region:") and not who[len("region:"):].strip():
        raise ValueError(f"{where}: empty region name")


class BlocEvent(ConfigBase):
    """A bloc agreement signed (members join) or a member leaving, at a period."""

    period: int = Field(ge=0, description="Period at which the event takes effect.", json_schema_extra=unit("period"))
    bloc: str = Field(min_length=1, description="Bloc name.")
    members: list[str] = Field(min_length=1, description="Countries joining (action join) or leaving (action leave).")
    action: str = Field(default="join", pattern="^(join|leave)$", description="join or leave.")
    cost_cut: Share = Field(
        default=0.0,
        description="Cut of the iceberg trade-cost margins (t - 1) between members on joining, fraction "
        "(trade facilitation of an agreement such as RCEP, seed 000).",
        json_schema_extra=unit("fraction"),
    )


GOODS = ("all", "intermediate", "final")


class TariffShock(TariffRule):
    """A tariff rule set by decree at a period (a trade war), from then on until agents change it."""

    period: int = Field(ge=0, description="Period at which the tariff is set.", json_schema_extra=unit("period"))
    importer: str = Field(min_length=1, description="Importing country, '*', 'region:NAME' or 'group:NAME'.")
    exporter: str = Field(min_length=1, description="Exporting country, '*', 'region:NAME' or 'group:NAME'.")
    goods: Literal["all", "intermediate", "final"] = Field(
        default="all", description="Which purchases the tariff applies to: firms' intermediates, households' "
        "final goods, or all."
    )


class TariffDriver(ConfigBase):
    """A tariff path set by decree: at the first key of ``rate`` and at every period where its value
    changes, the statutory tariff of the named cells is set to it (between changes governments may move it,
    as after a tariff shock)."""

    importer: str = Field(min_length=1, description="Importing country, '*', 'region:NAME' or 'group:NAME'.")
    exporter: str = Field(min_length=1, description="Exporting country, '*', 'region:NAME' or 'group:NAME'.")
    sector: str = Field(default="*", min_length=1, description="Sector name or '*'.")
    goods: Literal["all", "intermediate", "final"] = Field(
        default="all", description="Which purchases the tariff applies to: firms' intermediates, households' "
        "final goods, or all."
    )
    rate: Union[float, Schedule] = Field(
        description="Ad valorem rate tau, a schedule {period: rate} (a bare number: from period 0), in [0, 5].",
        json_schema_extra=unit("ad valorem fraction"),
    )

    @model_validator(mode="after")
    def sensible(self):
        if self.importer == self.exporter != "*":
            raise ValueError(f"importer and exporter are both {self.importer!r}: a country puts no tariff on its own goods")
        for key in ("importer", "exporter"):
            _who_syntax(getattr(self, key), f".{key}")
        for period, value in as_schedule(self.rate).points.items():
            if not 0.0 <= value <= 5.0:
                at = f".{period}" if isinstance(self.rate, Schedule) else ""
                raise ValueError(f".rate{at}: a tariff must lie in [0, 5], got {value:g}")
        return self


class PeriodRange(ConfigBase):
    """Periods ``start`` to ``end`` inclusive."""

    start: int = Field(ge=0, description="First period.", json_schema_extra=unit("period"))
    end: int = Field(ge=0, description="Last period (inclusive).", json_schema_extra=unit("period"))

    @model_validator(mode="after")
    def end_not_before_start(self):
        if self.end < self.start:
            raise ValueError("end must not be before start")
        return self


class Disruption(PeriodRange):
    """A supply disruption: a country's capacity (productivity) cut for periods start to end."""

    country: str = Field(min_length=1, description="Country hit, '*', 'region:NAME' or 'group:NAME'.")
    sector: str = Field(default="*", min_length=1, description="Sector hit, or '*' for all.")
    loss: float = Field(
        gt=0, lt=1, description="Share of capacity lost: productivity is multiplied by 1 - loss.",
        json_schema_extra=unit("fraction"),
    )


class Easing(PeriodRange):
    """Monetary easing as an investment push, periods start to end: extra spending financed by the rest of the world."""

    country: str = Field(min_length=1, description="Country that eases, 'region:NAME' or 'group:NAME'.")
    push: float = Field(gt=0, le=0.5, description="Extra spending as a share of world GDP added to its deficit, fraction.")


#: Value ranges of the per-country drivers (inclusive), checked at every key of every schedule.
COUNTRY_DRIVER_RANGES = {
    "labour_growth": (-0.5, 1.0),
    "technology_growth": (-0.5, 1.0),
    "home_bias": (-10.0, 10.0),
    "local_content": (0.0, 1.0),
    "supplier_subsidy": (0.0, 0.5),
    "investment_limits": (0.0, 1.0),
}

_WHO_DOC = ("{WHO: {PERIOD: VALUE}} with WHO a country, '*', 'region:NAME' or 'group:NAME' (country over region "
            "over group over '*'); a bare number is the value from period 0; add linear: true to interpolate.")


class DriversConfig(ConfigBase):
    """Exogenous time paths of a scenario (all optional: the default is a stationary world)."""

    labour_growth: CountrySchedules = Field(
        default_factory=dict, description="Labour-force growth per period, " + _WHO_DOC + " 0 before a schedule starts.",
        json_schema_extra=unit("fraction per period"),
    )
    technology_growth: CountrySchedules = Field(
        default_factory=dict, description="Technology A_c growth per period, " + _WHO_DOC + " 0 before a schedule "
        "starts.",
        json_schema_extra=unit("fraction per period"),
    )
    home_bias: CountrySchedules = Field(
        default_factory=dict,
        description="Log shift of households' preference for home goods (local preference not built by campaigns, "
        "DESIGN.md, Household), " + _WHO_DOC + " 0 before a schedule starts.",
        json_schema_extra=unit("log points"),
    )
    local_content: CountrySchedules = Field(
        default_factory=dict,
        description="Minimum domestic share of a sector's inputs for the country's firms (every sector), by decree: "
        "set at a schedule's first key and wherever its value changes, then moved by the government's own measures; "
        + _WHO_DOC,
        json_schema_extra=unit("fraction"),
    )
    supplier_subsidy: CountrySchedules = Field(
        default_factory=dict,
        description="Subsidy on domestic suppliers' price in the firms' sourcing choice (import substitution), by "
        "decree like local_content, at most 0.5 (the ceiling of governments' own subsidies); " + _WHO_DOC,
        json_schema_extra=unit("fraction of price"),
    )
    investment_limits: CountrySchedules = Field(
        default_factory=dict,
        description="Cap on the foreign share of each sector's inputs bought by the country's firms (1 = no limit; "
        "seed 003), by decree like local_content; " + _WHO_DOC,
        json_schema_extra=unit("fraction"),
    )
    deficits: dict[int, dict[str, float]] = Field(
        default_factory=dict,
        description="Trade deficits from a period on, {period: {country: share of world GDP}}; countries not "
        "listed keep their configured deficit and the result must sum to 0 (a step schedule).",
        json_schema_extra=unit("share of world GDP"),
    )
    robot_price: Schedule = Field(
        default_factory=Schedule, description="Robot price, {PERIOD: VALUE} (linear: true to interpolate), 1 before "
        "the first key.",
        json_schema_extra=unit("multiple of period 0"),
    )
    trade_cost: Schedule = Field(
        default_factory=Schedule, description="Iceberg trade-cost margins (t - 1), {PERIOD: VALUE} (linear: true to "
        "interpolate), 1 before the first key.",
        json_schema_extra=unit("multiple of period 0"),
    )
    info_cost: Schedule = Field(
        default_factory=Schedule, description="Information / digital barrier, multiple of agents.firms.info_cost, "
        "{PERIOD: VALUE} (linear: true to interpolate), 1 before the first key.",
        json_schema_extra=unit("multiple of period 0"),
    )
    demand: Schedule = Field(
        default_factory=Schedule, description="World nominal spending, a multiple of the nominal anchor (world GDP "
        "grown with the labour force), {PERIOD: VALUE} (linear: true to interpolate), 1 before the first key; below 1 "
        "an aggregate demand shortfall: with sticky wages it costs jobs and real income, with flexible wages only "
        "prices fall.",
        json_schema_extra=unit("multiple of the anchor"),
    )
    blocs: list[BlocEvent] = Field(default_factory=list, description="Bloc agreements and exits.")
    tariff_shocks: list[TariffShock] = Field(default_factory=list, description="Tariffs set by decree (trade wars).")
    tariffs: list[TariffDriver] = Field(
        default_factory=list,
        description="Tariff paths by decree, applied after tariff_shocks in list order: {importer, exporter, sector, "
        "goods: all|intermediate|final, rate: schedule}.",
    )
    disruptions: list[Disruption] = Field(default_factory=list, description="Supply disruptions.")
    easing: list[Easing] = Field(default_factory=list, description="Monetary easing (investment pushes).")

    @model_validator(mode="after")
    def values_in_range(self):
        for name in ("robot_price", "trade_cost", "info_cost"):
            for period, value in getattr(self, name).points.items():
                if value < 0:
                    raise ValueError(f"drivers.{name}.{period}: a multiplier must be non-negative, got {value:g}")
        for period, value in self.demand.points.items():
            if value <= 0:
                raise ValueError(f"drivers.demand.{period}: world spending must stay positive, got {value:g}")
        for name, (lo, hi) in COUNTRY_DRIVER_RANGES.items():
            for who, value in getattr(self, name).items():
                _who_syntax(who, f"drivers.{name}.{who}")
                sched = as_schedule(value)
                for period, v in sched.points.items():
                    if not lo <= v <= hi:
                        at = f".{period}" if isinstance(value, Schedule) else ""
                        raise ValueError(f"drivers.{name}.{who}{at}: {v:g} is outside [{lo:g}, {hi:g}]")
        for k, d in enumerate(self.disruptions):
            _who_syntax(d.country, f"drivers.disruptions.{k}.country")
        for k, e in enumerate(self.easing):
            if e.country == "*":
                raise ValueError(f"drivers.easing.{k}.country: '*' leaves no one to finance the push; name a country, "
                                 "region or group")
            _who_syntax(e.country, f"drivers.easing.{k}.country")
        for k, shock in enumerate(self.tariff_shocks):
            for key in ("importer", "exporter"):
                _who_syntax(getattr(shock, key), f"drivers.tariff_shocks.{k}.{key}")
        return self

    def dated(self) -> list[tuple[str, int]]:
        """Every (field path under ``drivers``, period) at which a driver acts or starts."""
        out = [(f"tariff_shocks.{k}.period", e.period) for k, e in enumerate(self.tariff_shocks)]
        out += [(f"blocs.{k}.period", e.period) for k, e in enumerate(self.blocs)]
        out += [(f"disruptions.{k}.start", e.start) for k, e in enumerate(self.disruptions)]
        out += [(f"easing.{k}.start", e.start) for k, e in enumerate(self.easing)]
        out += [(f"deficits.{period}", period) for period in self.deficits]
        for name in ("robot_price", "trade_cost", "info_cost", "demand"):
            out += [(f"{name}.{period}", period) for period in getattr(self, name).points]
        for name in COUNTRY_DRIVER_RANGES:
            for who, value in getattr(self, name).items():
                if isinstance(value, Schedule):
                    out += [(f"{name}.{who}.{period}", period) for period in value.points]
        for k, rule in enumerate(self.tariffs):
            if isinstance(rule.rate, Schedule):
                out += [(f"tariffs.{k}.rate.{period}", period) for period in rule.rate.points]
        return out


class SimulationConfig(ConfigBase):
    """A run: a world, how many periods, the seed, the engine and the clearing settings."""

    world: WorldConfig = Field(default_factory=DefaultWorldConfig)
    periods: int = Field(
        default=10, ge=1, le=100_000, description="Number of periods.", json_schema_extra=unit("periods")
    )
    seed: int = Field(default=0, ge=0, description="Seed of the run's numpy Generator.")
    engine: Literal["numba", "mesa", "reference"] = Field(
        default="numba",
        description="numba: decisions and clearing compiled; mesa (alias reference): Mesa agents and plain-Python clearing.",
    )
    labour: LabourConfig = Field(default_factory=LabourConfig)
    clearing: ClearingConfig = Field(default_factory=ClearingConfig)
    save_mrio: bool = Field(default=False, description="Write each period's MRIO (pymrio save_all, parquet).")
    agents: AgentsConfig = Field(default_factory=AgentsConfig, description="The agents' decision rules and parameters.")
    drivers: DriversConfig = Field(default_factory=DriversConfig, description="Exogenous time paths of the scenario.")

    @model_validator(mode="after")
    def drivers_within_the_run(self):
        """A driver dated after the last period would never act: an error, not a silent no-op."""
        last = self.periods - 1
        dated = self.drivers.dated()
        for where, period in dated:
            if period > last:
                raise ValueError(f"drivers.{where}: period {period} is after the last period of the run, {last} "
                                 f"(periods: {self.periods}); the driver would never act")
        return self


def validate_config(model: type[BaseModel], data: Any, *, prefix: str = "") -> Any:
    """``model.model_validate(data)`` with a one-line :class:`ConfigError` on failure."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_validation_error(exc, prefix)) from None


def read_config_data(path: str | Path) -> dict:
    """Plain data from a YAML (.yaml/.yml) or TOML (.toml) file; one-line error naming the file."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such config file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at position {exc.start}); "
                          "save the config as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc.strerror or exc})") from None
    try:
        data = tomllib.loads(text) if path.suffix.lower() == ".toml" else yaml.safe_load(text)
    except (yaml.YAMLError, tomllib.TOMLDecodeError) as exc:
        first = " ".join(str(exc).split())
        raise ConfigError(f"{path}: not valid {'TOML' if path.suffix.lower() == '.toml' else 'YAML'} ({first})") from None
    if data is None or data == {}:
        raise ConfigError(f"{path}: the config file is empty (for the default world write `world: {{kind: default}}`)")
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the config must be a mapping of keys to values")
    return data


def load_config(path: str | Path, model: type[BaseModel] = SimulationConfig) -> Any:
    """Read and validate a config file (YAML or TOML); the inverse of ``to_yaml``."""
    return validate_config(model, read_config_data(path))


def _parse_value(text: str) -> Any:
    """A ``--set`` value: YAML scalar or flow collection (``5``, ``0.6``, ``[1, 2]``, ``true``)."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def apply_overrides(data: dict, overrides: list[str]) -> dict:
    """Apply ``dotted.key=value`` overrides to plain config data (a new dict; input untouched).

    List items are addressed by index (``world.countries.0.labour_force=10``). Validation
    happens afterwards, so an unknown key is reported with its path by the model.
    """
    import copy

    out = copy.deepcopy(data)
    for item in overrides:
        if "=" not in item:
            raise ConfigError(f"--set {item}: expected dotted.key=value")
        key, _, raw = item.partition("=")
        parts = [p for p in key.strip().split(".") if p]
        if not parts:
            raise ConfigError(f"--set {item}: empty key")
        node: Any = out
        for depth, p in enumerate(parts[:-1]):
            where = ".".join(parts[: depth + 1])
            if isinstance(node, list):
                if not p.isdigit() or int(p) >= len(node):
                    raise ConfigError(f"{where}: no list item {p} (the list has {len(node)} items)")
                node = node[int(p)]
            elif isinstance(node, dict):
                if p not in node or node[p] is None:
                    node[p] = {}
                node = node[p]
            else:
                raise ConfigError(f"{where}: is a value, not a section")
        last = parts[-1]
        value = _parse_value(raw)
        if isinstance(node, list):
            if not last.isdigit() or int(last) >= len(node):
                raise ConfigError(f"{key}: no list item {last} (the list has {len(node)} items)")
            node[int(last)] = value
        elif isinstance(node, dict):
            node[last] = value
        else:
            raise ConfigError(f"{key}: cannot set a key inside a value")
    return out


# --------------------------------------------------------------------------- the list of keys

#: Units a field description may end with (", fraction."); other fields state theirs in
#: ``json_schema_extra={"unit": ...}``.
_UNITS = ("fraction", "ratio", "index", "log points", "elasticity", "millions of workers", "thousands of km",
          "fraction of automatable tasks", "fraction of cost", "ad valorem fraction")


@dataclass(frozen=True)
class ConfigKey:
    """One config key: dotted path (list items as ``<i>``, map keys as ``<key>``), type, default, unit, description."""

    path: str
    type: str
    default: str
    unit: str
    description: str


def _unit(field) -> str:
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    if "unit" in extra:
        return str(extra["unit"])
    text = (field.description or "").rstrip(".")
    tail = text.rsplit(", ", 1)[-1] if ", " in text else ""
    return tail if tail in _UNITS else ""


def _bounds(metadata) -> str:
    lo = hi = None
    for m in metadata:
        for attr, sym in (("ge", "["), ("gt", "(")):
            if getattr(m, attr, None) is not None:
                lo = (sym, getattr(m, attr))
        for attr, sym in (("le", "]"), ("lt", ")")):
            if getattr(m, attr, None) is not None:
                hi = (sym, getattr(m, attr))
    if lo and hi:
        return f" in {lo[0]}{lo[1]:g}, {hi[1]:g}{hi[0]}"
    if lo:
        return f" {'>=' if lo[0] == '[' else '>'} {lo[1]:g}"
    if hi:
        return f" {'<=' if hi[0] == ']' else '<'} {hi[1]:g}"
    return ""


def _type_name(ann, metadata=()) -> str:
    origin, args = get_origin(ann), get_args(ann)
    if origin is Annotated:
        return _type_name(args[0], [m for a in args[1:] for m in (getattr(a, "metadata", None) or [a])])
    if origin is Literal:
        return " | ".join(str(a) for a in args)
    if origin in (Union, UnionType):
        names = [_type_name(a) for a in args if a is not type(None)]
        return " | ".join(names) + (" or null" if type(None) in args else "")
    if origin is list:
        return f"list of {_type_name(args[0])}"
    if origin is tuple:
        return "(" + ", ".join(_type_name(a) for a in args) + ")"
    if origin is dict:
        return f"map {_type_name(args[0])} -> {_type_name(args[1])}"
    name = {Path: "path"}.get(ann, getattr(ann, "__name__", str(ann)))
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        name = ann.__name__.removesuffix("Config")
    return name + _bounds(metadata)


def _default(field) -> str:
    if field.default_factory is not None:
        value = field.default_factory()
    elif field.is_required():
        return "required"
    else:
        value = field.default
    if isinstance(value, Schedule):
        value = value.model_dump(mode="json")
    if isinstance(value, list) and value and isinstance(value[0], BaseModel):
        return f"{len(value)} items"
    if isinstance(value, BaseModel):
        return ""
    return yaml.safe_dump(_plain(value), default_flow_style=True, width=10_000).strip().removesuffix("...").strip()


def _plain(value):
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _models_in(ann) -> list[type[BaseModel]]:
    """Config models an annotation holds directly, as an optional or as a (discriminated) union."""
    if get_origin(ann) is Annotated:
        ann = get_args(ann)[0]
    cands = get_args(ann) if get_origin(ann) in (Union, UnionType) else (ann,)
    cands = [get_args(a)[0] if get_origin(a) is Annotated else a for a in cands]
    return [a for a in cands if isinstance(a, type) and issubclass(a, ConfigBase)]


def _walk(model: type[BaseModel], prefix: str, note: str, out: list[ConfigKey], skip: tuple[str, ...] = ()) -> None:
    for name, field in model.model_fields.items():
        if name in skip:
            continue
        path = f"{prefix}.{name}" if prefix else name
        ann = field.annotation
        models = _models_in(ann)
        if len(models) > 1:  # a union of kinds (the world): its kind, then each kind's keys marked with it
            kinds = [m.model_fields["kind"].default for m in models]
            default = field.default_factory().kind if field.default_factory is not None else "required"
            doc = "; ".join(f"{k}: {(m.__doc__ or '').splitlines()[0].rstrip('.')}" for k, m in zip(kinds, models))
            out.append(ConfigKey(f"{path}.kind", " | ".join(kinds), default, "", f"Kind of {name}. {doc}."))
            for m, kind in zip(models, kinds):
                _walk(m, path, f"[{kind} {name}] ", out, skip=("kind",))
            continue
        if models:
            _walk(models[0], path, note, out)
            continue
        if get_origin(ann) is list and _models_in(get_args(ann)[0]):
            item = _models_in(get_args(ann)[0])[0]
            out.append(ConfigKey(path, _type_name(ann), _default(field), "", note + (field.description or item.__doc__ or "")))
            _walk(item, f"{path}.<i>", note, out)
            continue
        out.append(ConfigKey(path, _type_name(ann, field.metadata), _default(field), _unit(field),
                             note + " ".join((field.description or "").split())))


def config_keys(prefix: str = "", model: type[BaseModel] | None = None) -> list[ConfigKey]:
    """Every key of ``model`` (default :class:`SimulationConfig`) at or under the dotted path ``prefix``.

    Generated from the pydantic fields: list items appear as ``<i>`` (``world.countries.<i>.name``),
    and the keys of each world kind are marked with it (``[paper world]``); a key that two kinds
    share with the same meaning appears once, marked with both.
    """
    rows: list[ConfigKey] = []
    _walk(model or SimulationConfig, "", "", rows)
    merged: dict[tuple, list[str]] = {}
    for r in rows:
        kind = re.match(r"^\[(\w+) world\] ", r.description)
        key = (r.path, r.type, r.default, r.unit, r.description[kind.end():] if kind else r.description)
        merged.setdefault(key, []).append(kind.group(1) if kind else "")
    out = []
    for (path, type_, default, unit, desc), kinds in merged.items():
        kinds = [k for k in kinds if k]
        note = f"[{', '.join(kinds)} world] " if kinds else ""
        out.append(ConfigKey(path, type_, default, unit, note + desc))
    prefix = prefix.strip().rstrip(".")
    return [r for r in out if not prefix or r.path == prefix or r.path.startswith(prefix + ".")]
