"""The app's map, painted with numpy: land use or a layer, residents, officers,
field workers and the last week's offences, as an RGB array.

A frame of the default 40 × 40 grid is painted and PNG-encoded in a few
milliseconds (``benchmarks/app_frames.py``), against about 100 ms for the
same picture through matplotlib, so the app can show 10 or more frames a
second. Nothing here writes to the model; the legend is returned as data
(:meth:`MapPainter.legend`) and drawn by the page as HTML, so that it stays
readable at any size and speaks the page's language.

Layers (:data:`LAYERS`):

``land_use``              the cell's land use (``clssim.plots.LAND_COLOURS``); on a
                          real map, its streets are drawn over every layer
``lighting``              ``world.layers["lighting"]``, 0–1
``maintenance``           ``world.layers["maintenance"]``, 0–1 (low = disorder)
``surveillance``          ``world.layers["surveillance"]`` (natural surveillance), 0–1
``efficacy``              collective efficacy of the cell's area (``social.efficacy``),
                          on a stretched scale (it varies little between areas)
``police``                officers' presence (``police.presence``), summed over
                          slots with a half-life of one week (:class:`Presence`)
``crime_true``            offences per cell in the last :data:`HEAT_DAYS` days
``crime_recorded``        the recorded ones among them

Residents are coloured by trust or insecurity on a scale stretched to the
2nd–98th percentiles of the values present (:class:`Stretch`; it only widens
during a run, so a colour keeps its meaning), or not coloured (``none``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import PIL.Image
from matplotlib import colormaps
from matplotlib.colors import to_hex, to_rgb

from clssim.clock import SLOTS_PER_DAY
from clssim.layouts import LAND_USES
from clssim.plots import LAND_COLOURS

__all__ = [
    "COLOUR_BY",
    "HEAT_DAYS",
    "LAYERS",
    "RECENT_DAYS",
    "Legend",
    "MapPainter",
    "Presence",
    "Stretch",
    "jitter",
    "recent_offences",
]

LAYERS = (
    "land_use",
    "lighting",
    "maintenance",
    "surveillance",
    "efficacy",
    "police",
    "crime_true",
    "crime_recorded",
)
COLOUR_BY = ("insecurity", "trust", "none")
RECENT_DAYS = 7  #: offences of the last week are marked on the map
HEAT_DAYS = 28  #: the crime layers count the last four weeks
POLICE_HALF_LIFE = 7 * SLOTS_PER_DAY  #: slots
MAP_PX = 560  #: the longer side of the map, in pixels (before CSS scaling)

#: colour map of each continuous layer, and its range: fixed, ``"peak"`` (0 to
#: the largest value seen in the run) or ``"stretch"`` (:class:`Stretch`)
LAYER_SCALE: dict[str, tuple[str, tuple[float, float] | str]] = {
    "lighting": ("cividis", (0.0, 1.0)),
    "maintenance": ("RdYlGn", (0.0, 1.0)),
    "surveillance": ("Blues", (0.0, 1.0)),
    "efficacy": ("Greens", "stretch"),  # varies little between areas: 0.09-0.14
    "police": ("PuBu", "peak"),
    "crime_true": ("OrRd", "peak"),
    "crime_recorded": ("OrRd", "peak"),
}
#: residents' colour maps: dark enough at every value to read on pale cells
RESIDENT_CMAP = {"insecurity": "plasma", "trust": "viridis"}
RESIDENT_SPAN = 0.85  #: the top 15 % of the maps (pale yellow) are left out
LAYER_WASH = 0.35  #: layers are blended this far towards white under the dots
DOT_ALPHA_ON_LAYER = 0.55  #: on a layer, residents' dots let this much of it through

CAR, BEAT, WORKER, OFFENCE = "#1f4e9c", "#00a6d6", "#7b2cbf", "#d90d0d"


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
    keep = age < days * SLOTS_PER_DAY
    return {"cell": cell[keep], "reported": reported[keep], "age": age[keep]}


class Presence:
    """Officers' presence per cell, summed over slots with a half-life of one
    week. The app calls :meth:`observe` after every step it plays."""

    def __init__(self, ncells: int, half_life: float = POLICE_HALF_LIFE):
        self.value = np.zeros(ncells)
        self.decay = 0.5 ** (1.0 / half_life)
        self.steps = 0

    def observe(self, model) -> None:
        if model.steps == self.steps:
            return
        self.value *= self.decay
        self.value += model.police.presence[: self.value.size]
        self.steps = model.steps


class Stretch:
    """A colour scale over the 2nd–98th percentiles of the values seen so far
    (at least ``min_span`` wide); it widens, never narrows."""

    def __init__(self, min_span: float = 0.05):
        self.lo, self.hi, self.min_span = np.inf, -np.inf, min_span

    def update(self, values: np.ndarray) -> tuple[float, float]:
        if values.size:
            lo, hi = np.percentile(values, [2.0, 98.0])
            self.lo, self.hi = min(self.lo, float(lo)), max(self.hi, float(hi))
        if not np.isfinite(self.lo):
            self.lo, self.hi = 0.0, 1.0
        if self.hi - self.lo < self.min_span:
            mid = (self.hi + self.lo) / 2
            self.lo = max(0.0, mid - self.min_span / 2)
            self.hi = self.lo + self.min_span
        return self.lo, self.hi


@dataclass(frozen=True)
class Legend:
    """What the page draws under the map."""

    layer: str
    land: tuple[tuple[str, str], ...]  #: (land use, colour) of the uses on the map
    layer_stops: tuple[str, ...]  #: colours of the layer's scale, low to high
    layer_range: tuple[float, float]
    colour: str  #: what colours the residents ("none": not coloured)
    resident_stops: tuple[str, ...]
    resident_range: tuple[float, float]


def _lut(name: str, span: float = 1.0) -> np.ndarray:
    """A 256-colour table of colour map ``name`` (its first ``span``) as uint8."""
    return (colormaps[name](np.linspace(0.0, span, 256))[:, :3] * 255).astype(np.uint8)


def _stops(lut: np.ndarray, n: int = 9) -> tuple[str, ...]:
    return tuple(to_hex(c / 255) for c in lut[np.linspace(0, 255, n).astype(int)])


@lru_cache(maxsize=16)
def _stamp(shape: str, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Fill and edge masks (bool, ``size`` × ``size``) of a marker."""
    r = (size - 1) / 2
    yy, xx = np.mgrid[0:size, 0:size] - r
    if shape == "square":
        inside = np.maximum(abs(xx), abs(yy)) <= r
        core = np.maximum(abs(xx), abs(yy)) <= r - 1.2
    elif shape == "diamond":
        inside = abs(xx) + abs(yy) <= r
        core = abs(xx) + abs(yy) <= r - 1.5
    elif shape == "triangle":  # pointing up
        inside = (yy <= r) & (abs(xx) <= (yy + r) / 2 + 0.5)
        core = (yy <= r - 1.2) & (abs(xx) <= (yy + r) / 2 - 1.0)
    elif shape == "disc":
        inside = np.hypot(xx, yy) <= r
        core = np.hypot(xx, yy) <= r - 1.8
    else:
        raise ValueError(shape)
    return core, inside & ~core


