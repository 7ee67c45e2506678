"""Map files: what a scenario's ``world.map`` names, in either of two formats.

*Text maps* (``*.txt``) are drawn by hand, one character per cell
(:func:`clssim.layouts.read_map`). *Cell maps* (``*.parquet``) are written by
``clssim map import`` from real layers (OpenStreetMap, municipal GIS): one row
per cell with its land use and, where the source measured them, its layers
(e.g. lighting from street lamps) and its residents (from a census layer or
buildings), plus a georeference (CRS, origin, cell size) and the street lines
for drawing maps. Both read into one :class:`CellMap`; a text map is a cell map
with land use only. Reading needs only pyarrow, so a scenario on a real map runs
on the base install; importing needs the ``geo`` extra (:mod:`clssim.geo`).

Grid convention (as for text maps): cell ``(x, y)``, ``x`` the column from the
west, ``y`` the row from the north; flat index ``x * height + y``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from clssim.errors import ScenarioError
from clssim.layouts import HOUSING, LAND_USES, read_map

#: The cells' numeric property layers, each in [0, 1] (ODD §2; :mod:`clssim.world`).
LAYERS = ("lighting", "maintenance", "surveillance", "attractiveness", "place_management")
#: Age groups of a census layer: 0–11, 12–24, 25–64, 65+ (as ``population.age_group``).
AGE_GROUPS = ("residents_0_11", "residents_12_24", "residents_25_64", "residents_65_plus")
#: The key of a cell map's metadata in the Parquet file's footer.
META_KEY = b"clssim.map"
FORMAT = 1
#: The largest grid a map may have (Mesa builds one object per cell).
MAX_CELLS = 250_000


@dataclass(frozen=True)
class Georef:
    """Where the grid lies on the Earth: a projected CRS and the grid's north-west
    corner in it. Cell ``(x, y)`` spans eastings ``west + x·size … + size`` and
    northings ``north − (y + 1)·size … north − y·size``."""

    crs: str  #: an authority code ("EPSG:32629") or WKT
    west: float  #: easting of the grid's west edge (m)
    north: float  #: northing of the grid's north edge (m)
    cell_size_m: float

    def centres(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Projected (easting, northing) of the centres of cells ``(x, y)``."""
        s = self.cell_size_m
        return self.west + (np.asarray(x) + 0.5) * s, self.north - (np.asarray(y) + 0.5) * s


@dataclass
class CellMap:
    """A neighbourhood's cells as read from a map file; arrays are ``(width, height)``."""

    land_use: np.ndarray  #: int8 codes (``LAND_USES``)
    #: measured layers; NaN where the source had nothing (the land-use baseline applies)
    layers: dict[str, np.ndarray] = field(default_factory=dict)
    residents: np.ndarray | None = None  #: census residents per cell (float), if known
    ages: np.ndarray | None = None  #: ``(width, height, 4)`` residents by ``AGE_GROUPS``
    georef: Georef | None = None
    streets: list[np.ndarray] = field(default_factory=list)  #: (k, 2) lines in cell units
    source: str = ""
    attribution: str = ""

    @property
    def shape(self) -> tuple[int, int]:
        return int(self.land_use.shape[0]), int(self.land_use.shape[1])

    def home_weights(self) -> np.ndarray:
        """Flat weight of each cell as a home: the census where there is one, else 2
        for social and 1 for private housing (ODD §7.4)."""
        if self.residents is not None:
            return self.residents.ravel().astype(float)
        use = self.land_use.ravel()
        return np.where(use == HOUSING[0], 2.0, np.where(use == HOUSING[1], 1.0, 0.0))


def load_map(path: Path) -> CellMap:
    """Read a map file of either format; raises :class:`ScenarioError` in one line.

    Cached on the file's path, size and modification time: the scenario's
    validation, the world and the plots read the same map."""
    path = Path(path)
    try:
        st = path.stat()
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read map: {exc.strerror}") from None
    return _load(path.resolve(), st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=8)
def _load(path: Path, size: int, mtime: int) -> CellMap:
    if path.suffix.lower() == ".parquet":
        return read_cell_map(path)
    return CellMap(read_map(path), source=path.name)


# ------------------------------------------------------------------- cell maps


