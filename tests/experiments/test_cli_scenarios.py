"""``gvc scenarios`` and ``gvc config keys``: the library and the config keys, as the user sees them."""

from __future__ import annotations

import json
import typing

import pytest
import yaml

from gvc_abm.environment.config import (
    ConfigBase,
    ConfigError,
    SimulationConfig,
    apply_overrides,
    config_keys,
    validate_config,
)
from gvc_abm.experiments.cli import main
from gvc_abm.experiments.scenarios import library, scenario


def test_scenarios_lists_every_name_with_its_summary(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.startswith("│")]
    assert len(lines) == len(library())
    for line, s in zip(lines, library().values()):
        assert line.split("│")[1].strip().startswith(s.name) and s.summary in line
    assert "bloc (alias east-asia-bloc)" in out


@pytest.mark.parametrize("name", ["trade-war", "east-asia-bloc", "transport-vs-ideas"])
def test_show_prints_the_file_which_runs_as_a_config_file(tmp_path, capsys, name):
    assert main(["scenarios", "show", name]) == 0
    text = capsys.readouterr().out
    assert text == scenario(name).text
    assert yaml.safe_load(text)["description"] == scenario(name).description
    (tmp_path / "copy.yaml").write_text(text)
    args = ["--firms", "200", "-q"]
    assert main(["run", str(tmp_path / "copy.yaml"), *args, "--out", str(tmp_path / "a")]) == 0
    assert main(["run", name, *args, "--out", str(tmp_path / "b")]) == 0
    a, b = (json.loads((tmp_path / d / "manifest.json").read_text()) for d in "ab")
    assert a["config"] == b["config"]
    assert (tmp_path / "a" / "world.parquet").read_bytes() == (tmp_path / "b" / "world.parquet").read_bytes()


def test_show_of_an_unknown_scenario_is_one_line(capsys):
    assert main(["scenarios", "show", "tradewar"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "SCENARIO: unknown scenario 'tradewar'; expected one of baseline, paper" in err


def _leaf_fields(model, prefix=""):
    """Dotted paths of every non-model field, walking models, lists of models and unions by hand."""
    out = set()
    for name, f in model.model_fields.items():
        path = f"{prefix}.{name}" if prefix else name
        ann = f.annotation
        args = [typing.get_args(a)[0] if typing.get_origin(a) is typing.Annotated else a for a in typing.get_args(ann)]
        models = [a for a in [ann, *args] if isinstance(a, type) and issubclass(a, ConfigBase)]
        if models:
            item = "<i>" if typing.get_origin(ann) is list else None
            if item:
                out.add(path)
            for m in models:
                out |= _leaf_fields(m, f"{path}.{item}" if item else path)
        else:
            out.add(path)
    return out


def test_config_keys_cover_every_field_with_a_unit_for_every_number():
    rows = config_keys()
    paths = {r.path for r in rows}
    assert paths == _leaf_fields(SimulationConfig)
    for r in rows:
        if r.type.split()[0] in ("int", "float", "map") and "str -> advanced" not in r.type and r.path != "seed":
            assert r.unit, f"{r.path} has no unit"
        assert r.description, r.path
    by = {r.path: r for r in rows}
    assert by["world.firms.count"].type == "int >= 1" and by["world.firms.count"].default == "3000"
    assert by["world.firms.count"].unit == "firms" and by["world.firms.count"].description.startswith("[default world] ")
    assert by["periods"].type == "int in [1, 100000]" and by["periods"].default == "10"
    assert by["world.kind"].type == "default | calibrated | paper" and by["world.kind"].default == "default"
    assert by["world.mu"].type == "float in (0, 1)" and by["world.mu"].unit == "fraction"
    assert by["drivers.tariff_shocks.<i>.rate"].default == "required"
    assert by["agents.firms.review_rate"].unit == "probability per period"
    assert sum(r.path == "world.size_dispersion" for r in rows) == 2  # calibrated and paper say different things


@pytest.mark.parametrize("kind", ["default", "paper", "calibrated"])
def test_every_listed_default_is_accepted_back_by_set(kind):
    """Setting a key to its listed default through --set's parser validates: paths, types and defaults are real."""
    base = {"world": {"kind": kind, **({"table": "t"} if kind == "calibrated" else {})}}
    checked = 0
    for r in config_keys():
        marked = r.description.startswith("[")
        if "<i>" in r.path or r.default in ("required", "") or r.default.endswith(" items") or r.path == "world.kind":
            continue
        if marked and f"{kind}" not in r.description.split("]")[0]:
            continue
        validate_config(SimulationConfig, apply_overrides(base, [f"{r.path}={r.default}"]))
        checked += 1
    assert checked > 40


def test_config_keys_command_filters_by_prefix(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    assert main(["config", "keys", "drivers.easing", "--plain"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["drivers.easing", "drivers.easing.<i>.start", "drivers.easing.<i>.end",
                                                        "drivers.easing.<i>.country", "drivers.easing.<i>.push"]
    assert lines[-1].split("\t")[1:4] == ["float in (0, 0.5]", "required", "fraction"]
    assert main(["config", "keys", "world.firms"]) == 0
    out = capsys.readouterr().out
    assert "world.firms.links" in out and "links per firm" in out and "[calibrated world]" in out
    assert main(["config", "keys", "nothing.here"]) == 2
    assert "PREFIX nothing.here: no config key" in capsys.readouterr().err


def test_a_bad_key_in_set_names_it():
    with pytest.raises(ConfigError, match="^drivers.robot_pric: Extra inputs are not permitted"):
        validate_config(SimulationConfig, apply_overrides({}, ["drivers.robot_pric={2: 0.5}"]))
