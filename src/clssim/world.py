"""The neighbourhood: a Mesa grid whose cells carry land use and CPTED layers.

Each cell stands for a street segment (``world.cell_size_m``, 50 m by default)
and has one dominant land use and five numeric property layers in [0, 1]
(ODD §2 "State variables"):

``lighting``            street lighting at night
``maintenance``         upkeep of the place (1 − physical disorder)
``surveillance``        natural surveillance: windows, frontages, sight lines
``attractiveness``      value and visibility of targets
``place_management``    staff who watch over the place (shops, schools, stations)

The layers are Mesa ``PropertyLayer`` objects on an ``OrthogonalMooreGrid``;
the simulation loop works on flat ``float64`` views of the same memory
(index ``x * height + y``), so a change made by the loop is what Mesa,
the app and the outputs see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
from mesa.discrete_space import OrthogonalMooreGrid, PropertyLayer

from clssim.layouts import LAND_USES, generate_layout
from clssim.mapfile import LAYERS, CellMap, Georef, load_map

__all__ = ["LAYERS", "LAYER_BASELINE", "World", "build_world", "world_from_scenario"]

#: Baseline layer values by land use (columns in the order of ``LAYERS``).
#: Reasoning and sources: ODD §7 "Submodels — world".
LAYER_BASELINE = np.array(
    [
        # light maint  surv  attr  place
        [0.50, 0.45, 0.50, 0.40, 0.05],  # social_housing
        [0.65, 0.75, 0.50, 0.60, 0.10],  # private_housing
        [0.80, 0.70, 0.60, 0.90, 0.50],  # commerce
        [0.60, 0.70, 0.50, 0.30, 0.60],  # school
        [0.45, 0.60, 0.40, 0.50, 0.05],  # public_space
        [0.80, 0.50, 0.40, 0.80, 0.30],  # transit
        [0.15, 0.15, 0.10, 0.20, 0.00],  # vacant
        [0.70, 0.50, 0.50, 0.90, 0.30],  # nightlife
        [0.05, 0.50, 0.10, 0.30, 0.05],  # farm
    ]
)
#: Relative spread of the cell-to-cell noise around the land-use baseline.
LAYER_NOISE = 0.15


@dataclass
class World:
    """Grid, land use and property layers of one neighbourhood."""

    grid: OrthogonalMooreGrid
    land_use: np.ndarray  #: flat int8 land-use codes (see ``LAND_USES``)
    layers: dict[str, np.ndarray]  #: flat float64 views of the Mesa layers
    baseline: dict[str, np.ndarray]  #: values the layers relax back to
    neighbours: np.ndarray = field(repr=False)  #: (ncells, 9) Moore + self, -1 pad
    #: where a home is drawn, per cell (housing by land use, or a map's census)
    home_weights: np.ndarray = field(default=None, repr=False)
    #: a real map's census residents by age group, ``(ncells, 4)`` (None: not known)
    ages: np.ndarray | None = field(default=None, repr=False)
    georef: Georef | None = None  #: a real map's CRS and origin (None: a drawn grid)
    streets: list[np.ndarray] = field(default_factory=list, repr=False)  #: in cell units

    @cached_property
    def width(self) -> int:
        return int(self.grid.dimensions[0])

    @cached_property
    def height(self) -> int:
        return int(self.grid.dimensions[1])

    @cached_property
    def ncells(self) -> int:
        return self.width * self.height

    def xy(self, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Grid coordinates of flat cell indices."""
        return np.divmod(np.asarray(cells), self.height)

    def cells_of(self, *uses: str) -> np.ndarray:
        """Flat indices of cells with any of the named land uses."""
        codes = [LAND_USES.index(u) for u in uses]
        return np.flatnonzero(np.isin(self.land_use, codes))

    def within(self, cell: int, radius: int) -> np.ndarray:
        """Flat indices of cells within Chebyshev ``radius`` of ``cell``."""
        x, y = divmod(int(cell), self.height)
        xs = np.arange(max(0, x - radius), min(self.width, x + radius + 1))
        ys = np.arange(max(0, y - radius), min(self.height, y + radius + 1))
        return (xs[:, None] * self.height + ys[None, :]).ravel()

    def around(self, cells: np.ndarray, radius: int = 1) -> np.ndarray:
        """Sorted flat indices of the cells within Chebyshev ``radius`` of any of
        ``cells`` (the cells themselves included)."""
        cells = np.asarray(cells, dtype=np.int64)
        if cells.size == 0:
            return cells
        x, y = np.divmod(cells, self.height)
        d = np.arange(-radius, radius + 1)
        nx = (x[:, None, None] + d[None, :, None]).repeat(d.size, axis=2)
        ny = (y[:, None, None] + d[None, None, :]).repeat(d.size, axis=1)
        ok = (nx >= 0) & (nx < self.width) & (ny >= 0) & (ny < self.height)
        return np.unique(nx[ok] * self.height + ny[ok])

    def as_grid(self, flat: np.ndarray) -> np.ndarray:
        """Reshape a per-cell vector to ``(width, height)``."""
        return np.asarray(flat).reshape(self.width, self.height)


