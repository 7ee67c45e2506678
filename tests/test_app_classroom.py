"""The classroom app without a browser: pacing (speed, run to day N, the end),
the map's layers and scales, the run log and its CSV, and the two languages."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from clssim.app.classroom import SPEEDS, Classroom
from clssim.app.i18n import LANGS, LEVER_HELP, SCENARIOS, STRINGS, number, placeholders, tr
from clssim.app.mapview import COLOUR_BY, LAYERS, MapPainter, Stretch, recent_offences
from clssim.app.readout import indicators, info_lines
from clssim.app.runlog import CSV_COLUMNS
from clssim.app.teaching import STRATEGIES, TeachingModel, scenario_names
from clssim.clock import SLOTS, SLOTS_PER_DAY
from clssim.layouts import LAND_USES
from clssim.scenario.contract import STAGES

ROOT = Path(__file__).resolve().parents[1]


def _play(room: Classroom, frames: int) -> int:
    """Play ``frames`` frames (or to the target/end); return the slots simulated."""
    before, left = room.model.steps, [frames]

    def keep_going() -> bool:
        left[0] -= 1
        return left[0] >= 0

    room.play(keep_going, lambda: None)
    return room.model.steps - before


# ----------------------------------------------------------------- pacing
@pytest.mark.parametrize("level", range(1, len(SPEEDS)))
def test_each_speed_simulates_its_slots_per_frame(level):
    room = Classroom(years=0.5)
    room.speed = level
    assert _play(room, 3) == 3 * SPEEDS[level][0]
    assert room.frame.step == room.model.steps  # the frame shows the state reached


def test_slow_motion_is_one_slot_a_frame_and_the_time_of_day_rotates():
    assert SPEEDS[0] == (1, 0.5)  # two frames a second
    room = Classroom(years=0.1)
    room.speed = 0
    assert _play(room, 2) == 2
    # every other speed moves an odd number of slots: successive frames show
    # every time of day, not always the same one
    assert all(slots % 2 == 1 for slots, _ in SPEEDS)


def test_run_to_day_stops_exactly_at_the_start_of_the_day_and_logs_it():
    room = Classroom(years=0.5)
    room.step()
    assert room.run_to_day(30) == 30 * SLOTS_PER_DAY
    room.play(lambda: True, lambda: None)
    assert room.model.steps == 30 * SLOTS_PER_DAY
    assert room.target is None
    (row,) = room.runs  # the pause is a row of the log
    assert row.steps == 120 and row.numbers["offences_true"] == int(
        room.model.recorder.true[:120].sum()
    )
    assert room.run_to_day(10) is None  # already past: nothing to do
    assert room.run_to_day(10_000) == room.model.n_steps  # at most the end
    room.play(lambda: True, lambda: None)
    assert not room.model.running and room.model.steps == room.model.n_steps
    assert [r.steps for r in room.runs] == [120, room.model.n_steps]
    assert "End of the run" in info_lines(room.model)[0]


def test_reset_logs_the_run_and_the_next_one_is_numbered_after_it():
    room = Classroom(years=0.1)
    room.advance(10)
    room.set_param("officers", 20)
    room.reset()
    assert [r.number for r in room.runs] == [1] and room.run_number == 2
    assert room.records() == room.runs  # run 2 has not started: no row yet
    room.step()
    assert [r.number for r in room.records()] == [1, 2]
    assert room.records()[-1].levers.officers == 20
    room.reset()  # run 2 logged at step 1; run 3 next
    assert room.run_number == 3 and [r.number for r in room.runs] == [1, 2]
    room.reset()  # run 3 never ran: not logged, and its number is kept
    assert room.run_number == 3 and len(room.runs) == 2


def test_the_run_log_downloads_as_csv_with_the_numbers_shown():
    room = Classroom(years=0.2)
    room.advance(50)
    room.set_param("procedural_justice", 0.1)
    room.reset()
    room.advance(30)
    rows = list(csv.DictReader(io.StringIO(room.csv())))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [r["run"] for r in rows] == ["1", "2"]
    assert [r["steps"] for r in rows] == ["50", "30"]
    assert rows[1]["procedural_justice"] == "0.1" and rows[0]["procedural_justice"] == "0.7"
    now = indicators(room.model)
    assert int(rows[1]["offences_true"]) == now["offences_true"]
    assert float(rows[1]["trust_mean"]) == pytest.approx(now["trust_mean"], rel=1e-5)


def test_earlier_runs_are_drawn_on_the_plots():
    room = Classroom(years=0.2)
    room.advance(120)
    alone = sum(len(ax.lines) for ax in room.plots.axes)
    room.reset()
    with_earlier = sum(len(ax.lines) for ax in room.plots.axes)
    assert with_earlier == alone + 4  # true and recorded per week, trust, insecurity
    (earlier,) = room.plots.earlier
    assert earlier.number == 1 and earlier.trust.size == 30  # one point a day
    # the plots' axes hold the earlier run too
    room.advance(8)
    room.plots.update()
    lo, hi = room.plots.axes[1].get_ylim()
    assert lo <= earlier.trust.min() and earlier.trust.max() <= hi


# ----------------------------------------------------------------- the map
def test_every_layer_paints_its_own_values():
    model = TeachingModel(lighting=1.0, proximity_officers=2, years=0.3)
    painter = MapPainter(model)
    for _ in range(300):
        model.step()
        painter.observe()
    images = {}
    for layer in LAYERS:
        painter.layer = layer
        img, legend = painter.rgb()
        assert img.shape == (model.world.height * painter.px, model.world.width * painter.px, 3)
        assert legend.layer == layer and bool(legend.land) == (layer == "land_use")
        images[layer] = img
    for a in LAYERS:
        for b in LAYERS:
            if a < b and {a, b} != {"crime_true", "crime_recorded"}:
                assert not np.array_equal(images[a], images[b]), (a, b)
    # the crime layers count the last four weeks' offences, true and recorded
    rec = recent_offences(model, 28)
    assert painter.layer_values("crime_true").sum() == rec["cell"].size
    assert painter.layer_values("crime_recorded").sum() == rec["reported"].sum()
    # police presence: the slot just simulated counts in full, older slots decay
    presence = painter.layer_values("police")
    now = model.police.presence[: presence.size]
    assert (presence >= now - 1e-12).all()
    assert presence[now > 0].mean() > np.median(presence)


def test_a_stretched_scale_covers_what_varies_and_only_widens():
    s = Stretch(min_span=0.05)
    lo, hi = s.update(np.linspace(0.40, 0.46, 101))
    assert 0.40 <= lo < 0.405 and 0.455 < hi <= 0.46
    assert s.update(np.full(10, 0.43)) == (lo, hi)  # narrower values: unchanged
    lo2, hi2 = s.update(np.linspace(0.3, 0.5, 101))
    assert lo2 < lo and hi2 > hi
    assert Stretch(0.05).update(np.full(5, 0.2)) == pytest.approx((0.175, 0.225))


def test_residents_colour_is_stretched_to_the_values_present():
    model = TeachingModel(years=0.05)
    painter = MapPainter(model)
    _, legend = painter.rgb()
    values = model.social.insecurity
    lo, hi = legend.resident_range
    assert lo >= values.min() - 1e-9 and hi <= values.max() + 1e-9
    assert hi - lo < 0.9  # far narrower than 0-1: the differences are visible
    painter.colour = "none"
    assert painter.rgb()[1].resident_stops == ()
    with pytest.raises(ValueError, match="layer must be one of"):
        painter.layer = "fog"


# ----------------------------------------------------------------- languages
def test_every_text_is_in_both_languages_with_the_same_placeholders():
    for key, texts in STRINGS.items():
        assert set(texts) == set(LANGS), key
        assert placeholders(texts["en"]) == placeholders(texts["pt"]), key
        assert texts["en"] != texts["pt"] or key in {"tab_plots"} or len(texts["en"]) < 6, key
    for key, texts in LEVER_HELP.items():
        assert set(texts) == set(LANGS), key
        for label, tip in texts.values():
            assert label and len(tip) > 40, key  # what it is and which theory it touches


def test_every_control_value_and_scenario_has_its_words():
    needed = (
        [f"layer_{k}" for k in LAYERS]
        + [f"land_{k}" for k in LAND_USES]
        + [f"stage_{k}" for k in STAGES]
        + list(STRATEGIES)
        + list(COLOUR_BY)
        + list(SLOTS)
    )
    assert not [k for k in needed if k not in STRINGS]
    levers = set(Classroom(years=0.01).params) - {"scenario_name", "shipped"}
    assert levers == set(LEVER_HELP)
    assert set(SCENARIOS) == set(scenario_names())
    for name, texts in SCENARIOS.items():
        for lang in LANGS:
            short, long = texts[lang]
            assert len(short) <= 80 and len(long) > len(short), (name, lang)


def test_the_text_panel_and_notes_speak_portuguese():
    model = TeachingModel(scenario_name="rural_town", officers=9, lighting=0.5, years=0.1)
    for _ in range(20):
        model.step()
    en, pt = " ".join(info_lines(model, "en")), " ".join(info_lines(model, "pt"))
    for word in ("Step", "Offences", "Mean trust", "Officers:", "police levers", "teaching"):
        assert word in en and word not in pt, word
    for word in ("Passo 20 de", "Crimes até agora", "Confiança média", "Agentes:", "ficheiro"):
        assert word in pt, word
    assert "23,5 %" in tr("info_social", "pt", trust="", insecurity="", afraid="23,5 %",
                          victimised="")  # fmt: skip


@given(st.floats(0, 1e6, allow_nan=False), st.integers(0, 3))
def test_numbers_are_written_as_each_language_writes_them(x, digits):
    en, pt = number(x, "en", digits), number(x, "pt", digits)
    assert float(en.replace(",", "")) == pytest.approx(round(x, digits), abs=10**-digits)
    assert pt == en.replace(",", " ").replace(".", ",")
    assert number(0.234, "pt", 1, percent=True) == "23,4 %"
    assert number(float("nan"), "pt") == "–"


# ----------------------------------------------------------------- the exercises
EN = sorted((ROOT / "docs" / "teaching").glob("0*.md"))


def _blocks(path: Path) -> list[tuple[str, str]]:
    """The fenced code blocks; the Portuguese notebook counts as the English one."""
    text = path.read_text(encoding="utf-8")
    text = text.replace("docs/teaching/pt/exercise_fear", "docs/teaching/exercise_fear")
    text = text.replace("out/ex4-notebook-pt.ipynb", "out/ex4-notebook.ipynb")
    return re.findall(r"```(\w*)\n(.*?)```", text, flags=re.S)


@pytest.mark.parametrize(
    "path", [*EN, ROOT / "docs" / "teaching" / "README.md"], ids=lambda p: p.name
)
def test_each_exercise_has_a_portuguese_twin_with_the_same_commands(path):
    """pt-PT exercises run exactly the English commands (the CLI speaks English;
    exercise 4 runs the Portuguese notebook, whose code is the English one's),
    so both are checked by the in-order run of the English blocks."""
    twin = path.parent / "pt" / path.name
    assert twin.is_file(), twin
    assert _blocks(twin) == _blocks(path)
    text = twin.read_text(encoding="utf-8")
    assert f"../{path.name}" in text  # links to its English twin
    english = path.read_text(encoding="utf-8")
    for en_label, pt_label in (
        ("**Reset**", "**Reiniciar**"),
        ("**Run to day**", "**Correr até ao dia**"),
    ):
        if en_label in english:
            assert pt_label in text, (twin.name, pt_label)  # the app's Portuguese labels


def test_the_portuguese_notebook_runs_the_english_code():
    import nbformat

    def code(path: Path) -> list[str]:
        nb = nbformat.read(path, as_version=4)
        strip = [re.sub(r"\s*#.*$", "", line) for c in nb.cells if c.cell_type == "code"
                 for line in c.source.splitlines()]  # fmt: skip
        return [line for line in strip if line.strip()]

    en = ROOT / "docs" / "teaching" / "exercise_fear_and_crime.ipynb"
    assert code(en.parent / "pt" / en.name) == code(en)


def _run_to(room: Classroom, day: int | None) -> dict:
    """Run to the start of ``day`` (None: the end) as the buttons do; the log's row."""
    if day is None:
        room.run_to_end()
    else:
        room.run_to_day(day)
    room.play(lambda: True, lambda: None)
    return room.runs[-1].numbers


def _app(**params) -> Classroom:
    room = Classroom()
    for key, value in params.items():
        room.set_param(key, value)
    room.reset()
    return room


def _pct(x: float) -> str:
    return f"{x:.1%}".replace("%", " %")


@pytest.mark.slow
def test_the_app_numbers_the_exercises_quote_are_what_the_app_shows():
    """Each exercise's "In the app" numbers are the run log's rows of the runs
    its steps make (seed 1): the text and the app agree."""
    teaching = ROOT / "docs" / "teaching"
    ex1, ex2, ex3, ex4 = (
        (teaching / f).read_text(encoding="utf-8")
        for f in ("01_routine_activities.md", "02_hotspot_vs_proximity.md",
                  "03_recorded_crime_and_trust.md", "04_fear_and_crime.md")
    )  # fmt: skip
    ex1 = " ".join(ex1.split())
    year = {k: _run_to(_app(officers=k), 365) for k in (8, 0, 24)}
    n = year[8]
    assert f"8 officers: {n['offences_true']} true / {n['offences_recorded']} recorded" in ex1
    for k in (0, 24):
        n = year[k]
        assert f"{k} officers: {n['offences_true']} / {n['offences_recorded']}," in ex1, k
        assert f"{_pct(n['afraid_share'])} afraid" in ex1, k
    rows = {
        "random patrol": year[8],
        "hot-spot patrol": _run_to(_app(strategy="hotspot"), 365),
        "4 proximity officers on foot": _run_to(_app(proximity_officers=4, foot_share=1.0), 365),
    }
    for label, n in rows.items():
        assert (
            f"| {label} | {n['offences_true']} | {n['offences_recorded']} | "
            f"{n['recording_rate']:.0%} | {n['trust_mean']:.3f} |".replace("%", " %")
            in ex2
        ), label
    for label, params in (
        ("baseline (16 officers)", {}),
        ("low trust (PJ 0.1)", {"procedural_justice": 0.1}),
        ("high trust (PJ 0.95, 12 on foot beats)",
         {"procedural_justice": 0.95, "proximity_officers": 12, "foot_share": 1.0}),
    ):  # fmt: skip
        room = _app(officers=16, **params)
        a, b = _run_to(room, 365), _run_to(room, None)
        cells = [
            f"{n['offences_true']} / {n['offences_recorded']} ({n['recording_rate']:.0%})"
            for n in (a, b)
        ]
        row = f"| {label} | {cells[0]} | {cells[1]} | {b['trust_mean']:.3f} |"
        assert row.replace("%", " %") in ex3, row
    for label, params in (
        ("as the page opens (8 officers)", {}),
        ("street lighting 1.0", {"lighting": 1.0}),
        ("24 officers", {"officers": 24}),
    ):
        n = year[8] if not params else _run_to(_app(**params), 365)
        row = f"| {label} | {n['offences_true']} | {_pct(n['afraid_share'])} | "
        row += f"{_pct(n['victimised_share'])} |"
        assert row in ex4, row
    ex5 = " ".join((teaching / "05_local_safety_contract.md").read_text(encoding="utf-8").split())
    room = _app(scenario_name="lisbon_neighbourhood", shipped=True)
    diagnosis, end = _run_to(room, 485), _run_to(room, None)
    assert (
        f"{diagnosis['offences_true']} offences, of which {diagnosis['offences_recorded']}" in ex5
    )
    base = _run_to(_app(scenario_name="lisbon_baseline", shipped=True), None)
    assert (
        f"with the contract {end['offences_true']} true and {end['offences_recorded']} recorded "
        f"offences, trust {end['trust_mean']:.3f} and {_pct(end['afraid_share'])} afraid; "
        f"without it {base['offences_true']} and {base['offences_recorded']}, trust "
        f"{base['trust_mean']:.3f} and {_pct(base['afraid_share'])} afraid"
    ) in ex5


def test_a_real_maps_streets_are_drawn_on_every_layer():
    room = Classroom("helsinki", years=0.01)
    streets = room.map.streets
    assert streets is not None and 0.02 < streets.mean() < 0.5
    for layer in ("land_use", "lighting"):
        room.map.layer = layer
        with_streets = room.map.rgb()[0]
        room.map.streets = None
        without = room.map.rgb()[0]
        room.map.streets = streets
        changed = (with_streets != without).any(axis=2)
        # only street pixels change (and a few residents' dots blended over them)
        assert changed[streets].mean() > 0.9 and changed[~streets].mean() < 0.01
    assert Classroom(years=0.01).map.streets is None  # a drawn map has none
