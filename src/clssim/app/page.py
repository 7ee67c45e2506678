"""The web page of ``clssim app``: Mesa's SolaraViz around a TeachingModel.

Serve it with ``clssim app`` (or ``solara run clssim.app.page``). Each
browser tab gets its own model. The sidebar holds Mesa's controls (Reset,
play/pause, Step, play and render intervals) and the levers; **levers take
effect on Reset**, which rebuilds the model from them
(:class:`~clssim.app.teaching.TeachingModel`). The main area shows the grid
(:class:`~clssim.app.components.GridView`, with a text panel) and the live
plots (:class:`~clssim.app.components.PlotsView`).
"""

from __future__ import annotations

import os
from typing import Any

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.user_param import Slider

from clssim.app.components import GridView, PlotsView
from clssim.app.teaching import STRATEGIES, TeachingModel, scenario_names, scenario_path
from clssim.scenario import load_scenario

__all__ = ["MODEL_PARAMS", "PLAY_INTERVAL_MS", "RENDER_INTERVAL", "Page", "model_params", "page"]

#: slots per displayed frame (5, not 4: the displayed time of day rotates)
RENDER_INTERVAL = 5
#: pause between frames while playing
PLAY_INTERVAL_MS = 1


def initial_scenario() -> str:
    """The scenario selected when the page opens: ``clssim app --scenario NAME``
    (passed as ``CLSSIM_APP_SCENARIO``), else the default neighbourhood."""
    name = os.environ.get("CLSSIM_APP_SCENARIO", "neighbourhood")
    return name if name in scenario_names() else "neighbourhood"


def model_params(name: str = "neighbourhood") -> dict[str, Any]:
    """SolaraViz inputs; the police levers start at scenario ``name``'s values."""
    police = load_scenario(scenario_path(name)).police
    return {
        "scenario_name": {
            "type": "Select",
            "value": name,
            "values": scenario_names(),
            "label": "Scenario",
        },
        "shipped": {
            "type": "Checkbox",
            "value": False,
            "label": "Scenario as shipped (ignore the levers)",
        },
        "officers": Slider("Officers", value=police.officers, min=0, max=30, step=1),
        "strategy": {
            "type": "Select",
            "value": police.strategy,
            "values": list(STRATEGIES),
            "label": "Patrol strategy",
        },
        "proximity_officers": Slider(
            "Proximity officers (on beats)", value=0, min=0, max=12, step=1
        ),
        "foot_share": Slider(
            "Foot share of proximity officers", value=0.5, min=0.0, max=1.0, step=0.1
        ),
        "procedural_justice": Slider(
            "Procedural justice", value=police.procedural_justice, min=0.0, max=1.0, step=0.05
        ),
        "lighting": Slider("Street lighting (all streets)", value=0.0, min=0.0, max=1.0, step=0.1),
        "youth_places": Slider("Youth programme places", value=0, min=0, max=300, step=10),
        "elderly_visits": Slider("Isolated elderly visited", value=0, min=0, max=300, step=10),
        "seed": Slider("Seed", value=1, min=1, max=50, step=1),
    }


INITIAL_SCENARIO = initial_scenario()
MODEL_PARAMS = model_params(INITIAL_SCENARIO)


#: slider values always visible (Vuetify shows them only while dragging)
CSS = """
.v-slider-thumb__label-container { display: block !important; }
.v-slider-thumb__label { font-size: 0.7rem; height: 20px; min-width: 28px; top: -24px; }
.v-slider-thumb__label-wedge { display: none; }
.v-slider.v-input--horizontal { margin-top: 10px; }
"""


@solara.component
def Page():
    """One model per browser session. SolaraViz draws the sidebar (controls,
    levers, Reset/play/Step) and owns the reactive model; the grid and the
    plots are laid out here, beside each other, instead of in SolaraViz's
    draggable grid (whose layout library needs Vue 2, and Solara on ipyvue 3
    runs Vue 3)."""
    first = solara.use_memo(
        lambda: TeachingModel(**{k: v.get("value") for k, v in MODEL_PARAMS.items()}),
        dependencies=[],
    )
    model = solara.use_reactive(first)
    solara.Title("clssim app")
    solara.Style(CSS)
    SolaraViz(
        model,
        components=[],
        model_params=MODEL_PARAMS,
        name="clssim teaching app (levers apply on Reset)",
        play_interval=PLAY_INTERVAL_MS,
        render_interval=RENDER_INTERVAL,
    )
    with solara.Columns([11, 9], gutters_dense=True, classes=["clssim-main"]):
        with solara.Card(margin=0, classes=["clssim-grid-card"]):
            GridView(model.value)
        with solara.Card(margin=0, classes=["clssim-plots-card"]):
            PlotsView(model.value)


#: what ``solara run clssim.app.page`` serves
page = Page
