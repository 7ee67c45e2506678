"""One browser tab of the app, without the browser: the levers as set, the
model they built, what the map shows, the run log, and what each button does.

The page (:mod:`clssim.app.page`) is a thin Solara layer over a
:class:`Classroom`; everything a button does happens here, so it can be
tested (and used from a notebook) without a browser.

Pacing. :meth:`Classroom.play` steps the model and paints a frame, again and
again, while its ``keep_going`` callback says so: at speed level ``k`` it
simulates :data:`SPEEDS` ``[k]`` slots per frame (odd numbers, so the time
of day shown rotates), and "run to day N" simulates as many slots as fit in
:data:`FAST_FRAME_S` per frame and stops exactly at the start of day N. Frames
come at most every :data:`MIN_FRAME_S` (the browser is not flooded); the
plots, slower to draw than the map, are redrawn every :data:`PLOTS_EVERY_S`
while playing and at every frame otherwise.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from clssim.app.charts import PlotsPainter
from clssim.app.mapview import MapPainter
from clssim.app.runlog import RunRecord, record_of, to_csv
from clssim.app.teaching import Levers, TeachingModel, scenario_names, scenario_path
from clssim.clock import SLOTS_PER_DAY
from clssim.scenario import load_scenario

__all__ = ["FAST_FRAME_S", "MIN_FRAME_S", "PLOTS_EVERY_S", "SPEEDS", "Classroom", "Frame"]

#: speed levels: (slots per frame, least seconds per frame)
SPEEDS: tuple[tuple[int, float], ...] = (
    (1, 0.5),
    (1, 0.0),
    (5, 0.0),
    (9, 0.0),
    (29, 0.0),
    (57, 0.0),
)
DEFAULT_SPEED = 2
MIN_FRAME_S = 1 / 20  #: at most 20 frames a second
FAST_FRAME_S = 0.08  #: "run to day N": simulate this long between frames
PLOTS_EVERY_S = 0.5  #: plots redrawn this often while playing


@dataclass
class Frame:
    """What the page shows of the model now."""

    map_png: bytes
    legend: Any
    plots_png: bytes
    step: int


def _police_levers(name: str) -> dict[str, Any]:
    police = load_scenario(scenario_path(name)).police
    return {
        "officers": police.officers,
        "strategy": police.strategy,
        "procedural_justice": police.procedural_justice,
    }


class Classroom:
    """One tab: pending levers, the model, the painters and the run log."""

    def __init__(
        self, scenario_name: str = "neighbourhood", lang: str = "en", years: float | None = None
    ):
        if scenario_name not in scenario_names():
            scenario_name = "neighbourhood"
        self.lang = lang
        self.years = years  #: shortens runs (tests); None: the scenario's length
        self.params: dict[str, Any] = {
            "scenario_name": scenario_name,
            "shipped": False,
            **asdict(Levers()),
            **_police_levers(scenario_name),
            "seed": 1,
        }
        self.layer, self.colour = "land_use", "insecurity"
        self.speed = DEFAULT_SPEED
        self.target: int | None = None  #: step at which playing stops (run to day N)
        self.runs: list[RunRecord] = []  #: the log's frozen rows (earlier runs, pauses)
        self.last_play: tuple[int, float] = (0, 0.0)  #: frames and seconds of the last play
        self.lock = threading.RLock()
        self.model: TeachingModel
        self._build()

    # ------------------------------------------------------------ levers
    def set_param(self, name: str, value: Any) -> None:
        """Set a lever (applied on :meth:`reset`). Choosing a scenario also
        sets the police levers to that scenario's own values."""
        if name not in self.params:
            raise KeyError(name)
        self.params[name] = value
        if name == "scenario_name":
            self.params.update(_police_levers(value))

    @property
    def changed(self) -> bool:
        """Whether the levers differ from those of the model running."""
        return self.params != self.model_params

    # ------------------------------------------------------------ runs
    def _build(self) -> None:
        self.model = TeachingModel(**self.params, years=self.years)
        self.model_params = dict(self.params)
        self._number = max((r.number for r in self.runs), default=0) + 1  #: of this run
        self.map = MapPainter(self.model, self.layer, self.colour)
        self.plots = PlotsPainter(self.model, self.lang, self.earlier(), self._number)
        self._plotted = -1
        self.frame = self.paint()

    @property
    def run_number(self) -> int:
        """The number of the current run in the log (#1, #2 …)."""
        return self._number

    def _logged_now(self) -> bool:
        """Whether the current run already has a frozen row."""
        return bool(self.runs) and self.runs[-1].number == self._number

    def earlier(self) -> list[RunRecord]:
        """The last row of each earlier run (what the plots overlay)."""
        last = {r.number: r for r in self.runs if r.number != self._number}
        return list(last.values())

    def snapshot(self) -> None:
        """Freeze the current run's numbers as a row of the log (done when
        "run to day N" arrives and when the run ends), unless already there."""
        with self.lock:
            m = self.model
            if m.steps and not (self._logged_now() and self.runs[-1].steps == m.steps):
                self.runs.append(record_of(m, self._number))

    def reset(self) -> None:
        """Log the run so far (if it ran), and build a new one from the levers."""
        with self.lock:
            self.snapshot()
            self.target = None
            self._build()

    def records(self) -> list[RunRecord]:
        """The run log: frozen rows, then the current run now (if it ran since)."""
        m = self.model
        latest = self.runs[-1] if self._logged_now() else None
        if m.steps and (latest is None or latest.steps != m.steps):
            return [*self.runs, record_of(m, self._number)]
        return list(self.runs)

    def csv(self) -> str:
        return to_csv(self.records())

    # ------------------------------------------------------------ display
    def set_lang(self, lang: str) -> None:
        with self.lock:
            self.lang = lang
            self.plots = PlotsPainter(self.model, lang, self.earlier(), self._number)
            self.frame = self.paint()

    def set_view(self, layer: str | None = None, colour: str | None = None) -> None:
        with self.lock:
            if layer is not None:
                self.layer = self.map.layer = layer
            if colour is not None:
                self.colour = self.map.colour = colour
            self.frame = self.paint(plots=False)

    def paint(self, plots: bool = True) -> Frame:
        """Paint the map, and the plots if asked (else the last frame's plots)."""
        with self.lock:
            map_png, legend = self.map.png()
            old = getattr(self, "frame", None)  # None: the first frame of a run
            plots_png = self.plots.png() if plots or old is None else old.plots_png
            return Frame(map_png, legend, plots_png, self.model.steps)

    # ------------------------------------------------------------ time
    def advance(self, slots: int) -> int:
        """Simulate up to ``slots`` slots (fewer at the end); return how many."""
        done = 0
        with self.lock:
            model = self.model
            while done < slots and model.running:
                model.step()
                self.map.observe()
                done += 1
        return done

    def step(self) -> None:
        """One slot, then a full frame (the Step button)."""
        self.advance(1)
        if not self.model.running:
            self.snapshot()
        self.frame = self.paint()

    def run_to_day(self, day: int) -> int | None:
        """Set the step at which :meth:`play` stops: the start of ``day`` (at most
        the end of the run). None if the run is already there."""
        target = min(int(day) * SLOTS_PER_DAY, self.model.n_steps)
        self.target = target if target > self.model.steps else None
        return self.target

    def run_to_end(self) -> int | None:
        self.target = self.model.n_steps if self.model.running else None
        return self.target

    def play(self, keep_going: Callable[[], bool], publish: Callable[[], None]) -> int:
        """Play until ``keep_going()`` is false, the target step or the end;
        ``publish()`` after each frame. Returns the frames painted."""
        frames, last_plots = 0, 0.0
        model = self.model
        started = time.perf_counter()
        while keep_going() and model.running and model is self.model:
            t0 = time.perf_counter()
            if self.target is not None:
                while model.steps < self.target and model.running:
                    self.advance(min(5, self.target - model.steps))
                    if time.perf_counter() - t0 > FAST_FRAME_S:
                        break
            else:
                self.advance(SPEEDS[self.speed][0])
            now = time.perf_counter()
            plots = now - last_plots >= PLOTS_EVERY_S
            self.frame = self.paint(plots=plots)
            if plots:
                last_plots = now
            frames += 1
            publish()
            if self.target is not None and model.steps >= self.target:
                self.target = None
                self.snapshot()
                break
            least = (
                MIN_FRAME_S if self.target is not None else max(MIN_FRAME_S, SPEEDS[self.speed][1])
            )
            rest = least - (time.perf_counter() - t0)
            if rest > 0:
                time.sleep(rest)
        if model is self.model:
            if not model.running:
                self.snapshot()
            self.frame = self.paint()  # the last state, with its plots
            publish()
        self.last_play = (frames, time.perf_counter() - started)
        return frames
