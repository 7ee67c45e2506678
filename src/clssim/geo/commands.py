"""CLI subcommands of real maps: ``clssim map import`` and ``clssim export``.

Both need the ``geo`` extra and say so in one line without it; bad input is
one line and exit status 2, and nothing is written.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from clssim.errors import ScenarioError


def _bbox(text: str) -> tuple[float, float, float, float]:
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        values = ()
    if len(values) != 4:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected WEST,SOUTH,EAST,NORTH in degrees, e.g. -9.15,38.70,-9.13,38.72"
        )
    return values  # type: ignore[return-value]


def cmd_map_import(args: argparse.Namespace) -> int:
    from clssim.geo import require

    require("clssim map import")
    from clssim.geo.importer import Request, build, write

    out = Path(args.out)
    if out.suffix.lower() != ".parquet":
        raise ScenarioError(
            f"--out {args.out}: a cell map is a .parquet file (e.g. maps/x.parquet)"
        )
    if out.exists() and not args.force:
        raise ScenarioError(f"--out {args.out}: exists; give --force to replace it")
    req = Request(
        out=out,
        osm=Path(args.source) if args.source else None,
        cell_size=args.cell_size,
        crs=args.crs,
        bbox=args.bbox,
        land_use=Path(args.land_use) if args.land_use else None,
        land_use_field=args.land_use_field,
        classes=Path(args.classes) if args.classes else None,
        lamps=Path(args.lamps) if args.lamps else None,
        buildings=Path(args.buildings) if args.buildings else None,
        levels_field=args.levels_field,
        census=Path(args.census) if args.census else None,
        residents_field=args.residents_field,
        age_fields=args.age_fields.split(",") if args.age_fields else None,
        floor_per_resident=args.floor_per_resident,
    )
    cmap, report, frame = build(req)
    path, picture = write(cmap, frame, out)
    if not args.quiet:
        for line in report.lines(frame):
            print(line)
        if cmap.attribution:
            print(f"map data {cmap.attribution}")
        print(f"wrote {path} and {picture}")
        print(f'use it: [world] map = "{path.name}" in a scenario beside it (docs/maps.md)')
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from clssim.geo import require

    require("clssim export")
    from clssim.geo.export import export

    written = export(Path(args.directory), args.to, Path(args.out) if args.out else None)
    if not args.quiet:
        print("wrote " + ", ".join(str(p) for p in written))
    return 0


def register(sub) -> None:
    maps = sub.add_parser("map", help="build a map from real layers (OpenStreetMap, GIS)")
    msub = maps.add_subparsers(dest="map_command", required=True)
    imp = msub.add_parser(
        "import",
        help="rasterise an OSM extract and/or GIS layers into a cell map",
        description="Build a cell map (a .parquet a scenario's world.map names) and a "
        "preview picture from an OpenStreetMap extract and/or a planner's GIS layers. "
        "See docs/maps.md.",
    )
    imp.add_argument("source", nargs="?", help="OSM extract: .osm, .osm.bz2, .osm.gz or .pbf")
    imp.add_argument("--out", required=True, help="cell map to write (.parquet)")
    imp.add_argument("--cell-size", type=float, default=25.0, help="metres (default 25)")
    imp.add_argument(
        "--crs", help="projected CRS of the grid, e.g. EPSG:3763 (default: the UTM zone)"
    )
    imp.add_argument("--bbox", type=_bbox, help="area to keep: WEST,SOUTH,EAST,NORTH in degrees")
    imp.add_argument("--land-use", metavar="LAYER", help="land-use polygons (GeoJSON, GPKG, SHP)")
    imp.add_argument("--land-use-field", metavar="NAME", help="attribute holding the classes")
    imp.add_argument(
        "--classes", metavar="TOML", help='class table: "your class" = "clssim land use"'
    )
    imp.add_argument("--lamps", metavar="LAYER", help="street lamps (points)")
    imp.add_argument("--buildings", metavar="LAYER", help="residential buildings (polygons)")
    imp.add_argument("--levels-field", metavar="NAME", help="buildings' number of floors")
    imp.add_argument("--census", metavar="LAYER", help="census blocks (polygons)")
    imp.add_argument("--residents-field", metavar="NAME", help="census residents count")
    imp.add_argument(
        "--age-fields",
        metavar="A,B,C,D",
        help="census residents aged 0–11, 12–24, 25–64 and 65+",
    )
    imp.add_argument(
        "--floor-per-resident",
        type=float,
        default=40.0,
        help="m² of home floor per resident without a census (default 40)",
    )
    imp.add_argument("--force", action="store_true", help="replace an existing --out")
    imp.add_argument("--quiet", action="store_true", help="print nothing on success")
    imp.set_defaults(func=cmd_map_import)

    exp = sub.add_parser(
        "export", help="write a run on a real map as GIS layers (GeoPackage, GeoJSON)"
    )
    exp.add_argument("directory", help="output directory of clssim run")
    exp.add_argument("--to", required=True, choices=("geopackage", "geojson"))
    exp.add_argument(
        "--out", help="file (.gpkg) or folder (GeoJSON) to write (default: in DIRECTORY)"
    )
    exp.add_argument("--quiet", action="store_true", help="print nothing on success")
    exp.set_defaults(func=cmd_export)
