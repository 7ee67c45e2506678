"""What the app draws: the grid, the live plots and a short text panel.

Drawing is plain matplotlib (``matplotlib.figure.Figure``, no pyplot state),
rendered to PNG once per displayed frame; the functions that build the
figures (:func:`grid_figure`, :func:`plots_figure`) and the numbers they show
(:func:`recent_offences`, :func:`weekly_offences`, :func:`indicators`) take
any :class:`~clssim.model.CLSModel` and can be used from a notebook.

Nothing here writes to the model: the last days' offences are read back from
the recorder's event log, officers and field workers from their Mesa cells.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable
from functools import lru_cache
from html import escape
from typing import Any

import numpy as np
import PIL.Image
import solara
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from mesa.visualization.utils import update_counter

from clssim.axes import share_limits
from clssim.clock import SLOTS, SLOTS_PER_DAY, instant
from clssim.layouts import LAND_USES
from clssim.plots import LAND_COLOURS
from clssim.scenario.contract import STAGES

WEEK = 7 * SLOTS_PER_DAY
RECENT_DAYS = 7  #: offences of the last week are marked on the grid
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
COLOUR_BY = ("insecurity", "trust")
#: dark enough at every value to read on the pale land-use colours
CMAPS = {
    "insecurity": ListedColormap(colormaps["plasma"](np.linspace(0.0, 0.85, 256))),
    "trust": ListedColormap(colormaps["viridis"](np.linspace(0.0, 0.85, 256))),
}
DPI = 80

#: which attribute colours the residents on the grid (one per browser session)
colour_by = solara.reactive("insecurity")


# --------------------------------------------------------------------- data
@lru_cache(maxsize=8)
def jitter(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Fixed offsets in (−0.4, 0.4) for ``n`` residents (an R2 low-discrepancy
    sequence: deterministic and evenly spread, so dots in one cell do not pile up)."""
    i = np.arange(1, n + 1)
    return (i * 0.7548776662466927) % 1.0 * 0.8 - 0.4, (i * 0.5698402909980532) % 1.0 * 0.8 - 0.4


def recent_offences(model, days: int = RECENT_DAYS) -> dict[str, np.ndarray]:
    """Offences of the last ``days`` simulated days: cell, reported flag, age in slots."""
    now = model.steps
    since = now - days * SLOTS_PER_DAY
    parts = []
    for ev in reversed(model.recorder._events):
        if ev["step"].size and int(ev["step"][0]) < since:
            break
        parts.append(ev)
    if not parts:
        empty = np.empty(0, np.int64)
        return {"cell": empty, "reported": empty.astype(bool), "age": empty}
    cell = np.concatenate([p["cell"] for p in parts])
    reported = np.concatenate([p["reported"] for p in parts])
    age = now - 1 - np.concatenate([p["step"] for p in parts])
    return {"cell": cell, "reported": reported, "age": age}


def weekly_offences(model) -> dict[str, np.ndarray]:
    """True and recorded offences per week so far; the last week may be partial."""
    n = model.steps
    rec = model.recorder
    weeks = np.arange(n) // WEEK
    k = int(weeks[-1]) + 1 if n else 0
    return {
        "week": np.arange(k),
        "true": np.bincount(weeks, weights=rec.true[:n].sum(1), minlength=k),
        "recorded": np.bincount(weeks, weights=rec.recorded[:n].sum(1), minlength=k),
        "complete": np.arange(k) < n // WEEK,
    }


def indicators(model) -> dict[str, Any]:
    """The numbers of the text panel."""
    n = model.steps
    rec, soc, pop = model.recorder, model.social, model.population
    t = instant(max(n - 1, 0), model.scenario_config.time.start_weekday)
    true, recorded = int(rec.true[:n].sum()), int(rec.recorded[:n].sum())
    last = slice(max(0, n - WEEK), n)
    out: dict[str, Any] = {
        "step": n,
        "steps": model.n_steps,
        "day": t.day,
        "weekday": WEEKDAYS[t.weekday],
        "slot": SLOTS[t.slot],
        "offences_true": true,
        "offences_recorded": recorded,
        "recording_rate": recorded / true if true else float("nan"),
        "week_true": int(rec.true[last].sum()),
        "week_recorded": int(rec.recorded[last].sum()),
        "trust_mean": float(soc.trust.mean()),
        "insecurity_mean": float(soc.insecurity.mean()),
        "afraid_share": float((soc.insecurity > 0.5).mean()),
        "victimised_share": float((soc.victimisations > 0).mean()),
        "residents": int(pop.n),
        "officers": model.police.n_officers,
        "proximity_officers": sum(o.proximity for o in model.police.officers),
        "on_duty": int(rec.on_duty[n - 1]) if n else 0,
        "stage": model.contract.stage(t.day) if model.contract is not None else None,
    }
    return out


