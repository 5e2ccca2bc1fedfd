"""Named scenarios for ``gvc run``: configs as data, one YAML file each in ``library/``.

A scenario file is config data for :class:`~gvc_abm.environment.config.SimulationConfig` plus
three documentation keys: ``summary`` (one line), ``description`` (a paragraph naming the seed
paper and the facts of FACTS.md it speaks to) and ``aliases`` (other names it answers to). A
copy of a scenario file is itself a config file for ``gvc run FILE``. ``--set dotted.key=value``
overrides and the ``--periods/--seed/--firms/--engine`` options are applied to that data and the
result is validated once, so every error names its field path.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from gvc_abm.environment.config import (
    ConfigError,
    PaperWorldConfig,
    SimulationConfig,
    apply_overrides,
    read_config_data,
    validate_config,
)

__all__ = ["LIBRARY", "DOC_KEYS", "ORDER", "Scenario", "SCENARIOS", "library", "scenario", "scenario_data", "make_config"]

#: The folder of the bundled scenario files (package data).
LIBRARY = Path(__file__).resolve().parent / "library"

#: Keys of a scenario file that document it and are not config.
DOC_KEYS = ("summary", "description", "aliases")


@dataclass(frozen=True)
class Scenario:
    """A bundled scenario: its name, documentation, config data and the file it comes from."""

    name: str
    summary: str
    description: str
    data: dict
    path: Path
    aliases: tuple[str, ...] = field(default=())

    @property
    def text(self) -> str:
        """The scenario file as written (YAML)."""
        return self.path.read_text(encoding="utf-8")


def _load(path: Path) -> Scenario:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or not raw.get("summary") or not raw.get("description"):
        raise ConfigError(f"{path.name}: a scenario file needs summary and description")  # pragma: no cover
    data = {k: v for k, v in raw.items() if k not in DOC_KEYS}
    return Scenario(path.stem, " ".join(raw["summary"].split()), " ".join(raw["description"].split()), data, path,
                    tuple(raw.get("aliases") or ()))


#: The order ``gvc scenarios`` lists them in: the reference worlds, then the shocks; files not named here follow.
ORDER = ("baseline", "paper", "calibrated", "trade-war", "automation-wave", "bloc", "digital-barriers", "disruption",
         "qe-protectionism", "catch-up", "transport-vs-ideas", "historical")


def _rank(path: Path) -> tuple[int, str]:
    return (ORDER.index(path.stem) if path.stem in ORDER else len(ORDER), path.stem)


def library() -> dict[str, Scenario]:
    """Every bundled scenario by name, in :data:`ORDER` (aliases not included)."""
    return {s.name: s for s in map(_load, sorted(LIBRARY.glob("*.yaml"), key=_rank))}


_LIBRARY = library()
_ALIASES = {alias: s.name for s in _LIBRARY.values() for alias in s.aliases}

#: name or alias -> (summary, config data); kept for callers of the first scenario table.
SCENARIOS: dict[str, tuple[str, dict]] = {
    **{name: (s.summary, s.data) for name, s in _LIBRARY.items()},
    **{alias: (_LIBRARY[name].summary, _LIBRARY[name].data) for alias, name in _ALIASES.items()},
}


def scenario(name: str) -> Scenario:
    """The bundled scenario called ``name`` (or one of its aliases); a ConfigError otherwise."""
    key = _ALIASES.get(name, name)
    if key not in _LIBRARY:
        raise ConfigError(f"SCENARIO: unknown scenario {name!r}; expected one of {', '.join(_LIBRARY)} (gvc scenarios)")
    return _LIBRARY[key]


def scenario_data(name: str) -> dict:
    """Config data of a named scenario or of a YAML/TOML config file (documentation keys dropped)."""
    if name in SCENARIOS:
        return copy.deepcopy(SCENARIOS[name][1])
    path = Path(name)
    if path.suffix.lower() in (".yaml", ".yml", ".toml") or path.exists():
        data = {k: v for k, v in read_config_data(path).items() if k not in DOC_KEYS}
        if not data:
            raise ConfigError(f"{path}: the config file holds only documentation keys ({', '.join(DOC_KEYS)})")
        return data
    raise ConfigError(f"SCENARIO: unknown scenario {name!r}; expected one of {', '.join(SCENARIOS)} or a YAML/TOML config file")


def make_config(
    name: str,
    overrides: list[str] | None = None,
    *,
    periods: int | None = None,
    seed: int | None = None,
    firms: int | None = None,
    engine: str | None = None,
    save_mrio: bool | None = None,
) -> SimulationConfig:
    """Scenario data + overrides + options, validated into a :class:`SimulationConfig`.

    ``firms`` is the total number of firms: ``world.firms.count`` of the default world,
    ``world.firms`` of a calibrated one, and ``world.firms_per_country = firms // countries``
    (at least 1) of the paper world.
    """
    data = scenario_data(name)
    for key, value in (("periods", periods), ("seed", seed), ("engine", engine), ("save_mrio", save_mrio)):
        if value is not None:  # before the defaults are materialized: --periods may make a driver date valid
            data[key] = value
    try:  # materialize the defaults so that overrides can address list items (countries.0...)
        data = validate_config(SimulationConfig, data).to_dict()
    except ConfigError:  # e.g. a calibrated world still waiting for its table: override the raw data
        pass
    data = apply_overrides(data, list(overrides or []))
    for key, value in (("periods", periods), ("seed", seed), ("engine", engine), ("save_mrio", save_mrio)):
        if value is not None:
            data[key] = value
    cfg = validate_config(SimulationConfig, data)
    if firms is not None:
        if firms < 1:
            raise ConfigError(f"--firms: must be at least 1, got {firms}")
        data = cfg.to_dict()
        kind = data["world"]["kind"]
        if kind == "default":
            data["world"]["firms"]["count"] = firms
        elif kind == "calibrated":
            data["world"]["firms"] = firms
        else:
            n = data["world"].get("countries", PaperWorldConfig().countries)
            data["world"]["firms_per_country"] = max(1, firms // n)
        cfg = validate_config(SimulationConfig, data)
    return cfg
