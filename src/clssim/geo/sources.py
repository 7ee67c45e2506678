"""Reading the sources of a real map: an OSM extract, a planner's GIS layers.

Every reader returns :class:`Layers`: GeoDataFrames in one CRS, one per kind
of feature the rasteriser knows (areas with a land use, points of interest,
street lamps, streets with their ``lit`` tag, buildings, census blocks).
A source that cannot be used raises :class:`~clssim.errors.ScenarioError`
in one line naming the file and what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from clssim.errors import ScenarioError
from clssim.geo.tags import HOME_BUILDINGS, KEYS, LIT, STREETS, land_use_of
from clssim.layouts import LAND_USES

WGS84 = "EPSG:4326"


def _frame(rows: list[dict], crs: str) -> gpd.GeoDataFrame:
    if not rows:
        return gpd.GeoDataFrame({"geometry": []}, geometry="geometry", crs=crs)
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs=crs)


@dataclass
class Layers:
    """The features of one map's sources, in one CRS."""

    areas: gpd.GeoDataFrame  #: polygons: land_use, tag
    points: gpd.GeoDataFrame  #: points of interest: land_use, tag
    lamps: gpd.GeoDataFrame  #: street lamps (points)
    streets: gpd.GeoDataFrame  #: lines: lit (float in [0, 1] or NaN)
    buildings: gpd.GeoDataFrame  #: polygons: home (bool), levels (float or NaN)
    census: gpd.GeoDataFrame | None = None  #: polygons: residents, AGE_GROUPS columns
    bounds: tuple[float, float, float, float] | None = None  #: the source's own extent
    unmapped: dict[str, int] = field(default_factory=dict)  #: tag → count, not mapped
    source: list[str] = field(default_factory=list)

    def to_crs(self, crs) -> Layers:
        def move(df):
            return None if df is None else df.to_crs(crs)

        bounds = self.bounds
        if bounds is not None:
            box = gpd.GeoSeries([shapely.box(*bounds)], crs=self.areas.crs).to_crs(crs)
            bounds = tuple(float(v) for v in box.total_bounds)
        return Layers(
            move(self.areas),
            move(self.points),
            move(self.lamps),
            move(self.streets),
            move(self.buildings),
            move(self.census),
            bounds,
            self.unmapped,
            self.source,
        )


# ------------------------------------------------------------------ OpenStreetMap


def read_osm(path: Path) -> Layers:
    """Read an OSM extract (``.osm``, ``.osm.bz2``, ``.osm.gz``, ``.pbf``) offline."""
    import osmium

    path = Path(path)
    if not path.is_file():
        raise ScenarioError(f"{path}: no such OSM file")
    try:
        reader = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING)
        box = reader.header().box()
        reader.close()
        bounds = None
        if box.valid():
            bounds = (
                box.bottom_left.lon,
                box.bottom_left.lat,
                box.top_right.lon,
                box.top_right.lat,
            )
        rows = _osm_rows(path, osmium)
    except ScenarioError:
        raise
    except Exception as exc:  # osmium raises RuntimeError and others on broken input
        why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ScenarioError(f"{path}: not a readable OSM extract ({why})") from None
    areas, points, lamps, streets, buildings, unmapped = rows
    if not (areas or points or lamps or streets or buildings):
        raise ScenarioError(
            f"{path}: the extract holds no land use, building, street or point of interest"
        )
    return Layers(
        _frame(areas, WGS84),
        _frame(points, WGS84),
        _frame(lamps, WGS84),
        _frame(streets, WGS84),
        _frame(buildings, WGS84),
        bounds=bounds,
        unmapped=unmapped,
        source=[f"OpenStreetMap extract {path.name}"],
    )


def _levels(tags) -> float:
    raw = tags.get("building:levels")
    try:
        return float(raw) if raw is not None else np.nan
    except ValueError:
        return np.nan


def _osm_rows(path: Path, osmium):
    wkb = osmium.geom.WKBFactory()
    areas, points, lamps, streets, buildings = [], [], [], [], []
    unmapped: dict[str, int] = {}
    processor = (
        osmium.FileProcessor(str(path))
        .with_locations()
        .with_areas()
        .with_filter(osmium.filter.KeyFilter(*KEYS))
    )
    for obj in processor:
        tags = obj.tags
        if obj.is_area():
            try:
                geom = shapely.from_wkb(wkb.create_multipolygon(obj))
            except (RuntimeError, osmium.InvalidLocationError):
                continue  # members cut off at the extract's border
            mapped = land_use_of(tags)
            building = tags.get("building")
            if building is not None:
                home = building in HOME_BUILDINGS or building == "yes"
                buildings.append(
                    {"geometry": geom, "home": home, "levels": _levels(tags), "tag": building}
                )
            if mapped is not None:
                areas.append({"geometry": geom, "land_use": mapped[0], "tag": mapped[1]})
            elif building is None:
                _count_unmapped(tags, unmapped)
        elif obj.is_node():
            if tags.get("highway") == "street_lamp":
                lamps.append({"geometry": shapely.Point(obj.location.lon, obj.location.lat)})
                continue
            mapped = land_use_of(tags)
            if mapped is not None and "building" not in tags:
                pt = shapely.Point(obj.location.lon, obj.location.lat)
                points.append({"geometry": pt, "land_use": mapped[0], "tag": mapped[1]})
        elif obj.is_way() and tags.get("highway") in STREETS:
            try:
                geom = shapely.from_wkb(wkb.create_linestring(obj))
            except (RuntimeError, osmium.InvalidLocationError):
                continue  # nodes outside the extract
            lit = LIT.get(tags.get("lit", ""), np.nan)
            streets.append({"geometry": geom, "lit": lit, "highway": tags.get("highway")})
    return areas, points, lamps, streets, buildings, unmapped


