"""Sweep files: a base scenario, the config paths to vary, a design and seeds, expanded into runs.

A sweep file is YAML (read with ``yaml.safe_load`` only)::

    scenario: trade-war            # a bundled scenario, a config file, or a list of bundled names
    set: {world.firms.count: 500, periods: 50}      # fixed overrides, dotted paths
    vary:                          # dotted path -> list of values (grid) or {low:, high:} (lhs, sobol, morris)
      agents.firms.review_rate: [0.1, 0.25]
      drivers.robot_price.2: [0.4, 1.0]
    design: grid                   # grid | lhs | sobol | morris
    samples: 64                    # base sample size N of lhs / sobol / morris
    seeds: 4                       # replications per point: a count or a list of seeds
    seed: 0                        # master seed (replication seeds and the samplers)
    second_order: false            # sobol: also the second-order indices (N (2D + 2) points, else N (D + 2))
    levels: 4                      # morris: grid levels p of each trajectory (N (D + 1) points)

A config file named in ``scenario`` is read relative to the sweep file's folder. Points:
a grid is the Cartesian product of the lists (scenarios outermost, then the paths in file
order); ``lhs`` is SALib's Latin hypercube (McKay, Beckman & Conover 1979), ``sobol``
Saltelli's (2002) extension of the Sobol' sequence, ``morris`` Morris (1991) trajectories.
Sampled values of integer fields are rounded to the nearest integer.

Seeds: with ``seeds: n`` replicate ``k`` of every point runs with seed ``k`` of
``numpy.random.SeedSequence(seed).spawn(n)`` (63 bits of its state). The seeds do not depend
on the point (common random numbers: points differ by their parameters, not by their luck),
and raising ``n`` keeps the first seeds, so adding seeds or points never changes a run.

Run id: the first 16 hex digits of the SHA-256 of the canonical JSON (sorted keys, no
spaces) of ``{scenario, params, config, seed}``: the scenario's label, the varied paths, the
run's whole validated config data and its seed; every tag a run file carries is a function of
its id. ``config_hash`` is the same hash of the config without its seed (a point's runs share
it). Every config is validated before anything runs; a bad sweep raises :class:`SweepError`,
one line naming the file, the field and the problem.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import BaseModel

from gvc_abm.environment.config import ConfigError, Schedule, SimulationConfig, apply_overrides, validate_config

__all__ = ["SweepError", "RunSpec", "Sweep", "DESIGNS", "load_sweep", "parse_sweep", "replication_seeds",
           "run_id", "canonical_json", "design_outputs", "sensitivity_indices"]

DESIGNS = ("grid", "lhs", "sobol", "morris")
KEYS = ("scenario", "set", "vary", "design", "samples", "seeds", "seed", "second_order", "levels")
#: Config keys a sweep may not set or vary: the seed is the sweep's, and batches keep run tables only.
RESERVED = {"seed": "the sweep's seeds and seed give every run its seed", "save_mrio": "batches keep the run tables, not MRIO folders"}


class SweepError(ConfigError):
    """A sweep file that cannot be used; the message is one line: file, field and problem."""


@dataclass(frozen=True)
class RunSpec:
    """One run of a sweep: its id, tags and validated config data (``config["seed"] == seed``)."""

    run_id: str
    scenario: str
    replicate: int
    seed: int
    params: dict[str, Any]  # varied path -> value as the validated config holds it (JSON text if not a scalar)
    config: dict
    config_hash: str


@dataclass(frozen=True)
class Sweep:
    """A parsed sweep: the spec, the design points and the distinct runs, in order."""

    path: Path
    text: str
    scenarios: tuple[str, ...]
    fixed: dict[str, Any]
    vary: dict[str, Any]
    design: str
    samples: int | None
    seeds: tuple[int, ...]
    master_seed: int
    second_order: bool
    levels: int
    problem: dict | None  # SALib problem of a numeric design: num_vars, names, bounds
    points: list[dict] = field(repr=False)  # one per (scenario, point, replicate): run_id and the raw sample values
    runs: tuple[RunSpec, ...] = field(repr=False)

    @property
    def params(self) -> list[str]:
        return list(self.vary)

    def spec(self) -> dict:
        """The sweep as plain data (what ``gvc sensitivity`` needs to pair runs with the design)."""
        return {"scenarios": list(self.scenarios), "set": self.fixed, "vary": self.vary, "design": self.design,
                "samples": self.samples, "seeds": list(self.seeds), "seed": self.master_seed,
                "second_order": self.second_order, "levels": self.levels, "problem": self.problem,
                "params": self.params}


def canonical_json(obj: Any) -> str:
    """JSON with sorted keys and no spaces: equal data, equal text."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


