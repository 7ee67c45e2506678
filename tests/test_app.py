"""The teaching app: levers → scenario, drawing, the ``clssim app`` command,
and the page itself in a real browser (Debian chromium through Playwright)."""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from clssim.app.teaching import (
    Levers,
    TeachingModel,
    lever_overrides,
    scenario_names,
    teaching_contract_start,
    teaching_scenario,
)
from clssim.cli import main
from clssim.scenario import load_scenario

# ----------------------------------------------------------------- levers


def test_default_levers_leave_the_neighbourhood_without_a_contract():
    scenario, notes = teaching_scenario("neighbourhood", Levers())
    shipped = load_scenario()
    assert scenario.contract is None
    assert scenario.police == shipped.police
    assert notes == []


def test_measure_levers_add_a_short_teaching_contract():
    levers = Levers(
        proximity_officers=3, foot_share=1.0, lighting=0.8, youth_places=60, elderly_visits=40
    )
    scenario, notes = teaching_scenario("neighbourhood", levers, years=1.0)
    c = scenario.contract
    assert c is not None and c.start_day == 0 and c.staff == 3
    kinds = {m.kind: m for m in c.measures}
    assert set(kinds) == {"proximity_beat", "street_lighting", "youth_programme", "elderly_visits"}
    assert kinds["proximity_beat"].capacity == 3 and kinds["proximity_beat"].intensity == 1.0
    assert kinds["street_lighting"].resolved_target == "all"
    assert kinds["street_lighting"].capacity == 40 * 40
    assert kinds["youth_programme"].capacity == 60
    assert c.budget_eur >= c.planned_cost()
    start = teaching_contract_start()
    assert start < 30  # effects appear within the first simulated month
    assert any(f"day {start}" in n for n in notes)
    # the measures run to the end of the simulation
    assert start + c.stages.implementation_days >= scenario.steps // 4
    model = TeachingModel(proximity_officers=3, lighting=0.8, years=0.2)
    assert model.contract is not None
    assert model.contract.stage_days["implementation"] == start


def test_police_levers_set_the_force():
    scenario, _ = teaching_scenario(
        "neighbourhood", Levers(officers=14, strategy="hotspot", procedural_justice=0.3)
    )
    assert scenario.police.officers == 14
    assert scenario.police.strategy == "hotspot"
    assert scenario.police.procedural_justice == 0.3


def test_proximity_officers_cannot_exceed_the_force():
    scenario, notes = teaching_scenario("neighbourhood", Levers(officers=2, proximity_officers=5))
    assert scenario.contract.staff == 2
    assert any("limited" in n for n in notes)


def test_lever_measures_join_a_scenario_contract():
    base = load_scenario(Path(load_scenario().base_dir) / "lisbon_neighbourhood.toml")
    overrides, notes = lever_overrides(base, Levers(officers=8, elderly_visits=50))
    scenario = base.with_overrides(overrides)
    assert len(scenario.contract.measures) == len(base.contract.measures) + 1
    assert scenario.contract.start_day == base.contract.start_day
    assert any("join" in n for n in notes)


def test_shipped_ignores_the_levers():
    model = TeachingModel(scenario_name="rural_town", shipped=True, officers=30, lighting=1.0)
    assert (
        model.police.n_officers
        == load_scenario(Path(load_scenario().base_dir) / "rural_town.toml").police.officers
    )
    assert model.contract is None


@pytest.mark.parametrize("name", scenario_names())
def test_every_shipped_scenario_builds_with_every_lever(name):
    model = TeachingModel(
        scenario_name=name,
        officers=3,
        strategy="beat",
        proximity_officers=2,
        lighting=0.5,
        youth_places=20,
        elderly_visits=20,
        years=0.1,
    )
    for _ in range(8):
        model.step()
    assert model.steps == 8


