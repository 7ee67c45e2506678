"""From features to cells: the rules that turn a real map into the model's grid.

The grid is laid over the sources' extent in a projected CRS, one cell per
``cell_size_m`` square; every rule is judged at the cell's centre. The rules
(ODD §7.3 "real maps"; ``docs/maps.md`` shows them with the tag table):

1. **Land use from areas.** A cell takes the land use of the smallest mapped
   area containing its centre (a school inside a residential district is a
   school cell). An area smaller than a cell counts as a point (rule 2).
2. **Points of interest win at street level.** Where a cell holds points of
   interest (a bar, a shop, a school, a station) and its area rule gave housing,
   public space or nothing, it takes the points' most frequent land use (ties:
   nightlife, school, transit, commerce).
3. **Buildings without a use** (``building=yes``) make an otherwise unmapped
   cell private housing; **streets** make it public space; a cell with nothing
   mapped at all (the sea, a field nobody tagged) is nearly empty land (farm).
4. **Lighting** is measured where the map says something: a street's ``lit``
   tag (yes ≈ 0.85, no ≈ 0.1) and street lamps in the cell (one lamp 0.7, each
   more +0.15, at most 0.95), whichever is brighter; elsewhere the land-use
   baseline applies.
5. **Residents** come from census blocks (split over the block's cells in
   proportion to residential floor area where buildings are known, else
   evenly), or, without a census, from home buildings: footprint × levels ÷
   ``floor_per_resident`` m² (levels default to 3 where untagged).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from clssim.errors import ScenarioError
from clssim.geo.sources import Layers
from clssim.layouts import COMMERCE, FARM, LAND_USES, NIGHTLIFE, PRIVATE, PUBLIC, SCHOOL, TRANSIT
from clssim.mapfile import AGE_GROUPS, MAX_CELLS, CellMap, Georef

#: points of interest outrank each other in this order on a tie
POI_PRIORITY = (NIGHTLIFE, SCHOOL, TRANSIT, COMMERCE)
#: area rules a point of interest overrides (homes and open space at street level)
POI_OVERRIDES = (0, PRIVATE, PUBLIC, -1)
LAMP_FIRST, LAMP_EACH, LAMP_MAX = 0.7, 0.15, 0.95
DEFAULT_LEVELS = 3.0
NONE = -1


@dataclass
class Frame:
    """The grid over the extent: ``width × height`` cells of ``size`` metres."""

    crs: pyproj.CRS
    west: float
    north: float
    size: float
    width: int
    height: int

    @property
    def ncells(self) -> int:
        return self.width * self.height

    def centres(self) -> np.ndarray:
        x, y = np.divmod(np.arange(self.ncells), self.height)
        return shapely.points(self.west + (x + 0.5) * self.size, self.north - (y + 0.5) * self.size)

    def cell_of(self, ex: np.ndarray, ny: np.ndarray) -> np.ndarray:
        """Flat cell of projected coordinates; -1 off the grid."""
        x = np.floor((np.asarray(ex) - self.west) / self.size).astype(np.int64)
        y = np.floor((self.north - np.asarray(ny)) / self.size).astype(np.int64)
        ok = (x >= 0) & (x < self.width) & (y >= 0) & (y < self.height)
        return np.where(ok, x * self.height + y, -1)


@dataclass
class Mapped:
    """What the import mapped and could not: printed by ``clssim map import``."""

    cells_by_use: dict[str, int] = field(default_factory=dict)
    from_areas: int = 0
    from_points: int = 0
    from_buildings: int = 0
    from_streets: int = 0
    empty: int = 0
    lit_cells: int = 0
    lamps: int = 0
    residents: float | None = None
    residents_from: str = ""
    unmapped: dict[str, int] = field(default_factory=dict)

    def lines(self, frame: Frame) -> list[str]:
        km = frame.size / 1000
        out = [
            f"grid: {frame.width} × {frame.height} cells of {frame.size:g} m "
            f"({frame.width * km:.2f} km × {frame.height * km:.2f} km), CRS {crs_name(frame.crs)}",
            "land use: "
            + ", ".join(f"{u.replace('_', ' ')} {n}" for u, n in self.cells_by_use.items() if n),
            f"  from areas {self.from_areas}, points of interest {self.from_points}, "
            f"buildings {self.from_buildings}, streets {self.from_streets}; "
            f"nothing mapped (empty land) {self.empty}",
            f"lighting measured in {self.lit_cells} cells ({self.lamps} street lamps, lit=* "
            "streets); land-use baseline elsewhere",
        ]
        if self.residents is None:
            out.append("residents: no census and no home buildings; by land use (ODD §7.4)")
        else:
            out.append(f"residents: {self.residents:,.0f} from {self.residents_from}")
        if self.unmapped:
            top = sorted(self.unmapped.items(), key=lambda kv: (-kv[1], kv[0]))[:8]
            more = len(self.unmapped) - len(top)
            shown = ", ".join(f"{k} ({v})" for k, v in top) + (f" and {more} more" if more else "")
            out.append(f"not mapped (no rule): {shown}")
        return out


def crs_name(crs: pyproj.CRS) -> str:
    code = crs.to_epsg()
    return f"EPSG:{code} ({crs.name})" if code else crs.name


def projected_crs(text: str | None, extent_wgs84: tuple[float, float, float, float]) -> pyproj.CRS:
    """The CRS named by ``--crs``, or the UTM zone of the extent's centre."""
    if text is None:
        lon = (extent_wgs84[0] + extent_wgs84[2]) / 2
        lat = (extent_wgs84[1] + extent_wgs84[3]) / 2
        zone = int((lon + 180) // 6) + 1
        return pyproj.CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)
    try:
        crs = pyproj.CRS.from_user_input(text)
    except pyproj.exceptions.CRSError:
        raise ScenarioError(
            f"--crs {text!r}: unknown CRS; give an EPSG code such as EPSG:3763 "
            "(PT-TM06, mainland Portugal) or EPSG:32629 (UTM 29N)"
        ) from None
    unit = crs.axis_info[0].unit_name if crs.axis_info else ""
    if not crs.is_projected or unit not in ("metre", "meter"):
        raise ScenarioError(
            f"--crs {text!r}: {crs.name} is not a projected CRS in metres; cells need one, "
            "e.g. EPSG:3763 (PT-TM06) or a UTM zone"
        )
    return crs


