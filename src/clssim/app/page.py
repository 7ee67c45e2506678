"""The web page of ``clssim app``: a Solara page over a
:class:`~clssim.app.classroom.Classroom` (one per browser tab).

Serve it with ``clssim app [--lang pt]`` (or ``solara run clssim.app.page``).
The sidebar holds the controls (Reset, Play/Pause, Step, Speed, Run to day N,
Run to the end) and the levers, each with a tooltip; **levers take effect on
Reset**, and a notice says so when one has moved. The main area shows the map
(a layer and the residents' colouring to choose, a legend under it), the
text panel of key numbers, and three tabs: the live plots (earlier runs of
the tab as thin lines), the run log (CSV download) and the scenario's Info.

The model is a Mesa model (:class:`~clssim.app.teaching.TeachingModel`). The
page does not use Mesa's SolaraViz: its controller has no run-to-day, no
speed control of frames, no notice of pending levers and English labels
only, and its play loop asks for frames without waiting for them. The loop
here is the same Solara pattern (a threaded task), but it paints each frame
itself (:meth:`Classroom.play`), so what the browser receives is paced.
"""

from __future__ import annotations

import os
from html import escape

import solara
import solara.lab

from clssim.app.classroom import SPEEDS, Classroom
from clssim.app.i18n import LANGS, LEVER_HELP, SCENARIOS, number, tr
from clssim.app.mapview import COLOUR_BY, LAYERS
from clssim.app.readout import indicators, info_lines, weekday_name
from clssim.app.runlog import RunRecord
from clssim.app.teaching import STRATEGIES, scenario_names
from clssim.clock import SLOTS_PER_DAY

__all__ = ["Page", "initial_lang", "initial_scenario", "page"]


def initial_scenario() -> str:
    """The scenario selected when the page opens: ``clssim app --scenario NAME``
    (passed as ``CLSSIM_APP_SCENARIO``), else the default neighbourhood."""
    name = os.environ.get("CLSSIM_APP_SCENARIO", "neighbourhood")
    return name if name in scenario_names() else "neighbourhood"


def initial_lang() -> str:
    """The language the page opens in: ``clssim app --lang`` (``CLSSIM_APP_LANG``)."""
    lang = os.environ.get("CLSSIM_APP_LANG", "en")
    return lang if lang in LANGS else "en"


def _years() -> float | None:
    """``CLSSIM_APP_YEARS`` shortens every run (the browser tests use it)."""
    value = os.environ.get("CLSSIM_APP_YEARS")
    return float(value) if value else None


#: a classroom projector is 1280 x 720: a narrower sidebar, compact text
SIDEBAR_PX = 300
CSS = f"""
.v-navigation-drawer {{ width: {SIDEBAR_PX}px !important; min-width: {SIDEBAR_PX}px !important; }}
.v-app-bar {{ left: {SIDEBAR_PX}px !important; width: calc(100% - {SIDEBAR_PX}px) !important; }}
.v-main {{ --v-layout-left: {SIDEBAR_PX}px !important; }}
.v-app-bar .v-toolbar-title {{ font-size: 1.05rem; flex: 1 1 auto !important; }}
.v-app-bar .v-toolbar__content {{ height: 48px !important; }}
.v-main {{ --v-layout-top: 48px !important; }}
.v-tab {{ text-transform: none !important; min-width: 0 !important; padding: 0 10px !important; }}
.v-btn {{ text-transform: none !important; letter-spacing: 0 !important; }}
.v-slider-thumb__label-container {{ display: block !important; }}
.v-slider-thumb__label {{ font-size: 0.72rem; height: 20px; min-width: 30px; top: -24px; }}
.v-slider-thumb__label-wedge {{ display: none; }}
.v-slider.v-input--horizontal {{ margin-top: 8px; }}
.clssim-sidebar .v-input__details {{ display: none; }}
.clssim-sidebar .v-label {{ font-size: 0.85rem; }}
.clssim-map-image img, img.clssim-map-image {{
  max-height: calc(100vh - 300px); max-width: 100%; width: auto; image-rendering: pixelated; }}
.clssim-plots-image img, img.clssim-plots-image {{
  max-height: calc(100vh - 250px); max-width: 100%; }}
.clssim-legend {{ font-size: 12px; line-height: 1.4; display: flex; flex-wrap: wrap;
  gap: 2px 12px; }}
.clssim-legend .sw {{ display: inline-block; width: 12px; height: 12px; border: 1px solid #888;
  vertical-align: -2px; margin-right: 4px; }}
.clssim-legend .bar {{ display: inline-block; width: 120px; height: 12px; vertical-align: -2px;
  margin: 0 4px; border: 1px solid #888; }}
.clssim-info {{ font-size: 0.8rem; line-height: 1.3; }}
.clssim-info p {{ margin: 0 0 3px 0; }}
.clssim-runlog {{ max-width: 100%; overflow-x: auto; max-height: calc(100vh - 330px);
  overflow-y: auto; }}
.clssim-runlog table {{ border-collapse: collapse; font-size: 0.78rem; }}
.clssim-runlog td, .clssim-runlog th {{ border-bottom: 1px solid #ddd; padding: 2px 6px;
  text-align: right; white-space: nowrap; }}
.clssim-runlog td.l, .clssim-runlog th.l {{ text-align: left; white-space: normal;
  min-width: 110px; }}
.clssim-runlog td.lv {{ text-align: left; white-space: normal; min-width: 190px;
  font-size: 0.72rem; }}
.clssim-main {{ max-width: calc(100vw - {SIDEBAR_PX}px - 16px); flex-wrap: nowrap !important; }}
.clssim-main > * {{ min-width: 0; }}
.clssim-main .v-sheet {{ min-width: 0; max-width: 100%; }}
.clssim-changed {{ color: #b00020; font-weight: 600; font-size: 0.85rem; }}
.clssim-help {{ cursor: help; margin-left: 2px; }}
.clssim-map-title {{ font-size: 0.9rem; }}
.clssim-lever-label {{ font-size: 0.85rem; }}
.clssim-lever .v-slider.v-input--horizontal {{ margin-top: 18px; margin-inline: 8px; }}
"""