def test_teaching_model_survives_solaraviz_reset():
    """SolaraViz rebuilds ``type(model)(**params)`` and adds ``scenario=`` when the
    model accepts it: TeachingModel must not (its levers are all keywords)."""
    from mesa.visualization.solara_viz import _build_model_init_kwargs, _check_model_params

    from clssim.app.page import MODEL_PARAMS

    params = inspect.signature(TeachingModel.__init__).parameters
    assert "scenario" not in params
    assert all(p.kind is not p.VAR_KEYWORD for p in params.values())
    model = TeachingModel(years=0.05)
    _check_model_params(model, MODEL_PARAMS)
    values = {k: v.get("value") for k, v in MODEL_PARAMS.items()}
    values["officers"] = 11
    kwargs = _build_model_init_kwargs(
        model, values, add_scenario_when_empty=True, require_model_accepts_scenario=True
    )
    assert "scenario" not in kwargs
    again = type(model)(**kwargs)
    assert again.police.n_officers == 11


def test_lighting_lever_lights_the_streets():
    dark = TeachingModel(years=0.3)
    lit = TeachingModel(lighting=1.0, years=0.3)
    for m in (dark, lit):
        for _ in range(60 * 4):
            m.step()
    before = dark.world.layers["lighting"].mean()
    after = lit.world.layers["lighting"].mean()
    assert after > before + 0.1, (before, after)


EXERCISES = Path(__file__).resolve().parent.parent / "docs" / "teaching" / "scenarios"
EXERCISE_LEVERS = {
    "ex1_no_police": Levers(officers=0),
    "ex1_many_police": Levers(officers=24),
    "ex2_hotspot": Levers(strategy="hotspot"),
    "ex2_proximity": Levers(proximity_officers=4, foot_share=1.0),
    "ex3_baseline": Levers(officers=16),
    "ex3_low_trust": Levers(officers=16, procedural_justice=0.1),
    "ex3_high_trust": Levers(
        officers=16, procedural_justice=0.95, proximity_officers=12, foot_share=1.0
    ),
    "ex4_lighting": Levers(lighting=1.0),
}


def _comparable(scenario) -> dict:
    data = scenario.to_dict()
    del data["name"], data["description"]
    if data["contract"]:
        del data["contract"]["budget_eur"]  # a round figure in the files
        for m in data["contract"]["measures"]:
            del m["name"]
    return data


@pytest.mark.parametrize("name", sorted(EXERCISE_LEVERS))
def test_exercise_scenario_files_are_the_app_levers(name):
    """docs/teaching/scenarios/*.toml (for clssim run/compare) run exactly what
    the exercises set in the app."""
    from_file = load_scenario(EXERCISES / f"{name}.toml")
    from_levers, _ = teaching_scenario("neighbourhood", EXERCISE_LEVERS[name])
    assert _comparable(from_file) == _comparable(from_levers)


#: exercise files that are not app levers, and what they must be instead
NOT_LEVERS = {"ex5_awareness"}


def test_every_exercise_scenario_file_is_tested():
    assert {p.stem for p in EXERCISES.glob("*.toml")} == set(EXERCISE_LEVERS) | NOT_LEVERS


def test_exercise_5_file_is_the_lisbon_contract_plus_the_awareness_campaign():
    from clssim.scenario import default_scenario_path

    preset = _comparable(
        load_scenario(default_scenario_path().parent / "lisbon_neighbourhood.toml")
    )
    five = _comparable(load_scenario(EXERCISES / "ex5_awareness.toml"))
    *plan, campaign = five["contract"]["measures"]
    assert plan == preset["contract"]["measures"]
    assert campaign["kind"] == "dv_awareness" and campaign["target"] == "group:women"
    five["contract"]["measures"] = plan
    assert five == preset


# ----------------------------------------------------------------- drawing


def test_grid_and_plots_change_as_the_model_steps():
    from clssim.app import components as c

    model = TeachingModel(proximity_officers=2, elderly_visits=30, years=0.3)
    grid = c.GridPainter(model, "insecurity", blit=True)
    plots = c.PlotsPainter(model)
    g0, p0 = grid.png(), plots.png()
    assert g0.startswith(b"\x89PNG") and p0.startswith(b"\x89PNG")
    for _ in range(80):
        model.step()
    g1, p1 = grid.png(), plots.png()
    assert g1 != g0 and p1 != p0
    # the figures for a notebook draw the same things
    assert c.grid_figure(model, "trust").axes and c.plots_figure(model).axes
    wk = c.weekly_offences(model)
    assert wk["true"].sum() == model.recorder.true[: model.steps].sum()
    assert wk["recorded"].sum() == model.recorder.recorded[: model.steps].sum()
    recent = c.recent_offences(model, days=30)
    assert recent["cell"].size == model.recorder.true[max(0, 80 - 120) : 80].sum()
    assert (recent["age"] >= 0).all()
    info = " ".join(c.info_lines(model))
    assert "Step 80 of" in info and "Contract stage" in info


