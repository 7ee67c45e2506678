"""``clssim map import``: a planner's sources → a cell map, a preview and a report.

Sources combine: an OpenStreetMap extract gives everything it can; a
planner's own layers replace the matching part of it (her land-use polygons
replace OSM's areas, her street lamps OSM's lamps, her buildings OSM's
buildings) and a census layer adds residents. Nothing is written until every
source has been read and the grid built, so a bad input leaves no file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from clssim.errors import ScenarioError
from clssim.geo import sources
from clssim.geo.rasterise import Frame, Mapped, frame_for, projected_crs, rasterise
from clssim.mapfile import CellMap, write_cell_map


@dataclass
class Request:
    """Everything ``clssim map import`` was asked (paths as given)."""

    out: Path
    osm: Path | None = None
    cell_size: float = 25.0
    crs: str | None = None
    bbox: tuple[float, float, float, float] | None = None  #: lon/lat W, S, E, N
    land_use: Path | None = None
    land_use_field: str | None = None
    classes: Path | None = None
    lamps: Path | None = None
    buildings: Path | None = None
    levels_field: str | None = None
    census: Path | None = None
    residents_field: str | None = None
    age_fields: list[str] | None = None
    floor_per_resident: float = 40.0


def build(req: Request) -> tuple[CellMap, Mapped, Frame]:
    """Read every source and rasterise; raises ScenarioError, writes nothing."""
    if req.osm is None and req.land_use is None:
        raise ScenarioError("map import: give an OSM extract, --land-use LAYER, or both")
    if not 1 <= req.cell_size <= 1000:
        raise ScenarioError(f"--cell-size {req.cell_size:g}: allowed 1 to 1000 metres")
    if req.land_use is not None and (req.land_use_field is None or req.classes is None):
        raise ScenarioError(
            "--land-use needs --land-use-field NAME (the attribute holding your classes) "
            "and --classes TABLE.toml (your classes → clssim land uses; docs/maps.md)"
        )
    if req.census is not None and req.residents_field is None:
        raise ScenarioError("--census needs --residents-field NAME (the residents count)")
    if req.bbox is not None:
        w, s, e, n = req.bbox
        if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
            raise ScenarioError(
                f"--bbox {','.join(f'{v:g}' for v in req.bbox)}: expected WEST,SOUTH,EAST,NORTH "
                "in degrees with west < east and south < north"
            )

    if req.osm is not None:
        layers = sources.read_osm(req.osm)
    else:
        empty = gpd.GeoDataFrame({"geometry": []}, geometry="geometry", crs=sources.WGS84)
        layers = sources.Layers(empty, empty, empty, empty, empty)
    extra: dict[str, gpd.GeoDataFrame] = {}
    if req.land_use is not None:
        classes = sources.read_classes(req.classes)
        extra["areas"], unmapped = sources.land_use_layer(req.land_use, req.land_use_field, classes)
        layers.unmapped = unmapped
        layers.source.append(f"land use {Path(req.land_use).name}")
    if req.lamps is not None:
        extra["lamps"] = sources.points_layer(req.lamps, "--lamps")
        layers.source.append(f"street lamps {Path(req.lamps).name}")
    if req.buildings is not None:
        extra["buildings"] = sources.buildings_layer(req.buildings, req.levels_field)
        layers.source.append(f"buildings {Path(req.buildings).name}")
    if req.census is not None:
        extra["census"] = sources.census_layer(req.census, req.residents_field, req.age_fields)
        layers.source.append(f"census {Path(req.census).name}")

    # the extent: --bbox, else the OSM file's bounds (both in degrees), else the layers'
    extent84 = req.bbox if req.bbox is not None else layers.bounds
    if extent84 is None:
        frames = [f.attrs.get("extent", f) for f in extra.values()]
        boxes = gpd.GeoSeries(
            [shapely.box(*f.to_crs(sources.WGS84).total_bounds) for f in frames],
            crs=sources.WGS84,
        )
        crs = projected_crs(req.crs, tuple(float(v) for v in boxes.total_bounds))
        b = np.array([f.to_crs(crs).total_bounds for f in frames])
        extent = (b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max())
    else:
        crs = projected_crs(req.crs, extent84)
        box = gpd.GeoSeries([shapely.box(*extent84)], crs=sources.WGS84).to_crs(crs)
        extent = box.total_bounds
    layers.bounds = None
    layers = layers.to_crs(crs)
    for name, frame in extra.items():
        setattr(layers, name, frame.to_crs(crs))
    frame = frame_for(tuple(float(v) for v in extent), crs, req.cell_size)
    cmap, report = rasterise(layers, frame, req.floor_per_resident)
    if report.from_areas + report.from_points + report.from_buildings + report.from_streets == 0:
        raise ScenarioError(
            "map import: nothing the sources hold lies inside the area; check --bbox "
            "and the layers' CRS"
        )
    if cmap.residents is None and not (cmap.home_weights() > 0).any():
        raise ScenarioError(
            "map import: no home in the area (no housing, home building or census block); "
            "residents would have nowhere to live"
        )
    return cmap, report, frame


def write(cmap: CellMap, frame: Frame, out: Path) -> tuple[Path, Path]:
    """Write the cell map and its preview picture (``OUT`` with ``.png``)."""
    from clssim.geo.preview import preview

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    picture = out.with_suffix(".png")
    preview(cmap, picture)
    return write_cell_map(cmap, out), picture