class MapPainter:
    """The map of one model (one per run and browser tab). ``layer`` and
    ``colour`` may be changed between frames; :meth:`rgb` paints the model's
    current state."""

    def __init__(self, model, layer: str = "land_use", colour: str = "insecurity"):
        self.model = model
        world = model.world
        self.w, self.h = world.width, world.height
        self.px = max(3, MAP_PX // max(self.w, self.h))  #: pixels per cell
        self.presence = Presence(world.ncells)
        self.layer, self.colour = layer, colour
        self.stretch = {name: Stretch() for name in RESIDENT_CMAP}
        self.peak: dict[str, float] = {}  #: largest value of each open-ended layer
        self.land_lut = (np.array([to_rgb(c) for c in LAND_COLOURS]) * 255).astype(np.uint8)
        self.layer_luts = {k: _lut(cmap) for k, (cmap, _) in LAYER_SCALE.items()}
        self.resident_luts = {k: _lut(c, RESIDENT_SPAN) for k, c in RESIDENT_CMAP.items()}
        self.streets = _street_mask(world.streets, self.h * self.px, self.w * self.px, self.px)

    # ------------------------------------------------------------ settings
    @property
    def layer(self) -> str:
        return self._layer

    @layer.setter
    def layer(self, value: str) -> None:
        if value not in LAYERS:
            raise ValueError(f"layer must be one of {LAYERS}, not {value!r}")
        self._layer = value

    @property
    def colour(self) -> str:
        return self._colour

    @colour.setter
    def colour(self, value: str) -> None:
        if value not in COLOUR_BY:
            raise ValueError(f"colour must be one of {COLOUR_BY}, not {value!r}")
        self._colour = value

    def observe(self) -> None:
        """Take the slot just simulated into account (police presence)."""
        self.presence.observe(self.model)

    # ------------------------------------------------------------ values
    def layer_values(self, layer: str | None = None) -> np.ndarray:
        """The flat per-cell values of a continuous layer."""
        layer = layer or self.layer
        model = self.model
        if layer in ("lighting", "maintenance", "surveillance"):
            return model.world.layers[layer]
        if layer == "efficacy":
            soc = model.social
            return soc.efficacy[soc.area_of_cell]
        if layer == "police":
            return self.presence.value
        if layer in ("crime_true", "crime_recorded"):
            rec = recent_offences(model, HEAT_DAYS)
            cells = rec["cell"] if layer == "crime_true" else rec["cell"][rec["reported"]]
            return np.bincount(cells, minlength=model.world.ncells).astype(float)
        raise ValueError(f"no values for layer {layer!r}")

    def layer_range(self, values: np.ndarray) -> tuple[float, float]:
        scale = LAYER_SCALE[self.layer][1]
        if isinstance(scale, tuple):
            return scale
        if scale == "stretch":
            return self.stretch.setdefault(self.layer, Stretch(0.02)).update(values)
        top = max(self.peak.get(self.layer, 1.0), float(values.max(initial=0.0)), 1.0)
        self.peak[self.layer] = top
        return 0.0, top

    # ------------------------------------------------------------ painting
    def _background(self) -> tuple[np.ndarray, tuple[float, float]]:
        """(h, w, 3) uint8 colours per cell, and the layer's range."""
        w, h = self.w, self.h
        if self.layer == "land_use":
            rgb = self.land_lut[self.model.world.land_use]
            span = (0.0, 1.0)
        else:
            values = self.layer_values()
            span = self.layer_range(values)
            lo, hi = span
            idx = np.clip((values - lo) / (hi - lo) * 255, 0, 255).astype(np.intp)
            rgb = self.layer_luts[self.layer][idx].astype(np.float32)
            rgb = (rgb + (255 - rgb) * LAYER_WASH).astype(np.uint8)
        return rgb.reshape(w, h, 3).transpose(1, 0, 2), span

    def _paste(self, img: np.ndarray, xs, ys, shape: str, size: int, fill, edge, alpha=None):
        """Stamp a marker centred on each pixel position."""
        core, ring = _stamp(shape, size)
        fill = np.asarray(to_rgb(fill)) * 255 if isinstance(fill, str) else fill
        edge = np.asarray(to_rgb(edge)) * 255
        H, W = img.shape[:2]
        half = size // 2
        for k, (x, y) in enumerate(zip(xs, ys, strict=True)):
            r0, c0 = int(round(y)) - half, int(round(x)) - half
            r1, c1 = r0 + size, c0 + size
            if r1 <= 0 or c1 <= 0 or r0 >= H or c0 >= W:
                continue
            sr, sc = (
                slice(max(0, -r0), size - max(0, r1 - H)),
                slice(max(0, -c0), size - max(0, c1 - W)),
            )
            patch = img[max(0, r0) : min(H, r1), max(0, c0) : min(W, c1)]
            a = 1.0 if alpha is None else float(alpha[k])
            for mask, colour in ((core, fill), (ring, edge)):
                if colour is None:
                    continue
                m = mask[sr, sc]
                patch[m] = patch[m] * (1 - a) + colour * a

    def rgb(self) -> tuple[np.ndarray, Legend]:
        """The map now, as an (H, W, 3) uint8 array, and its legend."""
        model = self.model
        world, pop, soc = model.world, model.population, model.social
        p = self.px
        cells, span = self._background()
        img = np.repeat(np.repeat(cells, p, axis=0), p, axis=1).astype(np.float32)
        if self.streets is not None:  # a real map's streets, as thin dark lines
            img[self.streets] = img[self.streets] * 0.5 + 70.0 * 0.5
        # residents: a small square each where they are this slot
        loc = model.location
        here = loc < pop.outside
        jx, jy = jitter(pop.n)
        x, y = world.xy(loc[here])
        col = ((x + 0.5 + jx[here]) * p).astype(np.intp)
        row = ((y + 0.5 + jy[here]) * p).astype(np.intp)
        dot = 3 if p >= 10 else 2
        resident_range = (0.0, 1.0)
        if self.colour == "none":
            colours = np.full((col.size, 3), 60.0)
        else:
            values = getattr(soc, self.colour)
            lo, hi = resident_range = self.stretch[self.colour].update(values)
            idx = np.clip((values[here] - lo) / (hi - lo) * 255, 0, 255).astype(np.intp)
            colours = self.resident_luts[self.colour][idx]
        H, W = img.shape[:2]
        if self.layer != "land_use":  # half-transparent dots: the layer shows through
            under = img[np.clip(row, 0, H - 1), np.clip(col, 0, W - 1)]
            colours = colours * (1 - DOT_ALPHA_ON_LAYER) + under * DOT_ALPHA_ON_LAYER
        for dr in range(dot):
            for dc in range(dot):
                img[np.clip(row + dr - 1, 0, H - 1), np.clip(col + dc - 1, 0, W - 1)] = colours
        # offences of the last week: a disc if reported, a ring if not (the dark figure)
        rec = recent_offences(model)
        if rec["cell"].size:
            ox, oy = world.xy(rec["cell"])
            fade = np.clip(1.0 - rec["age"] / (RECENT_DAYS * SLOTS_PER_DAY), 0.3, 1.0)
            size = max(7, int(p * 0.9) | 1)
            red = np.asarray(to_rgb(OFFENCE)) * 255
            rep = rec["reported"]
            for mask, fill in ((rep, red), (~rep, None)):
                self._paste(
                    img,
                    (ox[mask] + 0.5) * p,
                    (oy[mask] + 0.5) * p,
                    "disc",
                    size,
                    fill,
                    OFFENCE,
                    fade[mask],
                )
        # field workers, then officers on top
        size = max(7, int(p * 0.8) | 1)
        fx, fy = _worker_positions(model)
        self._paste(img, (fx + 0.5) * p, (fy + 0.5) * p, "diamond", size, WORKER, "#ffffff")
        px_, py_, prox = _officer_positions(model)
        self._paste(
            img, (px_[~prox] + 0.5) * p, (py_[~prox] + 0.5) * p, "square", size, CAR, "#ffffff"
        )
        self._paste(
            img, (px_[prox] + 0.5) * p, (py_[prox] + 0.5) * p, "triangle", size + 2, BEAT, "#000000"
        )
        legend = Legend(
            layer=self.layer,
            land=tuple(
                (name, LAND_COLOURS[i])
                for i, name in enumerate(LAND_USES)
                if self.layer == "land_use" and (world.land_use == i).any()
            ),
            layer_stops=() if self.layer == "land_use" else _stops(self.layer_luts[self.layer]),
            layer_range=span,
            colour=self.colour,
            resident_stops=() if self.colour == "none" else _stops(self.resident_luts[self.colour]),
            resident_range=resident_range,
        )
        return img.astype(np.uint8), legend

    def png(self) -> tuple[bytes, Legend]:
        """The map now as PNG bytes (fast compression: frames are short-lived)."""
        img, legend = self.rgb()
        buf = io.BytesIO()
        PIL.Image.fromarray(img, "RGB").save(buf, format="png", compress_level=1)
        return buf.getvalue(), legend


def _street_mask(streets: list[np.ndarray], rows: int, cols: int, px: int) -> np.ndarray | None:
    """Pixels on a real map's street lines (``world.streets``, in cell units)."""
    if not streets:
        return None
    mask = np.zeros((rows, cols), dtype=bool)
    for line in streets:
        a, b = line[:-1] * px, line[1:] * px
        for (x0, y0), (x1, y1) in zip(a, b, strict=True):
            n = int(np.ceil(max(abs(x1 - x0), abs(y1 - y0)) * 2)) + 1
            t = np.linspace(0.0, 1.0, n)
            c = np.clip((x0 + (x1 - x0) * t).astype(np.intp), 0, cols - 1)
            r = np.clip((y0 + (y1 - y0) * t).astype(np.intp), 0, rows - 1)
            mask[r, c] = True
    return mask


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