def _officer_positions(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x, y and proximity flag of the officers on duty in the last slot."""
    if model.steps == 0:
        return np.empty(0), np.empty(0), np.empty(0, bool)
    slot = (model.steps - 1) % SLOTS_PER_DAY
    on = [o for o in model.police.officers if o.on_duty(slot) and o.cell is not None]
    xy = np.array([o.cell.coordinate for o in on], dtype=float).reshape(-1, 2)
    return xy[:, 0], xy[:, 1], np.array([o.proximity for o in on], dtype=bool)


def _worker_positions(model) -> tuple[np.ndarray, np.ndarray]:
    """x, y of the contract's field workers delivering a measure in the last slot."""
    contract = model.contract
    if contract is None or model.steps == 0:
        return np.empty(0), np.empty(0)
    h = model.world.height
    xy = [
        w.cell.coordinate
        for p in contract.partners
        for w in p.workers
        if w.cell is not None
        and contract.guard[w.cell.coordinate[0] * h + w.cell.coordinate[1]] > 0
    ]
    arr = np.array(xy, dtype=float).reshape(-1, 2)
    return arr[:, 0], arr[:, 1]


# --------------------------------------------------------------------- figures
def _empty() -> np.ndarray:
    return np.empty((0, 2))


class GridPainter:
    """The grid figure of one model. Land use, the legend and the colour bar
    are drawn once; with ``blit`` (the app), each frame pastes that background
    and draws only the moving artists — dots, marks and the title."""

    def __init__(self, model, colour: str = "insecurity", blit: bool = False):
        if colour not in COLOUR_BY:
            raise ValueError(f"colour must be one of {COLOUR_BY}, not {colour!r}")
        self.model, self.colour, self.blit = model, colour, blit
        world = model.world
        w, h = world.width, world.height
        scale = 5.6 / max(w, h)  # inches per cell
        map_w, map_h = w * scale, h * scale
        fig_w, fig_h = map_w + 2.5, max(map_h, 4.4) + 0.45
        self.fig = fig = Figure(figsize=(fig_w, fig_h), dpi=DPI)
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0.08 / fig_w, 0.1 / fig_h, map_w / fig_w, map_h / fig_h))
        ax.imshow(
            world.land_use.reshape(w, h).T,
            cmap=ListedColormap(LAND_COLOURS),
            vmin=0,
            vmax=len(LAND_USES) - 1,
            interpolation="nearest",
            extent=(-0.5, w - 0.5, h - 0.5, -0.5),
        )
        self.dots = ax.scatter(
            [], [], s=3.0, c=[], cmap=CMAPS[colour], vmin=0.0, vmax=1.0, linewidths=0
        )
        self.offences = ax.scatter([], [], s=70, linewidths=1.6)
        self.workers = ax.scatter(
            [], [], s=60, marker="D", c="#7b2cbf", edgecolors="white", linewidths=0.8
        )
        self.cars = ax.scatter(
            [], [], s=90, marker="s", c="#1f4e9c", edgecolors="white", linewidths=1
        )
        self.beats = ax.scatter(
            [], [], s=120, marker="^", c="#00a6d6", edgecolors="black", linewidths=1
        )
        ax.set_xlim(-0.5, w - 0.5)
        ax.set_ylim(h - 0.5, -0.5)
        ax.set_xticks([])
        ax.set_yticks([])
        self.title = ax.set_title("", fontsize=11, loc="left")
        right = ax.get_position().x1 + 0.02
        handles = [
            Line2D([], [], ls="", marker="s", ms=8, mfc="#1f4e9c", mec="white",
                   label="officer (car)"),
            Line2D([], [], ls="", marker="^", ms=9, mfc="#00a6d6", mec="black",
                   label="proximity officer"),
            Line2D([], [], ls="", marker="D", ms=7, mfc="#7b2cbf", mec="white",
                   label="field worker"),
            Line2D([], [], ls="", marker="o", ms=8, mfc="#d90d0d", mec="#d90d0d",
                   label="offence, reported*"),
            Line2D([], [], ls="", marker="o", ms=8, mfc="none", mec="#d90d0d", mew=1.6,
                   label="offence, not reported*"),
        ]  # fmt: skip
        land = [
            Line2D([], [], ls="", marker="s", ms=8, mfc=c, mec="#888", label=n.replace("_", " "))
            for n, c in zip(LAND_USES, LAND_COLOURS, strict=True)
            if (world.land_use == LAND_USES.index(n)).any()
        ]
        fig.legend(
            handles=handles + land,
            loc="upper left",
            bbox_to_anchor=(right, 0.95),
            fontsize=8,
            frameon=False,
            alignment="left",
        )
        fig.text(right + 0.01, 0.2, f"* in the last {RECENT_DAYS} days", fontsize=8)
        cax = fig.add_axes((right + 0.01, 0.08, 0.22, 0.025))
        bar = fig.colorbar(self.dots, cax=cax, orientation="horizontal")
        bar.set_label(f"residents: {colour} (0–1)", fontsize=8)
        bar.ax.tick_params(labelsize=7)
        self.ax = ax
        self.moving = [self.dots, self.offences, self.workers, self.cars, self.beats, self.title]
        self.background = None
        if blit:
            for artist in self.moving:
                artist.set_animated(True)
            fig.canvas.draw()
            self.background = fig.canvas.copy_from_bbox(fig.bbox)

    def update(self) -> Figure:
        """Move the artists to the model's current state; return the figure."""
        model = self.model
        world, pop, soc = model.world, model.population, model.social
        loc = model.location
        here = loc < pop.outside
        jx, jy = jitter(pop.n)
        x, y = world.xy(loc[here])
        self.dots.set_offsets(np.column_stack((x + jx[here], y + jy[here])))
        self.dots.set_array(getattr(soc, self.colour)[here])
        rec = recent_offences(model)
        if rec["cell"].size:
            ox, oy = world.xy(rec["cell"])
            fade = np.clip(1.0 - rec["age"] / (RECENT_DAYS * SLOTS_PER_DAY), 0.25, 1.0)
            red = np.tile([0.85, 0.05, 0.05, 1.0], (ox.size, 1))
            red[:, 3] = fade
            fill = red.copy()
            fill[~rec["reported"], 3] = 0.0  # not reported: a hollow ring (the dark figure)
            self.offences.set_offsets(np.column_stack((ox, oy)))
            self.offences.set_facecolors(fill)
            self.offences.set_edgecolors(red)
        else:
            self.offences.set_offsets(_empty())
        fx, fy = _worker_positions(model)
        self.workers.set_offsets(np.column_stack((fx, fy)) if fx.size else _empty())
        px, py, prox = _officer_positions(model)
        cars, beats = np.column_stack((px, py))[~prox], np.column_stack((px, py))[prox]
        self.cars.set_offsets(cars if cars.size else _empty())
        self.beats.set_offsets(beats if beats.size else _empty())
        t = indicators(model)
        self.title.set_text(f"Day {t['day']} ({t['weekday']}, {t['slot']}) — step {t['step']:,}")
        return self.fig

    def png(self) -> bytes:
        """The current frame as PNG bytes."""
        if not self.blit:
            return png(self.update())
        self.update()
        canvas = self.fig.canvas
        canvas.restore_region(self.background)
        for artist in self.moving:
            self.fig.draw_artist(artist)
        image = PIL.Image.frombuffer(
            "RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1
        )
        buf = io.BytesIO()
        image.save(buf, format="png", compress_level=1)
        return buf.getvalue()


