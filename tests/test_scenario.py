"""Scenario files: defaults, ``extends``, map paths, one-line errors, round trips.

The contract (issue "Scenarios as TOML files"): every field has a default, a
unit and a range; a scenario may extend another and override fields; bad
input is refused with one line naming the file, the field path, the value and
what is allowed; scenario files are data, never code.
"""

from __future__ import annotations

import math
import tomllib
import typing
from pathlib import Path
from typing import Any

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clssim.layouts import MAP_CHARS, read_map
from clssim.mapfile import load_map
from clssim.results import scenario_toml
from clssim.scenario import (
    Scenario,
    ScenarioError,
    default_scenario_path,
    field_table,
    load_scenario,
    scenario_from_dict,
)

MAP = "PPPPPP\nPHHhCP\nPHHhSP\nPPTPNP\n"

# ------------------------------------------------------------------ helpers


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def nested(path: str, value: Any) -> dict[str, Any]:
    """``nested("a.b", 1) == {"a": {"b": 1}}``."""
    *parents, leaf = path.split(".")
    data: dict[str, Any] = {leaf: value}
    for key in reversed(parents):
        data = {key: data}
    return data


def get(scenario: Scenario, path: str) -> Any:
    node: Any = scenario
    for key in path.split("."):
        node = getattr(node, key)
    return node


def assert_one_line(msg: str) -> None:
    assert msg.strip(), "empty error message"
    assert "\n" not in msg and "\r" not in msg, f"message spans lines: {msg!r}"


def leaf_fields() -> dict[str, pydantic.fields.FieldInfo]:
    """Every TOML leaf field of :class:`Scenario` by dotted path."""
    out: dict[str, pydantic.fields.FieldInfo] = {}

    def walk(model: type[pydantic.BaseModel], prefix: str) -> None:
        for name, info in model.model_fields.items():
            if name == "base_dir":
                continue
            ann = info.annotation
            if isinstance(ann, type) and issubclass(ann, pydantic.BaseModel):
                walk(ann, f"{prefix}{name}.")
            else:
                out[f"{prefix}{name}"] = info

    walk(Scenario, "")
    return out


def bounds(info: pydantic.fields.FieldInfo) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for meta in info.metadata:
        for attr in ("ge", "gt", "le", "lt"):
            if getattr(meta, attr, None) is not None:
                found[attr] = getattr(meta, attr)
    return found


LEAVES = leaf_fields()
NUMERIC = sorted(p for p, i in LEAVES.items() if i.annotation in (int, float))
TABLES = ["", *sorted({p.rsplit(".", 1)[0] for p in LEAVES if "." in p})]


# ------------------------------------------------------------------ defaults


def test_shipped_default_equals_model_defaults_except_name_and_description():
    loaded = load_scenario()
    assert loaded == load_scenario(default_scenario_path())
    got, want = loaded.to_dict(), Scenario().to_dict()
    for d in (got, want):
        del d["name"], d["description"]
    assert flatten(got) == flatten(want)
    assert loaded.description  # the shipped file documents itself
    assert loaded.world.map is None


SHIPPED = sorted(default_scenario_path().parent.glob("*.toml"))


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_every_shipped_scenario_loads_and_its_map_reads(path):
    s = load_scenario(path)
    assert s.name == path.stem
    if s.world.map is not None:
        assert s.map_path().is_file()
        load_map(s.map_path())  # raises ScenarioError on a bad map (text or cell map)


def test_every_field_has_a_default():
    # Constructing with no arguments must succeed: no field is required.
    s = scenario_from_dict({})
    assert s == Scenario()
    assert all(not info.is_required() for info in LEAVES.values())


def test_field_table_covers_every_leaf_with_unit_range_and_description():
    rows = field_table()
    paths = [r[0] for r in rows]
    assert len(paths) == len(set(paths))
    assert set(paths) == set(flatten(Scenario().to_dict())) == set(LEAVES)
    for path, default, unit, allowed, description in rows:
        assert unit.strip(), f"{path}: no unit"
        assert description.strip(), f"{path}: no description"
        assert allowed.strip(), f"{path}: no allowed range"
        assert default == repr(get(Scenario(), path))
    by_path = {r[0]: r for r in rows}
    assert by_path["population.residents"][3] == ">=10 <=2000000"
    assert set(by_path["police.strategy"][3].split("|")) == {"random", "hotspot", "beat"}


