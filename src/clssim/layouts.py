"""Land-use layouts: generated from a seed for a typology, or drawn by hand.

A map file is plain text, one character per cell, one line per grid row
(row ``y`` = line ``y``, column ``x`` = character ``x``). Lines starting with
``#`` are comments. Legend (also in ``docs/maps.md``):

====  =================  ==============================================
char  land use           examples
====  =================  ==============================================
H     social_housing     council estates, bairros sociais
h     private_housing    private flats and houses
C     commerce           shops, cafés, markets, hotels, offices
S     school             schools and their grounds
P     public_space       squares, parks, promenades, beaches, streets
T     transit            bus and rail stations, car parks
V     vacant             vacant lots, derelict buildings
N     nightlife          bars and clubs
F     farm               fields, olive groves, greenhouses
====  =================  ==============================================
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from clssim.errors import ScenarioError

LAND_USES = (
    "social_housing",
    "private_housing",
    "commerce",
    "school",
    "public_space",
    "transit",
    "vacant",
    "nightlife",
    "farm",
)
MAP_CHARS = "HhCSPTVNF"
HOUSING = (0, 1)
(SOCIAL, PRIVATE, COMMERCE, SCHOOL, PUBLIC, TRANSIT, VACANT, NIGHTLIFE, FARM) = range(9)


def read_map(path: Path) -> np.ndarray:
    """Read a map file into a ``(width, height)`` int8 land-use array.

    This is the one parser of map files: the scenario's validation and the world
    both call it. Raises :class:`~clssim.errors.ScenarioError` naming the line
    and column of the first bad character, or a ragged row.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: not a UTF-8 text map (see docs/maps.md)") from None
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read map: {exc}") from None
    rows: list[str] = []
    width = None
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if not line or line.startswith("#"):
            continue
        if width is None:
            width = len(line)
        if len(line) != width:
            raise ScenarioError(
                f"{path}: line {lineno}: row has {len(line)} cells, expected {width} "
                "(every row must have the same length)"
            )
        for col, char in enumerate(line, start=1):
            if char not in MAP_CHARS:
                raise ScenarioError(
                    f"{path}: line {lineno}, column {col}: unknown map symbol {char!r}; "
                    f"allowed: {' '.join(MAP_CHARS)} (legend in docs/maps.md)"
                )
        rows.append(line)
    if len(rows) < 3 or (width or 0) < 3:
        raise ScenarioError(f"{path}: a map needs at least 3 rows of 3 cells")
    codes = np.array([[MAP_CHARS.index(c) for c in row] for row in rows], dtype=np.int8)
    if not np.isin(codes, HOUSING).any():
        raise ScenarioError(f"{path}: the map has no housing cell (H or h)")
    return codes.T.copy()  # (width, height): x = column, y = row


def write_map(land_use: np.ndarray) -> str:
    """The map-file text of a ``(width, height)`` land-use array."""
    return "\n".join("".join(MAP_CHARS[c] for c in row) for row in land_use.T) + "\n"


# --------------------------------------------------------------------- generators
#
# Every generator lays out streets (public space) on a block grid, then gives
# each block a land use drawn from the typology's weights, which depend on the
# block's distance from the centre; then sprinkles single-cell features.
# The weights are stylised readings of Portuguese urban forms (ODD §7).

#: Block-level land-use weights by typology: (near centre, periphery).
_BLOCK_WEIGHTS: dict[str, tuple[dict[int, float], dict[int, float]]] = {
    "social_housing": (
        {SOCIAL: 5, PRIVATE: 1, COMMERCE: 1.5, SCHOOL: 0.4, PUBLIC: 0.8, NIGHTLIFE: 0.3},
        {SOCIAL: 5, PRIVATE: 2, VACANT: 0.8, PUBLIC: 0.6, SCHOOL: 0.2},
    ),
    "historic_centre": (
        {PRIVATE: 3, COMMERCE: 3, NIGHTLIFE: 1.2, PUBLIC: 1, SOCIAL: 0.5, SCHOOL: 0.2},
        {PRIVATE: 5, SOCIAL: 1, COMMERCE: 1, VACANT: 0.5, SCHOOL: 0.3, PUBLIC: 0.5},
    ),
    "tourist_strip": (
        {COMMERCE: 3, NIGHTLIFE: 2, PRIVATE: 2, PUBLIC: 1},
        {PRIVATE: 5, SOCIAL: 1, COMMERCE: 0.8, VACANT: 0.4, SCHOOL: 0.2},
    ),
    "rural_town": (
        {PRIVATE: 4, COMMERCE: 1.5, SOCIAL: 0.7, PUBLIC: 0.7, SCHOOL: 0.3, NIGHTLIFE: 0.2},
        {FARM: 8, PRIVATE: 0.6, VACANT: 0.3},
    ),
}


def _draw(weights: dict[int, float], rng: np.random.Generator) -> int:
    keys = np.fromiter(weights, dtype=np.int64)
    p = np.fromiter(weights.values(), dtype=float)
    return int(rng.choice(keys, p=p / p.sum()))


def generate_layout(typology: str, width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """A ``(width, height)`` int8 land-use array for ``typology``, from ``rng``."""
    centre_w, edge_w = _BLOCK_WEIGHTS[typology]
    use = np.full((width, height), PUBLIC, dtype=np.int8)
    block = 5  # 4 cells of buildings + 1 street
    cx, cy = (width - 1) / 2, (height - 1) / 2
    radius = max(width, height) / 2
    for bx in range(0, width, block):
        for by in range(0, height, block):
            xs, ys = (
                slice(bx, min(bx + block - 1, width)),
                slice(by, min(by + block - 1, height)),
            )
            mx, my = bx + block / 2, by + block / 2
            d = np.hypot(mx - cx, my - cy) / radius
            weights = centre_w if rng.random() > d else edge_w
            use[xs, ys] = _draw(weights, rng)
    # single-cell texture: shops on corners, vacant lots, a few cafés
    corners = rng.random((width, height))
    housing = np.isin(use, HOUSING)
    use[housing & (corners < 0.04)] = COMMERCE
    use[housing & (corners > 0.97)] = VACANT
    if typology == "tourist_strip":  # a beach promenade along the southern edge
        use[:, -2:] = PUBLIC
        use[:, -3] = np.where(rng.random(width) < 0.5, NIGHTLIFE, COMMERCE)
    # one transit hub near the centre-edge, and at least one school
    tx, ty = int(rng.integers(0, width)), int(rng.integers(0, max(1, height // 4)))
    use[tx : tx + 2, ty : ty + 2] = TRANSIT
    if not (use == SCHOOL).any():
        sx, sy = int(cx) + 2, int(cy) + 2
        use[sx : sx + 3, sy : sy + 3] = SCHOOL
    if not np.isin(use, HOUSING).any():
        use[int(cx), int(cy)] = PRIVATE
    return use
