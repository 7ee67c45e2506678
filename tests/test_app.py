"""The teaching app: levers → scenario, drawing, the ``clssim app`` command,
and the page itself in a real browser (Debian chromium through Playwright)."""

from __future__ import annotations

import csv
import hashlib
import inspect
import json
import re
import shutil
import subprocess
import sys
import time
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


def test_reset_rebuilds_the_model_from_the_levers_and_says_when_they_are_pending():
    from clssim.app.classroom import Classroom

    room = Classroom(years=0.05)
    assert not room.changed and room.model.police.n_officers == 8
    room.set_param("officers", 11)
    assert room.changed  # the page shows "Changed — press Reset to apply"
    assert room.model.police.n_officers == 8  # nothing changes before Reset
    room.reset()
    assert not room.changed and room.model.police.n_officers == 11
    # choosing a scenario also sets the police levers to that scenario's own
    room.set_param("scenario_name", "rural_town")
    rural = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "rural_town.toml")
    assert room.params["officers"] == rural.police.officers
    assert "scenario" not in inspect.signature(TeachingModel.__init__).parameters


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


def test_map_and_plots_change_as_the_model_steps():
    from clssim.app import readout
    from clssim.app.charts import PlotsPainter, plots_figure
    from clssim.app.mapview import MapPainter, recent_offences

    model = TeachingModel(proximity_officers=2, elderly_visits=30, years=0.3)
    grid, plots = MapPainter(model), PlotsPainter(model)
    (g0, _), p0 = grid.png(), plots.png()
    assert g0.startswith(b"\x89PNG") and p0.startswith(b"\x89PNG")
    for _ in range(80):
        model.step()
        grid.observe()
    (g1, _), p1 = grid.png(), plots.png()
    assert g1 != g0 and p1 != p0
    assert plots_figure(model).axes  # the plots for a notebook
    wk = readout.weekly_offences(model)
    assert wk["true"].sum() == model.recorder.true[: model.steps].sum()
    assert wk["recorded"].sum() == model.recorder.recorded[: model.steps].sum()
    recent = recent_offences(model, days=30)
    assert recent["cell"].size == model.recorder.true[max(0, 80 - 120) : 80].sum()
    assert (recent["age"] >= 0).all()
    info = " ".join(readout.info_lines(model))
    assert "Step 80 of" in info and "Contract stage" in info


def test_jitter_is_deterministic_and_inside_the_cell():
    from clssim.app.mapview import jitter

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


def test_cli_app_opens_in_the_language_asked_for(fake_server, capsys):
    assert main(["app", "--lang", "pt"]) == 0
    (cmd, env), *_ = fake_server
    assert env["CLSSIM_APP_LANG"] == "pt"
    with pytest.raises(SystemExit):
        main(["app", "--lang", "fr"])
    assert "invalid choice: 'fr'" in capsys.readouterr().err


def test_cli_app_refuses_an_unknown_scenario(fake_server, capsys):
    assert main(["app", "--scenario", "atlantis"]) == 2
    assert "atlantis" in capsys.readouterr().err
    assert not fake_server


# ----------------------------------------------------------------- browser


@pytest.fixture
def app_server(tmp_path, browser, artifacts):
    """``clssim app`` on a free loopback port; always stopped afterwards."""
    from clssim.app import assets
    from conftest import running_app

    if assets.missing_packages() and shutil.which("npm"):
        assets.ensure_assets()  # the page's front-end files, without the CDN
    log = tmp_path / "server.log"
    # 1,460 slots: room to play, quick to end
    with running_app({"CLSSIM_APP_YEARS": "1"}, log=log, cwd=tmp_path) as (url, proc):
        try:
            yield url
        finally:
            shutil.copy(log, artifacts / "app_server.log")
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


def _step(info) -> int:
    return int(
        re.search(r"(?:Step|Passo) ([\d, ]+) (?:of|de)", info.inner_text())[1]
        .replace(",", "")
        .replace(" ", "")
    )


