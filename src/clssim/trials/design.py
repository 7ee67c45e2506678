"""How a virtual trial is set up: the scenario, the arms, the allocation.

A virtual trial runs, inside the model, the design the evaluations of a
measure used (ODD §7.24), so that the simulated effect can be set beside the
published one:

``place``   Place measures (lighting, greening, …). The model runs a *before*
            period without the measure; then eligible cells are randomly split
            into treated and control cells (as the randomised and matched
            evaluations did), the measure is put on the treated ones, and the
            model runs an *after* period. Cells next to a treated cell form its
            *ring* (displacement or diffusion of benefits), and are never used
            as controls. Residents living on or next to a treated cell are the
            survey sample of its neighbourhood.
``people``  People measures (youth programmes, employment, …). At the end of
            the before period, eligible residents (the measure's target group)
            are randomly allocated to the programme or to control, as in a
            randomised trial; outcomes are compared at the end of the after
            period.
``force``   Measures of the whole police force (proximity beats, procedural-
            justice training), which cannot be withheld from part of one
            model's force: two runs with the same seed, one with the measure
            and one without (paired counterfactual arms), compared after.

The measure is delivered at full strength (``e = 1``): its lead partner has
full capacity and commitment and no isolation penalty applies, as the
evaluated programmes were delivered by their own teams. A real contract's
delivery, integration and budget factors then scale it down (ODD §7.22).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from clssim.measures import MEASURES, Measure, parse_target
from clssim.measures.targets import TARGET_GROUPS
from clssim.scenario import Scenario, load_scenario

#: cells treated in a place trial whose target is ``hotspots:K`` (and as many controls)
HOTSPOT_UNITS = 40
#: fewest separate sites of a land use for sites to be the units of allocation (a
#: large land use forming fewer, such as public space, is allocated by cells)
MIN_SITES = 2
#: participants in a people trial (and as many controls), at most half the group
PEOPLE_UNITS = 500


class Unallocatable(ValueError):
    """A replicate's map or population has too few eligible units for a trial."""


@dataclass(frozen=True)
class TrialSettings:
    """The design of a trial, independent of the measure."""

    before_days: int = 365  #: run-in without the measure (and the "before" counts)
    after_days: int = 365  #: the measure funded, outcomes measured at its end
    residents: int | None = None  #: override the scenario's population (smaller = faster)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def measure_class(kind: str) -> type[Measure]:
    try:
        return MEASURES[kind]
    except KeyError:
        raise ValueError(f"unknown measure kind {kind!r}; allowed: {', '.join(MEASURES)}") from None


def trial_target(kind: str) -> str:
    """The target a trial of ``kind`` allocates on: its evaluations' if it has one."""
    cls = measure_class(kind)
    return cls.trial_target or cls.default_target


def units_for(kind: str) -> int:
    """Default number of treated units (cells, participants or officers)."""
    cls = measure_class(kind)
    if cls.trial == "force":
        return 0  # decided from the force in trial_scenario
    if cls.trial == "people":
        return PEOPLE_UNITS
    form, args = parse_target(trial_target(kind))
    if form == "hotspots":  # the evaluations' K, else the default number of hot spots
        return args[0] if cls.trial_target else HOTSPOT_UNITS
    return 10**6  # land uses: half of them


def trial_scenario(
    base: Scenario,
    kind: str,
    settings: TrialSettings,
    *,
    with_measure: bool = True,
    capacity: float = 1.0,
    effects: dict[str, float] | None = None,
) -> Scenario:
    """The base scenario with a one-measure contract whose implementation starts
    on day ``before_days``, delivered at full strength, for ``after_days``."""
    cls = measure_class(kind)
    before, after = settings.before_days, settings.after_days
    if before < 3 or after < 1:
        raise ValueError("a trial needs before_days >= 3 and after_days >= 1")
    overrides: dict[str, Any] = {"time.years": (before + after) / 365, "shocks": []}
    if settings.residents is not None:
        overrides["population.residents"] = settings.residents
    officers = base.police.officers
    measure: dict[str, Any] = {
        "kind": kind,
        "start_day": 0,
        "end_day": after,
        "capacity": capacity if not cls.uses_officers else min(capacity, officers),
    }
    if effects:
        measure["effects"] = dict(effects)
    contract = {
        "type": "neighbourhood",
        "budget_eur": 1e12,  # a trial is not limited by money
        "start_day": 0,
        "staff": officers,
        "stages": {"diagnosis_days": before - 1, "plan_days": 1, "implementation_days": after},
        "isolation_penalty": 0.0,
        "partners": [{"kind": cls.lead, "capacity": 1.0, "commitment": 1.0}],
        "measures": [measure] if with_measure else [],
    }
    overrides["contract"] = contract
    return base.with_overrides(overrides)


def base_scenario(path: str | None) -> Scenario:
    """The scenario a trial runs in: the given file, else the shipped default,
    without its own contract or shocks."""
    return load_scenario(path).with_overrides({"contract": None, "shocks": []})


# --------------------------------------------------------------- allocation
@dataclass
class PlaceArms:
    treated: np.ndarray  #: cells the measure is put on
    control: np.ndarray  #: comparable cells it is not put on
    area_t: np.ndarray  #: where outcomes are counted for the treated arm
    area_c: np.ndarray  #: … for the control arm
    ring: np.ndarray  #: next to the treated area, in neither area
    control_ring: np.ndarray  #: next to the control area, in neither area nor the ring
    near_treated: np.ndarray  #: residents living in or next to the treated area
    near_control: np.ndarray  #: … in or next to the control area


