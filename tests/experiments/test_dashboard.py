"""The dashboard: its model built from keyword arguments only, its levers as drivers, and the page in a
real browser (Playwright driving Debian's Chromium) stepping, redrawing and resetting without errors."""

from __future__ import annotations

import inspect
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gvc_abm.experiments.cli import main

dashboard = pytest.importorskip("gvc_abm.experiments.dashboard", reason="solara or Mesa's visualization is not installed")

from gvc_abm.analysis.results import bloc_membership  # noqa: E402
from gvc_abm.analysis.value_added_trade import value_added_trade_matrix  # noqa: E402
from gvc_abm.environment.model import GVCModel  # noqa: E402
from gvc_abm.experiments.scenarios import make_config  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
FIRMS = 150


def test_neutral_levers_leave_the_scenario_as_it_is():
    cfg, notes = dashboard.dashboard_config("trade-war", "3", firms=FIRMS, periods=10)
    assert cfg == make_config("trade-war", periods=10, seed=3, firms=FIRMS) and notes == []


def test_levers_become_drivers_from_their_period():
    cfg, notes = dashboard.dashboard_config(
        "baseline", 0, firms=FIRMS, periods=10, lever_period=3, tariff_importer="DEU", tariff_exporter="CHN",
        tariff_rate=0.3, tariff_both_ways=True, home_bias=1.5, robot_price=0.5, trade_cost=2.0, info_cost=1.5,
        bloc_members="CHN, JPN KOR", bloc_cost_cut=0.4,
    )
    d = cfg.drivers
    assert notes == []
    assert [(s.period, s.importer, s.exporter, s.rate) for s in d.tariff_shocks] == [(3, "DEU", "CHN", 0.3), (3, "CHN", "DEU", 0.3)]
    assert d.home_bias["*"].points == {3: 1.5}  # a driver from the lever's period, like the others
    assert d.robot_price.points == {3: 0.5} and d.trade_cost.points == {3: 2.0} and d.info_cost.points == {3: 1.5}
    (bloc,) = d.blocs
    assert (bloc.period, bloc.bloc, bloc.members, bloc.cost_cut) == (3, dashboard.BLOC_NAME, ["CHN", "JPN", "KOR"], 0.4)


def test_levers_that_cannot_act_are_noted_not_run():
    cfg, notes = dashboard.dashboard_config(
        "baseline", "abc", firms=FIRMS, periods=5, lever_period=9, tariff_importer="USA", tariff_exporter="USA",
        tariff_rate=0.2, bloc_members="CHN ATLANTIS",
    )
    assert cfg.seed == 0 and cfg.drivers.tariff_shocks == [] and cfg.drivers.blocs == []
    assert len(notes) == 5
    assert any("'abc'" in n for n in notes) and any("ATLANTIS" in n for n in notes) and any("(CHN)" in n for n in notes)
    assert any("both USA" in n for n in notes) and any("moved to it" in n for n in notes)


def test_a_horizon_before_the_scenario_acts_runs_its_own_periods():
    cfg, notes = dashboard.dashboard_config("trade-war", 0, firms=FIRMS, periods=2)
    assert cfg.periods == make_config("trade-war").periods and "2 periods end before" in notes[0]
    assert dashboard.model_params({"scenario_name": "trade-war", "seed": "0", "firms": FIRMS, "periods": 2})


def test_model_params_are_the_model_keywords_and_reset_rebuilds_from_them():
    """Reset calls DashboardModel(**values of the inputs): every input must be a keyword, every keyword an input."""
    params = dashboard.model_params({"scenario_name": "baseline", "seed": "7", "firms": FIRMS, "periods": 6})
    signature = inspect.signature(dashboard.DashboardModel.__init__).parameters
    assert set(params) == set(signature) - {"self"}
    assert "scenario" not in signature  # Mesa 3.5 passes its own Scenario object to a `scenario` keyword
    assert {"baseline", "trade-war"} <= set(params["scenario_name"]["values"])
    kwargs = dashboard.initial_kwargs(params)
    assert kwargs["seed"] == "7" and kwargs["firms"] == FIRMS  # the seed box holds text
    model = dashboard.DashboardModel(**kwargs)
    reference = GVCModel(make_config("baseline", periods=6, seed=7, firms=FIRMS))
    for _ in range(2):
        model.step()
        reference.step()
    pd.testing.assert_frame_equal(model.indicators_frame(), reference.indicators_frame())
    again = dashboard.DashboardModel(**kwargs)  # Reset: the same keywords give the same model
    again.step()
    again.step()
    pd.testing.assert_frame_equal(again.world_frame(), model.world_frame())