def _wait_step(page, n: int) -> None:
    page.wait_for_function(
        "(n) => { const m = document.querySelector('.clssim-info').innerText"
        ".match(/(?:Step|Passo) ([\\d, ]+) (?:of|de)/);"
        " return m && Number(m[1].replace(/[, ]/g, '')) === n; }",
        arg=n,
    )


def _stopped(page) -> None:
    """Wait until the play loop has stopped (the button offers Play again)."""
    page.locator(".clssim-play", has_text="▶").wait_for()


def _set_slider(page, selector: str, presses: int) -> None:
    thumb = page.locator(selector).get_by_role("slider")
    before = int(float(thumb.get_attribute("aria-valuenow")))
    thumb.focus()
    key = "ArrowRight" if presses > 0 else "ArrowLeft"
    for _ in range(abs(presses)):
        page.keyboard.press(key)
    page.wait_for_function(
        "([el, v]) => Number(el.getAttribute('aria-valuenow')) === v",
        arg=[thumb.element_handle(), before + presses],
    )
    # the slider sends its value to the server a moment after the last key
    # (debounced): let it arrive before the next click is sent
    time.sleep(1.0)


def _count_frames(page) -> None:
    page.evaluate(
        """() => { window.__frames = 0;
          const img = document.querySelector('.clssim-map-image');
          new MutationObserver(() => window.__frames++)
            .observe(img, {attributes: true, attributeFilter: ['src']}); }"""
    )


