"""``clssim export``: a run's cells and offences as GIS layers QGIS opens.

Cells become squares, offences points at their cell's centre, in the CRS of
the real map the run was on (GeoPackage); GeoJSON is written in WGS 84, as
RFC 7946 requires. Only runs on an imported map have coordinates.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyarrow.parquet as pq
import shapely

from clssim.errors import ScenarioError
from clssim.results import CRS_KEY

FORMATS = {"geopackage": ".gpkg", "geojson": ".geojson"}


def _read(path: Path) -> tuple[gpd.GeoDataFrame, str]:
    if not path.is_file():
        raise ScenarioError(f"{path.parent}: no {path.name}; give the directory of a clssim run")
    try:
        table = pq.read_table(path)
    except Exception as exc:  # noqa: BLE001 (pyarrow raises several kinds)
        raise ScenarioError(f"{path}: not a readable Parquet file ({exc})") from None
    crs = (table.schema.metadata or {}).get(CRS_KEY)
    if crs is None or "easting" not in table.column_names:
        raise ScenarioError(
            f"{path}: this run has no real coordinates (it ran on a generated or drawn map); "
            "export needs a run on a map from `clssim map import`"
        )
    frame = table.to_pandas()
    return frame, crs.decode()


def export(run_dir: Path, to: str, out: Path | None = None) -> list[Path]:
    """Write the run's ``cells`` and ``events`` layers; returns the files written."""
    if to not in FORMATS:
        raise ScenarioError(f"--to {to!r}: allowed: {', '.join(FORMATS)}")
    run_dir = Path(run_dir)
    cells, crs = _read(run_dir / "cells.parquet")
    events, _ = _read(run_dir / "events.parquet")
    size = _cell_size(cells)
    half = size / 2
    squares = shapely.box(
        cells["easting"] - half,
        cells["northing"] - half,
        cells["easting"] + half,
        cells["northing"] + half,
    )
    layers = {
        "cells": gpd.GeoDataFrame(_plain(cells), geometry=squares, crs=crs),
        "events": gpd.GeoDataFrame(
            _plain(events),
            geometry=gpd.points_from_xy(events["easting"], events["northing"]),
            crs=crs,
        ),
    }
    written: list[Path] = []
    if to == "geopackage":
        path = Path(out) if out is not None else run_dir / "run.gpkg"
        tmp = path.with_name(f".{path.name}.tmp.gpkg")
        tmp.unlink(missing_ok=True)
        for name, layer in layers.items():
            layer.to_file(tmp, layer=name, driver="GPKG")
        tmp.replace(path)
        written.append(path)
    else:
        folder = Path(out) if out is not None else run_dir
        folder.mkdir(parents=True, exist_ok=True)
        for name, layer in layers.items():
            path = folder / f"{name}.geojson"
            tmp = path.with_name(f".{path.name}.tmp")
            layer.to_crs("EPSG:4326").to_file(tmp, driver="GeoJSON")
            tmp.replace(path)
            written.append(path)
    return written


def _cell_size(cells) -> float:
    e = cells["easting"].to_numpy()
    steps = abs(e[cells["x"].to_numpy() == 1][:1] - e[cells["x"].to_numpy() == 0][:1])
    return float(steps[0]) if steps.size else 1.0


def _plain(frame):
    """Categoricals as text: GIS formats have no categories."""
    frame = frame.copy()
    for col in frame.columns:
        if str(frame[col].dtype) == "category":
            frame[col] = frame[col].astype(str)
    return frame