def test_jitter_is_deterministic_and_inside_the_cell():
    from clssim.app.components import jitter

    a, b = jitter(1000)
    assert np.array_equal(a, jitter(1000)[0])
    assert np.abs(a).max() < 0.5 and np.abs(b).max() < 0.5


# ----------------------------------------------------------------- CLI


class _FakeServer:
    calls: list = []

    def __init__(self, cmd, env=None, **kw):
        _FakeServer.calls.append((cmd, env))

    def wait(self, timeout=None):
        return 0

    def terminate(self):
        pass


@pytest.fixture
def fake_server(monkeypatch):
    import clssim.cli

    _FakeServer.calls = []
    monkeypatch.setattr(subprocess, "Popen", _FakeServer)
    monkeypatch.setattr(clssim.cli, "_app_assets", lambda: None)
    return _FakeServer.calls


def test_cli_app_serves_solara_on_loopback_by_default(fake_server, capsys):
    assert main(["app", "--port", "9123"]) == 0
    (cmd, env), *_ = fake_server
    assert cmd[:5] == [sys.executable, "-m", "solara", "run", "clssim.app.page"]
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1"
    assert cmd[cmd.index("--port") + 1] == "9123"
    assert "--production" in cmd and "--no-open" in cmd
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert "warning" not in capsys.readouterr().err


def test_cli_app_warns_when_serving_beyond_loopback(fake_server, capsys):
    assert main(["app", "--host", "0.0.0.0", "--scenario", "historic_centre.toml"]) == 0
    err = capsys.readouterr().err
    assert "warning" in err and "0.0.0.0" in err
    (cmd, env), *_ = fake_server
    assert env["CLSSIM_APP_SCENARIO"] == "historic_centre"


def test_cli_app_refuses_an_unknown_scenario(fake_server, capsys):
    assert main(["app", "--scenario", "atlantis"]) == 2
    assert "atlantis" in capsys.readouterr().err
    assert not fake_server


# ----------------------------------------------------------------- browser


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=15)


@pytest.fixture
def app_server(tmp_path, browser, artifacts):
    """``clssim app`` on a free loopback port; always stopped afterwards."""
    from clssim.app import assets

    if assets.missing_packages() and shutil.which("npm"):
        assets.ensure_assets()  # the page's front-end files, without the CDN
    port = _free_port()
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "clssim.cli", "app", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=tmp_path,
        start_new_session=True,  # its own process group: stopped as a whole
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"clssim app exited early:\n{(tmp_path / 'server.log').read_text()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("clssim app did not answer within 60 s")
            time.sleep(0.3)
        yield url
    finally:
        _stop(proc)
        log.close()
        shutil.copy(tmp_path / "server.log", artifacts / "app_server.log")
    assert proc.poll() is not None


def _image_digest(page, selector: str) -> str:
    data = page.evaluate(
        """async (sel) => {
            const img = document.querySelector(sel);
            const buf = await (await fetch(img.src)).arrayBuffer();
            return Array.from(new Uint8Array(buf));
        }""",
        selector,
    )
    assert bytes(data[:4]) == b"\x89PNG"
    return hashlib.sha256(bytes(data)).hexdigest()