def frame_for(extent: tuple[float, float, float, float], crs: pyproj.CRS, size: float) -> Frame:
    west, south, east, north = extent
    if not np.all(np.isfinite(extent)) or east <= west or north <= south:
        raise ScenarioError(
            f"the sources' coordinates do not fit their CRS (extent {extent}); "
            "check the CRS each layer declares"
        )
    width = int(np.ceil((east - west) / size - 1e-9))
    height = int(np.ceil((north - south) / size - 1e-9))
    if width * height > MAX_CELLS:
        side = float(np.sqrt((east - west) * (north - south) / MAX_CELLS))
        raise ScenarioError(
            f"--cell-size {size:g}: the area ({(east - west) / 1000:.1f} km × "
            f"{(north - south) / 1000:.1f} km) makes {width} × {height} = {width * height:,} "
            f"cells, more than {MAX_CELLS:,}; use --cell-size {np.ceil(side):.0f} or more, "
            "or a smaller --bbox"
        )
    if width < 3 or height < 3:
        raise ScenarioError(
            f"--cell-size {size:g}: the area ({east - west:.0f} m × {north - south:.0f} m) "
            f"makes a {width} × {height} grid; a map needs at least 3 × 3 cells"
        )
    return Frame(crs, float(west), float(north), float(size), width, height)