_MARKS = {  # inline SVG of the map's markers
    "mark_car": "<rect x='2' y='2' width='10' height='10' fill='#1f4e9c' stroke='white'/>",
    "mark_beat": "<polygon points='7,1 13,13 1,13' fill='#00a6d6' stroke='black'/>",
    "mark_worker": "<polygon points='7,1 13,7 7,13 1,7' fill='#7b2cbf' stroke='white'/>",
    "mark_reported": "<circle cx='7' cy='7' r='5.5' fill='#d90d0d' stroke='#d90d0d'/>",
    "mark_unreported": "<circle cx='7' cy='7' r='5' fill='none' stroke='#d90d0d' "
    "stroke-width='1.8'/>",
}


def legend_html(legend, lang: str) -> str:
    """The map's legend: land uses or the layer's scale, the residents' scale, markers."""
    items = []
    if legend.land:
        items += [
            f"<span><span class='sw' style='background:{c}'></span>{tr('land_' + n, lang)}</span>"
            for n, c in legend.land
        ]
    else:
        lo, hi = legend.layer_range
        unit = {"maintenance": "unit_maintenance", "police": "unit_police"}.get(
            legend.layer,
            "unit_crime" if legend.layer.startswith("crime") else "unit_share",
        )
        items.append(
            _bar(tr("layer_" + legend.layer, lang), legend.layer_stops, lo, hi, lang)
            + f" <i>({tr(unit, lang)})</i>"
        )
    if legend.resident_stops:
        lo, hi = legend.resident_range
        what = tr("residents_scale", lang, what=tr(legend.colour, lang))
        items.append(
            _bar(what, legend.resident_stops, lo, hi, lang)
            + f" <i>({tr('scale_stretched', lang)})</i>"
        )
    marks = [
        f"<span><svg width='14' height='14'>{svg}</svg> {tr(key, lang)}</span>"
        for key, svg in _MARKS.items()
    ]
    items += marks[:3]
    items.append(f"<span><b>{tr('mark_offences', lang)}</b></span>" + "".join(marks[3:]))
    return "".join(items)


def _bar(label: str, stops, lo: float, hi: float, lang: str) -> str:
    digits = 0 if hi >= 10 else (1 if hi - lo >= 0.5 else 2)
    gradient = ", ".join(stops)
    return (
        f"<span><b>{escape(label)}</b> {number(lo, lang, digits)}"
        f"<span class='bar' style='background:linear-gradient(to right, {gradient})'></span>"
        f"{number(hi, lang, digits)}</span>"
    )