def _digest(obj: Any) -> str:
    return hashlib.sha256(canonical_json(obj).encode("ascii")).hexdigest()[:16]


def run_id(scenario: str, params: list[str], config: dict, seed: int) -> str:
    """``sha256(canonical_json({scenario, params, config, seed}))[:16]`` (module docstring)."""
    return _digest({"scenario": scenario, "params": list(params), "config": config, "seed": int(seed)})


def replication_seeds(master: int, n: int) -> list[int]:
    """Seeds of replicates ``0..n-1``: 63 bits of ``SeedSequence(master).spawn(n)[k]``'s state.

    ``spawn`` gives child ``k`` the spawn key ``(k,)``, so the first seeds do not depend on ``n``.
    """
    return [int(c.generate_state(1, np.uint64)[0]) >> 1 for c in np.random.SeedSequence(master).spawn(n)]


# --------------------------------------------------------------------------- config schema walk
def _concrete(tp: Any, node: Any) -> Any:
    """``tp`` without ``Annotated`` and, for a union, the member that ``node`` is (``kind`` tag, or not None;
    a schedule where a number may stand: the schedule when ``node`` is a mapping, else the number)."""
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        members = [_concrete(a, None) for a in typing.get_args(tp) if a is not type(None)]
        if Schedule in members and float in members:
            return Schedule if isinstance(node, (dict, Schedule)) else float
        models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel) and "kind" in m.model_fields]
        if models and len(models) == len(members):
            kind = node.get("kind", "default") if isinstance(node, dict) else None
            for m in models:
                if m.model_fields["kind"].default == kind:
                    return m
            return models[0]
        if len(members) == 1:
            return _concrete(members[0], node)
    return tp


def _may_be_schedule(tp: Any) -> bool:
    """A union of a number and a schedule (a per-country driver's value)."""
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return typing.get_origin(tp) in (typing.Union, types.UnionType) and Schedule in typing.get_args(tp)


def _type_name(tp: Any) -> str:
    return tp.__name__ if isinstance(tp, type) else str(tp).replace("typing.", "")


def _field_type(parts: list[str], data: dict) -> Any:
    """The type of the config value at a dotted path; :class:`KeyError` with the problem if there is none."""
    tp: Any = SimulationConfig
    node: Any = data
    for i, p in enumerate(parts):
        parent, tp = tp, _concrete(tp, node)
        here = ".".join(parts[:i]) or "the config"
        origin = typing.get_origin(tp)
        if tp is Schedule or (tp is float and _may_be_schedule(parent)):
            # a schedule {PERIOD: VALUE, linear: BOOL}, or a bare number a period key makes one
            if p != "linear" and not p.isdigit():
                raise KeyError(f"{here} is a schedule: expected a period or 'linear', got {p!r}")
            tp = bool if p == "linear" else float
        elif isinstance(tp, type) and issubclass(tp, BaseModel):
            if p not in tp.model_fields:
                raise KeyError(f"no such config key ({here} has {', '.join(tp.model_fields)})")
            tp = tp.model_fields[p].annotation
        elif origin in (list, tuple):
            if not p.isdigit():
                raise KeyError(f"{here} is a list: expected an item number, got {p!r}")
            if isinstance(node, list) and int(p) >= len(node):
                raise KeyError(f"no list item {p} ({here} has {len(node)} items)")
            args = typing.get_args(tp)
            tp = args[0] if origin is list or (len(args) == 2 and args[1] is Ellipsis) else args[min(int(p), len(args) - 1)]
        elif origin is dict:
            tp = typing.get_args(tp)[1]
        else:
            raise KeyError(f"{here} is a value ({_type_name(tp)}), not a section")
        node = node.get(p) if isinstance(node, dict) else (node[int(p)] if isinstance(node, list) and p.isdigit()
                                                             and int(p) < len(node) else None)
    return _concrete(tp, node)


def _numeric_kind(tp: Any) -> str | None:
    """``"int"`` or ``"float"`` for a numeric config field, else None (bool is not numeric)."""
    if tp is bool:
        return None
    if tp is int:
        return "int"
    if tp is float:
        return "float"
    return None