def moore_table(width: int, height: int, radius: int = 1) -> np.ndarray:
    """Flat indices of each cell's Moore neighbourhood incl. itself; -1 pads edges."""
    x, y = np.divmod(np.arange(width * height), height)
    offsets = [(dx, dy) for dx in range(-radius, radius + 1) for dy in range(-radius, radius + 1)]
    out = np.full((width * height, len(offsets)), -1, dtype=np.int64)
    for k, (dx, dy) in enumerate(offsets):
        nx, ny = x + dx, y + dy
        ok = (nx >= 0) & (nx < width) & (ny >= 0) & (ny < height)
        out[ok, k] = nx[ok] * height + ny[ok]
    return out


def build_world(
    land_use: np.ndarray | CellMap, rng: np.random.Generator, mesa_random=None
) -> World:
    """A :class:`World` for a ``(width, height)`` land-use array or a read map.

    Layer values are the land-use baseline times multiplicative noise
    ``clip(1 + N(0, LAYER_NOISE), 0, ·)``, capped to [0, 1]. Where a map
    measured a layer (e.g. lighting from street lamps) the measured value is
    taken as it is (the noise is drawn all the same, so the stream does not
    depend on which cells were measured).
    """
    cmap = land_use if isinstance(land_use, CellMap) else CellMap(np.asarray(land_use))
    land_use = cmap.land_use
    width, height = land_use.shape
    grid = OrthogonalMooreGrid((width, height), torus=False, random=mesa_random)
    flat_use = land_use.ravel().astype(np.int8)
    base = LAYER_BASELINE[flat_use]
    noise = np.clip(1.0 + rng.normal(0.0, LAYER_NOISE, size=base.shape), 0.0, None)
    values = np.clip(base * noise, 0.0, 1.0)
    for k, name in enumerate(LAYERS):
        if name in cmap.layers:
            measured = cmap.layers[name].ravel()
            known = ~np.isnan(measured)
            values[known, k] = measured[known]
    layers: dict[str, np.ndarray] = {}
    baseline: dict[str, np.ndarray] = {}
    grid.add_property_layer(PropertyLayer.from_data("land_use", land_use.astype(np.int8).copy()))
    for k, name in enumerate(LAYERS):
        layer = PropertyLayer.from_data(name, values[:, k].reshape(width, height).copy())
        grid.add_property_layer(layer)
        layers[name] = layer.data.reshape(-1)  # a view: the loop writes Mesa's memory
        baseline[name] = layers[name].copy()
    assert np.shares_memory(layers["maintenance"], grid.maintenance.data)
    return World(
        grid,
        flat_use,
        layers,
        baseline,
        moore_table(width, height),
        home_weights=cmap.home_weights(),
        ages=None if cmap.ages is None else cmap.ages.reshape(-1, cmap.ages.shape[-1]),
        georef=cmap.georef,
        streets=cmap.streets,
    )


def world_from_scenario(scenario, rng: np.random.Generator, mesa_random=None) -> World:
    """Generate or read the scenario's layout and build the world."""
    cfg = scenario.world
    if cfg.map is not None:
        return build_world(load_map(Path(scenario.map_path())), rng, mesa_random)
    land_use = generate_layout(cfg.typology, cfg.width, cfg.height, rng)
    return build_world(land_use, rng, mesa_random)