def _count_unmapped(tags, unmapped: dict[str, int]) -> None:
    for key in ("landuse", "leisure", "amenity", "natural", "railway"):
        if key in tags:
            name = f"{key}={tags[key]}"
            unmapped[name] = unmapped.get(name, 0) + 1
            return


# ---------------------------------------------------------------- planners' GIS


def read_layer(path: Path, what: str, option: str) -> gpd.GeoDataFrame:
    """A vector layer (GeoJSON, GeoPackage, Shapefile …) that must have a CRS."""
    path = Path(path)
    if not path.exists():
        raise ScenarioError(f"{option} {path}: no such file")
    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio's DataSourceError and others
        why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ScenarioError(f"{option} {path}: not a readable vector layer ({why})") from None
    if len(frame) == 0:
        raise ScenarioError(f"{option} {path}: the layer is empty (no {what})")
    if frame.crs is None:
        raise ScenarioError(
            f"{option} {path}: the layer has no CRS; set it in your GIS and export again"
        )
    frame = frame[~frame.geometry.isna() & ~frame.geometry.is_empty]
    return frame


def need_field(frame: gpd.GeoDataFrame, name: str, path: Path, option: str) -> None:
    if name not in frame.columns:
        fields = ", ".join(c for c in frame.columns if c != "geometry") or "none"
        raise ScenarioError(
            f"{option} {name!r}: {Path(path).name} has no such attribute; it has: {fields}"
        )


def land_use_layer(
    path: Path, field_name: str, classes: dict[str, str]
) -> tuple[gpd.GeoDataFrame, dict[str, int]]:
    """Land-use polygons whose ``field_name`` is mapped by ``classes`` (the
    planner's class → a clssim land use); classes not in the table are counted."""
    frame = read_layer(path, "land-use polygons", "--land-use")
    need_field(frame, field_name, path, "--land-use-field")
    values = frame[field_name].astype(str)
    known = values.isin(list(classes))
    unmapped = values[~known].value_counts().to_dict()
    areas = gpd.GeoDataFrame(
        {
            "land_use": values[known].map(classes).to_numpy(),
            "tag": (field_name + "=" + values[known]).to_numpy(),
        },
        geometry=frame.geometry[known].to_numpy(),
        crs=frame.crs,
    )
    areas.attrs["extent"] = frame  # the whole layer is the planner's area
    return areas, {f"{field_name}={k}": int(v) for k, v in unmapped.items()}


def read_classes(path: Path) -> dict[str, str]:
    """A class table: TOML ``"planner class" = "clssim land use"`` lines."""
    import tomllib

    path = Path(path)
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ScenarioError(f"--classes {path}: not a readable TOML table ({exc})") from None
    table = table.get("classes", table)
    for key, use in table.items():
        if use not in LAND_USES:
            raise ScenarioError(
                f"--classes {path}: {key!r} = {use!r}: unknown land use; "
                f"allowed: {', '.join(LAND_USES)}"
            )
    return {str(k): str(v) for k, v in table.items()}


def points_layer(path: Path, option: str) -> gpd.GeoDataFrame:
    frame = read_layer(path, "points", option)
    return gpd.GeoDataFrame(
        geometry=frame.geometry.representative_point().to_numpy(), crs=frame.crs
    )


def census_layer(path: Path, residents: str, ages: list[str] | None) -> gpd.GeoDataFrame:
    """Census blocks: polygons with a residents count (and four age groups)."""
    from clssim.mapfile import AGE_GROUPS

    frame = read_layer(path, "census blocks", "--census")
    need_field(frame, residents, path, "--residents-field")
    data = {"residents": pd.to_numeric(frame[residents], errors="coerce").to_numpy(float)}
    if np.isnan(data["residents"]).any() or (data["residents"] < 0).any():
        raise ScenarioError(
            f"--residents-field {residents!r}: {Path(path).name} has missing or negative counts"
        )
    if ages:
        if len(ages) != len(AGE_GROUPS):
            raise ScenarioError(
                f"--age-fields {','.join(ages)!r}: give four fields, for ages 0–11, 12–24, "
                "25–64 and 65+"
            )
        for name, group in zip(ages, AGE_GROUPS, strict=True):
            need_field(frame, name, path, "--age-fields")
            data[group] = pd.to_numeric(frame[name], errors="coerce").fillna(0).to_numpy(float)
    return gpd.GeoDataFrame(data, geometry=frame.geometry.to_numpy(), crs=frame.crs)


def buildings_layer(path: Path, levels: str | None) -> gpd.GeoDataFrame:
    frame = read_layer(path, "buildings", "--buildings")
    lv = np.full(len(frame), np.nan)
    if levels is not None:
        need_field(frame, levels, path, "--levels-field")
        lv = pd.to_numeric(frame[levels], errors="coerce").to_numpy(float)
    return gpd.GeoDataFrame(
        {"home": np.ones(len(frame), bool), "levels": lv, "tag": "layer"},
        geometry=frame.geometry.to_numpy(),
        crs=frame.crs,
    )
