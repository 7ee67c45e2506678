"""Whom or where a measure reaches: the target grammar, the groups, and their
resolution into cells or residents at the measure's start.

==========================  =====================================================
``all``                     every cell, or every resident the measure can reach
``area:x0,y0,x1,y1``        the cells of a rectangle (inclusive), or its residents
``land_use:NAME``           cells of a land use (``vacant``, ``school``, …)
``hotspots:K``              the diagnosis' top-K hot spots (from recorded crime)
``group:NAME``              residents of a group of :data:`TARGET_GROUPS`
==========================  =====================================================

Where a target holds more cells or residents than the measure's capacity,
the funded ones are drawn at random (hot spots are taken in rank order).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from clssim.layouts import LAND_USES
from clssim.roles import R_NEET, R_STUDENT, R_UNEMPLOYED

if TYPE_CHECKING:  # types only: the scenario parser must not load the model's builders
    from clssim.population import Population
    from clssim.world import World


@dataclass(frozen=True)
class Group:
    """A group of residents a measure can target (``group:NAME``)."""

    description: str
    members: Callable[[Population, Any], np.ndarray]  #: (population, diagnosis) → ids


def _mask(select: Callable[[Population], np.ndarray]) -> Callable[[Population, Any], np.ndarray]:
    return lambda pop, diagnosis: np.flatnonzero(select(pop))


def _at_risk(pop: Population, diagnosis: Any) -> np.ndarray:
    return diagnosis.at_risk if diagnosis is not None else np.empty(0, np.int64)


#: The groups of ``group:NAME`` targets, declared once.
TARGET_GROUPS: dict[str, Group] = {
    "residents": Group("every resident", _mask(lambda p: np.ones(p.n, bool))),
    "youths": Group("aged 12–24", _mask(lambda p: p.youth)),
    "at_risk_youths": Group("the diagnosis' list of at-risk youths", _at_risk),
    "isolated_elderly": Group("elderly living alone", _mask(lambda p: p.isolated_elderly)),
    "elderly": Group("aged 65+", _mask(lambda p: p.age >= 65)),
    "migrants": Group("born abroad", _mask(lambda p: p.migrant)),
    "minority": Group("Roma and other minorities", _mask(lambda p: p.minority)),
    "unemployed": Group(
        "unemployed, and youths neither in school nor employed",
        _mask(lambda p: np.isin(p.role, (R_UNEMPLOYED, R_NEET))),
    ),
    "women": Group("women aged 15+", _mask(lambda p: p.female & (p.age >= 15))),
    "pupils": Group("in school", _mask(lambda p: p.role == R_STUDENT)),
}

_FORMS = "all, area:x0,y0,x1,y1, land_use:NAME, hotspots:K, group:NAME"


def parse_target(target: str) -> tuple[str, tuple]:
    """Split a target string into its form and arguments; ValueError if malformed."""
    form, _, arg = target.partition(":")
    if form == "all" and not arg:
        return "all", ()
    if form == "area":
        try:
            x0, y0, x1, y1 = (int(v) for v in arg.split(","))
        except ValueError:
            raise ValueError("area targets are 'area:x0,y0,x1,y1' with integers") from None
        if x1 < x0 or y1 < y0 or min(x0, y0) < 0:
            raise ValueError("area needs 0 <= x0 <= x1 and 0 <= y0 <= y1")
        return "area", (x0, y0, x1, y1)
    if form == "land_use":
        if arg not in LAND_USES:
            raise ValueError(f"unknown land use {arg!r}; allowed: {', '.join(LAND_USES)}")
        return "land_use", (arg,)
    if form == "hotspots":
        if not arg.isdigit() or int(arg) < 1:
            raise ValueError("hotspot targets are 'hotspots:K' with K >= 1")
        return "hotspots", (int(arg),)
    if form == "group":
        if arg not in TARGET_GROUPS:
            raise ValueError(f"unknown group {arg!r}; allowed: {', '.join(TARGET_GROUPS)}")
        return "group", (arg,)
    raise ValueError(f"a target is one of: {_FORMS}")


def area_cells(world: World, x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
    """Flat indices of the cells of a rectangle, clipped to the map."""
    xs = np.arange(x0, min(x1, world.width - 1) + 1)
    ys = np.arange(y0, min(y1, world.height - 1) + 1)
    return (xs[:, None] * world.height + ys[None, :]).ravel()


def resolve_cells(
    target: str, capacity: float, world: World, diagnosis: Any, rng: np.random.Generator
) -> np.ndarray:
    """The cells a place-based measure of ``capacity`` cells reaches."""
    form, args = parse_target(target)
    if form == "all":
        cells = np.arange(world.ncells)
    elif form == "area":
        cells = area_cells(world, *args)
    elif form == "land_use":
        cells = np.flatnonzero(world.land_use == LAND_USES.index(args[0]))
    else:  # hotspots from the diagnosis (recorded crime + partners)
        cells = diagnosis.hotspots[: args[0]] if diagnosis is not None else np.empty(0)
    cells = np.asarray(cells, dtype=np.int64)
    if form != "hotspots" and cells.size > capacity:  # funded cells at random
        cells = np.sort(rng.choice(cells, size=int(capacity), replace=False))
    return cells[: int(capacity)]


def resolve_people(
    target: str,
    capacity: float,
    world: World,
    pop: Population,
    diagnosis: Any,
    rng: np.random.Generator,
) -> np.ndarray:
    """The residents a people-based measure of ``capacity`` places reaches."""
    form, args = parse_target(target)
    if form == "area":
        pool = np.flatnonzero(np.isin(pop.home, area_cells(world, *args)))
    elif form == "group":
        pool = TARGET_GROUPS[args[0]].members(pop, diagnosis)
    else:
        pool = np.arange(pop.n)
    size = min(int(capacity), pool.size)
    return np.sort(rng.choice(pool, size=size, replace=False)) if size else pool[:0]