class PlotsPainter:
    """The live plots of one model: true vs recorded offences per week, mean
    trust and mean insecurity (lines updated in place each frame)."""

    def __init__(self, model):
        self.model = model
        self.fig = fig = Figure(figsize=(6.4, 6.6), dpi=DPI)
        FigureCanvasAgg(fig)
        fig.subplots_adjust(left=0.12, right=0.97, top=0.95, bottom=0.08, hspace=0.18)
        a1, a2, a3 = self.axes = fig.subplots(3, 1, sharex=True)
        self.lines = {}
        for key, colour, label in (
            ("true", "black", "true offences"),
            ("recorded", "#d90d0d", "recorded (reported to police)"),
        ):
            (self.lines[key],) = a1.plot([], [], "-o", ms=3, color=colour, label=label)
            (self.lines[key + "_now"],) = a1.plot([], [], "o", ms=5, mfc="none", color=colour)
        a1.set_ylabel("offences per week", fontsize=9)
        a1.legend(fontsize=8, loc="upper left", frameon=False)
        a1.set_title("hollow marker: the week so far", fontsize=8, loc="right")
        for ax, key, colour, label in (
            (a2, "trust_mean", "#1f4e9c", "mean trust in police"),
            (a3, "insecurity_mean", "#e66100", "mean insecurity"),
        ):
            (self.lines[key],) = ax.plot([], [], color=colour)
            ax.set_ylabel(label, fontsize=9)
        a3.set_xlabel("day", fontsize=9)
        for ax in self.axes:
            ax.spines[["top", "right"]].set_visible(False)
            ax.tick_params(labelsize=8)

    def update(self) -> Figure:
        model = self.model
        a1, a2, a3 = self.axes
        wk = weekly_offences(model)
        mid = wk["week"] * 7 + 3.5
        done = wk["complete"]
        for key in ("true", "recorded"):
            self.lines[key].set_data(mid[done], wk[key][done])
            self.lines[key + "_now"].set_data(mid[~done], wk[key][~done])
        a1.set_ylim(0, max(5.0, float(wk["true"].max(initial=0)) * 1.35))
        n = model.steps
        day = np.arange(n) / SLOTS_PER_DAY
        for ax, key in ((a2, "trust_mean"), (a3, "insecurity_mean")):
            series = model.recorder.extra.get(key)
            if series is None or not n:
                self.lines[key].set_data([], [])
                ax.set_ylim(0.0, 1.0)
                continue
            self.lines[key].set_data(day, series[:n])
            # at least 0.1 of the 0-1 scale, so that small changes do not look large
            ax.set_ylim(*share_limits(series[:n]))
        a3.set_xlim(0, max(28.0, n / SLOTS_PER_DAY))
        return self.fig

    def png(self) -> bytes:
        return png(self.update())