def test_numeric_fields_have_a_documented_range():
    for path in NUMERIC:
        b = bounds(LEAVES[path])
        assert "ge" in b or "gt" in b, f"{path}: no lower bound"


# ------------------------------------------------------------------ extends


def test_extends_merges_tables_key_by_key(tmp_path):
    write(
        tmp_path / "parent.toml",
        'name = "parent"\nseed = 9\n'
        '[police]\nofficers = 3\nstrategy = "hotspot"\nhotspot_top = 5\n'
        "[crime.theft]\nreward = 0.9\nclearance = 0.3\n",
    )
    child = write(
        tmp_path / "child.toml",
        'extends = "parent.toml"\nname = "child"\n'
        "[police]\nofficers = 12\n"
        "[crime.theft]\nclearance = 0.2\n",
    )
    s = load_scenario(child)
    assert s.name == "child"
    assert s.seed == 9
    assert s.police.officers == 12
    assert s.police.strategy == "hotspot"  # kept from the parent
    assert s.police.hotspot_top == 5
    assert s.crime.theft.reward == 0.9
    assert s.crime.theft.clearance == 0.2
    assert s.crime.burglary == Scenario().crime.burglary  # untouched: default


def test_extends_the_shipped_default(tmp_path):
    child = write(
        tmp_path / "child.toml",
        f'extends = "{default_scenario_path().as_posix()}"\n[police]\nofficers = 2\n',
    )
    s = load_scenario(child)
    base = load_scenario()
    assert s.police.officers == 2
    assert s.description == base.description
    assert s.with_overrides({"police.officers": 8}).to_dict() == base.to_dict()


def test_extends_chain_of_three_files_in_different_directories(tmp_path):
    write(
        tmp_path / "c" / "grand.toml",
        'name = "grand"\nseed = 7\n[police]\nstrategy = "beat"\nofficers = 1\n'
        "[population]\nresidents = 100\nshare_poor = 0.5\n",
    )
    write(
        tmp_path / "b" / "parent.toml",
        'extends = "../c/grand.toml"\n[police]\nofficers = 4\n[population]\nresidents = 200\n',
    )
    child = write(
        tmp_path / "a" / "child.toml",
        'extends = "../b/parent.toml"\nname = "child"\n[population]\nresidents = 300\n',
    )
    s = load_scenario(child)
    assert (s.name, s.seed) == ("child", 7)
    assert (s.police.strategy, s.police.officers) == ("beat", 4)
    assert (s.population.residents, s.population.share_poor) == (300, 0.5)


def test_map_in_parent_resolves_relative_to_parent(tmp_path):
    write(tmp_path / "p" / "maps" / "m.txt", MAP)
    write(tmp_path / "p" / "parent.toml", '[world]\nmap = "maps/m.txt"\n')
    child = write(tmp_path / "c" / "child.toml", 'extends = "../p/parent.toml"\nseed = 3\n')
    s = load_scenario(child)
    assert s.map_path() == (tmp_path / "p" / "maps" / "m.txt").resolve()
    assert read_map(s.map_path()).shape == (6, 4)


def test_map_in_grandparent_resolves_relative_to_grandparent(tmp_path):
    write(tmp_path / "g" / "m.txt", MAP)
    write(tmp_path / "g" / "grand.toml", '[world]\nmap = "m.txt"\n')
    write(tmp_path / "p" / "parent.toml", 'extends = "../g/grand.toml"\n[world]\nwidth = 9\n')
    child = write(tmp_path / "c" / "child.toml", 'extends = "../p/parent.toml"\n')
    assert load_scenario(child).map_path() == (tmp_path / "g" / "m.txt").resolve()


def test_map_in_child_resolves_relative_to_child(tmp_path):
    write(tmp_path / "p" / "m.txt", MAP)
    write(tmp_path / "c" / "m.txt", MAP.replace("S", "C"))
    write(tmp_path / "p" / "parent.toml", '[world]\nmap = "m.txt"\n')
    child = write(
        tmp_path / "c" / "child.toml",
        'extends = "../p/parent.toml"\n[world]\nmap = "m.txt"\n',
    )
    assert load_scenario(child).map_path() == (tmp_path / "c" / "m.txt").resolve()