def _smallest_containing(centres, polys: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per cell, the index of the smallest polygon containing its centre (-1: none)."""
    best = np.full(len(centres), NONE, dtype=np.int64)
    if len(polys) == 0:
        return best, np.zeros(0)
    geoms = polys.geometry.to_numpy()
    area = shapely.area(geoms)
    cell, poly = shapely.STRtree(geoms).query(centres, predicate="within")
    order = np.lexsort((area[poly], cell))
    cell, poly = cell[order], poly[order]
    first = np.unique(cell, return_index=True)[1]
    best[cell[first]] = poly[first]
    return best, area


def rasterise(
    layers: Layers, frame: Frame, floor_per_resident: float = 40.0
) -> tuple[CellMap, Mapped]:
    """The cell map of ``layers`` (already in ``frame.crs``) on ``frame``."""
    n = frame.ncells
    centres = frame.centres()
    codes = {u: k for k, u in enumerate(LAND_USES)}
    report = Mapped(unmapped=dict(layers.unmapped))
    cell_area = frame.size**2

    # 1. areas: the smallest containing area; areas smaller than a cell are points
    areas = layers.areas
    small = shapely.area(areas.geometry.to_numpy()) < cell_area if len(areas) else np.zeros(0, bool)
    big = areas[~small]
    land = np.full(n, NONE, dtype=np.int64)
    best, _ = _smallest_containing(centres, big)
    hit = best >= 0
    land[hit] = big["land_use"].map(codes).to_numpy()[best[hit]]
    report.from_areas = int(hit.sum())

    # 2. points of interest (and small areas) where the area gave homes or open space
    pts = layers.points
    small_pts = _rep(areas[small])
    px = np.concatenate([pts.geometry.x.to_numpy(), small_pts.x.to_numpy()])
    py = np.concatenate([pts.geometry.y.to_numpy(), small_pts.y.to_numpy()])
    puse = np.concatenate(
        [pts["land_use"].map(codes).to_numpy(int) if len(pts) else np.zeros(0, int),
         areas[small]["land_use"].map(codes).to_numpy(int) if small.any() else np.zeros(0, int)]
    )  # fmt: skip
    pcell = frame.cell_of(px, py)
    ok = pcell >= 0
    counts = np.zeros((n, len(LAND_USES)))
    np.add.at(counts, (pcell[ok], puse[ok]), 1.0)
    tiebreak = np.zeros(len(LAND_USES))
    for rank, use in enumerate(POI_PRIORITY):
        tiebreak[use] = (len(POI_PRIORITY) - rank) * 1e-3
    has_poi = counts.sum(1) > 0
    poi_use = np.argmax(counts + tiebreak * has_poi[:, None], axis=1)
    take = has_poi & np.isin(land, POI_OVERRIDES)
    land[take] = poi_use[take]
    report.from_points = int(take.sum())

    # 3. buildings, streets, nothing
    bld = layers.buildings
    in_building = np.zeros(n, bool)
    if len(bld):
        cell, _ = shapely.STRtree(bld.geometry.to_numpy()).query(centres, predicate="within")
        in_building[cell] = True
        bpts = _rep(bld)
        bcell = frame.cell_of(bpts.x.to_numpy(), bpts.y.to_numpy())
        in_building[bcell[bcell >= 0]] = True
    take = (land == NONE) & in_building
    land[take] = PRIVATE
    report.from_buildings = int(take.sum())
    street_cells, lit = _streets(layers.streets, frame)
    take = (land == NONE) & street_cells
    land[take] = PUBLIC
    report.from_streets = int(take.sum())
    report.empty = int((land == NONE).sum())
    land[land == NONE] = FARM

    # 4. lighting
    lamps = layers.lamps
    lcell = frame.cell_of(lamps.geometry.x.to_numpy(), lamps.geometry.y.to_numpy())
    nl = np.bincount(lcell[lcell >= 0], minlength=n).astype(float)
    lamp_light = np.where(nl > 0, np.minimum(LAMP_MAX, LAMP_FIRST + LAMP_EACH * (nl - 1)), np.nan)
    lighting = np.fmax(lit, lamp_light)
    report.lit_cells = int((~np.isnan(lighting)).sum())
    report.lamps = int((lcell >= 0).sum())

    # 5. residents
    residents, ages = _residents(layers, frame, land, centres, floor_per_resident, report)

    report.cells_by_use = {u: int((land == k).sum()) for k, u in enumerate(LAND_USES)}
    shape = (frame.width, frame.height)
    cmap = CellMap(
        land.astype(np.int8).reshape(shape),
        layers={"lighting": lighting.reshape(shape)} if report.lit_cells else {},
        residents=None if residents is None else residents.reshape(shape),
        ages=None if ages is None else ages.reshape(*shape, len(AGE_GROUPS)),
        georef=Georef(frame.crs.to_string(), frame.west, frame.north, frame.size),
        streets=_street_lines(layers.streets, frame),
        source="; ".join(layers.source),
        attribution=(
            "© OpenStreetMap contributors (ODbL 1.0)"
            if any("OpenStreetMap" in s for s in layers.source)
            else ""
        ),
    )
    return cmap, report


def _rep(frame: gpd.GeoDataFrame) -> gpd.GeoSeries:
    return frame.geometry.representative_point() if len(frame) else gpd.GeoSeries([])


def _streets(streets: gpd.GeoDataFrame, frame: Frame) -> tuple[np.ndarray, np.ndarray]:
    """Cells crossed by a street, and the brightest ``lit`` value in each (NaN: none)."""
    n = frame.ncells
    crossed = np.zeros(n, bool)
    lit = np.full(n, np.nan)
    if len(streets) == 0:
        return crossed, lit
    geoms = streets.geometry.to_numpy()
    step = frame.size / 2
    lengths = shapely.length(geoms)
    k = np.maximum(2, np.ceil(lengths / step).astype(int) + 1)
    which = np.repeat(np.arange(len(geoms)), k)
    frac = np.concatenate([np.linspace(0, 1, m) for m in k])
    pts = shapely.line_interpolate_point(geoms[which], frac, normalized=True)
    cell = frame.cell_of(shapely.get_x(pts), shapely.get_y(pts))
    ok = cell >= 0
    crossed[cell[ok]] = True
    values = streets["lit"].to_numpy(float)[which[ok]]
    known = ~np.isnan(values)
    np.fmax.at(lit, cell[ok][known], values[known])
    return crossed, lit


def _street_lines(streets: gpd.GeoDataFrame, frame: Frame) -> list[np.ndarray]:
    """Street lines in cell units (x east, y south from the north-west corner)."""
    if len(streets) == 0:
        return []
    box = shapely.box(
        frame.west,
        frame.north - frame.height * frame.size,
        frame.west + frame.width * frame.size,
        frame.north,
    )
    geoms = shapely.simplify(
        shapely.intersection(streets.geometry.to_numpy(), box), frame.size / 10
    )
    lines = []
    for g in geoms:
        for part in getattr(g, "geoms", [g]):
            if part.is_empty or part.geom_type != "LineString":
                continue
            xy = shapely.get_coordinates(part)
            lines.append(
                np.column_stack(
                    [(xy[:, 0] - frame.west) / frame.size, (frame.north - xy[:, 1]) / frame.size]
                )
            )
    return lines


def _residents(layers, frame, land, centres, floor_per_resident, report):
    """Residents per cell (and by age group) from a census, else home buildings."""
    n = frame.ncells
    floor = np.zeros(n)
    bld = layers.buildings
    if len(bld):
        homes = bld[bld["home"].to_numpy(bool)]
        if len(homes):
            geoms = homes.geometry.to_numpy()
            levels = homes["levels"].to_numpy(float)
            levels = np.where(np.isnan(levels) | (levels <= 0), DEFAULT_LEVELS, levels)
            area = shapely.area(geoms) * levels
            # building=yes holds homes only where the cell is housing (rule 3 and tags)
            generic = homes["tag"].to_numpy() == "yes"
            floor = _spread(geoms, area, centres, frame, n)
            if generic.any():
                generic_floor = _spread(geoms[generic], area[generic], centres, frame, n)
                housing = np.isin(land, (0, PRIVATE))
                floor = floor - generic_floor * ~housing
    census = layers.census
    if census is not None and len(census):
        geoms = census.geometry.to_numpy()
        cols = ["residents"] + [g for g in AGE_GROUPS if g in census.columns]
        values = census[cols].to_numpy(float)
        out = np.zeros((n, len(cols)))
        cell, blk = shapely.STRtree(geoms).query(centres, predicate="within")
        w = np.where(floor[cell] > 0, floor[cell], 0.0)
        wsum = np.bincount(blk, weights=w, minlength=len(geoms))
        even = np.bincount(blk, minlength=len(geoms)).astype(float)
        share = np.where(wsum[blk] > 0, w / np.where(wsum[blk] > 0, wsum[blk], 1), 1 / even[blk])
        np.add.at(out, cell, values[blk] * share[:, None])
        _to_point_cells(out, geoms, values, even == 0, frame)  # blocks smaller than a cell
        report.residents = float(out[:, 0].sum())
        report.residents_from = f"census blocks ({len(census)})"
        ages = out[:, 1:] if len(cols) == 1 + len(AGE_GROUPS) else None
        return out[:, 0], ages
    if floor.sum() > 0:
        residents = floor / floor_per_resident
        report.residents = float(residents.sum())
        report.residents_from = (
            f"home buildings' floor area ({floor.sum():,.0f} m² at {floor_per_resident:g} m² "
            "per resident)"
        )
        return residents, None
    return None, None


def _spread(geoms, values, centres, frame, n) -> np.ndarray:
    """Each polygon's value split evenly over the cells whose centres it holds, or
    given to its representative point's cell when it holds none."""
    out = np.zeros(n)
    cell, poly = shapely.STRtree(geoms).query(centres, predicate="within")
    per = np.bincount(poly, minlength=len(geoms)).astype(float)
    np.add.at(out, cell, values[poly] / per[poly])
    _to_point_cells(out, geoms, values, per == 0, frame)
    return out


def _to_point_cells(out, geoms, values, lost, frame) -> None:
    """Add the ``values`` of the ``lost`` polygons (they hold no cell centre) to
    the cell of each one's representative point (nothing if it is off the grid)."""
    if not lost.any():
        return
    rp = shapely.point_on_surface(geoms[lost])
    rc = frame.cell_of(shapely.get_x(rp), shapely.get_y(rp))
    keep = rc >= 0
    np.add.at(out, rc[keep], values[lost][keep])
