"""OpenStreetMap tags → clssim land uses, lighting and homes (the documented table).

The table is read top to bottom; the first rule a feature matches gives its
land use. ``docs/maps.md`` prints it (``tag_table_markdown``) so the docs and
the code cannot drift apart. Sources: the OSM wiki's pages for each key
(https://wiki.openstreetmap.org/wiki/Map_features).
"""

from __future__ import annotations

#: ``building=*`` values that are homes
HOMES = (
    "residential", "apartments", "house", "detached", "semidetached_house",
    "terrace", "dormitory", "bungalow", "farm",
)  # fmt: skip

#: (key, values or "*", land use, why). Areas and points are matched alike.
RULES: tuple[tuple[str, tuple[str, ...] | str, str, str], ...] = (
    ("amenity", ("school", "kindergarten", "college", "university"), "school", "schools"),
    ("building", ("school", "kindergarten", "university", "college"), "school", "schools"),
    ("amenity", ("bar", "pub", "nightclub", "biergarten"), "nightlife", "bars and clubs"),
    ("residential", ("social_housing",), "social_housing", "social housing"),
    ("building", ("social_housing",), "social_housing", "social housing"),
    ("amenity", ("bus_station", "ferry_terminal", "parking"), "transit", "stations, car parks"),
    ("railway", ("station", "platform", "halt"), "transit", "rail stations"),
    ("public_transport", ("station", "platform"), "transit", "stations and platforms"),
    ("building", ("train_station", "transportation", "parking"), "transit", "station buildings"),
    ("landuse", ("railway",), "transit", "railway land"),
    ("shop", "*", "commerce", "shops"),
    ("office", "*", "commerce", "offices"),
    ("tourism", ("hotel", "hostel", "guest_house", "motel", "museum"), "commerce", "hotels"),
    (
        "amenity",
        (
            "restaurant",
            "cafe",
            "fast_food",
            "bank",
            "pharmacy",
            "marketplace",
            "fuel",
            "post_office",
            "cinema",
            "theatre",
            "ice_cream",
            "food_court",
        ),
        "commerce",
        "restaurants, cafés, services",
    ),
    (
        "building",
        ("commercial", "retail", "office", "hotel", "supermarket", "kiosk", "industrial"),
        "commerce",
        "commercial buildings",
    ),
    ("landuse", ("commercial", "retail", "industrial"), "commerce", "commercial land (jobs)"),
    (
        "building",
        HOMES,
        "private_housing",
        "homes",
    ),
    ("landuse", ("residential",), "private_housing", "residential land"),
    (
        "leisure",
        ("park", "playground", "pitch", "garden", "common", "track", "dog_park"),
        "public_space",
        "parks and pitches",
    ),
    ("place", ("square",), "public_space", "squares"),
    ("highway", ("pedestrian",), "public_space", "pedestrian areas"),
    (
        "landuse",
        ("grass", "recreation_ground", "village_green", "cemetery", "religious"),
        "public_space",
        "green and open land",
    ),
    ("landuse", ("brownfield", "construction", "landfill"), "vacant", "derelict land"),
    ("building", ("ruins", "construction"), "vacant", "derelict buildings"),
    ("abandoned", "*", "vacant", "abandoned places"),
    (
        "landuse",
        (
            "farmland",
            "farmyard",
            "orchard",
            "vineyard",
            "meadow",
            "greenhouse_horticulture",
            "allotments",
            "forest",
        ),
        "farm",
        "farms (and woods: nearly empty land)",
    ),
    ("natural", ("water", "wood", "scrub", "heath", "wetland", "beach"), "farm", "empty land"),
    ("leisure", ("nature_reserve",), "farm", "empty land"),
)

#: every key the reader asks the OSM file for
KEYS = tuple(dict.fromkeys([r[0] for r in RULES] + ["building", "highway", "lit", "waterway"]))

#: ``building=*`` values whose floor area holds residents (and ``yes`` in housing cells)
HOME_BUILDINGS = frozenset(HOMES) | {"social_housing"}

#: ``lit=*`` values: how well a street is lit (ODD §7.3 "real maps")
LIT = {
    "yes": 0.85,
    "24/7": 0.9,
    "automatic": 0.85,
    "sunset-sunrise": 0.85,
    "dusk-dawn": 0.85,
    "limited": 0.5,
    "interval": 0.5,
    "disused": 0.1,
    "no": 0.1,
}
#: ``highway=*`` values that are streets people walk (lighting, street cells)
STREETS = frozenset(
    {
        "primary", "secondary", "tertiary", "unclassified", "residential", "living_street",
        "pedestrian", "footway", "path", "service", "steps", "cycleway", "trunk",
        "primary_link", "secondary_link", "tertiary_link", "track", "road",
    }
)  # fmt: skip


def land_use_of(tags) -> tuple[str, str] | None:
    """The (land use, "key=value") of the first rule ``tags`` match, or None."""
    for key, values, use, _why in RULES:
        value = tags.get(key)
        if value is not None and (values == "*" or value in values):
            return use, f"{key}={value}"
    return None


def tag_table_markdown() -> str:
    """The rules as a Markdown table (printed in ``docs/maps.md``)."""
    rows = ["| OSM tag | values | land use | what |", "| --- | --- | --- | --- |"]
    for key, values, use, why in RULES:
        shown = "any" if values == "*" else ", ".join(values)
        rows.append(f"| `{key}` | {shown} | {use} | {why} |")
    return "\n".join(rows)