def test_map_named_in_child_is_not_looked_up_next_to_parent(tmp_path):
    write(tmp_path / "p" / "only_here.txt", MAP)
    write(tmp_path / "p" / "parent.toml", "seed = 2\n")
    child = write(
        tmp_path / "c" / "child.toml",
        'extends = "../p/parent.toml"\n[world]\nmap = "only_here.txt"\n',
    )
    with pytest.raises(ScenarioError) as err:
        load_scenario(child)
    msg = str(err.value)
    assert_one_line(msg)
    assert "child.toml" in msg and "world.map" in msg and "only_here.txt" in msg


# ------------------------------------------------------------------ errors

# (file text, fragments the one-line message must contain besides the file name)
BAD_FILES = {
    "unknown top-level key": (
        'colour = "red"\n',
        ["colour", "unknown field", "allowed here", "population", "police"],
    ),
    "unknown nested key": (
        "[police]\nofficerz = 3\n",
        ["police.officerz", "unknown field", "officers", "strategy"],
    ),
    "unknown deeply nested key": (
        "[crime.theft]\nrewardz = 1\n",
        ["crime.theft.rewardz", "unknown field", "report_probability"],
    ),
    "unknown table": (
        "[lsc]\nbudget = 3\n",
        ["lsc", "unknown field", "allowed here"],
    ),
    "wrong type (string for int)": (
        '[population]\nresidents = "many"\n',
        ["population.residents", "'many'", "integer"],
    ),
    "wrong type (fraction for int)": (
        "[police]\nofficers = 2.5\n",
        ["police.officers", "2.5", "integer"],
    ),
    "wrong type (number for text)": (
        "name = 5\n",
        ["name", "5", "string"],
    ),
    "wrong type (value for table)": (
        "time = 5\n",
        ["time = 5", "dictionary"],
    ),
    "out of range (negative residents)": (
        "[population]\nresidents = -5\n",
        ["population.residents = -5", "greater than or equal to 10"],
    ),
    "out of range (probability above 1)": (
        "[crime.theft]\nreport_probability = 1.5\n",
        ["crime.theft.report_probability = 1.5", "less than or equal to 1"],
    ),
    "out of range (years = inf)": (
        "[time]\nyears = inf\n",
        ["time.years = inf", "finite number", "allowed: >0.0 <=50.0"],
    ),
    "out of range (nan)": (
        "[population]\nshare_poor = nan\n",
        ["population.share_poor = nan", "finite number", "allowed: >=0.0 <=1.0"],
    ),
    "bad literal": (
        '[police]\nstrategy = "zigzag"\n',
        ["police.strategy", "'zigzag'", "random", "hotspot", "beat"],
    ),
    "bad typology": (
        '[world]\ntypology = "suburb"\n',
        ["world.typology", "'suburb'", "social_housing", "rural_town"],
    ),
    "missing map file": (
        '[world]\nmap = "nosuch_map.txt"\n',
        ["world.map", "nosuch_map.txt", "not found"],
    ),
    "extends a missing file": (
        'extends = "nosuch_parent.toml"\n',
        ["extends", "nosuch_parent.toml", "not found"],
    ),
    "extends is not a string": (
        "extends = 3\n",
        ["extends = 3", "path string"],
    ),
    "self-extends": (
        'extends = "bad.toml"\n',
        ["extends", "cycle", "bad.toml → bad.toml"],
    ),
    "invalid TOML syntax": (
        "name = \n",
        ["invalid TOML", "line 1"],
    ),
    "invalid TOML (duplicate key)": (
        "seed = 1\nseed = 2\n",
        ["invalid TOML", "line 2"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_is_refused_with_one_clear_line(tmp_path, case):
    text, fragments = BAD_FILES[case]
    path = write(tmp_path / "bad.toml", text)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    msg = str(err.value)
    assert_one_line(msg)
    assert "bad.toml" in msg
    for fragment in fragments:
        assert fragment in msg, f"{fragment!r} not in {msg!r}"


def test_bad_value_in_parent_is_refused(tmp_path):
    write(tmp_path / "parent.toml", "[population]\nresidents = -5\n")
    child = write(tmp_path / "child.toml", 'extends = "parent.toml"\nseed = 2\n')
    with pytest.raises(ScenarioError) as err:
        load_scenario(child)
    msg = str(err.value)
    assert_one_line(msg)
    assert "population.residents = -5" in msg


def test_child_can_repair_a_parent_value(tmp_path):
    write(tmp_path / "parent.toml", "[population]\nresidents = -5\n")
    child = write(
        tmp_path / "child.toml", 'extends = "parent.toml"\n[population]\nresidents = 50\n'
    )
    assert load_scenario(child).population.residents == 50


def test_extends_cycle_of_two_files(tmp_path):
    a = write(tmp_path / "a.toml", 'extends = "b.toml"\n')
    write(tmp_path / "b.toml", 'extends = "a.toml"\n')
    with pytest.raises(ScenarioError) as err:
        load_scenario(a)
    msg = str(err.value)
    assert_one_line(msg)
    assert "b.toml" in msg  # the file whose extends closes the cycle
    assert "extends = 'a.toml'" in msg
    assert "cycle a.toml → b.toml → a.toml" in msg


def test_extends_cycle_through_three_files_in_other_directories(tmp_path):
    a = write(tmp_path / "x" / "a.toml", 'extends = "../y/b.toml"\n')
    write(tmp_path / "y" / "b.toml", 'extends = "../z/c.toml"\n')
    write(tmp_path / "z" / "c.toml", 'extends = "../x/a.toml"\n')
    with pytest.raises(ScenarioError) as err:
        load_scenario(a)
    msg = str(err.value)
    assert_one_line(msg)
    assert "c.toml" in msg and "cycle a.toml → b.toml → c.toml → a.toml" in msg


def test_diamond_is_not_a_cycle(tmp_path):
    # The same file reached twice along one chain is a cycle; a file that is
    # merely shared by two siblings is not (each load has its own chain).
    write(tmp_path / "base.toml", "seed = 5\n")
    write(tmp_path / "mid.toml", 'extends = "base.toml"\n')
    a = write(tmp_path / "a.toml", 'extends = "mid.toml"\n')
    b = write(tmp_path / "b.toml", 'extends = "base.toml"\n')
    assert load_scenario(a).seed == load_scenario(b).seed == 5


def test_missing_scenario_file(tmp_path):
    with pytest.raises(ScenarioError) as err:
        load_scenario(tmp_path / "nosuch.toml")
    msg = str(err.value)
    assert_one_line(msg)
    assert "nosuch.toml" in msg and "not found" in msg


def test_non_utf8_file_is_refused(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes('name = "Amadora — São Brás"\n'.encode("cp1252", "replace"))
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    msg = str(err.value)
    assert_one_line(msg)
    assert "latin1.toml" in msg


def test_float_field_accepts_a_toml_integer(tmp_path):
    # Users write `years = 3`, not `years = 3.0`.
    s = load_scenario(write(tmp_path / "s.toml", "[time]\nyears = 3\n"))
    assert s.time.years == 3.0 and isinstance(s.time.years, float)


@pytest.mark.parametrize(
    "text, path",
    [
        ('[population]\nresidents = "5000"\n', "population.residents"),
        ("[police]\nofficers = true\n", "police.officers"),
        ('[time]\nyears = "2"\n', "time.years"),
    ],
    ids=["string-for-int", "bool-for-int", "string-for-float"],
)
def test_wrong_toml_type_is_not_silently_coerced(tmp_path, text, path):
    with pytest.raises(ScenarioError) as err:
        load_scenario(write(tmp_path / "coerce.toml", text))
    assert path in str(err.value)


def test_base_dir_is_not_a_toml_key(tmp_path):
    path = write(tmp_path / "bd.toml", 'base_dir = "/etc"\n')
    with pytest.raises(ScenarioError, match="base_dir: unknown field"):
        load_scenario(path)


def test_unknown_key_with_newline_still_gives_one_line(tmp_path):
    path = write(tmp_path / "nl.toml", '[police]\n"bad\\nkey" = 1\n')
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert_one_line(str(err.value))


def test_huge_integer_in_file_is_a_scenario_error(tmp_path):
    path = write(tmp_path / "big.toml", "seed = " + "1" * 5000 + "\n")
    with pytest.raises(ScenarioError, match="big.toml"):
        load_scenario(path)


def test_huge_integer_value_is_a_scenario_error():
    with pytest.raises(ScenarioError, match="time.years"):
        scenario_from_dict({"time": {"years": 10**5000}}, source="big")


# ------------------------------------------------------------------ maps


def test_map_with_unknown_character_names_line_and_column(tmp_path):
    path = write(tmp_path / "m.txt", "# legend in docs\nPPPP\nPHXP\nPPPP\n")
    with pytest.raises(ScenarioError) as err:
        read_map(path)
    msg = str(err.value)
    assert_one_line(msg)
    assert "m.txt" in msg
    assert "line 3, column 3" in msg  # comment lines count
    assert "'X'" in msg
    assert all(c in msg for c in MAP_CHARS)


def test_ragged_map_is_refused(tmp_path):
    path = write(tmp_path / "rag.txt", "PPPP\nPHP\nPPPP\n")
    with pytest.raises(ScenarioError) as err:
        read_map(path)
    msg = str(err.value)
    assert_one_line(msg)
    assert "rag.txt" in msg and "line 2" in msg and "3 cells" in msg and "expected 4" in msg


def test_map_file_reads_rows_as_y_and_columns_as_x(tmp_path):
    land = read_map(write(tmp_path / "m.txt", MAP))
    assert land.shape == (6, 4)
    assert land[1, 1] == MAP_CHARS.index("H")
    assert land[4, 2] == MAP_CHARS.index("S")
    assert land[2, 3] == MAP_CHARS.index("T")


@pytest.mark.parametrize(
    "text, fragment",
    [("PPP\nPPP\nPPP\n", "no housing"), ("PH\nPP\n", "at least 3")],
)
def test_unusable_map_is_refused(tmp_path, text, fragment):
    with pytest.raises(ScenarioError) as err:
        read_map(write(tmp_path / "m.txt", text))
    assert_one_line(str(err.value))
    assert fragment in str(err.value) and "m.txt" in str(err.value)


# ------------------------------------------------------------------ data, not code


def test_code_in_a_value_is_just_a_string(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = "__import__('pathlib').Path('PWNED').touch()"
    path = write(tmp_path / "s.toml", f'name = "{code}"\ndescription = "{{{{7*7}}}}"\n')
    s = load_scenario(path)
    assert s.name == code
    assert s.description == "{{7*7}}"
    assert not (tmp_path / "PWNED").exists()
    s2 = Scenario().with_overrides({"name": code})
    assert s2.name == code and not (tmp_path / "PWNED").exists()


def test_code_in_a_numeric_field_is_refused_not_evaluated(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path / "s.toml", "[police]\nofficers = \"__import__('os').cpu_count()\"\n")
    with pytest.raises(ScenarioError, match="police.officers"):
        load_scenario(path)


# ------------------------------------------------------------------ overrides, round trip


def test_with_overrides_uses_dotted_paths_and_leaves_original_alone():
    base = Scenario()
    s = base.with_overrides(
        {"police.officers": 12, "crime.theft.clearance": 0.5, "seed": 4, "name": "x"}
    )
    assert s.police.officers == 12
    assert s.crime.theft.clearance == 0.5
    assert (s.seed, s.name) == (4, "x")
    assert s.police.strategy == base.police.strategy
    assert s.crime.theft.reward == base.crime.theft.reward
    assert base.police.officers == 8 and base == Scenario()


def test_scenario_is_immutable():
    s = Scenario()
    with pytest.raises(pydantic.ValidationError):
        s.police.officers = 3  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError):
        s.seed = 3  # type: ignore[misc]


def test_with_overrides_keeps_the_base_directory(tmp_path):
    write(tmp_path / "m.txt", MAP)
    s = load_scenario(write(tmp_path / "s.toml", '[world]\nmap = "m.txt"\n'))
    assert s.with_overrides({"seed": 2}).map_path() == (tmp_path / "m.txt").resolve()


@pytest.mark.parametrize(
    "overrides, fragments",
    [
        ({"police.officers": -1}, ["police.officers = -1", "greater than or equal to 0"]),
        ({"police.strategy": "zigzag"}, ["police.strategy = 'zigzag'", "beat"]),
        ({"police.nosuch": 1}, ["police.nosuch", "unknown field", "officers"]),
        ({"nosuch.deeper": 1}, ["nosuch", "unknown field"]),
        ({"seed.x": 1}, ["seed.x", "not a table"]),
        ({"police.officers.x": 1}, ["police.officers.x", "not a table"]),
        ({"time.years": float("nan")}, ["time.years = nan"]),
    ],
)
def test_with_overrides_errors_name_the_path(overrides, fragments):
    with pytest.raises(ScenarioError) as err:
        Scenario().with_overrides(overrides)
    msg = str(err.value)
    assert_one_line(msg)
    for fragment in fragments:
        assert fragment in msg, f"{fragment!r} not in {msg!r}"


def test_round_trip_of_defaults_and_of_a_loaded_scenario(tmp_path):
    assert scenario_from_dict(Scenario().to_dict()) == Scenario()
    loaded = load_scenario()
    # to_dict() is pure TOML data: base_dir is not in it, so pass it back.
    assert "base_dir" not in loaded.to_dict()
    assert scenario_from_dict(loaded.to_dict(), base_dir=loaded.base_dir) == loaded
    write(tmp_path / "m.txt", MAP)
    with_map = load_scenario(write(tmp_path / "s.toml", '[world]\nmap = "m.txt"\n'))
    again = scenario_from_dict(with_map.to_dict(), base_dir=with_map.base_dir)
    assert again == with_map and again.map_path() == with_map.map_path()


def test_resolved_scenario_toml_reloads_to_the_same_scenario(tmp_path):
    write(tmp_path / "maps" / "m.txt", MAP)
    write(tmp_path / "p.toml", '[world]\nmap = "maps/m.txt"\n[police]\nstrategy = "beat"\n')
    s = load_scenario(write(tmp_path / "c.toml", 'extends = "p.toml"\nseed = 11\n'))
    copy = write(tmp_path / "elsewhere" / "scenario.toml", scenario_toml(s))
    again = load_scenario(copy)
    assert again.map_path() == s.map_path()
    assert {k: v for k, v in flatten(again.to_dict()).items() if k != "world.map"} == {
        k: v for k, v in flatten(s.to_dict()).items() if k != "world.map"
    }


# ------------------------------------------------------------------ properties

PROPS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.integers(min_value=-5, max_value=3000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-2.0, max_value=60.0),
    st.sampled_from([0, 0.0, -0.0, 1, 1.0, 1.5, -1, 2**63, 2**63 - 1, 1e308, 5e-324]),
)


@PROPS
@given(path=st.sampled_from(NUMERIC), value=numbers)
def test_property_numeric_value_is_kept_or_refused_with_its_path(path, value):
    try:
        s = scenario_from_dict(nested(path, value), source="prop.toml")
    except ScenarioError as exc:
        msg = str(exc)
        assert_one_line(msg)
        assert msg.startswith("prop.toml: ")
        assert f"{path} = " in msg
        return
    got = get(s, path)
    assert not (isinstance(got, float) and math.isnan(got)), f"{path} accepted nan"
    assert got == value or (isinstance(got, float) and got == float(value))
    assert type(got) is LEAVES[path].annotation
    b = bounds(LEAVES[path])
    assert "ge" not in b or got >= b["ge"]
    assert "gt" not in b or got > b["gt"]
    assert "le" not in b or got <= b["le"]
    assert "lt" not in b or got < b["lt"]


def _valid_key_for(table: str) -> set[str]:
    prefix = f"{table}." if table else ""
    return {p[len(prefix) :].split(".")[0] for p in LEAVES if p.startswith(prefix)}


key_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")),
    min_size=1,
    max_size=12,
)


@PROPS
@given(table=st.sampled_from(TABLES), key=key_text, value=st.integers() | st.text())
def test_property_unknown_key_is_refused_naming_its_path(table, key, value):
    valid = _valid_key_for(table)
    if not table:
        valid |= {"extends", "base_dir"}  # handled apart (see the tests above)
    if key in valid:
        return
    path = f"{table}.{key}" if table else key
    data = nested(table, {key: value}) if table else {key: value}
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(data, source="prop.toml")
    msg = str(err.value)
    assert_one_line(msg)
    assert msg.startswith(f"prop.toml: {path}: unknown field; allowed here: ")
    allowed = msg.split("allowed here: ", 1)[1].split(", ")
    assert set(allowed) == valid - {"base_dir"}  # at the top level, extends is allowed too


def _valid_value(path: str) -> st.SearchStrategy[Any]:
    info = LEAVES[path]
    ann = info.annotation
    b = bounds(info)
    if typing.get_origin(ann) is typing.Literal:
        return st.sampled_from(typing.get_args(ann))
    if ann is int:
        lo = b.get("ge", b.get("gt", -(10**6) - 1) + 1)
        hi = b.get("le", b.get("lt", lo + 10**6 + 1) - 1)
        return st.integers(min_value=lo, max_value=hi)
    if ann is float:
        lo = b.get("ge", b.get("gt", -1e6))
        hi = b.get("le", b.get("lt", 1e6))
        return st.floats(
            min_value=lo,
            max_value=hi,
            exclude_min="gt" in b,
            exclude_max="lt" in b,
            allow_nan=False,
        )
    assert ann is str, f"no strategy for {path}: {ann}"
    return st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)


VALUE_PATHS = sorted(p for p in LEAVES if p not in ("world.map", "contract", "shocks"))


def _one_officer_per_cell(over: dict[str, Any]) -> dict[str, Any]:
    """The one rule across fields a draw can break: at most one officer per cell."""
    if "police.officers" not in over:
        return over
    default = Scenario().world
    cells = over.get("world.width", default.width) * over.get("world.height", default.height)
    return {**over, "police.officers": min(over["police.officers"], cells)}


overrides = (
    st.lists(st.sampled_from(VALUE_PATHS), unique=True, max_size=8)
    .flatmap(lambda paths: st.fixed_dictionaries({p: _valid_value(p) for p in paths}))
    .map(_one_officer_per_cell)
)


@PROPS
@given(over=overrides)
def test_property_valid_overrides_round_trip(over):
    s = Scenario().with_overrides(over)
    flat = flatten(s.to_dict())
    for path, value in over.items():
        assert flat[path] == value
        assert get(s, path) == value
    assert scenario_from_dict(s.to_dict()) == s
    # ... and through the TOML text a run writes as scenario.toml.
    assert scenario_from_dict(tomllib.loads(scenario_toml(s))) == s


@pytest.mark.parametrize("kind", ["burglary", "theft", "violence", "vandalism"])
def test_a_partial_offence_table_keeps_that_types_other_defaults(tmp_path, kind):
    """Setting one key of [crime.<type>] leaves the type's own defaults for the
    others, as a dotted override does (not the shared schema's generic ones)."""
    path = tmp_path / "p.toml"
    path.write_text(f"[crime.{kind}]\nreward = 0.01\n", encoding="utf-8")
    from_file = getattr(load_scenario(path).crime, kind)
    default = getattr(load_scenario().crime, kind)
    overridden = getattr(load_scenario().with_overrides({f"crime.{kind}.reward": 0.01}).crime, kind)
    assert from_file == overridden
    assert from_file.report_probability == default.report_probability
    assert from_file.clearance == default.clearance


def test_an_override_into_a_missing_table_names_path_and_value():
    with pytest.raises(ScenarioError) as err:
        load_scenario().with_overrides({"contract.budget_eur": 1000})
    assert str(err.value) == (
        "<overrides>: contract.budget_eur = 1000: the scenario has no [contract] table; "
        "set the whole table instead"
    )
    with pytest.raises(ScenarioError, match=r"police.officers is a value, not a table"):
        load_scenario().with_overrides({"police.officers.x": 3})
    preset = load_scenario(default_scenario_path().parent / "lisbon_neighbourhood.toml")
    with pytest.raises(ScenarioError) as err:
        preset.with_overrides({"contract.staff": 99})
    assert str(err.value) == "<overrides>: contract.staff = 99 exceeds police.officers = 8"


def test_more_officers_than_cells_is_refused_in_one_line():
    """Each officer owns a beat of at least one cell (ODD §7.13)."""
    small = {"world.width": 8, "world.height": 8, "population.residents": 100}
    load_scenario().with_overrides({**small, "police.officers": 64})  # one per cell: fine
    with pytest.raises(ScenarioError) as err:
        load_scenario().with_overrides({**small, "police.officers": 65})
    assert str(err.value) == (
        "<overrides>: police.officers = 65 exceeds the 64 cells of the 8 × 8 map: "
        "each officer needs a beat of at least one cell"
    )