def runlog_html(records: list[RunRecord], lang: str, live: bool = False) -> str:
    """The run log as an HTML table (``live``: the last row is the run now, marked)."""
    if not records:
        return f"<p>{tr('log_empty', lang)}</p>"
    head = [
        "col_run",
        "col_scenario",
        "col_levers",
        "col_day",
        "col_true",
        "col_recorded",
        "col_rate",
        "col_trust",
        "col_insecurity",
        "col_afraid",
        "col_victimised",
    ]
    th = "".join(
        f"<th class='{'l' if k in ('col_scenario', 'col_levers') else ''}'>{tr(k, lang)}</th>"
        for k in head
    )
    rows = []
    for i, r in enumerate(records):
        n, lv = r.numbers, r.levers
        if r.shipped:
            levers = tr("as_shipped", lang)
        else:
            words = (
                ("a pé", "JP", "luz", "jovens", "idosos")
                if lang == "pt"
                else ("foot", "PJ", "light", "youth", "elderly")
            )
            levers = (
                f"{lv.officers} × {tr(lv.strategy, lang)}, prox. {lv.proximity_officers} "
                f"({words[0]} {number(lv.foot_share, lang, 1)}), "
                f"{words[1]} {number(lv.procedural_justice, lang, 2)}, "
                f"{words[2]} {number(lv.lighting, lang, 1)}, {words[3]} {lv.youth_places}, "
                f"{words[4]} {lv.elderly_visits}"
            )
        mark = f" <i>({tr('log_running', lang)})</i>" if live and i == len(records) - 1 else ""
        cells = [
            f"#{r.number}{mark}",
            f"{escape(r.scenario)}, {tr('col_seed', lang)} {r.seed}",
            escape(levers),
            number(r.days, lang, 0),
            number(n["offences_true"], lang),
            number(n["offences_recorded"], lang),
            number(n["recording_rate"], lang, 0, percent=True),
            number(n["trust_mean"], lang, 3),
            number(n["insecurity_mean"], lang, 3),
            number(n["afraid_share"], lang, 1, percent=True),
            number(n["victimised_share"], lang, 1, percent=True),
        ]
        rows.append(
            "<tr>"
            + "".join(
                f"<td class='{('', 'l', 'lv')[k] if k < 3 else ''}'>{c}</td>"
                for k, c in enumerate(cells)
            )
            + "</tr>"
        )
    return f"<table><tr>{th}</tr>{''.join(rows)}</table>"


def about_html(name: str, lang: str) -> str:
    short, long = SCENARIOS[name][lang]
    return (
        f"<p><b>{escape(name)}</b> — {escape(short)}</p><p>{escape(long)}</p>"
        f"<p><i>{tr('file', lang)}: scenarios/{escape(name)}.toml</i></p>"
    )


def speed_text(level: int, lang: str) -> str:
    slots, pause = SPEEDS[level]
    if pause:
        return tr("speed_slow", lang)
    if slots == 1:
        return tr("speed_one", lang)
    if slots >= 28:
        weeks = tr("one_week" if slots < 56 else "two_weeks", lang)
        return tr("speed_week", lang, n=slots, weeks=weeks)
    return tr("speed_slots", lang, n=slots)


# --------------------------------------------------------------------- components
@solara.component
def Help(key: str, lang: str):
    """The ⓘ of a lever, with its tooltip."""
    with solara.Tooltip(LEVER_HELP[key][lang][1]):
        solara.v.Icon(
            children=["mdi-information-outline"],
            small=True,
            color="primary",
            class_=f"clssim-help clssim-help-{key}",
        )


@solara.component
def Lever(room: Classroom, key: str, lang: str, on_change, kind: str, **kw):
    """A lever: its label and ⓘ tooltip above, the slider or list below."""
    label = LEVER_HELP[key][lang][0]
    value = room.params[key]

    def set_value(v):
        room.set_param(key, v)
        on_change()

    with solara.Column(gap="0px", classes=["clssim-lever", f"clssim-lever-{key}"]):
        with solara.Row(gap="2px", style={"align-items": "center"}):
            solara.Text(label, classes=["clssim-lever-label"])
            Help(key, lang)
        if kind == "int":
            solara.SliderInt("", value=int(value), on_value=set_value, thumb_label="always", **kw)
        elif kind == "float":
            solara.SliderFloat(
                "", value=float(value), on_value=set_value, thumb_label="always", **kw
            )
        else:
            labels = {tr(s, lang): s for s in STRATEGIES}
            solara.Select(
                "",
                value=tr(value, lang),
                values=list(labels),
                dense=True,
                on_value=lambda v: set_value(labels[v]),
            )


@solara.component
def MapView(room: Classroom, frame: solara.Reactive[int], lang: str):
    frame.value  # re-render on every frame  # noqa: B018
    f = room.frame
    solara.Image(f.map_png, format="png", classes=["clssim-map-image", "clssim-grid-image"])
    solara.HTML(tag="div", unsafe_innerHTML=legend_html(f.legend, lang), classes=["clssim-legend"])