def allocate_places(model, kind: str, units: int, rng: np.random.Generator) -> PlaceArms:
    """Randomly split the eligible cells into treated and control cells.

    ``hotspots:K`` targets: the ``4 × units`` cells with most crime so far are
    eligible (evaluations chose high-crime places from police data). Crime is
    the model's expected offences when the run keeps them (a year of one
    neighbourhood's recorded offences, about a hundred, would select cells by
    their noise and make every arm regress to the mean), else recorded crime;
    land-use targets: every cell of that land use. Treated cells are drawn at
    random (at most half the eligible ones); control cells are the rest,
    except cells within two cells of a treated one. For land uses the unit
    of allocation is a site (a connected block of cells: a school, a lot),
    unless the land use forms fewer than two sites (public space is mostly one
    connected area): then ``HOTSPOT_UNITS`` of its cells are treated. Outcomes are counted on
    the cells themselves, or, for measures whose ``trial_area`` is
    ``"around"`` (lots, murals, schools, whose evaluations counted crime in
    the surrounding blocks), on them and their neighbours.
    """
    world = model.world
    cls = measure_class(kind)
    form, args = parse_target(trial_target(kind))
    if form == "hotspots":
        risk = (
            model.expected.cell.sum(axis=1)  # the before period's expected offences
            if model.expected is not None
            else model.recorder.cell_recorded.sum(axis=1).astype(float)
        )
        score = risk + rng.random(risk.size) * 1e-3  # random tie-breaks
        eligible = np.argsort(-score, kind="stable")[: 4 * units]
    elif form == "land_use":
        from clssim.layouts import LAND_USES

        eligible = np.flatnonzero(world.land_use == LAND_USES.index(args[0]))
    else:
        eligible = np.arange(world.ncells)
    if eligible.size < 2:
        raise Unallocatable(f"{kind}: the map has {eligible.size} eligible cells; a trial needs 2")
    blocks = _blocks(world, eligible) if form == "land_use" else []
    if len(blocks) < MIN_SITES and eligible.size >= 4 * HOTSPOT_UNITS:
        blocks, units = [], min(units, HOTSPOT_UNITS)  # one large area: its cells are units
    if blocks:  # a school, a lot: the connected block of cells is the unit
        order = rng.permutation(len(blocks))
        n_treated = min(units, len(blocks) // 2)
        if n_treated == 0:
            raise Unallocatable(
                f"{kind}: the map has {len(blocks)} {args[0]} site; a trial needs 2"
            )
        treated = np.sort(np.concatenate([blocks[i] for i in order[:n_treated]]))
        near = world.around(treated, 2)
        rest = [blocks[i] for i in order[n_treated:]]
        rest = [b for b in rest if not np.isin(b, near).any()]
        control = np.sort(np.concatenate(rest)) if rest else np.empty(0, np.int64)
    else:
        order = rng.permutation(eligible)
        n_treated = min(units, order.size // 2)
        treated = np.sort(order[:n_treated])
        control = np.sort(np.setdiff1d(order[n_treated:], world.around(treated, 2)))
    if control.size == 0:
        raise Unallocatable(f"{kind}: every eligible site is next to a treated one; no controls")
    if not blocks:  # cells as units: as many controls as two treated arms
        control = np.sort(rng.permutation(control)[: 2 * n_treated])
    around = cls.trial_area == "around"
    area_t = world.around(treated) if around else treated
    area_c = np.setdiff1d(world.around(control) if around else control, area_t)
    near_t, near_c = world.around(area_t), world.around(area_c)
    ring = np.setdiff1d(near_t, np.union1d(area_t, area_c))
    control_ring = np.setdiff1d(near_c, np.union1d(np.union1d(area_t, area_c), ring))
    home = model.population.home
    return PlaceArms(
        treated=treated,
        control=control,
        area_t=area_t,
        area_c=area_c,
        ring=ring,
        control_ring=control_ring,
        near_treated=np.flatnonzero(np.isin(home, near_t)),
        near_control=np.flatnonzero(np.isin(home, np.setdiff1d(near_c, near_t))),
    )


def _blocks(world, cells: np.ndarray) -> list[np.ndarray]:
    """The connected blocks (8-neighbourhood) of ``cells``, each sorted."""
    from scipy import ndimage

    mask = np.zeros(world.ncells, dtype=bool)
    mask[cells] = True
    labels, n = ndimage.label(world.as_grid(mask), structure=np.ones((3, 3)))
    flat = labels.ravel()
    return [np.flatnonzero(flat == k) for k in range(1, n + 1)]


@dataclass
class PeopleArms:
    treated: np.ndarray
    control: np.ndarray


def eligible_people(model, kind: str) -> np.ndarray:
    """The residents a people measure is meant for (its default target group)."""
    form, args = parse_target(measure_class(kind).default_target)
    pop = model.population
    if form != "group":
        return np.arange(pop.n)
    diagnosis = model.contract.diagnosis if model.contract is not None else None
    return np.asarray(TARGET_GROUPS[args[0]].members(pop, diagnosis), np.int64)


def allocate_people(model, kind: str, units: int, rng: np.random.Generator) -> PeopleArms:
    """Randomly allocate eligible residents: ``units`` (at most half) to the
    programme, as many to control."""
    pool = eligible_people(model, kind)
    n = min(units, pool.size // 2)
    if n < 2:
        raise Unallocatable(f"{kind}: only {pool.size} eligible residents; a trial needs 4")
    order = rng.permutation(pool)
    return PeopleArms(treated=np.sort(order[:n]), control=np.sort(order[n : 2 * n]))