def grid_figure(model, colour: str = "insecurity") -> Figure:
    """The grid of ``model`` now: land use, residents where they are (coloured by
    ``colour``), officers and field workers at work, the last week's offences."""
    return GridPainter(model, colour).update()


def plots_figure(model) -> Figure:
    """True vs recorded offences per week, mean trust and mean insecurity so far."""
    return PlotsPainter(model).update()


def png(fig: Figure) -> bytes:
    """The figure as PNG bytes (fast compression: frames are short-lived)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, pil_kwargs={"compress_level": 1})
    return buf.getvalue()


# --------------------------------------------------------------------- solara
class FrameGate:
    """Back-pressure from the page to the thread that plays the model.

    Mesa's play loop steps the model and asks for a new frame
    (``force_update``) without waiting for it to be drawn. When a render pass
    is already running in another thread (the one that handled a click),
    that thread draws the new state, and keeps drawing while states keep
    coming faster than it draws: nothing reaches the browser until the model
    stops. With the gate, :meth:`TeachingModel.step` first waits (at most
    ``timeout`` seconds) until the last requested frame has been drawn, so a
    render pass always ends and is shown.
    """

    def __init__(self, requested: Callable[[], int], timeout: float = 1.0):
        self._requested = requested
        self._drawn = -1
        self._cond = threading.Condition()
        self.timeout = timeout

    def drawn(self, counter: int) -> None:
        """A render pass drew the frame asked for as ``counter``."""
        with self._cond:
            if counter > self._drawn:
                self._drawn = counter
                self._cond.notify_all()

    def wait(self) -> None:
        """Block until the last frame asked for has been drawn (or timeout)."""
        try:
            wanted = self._requested()
        except RuntimeError:  # no Solara kernel here (a notebook, a test)
            return
        with self._cond:
            if self._drawn >= wanted:
                return
            self._cond.wait_for(lambda: self._drawn >= wanted, self.timeout)
        time.sleep(0.005)  # let the render pass that drew it finish and send it


def _use_frame_gate(model, counter: int) -> None:
    """Install a :class:`FrameGate` on ``model`` and report each drawn frame."""
    gate = solara.use_memo(lambda: FrameGate(lambda: update_counter.value), dependencies=[model])

    def attach():
        model.frame_gate = gate
        gate.drawn(counter)

    solara.use_effect(attach, dependencies=[model, counter])


@solara.component
def GridView(model):
    """The grid, with a toggle for what colours the residents."""
    counter = update_counter.get()
    _use_frame_gate(model, counter)
    colour = colour_by.value
    painter = solara.use_memo(
        lambda: GridPainter(model, colour, blit=True), dependencies=[model, colour]
    )
    image = solara.use_memo(painter.png, dependencies=[painter, model.steps])
    with solara.Column(gap="4px", classes=["clssim-grid"]):
        with solara.Row(gap="8px", style={"align-items": "center"}):
            solara.Text("Colour residents by")
            solara.ToggleButtonsSingle(value=colour_by, values=list(COLOUR_BY), dense=True)
        solara.Image(image, format="png", width="100%", classes=["clssim-grid-image"])
        InfoView(model)


@solara.component
def PlotsView(model):
    """Live plots: true vs recorded offences per week, mean trust, mean insecurity."""
    update_counter.get()
    painter = solara.use_memo(lambda: PlotsPainter(model), dependencies=[model])
    image = solara.use_memo(painter.png, dependencies=[painter, model.steps])
    with solara.Column(gap="4px", classes=["clssim-plots"]):
        solara.Image(image, format="png", width="100%", classes=["clssim-plots-image"])


def info_lines(model) -> list[str]:
    """The text panel as HTML lines (dynamic text escaped)."""
    t = indicators(model)
    rate = "–" if t["offences_true"] == 0 else f"{t['recording_rate']:.0%}"
    name = escape(str(getattr(model, "scenario_name", model.scenario_config.name)))
    lines = []
    if t["step"] >= t["steps"]:
        lines.append(
            "<span class='clssim-end' style='color:#b00020'><b>End of the run</b>: "
            f"all {t['steps']:,} steps ({t['steps'] / SLOTS_PER_DAY:,.4g} days) simulated. "
            "Press <b>Reset</b> to run again; change a lever first to compare.</span>"
        )
    lines += [
        f"<b>Step {t['step']:,} of {t['steps']:,}</b> — day {t['day']} "
        f"({t['weekday']}, {t['slot']}); scenario <i>{name}</i>",
        f"Offences so far: <b>{t['offences_true']:,} true</b>, "
        f"<b>{t['offences_recorded']:,} recorded</b> (recording rate {rate}); "
        f"last 7 days: {t['week_true']} true, {t['week_recorded']} recorded",
        f"Mean trust <b>{t['trust_mean']:.3f}</b>, mean insecurity "
        f"<b>{t['insecurity_mean']:.3f}</b>; afraid (insecurity &gt; 0.5): "
        f"<b>{t['afraid_share']:.1%}</b> of residents, victimised so far: "
        f"<b>{t['victimised_share']:.1%}</b>",
        f"Officers: {t['officers']} ({t['proximity_officers']} on proximity beats), "
        f"{t['on_duty']} on duty in the last slot",
    ]
    if t["stage"] is not None:
        lines.append(f"Contract stage: <b>{t['stage']}</b> (of {', '.join(STAGES[1:])})")
    levers = getattr(model, "levers", None)
    if levers is not None and not getattr(model, "shipped", False):
        lines.append(
            f"Levers of this run: {levers.officers} officers ({escape(levers.strategy)}), "
            f"{levers.proximity_officers} on proximity beats at foot share "
            f"{levers.foot_share:g}, procedural justice {levers.procedural_justice:g}, "
            f"lighting {levers.lighting:g}, {levers.youth_places} youth places, "
            f"{levers.elderly_visits} elderly visited — change them in the sidebar, "
            "then press <b>Reset</b>"
        )
    lines += [f"<i>{escape(note)}</i>" for note in getattr(model, "notes", [])]
    return lines


@solara.component
def InfoView(model):
    """Where the run is and its headline numbers, as text."""
    update_counter.get()
    html = "".join(f"<p style='margin:0 0 6px 0'>{line}</p>" for line in info_lines(model))
    solara.HTML(
        tag="div",
        unsafe_innerHTML=html,
        classes=["clssim-info"],
        style={"font-size": "0.85em", "line-height": "1.35"},
    )