@solara.component
def MapTitle(room: Classroom, frame: solara.Reactive[int], lang: str):
    """When the map is: day, weekday and time of day of the last slot simulated."""
    frame.value  # noqa: B018
    t = indicators(room.model)
    title = tr(
        "map_title",
        lang,
        day=t["day"],
        weekday=weekday_name(t["weekday"], lang),
        slot=tr(t["slot"], lang),
    )
    solara.HTML(tag="div", unsafe_innerHTML=f"<b>{title}</b>", classes=["clssim-map-title"])


@solara.component
def InfoView(room: Classroom, frame: solara.Reactive[int], lang: str):
    frame.value  # noqa: B018
    html = "".join(f"<p>{line}</p>" for line in info_lines(room.model, lang))
    solara.HTML(tag="div", unsafe_innerHTML=html, classes=["clssim-info"])


@solara.component
def PlotsView(room: Classroom, frame: solara.Reactive[int]):
    frame.value  # noqa: B018
    solara.Image(room.frame.plots_png, format="png", classes=["clssim-plots-image"])


@solara.component
def RunLogView(room: Classroom, frame: solara.Reactive[int], lang: str):
    frame.value  # noqa: B018
    records = room.records()
    live = bool(records) and (not room.runs or records[-1] is not room.runs[-1])
    solara.HTML(tag="p", unsafe_innerHTML=tr("log_help", lang), style={"font-size": "0.8rem"})
    solara.HTML(
        tag="div", unsafe_innerHTML=runlog_html(records, lang, live), classes=["clssim-runlog"]
    )
    solara.FileDownload(data=room.csv, filename="clssim-runs.csv", label=tr("download_csv", lang))