def read_cell_map(path: Path) -> CellMap:
    """Read a ``*.parquet`` cell map (the format ``write_cell_map`` writes)."""
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:  # noqa: BLE001 (pyarrow raises several kinds)
        raise ScenarioError(f"{path}: not a readable Parquet cell map ({exc})") from None
    raw = (table.schema.metadata or {}).get(META_KEY)
    if raw is None:
        raise ScenarioError(
            f"{path}: a Parquet file without clssim map metadata; "
            "cell maps are written by `clssim map import` (docs/maps.md)"
        )
    meta = json.loads(raw)
    if meta.get("format") != FORMAT:
        raise ScenarioError(
            f"{path}: cell-map format {meta.get('format')!r}; this clssim reads {FORMAT}"
        )
    width, height = int(meta["width"]), int(meta["height"])
    cols = table.to_pydict()
    for need in ("x", "y", "land_use"):
        if need not in cols:
            raise ScenarioError(f"{path}: the cell map has no {need!r} column")
    x, y = np.asarray(cols["x"], dtype=np.int64), np.asarray(cols["y"], dtype=np.int64)
    n = width * height
    if x.size != n or np.any((x < 0) | (x >= width) | (y < 0) | (y >= height)):
        raise ScenarioError(f"{path}: expected one row per cell of the {width} × {height} grid")
    flat = x * height + y
    if np.unique(flat).size != n:
        raise ScenarioError(f"{path}: some cells appear twice (and others not at all)")
    order = np.argsort(flat)
    uses = np.asarray(cols["land_use"], dtype=object)[order]
    bad = sorted({str(u) for u in uses} - set(LAND_USES))
    if bad:
        raise ScenarioError(f"{path}: unknown land use {bad[0]!r}; allowed: {', '.join(LAND_USES)}")
    index = {u: k for k, u in enumerate(LAND_USES)}
    land_use = np.array([index[u] for u in uses], dtype=np.int8).reshape(width, height)

    def column(name: str) -> np.ndarray:
        values = np.asarray(cols[name], dtype=float)[order]
        return values.reshape(width, height)

    layers = {}
    for name in LAYERS:
        if name in cols:
            values = column(name)
            known = values[~np.isnan(values)]
            if known.size and (known.min() < 0 or known.max() > 1):
                raise ScenarioError(f"{path}: layer {name!r} has values outside [0, 1]")
            layers[name] = values
    residents = ages = None
    if "residents" in cols:
        residents = np.nan_to_num(column("residents"), nan=0.0)
        if residents.min() < 0:
            raise ScenarioError(f"{path}: negative residents in some cell")
    if all(g in cols for g in AGE_GROUPS):
        ages = np.stack([np.nan_to_num(column(g), nan=0.0) for g in AGE_GROUPS], axis=-1)
    georef = None
    if meta.get("crs"):
        georef = Georef(
            str(meta["crs"]), float(meta["west"]), float(meta["north"]), float(meta["cell_size_m"])
        )
    streets = [np.asarray(line, dtype=float).reshape(-1, 2) for line in meta.get("streets", [])]
    cmap = CellMap(
        land_use,
        layers,
        residents,
        ages,
        georef,
        streets,
        str(meta.get("source", "")),
        str(meta.get("attribution", "")),
    )
    if not (cmap.home_weights() > 0).any():
        raise ScenarioError(f"{path}: the map has no housing cell and no residents")
    return cmap


def write_cell_map(cmap: CellMap, path: Path) -> Path:
    """Write ``cmap`` as a Parquet cell map (atomically: never half a file)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    width, height = cmap.shape
    x, y = np.divmod(np.arange(width * height), height)
    data: dict[str, object] = {
        "x": x.astype(np.int32),
        "y": y.astype(np.int32),
        "land_use": np.array(LAND_USES, dtype=object)[cmap.land_use.ravel()],
    }
    if cmap.georef is not None:
        e, n = cmap.georef.centres(x, y)
        data["easting"], data["northing"] = e, n
    for name in LAYERS:
        if name in cmap.layers:
            data[name] = cmap.layers[name].ravel().astype(float)
    if cmap.residents is not None:
        data["residents"] = cmap.residents.ravel().astype(float)
    if cmap.ages is not None:
        for k, g in enumerate(AGE_GROUPS):
            data[g] = cmap.ages[..., k].ravel().astype(float)
    meta: dict[str, object] = {
        "format": FORMAT,
        "width": width,
        "height": height,
        "source": cmap.source,
        "attribution": cmap.attribution,
        "streets": [np.round(s, 2).ravel().tolist() for s in cmap.streets],
    }
    if cmap.georef is not None:
        g = cmap.georef
        meta |= {"crs": g.crs, "west": g.west, "north": g.north, "cell_size_m": g.cell_size_m}
    table = pa.table(data)
    table = table.replace_schema_metadata({META_KEY: json.dumps(meta).encode()})
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(table, tmp)
    tmp.replace(path)
    return path