def _value_at(data: Any, parts: list[str]) -> Any:
    for i, p in enumerate(parts):
        if p == "linear" and i == len(parts) - 1 and isinstance(data, dict) and p not in data:
            return False  # a schedule's data leaves out linear: false
        data = data[int(p)] if isinstance(data, list) else data[p]
    return data


def _param_value(value: Any) -> Any:
    """A parameter column value: scalars as they are, anything else as canonical JSON text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return canonical_json(value)


def _override(key: str, value: Any) -> str:
    """``key=value`` for :func:`apply_overrides`, whose value text YAML reads back to ``value`` exactly."""
    return f"{key}={yaml.safe_dump(value, default_flow_style=True)}"


# --------------------------------------------------------------------------- parsing
#: Folder of the bundled sweeps, ``NAME.yaml`` (``gvc batch NAME`` when no file NAME exists).
BUNDLED = Path(__file__).resolve().parent / "library" / "sweeps"


def bundled_sweeps() -> list[str]:
    """Names of the bundled sweep files."""
    return sorted(p.stem for p in BUNDLED.glob("*.yaml"))


def load_sweep(path: str | Path) -> Sweep:
    """Read, validate and expand a sweep file (YAML, ``safe_load``), or a bundled sweep by name."""
    path = Path(path)
    if not path.exists() and path.suffix == "" and (BUNDLED / f"{path.name}.yaml").is_file() and path.name == str(path):
        path = BUNDLED / f"{path.name}.yaml"
    if not path.is_file():
        names = ", ".join(bundled_sweeps())
        raise SweepError(f"sweep {path}: no such file (bundled sweeps: {names})")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SweepError(f"sweep {path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise SweepError(f"sweep {path}: cannot read ({exc.strerror})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SweepError(f"sweep {path}: not valid YAML ({' '.join(str(exc).split())})") from None
    return parse_sweep(data, path, text)


def parse_sweep(data: Any, path: str | Path = "sweep", text: str = "") -> Sweep:
    """Validate sweep data (as read from ``path``) and expand it into runs (module docstring)."""
    from SALib.sample import latin, morris, sobol

    from gvc_abm.experiments.scenarios import SCENARIOS, make_config, scenario_data

    path = Path(path)
    where = f"sweep {path}"

    def fail(key: str, problem: str) -> SweepError:
        return SweepError(f"{where}: {key}: {problem}")

    if data is None:
        raise SweepError(f"{where}: empty file (give at least scenario)")
    if not isinstance(data, dict):
        raise SweepError(f"{where}: a sweep must be a mapping of keys ({', '.join(KEYS)}), got {type(data).__name__}")
    unknown = [k for k in data if k not in KEYS]
    if unknown:
        raise fail(str(unknown[0]), f"unknown key; a sweep has {', '.join(KEYS)}")
    # --- scenario(s)
    if "scenario" not in data:
        raise fail("scenario", "missing (a bundled scenario, a config file, or a list of bundled names)")
    raw = data["scenario"]
    labels = raw if isinstance(raw, list) else [raw]
    if not labels or not all(isinstance(s, str) and s for s in labels):
        raise fail("scenario", "expected a scenario name or file, or a non-empty list of them")
    if len(set(labels)) < len(labels):
        raise fail("scenario", "a scenario appears twice")
    sources = {}
    for label in labels:
        if label in SCENARIOS:
            sources[label] = label
            continue
        file = Path(label) if Path(label).is_absolute() else path.parent / label
        if not file.is_file():
            raise fail("scenario", f"unknown scenario {label!r}: expected one of {', '.join(SCENARIOS)} or a config file")
        sources[label] = str(file)
    # --- design and sizes
    design = data.get("design", "grid")
    if design not in DESIGNS:
        raise fail("design", f"unknown design {design!r}; expected one of {', '.join(DESIGNS)}")
    numeric = design != "grid"

    def integer(key: str, default: int | None, low: int) -> int | None:
        value = data.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise fail(key, f"expected an integer >= {low}, got {value!r}")
        return value

    master = integer("seed", 0, 0)
    samples = integer("samples", None, 1)
    if numeric and samples is None:
        raise fail("samples", f"design {design} needs samples (its base sample size N)")
    if not numeric and samples is not None:
        raise fail("samples", "only lhs, sobol and morris designs take samples; a grid runs every combination")
    if design == "sobol" and samples & (samples - 1):
        raise fail("samples", f"design sobol needs a power of 2 (Sobol' sequence balance), got {samples}")
    for key, applies in (("second_order", "sobol"), ("levels", "morris")):
        if key in data and design != applies:
            raise fail(key, f"only the {applies} design takes {key}")
    second_order = data.get("second_order", False)
    if not isinstance(second_order, bool):
        raise fail("second_order", f"expected true or false, got {second_order!r}")
    levels = integer("levels", 4, 2)
    # --- seeds
    seeds = data.get("seeds", 1)
    if isinstance(seeds, bool):
        raise fail("seeds", f"expected a count or a list of seeds, got {seeds!r}")
    if isinstance(seeds, int):
        if seeds < 1:
            raise fail("seeds", f"expected a count >= 1, got {seeds}")
        seeds = replication_seeds(master, seeds)
    elif isinstance(seeds, list):
        if not seeds or not all(isinstance(s, int) and not isinstance(s, bool) and 0 <= s < 2**63 for s in seeds):
            raise fail("seeds", "expected a non-empty list of integers in [0, 2^63)")
        if len(set(seeds)) < len(seeds):
            raise fail("seeds", "a seed appears twice")
    else:
        raise fail("seeds", f"expected a count or a list of seeds, got {seeds!r}")
    # --- set and vary: dotted paths
    fixed = data.get("set") or {}
    vary = data.get("vary") or {}
    for key, block in (("set", fixed), ("vary", vary)):
        if not isinstance(block, dict):
            raise fail(key, "expected a mapping of dotted config paths to values")
        for name in block:
            if not isinstance(name, str) or not [p for p in name.split(".") if p]:
                raise fail(key, f"{name!r} is not a dotted config path")
            if name.split(".")[0] in RESERVED:
                raise fail(f"{key}.{name}", RESERVED[name.split(".")[0]])
    both = sorted(set(fixed) & set(vary))
    if both:
        raise fail(f"vary.{both[0]}", "also fixed under set")
    if numeric and not vary:
        raise fail("vary", f"design {design} needs at least one path with a {{low:, high:}} range")
    bounds = []
    for name, values in vary.items():
        if numeric:
            if not isinstance(values, dict) or set(values) != {"low", "high"}:
                raise fail(f"vary.{name}", f"design {design} needs a range {{low:, high:}}, got {values!r}")
            low, high = values["low"], values["high"]
            if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and np.isfinite(v) for v in (low, high)):
                raise fail(f"vary.{name}", f"low and high must be numbers, got {low!r} and {high!r}")
            if not low < high:
                raise fail(f"vary.{name}", f"low must be below high, got {low} and {high}")
            bounds.append([float(low), float(high)])
        else:
            if isinstance(values, dict):
                raise fail(f"vary.{name}", "a grid needs a list of values; ranges {low:, high:} are for lhs, sobol and morris")
            if not isinstance(values, list):
                raise fail(f"vary.{name}", f"a grid needs a list of values, got {values!r}")
            if not values:
                raise fail(f"vary.{name}", "empty list of values: the grid would have no points")
            if len({canonical_json(v) for v in values}) < len(values):
                raise fail(f"vary.{name}", "a value appears twice")
    # --- paths checked against the config schema, then base configs: scenario + set, validated
    kinds = {}
    for label, source in sources.items():
        try:
            scenario_config = make_config(source).to_dict()
        except ConfigError:  # e.g. a calibrated world that set gives its table
            scenario_config = scenario_data(source)
        for key, block in (("set", fixed), ("vary", vary)):
            for name in block:
                try:
                    tp = _field_type([p for p in name.split(".") if p], scenario_config)
                except KeyError as exc:
                    raise fail(f"{key}.{name}", exc.args[0] + ("" if len(sources) == 1 else f" (scenario {label})")) from None
                if key == "vary" and numeric:
                    kind = _numeric_kind(tp)
                    if kind is None:
                        raise fail(f"vary.{name}", f"design {design} samples numbers, but this field is {_type_name(tp)}")
                    kinds[name] = kind
    set_overrides = [_override(k, v) for k, v in fixed.items()]
    bases = {}
    for label, source in sources.items():
        try:
            bases[label] = make_config(source, set_overrides).to_dict()
        except ConfigError as exc:
            raise SweepError(f"{where}: scenario {label} with set: {exc}") from None
    # --- design points (raw sample rows) and their parameter values
    names = list(vary)
    problem = None
    if numeric:
        problem = {"num_vars": len(names), "names": names, "bounds": bounds}
        if design == "lhs":
            X = latin.sample(problem, samples, seed=master)
        elif design == "sobol":
            X = sobol.sample(problem, samples, calc_second_order=second_order, scramble=True, seed=master)
        else:
            X = morris.sample(problem, samples, num_levels=levels, seed=master)
        X = np.asarray(X, dtype=float)
        rows = [[int(np.rint(x)) if kinds[n] == "int" else float(x) for n, x in zip(names, row)] for row in X]
    else:
        X = None
        rows = [list(r) for r in itertools.product(*(vary[n] for n in names))]
    # --- runs: every (scenario, point, replicate), validated; duplicates (rounded samples) run once
    points: list[dict] = []
    runs: dict[str, RunSpec] = {}
    for label in labels:
        base = bases[label]
        for k, row in enumerate(rows):
            overrides = [_override(n, v) for n, v in zip(names, row)]
            try:
                cfg = validate_config(SimulationConfig, apply_overrides(base, overrides))
            except ConfigError as exc:
                shown = ", ".join(f"{n}={v!r}" for n, v in zip(names, row))
                raise SweepError(f"{where}: vary: {exc} (scenario {label}, point {k}: {shown})") from None
            cdata = cfg.to_dict()
            cdata.pop("seed")
            chash = _digest(cdata)
            params = {n: _param_value(_value_at(cdata, [p for p in n.split(".") if p])) for n in names}
            for r, s in enumerate(seeds):
                full = dict(cdata, seed=int(s))
                rid = run_id(label, names, full, s)
                raw_x = {n: float(X[k, j]) for j, n in enumerate(names)} if X is not None else {}
                points.append({"scenario": label, "point": k, "replicate": r, "seed": int(s), "run_id": rid} | raw_x)
                if rid not in runs:
                    runs[rid] = RunSpec(rid, label, r, int(s), params, full, chash)
    return Sweep(path=path, text=text, scenarios=tuple(labels), fixed=dict(fixed), vary=dict(vary), design=design,
                 samples=samples, seeds=tuple(int(s) for s in seeds), master_seed=master, second_order=second_order,
                 levels=levels, problem=problem, points=points, runs=tuple(runs.values()))


# --------------------------------------------------------------------------- analysis of a design
def design_outputs(design: "Any", values: "Any", params: list[str]) -> dict[str, tuple[np.ndarray, np.ndarray, int]]:
    """Per scenario: the design rows ``X`` (points x params, as sampled), the output ``Y`` of
    each point (mean of ``values``, a Series by run_id, over its replicates) and how many
    points have no value yet (NaN in ``Y``)."""
    out = {}
    for scenario, rows in design.groupby("scenario", sort=False):
        rows = rows.assign(y=rows["run_id"].map(values))
        by_point = rows.groupby("point", sort=True)
        X = by_point[params].first().to_numpy(dtype=float)
        Y = by_point["y"].mean().to_numpy(dtype=float)
        out[str(scenario)] = (X, Y, int(np.isnan(Y).sum()))
    return out


def sensitivity_indices(spec: dict, X: np.ndarray, Y: np.ndarray, method: str) -> "Any":
    """SALib's indices with 95 % confidence intervals for outputs ``Y`` at the design rows ``X``.

    ``sobol``: first-order ``S1`` and total ``ST`` indices (Saltelli 2002; Saltelli et al. 2010),
    bootstrap intervals ``S1_conf``, ``ST_conf`` (and ``S2`` with second_order); ``morris``:
    ``mu``, ``mu_star`` (Campolongo, Cariboni & Saltelli 2007), ``sigma`` and ``mu_star_conf``.
    Returns a DataFrame with one row per parameter.
    """
    import pandas as pd
    from SALib.analyze import morris, sobol

    problem = spec["problem"]
    if method == "sobol":
        res = sobol.analyze(problem, Y, calc_second_order=spec["second_order"], conf_level=0.95, seed=spec["seed"])
        cols = ["S1", "S1_conf", "ST", "ST_conf"]
    else:
        res = morris.analyze(problem, X, Y, conf_level=0.95, num_levels=spec["levels"], seed=spec["seed"])
        cols = ["mu", "mu_star", "sigma", "mu_star_conf"]
    out = pd.DataFrame({c: np.asarray(res[c], dtype=float) for c in cols})
    out.insert(0, "parameter", problem["names"])
    return out