@solara.component
def Page():
    """One :class:`Classroom` per browser tab, and the controls that drive it."""
    room = solara.use_memo(
        lambda: Classroom(initial_scenario(), initial_lang(), years=_years()), dependencies=[]
    )
    lang, set_lang = solara.use_state(room.lang)
    frame = solara.use_reactive(0)  # bumped after each frame painted
    playing = solara.use_reactive(False)
    _, set_levers_version = solara.use_state(0)  # re-render the sidebar on a lever change
    running_day = solara.use_reactive(365)
    tab = solara.use_reactive("tab_plots")

    def lever_changed():
        set_levers_version(lambda v: v + 1)

    def publish():
        frame.set(frame.value + 1)

    def play_loop():
        if playing.value:
            room.play(lambda: playing.value, publish)
            playing.set(False)

    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=True)

    def do_reset():
        playing.set(False)
        room.reset()
        lever_changed()
        publish()

    def do_step():
        room.step()
        publish()

    def do_run_to_day():  # while playing too: the loop takes the target at its next frame
        if room.run_to_day(running_day.value or 0) is not None and not playing.value:
            playing.set(True)

    def do_run_to_end():
        if room.run_to_end() is not None and not playing.value:
            playing.set(True)

    def do_play_pause():
        if not playing.value:
            room.target = None
        playing.set(not playing.value)

    def switch_lang(value: str):
        set_lang(value)
        room.set_lang(value)
        publish()

    def set_layer(label: str):
        room.set_view(layer={tr("layer_" + k, lang): k for k in LAYERS}[label])
        publish()

    def set_colour(label: str):
        room.set_view(colour={tr(k, lang): k for k in COLOUR_BY}[label])
        publish()

    def set_scenario(label: str):
        room.set_param("scenario_name", scenario_labels[label])
        lever_changed()

    def set_shipped(value: bool):
        room.set_param("shipped", bool(value))
        lever_changed()

    def set_speed(value: int):
        room.speed = int(value)
        lever_changed()

    scenario_labels = {f"{n} — {SCENARIOS[n][lang][0]}": n for n in scenario_names()}
    current_label = next(k for k, v in scenario_labels.items() if v == room.params["scenario_name"])
    ended = not room.model.running
    days = room.model.n_steps // SLOTS_PER_DAY

    solara.Title("clssim app")
    solara.Style(CSS)
    with solara.AppBar():
        with solara.AppBarTitle():
            solara.Text(tr("title", lang))
        solara.ToggleButtonsSingle(
            value=lang.upper(),
            values=[x.upper() for x in LANGS],
            on_value=lambda v: switch_lang(v.lower()),
            dense=True,
            classes=["clssim-lang"],
        )
    with solara.Sidebar(), solara.Column(gap="6px", classes=["clssim-sidebar"]):
        solara.Select(
            tr("scenario", lang),
            value=current_label,
            values=list(scenario_labels),
            on_value=set_scenario,
        )
        solara.Checkbox(
            label=tr("shipped", lang), value=room.params["shipped"], on_value=set_shipped
        )
        with solara.Row(gap="6px"):
            solara.Button(tr("reset", lang), color="primary", on_click=do_reset)
            solara.Button(
                tr("pause", lang) if playing.value else tr("play", lang),
                color="primary",
                on_click=do_play_pause,
                disabled=ended,
                classes=["clssim-play"],
            )
            solara.Button(
                tr("step", lang),
                color="primary",
                on_click=do_step,
                disabled=playing.value or ended,
            )
        with solara.Column(gap="0px", classes=["clssim-speed"]):
            solara.SliderInt(
                tr("speed", lang),
                value=room.speed,
                min=0,
                max=len(SPEEDS) - 1,
                on_value=set_speed,
                thumb_label=False,
            )
        solara.Text(speed_text(room.speed, lang), style={"font-size": "0.8rem"})
        with solara.Row(gap="6px", style={"align-items": "center"}):
            solara.InputInt(
                tr("day", lang),
                value=running_day,
                classes=["clssim-day"],
                style={"max-width": "90px"},
            )
            solara.Button(
                tr("run_to_day", lang),
                on_click=do_run_to_day,
                disabled=ended,
                classes=["clssim-run-to-day"],
            )
        solara.Button(
            tr("run_to_end", lang),
            on_click=do_run_to_end,
            disabled=ended,
            classes=["clssim-run-to-end"],
        )
        solara.Text(tr("run_length", lang, days=number(days, lang)), style={"font-size": "0.75rem"})
        solara.HTML(tag="h4", unsafe_innerHTML=tr("levers", lang))
        if room.changed:
            solara.HTML(tag="div", unsafe_innerHTML=tr("changed", lang), classes=["clssim-changed"])
        else:
            solara.Text(tr("levers_apply_on_reset", lang), style={"font-size": "0.8rem"})
        Lever(room, "officers", lang, lever_changed, "int", min=0, max=30)
        Lever(room, "strategy", lang, lever_changed, "select")
        Lever(room, "proximity_officers", lang, lever_changed, "int", min=0, max=12)
        Lever(room, "foot_share", lang, lever_changed, "float", min=0.0, max=1.0, step=0.1)
        Lever(
            room,
            "procedural_justice",
            lang,
            lever_changed,
            "float",
            min=0.0,
            max=1.0,
            step=0.05,
        )
        Lever(room, "lighting", lang, lever_changed, "float", min=0.0, max=1.0, step=0.1)
        Lever(room, "youth_places", lang, lever_changed, "int", min=0, max=300, step=10)
        Lever(room, "elderly_visits", lang, lever_changed, "int", min=0, max=300, step=10)
        Lever(room, "seed", lang, lever_changed, "int", min=1, max=50)

    layer_labels = [tr("layer_" + k, lang) for k in LAYERS]
    colour_labels = [tr(k, lang) for k in COLOUR_BY]
    with solara.Columns([11, 9], gutters_dense=True, classes=["clssim-main"]):
        with solara.Column(gap="4px", classes=["clssim-grid"]):
            with solara.Row(gap="10px", style={"align-items": "center", "flex-wrap": "wrap"}):
                solara.Select(
                    tr("map_shows", lang),
                    value=tr("layer_" + room.layer, lang),
                    values=layer_labels,
                    on_value=set_layer,
                    dense=True,
                    classes=["clssim-layer"],
                    style={"min-width": "300px", "max-width": "300px"},
                )
                solara.Select(
                    tr("residents_by", lang),
                    value=tr(room.colour, lang),
                    values=colour_labels,
                    on_value=set_colour,
                    dense=True,
                    classes=["clssim-colour"],
                    style={"min-width": "200px", "max-width": "200px"},
                )
                MapTitle(room, frame, lang)
            MapView(room, frame, lang)
        with solara.Column(gap="4px"):
            InfoView(room, frame, lang)
            tabs = {tr(k, lang): k for k in ("tab_plots", "tab_log", "tab_about")}
            solara.ToggleButtonsSingle(
                value=tr(tab.value, lang),
                values=list(tabs),
                on_value=lambda v: tab.set(tabs[v]),
                dense=True,
                classes=["clssim-tabs"],
            )
            if tab.value == "tab_plots":
                PlotsView(room, frame)
            elif tab.value == "tab_log":
                RunLogView(room, frame, lang)
            else:
                solara.HTML(
                    tag="div",
                    unsafe_innerHTML=about_html(room.model_params["scenario_name"], lang),
                    classes=["clssim-about"],
                )


#: what ``solara run clssim.app.page`` serves
page = Page