@pytest.mark.browser
def test_app_in_a_real_browser(app_server, browser, artifacts):
    """The classroom app at a projector's 1280 x 720, driven as a teacher would:
    step, run to a day, speed, a map layer, a lever and Reset, the run log and
    its CSV, a tooltip, the language switch, and the end of the run."""
    with browser(1280, 720) as (page, errors):
        page.set_default_timeout(30_000)
        page.goto(app_server)
        info = page.locator(".clssim-info")
        info.wait_for()
        page.locator(".clssim-map-image").wait_for()
        page.locator(".clssim-plots-image").wait_for()
        assert "Step 0 of 1,460" in info.inner_text()
        # everything a class needs is on the projector's screen, map and legend included
        for sel in (".clssim-map-image", ".clssim-legend", ".clssim-plots-image", ".clssim-play"):
            box = page.locator(sel).bounding_box()
            assert box["y"] + box["height"] <= 720 and box["x"] + box["width"] <= 1280, sel
        page.screenshot(path=str(artifacts / "app_01_loaded.png"))
        map0 = _image_digest(page, ".clssim-map-image")

        # Step is one slot
        page.get_by_role("button", name="Step").click()
        _wait_step(page, 1)
        assert _image_digest(page, ".clssim-map-image") != map0

        # run to day 10: it stops exactly at the start of the day
        page.locator(".clssim-day input").fill("10")
        page.get_by_role("button", name="Run to day").click()
        _wait_step(page, 40)
        _stopped(page)
        time.sleep(0.5)
        assert _step(info) == 40

        # speed: slow motion is one slot a frame; level 3 is nine slots a frame
        _set_slider(page, ".clssim-speed", -2)
        page.locator(".clssim-sidebar", has_text="slow motion").wait_for()
        s0 = _step(info)
        page.locator(".clssim-play").click()
        time.sleep(2.0)
        page.locator(".clssim-play").click()
        _stopped(page)
        time.sleep(0.3)
        slow = _step(info) - s0
        assert 1 <= slow <= 8, slow  # two frames a second, one slot each
        _set_slider(page, ".clssim-speed", 3)
        page.locator(".clssim-sidebar", has_text="9 slots per frame").wait_for()
        s0 = _step(info)
        page.locator(".clssim-play").click()
        time.sleep(1.0)
        page.locator(".clssim-play").click()
        _stopped(page)
        time.sleep(0.3)
        fast = _step(info) - s0
        assert fast > 0 and fast % 9 == 0, fast

        # the frame rate at the default speed (5 slots a frame), for the record
        _set_slider(page, ".clssim-speed", -1)
        page.locator(".clssim-sidebar", has_text="5 slots per frame").wait_for()
        _count_frames(page)
        s0, t0 = _step(info), time.monotonic()
        page.locator(".clssim-play").click()
        time.sleep(3.0)
        page.locator(".clssim-play").click()
        elapsed = time.monotonic() - t0
        _stopped(page)
        time.sleep(0.3)
        frames, s1 = page.evaluate("window.__frames"), _step(info)
        (artifacts / "app_frame_rate.json").write_text(
            json.dumps(
                {
                    "viewport": "1280x720",
                    "seconds": round(elapsed, 2),
                    "frames": frames,
                    "frames_per_second": round(frames / elapsed, 2),
                    "slots": s1 - s0,
                    "simulated_days_per_second": round((s1 - s0) / 4 / elapsed, 2),
                }
            )
        )
        assert frames > 0 and (s1 - s0) % 5 == 0

        # a layer: lighting, with its scale in the legend
        before = _image_digest(page, ".clssim-map-image")
        page.locator(".clssim-layer").click()
        page.get_by_role("option", name="lighting", exact=True).click()
        page.locator(".clssim-legend", has_text="0 = none, 1 = full").wait_for()
        assert _image_digest(page, ".clssim-map-image") != before
        page.screenshot(path=str(artifacts / "app_02_layer.png"))

        # a lever moved mid-run: the page says so; Reset applies it and logs run #1
        _set_slider(page, ".clssim-lever-officers", 4)
        page.locator(".clssim-changed", has_text="Changed — press Reset to apply").wait_for()
        page.get_by_role("button", name="Reset").click()
        page.wait_for_function(
            "() => document.querySelector('.clssim-info').innerText.includes('Officers: 12 ')"
        )
        assert page.locator(".clssim-changed").count() == 0
        page.get_by_role("button", name="Step").click()
        _wait_step(page, 1)

        # the run log: run #1 (its stop at day 10, and where it was at Reset), run #2 now
        page.get_by_role("button", name="Run log").click()
        log = page.locator(".clssim-runlog")
        log.wait_for()
        text = log.inner_text()
        assert "#1" in text and "#2 (running)" in text, text
        page.screenshot(path=str(artifacts / "app_03_runlog.png"))
        with page.expect_download() as download:
            page.get_by_role("button", name="Download CSV").click()
        with open(download.value.path(), encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        assert [r["run"] for r in rows] == ["1", "1", "2"], rows
        assert rows[0]["steps"] == "40" and rows[0]["officers"] == "8"
        assert rows[2]["officers"] == "12" and rows[2]["steps"] == "1"

        # a tooltip on every lever: what it is and which theory it touches
        page.locator(".clssim-help-officers").hover()
        page.get_by_text("routine activity theory", exact=False).wait_for()

        # the language switch: the whole page speaks Portuguese
        page.get_by_role("button", name="PT", exact=True).click()
        page.wait_for_function(
            "() => document.querySelector('.clssim-info').innerText.includes('Passo 1 de')"
        )
        page.get_by_role("button", name="Reiniciar").wait_for()
        page.locator(".clssim-legend", has_text="iluminação").wait_for()
        assert "Registo das simulações" in page.locator(".clssim-main").inner_text()
        assert "(em curso)" in page.locator(".clssim-runlog").inner_text()
        page.screenshot(path=str(artifacts / "app_04_portuguese.png"))
        page.get_by_role("button", name="EN", exact=True).click()
        page.get_by_role("button", name="Reset").wait_for()

        # run to the end: the end is not silent, and Play is off
        page.get_by_role("button", name="Run to the end").click()
        page.locator(".clssim-end").wait_for(timeout=60_000)
        _stopped(page)
        assert "End of the run" in info.inner_text()
        assert page.locator(".clssim-play").is_disabled()
    assert not errors, errors


def test_playing_past_the_end_at_any_speed_stops_cleanly():
    """A frame of several slots may pass the end of a run (a length the speed
    does not divide): the run must end cleanly, its panel still readable."""
    from clssim.app.readout import info_lines

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
