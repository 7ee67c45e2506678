"""Cell maps (``*.parquet``) read on the base install: a round trip keeps every
cell, and a damaged file is refused in one line naming what is wrong."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clssim.errors import ScenarioError
from clssim.layouts import LAND_USES
from clssim.mapfile import AGE_GROUPS, META_KEY, CellMap, Georef, read_cell_map, write_cell_map


@st.composite
def cell_maps(draw) -> CellMap:
    w, h = draw(st.integers(3, 12)), draw(st.integers(3, 12))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    land = rng.integers(0, len(LAND_USES), size=(w, h)).astype(np.int8)
    land[0, 0] = 1  # a home
    light = np.where(rng.random((w, h)) < 0.5, rng.random((w, h)), np.nan)
    residents = rng.random((w, h)) * 50 if draw(st.booleans()) else None
    ages = None
    if residents is not None and draw(st.booleans()):
        ages = rng.random((w, h, len(AGE_GROUPS))) * 10
    georef = None
    if draw(st.booleans()):
        georef = Georef(
            "EPSG:3763", -87_000.5, -104_000.25, float(draw(st.sampled_from([10, 25, 50])))
        )
    streets = [rng.random((rng.integers(2, 6), 2)) * (w, h) for _ in range(draw(st.integers(0, 4)))]
    return CellMap(land, {"lighting": light}, residents, ages, georef, streets, "test", "©")


@settings(max_examples=40, deadline=None)
@given(cmap=cell_maps())
def test_a_cell_map_round_trips_cell_for_cell(cmap, tmp_path_factory):
    path = write_cell_map(cmap, tmp_path_factory.mktemp("m") / "m.parquet")
    back = read_cell_map(path)
    assert np.array_equal(back.land_use, cmap.land_use)
    assert np.array_equal(back.layers["lighting"], cmap.layers["lighting"], equal_nan=True)
    if cmap.residents is None:
        assert back.residents is None
    else:
        assert np.array_equal(back.residents, cmap.residents)
    assert (back.ages is None) == (cmap.ages is None)
    if cmap.ages is not None:
        assert np.array_equal(back.ages, cmap.ages)
    assert back.georef == cmap.georef
    assert len(back.streets) == len(cmap.streets)
    for a, b in zip(back.streets, cmap.streets, strict=True):
        assert np.allclose(a, b, atol=0.005)
    assert not list(path.parent.glob(".*tmp"))


def _damaged(tmp_path, change) -> str:
    cmap = CellMap(np.ones((4, 3), np.int8), {"lighting": np.full((4, 3), 0.5)})
    path = write_cell_map(cmap, tmp_path / "m.parquet")
    table = pq.read_table(path)
    data, meta = table.to_pydict(), json.loads(table.schema.metadata[META_KEY])
    change(data, meta)
    pq.write_table(pa.table(data).replace_schema_metadata({META_KEY: json.dumps(meta)}), path)
    with pytest.raises(ScenarioError) as err:
        read_cell_map(path)
    assert "\n" not in str(err.value)
    return str(err.value)


def test_damaged_cell_maps_are_refused_naming_the_problem(tmp_path):
    def unknown_use(d, m):
        d["land_use"][5] = "industrial"

    def bright(d, m):
        d["lighting"][0] = 1.5

    def twice(d, m):
        d["y"][1] = d["y"][0]

    def no_homes(d, m):
        d["land_use"] = ["commerce"] * len(d["land_use"])

    def wider(d, m):
        m["width"] = 5

    assert "unknown land use 'industrial'" in _damaged(tmp_path, unknown_use)
    assert "'lighting' has values outside [0, 1]" in _damaged(tmp_path, bright)
    assert "appear twice" in _damaged(tmp_path, twice)
    assert "no housing cell and no residents" in _damaged(tmp_path, no_homes)
    assert "one row per cell of the 5 × 3 grid" in _damaged(tmp_path, wider)