def test_panels_read_the_model_tables():
    model = dashboard.DashboardModel("baseline", "1", firms=FIRMS, periods=3, lever_period=1,
                                     bloc_members="USA CAN MEX", bloc_cost_cut=0.5)
    while model.running:
        model.step()
    assert model.period == 3 and model.steps == 3
    run = model.tables()
    pd.testing.assert_frame_equal(run.indicators, model.indicators_frame())
    np.testing.assert_array_equal(run.va[2], value_added_trade_matrix(model.last_table.to_mrio()))
    members = {c for c, b in bloc_membership(run.events, run.initial_blocs, 2).items() if b == dashboard.BLOC_NAME}
    ins = model.instruments
    in_model = {model.world.countries[k] for k in np.flatnonzero(ins.bloc_of == ins.bloc_names.index(dashboard.BLOC_NAME))}
    assert members == in_model == {"USA", "CAN", "MEX"}


def test_dashboard_command_rejects_bad_input(capsys):
    assert main(["dashboard", "no-such-scenario"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gvc: error: ") and "no-such-scenario" in err and err.count("\n") == 1
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["dashboard", "baseline", "--firms", str(FIRMS), "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gvc: error: ") and f"--port {port}" in err


# ---------------------------------------------------------------------------- the page in a browser
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _gvc() -> list[str]:
    script = Path(sys.executable).with_name("gvc")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from gvc_abm.experiments.cli import entry_point; entry_point()"]


def _wait_for_server(url: str, proc: subprocess.Popen, log: Path, limit: float = 300.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"gvc dashboard exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"gvc dashboard did not answer at {url}:\n{log.read_text()[-3000:]}")


@pytest.fixture
def chromium():
    """Playwright's sync API and the path of Debian's Chromium; the test is skipped without either."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if path is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return sync_api, path


@pytest.fixture
def served(tmp_path):
    """``gvc dashboard`` on a free port of this machine, stopped afterwards."""
    port = _free_port()
    log = tmp_path / "dashboard.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with open(log, "w") as out:
        proc = subprocess.Popen([*_gvc(), "dashboard", "baseline", "--firms", str(FIRMS), "--periods", "10",
                                 "--port", str(port)], stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_for_server(url, proc, log)
        yield url, log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _until_changed(locator, before: bytes, limit: float = 60.0) -> bytes:
    """The element's pixels once they differ from ``before`` (the redraw arrives after the step)."""
    deadline = time.monotonic() + limit
    shot = locator.screenshot()
    while shot == before and time.monotonic() < deadline:
        time.sleep(0.25)
        shot = locator.screenshot()
    return shot


def test_page_steps_redraws_and_resets_in_chromium(chromium, served):
    sync_api, executable = chromium
    url, log = served
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1200})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.set_default_timeout(180_000)  # a fresh machine compiles the numba kernels on the first build
            page.goto(url)
            step = page.get_by_role("button", name="Step")
            page.get_by_text("Step 0 of 10").wait_for()
            step.click()
            page.get_by_text("Step 1 of 10").wait_for()
            network, series = page.locator(".gvc-network img"), page.locator(".gvc-series img")
            first = {"network": network.screenshot(), "series": series.screenshot()}
            for k in range(2, 6):
                step.click()
                page.get_by_text(f"Step {k} of 10").wait_for()
            assert page.locator(".gvc-step").inner_text() == "Step 5 of 10"
            assert page.get_by_text("period 4 cleared").count() == 1
            assert _until_changed(network, first["network"]) != first["network"]
            assert _until_changed(series, first["series"]) != first["series"]
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "dashboard-step5.png"), full_page=True)
            # Reset rebuilds the model from the inputs; the seed typed in its box arrives as text
            seed = page.get_by_label("seed (whole number)")
            seed.fill("7")
            seed.press("Enter")
            page.get_by_role("button", name="Reset").click()
            page.get_by_text("Step 0 of 10").wait_for()
            page.get_by_text("baseline, seed 7,").wait_for()
            step.click()
            page.get_by_text("Step 1 of 10").wait_for()
        finally:
            browser.close()
    assert errors == [], f"browser console errors: {errors}\nserver log:\n{log.read_text()[-3000:]}"