@pytest.mark.browser
def test_app_in_a_real_browser(app_server, browser, artifacts):
    with browser(1500, 1000) as (page, errors):
        page.set_default_timeout(30_000)
        page.goto(app_server)
        info = page.locator(".clssim-info")
        info.wait_for()
        page.locator(".clssim-grid-image").wait_for()
        page.locator(".clssim-plots-image").wait_for()
        assert "Step 0 of" in info.inner_text()
        page.screenshot(path=str(artifacts / "app_01_loaded.png"))
        grid0 = _image_digest(page, ".clssim-grid-image")
        plots0 = _image_digest(page, ".clssim-plots-image")

        # move the officers slider with the keyboard, then Reset to apply it
        officers = page.locator(".v-input", has=page.get_by_text("Officers", exact=True))
        thumb = officers.get_by_role("slider")
        before = int(thumb.get_attribute("aria-valuenow"))
        thumb.focus()
        for _ in range(4):
            page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "([el, v]) => el.getAttribute('aria-valuenow') === String(v)",
            arg=[thumb.element_handle(), before + 4],
        )
        page.get_by_role("button", name="Reset").click()
        page.wait_for_function(
            "(n) => document.querySelector('.clssim-info').innerText.includes(`Officers: ${n} `)",
            arg=before + 4,
        )

        # step three times (five slots each)
        for k in range(1, 4):
            page.get_by_role("button", name="Step").click()
            page.wait_for_function(
                "(s) => document.querySelector('.clssim-info').innerText.includes(`Step ${s} of`)",
                arg=5 * k,
            )
        page.screenshot(path=str(artifacts / "app_02_stepped.png"))
        assert _image_digest(page, ".clssim-grid-image") != grid0
        assert _image_digest(page, ".clssim-plots-image") != plots0

        # colour the residents by trust instead of insecurity
        grid1 = _image_digest(page, ".clssim-grid-image")
        page.get_by_role("button", name="trust").click()
        deadline = time.monotonic() + 10
        while _image_digest(page, ".clssim-grid-image") == grid1:
            assert time.monotonic() < deadline, "the colour toggle did not redraw the grid"
            time.sleep(0.2)

        # play for a few seconds: the frame rate of this machine, for the record
        page.evaluate(
            """() => { window.__frames = 0;
              const img = document.querySelector('.clssim-grid-image');
              new MutationObserver(() => window.__frames++)
                .observe(img, {attributes: true, attributeFilter: ['src']}); }"""
        )
        step = lambda: int(  # noqa: E731
            re.search(r"Step ([\d,]+) of", info.inner_text()).group(1).replace(",", "")
        )
        s0, t0 = step(), time.monotonic()
        page.get_by_role("button", name="▶").click()
        time.sleep(4)
        page.get_by_role("button", name="❚❚").click()
        elapsed = time.monotonic() - t0
        page.get_by_role("button", name="Step").wait_for()
        time.sleep(0.5)
        frames, s1 = page.evaluate("window.__frames"), step()
        page.screenshot(path=str(artifacts / "app_03_played.png"))
        (artifacts / "app_frame_rate.json").write_text(
            json.dumps(
                {
                    "seconds": round(elapsed, 2),
                    "frames": frames,
                    "frames_per_second": round(frames / elapsed, 2),
                    "slots": s1 - s0,
                    "simulated_days_per_second": round((s1 - s0) / 4 / elapsed, 2),
                }
            )
        )
        assert s1 > s0 and frames > 0
    assert not errors, errors


def test_playing_past_the_end_with_any_render_interval_stops_cleanly():
    """SolaraViz steps ``render_interval`` slots per frame and checks ``running``
    only after them: a run whose length the interval does not divide must end
    cleanly, its panel still readable."""
    from clssim.app.components import info_lines

    model = TeachingModel(years=0.01)  # 15 slots; 4 does not divide them
    assert model.n_steps % 4
    while model.running:
        for _ in range(4):
            model.step()
    assert model.steps == model.n_steps
    lines = info_lines(model)
    assert (
        "End of the run" in lines[0] and f"all {model.n_steps} steps" in lines[0]
    )  # the end is not silent
    fresh = TeachingModel(years=0.01)
    fresh.step()
    assert not any("End of the run" in line for line in info_lines(fresh))


def test_police_levers_that_differ_from_the_scenario_file_are_noted():
    model = TeachingModel(scenario_name="rural_town", officers=8, years=0.01)
    assert len(model.police.officers) == 8
    assert any("officers 8 (file: 4)" in note for note in model.notes)
    assert not TeachingModel(years=0.01).notes  # the neighbourhood's own values
